"""Overdue planned deliveries and tender-decision markers (issue 14): the Timeline and deal-card SQL on the fixture
database against independent SQL on the `deliveries` view, and the pure chart builders that draw them."""

from __future__ import annotations

import pandas as pd
import pytest

from kdefense import charts
from kdefense import charts_timeline as ct
from kdefense.filters import Filters
from tests.unit.test_suppliers_queries import run

ALL = Filters(year_from=1950, year_to=2030)


def overdue_independent(con) -> set[tuple[str, int]]:
    """Planned (deal, year) with the year before this one and no actual delivery of the deal that year."""
    return set(con.execute("""
        SELECT p.deal_id, p.year FROM deliveries p
        WHERE p.kind = 'planned' AND p.year < year(current_date)
          AND NOT EXISTS (SELECT 1 FROM deliveries a WHERE a.deal_id = p.deal_id AND a.year = p.year
                                                       AND a.kind = 'actual')""").fetchall())


def test_fixture_has_an_overdue_planned_delivery(fixture_db):
    assert ("KR-ROU-2024-K9", 2025) in overdue_independent(fixture_db)


def test_gantt_marks_exactly_the_overdue_years(fixture_db):
    want = overdue_independent(fixture_db)
    gantt = run(fixture_db, "timeline_gantt", ALL, deal_id="")
    shown = set(gantt["deal_id"])
    late = gantt[gantt["part"] == "overdue"]
    assert {(r.deal_id, int(r.year)) for r in late.itertuples()} == {w for w in want if w[0] in shown}
    planned = gantt[gantt["part"] == "planned"]
    assert not {(r.deal_id, int(r.year)) for r in planned.itertuples()} & want
    by_system = run(fixture_db, "timeline_gantt_system", ALL, deal_id="")
    assert by_system.loc[by_system["part"] == "overdue", ["row_label", "year"]].values.tolist() == [
        ["Romania · K9", 2025]]


def test_still_to_deliver_counts_the_overdue_units(fixture_db):
    now = run(fixture_db, "timeline_orderbook_now", ALL, deal_id="", munitions=False).set_index("recipient")
    units = fixture_db.execute("""SELECT sum(units) FROM deliveries
        WHERE deal_id = 'KR-ROU-2024-K9' AND is_overdue""").fetchone()[0]
    assert now.loc["Romania", "overdue_deals"] == 1
    assert now.loc["Romania", "units_overdue"] == min(units, now.loc["Romania", "units_outstanding"])
    assert now.loc["Romania", "overdue_deal_ids"] == "KR-ROU-2024-K9 (2025)"
    assert (now.drop(index="Romania")["overdue_deals"] == 0).all()


def test_deal_card_deliveries_carry_the_flag(fixture_db):
    dl = run(fixture_db, "deal_deliveries", ALL, deal_id="KR-ROU-2024-K9")
    assert dl.set_index("year")["is_overdue"].to_dict() == {2025: True, 2027: False}


def test_timeline_tenders_for_one_deal(fixture_db):
    everything = run(fixture_db, "timeline_tenders", ALL, deal_id="")
    one = run(fixture_db, "timeline_tenders", ALL, deal_id="KR-AUS-2023-REDBACK")
    assert one["competition_id"].tolist() == ["C-AUS-2019-LAND400-3"]
    assert set(one["competition_id"]) <= set(everything["competition_id"])
    assert run(fixture_db, "timeline_tenders", ALL, deal_id="KR-NO-SUCH-DEAL").empty


# --- chart builders (pure) ----------------------------------------------------------------------------------------

TENDERS = pd.DataFrame({
    "competition_id": ["C-A", "C-B", "C-C"], "programme": ["<b>Guns</b>", "Tanks", "Ships"],
    "recipient": ["Norway", "Norway", "Peru"], "system_family": ["K9", "K2", "Frigates"],
    "outcome": ["won", "lost", "cancelled"], "year_decided": [2017, 2017, 2020],
    "x_year": [2017.5, 2017.5, 2020.5], "korean_systems": ["K9", "K2", None],
    "winner": ["Hanwha Aerospace", "KNDS", None], "winner_system": ["K9", "Leopard 2A7", None],
    "deal_ids": ["KR-1", None, None]})
VALUE = pd.DataFrame({"year": [2017, 2017, 2020], "series": ["Ledger", "Ledger", "Ledger"],
                      "region": ["Europe", "Asia & Oceania", "Europe"], "value_usd_bn": [1.0, 0.4, 2.1],
                      "deals": [2, 1, 1], "deals_with_value": [2, 1, 1], "source_ids": [None] * 3})


def test_tender_decision_traces_one_per_outcome_with_symbol_legend_and_hover():
    traces = ct.tender_decision_traces(TENDERS)
    by_name = {t["name"]: t for t in traces}
    assert list(by_name) == ["Tender won", "Tender lost", "Tender cancelled"]
    assert len({t["marker"]["symbol"] for t in traces}) == 3
    assert all(t["yaxis"] == "y3" for t in traces)
    assert by_name["Tender won"]["y"].tolist() == [ct.TENDER_TOP]  # first in 2017 (won sorts before lost)
    assert by_name["Tender lost"]["y"].tolist() == [pytest.approx(ct.TENDER_TOP - ct.TENDER_STEP)]
    assert by_name["Tender cancelled"]["y"].tolist() == [ct.TENDER_TOP]
    hover = by_name["Tender lost"]["hovertext"][0]
    assert "Tanks" in hover and "Norway" in hover and "KNDS Leopard 2A7" in hover and "lost with K2" in hover
    assert "&lt;b&gt;Guns" in by_name["Tender won"]["hovertext"][0]  # programme names are escaped
    assert "Winner: none" in by_name["Tender cancelled"]["hovertext"][0]
    assert ct.tender_decision_traces(TENDERS.iloc[0:0]) == [] and ct.tender_decision_traces(None) == []


def test_value_chart_with_tender_markers_keeps_bars_below_them():
    plain = ct.value_by_year_chart(VALUE, "usd")
    fig = ct.value_by_year_chart(VALUE, "usd", None, TENDERS)
    assert not any(t.name and t.name.startswith("Tender") for t in plain.data)
    assert fig.layout.meta["tender_decisions"] == 3
    assert [t.name for t in fig.data if t.name.startswith("Tender")] == ["Tender won", "Tender lost",
                                                                        "Tender cancelled"]
    assert fig.layout.yaxis.range[1] == pytest.approx(2.1 / ct.BAR_SHARE)  # tallest stack: 2.1 bn in 2020
    assert fig.layout.yaxis3.range == (0, 1) and fig.layout.yaxis3.overlaying == "y"
    bars = [t for t in fig.data if t.type == "bar"]
    assert sum(sum(t.y) for t in bars) == pytest.approx(VALUE["value_usd_bn"].sum())


def test_gantt_draws_overdue_years_apart_with_a_legend_entry():
    df = pd.DataFrame({
        "row_order": [1, 1, 1], "row_label": ["Viet Nam · 2025-K9"] * 3, "deal_id": ["KR-VNM-2025-K9"] * 3,
        "part": ["waiting", "overdue", "signed"],
        "start": ["2025-07-01", "2025-07-01", "2025-07-01"], "finish": ["2025-12-31", "2025-12-31", "2025-07-01"],
        "year": [None, 2025, None], "units": [None, 20, None], "origin": [None, "ledger", None],
        "part_sources": [None, "SA-035", None], "status": ["contract"] * 3, "signed_date": ["2025-07"] * 3,
        "designation": ["K9"] * 3, "quantity": [20] * 3, "value_amount_m": [250] * 3, "currency": ["USD"] * 3,
        "value_usd_m": [250] * 3, "value_note": [None] * 3, "source_ids": ["SA-035"] * 3,
        "first_source": [None] * 3, "units_delivered": [None] * 3, "selected": [True] * 3})
    fig = ct.gantt_chart(df)
    late = next(t for t in fig.data if t.name == ct.OVERDUE_NAME)
    assert "overdue" in ct.OVERDUE_NAME.lower() and late.marker.pattern.shape == "x"
    assert "Overdue" in late.hovertext[0] and "20 units planned" in late.hovertext[0]
    assert not any(t.name == "Planned (per year)" for t in fig.data)


def test_still_to_deliver_labels_overdue_recipients():
    now = pd.DataFrame({"recipient": ["Poland", "Viet Nam", "Egypt"], "region": ["Europe", "Asia & Oceania",
                        "Middle East"], "units_outstanding": [1018, 20, 120], "overdue_deals": [1, 1, 0],
                        "units_overdue": [6, None, None],
                        "overdue_deal_ids": ["KR-POL-2023-K9-EC2 (2025)", "KR-VNM-2025-K9 (2025)", None]})
    fig = ct.orderbook_now_chart(now, "units_outstanding", "units", "end of 2026")
    labels = {y: text for t in fig.data for y, text in zip(t.y, t.text)}  # one trace per region
    assert labels == {"Viet Nam": "⚠ overdue", "Egypt": "120", "Poland": "⚠ overdue: 6 units"}
    assert fig.layout.meta["overdue_recipients"] == 2
    hovers = {y: h for t in fig.data for y, h in zip(t.y, t.hovertext)}
    assert "KR-POL-2023-K9-EC2 (2025)" in hovers["Poland"]
    outlines = {y: w for t in fig.data for y, w in zip(t.y, t.marker.line.width)}
    assert outlines == {"Viet Nam": 2.5, "Egypt": 1, "Poland": 2.5}
    tiv = now.drop(columns=["overdue_deals", "units_overdue", "overdue_deal_ids"])  # the TIV book has no flag
    texts = {text for t in ct.orderbook_now_chart(tiv, "units_outstanding", "units", "end of 2026").data
             for text in t.text}
    assert not any("overdue" in text for text in texts)


def test_deal_card_chart_labels_overdue_years():
    dl = pd.DataFrame({"year": [2024, 2025, 2027], "kind": ["actual", "planned", "planned"], "units": [4, 6, 18],
                       "is_overdue": [False, True, False]})
    fig = charts.deal_deliveries_chart(dl, 28)
    names = [t.name for t in fig.data if t.type == "bar"]
    assert names == ["Actual", "Planned", "Overdue: planned, year passed"]
    late = fig.data[2]
    assert list(late.x) == [2025] and list(late.text) == ["overdue"] and late.marker.pattern.shape == "x"

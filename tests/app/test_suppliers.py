"""AppTest for the Suppliers page: the published SIPRI figure, head-to-head facts, filters that apply (and the
world totals they must not touch), and no exception for any supplier, category, class or window selection."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kdefense import queries
from tests.helpers import open_chart_data, run_app

PAGE = "pages/suppliers.py"
VIEWS = ("Share & rank", "Recipient markets", "Speed & order book", "Rival systems", "Korean firms")
K9_CUSTOMERS = {"Türkiye", "Poland", "Finland", "Norway", "Estonia", "India", "Australia", "Egypt", "Romania",
                "Viet Nam"}
CATEGORIES = ("All categories", "Aircraft", "Air-defence systems", "Armoured vehicles", "Artillery", "Engines",
              "Missiles", "Naval weapons", "Other", "Satellites", "Sensors", "Ships")


def suppliers_page(state: dict | None = None) -> AppTest:
    at = run_app(page=PAGE, state=state)
    assert not at.exception, at.exception
    return at


def show(at: AppTest, view: str) -> AppTest:
    at.segmented_control(key="sup_view").set_value(view).run()
    assert not at.exception, f"{view}: {at.exception}"
    assert not at.error, f"{view}: {[e.value for e in at.error]}"
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frame_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The (first) data table on the page that has these columns: chart data sits in 'Data behind this chart',
    whose popovers are opened (as a user does) when no table shown has them."""
    tables = [d.value for d in at.dataframe]
    if not any(set(columns) <= set(df.columns) for df in tables):
        tables = [d.value for d in open_chart_data(at).dataframe]
    for df in tables:
        if set(columns) <= set(df.columns):
            return df
    raise AssertionError(f"no table with {columns}")


def world_share(con, first: int, last: int, supplier: str = "South Korea") -> tuple[float, int]:
    """Independent: a supplier's share of world exports and rank among supplier states (SIPRI TIV delivered)."""
    return con.execute("""
        WITH s AS (SELECT supplier, supplier_iso3, sum(tiv_delivered_m) AS tiv FROM transfer_deliveries
                   WHERE basis = 'sipri_per_year' AND delivery_year BETWEEN ? AND ? GROUP BY ALL),
        r AS (SELECT supplier, 100 * tiv / sum(tiv) OVER () AS share,
                     rank() OVER (PARTITION BY supplier_iso3 IS NULL ORDER BY tiv DESC) AS rank FROM s)
        SELECT share, rank FROM r WHERE supplier = ?""", [first, last, supplier]).fetchone()


def test_korea_2020_24_share_and_rank_are_sipris_published_figure(app_db, built_db):
    at = suppliers_page()
    m = metrics(at)
    share, rank = world_share(built_db, 2020, 2024)
    assert m["South Korea's share of world exports, 2020–24"] == f"{share:.1f} %" == "2.2 %"
    assert m["South Korea's rank, 2020–24"] == "10th" and rank == 10
    win = frame_with(at, "period_label", "share_pct", "rank")
    assert {"United States", "France", "Russia", "China", "Germany", "Italy", "United Kingdom", "Israel", "Spain",
            "Türkiye", "South Korea"} <= set(win["supplier"])
    before, before_rank = world_share(built_db, 2015, 2019)
    row = win[(win["supplier"] == "South Korea") & (win["period_label"] == "2015–19")].iloc[0]
    assert row["share_pct"] == pytest.approx(before, abs=0.001) and row["rank"] == before_rank


def test_world_totals_ignore_recipient_filters_but_markets_follow_them(app_db, built_db):
    at = suppliers_page({"flt_region": ["Europe"], "flt_nato": True})
    assert metrics(at)["South Korea's share of world exports, 2020–24"] == "2.2 %"
    assert "World totals: the sidebar's recipient filters do not apply" in " ".join(c.value for c in at.caption)
    show(at, "Recipient markets")
    top = frame_with(at, "sipri_supplier", "rank", "share_pct", "market_tiv_m")
    korea, total = built_db.execute("""
        SELECT sum(d.tiv_delivered_m) FILTER (WHERE d.supplier = 'South Korea'), sum(d.tiv_delivered_m)
        FROM transfer_deliveries d JOIN countries c ON c.iso3 = d.recipient_iso3
        WHERE d.basis = 'sipri_per_year' AND d.delivery_year BETWEEN 2020 AND 2024
          AND d.recipient_region = 'Europe' AND c.is_nato""").fetchone()
    row = top[top["supplier"] == "South Korea"].iloc[0]
    assert row["share_pct"] == pytest.approx(100 * korea / total, abs=0.001)
    assert row["rank"] == 2, "South Korea was NATO Europe's second supplier in 2020–24 in this register"


def test_k9_export_customers_head_to_head(app_db, built_db):
    at = show(suppliers_page(), "Rival systems")
    assert at.selectbox(key="sup_class").value == "Self-propelled guns"
    families = frame_with(at, "system_family", "customers", "units_ordered").set_index("system_family")
    customers = set(families.loc["K9", "customers"].split(", "))
    assert customers >= K9_CUSTOMERS
    assert {"PzH 2000", "CAESAR", "M109", "Archer", "ATMOS"} <= set(families.index)
    units = built_db.execute("SELECT sum(number_ordered) FROM transfers WHERE system_family = 'K9'").fetchone()[0]
    assert families.loc["K9", "units_ordered"] == units
    orders = frame_with(at, "order_year", "system_family", "recipient", "order_year_uncertain")
    assert orders["order_year"].is_monotonic_decreasing
    assert len(orders) == families["deals"].sum()


def test_rival_families_follow_recipient_filters(app_db, built_db):
    at = show(suppliers_page({"flt_region": ["Europe"], "flt_years": (2020, 2026)}), "Rival systems")
    families = frame_with(at, "system_family", "customers", "deals").set_index("system_family")
    want = built_db.execute("""SELECT count(*) FROM transfers WHERE system_family = 'K9'
        AND recipient_region = 'Europe' AND order_year BETWEEN 2020 AND 2026""").fetchone()[0]
    assert families.loc["K9", "deals"] == want
    assert "India" not in families.loc["K9", "customers"]


@pytest.mark.parametrize("system_class", ["Self-propelled guns", "Main battle tanks", "Light combat & trainer jets",
                                          "Rocket artillery", "Medium-range air defence",
                                          "Infantry fighting vehicles"])
def test_every_rival_class_renders(app_db, system_class):
    at = show(suppliers_page(), "Rival systems")
    at.selectbox(key="sup_class").set_value(system_class).run()
    assert not at.exception, at.exception
    families = frame_with(at, "system_family", "customers", "deals")
    assert len(families) >= 3 and families["korean"].any()
    assert len([c for c in at.get("plotly_chart")]) == 2


def test_every_category_and_new_only_render(app_db):
    at = show(suppliers_page(), "Speed & order book")
    for new_only in (False, True):
        at.toggle(key="sup_new_only").set_value(new_only).run()
        for category in CATEGORIES:
            at.selectbox(key="sup_category").set_value(category).run()
            assert not at.exception, f"{category}, new only {new_only}: {at.exception}"
    speed = frame_with(at, "supplier", "median", "deals_delivered")
    assert "South Korea" in set(speed["supplier"])


def test_every_supplier_in_every_supplier_view(app_db, built_db):
    """All suppliers the selector offers, 15 at a time (its limit), in the three views that use it."""
    at = suppliers_page()
    offered = built_db.execute(queries.sql_text("suppliers_options")).df()["supplier"]
    options = [s for s in offered if s != "South Korea"]
    assert len(options) == len(at.multiselect(key="sup_suppliers").options) > 60
    chunks = [options[i:i + 15] for i in range(0, len(options), 15)]
    for view in VIEWS[:3]:
        show(at, view)
        for chunk in [*chunks, []]:
            at.multiselect(key="sup_suppliers").set_value(chunk).run()
            assert not at.exception, f"{view} with {chunk}: {at.exception}"
            assert at.multiselect(key="sup_suppliers").value == chunk


def test_every_window_and_views_keep_their_selections(app_db):
    at = show(suppliers_page(), "Recipient markets")
    windows = at.selectbox(key="sup_window").options
    assert windows == ["2000–04", "2005–09", "2010–14", "2015–19", "2020–24"]
    for window in windows:
        at.selectbox(key="sup_window").set_value(window).run()
        assert not at.exception, f"{window}: {at.exception}"
    at.multiselect(key="sup_suppliers").set_value(["Japan"]).run()
    show(at, "Rival systems")
    show(at, "Recipient markets")
    assert at.multiselect(key="sup_suppliers").value == ["Japan"]
    assert at.selectbox(key="sup_window").value == "2020–24"


@pytest.mark.parametrize("state", [
    {"flt_years": (2021, 2023)},  # no complete five-year window
    {"flt_country": ["PER"], "flt_years": (2000, 2006)},  # a small market
    {"flt_region": ["Africa"], "flt_eu": True},  # no recipient at all
    {"flt_company": ["Kia"], "flt_q": "zzzz-no-match"},  # no ledger deal, no Top 100 firm
], ids=["no-window", "small-market", "empty-scope", "no-ledger-deal"])
def test_empty_selections_show_messages_not_errors(app_db, state):
    at = suppliers_page(state)
    said = [view for view in VIEWS if show(at, view).info]
    assert said, "an empty selection should say so"


def test_korean_firms_money_matches_the_ledger(app_db, built_db):
    at = show(suppliers_page(), "Korean firms")
    by_year = frame_with(at, "year", "company", "value_usd_m", "deals_with_value")
    table = frame_with(at, "company", "deals", "customers", "systems")
    total, deals = built_db.execute("""SELECT sum(value_usd_m_counted), count(*) FROM deals
        WHERE status IN ('contract', 'delivering', 'completed')""").fetchone()
    assert by_year["value_usd_m"].sum() == pytest.approx(total, abs=1)
    assert table["deals"].sum() == deals
    top100 = frame_with(at, "company", "year", "rank", "arms_revenue_musd")
    assert len(top100) == built_db.execute("SELECT count(*) FROM companies").fetchone()[0]
    assert "Money only" in " ".join(c.value for c in at.caption)

"""AppTest for the Timeline page: the figures behind every chart against independent SQL on the DuckDB file, for
Poland only, the Middle East only and one system family; the speed of known deals; one deal; empty selections."""

from __future__ import annotations

import base64
import json
import re
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kdefense.charts_timeline import OFFICIAL_NAME
from kdefense.settings import REGIONS
from tests.helpers import open_chart_data, run_app

PAGE = "pages/timeline.py"
SIGNED = "status IN ('contract', 'delivering', 'completed')"
NO_MUNITIONS = "armament_category NOT IN ('Missiles', 'Ammunition') AND system_family <> 'Small arms'"
CASES = {
    # name: (sidebar state, condition on `deals`, condition on South Korea's `transfers`)
    "poland": ({"flt_country": ["POL"]}, "recipient_iso3 = 'POL'", "recipient_location_iso3 = 'POL'"),
    "middle_east": ({"flt_region": ["Middle East"]}, "recipient_region = 'Middle East'",
                    "recipient_region = 'Middle East'"),
    "k9": ({"flt_system": ["K9"]}, "system_family = 'K9'", "system_family = 'K9'"),
}


def values(v) -> list:
    """A trace array as a list: Plotly sends numeric arrays as base64 typed arrays."""
    if isinstance(v, dict) and "bdata" in v:
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return arr.reshape(v["shape"]).tolist() if "shape" in v else arr.tolist()
    return list(v) if v is not None else []


def charts(at: AppTest) -> dict[str, dict]:
    """Each Plotly chart's figure, by its Streamlit key (chart_<key>)."""
    out = {}
    for el in at.get("plotly_chart"):
        key = re.search(r"chart_(\w+)$", el.proto.id).group(1)
        out[key] = json.loads(el.proto.spec)
    return out


def traces(fig: dict, kind: str | None = None) -> list[dict]:
    return [t for t in fig["data"] if kind is None or t.get("type", "scatter") == kind]


def stacked_by_x(fig: dict, kind: str = "bar", names=None) -> dict:
    """Sum of y over the traces (optionally only those named), per x."""
    total: dict = defaultdict(float)
    for t in traces(fig, kind):
        if names is not None and t.get("name") not in names:
            continue
        for x, y in zip(values(t["x"]), values(t["y"])):
            if y is not None and not (isinstance(y, float) and np.isnan(y)):
                total[int(x)] += y
    return dict(total)


def trace(fig: dict, name: str) -> dict | None:
    return next((t for t in fig["data"] if t.get("name") == name), None)


def page(state: dict | None = None) -> AppTest:
    at = run_app(page=PAGE, state=state)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def close(got: dict, want: dict, tol: float = 1e-3) -> None:
    assert set(got) == set(want), (sorted(got), sorted(want))
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=tol, abs=tol), k


def orderbook_independent(con, where: str) -> pd.DataFrame:
    """Units ordered but not delivered at the end of each year, recomputed in pandas from the raw views."""
    deals = con.execute(f"""SELECT deal_id, recipient, signed_year, quantity, status FROM deals
        WHERE {SIGNED} AND quantity > 0 AND {NO_MUNITIONS} AND ({where})""").df()
    actual = con.execute("SELECT deal_id, year, units FROM deliveries WHERE kind = 'actual'").df()
    as_of = con.execute("SELECT year(max(CAST(last_verified AS DATE))) FROM deals").fetchone()[0]
    rows = []
    for d in deals.itertuples():
        got = actual[actual["deal_id"] == d.deal_id]
        last = got["year"].max() if not got.empty else d.signed_year
        for year in range(int(deals["signed_year"].min()), as_of + 1):
            if year < d.signed_year:
                continue
            done = 0 if d.status == "completed" and year >= last else None
            outstanding = done if done is not None else max(d.quantity - got.loc[got["year"] <= year, "units"].sum(), 0)
            rows.append((year, d.recipient, outstanding))
    return pd.DataFrame(rows, columns=["year", "recipient", "outstanding"])


@pytest.mark.parametrize("case", list(CASES))
def test_charts_match_sql(app_db, built_db, case):
    state, where, _ = CASES[case]
    at = page(state)
    figs = charts(at)
    tenders = built_db.execute(f"SELECT count(*) FROM competitions WHERE year_decided IS NOT NULL AND ({where})")
    tenders = tenders.fetchone()[0]  # the competitions view has the same recipient and family columns
    assert set(figs) == {"tl_gantt", "tl_value", "tl_units", "tl_book", "tl_book_now", "tl_speed"} | (
        {"tl_tenders"} if tenders else set())

    # Gantt: one row per filtered deal plus the frameworks above them; one bar per (deal, delivery year)
    ids = [r[0] for r in built_db.execute(f"SELECT deal_id FROM deals WHERE {SIGNED} AND ({where})").fetchall()]
    shown = built_db.execute(f"""
        WITH s AS (SELECT deal_id, parent_deal_id FROM deals WHERE {SIGNED} AND ({where}))
        SELECT deal_id FROM s UNION SELECT parent_deal_id FROM s WHERE parent_deal_id IS NOT NULL
        UNION SELECT p.parent_deal_id FROM s JOIN deals p ON p.deal_id = s.parent_deal_id
              WHERE p.parent_deal_id IS NOT NULL""").fetchall()
    gantt = figs["tl_gantt"]
    labels = gantt["layout"]["yaxis"]["categoryarray"]
    assert len(labels) == len(shown) == gantt["layout"]["meta"]["rows"]
    assert all(any(lbl.endswith(i[7:]) for lbl in labels) for i in ids)
    years = built_db.execute(f"""SELECT count(DISTINCT (l.deal_id, l.year)) FROM deliveries l
        JOIN deals d USING (deal_id) WHERE l.kind = 'actual' AND d.{SIGNED} AND ({where})""").fetchone()[0]
    assert len(values(trace(gantt, "Delivered (per year)")["x"])) == years
    marks = sum(len(values(t["x"])) for t in traces(gantt, "scatter") if t["name"] != "Context event")
    assert marks == len(shown)

    # signed value per year by region (USD bn) and the official totals line
    want = dict(built_db.execute(f"""SELECT signed_year, sum(value_usd_m_counted) / 1000 FROM deals
        WHERE {SIGNED} AND ({where}) AND value_usd_m_counted IS NOT NULL GROUP BY 1""").fetchall())
    close(stacked_by_x(figs["tl_value"]), want)
    lo, hi = built_db.execute("""SELECT least(min(signed_year), (SELECT min(order_year) FROM transfers
        WHERE supplier = 'South Korea')), greatest(max(signed_year), (SELECT max(order_year) FROM transfers
        WHERE supplier = 'South Korea')) FROM deals""").fetchone()
    official = dict(built_db.execute(f"""SELECT year, value FROM official_totals WHERE metric = 'export_orders_usd_bn'
        AND period_end_year IS NULL AND year BETWEEN {lo} AND {hi}""").fetchall())
    line = trace(figs["tl_value"], OFFICIAL_NAME)
    close(dict(zip(values(line["x"]), values(line["y"]))), official)

    # units per year (actual and planned together) by family, missiles and ammunition left out
    want = dict(built_db.execute(f"""SELECT l.year, sum(l.units) FROM deliveries l JOIN deals d USING (deal_id)
        WHERE d.{SIGNED} AND ({where}) AND d.{NO_MUNITIONS} AND l.units IS NOT NULL GROUP BY 1""").fetchall())
    close(stacked_by_x(figs["tl_units"]), want)

    # order book over time (stacked areas) and now per recipient
    book = orderbook_independent(built_db, where)
    over_time = book.groupby("year")["outstanding"].sum().to_dict()
    close(stacked_by_x(figs["tl_book"], "scatter", names=set(values_of_regions(figs["tl_book"]))), over_time)
    now = book[book["year"] == book["year"].max()].groupby("recipient")["outstanding"].sum()
    bars = traces(figs["tl_book_now"], "bar")  # one trace per region, each named in the legend
    assert all(b["name"] in REGIONS for b in bars) and figs["tl_book_now"]["layout"]["showlegend"]
    assert {y: x for b in bars for y, x in zip(b["y"], values(b["x"]))} == {k: v for k, v in now.items() if v > 0}

    # speed: one point per signed deal with a delivery, at (first delivery year - signing year)
    want = dict(built_db.execute(f"""SELECT d.deal_id, min(l.year) - d.signed_year FROM deals d
        JOIN deliveries l ON l.deal_id = d.deal_id AND l.kind = 'actual' WHERE d.{SIGNED} AND ({where})
        GROUP BY d.deal_id, d.signed_year""").fetchall())
    got = {}
    for t in traces(figs["tl_speed"], "scatter"):
        if t.get("name", "").endswith("median") or t.get("name", "").startswith("No benchmark"):
            for y, x in zip(t["y"], values(t["x"])):
                got[y] = x
    assert got == {f"{r} · {i[7:]}": v for i, v in want.items()
                   for r in [built_db.execute("SELECT recipient FROM deals WHERE deal_id = ?", [i]).fetchone()[0]]}


def values_of_regions(fig: dict) -> list[str]:
    return [t["name"] for t in fig["data"] if t.get("stackgroup")]


@pytest.mark.parametrize("case", list(CASES))
def test_tiv_basis_uses_sipri_order_years_and_never_mixes_with_usd(app_db, built_db, case):
    state, _, where = CASES[case]
    at = page({**state, "flt_basis": "tiv", "tl_book": "value"})
    figs = charts(at)
    value = figs["tl_value"]
    assert "USD" not in json.dumps(value["layout"]) and trace(value, OFFICIAL_NAME) is None
    want = dict(built_db.execute(f"""SELECT order_year, sum(tiv_order_m) FROM transfers
        WHERE supplier = 'South Korea' AND ({where}) GROUP BY 1 HAVING sum(tiv_order_m) IS NOT NULL""").fetchall())
    close(stacked_by_x(value), want)
    # TIV order book now: ordered minus delivered TIV per recipient
    want = built_db.execute(f"""SELECT c.name, sum(greatest(t.tiv_order_m - greatest(coalesce(t.tiv_delivered_m, 0),
            coalesce((SELECT sum(d.tiv_delivered_m) FROM transfer_deliveries d WHERE d.transfer_id = t.transfer_id),
                     0)), 0))
        FROM transfers t JOIN countries c ON c.iso3 = t.recipient_location_iso3
        WHERE t.supplier = 'South Korea' AND ({where}) AND t.tiv_order_m IS NOT NULL GROUP BY 1""").fetchall()
    bars = traces(figs["tl_book_now"], "bar")
    close({y: x for b in bars for y, x in zip(b["y"], values(b["x"]))}, {k: v for k, v in want if v > 0})
    assert any("not money" in str(c.value) for c in at.caption)


def test_speed_of_known_deals(app_db, built_db):
    at = page({"flt_country": ["POL"]})
    speed = charts(at)["tl_speed"]
    points = {y: x for t in traces(speed, "scatter") if t.get("name", "").endswith("median")
              for y, x in zip(t["y"], values(t["x"]))}
    assert points["Poland · 2022-K2-EC1"] == 0  # signed 2022, first 10 K2 delivered in 2022
    assert points["Poland · 2022-K9-EC1"] == 0
    assert points["Poland · 2022-FA50GF"] == 1  # signed Sep 2022, first FA-50GF in 2023
    assert trace(speed, "Faster than the median")["y"].count("Poland · 2022-K2-EC1") == 1
    median = built_db.execute("""SELECT median(first_delivery_year - order_year) FROM transfers
        WHERE supplier <> 'South Korea' AND status = 'New' AND order_year >= 2000 AND NOT order_year_uncertain
          AND first_delivery_year IS NOT NULL AND armament_category = 'Armoured vehicles'""").fetchone()[0]
    bench = trace(speed, "Other suppliers: median (bar: middle half)")
    assert dict(zip(bench["y"], values(bench["x"])))["Poland · 2022-K2-EC1"] == median
    data = open_chart_data(at).dataframe  # the data behind the speed chart lists the first year's units
    table = next(d.value for d in data if "years_to_first_delivery" in d.value.columns)
    k2 = table.set_index("deal_id").loc["KR-POL-2022-K2-EC1"]
    assert (k2["signed_year"], k2["first_delivery_year"], k2["first_year_units"]) == (2022, 2022, 10)


def test_one_deal_shows_the_framework_and_its_contracts(app_db, built_db):
    at = page({"tl_deal": "KR-POL-2022-K2-FA"})
    figs = charts(at)
    labels = figs["tl_gantt"]["layout"]["yaxis"]["categoryarray"]
    assert labels[0] == "Poland · 2022-K2-FA"
    children = [r[0] for r in built_db.execute(f"""SELECT deal_id FROM deals WHERE {SIGNED} AND (
        parent_deal_id = 'KR-POL-2022-K2-FA' OR parent_deal_id IN
        (SELECT deal_id FROM deals WHERE parent_deal_id = 'KR-POL-2022-K2-FA'))""").fetchall()]
    assert len(labels) == 1 + len(children) and all(lbl.lstrip("\u00a0").startswith("↳") for lbl in labels[1:])
    want = dict(built_db.execute(f"""SELECT signed_year, sum(value_usd_m_counted) / 1000 FROM deals
        WHERE deal_id IN ({", ".join(f"'{c}'" for c in children)}) AND value_usd_m_counted IS NOT NULL
        GROUP BY 1""").fetchall())
    close(stacked_by_x(figs["tl_value"]), want)
    assert want[2022] == pytest.approx(3.37) and want[2025] == pytest.approx(6.5)
    assert any("One deal" in str(c.value) for c in at.caption)


def test_rows_per_system_events_toggle_and_munitions(app_db, built_db):
    at = page({"flt_country": ["POL"], "tl_rows": "system", "tl_events": False, "tl_munitions": True})
    figs = charts(at)
    labels = figs["tl_gantt"]["layout"]["yaxis"]["categoryarray"]
    families = [r[0] for r in built_db.execute(f"""SELECT DISTINCT system_family FROM deals
        WHERE recipient_iso3 = 'POL' AND {SIGNED}""").fetchall()]
    assert sorted(labels) == sorted(f"Poland · {f}" for f in families)
    assert all(trace(f, "Context event") is None for f in figs.values())
    want = dict(built_db.execute(f"""SELECT l.year, sum(l.units) FROM deliveries l JOIN deals d USING (deal_id)
        WHERE d.{SIGNED} AND d.recipient_iso3 = 'POL' AND l.units IS NOT NULL GROUP BY 1""").fetchall())
    close(stacked_by_x(figs["tl_units"]), want)
    assert want[2025] > 1000  # the rockets are counted now


def test_context_events_are_on_the_time_axes(app_db, built_db):
    at = page()
    figs = charts(at)
    events = trace(figs["tl_gantt"], "Context event")
    assert len(events["x"]) == built_db.execute("SELECT count(*) FROM events").fetchone()[0]
    assert "2022-02-24" in events["x"] and any("invasion of Ukraine" in h for h in events["hovertext"])
    assert trace(figs["tl_value"], "Context event") is not None


def test_every_chart_has_its_csv(app_db):
    at = page({"flt_country": ["POL"]})
    assert not at.get("download_button"), "a closed popover's downloads are not made"
    names = [b.proto.label for b in open_chart_data(at).get("download_button")]
    charts_drawn = len(at.get("plotly_chart"))  # six, plus the tender decisions (Poland has decided tenders)
    assert charts_drawn == 7
    assert names.count("Download CSV") == charts_drawn and names.count("CSV + README (zip)") == charts_drawn


def test_empty_selections_say_so(app_db):
    at = page({"flt_q": "no such deal anywhere"})
    assert any("No deals match" in i.value for i in at.info) and not at.get("plotly_chart")
    at = page({"flt_system": ["K239 Chunmoo munitions"]})
    info = " ".join(i.value for i in at.info)
    assert "Count missiles & ammunition" in info


def test_long_chart_data_is_previewed_and_the_count_is_given(app_db):
    """The Gantt's rows (one per deal part) exceed the popover preview: the table shows the first PREVIEW_ROWS,
    says how many there are, and the Gantt itself still draws every deal."""
    from kdefense.ui import PREVIEW_ROWS

    at = open_chart_data(page())
    gantt = next(d.value for d in at.dataframe if {"row_order", "part", "start"} <= set(d.value.columns))
    captions = " ".join(c.value for c in at.caption)
    found = re.search(rf"The first {PREVIEW_ROWS} of ([\d,]+) rows", captions)
    assert found, captions
    total = int(found.group(1).replace(",", ""))
    assert total > PREVIEW_ROWS and len(gantt) == PREVIEW_ROWS
    drawn = {y for t in charts(at)["tl_gantt"]["data"] for y in (t.get("y") if isinstance(t.get("y"), list) else [])}
    assert len(drawn) > PREVIEW_ROWS / 10, "the chart is not cut by the preview"

"""Issue 17's fast paths change nothing that users see.

- The ledger views the build stores as rows (kdefense/sql/materialize.sql) hold exactly what their definitions in
  views.sql give, column for column.
- Figures built from dicts without Plotly's validation (charts.built) are what validating them would make: valid
  Plotly, and the same JSON reaches the browser.
"""

from __future__ import annotations

import base64
import json
import math
import re

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from kdefense import charts, queries, settings, slides
from kdefense import charts_suppliers as cs
from kdefense import charts_timeline as ct
from kdefense.filters import Filters


def view_definition(name: str) -> str:
    """The SELECT of `CREATE VIEW <name> AS ...;` in views.sql (the documented definition)."""
    text = (settings.SQL_DIR / "views.sql").read_text()
    match = re.search(rf"CREATE VIEW {name} AS\n(.*?);\n", text, re.S)
    assert match, name
    return match.group(1)


@pytest.mark.parametrize("view, key", [("deals", "deal_id"), ("deliveries", "deal_id, year, kind, origin, units")])
def test_stored_ledger_views_equal_their_definitions(built_db, view, key):
    stored = built_db.execute(f"SELECT * FROM {view} ORDER BY {key}, source_ids").df()
    fresh = built_db.execute(f"SELECT * FROM ({view_definition(view)}) ORDER BY {key}, source_ids").df()
    assert list(stored.columns) == list(fresh.columns)
    assert list(stored.dtypes) == list(fresh.dtypes)
    assert len(stored) == len(fresh) > 0
    assert stored.equals(fresh)
    plan = built_db.execute(f"SELECT sql FROM duckdb_views() WHERE view_name = '{view}'").fetchone()[0]
    assert f"_internal.{view}_rows" in plan  # the app reads the stored rows, not the joins


def plain(value):
    """A figure's JSON with typed arrays decoded, NaN as None and empty objects left out (`title: {}` is how
    Plotly writes an unset title), so equal figures compare equal."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            if "shape" in value:
                arr = arr.reshape([int(x) for x in str(value["shape"]).split(",")])
            return plain(arr.tolist())
        return {k: plain(v) for k, v in value.items() if v != {}}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else (int(value) if value.is_integer() else value)
    return value


def spec(fig: go.Figure) -> dict:
    return plain(json.loads(pio.to_json(fig, validate=False)))


def assert_as_validated(fig: go.Figure) -> None:
    """Validating the figure (what go.Figure(dict) does) neither fails nor changes what is sent."""
    sent = json.loads(pio.to_json(fig, validate=False))
    validated = go.Figure(sent)  # raises on any property Plotly does not know or a value it rejects
    assert spec(validated) == plain(sent)


def timeline_figures(filters: Filters) -> list[go.Figure]:
    events = queries.run("timeline_events")
    figs = []
    gantt = queries.run_filtered("timeline_gantt", filters, deal_id="")
    by_system = queries.run_filtered("timeline_gantt_system", filters, deal_id="")
    if not gantt.empty:
        figs += [ct.gantt_chart(gantt, events), ct.gantt_chart(gantt, None, large=True),
                 ct.gantt_chart(by_system, events, by_system=True)]
    value = queries.run_filtered("timeline_value_by_year", filters, deal_id="")
    tiv = queries.run_filtered("timeline_tiv_value_by_year", filters, deal_id="")
    units = queries.run_filtered("timeline_units_by_year", filters, deal_id="", munitions=True)
    book = queries.run_filtered("timeline_orderbook", filters, deal_id="", munitions=False)
    now = queries.run_filtered("timeline_orderbook_now", filters, deal_id="", munitions=False)
    speed = queries.run_filtered("timeline_speed", filters, deal_id="")
    if not value.empty:
        figs += [ct.value_by_year_chart(value, "usd", events), ct.value_by_year_chart(value, "usd", None)]
    if not tiv.empty:
        figs.append(ct.value_by_year_chart(tiv, "tiv", events))
    if units["units"].notna().any():
        figs.append(ct.units_by_year_chart(units, events))
    if not book.empty:
        figs += [ct.orderbook_chart(book, "units_outstanding", "units", events),
                 ct.orderbook_chart(book, "value_usd_m_outstanding", "USD m", None)]
    if not now.empty:
        figs.append(ct.orderbook_now_chart(now, "units_outstanding", "units", "end of 2025"))
    if not speed.empty:
        figs.append(ct.speed_chart(speed))
    return figs


def overview_figures(filters: Filters) -> list[go.Figure]:
    pre, col = ("overview_", "value_usd_m") if filters.basis == "usd" else ("overview_tiv_", "tiv_order_m")
    region = queries.run_filtered(pre + "by_region", filters)
    recipients = queries.run_filtered(pre + "top_recipients", filters)
    systems = queries.run_filtered(pre + "top_systems", filters)
    return [charts.region_bars(region, col, filters.basis),
            charts.ranked_bars(recipients, "recipient", col, filters.basis, "Top recipients", "region"),
            charts.ranked_bars(systems, "system_family", col, filters.basis, "Top systems", large=True),
            charts.reconciliation_chart(queries.run_filtered("reconciliation", filters))]


@pytest.mark.parametrize("case", [
    {}, {"basis": "tiv"}, {"countries": ("POL",)}, {"regions": ("Middle East",), "basis": "tiv"},
    {"year_from": 2022, "year_to": 2022},
])
def test_dict_built_figures_are_what_validation_would_make(app_db, case):
    options = queries.filter_options()
    filters = Filters(**{"year_from": options.year_min, "year_to": options.year_max, **case})
    figs = timeline_figures(filters) + overview_figures(filters)
    assert figs
    for fig in figs:
        assert_as_validated(fig)
        assert spec(fig)["layout"]["template"]  # the default template is applied as before


def test_supplier_lines_are_what_validation_would_make():
    import pandas as pd

    df = pd.DataFrame({
        "supplier": ["France", "South Korea", "France", "South Korea", "Chile"],
        "period_label": ["2015–19", "2015–19", "2020–24", "2020–24", "2020–24"],
        "year": [2019, 2019, 2024, 2024, 2024], "share_pct": [7.9, 1.0, 9.6, 2.2, 0.01],
        "tiv_m": [8000.0, 900.0, 9500.0, 2100.0, 3.0], "rank": [3, 11, 2, 10, None],
        "pct_tiv_flagged_uncertain": [10.0, 2.0, 5.0, 1.0, 0.0],
    })
    lines = cs.share_lines(df, "period_label", "Share", "All recipients.")
    bump = cs.rank_bump(df, "Rank", "All recipients.", large=True)
    for fig in (lines, bump, cs.share_lines(df, "year", "Share", "x " * 80)):
        assert_as_validated(fig)
    assert [t.name for t in lines.data][0] == "South Korea"  # South Korea first, drawn thick
    assert lines.data[0].line.width == 4


def test_presentation_copy_of_a_dict_built_figure(app_db):
    options = queries.filter_options()
    fig = timeline_figures(Filters(year_from=options.year_min, year_to=options.year_max))[0]
    before = spec(fig)
    big = slides.slide_figure(fig, 600)  # a slide's copy: large type, the shared figure untouched
    assert big.layout.font.size > fig.layout.font.size == 14
    assert spec(fig) == before
    assert fig.layout.meta["rows"] > 0  # pages read the row count from the figure

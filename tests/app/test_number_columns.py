"""AppTest: every table of every page, in English and Korean, shows its big numbers with thousands separators
(issue 16: "Units" 15626 on the Overview, Suppliers' TIV ordered 142948). A numeric column that reaches 1,000 must
have a format that groups thousands; years (whole numbers 1900–2100) stay as they are."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.helpers import chart_data_open, run_app

GROUPING = {"localized", "accounting", "dollar", "euro", "yen", "compact"}  # Streamlit presets that group thousands
# (page, widget state, URL parameters): every page, the deal card, each Suppliers view, a SQL result
RUNS = [
    (None, {}, {}), ("pages/deals.py", {}, {}), ("pages/deals.py", {}, {"deal": "KR-POL-2022-K2-EC1"}),
    ("pages/timeline.py", {}, {}), ("pages/map.py", {}, {}),
    *[("pages/suppliers.py", {"sup_view": v}, {}) for v in ("Share & rank", "Recipient markets",
                                                            "Speed & order book", "Rival systems", "Korean firms")],
    ("pages/tenders.py", {}, {}), ("pages/briefing.py", {}, {}), ("pages/data.py", {}, {}),
    ("pages/sql.py", {}, {"sql": "SELECT deal_id, quantity, value_usd_m FROM deals ORDER BY quantity DESC NULLS LAST "
                                 "LIMIT 20"}),
]


def grouped(config: dict) -> bool:
    fmt = ((config or {}).get("type_config") or {}).get("format") or ""
    return "," in fmt or fmt in GROUPING


def ungrouped_big_numbers(element) -> list[str]:
    """Columns of a shown table with a number of 1,000 or more drawn without thousands separators."""
    configs = json.loads(element.proto.columns or "{}")
    order = list(element.proto.column_order) or None
    frame = element.value
    bad = []
    for name in frame.columns:
        config = configs.get(str(name)) or {}
        if config.get("hidden") or (order and str(name) not in order):
            continue
        column = frame[name]
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            continue
        values = column.dropna().astype(float)
        years = ((values % 1 == 0) & values.between(1900, 2100)).all()
        if values.empty or values.abs().max() < 1000 or years:
            continue
        if not grouped(config):
            bad.append(f"{name} (max {values.abs().max():.0f}, format {config.get('type_config', {}).get('format')!r})")
    return bad


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize(("page", "state", "query"), RUNS, ids=lambda v: str(v) if v else "-")
def test_big_numbers_in_tables_have_thousands_separators(app_db, page, state, query, lang):
    at = run_app(page=page, state=state, query={**query, "lang": lang})
    at = run_app(page=page, state={**state, **chart_data_open(at)}, query={**query, "lang": lang})  # popovers open
    assert not at.exception, at.exception
    assert len(at.dataframe) > 0
    if page == "pages/sql.py":  # the query ran and its result is among the tables checked
        assert any("quantity" in df.value.columns for df in at.dataframe), [c.value for c in at.code]
    bad = {i: cols for i, df in enumerate(at.dataframe) if (cols := ungrouped_big_numbers(df))}
    assert bad == {}, f"{page or 'overview'} ({lang}): numbers without thousands separators: {bad}"

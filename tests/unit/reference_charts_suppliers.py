"""The Suppliers page's share and rank builders as they were before they read each supplier's rows by position
(kdefense/charts_suppliers.py at main 903ea4b), kept verbatim as the reference the fast builders are compared with
(tests/unit/test_fast_paths.py)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kdefense import names
from kdefense.charts import array
from kdefense.charts_suppliers import (
    KOREA,
    LOG_TICKS,
    _finished,
    _order,
    colour_for,
    end_annotations,
    labelled_height,
    log_range,
)
from kdefense.i18n import t


def _parts(df: pd.DataFrame, column: str) -> dict:
    """Rows per value of `column`, in their order (a boolean mask per value costs more than the chart)."""
    return dict(list(df.groupby(column, sort=False)))


def share_lines(df: pd.DataFrame, x_col: str, title: str, note: str, large: bool = False) -> go.Figure:
    """Share of exports per supplier over periods (years or windows); South Korea drawn thick in red."""
    data: list[dict] = []
    parts = _parts(df, "supplier")
    for supplier in _order(df["supplier"]):
        part = parts.get(supplier, df.iloc[0:0])
        korean, shown = supplier == KOREA, names.country_by_name(supplier)
        data.append({
            "type": "scatter", "x": array(part[x_col]), "y": array(part["share_pct"]), "name": shown,
            "mode": "lines+markers", "line": {"color": colour_for(supplier), "width": 4 if korean else 2},
            "marker": {"size": 9 if korean else 6},
            "customdata": array(part[["tiv_m", "rank", "pct_tiv_flagged_uncertain"]].to_numpy()),
            "hovertemplate": (f"<b>{shown}</b> %{{x}}<br>"
                              + t("share {share} %<br>{tiv} m TIV · rank {rank}<br>{flagged} % of its TIV carries a "
                                  "SIPRI estimate flag", share="%{y:.1f}", tiv="%{customdata[0]:,.0f}",
                                  rank="%{customdata[1]}", flagged="%{customdata[2]:.0f}") + "<extra></extra>"),
        })
    # Log scale: the largest supplier has 20–40 times South Korea's share; on a linear axis the rest is a smear.
    y_range, height = log_range(df["share_pct"]), labelled_height(len(data), large)
    layout = {"yaxis": {"title": {"text": t("Share, % (log scale)")}, "type": "log", "ticksuffix": " %",
                        "tickvals": list(LOG_TICKS), "ticktext": [f"{t:g}" for t in LOG_TICKS], "range": list(y_range)},
              "xaxis": {"title": {}, "type": "category" if x_col == "period_label" else "linear"},
              "annotations": end_annotations(data, y_range, height, large, log=True)}
    return _finished(data, layout, title, note, True, height, large, labelled=True)


def rank_bump(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """Rank among supplier states per five-year window (1 at the top)."""
    data: list[dict] = []
    parts = _parts(df, "supplier")
    for supplier in _order(df["supplier"]):
        part = parts.get(supplier, df.iloc[0:0]).dropna(subset=["rank"])
        korean, shown = supplier == KOREA, names.country_by_name(supplier)
        data.append({
            "type": "scatter", "x": array(part["period_label"]), "y": array(part["rank"]), "name": shown,
            "mode": "lines+markers", "line": {"color": colour_for(supplier), "width": 4 if korean else 2},
            "marker": {"size": 10 if korean else 7},
            "hovertemplate": f"<b>{shown}</b> %{{x}}: " + t("rank {rank}", rank="%{y}") + "<extra></extra>",
        })
    top = float(df["rank"].max()) if df["rank"].notna().any() else 10.0
    ticks = [1, *range(5, int(top) + 5, 5)]
    height = labelled_height(len(data), large)
    layout = {"yaxis": {"title": {"text": t("Rank (1 = largest)")}, "range": [top + 1, 0.5], "tickvals": ticks},
              "xaxis": {"title": {}, "type": "category"},
              "annotations": end_annotations(data, (0.5, top + 1), height, large)}
    return _finished(data, layout, title, note, True, height, large, labelled=True)

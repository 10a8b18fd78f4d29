"""The Overview chart builders as they were before issue 17's sixth session (kdefense/charts.py at main 903ea4b:
region_bars, ranked_bars with bars_by_region, reconciliation_chart), kept verbatim as the reference the column
builders are compared with (tests/unit/test_fast_paths.py)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kdefense import names
from kdefense.charts import PRIMARY_BAR, array, built, layout_base, merge, region_marker, region_ordered, value_label
from kdefense.i18n import t


def bars_by_region(data: pd.DataFrame, x_col: str, y_col: str, region_col: str, texts: pd.Series,
                   hovertemplate: str) -> tuple[list[dict], dict]:
    """Horizontal bar traces coloured by region with one legend entry per region (colour never stands alone),
    and the layout that keeps the data's row order. One trace per region, stacked (each category has one bar)."""
    traces = []
    for region in region_ordered(data[region_col].dropna()):
        part = data[data[region_col] == region]
        traces.append({
            "type": "bar", "x": array(part[x_col]), "y": array(part[y_col]), "orientation": "h",
            "name": names.region(region),
            "marker": region_marker(part[region_col]), "text": array(texts[part.index]), "textposition": "auto",
            "hovertemplate": hovertemplate,
        })
    layout = {"yaxis": {"categoryorder": "array", "categoryarray": array(data[y_col])}, "barmode": "stack",
              "showlegend": True, "legend": {"title": {"text": t("Region")}}}
    return traces, layout


def region_bars(df: pd.DataFrame, value_col: str, basis: str, large: bool = False) -> go.Figure:
    """Horizontal bars per region, in the fixed region colours (the axis names each region)."""
    data = df.dropna(subset=[value_col]).sort_values(value_col)
    trace = {
        "type": "bar", "x": array(data[value_col]), "y": array([names.region(r) for r in data["region"]]),
        "orientation": "h", "marker": region_marker(data["region"]),
        "customdata": array(data[["deals"]].to_numpy()), "text": array(data[value_col].map(lambda v: f"{v:,.0f}")),
        "textposition": "auto",
        "hovertemplate": "%{y}<br>%{x:,.0f}<br>" + t("{n} deals", n="%{customdata[0]}") + "<extra></extra>",
    }
    layout = merge({"xaxis": {"title": {"text": value_label(basis)}}}, layout_base(t("By region"), 300, large))
    return built([trace], layout)


def ranked_bars(df: pd.DataFrame, label_col: str, value_col: str, basis: str, title: str,
                colour_col: str | None = None, large: bool = False) -> go.Figure:
    data = df.dropna(subset=[value_col]).sort_values(value_col)
    texts = data[value_col].map(lambda v: f"{v:,.0f}")
    hover = "%{y}<br>%{x:,.0f}<extra></extra>"
    height = max(260, 34 * len(data) + (130 if colour_col else 80))
    layout = merge({"xaxis": {"title": {"text": value_label(basis)}}}, layout_base(title, height, large))
    if colour_col:
        traces, by_region = bars_by_region(data, value_col, label_col, colour_col, texts, hover)
        merge(layout, by_region)
        merge(layout, {"legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
                       "margin": {"b": 60}})
        return built(traces, layout)
    trace = {
        "type": "bar", "x": array(data[value_col]), "y": array(data[label_col]), "orientation": "h",
        "marker": {"color": PRIMARY_BAR}, "text": array(texts), "textposition": "auto", "hovertemplate": hover,
    }
    return built([trace], layout)


def reconciliation_chart(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Ledger signed value per year (bars) against the official yearly totals (line)."""
    official = df.dropna(subset=["official_usd_bn"])
    bn_usd = t("{value} bn USD", value="%{y:.1f}")
    data = [
        {"type": "bar", "x": array(df["year"]), "y": array(df["ledger_usd_bn"]),
         "name": t("Ledger: signed contracts (filtered)"), "marker": {"color": PRIMARY_BAR},
         "hovertemplate": "%{x}: " + bn_usd + "<extra>" + t("ledger") + "</extra>"},
        {"type": "scatter", "x": array(official["year"]), "y": array(official["official_usd_bn"]),
         "name": t("Official annual export orders"), "mode": "lines+markers", "line": {"color": "#D55E00", "width": 3},
         "marker": {"symbol": "diamond", "size": 8},
         "hovertemplate": "%{x}: " + bn_usd + "<extra>" + t("official") + "</extra>"},
    ]
    span = int(df["year"].max() - df["year"].min()) if len(df) else 0
    # yearly ticks only where they fit a laptop or phone; the legend above the plot (at the bottom it covered
    # the x axis's year labels)
    layout = merge(layout_base(t("Ledger vs official totals"), 380, large),
                   {"yaxis": {"title": {"text": t("USD bn")}}, "xaxis": {"dtick": 1 if span <= 15 else 5},
                    "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
                    "margin": {"t": 80}})
    return built(data, layout)

"""Pure chart builders: DataFrame in, Plotly Figure out. No Streamlit here."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from _plotly_utils.basevalidators import copy_to_readonly_numpy_array

from kdefense.settings import REGION_COLOURS

FONT = "Inter, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def base_layout(fig: go.Figure, title: str | None = None, height: int = 380, large: bool = False) -> go.Figure:
    size = 22 if large else 14
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": size + 4}} if title else None,
        font={"family": FONT, "size": size},
        height=height, margin={"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
        plot_bgcolor="white", paper_bgcolor="white", legend={"orientation": "h", "y": -0.15},
        hoverlabel={"font_size": size},
    )
    fig.update_xaxes(gridcolor="#e5e7eb", zerolinecolor="#9ca3af")
    fig.update_yaxes(gridcolor="#e5e7eb", zerolinecolor="#9ca3af")
    return fig


def layout_base(title: str | None = None, height: int = 380, large: bool = False) -> dict:
    """base_layout as a plain layout dict (for figures built from dicts, see `built`)."""
    size = 22 if large else 14
    axis = {"gridcolor": "#e5e7eb", "zerolinecolor": "#9ca3af"}
    return {
        "title": {"text": title, "x": 0, "font": {"size": size + 4}} if title else {},
        "font": {"family": FONT, "size": size}, "height": height,
        "margin": {"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
        "plot_bgcolor": "white", "paper_bgcolor": "white", "legend": {"orientation": "h", "y": -0.15},
        "hoverlabel": {"font": {"size": size}}, "xaxis": dict(axis), "yaxis": dict(axis),
    }


def merge(into: dict, update: dict) -> dict:
    """Nested update of a layout dict, as Figure.update_layout merges (dicts merge, anything else replaces)."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
    return into


def array(values: Any) -> Any:
    """A data column as Plotly's validators would store it: numbers as a numpy array (a typed array in the JSON,
    missing values NaN), anything else as an object array. Plotly's own conversion inspects each column's type
    through narwhals, which costs more than the chart."""
    if isinstance(values, pd.Series):
        dtype = values.dtype
        if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iuf":
            if values.isna().any():
                return values.to_numpy(dtype="float64", na_value=np.nan)
            return values.to_numpy(dtype=dtype.numpy_dtype)
        if dtype.kind in "iufb":
            return values.to_numpy()
        return values.to_numpy(dtype=object, na_value=None)
    return copy_to_readonly_numpy_array(values)


def built(data: list[dict], layout: dict) -> go.Figure:
    """A Figure from trace and layout dicts this code wrote itself, without Plotly's property validation.

    Validating each property costs most of a figure's build time (10-60 ms per chart); the builders that use this
    write only properties they were written against (titles as {"text": ...}, plotly.js 3 takes no bare
    strings), and tests compare what reaches the browser.
    """
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def value_label(basis: str) -> str:
    return "Contract value, USD m" if basis == "usd" else "SIPRI TIV, millions"


def region_bars(df: pd.DataFrame, value_col: str, basis: str, large: bool = False) -> go.Figure:
    """Horizontal bars per region, in the fixed region colours."""
    data = df.dropna(subset=[value_col]).sort_values(value_col)
    trace = {
        "type": "bar", "x": array(data[value_col]), "y": array(data["region"]), "orientation": "h",
        "marker": {"color": [REGION_COLOURS.get(r, "#6b7280") for r in data["region"]]},
        "customdata": array(data[["deals"]].to_numpy()), "text": array(data[value_col].map(lambda v: f"{v:,.0f}")),
        "textposition": "auto", "hovertemplate": "%{y}<br>%{x:,.0f}<br>%{customdata[0]} deals<extra></extra>",
    }
    layout = merge({"xaxis": {"title": {"text": value_label(basis)}}}, layout_base("By region", 300, large))
    return built([trace], layout)


def ranked_bars(df: pd.DataFrame, label_col: str, value_col: str, basis: str, title: str,
                colour_col: str | None = None, large: bool = False) -> go.Figure:
    data = df.dropna(subset=[value_col]).sort_values(value_col)
    colours = [REGION_COLOURS.get(r, "#2f6db5") for r in data[colour_col]] if colour_col else "#2f6db5"
    trace = {
        "type": "bar", "x": array(data[value_col]), "y": array(data[label_col]), "orientation": "h",
        "marker": {"color": colours}, "text": array(data[value_col].map(lambda v: f"{v:,.0f}")),
        "textposition": "auto", "hovertemplate": "%{y}<br>%{x:,.0f}<extra></extra>",
    }
    layout = merge({"xaxis": {"title": {"text": value_label(basis)}}},
                   layout_base(title, max(260, 34 * len(data) + 80), large))
    return built([trace], layout)


def reconciliation_chart(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Ledger signed value per year (bars) against the official yearly totals (line)."""
    official = df.dropna(subset=["official_usd_bn"])
    data = [
        {"type": "bar", "x": array(df["year"]), "y": array(df["ledger_usd_bn"]),
         "name": "Ledger: signed contracts (filtered)", "marker": {"color": "#2f6db5"},
         "hovertemplate": "%{x}: %{y:.1f} bn USD<extra>ledger</extra>"},
        {"type": "scatter", "x": array(official["year"]), "y": array(official["official_usd_bn"]),
         "name": "Official annual export orders", "mode": "lines+markers", "line": {"color": "#d9822b", "width": 3},
         "hovertemplate": "%{x}: %{y:.1f} bn USD<extra>official</extra>"},
    ]
    layout = merge({"yaxis": {"title": {"text": "USD bn"}}, "xaxis": {"dtick": 1}},
                   layout_base("Ledger vs official totals", 360, large))
    return built(data, layout)


def deal_deliveries_chart(df: pd.DataFrame, quantity: float | None, large: bool = False) -> go.Figure:
    """Units per year for one deal: actual deliveries solid, planned hatched, overdue planned years (the year has
    ended with no delivery recorded: `is_overdue`) cross-hatched in red and labelled; cumulative against the order."""
    fig = go.Figure()
    late = df["is_overdue"].fillna(False).astype(bool) if "is_overdue" in df else pd.Series(False, index=df.index)
    parts = (("actual", "Actual", df["kind"] == "actual", "#2f6db5", ""),
             ("planned", "Planned", (df["kind"] == "planned") & ~late, "#9ca3af", "/"),
             ("overdue", "Overdue: planned, year passed", late, "#dc2626", "x"))
    for kind, name, rows, colour, pattern in parts:
        part = df[rows]
        if not part.empty:
            overdue = kind == "overdue"
            fig.add_bar(x=part["year"], y=part["units"], name=name, marker_color=colour,
                        marker_pattern_shape=pattern, marker_opacity=0.55 if overdue else 1,
                        text=["overdue"] * len(part) if overdue else None, textposition="outside",
                        textfont_color=colour, cliponaxis=False,
                        hovertemplate="%{x}: %{y} units" + (" planned, no delivery recorded" if overdue else "")
                                      + "<extra>" + kind + "</extra>")
    actual = df[df["kind"] == "actual"].groupby("year")["units"].sum().cumsum()
    if not actual.empty:
        fig.add_scatter(x=actual.index, y=actual.values, name="Cumulative delivered", mode="lines+markers",
                        line={"color": "#111827"})
    if quantity:
        fig.add_hline(y=quantity, line_dash="dot", annotation_text=f"ordered: {int(quantity)}")
    fig.update_xaxes(dtick=1, title=None)
    fig.update_yaxes(title="Units")
    return base_layout(fig, "Deliveries by year", height=320, large=large)


def presentation_style(fig: go.Figure, dark: bool = False) -> go.Figure:
    """Room-sized type and a 16:9-friendly height for presentation mode (a copy; the input is unchanged)."""
    out = go.Figure(fig)
    out.update_layout(font={"size": 24}, title_font={"size": 30}, hoverlabel={"font_size": 22},
                      height=480, legend={"font": {"size": 22}})
    out.update_xaxes(tickfont={"size": 22}, title_font={"size": 24})
    out.update_yaxes(tickfont={"size": 22}, title_font={"size": 24})
    return out

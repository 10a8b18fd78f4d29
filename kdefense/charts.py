"""Pure chart builders: DataFrame in, Plotly Figure out. No Streamlit here."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kdefense.settings import REGION_COLOURS, REGION_OUTLINE, REGIONS

PRIMARY_BAR = "#0072B2"  # Okabe–Ito blue, as Europe: 5.2:1 on white
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


def value_label(basis: str) -> str:
    return "Contract value, USD m" if basis == "usd" else "SIPRI TIV, millions"


def region_marker(regions) -> dict:
    """Bar marker in the fixed region colours, outlined so the light ones hold 3:1 against white."""
    return {"color": [REGION_COLOURS.get(r, "#6b7280") for r in regions], "line": {"color": REGION_OUTLINE, "width": 1}}


def bars_by_region(fig: go.Figure, data: pd.DataFrame, x_col: str, y_col: str, region_col: str, texts: pd.Series,
                   hovertemplate: str) -> go.Figure:
    """Horizontal bars coloured by region with one legend entry per region (colour never stands alone).

    One trace per region, stacked (each category has one bar), in the data's row order.
    """
    present = set(data[region_col].dropna())
    for region in [r for r in REGIONS if r in present] + sorted(present - set(REGIONS)):
        part = data[data[region_col] == region]
        fig.add_bar(x=part[x_col], y=part[y_col], orientation="h", name=region, marker=region_marker(part[region_col]),
                    text=texts[part.index], textposition="auto", hovertemplate=hovertemplate)
    fig.update_yaxes(categoryorder="array", categoryarray=list(data[y_col]))
    fig.update_layout(barmode="stack", showlegend=True, legend_title_text="Region")
    return fig


def region_bars(df: pd.DataFrame, value_col: str, basis: str, large: bool = False) -> go.Figure:
    """Horizontal bars per region, in the fixed region colours (the axis names each region)."""
    data = df.dropna(subset=[value_col]).sort_values(value_col)
    fig = go.Figure(go.Bar(
        x=data[value_col], y=data["region"], orientation="h", marker=region_marker(data["region"]),
        customdata=data[["deals"]].to_numpy(), text=data[value_col].map(lambda v: f"{v:,.0f}"),
        textposition="auto",
        hovertemplate="%{y}<br>%{x:,.0f}<br>%{customdata[0]} deals<extra></extra>",
    ))
    fig.update_xaxes(title=value_label(basis))
    return base_layout(fig, "By region", height=300, large=large)


def ranked_bars(df: pd.DataFrame, label_col: str, value_col: str, basis: str, title: str,
                colour_col: str | None = None, large: bool = False) -> go.Figure:
    data = df.dropna(subset=[value_col]).sort_values(value_col)
    texts = data[value_col].map(lambda v: f"{v:,.0f}")
    fig = go.Figure()
    if colour_col:
        bars_by_region(fig, data, value_col, label_col, colour_col, texts, "%{y}<br>%{x:,.0f}<extra></extra>")
    else:
        fig.add_bar(x=data[value_col], y=data[label_col], orientation="h", marker_color=PRIMARY_BAR, text=texts,
                    textposition="auto", hovertemplate="%{y}<br>%{x:,.0f}<extra></extra>")
    fig.update_xaxes(title=value_label(basis))
    fig = base_layout(fig, title, height=max(260, 34 * len(data) + (130 if colour_col else 80)), large=large)
    if colour_col:
        fig.update_layout(legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom",
                                  "title_text": "Region"}, margin_b=60)
    return fig


def reconciliation_chart(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Ledger signed value per year (bars) against the official yearly totals (line)."""
    fig = go.Figure()
    fig.add_bar(x=df["year"], y=df["ledger_usd_bn"], name="Ledger: signed contracts (filtered)",
                marker_color="#2f6db5", hovertemplate="%{x}: %{y:.1f} bn USD<extra>ledger</extra>")
    official = df.dropna(subset=["official_usd_bn"])
    fig.add_scatter(x=official["year"], y=official["official_usd_bn"], name="Official annual export orders",
                    mode="lines+markers", line={"color": "#d9822b", "width": 3},
                    hovertemplate="%{x}: %{y:.1f} bn USD<extra>official</extra>")
    fig.update_yaxes(title="USD bn")
    span = int(df["year"].max() - df["year"].min()) if len(df) else 0
    fig.update_xaxes(dtick=1 if span <= 15 else 5)  # yearly ticks only where they fit a laptop or phone
    base_layout(fig, "Ledger vs official totals", height=380, large=large)
    # legend above the plot: at the bottom it covered the x axis's year labels
    fig.update_layout(legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
                      margin_t=80)
    return fig


def deal_deliveries_chart(df: pd.DataFrame, quantity: float | None, large: bool = False) -> go.Figure:
    """Units per year for one deal: actual deliveries solid, planned hatched; cumulative against the order."""
    fig = go.Figure()
    for kind, colour, pattern in (("actual", "#2f6db5", ""), ("planned", "#9ca3af", "/")):
        part = df[df["kind"] == kind]
        if not part.empty:
            fig.add_bar(x=part["year"], y=part["units"], name=kind.capitalize(), marker_color=colour,
                        marker_pattern_shape=pattern, hovertemplate="%{x}: %{y} units<extra>" + kind + "</extra>")
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


def _title(fig: go.Figure) -> str:
    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    return title or str((fig.layout.meta or {}).get("chart", "chart") if isinstance(fig.layout.meta, dict) else "chart")


def _fmt(value: float) -> str:
    return f"{value:,.1f}" if abs(value) < 10 and value != int(value) else f"{value:,.0f}"


def _seq(values) -> list:
    return [] if values is None else [v.item() if hasattr(v, "item") else v for v in values]


def describe(fig: go.Figure, top: int = 3) -> str:
    """A short text alternative for a chart: its title, what it draws and its largest values.

    Bars are summed per category across traces (stacks); lines name their series and their latest values;
    maps and heatmaps give their largest cells. Plain text: callers escape it before rendering.
    """
    totals: dict[str, float] = {}
    series: list[str] = []
    for trace in fig.data:
        kind = trace.type
        name = getattr(trace, "name", None)
        if kind == "bar":
            horizontal = trace.orientation == "h"
            cats, vals = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
            if trace.base is not None:  # Gantt bars: durations, not values
                series.append(str(name))
                continue
            for cat, val in zip(_seq(cats), _seq(vals), strict=False):
                if isinstance(val, (int, float)) and not pd.isna(val):
                    totals[str(cat)] = totals.get(str(cat), 0.0) + float(val)
            if name:
                series.append(str(name))
        elif kind in ("scatter", "scattergeo", "box") and name and getattr(trace, "showlegend", None) is not False:
            series.append(str(name))
        elif kind == "choropleth" and trace.z is not None and trace.locations is not None:
            for loc, val in zip(_seq(trace.locations), _seq(trace.z), strict=False):
                if isinstance(val, (int, float)) and not pd.isna(val):
                    totals[str(loc)] = float(val)
    parts = [f"Chart: {_title(fig)}."]
    named = list(dict.fromkeys(s for s in series if s and s != "None" and "Context event" not in s))
    if named:
        shown = ", ".join(named[:8]) + (f" and {len(named) - 8} more" if len(named) > 8 else "")
        parts.append(f"Series: {shown}.")
    if totals:
        best = sorted(totals.items(), key=lambda kv: -kv[1])[:top]
        parts.append("Largest: " + "; ".join(f"{k} {_fmt(v)}" for k, v in best) + f" (of {len(totals)}).")
    parts.append("The data behind this chart is in the table next to it.")
    return " ".join(parts)

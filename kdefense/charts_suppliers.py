"""Pure chart builders for the Suppliers page: DataFrame in, Plotly Figure out. No Streamlit here.

Every builder takes a `note` (which filters apply; pages write it) that is shown under the title, and every
TIV chart adds one sentence on what TIV is, with a link to SIPRI's method.
"""

from __future__ import annotations

import html
import math
import zlib

import pandas as pd
import plotly.graph_objects as go

from kdefense import names
from kdefense.charts import Columns, base_layout, built, drawn, layout_base, merge, wrap_text
from kdefense.i18n import N_, t
from kdefense.settings import REGION_COLOURS, REGION_OUTLINE

KOREA = "South Korea"
KOREA_COLOUR = "#c8102e"
TIV_METHOD_URL = "https://www.sipri.org/databases/armstransfers/sources-and-methods"
TIV_NOTE = N_("SIPRI TIV measures military capability transferred, not money (<a href='{url}'>method</a>).")
OTHER_COLOUR = "#9ca3af"
NATO_EUROPE = N_("NATO Europe")
# Display names (countries view) of the usual leading suppliers; others get a stable colour from PALETTE.
SUPPLIER_COLOURS = {
    KOREA: KOREA_COLOUR, "United States": "#1f3b73", "France": "#3a86ff", "Russia": "#6d4c41", "China": "#f4a261",
    "Germany": "#2a9d8f", "Italy": "#8338ec", "United Kingdom": "#577590", "Israel": "#e9c46a", "Spain": "#ff006e",
    "Türkiye": "#90be6d", "Japan": "#b5838d", "Netherlands": "#fb8500", "Sweden": "#118ab2", "Poland": "#8d99ae",
}
COMPANY_COLOURS = {
    "Hanwha Aerospace": "#f37321", "Hyundai Rotem": "#1f3b73", "Korea Aerospace Industries": "#3a86ff",
    "LIG Nex1": "#2a9d8f", "Hanwha Ocean": "#e9c46a", "HD Hyundai Heavy Industries": "#8338ec",
    "Hanwha Corporation": "#c8102e", "Doosan": "#6d4c41", "Other / not stated": OTHER_COLOUR,
    "Not stated": OTHER_COLOUR,
}
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#e15759",
           "#bab0ac")
# half a decade apart: at 1-2-5 steps the labels touched on a 440 px chart (tests/browser/test_layout.py)
LOG_TICKS = (0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30)
REGION_ORDER = ("Europe", "Middle East", "Asia & Oceania", "Americas", "Africa", "Unknown / international")


def colour_for(name: str, fixed: dict[str, str] = SUPPLIER_COLOURS) -> str:
    """The same colour for a supplier (or company) on every chart, also for those outside the fixed list."""
    return fixed.get(name) or PALETTE[zlib.crc32(name.encode()) % len(PALETTE)]


def region_colour(region: str) -> str:
    return REGION_COLOURS.get(region, OTHER_COLOUR)


def _finish(fig: go.Figure, title: str, note: str, tiv: bool, height: int, large: bool) -> go.Figure:
    """Base layout plus a subtitle that says which filters apply and, for TIV, what TIV is."""
    base_layout(fig, title, height=height, large=large)
    lines = wrap_text(note, 105) + ([t(TIV_NOTE, url=TIV_METHOD_URL)] if tiv else [])
    fig.update_layout(title_subtitle_text="<br>".join(lines), title_subtitle_font_size=16 if large else 12,
                      margin_t=66 + 17 * len(lines), legend_traceorder="normal")
    if fig.layout.xaxis.title.text:  # keep a horizontal legend clear of the x-axis title
        fig.update_layout(legend_y=-0.24)
    return fig


def _order(values: pd.Series, first: str = KOREA) -> list[str]:
    seen = list(dict.fromkeys(values))
    return [first, *[v for v in seen if v != first]] if first in seen else seen


def _finished(data: list[dict], layout: dict, title: str, note: str, tiv: bool, height: int,
              large: bool, labelled: bool = False, sent: bool = False) -> go.Figure:
    """_finish for a figure built from dicts (see charts.built): same layout, no re-validation.

    labelled: the lines carry their names at their ends (end_annotations): the right margin makes room for them and the
    legend, which repeats them, is left out (on a phone its rows took most of the chart's height)."""
    merge(layout, layout_base(title, height=height, large=large))
    if labelled:
        merge(layout, {"margin": {"r": 130 if large else 110}, "showlegend": False})
    lines = wrap_text(note, 105) + ([t(TIV_NOTE, url=TIV_METHOD_URL)] if tiv else [])
    merge(layout, {"title": {"subtitle": {"text": "<br>".join(lines), "font": {"size": 16 if large else 12}}},
                   "margin": {"t": 66 + 17 * len(lines)}, "legend": {"traceorder": "normal"}})
    if layout.get("xaxis", {}).get("title", {}).get("text"):  # keep a horizontal legend clear of the x-axis title
        merge(layout, {"legend": {"y": -0.24}})
    return drawn(data, layout) if sent else built(data, layout)


def _end_text(name: str, ys: list) -> list[str] | None:
    """The line's name at its last drawn point, empty elsewhere (None when nothing is drawn)."""
    last = max((i for i, y in enumerate(ys) if y is not None and pd.notna(y)), default=None)
    if last is None:
        return None
    label = name if len(name) <= 16 else name[:15] + "…"
    return [label if i == last else "" for i in range(len(ys))]


def _end_style(large: bool) -> dict:
    return {"mode": "lines+markers+text", "textposition": "middle right", "cliponaxis": False,
            "textfont": {"color": "#1f2937", "size": 15 if large else 11}}


# End labels of the share and rank lines are placed at least LABEL_GAP_EM font sizes apart on a plot area of the
# figure's height less LABELLED_OVERHEAD_PX. On the page the stamp (title, note fitted to 270 px, filters, source)
# takes about 250 px at the top and the x axis up to 75 px (251 + 72 measured at 390 px wide). A taller plot area (a
# slide, Korean) only moves the labels further apart: they are placed in axis units and keep their points' order.
LABEL_GAP_EM = 1.35
LABELLED_OVERHEAD_PX = 330
LABELLED_HEIGHT = 440


def spread(values: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions in the order of `values`, as near to them as they can be and at least `gap` apart; inside
    [low, high] when they fit there (when they do not, they run past `high`)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed: list[float] = []
    for i in order:  # push crowded labels up the axis, then back down from `high`, then restore the gaps
        placed.append(max(values[i], low, placed[-1] + gap) if placed else max(values[i], low))
    for k in range(len(placed) - 1, -1, -1):
        placed[k] = min(placed[k], high if k == len(placed) - 1 else placed[k + 1] - gap)
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    out = [0.0] * len(values)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


def labelled_height(n_lines: int, large: bool) -> int:
    """The figure's height: LABELLED_HEIGHT, or taller when the end labels would not fit its plot area."""
    need = n_lines * LABEL_GAP_EM * (15 if large else 11)
    return max(LABELLED_HEIGHT, LABELLED_OVERHEAD_PX + int(need) + 20)


def _line_ends(data: list[dict], log: bool) -> list[tuple[str, object, float, str]]:
    """(label, x, y in axis units, colour) of each line's last drawn point."""
    ends = []
    for trace in data:
        ys = list(trace["y"]) if trace.get("y") is not None else []
        text = _end_text(trace["name"], ys)
        if text is None:
            continue
        last = next(i for i, s in enumerate(text) if s)
        y = float(ys[last])
        if log and y <= 0:
            continue
        ends.append((text[last], trace["x"][last], math.log10(y) if log else y, trace["line"]["color"]))
    return ends


def end_annotations(data: list[dict], axis_range: tuple[float, float], height: int, large: bool,
                    log: bool = False) -> list[dict]:
    """Each line's name beside its last point, as layout annotations spread so that no two overlap; a label moved
    off its point is joined to it by a thin line in the line's colour. axis_range: the y axis range (log10 of it
    on a log axis)."""
    size = 15 if large else 11
    low, high = sorted(axis_range)
    gap = LABEL_GAP_EM * size * (high - low) / max(height - LABELLED_OVERHEAD_PX, 1)
    ends = _line_ends(data, log)
    placed = spread([e[2] for e in ends], gap, low, high)
    notes = []
    for (label, x, y, colour), at in zip(ends, placed, strict=True):
        moved = abs(at - y) > 0.2 * gap
        notes.append({"x": x, "y": y, "xref": "x", "yref": "y", "text": html.escape(label), "xanchor": "left",
                      "yanchor": "middle", "font": {"size": size, "color": "#1f2937"}, "showarrow": moved,
                      "ax": 16, "axref": "pixel", "ay": at, "ayref": "y", "arrowhead": 0, "arrowwidth": 1,
                      "arrowcolor": colour, "standoff": 4, "xshift": 0 if moved else 6})
    return notes


def log_range(values: pd.Series) -> tuple[float, float]:
    """A log axis range (log10 units) around the positive values, with a little room at both ends."""
    positive = values[values > 0]
    if positive.empty:
        return (-2.0, 2.0)
    lo, hi = math.log10(float(positive.min())), math.log10(float(positive.max()))
    pad = 0.05 * (hi - lo) + 0.1
    return (lo - pad, hi + pad)


def end_labelled(fig: go.Figure, large: bool = False) -> go.Figure:
    """Names at the lines' ends for a figure built with go (validated) traces (as trace text: not spread)."""
    for trace in fig.data:
        text = _end_text(trace.name, list(trace.y) if trace.y is not None else [])
        if text is not None:
            trace.update(text=text, **_end_style(large))
    fig.update_layout(margin_r=130 if large else 110)
    return fig


SHARE_HOVER_COLUMNS = ["tiv_m", "rank", "pct_tiv_flagged_uncertain"]


def share_lines(df: pd.DataFrame, x_col: str, title: str, note: str, large: bool = False) -> go.Figure:
    """Share of exports per supplier over periods (years or windows); South Korea drawn thick in red.

    Each supplier's rows are taken from the columns read once (no sub-frame per supplier), and the figure carries
    what st.plotly_chart sends (`_kd_sent`): tests/unit/test_fast_paths.py compares both with the builder that
    grouped the frame (tests/unit/reference_charts_suppliers.py)."""
    data: list[dict] = []
    columns, order = Columns(df), _order(df["supplier"])
    rows = columns.positions("supplier", order)
    hover = df[SHARE_HOVER_COLUMNS].to_numpy()
    for supplier in order:
        idx = rows[supplier]
        korean, shown = supplier == KOREA, names.country_by_name(supplier)
        data.append({
            "type": "scatter", "x": columns.take(x_col, idx), "y": columns.take("share_pct", idx), "name": shown,
            "mode": "lines+markers", "line": {"color": colour_for(supplier), "width": 4 if korean else 2},
            "marker": {"size": 9 if korean else 6},
            "customdata": hover[idx],  # a new array of these rows (as array() would copy it)
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
    return _finished(data, layout, title, note, True, height, large, labelled=True, sent=True)


def rank_bump(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """Rank among supplier states per five-year window (1 at the top); read as share_lines reads its rows."""
    data: list[dict] = []
    columns, order = Columns(df), _order(df["supplier"])
    rows = columns.positions("supplier", order)
    unranked = df["rank"].isna().to_numpy()
    for supplier in order:
        idx = [i for i in rows[supplier] if not unranked[i]]
        korean, shown = supplier == KOREA, names.country_by_name(supplier)
        data.append({
            "type": "scatter", "x": columns.take("period_label", idx), "y": columns.take("rank", idx), "name": shown,
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
    return _finished(data, layout, title, note, True, height, large, labelled=True, sent=True)


def top_suppliers_bars(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """Shares of the largest suppliers to a market; South Korea in red wherever it ranks."""
    data = df.sort_values("rank", ascending=False)
    fig = go.Figure(go.Bar(
        x=data["share_pct"], y=[f"{names.country_by_name(s)} (#{int(r)})" for s, r in zip(data["supplier"], data["rank"], strict=True)],
        orientation="h", marker_color=[KOREA_COLOUR if s == KOREA else "#4e79a7" for s in data["supplier"]],
        text=data["share_pct"].map(lambda v: f"{v:.1f} %"), textposition="auto",
        customdata=data[["tiv_m"]].to_numpy(),
        hovertemplate="%{y}<br>%{x:.1f} % · %{customdata[0]:,.0f} m TIV<extra></extra>",
    ))
    fig.update_xaxes(title=t("Share of deliveries to these recipients, % (SIPRI TIV)"), ticksuffix=" %")
    return _finish(fig, title, note, True, max(360, 34 * len(data) + 140), large)


def korea_region_lines(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """South Korea's share of each region's imports per year; European NATO members dashed."""
    fig = go.Figure()
    for market in [m for m in (*REGION_ORDER, NATO_EUROPE) if m in set(df["market"])]:
        part = df[df["market"] == market]
        nato = market == NATO_EUROPE
        fig.add_scatter(
            x=part["year"], y=part["korea_share_pct"], name=t(NATO_EUROPE) if nato else names.region(market),
            mode="lines+markers",
            line={"color": "#111827" if nato else region_colour(market), "width": 3.5 if nato else 2,
                  "dash": "dash" if nato else None},
            customdata=part[["korea_tiv_m", "market_tiv_m"]].to_numpy(),
            hovertemplate=(f"<b>{t(NATO_EUROPE) if nato else names.region(market)}</b> %{{x}}: %{{y:.1f}} %<br>"
                           + t("{korea} of {market} m TIV", korea="%{customdata[0]:,.0f}",
                               market="%{customdata[1]:,.0f}") + "<extra></extra>"),
        )
    fig.update_yaxes(title=t("South Korea's share of imports, %"), rangemode="tozero", ticksuffix=" %")
    fig.update_xaxes(title=t("Delivery year"), dtick=2)
    return end_labelled(_finish(fig, title, note, True, 440, large), large)


def recipients_heatmap(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """Number of recipient states per supplier and five-year window."""
    table = df.pivot(index="supplier", columns="window_label", values="recipients").fillna(0)
    table = table.loc[table.iloc[:, -1].sort_values().index] if not table.empty else table
    fig = go.Figure(go.Heatmap(
        z=table.to_numpy(), x=list(table.columns), y=[names.country_by_name(s) for s in table.index],
        colorscale="Blues",
        text=table.to_numpy().astype(int), texttemplate="%{text}", showscale=False,
        hovertemplate="%{y}, %{x}: " + t("{n} recipient states", n="%{z}") + "<extra></extra>",
    ))
    fig.update_xaxes(title=None, showgrid=False)
    fig.update_yaxes(title=None, showgrid=False)
    return _finish(fig, title, note, True, max(360, 30 * len(table) + 160), large)


def region_mix_bars(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """Each supplier's exports split by recipient region (100 % per supplier)."""
    korea_first = _order(df["supplier"])
    order = list(reversed(korea_first))
    shown = [names.country_by_name(s) for s in order]
    fig = go.Figure()
    for region in [r for r in REGION_ORDER if r in set(df["region"])]:
        part = df[df["region"] == region].set_index("supplier").reindex(order).fillna(0)  # NaN breaks stacking
        fig.add_bar(
            x=part["share_of_supplier_pct"], y=shown, name=names.region(region), orientation="h",
            marker={"color": region_colour(region), "line": {"color": REGION_OUTLINE, "width": 1}},
            customdata=part[["tiv_m", "recipients"]].to_numpy(),
            text=part["share_of_supplier_pct"].map(lambda v: f"{v:.0f}" if pd.notna(v) and v >= 6 else ""),
            textposition="inside", insidetextanchor="middle",
            hovertemplate=(f"%{{y}} → {names.region(region)}: %{{x:.1f}} %<br>"
                           + t("{tiv} m TIV, {n} recipients", tiv="%{customdata[0]:,.0f}", n="%{customdata[1]}")
                           + "<extra></extra>"),
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=t("Share of the supplier's exports, % (SIPRI TIV)"), range=[0, 100], ticksuffix=" %")
    return _finish(fig, title, note, True, max(380, 34 * len(order) + 170), large)


def speed_box(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """Years from order to first delivery per supplier, drawn from precomputed quartiles (one box per supplier)."""
    data = df.dropna(subset=["median"])
    fig = go.Figure()
    for row in data.itertuples():
        colour, shown = colour_for(row.supplier), names.country_by_name(row.supplier)
        fig.add_trace(go.Box(
            name=shown, x=[shown], q1=[row.q1], median=[row.median], q3=[row.q3],
            lowerfence=[row.p05], upperfence=[row.p95], mean=[row.mean], marker_color=colour,
            line={"width": 3 if row.supplier == KOREA else 1.5}, showlegend=False,
            hovertemplate=(f"<b>{shown}</b><br>"
                           + t("median {median} years (quartiles {q1}–{q3}, 5–95 %: {p05}–{p95})<br>{delivered} "
                               "delivered deals; {awaiting} still awaiting a first delivery",
                               median=f"{row.median:g}", q1=f"{row.q1:g}", q3=f"{row.q3:g}", p05=f"{row.p05:g}",
                               p95=f"{row.p95:g}", delivered=f"{row.deals_delivered:,}",
                               awaiting=f"{row.deals_awaiting_first_delivery:,}") + "<extra></extra>"),
        ))
    fig.update_yaxes(title=t("Years from order to first delivery"), rangemode="tozero")
    fig.update_xaxes(title=None)
    return _finish(fig, title, note, False, 440, large)


def speed_heatmap(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """Median years to first delivery by supplier and armament category (number of deals in the hover)."""
    median = df.pivot(index="supplier", columns="armament_category", values="median_years")
    count = df.pivot(index="supplier", columns="armament_category", values="deals_delivered").reindex_like(median)
    fig = go.Figure(go.Heatmap(
        z=median.to_numpy(), x=[names.category(c) for c in median.columns],
        y=[names.country_by_name(s) for s in median.index], customdata=count.to_numpy(),
        colorscale="YlOrRd", zmin=0, texttemplate="%{z}", colorbar={"title": t("years")},
        hovertemplate="%{y}, %{x}: " + t("median {median} years ({n} deals)", median="%{z}", n="%{customdata}")
        + "<extra></extra>",
    ))
    fig.update_xaxes(title=None, showgrid=False, tickangle=-30)
    fig.update_yaxes(title=None, showgrid=False, autorange="reversed")
    return _finish(fig, title, note, False, max(380, 32 * len(median) + 190), large)


def order_book_bars(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """TIV still to be delivered per supplier, split by recipient region."""
    order = list(df.sort_values("supplier_total_m")["supplier"].drop_duplicates())
    shown = [names.country_by_name(s) for s in order]
    fig = go.Figure()
    for region in [r for r in REGION_ORDER if r in set(df["region"])]:
        part = df[df["region"] == region].set_index("supplier").reindex(order).fillna(0)
        fig.add_bar(
            x=part["tiv_outstanding_m"], y=shown, name=names.region(region), orientation="h",
            marker={"color": region_colour(region), "line": {"color": REGION_OUTLINE, "width": 1}},
            customdata=part[["open_deals", "units_outstanding"]].to_numpy(),
            hovertemplate=(f"%{{y}} → {names.region(region)}: "
                           + t("{tiv} m TIV outstanding<br>{deals} open deals, {units} units", tiv="%{x:,.0f}",
                               deals="%{customdata[0]}", units="%{customdata[1]:,.0f}") + "<extra></extra>"),
        )
    fig.update_layout(barmode="stack")
    labels = [f"<b>{d}</b>" if s == KOREA else d for s, d in zip(order, shown, strict=True)]
    fig.update_yaxes(tickvals=shown, ticktext=labels)
    fig.update_xaxes(title=t("TIV ordered, not yet delivered (millions)"))
    return _finish(fig, title, note, True, max(380, 30 * len(order) + 170), large)


def rival_units_bars(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """Units ordered and delivered per system family (export deals in the register)."""
    data = df.sort_values("units_ordered", na_position="first")
    labels = [f"<b>{f}</b>" if k else f for f, k in zip(data["system_family"], data["korean"], strict=True)]
    fig = go.Figure()
    fig.add_bar(x=data["units_ordered"], y=labels, orientation="h", name=t("Ordered"), marker_color="#9ca3af",
                text=data["units_ordered"].map(lambda v: f"{v:,.0f}" if pd.notna(v) else ""), textposition="outside",
                hovertemplate="%{y}: " + t("{n} units ordered", n="%{x:,.0f}") + "<extra></extra>")
    fig.add_bar(x=data["units_delivered"], y=labels, orientation="h", name=t("Delivered"),
                marker_color=[KOREA_COLOUR if k else "#1f3b73" for k in data["korean"]],
                text=data["units_delivered"].map(lambda v: f"{v:,.0f}" if pd.notna(v) else ""),
                textposition="outside",
                hovertemplate="%{y}: " + t("{n} units delivered", n="%{x:,.0f}") + "<extra></extra>")
    fig.update_layout(barmode="group")
    most = float(data["units_ordered"].max()) if data["units_ordered"].notna().any() else 1.0
    fig.update_xaxes(title=t("Units (SIPRI's counts; estimates included)"), range=[0, most * 1.15])
    return _finish(fig, title, note, False, max(360, 52 * len(data) + 160), large)


def rival_orders_scatter(df: pd.DataFrame, families: list[str], title: str, note: str,
                         large: bool = False) -> go.Figure:
    """Each export order as a dot: order year by family, size by units, colour by recipient region."""
    fig = go.Figure()
    units = df["units_ordered"].fillna(1).clip(lower=1)
    scale = 2.0 * units.max() / 40**2 if len(units) else 1
    for region in [r for r in REGION_ORDER if r in set(df["region"].fillna("Unknown / international"))]:
        part = df[df["region"].fillna("Unknown / international") == region]
        fig.add_scatter(
            x=part["order_year"], y=part["system_family"], mode="markers", name=names.region(region),
            marker={"color": region_colour(region), "size": units[part.index], "sizemode": "area", "sizeref": scale,
                    "sizemin": 5, "line": {"width": 1, "color": REGION_OUTLINE}, "opacity": 0.85},
            customdata=part[["recipient", "supplier", "units_ordered", "units_delivered", "status"]]
            .assign(recipient=part["recipient"].map(names.country_by_name),
                    supplier=part["supplier"].map(names.country_by_name)).to_numpy(),
            hovertemplate=("<b>%{y}</b> → %{customdata[0]} (%{x})<br>"
                           + t("from {supplier} · {status}<br>{ordered} ordered, {delivered} delivered",
                               supplier="%{customdata[1]}", status="%{customdata[4]}", ordered="%{customdata[2]}",
                               delivered="%{customdata[3]}") + "<extra></extra>"),
        )
    fig.update_yaxes(title=None, categoryorder="array", categoryarray=list(reversed(families)))
    fig.update_xaxes(title=t("Order year"))
    return _finish(fig, title, note, False, max(380, 46 * len(families) + 170), large)


def firm_value_by_year(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """Ledger contract value per signing year, stacked by prime contractor (USD, never TIV)."""
    fig = go.Figure()
    totals = df.groupby("company")["value_usd_m"].sum().sort_values(ascending=False)
    for company in totals.index:
        part = df[df["company"] == company]
        fig.add_bar(x=part["year"], y=part["value_usd_m"].fillna(0), name=names.company(company),
                    marker_color=colour_for(company, COMPANY_COLOURS),
                    customdata=part[["deals", "deals_with_value"]].to_numpy(),
                    hovertemplate=(f"<b>{names.company(company)}</b> %{{x}}: "
                                   + t("{value} m USD<br>{deals} deals, {valued} with a cited value",
                                       value="%{y:,.0f}", deals="%{customdata[0]}", valued="%{customdata[1]}")
                                   + "<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=t("Contract value, USD m"))
    fig.update_xaxes(title=t("Signing year"))
    return _finish(fig, title, note, False, 440, large)


def firm_value_by_region(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """Ledger contract value per prime contractor, split by recipient region."""
    order = list(df.groupby("company")["value_usd_m"].sum().sort_values().index)
    fig = go.Figure()
    for region in [r for r in (*REGION_ORDER, "Unknown") if r in set(df["region"])]:
        part = df[df["region"] == region].set_index("company").reindex(order).fillna(0)
        fig.add_bar(x=part["value_usd_m"], y=[names.company(c) for c in order], name=names.region(region),
                    orientation="h", marker={"color": region_colour(region), "line": {"color": REGION_OUTLINE, "width": 1}},
                    customdata=part[["deals"]].to_numpy(),
                    hovertemplate=f"%{{y}} → {names.region(region)}: "
                    + t("{value} m USD ({deals} deals)", value="%{x:,.0f}", deals="%{customdata[0]}")
                    + "<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=t("Contract value, USD m"))
    return _finish(fig, title, note, False, max(380, 30 * len(order) + 170), large)


def top100_lines(df: pd.DataFrame, value_col: str, title: str, note: str, large: bool = False) -> go.Figure:
    """SIPRI Top 100: arms revenue (USD m) or rank per Korean firm and year."""
    fig = go.Figure()
    years = range(int(df["year"].min()), int(df["year"].max()) + 1) if len(df) else range(0)
    for company in df["company"].drop_duplicates():
        # years outside the Top 100 become gaps, not straight lines across them
        part = df[df["company"] == company].set_index("year").reindex(pd.Index(years, name="year")).reset_index()
        fig.add_scatter(x=part["year"], y=part[value_col], name=names.company(company), mode="lines+markers",
                        line={"color": colour_for(company, COMPANY_COLOURS), "width": 2.5},
                        customdata=part[["sipri_name"]].to_numpy(),
                        hovertemplate=(f"<b>{names.company(company)}</b> %{{x}}: %{{y:,}}<br>"
                                       + t("as {name} in SIPRI's list", name="%{customdata[0]}") + "<extra></extra>"))
    if value_col == "rank":
        fig.update_yaxes(title=t("Rank in the SIPRI Top 100"), autorange="reversed")
    else:
        fig.update_yaxes(title=t("Arms revenue, USD m (current)"), rangemode="tozero")
    fig.update_xaxes(title=t("Year of the Top 100 list"))
    return _finish(fig, title, note, False, 440, large)

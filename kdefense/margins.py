"""Margins sent with a chart so that Plotly draws it once (issue 17): pure functions of the sent layout and traces.

Plotly draws a chart, measures what its automargin axes need and, when a margin must grow by more than 1 px,
draws the whole chart again. A margin sent as wide as Plotly's push leaves nothing to grow. Each push is the
measured text plus Plotly's pad, `min(12, the four margins)`. Used by ui.stamped(..., fit_axes=True) for the web
page only: downloads of the data, the Briefing slides and the deck exports are built without it.
"""

from __future__ import annotations

import math

# Measured in Chromium with Streamlit 1.67's chart theme (12 px tick labels) and Plotly.js 3.8.2, English and
# Korean alike: a bottom x axis's row of tick labels pushes 24 px below the plot, its one-line title at the
# layout's 14 px another 29.8 px (`_fullLayout._pushmargin["x.automargin"].b` = pad + 24 or pad + 53.8)
X_TICK_ROW_PX = 24.0
X_TITLE_ROW_PX = 29.8
THEMED_FONT_PX = 14  # charts.layout_base's font for the web page (not `large`)
PLOTLY_MARGIN = {"l": 80, "r": 80, "t": 100, "b": 80}  # Plotly's defaults for a side the layout leaves out


def _numeric_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def bar_labels(layout: dict, data: list[dict]) -> list[str] | None:
    """The y axis's category labels of a chart of horizontal bars whose axis names no categories of its own (they
    come from the bars), or None: another kind of trace, numbers, an axis with ticks or a type of its own. Labels
    that read as numbers are left out (Plotly makes such an axis a number axis with ticks of its own choosing)."""
    yaxis = layout.get("yaxis") or {}
    if any(key in yaxis for key in ("type", "tickvals", "ticktext", "categoryarray")):
        return None
    labels: list[str] = []
    for trace in data:
        ys = trace.get("y")
        if trace.get("type") != "bar" or trace.get("orientation") != "h" or ys is None or isinstance(ys, dict):
            return None  # a dict is a typed array: numbers
        for y in ys:
            if not isinstance(y, str) or _numeric_text(y):
                return None
            labels.append(y)
    return labels or None


def _pad(margin: dict) -> float:
    """Plotly's pad added to every push, min(12, the four margins), once the bottom one holds a row of labels (at
    least 24 px: it no longer counts)."""
    return min(12, *(margin.get(side, PLOTLY_MARGIN[side]) for side in "lrt"))


def bottom_axis_margin(layout: dict) -> dict:
    """`layout` with a bottom margin that holds its x axis's row of tick labels and one-line title, as Plotly's
    automargin pushes them (Math.round of the same sum: the same margin), so it is not drawn a second time for
    them. Left as it is (the same dict) where the push is not known here: tick labels on top, hidden, turned or in
    a font of their own, a title of more lines, another font size, or a legend that reserves room at the
    bottom of the figure (`yref` container: Plotly adds its height on top of the push, known only once drawn)."""
    xaxis = layout.get("xaxis") or {}
    legend = layout.get("legend") or {}
    title = (xaxis.get("title") or {}).get("text") or ""
    if (xaxis.get("automargin") is False or xaxis.get("showticklabels") is False or xaxis.get("side") == "top"
            or "tickangle" in xaxis or "tickfont" in xaxis or "<br>" in title or "font" in (xaxis.get("title") or {})
            or (layout.get("font") or {}).get("size") != THEMED_FONT_PX
            or (legend.get("yref") == "container" and (legend.get("y") or 0) < 0.5
                and layout.get("showlegend") is not False)):
        return layout
    margin = dict(layout.get("margin") or {})
    needed = math.floor(_pad(margin) + X_TICK_ROW_PX + (X_TITLE_ROW_PX if title else 0) + 0.5)  # JS Math.round
    if margin.get("b", PLOTLY_MARGIN["b"]) >= needed:
        return layout
    margin["b"] = needed
    return {**layout, "margin": margin}

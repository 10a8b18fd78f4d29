"""The tick labels Plotly draws on an automatic linear y axis, predicted on the server, so that a chart can be sent
with a left margin that already holds them (Plotly's automargin then has nothing to grow and draws it once).

Follows Plotly.js 3.8.2 as bundled with Streamlit (axes.js: prepTicks, autoTicks, calcTicks, tickFirst, the number
formatting with exponentformat "B"; autorange.js: getAutoRange; scatter/calc.js: calcMarkerSize). Which labels
Plotly draws depends on the plot area's height (the number of ticks, and the marker padding of the autorange),
which the server does not know: the legend's rows depend on the browser's width. So every plausible height is
tried and the widest label of any of them is kept: the margin may be a few pixels wider than Plotly's own (a
decimal step at one height, a whole one at another), never narrower within the heights tried.
tests/unit/test_plotly_ticks.py holds tick labels harvested from Chromium."""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from kdefense import charts

Y_TICK_PX = 40  # prepTicks: nt = constrain(plot height / 40, 4, 9) + 1 on a y axis
RANGE_TOLERANCE = 1e-4  # calcTicks keeps ticks up to 0.01 % of the span past either end
PAD_SHARE = 0.05  # getAutoRange: a padded extreme gets 5 % of the axis length
SI_SUFFIX = {3: "k", 6: "M", 9: "B", 12: "T"}  # exponentformat "B": SI prefixes, but B for billions
# the plot heights tried (px): a 420 px chart with a title keeps at most ~360; below 100 px the marker padding would
# push the autorange up by more than a tick (a chart drawn that small is drawn twice, as before)
LEAST_PLOT_PX = 100
# Plotly's push of the left margin, measured in Chromium (2026-12-03, the Timeline's value, units and order book
# charts, English and Korean): the widest y tick label (Arial's advances at 12 px) + 52.82 px, of which 10 px are
# Plots.autoMargin's pad (the smallest of 12 and the four margins sent) and the rest the tick labels' standoff and
# the 14 px axis title's depth (approxTitleDepth: the title's font size, not its text: Hangul titles push the same)
TITLE_AND_STANDOFF_PX = 42.82
TICK_PX = 12  # Streamlit's chart theme draws tick labels at 12 px
TITLE_PX = 14  # the charts' layout font (charts.layout_base); the y title inherits it


def round_up(value: float, steps: Sequence[float]) -> float:
    """Plotly's Lib.roundUp: the first step greater than `value` (by its binary search)."""
    low, high = 0, len(steps) - 1
    while low < high:
        mid = (low + high) // 2
        if steps[mid] <= value:
            low = mid + 1
        else:
            high = mid
    return steps[low]


def auto_dtick(span: float, plot_px: float) -> float:
    """The tick step Plotly picks for a y axis spanning `span` over `plot_px` pixels (prepTicks, autoTicks)."""
    nt = min(max(plot_px / Y_TICK_PX, 4), 9) + 1
    rough = abs(span) / nt
    base = 10.0 ** math.floor(math.log(rough) / math.log(10))
    return base * round_up(rough / base, (2, 5, 10))


def _snapped(value: float, dtick: float) -> float:
    """calcTicks' snapping of a tick value to the nearest multiple of dtick (tick0 0) when within 1e-6 steps."""
    near = round(value / dtick) * dtick
    return near if value != near and abs(value - near) < abs(dtick) * 1e-6 else value


def tick_values(lo: float, hi: float, dtick: float) -> list[float]:
    """The ticks from tick0 = 0 every dtick inside [lo, hi] (with calcTicks' tolerance)."""
    slack = (hi - lo) * RANGE_TOLERANCE
    first, last = lo - slack, hi + slack
    value = math.ceil(first / dtick) * dtick
    values = []
    while value <= last and len(values) < 1000:
        values.append(_snapped(value, dtick))
        value += dtick
    return values


def _tick_format(lo: float, hi: float, dtick: float) -> tuple[int, int]:
    """autoTickRound: the digits kept (`_tickround`) and the SI exponent of the labels (`_tickexponent`)."""
    digits = 2 - math.floor(math.log(dtick) / math.log(10) + 0.01)
    largest = max(abs(lo), abs(hi))
    range_exp = math.floor(math.log(largest) / math.log(10) + 0.01) if largest > 0 else 0
    exponent = 3 * round_half_away((range_exp - 1) / 3) if abs(range_exp) > 3 and range_exp <= 14 else 0
    return digits, exponent


def round_half_away(value: float) -> int:
    """JavaScript's Math.round (halves up)."""
    return math.floor(value + 0.5)


def _separated(text: str) -> str:
    """Lib.numSeparate with separators ".,": thousands separated only past four digits or with decimals."""
    whole, _, fraction = text.partition(".")
    if len(whole) > 4 or fraction:
        whole = f"{int(whole):,}"
    return whole + ("." + fraction if fraction else "")


def tick_label(value: float, digits: int, exponent: int) -> str:
    """A tick's text as Plotly writes a number (numFormat, exponentformat "B", no tickformat)."""
    negative, value = value < 0, abs(value)
    if value < 10.0 ** -digits / 2:
        return "0"
    if exponent:
        value, digits = value * 10.0 ** -exponent, digits + exponent
    if digits == 0:
        text = str(round_half_away(value))
    elif digits < 0:
        step = 10 ** -digits
        text = str(round_half_away(value / step) * step)
    else:
        text = f"{value:.{min(20, digits)}f}".rstrip("0").rstrip(".")
    text = _separated(text) + (SI_SUFFIX.get(exponent, "") if exponent else "")
    return ("−" if negative else "") + text


def tick_labels(lo: float, hi: float, plot_px: float) -> list[str]:
    """The y tick labels Plotly draws for the range [lo, hi] on a plot area `plot_px` high."""
    return _labels(lo, hi, auto_dtick(hi - lo, plot_px))


def _labels(lo: float, hi: float, dtick: float) -> list[str]:
    """The y tick labels of the range [lo, hi] ticked every `dtick`."""
    digits, exponent = _tick_format(lo, hi, dtick)
    return [tick_label(v, digits, 0 if abs(v / dtick) < 1e-6 else exponent) for v in tick_values(lo, hi, dtick)]


def autorange(minima: Sequence[tuple[float, float]], maxima: Sequence[tuple[float, float]], plot_px: float,
              tozero: bool = False) -> tuple[float, float]:
    """getAutoRange of extremes given as (value, padding in px): the range that keeps every extreme its padding
    from the plot's edge (`tozero`: the axis's rangemode "tozero")."""
    best, low, high = 0.0, (0.0, 0.0), (1.0, 0.0)
    for e_val, e_pad in minima:
        for d_val, d_pad in maxima:
            spread = d_val - e_val
            if spread <= 0:
                continue
            room = plot_px - e_pad - d_pad
            if room > plot_px / 10:
                if spread / room > best:
                    best, low, high = spread / room, (e_val, e_pad), (d_val, d_pad)
            elif spread / plot_px > best:
                best, low, high = spread / plot_px, (e_val, 0.0), (d_val, 0.0)
    lowest, highest = min(v for v, _ in minima), max(v for v, _ in maxima)
    if lowest == highest:
        if tozero:
            return (0.0, 1.0) if lowest == 0 else (0.0, lowest / 0.5) if lowest > 0 else (lowest / 0.5, 0.0)
        return lowest - 1, highest + 1
    if tozero:
        low = (0.0, 0.0) if low[0] >= 0 else low
        high = (0.0, 0.0) if high[0] <= 0 else high
    scale = (high[0] - low[0]) / (plot_px - low[1] - high[1])
    return low[0] - scale * low[1], high[0] + scale * high[1]


def numbers(values: Any) -> np.ndarray:
    """A trace's array as floats: a list, a numpy array or a typed-array spec as plotly sends it (`bdata`)."""
    if isinstance(values, dict) and "bdata" in values:
        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        return array.astype("float64")
    try:
        return np.asarray(values if values is not None else [], dtype="float64").ravel()
    except (TypeError, ValueError):
        return np.array([np.nan])


def _positions(values: Any) -> list:
    """A trace's x values as keys to stack by (numbers decoded from a typed-array spec, anything else as given)."""
    if isinstance(values, dict) and "bdata" in values:
        return numbers(values).tolist()
    return list(values) if values is not None else []


def _stacked_tops(traces: Iterable[dict]) -> list[float]:
    """The tops of the stacks (the sum of the positive values at each x) of these traces."""
    sums: dict[Any, float] = {}
    for trace in traces:
        xs, ys = _positions(trace.get("x")), numbers(trace.get("y"))
        for x, y in zip(xs, ys, strict=False):
            if y > 0:
                sums[x] = sums.get(x, 0.0) + y
    return list(sums.values())


def _marker_pad(trace: dict) -> float:
    """calcMarkerSize: a scatter trace's marker padding in px (its diameter / 1.6, at least 3), 0 without markers."""
    mode = trace.get("mode") or "lines+markers"
    if "markers" not in mode:
        return 0.0
    size = (trace.get("marker") or {}).get("size", 6)
    return max(float(size) / 1.6, 3.0) if isinstance(size, int | float) else math.nan


Extreme = tuple[float, float, bool]  # value, marker padding in px, at zero by `tozero`


def y_extremes(data: Sequence[dict], barmode: str | None) -> tuple[list[Extreme], list[Extreme]] | None:
    """What the y axis's autorange is made of: the lows and highs of its traces, each (value, marker padding in
    px, at zero by `tozero`); every extreme is also padded by 5 % of the axis length, except a `tozero` one at
    zero. None where a trace is of a kind not modelled here (its y axis is then left as it is)."""
    lows: list[Extreme] = []
    highs: list[Extreme] = []
    on_y = [tr for tr in data if tr.get("yaxis", "y") == "y" and tr.get("visible", True) is True]
    bars: list[dict] = []
    areas: dict[str, list[dict]] = {}
    for trace in on_y:
        kind = trace.get("type", "scatter")
        ys = numbers(trace.get("y"))
        if (ys < 0).any() or (ys.size and not np.isfinite(ys).any()):
            return None  # negative values (a minus sign, stacks below zero) or no numbers: not modelled
        if kind == "bar" and trace.get("orientation", "v") == "v" and "base" not in trace:
            bars.append(trace)
        elif kind == "scatter" and trace.get("stackgroup"):
            areas.setdefault(trace["stackgroup"], []).append(trace)
        elif kind == "scatter" and trace.get("fill") in (None, "none") and not trace.get("error_y"):
            ys = numbers(trace.get("y"))
            ys = ys[np.isfinite(ys)]
            if ys.size:
                pad = _marker_pad(trace)
                lows.append((float(ys.min()), pad, False))
                highs.append((float(ys.max()), pad, False))
        else:
            return None
    stacks = ([bars] if barmode in ("stack", "relative") else [[tr] for tr in bars]) + list(areas.values())
    for stack in stacks:  # bars and stacked areas reach down to zero (tozero), their tops padded
        lows.append((0.0, 0.0, True))
        highs.append((max(_stacked_tops(stack), default=0.0), 0.0, True))
    return (lows, highs) if highs else None


def y_range(lows: Sequence[Extreme], highs: Sequence[Extreme], plot_px: float, tozero: bool = False) -> tuple:
    """The autorange of these extremes (y_extremes) on a plot area `plot_px` high: each padded by its markers and
    5 % of the axis length, except a `tozero` extreme at zero."""
    def padded(side: Sequence[Extreme]) -> list[tuple[float, float]]:
        return [(v, 0.0 if zero and v == 0 else px + PAD_SHARE * plot_px) for v, px, zero in side]
    return autorange(padded(lows), padded(highs), plot_px, tozero)


def widest_tick_px(data: Sequence[dict], layout: dict, tallest_px: float, least_px: float = LEAST_PLOT_PX) -> float | None:
    """The widest y tick label (px, Arial's advances at Streamlit's 12 px) over every plot height from `least_px` to
    `tallest_px`; None where the axis's ticks are not Plotly's automatic linear ones modelled here."""
    yaxis = layout.get("yaxis") or {}
    if (yaxis.get("type", "linear") != "linear" or any(k in yaxis for k in ("tickvals", "dtick", "nticks",
                                                                              "tickformat", "tickmode"))
            or yaxis.get("exponentformat", "B") != "B"):
        return None
    fixed = None if yaxis.get("autorange") not in (None, False) else yaxis.get("range")
    extremes = None if fixed else y_extremes(data, layout.get("barmode"))
    if not fixed and extremes is None:
        return None
    widest = 0.0
    measured: set[tuple[float, float, float]] = set()
    for plot_px in range(int(least_px), int(tallest_px) + 1):
        if fixed:
            lo, hi = float(fixed[0]), float(fixed[1])
        else:
            lo, hi = y_range(*extremes, plot_px, tozero=yaxis.get("rangemode") == "tozero")
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
            return None
        # the labels follow from the range and the step alone: most heights share them (a bar chart's range is
        # the same at every height and its step takes a handful of values), so each set is written out once
        dtick = auto_dtick(hi - lo, plot_px)
        if (lo, hi, dtick) in measured:
            continue
        measured.add((lo, hi, dtick))
        widest = max([widest, *(charts.drawn_width_px(label, TICK_PX) for label in _labels(lo, hi, dtick))])
    return widest


PLOTLY_MARGIN = {"l": 80, "r": 80, "t": 100, "b": 80}  # Plotly's default margins, for sides a layout leaves out
AUTOMARGIN_PAD = 12  # Plots.autoMargin's pad: the smallest of 12 and the four margins sent


def number_axis_margin(data: Sequence[dict], layout: dict) -> dict:
    """`layout` with a left margin that already holds what its number y axis pushes (Plotly's automargin: the
    widest tick label, the labels' standoff, the title), so that Plotly, automargin kept on, finds nothing to grow
    and draws the chart once instead of twice. The margin is the widest label over every plot height that the
    chart can have (widest_tick_px), rounded as Plotly rounds it: Plotly draws again only when a margin has to
    move by more than 1 px. Layouts this does not model (category or date axes, own
    tick settings or fonts, no axis title, a right-hand axis) are returned as they are, and so is a margin already
    wider."""
    yaxis = layout.get("yaxis") or {}
    title = yaxis.get("title") or {}
    title_px = (title.get("font") or {}).get("size") or (layout.get("font") or {}).get("size")
    if (not title.get("text") or title_px != TITLE_PX or (yaxis.get("tickfont") or {}).get("size") not in (None, TICK_PX)
            or "categoryarray" in yaxis or yaxis.get("automargin") is False or yaxis.get("showticklabels") is False
            or yaxis.get("side", "left") != "left" or yaxis.get("anchor", "x") != "x" or yaxis.get("position")
            or not layout.get("height")):
        return layout
    margin = {**PLOTLY_MARGIN, **{k: v for k, v in (layout.get("margin") or {}).items() if v is not None}}
    widest = widest_tick_px(data, layout, layout["height"] - margin["t"] - margin["b"])
    if not widest:
        return layout
    pad = min(AUTOMARGIN_PAD, margin["r"], margin["t"], margin["b"])
    # rounded as doAutoMargin rounds the margin it draws with (Math.round): the chart is laid out exactly as after
    # Plotly's own second draw (a pixel more narrows the plot area, which can wrap its legend to one more row)
    left = round_half_away(TITLE_AND_STANDOFF_PX + pad + widest)
    if left <= margin["l"]:
        return layout
    return {**layout, "margin": {**(layout.get("margin") or {}), "l": left}}

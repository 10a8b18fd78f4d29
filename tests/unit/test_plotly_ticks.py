"""plotly_ticks: the y tick labels and autorange of Plotly 3.8.2 (Streamlit's) predicted on the server, checked
against what Chromium drew, and the left margin the Timeline's number charts are sent with (ui.stamped quick_draw).

The truth below was harvested once (2026-12-03) from /usr/bin/chromium with the app's Timeline at 1366×768,
1920×1080 and 390×844 in several filter states: each chart's `_fullLayout.yaxis.range`, `_length` (the plot
height), `_vals[].text` (the tick labels drawn), the extremes of its traces (`_fullData`) and the y axis's left push
(`_fullLayout._pushmargin["y.automargin"].l.size`). It is test data, not a result of the code under test."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from kdefense import charts, plotly_ticks, queries, ui
from kdefense import charts_timeline as ct
from kdefense.filters import Filters

# (top of the range from 0, plot height px, the labels Plotly drew)
DRAWN_TICKS = [
    (26.965714285714288, 286, ["0", "5", "10", "15", "20", "25"]),
    (414.7368421052632, 216, ["0", "100", "200", "300", "400"]),
    (2097.8947368421054, 248, ["0", "500", "1000", "1500", "2000"]),
    (9711.828571428572, 317, ["0", "2000", "4000", "6000", "8000"]),
    (373.6842105263158, 264, ["0", "50", "100", "150", "200", "250", "300", "350"]),
    (373.6842105263158, 216, ["0", "100", "200", "300"]),
    (2.1052631578947367, 281, ["0", "0.5", "1", "1.5", "2"]),
    (3.1578947368421053, 281, ["0", "0.5", "1", "1.5", "2", "2.5", "3"]),
    (1.0526315789473684, 281, ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
    (157.89473684210526, 281, ["0", "20", "40", "60", "80", "100", "120", "140"]),
    (12.631578947368421, 281, ["0", "2", "4", "6", "8", "10", "12"]),
    (19.28571428571429, 354, ["0", "2", "4", "6", "8", "10", "12", "14", "16", "18"]),
    (7326.528571428572, 368, ["0", "1000", "2000", "3000", "4000", "5000", "6000", "7000"]),
    (1.6682857142857144, 351, ["0", "0.2", "0.4", "0.6", "0.8", "1", "1.2", "1.4", "1.6"]),
    (1145.2631578947369, 281, ["0", "200", "400", "600", "800", "1000"]),
    (340, 248, ["0", "50", "100", "150", "200", "250", "300"]),
    (414.7368421052632, 136, ["0", "100", "200", "300", "400"]),
    (1976.842105263158, 200, ["0", "500", "1000", "1500"]),
]


@pytest.mark.parametrize(("top", "plot_px", "labels"), DRAWN_TICKS)
def test_tick_labels_are_the_ones_plotly_drew(top, plot_px, labels):
    assert plotly_ticks.tick_labels(0, top, plot_px) == labels


# (lows, highs as y_extremes gives them for the chart's traces, plot height, the top of Plotly's autorange)
DRAWN_RANGES = [
    ([(0.0, 0.0, True)], [(394.0, 0.0, True)], 216, 414.7368421052632),  # default, units (stacked bars)
    ([(0.0, 0.0, True)], [(1993.0, 0.0, True)], 248, 2097.8947368421054),  # default, order book (stacked areas)
    # Colombia, contract value: its bars and the official line (markers 8 px: 5 px of padding), no tender markers
    ([(2.548, 5.0, False), (0.0, 0.0, True)], [(17.3, 5.0, False), (0.09, 0.0, True)], 267, 18.576714256987735),
    ([(2.548, 5.0, False), (0.0, 0.0, True)], [(17.3, 5.0, False), (0.09, 0.0, True)], 251, 18.60055686442493),
    ([(0.0, 0.0, True)], [(2.0, 0.0, True)], 281, 2.1052631578947367),  # Colombia, units
    ([(0.0, 0.0, True)], [(150.0, 0.0, True)], 281, 157.89473684210526),  # Viet Nam, TIV by order year
    ([(0.0, 0.0, True)], [(1.0, 0.0, True)], 281, 1.0526315789473684),  # New Zealand, units
    ([(0.0, 0.0, True)], [(1088.0, 0.0, True)], 281, 1145.2631578947369),  # Poland, TIV, order book
    ([(0.0, 0.0, True)], [(323.0, 0.0, True)], 248, 340),  # 2000-2010, order book
]


@pytest.mark.parametrize(("lows", "highs", "plot_px", "top"), DRAWN_RANGES)
def test_autorange_is_the_one_plotly_drew(lows, highs, plot_px, top):
    lo, hi = plotly_ticks.y_range(lows, highs, plot_px)
    assert lo == 0 and hi == pytest.approx(top, rel=1e-12)


def typed(values, dtype="f8") -> dict:
    return {"dtype": dtype, "bdata": base64.b64encode(np.asarray(values, dtype=dtype).tobytes()).decode()}


def test_extremes_stack_bars_and_areas_pad_markers_and_skip_other_axes():
    data = [
        {"type": "bar", "x": typed([2020, 2021], "i2"), "y": typed([1.0, 2.0])},
        {"type": "bar", "x": [2021, 2022], "y": [3.0, np.nan]},
        {"type": "scatter", "mode": "lines+markers", "marker": {"size": 8}, "x": [2020, 2021], "y": [4.0, 2.5]},
        {"type": "scatter", "mode": "markers", "yaxis": "y2", "x": [2020], "y": [99.0]},  # context events
        {"type": "scatter", "x": [2020], "y": [1000.0], "visible": "legendonly"},
    ]
    lows, highs = plotly_ticks.y_extremes(data, "stack")
    assert highs == [(4.0, 5.0, False), (5.0, 0.0, True)]  # 2021: 2 + 3 stacked; the line's markers pad 5 px
    assert lows == [(2.5, 5.0, False), (0.0, 0.0, True)]
    grouped = plotly_ticks.y_extremes(data[:2], "group")[1]
    assert grouped == [(2.0, 0.0, True), (3.0, 0.0, True)]
    areas = [{"type": "scatter", "stackgroup": "b", "mode": "lines", "x": [1, 2], "y": [1.0, 2.0]},
             {"type": "scatter", "stackgroup": "b", "mode": "lines", "x": [1, 2], "y": [5.0, 0.0]}]
    assert plotly_ticks.y_extremes(areas, None)[1] == [(6.0, 0.0, True)]
    assert plotly_ticks.y_extremes([{"type": "bar", "y": [-1.0]}], "stack") is None  # negative: not modelled
    assert plotly_ticks.y_extremes([{"type": "heatmap", "z": [[1]]}], None) is None
    assert plotly_ticks.y_extremes([{"type": "bar", "x": [1], "y": ["a"]}], None) is None


def test_widest_label_over_every_plot_height_never_narrower():
    # 4.2 units: "4" at the usual heights, but 0.5 steps ("3.5") on a plot over 300 px: the widest is kept
    data = [{"type": "bar", "x": [1, 2], "y": [4.2, 1.0]}]
    layout = {"yaxis": {"title": {"text": "Units"}}, "barmode": "stack"}
    widest = plotly_ticks.widest_tick_px(data, layout, 360)
    top = 4.2 / 0.95
    for plot_px in range(plotly_ticks.LEAST_PLOT_PX, 361):
        drawn = max(charts.drawn_width_px(label, 12) for label in plotly_ticks.tick_labels(0, top, plot_px))
        assert drawn <= widest
    assert widest == charts.drawn_width_px("3.5", 12)
    assert plotly_ticks.widest_tick_px(data, {**layout, "yaxis": {"range": [0, 8]}}, 360) == charts.drawn_width_px(
        "8", 12)  # a fixed range: its own ticks
    for own in ({"tickformat": ",.0f"}, {"dtick": 5}, {"type": "log"}, {"tickvals": [1]}, {"nticks": 3}):
        assert plotly_ticks.widest_tick_px(data, {**layout, "yaxis": own}, 360) is None


def _widest_at_every_height(data: list, layout: dict, tallest_px: int) -> float:
    """widest_tick_px written out the long way: every height's range, ticks and labels measured."""
    extremes = plotly_ticks.y_extremes(data, layout.get("barmode"))
    widest = 0.0
    for plot_px in range(plotly_ticks.LEAST_PLOT_PX, tallest_px + 1):
        lo, hi = plotly_ticks.y_range(*extremes, plot_px, tozero=False)
        widest = max([widest, *(charts.drawn_width_px(label, plotly_ticks.TICK_PX)
                                for label in plotly_ticks.tick_labels(lo, hi, plot_px))])
    return widest


def test_widest_label_measures_each_set_of_labels_once_and_finds_the_same_widest():
    """widest_tick_px skips the heights whose range and step it has already measured: the same answer as
    measuring every height, for bars (one range at every height) and markers (a range for each height)."""
    rng = np.random.default_rng(17)
    compared = 0
    for _ in range(60):
        top = float(10.0 ** rng.uniform(-1.5, 5.5))
        ys = list(rng.uniform(0, top, size=int(rng.integers(1, 8))))
        kind = rng.choice(["bar", "markers", "lines"])
        trace = ({"type": "bar", "x": list(range(len(ys))), "y": ys} if kind == "bar" else
                 {"type": "scatter", "mode": str(kind), "x": list(range(len(ys))), "y": ys,
                  "marker": {"size": int(rng.integers(4, 14))}})
        layout = {"yaxis": {"title": {"text": "n"}}, "barmode": "stack"}
        tallest = int(rng.integers(120, 700))
        assert plotly_ticks.widest_tick_px([trace], layout, tallest) == _widest_at_every_height(
            [trace], layout, tallest), (trace, tallest)
        compared += 1
    assert compared == 60


def timeline_figures() -> dict:
    options = queries.filter_options()
    filters = Filters(year_from=options.year_min, year_to=options.year_max)
    value = queries.run_filtered("timeline_tiv_value_by_year", filters, deal_id="")
    units = queries.run_filtered("timeline_units_by_year", filters, deal_id="", munitions=False)
    return {"value": ct.value_by_year_chart(value, "tiv"), "units": ct.units_by_year_chart(units)}


# Plotly's left push for these charts with the default filters, from Chromium (see the module's docstring): the TIV
# value chart's labels up to "8000", the units chart's up to "400"
DRAWN_PUSH = {"value": 79.503125, "units": 72.83125}


def test_quick_draw_sends_the_number_axis_push_and_nothing_else(app_db):
    for name, fig in timeline_figures().items():
        plain = ui.stamped(fig, "T", "filters")
        fitted = ui.stamped(fig, "T", "filters", quick_draw=True)
        assert plain.spec["layout"]["margin"]["l"] == 10  # the builders' margin, as before (exports, other pages)
        sent = fitted.spec["layout"]["margin"]["l"]
        assert sent == round(DRAWN_PUSH[name]), (name, sent)  # the margin Plotly drew with after its second draw
        assert fitted.spec["layout"]["yaxis"].get("automargin") is not False  # Plotly still grows it if needed
        rest = {**fitted.spec["layout"], "margin": {**fitted.spec["layout"]["margin"], "l": 10}}
        assert rest["margin"] == plain.spec["layout"]["margin"]
        assert fitted.spec["data"] is plain.spec["data"] or fitted.spec["data"] == plain.spec["data"]


def test_number_axis_margin_leaves_other_layouts_alone():
    data = [{"type": "bar", "x": [1, 2], "y": [400.0, 3.0]}]
    base = {"yaxis": {"title": {"text": "Units"}}, "font": {"size": 14}, "height": 420,
            "margin": {"l": 10, "r": 10, "t": 50, "b": 10}}
    fitted = plotly_ticks.number_axis_margin(data, base)
    # "400": 20.02 px; Plotly's push 52.82 + that (pad 10: the right margin's 10 px), rounded as Plotly rounds it
    assert fitted["margin"]["l"] == round(plotly_ticks.TITLE_AND_STANDOFF_PX + 10 + 20.016) == 73
    assert fitted["margin"]["r"] == 10 and base["margin"]["l"] == 10  # the layout given is not changed
    for other in ({"yaxis": {}}, {"yaxis": {"title": {"text": "Units"}, "categoryarray": ["a"]}},
                  {"font": {"size": 22}}, {"yaxis": {"title": {"text": "Units"}, "side": "right"}},
                  {"yaxis": {"title": {"text": "Units"}, "automargin": False}}, {"height": None},
                  {"yaxis": {"title": {"text": "Units"}, "tickfont": {"size": 16}}},
                  {"margin": {"l": 200, "r": 10, "t": 50, "b": 10}}):
        layout = {**base, **other}
        assert plotly_ticks.number_axis_margin(data, layout) is layout
    # margins left out are Plotly's defaults: the pad is then 12 px
    wide = plotly_ticks.number_axis_margin(data, {**base, "margin": {"l": 10}})
    assert wide["margin"] == {"l": 75}

"""ui.stamped's quick_draw: the left margin sent for charts of labelled rows (charts.label_margin) is wide enough
for the longest label in Arial's metrics, so Plotly's automargin has nothing to grow and draws the chart once; tick
labels are not measured for overflow. Nothing else of the figure changes."""

from __future__ import annotations

import json

import plotly.io as pio
import pytest

from kdefense import charts, queries, ui
from kdefense import charts_timeline as ct
from kdefense.filters import Filters

# Chromium's measureText at 13 px in Liberation Sans (Arial's metrics), the font the charts' Latin text is drawn
# with on this machine (measured 2026-12-02 with /usr/bin/chromium)
CHROMIUM_13PX = {"Australia · 2004-DELOS": 139.5, "United States · 2025-MRO-ALANSHEPARD": 253.3,
                 "WWWWWWWWWW": 122.7, "iiiiiiiiii": 28.9}


@pytest.mark.parametrize("text", list(CHROMIUM_13PX))
def test_drawn_width_is_arials(text):
    assert charts.drawn_width_px(text, 13) == pytest.approx(CHROMIUM_13PX[text], abs=1.0)


def test_label_margin_holds_the_longest_label():
    short, long_ = ["K9", "Peru · 2024-K808"], ["K9", "United States · 2025-MRO-ALANSHEPARD"]
    assert charts.label_margin(long_, 13) > charts.label_margin(short, 13) > 10
    assert charts.label_margin(long_, 13) >= CHROMIUM_13PX["United States · 2025-MRO-ALANSHEPARD"] + 19
    assert charts.label_margin(long_, 14) > charts.label_margin(long_, 13)
    assert charts.label_margin([], 13) == 10 == charts.label_margin([""], 13)
    # Hangul is drawn wider than Latin letters; characters outside the table count a whole em (errs wide)
    assert charts.drawn_width_px("사우디아라비아", 13) > charts.drawn_width_px("Saudi A", 13)
    assert charts.drawn_width_px("↳", 10) == 10


def gantt_and_speed() -> list:
    options = queries.filter_options()
    filters = Filters(year_from=options.year_min, year_to=options.year_max)
    gantt = queries.run_filtered("timeline_gantt", filters, deal_id="")
    speed = queries.run_filtered("timeline_speed", filters, deal_id="")
    return [ct.gantt_chart(gantt, None), ct.speed_chart(speed)]


def test_quick_draw_sends_the_labels_margin_and_nothing_else(app_db):
    for fig in gantt_and_speed():
        plain = ui.stamped(fig, "T", "filters")
        fitted = ui.stamped(fig, "T", "filters", quick_draw=True)
        assert ui.stamped(fig, "T", "filters", quick_draw=True) is fitted  # kept like any stamp
        assert plain.spec["layout"]["margin"]["l"] == 10  # the builders' margin, as before
        yaxis = fitted.spec["layout"]["yaxis"]
        assert fitted.spec["layout"]["margin"]["l"] == charts.label_margin(yaxis["categoryarray"],
                                                                            yaxis["tickfont"]["size"])
        assert yaxis["automargin"] is True  # Plotly still grows it where a user's font draws wider
        rest = json.loads(pio.to_json(fitted.spec, validate=False))
        rest["layout"]["margin"]["l"] = 10
        for name in ("xaxis", "yaxis"):
            assert rest["layout"][name].pop("ticklabeloverflow") == "allow"
        assert rest == json.loads(pio.to_json(plain.spec, validate=False))  # only the left margin differs


def test_row_labels_margin_leaves_other_layouts_alone():
    numeric = {"yaxis": {"title": {"text": "Units"}}, "margin": {"l": 10}}
    assert ui._row_labels_margin(numeric) is numeric
    off = {"yaxis": {"categoryorder": "array", "categoryarray": ["a long label"], "automargin": False}}
    assert ui._row_labels_margin(off) is off
    wide = {"yaxis": {"categoryorder": "array", "categoryarray": ["K9"]}, "margin": {"l": 300}}
    assert ui._row_labels_margin(wide)["margin"]["l"] == 300  # never narrower than the builder's
    # no tick font of its own: Streamlit's theme draws 12 px labels
    themed = {"yaxis": {"categoryorder": "array", "categoryarray": ["Mine countermeasure vessels"]}}
    assert ui._row_labels_margin(themed)["margin"]["l"] == charts.label_margin(["Mine countermeasure vessels"], 12)
    assert "margin" not in themed  # the layout given is not changed
    hidden = {"yaxis": {"categoryorder": "array", "categoryarray": ["a long label"], "showticklabels": False}}
    assert ui._row_labels_margin(hidden) is hidden
    texts = {"yaxis": {"categoryorder": "array", "categoryarray": ["a"], "ticktext": ["a much longer label"]}}
    assert ui._row_labels_margin(texts)["margin"]["l"] == charts.label_margin(["a much longer label"], 12)


def test_tick_overflow_allowed_on_every_axis_that_does_not_say_otherwise():
    layout = {"xaxis": {"type": "date"}, "yaxis2": {"overlaying": "y"}, "yaxis": {"ticklabeloverflow": "hide past domain"},
              "xaxis_note": "not an axis", "margin": {"l": 10}}
    out = ui._tick_overflow_allowed(layout)
    assert out["xaxis"] == {"type": "date", "ticklabeloverflow": "allow"}
    assert out["yaxis2"]["ticklabeloverflow"] == "allow"
    assert out["yaxis"] == {"ticklabeloverflow": "hide past domain"}  # an axis's own setting is kept
    assert out["margin"] is layout["margin"] and "ticklabeloverflow" not in layout["xaxis"]  # input untouched

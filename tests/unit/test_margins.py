"""kdefense.margins and ui.stamped's fit_axes: the Overview's and Tenders' charts are sent with the margins Plotly's
automargin would push for their bars' labels and their bottom x axis, so that Plotly draws them once; nothing else
of the figure changes, and the figure itself (what slides and exports are made from) is left as it was."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.io as pio

from kdefense import charts, margins, ui
from kdefense import charts_tenders as ctn


def bars(*ys, orientation="h") -> list[dict]:
    return [{"type": "bar", "orientation": orientation, "x": [1] * len(y), "y": list(y)} for y in ys]


def test_bar_labels_are_the_horizontal_bars_row_names():
    assert margins.bar_labels({}, bars(["Europe", "Asia"], ["Africa"])) == ["Europe", "Asia", "Africa"]
    assert margins.bar_labels({}, bars(np.array(["Europe"], dtype=object))) == ["Europe"]


def test_bar_labels_leave_what_plotly_would_not_draw_as_those_names():
    assert margins.bar_labels({}, bars(["2019", "2020"])) is None  # Plotly makes it a number axis
    assert margins.bar_labels({}, bars(["Europe"], orientation="v")) is None
    assert margins.bar_labels({}, [{"type": "scatter", "y": ["a"]}]) is None
    assert margins.bar_labels({}, bars(["a"]) + [{"type": "scatter", "y": ["b"]}]) is None
    typed = [{"type": "bar", "orientation": "h", "y": {"dtype": "f8", "bdata": "AAAAAAAA8D8="}}]
    assert margins.bar_labels({}, typed) is None
    assert margins.bar_labels({}, bars([1.0, 2.0])) is None
    for axis in ({"type": "category"}, {"categoryarray": ["a"]}, {"ticktext": ["x"], "tickvals": [0]}):
        assert margins.bar_labels({"yaxis": axis}, bars(["a"])) is None
    assert margins.bar_labels({}, []) is None


def layout(title: str | None = "Contract value, USD m", b: int = 10, **extra) -> dict:
    out = {"font": {"size": 14}, "margin": {"l": 10, "r": 10, "t": 50, "b": b},
           "xaxis": {"title": {"text": title}} if title else {}}
    out.update(extra)
    return out


def test_bottom_margin_holds_the_tick_row_and_the_title_as_plotly_pushes_them():
    # Plotly's push: pad (min(12, margins) = 10 here) + 24 px of tick labels + 29.8 px of title, rounded
    assert margins.bottom_axis_margin(layout())["margin"]["b"] == 64
    assert margins.bottom_axis_margin(layout(title=None))["margin"]["b"] == 34
    wide = layout()
    wide["margin"].update(l=20, r=20, t=60)  # the pad is 12 when no other margin is narrower
    assert margins.bottom_axis_margin(wide)["margin"]["b"] == 66
    given = layout()
    margins.bottom_axis_margin(given)
    assert given["margin"]["b"] == 10  # the layout given is not changed


def test_bottom_margin_left_alone_where_the_push_is_not_known_here():
    cases = [layout(b=70), layout(font={"size": 22}), layout(legend={"yref": "container", "y": 0}),
             {**layout(), "xaxis": {"title": {"text": "a<br>b"}}}, {**layout(), "xaxis": {"tickangle": 45}},
             {**layout(), "xaxis": {"side": "top"}}, {**layout(), "xaxis": {"showticklabels": False}},
             {**layout(), "xaxis": {"automargin": False}}, {**layout(), "xaxis": {"tickfont": {"size": 16}}}]
    for case in cases:
        assert margins.bottom_axis_margin(case) is case, case
    # a legend at the top, or one in the plot's coordinates, leaves the axis's push as it is
    assert margins.bottom_axis_margin(layout(legend={"yref": "container", "y": 1}))["margin"]["b"] == 64
    assert margins.bottom_axis_margin(layout(legend={"y": -0.2}))["margin"]["b"] == 64


def region_frame() -> pd.DataFrame:
    return pd.DataFrame({"region": ["Europe", "Asia and Oceania", "Middle East"], "value_usd_m": [10.0, 30.0, 20.0],
                         "deals": [1, 3, 2]})


def only_margins_differ(fitted: dict, plain: dict) -> dict:
    """The sent dicts as JSON, the margins and the tick overflow setting taken out: what else differs."""
    fitted, plain = (json.loads(pio.to_json(spec, validate=False)) for spec in (fitted, plain))
    for name in ("xaxis", "yaxis"):
        assert fitted["layout"].get(name, {}).pop("ticklabeloverflow", "allow") == "allow"
    return {"margin": (fitted["layout"].pop("margin"), plain["layout"].pop("margin")),
            "same": fitted == plain}


def test_fit_axes_sends_the_margins_and_nothing_else(app_db):
    fig = charts.region_bars(region_frame(), "value_usd_m", "usd")
    plain = ui.stamped(fig, "T", "filters")
    fitted = ui.stamped(fig, "T", "filters", quick_draw=True, fit_axes=True)
    assert ui.stamped(fig, "T", "filters", quick_draw=True, fit_axes=True) is fitted  # kept like any stamp
    diff = only_margins_differ(fitted.spec, plain.spec)
    assert diff["same"], diff
    sent, before = diff["margin"]
    assert sent == {**before, "l": charts.label_margin(["Europe", "Asia and Oceania", "Middle East"], 12), "b": 64}
    assert fig._kd_sent["layout"]["margin"] == {"l": 10, "r": 10, "t": 50, "b": 10}  # the figure is unchanged
    # quick_draw alone (the Timeline's) does not fit these
    assert ui.stamped(fig, "T", "filters", quick_draw=True).spec["layout"]["margin"] == before


def test_fit_axes_on_the_recipients_and_the_tender_record(app_db):
    recipients = pd.DataFrame({"recipient": ["Poland", "United Arab Emirates"], "region": ["Europe", "Middle East"],
                               "value_usd_m": [5.0, 9.0]})
    fig = charts.ranked_bars(recipients, "recipient", "value_usd_m", "usd", "Top recipients", "region")
    sent = ui.stamped(fig, "T", "filters", quick_draw=True, fit_axes=True).spec["layout"]["margin"]
    # the legend at the figure's bottom reserves its height on top of the axis's push: b is left as built
    assert sent["l"] == charts.label_margin(["Poland", "United Arab Emirates"], 12) and sent["b"] == 60
    record = pd.DataFrame({"grp": ["K9 self-propelled howitzer", "FA-50"], "won": [3, 1], "lost": [1, 2],
                           "withdrawn": [0, 0], "cancelled": [0, 1], "open": [1, 0]})
    fig = ctn.record_bars(record, "System family", "Korea's record", "note")
    sent = ui.stamped(fig, "T", "filters", quick_draw=True, fit_axes=True).spec["layout"]["margin"]
    assert sent["l"] == charts.label_margin(["K9 self-propelled howitzer", "FA-50"], 12)
    assert sent["b"] == 70  # the builder's bottom margin already holds the axis
    years = record.assign(grp=["2019", "2021"])
    fig = ctn.record_bars(years, "Year", "Korea's record", "note")
    assert ui.stamped(fig, "T", "filters", quick_draw=True, fit_axes=True).spec["layout"]["margin"]["l"] == 10


def test_fit_axes_gives_the_bottom_margin_before_the_number_axis_reads_the_plot_height(app_db):
    from kdefense import plotly_ticks

    recon = pd.DataFrame({"year": [2020, 2021, 2022], "ledger_usd_bn": [3.0, 7.5, 17.3],
                          "official_usd_bn": [7.2, 7.3, 17.3]})
    fig = charts.reconciliation_chart(recon)
    fitted = ui.stamped(fig, "T", "filters", quick_draw=True, fit_axes=True).spec
    bottom = margins.bottom_axis_margin(ui.stamped(fig, "T", "filters").spec["layout"])
    assert fitted["layout"]["margin"]["b"] == 34  # the year labels' row, no title
    expected = plotly_ticks.number_axis_margin(fitted["data"], bottom)["margin"]["l"]
    assert fitted["layout"]["margin"]["l"] == expected > 10

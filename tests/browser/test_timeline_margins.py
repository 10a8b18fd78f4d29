"""Real Chromium, 1366×768 and 1920×1080, English and Korean, the Timeline's charts as sent with ui.stamped's
quick_draw: the charts of labelled rows (Gantt, tender decisions, speed) come with a left margin that already holds
their row labels, so Plotly's automargin finds nothing to grow and does not draw them a second time — no label is
cut, and the margin is not visibly wider than the one Plotly's automargin made; and no tick label of any chart
crosses the figure's edge (Plotly would have hidden it; quick_draw lets it overflow instead of measuring)."""

from __future__ import annotations

import pytest

from tests.helpers import wait_for_app

pytestmark = pytest.mark.browser

ROW_CHARTS = ("tl_gantt", "tl_tenders", "tl_speed")
# Plotly's automargin leaves the longest label about 10 px from the figure's left edge; the sent margin may add the
# estimate's spare pixels (charts.label_margin: Arial's metrics, a pixel to spare), never more than this
MAX_SPARE_PX = 16

MARGINS = """(gd) => {
  const svg = gd.querySelector('svg.main-svg').getBoundingClientRect();
  const labels = [...gd.querySelectorAll('.yaxislayer-above .ytick text, .ytick text')]
    .filter(t => t.textContent.trim()).map(t => t.getBoundingClientRect());
  return {sent: gd.layout.margin.l, drawn: gd._fullLayout._size.l, labels: labels.length,
          leftmost: Math.min(...labels.map(r => r.left)) - svg.left,
          rightmost: Math.max(...labels.map(r => r.right)) - svg.left};
}"""


CROSSING = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')];
  const labels = [];
  for (const gd of charts) {
    const box = gd.querySelector('svg.main-svg').getBoundingClientRect();
    for (const t of gd.querySelectorAll('.xtick text, .ytick text, .x2tick text, .y2tick text')) {
      const r = t.getBoundingClientRect();
      if (r.width && (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5
                      || r.bottom > box.bottom + 0.5)) labels.push(t.textContent);
    }
  }
  return {charts: charts.length, labels};
}"""


def _change_region(page, url: str, ready: str) -> None:
    """Open `url`, then pick the first region in the sidebar and wait until every chart has been mounted anew."""
    from bench.browser import pick_first_region

    page.goto(url)
    wait_for_app(page, ready)
    page.evaluate("() => document.querySelectorAll('.js-plotly-plot').forEach(gd => { gd.__kdOld = true; })")
    pick_first_region(page).click()
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].some(gd => !gd.__kdOld)"
                           " && ![...document.querySelectorAll('.js-plotly-plot')].some(gd => gd.__kdOld)",
                           timeout=120_000)
    wait_for_app(page, ready)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("viewport", [(1366, 768), (1920, 1080)])
def test_row_charts_are_sent_with_margins_that_hold_their_labels(app_server, browser, viewport, lang):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    try:
        page.goto(app_server["url"])
        wait_for_app(page)
        page.goto(f"{app_server['url']}/timeline?lang={lang}")
        wait_for_app(page, ".st-key-chart_tl_speed .js-plotly-plot .ytick text")
        page.wait_for_timeout(1000)
        for key in ROW_CHARTS:
            plot = page.locator(f".st-key-chart_{key} .js-plotly-plot")
            assert plot.count() == 1, f"{key}: no chart"
            m = plot.evaluate(MARGINS)
            assert m["labels"] >= 5, (key, m)
            # the margin sent is the one drawn: automargin grew nothing on the left (no second draw for it)
            assert abs(m["drawn"] - m["sent"]) <= 1, (key, m)
            assert m["sent"] > 10, (key, m)  # not the builders' 10 px: the labels' width was sent
            # every label inside the figure, none cut at its left edge, and no wide empty strip before them
            assert 0 <= m["leftmost"] <= MAX_SPARE_PX, (key, m)
            assert m["rightmost"] < m["drawn"], (key, m)  # labels end left of the plot area
        crossing = page.evaluate(CROSSING)
        assert crossing["charts"] == 7 and not crossing["labels"], crossing
        page.screenshot(path=f"/tmp/timeline_margins_{lang}_{viewport[0]}.png")
    finally:
        context.close()


SCROLL_BOXES = ("tl_gantt", "tl_speed")
# For each tall chart in its scroll box: the box's size and scrolling, the chart's width against the box's, and
# whether Plotly drew it twice (automargin) — `_redrawFromAutoMarginCount` exists only after such a second draw.
SCROLL_BOX = """(key) => {
  const box = document.querySelector('.st-key-tl_box_' + key);
  if (!box) return null;
  const gd = box.querySelector('.js-plotly-plot');
  const fl = gd._fullLayout, sent = gd.layout.margin, drawn = fl._size;
  const grown = ['l', 'r', 't', 'b'].filter(s => Math.abs(drawn[s] - sent[s]) > 1);
  return {height: box.getBoundingClientRect().height, overflowY: getComputedStyle(box).overflowY,
          scrolls: box.scrollHeight > box.clientHeight + 100, boxWidth: box.clientWidth,
          chartWidth: gd.getBoundingClientRect().width, redrawn: '_redrawFromAutoMarginCount' in fl, grown,
          sent: JSON.stringify(sent), drawn: JSON.stringify(drawn)};
}"""


def _check_scroll_boxes(page, where: str) -> int:
    """The tall charts' boxes as st.container(height=820) drew them, and no second draw of their chart that a margin
    grown at the chart's own width does not explain (in st.container(height=…) Streamlit first drew a new chart 700 px
    wide, where the legend wrapped: Plotly drew it a second time, then a third at the box's width). Returns how many
    boxes were checked."""
    checked = 0
    for key in SCROLL_BOXES:
        box = page.evaluate(SCROLL_BOX, key)
        if box is None:
            continue
        checked += 1
        assert abs(box["height"] - 820) <= 0.5 and box["overflowY"] == "auto" and box["scrolls"], (where, key, box)
        assert abs(box["chartWidth"] - box["boxWidth"]) <= 1, (where, key, box)
        # drawn twice only where its own width made a margin grow (a legend wrapping to more rows at 1366 px)
        assert not box["redrawn"] or box["grown"], (where, key, box)
    return checked


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("viewport", [(1366, 768), (1920, 1080)])
def test_tall_charts_are_drawn_once_at_their_box_width(app_server, browser, viewport, lang):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    ready = ".st-key-chart_tl_speed .js-plotly-plot .ytick text"
    try:
        checked = 0
        for query in ("", "&region=Europe", "&basis=tiv"):
            page.goto(f"{app_server['url']}/timeline?lang={lang}{query}")
            wait_for_app(page, ready)
            checked += _check_scroll_boxes(page, query or "default")
        # a filter change in the sidebar: every chart is mounted anew
        _change_region(page, f"{app_server['url']}/timeline?lang={lang}", ready)
        checked += _check_scroll_boxes(page, "first region")
        assert checked >= 6, checked  # the default view's two boxes, at least
        page.screenshot(path=f"/tmp/timeline_boxes_{lang}_{viewport[0]}.png", full_page=True)
    finally:
        context.close()


NUMBER_CHARTS = ("tl_value", "tl_units", "tl_book")
# the margin sent holds the widest tick label over every plot height the chart can have (plotly_ticks), rounded as
# Plotly rounds its margins: wider than Plotly's own only where a shorter plot would draw wider labels, never this much
MAX_NUMBER_SPARE_PX = 8
# For a chart of a number y axis: the left margin sent, the one drawn, Plotly's own push for the y axis (automargin:
# the tick labels, their standoff and the title), the tick labels, and whether Plotly drew it a second time
NUMBER_MARGIN = """(gd) => {
  const fl = gd._fullLayout, push = (fl._pushmargin || {})['y.automargin'];
  return {sent: gd.layout.margin.l, drawn: fl._size.l, push: push && push.l ? push.l.size : null,
          redrawn: '_redrawFromAutoMarginCount' in fl, ticks: (fl.yaxis._vals || []).map(v => v.text),
          range: fl.yaxis.range, plot: fl.yaxis._length,
          grown: ['l', 'r', 't', 'b'].filter(s => Math.abs(fl._size[s] - (gd.layout.margin[s] ?? 0)) > 1),
          size: JSON.stringify(fl._size), margin: JSON.stringify(gd.layout.margin)};
}"""
# default filters; the TIV basis; one recipient on the contract-value basis (the yearly value chart's range from its
# bars and the official line, decimal ticks on units and order book); one on the TIV basis (0.6, 0.8, 1); the 2000s
NUMBER_STATES = ("", "&basis=tiv", "&country=COL", "&country=NZL&basis=tiv", "&from=2000&to=2010")


def _check_number_charts(page, where: str, once: bool) -> int:
    """Checks the number charts on the page; `once`: not drawn a second time for any margin. Otherwise only the left
    margin is checked: where the x axis ends close to a year's tick (its range reaches past the last context event's
    marker by a padding that depends on the chart's width), that year's label grows the right margin by 2-9 px, a
    second draw that no left margin spares (the Europe and one-recipient states)."""
    checked = 0
    for key in NUMBER_CHARTS:
        plot = page.locator(f".st-key-chart_{key} .js-plotly-plot")
        if not plot.count():
            continue  # no data in this selection: an info box instead of the chart
        m = plot.evaluate(NUMBER_MARGIN)
        checked += 1
        assert m["push"] and len(m["ticks"]) >= 2, (where, key, m)
        # drawn on the left margin sent: it already held Plotly's own push for the axis (to Plotly's rounding)
        assert "l" not in m["grown"] and m["sent"] >= round(m["push"]), (where, key, m["grown"], m["size"],
                                                                          m["margin"], m["push"], m["ticks"])
        assert not (once and m["redrawn"]), (where, key, m["grown"], m["size"], m["margin"])  # drawn once
        assert m["sent"] - m["push"] <= MAX_NUMBER_SPARE_PX, (where, key, m)  # not visibly wider than Plotly's own
    return checked


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("viewport", [(1366, 768), (1920, 1080)])
def test_number_charts_are_drawn_once_on_the_margin_sent(app_server, browser, viewport, lang):
    """The year-by-year value and units charts and the order book over time, sent with ui.stamped's quick_draw: their
    left margin holds the y axis's tick labels and title as Plotly's automargin would make it, so Plotly draws each
    once, on page load and after a filter change in the sidebar, in several filter states."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    ready = ".st-key-chart_tl_speed .js-plotly-plot .ytick text"
    try:
        checked = 0
        for query in NUMBER_STATES:
            page.goto(f"{app_server['url']}/timeline?lang={lang}{query}")
            wait_for_app(page, ready)
            checked += _check_number_charts(page, query or "default", once=query in ("", "&basis=tiv"))
        _change_region(page, f"{app_server['url']}/timeline?lang={lang}", ready)
        checked += _check_number_charts(page, "first region", once=False)
        assert checked >= 3 * len(NUMBER_STATES), checked
        page.screenshot(path=f"/tmp/timeline_numbers_{lang}_{viewport[0]}.png", full_page=True)
    finally:
        context.close()

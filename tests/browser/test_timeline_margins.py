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
    from bench.browser import pick_first_region

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
        page.goto(f"{app_server['url']}/timeline?lang={lang}")
        wait_for_app(page, ready)
        page.evaluate("() => document.querySelectorAll('.js-plotly-plot').forEach(gd => { gd.__kdOld = true; })")
        pick_first_region(page).click()
        page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].some(gd => !gd.__kdOld)"
                               " && ![...document.querySelectorAll('.js-plotly-plot')].some(gd => gd.__kdOld)",
                               timeout=120_000)
        wait_for_app(page, ready)
        checked += _check_scroll_boxes(page, "first region")
        assert checked >= 6, checked  # the default view's two boxes, at least
        page.screenshot(path=f"/tmp/timeline_boxes_{lang}_{viewport[0]}.png", full_page=True)
    finally:
        context.close()

"""Real Chromium, 1366×768 and 1920×1080, English and Korean: the Overview's and the Tenders' charts of horizontal
bars come with the margins Plotly's automargin would push for their row labels (left) and their bottom x axis
(ui.stamped's fit_axes: margins.bar_labels, margins.bottom_axis_margin), and the reconciliation chart for its
number y axis too (plotly_ticks.number_axis_margin), so Plotly does not draw them a second time for those; no
label is cut or set off more than a few pixels from where Plotly's own margin would put it, and no tick label
crosses its figure's edge (quick_draw lets tick labels overflow instead of measuring them).

What is still drawn twice, and why (bench/README.md, twelfth session): the top recipients, whose legend at the
bottom of the figure reserves its height (rows wrap by the chart's width) on top of the axis's push; and a bar
chart whose last x tick label sticks out on the right at a narrow width."""

from __future__ import annotations

import pytest

from tests.helpers import wait_for_app

pytestmark = pytest.mark.browser

# chart key → the margins sent for it (sides that must be drawn as sent)
FITTED = {"region": "lb", "recipients": "l", "systems": "lb", "recon": "lb", "tnd_record": "l"}
ROW_LABELS = {"region", "recipients", "systems", "tnd_record"}  # category axes: labels start near the left edge
# charts whose other margins hold what Plotly pushes too, at the default filters: drawn once there
ONCE_BY_DEFAULT = {"region", "systems", "recon", "tnd_record"}
# the sent margin may exceed Plotly's own push by the label estimate's spare pixels (charts.label_margin)
MAX_SPARE_PX = 5

MARGINS = """(key) => {
  const gd = document.querySelector('.st-key-chart_' + key + ' .js-plotly-plot');
  if (!gd || !gd._fullLayout) return null;
  const fl = gd._fullLayout, push = fl._pushmargin || {};
  const own = (side) => Math.max(0, ...Object.entries(push).filter(([id]) => id !== 'base')
                                                     .map(([, p]) => (p[side] || {}).size || 0));
  const svg = gd.querySelector('svg.main-svg').getBoundingClientRect();
  const labels = [...gd.querySelectorAll('.ytick text')].filter(t => t.textContent.trim())
    .map(t => t.getBoundingClientRect());
  return {sent: gd.layout.margin, drawn: fl._size, redrawn: '_redrawFromAutoMarginCount' in fl,
          own: {l: own('l'), b: own('b'), r: own('r'), t: own('t')}, labels: labels.length,
          leftmost: Math.min(...labels.map(r => r.left)) - svg.left};
}"""

CROSSING = """() => {
  const labels = [];
  for (const gd of document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')) {
    const box = gd.querySelector('svg.main-svg').getBoundingClientRect();
    for (const t of gd.querySelectorAll('.xtick text, .ytick text')) {
      const r = t.getBoundingClientRect();
      if (r.width && (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5
                      || r.bottom > box.bottom + 0.5)) labels.push(t.textContent);
    }
  }
  return labels;
}"""


def _check(page, keys: tuple[str, ...], where: str, once: set[str]) -> int:
    """The fitted sides drawn as sent and holding Plotly's push; charts in `once` not drawn a second time; no tick
    label past its figure's edge. Returns how many charts were drawn once."""
    drawn_once = 0
    for key in keys:
        m = page.evaluate(MARGINS, key)
        assert m is not None, (where, key, "no chart")
        for side in FITTED[key]:
            sent, drawn, own = m["sent"][side], m["drawn"][side], m["own"][side]
            # the margin sent already holds what Plotly pushes: it drew it as sent
            assert abs(drawn - sent) <= 1, (where, key, side, m)
            # and it is Plotly's own margin, or a few pixels more (a label estimate's spare pixels)
            assert round(own) - 1 <= sent <= own + MAX_SPARE_PX, (where, key, side, m)
        assert m["labels"] >= 1 and m["leftmost"] >= 0, (where, key, m)  # no label cut
        if key in ROW_LABELS:  # and no wide empty strip before the row labels
            assert m["leftmost"] <= 10 + MAX_SPARE_PX, (where, key, m)
        if key in once:
            assert not m["redrawn"], (where, key, "drawn twice", m)
        drawn_once += not m["redrawn"]
    crossing = page.evaluate(CROSSING)
    assert not crossing, (where, crossing)
    return drawn_once


def _change_region(page, ready: str) -> None:
    """Sidebar Region → its first region; waits until every chart is mounted anew and the rerun has settled."""
    from bench.browser import pick_first_region

    page.evaluate("() => document.querySelectorAll('.js-plotly-plot').forEach(gd => { gd.__kdOld = true; })")
    pick_first_region(page).click()
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].some(gd => !gd.__kdOld)",
                           timeout=120_000)
    wait_for_app(page, ready)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("viewport", [(1366, 768), (1920, 1080)])
def test_overview_and_tenders_charts_are_sent_with_their_axes_margins(app_server, browser, viewport, lang):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    overview = ("region", "recipients", "systems", "recon")
    ready = ".st-key-chart_recon .js-plotly-plot .ytick text"
    try:
        once = 0
        for query in ("", "&basis=tiv"):
            page.goto(f"{app_server['url']}/overview?lang={lang}{query}")
            wait_for_app(page, ready)
            once += _check(page, overview, query or "overview", ONCE_BY_DEFAULT)
        _change_region(page, ready)
        once += _check(page, overview, "overview, first region", {"region", "recon"})

        tenders_ready = ".st-key-chart_tnd_record .js-plotly-plot .ytick text"
        page.goto(f"{app_server['url']}/tenders?lang={lang}")
        wait_for_app(page, tenders_ready)
        once += _check(page, ("tnd_record",), "tenders", ONCE_BY_DEFAULT)
        page.screenshot(path=f"/tmp/page_chart_margins_tenders_{lang}_{viewport[0]}.png", full_page=True)
        _change_region(page, tenders_ready)
        once += _check(page, ("tnd_record",), "tenders, first region", ONCE_BY_DEFAULT)
        assert once >= 10, once  # region, systems, recon twice each; region, recon after the change; the record
    finally:
        context.close()

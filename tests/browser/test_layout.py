"""Layouts that hold on a laptop (1366×768) and a phone (390×844), every page of the default view (issue 16), in
English and in Korean (issue 18).

A page fails if any label in the app's own controls or metrics is cut (its text wider than its clipped box:
scrollWidth > clientWidth), any axis tick label of any chart overlaps its neighbour, or a chart's own text (title,
stamped filters and source lines, annotations, legend entries) runs past the chart's width or into another legend
entry. Each page is screenshot (full page) into /tmp/kdefense-a11y/ for a person to look at. A table beside other
content must show all its columns on a 1280×720 and a 1366×768 laptop, and there no control's label may be cut or
broken onto a second line. The Overview's bar value labels keep a readable size.
"""

from __future__ import annotations

import pytest

from tests.browser.a11y import (
    CHART_TEXT_OVERFLOW,
    CUT_LABELS,
    LAPTOP,
    OVERLAPS,
    PAGES,
    PHONE,
    SHOTS,
    SIDE_TABLES_CUT,
    WRAPPED_LABELS,
    load,
    new_page,
)

pytestmark = pytest.mark.browser
SMALL_LAPTOP = {"width": 1280, "height": 720}
PHONE_MIN_CHART_WIDTH = 330  # px: a chart on a 390 px phone spans the screen (less the page's padding)
PHONE_MAP = """() => { const m = document.querySelector('.st-key-map_chart g.geo .bglayer rect');
  if (!m) return null; const r = m.getBoundingClientRect(); return [r.width, r.height]; }"""
# The Gantt on a phone: its box scrolls sideways (the drawing keeps 760 px) and its row labels stay readable.
PHONE_GANTT = """() => { const box = document.querySelector('.st-key-chart_tl_gantt');
  if (!box) return null;
  const labels = [...box.querySelectorAll('g.yaxislayer-above text')].filter(t => t.textContent.trim());
  return {scrolls: box.scrollWidth > box.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX),
          rows: labels.length, font: Math.min(...labels.map(t => parseFloat(getComputedStyle(t).fontSize)))}; }"""
PHONE_MIN_FONT = 11  # px: the smallest row label that stays readable on a phone
CHART_WIDTHS = """() => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
  .filter(p => p.getBoundingClientRect().height > 0).map(p => Math.round(p.getBoundingClientRect().width))"""


@pytest.mark.parametrize("lang", ["en", "ko"])  # Korean labels are often wider (issue 18)
@pytest.mark.parametrize("size", ["laptop", pytest.param("phone", marks=pytest.mark.slow)])  # phone: make test-slow
@pytest.mark.parametrize("name", list(PAGES))
def test_no_cut_labels_or_overlapping_ticks(app_server, browser, name, size, lang):
    viewport = LAPTOP if size == "laptop" else PHONE
    context, page = new_page(browser, viewport)
    try:
        load(page, f"{app_server['url']}/{PAGES[name]}?lang={lang}")
        page.wait_for_timeout(1500)  # charts settle (autosize after the first draw)
        cut = page.evaluate(CUT_LABELS)
        overlaps = page.evaluate(OVERLAPS)
        chart_text = page.evaluate(CHART_TEXT_OVERFLOW)
        widths = page.evaluate(CHART_WIDTHS)
        map_size = page.evaluate(PHONE_MAP) if name == "map" else None
        gantt = page.evaluate(PHONE_GANTT) if name == "timeline" else None
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}_{lang}_{viewport['width']}x{viewport['height']}.png"),
                        full_page=True)
    finally:
        context.close()
    where = f"{name} ({lang}) at {viewport['width']}×{viewport['height']}"
    assert cut == [], f"{where}: labels cut: {cut}"
    assert overlaps == [], f"{where}: tick labels overlap: {overlaps[:10]}"
    assert chart_text == [], f"{where}: chart text cut at the chart's edge: {chart_text[:10]}"
    if size == "phone":
        assert all(w >= PHONE_MIN_CHART_WIDTH for w in widths), f"{where}: a chart narrower than the screen: {widths}"
        if map_size is not None:
            assert map_size[0] >= PHONE_MIN_CHART_WIDTH and map_size[1] >= 200, f"{where}: map {map_size}"
        if name == "timeline":
            assert gantt and gantt["scrolls"] and gantt["rows"] > 0, f"{where}: the Gantt does not scroll: {gantt}"
            assert gantt["font"] >= PHONE_MIN_FONT, f"{where}: Gantt row labels at {gantt['font']} px"


@pytest.mark.parametrize("lang", ["en", pytest.param("ko", marks=pytest.mark.slow)])
@pytest.mark.parametrize("viewport", [SMALL_LAPTOP, LAPTOP], ids=["1280", "1366"])
@pytest.mark.parametrize("name", list(PAGES))
def test_side_tables_show_every_column(app_server, browser, name, viewport, lang):
    """A table in a column beside other content (the Map's ranking) does not scroll sideways: no column cut."""
    context, page = new_page(browser, viewport)
    try:
        load(page, f"{app_server['url']}/{PAGES[name]}?lang={lang}")
        page.wait_for_timeout(1000)  # the grids size their columns after the first draw
        cut = page.evaluate(SIDE_TABLES_CUT)
    finally:
        context.close()
    assert cut == [], f"{name} ({lang}) at {viewport['width']}×{viewport['height']}: side tables cut: {cut}"


@pytest.mark.parametrize("lang", ["en", pytest.param("ko", marks=pytest.mark.slow)])
@pytest.mark.parametrize("viewport", [SMALL_LAPTOP, LAPTOP], ids=["1280", "1366"])
@pytest.mark.parametrize("name", list(PAGES))
def test_control_labels_keep_to_one_line_on_a_laptop(app_server, browser, name, viewport, lang):
    """On a 1280×720 and a 1366×768 laptop no label of the app's controls is cut, nor broken onto a second line
    ("Play the years" beside the Map's year slider, the Data page's database download button)."""
    context, page = new_page(browser, viewport)
    try:
        load(page, f"{app_server['url']}/{PAGES[name]}?lang={lang}")
        page.wait_for_timeout(1000)
        wrapped, cut = page.evaluate(WRAPPED_LABELS), page.evaluate(CUT_LABELS)
    finally:
        context.close()
    where = f"{name} ({lang}) at {viewport['width']}×{viewport['height']}"
    assert cut == [], f"{where}: labels cut: {cut}"
    assert wrapped == [], f"{where}: labels on two lines: {wrapped}"


BAR_TEXT_SIZES = """() => [...document.querySelectorAll('.js-plotly-plot text.bartext')]
    .filter(t => t.textContent.trim())
    .map(t => [t.textContent.trim(), parseFloat(getComputedStyle(t).fontSize) * Math.abs(t.getCTM().a)])"""
# drawn size: Plotly shrinks a label to fit inside its bar with a scale() transform, not with its font size
MIN_BAR_TEXT_PX = 10


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_bar_value_labels_keep_a_readable_size(app_server, browser, lang):
    """The Overview's bars carry their values as text: none may be shrunk below 10 px to fit inside a short bar
    (bars coloured by region were stacked, and Plotly drew '4,317' at about 6 px inside them)."""
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, f"{app_server['url']}/?lang={lang}")
        page.wait_for_timeout(1000)
        sizes = page.evaluate(BAR_TEXT_SIZES)
    finally:
        context.close()
    assert len(sizes) >= 10, sizes
    small = [(text, size) for text, size in sizes if size < MIN_BAR_TEXT_PX]
    assert small == [], f"bar labels below {MIN_BAR_TEXT_PX} px: {small}"

"""Real Chromium at 1920×1080 against `streamlit run`: every Timeline chart draws its marks, its labels are readable
(computed font size ≥ 12 px), and screenshots land in /tmp for a person to look at."""

from __future__ import annotations

import pytest

from tests.helpers import wait_for_app

pytestmark = pytest.mark.browser

# chart key → CSS selectors of the SVG marks it must draw (each must match at least one element)
CHARTS = {
    "tl_gantt": [".barlayer .bars path", ".scatterlayer path.point"],
    "tl_value": [".barlayer .bars path", ".scatterlayer .js-line"],
    "tl_units": [".barlayer .bars path"],
    "tl_book": [".scatterlayer .js-fill"],
    "tl_book_now": [".barlayer .bars path"],
    "tl_speed": [".scatterlayer path.point"],
}
MIN_FONT_PX = 12

FONT_SIZES = """(root) => [...root.querySelectorAll('svg text')]
    .filter(t => t.textContent.trim() && getComputedStyle(t).display !== 'none'
                 && getComputedStyle(t).visibility !== 'hidden')
    .map(t => [t.textContent.trim().slice(0, 40), parseFloat(getComputedStyle(t).fontSize)])"""


def open_timeline(page, url: str, query: str = "") -> None:
    # Streamlit decides at the first run of a fresh server whether the app uses a pages/ folder; opening the
    # entry point first lets st.navigation register the pages before a deep link is followed.
    page.goto(url)
    wait_for_app(page)
    page.goto(f"{url}/timeline{query}")
    wait_for_app(page, ".st-key-chart_tl_speed .js-plotly-plot")
    page.wait_for_timeout(1500)


def check_charts(page) -> dict[str, dict[str, int]]:
    counts = {}
    for key, selectors in CHARTS.items():
        plot = page.locator(f".st-key-chart_{key} .js-plotly-plot")
        assert plot.count() == 1, f"{key}: no Plotly chart"
        counts[key] = {sel: plot.locator(sel).count() for sel in selectors}
        assert all(n > 0 for n in counts[key].values()), f"{key} drew nothing: {counts[key]}"
        sizes = plot.evaluate(FONT_SIZES)
        assert len(sizes) >= 5, f"{key}: no labels"
        small = [(text, size) for text, size in sizes if size < MIN_FONT_PX]
        assert not small, f"{key}: labels below {MIN_FONT_PX} px: {small[:5]}"
    return counts


def test_every_timeline_chart_is_drawn_with_readable_labels(app_server, page, built_db):
    open_timeline(page, app_server["url"])
    page.screenshot(path="/tmp/timeline_1920x1080.png")
    counts = check_charts(page)
    # the Gantt draws one signing marker per deal (plus framework headers): hundreds of deals, a few traces
    signed = built_db.execute("""SELECT count(*) FROM deals
        WHERE status IN ('contract', 'delivering', 'completed')""").fetchone()[0]
    assert counts["tl_gantt"][".scatterlayer path.point"] >= signed
    assert page.locator(".st-key-chart_tl_gantt .scatterlayer .trace").count() <= 8
    for n, key in enumerate(["tl_value", "tl_book", "tl_speed"], start=2):
        page.locator(f".st-key-chart_{key}").scroll_into_view_if_needed()
        page.wait_for_timeout(400)
        page.screenshot(path=f"/tmp/timeline_1920x1080_{n}.png")
    assert page.external_requests == []


def test_one_country_on_the_tiv_basis(app_server, page):
    open_timeline(page, app_server["url"], "?country=POL&basis=tiv")
    tiv_charts = {**CHARTS, "tl_value": [".barlayer .bars path"]}  # no USD line on the TIV basis
    for key, selectors in tiv_charts.items():
        plot = page.locator(f".st-key-chart_{key} .js-plotly-plot")
        assert all(plot.locator(sel).count() > 0 for sel in selectors), key
    value = page.locator(".st-key-chart_tl_value .js-plotly-plot")
    assert value.locator(".scatterlayer .js-line").count() == 0
    assert "TIV" in value.locator(".g-ytitle").text_content()
    page.screenshot(path="/tmp/timeline_poland_tiv_1920x1080.png")
    assert page.external_requests == []

"""Real Chromium: a chart's "Data behind this chart" popover makes its table and downloads only while it is open
(issue 17, ui.chart_data). Closed, the page holds no preview table and no download button; opened, the table and
both downloads come without a rerun of the page (no chart is mounted anew), and after a filter change the popover
holds the rows of the new filters, not those of the run before."""

from __future__ import annotations

import csv
import io

import pytest

from tests.browser.a11y import LAPTOP, load, new_page
from tests.helpers import wait_for_app

pytestmark = pytest.mark.browser

WAIT = 120_000
BODY = "[data-testid='stPopoverBody']"
IN_MAIN = "[data-testid='stMain']"
TAG_CHARTS = "() => document.querySelectorAll('.js-plotly-plot').forEach(gd => { gd.__kdKept = true; })"
REMOUNTED = "() => [...document.querySelectorAll('.js-plotly-plot')].filter(gd => !gd.__kdKept).length"


def data_button(page, chart_key: str):
    """The "Data behind this chart" button under the chart `chart_key` (its popover's key is data_<chart key>)."""
    return page.locator(f".st-key-data_{chart_key} button").first


def open_data(page, chart_key: str) -> None:
    button = data_button(page, chart_key)
    button.scroll_into_view_if_needed()
    button.click()
    page.wait_for_selector(f"{BODY} [data-testid='stDataFrame']", timeout=WAIT)
    page.wait_for_selector(f"{BODY} [data-testid='stDownloadButton']", timeout=WAIT)


def download_csv(page) -> list[dict]:
    with page.expect_download(timeout=WAIT) as info:
        page.locator(f"{BODY} [class*='st-key-dl_csv_'] button").click()
    return list(csv.DictReader(io.StringIO(info.value.path().read_text(encoding="utf-8-sig"))))


def close_popover(page) -> None:
    page.keyboard.press("Escape")
    page.wait_for_selector(BODY, state="detached", timeout=WAIT)


def test_timeline_popovers_are_made_when_opened_and_follow_the_filters(app_server, browser):
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, f"{app_server['url']}/timeline")
        assert page.locator(".st-key-data_tl_gantt, .st-key-data_tl_book_now").count() == 2
        closed = page.evaluate(f"""() => ({{
            tables: document.querySelectorAll("{IN_MAIN} [data-testid='stDataFrame']").length,
            downloads: document.querySelectorAll("[data-testid='stDownloadButton']").length}})""")
        assert closed == {"tables": 1, "downloads": 0}, closed  # the one table: the context events' expander

        # the order book's popover sits in a fragment (the Measure switch) inside the page: opened alone
        page.evaluate(TAG_CHARTS)
        open_data(page, "tl_book_now")
        assert page.evaluate(REMOUNTED) == 0, "opening a popover redrew the page's charts"
        assert page.locator(f"{BODY} [data-testid='stDownloadButton']").count() == 2
        rows = download_csv(page)
        assert rows and {"recipient", "units_outstanding"} <= set(rows[0]), rows[:1]
        close_popover(page)
        assert page.locator("[data-testid='stDownloadButton']").count() == 0

        # a filter change, then the Gantt's popover: its rows are those of the new filters
        page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.locator(
            ".react-aria-ComboBox button[aria-label='Open']").click()
        page.get_by_role("option", name="Europe", exact=True).click()
        page.keyboard.press("Escape")
        page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].some(gd => !gd.__kdKept)",
                               timeout=WAIT)
        wait_for_app(page, ".st-key-chart_tl_speed .js-plotly-plot")
        open_data(page, "tl_gantt")
        rows = download_csv(page)
    finally:
        context.close()
    regions = {row["recipient_region"] for row in rows if row.get("selected", "True") in ("True", "true", "1")}
    assert rows and regions == {"Europe"}, regions

"""Keyboard alone (issue 16), the control kinds test_keyboard.py leaves out: the pages' own selectboxes,
multiselects, toggles, text inputs and text areas, buttons, download buttons and popovers. Each is reached with Tab
(from the top of the page) and operated with the keys a keyboard user has (typing, arrows, Enter, Space, Escape);
each test then checks what the app did: the URL, the rerun's rendered result, or the file the browser received.
"""

from __future__ import annotations

import re
import zipfile

import pytest

from tests.browser.a11y import LAPTOP, load, new_page
from tests.browser.test_keyboard import focus_by_tab, from_the_top
from tests.helpers import wait_until_settled

pytestmark = pytest.mark.browser
WAIT = 120_000


def control(key: str, tag: str = "INPUT") -> str:
    """A predicate on document.activeElement: the `tag` element inside the widget whose key is `key`."""
    return f"el => el.tagName === {tag!r} && !!el.closest('.st-key-{key}')"


def button(text: str) -> str:
    return f"el => el.tagName === 'BUTTON' && el.innerText.includes({text!r})"


def shapes(chart_key: str) -> str:
    return (f"() => {{ const g = document.querySelector('.st-key-{chart_key} .js-plotly-plot');"
            " return g && g.layout ? (g.layout.shapes || []).length : -1; }")


def flow_points(chart_key: str) -> str:
    """The points of the map's flow lines (the flow traces stay when the flows are off, with no points)."""
    return (f"() => {{ const g = document.querySelector('.st-key-{chart_key} .js-plotly-plot');"
            " return g && g._fullData ? g._fullData.filter(d => d.type === 'scattergeo' && d.lat"
            " && String(d.mode).includes('lines')).reduce((n, d) => n + d.lat.length, 0) : -1; }")


def settled(page) -> None:
    wait_until_settled(page, WAIT)
    page.wait_for_timeout(500)


@pytest.mark.slow
def test_timeline_deal_picker_and_toggle(app_server, browser):
    """Timeline: the Context events toggle (Space) takes the events' lines off the Gantt; the deal picker (a
    selectbox: ArrowDown opens its list, Enter picks a deal) shows that deal alone."""
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, f"{app_server['url']}/timeline")
        lines = page.evaluate(shapes("chart_tl_gantt"))  # the context events' lines among them
        assert lines > 0, "the Gantt draws no context events by default"
        from_the_top(page)
        focus_by_tab(page, control("tl_events"))
        assert page.evaluate("() => document.activeElement.checked") is True
        page.keyboard.press("Space")
        page.wait_for_function(f"() => ({shapes('chart_tl_gantt')})() < {lines}", timeout=WAIT)
        settled(page)
        assert page.evaluate("() => document.querySelector('.st-key-tl_events input').checked") is False

        from_the_top(page)
        focus_by_tab(page, control("tl_deal"))
        page.keyboard.press("ArrowDown")
        page.wait_for_selector("[role='option']", timeout=WAIT)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        caption = page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").filter(
            has_text=re.compile(r"^One deal: "))
        caption.wait_for(timeout=WAIT)
        settled(page)
        shown = page.input_value(".st-key-tl_deal input").strip()  # a combobox: the value is the input's
        assert shown and shown in caption.inner_text(), (shown, caption.inner_text())
    finally:
        context.close()


LAYERS = "el => el.tagName === 'BUTTON' && !!el.closest('[data-testid=\"stPopover\"]') && el.innerText.includes('Layers')"
IN_POPOVER = "el => !!el.closest('[data-testid=\"stPopoverBody\"]')"


@pytest.mark.slow
def test_map_layers_popover_and_country_profile(app_server, browser):
    """Map: the Layers popover opens on Enter, Tab reaches its Flow lines toggle and Space turns the flows off (the
    map's flow lines lose their points), Escape closes it; the country profile's selectbox takes a typed name and Enter.

    Streamlit draws a popover's body at the end of the document: without kdefense/keyboard.py the toggles came only
    after every other control of the page."""
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, f"{app_server['url']}/map")
        assert page.evaluate(flow_points("map_chart")) > 0, "the map draws no flow lines by default"
        from_the_top(page)
        focus_by_tab(page, LAYERS)
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-testid='stPopoverBody'] .st-key-map_flows", timeout=WAIT)
        focus_by_tab(page, control("map_flows"), limit=6)  # the outline's help and pills come first
        assert page.evaluate("() => document.activeElement.checked") is True
        page.keyboard.press("Space")
        page.wait_for_function(f"() => ({flow_points('map_chart')})() === 0", timeout=WAIT)
        settled(page)
        assert page.evaluate("() => document.querySelector('.st-key-map_flows input').checked") is False
        page.keyboard.press("Escape")
        page.wait_for_selector("[data-testid='stPopoverBody']", state="hidden", timeout=WAIT)
        assert page.evaluate(f"() => ({LAYERS})(document.activeElement)"), "Escape did not return to Layers"

        # open again: Shift+Tab from its first control goes back to Layers; Tab past its last control closes it and
        # goes on to the page's next control (the replay's Play toggle), not to the document's start
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-testid='stPopoverBody'] .st-key-map_flows", timeout=WAIT)
        page.keyboard.press("Tab")
        assert page.evaluate(f"() => ({IN_POPOVER})(document.activeElement)")
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(f"() => ({LAYERS})(document.activeElement)")
        focus_by_tab(page, f"el => !({IN_POPOVER})(el)", limit=8)
        assert page.evaluate(f"() => ({control('mapkb_play')})(document.activeElement)"), \
            page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
        page.wait_for_selector("[data-testid='stPopoverBody']", state="hidden", timeout=WAIT)

        from_the_top(page)
        focus_by_tab(page, control("map_profile"))
        page.keyboard.type("Poland")  # the only match: ArrowDown puts the highlight on it either way
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.locator("[data-testid='stMain'] h3").filter(has_text=re.compile(r"^Poland$")).wait_for(timeout=WAIT)
    finally:
        context.close()


PLOTTED = """(name) => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
  .some(g => (g.data || []).some(d => d.name === name || String(d.text || '').includes(name)))"""


@pytest.mark.slow
def test_suppliers_multiselect_and_selectbox(app_server, browser):
    """Suppliers: a supplier typed into the comparison (a multiselect: type, Enter, Escape) is drawn; the Recipient
    markets view (arrow + Enter) has a window selectbox, which takes a typed window and Enter."""
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, f"{app_server['url']}/suppliers")
        assert not page.evaluate(PLOTTED, "Sweden")
        from_the_top(page)
        focus_by_tab(page, control("sup_suppliers"))
        page.keyboard.type("Swed")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.wait_for_function(PLOTTED, arg="Sweden", timeout=WAIT)
        assert "Sweden" in page.locator(".st-key-sup_suppliers").inner_text()
        settled(page)

        from_the_top(page)
        focus_by_tab(page, "el => el.getAttribute('role') === 'radio' && !!el.closest('.st-key-sup_view')")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        page.wait_for_selector(".st-key-sup_window", timeout=WAIT)
        settled(page)
        assert "2015" not in page.input_value(".st-key-sup_window input")
        from_the_top(page)
        focus_by_tab(page, control("sup_window"))
        page.keyboard.type("2015")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        titles = """() => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot .gtitle')]
          .map(t => t.textContent).join(' ')"""
        page.wait_for_function(f"() => ({titles})().includes('2015–19')", timeout=WAIT)  # the chosen window's
        settled(page)
        assert page.input_value(".st-key-sup_window input").startswith("2015"), "the selectbox shows another window"
    finally:
        context.close()


def download_by_enter(page) -> tuple[str, bytes]:
    """Enter on the focused download button; the file the browser received."""
    with page.expect_download(timeout=WAIT) as info:
        page.keyboard.press("Enter")
    download = info.value
    path = download.path()
    assert download.failure() is None
    return download.suggested_filename, path.read_bytes()


@pytest.mark.slow
def test_tenders_chart_popover_download(app_server, browser):
    """Tenders: a chart's data popover opens on Enter, Tab reaches its Download CSV and Enter downloads the CSV."""
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, f"{app_server['url']}/tenders")
        from_the_top(page)
        focus_by_tab(page, button("Data behind this chart"))
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-testid='stPopoverBody'] button:has-text('Download CSV')", timeout=WAIT)
        focus_by_tab(page, "el => el.tagName === 'BUTTON' && !!el.closest('[class*=\"st-key-dl_csv_\"]')", limit=30)
        name, data = download_by_enter(page)
    finally:
        context.close()
    assert name.endswith(".csv"), name
    assert data.count(b"\n") >= 2, data[:200]


@pytest.mark.slow
def test_data_page_downloads(app_server, browser, tmp_path):
    """Data & method: Enter on the DuckDB file's button downloads the database; Enter on "Make the Parquet zip"
    makes it, and Enter on the download that replaces it downloads a zip with its README."""
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, f"{app_server['url']}/data")
        from_the_top(page)
        focus_by_tab(page, control("dl_all_duckdb", "BUTTON"))
        name, data = download_by_enter(page)
        assert name.endswith(".duckdb") and data[8:12] == b"DUCK", (name, data[:16])

        from_the_top(page)
        focus_by_tab(page, control("make_parquet", "BUTTON"))
        page.keyboard.press("Enter")
        page.wait_for_selector(".st-key-dl_all_parquet button", timeout=WAIT)
        settled(page)
        from_the_top(page)
        focus_by_tab(page, control("dl_all_parquet", "BUTTON"))
        name, data = download_by_enter(page)
    finally:
        context.close()
    assert name.endswith(".zip"), name
    (tmp_path / name).write_bytes(data)
    files = zipfile.ZipFile(tmp_path / name).namelist()
    assert any("README" in f for f in files) and any(f.endswith(".parquet") for f in files), files


TYPED = re.compile(r"sql=SELECT(\+|%20)42(\+|%20)AS(\+|%20)answer")


# Counts the script runs that finish from now on (the app root's state going from running to notRunning).
COUNT_RUNS = """() => { const app = document.querySelector('[data-testid="stApp"]'); window.kdRuns = 0;
  let running = false;
  new MutationObserver(() => { const now = app.dataset.testScriptState;
    if (now === 'running') running = true; else if (running && now === 'notRunning') { running = false; window.kdRuns++; }
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""


@pytest.mark.slow
def test_sql_typed_and_run_by_keyboard(app_server, browser):
    """SQL: a query typed into the editor, one Tab to Run query (which keeps the focus through the rerun that commits
    the text) and Enter runs it (kept in the URL, its rows shown); the Example queries popover opens on Enter, Tab
    goes into it and Enter on an example runs that."""
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, f"{app_server['url']}/sql")
        from_the_top(page)
        focus_by_tab(page, control("sql_text", "TEXTAREA"))
        page.evaluate(COUNT_RUNS)
        page.keyboard.type("SELECT 42 AS answer")
        page.keyboard.press("Tab")
        page.wait_for_function("() => window.kdRuns > 0", timeout=WAIT)  # the text was sent: the script ran
        settled(page)
        assert page.evaluate(f"() => ({control('sql_run', 'BUTTON')})(document.activeElement)"), \
            page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
        page.keyboard.press("Enter")
        page.wait_for_url(TYPED, timeout=WAIT)
        page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").filter(
            has_text=re.compile(r"^1 rows")).wait_for(timeout=WAIT)
        page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first.wait_for(timeout=WAIT)
        settled(page)

        from_the_top(page)
        focus_by_tab(page, button("Example queries"))
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-testid='stPopoverBody'] .st-key-sql_example_0", timeout=WAIT)
        focus_by_tab(page, control("sql_example_0", "BUTTON"), limit=1)  # the popover's first control
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "sql=" in url and not TYPED.search(url), timeout=WAIT)
    finally:
        context.close()


@pytest.mark.slow
def test_sidebar_search_toggle_and_reset(app_server, browser):
    """The sidebar's Search (a text input: type, Enter), NATO toggle (Space) and Reset filters button (Enter), each
    seen in the URL."""
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, f"{app_server['url']}/deals")
        from_the_top(page)
        focus_by_tab(page, control("flt_nato"))
        page.keyboard.press("Space")
        page.wait_for_url(re.compile(r"nato=1"), timeout=WAIT)
        settled(page)
        from_the_top(page)
        focus_by_tab(page, control("flt_q"))
        page.keyboard.type("K9")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"q=K9"), timeout=WAIT)
        settled(page)
        from_the_top(page)
        focus_by_tab(page, control("flt_reset", "BUTTON"))
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "q=" not in url and "nato=" not in url, timeout=WAIT)
    finally:
        context.close()

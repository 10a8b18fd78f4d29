"""Keyboard alone (issue 16): Tab reaches every control of every page, and the keys operate them: the shared
filters, a chart's data popover, the map's replay (year and Play/Pause), the deal card and a deck's slides.

Focus is watched with a `focusin` listener that marks every element that ever had focus; a control no Tab press
reaches is listed by its label.
"""

from __future__ import annotations

import re

import pytest

from kdefense import briefing
from tests.browser.a11y import LAPTOP, PAGES, load, new_page
from tests.helpers import wait_until_settled

pytestmark = pytest.mark.browser
WATCH = """() => { window.kdReached = new Set();
  document.addEventListener('focusin', e => { e.target.dataset.kdReached = '1'; }, true); }"""
# The page's own controls (main area and sidebar), visible and enabled; inside a table only the grid itself. The
# options of a segmented control, radio group or tab list are one control: ARIA's roving focus gives the group one
# Tab stop (the chosen option) and the arrow keys move between its options (React Aria takes the others out of the
# Tab order with a key handler, not always with tabindex -1), so the group counts as reached when one of its options
# had focus. Left out: the content of a closed expander, and Streamlit's own hover toolbars (table
# search/download/fullscreen) and heading anchors, which Streamlit keeps out of the Tab order (listed in
# docs/accessibility.md).
CONTROLS = """() => {
  const label = el => (el.getAttribute('aria-label') || el.innerText || el.value || el.title || el.tagName)
    .trim().slice(0, 50);
  const controls = new Map();
  for (const root of document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebar"]')) {
    for (const el of root.querySelectorAll('button, a[href], input:not([type="hidden"]), textarea, select, '
        + 'summary, [role="slider"], [role="tab"], [role="radio"], [role="switch"], [tabindex]:not([tabindex="-1"])')) {
      const group = el.matches('[role="radio"], [role="tab"]') && el.closest('[role="radiogroup"], [role="tablist"]');
      if (el.disabled || (el.getAttribute('tabindex') === '-1' && !group)
          || (el.closest('details:not([open])') && !el.matches('details > summary'))
          || el.closest('[data-testid="stElementToolbar"], [data-testid="stHeaderActionElements"]')
          || el.closest('.js-plotly-plot, [data-testid="stDataFrameResizable"] *')
          || el.closest('[aria-hidden="true"]') || el.getBoundingClientRect().width === 0
          || getComputedStyle(el).visibility === 'hidden') continue;
      const key = group || el, known = controls.get(key);
      const reached = el.dataset.kdReached === '1' || (known ? known.reached : false);
      controls.set(key, {reached, label: group ? `${label(group)} (group)` : label(el)});
    }
  }
  return [...controls.values()];
}"""


def from_the_top(page) -> None:
    """Focus back at the start of the document (the next Tab goes to its first control)."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")


def tab_through(page, presses: int) -> None:
    from_the_top(page)
    for _ in range(presses):
        page.keyboard.press("Tab")


@pytest.mark.slow  # nine pages, Tab pressed ~2 × their controls each: make test-slow
@pytest.mark.parametrize("name", list(PAGES))
def test_tab_reaches_every_control(app_server, browser, name):
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, f"{app_server['url']}/{PAGES[name]}")
        page.evaluate(WATCH)
        controls = page.evaluate(CONTROLS)
        tab_through(page, 2 * len(controls) + 20)
        controls = page.evaluate(CONTROLS)
    finally:
        context.close()
    missed = [c["label"] for c in controls if not c["reached"]]
    assert controls and missed == [], f"{name}: no Tab stop for {missed}"


# A slider's thumb: Streamlit's sliders (React Aria) put a visually hidden <input type="range"> in it, which takes
# the focus and the arrow keys; older ones had a div with role="slider".
SLIDER = "(el => el.matches('input[type=\"range\"], [role=\"slider\"]'))"


def focus_by_tab(page, predicate: str, limit: int = 250, key: str = "Tab") -> None:
    """Press Tab (or `key`) until `predicate(document.activeElement)` (a JS arrow function) holds."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(f"() => ({predicate})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {predicate}")


@pytest.mark.slow
def test_filters_and_a_chart_popover_by_keyboard(app_server, browser):
    """Overview: the value basis (a radio group: Tab reaches the selected option, an arrow key the next, Enter picks it), a
    region (type and Enter), the year range (arrow keys on the slider's range input), then a chart's data popover
    opens on Enter and closes on Escape."""
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, app_server["url"] + "/")
        from_the_top(page)
        focus_by_tab(page, "el => el.getAttribute('role') === 'radio' && !!el.closest('.st-key-flt_basis')")
        page.keyboard.press("ArrowRight")
        assert "SIPRI TIV" in page.evaluate("() => document.activeElement.innerText")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"basis=tiv"), timeout=120_000)
        focus_by_tab(page, "el => el.tagName === 'INPUT' && !!el.closest('.st-key-flt_region')")
        page.keyboard.type("Euro")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.wait_for_url(re.compile(r"region=Europe"), timeout=120_000)
        first = re.search(r"[?&]from=(\d{4})", page.url).group(1)
        focus_by_tab(page, f"el => {SLIDER}(el) && !!el.closest('.st-key-flt_years')")
        page.keyboard.press("ArrowRight")
        page.wait_for_url(lambda url: f"from={int(first) + 1}" in url, timeout=120_000)
        load(page, page.url)
        from_the_top(page)
        focus_by_tab(page, "el => el.tagName === 'BUTTON' && el.innerText.includes('Data behind this chart')")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-testid='stPopoverBody'] button:has-text('Download CSV')", timeout=60_000)
        page.keyboard.press("Escape")
        page.wait_for_selector("[data-testid='stPopoverBody']", state="hidden", timeout=60_000)
    finally:
        context.close()


YEAR_LABEL = """() => { const a = [...document.querySelectorAll('.st-key-map_chart .annotation-text, '
  + '[class*="st-key-map_chart"] .annotation-text')].map(t => t.textContent.trim()); return a.join(' '); }"""


@pytest.mark.slow
def test_map_replay_by_keyboard(app_server, browser):
    """The map's year: the page's slider takes the arrow keys; its Play toggle takes Space, replays the years, and
    Space again pauses (Plotly's own SVG controls have no Tab stop)."""
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, app_server["url"] + "/map")
        page.wait_for_selector(".st-key-map_chart .annotation-text", timeout=120_000)
        last = page.evaluate(YEAR_LABEL)
        from_the_top(page)
        focus_by_tab(page, f"el => {SLIDER}(el) && !!el.closest('.st-key-mapkb_year')")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        earlier = str(int(last[-4:]) - 2)  # the year label ends with the year shown ("1972–2024")
        page.wait_for_function(f"() => ({YEAR_LABEL})().endsWith({earlier!r})", timeout=120_000)
        focus_by_tab(page, "el => el.tagName === 'INPUT' && !!el.closest('.st-key-mapkb_play')", limit=10,
                     key="Shift+Tab")
        page.keyboard.press("Space")
        page.wait_for_function(f"() => ({YEAR_LABEL})() === {last!r}", timeout=180_000)  # replayed to the end
        page.wait_for_function("() => !document.querySelector('.st-key-mapkb_play input').checked", timeout=180_000)
    finally:
        context.close()


def test_deal_card_opens_with_the_keyboard_alone(app_server, browser):
    """The page says how (Tab into the table, arrows, Shift+Space) and doing exactly that opens the card."""
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, f"{app_server['url']}/deals")
        hint = page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").filter(has_text="Shift+Space")
        assert hint.count() >= 1
        grid = page.locator("[data-testid='stDataFrame'] [role='grid'], [data-testid='stDataFrame'] canvas").first
        grid.focus()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Shift+Space")
        page.wait_for_url(lambda url: "deal=" in url, timeout=60_000)
        page.wait_for_selector("[data-testid='stMetric']", timeout=180_000)
        assert page.locator("h2").filter(has_text="—").count() == 1  # the card's heading: "Recipient — System"
    finally:
        context.close()


def test_a_deck_by_keyboard(app_server, browser):
    """Briefing: a slide link opens on Enter; in the deck, Tab reaches Next, Enter moves on, and no invisible
    control takes focus (the clicker keys are not Tab stops)."""
    deck = next(iter(briefing.load_decks().values()))
    context, page = new_page(browser, LAPTOP)
    try:
        load(page, f"{app_server['url']}/briefing")
        link = page.locator("[data-testid='stMain'] a[href*='slide=1']").first
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "present=1" in url and "slide=1" in url, timeout=60_000)
        page.wait_for_selector(".kd-slide-title", timeout=180_000)
        page.wait_for_function("() => document.body.innerText.includes('Slide 1 / ')", timeout=180_000)
        page.evaluate(WATCH)
        wait_until_settled(page)  # a click during a rerun loses focus to <body> when the rerun redraws the title
        stops = []
        page.locator(".kd-slide-title").click()
        for _ in range(8):
            page.keyboard.press("Tab")
            stops.append(page.evaluate("""() => { const a = document.activeElement, r = a.getBoundingClientRect();
                return {label: (a.innerText || a.getAttribute('aria-label') || a.tagName).trim(),
                        left_the_page: a === document.body,
                        onscreen: r.width > 0 && r.right > 0 && r.left < innerWidth && r.bottom > 0
                                  && r.top < innerHeight}; }"""))
            if stops[-1]["label"].startswith("Next"):
                break
        # Now and then (1 run in 12 here) the click leaves Chrome's focus starting point after the last control, and
        # the first Tab leaves the page (focus on <body>, the browser's own toolbar in a headed window); the next Tab
        # comes back at the skip link. That is no control, so it is not counted; every control reached must be seen.
        controls = [s for s in stops if not s["left_the_page"]]
        assert all(s["onscreen"] for s in controls), f"an off-screen Tab stop: {stops}"
        assert stops[-1]["label"].startswith("Next"), stops
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "slide=2" in url, timeout=120_000)
        page.wait_for_function("() => document.body.innerText.includes('Slide 2 / ')", timeout=180_000)
        if deck.slides[1].title:
            assert page.locator(".kd-slide-title").inner_text().strip() == deck.slides[1].title
    finally:
        context.close()


# The option groups of the page's main area (segmented controls, radio groups, tab lists), by their accessible name
# and, for names shared by several groups, their rank.
GROUPS = """() => [...document.querySelectorAll('[data-testid="stMain"] :is([role="radiogroup"], [role="tablist"])')]
  .filter(g => g.getBoundingClientRect().width > 0 && !g.closest('details:not([open]), [aria-hidden="true"]'))
  .map(g => ({name: g.getAttribute('aria-label') || g.getAttribute('role'),
              options: [...g.querySelectorAll('[role="radio"], [role="tab"]')].map(o => o.innerText.trim()),
              chosen: [...g.querySelectorAll('[role="radio"], [role="tab"]')].findIndex(o =>
                o.getAttribute('aria-checked') === 'true' || o.getAttribute('aria-selected') === 'true')}))"""
IN_GROUP = """(name, rank) => el => { const g = el.closest('[role="radiogroup"], [role="tablist"]');
  if (!g || !el.matches('[role="radio"], [role="tab"]') || !g.closest('[data-testid="stMain"]')) return false;
  const same = [...document.querySelectorAll('[data-testid="stMain"] :is([role="radiogroup"], [role="tablist"])')]
    .filter(x => (x.getAttribute('aria-label') || x.getAttribute('role')) === name);
  return same.indexOf(g) === rank; }"""
CHOSEN = """([name, rank, option]) => { const g = [...document.querySelectorAll(
    '[data-testid="stMain"] :is([role="radiogroup"], [role="tablist"])')]
  .filter(x => (x.getAttribute('aria-label') || x.getAttribute('role')) === name)[rank];
  const o = g && [...g.querySelectorAll('[role="radio"], [role="tab"]')].find(o => o.innerText.trim() === option);
  return !!o && (o.getAttribute('aria-checked') === 'true' || o.getAttribute('aria-selected') === 'true'); }"""


@pytest.mark.slow  # every option group of every page, each reached from the top of the page: make test-slow
@pytest.mark.parametrize("name", ["timeline", "map", "suppliers", "tenders", "briefing"])  # the pages that have some
def test_every_option_group_is_operated_by_keyboard(app_server, browser, name):
    """Every segmented control, radio group and tab list of the page's main area: Tab reaches its chosen option, an
    arrow key moves to the neighbouring option and Enter chooses it (the page reruns with it chosen)."""
    context, page = new_page(browser, LAPTOP)
    operated = []
    try:
        load(page, f"{app_server['url']}/{PAGES[name]}")
        groups = page.evaluate(GROUPS)
        seen: dict[str, int] = {}
        for group in groups:
            rank = seen[group["name"]] = seen.get(group["name"], -1) + 1
            if len(group["options"]) < 2 or group["chosen"] < 0:
                continue
            last = group["chosen"] == len(group["options"]) - 1
            target = group["options"][group["chosen"] + (-1 if last else 1)]
            from_the_top(page)
            focus_by_tab(page, f"({IN_GROUP})({group['name']!r}, {rank})")
            page.keyboard.press("ArrowLeft" if last else "ArrowRight")
            page.keyboard.press("Enter")
            page.wait_for_function(CHOSEN, arg=[group["name"], rank, target], timeout=120_000)
            load(page, page.url)  # the rerun drawn before the next group
            operated.append(f"{group['name']} -> {target}")
    finally:
        context.close()
    assert operated, f"{name}: no option group in the main area ({groups})"

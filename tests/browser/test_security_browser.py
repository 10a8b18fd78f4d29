"""Issue 19, item 1: script and markup injection through URL values, unknown parameter names and decks kept in the
link, on every page and in presentation mode, in real Chromium: no dialog, no element from a payload in the DOM,
no request to another host. Also the sidebar toggles (item 12) and /overview (item 7)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from kdefense.briefing import Deck, Slide
from tests.helpers import wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # make test-slow
EVIL = "evil.example"
PAYLOADS = [
    "<svg><script>alert(document.domain)</script></svg>",
    "<iframe srcdoc='<script>parent.alert(1)</script>'></iframe>",
    f"<meta http-equiv=refresh content='0;url=//{EVIL}/r'>",
    f"<img src=//{EVIL}/i.png onerror=alert(2)>",
    f"<link rel=stylesheet href=//{EVIL}/s.css>",
    f"<object data=//{EVIL}/o></object>",
    "<style>*{display:none!important}</style>",
    "</div><h1 id=kdfake>Fake headline</h1>",
    f"[click](//{EVIL}/f)",
    f"![](//{EVIL}/t.png)",
    "<svg><script>eval(unescape(location.search.split('deal=')[1]))</script></svg>",
    "a\n\n<img src=//evil.example/n.png>",
    "<a href=javascript:alert(3)>x</a>",
]
PAGES = ["", "overview", "deals", "timeline", "map", "suppliers", "briefing", "data"]
READY = "[data-testid='stMetric'], [data-testid='stDataFrame'], .js-plotly-plot, [data-testid='stAlert'], h1"
# what a payload would leave in the DOM if it were rendered as HTML or Markdown
INJECTED = ("meta[http-equiv]",
            f"img[src*='{EVIL}']", f"link[href*='{EVIL}']", f"object[data*='{EVIL}']",
            "a[href^='javascript']", "#kdfake", "[onerror]")


def _watch(page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def _app_scripts() -> list[str]:
    """The exact text of each script the app itself writes into the page (the page's language, the popovers' Tab
    order, presentation mode's keys): any other script in the body is an injection."""
    import json

    from kdefense import keyboard, presentation

    texts = [keyboard.POPOVER_TAB_JS, presentation.KEYS_JS % json.dumps(presentation.KEY_BUTTONS),
             *(f"document.documentElement.lang = '{lang}';" for lang in ("en", "ko"))]
    return [text.strip() for text in texts]


FOREIGN_SCRIPTS = "(known) => [...document.querySelectorAll('body script')].filter(s => !known.includes(s.textContent.trim())).length"


# presentation mode draws a slide's charts in one frame of its own (<title>Slide charts</title>, or in Korean); any
# other srcdoc frame, or one whose HTML links the attacker's host from an attribute, is an injection
FOREIGN_FRAMES = """([own, evil]) => [...document.querySelectorAll('iframe[srcdoc]')].filter(f => {
  const doc = f.getAttribute('srcdoc');
  return !new RegExp(own).test(doc) || new RegExp(evil).test(doc);
}).length"""
OWN_FRAME = r"^<!doctype html><html lang='(en|ko)'><head><meta charset='utf-8'><title>[^<]*</title>"
EVIL_LINK = r"(src|href|data)\s*=\s*['\"]?(https?:)?//" + EVIL.replace(".", r"\.")


# a link that leads to the attacker's host (a link to this app whose query holds the payload as text is not one:
# the Briefing page links each slide of a user's deck with its filters, the hostile search text among them)
LINKS_TO_HOST = """(evil) => [...document.querySelectorAll('a[href]')].filter(a => {
  try { return new URL(a.getAttribute('href'), location.href).hostname.endsWith(evil); } catch (e) { return false; }
}).length"""


def _injected(page) -> dict[str, int]:
    found = {sel: page.locator(sel).count() for sel in INJECTED}
    found["body script"] = page.evaluate(FOREIGN_SCRIPTS, _app_scripts())
    found["iframe[srcdoc]"] = page.evaluate(FOREIGN_FRAMES, [OWN_FRAME, EVIL_LINK])
    found[f"a to {EVIL}"] = page.evaluate(LINKS_TO_HOST, EVIL)
    found["style with display:none"] = page.evaluate(
        "() => [...document.querySelectorAll('style')].filter(s => s.textContent.includes('*{display:none')).length")
    found["page drawn hidden"] = 0 if page.locator("[data-testid='stMain']").is_visible() else 1
    return {k: v for k, v in found.items() if v}


LOADED = 180_000  # ms: generous, the machine may be shared; nothing here asserts on time


def _open(page, url: str) -> None:
    page.goto(url, timeout=LOADED)
    wait_for_app(page, READY, timeout=LOADED)
    page.wait_for_timeout(800)


def _hostile_url(path: str, q: str, deal: str = "") -> str:
    params = [("q", q), ("country", PAYLOADS[9]), ("from", PAYLOADS[8]), ("region", PAYLOADS[3]),
              ("system", PAYLOADS[1]), (PAYLOADS[2], "1"), (PAYLOADS[7], "x")]
    if deal:
        params.append(("deal", deal))
    return f"/{path}?{urlencode(params)}"


@pytest.mark.parametrize("path", PAGES)
def test_payloads_in_url_values_and_names_stay_text_on_every_page(app_server, page, path):
    dialogs = _watch(page)
    q = PAYLOADS[PAGES.index(path) % len(PAYLOADS)]
    _open(page, app_server["url"] + _hostile_url(path, q))
    assert dialogs == []
    assert _injected(page) == {}
    assert page.external_requests == []
    if path not in ("briefing", "data"):
        assert "<svg>" in page.locator(".kd-filter-summary").inner_text() or "search" in page.locator(
            ".kd-filter-summary").inner_text()


@pytest.mark.parametrize("number", range(len(PAGES), len(PAYLOADS)))  # the others are the pages' search texts
def test_every_payload_as_search_text_on_deals(app_server, page, number):
    dialogs = _watch(page)
    _open(page, app_server["url"] + _hostile_url("deals", PAYLOADS[number], deal="alert(document.domain)"))
    assert dialogs == [] and _injected(page) == {} and page.external_requests == []
    shown = page.locator(".kd-filter-summary").inner_text()
    assert PAYLOADS[number][:40].split("\n")[0][:20] in shown  # shown as the text it is


def _hostile_deck() -> Deck:
    return Deck("hostile", PAYLOADS[0] + " " + PAYLOADS[8], PAYLOADS[9] + " " + PAYLOADS[7], (
        Slide("overview", PAYLOADS[1], PAYLOADS[3], filters={"q": PAYLOADS[10][:80]}),
        Slide("map", '=HYPERLINK("http://evil.example","x")', PAYLOADS[6], filters={"q": PAYLOADS[2][:80]}),
    ))


def test_hostile_deck_in_the_link_presents_and_lists_as_text(app_server, page):
    from kdefense.ui import user_deck_token

    dialogs = _watch(page)
    token = user_deck_token(_hostile_deck())
    for slide in (1, 2):
        _open(page, f"{app_server['url']}/{'' if slide == 1 else 'map'}?"
                    + urlencode({"present": "1", "deck": "hostile", "slide": slide, "mydeck": token}))
        page.wait_for_selector(".kd-slide-title", timeout=LOADED)
        assert "<iframe" in page.locator(".kd-slide-title").inner_text() or slide == 2
        assert _injected(page) == {}
    _open(page, f"{app_server['url']}/briefing?" + urlencode({"mydeck": token}))
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=LOADED)
    assert page.get_by_text("<svg><script>", exact=False).count() >= 1
    assert dialogs == [] and _injected(page) == {} and page.external_requests == []


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_sidebar_toggle_labels_are_not_cut(browser, app_server, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        _open(page, app_server["url"])
        page.wait_for_selector("[data-testid='stSidebar'] [data-testid='stCheckbox']", timeout=LOADED)
        labels = page.locator("[data-testid='stSidebar'] [data-testid='stCheckbox'] [data-testid='stWidgetLabel']")
        assert labels.count() == 2
        for i in range(2):
            cut = labels.nth(i).evaluate(
                "el => [el, ...el.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)")
            assert not cut, labels.nth(i).inner_text()
        assert "NATO members" in labels.nth(0).inner_text() and "EU members" in labels.nth(1).inner_text()
    finally:
        context.close()


def test_overview_answers_at_its_own_path(app_server, page):
    _open(page, app_server["url"] + "/overview?region=Europe")
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator("[data-testid='stMetric']").count() >= 3
    assert "Europe" in page.locator(".kd-filter-summary").inner_text()

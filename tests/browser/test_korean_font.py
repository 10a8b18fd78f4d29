"""Korean mode in real Chromium: Hangul in page text and in Plotly charts is drawn with the Noto Sans KR served
by the app (static/fonts), not with a font of the visitor's machine; no request leaves localhost."""

from __future__ import annotations

import re

import pytest

from tests.helpers import wait_for_app

pytestmark = pytest.mark.browser
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Every page (its URL path) and a Korean text it shows in its main area: the page title, or on the SQL page (titled
# "SQL") its run button.
PAGES = {"overview": "대한민국 방산 수출", "deals": "계약 탐색", "timeline": "타임라인", "map": "지도: 한국 무기의 행선지",
         "suppliers": "공급국 비교", "tenders": "입찰: 수주와 수주 실패", "briefing": "브리핑 덱",
         "data": "데이터와 방법론", "sql": "질의 실행"}


def fonts_for(page, cdp, selector: str) -> tuple[str, list[dict]]:
    """The text of the first node matching `selector` and the fonts Chromium used to draw it (DevTools CSS domain:
    the actual platform or web font per run of glyphs)."""
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"no {selector}"
    text = page.locator(selector).first.text_content()
    return text, cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def probe(page, text: str) -> str:
    """A selector for the innermost element whose own text is `text` (marked with a data attribute)."""
    found = page.evaluate("""(text) => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            if (walker.currentNode.textContent.trim() === text) {
                walker.currentNode.parentElement.setAttribute('data-kd-probe', text); return true; }
        }
        return false; }""", text)
    assert found, f"no element shows {text!r}"
    return f"[data-kd-probe='{text}']"


def fonts_ready(page) -> None:
    """Wait until the page's font loads have settled (a loaded machine may take a while); the glyph check after it
    is what proves the served font was used."""
    page.evaluate("async () => { await document.fonts.ready; }")
    page.wait_for_timeout(500)


def served_glyphs(fonts: list[dict]) -> int:
    return sum(f["glyphCount"] for f in fonts if f["isCustomFont"] and f["familyName"].startswith("Noto Sans KR"))


@pytest.mark.slow
@pytest.mark.parametrize("path,title", list(PAGES.items()))
def test_korean_text_is_drawn_with_the_served_font(app_server, page, path, title):
    font_requests: list[str] = []
    page.on("requestfinished", lambda r: font_requests.append(r.url) if "/static/fonts/" in r.url else None)
    page.goto(f"{app_server['url']}/{path}?lang=ko")
    wait_for_app(page, "h1", timeout=180000)
    fonts_ready(page)
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans KR\"', '한국')")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    for label in (title, "개요", "지역"):  # the page title, a navigation link, a sidebar filter label
        selector = probe(page, label)
        text, fonts = fonts_for(page, cdp, selector)
        hangul = len(HANGUL.findall(text))
        assert hangul, f"{selector}: no Korean in {text!r}"
        # every Hangul glyph comes from the served face; nothing from a system CJK font
        assert served_glyphs(fonts) >= hangul, f"{selector} {text!r}: {fonts}"
        assert not any("CJK" in f["familyName"] for f in fonts), fonts
    if path != "sql":
        assert page.locator("h1").first.text_content().strip() == title
    assert any(url.endswith(".woff2") and url.startswith(app_server["url"]) for url in font_requests)
    assert page.external_requests == []


def test_korean_chart_titles_ask_for_the_served_font(app_server, page):
    """Plotly draws SVG text, for which DevTools reports no platform fonts: check that the chart's font stack starts
    with the served family and that this family is loaded with Hangul glyphs (document.fonts.check)."""
    page.goto(f"{app_server['url']}/overview?lang=ko")
    wait_for_app(page, ".js-plotly-plot .gtitle", timeout=120000)
    fonts_ready(page)
    title = page.locator(".js-plotly-plot .gtitle").first
    assert HANGUL.search(title.text_content())
    family = title.evaluate("el => getComputedStyle(el).fontFamily")
    assert family.replace('"', "'").startswith("'Noto Sans KR'"), family
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans KR\"', '지역별')")
    assert page.evaluate("() => [...document.fonts].some(f => f.family.includes('Noto Sans KR') && f.status === 'loaded')")
    assert page.external_requests == []


def test_english_mode_does_not_download_the_korean_font_for_latin_text(app_server, page):
    """The faces are limited to Hangul (unicodeRange): an English page only fetches them for the 한국어 switch label
    and keeps its Latin text in the usual font, Streamlit's own Source Sans (served by the app), not a system font
    (a generic `sans-serif` early in the theme's font list drew it in DejaVu Sans, wider: labels cut at 1366 px)."""
    page.goto(f"{app_server['url']}/overview")
    wait_for_app(page, "[data-testid='stMetric']", timeout=120000)
    fonts_ready(page)
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    for selector in ("h1", "[data-testid='stMetricValue']", "[data-testid='stMetricLabel'] p"):
        # DevTools gives the fonts of a node's own text: measure the innermost element that holds it
        if selector == "[data-testid='stMetricValue']":
            selector = probe(page, page.locator(selector).first.text_content().strip())
        text, fonts = fonts_for(page, cdp, selector)
        assert text.strip() and not HANGUL.search(text)
        assert served_glyphs(fonts) == 0, fonts
        # DevTools names the face by its file's family name: "SourceSans3VF" (Streamlit's Source Sans 3, variable)
        assert [f["familyName"] for f in fonts if f["isCustomFont"] and "SourceSans" in f["familyName"].replace(" ", "")], \
            f"{selector} {text!r}: {fonts}"
        assert not any(not f["isCustomFont"] and f["glyphCount"] for f in fonts), f"{selector}: system font {fonts}"
    assert page.external_requests == []


FRAME_CELL = """() => { for (const f of document.querySelectorAll('iframe')) {
    const cell = f.contentDocument && f.contentDocument.querySelector('.kd-table td');
    if (cell) { cell.setAttribute('data-kd-probe', 'cell'); return cell.textContent; } }
  return null; }"""


def frame_fonts(cdp, selector: str) -> list[dict]:
    """The fonts Chromium drew the first `selector` node of any frame with (DOM.getDocument pierces frames)."""
    def find(node):
        if node.get("attributes") and "data-kd-probe" in node["attributes"][::2]:
            return node["nodeId"]
        for child in node.get("children", []) + ([node["contentDocument"]] if "contentDocument" in node else []):
            if (found := find(child)) is not None:
                return found
        return None

    node = find(cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"])
    assert node, f"no {selector} in a frame"
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_slide_frame_text_is_drawn_with_the_apps_fonts(app_server, page, lang):
    """A slide's panels are drawn in a frame of their own, which declares the app's fonts itself: Latin text in
    Streamlit's Source Sans (served by the app, as on every page), Hangul in Noto Sans KR; no system font. Before,
    the frame named 'Source Sans Pro', which nobody serves, and drew Latin text in Liberation Sans."""
    page.goto(f"{app_server['url']}/deals?present=1&deck=korea-in-europe-since-2022&slide=3&lang={lang}")
    wait_for_app(page, "iframe", timeout=180000)
    page.wait_for_function("() => [...document.querySelectorAll('iframe')].some(f => f.contentDocument"
                           " && f.contentDocument.querySelector('.kd-table td'))", timeout=120000)
    page.evaluate("""async () => { for (const f of document.querySelectorAll('iframe'))
                                     if (f.contentDocument) await f.contentDocument.fonts.ready; }""")
    page.wait_for_timeout(500)
    text = page.evaluate(FRAME_CELL)
    assert text and re.search(r"\d", text), text  # a date: Latin digits
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    fonts = frame_fonts(cdp, "[data-kd-probe='cell']")
    latin = [f for f in fonts if f["isCustomFont"] and "SourceSans" in f["familyName"].replace(" ", "")]
    assert latin and latin[0]["glyphCount"] > 0, fonts
    assert not any(not f["isCustomFont"] and f["glyphCount"] for f in fonts), f"system font: {fonts}"
    if lang == "ko":
        assert HANGUL.search(text) is None or served_glyphs(fonts) > 0, fonts
    assert page.external_requests == []

"""Presentation mode (`?present=1`): a slide designed for the screen, not the page with larger type.

The slide (kdefense/slides.py) is drawn on a 1920×1080 canvas and the canvas is zoomed to the largest size that
fits the window (CSS media queries in steps of 2 %), so it fills a 16:9 screen without scrolling at 1280×720,
1366×768, 1920×1080 or 3840×2160 and chart text scales with it. The page itself is not run: no subtitle, "Showing"
box, selectors, toggles or on-screen instructions. The footer holds the controls and, small, the filters line.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import plotly
import streamlit as st
import streamlit.components.v1 as components

from kdefense import db, queries, settings, slides, ui
from kdefense.briefing import Deck, Slide, allowed_options
from kdefense.filters import Filters, ascii_int
from kdefense.i18n import N_, current_lang, t

SLIDE_KEY = "_present_applied_slide"
PAGE_OPTION_PREFIXES = {"timeline": "tl_", "map": "map_", "suppliers": "sup_", "deals": "deals_opt_"}
PAGE_TITLES = {"overview": N_("South Korea's defence exports"), "deals": N_("Deals"), "timeline": N_("Timeline"),
               "map": N_("Where Korean arms go"), "suppliers": N_("Suppliers compared"), "data": N_("Data & method")}
CONFIG = {"displaylogo": False, "displayModeBar": False, "topojsonURL": "app/static/topojson/"}


PLOTLY_JS = f"plotly-{plotly.__version__}.min.js"


def plotly_js_url() -> str | None:
    """plotly.js served by the app itself (copied once from the plotly package into static/vendor/, not in git)."""
    target = settings.STATIC_DIR / "vendor" / PLOTLY_JS
    if not target.exists():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            shutil.copyfile(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", tmp)
            tmp.replace(target)
        except OSError:
            return None
    return f"{_static_url()}vendor/{PLOTLY_JS}"


def _static_url() -> str:
    """Absolute path of the app's static files (a frame's srcdoc has no base URL of its own)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static/" if base else "/app/static/"


def _media_url() -> str:
    """Absolute path of Streamlit's own frontend media (its fonts among them)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/static/media/" if base else "/static/media/"


def theme() -> str:
    return "dark" if st.query_params.get("theme") == "dark" else "light"


def current_slide(decks: dict[str, Deck]) -> tuple[Deck | None, int]:
    """The deck and 1-based slide number named in the URL, or (None, 0)."""
    deck = decks.get(st.query_params.get("deck", ""))
    number = ascii_int(st.query_params.get("slide", "1"), digits=3)
    if deck is None or number is None or not 1 <= number <= len(deck.slides):
        return None, 0
    return deck, number


def _ad_hoc_slide(page: str) -> Slide:
    """"Present this view" from a page: the page's current options, its own name as the title."""
    prefix = PAGE_OPTION_PREFIXES.get(page, "\0")
    options = {k: v for k, v in st.session_state.items() if isinstance(k, str) and k.startswith(prefix)
               and isinstance(v, (str, bool, list))}
    return Slide(page=page if page in slides_pages() else "overview", title=t(PAGE_TITLES[page]) if page in PAGE_TITLES else "",
                 options=options)


def slides_pages() -> tuple[str, ...]:
    return ("overview", "deals", "timeline", "map", "suppliers", "data")


@st.cache_resource(max_entries=64, show_spinner=False)
def _content(key: str, _slide: Slide, _filters: Filters, dark: bool, signature: tuple) -> slides.SlideContent:
    """A slide's content, kept between reruns and sessions (keyed by the slide, filters, theme and data version)."""
    return slides.build(_slide, _filters, dark)


def zoom_css() -> str:
    """The canvas zoom: the largest step z with 1920·z ≤ window width and 1080·z ≤ window height."""
    rules = []
    for step in range(20, 401, 2):
        z = step / 100
        rules.append(f"@media (min-width: {int(slides.CANVAS_W * z)}px) and (min-height: {int(slides.CANVAS_H * z)}px)"
                     f" {{.st-key-kd_zoom_root {{zoom: {z};}}}}")
    return "\n".join(rules)


def css(dark: bool) -> str:
    fg, bg, line = ("#f9fafb", "#0b1220", "#6b7280") if dark else ("#0b1220", "#ffffff", "#9ca3af")
    button_bg, button_fg = ("#1f2937", "#f9fafb") if dark else ("#ffffff", "#0b1220")
    return f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stSidebarNav"],
[data-testid="stElementToolbar"] {{display: none !important;}}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{background: {bg} !important;}}
[data-testid="stMain"] {{padding: 0 !important; overflow: hidden;}}
[data-testid="stMainBlockContainer"] {{padding: 0 !important; max-width: 100% !important;}}
[data-testid="stMainBlockContainer"] > div > [data-testid="stVerticalBlock"] {{gap: 0 !important;}}
.st-key-kd_slide {{width: {slides.CANVAS_W}px; padding: {slides.PAD_TOP}px {slides.PAD_X}px 0 {slides.PAD_X}px;
  gap: {slides.GAP}px !important;}}
.st-key-kd_slide [data-testid="stHorizontalBlock"] {{gap: {slides.GAP}px !important;}}
.stMain [data-testid="stElementContainer"]:has(> div > div > style),
.stMain [data-testid="stElementContainer"]:has(style:only-child) {{display: none;}}
.st-key-kd_slide iframe {{pointer-events: none; border: 0;}}
.st-key-kd_present_footer {{position: fixed; bottom: 0; left: 0; right: 0; height: {slides.FOOTER_H}px;
  z-index: 999990; background: {bg}; border-top: 1px solid {line}; padding: 6px {slides.PAD_X}px;
  box-sizing: border-box; overflow: hidden;}}
.st-key-kd_present_footer [data-testid="stHorizontalBlock"] {{flex-wrap: nowrap; gap: 12px !important;
  align-items: center;}}
.st-key-kd_present_footer button {{background: {button_bg} !important; color: {button_fg} !important;
  border: 2px solid {line} !important; min-height: 44px; white-space: nowrap; padding: 0 14px;}}
.st-key-kd_present_footer button p {{font-size: 20px !important; color: {button_fg} !important;
  white-space: nowrap;}}
.st-key-kd_present_footer button:disabled {{opacity: 0.35; border-style: dashed !important;
  text-decoration: line-through;}}
.kd-present-info {{font-size: 15px; line-height: 1.3; color: {fg}; white-space: nowrap; overflow: hidden;}}
.kd-present-info b {{font-size: 16px;}}
/* the clicker's PageUp/PageDown buttons work by their shortcuts alone: not drawn, so no Tab stop */
.st-key-kd_clicker_keys {{display: none !important;}}
.st-key-kd_slide h1.kd-slide-title {{font-size: 52px !important; font-weight: 700 !important; padding: 0 !important;
  margin: 0 !important; line-height: {slides.TITLE_H}px !important; color: {fg} !important; scroll-margin: 0;}}
.st-key-kd_slide h1.kd-slide-title a, .st-key-kd_slide h1.kd-slide-title [data-testid="stHeaderActionElements"]
  {{display: none !important;}}
/* the takeaway at its canvas size (30 px, as in the exported deck): Streamlit's own paragraph size won before */
.st-key-kd_slide p.kd-slide-takeaway {{font-size: 30px !important; line-height: 1.25 !important;
  font-weight: 500 !important; margin: 0 !important;}}
{slides.slide_css(dark)}
{zoom_css()}
</style>"""


# The slide keys, bound in the main document from the first slide on (the listener stays for the whole visit, across
# reruns and page switches). Streamlit binds a button's `shortcut` only once that button is drawn, at the end of each
# slide's run, so a key pressed while a slide loads was lost. This listener takes every slide key first (capture
# phase, before Streamlit's own binding), queues it while the app runs or the footer button is not there yet, and
# presses the button once the slide is ready: one key press is one slide, however early it comes.
KEY_BUTTONS = {"ArrowRight": "present_next", "PageDown": "present_pgdn", "ArrowLeft": "present_prev",
               "PageUp": "present_pgup", "Escape": "present_exit"}
KEYS_JS = """
(() => {
  if (window.kdSlideKeys) return;
  const buttons = %s;
  const queue = [];
  let clicked = null, sawRun = false, timer = null;
  const state = () => (document.querySelector('[data-testid="stApp"]') || {dataset: {}}).dataset.testScriptState;
  const presenting = () => new URLSearchParams(location.search).get('present') === '1';
  const typing = el => !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
  const button = key => {
    const box = document.querySelector('.st-key-' + buttons[key]);
    const stale = box && box.closest('[data-stale="true"]');
    return box && !stale ? box.querySelector('button') : null;
  };
  const step = () => {
    const running = state() !== 'notRunning';
    if (clicked !== null) {  // the last press's rerun: wait until it has started and finished
      if (running) sawRun = true;
      if (!sawRun && performance.now() - clicked < 3000) return;
      if (running) return;
      clicked = null;
    }
    if (!queue.length) { clearInterval(timer); timer = null; return; }
    if (running || !presenting()) return;
    const target = button(queue[0]);
    if (!target) return;
    queue.shift();
    if (!target.disabled) { clicked = performance.now(); sawRun = false; target.click(); }
  };
  window.addEventListener('keydown', e => {
    if (!(e.key in buttons) || e.ctrlKey || e.altKey || e.metaKey || !presenting() || typing(e.target)) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (e.repeat || queue.length >= 20) return;
    queue.push(e.key);
    step();
    if (queue.length && timer === null) timer = setInterval(step, 50);
  }, true);
  window.kdSlideKeys = true;
  document.documentElement.dataset.kdSlideKeys = 'ready';
})();
"""


def _bind_keys() -> None:
    """KEYS_JS in the main document (once per visit; later runs find it bound)."""
    import json

    st.html(f"<script>{KEYS_JS % json.dumps(KEY_BUTTONS)}</script>", unsafe_allow_javascript=True)


def render(decks: dict[str, Deck], filters: Filters, page: str) -> None:
    """The whole presentation-mode screen: slide, then the fixed footer."""
    dark = theme() == "dark"
    _bind_keys()
    deck, number = current_slide(decks)
    slide = deck.slides[number - 1] if deck is not None else _ad_hoc_slide(page)
    slide = replace(slide, options=allowed_options(slide.page, slide.options))  # never a junk key or value
    st.markdown(css(dark), unsafe_allow_html=True)
    marker = (deck.deck_id, number) if deck is not None else None
    if marker is not None and st.session_state.get(SLIDE_KEY) != marker:
        st.session_state[SLIDE_KEY] = marker
    content = _content(repr((slide, filters)), slide, filters, dark, db.signature())
    canvas = st.container(key="kd_zoom_root")
    with canvas:
        _slide(slide, content)
        _footer(deck, number, content)


def _panels(content: slides.SlideContent, dark: bool) -> None:
    """The slide's charts and tables in one frame laid out on the canvas, the same HTML as the PDF export.

    A frame because st.plotly_chart sizes a chart from the zoomed screen and would shrink it twice; the frame
    zooms with the canvas instead, and takes no pointer events, so the arrow keys and a clicker keep working.
    """
    js = plotly_js_url()
    if js is None:  # a read-only app folder: Streamlit's own charts (smaller on small screens)
        for col, panel in zip(st.columns(content.widths), content.panels, strict=True):
            if isinstance(panel, slides.Chart):
                col.plotly_chart(panel.figure, key=f"slide_{panel.key}", config=CONFIG, theme=None)
            else:
                col.markdown(slides.table_html(panel), unsafe_allow_html=True)
        return
    bg = "#0b1220" if dark else "#ffffff"
    height = max([int(p.figure.layout.height or 0) for p in content.charts] + [0]) or slides.body_height(
        bool(content.metrics))
    # the app's static files are served as text/plain (Streamlit's rule), so the script is fetched and evaluated
    frame_title = slides.esc(t("Slide charts"))
    doc = (f"<!doctype html><html lang='{current_lang()}'><head><meta charset='utf-8'><title>{frame_title}</title><style>"
           f"{slides.korean_font_css(_static_url() + 'fonts/')}{slides.latin_font_css(_media_url())}"
           f"{slides.slide_css(dark)}</style></head>"
           f"<body style=\"margin:0;background:{bg};overflow:hidden;font-family:{slides.FONT_STACK}\">"
           f"{slides.panels_html(content, 'p')}<script>{slides.DRAW_JS}\n"
           f"fetch({js!r}).then(r => r.text()).then(t => {{ (0, eval)(t); "
           f"kdDraw({_static_url() + 'topojson/'!r}); }});</script></body></html>")
    components.html(doc, height=height)


def _slide(slide: Slide, content: slides.SlideContent) -> None:
    box = st.container(key="kd_slide")
    # The slide's title is its h1 (a screen reader's outline; the page's own h1 is not drawn when presenting)
    title = slide.localized("title") or (t(PAGE_TITLES[slide.page]) if slide.page in PAGE_TITLES else t("Slide"))
    box.markdown(f"<h1 class='kd-slide-title'>{slides.esc(title)}</h1>"
                 f"<p class='kd-slide-takeaway'>{slides.esc(slide.localized('takeaway'))}</p>", unsafe_allow_html=True)
    if content.empty:
        box.markdown(f"<div class='kd-empty'>{slides.esc(content.empty)}</div>", unsafe_allow_html=True)
        return
    if content.metrics:
        box.markdown(slides.metrics_html(content.metrics), unsafe_allow_html=True)
    if not content.panels:
        return
    with box:
        _panels(content, theme() == "dark")


def _go_to(deck: Deck, number: int) -> None:
    slide = deck.slides[number - 1]
    params: dict[str, Any] = slide.query_params(deck.deck_id, number)
    if theme() == "dark":
        params["theme"] = "dark"
    st.switch_page(ui.PAGE_FILES[slide.page], query_params=params)


def _footer(deck: Deck | None, number: int, content: slides.SlideContent) -> None:
    """Previous / Next (buttons, arrow keys, a clicker's PageUp/PageDown), where we are, filters, credit, Exit."""
    footer = st.container(key="kd_present_footer")
    cols = footer.columns([1.1, 0.9, 8, 0.7], vertical_alignment="center")
    info = queries.build_info()
    slide_of = t("Slide {n} / {total}", n=number, total=len(deck.slides)) if deck is not None else ""
    where = (f"<b>{slide_of}</b> · "
             f"{slides.esc(deck.localized('title'))} · " if deck is not None else "")
    cols[2].markdown(f"<div class='kd-present-info'>{where}{slides.esc(content.filters_line)}<br>"
                     f"{slides.esc(slides.credit_line(info))}</div>", unsafe_allow_html=True)
    back = forward = False
    if deck is not None:
        total = len(deck.slides)
        back = cols[0].button("◀ " + t("Previous"), key="present_prev", shortcut="left", disabled=number <= 1)
        forward = cols[1].button(t("Next") + " ▶", key="present_next", shortcut="right", disabled=number >= total)
        with footer.container(key="kd_clicker_keys"):
            back = st.button("PageUp", key="present_pgup", shortcut="pageup", disabled=number <= 1) or back
            forward = st.button("PageDown", key="present_pgdn", shortcut="pagedown",
                                disabled=number >= total) or forward
    if cols[3].button(t("Exit"), key="present_exit", shortcut="escape"):
        st.query_params.pop("present", None)
        st.rerun()
    if back and deck is not None:
        _go_to(deck, number - 1)
    if forward and deck is not None:
        _go_to(deck, number + 1)

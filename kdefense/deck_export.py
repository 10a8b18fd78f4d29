"""Export a briefing deck to a real PDF (text as text, charts as vector) and to PowerPoint, offline.

One HTML document holds every slide on its 1920×1080 canvas (kdefense/slides.py, the same content as presentation
mode); the system Chromium draws the charts with plotly.js (SVG), the layout is checked (nothing outside its
slide), then Chromium prints it to PDF and, for PowerPoint, renders each chart to a PNG at twice its size.
No Streamlit server is involved: one Chromium, one page, one print, served by the export's own small HTTP server
(DocumentServer); requests to any other host fail. Where the time goes and what made it fast: bench/README.md.

    python -m kdefense.deck_export briefings/korea-in-europe-since-2022.toml --out deck.pdf [--pptx deck.pptx]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import plotly

from kdefense import queries, settings, slides
from kdefense.briefing import Deck, parse_deck
from kdefense.i18n import LANGS, current_lang, t, use_lang

CHROMIUM = os.environ.get("KDEFENSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--disable-extensions", "--disable-dev-shm-usage",
                 "--renderer-process-limit=1", "--js-flags=--max-old-space-size=768"]
ORIGIN_HOST = "kdefense.export"  # a fixed origin (mapped to the export's server) keeps the browser's caches valid
ORIGIN = f"http://{ORIGIN_HOST}"
DOCUMENT_PATH = "/deck.html"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_PATH = f"/plotly-{plotly.__version__}.min.js"
PROFILE_DIR = Path(os.environ.get("KDEFENSE_EXPORT_PROFILE")
                   or Path(tempfile.gettempdir()) / f"kdefense-export-profile-{os.getuid()}")
TIMEOUT_S = 300  # the whole export (a 7-slide deck: ~10 s on 2 quiet cores, ~130 s at load 35); then a message
AUTHOR = "South Korea defence exports dashboard (data: SIPRI Arms Transfers Database; deal ledger with cited sources)"
EMU_PER_PX = 6350  # a 1920 px canvas on a 13.333 in (16:9) PowerPoint slide

Progress = Callable[[float, str], None]


class ExportUnavailable(RuntimeError):
    """Chromium or Playwright is missing on this machine."""


class ExportFailed(RuntimeError):
    """The export could not be made; the message is for the user."""


@dataclass
class Rendered:
    deck: Deck
    contents: list[slides.SlideContent]
    pdf: bytes = b""
    pptx: bytes = b""
    layout_problems: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)  # always empty: any other host fails to resolve
    seconds: float = 0.0


def _quiet(_: float, __: str) -> None:
    return None


# ------------------------------------------------------------------------------------------------ HTML

def page_css(dark: bool) -> str:
    fg, muted, bg, line = (("#f9fafb", "#d1d5db", "#0b1220", "#4b5563") if dark else
                           ("#0b1220", "#374151", "#ffffff", "#d1d5db"))
    return f"""
@page {{size: {slides.CANVAS_W}px {slides.CANVAS_H}px; margin: 0;}}
{slides.korean_font_css(ORIGIN + "/static/fonts/")}{slides.latin_font_css(ORIGIN + "/static/media/")}
html, body {{margin: 0; padding: 0; background: {bg}; font-family: {slides.FONT_STACK};
  -webkit-print-color-adjust: exact; print-color-adjust: exact;}}
.kd-page {{width: {slides.CANVAS_W}px; height: {slides.CANVAS_H}px; box-sizing: border-box; position: relative;
  overflow: hidden; padding: {slides.PAD_TOP}px {slides.PAD_X}px 0 {slides.PAD_X}px; break-after: page;
  display: flex; flex-direction: column; gap: {slides.GAP}px; background: {bg};}}
.kd-page:last-of-type {{break-after: auto;}}
.kd-page-footer {{position: absolute; left: 0; right: 0; bottom: 0; height: {slides.FOOTER_H}px; box-sizing: border-box;
  padding: 8px {slides.PAD_X}px; border-top: 1px solid {line}; font-size: 16px; line-height: 1.4; color: {muted};
  white-space: nowrap; overflow: hidden;}}
.kd-page-footer b {{color: {fg};}}
{slides.slide_css(dark)}
"""


def slide_section(number: int, total: int, deck: Deck, content: slides.SlideContent, info: dict) -> str:
    slide = deck.slides[number - 1]
    parts = [f"<section class='kd-page' data-slide='{number}'>",
             f"<div class='kd-slide-title'>{slides.esc(slide.localized('title'))}</div>",
             f"<div class='kd-slide-takeaway'>{slides.esc(slide.localized('takeaway'))}</div>"]
    if content.empty:
        parts.append(f"<div class='kd-empty'>{slides.esc(content.empty)}</div>")
    else:
        parts.append(slides.metrics_html(content.metrics))
        parts.append(slides.panels_html(content, f"s{number}"))
    slide_of = t("Slide {n} / {total}", n=number, total=total)
    parts.append(f"<div class='kd-page-footer'><b>{slide_of}</b> · "
                 f"{slides.esc(deck.localized('title'))} · "
                 f"{slides.esc(content.filters_line)}<br>{slides.esc(slides.credit_line(info))}</div></section>")
    return "".join(parts)


def document_head(deck: Deck, dark: bool = False) -> str:
    """Sent first: Chromium loads plotly.js while the slides are being built."""
    return (f"<!doctype html><html lang='{current_lang()}'><head><meta charset='utf-8'>"
            f"<title>{slides.esc(deck.localized('title'))}</title>"
            f"<meta name='author' content='{slides.esc(AUTHOR)}'><style>{page_css(dark)}</style>"
            f"<script src='{PLOTLY_PATH}'></script></head>")


def document_body(deck: Deck, contents: list[slides.SlideContent]) -> str:
    info = queries.build_info()
    body = "".join(slide_section(i, len(contents), deck, c, info) for i, c in enumerate(contents, start=1))
    return f"<body>{body}<script>{slides.DRAW_JS}\nkdDraw('/static/topojson/');</script></body></html>"


# every chart drawn ("ok") or the first error (a chart that fails ends the export at once, with the reason)
DRAWN = ("() => document.body && (document.body.dataset.drawError || "
         "(document.body.dataset.drawn !== undefined && 'ok'))")
LAYOUT_CHECK = """() => {
  const problems = [];
  for (const page of document.querySelectorAll('.kd-page')) {
    const box = page.getBoundingClientRect();
    const footer = page.querySelector('.kd-page-footer').getBoundingClientRect();
    for (const el of page.querySelectorAll('.kd-page > *:not(.kd-page-footer), .kd-panel, .kd-panel *')) {
      if (el.closest('.kd-chart') && !el.classList.contains('main-svg')) continue;
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      if (r.right > box.right + 1 || r.bottom > footer.top + 1 || r.left < box.left - 1)
        problems.push(`slide ${page.dataset.slide}: ${el.tagName.toLowerCase()}.${String(el.className.baseVal ?? el.className).split(' ')[0]} ends at ${Math.round(r.bottom - box.top)} px`);
    }
  }
  return problems;
}"""

# The chart images for PowerPoint, made from the charts already drawn on the slides: Plotly.Snapshot.toSVG serialises
# a drawn chart as it is (Plotly.toImage would draw each chart again in a hidden copy first: 2.1 of its 3.1 s for the
# Europe deck, and the same pixels), then every SVG is rastered at SCALE on a canvas, three charts at a time. Started
# without waiting (Python goes on with the PDF's metadata and python-pptx), collected with CHART_PNGS_DONE. It
# changes the drawn charts (toSVG moves their top layer into the main SVG), so it runs after the PDF is printed.
PNG_SCALE = 2  # a 1920 px canvas → 3840 px wide images: sharp on a 4K projector and in print
CHART_PNGS_START = """(scale) => {
  const png = async div => {
    const {width, height} = div._fullLayout;
    const url = URL.createObjectURL(new Blob([Plotly.Snapshot.toSVG(div)], {type: 'image/svg+xml'}));
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
      return [div.id, canvas.toDataURL('image/png')];
    } finally { URL.revokeObjectURL(url); }
  };
  const charts = [...document.querySelectorAll('.kd-chart')], out = {};
  const worker = async () => { for (let div; (div = charts.shift());) { const [id, data] = await png(div); out[id] = data; } };
  window.kdChartPngs = Promise.all([worker(), worker(), worker()]).then(() => out);  // 3 at a time: bounded memory
}"""
CHART_PNGS_DONE = "() => window.kdChartPngs"


# ------------------------------------------------------------------------------------------------ rendering

def build_contents(deck: Deck, dark: bool = False, progress: Progress = _quiet) -> list[slides.SlideContent]:
    options = queries.filter_options()
    contents = []
    for i, slide in enumerate(deck.slides, start=1):
        progress(0.05 + 0.35 * (i - 1) / len(deck.slides), t("Preparing slide {n} of {total}", n=i,
                                                                total=len(deck.slides)))
        content = slides.build(slide, slides.slide_filters(slide, options), dark)
        for chart in content.charts:
            printable(chart.figure)
        contents.append(content)
    return contents


def printable(fig) -> None:
    """Chromium prints an SVG pattern fill as thousands of vector tiles: the Gantt's hatched "planned" bars made
    9.2 MB of the Europe deck's 9.7 MB PDF and 2.6 s of its 2.9 s print. Planned bars keep their light fill,
    outline and legend entry; the hatch stays on screen."""
    fig.update_traces(marker_pattern_shape="", selector={"type": "bar"})
    hatched, lighter = t("Units delivered per year (hatched: planned)"), t("Units delivered per year (lighter: planned)")
    if fig.layout.title.text and hatched in fig.layout.title.text:
        fig.layout.title.text = fig.layout.title.text.replace(hatched, lighter)


class DocumentServer:
    """The export's own HTTP server on 127.0.0.1 (a free port), seen by Chromium as ORIGIN.

    The document's head (styles and plotly.js) is sent at once and its body when the slides are built, so
    Chromium fetches and compiles plotly.js (about 2.5 s of CPU) while Python runs the slides' queries. plotly.js
    is served under its version with a year's cache lifetime, so that a kept browser profile (PROFILE_DIR) reuses
    V8's compiled code from earlier exports; Playwright's request interception would turn that cache off.
    """

    def __init__(self, head: str, wait_s: float) -> None:
        import http.server
        import threading

        self.head, self.body, self.ready, self.wait_s = head, "", threading.Event(), wait_s
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                return None

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.handle(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="kdefense-export-http", daemon=True)

    def __enter__(self) -> DocumentServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.ready.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def provide(self, body: str) -> None:
        self.body = body
        self.ready.set()

    def handle(self, request) -> None:
        path = request.path.split("?", 1)[0]
        topojson = settings.STATIC_DIR / "topojson" / path.removeprefix("/static/topojson/")
        if path == DOCUMENT_PATH:
            self._send(request, "text/html; charset=utf-8", "no-store", self.head.encode())
            request.wfile.flush()
            if self.ready.wait(self.wait_s):
                request.wfile.write(self.body.encode())
        elif path.removeprefix("/static/fonts/") in slides.KOREAN_FONT_FILES.values():  # the app's Korean font
            font = settings.STATIC_DIR / "fonts" / path.removeprefix("/static/fonts/")
            self._send(request, "font/woff2", "public, max-age=86400", font.read_bytes())
        elif (latin := slides.latin_font_file()) is not None and path == f"/static/media/{latin.name}":
            self._send(request, "font/woff2", "public, max-age=86400", latin.read_bytes())  # the app's Latin font
        elif path == PLOTLY_PATH:
            self._send(request, "text/javascript", "public, max-age=31536000, immutable", PLOTLY_JS.read_bytes())
        elif re.fullmatch(r"/static/topojson/[a-z_0-9-]+\.json", path) and topojson.exists():
            self._send(request, "application/json", "public, max-age=86400", topojson.read_bytes())
        else:
            request.send_error(404)

    @staticmethod
    def _send(request, content_type: str, cache: str, data: bytes) -> None:
        request.send_response(200)
        request.send_header("Content-Type", content_type)
        request.send_header("Cache-Control", cache)
        if cache != "no-store":
            request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)


@contextlib.contextmanager
def browser_profile(profile_dir: Path | None):
    """The kept profile when no other export holds it (its code cache makes plotly.js load in ~0.3 s instead of
    ~2.5 s from the third export on), else a fresh temporary one."""
    import fcntl

    with contextlib.ExitStack() as stack:
        if profile_dir is not None:
            profile_dir.mkdir(parents=True, exist_ok=True)
            lock = stack.enter_context(open(profile_dir.with_suffix(".lock"), "w"))  # noqa: SIM115
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                yield profile_dir
                return
            except BlockingIOError:
                pass
        yield Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kdefense-export-profile-")))


def chromium_args(port: int) -> list[str]:
    """ORIGIN's host goes to the export's own server; every other host fails to resolve, and any other address
    goes to a closed proxy port: nothing leaves the machine."""
    return [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {ORIGIN_HOST} 127.0.0.1:{port}, MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9", f"--proxy-bypass-list={ORIGIN_HOST}",
            "--disk-cache-size=67108864"]  # the kept profile holds plotly.js and the map files: 64 MB at most


def export_deck(deck: Deck, formats: tuple[str, ...] = ("pdf", "pptx"), theme: str = "light",
                progress: Progress = _quiet, timeout_s: float = TIMEOUT_S,
                profile_dir: Path | None = PROFILE_DIR) -> Rendered:
    """The deck as PDF and/or PPTX bytes. Raises ExportUnavailable or ExportFailed with a message for the user."""
    if not Path(CHROMIUM).exists():
        raise ExportUnavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a pinned requirement
        raise ExportUnavailable("Playwright for Python is not installed.") from exc
    started = time.perf_counter()
    dark = theme == "dark"
    out = Rendered(deck, [])
    try:
        with (DocumentServer(document_head(deck, dark), timeout_s) as server, browser_profile(profile_dir) as profile,
              sync_playwright() as p):
            progress(0.02, t("Starting headless Chromium"))
            browser = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=chromium_args(server.port), timeout=30_000,
                viewport={"width": slides.CANVAS_W, "height": slides.CANVAS_H})
            try:
                page = browser.pages[0] if browser.pages else browser.new_page()
                page.set_default_timeout(max(5_000, (timeout_s - (time.perf_counter() - started)) * 1000))
                page.on("request", lambda r: None if r.url.startswith((ORIGIN + "/", "blob:", "data:"))
                        else out.outside_requests.append(r.url))
                page.goto(ORIGIN + DOCUMENT_PATH, wait_until="commit")  # plotly.js loads while the slides are built
                out.contents = build_contents(deck, dark, progress)
                server.provide(document_body(deck, out.contents))
                progress(0.45, t("Drawing the charts in headless Chromium"))
                _import_in_background("pypdf" if "pdf" in formats else "", "pptx" if "pptx" in formats else "")
                drawn = page.wait_for_function(DRAWN, polling=50).json_value()
                if drawn != "ok":
                    raise ExportFailed(f"A chart could not be drawn: {str(drawn)[:200]}")
                out.layout_problems = page.evaluate(LAYOUT_CHECK)
                printed = b""
                if "pdf" in formats:
                    progress(0.65, t("Printing the PDF"))
                    printed = page.pdf(width=f"{slides.CANVAS_W}px", height=f"{slides.CANVAS_H}px",
                                       print_background=True, prefer_css_page_size=True)
                if "pptx" in formats:
                    progress(0.8, t("Rendering chart images for PowerPoint"))
                    page.evaluate(CHART_PNGS_START, PNG_SCALE)  # Chromium rasters while Python goes on
                if printed:
                    out.pdf = _with_metadata(printed, deck)
                if "pptx" in formats:
                    out.pptx = build_pptx(deck, out.contents, page.evaluate(CHART_PNGS_DONE))
            finally:
                browser.close()
    except PlaywrightError as exc:
        elapsed = time.perf_counter() - started
        if "Timeout" in type(exc).__name__ or "Timeout" in str(exc):
            raise ExportFailed(f"The export stopped after {elapsed:.0f} s: a slide could not be drawn in time.") \
                from exc
        raise ExportFailed(f"The export failed in Chromium: {str(exc).splitlines()[0][:200]}") from exc
    out.seconds = time.perf_counter() - started
    progress(1.0, t("Done in {seconds} s", seconds=f"{out.seconds:.1f}"))
    return out


def _import_in_background(*modules: str) -> None:
    """Import the document writers (pypdf, python-pptx: ~0.35 s) while Chromium draws the charts."""
    import importlib
    import threading

    for name in filter(None, modules):
        threading.Thread(target=importlib.import_module, args=(name,), name=f"import-{name}", daemon=True).start()


def _with_metadata(pdf: bytes, deck: Deck) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    now = datetime.now(UTC).strftime("D:%Y%m%d%H%M%SZ")
    title = deck.localized("title")
    writer.add_metadata({"/Title": title, "/Author": AUTHOR, "/Subject": deck.localized("description") or title,
                         "/Creator": "kdefense.deck_export", "/CreationDate": now, "/ModDate": now})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------ PowerPoint

def _px(value: float) -> int:
    return int(value * EMU_PER_PX)


def build_pptx(deck: Deck, contents: list[slides.SlideContent], images: dict[str, str]) -> bytes:
    """One slide per view: title and takeaway as text, key figures as text, charts as PNG images, tables as
    native tables; filters, sources, caveats and the link in the speaker notes."""
    from pptx import Presentation
    from pptx.util import Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = _px(slides.CANVAS_W), _px(slides.CANVAS_H)
    prs.core_properties.title = deck.localized("title")
    prs.core_properties.author = AUTHOR
    prs.core_properties.subject = deck.localized("description") or deck.localized("title")
    info = queries.build_info()
    blank = prs.slide_layouts[6]
    for number, (slide, content) in enumerate(zip(deck.slides, contents, strict=True), start=1):
        page = prs.slides.add_slide(blank)
        y = slides.PAD_TOP
        width = slides.CANVAS_W - 2 * slides.PAD_X

        def text(value: str, top: float, height: float, size: float, bold: bool = False,
                 left: float = slides.PAD_X, box_width: float = width, page=page) -> None:
            frame = page.shapes.add_textbox(_px(left), _px(top), _px(box_width), _px(height)).text_frame
            frame.word_wrap = True
            run = frame.paragraphs[0].add_run()
            run.text, run.font.size, run.font.bold = value, Pt(size), bold

        text(slide.localized("title"), y, slides.TITLE_H, 26, bold=True)
        y += slides.TITLE_H + slides.GAP
        text(slide.localized("takeaway"), y, slides.TAKEAWAY_H, 15)
        y += slides.TAKEAWAY_H + slides.GAP
        if content.empty:
            text(content.empty, y, 80, 15)
        if content.metrics:
            tile = (width - slides.GAP * (len(content.metrics) - 1)) / len(content.metrics)
            for i, metric in enumerate(content.metrics):
                left = slides.PAD_X + i * (tile + slides.GAP)
                text(metric.label, y, 30, 10, left=left, box_width=tile)
                text(metric.value, y + 34, 60, 24, bold=True, left=left, box_width=tile)
                if metric.note:
                    text(metric.note, y + 96, 28, 8, left=left, box_width=tile)
            y += slides.METRICS_H
        x = slides.PAD_X
        for i, (panel, panel_w) in enumerate(zip(content.panels, slides.panel_widths(content.widths), strict=True)):
            if isinstance(panel, slides.Chart):
                png = images.get(f"s{number}c{i}", "")
                if png.startswith("data:image/png;base64,"):
                    page.shapes.add_picture(io.BytesIO(base64.b64decode(png.split(",", 1)[1])), _px(x), _px(y),
                                            width=_px(panel_w))
            else:
                _pptx_table(page, panel, x, y, panel_w)
            x += panel_w + slides.GAP
        slide_of = t("Slide {n} / {total}", n=number, total=len(deck.slides))
        footer = (f"{slide_of} · {deck.localized('title')} · "
                  f"{content.filters_line}")
        text(footer, slides.CANVAS_H - slides.FOOTER_H + 6, 24, 8)
        text(slides.credit_line(info), slides.CANVAS_H - slides.FOOTER_H + 30, 24, 8)
        notes = [f"Filters: {content.filters_line}", f"Link: {deck.slide_url(number)}", *content.notes,
                 settings.SIPRI_CREDIT, settings.SIPRI_TERMS, settings.ECB_CREDIT,
                 "Ledger figures cite their own sources (Deals page, deal cards).",
                 f"Data version {info.get('data_version')}, built {info.get('built_at')}."]
        page.notes_slide.notes_text_frame.text = "\n".join(notes)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _pptx_table(page, table: slides.Table, x: float, y: float, width: float) -> None:
    from pptx.util import Pt

    title = page.shapes.add_textbox(_px(x), _px(y), _px(width), _px(36)).text_frame
    title.paragraphs[0].add_run().text = table.title
    title.paragraphs[0].runs[0].font.size, title.paragraphs[0].runs[0].font.bold = Pt(13), True
    rows = [table.columns, *table.rows]
    shape = page.shapes.add_table(len(rows), len(table.columns), _px(x), _px(y + 40), _px(width),
                                  _px(slides.TABLE_ROW_H * len(rows)))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = shape.table.cell(r, c)
            cell.text = str(value)
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(10)
    if table.more:
        more = page.shapes.add_textbox(_px(x), _px(y + 44 + slides.TABLE_ROW_H * len(rows)), _px(width), _px(30))
        more.text_frame.paragraphs[0].add_run().text = table.more
        more.text_frame.paragraphs[0].runs[0].font.size = Pt(9)


# ------------------------------------------------------------------------------------------------ command line

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export a briefing deck to PDF and/or PowerPoint.")
    parser.add_argument("deck", type=Path)
    parser.add_argument("--out", type=Path, help="PDF file to write")
    parser.add_argument("--pptx", type=Path, help="PowerPoint file to write")
    parser.add_argument("--theme", choices=["light", "dark"], default="light")
    parser.add_argument("--lang", choices=list(LANGS), default="en", help="language of the slides (en, ko)")
    args = parser.parse_args(argv)
    if not args.out and not args.pptx:  # argparse's usage error (exit 2); the command line is not the interface
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: give --out (PDF) and/or --pptx", file=sys.stderr)
        return 2
    deck = parse_deck(args.deck.read_text(encoding="utf-8"), args.deck.stem)
    formats = tuple(f for f, path in (("pdf", args.out), ("pptx", args.pptx)) if path)
    started = time.perf_counter()
    try:
        with use_lang(args.lang):
            result = export_deck(deck, formats, args.theme, lambda f, m: print(
                f"{time.perf_counter() - started:6.1f} s {f:4.0%} {m}", file=sys.stderr, flush=True))
    except (ExportFailed, ExportUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    if args.out:
        args.out.write_bytes(result.pdf)
    if args.pptx:
        args.pptx.write_bytes(result.pptx)
    for problem in result.layout_problems:
        print(f"layout: {problem}", file=sys.stderr)
    print(f"wrote {', '.join(str(p) for p in (args.out, args.pptx) if p)} ({len(deck.slides)} slides) "
          f"in {result.seconds:.1f} s")
    return 0 if not result.layout_problems else 2


if __name__ == "__main__":
    sys.exit(main())

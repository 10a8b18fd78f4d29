"""Shared helpers of the accessibility browser tests (issue 16): axe-core from a local file, page loading with every
outside request blocked, and the in-page probes for cut labels and overlapping tick labels."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kdefense import briefing
from tests.helpers import wait_for_app

ROOT = Path(__file__).resolve().parents[2]
AXE_VERSION = "4.14.1"
AXE_DIR = ROOT / "tests" / ".cache" / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
# Every page of the default view, by URL path ("" is the Overview).
PAGES = {"overview": "", "deals": "deals", "timeline": "timeline", "map": "map", "suppliers": "suppliers",
         "tenders": "tenders", "briefing": "briefing", "data": "data", "sql": "sql"}
READY = "[data-testid='stMetric'], [data-testid='stDataFrame'], .js-plotly-plot, h1"
SLIDES = [(deck_id, n) for deck_id, deck in briefing.load_decks().items() for n in range(1, len(deck.slides) + 1)]
LAPTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
SHOTS = Path("/tmp/kdefense-a11y")


def axe_path() -> Path:
    """axe-core's script, installed once from the npm registry into tests/.cache/axe (git-ignored)."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("axe-core is not cached in tests/.cache/axe and npm is not installed (apt-get install npm)")
        done = subprocess.run([npm, "install", "--prefix", str(AXE_DIR), f"axe-core@{AXE_VERSION}", "--no-audit",
                               "--no-fund"], capture_output=True, text=True, timeout=300)
        if done.returncode or not AXE_JS.exists():
            pytest.fail(f"npm install axe-core@{AXE_VERSION} failed: {done.stderr[-400:]}")
    return AXE_JS


def new_page(browser, viewport: dict, scheme: str = "light"):
    """A page that blocks and records every request to a host other than the app's."""
    context = browser.new_context(viewport=viewport, color_scheme=scheme, accept_downloads=True)
    page = context.new_page()
    page.external_requests = []

    def guard(route):
        url = route.request.url
        host = url.split("/")[2].split(":")[0] if "://" in url else ""
        if url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            page.external_requests.append(url)
            route.abort()

    context.route("**/*", guard)
    return context, page


# Drawn: no skeleton left, and every chart's text alternative has its chart drawn (each comes just before it).
DRAWN = """() => !document.querySelector('[data-testid="stSkeleton"]')
  && document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot .main-svg').length
     >= document.querySelectorAll('[data-testid="stMain"] .kd-chart-summary').length"""


def load(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page, READY, timeout=240_000)
    page.wait_for_function(DRAWN, timeout=240_000)
    page.wait_for_timeout(800)


AXE_RUN = """async (options) => (await axe.run(document, {...options, iframes: false,
    resultTypes: ['violations']})).violations.map(v => ({id: v.id, impact: v.impact,
    nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 160))}))"""


def run_axe(page, options: dict, frames: bool = True) -> list[dict]:
    """axe-core on the page and, separately, on each of its frames (slides draw their charts in one). Page-level
    rules (`page-has-heading-one`) are about the page a user sees: run them with `frames=False`, as a frame's own
    document is part of that page, not a page of its own."""
    found: list[dict] = []
    for frame in page.frames if frames else [page.main_frame]:
        if frame.is_detached() or (frame != page.main_frame and not frame.url.startswith(("about:", "http"))):
            continue
        frame.add_script_tag(path=str(axe_path()))
        found += frame.evaluate(AXE_RUN, options)
    return found


# Cut labels: in the app's own controls and metrics, an element whose text does not fit (scrollWidth > clientWidth)
# where the overflow is clipped or ellipsised; and text pushed out of its column or off the screen.
CUT_LABELS = """() => {
  const roots = document.querySelectorAll([
    '[data-testid="stMetric"]', '[data-testid="stWidgetLabel"]', '[data-testid="stButton"]',
    '[data-testid="stDownloadButton"]', '[data-testid="stPopover"]', '[data-testid="stButtonGroup"]',
    '[data-testid="stSelectbox"]', '[data-testid="stMultiSelect"]', '[data-testid="stSlider"]',
    '[data-testid="stCheckbox"]', '[data-testid="stToggle"]', '[data-testid="stRadio"]',
    '[data-testid="stTextInput"]', '[data-testid="stNumberInput"]', '[data-testid="stDateInput"]',
    '[data-testid="stExpander"] summary', '[data-testid="stTabs"] [role="tablist"]',
    '[data-testid="stSidebarNav"]', '[data-testid="stLinkButton"]', '[data-testid="stPageLink"]',
  ].join(','));
  const seen = new Set(), cut = [];
  // on screen: a collapsed sidebar (a phone's) is drawn off the left edge
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 &&
    r.right > 0 && r.left < innerWidth && getComputedStyle(el).visibility !== 'hidden'; };
  for (const root of roots) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (seen.has(el) || !visible(el) || el.closest('.kd-sr-only, [data-testid="stTooltipIcon"]')) continue;
      seen.add(el);
      if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'svg' || el.closest('svg')) continue;
      const r = el.getBoundingClientRect();
      const column = root.closest('[data-testid="stColumn"], [data-testid="stSidebarUserContent"]');
      const box = column ? column.getBoundingClientRect() : {left: 0, right: innerWidth};
      if (el.innerText && el.innerText.trim() && (r.right > Math.min(innerWidth, box.right) + 1
                                                   || r.left < Math.max(0, box.left) - 1))
        cut.push(`${root.getAttribute('data-testid') || root.tagName}: "${el.innerText.trim().slice(0, 50)}" ` +
                 `outside its column or the screen (${Math.round(r.left)}–${Math.round(r.right)})`);
      const cs = getComputedStyle(el);
      const clipped = cs.textOverflow === 'ellipsis' || ['hidden', 'clip'].includes(cs.overflowX);
      if (clipped && el.scrollWidth > el.clientWidth + 1 && el.innerText.trim())
        cut.push(`${root.getAttribute('data-testid') || root.tagName}: "${el.innerText.trim().slice(0, 50)}" ` +
                 `(${el.scrollWidth} > ${el.clientWidth})`);
    }
  }
  return [...new Set(cut)];
}"""

# Control labels broken onto a second line: the text of a widget label, button, toggle, option, tab, expander or
# page link laid out on more than one line (each text node's line boxes, by their top). Labels wrap rather than
# being cut (see CUT_LABELS), but on a laptop none should need to: "Play the years" broke in two beside the Map's
# year slider at 1280 px. Metrics are left out: a metric's label and value wrap by design in a quarter column.
WRAPPED_LABELS = """() => {
  const roots = document.querySelectorAll([
    '[data-testid="stWidgetLabel"]', '[data-testid="stButton"]', '[data-testid="stDownloadButton"]',
    '[data-testid="stPopover"]', '[data-testid="stButtonGroup"]', '[data-testid="stCheckbox"]',
    '[data-testid="stToggle"]', '[data-testid="stRadio"]', '[data-testid="stExpander"] summary',
    '[data-testid="stTabs"] [role="tablist"]', '[data-testid="stSidebarNav"]', '[data-testid="stLinkButton"]',
    '[data-testid="stPageLink"]',
  ].join(','));
  const seen = new Set(), out = [];
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (seen.has(node) || !node.textContent.trim() || !el
          || el.closest('svg, .kd-sr-only, [data-testid="stTooltipIcon"]')) continue;
      seen.add(node);
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.right > 0 && r.left < innerWidth);
      const lines = new Set(rects.map(r => Math.round(r.top / 4))).size;
      if (lines > 1)
        out.push(`${root.getAttribute('data-testid') || root.tagName}: "${el.innerText.trim().slice(0, 60)}" ` +
                 `on ${lines} lines (${Math.round(el.getBoundingClientRect().width)} px wide)`);
    }
  }
  return [...new Set(out)];
}"""

# Side tables that scroll sideways: a table (st.dataframe, a canvas grid: its columns are not in the DOM, but its
# scroller is, as wide as all its columns) in a column narrower than 60 % of the main area, i.e. beside a chart or
# other content, whose columns are wider than its box (more than 2 px: rounding), so the last one is cut at the edge
# (the Map's ranking lost most of its "Deals" column at 1280 px). Full-width tables with many columns scroll
# sideways by design and are left out, as are tables in closed expanders and popovers.
SIDE_TABLES_CUT = """() => {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]') || document.querySelector('[data-testid="stMain"]');
  const full = main.getBoundingClientRect().width, out = [];
  for (const table of document.querySelectorAll('[data-testid="stMain"] [data-testid="stDataFrame"]')) {
    const r = table.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.width > 0.6 * full || table.closest('details:not([open])')) continue;
    const heads = [...table.querySelectorAll('[role="columnheader"]')].map(h => h.innerText.trim()).join(' | ');
    const scroller = table.querySelector('.dvn-scroller');
    if (!scroller) out.push(`${heads || '?'} (${Math.round(r.width)} px wide): no grid scroller to measure`);
    else if (scroller.scrollWidth > scroller.clientWidth + 2)
      out.push(`${heads}: ${scroller.scrollWidth} px of columns in ${scroller.clientWidth} px`);
  }
  return out;
}"""

# Overlapping tick labels on any axis of any chart: unrotated labels by their boxes; rotated ones by the distance
# between neighbouring anchors across the text direction against the font size.
OVERLAPS = """() => {
  const out = [];
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  for (const frame of document.querySelectorAll('iframe')) {
    try { plots.push(...frame.contentDocument.querySelectorAll('.js-plotly-plot')); } catch (e) {}
  }
  for (const plot of plots) {
    const title = (plot.querySelector('.gtitle') || {}).textContent || plot.closest('[class*="st-key-"]')?.className || '?';
    for (const layer of plot.querySelectorAll('g.xaxislayer-above, g.yaxislayer-above')) {
      const labels = [...layer.querySelectorAll('text')].filter(t => t.textContent.trim()
        && getComputedStyle(t).display !== 'none' && t.getBoundingClientRect().width > 0)
        .map(t => ({t, r: t.getBoundingClientRect(),
                    a: Number(((t.getAttribute('transform') || '').match(/rotate\\((-?[\\d.]+)/) || [0, 0])[1]),
                    size: parseFloat(getComputedStyle(t).fontSize)}));
      const x = layer.classList.contains('xaxislayer-above');
      labels.sort((p, q) => x ? p.r.left - q.r.left : p.r.top - q.r.top);
      for (let i = 1; i < labels.length; i++) {
        const p = labels[i - 1], q = labels[i];
        let overlap;
        if (p.a % 180 === 0 && q.a % 180 === 0) {
          overlap = p.r.right > q.r.left + 1 && q.r.right > p.r.left + 1 && p.r.bottom > q.r.top + 1
                    && q.r.bottom > p.r.top + 1;
        } else {  // rotated: the anchors' spacing across the text direction must hold the font's height
          const along = x ? (q.r.left + q.r.right - p.r.left - p.r.right) / 2
                          : (q.r.top + q.r.bottom - p.r.top - p.r.bottom) / 2;
          overlap = Math.abs(along * Math.sin(p.a * Math.PI / 180)) < 0.85 * p.size;
        }
        if (overlap) out.push(`${title.slice(0, 60)}: "${p.t.textContent}" / "${q.t.textContent}"`);
      }
    }
  }
  return out;
}"""

# Text a chart draws about itself (its title, the stamped filters and source lines under it, annotations such as the
# map's year, its legend's entries and title) that runs past the chart's own width: SVG text is not wrapped by the
# browser and is cut at the chart's edge. Measured as each text element's box against the plot's box (its whole width,
# margins included). Plotly places a horizontal legend's entries itself, but does not wrap or shorten an entry: one
# wider than its column ("Official total, all destinations" on a 390 px phone) runs off the chart or into the next
# entry.
CHART_TEXT_OVERFLOW = """() => {
  const out = [];
  for (const plot of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
    const box = plot.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const name = ((plot.querySelector('.gtitle') || {}).textContent || '?').slice(0, 40);
    for (const el of plot.querySelectorAll('g.infolayer .gtitle, g.infolayer .gtitle-subtitle, g.annotation text, '
                                           + 'g.legend text.legendtext, g.legend text.legendtitletext')) {
      const r = el.getBoundingClientRect();
      if (!r.width || !el.textContent.trim()) continue;
      if (r.right > box.right + 1 || r.left < box.left - 1)
        out.push(`${name}: "${el.textContent.slice(0, 60)}" spans ${Math.round(r.left - box.left)}–` +
                 `${Math.round(r.right - box.left)} px of a ${Math.round(box.width)} px chart`);
    }
    for (const legend of plot.querySelectorAll('g.legend')) {  // an entry run into its neighbour's slot
      const texts = [...legend.querySelectorAll('text.legendtext')].filter(t => t.textContent.trim())
        .map(t => [t.textContent, t.getBoundingClientRect()]);
      texts.forEach(([a, p], i) => texts.slice(i + 1).forEach(([b, q]) => {
        if (p.right > q.left + 1 && q.right > p.left + 1 && p.bottom > q.top + 1 && q.bottom > p.top + 1)
          out.push(`${name}: legend entries "${a.slice(0, 40)}" and "${b.slice(0, 40)}" overlap`);
      }));
    }
  }
  return out;
}"""

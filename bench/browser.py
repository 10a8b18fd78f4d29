"""Real-Chromium figures against a live `streamlit run` on localhost.

- navigation: from `page.goto(url)` to the script finished, no stale element, no loading skeleton, and every
  Plotly chart drawn (its SVG laid out); median of several runs, each a new browser context (new session, empty
  HTTP cache: a first visit) and, separately, a reload in a context that has the static files cached;
- filter change: from the click on a sidebar filter (Region → the first region) to the rerun finished and every
  chart redrawn; median of several runs;
- server memory: the VmRSS of the server process with 1, 10 and 30 sessions open (round robin over the pages).
Requests to any host other than 127.0.0.1/localhost cannot resolve and are counted (no request interception:
it would disable the HTTP cache).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import CHROMIUM, CHROMIUM_ARGS, PageSpec, Server, is_external, median

# Counts finished script runs (running → notRunning) and incoming websocket frames, so that a wait can require a
# *new* run to have finished. A very short run can flip running → notRunning within one React commit, which no
# observer sees; then "frames arrived since the action and none for QUIET_MS" stands in for the count.
INIT_JS = """
(() => {
  window.__kd = {runs: 0, done: 0, frames: 0, lastFrame: 0, longMs: 0};
  // Main-thread tasks of 50 ms or more (parsing the figures, Plotly drawing, React): what the browser spends.
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__kd.longMs += e.duration; })
      .observe({type: 'longtask'});
  } catch (e) { /* no Long Tasks API: longMs stays 0 */ }
  const Base = window.WebSocket;
  window.WebSocket = class extends Base {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => { window.__kd.frames += 1; window.__kd.lastFrame = performance.now(); });
    }
  };
  new MutationObserver((muts) => {
    for (const m of muts) {
      const s = m.target.getAttribute('data-test-script-state');
      if (s === 'running') window.__kd.runs += 1;
      if (s === 'notRunning') window.__kd.done += 1;
    }
  }).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
})();
"""

MARK_JS = "() => ({done: window.__kd.done, frames: window.__kd.frames})"
# Tags every Plotly chart's element, so that after a rerun the charts Streamlit mounted anew can be counted
# (a changed figure gets a new element id, so its component is remounted and Plotly draws it from scratch).
# Plotly marks a figure it drew a second time because automargin grew a margin (`_redrawFromAutoMarginCount`, set
# only then): `redrawn` counts the remounted charts drawn twice that way.
TAG_CHARTS_JS = "() => document.querySelectorAll('.js-plotly-plot').forEach((gd) => { gd.__kdKept = true; })"
AFTER_CHANGE_JS = """
() => ({longMs: window.__kd.longMs,
        charts: document.querySelectorAll('.js-plotly-plot').length,
        remounted: Array.from(document.querySelectorAll('.js-plotly-plot')).filter((gd) => !gd.__kdKept).length,
        redrawn: Array.from(document.querySelectorAll('.js-plotly-plot'))
          .filter((gd) => !gd.__kdKept && gd._fullLayout && '_redrawFromAutoMarginCount' in gd._fullLayout).length})
"""
QUIET_MS = 200

# True when the app is connected, a new run has finished (see INIT_JS), nothing is stale or still loading, and
# every Plotly chart has been laid out (Plotly sets _fullLayout and draws its main SVG).
IDLE_JS = """
([mark, quietMs]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  const kd = window.__kd;
  if (!kd) return false;
  const ran = kd.done > mark.done
    || (kd.frames > mark.frames && performance.now() - kd.lastFrame >= quietMs);
  if (!ran) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || !main.querySelector('[data-testid="stElementContainer"]')) return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  for (const box of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    const gd = box.querySelector('.js-plotly-plot');
    if (!gd || !gd._fullLayout || !box.querySelector('svg.main-svg')) return false;
  }
  return true;
}
"""

NEW_PAGE = {"done": 0, "frames": 0}

STATE_JS = """
() => ({
  charts: document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot').length,
  plots: document.querySelectorAll('.js-plotly-plot').length,
  exceptions: Array.from(document.querySelectorAll('[data-testid="stException"]')).map(e => e.innerText.slice(0, 2000)),
  errors: Array.from(document.querySelectorAll('[data-testid="stAlertContentError"]')).map(e => e.innerText.slice(0, 2000)),
  footer: (document.querySelector('.kd-footer') || {innerText: ''}).innerText,
  connection: (document.querySelector('[data-testid="stApp"]') || {getAttribute: () => null})
               .getAttribute('data-test-connection-state'),
})
"""


@dataclass
class Guard:
    """Records every request to a non-local host. Such hosts do not resolve (CHROMIUM_ARGS), so none succeeds.

    A passive listener, not request interception: `context.route` sends each request through Playwright and turns
    the HTTP cache off, which would measure a browser no user has (repeat visits re-downloading 8 MB of JS).
    """

    external: list[str] = field(default_factory=list)

    def watch(self, context) -> None:
        context.on("request", lambda request: self.external.append(request.url) if is_external(request.url) else None)


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, guard: Guard, viewport=(1920, 1080)):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    guard.watch(context)
    context.add_init_script(INIT_JS)
    return context, context.new_page()


def mark(page) -> dict:
    """Counters before an action; pass to wait_idle to wait for the rerun the action causes."""
    return page.evaluate(MARK_JS)


def wait_idle(page, since: dict = NEW_PAGE, timeout: float = 120) -> None:
    page.wait_for_function(IDLE_JS, arg=[since, QUIET_MS], timeout=timeout * 1000, polling="raf")


def page_url(server: Server, spec: PageSpec, query: str = "") -> str:
    return f"{server.url}/{spec.url}" + (f"?{query}" if query else "")


def count_ws_bytes(page) -> list[int]:
    """Sizes of the websocket frames the page receives from now on (what the server sends for each run)."""
    sizes: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: sizes.append(len(payload))))
    return sizes


RERUN_LINE = re.compile(r"kdefense rerun page=\S* ms=([0-9.]+)")


def server_rerun_seconds(log: Path | None, offset: int) -> float:
    """The server's own wall time of the last script run logged after `offset` (KDEFENSE_RERUN_LOG=1 lines);
    NaN without a log or a line. Frame times seen in the page cannot tell this: Chromium reports a websocket frame
    (to the page and to DevTools alike) only when the renderer's main thread takes it, after any drawing."""
    if log is None or not log.exists():
        return float("nan")
    found = RERUN_LINE.findall(log.read_text(errors="replace")[offset:])
    return float(found[-1]) / 1000 if found else float("nan")


def log_size(log: Path | None) -> int:
    return len(log.read_text(errors="replace")) if log is not None and log.exists() else 0


def time_navigation(browser, url: str, guard: Guard, runs: int) -> dict:
    """First visits (new context each) and repeat visits (reload, static files cached)."""
    first, repeat, state, ws_bytes = [], [], {}, []
    for _ in range(runs):
        context, page = new_page(browser, guard)
        frames = count_ws_bytes(page)
        try:
            started = time.perf_counter()
            page.goto(url)
            wait_idle(page)
            first.append(time.perf_counter() - started)
            ws_bytes.append(sum(frames))
            started = time.perf_counter()
            page.reload()
            wait_idle(page)
            repeat.append(time.perf_counter() - started)
            state = page.evaluate(STATE_JS)
        finally:
            context.close()
    return {
        "first_visit": median(first),
        "repeat_visit": median(repeat),
        "first_all": first,
        "repeat_all": repeat,
        "ws_kb": median(ws_bytes) / 1024,
        "charts": state.get("charts", 0),
        "exceptions": state.get("exceptions", []),
        "errors": state.get("errors", []),
    }


def time_app_navigation(browser, server: Server, specs: Sequence[PageSpec], guard: Guard, rounds: int) -> dict:
    """In-app navigation: a click on a page's link in the sidebar (no page load; the session and the browser's
    compiled scripts stay) until that page's script has finished and its charts are drawn. One session clicks
    through every page `rounds` times; the median per page includes the first round, when Plotly is loaded."""
    times: dict[str, list[float]] = {spec.name: [] for spec in specs}
    context, page = new_page(browser, guard)
    try:
        page.goto(server.url)
        wait_idle(page)
        order = [*specs[1:], specs[0]]  # from the default page to the next one, ending back on the default
        for _ in range(rounds):
            for spec in order:
                link = page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=spec.title, exact=True)
                before = mark(page)
                started = time.perf_counter()
                link.click()
                wait_idle(page, before)
                times[spec.name].append(time.perf_counter() - started)
    finally:
        context.close()
    return {name: {"median": median(t), "all": t} for name, t in times.items()}


def pick_first_region(page):
    """Sidebar Region multiselect → its first region (opening the dropdown is not part of the timed change)."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    box.locator('.react-aria-ComboBox button[aria-label="Open"]').click()
    options = page.get_by_role("option")
    options.first.wait_for()
    names = [n.strip() for n in options.all_inner_texts()]
    return options.nth(next(i for i, n in enumerate(names) if n not in ("Select all", "No results")))


def time_filter_change(
    browser, url: str, guard: Guard, runs: int, prepare: Callable = pick_first_region, rerun_log: Path | None = None
) -> dict:
    """From the click that commits a filter to the rerun finished and every chart redrawn.

    Also where the time went, per run: the bytes the server sent for the change, the server's own rerun (from the
    app's rerun log, when the server writes one), the browser's main-thread tasks of 50 ms or more (parsing,
    Plotly drawing, React), how many charts were mounted anew rather than updated, and how many of those Plotly
    drew twice because its automargin grew a margin after the first draw."""
    times, state, parts = [], {}, {"sent_kb": [], "server_rerun_s": [], "long_tasks_s": [], "remounted": [],
                                "redrawn": []}
    for _ in range(runs):
        context, page = new_page(browser, guard)
        sizes = count_ws_bytes(page)
        try:
            page.goto(url)
            wait_idle(page)
            target = prepare(page)
            page.evaluate(TAG_CHARTS_JS)
            long_before = page.evaluate("() => window.__kd.longMs")
            sent_before, log_before = sum(sizes), log_size(rerun_log)
            before = mark(page)
            started = time.perf_counter()
            target.click()
            wait_idle(page, before)
            times.append(time.perf_counter() - started)
            after = page.evaluate(AFTER_CHANGE_JS)
            state = page.evaluate(STATE_JS)
        finally:
            context.close()
        parts["sent_kb"].append((sum(sizes) - sent_before) / 1024)
        parts["server_rerun_s"].append(server_rerun_seconds(rerun_log, log_before))
        parts["long_tasks_s"].append((after["longMs"] - long_before) / 1000)
        parts["remounted"].append(after["remounted"])
        parts["redrawn"].append(after["redrawn"])
    return {
        "filter_change": median(times),
        "all": times,
        **{name: median(values) for name, values in parts.items()},
        "exceptions": state.get("exceptions", []),
        "errors": state.get("errors", []),
    }


def sessions_memory(
    browser, server: Server, urls: Sequence[str], counts: Sequence[int] = (1, 10, 30), settle: float = 3.0
) -> dict:
    """Server VmRSS with N sessions open; sessions are opened round robin over the URLs and kept open."""
    guard = Guard()
    contexts = []
    out = {"idle": server.rss_mb()}
    try:
        for n in counts:
            while len(contexts) < n:
                url = urls[len(contexts) % len(urls)]
                context, page = new_page(browser, guard, viewport=(1280, 800))
                contexts.append(context)
                page.goto(url)
                wait_idle(page, timeout=300)
            time.sleep(settle)
            out[str(n)] = server.rss_mb()
    finally:
        for context in contexts:
            context.close()
    out["external_requests"] = len(guard.external)
    return out

"""Many real browser sessions clicking through the filters of a live server at once (async Playwright).

Used by `python -m bench.run` (60 s) and tests/load/test_load.py (LOAD_SECONDS, 20 s by default). Every session
is its own browser context (own cookies, own Streamlit session) in one Chromium; all sessions are opened first,
then all click for the given time. Each action changes something (page, value basis, region, NATO/EU, years,
search, reset), so it always causes a rerun, and the session waits for that rerun to finish with every chart
drawn before it checks for problems and clicks again.

An error is: an exception element or an error alert on the page, a JavaScript error, the connection lost, a
rerun that does not finish within ACTION_TIMEOUT, or a request to a non-local host.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from dataclasses import dataclass, field

from bench.browser import IDLE_JS, INIT_JS, MARK_JS, NEW_PAGE, QUIET_MS
from bench.common import CHROMIUM, CHROMIUM_ARGS, is_external, median, p95
from kdefense import settings

ACTION_TIMEOUT = 120.0  # seconds for one rerun under full load on a 2-core machine; a limit, not a measurement
REGIONS = settings.REGIONS
SEARCH_TERMS = ("K9", "tank", "Poland", "frigate", "K2", "missile", "trainer")

PROBLEMS_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const text = (sel) => Array.from(document.querySelectorAll(sel)).map(e => e.innerText.slice(0, 200));
  return {
    exceptions: text('[data-testid="stException"]'),
    errors: text('[data-testid="stAlertContentError"]'),
    connection: app ? app.getAttribute('data-test-connection-state') : 'no app',
    footer: (document.querySelector('.kd-footer') || {innerText: ''}).innerText,
  };
}
"""


@dataclass
class LoadResult:
    sessions: int
    seconds: float
    actions: int = 0
    action_times: list[float] = field(default_factory=list)
    open_times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    footers: set[str] = field(default_factory=set)
    by_action: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict:
        return {
            "sessions": self.sessions,
            "seconds": round(self.seconds, 1),
            "actions": self.actions,
            "actions_per_s": round(self.actions / self.seconds, 2) if self.seconds else 0,
            "action_median_s": round(median(self.action_times), 3),
            "action_p95_s": round(p95(self.action_times), 3),
            "open_median_s": round(median(self.open_times), 3),
            "errors": len(self.errors),
            "external_requests": len(self.external),
            "console_errors": len(self.console_errors),
            "by_action": self.by_action,
        }


# ---------------------------------------------------------------- actions (each causes exactly one rerun or more)


async def _nav(page, rng: random.Random) -> None:
    links = page.locator('[data-testid="stSidebarNav"] a')
    hrefs = [await links.nth(i).get_attribute("href") for i in range(await links.count())]
    current = page.url.split("?")[0]
    choices = [i for i, h in enumerate(hrefs) if h and h.split("?")[0] != current]
    await links.nth(rng.choice(choices)).click()


async def _basis(page, rng: random.Random) -> None:
    await page.locator(
        '[data-testid="stSidebar"] [data-testid="stButtonGroup"] button[aria-checked="false"]'
    ).first.click()


async def _region(page, rng: random.Random) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.locator(".react-aria-ComboBox")
    selected = [t.strip() for t in await box.locator("[data-tag]").all_inner_texts()]
    if len(selected) >= 3:  # enough regions picked: drop one
        await box.locator('button[aria-label^="Remove "]').first.click()
        return
    choice = rng.choice([r for r in REGIONS if r not in selected])
    field = box.locator('input[role="combobox"]')
    await field.click()
    await field.fill(choice)
    await page.get_by_role("option", name=choice, exact=True).click()


async def _toggle(page, rng: random.Random) -> None:
    switches = page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]')
    await switches.nth(rng.randrange(min(2, await switches.count()))).locator("label").first.click()


async def _years(page, rng: random.Random) -> None:
    thumb = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]').first
    value, low = int(await thumb.input_value()), int(await thumb.get_attribute("min"))
    top = int(await thumb.get_attribute("max"))
    await thumb.focus()
    await page.keyboard.press("ArrowRight" if value == low or (value < top - 5 and rng.random() < 0.7) else "Home")


async def _search(page, rng: random.Random) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stTextInput"] input').first
    current = await box.input_value()
    await box.fill(rng.choice([t for t in SEARCH_TERMS if t != current]) if not current or rng.random() < 0.5 else "")
    await box.press("Enter")


async def _reset(page, rng: random.Random) -> None:
    await page.locator('[data-testid="stSidebar"] [data-testid="stButton"] button', has_text="Reset filters").click()


ACTIONS = {
    "page": _nav,
    "basis": _basis,
    "region": _region,
    "nato/eu": _toggle,
    "years": _years,
    "search": _search,
    "reset": _reset,
}
WEIGHTS = {"page": 3, "basis": 2, "region": 3, "nato/eu": 1, "years": 2, "search": 1, "reset": 1}


# ---------------------------------------------------------------- sessions


async def _wait_rerun(page, since: dict) -> None:
    await page.wait_for_function(IDLE_JS, arg=[since, QUIET_MS], timeout=ACTION_TIMEOUT * 1000, polling=100)


async def _problems(page, tag: str, result: LoadResult) -> None:
    state = await page.evaluate(PROBLEMS_JS)
    for e in state["exceptions"]:
        result.errors.append(f"{tag}: exception shown: {e}")
    for e in state["errors"]:
        result.errors.append(f"{tag}: error shown: {e}")
    if state["connection"] != "CONNECTED":
        result.errors.append(f"{tag}: connection {state['connection']}")
    if state["footer"]:
        result.footers.add(state["footer"].split("·")[0].strip())


async def _session(
    browser,
    index: int,
    url: str,
    result: LoadResult,
    opened: asyncio.Event,
    ready: list[int],
    total: int,
    stop_at: list[float],
    seed: int,
    clicking: threading.Event | None,
    stop: threading.Event | None,
) -> None:
    rng = random.Random(seed * 1000 + index)
    tag = f"session {index}"
    context = await browser.new_context(viewport={"width": 1280, "height": 800})

    # outside hosts do not resolve (CHROMIUM_ARGS); count attempts without intercepting every request
    context.on("request", lambda request: result.external.append(request.url) if is_external(request.url) else None)
    await context.add_init_script(INIT_JS)
    page = await context.new_page()
    page.on("pageerror", lambda exc: result.errors.append(f"{tag}: JavaScript error: {exc}"))
    page.on(
        "console", lambda msg: result.console_errors.append(f"{tag}: {msg.text[:200]}") if msg.type == "error" else None
    )
    try:
        started = time.perf_counter()
        await page.goto(url, timeout=ACTION_TIMEOUT * 1000)
        await _wait_rerun(page, NEW_PAGE)
        result.open_times.append(time.perf_counter() - started)
        await _problems(page, tag, result)
    except Exception as exc:  # noqa: BLE001 — any failure to open is an error of the run
        result.errors.append(f"{tag}: could not open: {type(exc).__name__}: {str(exc)[:200]}")
    ready.append(index)
    if len(ready) == total:
        stop_at.append(time.perf_counter() + result.seconds)
        opened.set()
        if clicking is not None:
            clicking.set()
    await opened.wait()
    names, weights = list(WEIGHTS), list(WEIGHTS.values())
    while time.perf_counter() < stop_at[0] and not (stop is not None and stop.is_set()):
        name = rng.choices(names, weights)[0]
        try:
            await page.keyboard.press("Escape")  # close any dropdown a previous action left open
            await page.evaluate("() => document.activeElement && document.activeElement.blur()")
            since = await page.evaluate(MARK_JS)
            started = time.perf_counter()
            await asyncio.wait_for(ACTIONS[name](page, rng), ACTION_TIMEOUT)
            await _wait_rerun(page, since)
            result.action_times.append(time.perf_counter() - started)
            result.actions += 1
            result.by_action[name] = result.by_action.get(name, 0) + 1
        except Exception as exc:  # noqa: BLE001 — a click or rerun that fails is an error of the run
            result.errors.append(f"{tag}: {name}: {type(exc).__name__}: {str(exc)[:300]} at {page.url}")
            if os.environ.get("LOAD_SCREENSHOTS"):
                await page.screenshot(path=f"{os.environ['LOAD_SCREENSHOTS']}/s{index}-{len(result.errors)}.png")
            await page.keyboard.press("Escape")
        await _problems(page, f"{tag} after {name}", result)
    await context.close()


async def _run(
    url: str, sessions: int, seconds: float, seed: int, clicking: threading.Event | None, stop: threading.Event | None
) -> LoadResult:
    from playwright.async_api import async_playwright

    result = LoadResult(sessions, seconds)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            opened, ready, stop_at = asyncio.Event(), [], []
            await asyncio.gather(
                *(
                    _session(browser, i, url, result, opened, ready, sessions, stop_at, seed, clicking, stop)
                    for i in range(sessions)
                )
            )
            if stop_at:
                result.seconds = min(result.seconds, time.perf_counter() - (stop_at[0] - result.seconds))
        finally:
            await browser.close()
    return result


def run_load(
    url: str,
    sessions: int = 30,
    seconds: float = 60,
    seed: int = 0,
    started: threading.Event | None = None,
    stop: threading.Event | None = None,
) -> LoadResult:
    """Run the load in a thread with its own event loop (safe beside a sync Playwright in the caller).

    `started` is set once every session is open and clicking begins; setting `stop` ends the clicking early.
    """
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["result"] = asyncio.run(_run(url, sessions, seconds, seed, started, stop))
        except BaseException as exc:  # noqa: BLE001 — re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="load")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]

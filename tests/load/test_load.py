"""Load and faults against a live `streamlit run` on localhost (bounded loops; no wall-clock assertions).

- 30 browser sessions click through the filters at once (LOAD_SESSIONS, LOAD_SECONDS: 20 s here, 60 s in
  `make bench`): no exception, no error message, no JavaScript error, no lost connection, no outside request.
- The DuckDB file is rebuilt twice while sessions click: nothing breaks, and sessions then show the new data
  version in the footer.
- The DuckDB file is deleted or corrupted underneath the server: the app keeps serving, says to run `make data`
  and shows no traceback; once the file is back, it serves data again.
- The very first visit after the server starts may be a deep link (a bookmark to /deals).

Each test runs its own server on a private copy of the full database (ports 8620-8699), never the shared one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest

from bench import browser as bb
from bench.common import CHROMIUM, ROOT, free_port, registered_pages, streamlit_server
from bench.load import run_load
from bench.proxy import RoundRobinProxy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"),
]

LOAD_SESSIONS = int(os.environ.get("LOAD_SESSIONS", "30"))
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "20"))
CONNECTION_JS = "() => document.querySelector('[data-testid=stApp]').getAttribute('data-test-connection-state')"
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "Uncaught app exception", "Uncaught app execution")


@pytest.fixture()
def server(built_db_path, tmp_path):
    """A server of our own on a private copy of the full database (the tests below replace or break it)."""
    db = tmp_path / "kdefense.duckdb"
    shutil.copy(built_db_path, db)
    with streamlit_server(db, tmp_path / "server.log") as srv:
        yield srv


def healthy(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as r:
        return r.status == 200


def tracebacks(log: str) -> list[str]:
    return [line for line in log.splitlines() if any(m in line for m in TRACEBACK_MARKERS)]


def open_page(browser, url: str):
    guard = bb.Guard()
    context, page = bb.new_page(browser, guard, viewport=(1280, 800))
    page.goto(url)
    bb.wait_idle(page, timeout=180)
    return context, page, guard


def page_state(page) -> dict:
    return page.evaluate(bb.STATE_JS)


def data_version(page) -> str:
    footer = page_state(page)["footer"]
    assert footer.startswith("Data version "), f"no data version in the footer: {footer!r}"
    return footer.split()[2]


def build(sources: Path, out: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "kdefense.build", "--sources", str(sources), "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )


# ---------------------------------------------------------------- load


def test_sessions_click_through_filters_without_errors(server):
    result = run_load(server.url, sessions=LOAD_SESSIONS, seconds=LOAD_SECONDS)
    print(f"\nload: {result.summary()}")
    assert result.errors == []
    assert result.external == []
    assert len(result.open_times) == LOAD_SESSIONS
    assert result.actions >= LOAD_SESSIONS, "every session should have clicked at least once"
    assert len(result.by_action) >= 5, f"too few kinds of clicks exercised: {result.by_action}"
    assert tracebacks(server.log_text()) == []
    assert healthy(server.url)


def test_rebuild_while_sessions_are_open(server, browser, tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "data" / "sources", sources)
    context, page, _ = open_page(browser, server.url)
    old = data_version(page)
    context.close()

    started, stop, box = threading.Event(), threading.Event(), {}

    def clicking() -> None:
        try:
            box["result"] = run_load(server.url, sessions=6, seconds=600, seed=9, started=started, stop=stop)
        except BaseException as exc:  # noqa: BLE001 — re-raised below
            box["error"] = exc

    load = threading.Thread(target=clicking)
    load.start()
    try:
        for _ in range(600):
            if started.wait(1) or not load.is_alive():
                break
        if "error" in box:
            raise box["error"]
        assert started.is_set(), "the sessions did not open"
        versions = []
        for i in range(2):  # each rebuild changes the sources' hash, so the data version
            with (sources / "ledger" / "README.md").open("a") as fh:
                fh.write(f"\n<!-- rebuild {i} under load -->\n")
            build(sources, server.db)
            context, page, _ = open_page(browser, server.url)
            versions.append(data_version(page))
            assert not page_state(page)["exceptions"]
            context.close()
    finally:
        threading.Timer(max(10.0, LOAD_SECONDS / 2), stop.set).start()  # keep clicking on the new file a while
        load.join()
    result = box["result"]
    print(f"\nrebuild under load: {result.summary()}; versions seen by open sessions: {sorted(result.footers)}")
    assert len(set([old, *versions])) == 3, "each rebuild should bring a new data version to new sessions"
    assert result.errors == []
    assert result.actions >= 6
    assert f"Data version {versions[-1]}" in result.footers, "open sessions should move to the new data"
    assert tracebacks(server.log_text()) == []


# ---------------------------------------------------------------- faults


def assert_says_make_data(page, when: str) -> None:
    state = page_state(page)
    assert state["exceptions"] == [], f"{when}, {page.url}: {state['exceptions']}"
    assert any("make data" in e for e in state["errors"]), f"{when}, {page.url}: no 'make data' message: {state}"


def rerun(page) -> None:
    """Click the value basis in an open session (a rerun that reads the database)."""
    before = bb.mark(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stButtonGroup"] button[aria-checked="false"]').first.click()
    bb.wait_idle(page, before, timeout=180)


def reload(page) -> None:
    page.reload()
    bb.wait_idle(page, timeout=180)


CORRUPTIONS = {
    "garbage header": lambda db: _overwrite(db, 0, os.urandom(8192)),
    "zero bytes": lambda db: db.write_bytes(b""),
    "truncated to half": lambda db: os.truncate(db, db.stat().st_size // 2),
    "garbage in the middle": lambda db: _overwrite(db, db.stat().st_size // 2, os.urandom(256 * 1024)),
    "not a database": lambda db: db.write_bytes(b"this is not a duckdb file\n" * 1000),
}


def _overwrite(path: Path, offset: int, data: bytes) -> None:
    """Overwrite bytes in place (same inode, as a failing disk or a bad copy would)."""
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(data)


@pytest.mark.parametrize("fault", ["deleted", *CORRUPTIONS])
def test_app_keeps_serving_when_the_database_breaks(server, browser, fault):
    pristine = server.db.with_name("pristine.duckdb")
    shutil.copy(server.db, pristine)
    pages = registered_pages()
    open_sessions = [open_page(browser, f"{server.url}/{p.url}") for p in pages[:3]]
    version = data_version(open_sessions[0][1])

    if fault == "deleted":
        server.db.unlink()
    else:
        CORRUPTIONS[fault](server.db)

    for _context, page, guard in open_sessions:  # sessions that were open when it broke
        rerun(page)
        assert_says_make_data(page, "open session")
        assert guard.external == []
    for spec in pages:  # new visitors, on every page
        context, page, _ = open_page(browser, f"{server.url}/{spec.url}")
        assert_says_make_data(page, "new session")
        context.close()
    assert healthy(server.url)

    os.replace(pristine, server.db)  # `make data` again: the app recovers without a restart
    context, page, _ = open_page(browser, server.url)
    assert page_state(page)["exceptions"] == [] and page_state(page)["errors"] == []
    assert data_version(page) == version
    context.close()
    for context, page, _ in open_sessions:
        reload(page)
        assert page_state(page)["exceptions"] == []
        context.close()
    assert tracebacks(server.log_text()) == []


DIALOG_JS = "() => Array.from(document.querySelectorAll('[role=dialog]')).map(d => d.innerText)"


@pytest.mark.parametrize("spec", [p for p in registered_pages() if not p.default], ids=lambda p: p.url_path)
def test_first_visit_after_start_may_be_a_deep_link(spec, built_db_path, browser, tmp_path):
    """Streamlit treats a `pages/` folder next to the main script as an MPA-v1 app until st.navigation first runs
    in the process; until then a deep link resolves against the file names of pages/ (see bench/README.md). Every
    page, as the very first request of a fresh server, opens with the shared sidebar and no "Page not found"."""
    db = tmp_path / "kdefense.duckdb"
    shutil.copy(built_db_path, db)
    with streamlit_server(db, tmp_path / "server.log") as server:
        context, page, _ = open_page(browser, f"{server.url}/{spec.url}")
        state, dialogs, title = page_state(page), page.evaluate(DIALOG_JS), page.locator("h1").first.inner_text()
        context.close()
        log = server.log_text()
    assert dialogs == [], f"/{spec.url} as first request: {dialogs}"
    assert state["exceptions"] == [] and state["footer"].startswith("Data version"), state
    assert title.strip().startswith(spec.title), f"/{spec.url} opened {title!r}"
    assert tracebacks(log) == []


# ---------------------------------------------------------------- replicas


def test_replicas_behind_a_load_balancer_lose_a_replica(built_db_path, browser, tmp_path):
    """Two replicas on one read-only file behind a round-robin TCP balancer (a websocket stays on its replica):
    both serve the same data. When the replica holding a session stops, the browser reconnects to the other; its
    next click reruns there with the view rebuilt from the URL, without an error, and later clicks work."""
    db = tmp_path / "kdefense.duckdb"
    shutil.copy(built_db_path, db)
    with ExitStack() as stack:
        replicas = [stack.enter_context(streamlit_server(db, tmp_path / f"replica{i}.log")) for i in range(2)]
        proxy = stack.enter_context(RoundRobinProxy(free_port(), [r.port for r in replicas]))
        pages = [open_page(browser, f"{proxy.url}/?region=Europe&basis=tiv")]
        holder = next(r for r in replicas if proxy.sessions[r.port])  # the replica holding the first session
        survivor = next(r for r in replicas if r is not holder)
        pages.append(open_page(browser, f"{proxy.url}/?region=Europe&basis=tiv"))
        assert proxy.sessions[holder.port] == 1 and proxy.sessions[survivor.port] == 1, dict(proxy.sessions)
        assert len({data_version(page) for _, page, _ in pages}) == 1

        _, page, guard = pages[0]
        holder.proc.terminate()
        holder.proc.wait(30)
        for _ in range(240):  # the browser reconnects through the balancer
            if proxy.sessions[survivor.port] == 2:
                break
            page.wait_for_timeout(500)  # not time.sleep: Playwright must keep serving the page's routed requests
        connection = page.evaluate(CONNECTION_JS)
        assert proxy.sessions[survivor.port] == 2, f"no reconnect: {dict(proxy.sessions)}, browser {connection}"
        rerun(page)  # the first click on the new replica: a new session, the view comes from the URL
        assert page_state(page)["exceptions"] == [] and page_state(page)["errors"] == [], page_state(page)
        summary = page.locator(".kd-filter-summary").first.inner_text()
        assert "Europe" in summary and "SIPRI TIV" in summary, summary
        rerun(page)  # later clicks act as usual
        summary = page.locator(".kd-filter-summary").first.inner_text()
        assert "Europe" in summary and "Contract value" in summary, summary
        assert guard.external == []
        for context, _, _ in pages:
            context.close()
        assert tracebacks(survivor.log_text()) == []

"""Shared fixtures: databases built from the fixture and from the real sources, a live server, a browser."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_SOURCES = ROOT / "tests" / "fixtures" / "sources"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic"]

sys.path.insert(0, str(ROOT))


def _build(sources: Path, out: Path) -> Path:
    from kdefense.build import build

    build(sources, out)
    return out


@pytest.fixture(scope="session")
def fixture_db_path(tmp_path_factory) -> Path:
    """A small database built from tests/fixtures/sources (SIPRI slices in raw format, a hand-made ledger)."""
    return _build(FIXTURE_SOURCES, tmp_path_factory.mktemp("fixture") / "fixture.duckdb")


@pytest.fixture(scope="session")
def built_db_path(tmp_path_factory) -> Path:
    """The full database, built from data/sources into a temporary file."""
    return _build(ROOT / "data" / "sources", tmp_path_factory.mktemp("full") / "kdefense.duckdb")


@pytest.fixture(scope="session")
def built_db(built_db_path):
    con = duckdb.connect(str(built_db_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def fixture_db(fixture_db_path):
    con = duckdb.connect(str(fixture_db_path), read_only=True)
    yield con
    con.close()


@pytest.fixture()
def app_db(built_db_path, monkeypatch) -> Path:
    """Point the app (AppTest runs in-process) at the full database."""
    monkeypatch.setenv("KDEFENSE_DB", str(built_db_path))
    return built_db_path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_server(built_db_path, tmp_path_factory):
    """`streamlit run dashboard.py` on a free localhost port, against a private copy of the full database."""
    db = tmp_path_factory.mktemp("server") / "kdefense.duckdb"
    shutil.copy(built_db_path, db)
    port = _free_port()
    env = {**os.environ, "KDEFENSE_DB": str(db)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 60 s")
    yield {"url": url, "db": db, "proc": proc}
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    """A 1920×1080 page that blocks and records every request to a non-local host."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
    page = context.new_page()
    page.external_requests = []

    def guard(route):
        host = route.request.url.split("/")[2].split(":")[0] if "://" in route.request.url else ""
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            page.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield page
    context.close()

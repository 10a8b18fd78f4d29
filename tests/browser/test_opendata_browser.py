"""Real Chromium against `streamlit run`: the full downloads, and the SQL page under hostile statements."""

from __future__ import annotations

import io
import threading
import time
import urllib.request
import zipfile
from urllib.parse import quote

import pandas as pd
import pyarrow.parquet as pq
import pytest

from kdefense.build import PUBLIC_VIEWS
from tests.helpers import HOSTILE_SQL, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # make test-slow
SLOW = ("transfers a", "range(1000000000000)", "RECURSIVE", "list(range)")


@pytest.mark.parametrize(("kind", "label"), [("parquet", "Parquet"), ("csv", "CSV")])
def test_full_download_zip_has_readme_and_every_row(app_server, page, built_db, tmp_path, kind, label):
    page.goto(f"{app_server['url']}/data")
    wait_for_app(page, "[data-testid='stDataFrame']", timeout=120_000)
    page.get_by_role("button", name=f"Make the {label} zip").click()
    button = page.get_by_role("button", name=f"{label} zip (")
    button.wait_for(timeout=120_000)
    with page.expect_download(timeout=120_000) as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    zf = zipfile.ZipFile(path)
    readme = zf.read("README.txt").decode()
    version = built_db.execute("SELECT value FROM build_info WHERE key = 'data_version'").fetchall()[0][0]
    assert f"Data version: {version}" in readme and "How to cite" in readme and "SIPRI" in readme
    for view in PUBLIC_VIEWS:
        n = built_db.execute(f"SELECT count(*) FROM {view}").fetchall()[0][0]
        assert f"{view}.{kind} — {n:,} rows." in readme
        data = zf.read(f"{view}.{kind}")
        got = (pq.read_table(io.BytesIO(data)).num_rows if kind == "parquet"
               else len(pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)))
        assert got == n, view


class HealthWatch(threading.Thread):
    """Polls /_stcore/health with a 1 s timeout while the hostile statements run; records every miss."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.stop, self.misses, self.checks, self.worst = url, threading.Event(), [], 0, 0.0

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as r:
                    assert r.status == 200
            except Exception as exc:  # noqa: BLE001
                self.misses.append(repr(exc))
            self.worst = max(self.worst, time.perf_counter() - started)
            self.checks += 1
            time.sleep(0.2)


def test_hostile_statements_are_refused_or_stopped_and_the_server_stays_responsive(app_server, browser):
    url = app_server["url"]
    attacker = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    other = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    other.goto(f"{url}/sql?sql={quote('SELECT 41 AS answer')}")
    wait_for_app(other, "[data-testid='stDataFrame']", timeout=120_000)
    watch = HealthWatch(url)
    watch.start()
    outcomes, other_waits = {}, []
    try:
        for n, sql in enumerate(s for s in HOSTILE_SQL if s):
            attacker.goto("about:blank")  # so that the last statement's message cannot be mistaken for this one's
            attacker.goto(f"{url}/sql?sql={quote(sql)}", wait_until="commit", timeout=120_000)
            if any(mark in sql for mark in SLOW):  # while it runs, another session must still answer
                time.sleep(0.5)
                other.get_by_label("Query").fill(f"SELECT {n} AS answer")
                started = time.perf_counter()
                other.get_by_role("button", name="Run query").click()
                # less than the 5 s limit: the other session did not wait for the slow query to be stopped
                other.get_by_text(f"{n}", exact=True).wait_for(state="attached", timeout=4000)  # a grid cell
                other_waits.append(time.perf_counter() - started)
            attacker.get_by_text("The query did not run.").wait_for(timeout=120_000)
            attacker.wait_for_timeout(300)  # the message under the alert
            text = attacker.evaluate("document.body.innerText")
            outcomes[sql] = text.split("The query did not run.", 1)[1].strip()[:200]
            assert "Traceback" not in attacker.content()
    finally:
        watch.stop.set()
        watch.join(5)
    print(f"health checks {watch.checks}, worst {watch.worst:.3f} s; other session waits {other_waits}")
    for sql, message in outcomes.items():
        print(f"{sql[:70]!r}: {message[:90]!r}")
    assert not watch.misses, watch.misses
    assert len(outcomes) >= 30 and all(outcomes.values())
    assert other_waits

"""The browser bench's reading of the app's rerun log (the server's part of a filter change in Chromium)."""

import math
from pathlib import Path

import pytest

from bench.browser import log_size, server_rerun_seconds


def test_server_rerun_is_the_last_run_logged_after_the_click(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("2026-12-02 13:49:21,771 kdefense rerun page=timeline ms=1393.5 cpu_ms=394.2\n")
    offset = log_size(log)
    with log.open("a") as out:
        out.write("some other line\n")
        out.write("2026-12-02 13:49:25,873 kdefense rerun page=timeline ms=186.3 cpu_ms=117.0\n")
        out.write("2026-12-02 13:49:26,001 kdefense rerun page=timeline ms=92.6 cpu_ms=77.5\n")
    assert server_rerun_seconds(log, offset) == pytest.approx(0.0926)
    assert server_rerun_seconds(log, 0) == pytest.approx(0.0926)


def test_no_log_or_no_run_after_the_click_is_not_a_number(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("2026-12-02 13:49:21,771 kdefense rerun page=overview ms=50.0 cpu_ms=40.0\n")
    assert math.isnan(server_rerun_seconds(log, log_size(log)))
    assert math.isnan(server_rerun_seconds(None, 0))
    assert math.isnan(server_rerun_seconds(tmp_path / "missing.log", 0))
    assert log_size(None) == 0

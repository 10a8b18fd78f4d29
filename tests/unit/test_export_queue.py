"""The export queue: one export at a time per server, queue positions, every failure a message (issue 19 item 6)."""

from __future__ import annotations

import threading
import time

import pytest

from kdefense import deck_export, export_queue
from kdefense.briefing import Deck, Slide

DECK = Deck("d", "D", slides=(Slide("overview", "T", "K"),))


def wait(job, states=("done", "failed"), timeout=30.0):
    deadline = time.monotonic() + timeout
    while job.state not in states:
        assert time.monotonic() < deadline, f"job stuck in {job.state}"
        time.sleep(0.01)


def test_exports_run_one_at_a_time_and_report_their_place(monkeypatch):
    running, peak, release = [], [0], threading.Event()

    def fake(deck, theme, progress, lang="en"):
        running.append(1)
        peak[0] = max(peak[0], len(running))
        progress(0.5, "half way")
        release.wait(10)
        running.pop()
        return deck_export.Rendered(deck, [], pdf=b"%PDF", pptx=b"PK")

    monkeypatch.setattr(export_queue, "run_export", fake)
    jobs = [export_queue.submit(DECK) for _ in range(3)]
    wait(jobs[0], ("running",))
    assert [export_queue.position(j) for j in jobs] == [1, 2, 3]
    assert jobs[1].state == jobs[2].state == "queued"
    assert jobs[0].message == "half way" and jobs[0].progress == 0.5
    release.set()
    for job in jobs:
        wait(job)
        assert job.state == "done" and job.pdf == b"%PDF" and job.pptx == b"PK"
    assert peak[0] == 1


@pytest.mark.parametrize("error,expected", [
    (deck_export.ExportFailed("The export stopped after 300 s: a slide could not be drawn in time."), "300 s"),
    (deck_export.ExportUnavailable("Chromium is not installed at /x"), "Chromium is not installed"),
    (MemoryError(), "The export failed (MemoryError)"),
    (RuntimeError("boom"), "The export failed (RuntimeError)"),
])
def test_every_failure_becomes_a_message(monkeypatch, error, expected):
    def fake(*args, **kwargs):
        raise error

    monkeypatch.setattr(export_queue, "run_export", fake)
    job = export_queue.submit(DECK)
    wait(job)
    assert job.state == "failed" and expected in job.message and "Traceback" not in job.message


def test_a_full_queue_says_busy(monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(export_queue, "run_export",
                        lambda deck, *a, **k: (release.wait(10), deck_export.Rendered(deck, []))[1])
    jobs = [export_queue.submit(DECK)]
    wait(jobs[0], ("running",))
    jobs += [export_queue.submit(DECK) for _ in range(export_queue.MAX_WAITING)]
    with pytest.raises(export_queue.Busy, match="already waiting"):
        export_queue.submit(DECK)
    release.set()
    for job in jobs:
        wait(job)


def test_the_export_process_reports_a_missing_chromium_as_a_message(monkeypatch):
    """The real child process: its failure comes back as the user's message, not a traceback."""
    monkeypatch.setenv("KDEFENSE_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(deck_export.ExportFailed, match="Chromium is not installed at /nonexistent/chromium"):
        export_queue.run_export(DECK, "light", lambda f, m: None)

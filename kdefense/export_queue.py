"""One deck export at a time per server: a queue, a worker thread, progress, and every failure as a message.

Each export runs in its own lower-priority process (`python -m kdefense.deck_export`, which starts one headless
Chromium): the server's own Python keeps serving other sessions, the process is killed past TIME_LIMIT_S, and
its memory is returned when it ends. Running them one at a time bounds the server's memory whatever the number of
people who click; the others see where they are in the queue. Finished results are kept for a short while (a
few at most) so the page can offer the downloads.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kdefense import deck_export, settings
from kdefense.briefing import Deck, deck_to_toml
from kdefense.i18n import N_, t, use_lang

LOG = logging.getLogger("kdefense.export")
MAX_WAITING = 6  # beyond this the queue says "busy, try again in a minute" instead of queueing
KEEP_DONE_S = 15 * 60
KEEP_DONE = 6
TIME_LIMIT_S = deck_export.TIMEOUT_S + 30
PROGRESS_LINE = re.compile(r"^\s*[\d.]+ s\s+(\d+)% (.*)$")


@dataclass
class Job:
    job_id: int
    deck: Deck
    theme: str
    lang: str = "en"
    state: str = "queued"  # queued → running → done | failed
    progress: float = 0.0
    message: str = N_("Waiting for the exports ahead of it")
    pdf: bytes = b""
    pptx: bytes = b""
    seconds: float = 0.0
    finished_at: float = 0.0
    layout_problems: list[str] = field(default_factory=list)


class Busy(RuntimeError):
    """The queue is full: the message says so."""


_jobs: dict[int, Job] = {}
_waiting: queue.Queue[Job] = queue.Queue()
_lock = threading.Lock()
_ids = itertools.count(1)
_worker: threading.Thread | None = None


def submit(deck: Deck, theme: str = "light", lang: str = "en") -> Job:
    """Queue an export of `deck`; raises Busy when too many are waiting."""
    global _worker
    with _lock:
        _forget_old()
        if sum(j.state == "queued" for j in _jobs.values()) >= MAX_WAITING:
            raise Busy(f"{MAX_WAITING} exports are already waiting on this server; try again in a minute.")
        job = Job(next(_ids), deck, theme, lang)
        _jobs[job.job_id] = job
        _waiting.put(job)
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="kdefense-export", daemon=True)
            _worker.start()
    return job


def get(job_id: int) -> Job | None:
    return _jobs.get(job_id)


def position(job: Job) -> int:
    """1 when the job runs next (or now); n when n − 1 exports are ahead of it."""
    with _lock:
        ahead = [j for j in _jobs.values() if j.state in ("queued", "running") and j.job_id < job.job_id]
    return len(ahead) + 1


def running() -> Job | None:
    return next((j for j in _jobs.values() if j.state == "running"), None)


def _forget_old() -> None:
    done = sorted((j for j in _jobs.values() if j.state in ("done", "failed")), key=lambda j: j.finished_at)
    now = time.time()
    for j in done[:-KEEP_DONE] + [j for j in done if now - j.finished_at > KEEP_DONE_S]:
        _jobs.pop(j.job_id, None)


def _run() -> None:
    while True:
        try:
            job = _waiting.get(timeout=30)
        except queue.Empty:
            return  # idle: the next submit starts a new worker
        with use_lang(job.lang):
            job.state, job.message = "running", t("Starting")

        def progress(fraction: float, message: str, job: Job = job) -> None:
            job.progress, job.message = fraction, message

        try:
            result = run_export(job.deck, job.theme, progress, job.lang)
        except (deck_export.ExportUnavailable, deck_export.ExportFailed) as exc:
            job.state, job.message = "failed", str(exc)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message, never a traceback on the page
            LOG.exception("deck export failed")
            with use_lang(job.lang):
                job.state, job.message = "failed", t("The export failed ({error}); the server log has details.",
                                                     error=type(exc).__name__)
        else:
            job.pdf, job.pptx, job.seconds = result.pdf, result.pptx, result.seconds
            job.layout_problems = result.layout_problems
            with use_lang(job.lang):
                job.state, job.progress, job.message = "done", 1.0, t("Ready in {seconds} s",
                                                                      seconds=f"{result.seconds:.0f}")
        finally:
            job.finished_at = time.time()
            _waiting.task_done()


def run_export(deck: Deck, theme: str, progress: Callable[[float, str], None],
               lang: str = "en") -> deck_export.Rendered:
    """The export in a child process at lower priority, killed past TIME_LIMIT_S; raises ExportFailed."""
    with tempfile.TemporaryDirectory(prefix="kdefense-export-") as tmp:
        folder = Path(tmp)
        (folder / "deck.toml").write_text(deck_to_toml(deck), encoding="utf-8")
        cmd = ["nice", "-n", "10", sys.executable, "-m", "kdefense.deck_export", str(folder / "deck.toml"), "--out",
               str(folder / "deck.pdf"), "--pptx", str(folder / "deck.pptx"), "--theme", theme, "--lang", lang]
        started, last = time.monotonic(), ""
        proc = subprocess.Popen(cmd, cwd=settings.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
        timer = threading.Timer(TIME_LIMIT_S, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            for line in proc.stderr:
                match = PROGRESS_LINE.match(line)
                if match:
                    progress(int(match.group(1)) / 100, match.group(2))
                elif line.startswith("error: "):
                    last = line.removeprefix("error: ").strip()
            code = proc.wait()
        finally:
            timer.cancel()
        elapsed = time.monotonic() - started
        if code not in (0, 2):  # 2: written, with layout problems (reported in the log)
            if code < 0:
                raise deck_export.ExportFailed(f"The export was stopped after {elapsed:.0f} s (limit "
                                               f"{TIME_LIMIT_S:.0f} s).")
            raise deck_export.ExportFailed(last or f"The export process ended with code {code}.")
        return deck_export.Rendered(deck, [], pdf=(folder / "deck.pdf").read_bytes(),
                                    pptx=(folder / "deck.pptx").read_bytes(), seconds=elapsed)

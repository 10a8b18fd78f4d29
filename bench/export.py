"""`make bench` section "export": deck export time per deck and format, beside the old way measured in the same run.

The old way (before issue 13, kept in bench/legacy_deck_export.py) screenshots every slide page of a running
server at 1920×1080 and pastes the pictures into a PDF; it is timed against the app as it was then (the commit
before issue 13, extracted with `git archive`), on the same database, with waits long enough to finish on a loaded
machine (LEGACY_TIMEOUT_S per wait instead of the app's 60 s). The issue measured 123 s for the 7-slide Europe deck.
The new way prints one HTML document of slide canvases with Chromium (kdefense/deck_export.py).

The new way is timed as the app runs it (`python -m kdefense.deck_export` in a fresh process: imports, queries,
Chromium). CPU is that process tree's (getrusage of waited children), and for the old way the benchmark process's
own CPU with its Chromium plus the old app server's during the export: on a shared machine CPU seconds are the
steadier figure.
The new way keeps a browser profile (V8's compiled plotly.js) between exports: the first export on a machine is
"cold" (a fresh profile), later ones reuse it; both are reported.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from bench.common import ROOT, cpu_seconds, free_port, secs, table, wait_healthy

OLD_COMMIT = "7bb7146"  # main before issue 13
ISSUE_FIGURE_S = 123.0  # the issue's measurement of the old export, Europe deck, PDF
EUROPE = "korea-in-europe-since-2022"
LEGACY_TIMEOUT_S = 600.0


def own_cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def old_way(db: Path, work: Path, deck_id: str = EUROPE) -> dict | None:
    """Seconds and CPU for the old export of one deck to PDF against the old app; None when it cannot run."""
    from bench import legacy_deck_export as legacy
    from kdefense.briefing import load_decks

    old = work / "old-app"
    if not old.exists():
        archive = work / "old-app.tar"
        done = subprocess.run(["git", "archive", "-o", str(archive), OLD_COMMIT], cwd=ROOT, capture_output=True)
        if done.returncode:
            return None
        old.mkdir()
        with tarfile.open(archive) as tar:
            tar.extractall(old, filter="data")
    port = free_port()
    env = {**os.environ, "KDEFENSE_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=old, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        if not wait_healthy(url, timeout=300):
            return None
        deck = load_decks()[deck_id]
        started, cpu, server_cpu = time.perf_counter(), own_cpu(), cpu_seconds(proc.pid)
        try:
            legacy.pngs_to_pdf(legacy.render_slides(url, deck, timeout_s=LEGACY_TIMEOUT_S))
        except Exception as exc:  # noqa: BLE001 - report it, go on
            print(f"old way failed after {time.perf_counter() - started:.0f} s: {type(exc).__name__}", flush=True)
            return None
        return {"seconds": time.perf_counter() - started,
                "cpu": own_cpu() - cpu + cpu_seconds(proc.pid) - server_cpu}
    finally:
        proc.terminate()
        proc.wait(10)


def new_way(deck_id: str, fmt: str, profile: Path | None, work: Path) -> dict:
    """The export as the app runs it: `python -m kdefense.deck_export` in a fresh process (imports, queries,
    Chromium); CPU of the process and all its descendants (getrusage of waited children)."""
    from kdefense.briefing import load_decks

    out = work / f"{deck_id}.{fmt}"
    env = {**os.environ, "KDEFENSE_EXPORT_PROFILE": str(profile or work / f"cold-{time.monotonic_ns()}")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kdefense.deck_export", str(ROOT / "briefings" / f"{deck_id}.toml"),
                           "--out" if fmt == "pdf" else "--pptx", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 2):
        raise RuntimeError(f"export of {deck_id} to {fmt} failed: {done.stderr[-500:]}")
    return {"seconds": seconds, "cpu": after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
            "bytes": out.stat().st_size, "slides": len(load_decks()[deck_id].slides)}


def section_export(db: Path, work: Path) -> dict:
    os.environ["KDEFENSE_DB"] = str(db)
    from kdefense.briefing import load_decks

    decks = load_decks()
    old = old_way(db, work)
    results: dict[str, object] = {"old_europe_pdf": old}
    if old is None:
        print(f"(old way did not finish in this run; the Europe deck is compared with the issue's {ISSUE_FIGURE_S:.0f} s)")
    profile = work / "export-profile"
    runs = [("cold profile", EUROPE, "pdf", None)]  # None: a fresh profile, as on a new machine
    new_way(EUROPE, "pdf", profile, work)  # the first two loads of plotly.js make V8's code cache (not timed)
    new_way(EUROPE, "pdf", profile, work)
    runs += [("", deck_id, fmt, profile) for deck_id in decks for fmt in ("pdf", "pptx")]
    rows = []
    for note, deck_id, fmt, prof in runs:
        r = new_way(deck_id, fmt, prof, work)
        results[f"{deck_id}.{fmt}" + (f" ({note})" if note else "")] = r
        before = old if deck_id == EUROPE and old else None
        target = before["seconds"] if before else (ISSUE_FIGURE_S if deck_id == EUROPE else None)
        verdict = ("ok" if r["seconds"] <= target / 4 else "MISSED") if target else ""
        rows.append([deck_id + (f" ({note})" if note else ""), fmt, r["slides"], secs(r["seconds"]),
                     f"{r['cpu']:.1f} s", secs(before["seconds"]) if before else "—",
                     f"{before['cpu']:.1f} s" if before else "—",
                     f"{before['seconds'] / r['seconds']:.1f}×" if before else "—",
                     f"{ISSUE_FIGURE_S:.0f} s" if deck_id == EUROPE else "—", verdict])
    print(table(["deck", "format", "slides", "export (new)", "CPU (new)", "old way, same run", "CPU (old)",
                 "faster", "issue's figure", "≤ 1/4 of old"], rows), flush=True)
    return results

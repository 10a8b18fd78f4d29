"""`make bench` section "export": deck export time per deck and format, beside the old way measured in the same run.

The old way (before issue 13, kept in bench/legacy_deck_export.py) screenshots every slide page of a running
server at 1920×1080 and pastes the pictures into a PDF; it is timed against the app as it was then (the commit
before issue 13, extracted with `git archive`), on the same database. The issue measured 123 s for the 7-slide
Europe deck. The new way prints one HTML document of slide canvases with Chromium (kdefense/deck_export.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from bench.common import ROOT, free_port, secs, table, wait_healthy

OLD_COMMIT = "7bb7146"  # main before issue 13
ISSUE_FIGURE_S = 123.0  # the issue's measurement of the old export, Europe deck, PDF
EUROPE = "korea-in-europe-since-2022"


def old_way(db: Path, work: Path, deck_id: str = EUROPE) -> float | None:
    """Seconds for the old export of one deck to PDF against the old app; None when git cannot give the old tree."""
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
        if not wait_healthy(url):
            return None
        deck = load_decks()[deck_id]
        started = time.perf_counter()
        try:
            legacy.pngs_to_pdf(legacy.render_slides(url, deck))
        except Exception as exc:  # noqa: BLE001 - the old way times out on a busy machine: report it, go on
            print(f"old way failed after {time.perf_counter() - started:.0f} s: {type(exc).__name__}", flush=True)
            return None
        return time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(10)


def section_export(db: Path, work: Path) -> dict:
    os.environ["KDEFENSE_DB"] = str(db)
    from kdefense import deck_export
    from kdefense.briefing import load_decks

    results: dict[str, object] = {"old_europe_pdf_s": old_way(db, work)}
    if results["old_europe_pdf_s"] is None:
        print(f"(old way did not finish in this run; the Europe PDF is compared with the issue's {ISSUE_FIGURE_S:.0f} s)")
    rows = []
    old = results["old_europe_pdf_s"]
    for deck_id, deck in load_decks().items():
        for fmt in ("pdf", "pptx"):
            started = time.perf_counter()
            out = deck_export.export_deck(deck, (fmt,))
            seconds = time.perf_counter() - started
            results[f"{deck_id}.{fmt}"] = {"seconds": seconds, "bytes": len(out.pdf or out.pptx),
                                           "slides": len(deck.slides)}
            before = old if deck_id == EUROPE and isinstance(old, float) else None
            target = before or (ISSUE_FIGURE_S if deck_id == EUROPE and fmt == "pdf" else None)
            verdict = ("ok" if seconds <= target / 4 else "MISSED") if target else ""
            rows.append([deck_id, fmt, len(deck.slides), secs(seconds),
                         secs(before) if before else "—", f"{before / seconds:.1f}×" if before else "—",
                         f"{ISSUE_FIGURE_S:.0f} s" if deck_id == EUROPE and fmt == "pdf" else "—", verdict])
    print(table(["deck", "format", "slides", "export (new)", "old way, same run", "faster", "issue's figure",
                 "≤ 1/4 of old"], rows), flush=True)
    return results

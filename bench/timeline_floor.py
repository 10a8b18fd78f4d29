"""The floor of a Timeline filter change in Chromium: its seven charts alone, redrawn (issue 17).

    python -m bench.timeline_floor --db data/kdefense.duckdb --out /tmp/timeline-figures.json

writes the figures the Timeline sends for the default filters and for the sidebar's first region (the change
bench.browser.pick_first_region makes), taken from an AppTest run of the app: the same specs and configs a browser
gets. bench/timeline_floor_app.py draws them and nothing else, in the Timeline's places; `measure` times its
filter change as bench.browser.time_filter_change times the pages'. When this floor is itself above issue 17's
0.7 s, no change that keeps the Timeline's charts as users see them can bring the page's filter change under it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bench.common import APP_SCRIPT, ROOT, registered_pages, run_measured, streamlit_server

FLOOR_APP = ROOT / "bench" / "timeline_floor_app.py"
TALL_ROWS_KEYS = ("chart_tl_gantt", "chart_tl_speed")  # drawn in a scrolling box when taller than TALL_ROWS rows


def _sent_charts(at) -> list[dict]:
    from kdefense import charts_timeline

    out = []
    for element in at.get("plotly_chart"):
        proto = element.proto
        key = proto.id.rsplit("-", 1)[-1]
        rows = (json.loads(proto.spec).get("layout", {}).get("meta") or {}).get("rows", 0)
        out.append({"key": key, "spec": proto.spec, "config": proto.config,
                    "scroll": key in TALL_ROWS_KEYS and rows > charts_timeline.TALL_ROWS})
    return out


def capture(out: Path) -> dict:
    """Run the app's Timeline in AppTest (KDEFENSE_DB already set) with the default filters, then with the first
    region; write both sets of sent charts to `out`."""
    from streamlit.testing.v1 import AppTest

    from bench import apptest

    apptest.patch_pages_directory()
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=600)
    at.run()
    at.switch_page(next(p for p in registered_pages() if p.name == "timeline").script)
    at.run()
    region = at.sidebar.multiselect(key="flt_region")
    regions = list(region.options)
    default = _sent_charts(at)
    region.set_value([regions[0]])
    at.run()
    figures = {"regions": regions, "default": default, "region": _sent_charts(at)}
    out.write_text(json.dumps(figures), encoding="utf-8")
    return {"charts": [len(default), len(figures["region"])], "bytes": out.stat().st_size}


def capture_subprocess(db: Path, out: Path, timeout: float = 900) -> None:
    """capture() in a fresh interpreter (its own caches, the given database)."""
    cmd = [sys.executable, "-m", "bench.timeline_floor", "--db", str(db), "--out", str(out)]
    result = run_measured(cmd, env={**os.environ, "KDEFENSE_WARMUP": "0"}, timeout=timeout)
    if result["returncode"] != 0 or not out.is_file():
        raise RuntimeError(f"bench.timeline_floor failed ({result['returncode']}):\n{result['output'][-3000:]}")


def measure(bb, browser, db: Path, work: Path, guard, runs: int) -> dict:
    """Navigation (first and repeat visit, bench.browser.time_navigation) and filter change (time_filter_change:
    Region → first region) of the floor app, measured as the pages are."""
    figures = work / "timeline-floor-figures.json"
    capture_subprocess(db, figures)
    with streamlit_server(db, work / "server-timeline-floor.log", script=FLOOR_APP,
                          extra_env={"KDEFENSE_FLOOR_FIGURES": str(figures)}) as server:
        bb.time_filter_change(browser, server.url, guard, 1)  # a first visit and change: the server's caches warm
        navigation = bb.time_navigation(browser, server.url, guard, runs)
        return {**navigation, "filter": bb.time_filter_change(browser, server.url, guard, runs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ["KDEFENSE_DB"] = str(args.db)
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    print(json.dumps(capture(args.out)), flush=True)
    os._exit(0)  # DuckDB's bindings can abort at interpreter exit after an AppTest run; the file is written


if __name__ == "__main__":
    sys.exit(main())

"""Server time per page rerun, measured with Streamlit's AppTest (in-process, no browser).

Run in its own process so caches start empty and the process RSS belongs to one database:
    python -m bench.apptest --db /path/to.duckdb [--runs 7] [--baseline]
prints one JSON object. Figures:
- first: the very first run of the app in the process (imports, connection, every query);
- switch: the rerun that switches to the page (filters unchanged; queries shared with other pages cached);
- warm: median of --runs reruns with everything cached (a click that changes nothing, or a widget that
  does not feed a query);
- new_filter: median of reruns each with a year range not seen before (the end year moved back one year at a
  time), so every filtered query misses the cache and the figures change (what a filter click costs the server);
- cold: median of reruns after st.cache_data and st.cache_resource are cleared (new connection, every query).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench.common import APP_SCRIPT, BASELINE_SCRIPT, median, proc_status_mb, registered_pages, run_measured

MARK = "BENCH-JSON:"


def patch_pages_directory() -> None:
    """Make every AppTest rerun go through dashboard.py, as every rerun after the first does in a live server.

    Streamlit decides per process whether a `pages/` folder next to the main script is an MPA-v1 app; the flag
    drops once st.navigation runs, but AppTest resets it before each run, so `switch_page` would execute
    pages/<x>.py directly, without dashboard.py's sidebar and footer (the measured time would be wrong).
    """
    from streamlit.runtime import pages_manager
    from streamlit.testing.v1 import app_test

    base = pages_manager.PagesManager

    class ServerLikePagesManager(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            base.uses_pages_directory = False

    app_test.PagesManager = ServerLikePagesManager
    share_script_cache()


def share_script_cache() -> None:
    """Compile each script once per process, as a live server does (one ScriptCache per Runtime).

    AppTest makes a new ScriptCache for every run, so every measured rerun re-parsed, re-wrote (magic) and
    compiled dashboard.py and the page: 2-15 ms per page (pages/map.py 15 ms) that a server pays once.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


QUERY_TIMES: list[tuple[str, float]] = []


def record_query_times() -> None:
    """Time every statement kdefense.db.execute runs, under the name of its kdefense/sql file."""
    from kdefense import db, queries, settings

    names = {}
    for path in settings.SQL_DIR.glob("*.sql"):
        try:
            names[queries.sql_text(path.stem)] = path.stem
        except (KeyError, OSError):
            continue
    original = db.execute

    def timed(sql: str, params=None):
        started = time.perf_counter()
        try:
            return original(sql, params)
        finally:
            QUERY_TIMES.append((names.get(sql, sql.strip()[:40]), time.perf_counter() - started))

    db.execute = timed


def _slowest_queries(records: list[tuple[str, float]], top: int = 5) -> list[list]:
    by_name: dict[str, list[float]] = {}
    for name, seconds in records:
        by_name.setdefault(name, []).append(seconds)
    ranked = sorted(((name, median(v)) for name, v in by_name.items()), key=lambda kv: -kv[1])
    return [[name, round(seconds * 1000, 1)] for name, seconds in ranked[:top]]


CPU: list[float] = []  # process CPU seconds of each _timed_run, in order (robust to other work on the machine)


def _timed_run(at) -> float:
    started, cpu = time.perf_counter(), time.process_time()
    at.run()
    CPU.append(time.process_time() - cpu)
    return time.perf_counter() - started


def _cpu_of(runs: int) -> list[float]:
    """CPU seconds of the last `runs` timed runs."""
    return CPU[len(CPU) - runs :] if runs else []


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _problems(at) -> list[str]:
    out = [str(e.value)[:200] for e in at.exception]
    out += [f"error: {str(e.value)[:200]}" for e in at.error]
    return out


def _years(at):
    """The year-range slider: this app's and the baseline's `flt_years`, else another app's first sidebar slider
    (a peer app measured side by side names its widgets as it likes)."""
    try:
        return at.slider(key="flt_years")
    except KeyError:
        return at.sidebar.slider[0]


def _measure_view(at, runs: int, cold_runs: int) -> dict:
    """Warm, new-filter and cold reruns of whatever page and filters `at` currently shows."""
    warm = [_timed_run(at) for _ in range(runs)]
    warm_cpu = _cpu_of(len(warm))
    problems = _problems(at)
    sidebar = len(at.sidebar.multiselect) + len(at.sidebar.slider)
    lo, hi = _years(at).value
    new_filter, new_filter_cpu = [], []
    for i in range(min(runs, max(0, hi - lo - 1))):  # recent end years: every run changes the figures
        _years(at).set_value((lo, hi - 1 - i))  # elements are replaced by each run: look up again
        new_filter.append(_timed_run(at))
        new_filter_cpu.append(CPU[-1])
        problems += _problems(at)
    _years(at).set_value((lo, hi))
    at.run()
    cold, cold_cpu = [], []
    QUERY_TIMES.clear()
    for _ in range(cold_runs):
        _clear_caches()
        cold.append(_timed_run(at))
        cold_cpu.append(CPU[-1])
        problems += _problems(at)
    slowest = _slowest_queries(QUERY_TIMES)
    return {
        "warm_cpu": median(warm_cpu),
        "new_filter_cpu": median(new_filter_cpu),
        "cold_cpu": median(cold_cpu),
        "warm": median(warm),
        "warm_all": warm,
        "new_filter": median(new_filter),
        "cold": median(cold),
        "cold_all": cold,
        "sidebar_widgets": sidebar,
        "problems": sorted(set(problems)),
        "charts": len(at.get("plotly_chart")),
        "metrics": len(at.metric),
        "cold_queries": slowest,
    }


def measure_dashboard(runs: int, cold_runs: int, bases: tuple[str, ...], only: tuple[str, ...] = ()) -> dict:
    from streamlit.testing.v1 import AppTest

    patch_pages_directory()
    share_script_cache()
    record_query_times()
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=600)
    first = _timed_run(at)
    first_cpu = CPU[-1]
    from kdefense import warmup

    warmup.settle_heap()  # as the server's process has done by then (after its warm-up): not inside a timed rerun
    results: dict[str, dict] = {}
    for page in registered_pages():
        if only and page.name not in only:
            continue
        for basis in bases:
            at.switch_page(page.script)
            if at.segmented_control(key="flt_basis").value != basis:
                at.segmented_control(key="flt_basis").set_value(basis)
            switch = _timed_run(at)
            view = _measure_view(at, runs, cold_runs)
            view["switch"] = switch
            view["title"] = page.title
            results[f"{page.name}|{basis}"] = view
    return {"first": first, "first_cpu": first_cpu, "views": results}


def measure_first_visits(warmed: bool) -> dict:
    """A new server's first visit of each page (value basis USD), after the landing page: with `warmed`, once the
    warm-up the first run starts (kdefense/warmup.py) has finished, else with the warm-up off. The warm-up thread
    is joined before any page is timed, so its own CPU time is not in the pages' figures (it is reported apart)."""
    from streamlit.testing.v1 import AppTest

    from kdefense import warmup

    patch_pages_directory()
    share_script_cache()
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=600)
    cpu = time.process_time()
    first = _timed_run(at)
    warm_up_seconds = None
    if warmed:
        started = time.perf_counter()
        thread = warmup.start()
        if thread is not None:
            thread.join()
        warm_up_seconds = time.perf_counter() - started
    warm_up_cpu = time.process_time() - cpu - CPU[-1]  # the warm-up thread's CPU, beside and after the first run
    pages = {}
    for page in registered_pages():
        at.switch_page(page.script)
        wall = _timed_run(at)
        pages[page.name] = {"title": page.title, "first_visit": wall, "first_visit_cpu": CPU[-1],
                            "problems": _problems(at)}
    return {"first": first, "warmed": warmed, "warm_up_wait": warm_up_seconds,
            "warm_up_cpu": warm_up_cpu if warmed else None, "pages": pages}


def measure_baseline(runs: int, cold_runs: int, script: Path = BASELINE_SCRIPT) -> dict:
    from streamlit.testing.v1 import AppTest

    if script != BASELINE_SCRIPT:  # a peer app reads its data files relative to its own folder
        os.chdir(script.parent)
        sys.path.insert(0, str(script.parent))
    share_script_cache()
    at = AppTest.from_file(str(script), default_timeout=600)
    first = _timed_run(at)
    first_cpu = CPU[-1]
    view = _measure_view(at, runs, cold_runs)
    view["switch"] = first
    view["title"] = "baseline (pandas + st.cache_data)" if script == BASELINE_SCRIPT else f"peer app ({script.name})"
    return {"first": first, "first_cpu": first_cpu, "views": {"baseline|tiv": view}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--bases", default="usd,tiv")
    parser.add_argument("--baseline", action="store_true", help="measure bench/baseline_app.py instead")
    parser.add_argument(
        "--script",
        type=Path,
        default=BASELINE_SCRIPT,
        help="with --baseline: another one-page app to measure instead (e.g. a peer app's script)",
    )
    parser.add_argument("--first-visits", choices=("warmed", "cold"), default=None,
                        help="time each page's first visit in a new process, with or without the warm-up")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all registered pages)")
    args = parser.parse_args(argv)
    os.environ["KDEFENSE_DB"] = str(args.db)
    # per-rerun figures: what a rerun itself costs, without the once-per-data-version warm-up thread running beside
    # it (clearing the caches for a cold rerun would start a new one each time)
    os.environ["KDEFENSE_WARMUP"] = "1" if args.first_visits == "warmed" else "0"
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    if args.first_visits:
        out = measure_first_visits(args.first_visits == "warmed")
    elif args.baseline:
        out = measure_baseline(args.runs, args.cold_runs, args.script.resolve())
    else:
        only = tuple(p for p in args.pages.split(",") if p)
        out = measure_dashboard(args.runs, args.cold_runs, tuple(args.bases.split(",")), only)
    out["rss_mb"] = proc_status_mb(os.getpid())
    out["peak_rss_mb"] = proc_status_mb(os.getpid(), "VmHWM")
    print(MARK + json.dumps(out))
    return 0


def run_subprocess(
    db: Path,
    runs: int,
    cold_runs: int,
    baseline: bool = False,
    env: dict | None = None,
    timeout: float = 7200,
    max_rss_mb: float | None = None,
    script: Path | None = None,
    pages: str = "",
    bases: str = "",
    first_visits: str = "",
) -> dict:
    """Run this module in a fresh interpreter and return its JSON (or why it was stopped)."""
    cmd = [sys.executable, "-m", "bench.apptest", "--db", str(db), "--runs", str(runs), "--cold-runs", str(cold_runs)]
    if baseline:
        cmd.append("--baseline")
    if script is not None:
        cmd += ["--script", str(script)]
    if pages:
        cmd += ["--pages", pages]
    if bases:
        cmd += ["--bases", bases]
    if first_visits:
        cmd += ["--first-visits", first_visits]
    result = run_measured(cmd, env={**os.environ, **(env or {})}, timeout=timeout, max_rss_mb=max_rss_mb)
    for line in result["output"].splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    if result["killed"]:
        return {"killed": result["killed"], "peak_rss_mb": result["peak_rss_mb"], "views": {}}
    raise RuntimeError(f"bench.apptest failed ({result['returncode']}):\n{result['output'][-3000:]}")


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: every figure of bench/README.md, printed as Markdown tables (and saved as JSON with --json).

    python -m bench.run                      # everything (about 25 minutes on a 2-core machine)
    python -m bench.run --quick              # fewer runs, no ×100, 20 s of load
    python -m bench.run --only apptest,browser --runs 9
Sections: build, apptest, browser, floor, memory, load, scale. Nothing here asserts; targets are marked ok / MISSED.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import apptest, timeline_floor
from bench.common import (
    APP_SCRIPT,
    BASELINE_SCRIPT,
    ROOT,
    SOURCES,
    cpu_seconds,
    mb,
    median,
    ms,
    p95,
    proc_status_mb,
    registered_pages,
    run_measured,
    secs,
    streamlit_server,
    table,
    verdict,
)

SECTIONS = ("build", "apptest", "browser", "floor", "memory", "load", "scale", "export", "sidebyside")
DEFAULT_SECTIONS = SECTIONS  # `make bench` runs every section; `make bench-sidebyside` only the side by side
# Issue 17's targets, side by side with the usual-way app in the same run (ratios; the machine is shared):
SIDE = {
    "warm_vs_ref": 1.0,  # issue 17 sets no warm target; a warm rerun slower than the reference's is marked MISSED
    "new_filter_vs_ref": 1 / 3,
    "new_filter_vs_warm": 2.0,
    "cold_vs_ref": 1.0,
    "cold_vs_usual": 1.0,
    "cold_vs_peer_first": 1.0,  # a cold start at most the peer's first run
    "nav_vs_ref": 0.5,
    "filter_s": 0.7,
}
TARGET = {"warm": 0.080, "warm_x100": 1.0, "nav": 1.5, "filter": 0.7, "rss1": 250, "rss30": 500}
PUBLIC_APP = {"warm": 0.26, "nav": 2.9, "rss": 250}  # the comparable public app of the issue


def say(text: str) -> None:
    print(text, flush=True)


def build_db(out: Path, sources: Path = SOURCES, runs: int = 1) -> dict:
    results = [
        run_measured([sys.executable, "-m", "kdefense.build", "--sources", str(sources), "--out", str(out)])
        for _ in range(runs)
    ]
    if any(r["returncode"] for r in results):
        raise RuntimeError(f"build failed:\n{results[-1]['output']}")
    return {
        "seconds": median([r["seconds"] for r in results]),
        "all": [r["seconds"] for r in results],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
        "db_mb": out.stat().st_size / 2**20,
    }


# ---------------------------------------------------------------- sections


def section_build(work: Path, runs: int) -> dict:
    result = build_db(work / "build.duckdb", runs=runs)
    say(
        table(
            ["what", "median", "runs", "peak RSS", "file"],
            [
                [
                    "`python -m kdefense.build` on data/sources",
                    secs(result["seconds"]),
                    len(result["all"]),
                    mb(result["peak_rss_mb"]),
                    mb(result["db_mb"]),
                ]
            ],
            "Build",
        )
    )
    return result


def apptest_rows(res: dict, with_target: bool = True, limit: float = TARGET["warm"]) -> list[list]:
    rows = []
    for key, v in res["views"].items():
        page, basis = key.split("|")
        row = [
            f"{v['title']} ({page})",
            basis,
            ms(v["warm"]),
            ms(v["new_filter"]),
            ms(v["cold"]),
            v["charts"],
            "; ".join(v["problems"])[:80] or "none",
        ]
        if with_target:
            row.insert(3, verdict(v["warm"], limit))
        rows.append(row)
    return rows


def section_apptest(db: Path, runs: int, cold_runs: int) -> dict:
    ours = apptest.run_subprocess(db, runs, cold_runs)
    base = apptest.run_subprocess(db, runs, cold_runs, baseline=True)
    say(
        table(
            ["page", "basis", "warm", "≤ 80 ms", "new filter", "cold", "charts", "problems"],
            apptest_rows(ours),
            f"Server time per rerun (AppTest, median of {runs}; cold: median of {cold_runs})",
        )
    )
    say(
        f"\nfirst run in a fresh process: {ms(ours['first'])}; process RSS after all pages {mb(ours['rss_mb'])} "
        f"(peak {mb(ours['peak_rss_mb'])})"
    )
    ov, bl = ours["views"].get("overview|tiv"), base["views"]["baseline|tiv"]
    if ov:
        say(
            table(
                ["same view (Overview, TIV basis)", "warm", "new filter", "cold", "process RSS"],
                [
                    [
                        "this app (DuckDB, cached queries)",
                        ms(ov["warm"]),
                        ms(ov["new_filter"]),
                        ms(ov["cold"]),
                        mb(ours["rss_mb"]),
                    ],
                    [
                        "usual way (bench/baseline_app.py)",
                        ms(bl["warm"]),
                        ms(bl["new_filter"]),
                        ms(bl["cold"]),
                        mb(base["rss_mb"]),
                    ],
                    [
                        "ratio usual / this app",
                        f"{bl['warm'] / ov['warm']:.1f}×",
                        f"{bl['new_filter'] / ov['new_filter']:.1f}×",
                        f"{bl['cold'] / ov['cold']:.1f}×",
                        "",
                    ],
                    ["public app of the issue", ms(PUBLIC_APP["warm"]), "", "", mb(PUBLIC_APP["rss"])],
                ],
                "Side by side with the usual way (AppTest)",
            )
        )
    return {"ours": ours, "baseline": base}


def section_browser(db: Path, work: Path, runs: int) -> dict:
    from bench import browser as bb

    out: dict[str, dict] = {"pages": {}, "baseline": {}}
    guard = bb.Guard()
    with bb.chromium() as browser:
        with streamlit_server(db, work / "server-browser.log") as server:
            warm_up(browser, server, registered_pages())
            for spec in registered_pages():
                nav = bb.time_navigation(browser, bb.page_url(server, spec), guard, runs)
                change = bb.time_filter_change(browser, bb.page_url(server, spec), guard, runs)
                out["pages"][spec.name] = {"title": spec.title, **nav, "filter": change}
            in_app = bb.time_app_navigation(browser, server, registered_pages(), guard, max(runs, 3))
            for name, figures in in_app.items():
                out["pages"][name]["in_app"] = figures["median"]
                out["pages"][name]["in_app_all"] = figures["all"]
            tiv = next((s for s in registered_pages() if s.default), None)
            if tiv:
                nav = bb.time_navigation(browser, bb.page_url(server, tiv, "basis=tiv"), guard, runs)
                change = bb.time_filter_change(browser, bb.page_url(server, tiv, "basis=tiv"), guard, runs)
                out["pages"]["overview_tiv"] = {"title": f"{tiv.title}, TIV basis", **nav, "filter": change}
        with streamlit_server(db, work / "server-baseline.log", script=BASELINE_SCRIPT) as server:
            warm_up(browser, server, [None])
            nav = bb.time_navigation(browser, server.url, guard, runs)
            change = bb.time_filter_change(browser, server.url, guard, runs)
            out["baseline"] = {"title": "usual way (baseline_app.py)", **nav, "filter": change}
    rows = []
    for name, v in [*out["pages"].items(), ("baseline", out["baseline"])]:
        problems = "; ".join(v["exceptions"] + v["errors"] + v["filter"]["exceptions"] + v["filter"]["errors"])
        rows.append(
            [
                f"{v['title']} ({name})",
                secs(v["first_visit"]),
                secs(v["repeat_visit"]),
                secs(v.get("in_app")),
                verdict(max(v["repeat_visit"], v.get("in_app") or 0), TARGET["nav"]),
                secs(v["filter"]["filter_change"]),
                verdict(v["filter"]["filter_change"], TARGET["filter"]),
                v["charts"],
                f"{v['ws_kb']:,.0f} KB",
                problems[:60] or "none",
            ]
        )
    say(
        table(
            [
                "page",
                "navigation, first visit",
                "repeat visit",
                "in-app link",
                "≤ 1.5 s (repeat, in-app)",
                "filter change",
                "≤ 0.7 s",
                "charts",
                "sent on navigation",
                "problems",
            ],
            rows,
            f"Chromium (median of {runs})",
        )
    )
    say(f"\nrequests to outside hosts: {len(guard.external)}")
    out["external_requests"] = len(guard.external)
    return out


FLOOR_APPS = {
    "empty page (title + text)": 'import streamlit as st\nst.title("x")\nst.write("y")\n',
    "one Plotly bar chart": 'import plotly.graph_objects as go\nimport streamlit as st\nst.title("x")\n'
    "st.plotly_chart(go.Figure(go.Bar(x=[1, 2, 3], y=[3, 1, 2])))\n",
    "one st.dataframe": 'import pandas as pd\nimport streamlit as st\nst.title("x")\n'
    'st.dataframe(pd.DataFrame({"a": [1, 2, 3]}))\n',
    "one chart + one dataframe": "import pandas as pd\nimport plotly.graph_objects as go\nimport streamlit as st\n"
    'st.title("x")\nst.plotly_chart(go.Figure(go.Bar(x=[1, 2, 3], y=[3, 1, 2])))\n'
    'st.dataframe(pd.DataFrame({"a": [1, 2, 3]}))\n',
}


def section_floor(db: Path, work: Path, runs: int) -> dict:
    """What Streamlit itself costs in this browser on this machine: tiny apps, same measurement."""
    from bench import browser as bb

    out = {}
    guard = bb.Guard()
    with bb.chromium() as browser:
        for i, (name, code) in enumerate(FLOOR_APPS.items()):
            script = work / f"floor_{i}.py"
            script.write_text(code)
            with streamlit_server(db, work / f"server-floor-{i}.log", script=script) as server:
                warm_up(browser, server, [None])
                out[name] = bb.time_navigation(browser, server.url, guard, runs)
    say(
        table(
            ["reference app", "navigation, first visit", "repeat visit"],
            [[name, secs(v["first_visit"]), secs(v["repeat_visit"])] for name, v in out.items()],
            f"Floor: Streamlit's own cost in Chromium on this machine (median of {runs})",
        )
    )
    return out


def warm_up(browser, server, specs) -> None:
    """One visit per page, so that the figures are for a server whose caches are warm."""
    from bench import browser as bb

    for spec in specs:
        context, page = bb.new_page(browser, bb.Guard())
        page.goto(server.url if spec is None else bb.page_url(server, spec))
        bb.wait_idle(page, timeout=300)
        context.close()


def section_memory(db: Path, work: Path) -> dict:
    from bench import browser as bb

    out = {}
    with bb.chromium() as browser:
        for name, script in (("this app", APP_SCRIPT), ("usual way", BASELINE_SCRIPT)):
            with streamlit_server(db, work / f"server-memory-{name.replace(' ', '-')}.log", script=script) as server:
                urls = (
                    [bb.page_url(server, spec) for spec in registered_pages()] if script == APP_SCRIPT else [server.url]
                )
                out[name] = bb.sessions_memory(browser, server, urls)
    rows = [
        [
            name,
            mb(v["idle"]),
            mb(v["1"]),
            verdict(v["1"], TARGET["rss1"]) if name == "this app" else "",
            mb(v["10"]),
            mb(v["30"]),
            verdict(v["30"], TARGET["rss30"]) if name == "this app" else "",
        ]
        for name, v in out.items()
    ]
    rows.append(["public app of the issue", "", mb(PUBLIC_APP["rss"]), "", "", "", ""])
    say(
        table(
            ["server", "started", "1 session", "≤ 250 MB", "10 sessions", "30 sessions", "≤ 500 MB"],
            rows,
            "Server memory (VmRSS; sessions opened round robin over the pages and kept open)",
        )
    )
    return out


RERUN_LINE = re.compile(r"kdefense rerun page=\S+ ms=([\d.]+) cpu_ms=([\d.]+)")


def rerun_times(log: str, group: int = 1) -> list[float]:
    """Wall (group 1) or CPU (group 2) milliseconds of each script run logged with KDEFENSE_RERUN_LOG=1."""
    return [float(m.group(group)) for m in RERUN_LINE.finditer(log)]


def section_load(db: Path, work: Path, sessions: int, seconds: float) -> dict:
    from bench.load import run_load

    with streamlit_server(db, work / "server-load.log", extra_env={"KDEFENSE_RERUN_LOG": "1"}) as server:
        started, mark = threading.Event(), {}

        def mark_clicking_start() -> None:  # reruns logged before this are the sessions opening
            started.wait()
            mark["runs"] = len(rerun_times(server.log_text()))

        threading.Thread(target=mark_clicking_start, daemon=True).start()
        cpu0, wall0 = cpu_seconds(server.proc.pid), time.perf_counter()
        result = run_load(server.url, sessions=sessions, seconds=seconds, started=started)
        cpu = (cpu_seconds(server.proc.pid) - cpu0) / (time.perf_counter() - wall0)
        rss = server.rss_mb()
        peak = proc_status_mb(server.proc.pid, "VmHWM")
        log = server.log_text()
        tracebacks = log.count("Traceback")
    clicking = rerun_times(log)[mark.get("runs", 0) :]  # server time of the reruns while the sessions clicked
    clicking_cpu = rerun_times(log, 2)[mark.get("runs", 0) :]
    s = result.summary()
    say(
        table(
            [
                "sessions",
                "clicking",
                "reruns done",
                "per second",
                "median click → drawn",
                "p95",
                "errors",
                "outside requests",
                "server tracebacks",
                "server CPU",
                "server RSS after (peak)",
            ],
            [
                [
                    sessions,
                    f"{s['seconds']:.0f} s",
                    s["actions"],
                    s["actions_per_s"],
                    secs(s["action_median_s"]),
                    secs(s["action_p95_s"]),
                    s["errors"],
                    s["external_requests"],
                    tracebacks,
                    f"{cpu * 100:.0f} % of a core",
                    f"{mb(rss)} ({mb(peak)})",
                ]
            ],
            "Load: concurrent browser sessions clicking through filters",
        )
    )
    say(f"\nclicks by kind: {s['by_action']}; opening all sessions took median {secs(s['open_median_s'])} each")
    say(
        f"server time per rerun while clicking (KDEFENSE_RERUN_LOG): {len(clicking)} reruns, wall median "
        f"{ms(median(clicking) / 1000)} (p95 {ms(p95(clicking) / 1000)}), CPU median "
        f"{ms(median(clicking_cpu) / 1000)} (p95 {ms(p95(clicking_cpu) / 1000)}); wall beyond CPU is waiting for "
        f"the {os.cpu_count()} CPUs, which the {sessions} Chromium pages drawing the results share with the server"
    )
    for e in result.errors[:10]:
        say(f"- error: {e}")
    return {
        **s,
        "server_rerun_ms_median": median(clicking),
        "server_rerun_ms_p95": p95(clicking),
        "server_rerun_cpu_ms_median": median(clicking_cpu),
        "server_rerun_cpu_ms_p95": p95(clicking_cpu),
        "server_reruns": len(clicking),
        "server_cpu_share": cpu,
        "rss_mb": rss,
        "peak_rss_mb": peak,
        "tracebacks": tracebacks,
        "errors_list": result.errors[:50],
    }


def section_scale(work: Path, factors: list[int], runs: int, cold_runs: int, max_rss_mb: float, full_db: Path) -> dict:
    from bench import scale

    out: dict[str, dict] = {}
    base_apptest = apptest.run_subprocess(full_db, runs, cold_runs)
    base_baseline = apptest.run_subprocess(full_db, runs, cold_runs, baseline=True)
    out["1"] = {"rows": None, "build": None, "apptest": base_apptest, "baseline": base_baseline}
    for factor in factors:
        say(f"\n… ×{factor}: writing sources")
        folder = work / f"x{factor}"
        counts = scale.write_scaled_sources(factor, folder / "sources")
        db = folder / "kdefense.duckdb"
        built = scale.build(folder / "sources", db, max_rss_mb=max_rss_mb)
        entry: dict = {"rows": counts, "build": {k: v for k, v in built.items() if k != "output"}}
        if built["returncode"] != 0 or not db.exists():
            entry["build"]["tail"] = built["output"][-800:]
            say(
                f"  build ×{factor} did not finish: {built['killed'] or 'exit ' + str(built['returncode'])}; "
                "the database is made by replicating the ×1 database in SQL instead (bench/scale.py)"
            )
            entry["replicated"] = scale.replicate_database(full_db, factor, db)
        register = next((folder / "sources" / "sipri").glob("trade-register*.csv"))
        say(f"  ×{factor}: AppTest")
        entry["apptest"] = apptest.run_subprocess(db, runs, cold_runs, max_rss_mb=max_rss_mb)
        entry["baseline"] = apptest.run_subprocess(
            db, runs, cold_runs, baseline=True, env={"BASELINE_REGISTER": str(register)}, max_rss_mb=max_rss_mb
        )
        out[str(factor)] = entry
        shutil.rmtree(folder / "sources", ignore_errors=True)
    say(scale_tables(out))
    return out


def scale_tables(out: dict) -> str:
    sizes = list(out)
    rows = []
    for size in sizes:
        e = out[size]
        b = e["build"]
        if b is None:
            build_cell, rss_cell = "(see Build)", ""
        elif b["returncode"] == 0:
            build_cell, rss_cell = secs(b["seconds"]), mb(b["peak_rss_mb"])
        else:
            build_cell, rss_cell = f"not finished: {b['killed'] or b['returncode']}", mb(b["peak_rss_mb"])
        deals = e["rows"]["register_rows"] if e["rows"] else None
        rows.append(
            [
                f"×{size}",
                f"{deals:,}" if deals else "real",
                build_cell,
                rss_cell,
                process_memory(e["apptest"]),
                process_memory(e["baseline"]),
            ]
        )
    text = table(
        [
            "size",
            "SIPRI deals",
            "build time",
            "build peak RSS",
            "app process RSS (all pages run)",
            "usual way process RSS",
        ],
        rows,
        "Scale: build and memory",
    )
    views = list(out[sizes[0]]["apptest"]["views"])
    header = ["page · basis"] + [f"×{s} warm / new filter / cold" for s in sizes]
    rows = []
    for key in views:
        row = [key.replace("|", " · ")]
        for size in sizes:
            v = out[size]["apptest"]["views"].get(key)
            row.append("—" if v is None else f"{ms(v['warm'])} / {ms(v['new_filter'])} / {ms(v['cold'])}")
        rows.append(row)
    row = ["usual way · tiv"]
    for size in sizes:
        v = out[size]["baseline"]["views"].get("baseline|tiv")
        row.append(
            out[size]["baseline"].get("killed", "—")
            if v is None
            else f"{ms(v['warm'])} / {ms(v['new_filter'])} / {ms(v['cold'])}"
        )
    rows.append(row)
    text += table(header, rows, "Scale: server time per rerun (AppTest medians)")
    last = sizes[-1]
    views_last = out[last]["apptest"]["views"]
    if views_last:
        worst = max(views_last.items(), key=lambda kv: kv[1]["warm"])
        text += (
            f"\n\nslowest warm rerun at ×{last}: {worst[0]} {ms(worst[1]['warm'])} "
            f"({verdict(worst[1]['warm'], TARGET['warm_x100'])} against ≤ 1 s)"
        )
        rows = [
            [key.replace("|", " · "), ", ".join(f"{n} {t:,.0f} ms" for n, t in v.get("cold_queries", [])[:4])]
            for key, v in views_last.items()
            if key.endswith("|usd") or key.endswith("|tiv")
        ]
        text += table(
            ["page · basis", "slowest queries of a cold rerun (median)"],
            rows,
            f"Scale: where a cold rerun spends its query time at ×{last}",
        )
    return text


def process_memory(result: dict) -> str:
    return result["killed"] if result.get("killed") else mb(result["rss_mb"])


# ---------------------------------------------------------------- side by side (issue 17)


def _ratio(a: float | None, b: float | None) -> float:
    return float("nan") if a is None or b is None or a != a or b != b or b == 0 else a / b


def _r(value: float, limit: float | None = None) -> str:
    if value != value:
        return "—"
    return f"{value:.2f}" + ("" if limit is None else (" ok" if value <= limit else " MISSED"))


def sidebyside_apptest(
    db: Path, runs: int, cold_runs: int, peer: Path | None, env: dict | None = None, max_rss_mb: float | None = None
) -> dict:
    """AppTest server time per page of this app, of the usual-way app and (optional) of a peer app."""
    out = {
        "ours": apptest.run_subprocess(db, runs, cold_runs, max_rss_mb=max_rss_mb),
        "usual": apptest.run_subprocess(db, runs, cold_runs, baseline=True, env=env, max_rss_mb=max_rss_mb),
    }
    if peer:
        out["peer"] = apptest.run_subprocess(db, runs, cold_runs, baseline=True, script=peer, max_rss_mb=max_rss_mb)
    for mode in ("cold", "warmed"):  # a new server's first visit of each page, without and with the warm-up
        out[f"first_visits_{mode}"] = apptest.run_subprocess(db, 1, 0, first_visits=mode, max_rss_mb=max_rss_mb)
    return out


def sidebyside_browser(db: Path, work: Path, runs: int, peer: Path | None, usual_env: dict | None = None) -> dict:
    """Chromium navigation (first and repeat visit) and filter change per page, and the same for the usual way (with
    `usual_env`, e.g. the ×k register) and the peer."""
    from bench import browser as bb

    out: dict[str, dict] = {"pages": {}}
    guard = bb.Guard()
    others = [("usual", BASELINE_SCRIPT, ROOT)] + ([("peer", peer, peer.parent)] if peer else [])
    with bb.chromium() as browser:
        with streamlit_server(db, work / "server-sbs.log", extra_env={"KDEFENSE_RERUN_LOG": "1"}) as server:
            warm_up(browser, server, registered_pages())
            for spec in registered_pages():
                out["pages"][spec.name] = _browser_view(bb, browser, bb.page_url(server, spec), guard, runs, server.log)
        for name, script, cwd in others:
            extra = usual_env if name == "usual" else None
            with streamlit_server(db, work / f"server-sbs-{name}.log", script=script, cwd=cwd,
                                  extra_env=extra) as server:
                warm_up(browser, server, [None])
                out[name] = _browser_view(bb, browser, server.url, guard, runs)
        out["floor"] = _floor_navigation(bb, browser, db, work, guard, runs)
        out["timeline_floor"] = _timeline_floor(bb, browser, db, work, guard, runs)
    out["external_requests"] = len(guard.external)
    return out


# Streamlit's own navigation cost on this machine, measured in the same run as the pages and the peer: a page of
# ours cannot be reached faster than the smallest app drawing what it draws (issue 17's navigation target is set
# against the peer's time, so the floor says how much of that target any Streamlit page with a chart can meet).
SIDEBYSIDE_FLOOR = ("empty page (title + text)", "one Plotly bar chart")
TIMELINE_FLOOR = "the Timeline's 7 charts alone, same figures"


def _floor_navigation(bb, browser, db: Path, work: Path, guard, runs: int) -> dict:
    out = {}
    for i, name in enumerate(SIDEBYSIDE_FLOOR):
        script = work / f"floor_sbs_{i}.py"
        script.write_text(FLOOR_APPS[name])
        with streamlit_server(db, work / f"server-sbs-floor-{i}.log", script=script) as server:
            warm_up(browser, server, [None])
            try:
                out[name] = bb.time_navigation(browser, server.url, guard, runs)
            except Exception as exc:  # noqa: BLE001 - reported, not fatal, as the pages' views
                out[name] = {"first_visit": float("nan"), "repeat_visit": float("nan"), "charts": 0,
                             "error": str(exc)[:200]}
    return out


def _timeline_floor(bb, browser, db: Path, work: Path, guard, runs: int) -> dict:
    """The Timeline's filter change with its seven charts alone (bench/timeline_floor.py): what any Timeline that
    draws these charts pays in this browser, measured in the same run."""
    try:
        return timeline_floor.measure(bb, browser, db, work, guard, runs)
    except Exception as exc:  # noqa: BLE001 - reported, not fatal, as the pages' views
        return {"error": str(exc)[:200]}


def _browser_view(bb, browser, url: str, guard, runs: int, rerun_log: Path | None = None) -> dict:
    """Navigation and filter change for one URL; a view that never settles (a loaded machine) is reported, not
    fatal, so one slow page does not lose the whole run."""
    nan = float("nan")
    try:
        nav = bb.time_navigation(browser, url, guard, runs)
    except Exception as exc:  # noqa: BLE001 - Playwright timeouts and closed pages alike
        nav = {"first_visit": nan, "repeat_visit": nan, "charts": 0, "error": str(exc)[:200]}
    try:
        change = bb.time_filter_change(browser, url, guard, runs, rerun_log=rerun_log)
    except Exception as exc:  # noqa: BLE001
        change = {"filter_change": nan, "error": str(exc)[:200]}
    return {**nav, "filter": change}


REFERENCES = {"usual": "usual way", "peer": "peer"}


def _reference(app: dict, name: str) -> dict | None:
    """The one view of the usual-way or peer app's AppTest result, or None when it did not run."""
    views = (app.get(name) or {}).get("views") or {}
    return next(iter(views.values()), None)


def first_visit_table(app: dict, label: str) -> str:
    """Each page's first visit in a new server (after the landing page), without and with the warm-up, against the
    usual way's cold rerun and (with a peer) the peer's first run: issue 17's cold-start target."""
    cold, warmed = app.get("first_visits_cold"), app.get("first_visits_warmed")
    usual, peer = _reference(app, "usual"), app.get("peer") if _reference(app, "peer") else None
    if not cold or not warmed or "pages" not in cold or "pages" not in warmed or usual is None:
        return ""
    rows = []
    for name, c in cold["pages"].items():
        w = warmed["pages"].get(name)
        if w is None:
            continue
        row = [c["title"], ms(c["first_visit_cpu"]), ms(w["first_visit_cpu"]),
               _r(_ratio(w["first_visit_cpu"], usual["cold_cpu"]), SIDE["cold_vs_usual"])]
        if peer:
            row += [_r(_ratio(c["first_visit_cpu"], peer.get("first_cpu")), SIDE["cold_vs_peer_first"]),
                    _r(_ratio(w["first_visit_cpu"], peer.get("first_cpu")), SIDE["cold_vs_peer_first"])]
        rows.append(row + [ms(c["first_visit"]), ms(w["first_visit"]), "; ".join(c["problems"] + w["problems"])[:80]])
    headers = ["page", "first visit CPU, no warm-up", "first visit CPU, warmed", "warmed ÷ usual cold (≤ 1)"]
    if peer:
        headers += ["no warm-up ÷ peer first run (≤ 1)", "warmed ÷ peer first run (≤ 1)"]
    headers += ["wall, no warm-up", "wall, warmed", "problems"]
    for name in ("usual", "peer"):
        if _reference(app, name):
            first = app[name]
            rows.append([f"**{REFERENCES[name]}, first run**", ms(first.get("first_cpu")), "", "",
                         *([""] * (2 if peer else 0)), ms(first["first"]), "", ""])
    note = (f"\n\nwarm-up (once per data version, in the background after the first page): "
            f"{ms(warmed.get('warm_up_cpu'))} of CPU, done {secs(warmed.get('warm_up_wait'))} after the first page")
    return table(headers, rows, f"Side by side {label}: a new server's first visit of each page (AppTest)") + note


def _apptest_rows(app: dict, ref: dict, ref_first: float | None, sfx: str, with_first: bool) -> list[list[str]]:
    rows = []
    for key, v in app["ours"]["views"].items():
        row = [
            f"{v['title']} · {key.split('|')[1]}",
            ms(v[f"warm{sfx}"]),
            ms(v[f"new_filter{sfx}"]),
            ms(v[f"cold{sfx}"]),
            _r(_ratio(v[f"warm{sfx}"], ref.get(f"warm{sfx}")), SIDE["warm_vs_ref"]),
            _r(_ratio(v[f"new_filter{sfx}"], ref.get(f"new_filter{sfx}")), SIDE["new_filter_vs_ref"]),
            _r(_ratio(v[f"new_filter{sfx}"], v[f"warm{sfx}"]), SIDE["new_filter_vs_warm"]),
            _r(_ratio(v[f"cold{sfx}"], ref.get(f"cold{sfx}")), SIDE["cold_vs_ref"]),
        ]
        if with_first:
            row.append(_r(_ratio(v[f"cold{sfx}"], ref_first), SIDE["cold_vs_peer_first"]))
        rows.append(row)
    return rows


def apptest_ratio_table(app: dict, name: str, label: str) -> str:
    """This app's warm, new-filter and cold reruns per page and basis against one reference app (the usual way or
    the peer), in wall time and in process CPU time, with issue 17's targets marked ok / MISSED."""
    ref = _reference(app, name)
    if ref is None:
        return ""
    who, text = REFERENCES[name], ""
    with_first = name == "peer"  # issue 17: a cold start at most the peer's first run
    for clock, sfx in (("wall time", ""), ("process CPU time", "_cpu")):
        if f"new_filter{sfx}" not in ref:
            continue
        first = app[name].get("first" if not sfx else "first_cpu")
        rows = _apptest_rows(app, ref, first, sfx, with_first)
        rows.append([f"**{ref['title']}**", ms(ref.get(f"warm{sfx}")), ms(ref.get(f"new_filter{sfx}")),
                     ms(ref.get(f"cold{sfx}")), "", "", "", "", *([f"first run {ms(first)}"] if with_first else [])])
        headers = ["page · basis", "warm", "new filter", "cold", f"warm ÷ {who} warm (≤ 1)",
                   f"new filter ÷ {who} new filter (≤ 0.33)", "new filter ÷ own warm (≤ 2)",
                   f"cold ÷ {who} cold (≤ 1)"]
        if with_first:
            headers.append("cold ÷ peer first run (≤ 1)")
        text += table(headers, rows, f"Side by side {label}: against the {who}, server {clock} per rerun "
                                     "(AppTest medians, same run)")
    return text


def browser_ratio_table(browser: dict, name: str, label: str) -> str:
    """Chromium navigation (first and repeat visit) and filter change per page against one reference app."""
    ref = browser.get(name)
    if ref is None:
        return ""
    who, rows = REFERENCES[name], []
    for page, v in browser["pages"].items():
        change = v["filter"]["filter_change"]
        rows.append([
            page, secs(v["first_visit"]), secs(v["repeat_visit"]), secs(change),
            _r(_ratio(v["first_visit"], ref["first_visit"]), SIDE["nav_vs_ref"]),
            _r(_ratio(v["repeat_visit"], ref["repeat_visit"]), SIDE["nav_vs_ref"]),
            _r(_ratio(change, ref["filter"]["filter_change"])),
            verdict(change, SIDE["filter_s"]),
            v["charts"],
        ])
    for floor, v in (browser.get("floor") or {}).items():
        rows.append([f"*Streamlit floor: {floor}*", secs(v["first_visit"]), secs(v["repeat_visit"]), "",
                     _r(_ratio(v["first_visit"], ref["first_visit"]), SIDE["nav_vs_ref"]),
                     _r(_ratio(v["repeat_visit"], ref["repeat_visit"]), SIDE["nav_vs_ref"]), "", "", v["charts"]])
    floor = browser.get("timeline_floor") or {}
    if "filter" in floor:
        change = floor["filter"]["filter_change"]
        rows.append([f"*Streamlit floor: {TIMELINE_FLOOR}*", secs(floor["first_visit"]), secs(floor["repeat_visit"]),
                     secs(change), _r(_ratio(floor["first_visit"], ref["first_visit"]), SIDE["nav_vs_ref"]),
                     _r(_ratio(floor["repeat_visit"], ref["repeat_visit"]), SIDE["nav_vs_ref"]),
                     _r(_ratio(change, ref["filter"]["filter_change"])), verdict(change, SIDE["filter_s"]),
                     floor["charts"]])
    rows.append([f"**{who}**", secs(ref["first_visit"]), secs(ref["repeat_visit"]),
                 secs(ref["filter"]["filter_change"]), "", "", "", "", ref["charts"]])
    return table(
        ["page", "first visit", "repeat visit", "filter change", f"first ÷ {who} first (≤ 0.5)",
         f"repeat ÷ {who} repeat (≤ 0.5)", f"filter change ÷ {who}", "filter change ≤ 0.7 s", "charts"],
        rows,
        f"Side by side {label}: Chromium against the {who} (navigation to every chart drawn; filter change to "
        "every chart redrawn)",
    )


def sidebyside_tables(app: dict, browser: dict | None, label: str) -> str:
    """Every ratio of issue 17 per page and value basis, against the usual way and (when measured) the peer."""
    if _reference(app, "usual") is None:
        return f"\n### Side by side {label}: the usual way did not run ({app['usual'].get('killed', '?')})\n"
    if browser is None:
        text = first_visit_table(app, label)
        for name in REFERENCES:
            text += apptest_ratio_table(app, name, label)
        if "peer" in app and _reference(app, "peer") is None:
            text += f"\n\nthe peer did not run: {app['peer'].get('killed') or app['peer'].get('error', '?')}"
        return text
    text = "".join(browser_ratio_table(browser, name, label) for name in REFERENCES)
    text += filter_change_parts_table(browser, label)
    if "error" in (browser.get("timeline_floor") or {}):
        text += f"\n\nthe Timeline's chart floor did not run: {browser['timeline_floor']['error']}"
    return text + f"\n\nrequests to outside hosts: {browser['external_requests']}"


def scaled_peer(peer: Path, peer_data: str, folder: Path) -> Path:
    """A copy of the peer app's folder in `folder`/peer whose data file (`peer_data`, relative to the peer's
    folder) is the scaled SIPRI per-delivery-year export of `folder`/sources, byte for byte as bench.scale wrote
    it (the peer's own code is not changed). Returns the copied script."""
    from bench import scale

    target = folder / "peer"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(peer.parent, target, ignore=shutil.ignore_patterns(".git", "__pycache__", peer_data))
    _, per_year = scale._exports(folder / "sources" / "sipri")
    (target / peer_data).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(per_year, target / peer_data)
    return target / peer.name


def filter_change_parts_table(browser: dict, label: str) -> str:
    """Where a filter change's time went in Chromium (medians): what the server sent, the server's own rerun
    (from its rerun log; the usual way writes none), the browser's long main-thread tasks (drawing), the charts
    mounted anew, and how many of them Plotly drew twice (its automargin grew a margin after the first draw)."""
    views = [(name, v) for name, v in browser["pages"].items()]
    views += [(f"**{name}**", browser[name]) for name in ("usual", "peer") if name in browser]
    if "filter" in (browser.get("timeline_floor") or {}):
        views.append((f"*Streamlit floor: {TIMELINE_FLOOR}*", browser["timeline_floor"]))
    rows = []
    for name, v in views:
        change = v.get("filter", {})
        if "sent_kb" not in change:
            continue
        rows.append(
            [
                name,
                secs(change["filter_change"]),
                f"{change['sent_kb']:,.0f} KB",
                secs(change["server_rerun_s"]),
                secs(change["long_tasks_s"]),
                f"{change['remounted']:.0f} of {v.get('charts', 0)}",
                f"{change['redrawn']:.0f}" if "redrawn" in change else "—",
            ]
        )
    if not rows:
        return ""
    return table(
        ["page", "filter change", "sent", "server rerun", "main-thread tasks ≥ 50 ms", "charts mounted anew",
         "drawn twice (automargin)"],
        rows,
        f"Side by side {label}: where a filter change went in Chromium (medians)",
    )


def section_sidebyside(
    db: Path,
    work: Path,
    runs: int,
    cold_runs: int,
    browser_runs: int,
    scales: list[int],
    peer: Path | None,
    max_rss_mb: float,
    with_browser: bool = True,
    peer_data: str | None = None,
    scale_browser: bool = False,
    scales_only: bool = False,
) -> dict:
    """This app against the usual-way app (and a peer app, when given) in one run: per page, warm, new filter and
    cold reruns (AppTest), Chromium navigation and filter change, and the ratios issue 17 sets; AppTest again at
    each scale factor (the usual way reads the synthetic register of the same size)."""
    from bench import scale

    out: dict[str, dict] = {}
    if not scales_only:
        app = sidebyside_apptest(db, runs, cold_runs, peer)
        say(sidebyside_tables(app, None, "(real data)"))
        browser = sidebyside_browser(db, work, browser_runs, peer) if with_browser else None
        if browser:
            say(sidebyside_tables(app, browser, "(real data, with Chromium)"))
        out["1"] = {"apptest": app, "browser": browser}
    for factor in scales:
        folder = work / f"x{factor}"
        db_x = folder / "kdefense.duckdb"
        register = next((folder / "sources" / "sipri").glob("trade-register*.csv"), None) if folder.exists() else None
        if not db_x.exists() or register is None:  # kept in --workdir between runs: build once
            say(f"\n… ×{factor}: writing sources and building")
            scale.write_scaled_sources(factor, folder / "sources")
            built = scale.build(folder / "sources", db_x, max_rss_mb=max_rss_mb)
            if built["returncode"] != 0:
                say(f"  build ×{factor} failed: {built['killed'] or built['output'][-300:]}")
                continue
            register = next((folder / "sources" / "sipri").glob("trade-register*.csv"))
        peer_x = scaled_peer(peer, peer_data, folder) if peer and peer_data else None
        app_x = sidebyside_apptest(
            db_x, runs, cold_runs, peer_x, env={"BASELINE_REGISTER": str(register)}, max_rss_mb=max_rss_mb
        )
        say(sidebyside_tables(app_x, None, f"(×{factor})"))
        browser_x = None
        if with_browser and scale_browser:
            browser_x = sidebyside_browser(db_x, folder, browser_runs, peer_x, {"BASELINE_REGISTER": str(register)})
            say(sidebyside_tables(app_x, browser_x, f"(×{factor}, with Chromium)"))
        out[str(factor)] = {"apptest": app_x, "browser": browser_x}
    return out


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", default=",".join(DEFAULT_SECTIONS), help=f"comma-separated subset of {', '.join(SECTIONS)}"
    )
    parser.add_argument("--quick", action="store_true", help="3 runs, ×10 only, 20 s of load")
    parser.add_argument("--runs", type=int, default=7, help="runs per median")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--browser-runs", type=int, default=5)
    parser.add_argument("--load-sessions", type=int, default=30)
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--scales", default="10,100")
    parser.add_argument(
        "--max-rss-mb",
        type=float,
        default=11000,
        help="kill a scale build or benchmark process past this resident memory (the machine is shared)",
    )
    parser.add_argument(
        "--peer",
        type=Path,
        default=os.environ.get("BENCH_PEER_APP") or None,
        help="sidebyside: also measure this one-page Streamlit script (run from its own folder), e.g. a peer app",
    )
    parser.add_argument(
        "--peer-data",
        default=os.environ.get("BENCH_PEER_DATA") or None,
        help="sidebyside at ×k: the peer's data file (relative to its folder) to replace by the ×k SIPRI "
        "per-delivery-year export in a copy of the peer's folder, so the peer is measured at ×k too",
    )
    parser.add_argument("--scale-browser", action="store_true", help="sidebyside: Chromium at each ×k too")
    parser.add_argument("--scales-only", action="store_true", help="sidebyside: only the ×k parts (no real data)")
    parser.add_argument("--no-browser", action="store_true", help="sidebyside: AppTest figures only")
    parser.add_argument("--db", type=Path, default=None, help="use this database instead of building one")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write all results here")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.cold_runs, args.browser_runs, args.load_seconds, args.scales = 3, 2, 3, 20, "10"
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kdefense-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    say(
        f"# kdefense bench · {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} CPUs · pages: "
        f"{', '.join(p.name for p in registered_pages())} · work dir {work}"
    )
    results: dict[str, object] = {"pages": [p.name for p in registered_pages()]}
    db = args.db
    if "build" in only:
        results["build"] = section_build(work, runs=3 if not args.quick else 1)
        db = db or work / "build.duckdb"
    if db is None:
        db = work / "kdefense.duckdb"
        build_db(db)
    db = db.resolve()
    for name in only:
        say(
            f"\n<!-- {name}: load average before {os.getloadavg()[0]:.2f} (others' work on the machine skews figures) -->"
        )
        if name == "apptest":
            results[name] = section_apptest(db, args.runs, args.cold_runs)
        elif name == "browser":
            results[name] = section_browser(db, work, args.browser_runs)
        elif name == "floor":
            results[name] = section_floor(db, work, args.browser_runs)
        elif name == "memory":
            results[name] = section_memory(db, work)
        elif name == "load":
            results[name] = section_load(db, work, args.load_sessions, args.load_seconds)
        elif name == "export":
            from bench.export import section_export

            results[name] = section_export(db, work)
        elif name == "scale":
            factors = [int(f) for f in args.scales.split(",") if f.strip()]
            results[name] = section_scale(work, factors, max(3, args.runs // 2), 2, args.max_rss_mb, db)
        elif name == "sidebyside":
            factors = [int(f) for f in args.scales.split(",") if f.strip() and int(f) <= 10]
            peer = args.peer.resolve() if args.peer else None
            results[name] = section_sidebyside(
                db,
                work,
                args.runs,
                args.cold_runs,
                args.browser_runs,
                factors,
                peer,
                args.max_rss_mb,
                with_browser=not args.no_browser,
                peer_data=args.peer_data,
                scale_browser=args.scale_browser,
                scales_only=args.scales_only,
            )
        if args.json:
            args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())

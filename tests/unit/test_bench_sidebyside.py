"""`make bench-sidebyside` prints issue 17's ratios per page and value basis, against the usual way and the peer.

The results fed in are made-up shapes of bench.apptest's and bench.browser's output (no time is measured here):
every ratio the issue names must be printed with its verdict, against both reference apps.
"""

from __future__ import annotations

import re

from bench import run


def view(title: str, warm: float, new_filter: float, cold: float) -> dict:
    return {"title": title, "warm": warm, "warm_cpu": warm, "new_filter": new_filter, "new_filter_cpu": new_filter,
            "cold": cold, "cold_cpu": cold}


def apptest_results(with_peer: bool) -> dict:
    out = {
        "ours": {"first": 1.0, "first_cpu": 1.0, "views": {
            "timeline|usd": view("Timeline", 0.08, 0.30, 0.40),  # new filter 3.75× warm: MISSED
            "deals|tiv": view("Deals", 0.02, 0.03, 0.05),
        }},
        "usual": {"first": 0.6, "first_cpu": 0.6, "views": {"baseline|tiv": view("usual", 0.09, 0.10, 0.15)}},
        "first_visits_cold": {"pages": {"timeline": {"title": "Timeline", "first_visit": 0.4, "first_visit_cpu": 0.4,
                                                     "problems": []}}},
        "first_visits_warmed": {"warm_up_cpu": 0.3, "warm_up_wait": 0.3,
                                "pages": {"timeline": {"title": "Timeline", "first_visit": 0.2,
                                                       "first_visit_cpu": 0.2, "problems": []}}},
    }
    if with_peer:
        out["peer"] = {"first": 2.0, "first_cpu": 2.0, "views": {"baseline|tiv": view("peer", 0.28, 0.30, 0.41)}}
    return out


def nav(first: float, repeat: float, change: float) -> dict:
    return {"first_visit": first, "repeat_visit": repeat, "charts": 3, "filter": {"filter_change": change}}


def browser_results() -> dict:
    return {"pages": {"timeline": nav(3.0, 1.5, 0.9), "deals": nav(1.0, 0.5, 0.3)},
            "usual": nav(4.0, 1.4, 0.6), "peer": nav(8.0, 4.0, 1.2), "external_requests": 0}


def row(text: str, title: str, start: str) -> list[str]:
    """The cells of the row starting with `start` in the table titled `title`."""
    section = text.split(title, 1)[1].split("\n### ", 1)[0]
    line = next(ln for ln in section.splitlines() if ln.startswith(f"| {start}"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_apptest_ratios_against_the_usual_way_and_the_peer():
    text = run.sidebyside_tables(apptest_results(with_peer=True), None, "(real data)")
    for who, ref in (("usual way", 0.10), ("peer", 0.30)):
        for clock in ("wall time", "process CPU time"):
            title = f"against the {who}, server {clock}"
            cells = row(text, title, "Timeline · usd")
            # warm, new filter ÷ reference, new filter ÷ own warm, cold ÷ reference: each with its verdict
            assert re.fullmatch(r"\d+\.\d\d (ok|MISSED)", cells[4])
            assert cells[5] == f"{0.30 / ref:.2f} " + ("ok" if 0.30 / ref <= 1 / 3 else "MISSED")
            assert cells[6] == "3.75 MISSED"
            assert cells[7].endswith(("ok", "MISSED"))
    peer_cpu = row(text, "against the peer, server process CPU time", "Timeline · usd")
    assert peer_cpu[8] == "0.20 ok"  # cold ÷ the peer's first run (issue 17's cold-start target)
    first = row(text, "first visit of each page", "Timeline")
    assert "0.20 ok" in first and "0.10 ok" in first  # no warm-up / warmed ÷ peer first run


def test_browser_ratios_against_the_usual_way_and_the_peer():
    text = run.sidebyside_tables(apptest_results(with_peer=True), browser_results(), "(real data, with Chromium)")
    usual = row(text, "Chromium against the usual way", "timeline")
    peer = row(text, "Chromium against the peer", "timeline")
    assert usual[4:8] == ["0.75 MISSED", "1.07 MISSED", "1.50", "MISSED"]
    assert peer[4:8] == ["0.38 ok", "0.38 ok", "0.75", "MISSED"]  # filter change as a ratio to the peer's
    assert row(text, "Chromium against the peer", "deals")[7] == "ok"


def test_without_a_peer_only_the_usual_way_is_printed():
    text = run.sidebyside_tables(apptest_results(with_peer=False), None, "(×10)")
    assert "against the usual way" in text and "against the peer" not in text and "peer first run" not in text


def test_streamlit_floor_is_printed_against_the_peer_in_the_same_run():
    browser = browser_results()
    browser["floor"] = {"one Plotly bar chart": {"first_visit": 4.8, "repeat_visit": 1.2, "charts": 1}}
    text = run.sidebyside_tables(apptest_results(with_peer=True), browser, "(real data, with Chromium)")
    floor = row(text, "Chromium against the peer", "*Streamlit floor: one Plotly bar chart*")
    assert floor[1:3] == ["4.80 s", "1.20 s"]
    assert floor[4:6] == ["0.60 MISSED", "0.30 ok"]  # ÷ the peer's 8.0 s first and 4.0 s repeat visit
    assert "Streamlit floor" not in run.sidebyside_tables(apptest_results(with_peer=True), browser_results(),
                                                          "(real data, with Chromium)")


def test_the_timelines_chart_floor_is_printed_with_its_filter_change_against_the_peer():
    browser = browser_results()
    browser["timeline_floor"] = {**nav(2.4, 1.0, 0.84), "charts": 7}
    browser["timeline_floor"]["filter"].update(sent_kb=180, server_rerun_s=0.0, long_tasks_s=0.6, remounted=7,
                                                redrawn=2)
    text = run.sidebyside_tables(apptest_results(with_peer=True), browser, "(real data, with Chromium)")
    floor = row(text, "Chromium against the peer", f"*Streamlit floor: {run.TIMELINE_FLOOR}*")
    assert floor[1:4] == ["2.40 s", "1.00 s", "0.84 s"]
    assert floor[4:9] == ["0.30 ok", "0.25 ok", "0.70", "MISSED", "7"]  # ÷ the peer's 8.0, 4.0 and 1.2 s
    parts = row(text, "where a filter change went in Chromium", f"*Streamlit floor: {run.TIMELINE_FLOOR}*")
    assert parts[1:] == ["0.84 s", "180 KB", "0.00 s", "0.60 s", "7 of 7", "2"]
    browser["timeline_floor"] = {"error": "the capture failed"}  # reported by its absence, not a crash
    text = run.sidebyside_tables(apptest_results(with_peer=True), browser, "(real data, with Chromium)")
    assert run.TIMELINE_FLOOR not in text and "chart floor did not run: the capture failed" in text

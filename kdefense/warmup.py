"""Warm-up: once per database file version, the questions every page asks for the default filters are run in a
background thread, so the first visitor of each page after a server start or a rebuild finds them cached.

Results go into the same cache as the pages' own (queries.run: keyed by question, parameters and file version),
so a new data version is never served from the old one's results, and nothing of a session is involved: the
warm-up reads no session state and writes none.
"""

from __future__ import annotations

import atexit
import gc
import logging
import re
import threading

import streamlit as st

from kdefense import db, queries, settings
from kdefense.db import DatabaseUnavailable
from kdefense.filters import Filters

LOG = logging.getLogger("kdefense.warmup")

# Not questions (the shared-filter CTEs and build scripts) or only asked about one chosen deal (the deal card).
SKIPPED = re.compile(r"(filter_(?!options)|deal_)\w*|views|derive|materialize")
# Page-level parameters at the values a page opens with (Timeline: all deals, missiles and ammunition left out).
PAGE_DEFAULTS = {"deal_id": "", "munitions": False}
# Questions asked over the filters' years and the equally long period before them, split at $period_from (the
# Overview's headlines and their deltas: Filters.with_previous_period).
BOTH_PERIODS = ("overview_headlines", "overview_tiv_headlines")
# Python's cyclic garbage collector after the warm-up (settle_heap): a young-generation collection once 10,000 more
# objects are made than freed, an older one after 20 younger ones (Python's defaults: 700, 10, 10; at 700 the young
# generation was collected 5-6 times per Timeline filter change).
GC_THRESHOLDS = (10_000, 20, 20)


def default_questions(filters: Filters) -> list[tuple[str, dict]]:
    """(question, parameters) of every kdefense/sql question whose parameters the default view fills: the shared
    filters and PAGE_DEFAULTS. Questions that need a user's choice (a deal, a country, suppliers) are left out."""
    known = {**filters.params(), **PAGE_DEFAULTS}
    both = {**filters.with_previous_period().params(), "period_from": filters.year_from}
    out = []
    for path in sorted(settings.SQL_DIR.glob("*.sql")):
        if SKIPPED.fullmatch(path.stem):
            continue
        used = set(re.findall(r"\$(\w+)", queries.sql_text(path.stem)))
        if path.stem in BOTH_PERIODS:
            out.append((path.stem, {k: both[k] for k in used}))
            continue
        if used <= set(known):
            out.append((path.stem, {k: known[k] for k in used}))
    return out


def run_questions(questions: list[tuple[str, dict]]) -> int:
    """Run each question through the shared cache; returns how many ran (a question that fails is skipped)."""
    done = 0
    for name, params in questions:
        try:
            queries.run(name, params)
            done += 1
        except DatabaseUnavailable:
            return done  # the file went away: the pages will say so
        except Exception as exc:  # noqa: BLE001 - a warm-up never breaks the app; the page will show the error
            LOG.warning("warm-up question %s failed: %s", name, exc)
    return done


_SETTLING = threading.Lock()
_SETTLED: list[bool] = []  # one item once the heap is settled
_SETTLE_STARTED = threading.Event()  # warm-up off: the background settling has been started (once, not per rerun)


def settle_heap() -> None:
    """Once per process, after the first warm-up: keep what the process has made so far (modules, Plotly's
    validators, the warm-up's cached answers) out of every later garbage collection (gc.freeze), and collect the
    young generation less often (GC_THRESHOLDS).

    Measured on Timeline filter changes (bench/README.md, fifteenth session): the collector took 14-18 ms per rerun
    (9-12 ms of it amortised full collections, each walking the whole heap for 180-220 ms with the interpreter lock
    held, so some user's rerun waited for one about every 20 filter changes); after this, 4-7 ms and no full
    collection in 60 reruns. Objects are still freed by reference counting; only reference cycles among the objects
    frozen here are never collected (a later data version's warm-up does not freeze again: each collection walks the
    whole heap, 0.2-1 s in a test process that warms up many versions)."""
    with _SETTLING:
        if _SETTLED:
            return
        _SETTLED.append(True)
        gc.collect()
        gc.freeze()
        atexit.register(gc.unfreeze)  # at exit, what was frozen is collected as usual (DuckDB's bindings check)
        gc.set_threshold(*GC_THRESHOLDS)


def _warm(questions: list[tuple[str, dict]]) -> None:
    run_questions(questions)
    settle_heap()


@st.cache_resource(max_entries=2, show_spinner=False)
def _warm_up(signature: tuple[str, int, int]) -> threading.Thread:
    """One background warm-up per file version (the signature keys it; later calls return the same thread)."""
    options = queries.filter_options()
    questions = default_questions(Filters(year_from=options.year_min, year_to=options.year_max))
    thread = threading.Thread(target=_warm, args=(questions,), name="kdefense-warmup", daemon=True)
    thread.start()
    return thread


def start() -> threading.Thread | None:
    """Start the warm-up of the current file version if it has not started yet (KDEFENSE_WARMUP=0: never; the
    heap is then settled in the background after the process's first script run)."""
    if not settings.warmup_enabled():
        if not _SETTLE_STARTED.is_set():
            _SETTLE_STARTED.set()
            threading.Thread(target=settle_heap, name="kdefense-settle-heap", daemon=True).start()
        return None
    try:
        return _warm_up(db.signature())
    except DatabaseUnavailable:
        return None

"""Warm-up: once per database file version, the questions every page asks for the default filters are run in a
background thread, so the first visitor of each page after a server start or a rebuild finds them cached.

Results go into the same cache as the pages' own (queries.run: keyed by question, parameters and file version),
so a new data version is never served from the old one's results, and nothing of a session is involved: the
warm-up reads no session state and writes none.
"""

from __future__ import annotations

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


@st.cache_resource(max_entries=2, show_spinner=False)
def _warm_up(signature: tuple[str, int, int]) -> threading.Thread:
    """One background warm-up per file version (the signature keys it; later calls return the same thread)."""
    options = queries.filter_options()
    questions = default_questions(Filters(year_from=options.year_min, year_to=options.year_max))
    thread = threading.Thread(target=run_questions, args=(questions,), name="kdefense-warmup", daemon=True)
    thread.start()
    return thread


def start() -> threading.Thread | None:
    """Start the warm-up of the current file version if it has not started yet (KDEFENSE_WARMUP=0: never)."""
    if not settings.warmup_enabled():
        return None
    try:
        return _warm_up(db.signature())
    except DatabaseUnavailable:
        return None

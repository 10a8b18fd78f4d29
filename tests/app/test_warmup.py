"""The warm-up (kdefense/warmup.py): default questions cached once per data version, never stale, no session state.

The warm-up runs in the server's process and fills the cache the pages read; these tests run the app in process
(AppTest) so they see that same cache.
"""

from __future__ import annotations

import gc
import os
import shutil
from dataclasses import replace

import pytest
import streamlit as st

from kdefense import db, queries, warmup
from kdefense.filters import Filters
from tests.helpers import run_app


@pytest.fixture()
def empty_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def default_filters() -> Filters:
    options = queries.filter_options()
    return Filters(year_from=options.year_min, year_to=options.year_max)


def counting_execute(monkeypatch) -> list[str]:
    ran: list[str] = []
    original = db.execute

    def counted(sql, params=None):
        ran.append(sql)
        return original(sql, params)

    monkeypatch.setattr(db, "execute", counted)
    return ran


def test_warm_up_answers_what_a_first_visit_asks(app_db, empty_caches, monkeypatch):
    """After the warm-up, a new session opening the Timeline and the Overview with default filters runs no SQL."""
    names = [name for name, _ in warmup.default_questions(default_filters())]
    assert {"timeline_gantt", "timeline_speed", "overview_by_region", "map_recipients"} <= set(names)
    assert not any(n.startswith(("filter_deals", "deal_")) for n in names)  # CTEs and one-deal questions
    thread = warmup.start()
    assert thread is not None
    thread.join(120)
    assert not thread.is_alive()
    assert warmup.start() is thread  # one warm-up per data version, however many sessions start
    ran = counting_execute(monkeypatch)
    at = run_app("pages/timeline.py")
    assert not at.exception and not at.error
    assert ran == []  # every question of the default Timeline (and the Overview before it) came from the cache
    queries.run_filtered("timeline_gantt", replace(default_filters(), year_to=2001), deal_id="")
    assert len(ran) == 1  # a view the warm-up did not ask for still runs (the count above is not vacuous)


def test_a_new_data_version_is_warmed_and_never_served_stale(fixture_db_path, built_db_path, tmp_path,
                                                           empty_caches, monkeypatch):
    path = tmp_path / "kdefense.duckdb"
    shutil.copy(fixture_db_path, path)
    monkeypatch.setenv("KDEFENSE_DB", str(path))
    first = warmup.start()
    first.join(120)
    old_version = queries.build_info()["data_version"]
    old_options = len(queries.run("filter_options"))
    old_countries = len(queries.filter_options().countries)
    # a rebuild: the new file is renamed over the old one (a new inode), as kdefense.build does
    shutil.copy(built_db_path, tmp_path / "new.duckdb")
    os.replace(tmp_path / "new.duckdb", path)
    second = warmup.start()
    assert second is not first  # the new version gets its own warm-up
    second.join(120)
    assert queries.build_info()["data_version"] == db_version(built_db_path) != old_version
    assert len(queries.run("filter_options")) != old_options
    assert len(queries.filter_options().countries) != old_countries  # kept per version, not per process


def db_version(path) -> str:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT value FROM build_info WHERE key = 'data_version'").fetchone()[0]


def test_sessions_do_not_share_filters_or_page_options(app_db, empty_caches):
    """Caches are shared, session state is not: one session's filters and Timeline options stay its own."""
    warmup.start().join(120)
    poland = run_app("pages/timeline.py", state={"flt_country": ["POL"]})
    poland.toggle(key="tl_munitions").set_value(True).run()
    fresh = run_app("pages/timeline.py")
    assert fresh.toggle(key="tl_munitions").value is False and poland.toggle(key="tl_munitions").value is True

    def summary(at) -> str:
        return next(m.value for m in at.markdown if "kd-filter-summary" in m.value)

    assert "Poland" in summary(poland) and "Poland" not in summary(fresh)


def test_the_heap_is_settled_once_per_process_after_the_first_warm_up(monkeypatch):
    """After the first warm-up the collector skips what the process made so far and runs its young generation less
    often (warmup.settle_heap): a second settling (a later data version) collects nothing again."""
    before = gc.get_threshold()
    monkeypatch.setattr(warmup, "_SETTLED", [])
    collections: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(1) or 0)
    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    try:
        warmup._warm([])
        assert gc.get_threshold() == warmup.GC_THRESHOLDS
        assert (collections, frozen) == ([1], [1])
        warmup._warm([])
        assert (collections, frozen) == ([1], [1])
    finally:
        gc.set_threshold(*before)

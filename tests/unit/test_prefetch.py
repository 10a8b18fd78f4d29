"""queries.prefetch_filtered: a page's questions asked in the background into the shared cache."""

import pandas as pd
import pytest
import streamlit as st

from kdefense import db, queries
from kdefense.filters import Filters

SQL = "SELECT $year_to AS year_to, $deal_id AS deal_id"


@pytest.fixture()
def fake_db(monkeypatch):
    """Questions answered by a stand-in for DuckDB: the rows name the file version and the years asked, and every
    statement run is counted."""
    version = ["v1"]
    executed: list[tuple] = []

    def execute(sql: str, params: dict) -> pd.DataFrame:
        executed.append((version[0], params["year_to"], params["deal_id"]))
        if params["deal_id"] == "broken":
            raise ValueError("a question that fails")
        return pd.DataFrame({"answer": [f"{version[0]}:{params['year_to']}:{params['deal_id']}"]})

    monkeypatch.setattr(db, "signature", lambda path=None: ("test.duckdb", 1, version[0]))
    monkeypatch.setattr(db, "execute", execute)
    monkeypatch.setattr(queries, "sql_text", lambda name: SQL)
    st.cache_data.clear()
    queries._ANSWERED.clear()
    yield version, executed
    st.cache_data.clear()
    queries._ANSWERED.clear()


def answer(filters: Filters, **extra) -> str:
    return queries.run_filtered("q_prefetch_test", filters, **extra)["answer"].iloc[0]


def finish(tasks) -> None:
    for task in tasks:
        task.result(timeout=30)


def test_a_prefetched_question_is_answered_once_and_served_to_the_page(fake_db):
    version, executed = fake_db
    filters = Filters(year_from=2000, year_to=2020)
    tasks = queries.prefetch_filtered(["q_prefetch_test"], filters, deal_id="")
    assert len(tasks) == 1
    finish(tasks)
    assert executed == [("v1", 2020, "")]
    assert answer(filters, deal_id="") == "v1:2020:"  # from the cache: not asked again
    assert executed == [("v1", 2020, "")]
    assert queries.prefetch_filtered(["q_prefetch_test"], filters, deal_id="") == []  # warm: no thread set to work


def test_a_new_data_version_is_never_answered_from_the_old_one(fake_db):
    version, executed = fake_db
    filters = Filters(year_from=2000, year_to=2020)
    finish(queries.prefetch_filtered(["q_prefetch_test"], filters, deal_id=""))
    version[0] = "v2"  # the database was rebuilt
    tasks = queries.prefetch_filtered(["q_prefetch_test"], filters, deal_id="")
    assert len(tasks) == 1  # the new version's question is asked, although the old one's was answered
    finish(tasks)
    assert answer(filters, deal_id="") == "v2:2020:"
    assert executed == [("v1", 2020, ""), ("v2", 2020, "")]


def test_each_filter_gets_its_own_answer(fake_db):
    """Two sessions with other filters (or another picked deal): each is served the rows of its own question."""
    version, executed = fake_db
    mine, theirs = Filters(year_from=2000, year_to=2020), Filters(year_from=2000, year_to=2015)
    finish(queries.prefetch_filtered(["q_prefetch_test"], mine, deal_id="KR-2020-001"))
    finish(queries.prefetch_filtered(["q_prefetch_test"], theirs, deal_id=""))
    assert answer(theirs, deal_id="") == "v1:2015:"
    assert answer(mine, deal_id="KR-2020-001") == "v1:2020:KR-2020-001"
    assert answer(mine, deal_id="") == "v1:2020:"  # never prefetched: asked now
    assert len(executed) == 3


def test_a_failing_question_fails_on_the_page_not_in_the_background(fake_db):
    version, executed = fake_db
    filters = Filters(year_from=2000, year_to=2020)
    finish(queries.prefetch_filtered(["q_prefetch_test"], filters, deal_id="broken"))  # no exception here
    with pytest.raises(ValueError, match="a question that fails"):
        answer(filters, deal_id="broken")
    assert len(executed) == 2  # a failure is not cached: the page asked again


def test_questions_asked_in_turn_take_one_thread_and_are_all_answered(fake_db):
    version, executed = fake_db
    filters = Filters(year_from=2000, year_to=2021)
    tasks = queries.prefetch_filtered(["q_in_turn_a", "q_in_turn_b", "q_in_turn_c"], filters, in_turn=True,
                                      deal_id="")
    assert len(tasks) == 1  # one thread asks the three, one after the other
    finish(tasks)
    assert executed == [("v1", 2021, "")] * 3
    for name in ("q_in_turn_a", "q_in_turn_b", "q_in_turn_c"):  # from the cache: not asked again
        assert queries.run_filtered(name, filters, deal_id="")["answer"].iloc[0] == "v1:2021:"
    assert len(executed) == 3
    assert queries.prefetch_filtered(["q_in_turn_a", "q_in_turn_c"], filters, in_turn=True, deal_id="") == []

"""db.execute parses each question text once and runs the parsed statement: the answers, errors and cache keys are
those of running the text, on every thread and every database file version."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pytest

from kdefense import db, queries, settings
from kdefense.filters import Filters

EXTRA = {"deal_id": "", "munitions": False, "by": "system_family", "iso3": "POL", "suppliers": ["South Korea"],
         "top_n": 10, "window_start": 2015, "by_window": False, "system_class": "Tanks", "new_only": True,
         "sup_category": "Armoured vehicles"}


def question_params(name: str, filters: Filters) -> dict:
    sql = queries.sql_text(name)
    used = set(re.findall(r"\$(\w+)", sql))
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in {**filters.params(), **EXTRA}.items() if k in used}
    return params if used <= set(params) else {}


def questions() -> list[str]:
    skip = {"derive", "views", "materialize"}
    return sorted(p.stem for p in settings.SQL_DIR.glob("*.sql") if p.stem not in skip and not p.stem.startswith("filter_"))


@pytest.fixture()
def fresh_parse_cache(app_db, monkeypatch):
    monkeypatch.setattr(db, "_PARSED", {})
    db._connection.clear()
    yield
    db._connection.clear()


def test_every_question_answers_as_its_text_did(fresh_parse_cache):
    con = db._connection(db.signature())
    cursor = con.cursor()
    cursor.execute("USE kd")
    asked = 0
    for name in questions():
        params = question_params(name, Filters())
        if not params and "$" in queries.sql_text(name):
            continue  # a question whose page-specific parameter this test does not know
        sql = queries.sql_text(name)
        text_answer = cursor.execute(sql, params).df()
        parsed_answer = db.execute(sql, params)
        assert isinstance(db._PARSED[sql], duckdb.Statement), name
        assert list(parsed_answer.columns) == list(text_answer.columns), name
        assert list(parsed_answer.dtypes) == list(text_answer.dtypes), name
        assert parsed_answer.equals(text_answer), name
        again = db.execute(sql, params)  # the second run reads the parsed statement
        assert again.equals(text_answer), name
        asked += 1
    assert asked >= 40


def test_threads_share_parsed_statements(fresh_parse_cache):
    jobs = [(queries.sql_text(n), question_params(n, f))
            for f in (Filters(), Filters(year_from=2015, year_to=2022), Filters(regions=("Europe",)))
            for n in ("timeline_gantt", "timeline_speed", "timeline_orderbook_now", "timeline_deal_options")]
    want = [db.execute(sql, params) for sql, params in jobs]

    def same(i: int) -> bool:
        sql, params = jobs[i % len(jobs)]
        return db.execute(sql, params).equals(want[i % len(jobs)])

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(same, range(4 * len(jobs))))
    assert len(db._PARSED) == 4


def test_errors_are_the_texts_and_are_not_kept(fresh_parse_cache):
    with pytest.raises(duckdb.ParserException):
        db.execute("SELEC 1")
    assert "SELEC 1" not in db._PARSED
    with pytest.raises(duckdb.BinderException):
        db.execute("SELECT no_such_column FROM deals")
    with pytest.raises(duckdb.InvalidInputException):
        db.execute("SELECT $a + $b AS n", {"a": 1})  # a parameter missing, as before


def test_several_statements_run_as_text(fresh_parse_cache):
    assert db.execute("SELECT 1 AS n; SELECT 2 AS n")["n"].tolist() == [2]
    assert db._PARSED["SELECT 1 AS n; SELECT 2 AS n"] == "SELECT 1 AS n; SELECT 2 AS n"


def test_a_parsed_statement_serves_a_new_file_version(fresh_parse_cache, app_db, tmp_path, monkeypatch):
    sql = queries.sql_text("build_info")
    before = db.execute(sql)
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(app_db.read_bytes())
    monkeypatch.setenv("KDEFENSE_DB", str(copy))
    after = db.execute(sql)  # a new connection for the new file, the same parsed statement
    assert isinstance(db._PARSED[sql], duckdb.Statement)
    assert after.equals(before)


def test_a_thread_keeps_its_cursor_and_threads_never_share_one(fresh_parse_cache):
    sql = queries.sql_text("build_info")
    db.execute(sql)
    mine = db._THREAD.cursor[1]
    db.execute(sql)
    assert db._THREAD.cursor[1] is mine  # no new cursor (and no `USE kd`) per question

    def cursor_of_new_thread(_: int) -> int:
        db.execute(sql)
        return id(db._THREAD.cursor[1])

    with ThreadPoolExecutor(3) as pool:
        others = set(pool.map(cursor_of_new_thread, range(3)))
    assert id(mine) not in others


def test_a_new_file_version_gets_a_new_cursor_and_the_old_one_is_closed(fresh_parse_cache, app_db, tmp_path,
                                                                        monkeypatch):
    sql = queries.sql_text("build_info")
    before = db.execute(sql)
    old_connection, old_cursor = db._THREAD.cursor
    copy = tmp_path / "rebuilt.duckdb"
    copy.write_bytes(app_db.read_bytes())
    monkeypatch.setenv("KDEFENSE_DB", str(copy))  # a rebuild: the same path would get a new inode and mtime
    assert db.execute(sql).equals(before)
    connection, cursor = db._THREAD.cursor
    assert connection is db._connection(db.signature()) and connection is not old_connection
    assert cursor is not old_cursor
    with pytest.raises(duckdb.ConnectionException):
        old_cursor.execute("SELECT 1")  # closed, not left open on the old file



def test_duckdb_runs_each_question_on_one_thread_by_default(monkeypatch):
    monkeypatch.delenv("KDEFENSE_DUCKDB_THREADS", raising=False)
    assert settings.duckdb_threads() == 1  # more threads make string_agg orders and sums vary from run to run

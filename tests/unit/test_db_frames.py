"""db.answer_frame makes an answer from DuckDB's numpy arrays instead of its df(): the frames must be the same,
column for column, type for type and value for value (None and NaN apart, every float bit for bit)."""

import re
import shutil

import duckdb
import pandas as pd
import pytest

from kdefense import db, queries, settings
from kdefense.filters import Filters

BUILD_SCRIPTS = {"materialize", "views", "derive"}
EXTRA = {"period_from": 1990, "suppliers": ["South Korea", "France", "United States"], "by_window": True,
         "by": "rival", "top_n": 10, "window_start": 2015, "new_only": False, "sup_category": "",
         "system_class": "Self-propelled guns", "deal_id": "", "munitions": False, "iso3": "POL"}
FILTER_CASES = [{}, {"year_from": 2050, "year_to": 2060}, {"regions": ("Europe",)}, {"q": "K9", "year_from": 2010},
                {"countries": ("POL", "AUS"), "statuses": ()}]


def assert_same_frame(fast: pd.DataFrame, slow: pd.DataFrame, what: str) -> None:
    assert list(fast.columns) == list(slow.columns), what
    assert list(fast.dtypes) == list(slow.dtypes), what
    assert fast.index.equals(slow.index) and type(fast.index) is type(slow.index), what
    for column in slow.columns:  # repr: None is not NaN, 0.1 + 0.2 is not 0.3
        assert [repr(v) for v in fast[column].tolist()] == [repr(v) for v in slow[column].tolist()], (what, column)


def answers(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The answer converted both ways, from one run of the question (kept in a table, read in its order twice): a
    question whose order DuckDB does not define (string_agg without ORDER BY) is compared with itself."""
    con.execute("CREATE OR REPLACE TEMP TABLE answer AS " + sql, params)
    read = "SELECT * FROM answer"
    return db.answer_frame(con.execute(read)), con.execute(read).df()


@pytest.fixture(scope="module")
def app_like_db(built_db_path, tmp_path_factory):
    """The full database on one thread, as the app reads it (db.py); a copy of the file, since DuckDB opens one file
    with one configuration per process (the session's built_db has it open)."""
    copy = tmp_path_factory.mktemp("frames") / "kdefense.duckdb"
    shutil.copyfile(built_db_path, copy)
    con = duckdb.connect(str(copy), read_only=True, config={"threads": 1})
    yield con
    con.close()


@pytest.mark.parametrize("case", FILTER_CASES, ids=range(len(FILTER_CASES)))
def test_every_question_answers_as_df_gave_it(app_like_db, case):
    built_db = app_like_db
    filters = Filters(**{"year_from": 1970, "year_to": 2030, **case})
    asked = 0
    for path in sorted(settings.SQL_DIR.glob("*.sql")):
        if path.stem in BUILD_SCRIPTS:
            continue
        sql = queries.sql_text(path.stem)
        used = set(re.findall(r"\$(\w+)", sql))
        params = {k: v for k, v in {**filters.params(), **EXTRA}.items() if k in used}
        assert used == set(params), path.stem  # every question is asked
        assert_same_frame(*answers(built_db, sql, params), path.stem)
        asked += 1
    assert asked >= 70


@pytest.mark.parametrize("sql", [
    "SELECT * FROM (VALUES (1, 2::BIGINT, true, 1.5, 'a', 10::HUGEINT), (NULL, NULL, NULL, NULL, NULL, NULL),"
    " (3, 4, false, 0.1 + 0.2, 'b', NULL)) t(i, b, f, d, s, h)",
    "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(i, s)",
    "SELECT NULL::VARCHAR AS s, NULL::INTEGER AS i, NULL::BOOLEAN AS f, NULL::DOUBLE AS d FROM range(3)",
    "SELECT 'x' AS s, 1 AS i WHERE false",
    "SELECT 1 AS a, 2 AS a",
    "SELECT DATE '2024-01-02' AS day, 1.5::DECIMAL(4, 1) AS n, [1, 2] AS l, NULL::INTEGER AS i",
])
def test_nulls_empty_answers_and_other_types_answer_as_df_gave_them(sql):
    con = duckdb.connect(config={"threads": 1})
    assert_same_frame(*answers(con, sql, {}), sql)

"""The Timeline's questions on per-deal facts the build stores (kdefense/sql/materialize.sql) answer as they did
when they derived those facts from `deals` and `deliveries` on every filter change.

tests/unit/reference_sql/ holds each question as it read before (composed with the same filter CTE); both run on
the fixture and on the full database, under many filter, deal and munitions choices, and must give the same
columns, types and rows in the same order.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kdefense import queries
from kdefense.filters import Filters

REFERENCE = Path(__file__).parent / "reference_sql"
QUESTIONS = sorted(path.stem for path in REFERENCE.glob("*.sql"))
CASES = [{}, {"year_from": 2015, "year_to": 2022}, {"year_from": 2024, "year_to": 2030}, {"regions": ("Europe",)},
         {"nato": True}, {"eu": True}, {"countries": ("POL", "AUS", "NOR", "ROU")}, {"systems": ("K9", "K2")},
         {"categories": ("Missiles", "Ammunition")}, {"statuses": ("completed",)},
         {"statuses": ("contract", "delivering")}, {"kinds": ("new_build", "licence_production")}, {"q": "tank"},
         {"q": "zzz-no-match"}]
# Float sums whose rows are met in another order can differ in the last bit, and then round(…, 3) by 0.001
# (the pro-rata order-book value): the only difference allowed, nowhere else.
ROUNDED_SUMS = {"value_usd_m_outstanding": 0.0010001}


def deal_choices(con) -> list[str]:
    """No deal; a framework with contracts; a contract under a framework; one under a contract; a deal that is not."""
    tree = con.execute("""
        SELECT (SELECT min(parent_deal_id) FROM deals),
               (SELECT min(deal_id) FROM deals WHERE parent_deal_id IS NOT NULL),
               (SELECT min(c.deal_id) FROM deals c JOIN deals p ON p.deal_id = c.parent_deal_id
                WHERE p.parent_deal_id IS NOT NULL)""").fetchone()
    return ["", *(d for d in tree if d), "KR-NO-SUCH-DEAL"]


def answers(con, name: str, filters: Filters, extra: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    now = queries.sql_text(name)
    before = queries.compose((REFERENCE / f"{name}.sql").read_text())
    assert now != before, name
    params = queries._filtered_params(name, filters, extra)
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
    return con.execute(now, params).df(), con.execute(before, params).df()


def assert_same(now: pd.DataFrame, before: pd.DataFrame, what: str) -> None:
    assert list(now.columns) == list(before.columns), what
    assert list(now.dtypes) == list(before.dtypes), what
    assert len(now) == len(before), what
    exact = [c for c in now.columns if c not in ROUNDED_SUMS]
    assert now[exact].equals(before[exact]), what
    for column, step in ROUNDED_SUMS.items():
        if column in now:
            pd.testing.assert_series_equal(now[column], before[column], check_exact=False, rtol=0, atol=step,
                                           obj=what)


@pytest.mark.parametrize("name", QUESTIONS)
@pytest.mark.parametrize("database", ["fixture_db", "built_db"])
def test_question_answers_as_before(name, database, request):
    con = request.getfixturevalue(database)
    rows = 0
    for case in CASES:
        filters = Filters(**{"year_from": 1950, "year_to": 2030, **case})
        for deal_id in deal_choices(con):
            for munitions in (False, True):
                now, before = answers(con, name, filters, {"deal_id": deal_id, "munitions": munitions})
                assert_same(now, before, f"{name} {case} {deal_id!r} munitions={munitions}")
                rows += len(now)
    assert rows > 0


@pytest.mark.parametrize("name", QUESTIONS)
def test_question_reads_the_stored_facts(name):
    assert "_internal." in queries.sql_text(name).split("FROM fd", 1)[1]


# Questions the page asks as one (queries.run_parts): each part must be, column for column, type for type and row
# for row, what its own question gives, and what that question's frozen older text gave (where one is kept).
MERGED = {"timeline_tables": {"orderbook": "timeline_orderbook", "orderbook_now": "timeline_orderbook_now",
                              "speed": "timeline_speed"},
          "timeline_yearly": {"value": "timeline_value_by_year", "units": "timeline_units_by_year"}}


@pytest.mark.parametrize("merged", sorted(MERGED))
@pytest.mark.parametrize("database", ["fixture_db", "built_db"])
def test_merged_question_answers_as_its_parts(merged, database, request):
    con = request.getfixturevalue(database)
    rows = 0
    for case in CASES:
        filters = Filters(**{"year_from": 1950, "year_to": 2030, **case})
        for deal_id in deal_choices(con):
            for munitions in (False, True):
                extra = {"deal_id": deal_id, "munitions": munitions}
                own = {part: run_sql(con, queries.sql_text(name), name, filters, extra)
                       for part, name in MERGED[merged].items()}
                whole = run_sql(con, queries.sql_text(merged), merged, filters, extra)
                split = queries.split_parts(whole, tuple((part, tuple(frame.columns)) for part, frame in own.items()))
                for part, name in MERGED[merged].items():
                    what = f"{merged}:{part} {case} {deal_id!r} munitions={munitions}"
                    assert_same(split[part], own[part], what)
                    if name in QUESTIONS:
                        frozen = queries.compose((REFERENCE / f"{name}.sql").read_text())
                        assert_same(split[part], run_sql(con, frozen, name, filters, extra), what + " (frozen)")
                    rows += len(split[part])
    assert rows > 0


def run_sql(con, sql: str, name: str, filters: Filters, extra: dict) -> pd.DataFrame:
    params = queries._filtered_params(name, filters, extra)
    return con.execute(sql, {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}).df()

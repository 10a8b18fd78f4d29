"""The SQL page's engine: examples give the right answers; hostile statements are refused or stopped."""

from __future__ import annotations

import pandas as pd
import pytest

from kdefense import sqlpage
from kdefense.build import PUBLIC_VIEWS
from tests.helpers import HOSTILE_SQL

EX = list(sqlpage.EXAMPLES.values())


@pytest.fixture(scope="module")
def engine(built_db_path):
    con = sqlpage.connect(str(built_db_path))
    yield con, frozenset(PUBLIC_VIEWS), sqlpage.catalog_names(con)
    con.close()


def run(engine, sql: str, seconds: float = 5, rows: int = 10_000) -> sqlpage.Result:
    con, public, existing = engine
    return sqlpage.run(con, sql, public, existing, seconds=seconds, rows=rows)


def test_korea_share_by_five_year_window(engine, built_db):
    got = run(engine, EX[0])
    assert got.error is None
    td = built_db.execute("SELECT supplier, delivery_year, tiv_delivered_m FROM transfer_deliveries "
                          "WHERE delivery_year IS NOT NULL").df()
    td["window"] = td["delivery_year"] // 5 * 5
    world = td.groupby("window")["tiv_delivered_m"].sum()
    korea = td[td.supplier == "South Korea"].groupby("window")["tiv_delivered_m"].sum()
    assert got.frame["window_start"].tolist() == world.index.tolist()
    share = (100 * korea / world).round(2)
    assert got.frame["korea_share_pct"].tolist() == pytest.approx(share.reindex(world.index).tolist(), abs=0.011)


def test_deals_with_their_sources(engine, built_db):
    got = run(engine, EX[1])
    assert got.error is None
    deals = built_db.execute("SELECT deal_id, source_ids FROM deals WHERE is_signed").fetchall()
    pairs = {(d, s.strip()) for d, ids in deals for s in ids.split(";")}
    assert set(zip(got.frame["deal_id"], got.frame["source_id"])) == pairs
    assert len(got.frame) == len(pairs)
    urls = dict(built_db.execute("SELECT source_id, url FROM sources").fetchall())
    assert all(pd.isna(u) and urls[s] is None or urls[s] == u for s, u in zip(got.frame["source_id"], got.frame["url"]))


def test_value_by_region_and_year_and_top_recipients(engine, built_db):
    got = run(engine, EX[2]).frame
    deals = built_db.execute("SELECT signed_year, recipient_region, value_usd_m_counted FROM deals WHERE is_signed").df()
    want = deals.groupby(["signed_year", "recipient_region"]).size()
    assert len(got) == len(want) and got["deals"].sum() == len(deals)
    top = run(engine, EX[3]).frame
    td = built_db.execute("SELECT recipient, tiv_delivered_m FROM transfer_deliveries WHERE supplier = 'South Korea'").df()
    want_top = td.groupby("recipient")["tiv_delivered_m"].sum().sort_values(ascending=False).head(10)
    assert top["recipient"].tolist() == want_top.index.tolist()
    describe = run(engine, EX[4]).frame
    assert describe["column_name"].tolist() == [d[0] for d in built_db.execute("DESCRIBE deals").fetchall()]


def test_row_limit_marks_the_result_truncated(engine, built_db):
    got = run(engine, "SELECT transfer_id FROM transfers ORDER BY transfer_id", rows=100)
    assert got.truncated and len(got.frame) == 100
    want = [r[0] for r in built_db.execute("SELECT transfer_id FROM transfers ORDER BY transfer_id LIMIT 100").fetchall()]
    assert got.frame["transfer_id"].tolist() == want
    assert not run(engine, "SELECT * FROM deals").truncated


def test_ctes_and_public_views_are_allowed_but_shadowing_a_catalog_name_is_not(engine):
    assert run(engine, "WITH c AS (SELECT * FROM deals) SELECT count(*) AS n FROM c").error is None
    assert run(engine, "SELECT count(*) FROM kd.main.deals").error is None
    assert run(engine, "SELECT * FROM (WITH sqlite_master AS (SELECT 1) SELECT 1), sqlite_master").error


def test_brackets_inside_strings_do_not_count_as_nesting(engine):
    got = run(engine, "SELECT '" + "(" * 500 + "' AS x")
    assert got.error is None and got.frame["x"].tolist() == ["(" * 500]
    assert "nests" in run(engine, "SELECT " + "(" * 101 + "1" + ")" * 101).error


@pytest.mark.parametrize("sql", HOSTILE_SQL)
def test_hostile_statement_is_refused_or_stopped_with_a_message(engine, sql):
    got = run(engine, sql, seconds=2)
    assert got.error, sql
    assert got.frame.empty
    assert "Traceback" not in got.error


def test_hostile_list_is_long_enough():
    assert len(HOSTILE_SQL) >= 30


def test_connection_is_locked_down(engine):
    con, _, _ = engine
    cur = con.cursor()
    for setting, value in (("enable_external_access", False), ("lock_configuration", True), ("threads", 1)):
        assert cur.execute(f"SELECT current_setting('{setting}')").fetchall()[0][0] == value
    with pytest.raises(Exception, match="locked"):
        cur.execute("SET enable_external_access = true")
    cur.close()

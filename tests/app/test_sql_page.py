"""AppTest for the SQL page: the query comes from the URL, examples run, junk in `sql=` never raises."""

from __future__ import annotations

import random
import string

from kdefense import sqlpage
from tests.helpers import HOSTILE_SQL, run_app


def test_url_query_runs_and_shows_the_rows(app_db, built_db):
    at = run_app(page="pages/sql.py", query={"sql": "SELECT deal_id FROM deals ORDER BY deal_id"})
    assert not at.exception
    want = [r[0] for r in built_db.execute("SELECT deal_id FROM deals ORDER BY deal_id").fetchall()]
    assert at.dataframe[-1].value["deal_id"].tolist() == want
    assert at.text_area[0].value == "SELECT deal_id FROM deals ORDER BY deal_id"


def test_example_button_puts_the_query_in_the_url_and_runs_it(app_db):
    at = run_app(page="pages/sql.py")
    at.button(key="sql_example_0").click().run()
    assert not at.exception
    assert at.query_params["sql"] in (list(sqlpage.EXAMPLES.values())[0], [list(sqlpage.EXAMPLES.values())[0]])
    assert "korea_share_pct" in at.dataframe[-1].value.columns


def test_junk_in_sql_parameter_never_raises():
    rng = random.Random(15)
    junk = ["".join(rng.choice(string.printable + "éß'\";()\x00") for _ in range(rng.randint(1, 200)))
            for _ in range(4)] + HOSTILE_SQL[:4] + ["x" * 30_000]
    for value in junk:
        at = run_app(page="pages/sql.py", query={"sql": value})
        assert not at.exception, value
        assert at.error, value


def test_the_page_can_be_switched_off(app_db, monkeypatch):
    monkeypatch.setenv("KDEFENSE_SQL_PAGE", "0")
    at = run_app()
    assert not at.exception
    try:
        at.switch_page("pages/sql.py").run()
    except Exception:  # noqa: BLE001 — AppTest refuses a page that is not in the navigation
        return
    assert not any("Read-only SQL" in str(c.value) for c in at.caption)

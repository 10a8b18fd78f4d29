"""Issue 19, items 4, 8 and 9 (AppTest): decks built in the app survive a reload (they live in the link),
Overview deltas only against a previous period with data and in the metric's unit, no "None" in tables."""

from __future__ import annotations

import re

import pytest

from kdefense.briefing import Deck, Slide
from kdefense.ui import USER_DECKS_KEY, USER_DECKS_PARAM, deck_from_token
from tests.helpers import run_app

SIGNED = "status IN ('contract', 'delivering', 'completed')"


def test_a_deck_built_in_the_app_is_kept_in_the_link_and_survives_a_reload(app_db):
    deck = Deck("my-briefing", "My briefing", slides=(Slide("map", "Europe", "K2 and K9", filters={"region": ["Europe"]},
                                                             options={"map_preset": "Europe"}),))
    first = run_app(state={USER_DECKS_KEY: {deck.deck_id: deck}})
    assert not first.exception
    tokens = first.query_params[USER_DECKS_PARAM]
    token = tokens if isinstance(tokens, str) else tokens[0]
    assert deck_from_token(token) == deck
    reloaded = run_app(page="pages/briefing.py", query={USER_DECKS_PARAM: token})  # a new session: a reload
    assert not reloaded.exception
    assert any("My briefing" in str(h.value) for h in reloaded.header)


@pytest.mark.parametrize("token", ["", "x", "my-deck." + "A" * 30000, "../etc.eJwrSS0u0S0uyS_KBQAZ6wQ9",
                                   "ok." + "eJzLSM3JyVcozy_KSQEAGgQEXQ"])
def test_junk_deck_tokens_are_ignored(token):
    assert deck_from_token(token) is None


def test_overview_shows_no_delta_against_an_empty_previous_period(app_db, built_db):
    at = run_app()  # default: every year with data, so the previous period of the same length has no deal
    assert not at.exception
    assert at.metric and all(not m.delta for m in at.metric)
    assert any("No change shown" in str(c.value) for c in at.caption)


def test_overview_deltas_carry_their_units(app_db, built_db):
    at = run_app(query={"from": "2015", "to": "2026"})
    assert not at.exception
    deltas = {m.label: m.delta for m in at.metric}
    now, before = (built_db.execute(f"SELECT count(*) FROM deals WHERE {SIGNED} AND signed_year BETWEEN {a} AND {b}")
                   .fetchone()[0] for a, b in ((2015, 2026), (2003, 2014)))
    assert before > 0
    assert deltas["Deals"] == f"{now - before:+,} deals"
    assert re.fullmatch(r"[+-]\$[0-9,]+\.[0-9] bn", deltas["Contract value"]), deltas["Contract value"]
    assert deltas["Recipients"].endswith(" recipients")
    assert any("2003–2014" in str(c.value) for c in at.caption)


@pytest.mark.parametrize("page,query", [("pages/overview.py", {}), ("pages/deals.py", {"status": "prospect"}),
                                        ("pages/timeline.py", {}), ("pages/map.py", {}), ("pages/data.py", {}),
                                        ("pages/tenders.py", {}), ("pages/sql.py", {"sql": "SELECT NULL AS x, 1 AS y"})])
def test_tables_show_a_dash_not_none_for_unknown_values(app_db, page, query):
    at = run_app(page=page, query=query)
    assert not at.exception
    tables = list(at.dataframe)
    assert tables
    assert [t.proto.placeholder for t in tables] == ["—"] * len(tables)

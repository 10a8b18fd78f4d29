"""Briefing decks: the file format round-trips, and every shipped deck still resolves to valid filters."""

from __future__ import annotations

import pytest

from kdefense import briefing, settings
from kdefense.briefing import Deck, DeckError, Slide, deck_to_toml, parse_deck
from kdefense.filters import FilterOptions

SHIPPED = sorted(settings.BRIEFINGS_DIR.glob("*.toml"))


def options_from(con) -> FilterOptions:
    """The filter options the app offers, read from the database like queries.filter_options()."""
    countries = dict(con.execute("""SELECT recipient_iso3, any_value(recipient) FROM deals GROUP BY 1 UNION
        SELECT t.recipient_location_iso3, any_value(c.name) FROM transfers t JOIN countries c
        ON c.iso3 = t.recipient_location_iso3 WHERE t.supplier = 'South Korea' GROUP BY 1""").fetchall())

    def values(sql: str) -> tuple[str, ...]:
        return tuple(sorted({v for (v,) in con.execute(sql).fetchall() if v is not None}))

    lo, hi = con.execute("""SELECT least(min(signed_year), (SELECT min(order_year) FROM transfers
        WHERE supplier = 'South Korea')), greatest(max(signed_year), (SELECT max(order_year) FROM transfers
        WHERE supplier = 'South Korea')) FROM deals""").fetchone()
    return FilterOptions(
        countries=countries,
        categories=values("SELECT armament_category FROM deals UNION SELECT armament_category FROM transfers "
                          "WHERE supplier = 'South Korea'"),
        systems=values("SELECT system_family FROM deals UNION SELECT system_family FROM transfers "
                       "WHERE supplier = 'South Korea'"),
        companies=values("SELECT company FROM deals"), year_min=lo, year_max=hi)


def test_at_least_three_real_decks_are_shipped():
    assert len(SHIPPED) >= 3
    decks = briefing.load_decks()
    assert all(len(d.slides) >= 2 for d in decks.values())


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_saved_view_in_shipped_decks_still_resolves(built_db, path):
    deck = parse_deck(path.read_text(encoding="utf-8"), path.stem)
    problems = briefing.validate_deck(deck, options_from(built_db))
    assert problems == [], "\n".join(problems)


def test_a_deck_with_a_removed_filter_value_fails_with_its_name(built_db):
    deck = Deck("broken-deck", "Broken", slides=(Slide("overview", "Old view", filters={"system": ["K-99"]}),))
    problems = briefing.validate_deck(deck, options_from(built_db))
    assert problems and "broken-deck" in problems[0] and "slide 1" in problems[0] and "K-99" in problems[0]


def test_unknown_page_is_rejected_with_deck_and_slide():
    with pytest.raises(DeckError, match="deck 'x', slide 1: unknown page 'nowhere'"):
        parse_deck('[[slides]]\npage = "nowhere"\n', "x")


def test_toml_round_trip_and_slide_urls():
    deck = Deck("d", 'Title with "quotes"', "desc", (
        Slide("deals", "A", "take", {"region": ["Europe", "Middle East"], "from": "2022"}, {"sup_class": "Tanks", "map_flows": False, "sup_suppliers": ["France", "Israel"]}),
        Slide("overview", "B", "", {"basis": "tiv"}),
    ))
    again = parse_deck(deck_to_toml(deck), "d")
    assert again == deck
    url = again.slide_url(1)
    assert url.startswith("/deals?") and "present=1" in url and "deck=d" in url and "slide=1" in url
    assert "region=Europe&region=Middle+East" in url
    assert again.slide_url(2).startswith("/?")

"""AppTest: every saved view of every shipped deck opens on its page with valid filters (no ignored parameter)."""

from __future__ import annotations

import pytest

from kdefense import briefing
from kdefense.ui import PAGE_FILES
from tests.helpers import run_app

SLIDES = [(deck_id, n, slide) for deck_id, deck in briefing.load_decks().items()
          for n, slide in enumerate(deck.slides, start=1)]


@pytest.mark.parametrize("deck_id,number,slide", SLIDES, ids=[f"{d}#{n}" for d, n, _ in SLIDES])
def test_saved_view_resolves(app_db, deck_id, number, slide):
    at = run_app(page=PAGE_FILES[slide.page], query=slide.query_params(deck_id, number))
    assert not at.exception, f"deck '{deck_id}', slide {number}: {at.exception}"
    ignored = [w.value for w in at.warning if "Link parameter ignored" in str(w.value)]
    assert ignored == [], f"deck '{deck_id}', slide {number} ({slide.title}) references removed filters: {ignored}"
    for key, value in slide.options.items():
        assert at.session_state[key] == value, f"deck '{deck_id}', slide {number}: option {key} not applied"

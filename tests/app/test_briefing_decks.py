"""AppTest: every saved view of every shipped deck opens in presentation mode with valid filters (no ignored
parameter), as its slide (title, takeaway, the view's content) rather than the page."""

from __future__ import annotations

import pytest

from kdefense import briefing
from kdefense.slides import esc as slides_esc
from tests.helpers import run_app

SLIDES = [(deck_id, n, slide) for deck_id, deck in briefing.load_decks().items()
          for n, slide in enumerate(deck.slides, start=1)]


@pytest.mark.parametrize("deck_id,number,slide", SLIDES, ids=[f"{d}#{n}" for d, n, _ in SLIDES])
def test_saved_view_resolves(app_db, deck_id, number, slide):
    at = run_app(query=slide.query_params(deck_id, number))  # presentation mode draws the slide the URL names
    assert not at.exception, f"deck '{deck_id}', slide {number}: {at.exception}"
    ignored = [w.value for w in at.warning if "Link parameter ignored" in str(w.value)]
    assert ignored == [], f"deck '{deck_id}', slide {number} ({slide.title}) references removed filters: {ignored}"
    shown = " ".join(str(m.value) for m in at.markdown)
    assert slides_esc(slide.title) in shown, f"deck '{deck_id}', slide {number}: the slide's title is not shown"
    assert "Showing:" not in shown, "presentation mode draws the slide, not the page"

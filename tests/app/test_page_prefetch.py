"""The Map and Tenders pages start their filtered questions in the background (queries.prefetch_filtered): every
question a page starts is one it then asks itself, with the same parameters (else the background work would be
wasted and the page would ask again), and a warm rerun starts none."""

from __future__ import annotations

import pytest

from kdefense import queries
from tests.helpers import run_app


@pytest.fixture()
def recorded(monkeypatch):
    """The question keys each page run started in the background and the keys it asked itself (queries.run)."""
    started: list[tuple] = []
    asked: list[tuple] = []
    prefetch, run = queries.prefetch_filtered, queries.run

    def prefetch_filtered(names, filters, **extra):
        signature = queries.db.signature()
        started.extend(queries._key(n, queries._filtered_params(n, filters, extra), signature) for n in names)
        return prefetch(names, filters, **extra)

    def run_(name, params=None):
        asked.append(queries._key(name, params, queries.db.signature()))
        return run(name, params)

    monkeypatch.setattr(queries, "prefetch_filtered", prefetch_filtered)
    monkeypatch.setattr(queries, "run", run_)
    return started, asked


CASES = [
    ("pages/map.py", {"flt_basis": "usd"}, {}),
    ("pages/map.py", {"flt_basis": "tiv"}, {"map_profile": "POL"}),
    ("pages/map.py", {"flt_basis": "usd"}, {"map_profile": "POL", "map_facilities": False}),
    ("pages/tenders.py", {"flt_basis": "usd"}, {"tnd_by": "rival"}),
    ("pages/tenders.py", {"flt_basis": "tiv"}, {}),
]


@pytest.mark.parametrize(("page", "state", "page_state"), CASES)
def test_every_prefetched_question_is_one_the_page_asks(recorded, page, state, page_state):
    started, asked = recorded
    at = run_app(page=page, state=state)
    for key, value in page_state.items():
        at.session_state[key] = value
    at.run()  # a run with the page options set (a profile opens once the recipients are known)
    at.run()
    assert not at.exception
    started.clear()
    asked.clear()
    at.session_state["flt_years"] = (2005, 2022)  # a new filter: the page's questions are asked anew
    at.run()
    assert not at.exception
    assert started, "the page started no question in the background"
    assert set(started) <= set(asked), f"started but never asked: {set(started) - set(asked)}"
    if page_state.get("map_profile"):
        assert any(k[0] == "map_profile_deals" for k in started), "the open profile's questions were not started"


def test_a_warm_rerun_starts_no_background_question(monkeypatch):
    at = run_app(page="pages/tenders.py")
    at.run()
    submitted = []
    monkeypatch.setattr(queries._PREFETCH, "submit", lambda *a, **k: submitted.append(a))
    at.run()
    assert not at.exception
    assert submitted == []

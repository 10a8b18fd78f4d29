"""Pages that start their filtered questions in the background (queries.prefetch_filtered: Overview, Suppliers,
Map, Tenders, Timeline): every question a page starts is one it then asks itself, with the same parameters (else the
background work would be wasted and the page would ask again), and a warm rerun starts none (issue 17)."""

from __future__ import annotations

import pytest

from kdefense import db, queries
from tests.helpers import run_app


@pytest.fixture()
def recorded(monkeypatch):
    """The question keys each page run started in the background and the keys it asked itself (queries.kept_answer:
    run and run_parts)."""
    started: list[tuple] = []
    asked: list[tuple] = []
    prefetch, kept = queries.prefetch_filtered, queries.kept_answer

    def prefetch_filtered(names, filters, **extra):
        signature = queries.db.signature()
        started.extend(queries._key(n, queries._filtered_params(n, filters, extra), signature) for n in names)
        return prefetch(names, filters, **extra)

    def kept_(key):
        asked.append(key)
        return kept(key)

    monkeypatch.setattr(queries, "prefetch_filtered", prefetch_filtered)
    monkeypatch.setattr(queries, "kept_answer", kept_)
    return started, asked


CASES = [
    ("pages/map.py", {"flt_basis": "usd"}, {}),
    ("pages/map.py", {"flt_basis": "tiv"}, {"map_profile": "POL"}),
    ("pages/map.py", {"flt_basis": "usd"}, {"map_profile": "POL", "map_facilities": False}),
    ("pages/tenders.py", {"flt_basis": "usd"}, {"tnd_by": "rival"}),
    ("pages/tenders.py", {"flt_basis": "tiv"}, {}),
    ("pages/timeline.py", {"flt_basis": "usd"}, {}),
    ("pages/timeline.py", {"flt_basis": "usd"}, {"tl_rows": "system", "tl_munitions": True, "tl_book": "value"}),
    ("pages/timeline.py", {"flt_basis": "tiv"}, {"tl_book": "value"}),
    ("pages/timeline.py", {"flt_basis": "tiv"}, {"tl_book": "units"}),
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


SUPPLIER_VIEWS = ("Share & rank", "Recipient markets", "Speed & order book", "Rival systems", "Korean firms")


@pytest.fixture()
def asked(monkeypatch):
    """Keys prefetched and keys the page asked (queries.kept_answer: run and run_parts), recorded as the app runs."""
    record: dict[str, set] = {"prefetched": set(), "asked": set()}
    prefetch, kept = queries.prefetch_filtered, queries.kept_answer

    def recording_prefetch(names, filters, **extra):
        signature = db.signature()
        record["prefetched"] |= {queries._key(n, queries._filtered_params(n, filters, extra), signature)
                                 for n in names}
        return prefetch(names, filters, **extra)

    def recording_kept(key):
        record["asked"].add(key)
        return kept(key)

    monkeypatch.setattr(queries, "prefetch_filtered", recording_prefetch)
    monkeypatch.setattr(queries, "kept_answer", recording_kept)
    return record


@pytest.mark.parametrize("basis", ["usd", "tiv"])
@pytest.mark.parametrize("years", [None, (2010, 2020)])
def test_overview_prefetches_what_it_asks(app_db, asked, basis, years):
    at = run_app(state={"flt_basis": basis, **({"flt_years": years} if years else {})})
    assert not at.exception, at.exception
    names = {key[0] for key in asked["prefetched"]}
    assert f"overview_{'' if basis == 'usd' else 'tiv_'}tables" in names and "reconciliation" in names
    assert asked["prefetched"] <= asked["asked"], asked["prefetched"] - asked["asked"]


@pytest.mark.parametrize("view", SUPPLIER_VIEWS)
def test_suppliers_prefetch_what_the_shown_comparison_asks(app_db, asked, view):
    state = {"flt_years": (2005, 2024), "flt_region": ["Europe"], "sup_view": view,
             "sup_suppliers": ["United States", "France", "Türkiye"]}
    at = run_app(page="pages/suppliers.py", state=state)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    prefetched = {key for key in asked["prefetched"] if key[0].startswith("suppliers_")}
    if view != "Rival systems":
        assert prefetched, view
    assert prefetched <= asked["asked"], prefetched - asked["asked"]

"""The Overview's and Suppliers' background questions (queries.prefetch_filtered at the top of the page) are the
questions the page then asks: a prefetch with other parameters would only cost CPU (issue 17)."""

from __future__ import annotations

import pytest

from kdefense import db, queries
from tests.helpers import run_app

SUPPLIER_VIEWS = ("Share & rank", "Recipient markets", "Speed & order book", "Rival systems", "Korean firms")


@pytest.fixture()
def asked(monkeypatch):
    """Keys prefetched and keys the page asked with queries.run, recorded as the app runs."""
    record: dict[str, set] = {"prefetched": set(), "asked": set()}
    prefetch, run = queries.prefetch_filtered, queries.run

    def recording_prefetch(names, filters, **extra):
        signature = db.signature()
        record["prefetched"] |= {queries._key(n, queries._filtered_params(n, filters, extra), signature)
                                 for n in names}
        return prefetch(names, filters, **extra)

    def recording_run(name, params=None):
        record["asked"].add(queries._key(name, params, db.signature()))
        return run(name, params)

    monkeypatch.setattr(queries, "prefetch_filtered", recording_prefetch)
    monkeypatch.setattr(queries, "run", recording_run)
    return record


@pytest.mark.parametrize("basis", ["usd", "tiv"])
@pytest.mark.parametrize("years", [None, (2010, 2020)])
def test_overview_prefetches_what_it_asks(app_db, asked, basis, years):
    at = run_app(state={"flt_basis": basis, **({"flt_years": years} if years else {})})
    assert not at.exception, at.exception
    names = {key[0] for key in asked["prefetched"]}
    assert f"overview_{'' if basis == 'usd' else 'tiv_'}headline" in names and "reconciliation" in names
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

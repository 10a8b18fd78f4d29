"""Every fact in the five seed articles must be present in the built database.

One test per row of ``data/sources/ledger/seed_facts.csv`` (test id = fact_id + summary).
The ``built_db`` fixture (a read-only DuckDB connection to the full database) comes from
``tests/conftest.py``.

How ``match_key`` is read, by ``expected_table``:

* ``official_totals`` / ``facilities`` / ``events``: the row's id (total_id, facility_id, event_id).
* ``deals`` / ``deliveries``: ``ISO3|FAMILY|YEAR``.
  - FAMILY is matched case-insensitively as a token inside the deal's ``system_family``
    ("FA-50" matches "FA-50/T-50", "Frigate" matches "Frigates"; "K2" does not match
    "K239 Chunmoo" or "K21", because the match may not continue with a digit).
    An empty FAMILY matches any family of that recipient.
  - YEAR is the deal's ``signed_year``; ``~YEAR`` allows +-1 where the seed's year is loose;
    an empty YEAR matches any year.

How ``value`` / ``unit`` are checked:

* money units (``USD m``, ``USD bn``, ``KRW bn``, ``EUR m``...): some matching deal has
  ``value_amount_m`` within 15 % in that currency, or (for USD) ``value_usd_m`` within 15 %.
  For ``kind = prospect`` the seed's pre-contract estimate is compared only with deals that
  are still at a prospect/negotiating/framework stage; once a deal has been contracted the
  contracted value wins and only the deal's existence is checked.
  Values the seed is known to get wrong are listed in ``KNOWN_SEED_ERRORS`` (existence is
  still checked, the value is not).
* ``units`` on a deal: some matching deal has exactly that ``quantity``.
* deliveries: ``units`` = some row or the year's sum equals the value; ``units_min`` = the
  year's sum is at least the value; ``units_cumulative_min`` = the sum over all years up to
  and including the fact's year is at least the value; no value = a delivery row
  (actual or planned) exists for that year.
* official_totals: same unit, and the stored value equals the seed's value to the seed's
  own rounding (7.3 stated matches 7.25 stored).
* facilities: the facility exists in the fact's country. events: the event exists, in the
  fact's year and country.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

SEED_FACTS_CSV = (
    Path(__file__).resolve().parents[2] / "data" / "sources" / "ledger" / "seed_facts.csv"
)

COLUMNS = [
    "fact_id", "seed_file", "kind", "summary", "recipient_iso3", "system_family",
    "year", "value", "unit", "expected_table", "match_key",
]
KINDS = {"deal", "delivery", "facility", "figure", "prospect", "event"}
TABLES = {"deals", "deliveries", "official_totals", "facilities", "events"}
PROSPECT_STATUSES = {"prospect", "negotiating", "framework/mou"}
VALUE_TOLERANCE = 0.15
SCALE_TO_MILLIONS = {"m": 1.0, "bn": 1_000.0, "tn": 1_000_000.0}

# fact_id -> why the seed's stated value is not compared with the ledger.
KNOWN_SEED_ERRORS = {
    "F-059": (
        "Seed 004 puts the 2001 Turkish K9 sale at $10 bn; SIPRI's trade register gives "
        "$1,000 m for the 280-gun deal. The deal's existence is still checked."
    ),
}


def _load_facts() -> list[dict[str, str]]:
    with SEED_FACTS_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


FACTS = _load_facts()


def _fact_id(fact: dict[str, str]) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", fact["summary"]).strip("-")[:60]
    return f"{fact['fact_id']}-{slug}"


def _rows(con, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _family_matches(seed_family: str, deal_family) -> bool:
    if not seed_family:
        return True
    if not deal_family:
        return False
    pattern = r"(?<![0-9a-z])" + re.escape(seed_family.lower()) + r"(?![0-9])"
    return re.search(pattern, str(deal_family).lower()) is not None


def _parse_deal_key(key: str) -> tuple[str, str, int | None, bool]:
    iso3, family, year = key.split("|")
    loose = year.startswith("~")
    year = year.lstrip("~")
    return iso3.upper(), family, (int(year) if year else None), loose


def _deal_candidates(con, key: str) -> list[dict]:
    iso3, family, year, loose = _parse_deal_key(key)
    rows = _rows(
        con,
        "SELECT deal_id, system_family, signed_year, quantity, currency, value_amount_m,"
        " value_usd_m, status FROM deals WHERE upper(recipient_iso3) = ?",
        [iso3],
    )
    slack = 1 if loose else 0
    return [
        r for r in rows
        if _family_matches(family, r["system_family"])
        and (year is None or (r["signed_year"] is not None and abs(int(r["signed_year"]) - year) <= slack))
    ]


def _money(unit: str) -> tuple[str, float] | None:
    """'USD bn' -> ('USD', 1000.0); None when the unit is not an amount of money."""
    m = re.fullmatch(r"([A-Z]{3})\s+(m|bn|tn)", unit.strip())
    return (m.group(1), SCALE_TO_MILLIONS[m.group(2)]) if m else None


def _close(a, b: float, tol: float = VALUE_TOLERANCE) -> bool:
    return a is not None and b != 0 and abs(float(a) - b) <= tol * abs(b)


def _rounding_tolerance(text: str) -> float:
    exponent = Decimal(text).as_tuple().exponent
    decimals = -exponent if exponent < 0 else 0
    return 0.5 * 10 ** (-decimals) + 1e-9


def test_seed_facts_csv_is_well_formed():
    assert FACTS, "seed_facts.csv is empty"
    with SEED_FACTS_CSV.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == COLUMNS
    ids = [f["fact_id"] for f in FACTS]
    assert len(ids) == len(set(ids)), "duplicate fact_id"
    for f in FACTS:
        assert re.fullmatch(r"F-\d{3}", f["fact_id"]), f
        assert re.fullmatch(r"00[0-4]_[0-9a-f]{16}\.txt", f["seed_file"]), f
        assert f["kind"] in KINDS, f
        assert f["expected_table"] in TABLES, f
        assert f["summary"].strip() and f["match_key"].strip(), f
        if f["value"]:
            Decimal(f["value"])  # raises on a non-number
            assert f["unit"], f
        if f["expected_table"] in {"deals", "deliveries"}:
            assert re.fullmatch(r"[A-Z]{3}\|[^|]*\|~?\d{0,4}", f["match_key"]), f
    # every seed contributes facts
    assert {f["seed_file"][:3] for f in FACTS} == {"000", "001", "002", "003", "004"}


def _check_deal(con, fact: dict[str, str]) -> None:
    key = fact["match_key"]
    cands = _deal_candidates(con, key)
    assert cands, f"no deal matches {key} ({fact['summary']})"
    if not fact["value"] or fact["fact_id"] in KNOWN_SEED_ERRORS:
        return
    value = float(fact["value"])
    unit = fact["unit"].strip()
    if fact["kind"] == "prospect":
        cands = [c for c in cands if str(c["status"] or "").lower() in PROSPECT_STATUSES]
        if not cands:
            return  # contracted since the seed: its estimate no longer applies
    if unit == "units":
        quantities = [c["quantity"] for c in cands]
        assert any(q is not None and int(q) == int(value) for q in quantities), (
            f"{key}: seed says {fact['value']} units, ledger quantities {quantities}"
        )
        return
    money = _money(unit)
    assert money, f"unsupported unit {unit!r} for a deal fact"
    currency, scale = money
    amount_m = value * scale
    ok = any(
        (str(c["currency"] or "").upper() == currency and _close(c["value_amount_m"], amount_m))
        or (currency == "USD" and _close(c["value_usd_m"], amount_m))
        for c in cands
    )
    assert ok, (
        f"{key}: seed says {fact['value']} {unit}; ledger has "
        + "; ".join(
            f"{c['deal_id']}: {c['value_amount_m']} m {c['currency']} (USD {c['value_usd_m']} m)"
            for c in cands
        )
    )


def _check_delivery(con, fact: dict[str, str]) -> None:
    key = fact["match_key"]
    cands = _deal_candidates(con, key)
    assert cands, f"no deal matches {key} for delivery fact ({fact['summary']})"
    ids = [c["deal_id"] for c in cands]
    placeholders = ",".join("?" for _ in ids)
    rows = _rows(
        con,
        f"SELECT deal_id, year, units, kind FROM deliveries WHERE deal_id IN ({placeholders})",
        ids,
    )
    year = int(fact["year"])
    in_year = [r for r in rows if r["year"] is not None and int(r["year"]) == year]
    unit = fact["unit"].strip()
    if not fact["value"]:
        assert in_year, f"{key}: no delivery row for {year} (deals {ids})"
        return
    value = int(Decimal(fact["value"]))
    year_sum = sum(int(r["units"] or 0) for r in in_year)
    if unit == "units":
        assert year_sum == value or any(r["units"] is not None and int(r["units"]) == value for r in in_year), (
            f"{key}: seed says {value} in {year}; ledger rows {in_year}"
        )
    elif unit == "units_min":
        assert year_sum >= value, f"{key}: seed says at least {value} in {year}; ledger sum {year_sum}"
    elif unit == "units_cumulative_min":
        upto = sum(int(r["units"] or 0) for r in rows if r["year"] is not None and int(r["year"]) <= year)
        assert upto >= value, f"{key}: seed says {value} by {year}; ledger cumulative {upto}"
    else:
        pytest.fail(f"unsupported unit {unit!r} for a delivery fact")


def _check_total(con, fact: dict[str, str]) -> None:
    rows = _rows(con, "SELECT * FROM official_totals WHERE total_id = ?", [fact["match_key"]])
    assert len(rows) == 1, f"official_totals has no row {fact['match_key']}"
    row = rows[0]
    if fact["unit"]:
        assert str(row["unit"]).strip().lower() == fact["unit"].strip().lower(), (row["unit"], fact["unit"])
    if fact["value"]:
        stored = float(row["value"])
        tol = _rounding_tolerance(fact["value"])
        assert abs(stored - float(fact["value"])) <= tol, (
            f"{fact['match_key']}: seed {fact['value']} vs ledger {stored}"
        )
    if fact["year"] and row.get("year") is not None:
        end = row.get("period_end_year")
        if end is None:
            assert int(row["year"]) == int(fact["year"]), (row["year"], fact["year"])
        else:  # a period figure the seed dates by its last year (e.g. SIPRI's 2020-24 shares "in 2024")
            assert int(row["year"]) <= int(fact["year"]) <= int(end), (row["year"], end, fact["year"])


def _check_facility(con, fact: dict[str, str]) -> None:
    rows = _rows(con, "SELECT * FROM facilities WHERE facility_id = ?", [fact["match_key"]])
    assert len(rows) == 1, f"facilities has no row {fact['match_key']}"
    if fact["recipient_iso3"]:
        assert str(rows[0]["country_iso3"]).upper() == fact["recipient_iso3"].upper()


def _check_event(con, fact: dict[str, str]) -> None:
    rows = _rows(con, "SELECT * FROM events WHERE event_id = ?", [fact["match_key"]])
    assert len(rows) == 1, f"events has no row {fact['match_key']}"
    row = rows[0]
    if fact["year"]:
        assert str(row["date"])[:4] == fact["year"], (row["date"], fact["year"])
    if fact["recipient_iso3"] and row.get("country_iso3"):
        assert str(row["country_iso3"]).upper() == fact["recipient_iso3"].upper()


CHECKS = {
    "deals": _check_deal,
    "deliveries": _check_delivery,
    "official_totals": _check_total,
    "facilities": _check_facility,
    "events": _check_event,
}


@pytest.mark.parametrize("fact", FACTS, ids=[_fact_id(f) for f in FACTS])
def test_seed_fact_in_database(built_db, fact):
    CHECKS[fact["expected_table"]](built_db, fact)

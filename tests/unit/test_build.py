"""The data build: readers, validation rules (one broken input each), atomic write, idempotence, view contract."""

from __future__ import annotations

import csv
import hashlib
import random
import shutil
from pathlib import Path

import duckdb
import pytest

from kdefense.build import build, main
from kdefense.sipri import read_export, transfer_ids
from kdefense.validate import ValidationFailed

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
REGISTER = "sipri/trade-register_all-suppliers_generated-2026-05-18.csv"
PER_YEAR = "sipri/trade_register_1995-2024_by_delivery_year_generated-2026-02-12.csv"

# The documented, stable columns of every public view (docs/schema.md). Adding a column is allowed;
# removing or renaming one breaks analysts' SQL and must fail here.
VIEW_COLUMNS = {
    "transfers": ["transfer_id", "sipri_at_id", "supplier", "supplier_iso3", "recipient", "recipient_iso3",
                  "recipient_region", "order_year", "order_year_uncertain", "number_ordered",
                  "number_ordered_uncertain", "number_delivered", "number_delivered_uncertain", "delivery_years",
                  "first_delivery_year", "last_delivery_year", "designation", "description", "armament_category",
                  "system_family", "status", "comments", "tiv_per_unit_m", "tiv_order_m", "tiv_delivered_m"],
    "transfer_deliveries": ["sipri_at_id", "transfer_id", "supplier", "recipient", "recipient_region",
                            "designation", "armament_category", "order_year", "delivery_year", "units",
                            "units_uncertain", "tiv_delivered_m", "basis"],
    "countries": ["iso3", "name", "region", "subregion", "nato_join_year", "eu_join_year", "is_nato", "is_eu",
                  "centroid_lat", "centroid_lon"],
    "fx_rates": ["currency", "year", "units_per_usd", "usd_per_unit", "is_partial_year", "source_ids"],
    "deals": ["deal_id", "parent_deal_id", "recipient_iso3", "recipient_region", "system_family",
              "armament_category", "company", "partners", "status", "signed_date", "signed_date_typed",
              "signed_date_precision",
              "signed_year", "quantity", "currency", "value_amount_m", "value_usd_m", "value_usd_m_counted",
              "value_note", "local_production_share_pct", "local_production_note", "sipri_transfer_id",
              "confidence", "last_verified", "last_verified_typed", "last_verified_precision", "source_ids",
              "deal_kind", "competition_id"],
    "deliveries": ["deal_id", "year", "units", "kind", "is_estimate", "source_ids", "note", "origin", "is_overdue"],
    "sources": ["source_id", "publisher", "title", "date", "date_typed", "date_precision", "url", "kind"],
    "official_totals": ["total_id", "year", "metric", "value", "unit", "source_ids"],
    "facilities": ["facility_id", "country_iso3", "city", "company", "kind", "status", "year", "latitude",
                   "longitude", "source_ids"],
    "events": ["event_id", "date", "date_typed", "date_precision", "year", "title", "kind", "source_ids"],
    "companies": ["company", "sipri_name", "year", "rank", "arms_revenue_musd"],
    "competitions": ["competition_id", "programme", "recipient_iso3", "recipient", "recipient_region",
                     "system_family", "year_opened", "year_decided", "quantity_sought", "budget_currency",
                     "budget_amount_m", "budget_is_estimate", "korean_bidders", "korean_systems", "rival_bidders",
                     "rival_systems", "winner", "winner_system", "outcome", "is_decided", "deal_ids", "source_ids",
                     "notes"],
    "build_info": ["key", "value"],
}


@pytest.fixture()
def sources(tmp_path) -> Path:
    """A private, editable copy of the fixture sources."""
    dst = tmp_path / "sources"
    shutil.copytree(FIXTURE, dst)
    return dst


def edit_csv(path: Path, row_filter, change) -> None:
    """Apply `change(row)` to the first row where `row_filter(row)` holds."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    target = next(r for r in rows if row_filter(r))
    change(target)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fixture_builds_and_views_keep_their_columns(fixture_db):
    for view, columns in VIEW_COLUMNS.items():
        have = [r[0] for r in fixture_db.execute(f"DESCRIBE {view}").fetchall()]
        missing = [c for c in columns if c not in have]
        assert not missing, f"view {view} lost documented columns {missing}"


def test_sipri_reader_keeps_preamble_metadata_and_names_flag_columns():
    reg = read_export(FIXTURE / REGISTER)
    assert reg.kind == "register" and reg.generated.startswith("18 May 2026")
    assert "Year of order ?" in reg.header and "Number delivered ?" in reg.header
    assert any(r["Recipient"] == "Poland" and r["Weapon designation"] == "K-2 Black Panther" for r in reg.rows)
    per_year = read_export(FIXTURE / PER_YEAR)
    assert per_year.kind == "per_year" and per_year.generated.startswith("12 Feb 2026")
    assert all(not v.endswith(";") for r in per_year.rows for v in r.values())


def test_transfer_ids_are_stable_when_the_export_is_reordered():
    rows = read_export(FIXTURE / REGISTER).rows
    ids = dict(zip((tuple(r.values()) for r in rows), transfer_ids(rows)))
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    again = dict(zip((tuple(r.values()) for r in shuffled), transfer_ids(shuffled)))
    assert ids == again
    assert len(set(ids.values())) == len(rows)


def test_full_register_builds_and_links_releases(built_db):
    n_transfers = built_db.execute("SELECT count(*) FROM transfers").fetchone()[0]
    assert n_transfers > 29_000
    kor = built_db.execute("SELECT count(*) FROM transfers WHERE supplier = 'South Korea'").fetchone()[0]
    assert kor == 175
    # Poland K2 (2022): SIPRI's per-year units 10/18/56 to 2024, and the 2025 remainder of the 180.
    units = built_db.execute("""
        SELECT delivery_year, units FROM transfer_deliveries td JOIN transfers t USING (transfer_id)
        WHERE t.supplier = 'South Korea' AND t.recipient = 'Poland' AND t.designation = 'K-2 Black Panther'
          AND t.order_year = 2022 ORDER BY delivery_year""").fetchall()
    assert units == [(2022, 10), (2023, 18), (2024, 56), (2025, 96)]


def test_exchange_rates_are_annual_means_of_ecb_cross_rates(built_db):
    krw = dict(built_db.execute(
        "SELECT year, units_per_usd FROM fx_rates WHERE currency = 'KRW' AND year IN (2022, 2023, 2024)").fetchall())
    # PROVENANCE check values (ECB-derived) and the Bank of Korea's 1,292.0 / 1,305.4 / 1,364.0 within 0.2 %.
    for year, bok in ((2022, 1292.0), (2023, 1305.4), (2024, 1364.0)):
        assert abs(krw[year] - bok) / bok < 0.002
    assert built_db.execute("SELECT units_per_usd FROM fx_rates WHERE currency='USD' AND year=2022").fetchone()[0] == 1


def test_build_is_idempotent(sources, tmp_path):
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    build(sources, a)
    build(sources, b)
    query = "SELECT * FROM {} ORDER BY ALL"
    with duckdb.connect(str(a), read_only=True) as ca, duckdb.connect(str(b), read_only=True) as cb:
        for view in VIEW_COLUMNS:
            if view == "build_info":
                continue
            assert ca.execute(query.format(view)).fetchall() == cb.execute(query.format(view)).fetchall(), view
        version = "SELECT value FROM build_info WHERE key = 'data_version'"
        assert ca.execute(version).fetchone() == cb.execute(version).fetchone()


BROKEN = [
    # (name, file, row filter, change, expected fragments of the message)
    ("duplicate key", "ledger/deals_fixture.csv", lambda r: r["deal_id"] == "KR-POL-2022-K9-EC1",
     lambda r: r.update(deal_id="KR-POL-2022-K2-EC1"), ["deals_fixture.csv:4", "deal_id", "duplicate key"]),
    ("unknown country", "ledger/deals_fixture.csv", lambda r: r["deal_id"] == "KR-ROU-2024-K9",
     lambda r: r.update(recipient_iso3="XYZ"), ["deals_fixture.csv:6", "recipient_iso3", "'XYZ'", "unknown ISO3"]),
    ("closed enumeration", "ledger/deals_fixture.csv", lambda r: r["deal_id"] == "KR-ROU-2024-K9",
     lambda r: r.update(status="signed"), ["deals_fixture.csv:6", "status", "'signed'", "not one of"]),
    ("year out of range", "ledger/deliveries_fixture.csv", lambda r: r["deal_id"] == "KR-ROU-2024-K9",
     lambda r: r.update(year="1850"), ["deliveries_fixture.csv:3", "year", "'1850'", "below the minimum"]),
    ("negative count", "ledger/deliveries_fixture.csv", lambda r: r["deal_id"] == "KR-ROU-2024-K9",
     lambda r: r.update(units="-4"), ["deliveries_fixture.csv:3", "units", "'-4'", "below the minimum"]),
    ("deal without a source", "ledger/deals_fixture.csv", lambda r: r["deal_id"] == "KR-IRQ-2024-KUH1",
     lambda r: r.update(source_ids=""), ["deals_fixture.csv:11", "source_ids", "required value is empty"]),
    ("unknown source", "ledger/deals_fixture.csv", lambda r: r["deal_id"] == "KR-IRQ-2024-KUH1",
     lambda r: r.update(source_ids="S-NOPE"), ["deals_fixture.csv:11", "source_ids", "'S-NOPE'", "unknown source id"]),
    ("currency without a rate", "ledger/deals_fixture.csv", lambda r: r["deal_id"] == "KR-IRQ-2024-KUH1",
     lambda r: r.update(currency="XAU"), ["deals_fixture.csv:11", "currency", "'XAU'", "no exchange rate"]),
    ("child without parent", "ledger/deals_fixture.csv", lambda r: r["deal_id"] == "KR-POL-2022-K2-EC1",
     lambda r: r.update(parent_deal_id="KR-POL-2022-NOPE"), ["deals_fixture.csv:3", "parent_deal_id", "parent"]),
    ("delivered beyond ordered", "ledger/deliveries_fixture.csv", lambda r: r["deal_id"] == "KR-ROU-2024-K9",
     lambda r: r.update(kind="actual", units="60"), ["deals_fixture.csv:6", "quantity", "exceed the 54 ordered"]),
    ("empty value without note", "ledger/deals_fixture.csv", lambda r: r["deal_id"] == "KR-ROU-2024-K10",
     lambda r: r.update(value_note=""), ["deals_fixture.csv:7", "value_note", "needs a note"]),
    ("thousands separator", "ledger/deals_fixture.csv", lambda r: r["deal_id"] == "KR-ROU-2024-K9",
     lambda r: r.update(quantity="1,054"), ["deals_fixture.csv:6", "quantity", "'1,054'", "whole number"]),
]


@pytest.mark.parametrize("name,file,row_filter,change,expected", BROKEN, ids=[b[0] for b in BROKEN])
def test_validation_names_the_place_and_keeps_the_old_database(sources, tmp_path, name, file, row_filter, change,
                                                               expected):
    out = tmp_path / "kdefense.duckdb"
    build(sources, out)
    before = digest(out)
    edit_csv(sources / file, row_filter, change)
    with pytest.raises(ValidationFailed) as err:
        build(sources, out)
    message = str(err.value)
    for fragment in expected:
        assert fragment in message, f"{name}: {fragment!r} not in:\n{message}"
    assert digest(out) == before, "a failed build must leave the previous database untouched"
    assert not list(tmp_path.glob(".kdefense.duckdb.*.tmp"))


def _edit_register(sources: Path, old: str, new: str) -> None:
    path = sources / REGISTER
    text = path.read_bytes().decode("cp1252")
    assert old in text
    path.write_bytes(text.replace(old, new, 1).encode("cp1252"))


def test_unmapped_sipri_name_is_reported_with_its_line(sources, tmp_path):
    _edit_register(sources, "Poland,South Korea,2022,", "Atlantis,South Korea,2022,")
    with pytest.raises(ValidationFailed) as err:
        build(sources, tmp_path / "x.duckdb")
    assert "trade-register_all-suppliers_generated-2026-05-18.csv:" in str(err.value)
    assert "'Atlantis'" in str(err.value) and "not mapped" in str(err.value)


def test_register_year_and_count_rules(sources, tmp_path):
    _edit_register(sources, "Poland,South Korea,2022,,180,", "Poland,South Korea,1850,,-180,")
    with pytest.raises(ValidationFailed) as err:
        build(sources, tmp_path / "x.duckdb")
    text = str(err.value)
    assert "column 'Year of order': value '1850'" in text and "outside" in text
    assert "column 'Number ordered': value '-180'" in text and "non-negative" in text


def test_unknown_header_column_is_rejected(sources, tmp_path):
    path = sources / "ledger" / "events.csv"
    path.write_text(path.read_text().replace("country_iso3", "country", 1))
    with pytest.raises(ValidationFailed) as err:
        build(sources, tmp_path / "x.duckdb")
    assert "events.csv:1: column 'country'" in str(err.value) and "unknown column" in str(err.value)


def test_cli_exits_non_zero_with_the_report(sources, tmp_path, capsys):
    edit_csv(sources / "ledger" / "deals_fixture.csv", lambda r: r["deal_id"] == "KR-ROU-2024-K9",
             lambda r: r.update(status="signed"))
    assert main(["--sources", str(sources), "--out", str(tmp_path / "x.duckdb")]) == 1
    err = capsys.readouterr().err
    assert "left unchanged" in err and "deals_fixture.csv:6" in err
    assert not (tmp_path / "x.duckdb").exists()


def test_every_ledger_row_cites_a_known_source(built_db):
    for view in ("deals", "deliveries", "official_totals", "facilities", "events"):
        orphans = built_db.execute(f"""
            SELECT count(*) FROM {view} v
            WHERE v.source_ids IS NULL OR EXISTS (
                SELECT 1 FROM unnest(string_split(v.source_ids, ';')) AS u(sid)
                WHERE trim(u.sid) NOT IN (SELECT source_id FROM sources))""").fetchone()[0]
        assert orphans == 0, view


def test_text_date_that_is_no_calendar_day_fails_the_build(sources, tmp_path):
    def change(row):
        row["last_verified"] = "2024-02-30"

    edit_csv(sources / "ledger" / "deals_fixture.csv", lambda r: True, change)
    out = tmp_path / "x.duckdb"
    with pytest.raises(ValidationFailed, match="not a calendar date"):
        build(sources, out)
    assert not out.exists()

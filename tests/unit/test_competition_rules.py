"""Validation of issue 14's ledger rules: deal kind, status `lost`, competitions and their links to deals.

Each case breaks one row of the fixture ledger and expects the build to name file:line, column, value and rule.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kdefense.build import build
from kdefense.validate import ValidationFailed
from tests.unit.test_build import FIXTURE, digest, edit_csv

COMP = "ledger/competitions.csv"
DEALS = "ledger/deals_fixture.csv"


def _is(column: str, value: str):
    return lambda r: r[column] == value


BROKEN = [
    ("deal kind missing", DEALS, _is("deal_id", "KR-ROU-2024-K9"), lambda r: r.update(deal_kind=""),
     ["deals_fixture.csv:6", "deal_kind", "required value is empty"]),
    ("deal kind outside the enum", DEALS, _is("deal_id", "KR-ROU-2024-K9"), lambda r: r.update(deal_kind="lease"),
     ["deals_fixture.csv:6", "deal_kind", "'lease'", "not one of"]),
    ("unknown competition on a deal", DEALS, _is("deal_id", "KR-ROU-2024-K9"),
     lambda r: r.update(competition_id="C-ROU-2024-NOPE"),
     ["deals_fixture.csv:6", "competition_id", "'C-ROU-2024-NOPE'", "unknown competition id"]),
    ("lost deal without competition", DEALS, _is("deal_id", "KR-IRQ-2025-FA50"), lambda r: r.update(status="lost"),
     ["deals_fixture.csv:12", "competition_id", "lost deal must name its competition"]),
    ("deal names a competition that does not list it", DEALS, _is("deal_id", "KR-ROU-2024-K9"),
     lambda r: r.update(competition_id="C-GBR-2024-MFP"),
     ["deals_fixture.csv:6", "competition_id", "does not list this deal"]),
    ("competition lists an unknown deal", COMP, _is("competition_id", "C-GBR-2024-MFP"),
     lambda r: r.update(deal_ids="KR-GBR-2024-NOPE"), ["competitions.csv:3", "deal_ids", "'KR-GBR-2024-NOPE'",
                                                        "unknown deal id"]),
    ("competition lists a deal linked elsewhere", COMP, _is("competition_id", "C-GBR-2024-MFP"),
     lambda r: r.update(deal_ids="KR-ROU-2024-K9"), ["competitions.csv:3", "deal_ids", "'KR-ROU-2024-K9'",
                                                      "competition_id is ''"]),
    ("outcome outside the enum", COMP, _is("competition_id", "C-GBR-2024-MFP"), lambda r: r.update(outcome="lose"),
     ["competitions.csv:3", "outcome", "'lose'", "not one of"]),
    ("won but the winner is a rival", COMP, _is("competition_id", "C-AUS-2019-LAND400-3"),
     lambda r: r.update(winner="Rheinmetall"), ["competitions.csv:2", "winner", "'Rheinmetall'", "not one of korean_bidders"]),
    ("lost but the winner is Korean", COMP, _is("competition_id", "C-GBR-2024-MFP"),
     lambda r: r.update(winner="Hanwha Aerospace"), ["competitions.csv:3", "winner", "outcome 'lost'"]),
    ("lost with winner none", COMP, _is("competition_id", "C-GBR-2024-MFP"), lambda r: r.update(winner="none",
                                                                                                winner_system=""),
     ["competitions.csv:3", "winner", "outcome 'lost'"]),
    ("open with a winner", COMP, _is("competition_id", "C-CAN-2024-CPSP"), lambda r: r.update(winner="TKMS"),
     ["competitions.csv:6", "winner", "open competition has no winner"]),
    ("open with a decision year", COMP, _is("competition_id", "C-CAN-2024-CPSP"),
     lambda r: r.update(year_decided="2025"), ["competitions.csv:6", "year_decided", "no decision year"]),
    ("cancelled with a winner", COMP, _is("competition_id", "C-USA-2023-SPH"), lambda r: r.update(winner="BAE Systems"),
     ["competitions.csv:7", "winner", "cancelled competition has no winner"]),
    ("decided before opened", COMP, _is("competition_id", "C-NOR-2019-MBT"), lambda r: r.update(year_decided="2017"),
     ["competitions.csv:4", "year_decided", "'2017'", "before year_opened 2019"]),
    ("decided in the future", COMP, _is("competition_id", "C-NOR-2019-MBT"), lambda r: r.update(year_decided="2034"),
     ["competitions.csv:4", "year_decided", "'2034'", "in the future"]),
    ("year outside the range", COMP, _is("competition_id", "C-NOR-2019-MBT"), lambda r: r.update(year_opened="1850"),
     ["competitions.csv:4", "year_opened", "'1850'", "below the minimum"]),
    ("won without a decision year", COMP, _is("competition_id", "C-AUS-2019-LAND400-3"),
     lambda r: r.update(year_decided=""), ["competitions.csv:2", "year_decided", "needs its decision year"]),
    ("malformed competition id", COMP, _is("competition_id", "C-NOR-2019-MBT"),
     lambda r: r.update(competition_id="NOR tanks"), ["competitions.csv:4", "competition_id", "'NOR tanks'",
                                                      "C-<ISO3>-<YEAR>-<SLUG>"]),
    ("duplicate competition id", COMP, _is("competition_id", "C-NOR-2019-MBT"),
     lambda r: r.update(competition_id="C-GBR-2024-MFP"), ["competitions.csv:4", "duplicate key"]),
    ("unknown recipient", COMP, _is("competition_id", "C-NOR-2019-MBT"), lambda r: r.update(recipient_iso3="XYZ"),
     ["competitions.csv:4", "recipient_iso3", "unknown ISO3"]),
    ("competition without a source", COMP, _is("competition_id", "C-NOR-2019-MBT"), lambda r: r.update(source_ids=""),
     ["competitions.csv:4", "source_ids", "required value is empty"]),
    ("competition with an unknown source", COMP, _is("competition_id", "C-NOR-2019-MBT"),
     lambda r: r.update(source_ids="S-NOPE"), ["competitions.csv:4", "source_ids", "'S-NOPE'", "unknown source id"]),
    ("rival systems not paired with bidders", COMP, _is("competition_id", "C-GBR-2024-MFP"),
     lambda r: r.update(rival_systems="RCH 155"), ["competitions.csv:3", "rival_systems", "1 systems for 2 rival"]),
    ("budget without currency", COMP, _is("competition_id", "C-NOR-2019-MBT"), lambda r: r.update(budget_amount_m="19000"),
     ["competitions.csv:4", "budget_currency", "needs its currency"]),
    ("Korean bidder missing", COMP, _is("competition_id", "C-NOR-2019-MBT"), lambda r: r.update(korean_bidders=""),
     ["competitions.csv:4", "korean_bidders", "required value is empty"]),
    ("system family missing", COMP, _is("competition_id", "C-NOR-2019-MBT"), lambda r: r.update(system_family=""),
     ["competitions.csv:4", "system_family", "required value is empty"]),
]


@pytest.fixture()
def sources(tmp_path) -> Path:
    dst = tmp_path / "sources"
    shutil.copytree(FIXTURE, dst)
    return dst


@pytest.mark.parametrize("name,file,row_filter,change,expected", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_new_rule_names_file_line_and_column(sources, tmp_path, name, file, row_filter, change, expected):
    out = tmp_path / "kdefense.duckdb"
    build(sources, out)
    before = digest(out)
    edit_csv(sources / file, row_filter, change)
    with pytest.raises(ValidationFailed) as err:
        build(sources, out)
    message = str(err.value)
    for fragment in expected:
        assert fragment in message, f"{name}: {fragment!r} not in:\n{message}"
    assert digest(out) == before


def test_fixture_competitions_and_links_load(fixture_db):
    rows = fixture_db.execute("SELECT outcome, count(*) FROM competitions GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("cancelled", 1), ("lost", 3), ("open", 1), ("won", 1)]
    linked = fixture_db.execute("SELECT deal_id, deal_kind FROM deals WHERE competition_id = 'C-AUS-2019-LAND400-3'")
    assert linked.fetchall() == [("KR-AUS-2023-REDBACK", "licence_production")]


def test_planned_delivery_in_a_past_year_is_overdue(fixture_db):
    rows = fixture_db.execute("SELECT deal_id, year, is_overdue FROM deliveries WHERE kind = 'planned' "
                              "ORDER BY deal_id, year").fetchall()
    this_year = fixture_db.execute("SELECT year(current_date)").fetchone()[0]
    assert rows == [(d, y, y < this_year) for d, y, _ in rows]
    assert ("KR-ROU-2024-K9", 2025, True) in rows
    actual = fixture_db.execute("SELECT count(*) FROM deliveries WHERE kind = 'actual' AND is_overdue").fetchone()[0]
    assert actual == 0


def test_real_ledger_every_deal_has_a_kind(built_db):
    kinds = dict(built_db.execute("SELECT deal_kind, count(*) FROM deals GROUP BY 1").fetchall())
    assert None not in kinds
    assert set(kinds) <= {"new_build", "licence_production", "used_grant", "loan", "mro_service", "upgrade",
                          "co_development", "ammunition"}


# ---------------------------------------------------------------- curated SIPRI release links (issue 14, item 4)

LINKS = "reference/sipri_release_links.csv"
LINK_BROKEN = [
    ("unknown transfer", LINKS, _is("sipri_at_id", "57090"), lambda r: r.update(transfer_id="T0000000000"),
     ["sipri_release_links.csv:2", "transfer_id", "'T0000000000'", "not a transfer of the trade register"]),
    ("unknown per-year id", LINKS, _is("sipri_at_id", "57090"), lambda r: r.update(sipri_at_id="99999999"),
     ["sipri_release_links.csv:2", "sipri_at_id", "'99999999'", "not in SIPRI's per-year export"]),
    ("link to another recipient's transfer", LINKS, _is("sipri_at_id", "62781"),
     lambda r: r.update(transfer_id="T767559d81b"), ["sipri_release_links.csv:4", "recipient", "does not hold"]),
    ("one transfer linked twice", LINKS, _is("sipri_at_id", "62973"), lambda r: r.update(transfer_id="T767559d81b"),
     ["sipri_release_links.csv:3", "transfer_id", "already linked to SIPRI AT id 57090"]),
]


@pytest.mark.parametrize("name,file,row_filter,change,expected", LINK_BROKEN, ids=[b[0] for b in LINK_BROKEN])
def test_curated_release_links_are_checked(sources, tmp_path, name, file, row_filter, change, expected):
    test_each_new_rule_names_file_line_and_column(sources, tmp_path, name, file, row_filter, change, expected)


def test_curated_links_attach_norway_k9_deliveries(fixture_db):
    rows = fixture_db.execute("SELECT delivery_year, units FROM transfer_deliveries WHERE sipri_at_id = 57090 "
                              "AND transfer_id = 'T767559d81b' ORDER BY 1").fetchall()
    assert rows == [(2019, 3), (2020, 17), (2021, 4)]


def test_no_korean_per_year_deal_left_unlinked(built_db):
    left = built_db.execute("SELECT count(DISTINCT sipri_at_id) FROM transfer_deliveries "
                            "WHERE supplier = 'South Korea' AND transfer_id IS NULL").fetchone()[0]
    assert left == 0

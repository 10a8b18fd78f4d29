"""The Korean deal ledger in the built database: coverage, links, money, and the reconciliation."""

from __future__ import annotations

import pytest


def test_every_korean_sipri_row_is_linked_to_a_ledger_deal(built_db):
    unlinked = built_db.execute("""
        SELECT t.recipient, t.order_year, t.designation FROM transfers t
        WHERE t.supplier = 'South Korea'
          AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.sipri_transfer_id = t.transfer_id)""").fetchall()
    assert unlinked == []


def test_at_least_90_percent_of_deals_since_2000_have_a_value_or_a_note(built_db):
    total, covered = built_db.execute("""
        WITH k AS (
            SELECT t.transfer_id,
                   bool_or(d.value_amount_m IS NOT NULL OR coalesce(d.value_note, '') <> '') AS ok
            FROM transfers t JOIN deals d ON d.sipri_transfer_id = t.transfer_id
            WHERE t.supplier = 'South Korea' AND t.order_year >= 2000 GROUP BY t.transfer_id)
        SELECT count(*), count(*) FILTER (WHERE ok) FROM k""").fetchone()
    assert total >= 150
    assert covered / total >= 0.9


def test_deals_without_a_value_say_why(built_db):
    silent = built_db.execute("""SELECT deal_id FROM deals
        WHERE value_amount_m IS NULL AND coalesce(value_note, '') = ''""").fetchall()
    assert silent == []


def test_iraq_surion_is_in_the_ledger_though_not_in_sipri(built_db):
    row = built_db.execute("""SELECT quantity, currency, value_amount_m, value_usd_m, sipri_transfer_id, signed_year
        FROM deals WHERE recipient_iso3 = 'IRQ' AND system_family = 'KUH-1' AND status NOT IN ('prospect')
        ORDER BY signed_date LIMIT 1""").fetchone()
    quantity, currency, amount, usd, sipri, year = row
    assert (quantity, currency, amount, sipri, year) == (2, "KRW", 135800, None, 2024)
    assert 95 <= usd <= 105  # "about $101 m": 135.8 bn won at the 2024 average rate


def test_polish_framework_agreements_parent_their_executive_contracts(built_db):
    children = dict(built_db.execute("""
        SELECT parent_deal_id, count(*) FROM deals WHERE recipient_iso3 = 'POL' AND parent_deal_id IS NOT NULL
        GROUP BY parent_deal_id""").fetchall())
    for parent in ("KR-POL-2022-K2-FA", "KR-POL-2022-K9-FA", "KR-POL-2022-FA50-FA", "KR-POL-2022-CHUNMOO-FA"):
        assert children.get(parent, 0) >= 1, parent
    status = built_db.execute("SELECT DISTINCT status FROM deals WHERE deal_id LIKE 'KR-POL-2022-%-FA'").fetchall()
    assert status == [("framework/MoU",)]


def test_framework_values_are_not_counted_twice(built_db):
    doubled = built_db.execute("""
        SELECT p.deal_id FROM deals p JOIN deals c ON c.parent_deal_id = p.deal_id
        WHERE p.value_usd_m_counted IS NOT NULL AND c.value_usd_m_counted IS NOT NULL""").fetchall()
    assert doubled == []


@pytest.mark.parametrize("iso3,family", [
    ("IRQ", "FA-50"), ("IRQ", "Cheongung"), ("ROU", "K2"), ("ROU", "Redback"), ("ROU", "Cheongung"),
    ("NOR", "Chunmoo"), ("MYS", "FA-50"), ("PHL", "KF-21"),
])
def test_named_prospects_and_talks_are_recorded(built_db, iso3, family):
    n = built_db.execute("""SELECT count(*) FROM deals WHERE recipient_iso3 = ? AND system_family ILIKE ?""",
                         [iso3, f"%{family}%"]).fetchone()[0]
    assert n >= 1


def test_usd_values_use_the_signing_years_rate(built_db):
    rows = built_db.execute("""
        SELECT d.value_amount_m, d.value_usd_m, f.units_per_usd FROM deals d
        JOIN fx_rates f ON f.currency = d.currency AND f.year = d.signed_year
        WHERE d.value_amount_m IS NOT NULL""").fetchall()
    assert len(rows) > 50
    for amount, usd, rate in rows:
        assert usd == pytest.approx(amount / rate, rel=1e-3, abs=5e-4)  # the view rounds to thousands of USD


def test_planned_deliveries_are_flagged_and_actuals_do_not_exceed_orders(built_db):
    kinds = {k for (k,) in built_db.execute("SELECT DISTINCT kind FROM deliveries").fetchall()}
    assert kinds == {"actual", "planned"}
    over = built_db.execute("""
        SELECT d.deal_id FROM deals d JOIN deliveries v ON v.deal_id = d.deal_id AND v.kind = 'actual'
        WHERE d.quantity_note IS NULL GROUP BY d.deal_id, d.quantity HAVING sum(v.units) > d.quantity""").fetchall()
    assert over == []


def test_poland_k2_deliveries_year_by_year(built_db):
    units = dict(built_db.execute("""
        SELECT v.year, sum(v.units) FROM deliveries v JOIN deals d USING (deal_id)
        WHERE d.recipient_iso3 = 'POL' AND d.system_family = 'K2' AND v.kind = 'actual'
        GROUP BY v.year""").fetchall())
    assert (units[2022], units[2023], units[2024]) == (10, 18, 56)


def test_official_totals_and_reconciliation(built_db):
    official = dict(built_db.execute("""SELECT year, value FROM official_totals
        WHERE metric = 'export_orders_usd_bn' AND period_end_year IS NULL""").fetchall())
    assert round(official[2022], 1) == 17.3 and round(official[2023], 1) == 13.5 and round(official[2021], 1) in (7.2, 7.3)


def test_companies_carry_sipri_top100_rank_and_revenue(built_db):
    rows = dict(built_db.execute("""SELECT company, rank FROM companies WHERE year = 2022""").fetchall())
    assert rows["Hanwha Aerospace"] == 48 and rows["LIG Nex1"] == 67 and rows["Korea Aerospace Industries"] == 73
    assert rows["Hyundai Rotem"] == 98


def test_facilities_abroad_have_sources_and_places(built_db):
    countries = {c for (c,) in built_db.execute("SELECT DISTINCT country_iso3 FROM facilities").fetchall()}
    assert {"POL", "ROU", "AUS", "IND"} <= countries

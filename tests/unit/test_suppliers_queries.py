"""The Suppliers page's SQL (kdefense/sql/suppliers_*.sql) on the full database, against independent queries.

Each question runs exactly as the app runs it (queries.sql_text, only the parameters it names), on the
`built_db` connection; the expected figures come from plain SQL on the documented views.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from kdefense import queries
from kdefense.filters import Filters

ALL_YEARS = Filters(year_from=1950, year_to=2030)
WORLD = {"regions": [], "nato": False, "eu": False, "countries": []}
K9_CUSTOMERS = {"Türkiye", "Poland", "Finland", "Norway", "Estonia", "India", "Australia", "Egypt", "Romania",
                "Viet Nam"}
RIVAL_CLASSES = {"Self-propelled guns", "Main battle tanks", "Light combat & trainer jets", "Rocket artillery",
                 "Medium-range air defence", "Infantry fighting vehicles"}


def run(con, name: str, filters: Filters = ALL_YEARS, **extra: Any):
    """Run a suppliers_* question as queries.run_filtered does: only the parameters its SQL names."""
    sql = queries.sql_text(name)
    used = set(re.findall(r"\$(\w+)", sql))
    params = {k: v for k, v in {**filters.params(), **extra}.items() if k in used}
    assert used <= set(params), f"{name}: parameters {used - set(params)} not supplied"
    return con.execute(sql, params).df()


def world_share(con, first: int, last: int) -> dict[str, tuple[float, int]]:
    """Independent: share (%) and rank among supplier states, SIPRI TIV by delivery year, per-year rows only."""
    rows = con.execute("""
        WITH s AS (SELECT supplier, supplier_iso3, sum(tiv_delivered_m) AS tiv FROM transfer_deliveries
                   WHERE basis = 'sipri_per_year' AND delivery_year BETWEEN ? AND ? GROUP BY ALL)
        SELECT supplier, 100 * tiv / sum(tiv) OVER () AS share,
               rank() OVER (PARTITION BY supplier_iso3 IS NULL ORDER BY tiv DESC) AS rank, supplier_iso3
        FROM s""", [first, last]).fetchall()
    return {s: (share, rank) for s, share, rank, iso in rows if iso is not None}


def test_korea_2020_24_matches_sipri_published_share_and_rank(built_db):
    """SIPRI (March 2025): South Korea had 2.2 % of world arms exports in 2020–24 and ranked 10th."""
    df = run(built_db, "suppliers_share", suppliers=["South Korea"], by_window=True, **WORLD)
    row = df[(df["period"] == 2020) & (df["sipri_supplier"] == "South Korea")].iloc[0]
    assert round(row["share_pct"], 1) == 2.2
    assert row["rank"] == 10
    share, rank = world_share(built_db, 2020, 2024)["South Korea"]
    assert row["share_pct"] == pytest.approx(share, abs=0.001)
    assert row["rank"] == rank


def test_windows_are_complete_five_year_periods_inside_the_years(built_db):
    assert run(built_db, "suppliers_windows")["window_label"].tolist() == [
        "2000–04", "2005–09", "2010–14", "2015–19", "2020–24"]
    assert run(built_db, "suppliers_windows", Filters(year_from=2003, year_to=2019))["window_start"].tolist() == [
        2005, 2010, 2015]
    assert run(built_db, "suppliers_windows", Filters(year_from=2021, year_to=2026)).empty


def test_window_totals_hold_only_their_own_five_years(built_db):
    """Regression: integer division once folded 1996–99 into 2000–04."""
    suppliers = built_db.execute("SELECT DISTINCT supplier FROM transfer_deliveries").df()["supplier"].tolist()
    df = run(built_db, "suppliers_share", suppliers=suppliers, by_window=True, **WORLD)
    for start, group in df.groupby("period"):
        expected = built_db.execute(
            "SELECT sum(tiv_delivered_m) FROM transfer_deliveries WHERE basis = 'sipri_per_year' "
            "AND delivery_year BETWEEN ? AND ?", [start, start + 4]).fetchone()[0]
        assert group["market_tiv_m"].iloc[0] == pytest.approx(expected, rel=1e-6)
        assert group["tiv_m"].sum() == pytest.approx(expected, rel=1e-6)
        assert group["share_pct"].sum() == pytest.approx(100, abs=0.05)
    assert set(df["period"]) == {2000, 2005, 2010, 2015, 2020}


def test_yearly_shares_agree_with_independent_sql(built_db):
    df = run(built_db, "suppliers_share", Filters(year_from=2018, year_to=2030), suppliers=["South Korea", "France"],
             by_window=False, **WORLD)
    assert set(df["period"]) == set(range(2018, 2025)), "2025 rows are derived and partial: not in shares"
    for row in df.itertuples():
        share, rank = world_share(built_db, row.period, row.period)[row.sipri_supplier]
        assert row.share_pct == pytest.approx(share, abs=0.001)
        assert row.rank == rank


def test_market_scope_follows_recipient_filters(built_db):
    europe = Filters(year_from=1950, year_to=2030, regions=("Europe",), nato=True)
    top = run(built_db, "suppliers_top", europe, window_start=2020, top_n=10, suppliers=["South Korea"])
    expected = built_db.execute("""
        SELECT sum(d.tiv_delivered_m) FILTER (WHERE d.supplier = 'South Korea'), sum(d.tiv_delivered_m)
        FROM transfer_deliveries d JOIN countries c ON c.iso3 = d.recipient_iso3
        WHERE d.basis = 'sipri_per_year' AND d.delivery_year BETWEEN 2020 AND 2024
          AND d.recipient_region = 'Europe' AND c.is_nato""").fetchone()
    korea = top[top["sipri_supplier"] == "South Korea"].iloc[0]
    assert korea["market_tiv_m"] == pytest.approx(expected[1], rel=1e-6)
    assert korea["share_pct"] == pytest.approx(100 * expected[0] / expected[1], abs=0.001)
    assert len(top) <= 11 and top["rank"].is_monotonic_increasing
    assert top["rank"].iloc[0] == 1


def test_korea_share_of_nato_europe(built_db):
    df = run(built_db, "suppliers_korea_regions", Filters(year_from=2022, year_to=2024))
    assert set(df["market"]) == {"Europe", "Middle East", "Asia & Oceania", "Americas", "Africa", "NATO Europe"}
    nato = df[df["market"] == "NATO Europe"].set_index("year")
    for year in (2022, 2023, 2024):
        kor, total = built_db.execute("""
            SELECT sum(d.tiv_delivered_m) FILTER (WHERE d.supplier = 'South Korea'), sum(d.tiv_delivered_m)
            FROM transfer_deliveries d JOIN countries c ON c.iso3 = d.recipient_iso3
            WHERE d.basis = 'sipri_per_year' AND d.delivery_year = ? AND d.recipient_region = 'Europe'
              AND c.is_nato""", [year]).fetchone()
        assert nato.loc[year, "korea_share_pct"] == pytest.approx(100 * (kor or 0) / total, abs=0.001)


def test_recipient_counts_and_region_mix(built_db):
    counts = run(built_db, "suppliers_recipient_counts", suppliers=["South Korea"], **WORLD)
    expected = built_db.execute("""
        SELECT count(DISTINCT recipient_iso3) FROM transfer_deliveries
        WHERE supplier = 'South Korea' AND basis = 'sipri_per_year'
          AND delivery_year BETWEEN 2020 AND 2024""").fetchone()
    assert counts.set_index("window_start").loc[2020, "recipients"] == expected[0]
    mix = run(built_db, "suppliers_region_mix", window_start=2020, suppliers=["South Korea", "United States"])
    for _, group in mix.groupby("supplier"):
        assert group["share_of_supplier_pct"].sum() == pytest.approx(100, abs=0.05)


def test_delivery_speed_matches_independent_median(built_db):
    df = run(built_db, "suppliers_speed", Filters(year_from=2000, year_to=2030), suppliers=["South Korea"],
             sup_category="", new_only=False)
    median, delivered, awaiting = built_db.execute("""
        SELECT median(first_delivery_year - order_year), count(first_delivery_year),
               count(*) FILTER (WHERE first_delivery_year IS NULL)
        FROM transfers WHERE supplier = 'South Korea' AND order_year BETWEEN 2000 AND 2030""").fetchone()
    row = df.iloc[0]
    assert (row["median"], row["deals_delivered"], row["deals_awaiting_first_delivery"]) == (
        median, delivered, awaiting)
    assert row["q1"] <= row["median"] <= row["q3"] and row["p05"] <= row["q1"] and row["q3"] <= row["p95"]
    artillery = run(built_db, "suppliers_speed", ALL_YEARS, suppliers=["South Korea"], sup_category="Artillery",
                    new_only=True)
    assert artillery.iloc[0]["deals_delivered"] < row["deals_delivered"]


def test_order_book_is_tiv_ordered_minus_delivered(built_db):
    df = run(built_db, "suppliers_order_book", suppliers=["South Korea"], top_n=15, **WORLD)
    expected = built_db.execute("""
        SELECT sum(greatest(tiv_order_m - coalesce(tiv_delivered_m, 0), 0)) FROM transfers
        WHERE supplier = 'South Korea'""").fetchone()[0]
    korea = df[df["supplier"] == "South Korea"]
    assert korea["tiv_outstanding_m"].sum() == pytest.approx(expected, abs=0.05)
    assert df["supplier"].nunique() >= 15


def test_rival_classes_come_from_the_data_file(built_db):
    assert set(run(built_db, "suppliers_rival_classes")["system_class"]) == RIVAL_CLASSES


def test_k9_export_customers(built_db):
    fam = run(built_db, "suppliers_rival_families", system_class="Self-propelled guns").set_index("system_family")
    customers = set(fam.loc["K9", "customers"].split(", "))
    assert customers >= K9_CUSTOMERS
    expected = {r[0] for r in built_db.execute("""
        SELECT DISTINCT coalesce(c.name, t.recipient) FROM transfers t
        LEFT JOIN countries c ON c.iso3 = t.recipient_location_iso3 WHERE t.system_family = 'K9'""").fetchall()}
    assert customers == expected
    assert {"PzH 2000", "CAESAR", "M109", "Archer", "ATMOS"} <= set(fam.index)
    assert fam.loc["K9", "korean"] and not fam.loc["CAESAR", "korean"]


@pytest.mark.parametrize("system_class", sorted(RIVAL_CLASSES))
def test_every_family_of_a_class_is_listed(built_db, system_class):
    fam = run(built_db, "suppliers_rival_families", system_class=system_class)
    expected = {r[0] for r in built_db.execute(
        "SELECT DISTINCT system_family FROM system_families WHERE system_class = ?", [system_class]).fetchall()}
    assert set(fam["system_family"]) == expected
    orders = run(built_db, "suppliers_rival_orders", system_class=system_class)
    assert orders.groupby("system_family").size().to_dict() == fam.set_index("system_family")["deals"].loc[
        lambda s: s > 0].to_dict()


@pytest.mark.parametrize(("system_class", "family", "customers"), [
    ("Main battle tanks", "K2", {"Poland"}),
    ("Light combat & trainer jets", "FA-50/T-50", {"Indonesia", "Iraq", "Philippines", "Thailand", "Poland",
                                                   "Malaysia"}),
    ("Rocket artillery", "K239 Chunmoo", {"Poland", "United Arab Emirates", "Norway", "Estonia"}),
    ("Medium-range air defence", "Cheongung-II", {"United Arab Emirates", "Saudi Arabia", "Iraq"}),
])
def test_head_to_head_facts(built_db, system_class, family, customers):
    fam = run(built_db, "suppliers_rival_families", system_class=system_class).set_index("system_family")
    assert customers <= set(fam.loc[family, "customers"].split(", "))


def test_firms_value_is_the_ledger_sum(built_db):
    f = Filters(year_from=1950, year_to=2030)
    by_year = run(built_db, "suppliers_firms_by_year", f, top_n=6)
    by_region = run(built_db, "suppliers_firms_by_region", f)
    table = run(built_db, "suppliers_firms_table", f)
    expected = built_db.execute("SELECT sum(value_usd_m_counted), count(*) FROM deals WHERE is_signed").fetchone()
    assert by_year["value_usd_m"].sum() == pytest.approx(expected[0], abs=1)
    assert by_region["value_usd_m"].sum() == pytest.approx(expected[0], abs=1)
    assert table["deals"].sum() == expected[1]
    assert by_year["company"].nunique() <= 7


def test_top100_follows_the_company_filter(built_db):
    everyone = run(built_db, "suppliers_top100")
    assert len(everyone) == built_db.execute("SELECT count(*) FROM companies").fetchone()[0]
    lig = run(built_db, "suppliers_top100", Filters(companies=("LIG Nex1",)))
    assert set(lig["company"]) == {"LIG Nex1"} and len(lig) > 5

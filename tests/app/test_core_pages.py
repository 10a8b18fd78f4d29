"""AppTest for the shell and the explorer core: every page renders; each filter changes the figures exactly as
an independent SQL query on the DuckDB file says; URLs reproduce views; junk URLs never raise."""

from __future__ import annotations

import random
import string

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import run_app

PAGES = ["pages/overview.py", "pages/deals.py", "pages/timeline.py", "pages/map.py", "pages/suppliers.py",
         "pages/data.py", "pages/tenders.py"]
SIGNED = "status IN ('contract', 'delivering', 'completed')"


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected(con, where: str = "TRUE", status: str = SIGNED, years: tuple[int, int] | None = None) -> dict[str, str]:
    """The Overview headline, computed independently from the `deals` view."""
    lo, hi = years or con.execute("""SELECT least(min(d.signed_year), (SELECT min(order_year) FROM transfers
        WHERE supplier = 'South Korea')), greatest(max(d.signed_year), (SELECT max(order_year) FROM transfers
        WHERE supplier = 'South Korea')) FROM deals d""").fetchone()
    n, recipients, value = con.execute(f"""
        SELECT count(*), count(DISTINCT recipient_iso3), sum(value_usd_m_counted) FROM deals
        WHERE {status} AND signed_year BETWEEN {lo} AND {hi} AND ({where})""").fetchone()
    return {"Deals": f"{n:,}", "Recipients": f"{recipients:,}",
            "Contract value": "—" if value is None else f"${value / 1000:,.1f} bn"}


def headline(at: AppTest) -> dict[str, str]:
    m = metrics(at)
    return {k: m[k] for k in ("Deals", "Recipients", "Contract value")}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(app_db, page):
    at = run_app(page=page)
    assert not at.exception, f"{page}: {at.exception}"
    assert not at.error, f"{page}: {[e.value for e in at.error]}"


def test_home_shows_figures_and_data_loaded(app_db, built_db):
    at = run_app()
    assert headline(at) == expected(built_db)
    text = " ".join(str(md.value) for md in at.markdown)
    version = built_db.execute("SELECT value FROM build_info WHERE key = 'data_version'").fetchone()[0]
    assert version in text and "SIPRI Arms Transfers Database" in text


FILTER_CASES = [
    # (widget key, value, SQL condition, status clause or None)
    ("flt_region", ["Europe"], "recipient_region = 'Europe'", None),
    ("flt_region", ["Middle East", "Asia & Oceania"],
     "recipient_region IN ('Middle East', 'Asia & Oceania')", None),
    ("flt_nato", True, "recipient_is_nato", None),
    ("flt_eu", True, "recipient_is_eu", None),
    ("flt_country", ["POL"], "recipient_iso3 = 'POL'", None),
    ("flt_category", ["Artillery"], "armament_category = 'Artillery'", None),
    ("flt_system", ["K9"], "system_family = 'K9'", None),
    ("flt_company", ["Hyundai Rotem"], "company = 'Hyundai Rotem'", None),
    ("flt_status", ["prospect", "negotiating"], "TRUE", "status IN ('prospect', 'negotiating')"),
    ("flt_q", "Chunmoo",
     "concat_ws(' ', deal_id, system_family, designation, description, recipient, company, notes, value_note, "
     "sipri_comments) ILIKE '%Chunmoo%'", None),
]


@pytest.mark.parametrize("key,value,where,status", FILTER_CASES, ids=[f"{c[0]}={c[1]}" for c in FILTER_CASES])
def test_each_filter_changes_the_figures_as_sql_says(app_db, built_db, key, value, where, status):
    before = headline(run_app())
    at = run_app(state={key: value})
    assert not at.exception
    want = expected(built_db, where, status or SIGNED)
    assert headline(at) == want
    assert want != before, "the filter should change the figures on the real data"


def test_year_range_filter(app_db, built_db):
    at = run_app(state={"flt_years": (2020, 2025)})
    assert headline(at) == expected(built_db, years=(2020, 2025))
    assert any("2020–2025" in str(m.value) for m in at.markdown)


def test_tiv_basis_reads_the_sipri_layer(app_db, built_db):
    at = run_app(state={"flt_basis": "tiv"})
    tiv, deals = built_db.execute("""SELECT sum(tiv_order_m), count(*) FROM transfers
        WHERE supplier = 'South Korea'""").fetchone()
    m = metrics(at)
    assert m["SIPRI TIV ordered"] == f"{tiv:,.0f} m TIV" and m["Deals"] == f"{deals:,}"
    assert any("not money" in str(c.value) for c in at.caption)


def test_url_parameters_reproduce_the_view(app_db, built_db):
    at = run_app(query={"region": "Europe", "system": ["K9", "K2"], "from": "2015", "to": "2025"})
    assert not at.exception and not at.warning
    assert at.multiselect(key="flt_region").value == ["Europe"]
    assert headline(at) == expected(built_db, "recipient_region = 'Europe' AND system_family IN ('K9', 'K2')",
                                    years=(2015, 2025))


def test_junk_url_parameters_never_raise_and_are_reported(app_db):
    rng = random.Random(3)
    names = ["region", "country", "system", "status", "from", "to", "basis", "q", "nato", "eu", "company", "zzz"]
    junk = {name: ["".join(rng.choice(string.printable + "éß'\";") for _ in range(rng.randint(1, 30)))
                   for _ in range(20)] for name in names}
    at = run_app(query=junk)  # 240 generated values
    assert not at.exception
    assert at.warning, "ignored parameters must be reported visibly"
    assert any("Showing:" in str(md.value) for md in at.markdown)


def test_filters_survive_switching_pages(app_db, built_db):
    at = run_app(state={"flt_region": ["Middle East"]})
    at.switch_page("pages/deals.py").run()
    assert at.session_state["flt_region"] == ["Middle East"]
    n = built_db.execute(f"SELECT count(*) FROM deals WHERE recipient_region = 'Middle East' AND {SIGNED}").fetchone()[0]
    assert any(f"**{n:,} deals**" in str(md.value) for md in at.markdown)


def test_deals_table_holds_exactly_the_filtered_rows_in_order(app_db, built_db):
    at = run_app(page="pages/deals.py", state={"flt_region": ["Europe"]})
    table = at.dataframe[0].value
    want = [r[0] for r in built_db.execute(f"""SELECT deal_id FROM deals
        WHERE recipient_region = 'Europe' AND {SIGNED} ORDER BY signed_date DESC, deal_id""").fetchall()]
    assert list(table["deal_id"]) == want
    assert len(at.get("download_button")) >= 2


@pytest.mark.parametrize("content", [None, b"this is not a duckdb file" * 100])
def test_missing_or_corrupt_database_shows_how_to_build_it(tmp_path, monkeypatch, content):
    path = tmp_path / "kdefense.duckdb"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv("KDEFENSE_DB", str(path))
    at = run_app()
    assert not at.exception
    assert at.error and "make data" in at.error[0].value


def test_deal_card_opens_from_the_link(app_db, built_db):
    at = run_app(page="pages/deals.py", query={"deal": "KR-POL-2022-K2-EC1"})
    assert not at.exception
    text = " ".join(str(m.value) for m in at.markdown) + " ".join(str(s.value) for s in [*at.header, *at.subheader])
    assert "Poland" in text and "K2" in text
    labels = {m.label: m.value for m in at.metric}
    amount, currency, tiv = built_db.execute("""SELECT value_amount_m, currency, sipri_tiv_order_m FROM deals
        WHERE deal_id = 'KR-POL-2022-K2-EC1'""").fetchone()
    assert labels["Contract value (original)"] == f"{amount:,.1f} m {currency}"
    assert labels["SIPRI TIV of the order"] == f"{tiv:,.1f} m"
    assert any("not money" in str(c.value) for c in at.caption)
    n_sources = built_db.execute("""SELECT count(*) FROM sources WHERE source_id IN (SELECT trim(unnest(
        string_split(source_ids, ';'))) FROM deals WHERE deal_id = 'KR-POL-2022-K2-EC1')""").fetchone()[0]
    source_lines = [m for m in at.markdown if str(m.value).startswith("- ")]
    assert len(source_lines) == n_sources >= 1

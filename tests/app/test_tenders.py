"""AppTest of issue 14's dashboard parts: the Tenders page, the `kind` filter (widget and URL, junk dropped with a
notice), kind and competition on the Deals page, tender markers on the Timeline, the Overview's unit split."""

from __future__ import annotations

import json

import pytest

from kdefense.charts_timeline import OVERDUE_NAME
from tests.app.test_core_pages import SIGNED, expected, headline, metrics
from tests.app.test_timeline import charts
from tests.helpers import run_app


def test_tenders_page_figures_match_sql(app_db, built_db):
    at = run_app(page="pages/tenders.py")
    assert not at.exception and not at.error
    n, won, lost = built_db.execute("""SELECT count(*), count(*) FILTER (WHERE outcome = 'won'),
        count(*) FILTER (WHERE outcome = 'lost') FROM competitions""").fetchone()
    m = metrics(at)
    assert m["Competitions"] == f"{n:,}" and m["Won"] == f"{won:,}" and m["Lost"] == f"{lost:,}"
    assert m["Win rate"] == f"{won / (won + lost):.0%}"
    record = at.dataframe[0].value.set_index("grp")
    want = dict(built_db.execute("SELECT system_family, count(*) FROM competitions GROUP BY 1").fetchall())
    assert record["competitions"].to_dict() == want
    table = at.dataframe[-1].value
    assert sorted(table["competition_id"]) == sorted(r[0] for r in built_db.execute(
        "SELECT competition_id FROM competitions").fetchall())


def test_tenders_record_by_rival_and_region_filter(app_db, built_db):
    at = run_app(page="pages/tenders.py", state={"flt_region": ["Europe"]})
    n = built_db.execute("SELECT count(*) FROM competitions WHERE recipient_region = 'Europe'").fetchone()[0]
    assert metrics(at)["Competitions"] == f"{n:,}"
    at.segmented_control(key="tnd_by").set_value("rival").run()
    assert not at.exception
    record = at.dataframe[0].value.set_index("grp")
    want = dict(built_db.execute("""SELECT trim(r), count(*) FROM competitions,
        unnest(string_split(rival_bidders, ';')) AS u(r) WHERE recipient_region = 'Europe' AND trim(r) <> ''
        GROUP BY 1""").fetchall())
    assert record["competitions"].to_dict() == want


def test_kind_filter_changes_the_figures_as_sql_says(app_db, built_db):
    before = headline(run_app())
    at = run_app(state={"flt_kind": ["used_grant", "loan"]})
    assert not at.exception
    want = expected(built_db, "deal_kind IN ('used_grant', 'loan')")
    assert headline(at) == want and want != before
    assert any("kind: Used / grant transfer, Loan" in str(md.value) for md in at.markdown)


def test_kind_in_the_url_with_junk_dropped_and_reported(app_db, built_db):
    at = run_app(query={"kind": ["mro_service", "warships'; DROP TABLE deals; --"]})
    assert not at.exception
    assert at.multiselect(key="flt_kind").value == ["mro_service"]
    assert any("kind" in str(w.value) and "not recognised" in str(w.value) for w in at.warning)
    assert headline(at) == expected(built_db, "deal_kind = 'mro_service'")


@pytest.mark.parametrize("page", ["pages/deals.py", "pages/timeline.py", "pages/map.py", "pages/suppliers.py",
                                  "pages/tenders.py", "pages/briefing.py", "pages/data.py", "pages/sql.py"])
def test_junk_kind_in_a_link_is_dropped_with_a_notice_on_every_page(app_db, page):
    at = run_app(page=page, query={"kind": ["loan", "<script>junk</script>"]})
    assert not at.exception
    kinds = at.query_params["kind"]  # the app rewrites the link without the junk value
    assert (kinds if isinstance(kinds, list) else [kinds]) == ["loan"]
    notices = [str(w.value) for w in at.warning if "not recognised" in str(w.value)]
    assert len(notices) == 1 and "kind" in notices[0] and "<script>" not in notices[0]


def test_deals_table_and_card_show_kind_and_competition(app_db, built_db):
    at = run_app(page="pages/deals.py", state={"flt_kind": ["licence_production"]})
    table = at.dataframe[0].value
    n = built_db.execute(f"SELECT count(*) FROM deals WHERE deal_kind = 'licence_production' AND {SIGNED}").fetchone()[0]
    assert len(table) == n and set(table["deal_kind"]) == {"Licence production"}
    assert "competition_id" in table.columns
    at = run_app(page="pages/deals.py", query={"deal": "KR-AUS-2023-REDBACK"})
    comp = built_db.execute("SELECT competition_id FROM deals WHERE deal_id = 'KR-AUS-2023-REDBACK'").fetchone()[0]
    text = " ".join(str(m.value) for m in at.markdown) + " ".join(str(c.value) for c in at.caption)
    assert comp and comp in text and "won" in text and "Licence production" in text


def test_timeline_shows_tender_decisions(app_db, built_db):
    at = run_app(page="pages/timeline.py", state={"flt_region": ["Europe"]})
    assert not at.exception
    assert any(s.value == "Tender decisions" for s in at.header)
    want = dict(built_db.execute("""SELECT outcome, count(*) FROM competitions
        WHERE recipient_region = 'Europe' AND year_decided IS NOT NULL GROUP BY 1""").fetchall())
    value = charts(at)["tl_value"]  # the markers sit on the yearly value chart too
    markers = {t["name"].removeprefix("Tender "): len(t["hovertext"]) for t in value["data"]
               if t.get("name", "").startswith("Tender ")}
    assert markers == want and value["layout"]["meta"]["tender_decisions"] == sum(want.values())
    lost = next(t for t in value["data"] if t.get("name") == "Tender lost")
    programme, winner = built_db.execute("""SELECT programme, winner FROM competitions WHERE outcome = 'lost'
        AND recipient_region = 'Europe' AND year_decided IS NOT NULL AND winner <> ''
        ORDER BY year_decided, competition_id LIMIT 1""").fetchone()
    assert any(programme in h and winner in h for h in lost["hovertext"])


def test_timeline_and_deal_card_show_overdue_deliveries(app_db, built_db):
    late = built_db.execute("""SELECT d.deal_id, d.recipient, x.year, x.units FROM deliveries x
        JOIN deals d USING (deal_id) WHERE x.is_overdue ORDER BY d.deal_id""").fetchall()
    assert late, "the ledger has overdue planned deliveries (e.g. Viet Nam's K9, planned 2025)"
    deal_id, recipient, year, units = next(r for r in late if r[0] == "KR-VNM-2025-K9")
    at = run_app(page="pages/timeline.py", state={"flt_country": ["VNM"]})
    assert not at.exception
    figs = charts(at)
    gantt = next(t for t in figs["tl_gantt"]["data"] if t.get("name") == OVERDUE_NAME)
    assert any(f"{year}: {units:,.0f} units planned" in h and "Overdue" in h for h in gantt["hovertext"])
    assert any("**overdue**" in str(c.value) and "1 such year" in str(c.value) for c in at.caption)
    book = figs["tl_book_now"]["data"][0]
    assert dict(zip(book["y"], book["text"]))[recipient] == f"⚠ overdue: {units:,.0f} units"
    at = run_app(page="pages/deals.py", query={"deal": deal_id})
    assert not at.exception
    badge = [str(m.value) for m in at.markdown if "overdue" in str(m.value)]
    assert badge and f"**{year}** ({units:,.0f} units)" in badge[0]
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith("deal_deliveries"))
    assert any(t.get("text") == ["overdue"] for t in chart["data"])


def test_overview_counts_platforms_and_munitions_apart(app_db, built_db):
    at = run_app()
    platforms, munitions = built_db.execute(f"""SELECT
        sum(quantity) FILTER (WHERE armament_category NOT IN ('Missiles', 'Ammunition') AND system_family <> 'Small arms'
                              AND armament_category <> 'Services' AND deal_kind NOT IN ('mro_service', 'upgrade')),
        sum(quantity) FILTER (WHERE armament_category IN ('Missiles', 'Ammunition'))
        FROM deals WHERE {SIGNED}""").fetchone()
    assert metrics(at)["Platforms ordered"] == f"{int(platforms):,}"
    assert any(f"**{int(munitions):,}**" in str(c.value) for c in at.caption)

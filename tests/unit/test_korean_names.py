"""The curated Korean names: every row cited, every name a value the data really hold, countries checked against
Babel (CLDR) with the overrides documented, and the display layer uses them only in Korean mode."""

from __future__ import annotations

import csv
import re

import pytest
from babel import Locale

from kdefense import names
from kdefense.i18n import use_lang

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with names.names_path().open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_row_is_cited_and_complete(rows):
    assert len(rows) >= 20
    for row in rows:
        assert row["kind"] in ("system", "company", "country"), row
        assert row["name"] and row["name_ko"], row
        assert row["publisher"] and row["title"], row
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]), row
        assert row["url"].startswith(("http://", "https://")), row
    keys = [(r["kind"], r["name"]) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate name"


def test_names_are_values_of_the_data(rows, built_db):
    systems = {r[0] for r in built_db.execute("SELECT DISTINCT system_family FROM deals").fetchall()}
    companies = {r[0] for r in built_db.execute("SELECT DISTINCT company FROM deals WHERE company IS NOT NULL")
                 .fetchall()}
    countries = {r[0] for r in built_db.execute("SELECT iso3 FROM countries").fetchall()}
    for row in rows:
        known = {"system": systems, "company": companies, "country": countries}[row["kind"]]
        assert row["name"] in known, f"{row['kind']} {row['name']!r} is not in the database"


def test_country_overrides_differ_from_babel_and_checks_agree(rows, built_db):
    iso2 = dict(built_db.execute("SELECT iso3, iso2 FROM countries").fetchall())
    territories = Locale("ko").territories
    for row in (r for r in rows if r["kind"] == "country"):
        if iso2[row["name"]] is None:  # historical states: tested below
            continue
        babel_name = territories[iso2[row["name"]]]
        if row["note"].startswith("Override"):
            assert babel_name != row["name_ko"], row
        else:
            assert babel_name == row["name_ko"], f"{row['name']}: Babel now says {babel_name}; make it an override"


WITHDRAWN_ALPHA2 = {"SUN": "SU", "CSK": "CS", "YUG": "YU", "DDR": "DD", "YMD": "YD"}  # ISO 3166-3


def test_historical_states_have_cited_korean_names(rows, built_db):
    """States the database holds without an alpha-2 code (SIPRI's Soviet Union, Czechoslovakia, Yugoslavia, East
    Germany, South Yemen) get the names Korean media write, from the cited file: Babel (CLDR) has no Korean name for
    them, neither under their withdrawn alpha-2 codes nor under any other."""
    without_code = {r[0] for r in built_db.execute("SELECT iso3 FROM countries WHERE iso2 IS NULL").fetchall()}
    assert without_code == set(WITHDRAWN_ALPHA2)
    curated = {r["name"]: r for r in rows if r["kind"] == "country"}
    territories = Locale("ko").territories
    for iso3, alpha2 in WITHDRAWN_ALPHA2.items():
        assert iso3 in curated, f"{iso3}: no Korean name"
        assert alpha2 not in territories, f"Babel now names {alpha2}: check it against {curated[iso3]['name_ko']}"
        assert curated[iso3]["note"].startswith("Historical state"), curated[iso3]
        assert curated[iso3]["name_ko"] not in territories.values()  # never a present-day country's name
    expected = {"SUN": "소련", "CSK": "체코슬로바키아", "YUG": "유고슬라비아", "DDR": "동독", "YMD": "남예멘"}
    english = dict(built_db.execute("SELECT iso3, name FROM countries WHERE iso2 IS NULL").fetchall())
    for iso3, korean in expected.items():
        assert names.country(iso3, english[iso3], None) == english[iso3]  # English: as the data write it
        with use_lang("ko"):
            assert names.country(iso3, english[iso3], None) == korean


def test_historical_states_by_name_in_korean(monkeypatch):
    """SIPRI names suppliers such as the Soviet Union without a code: country_by_name finds the same Korean name."""
    codes = {"Soviet Union": ("SUN", None), "Czechoslovakia": ("CSK", None), "Yugoslavia": ("YUG", None),
             "East Germany (GDR)": ("DDR", None)}
    monkeypatch.setattr(names, "_codes", lambda: codes)
    assert names.country_by_name("Soviet Union") == "Soviet Union"
    with use_lang("ko"):
        assert [names.country_by_name(n) for n in codes] == ["소련", "체코슬로바키아", "유고슬라비아", "동독"]


def test_issue_terms(rows):
    curated = {(r["kind"], r["name"]): r["name_ko"] for r in rows}
    assert curated[("system", "K9")] == "K9 자주포" and curated[("system", "K2")] == "K2 전차"
    assert curated[("system", "KUH-1")] == "수리온" and curated[("system", "Cheongung-II")] == "천궁-II"
    assert curated[("company", "Hanwha Aerospace")] == "한화에어로스페이스"
    assert curated[("company", "Korea Aerospace Industries")] == "한국항공우주산업"


def test_every_family_has_a_korean_name(rows, built_db):
    """Every system family of the deals is named in Korean (a cited name, or a catalog term for the ledger's
    placeholders), except SIPRI designations used as families (never translated) and those no dated Korean source
    was found for (docs/i18n.md)."""
    named = {r["name"] for r in rows if r["kind"] == "system"} | set(names.PLACEHOLDER_SYSTEMS)
    families = {r[0] for r in built_db.execute("SELECT DISTINCT system_family FROM deals").fetchall()}
    sipri_designations = {"Promoter", "Hanwha-70"}
    no_dated_korean_source = {"KH178", "Engine MRO"}
    assert families - named - sipri_designations - no_dated_korean_source == set()
    assert not (named & (sipri_designations | no_dated_korean_source))  # a name found since: take it off the list


def test_display_names_follow_the_language():
    assert names.system("K9") == "K9" and names.company("Hyundai Rotem") == "Hyundai Rotem"
    assert names.country("TUR", "Türkiye", "TR") == "Türkiye"
    with use_lang("ko"):
        assert names.system("K9") == "K9 자주포"
        assert names.system("KH178") == "KH178"  # no cited Korean name: the English name stays
        assert names.system("Helicopter MRO") == "헬기 창정비" and names.system("Mortars") == "박격포"
        assert names.system("KLTV") == "소형전술차량" and names.system("KF-21") == "KF-21 보라매"
        assert names.company("Hyundai Rotem") == "현대로템"
        assert names.country("TUR", "Türkiye", "TR") == "튀르키예"
        assert names.country("AUS", "Australia", "AU") == "호주"  # documented override of Babel's 오스트레일리아
        assert names.country("ROU", "Romania", "RO") == "루마니아"
        assert names.status("delivering") == "납품 중" and names.region("Europe") == "유럽"
        assert all(HANGUL.search(names.category(c)) for c in names.CATEGORY_LABELS)


def test_countries_named_only_by_name_are_korean(monkeypatch):
    """SIPRI's spellings and the reference names, looked up by their ISO code (country_names.sql)."""
    codes = {"Turkiye": ("TUR", "TR"), "Türkiye": ("TUR", "TR"), "United States": ("USA", "US"),
             "Australia": ("AUS", "AU"), "Soviet Union": ("SUN", None)}
    monkeypatch.setattr(names, "_codes", lambda: codes)
    assert names.country_by_name("Turkiye") == "Turkiye"
    with use_lang("ko"):
        assert names.country_by_name("Turkiye") == names.country_by_name("Türkiye") == "튀르키예"
        assert names.country_by_name("United States") == "미국"
        assert names.country_by_name("Australia") == "호주"  # the documented override applies here too
        assert names.country_by_name("unknown supplier(s)") == "unknown supplier(s)"  # no code: as SIPRI writes it
        assert names.country_by_name("Soviet Union") == "소련"  # no alpha-2 code: the cited name


def test_country_names_cover_sipri_spellings(built_db):
    from kdefense import settings

    sql = (settings.SQL_DIR / "country_names.sql").read_text()
    found = {n: c for n, c, _ in built_db.execute(sql).fetchall()}
    assert found["Turkiye"] == found["Türkiye"] == "TUR" and found["United States"] == "USA"
    assert "unknown supplier(s)" not in found


def test_gantt_labels_korean_and_never_merge_rows(monkeypatch):
    import pandas as pd

    monkeypatch.setattr(names, "_codes", lambda: {"Poland": ("POL", "PL"), "Australia": ("AUS", "AU")})
    deals = pd.DataFrame({"row_label": ["Poland · 2022-K2-FA", "↳ 2022-K2-EC1", "Poland · 2022-K2-FA",
                                        "Australia · 2004-DELOS"],
                          "recipient": ["Poland", "Poland", "Poland", "Australia"],
                          "system_family": ["K2", "K2", "K2", None]})
    assert names.gantt_labels(deals, by_system=False) is deals  # English: untouched
    with use_lang("ko"):
        shown = names.gantt_labels(deals, by_system=False)["row_label"].tolist()
        assert shown == ["폴란드 · 2022-K2-FA", "↳ 2022-K2-EC1", "폴란드 · 2022-K2-FA", "호주 · 2004-DELOS"]
        systems = deals.assign(row_label=["Poland · K2", "Poland · K2", "Poland · K2", "Australia · system not stated"])
        assert names.gantt_labels(systems, by_system=True)["row_label"].tolist() == [
            "폴란드 · K2 전차", "폴란드 · K2 전차", "폴란드 · K2 전차", "호주 · 체계 미상"]
        clash = pd.DataFrame({"row_label": ["Poland · A", "Poland · B"], "recipient": ["Poland", "Poland"],
                              "system_family": ["A", "B"]})
        monkeypatch.setattr(names, "system", lambda family: "같은 이름")
        assert names.gantt_labels(clash, by_system=True)["row_label"].tolist() == ["Poland · A", "Poland · B"]


SIPRI_CODES = {"South Korea": ("KOR", "KR"), "United States": ("USA", "US"), "Türkiye": ("TUR", "TR"),
               "Poland": ("POL", "PL"), "Egypt": ("EGY", "EG")}


def test_supplier_charts_name_sipri_countries_in_korean(monkeypatch):
    """SIPRI supplier names in the Suppliers charts: Korean in Korean mode, SIPRI's own names otherwise; colours and
    South Korea's highlight still follow the (English) key."""
    import pandas as pd

    from kdefense import charts_suppliers as cs

    monkeypatch.setattr(names, "_codes", lambda: SIPRI_CODES)
    share = pd.DataFrame({"supplier": ["South Korea", "United States", "unknown supplier(s)"],
                          "period_label": ["2020–24"] * 3, "share_pct": [2.0, 40.0, 1.0], "tiv_m": [1, 2, 3],
                          "rank": [10, 1, None], "pct_tiv_flagged_uncertain": [0, 0, 0]})
    book = pd.DataFrame({"supplier": ["South Korea", "Türkiye"], "supplier_total_m": [5.0, 3.0],
                         "region": ["Europe", "Europe"], "tiv_outstanding_m": [5.0, 3.0], "open_deals": [2, 1],
                         "units_outstanding": [10, 4]})
    english = cs.share_lines(share, "period_label", "t", "n")
    assert [d.name for d in english.data] == ["South Korea", "United States", "unknown supplier(s)"]
    with use_lang("ko"):
        lines = cs.share_lines(share, "period_label", "t", "n")
        assert [d.name for d in lines.data] == ["대한민국", "미국", "unknown supplier(s)"]
        assert lines.data[0].line.width == 4 and lines.data[0].line.color == cs.KOREA_COLOUR
        assert "<b>대한민국</b>" in lines.data[0].hovertemplate
        bars = cs.order_book_bars(book, "t", "n")
        assert list(bars.layout.yaxis.ticktext) == ["튀르키예", "<b>대한민국</b>"]
        assert list(bars.data[0].y) == ["튀르키예", "대한민국"]


def test_joined_lists_are_named_in_korean(monkeypatch):
    monkeypatch.setattr(names, "_codes", lambda: SIPRI_CODES)
    assert names.listed("Egypt, Poland") == "Egypt, Poland"
    with use_lang("ko"):
        assert names.listed("Egypt, Poland, unknown supplier(s)") == "이집트, 폴란드, unknown supplier(s)"
        assert names.listed("K9, KT-1", names.system) == "K9 자주포, KT-1 훈련기"
        assert names.listed(None) is None


def test_placeholder_families_are_interface_terms():
    assert names.system("Undisclosed system") == "Undisclosed system"
    with use_lang("ko"):
        assert names.system("Undisclosed system") == "비공개 체계" and names.system("Multiple systems") == "여러 체계"


def test_facility_terms_are_translated():
    assert names.facility_term("joint venture") == "joint venture"
    with use_lang("ko"):
        assert names.facility_term("joint venture") == "합작법인" and names.facility_term("operating") == "운영 중"
        assert names.facility_term("something new") == "something new"


def test_timeline_deal_picker_labels(monkeypatch):
    import pandas as pd

    monkeypatch.setattr(names, "_codes", lambda: {"Poland": ("POL", "PL")})
    options = pd.DataFrame({"deal_id": ["KR-POL-2022-K9-FA"], "label": ["Poland · K9 · K9PL — framework/MoU, "
                                                                       "2022-07-27 (KR-POL-2022-K9-FA)"],
                            "recipient": ["Poland"], "system_family": ["K9"], "designation": ["K9PL"],
                            "status": ["framework/MoU"], "signed_date": ["2022-07-27"]})
    assert names.deal_labels(options) == {"KR-POL-2022-K9-FA": options["label"][0]}
    with use_lang("ko"):
        assert names.deal_labels(options) == {
            "KR-POL-2022-K9-FA": "폴란드 · K9 자주포 · K9PL — 기본계약/MOU, 2022년 7월 27일 (KR-POL-2022-K9-FA)"}


def test_korean_pages_break_lines_between_words_only():
    from kdefense import i18n

    assert i18n.page_css() == ""
    with use_lang("ko"):
        assert "word-break: keep-all" in i18n.page_css()


def test_value_notes_translate_their_fixed_phrases_and_keep_the_ledger_text():
    from kdefense.i18n import use_lang

    note = "not disclosed (no value in SIPRI comment)"
    assert names.value_note(note) == note  # English: as the ledger writes it
    with use_lang("ko"):
        assert names.value_note("not disclosed") == "비공개"
        assert names.value_note(note) == "비공개 (no value in SIPRI comment)"
        assert names.value_note("aid transfer (no price)") == "무상 원조 (가격 없음)"
        assert names.value_note("included in KR-NOR-2017-K9") == "KR-NOR-2017-K9에 포함"
        assert names.value_note("original 2016 share KRW 1.7 tr") == "original 2016 share KRW 1.7 tr"
        assert names.value_note(None) == ""
        assert names.event_kind("summit") == "정상회담" and names.origin("ledger") == "원장"
        assert names.company("Other / not stated") == "기타·업체 미상" and names.rival_class("Self-propelled guns") == "자주포"
        assert names.designation("not disclosed") == "비공개" and names.designation("K9PL") == "K9PL"

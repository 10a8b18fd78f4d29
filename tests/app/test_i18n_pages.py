"""AppTest: every page renders in Korean and English; titles, headers, captions, metric labels, widget labels and
chart titles are Korean in Korean mode; `lang` stays in the URL across page switches; money is in Korean units."""

from __future__ import annotations

import functools
import json
import re

import pytest

from tests.helpers import run_app

HANGUL = re.compile(r"[\uac00-\ud7a3]")
CONVERTED_PAGES = ["pages/overview.py", "pages/deals.py", "pages/timeline.py", "pages/map.py", "pages/suppliers.py",
                   "pages/tenders.py", "pages/briefing.py", "pages/data.py", "pages/sql.py"]


@functools.cache
def same_in_both() -> frozenset[str]:
    """Catalog entries whose Korean is written in Latin letters as in English (SQL, SIPRI TIV, CSV + README)."""
    from babel.messages.pofile import read_po

    from kdefense import i18n

    with i18n.po_path("ko").open("rb") as fh:
        return frozenset(m.string for m in read_po(fh, locale="ko") if m.id and m.string and not HANGUL.search(m.string))


def untranslated(texts: list[str]) -> list[str]:
    return [x for x in texts if x and not HANGUL.search(x) and x not in same_in_both()
            and re.search(r"[A-Za-z]{3,}", x)]


def url(at, name: str) -> list[str]:
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def texts(at) -> dict[str, list[str]]:
    return {
        "title": [e.value for e in at.title], "subheader": [e.value for e in at.subheader],
        "caption": [e.value for e in at.caption], "metric": [m.label for m in at.metric],
        "info": [e.value for e in at.info], "expander": [e.label for e in at.expander],
        "warning": [e.value for e in at.warning], "error": [e.value for e in at.error],
        "widget": [w.label for kind in ("selectbox", "multiselect", "toggle", "button", "text_input", "text_area",
                                        "slider", "download_button") for w in _main(at, kind)],
    }


def _main(at, kind: str) -> list:
    """Widgets of one kind in the main area (the sidebar is checked by test_sidebar_is_korean)."""
    try:
        return [w for w in at.main.get(kind) if getattr(w, "label", None)]
    except Exception:  # noqa: BLE001 - an element kind this Streamlit version does not expose
        return []


def chart_titles(at) -> list[str]:
    out = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("layout", {}).get("title", {})
        out.append(title.get("text", "") if isinstance(title, dict) else "")
        for axis in ("xaxis", "yaxis"):
            axis_title = spec.get("layout", {}).get(axis, {}).get("title", {})
            if isinstance(axis_title, dict) and axis_title.get("text"):
                out.append(axis_title["text"])
    return [t for t in out if t]


@pytest.mark.parametrize("page", CONVERTED_PAGES)
def test_converted_pages_are_korean_in_korean_mode(app_db, page):
    at = run_app(page=page, query={"lang": "ko"})
    assert not at.exception, at.exception
    shown = texts(at)
    assert shown["title"] and not untranslated(shown["title"]), shown["title"]
    for kind, values in shown.items():
        assert not untranslated(values), f"{page} {kind}: {untranslated(values)}"
    titles = chart_titles(at)
    assert not untranslated(titles), titles
    assert titles or page in ("pages/data.py", "pages/briefing.py", "pages/sql.py", "pages/deals.py"), f"{page}: no chart drawn"


@pytest.mark.parametrize("page", CONVERTED_PAGES)
def test_converted_pages_stay_english_in_english_mode(app_db, page):
    at = run_app(page=page, query={"lang": "en"})
    assert not at.exception, at.exception
    shown = texts(at)
    assert shown["title"] and not any(HANGUL.search(x) for x in shown["title"] + shown["metric"])


def test_overview_headline_in_korean_units_matches_the_database(app_db, built_db):
    value = built_db.execute("""SELECT sum(value_usd_m_counted) FROM deals
        WHERE status IN ('contract', 'delivering', 'completed')""").fetchone()[0]
    at = run_app(query={"lang": "ko"})
    metric = {m.label: m.value for m in at.metric}
    from kdefense import fmt

    assert metric["계약 금액(달러)"] == fmt.usd_bn(value, lang="ko", unit=False)
    assert metric["계약 금액(달러)"].endswith("억") and "$" not in metric["계약 금액(달러)"]


def test_lang_stays_in_the_url_across_pages_and_beside_the_filters(app_db):
    at = run_app(query={"lang": "ko", "region": "Europe"})
    assert url(at, "lang") == ["ko"] and url(at, "region") == ["Europe"]
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert url(at, "lang") == ["ko"]
    assert at.title[0].value == "데이터와 방법론"


def test_no_lang_in_the_url_means_english_and_a_clean_url(app_db):
    at = run_app()
    assert "lang" not in at.query_params
    assert at.title[0].value == "South Korea's defence exports"


def test_sidebar_is_korean(app_db):
    at = run_app(query={"lang": "ko"})
    labels = [w.label for w in at.sidebar.multiselect]
    assert "지역" in labels and "수입국" in labels and "무기체계" in labels
    assert at.sidebar.button[0].label == "필터 초기화" or "필터 초기화" in [b.label for b in at.sidebar.button]


def _gantt_labels(at) -> list[str]:
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith("chart_tl_gantt"))
    return spec["layout"]["yaxis"]["categoryarray"]


@pytest.mark.parametrize("rows", ["deal", "system"])
def test_timeline_gantt_rows_are_named_in_korean(app_db, built_db, rows):
    """The Gantt's row labels are built in SQL from English names; in Korean mode they name the recipient (and the
    system family) in Korean and keep the deal id; in English they stay as the SQL writes them."""
    state = {"flt_country": ["POL", "AUS"], "tl_rows": rows}
    english = _gantt_labels(run_app(page="pages/timeline.py", state=state, query={"lang": "en"}))
    korean = _gantt_labels(run_app(page="pages/timeline.py", state=state, query={"lang": "ko"}))
    assert len(korean) == len(english) == len(set(korean))
    tops = [x for x in korean if not x.lstrip("\u00a0").startswith("↳")]
    assert tops and all(x.split(" · ")[0] in ("폴란드", "호주") for x in tops), tops
    assert not any(x.startswith(("Poland", "Australia")) for x in korean)
    assert "Poland · " + ("2022-K2-FA" if rows == "deal" else "K9") in english
    if rows == "deal":  # the deal id and the tree marks are kept, in the same order
        assert [k.split(" · ")[-1] for k in korean] == [e.split(" · ")[-1] for e in english]
        assert "폴란드 · 2022-K2-FA" in korean
    else:
        assert "폴란드 · K9 자주포" in korean and "폴란드 · K2 전차" in korean


def test_suppliers_name_sipri_countries_in_korean(app_db):
    """SIPRI supplier and recipient countries in Korean (Babel names by ISO code); SIPRI designations as SIPRI
    writes them; a supplier without a code ('unknown supplier(s)') as SIPRI writes it."""
    at = run_app(page="pages/suppliers.py", query={"lang": "ko"})
    assert not at.exception, at.exception
    lines = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    names = {tr.get("name") for spec in lines for tr in spec["data"] if tr.get("name")}
    assert {"대한민국", "미국", "튀르키예"} <= names, names
    assert not names & {"South Korea", "United States", "Türkiye", "Turkiye"}
    assert "미국" in at.multiselect(key="sup_suppliers").options  # the picker's labels
    at = run_app(page="pages/suppliers.py", query={"lang": "ko"}, state={"sup_view": "Rival systems"})
    assert not at.exception, at.exception
    # the page's orders table (the chart's data preview before it shows the data as downloaded)
    orders = [d.value for d in at.dataframe if "order_year_uncertain" in d.value.columns][-1]
    assert "대한민국" in set(orders["supplier"]) and "South Korea" not in set(orders["supplier"])
    assert not any(re.search(r"[\uac00-\ud7a3]", str(d)) for d in orders["designation"])  # SIPRI's designations
    families = [d.value for d in at.dataframe if "customers" in d.value.columns][0]
    k9 = families.set_index("system_family").loc["K9"]
    assert "폴란드" in k9["customers"].split(", ") and "대한민국" in k9["suppliers"]


def _chart_strings(at) -> set[str]:
    """Trace names, category labels and tick texts of every chart on the page."""
    out: set[str] = set()
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec["data"]:
            out.add(str(trace.get("name", "")))
            for axis in ("x", "y"):
                values = trace.get(axis)
                if isinstance(values, list):
                    out.update(v for v in values if isinstance(v, str))
        for axis in ("xaxis", "yaxis"):
            out.update(str(v) for v in spec["layout"].get(axis, {}).get("ticktext", []) or [])
    return out


@pytest.mark.parametrize("view", ["Share & rank", "Recipient markets", "Speed & order book"])
def test_supplier_views_draw_no_english_country_name(app_db, view):
    at = run_app(page="pages/suppliers.py", query={"lang": "ko"}, state={"sup_view": view})
    assert not at.exception, at.exception
    assert at.segmented_control(key="sup_view").value == view
    shown = _chart_strings(at)
    english = {"South Korea", "United States", "France", "Russia", "China", "Germany", "Türkiye", "Turkiye"}
    assert not {s for s in shown for e in english if e in s}, sorted(shown)[:40]
    assert any("대한민국" in s for s in shown)


def test_the_language_switch_changes_every_text_at_once_and_back(app_db):
    """The run's language is kept on its script-run context (i18n.RUN_ATTR): switching it in the sidebar gives a
    Korean page in the same rerun, and switching back an English one (never the previous run's language)."""
    at = run_app()
    assert at.title[0].value == "South Korea's defence exports"
    at.segmented_control(key="kd_lang_switch").set_value("ko").run()
    assert not at.exception
    assert at.title[0].value != "South Korea's defence exports"
    assert "지역" in [w.label for w in at.sidebar.multiselect]
    at.segmented_control(key="kd_lang_switch").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "South Korea's defence exports"
    assert "Region" in [w.label for w in at.sidebar.multiselect]


def _hover_strings(at) -> list[str]:
    """Every text a chart shows on hover or in its legend: trace names, hover texts and templates."""
    out: list[str] = []
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            out.append(str(trace.get("name", "")))
            out.append(str(trace.get("hovertemplate", "")))
            hover = trace.get("hovertext")
            out += [str(h) for h in hover] if isinstance(hover, list) else [str(hover or "")]
    return [s for s in out if s]


# The app's own words that reached Korean hovers and legends before (data texts such as titles stay as written)
TIMELINE_LEFTOVERS = re.compile(r"none recorded|Context event|\(hover\)|(?:sipri|ledger) \(|units not stated|미상대|"
                                r"\bnan\b|: none\b|\b\d{4}-\d\d-\d\d\b|\d m [A-Z]{3}\b|≈ \$|· (?:policy|summit|"
                                r"exhibition|visit|war)<|Other families|\(not disclosed|· not disclosed<")


@pytest.mark.parametrize("rows", ["deal", "system"])
def test_timeline_hovers_and_legends_have_no_english_leftovers(app_db, rows):
    """Korean Timeline: delivery sources (SIPRI / 원장), 'none recorded', unknown unit counts, dates, money, event kinds,
    the winner of a tender nobody won, the value notes' fixed phrases are Korean; the events' legend entry never
    says "(hover)" (a downloaded image or a PDF has no hover)."""
    at = run_app(page="pages/timeline.py", state={"tl_rows": rows}, query={"lang": "ko"})
    assert not at.exception, at.exception
    shown = _hover_strings(at)
    assert len(shown) > 50
    leftovers = sorted({m.group(0) for s in shown for m in [TIMELINE_LEFTOVERS.search(s)] if m})
    assert leftovers == [], [s[:160] for s in shown if TIMELINE_LEFTOVERS.search(s)][:5]
    assert "배경 사건" in shown and any("출처: 원장 (" in s for s in shown) and any("출처: SIPRI (" in s for s in shown)
    english = _hover_strings(run_app(page="pages/timeline.py", state={"tl_rows": rows}, query={"lang": "en"}))
    assert "Context event" in english and not any("(hover)" in s for s in english)


def test_supplier_firms_and_rival_classes_are_korean(app_db):
    at = run_app(page="pages/suppliers.py", query={"lang": "ko"}, state={"sup_view": "Korean firms"})
    assert not at.exception, at.exception
    shown = _hover_strings(at) + sorted(_chart_strings(at))
    assert not [s for s in shown if re.search(r"SIPRI's list|Other / not stated|^Not stated$", s)]
    at = run_app(page="pages/suppliers.py", query={"lang": "ko"}, state={"sup_view": "Rival systems"})
    assert not at.exception, at.exception
    titles = chart_titles(at)
    assert any(x.startswith("자주포: ") for x in titles) and not any("Self-propelled" in x for x in titles), titles

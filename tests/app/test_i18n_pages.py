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

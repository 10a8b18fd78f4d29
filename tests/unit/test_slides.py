"""Slide content (kdefense/slides.py): the data-side defects of issue 13 stay fixed."""

from __future__ import annotations

import pytest

from kdefense import briefing, queries, slides
from kdefense.briefing import Slide, deck_to_toml, parse_deck

SLIDES = [(d, n, s) for d, deck in briefing.load_decks().items() for n, s in enumerate(deck.slides, start=1)]


@pytest.fixture(scope="module")
def options(built_db_path):
    import os

    old = os.environ.get("KDEFENSE_DB")
    os.environ["KDEFENSE_DB"] = str(built_db_path)
    yield queries.filter_options()
    if old is None:
        os.environ.pop("KDEFENSE_DB", None)
    else:
        os.environ["KDEFENSE_DB"] = old


def content(slide: Slide, options, dark: bool = False) -> slides.SlideContent:
    return slides.build(slide, slides.slide_filters(slide, options), dark)


@pytest.mark.parametrize("deck_id,number,slide", SLIDES, ids=[f"{d}#{n}" for d, n, _ in SLIDES])
def test_every_shipped_slide_has_content_that_fits_its_canvas(options, deck_id, number, slide):
    c = content(slide, options)
    assert not c.empty and c.panels, f"{deck_id} #{number} shows nothing"
    for table in (p for p in c.panels if isinstance(p, slides.Table)):
        cells = [v for row in table.rows for v in row]
        assert "None" not in cells and "nan" not in cells
        assert len(table.rows) <= slides.table_rows_that_fit(slides.body_height(bool(c.metrics)))
    height = slides.body_height(bool(c.metrics))
    for chart in c.charts:
        assert chart.figure.layout.height <= height
        assert chart.figure.layout.font.size >= slides.TICK_PX
        assert not chart.figure.frames and not chart.figure.layout.updatemenus and not chart.figure.layout.sliders
    assert sum(slides.panel_widths(c.widths)) <= slides.CANVAS_W - 2 * slides.PAD_X


def test_a_pipeline_without_values_counts_deals_instead_of_a_dash(options):
    deck = briefing.load_decks()["korea-in-europe-since-2022"]
    c = content(deck.slides[4], options)  # "Still in the pipeline in Europe"
    assert c.metrics[0].value == "not disclosed" and "0 of" in c.metrics[0].note
    assert all(ch.figure.layout.xaxis.title.text.startswith("Deals") for ch in c.charts)
    assert any("count deals" in n for n in c.notes)


def test_sipri_views_say_tiv_in_their_filters_line(options):
    deck = briefing.load_decks()["korea-in-europe-since-2022"]
    c = content(deck.slides[6], options)  # "Who supplies NATO Europe", saved on the contract-value basis
    assert c.filters_line.startswith("SIPRI TIV") and "Contract value" not in c.filters_line


def test_a_deck_can_pick_one_chart_and_the_choice_round_trips(options):
    slide = Slide("overview", "One chart", "k", {"region": ["Europe"]}, charts=("recipients",))
    c = content(slide, options)
    assert [p.key for p in c.panels] == ["recipients"]
    deck = briefing.Deck("x", "X", slides=(slide,))
    assert parse_deck(deck_to_toml(deck), "x") == deck
    with pytest.raises(briefing.DeckError, match="charts"):
        parse_deck('[[slides]]\npage = "overview"\ncharts = "region"\n', "x")


def test_dark_slides_have_dark_chart_panels(options):
    deck = briefing.load_decks()["korea-in-europe-since-2022"]
    for chart in content(deck.slides[0], options, dark=True).charts:
        assert chart.figure.layout.paper_bgcolor == "#0b1220"


def test_user_text_is_escaped_in_slide_html():
    table = slides.Table("t", "<b>x</b>", ["<script>"], [["<img src=x onerror=alert(1)>"]])
    html = slides.table_html(table) + slides.metrics_html([slides.Metric("<i>", "<svg onload=1>")])
    assert "<script>" not in html and "<img" not in html and "<svg" not in html and "<i>" not in html


@pytest.mark.parametrize("page", ["overview", "deals"])
def test_unit_counts_keep_munitions_apart_as_the_overview_does(options, page):
    """Europe since 2022 orders hundreds of platforms and tens of thousands of rounds: one sum would mix them."""
    slide = Slide(page=page, title="t", takeaway="k", filters={"region": ["Europe"], "from": "2022", "to": "2026"})
    filters = slides.slide_filters(slide, options)
    head = queries.run_filtered("overview_headline", filters).iloc[0]
    assert head["munitions_ordered"] > 0, "the fixture needs munitions in this view"
    values = {m.label: m.value for m in content(slide, options).metrics}
    assert "Units ordered" not in values
    assert values["Platforms ordered"] == f"{int(head['platforms_ordered']):,}"
    assert values["Platforms ordered"] != f"{int(head['units_ordered']):,}"
    notes = " ".join(content(slide, options).notes)
    assert f"{int(head['munitions_ordered']):,} ordered" in notes


def test_chart_stamp_lines_fit_a_narrow_chart(options):
    """The downloaded image's stamp (filters, source, data date) is wrapped to the narrowest chart on screen
    (a third of the page at 1366×768, 291 px): before, the source line was one 150-character line cut at the right
    edge, then 60-character lines, 330 px wide in English and up to 380 px in Korean."""
    import re

    import plotly.graph_objects as go

    from kdefense import ui

    filters_line = ("Contract value (USD) · 2010–2026 · Europe, Middle East, Asia & Oceania · NATO members · "
                    "status: contract, delivering, completed · search “K9 Thunder”")
    fig = ui.stamped(go.Figure(layout={"title": {"text": "Top systems"}}), "Top systems", filters_line)
    lines = re.split(r"<br>", fig.spec["layout"]["title"]["subtitle"]["text"])
    assert len(lines) >= 3 and all(ui.text_em(line) * 12 <= ui.STAMP_WIDTH_PX for line in lines), lines
    text = " ".join(lines)
    assert "Source: Information from the SIPRI Arms Transfers Database" in text
    assert re.search(r"built 20\d\d-\d\d-\d\d", text) and "2010–2026" in text


def test_chart_stamp_fits_a_narrow_chart_in_korean_and_rewraps_a_wide_note(options):
    """Korean lines are wider per character (a Hangul syllable is about 1 em, a Latin letter about 0.46): the stamp
    wraps by estimated width, not by character count; a builder's note wrapped at 100-105 characters for a wide
    chart (Suppliers, Tenders, Timeline's tender chart) is wrapped again, and a long title fits a phone's chart."""
    import plotly.graph_objects as go

    from kdefense import i18n, ui
    from kdefense.i18n import t

    with i18n.use_lang("ko"):
        filters_line = t("Contract value (USD)") + " · 2010–2026 · " + t("Europe") + ", " + t("Middle East")
        note = "<br>".join(["가" * 40, "나 " * 30])
        title = "입찰 결정: 수주, 수주 실패, 철회, 취소 그리고 아주 긴 제목"
        fig = ui.stamped(go.Figure(layout={"title": {"text": title, "font": {"size": 18},
                                                     "subtitle": {"text": note}}}), title, filters_line)
    layout = fig.spec["layout"]
    lines = layout["title"]["subtitle"]["text"].split("<br>")
    assert "출처" in layout["title"]["subtitle"]["text"]
    too_wide = [line for line in lines if ui.text_em(line) * 12 > ui.STAMP_WIDTH_PX and " " in line]
    assert too_wide == [], too_wide  # only a single unbreakable word may stay wider (here the 40-syllable one)
    assert all(ui.text_em(line) * 18 <= ui.TITLE_WIDTH_PX for line in layout["title"]["text"].split("<br>"))
    assert layout["margin"]["t"] > 16 * len(lines)  # the top margin holds every line


def _row_labels(slide: Slide, options, lang: str) -> list[str]:
    from kdefense.i18n import use_lang

    with use_lang(lang):
        c = content(slide, options)
    (chart,) = c.charts
    return list(chart.figure.layout.yaxis.categoryarray)


@pytest.mark.parametrize("rows", ["deal", "system"])
def test_a_korean_gantt_slide_names_its_rows_in_korean(options, rows):
    """Presentation mode and the deck export label the Gantt's rows as the Timeline page does (names.gantt_labels):
    before, a Korean slide showed the SQL's English labels ('Poland · 2022-K2-FA')."""
    slide = Slide("timeline", "t", "k", {"country": ["POL", "AUS"]}, options={"tl_rows": rows}, charts=("gantt",))
    english, korean = _row_labels(slide, options, "en"), _row_labels(slide, options, "ko")
    assert len(korean) == len(english) == len(set(korean)) > 0
    assert any(x.startswith(("Poland · ", "Australia · ")) for x in english)
    assert not any(x.startswith(("Poland", "Australia")) for x in korean), korean
    tops = [x for x in korean if not x.lstrip("\u00a0").startswith("↳")]
    assert tops and all(x.split(" · ")[0] in ("폴란드", "호주") for x in tops), tops


def test_a_korean_speed_slide_names_its_rows_in_korean(options):
    slide = Slide("timeline", "t", "k", {"country": ["POL", "AUS"]}, charts=("speed",))
    english, korean = _row_labels(slide, options, "en"), _row_labels(slide, options, "ko")
    assert len(korean) == len(english) == len(set(korean)) > 0
    assert all(x.startswith(("Poland · ", "Australia · ")) for x in english), english
    assert all(x.split(" · ")[0] in ("폴란드", "호주") for x in korean), korean
    assert [x.split(" · ")[-1] for x in korean] == [x.split(" · ")[-1] for x in english]  # deal ids kept


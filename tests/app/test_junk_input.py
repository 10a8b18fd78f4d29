"""Issue 19, item 3: junk URL values and hostile deck files on every page (AppTest): 0 exceptions, clear messages."""

from __future__ import annotations

import pytest

from kdefense import briefing, settings
from kdefense.ui import PAGE_FILES
from tests.helpers import run_app
from tests.unit.test_security import BAD_DECKS, PAYLOADS

PAGES = list(PAGE_FILES.values())
BIG = "x" * 100_000
JUNK_QUERIES = {
    "unicode-digits": {"from": "²", "to": "٢٠٢٠", "slide": "²", "present": "1", "deck": "hostile"},
    "full-width": {"from": "２０２０", "to": "２０２６", "nato": "１"},
    "control-chars": {"q": "K9\x1b\x00\x7f\u202e", "region": "Europe\x00", "country": "\x1b[31m", "zz\x00": "1"},
    "100kB": {"q": BIG, "region": BIG, "from": BIG, "deal": BIG, "slide": BIG, "deck": BIG, "mydeck": BIG,
              BIG[:5000]: BIG},
    "payloads": {"q": PAYLOADS[0], "country": PAYLOADS[7], "from": PAYLOADS[6], "<img src=//e.example/a>": "1"},
}
HOSTILE_DECK = """title = "<svg><script>alert(1)</script></svg> [x](//evil.example)"
description = "![](//evil.example/t.png) </div><h1>Fake</h1>"
[[slides]]
page = "map"
title = "=HYPERLINK(\\"http://evil.example\\",\\"x\\")"
takeaway = "<img src=//evil.example/x.png>"
[slides.filters]
from = "²"
q = "<style>body{display:none}</style>"
[slides.options]
flt_basis = "tiv"
_flt_current = "x"
map_measure = "junk"
map_outlines = ["x"]
[[slides]]
page = "timeline"
[slides.options]
tl_rows = "junk"
tl_events = "yes"
"""


@pytest.fixture()
def hostile_briefings(tmp_path, monkeypatch):
    for name, text in BAD_DECKS.items():
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    (tmp_path / "huge.toml").write_text('title = "x"\n' + "# pad\n" * 200_000, encoding="utf-8")
    (tmp_path / "hostile.toml").write_text(HOSTILE_DECK, encoding="utf-8")
    monkeypatch.setattr(settings, "BRIEFINGS_DIR", tmp_path)
    return tmp_path


@pytest.mark.parametrize("case", list(JUNK_QUERIES))
@pytest.mark.parametrize("page", PAGES)
def test_junk_url_values_never_raise(app_db, hostile_briefings, page, case):
    at = run_app(page=page, query=JUNK_QUERIES[case])
    assert not at.exception, f"{page} with {case}: {at.exception}"


@pytest.mark.parametrize("number", [1, 2])
def test_hostile_deck_presents_without_error_and_applies_only_known_options(app_db, hostile_briefings, number):
    slide = briefing.load_decks()["hostile"].slides[number - 1]
    at = run_app(page=PAGE_FILES[slide.page], query=slide.query_params("hostile", number))
    assert not at.exception, at.exception
    summary = " ".join(str(md.value) for md in at.markdown if "kd-filter-summary" in str(md.value))
    assert "Contract value (USD)" in summary  # the deck's flt_basis = "tiv" did not reach the sidebar's widget
    for key, bad in (("map_measure", "junk"), ("tl_rows", "junk"), ("tl_events", "yes"), ("map_outlines", ["x"])):
        assert key not in at.session_state or at.session_state[key] != bad


def test_bad_deck_files_are_shown_on_the_briefing_page_only(app_db, hostile_briefings):
    at = run_app(page="pages/briefing.py")
    assert not at.exception
    errors = " ".join(str(e.value) for e in at.error)
    for name in [*BAD_DECKS, "huge"]:
        if name != "unicode-year":
            assert f"{name}.toml" in errors.replace("\\", ""), name
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "map\\_measure" in warnings and "flt\\_basis" in warnings  # dropped options are reported
    overview = run_app()
    assert not overview.exception and not overview.error

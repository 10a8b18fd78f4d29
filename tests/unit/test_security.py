"""Issue 19: hostile text, junk URL values, hostile deck files, export names and spreadsheet-safe CSV."""

from __future__ import annotations

import io
import os
import re
import tomllib
import zipfile
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from kdefense import briefing, export, safety
from kdefense.briefing import Deck, DeckError, Slide, deck_to_toml, parse_deck
from kdefense.filters import FilterOptions, Filters, parse_query_params

OPTIONS = FilterOptions(countries={"POL": "Poland"}, categories=("Artillery",), systems=("K9",),
                        companies=("Hanwha Aerospace",), year_min=1972, year_max=2026)
UNICODE_DIGITS = ["²", "٢٠٢٠", "２０２０", "߂", "¹⁹⁹⁰", "2020\x00", " 2020", "+2020", "2_020", "0x7e4"]
PAYLOADS = ["<svg><script>alert(document.domain)</script></svg>", "<iframe srcdoc='<script>alert(1)</script>'>",
            "<meta http-equiv=refresh content='0;url=//evil.example'>", "<img src=//evil.example/x.png>",
            "<style>body{display:none}</style>", "</div><h1>Fake</h1>", "[click](//evil.example/f)",
            "![](//evil.example/t.png)", "$\\href{//evil.example}{x}$", ":red[fake]", "**bold** _em_ `code` # h",
            "K9\x1b\x00\u202e", "a\n\n<script>alert(1)</script>"]


# --- escaping (item 1) ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_text_has_no_tag_and_no_line_break(payload):
    out = safety.html_text(payload)
    assert "<" not in out and ">" not in out and "\n" not in out and "\x00" not in out


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_text_escapes_every_markup_character(payload):
    out = safety.md_text(payload)
    unescaped = re.sub(r"\\.", "", out)  # drop every backslash escape pair: no markup character may remain
    assert not set(unescaped) & set("<>[]()!*_`#$:\\{}|~&")
    assert "\n" not in out


# --- junk input (item 3) --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", UNICODE_DIGITS)
def test_unicode_digits_in_years_are_reported_not_raised(value):
    f, notices = parse_query_params({"from": [value], "to": [value]}, OPTIONS)
    assert (f.year_from, f.year_to) == (1972, 2026)
    assert len(notices) == 2


def test_hundred_kilobyte_values_and_thousands_of_names_stay_small():
    raw = {f"x{i}": ["y" * 100_000] for i in range(2000)} | {"q": ["k" * 100_000], "country": ["z" * 100_000] * 50}
    f, notices = parse_query_params(raw, OPTIONS)
    assert len(f.q) <= 80
    assert len(notices) <= 12 and sum(len(n) for n in notices) < 2000


def test_toml_writer_round_trips_control_characters():
    text = "K9\x1b\x00\x7f\x08\x0c\t\r\n\"\\ \u202e end"
    deck = Deck("d", text, text, (Slide("deals", text, text, filters={"q": text, "region": ["Europe", text]},
                                        options={}),))
    back = parse_deck(deck_to_toml(deck), "d")
    assert back == deck


BAD_DECKS = {
    "syntax": "title = \n[[slides",
    "traversal": '[[slides]]\npage = "../../etc/passwd"\n',
    "slides-string": 'slides = "x"\n',
    "deep": "x = " + "[" * 3000 + "]" * 3000 + '\n[[slides]]\npage = "deals"\n',
    "title-int": 'title = 123\n[[slides]]\npage = "deals"\n',
    "slide-title-int": '[[slides]]\npage = "deals"\ntitle = 5\n',
    "filters-table": '[[slides]]\npage = "deals"\n[slides.filters]\nregion = {a = 1}\n',
    "unicode-year": '[[slides]]\npage = "deals"\n[slides.filters]\nfrom = "²"\n',
    "no-slides": 'title = "x"\n',
    "binary": "\x00\xff\xfe garbage",
}


def test_bad_deck_files_are_reported_and_good_ones_still_load(tmp_path):
    for name, text in BAD_DECKS.items():
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    (tmp_path / "huge.toml").write_text('title = "x"\n' + "# pad\n" * 200_000, encoding="utf-8")
    (tmp_path / "good.toml").write_text('title = "Good"\n[[slides]]\npage = "deals"\n', encoding="utf-8")
    decks, problems = briefing.load_deck_files(tmp_path)
    assert list(decks) == ["good", "unicode-year"]  # a well-formed deck whose filter is junk: reported, not fatal
    assert sorted(problems) == sorted({*BAD_DECKS, "huge"} - {"unicode-year"})
    assert all(isinstance(msg, str) and f"'{name}'" in msg for name, msg in problems.items())
    assert "too large" in problems["huge"] and "deeply" in problems["deep"]
    notices = briefing.validate_deck(decks["unicode-year"], OPTIONS)
    assert len(notices) == 1 and "from" in notices[0]
    assert briefing.load_decks(tmp_path) == decks


def test_deck_files_are_parsed_once_per_file_version(tmp_path, monkeypatch):
    path = tmp_path / "a.toml"
    path.write_text('title = "A"\n[[slides]]\npage = "deals"\n', encoding="utf-8")
    calls = []
    real = briefing.parse_deck
    monkeypatch.setattr(briefing, "parse_deck", lambda text, deck_id: calls.append(deck_id) or real(text, deck_id))
    for _ in range(5):
        briefing.load_deck_files(tmp_path)
    assert calls == ["a"]
    path.write_text('title = "A2"\n[[slides]]\npage = "map"\n', encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    decks, _ = briefing.load_deck_files(tmp_path)
    assert calls == ["a", "a"] and decks["a"].title == "A2"


@pytest.mark.parametrize("page,key,value,ok", [
    ("map", "map_measure", "junk", False), ("map", "map_measure", "tiv", True), ("map", "flt_basis", "tiv", False),
    ("map", "_flt_current", "x", False), ("timeline", "tl_rows", "junk", False), ("timeline", "tl_rows", "system", True),
    ("timeline", "tl_events", False, True), ("timeline", "tl_events", "yes", False), ("map", "map_flows", True, True),
    ("suppliers", "sup_view", "Rival systems", True), ("suppliers", "sup_suppliers", ["France"], True),
    ("suppliers", "sup_suppliers", "France", False), ("deals", "tl_rows", "deal", False),
    ("map", "map_outlines", ["nato"], True), ("map", "map_outlines", ["x"], False),
])
def test_slide_options_accept_only_the_pages_keys_and_values(page, key, value, ok):
    kept = briefing.allowed_options(page, {key: value})
    assert (kept == {key: value}) is ok


# --- exports (items 10 and 11) --------------------------------------------------------------------------------------

def test_dates_export_as_full_iso_dates_with_their_precision_and_integers_stay_integers():
    df = pd.DataFrame({"signed_date": ["2022-08-26", "2025-09", "2022", None],
                       "quantity": [100.0, 3.0, None, 7.0], "value_usd_m": [1.5, 2.0, None, 3.25]})
    back = pd.read_csv(io.BytesIO(export.to_csv_bytes(df)), dtype=str, keep_default_na=False)
    assert list(back["signed_date"]) == ["2022-08-26", "2025-09-01", "2022-01-01", ""]
    assert list(back["signed_date_precision"]) == ["day", "month", "year", ""]
    assert list(back["quantity"]) == ["100", "3", "", "7"]
    assert list(back["value_usd_m"]) == ["1.5", "2.0", "", "3.25"]


def test_file_names_differ_whenever_the_filters_differ():
    base = Filters(year_from=2000, year_to=2026)
    variants = [base, Filters(year_from=2000, year_to=2026, q="K9"), Filters(year_from=2000, year_to=2026, q="K2"),
                Filters(year_from=2000, year_to=2026, categories=("Artillery",)),
                Filters(year_from=2000, year_to=2026, companies=("Hanwha Aerospace",)),
                Filters(year_from=2000, year_to=2026, statuses=("prospect",))]
    names = {export.file_name("deals", f, "2026-11-22") for f in variants}
    assert len(names) == len(variants)
    assert export.file_name("deals", base, "2026-11-22") == export.file_name("deals", base, "2026-11-22")


def test_zip_readme_gives_an_openable_url():
    f = Filters(regions=("Middle East",), year_from=2020, year_to=2025, q="K9 & co")
    data = export.to_zip_bytes(pd.DataFrame({"a": [1]}), "deals", f, {"built_at": "2026-11-22"}, page="deals",
                               base_url="http://127.0.0.1:8501/")
    readme = zipfile.ZipFile(io.BytesIO(data)).read("README.txt").decode()
    line = next(x for x in readme.splitlines() if x.startswith("Link: "))
    url = urlparse(line.removeprefix("Link: ").strip())
    assert (url.scheme, url.netloc, url.path) == ("http", "127.0.0.1:8501", "/deals") and "{" not in line
    assert parse_qs(url.query) == {"region": ["Middle East"], "from": ["2020"], "to": ["2025"], "q": ["K9 & co"]}


def test_deck_error_names_the_deck():
    with pytest.raises(DeckError, match="deck 'x'"):
        parse_deck('title = 123\n[[slides]]\npage = "deals"\n', "x")
    with pytest.raises(DeckError):
        parse_deck("x = " + "[" * 3000 + "]" * 3000, "x")
    assert tomllib  # the parser the app uses


def _page_constant(page: str, name: str):
    import ast

    tree = ast.parse((briefing.settings.ROOT / "pages" / f"{page}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(_without_markers(node.value))
    raise AssertionError(f"{name} not in pages/{page}.py")


def _without_markers(node):
    """N_("text") (a message marked for translation, kdefense.i18n) is the text itself."""
    import ast

    class Unmark(ast.NodeTransformer):
        def visit_Call(self, call):
            if getattr(call.func, "id", "") == "N_" and len(call.args) == 1:
                return call.args[0]
            return self.generic_visit(call)

    return Unmark().visit(node)


def test_slide_option_rules_mirror_the_pages_widgets():
    from kdefense import charts_map as cm

    rules = briefing.PAGE_OPTIONS
    assert rules["timeline"]["tl_rows"] == tuple(_page_constant("timeline", "ROWS"))
    assert rules["timeline"]["tl_book"] == tuple(_page_constant("timeline", "BOOK"))
    assert rules["suppliers"]["sup_view"] == _page_constant("suppliers", "VIEWS")
    assert set(_page_constant("suppliers", "PAGE_KEYS")) <= set(rules["suppliers"])
    assert rules["suppliers"]["sup_category"][0] == _page_constant("suppliers", "ALL_CATEGORIES")
    assert rules["map"]["map_outlines"] == [tuple(_page_constant("map", "OUTLINE_LABELS"))]
    assert (rules["map"]["map_preset"], rules["map"]["map_measure"]) == (cm.PRESETS, cm.MEASURES)
    assert (rules["map"]["map_scale"], rules["map"]["map_mode"]) == (tuple(cm.SCALES), tuple(cm.MODES))

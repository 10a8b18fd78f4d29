"""The interface catalog: every message in the code has a reviewed Korean entry, no entry is stale, placeholders
survive translation, converted modules show no untranslated literal, and the language is per session."""

from __future__ import annotations

import ast
import builtins
import re
import threading
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kdefense import i18n
from kdefense.i18n import t, use_lang

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [("dashboard.py", "python"), ("pages/**.py", "python"), ("kdefense/**.py", "python")]
KEYWORDS = {"t": None, "N_": None}

# Modules whose every user-facing string goes through t(): the test below fails on a bare literal in them.
# Grow this list as pages are converted (issue 18). For kdefense/ui.py only the listed functions are converted.
CONVERTED = {path: None for path in (
    "dashboard.py", *sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")),
    "kdefense/ui.py", "kdefense/filters.py", "kdefense/charts.py", "kdefense/charts_map.py", "kdefense/charts_suppliers.py",
    "kdefense/charts_tenders.py", "kdefense/charts_timeline.py", "kdefense/presentation.py", "kdefense/slides.py",
    "kdefense/deck_export.py", "kdefense/opendata.py",
)}
# Streamlit calls that show text, and the keyword arguments that carry it.
DISPLAY_CALLS = {"title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success", "toast",
                 "metric", "button", "download_button", "multiselect", "selectbox", "slider", "toggle", "text_input",
                 "segmented_control", "expander", "popover", "tabs", "radio", "checkbox", "Page", "set_page_config",
                 "TextColumn", "NumberColumn", "DateColumn", "LinkColumn", "ListColumn", "CheckboxColumn",
                 "update_xaxes", "update_yaxes", "add_bar", "add_scatter", "base_layout", "progress", "spinner", "text_area",
                 "pills", "number_input", "Metric", "Table", "Chart", "layout_base", "ProgressColumn", "MultiselectColumn"}
TEXT_KEYWORDS = {"label", "help", "placeholder", "title", "page_title", "name", "body", "text"}
# Literals that are not interface text: key names of hidden keyboard buttons, SQL shown as an example.
NOT_TEXT = {"PageUp", "PageDown", "SELECT * FROM deals LIMIT 10"}
LETTERS = re.compile(r"[A-Za-z]{2,}")
TAGS = re.compile(r"<[^>]*>")  # HTML markup around translated text is not text


def code_messages() -> set[str]:
    return {msg if isinstance(msg, str) else msg[0]
            for _file, _line, msg, _comments, _context in extract_from_dir(str(ROOT), METHOD_MAP, keywords=KEYWORDS)}


@pytest.fixture(scope="module")
def catalog():
    with i18n.po_path("ko").open("rb") as fh:
        return read_po(fh, locale="ko")


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    return code_messages()


def test_every_message_in_the_code_has_a_reviewed_korean_entry(catalog, extracted):
    assert len(extracted) > 100
    missing = sorted(m for m in extracted if not catalog.get(m) or not catalog.get(m).string)
    fuzzy = sorted(m for m in extracted if catalog.get(m) and catalog.get(m).fuzzy)
    assert not missing, f"no Korean for (run `make messages`, then translate): {missing}"
    assert not fuzzy, f"fuzzy (unreviewed) entries: {fuzzy}"


def test_no_stale_entries(catalog, extracted):
    stale = sorted(m.id for m in catalog if m.id and m.id not in extracted)
    assert not stale, f"entries no longer in the code (run `make messages`): {stale}"
    assert not list(catalog.obsolete)


def test_placeholders_survive_translation(catalog):
    names = re.compile(r"\{(\w*)\}")
    for message in catalog:
        if message.id and message.string:
            assert sorted(names.findall(message.id)) == sorted(names.findall(message.string)), message.id


def _bare_literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and LETTERS.search(TAGS.sub("", node.value)):
        return node.value
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        if LETTERS.search(TAGS.sub("", text)):
            return text
    if isinstance(node, ast.BinOp):
        return _bare_literal(node.left) or _bare_literal(node.right)
    return None


def untranslated(path: str, functions: set[str] | None) -> list[str]:
    tree = ast.parse((ROOT / path).read_text())
    scopes = [tree] if functions is None else [
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name in functions]
    if functions is not None:
        assert {s.name for s in scopes} == functions, f"{path}: converted functions renamed?"
    found = []
    for scope in scopes:
        for node in ast.walk(scope):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in DISPLAY_CALLS:
                continue
            if isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "").endswith(("LOG", "logging")):
                continue  # the server log is not the interface
            first = 1 if name in ("Chart", "Table") else 0  # a slide panel's key comes first, its title second
            args = [node.args[first]] if len(node.args) > first and name not in ("base_layout", "Page") else []
            if name == "base_layout" and len(node.args) > 1:
                args = [node.args[1]]
            args += [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
            found += [f"{path}:{node.lineno}: {text!r}" for text in map(_bare_literal, args)
                      if text and text not in NOT_TEXT]
    return found


@pytest.mark.parametrize("path", sorted(CONVERTED))
def test_converted_modules_show_no_untranslated_literal(path):
    assert untranslated(path, CONVERTED[path]) == []


def test_the_literal_check_catches_an_untranslated_string(tmp_path, monkeypatch):
    module = tmp_path / "page.py"
    module.write_text('import streamlit as st\nst.title("Deals")\nst.caption(f"{3} deals")\nst.info(t("Fine"))\n')
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    assert [line.split(": ", 1)[1] for line in untranslated("page.py", None)] == ["'Deals'", "' deals'"]


def test_t_translates_and_fills_placeholders_after_translation():
    assert t("Overview") == "Overview"
    with use_lang("ko"):
        assert t("Overview") == "개요"
        assert t("{n} deals", n=5) == "계약 5건"
        assert t("A message nobody translated") == "A message nobody translated"
    assert t("{n} deals", n=5) == "5 deals"


def test_language_is_per_context_never_process_wide():
    results: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def worker(lang: str) -> None:
        with use_lang(lang):
            barrier.wait()
            results[lang] = t("Overview")

    threads = [threading.Thread(target=worker, args=(lang,)) for lang in ("ko", "en")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == {"ko": "개요", "en": "Overview"}
    assert "_" not in vars(builtins), "gettext.install() must never be used"


@pytest.mark.parametrize("locale,lang", [("ko-KR", "ko"), ("ko", "ko"), ("ko_KR", "ko"), ("en-US", "en"),
                                         ("ja-JP", "en"), (None, "en"), ("", "en")])
def test_default_language_from_the_browser_locale(locale, lang):
    assert i18n.lang_from_locale(locale) == lang


def test_babel_cfg_and_make_target_use_the_same_keywords():
    makefile = (ROOT / "Makefile").read_text()
    assert "-k t -k N_" in makefile and "babel.cfg" in makefile
    cfg = (ROOT / "babel.cfg").read_text()
    for pattern, _method in METHOD_MAP:
        assert f"[python: {pattern}]" in cfg


def test_no_message_hides_inside_an_f_string():
    """pybabel (on Python 3.11) cannot see t("…") inside an f-string: such a message never reaches the catalog and
    stays English in Korean mode."""
    hidden = []
    for path in sorted(CONVERTED):
        tree = ast.parse((ROOT / path).read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (isinstance(inner, ast.Call) and getattr(inner.func, "id", "") in ("t", "N_") and inner.args
                        and isinstance(inner.args[0], ast.Constant)):
                    hidden.append(f"{path}:{inner.lineno}: {inner.args[0].value!r}")
    assert hidden == []



def literal_messages(paths, root: Path = ROOT) -> dict[str, str]:
    """Every t("…") / N_("…") with a literal message in the code, found by walking the syntax tree: message → where."""
    found: dict[str, str] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("t", "N_") and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_the_extractor_sees_every_message_in_the_code(extracted):
    """pybabel misses a t("…") inside the arguments of another t() call (`t("Delivered: {n}", n=f(t("none")))`):
    such a message is in no catalog, so it stays English in Korean mode and the completeness test above cannot
    see it. Every literal t()/N_() call in the code must reach the extractor."""
    paths = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "kdefense").rglob("*.py"))]
    found = literal_messages(paths)
    assert len(found) > 100
    unseen = sorted(f"{where}: {message!r}" for message, where in found.items() if message not in extracted)
    assert unseen == []


def test_the_extractor_check_catches_a_nested_message(tmp_path):
    from babel.messages.extract import extract_from_file

    module = tmp_path / "page.py"
    module.write_text('t("Units delivered: {n}", n=fmt(t("none recorded")))\n')
    seen = {msg for _line, msg, _comments, _context in extract_from_file("python", str(module), keywords=KEYWORDS)}
    assert set(literal_messages([module], tmp_path)) - seen == {"none recorded"}

"""Briefing decks: ordered saved views (page + filters + options + title + takeaway) in briefings/*.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from kdefense import settings
from kdefense.filters import FilterOptions, parse_query_params
from kdefense.i18n import DEFAULT_LANG, URL_PARAM, current_lang

# url_path of each page a slide may show (dashboard.py registers the same paths).
PAGES = {"overview": "", "deals": "deals", "timeline": "timeline", "map": "map", "suppliers": "suppliers",
         "data": "data", "tenders": "tenders"}


@dataclass(frozen=True)
class Slide:
    page: str
    title: str = ""
    takeaway: str = ""
    filters: dict[str, str | list[str]] = field(default_factory=dict)
    options: dict[str, str | bool | list[str]] = field(default_factory=dict)  # page widget key → value
    charts: tuple[str, ...] = ()  # which of the page's charts the slide shows (kdefense/slides.py); () = default
    title_ko: str = ""  # the Korean title and takeaway, shown in Korean mode (empty: the English ones)
    takeaway_ko: str = ""

    def query_params(self, deck_id: str, number: int) -> dict[str, str | list[str]]:
        """URL parameters that open this slide in presentation mode (page options travel with the deck, not the URL);
        the interface language travels too when it is not English."""
        lang = {URL_PARAM: current_lang()} if current_lang() != DEFAULT_LANG else {}
        return {**self.filters, "present": "1", "deck": deck_id, "slide": str(number), **lang}

    def localized(self, name: str) -> str:
        return localized(self, name)


@dataclass(frozen=True)
class Deck:
    deck_id: str
    title: str
    description: str = ""
    slides: tuple[Slide, ...] = ()
    title_ko: str = ""
    description_ko: str = ""

    def localized(self, name: str) -> str:
        return localized(self, name)

    def slide_url(self, number: int) -> str:
        """Relative URL of slide `number` (1-based)."""
        slide = self.slides[number - 1]
        return f"/{PAGES[slide.page]}?{urlencode(slide.query_params(self.deck_id, number), doseq=True)}"


def localized(item: Slide | Deck, name: str) -> str:
    """A deck's or slide's `title`/`takeaway`/`description` in the active language: `<name>_ko` in Korean mode when
    the deck gives one, else the English text."""
    korean = getattr(item, f"{name}_ko", "") if current_lang() == "ko" else ""
    return korean or getattr(item, name)


class DeckError(ValueError):
    """A deck file that does not describe valid views; the message names the deck, slide and field."""


MAX_DECK_BYTES = 256 * 1024  # a deck is a few kB; anything bigger is not a deck
MAX_SLIDES = 200
MAX_TEXT = 2000  # characters of a title, takeaway, description or filter value
Scalar = (str, int, bool)


def _text(value: object, what: str, where: str) -> str:
    if not isinstance(value, str):
        raise DeckError(f"{where}: '{what}' must be text, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise DeckError(f"{where}: '{what}' is longer than {MAX_TEXT} characters")
    return value


def _table(value: object, what: str, where: str) -> dict:
    if not isinstance(value, dict):
        raise DeckError(f"{where}: '{what}' must be a table")
    return value


def _as_params(table: dict, where: str) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for key, value in _table(table, "filters", where).items():
        if isinstance(value, list) and all(isinstance(v, Scalar) and not isinstance(v, bool) for v in value):
            out[key] = [_text(str(v), key, where) for v in value]
        elif isinstance(value, Scalar):
            out[key] = ("1" if value else "0") if isinstance(value, bool) else _text(str(value), key, where)
        else:
            raise DeckError(f"{where}: filter '{key}' must be a string, number, boolean or list of them")
    return out


def _as_options(table: dict, where: str) -> dict[str, str | bool | list[str]]:
    """Page widget values keep their type: a toggle needs a bool, a selectbox a string."""
    out: dict[str, str | bool | list[str]] = {}
    for key, value in _table(table, "options", where).items():
        if isinstance(value, bool):
            out[key] = value
        elif isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
            out[key] = [_text(str(v), key, where) for v in value]
        elif isinstance(value, (str, int, float)):
            out[key] = _text(str(value), key, where)
        else:
            raise DeckError(f"{where}: option '{key}' must be a string, number, boolean or list")
    return out


def _as_charts(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DeckError(f"{where}: 'charts' must be a list of chart names")
    return tuple(value)


def parse_deck(text: str, deck_id: str) -> Deck:
    """A Deck from TOML text; anything else than the documented format raises DeckError naming deck and slide."""
    if len(text) > MAX_DECK_BYTES:
        raise DeckError(f"deck '{deck_id}' is too large ({len(text):,} characters; at most {MAX_DECK_BYTES:,})")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DeckError(f"deck '{deck_id}' is not valid TOML: {exc}") from exc
    except RecursionError as exc:  # arrays nested thousands deep
        raise DeckError(f"deck '{deck_id}' nests arrays or tables too deeply") from exc
    where = f"deck '{deck_id}'"
    raw_slides = data.get("slides", [])
    if not isinstance(raw_slides, list) or not all(isinstance(r, dict) for r in raw_slides):
        raise DeckError(f"{where}: 'slides' must be an array of tables ([[slides]])")
    if len(raw_slides) > MAX_SLIDES:
        raise DeckError(f"{where} has {len(raw_slides)} slides; at most {MAX_SLIDES}")
    slides = []
    for i, raw in enumerate(raw_slides, start=1):
        where = f"deck '{deck_id}', slide {i}"
        page = raw.get("page", "")
        if not isinstance(page, str) or page not in PAGES:
            raise DeckError(f"{where}: unknown page '{str(page)[:40]}' (one of {', '.join(PAGES)})")
        slides.append(Slide(page=page, title=_text(raw.get("title", ""), "title", where),
                            takeaway=_text(raw.get("takeaway", ""), "takeaway", where),
                            filters=_as_params(raw.get("filters", {}), where),
                            options=_as_options(raw.get("options", {}), where),
                            charts=_as_charts(raw.get("charts", []), where),
                            title_ko=_text(raw.get("title_ko", ""), "title_ko", where),
                            takeaway_ko=_text(raw.get("takeaway_ko", ""), "takeaway_ko", where)))
    if not slides:
        raise DeckError(f"deck '{deck_id}' has no slides")
    where = f"deck '{deck_id}'"
    return Deck(deck_id=deck_id, title=_text(data.get("title", deck_id), "title", where),
                description=_text(data.get("description", ""), "description", where), slides=tuple(slides),
                title_ko=_text(data.get("title_ko", ""), "title_ko", where),
                description_ko=_text(data.get("description_ko", ""), "description_ko", where))


# path → ((mtime_ns, size), Deck or the error message): each file version is read and parsed once per process.
_PARSED: dict[Path, tuple[tuple[int, int], Deck | str]] = {}


def _load_one(path: Path) -> Deck | str:
    try:
        stat = path.stat()
    except OSError as exc:
        return f"deck '{path.stem}' cannot be read: {exc.strerror}"
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _PARSED.get(path)
    if cached is not None and cached[0] == version:
        return cached[1]
    result: Deck | str
    if stat.st_size > MAX_DECK_BYTES:
        result = f"deck '{path.stem}' is too large ({stat.st_size:,} bytes; at most {MAX_DECK_BYTES:,})"
    else:
        try:
            result = parse_deck(path.read_bytes().decode("utf-8"), path.stem)
        except DeckError as exc:
            result = str(exc)
        except UnicodeDecodeError:
            result = f"deck '{path.stem}' is not UTF-8 text"
        except OSError as exc:
            result = f"deck '{path.stem}' cannot be read: {exc.strerror}"
    _PARSED[path] = (version, result)
    return result


def load_deck_files(folder: Path | None = None) -> tuple[dict[str, Deck], dict[str, str]]:
    """The decks in `folder` (default briefings/) that parse, and a message for each file that does not.

    A bad file never raises: the Briefing page lists the message, every other page ignores the file.
    """
    folder = folder or settings.BRIEFINGS_DIR
    decks: dict[str, Deck] = {}
    problems: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")):
        result = _load_one(path)
        if isinstance(result, Deck):
            decks[path.stem] = result
        else:
            problems[path.stem] = result
    return decks, problems


def load_decks(folder: Path | None = None) -> dict[str, Deck]:
    """The decks that parse (see load_deck_files for the others)."""
    return load_deck_files(folder)[0]


# The page options (widget keys and values) a slide may set; anything else in a deck file is dropped.
# Keys and values mirror the widgets in pages/*.py (tests/unit/test_security.py checks them against the pages).
ANY_TEXT, ANY_TEXT_LIST, FLAG = "text", "text list", "flag"
PAGE_OPTIONS: dict[str, dict[str, object]] = {
    "map": {"map_preset": ("World", "Europe", "Middle East", "Asia & Oceania"),
            "map_measure": ("usd", "tiv", "units", "deals"), "map_scale": ("log", "quantile", "linear"),
            "map_mode": ("cumulative", "per_year"), "map_outlines": [("nato", "eu")], "map_flows": FLAG,
            "map_facilities": FLAG},
    "timeline": {"tl_deal": ANY_TEXT, "tl_rows": ("deal", "system"), "tl_events": FLAG, "tl_munitions": FLAG,
                 "tl_book": ("units", "value")},
    "suppliers": {"sup_view": ("Share & rank", "Recipient markets", "Speed & order book", "Rival systems",
                               "Korean firms"),
                  "sup_suppliers": ANY_TEXT_LIST, "sup_window": ANY_TEXT, "sup_class": ANY_TEXT,
                  "sup_category": ("All categories", *settings.ARMAMENT_CATEGORIES), "sup_new_only": FLAG},
}


def _option_ok(rule: object, value: object) -> bool:
    if rule == FLAG:
        return isinstance(value, bool)
    if rule == ANY_TEXT:
        return isinstance(value, str)
    if rule == ANY_TEXT_LIST:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if isinstance(rule, list):  # a multi-select: a list drawn from rule[0]
        return isinstance(value, list) and all(v in rule[0] for v in value)
    return isinstance(value, str) and value in rule  # type: ignore[operator]


def allowed_options(page: str, options: dict) -> dict:
    """Only the options the page knows, with values its widgets accept (others would break the page)."""
    rules = PAGE_OPTIONS.get(page, {})
    return {k: v for k, v in options.items() if k in rules and _option_ok(rules[k], v)}


def validate_deck(deck: Deck, options: FilterOptions) -> list[str]:
    """Problems that would make a slide show something else than saved: every filter must still resolve."""
    problems = []
    for i, slide in enumerate(deck.slides, start=1):
        raw = {k: v if isinstance(v, list) else [v] for k, v in slide.filters.items()}
        _, notices = parse_query_params(raw, options)
        dropped = sorted(set(slide.options) - set(allowed_options(slide.page, slide.options)))
        notices += [f"option '{k}' is not one the {slide.page} page accepts, ignored" for k in dropped]
        problems += [f"deck '{deck.deck_id}', slide {i} ({slide.title or slide.page}): {n}" for n in notices]
    return problems


_TOML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_char(ch: str) -> str:
    if ch in _TOML_ESCAPES:
        return _TOML_ESCAPES[ch]
    code = ord(ch)
    if code < 0x20 or code == 0x7F:  # TOML forbids raw control characters in strings
        return f"\\u{code:04X}"
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate is not text (and not valid TOML)
        return "\uFFFD"
    return ch


def _toml_value(value: str | bool | list[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + "".join(_toml_char(ch) for ch in str(value)) + '"'


def deck_to_toml(deck: Deck) -> str:
    """A readable TOML file that parse_deck reads back unchanged."""
    lines = [f"title = {_toml_value(deck.title)}"]
    for name in ("title_ko", "description", "description_ko"):
        if getattr(deck, name):
            lines.append(f"{name} = {_toml_value(getattr(deck, name))}")
    for slide in deck.slides:
        lines += ["", "[[slides]]", f"page = {_toml_value(slide.page)}", f"title = {_toml_value(slide.title)}",
                  f"takeaway = {_toml_value(slide.takeaway)}"]
        lines += [f"{name} = {_toml_value(getattr(slide, name))}" for name in ("title_ko", "takeaway_ko")
                  if getattr(slide, name)]
        if slide.charts:
            lines.append(f"charts = {_toml_value(list(slide.charts))}")
        for section, values in (("filters", slide.filters), ("options", slide.options)):
            if values:
                lines.append(f"[slides.{section}]")
                lines += [f"{_key(k)} = {_toml_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _toml_value(name)


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "deck"

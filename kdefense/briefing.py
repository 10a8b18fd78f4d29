"""Briefing decks: ordered saved views (page + filters + options + title + takeaway) in briefings/*.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from kdefense import settings
from kdefense.filters import FilterOptions, parse_query_params

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

    def query_params(self, deck_id: str, number: int) -> dict[str, str | list[str]]:
        """URL parameters that open this slide in presentation mode (page options travel with the deck, not the URL)."""
        return {**self.filters, "present": "1", "deck": deck_id, "slide": str(number)}


@dataclass(frozen=True)
class Deck:
    deck_id: str
    title: str
    description: str = ""
    slides: tuple[Slide, ...] = ()

    def slide_url(self, number: int) -> str:
        """Relative URL of slide `number` (1-based)."""
        slide = self.slides[number - 1]
        return f"/{PAGES[slide.page]}?{urlencode(slide.query_params(self.deck_id, number), doseq=True)}"


class DeckError(ValueError):
    """A deck file that does not describe valid views; the message names the deck, slide and field."""


def _as_params(table: dict, where: str) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for key, value in table.items():
        if isinstance(value, list):
            out[key] = [str(v) for v in value]
        elif isinstance(value, (str, int, bool)):
            out[key] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        else:
            raise DeckError(f"{where}: '{key}' must be a string, number, boolean or list")
    return out


def _as_options(table: dict, where: str) -> dict[str, str | bool | list[str]]:
    """Page widget values keep their type: a toggle needs a bool, a selectbox a string."""
    out: dict[str, str | bool | list[str]] = {}
    for key, value in table.items():
        if isinstance(value, bool):
            out[key] = value
        elif isinstance(value, list):
            out[key] = [str(v) for v in value]
        elif isinstance(value, (str, int, float)):
            out[key] = str(value)
        else:
            raise DeckError(f"{where}: option '{key}' must be a string, number, boolean or list")
    return out


def parse_deck(text: str, deck_id: str) -> Deck:
    data = tomllib.loads(text)
    slides = []
    for i, raw in enumerate(data.get("slides", []), start=1):
        where = f"deck '{deck_id}', slide {i}"
        page = raw.get("page", "")
        if page not in PAGES:
            raise DeckError(f"{where}: unknown page '{page}' (one of {', '.join(PAGES)})")
        slides.append(Slide(page=page, title=raw.get("title", ""), takeaway=raw.get("takeaway", ""),
                            filters=_as_params(raw.get("filters", {}), where),
                            options=_as_options(raw.get("options", {}), where)))
    if not slides:
        raise DeckError(f"deck '{deck_id}' has no slides")
    return Deck(deck_id=deck_id, title=data.get("title", deck_id), description=data.get("description", ""),
                slides=tuple(slides))


def load_decks(folder: Path | None = None) -> dict[str, Deck]:
    folder = folder or settings.BRIEFINGS_DIR
    return {p.stem: parse_deck(p.read_text(encoding="utf-8"), p.stem) for p in sorted(folder.glob("*.toml"))}


def validate_deck(deck: Deck, options: FilterOptions) -> list[str]:
    """Problems that would make a slide show something else than saved: every filter must still resolve."""
    problems = []
    for i, slide in enumerate(deck.slides, start=1):
        raw = {k: v if isinstance(v, list) else [v] for k, v in slide.filters.items()}
        _, notices = parse_query_params(raw, options)
        problems += [f"deck '{deck.deck_id}', slide {i} ({slide.title or slide.page}): {n}" for n in notices]
    return problems


def _toml_value(value: str | bool | list[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def deck_to_toml(deck: Deck) -> str:
    """A readable TOML file that parse_deck reads back unchanged."""
    lines = [f"title = {_toml_value(deck.title)}"]
    if deck.description:
        lines.append(f"description = {_toml_value(deck.description)}")
    for slide in deck.slides:
        lines += ["", "[[slides]]", f"page = {_toml_value(slide.page)}", f"title = {_toml_value(slide.title)}",
                  f"takeaway = {_toml_value(slide.takeaway)}"]
        for section, values in (("filters", slide.filters), ("options", slide.options)):
            if values:
                lines.append(f"[slides.{section}]")
                lines += [f"{_key(k)} = {_toml_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _toml_value(name)


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "deck"

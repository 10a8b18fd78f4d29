"""Display names of data values in the active language. The data keep English names and ISO codes; this is the
display layer (docs/i18n.md).

- statuses, regions, categories: interface terms, translated in the gettext catalog (marked with N_ below);
- countries: Babel's (CLDR) Korean territory names by ISO alpha-2, with the overrides in
  data/sources/reference/korean_names.csv (kind=country; e.g. AUS → 호주, as Korean media write);
- countries a question returns by name only (SIPRI's supplier and recipient spellings, the ledger's recipient in
  labels built by SQL): the same Korean name, found by the name's ISO code (country_names.sql);
- system families and Korean companies: the curated, cited names in the same file (kind=system / company);
  a value without a curated name keeps its English name. SIPRI designations are never translated.
"""

from __future__ import annotations

import csv
import functools
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from babel import Locale

from kdefense import settings
from kdefense.i18n import N_, current_lang, t

NAMES_FILE = "reference/korean_names.csv"

STATUS_LABELS = {
    "prospect": N_("prospect"), "negotiating": N_("negotiating"), "framework/MoU": N_("framework/MoU"),
    "contract": N_("contract"), "delivering": N_("delivering"), "completed": N_("completed"),
    "cancelled": N_("cancelled"), "lost": N_("lost"),
}
REGION_LABELS = {
    "Europe": N_("Europe"), "Middle East": N_("Middle East"), "Asia & Oceania": N_("Asia & Oceania"),
    "Americas": N_("Americas"), "Africa": N_("Africa"),
    "Unknown / international": N_("Unknown / international"),  # SIPRI recipients with no region (UN, NATO…)
}
CATEGORY_LABELS = {
    "Aircraft": N_("Aircraft"), "Air-defence systems": N_("Air-defence systems"),
    "Armoured vehicles": N_("Armoured vehicles"), "Artillery": N_("Artillery"), "Engines": N_("Engines"),
    "Missiles": N_("Missiles"), "Naval weapons": N_("Naval weapons"), "Other": N_("Other"),
    "Satellites": N_("Satellites"), "Sensors": N_("Sensors"), "Ships": N_("Ships"), "Ammunition": N_("Ammunition"),
    "Services": N_("Services"),
}


def names_path() -> Path:
    return Path(settings.SOURCES_DIR) / NAMES_FILE


@functools.cache
def curated() -> dict[tuple[str, str], str]:
    """(kind, English name or ISO3) → Korean name, from the cited reference file."""
    path = names_path()
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {(row["kind"], row["name"]): row["name_ko"] for row in csv.DictReader(fh) if row["name_ko"]}


def _term(labels: dict[str, str], value: str) -> str:
    return t(labels[value]) if value in labels else value


def status(value: str) -> str:
    return _term(STATUS_LABELS, value)


def region(value: str) -> str:
    return _term(REGION_LABELS, value)


def category(value: str) -> str:
    return _term(CATEGORY_LABELS, value)


def deal_kind(value: str) -> str:
    """A kind of business (settings.DEAL_KINDS) by its label: 'new_build' → 'New-build sale' / '신규 판매'."""
    return t(settings.DEAL_KIND_LABELS[value]) if value in settings.DEAL_KIND_LABELS else value


OUTCOME_LABELS = {"won": N_("won"), "lost": N_("lost"), "withdrawn": N_("withdrawn"), "cancelled": N_("cancelled"),
                  "open": N_("open")}


def outcome(value: str) -> str:
    """Korea's result in a competition (settings.COMPETITION_OUTCOMES)."""
    return _term(OUTCOME_LABELS, value)


# Families that are no name but the ledger's placeholder for one: interface terms, translated in the catalog.
PLACEHOLDER_SYSTEMS = {"Undisclosed system": N_("Undisclosed system"), "Multiple systems": N_("Multiple systems")}


FACILITY_TERMS = {  # kinds, statuses and year kinds of Korean firms' sites abroad (facilities)
    "office": N_("office"), "production": N_("production"), "joint venture": N_("joint venture"),
    "operating": N_("operating"), "agreed": N_("agreed"), "planned": N_("planned"),
    "under construction": N_("under construction"), "opened": N_("opened"),
}


def facility_term(value: str) -> str:
    return _term(FACILITY_TERMS, value)


RIVAL_CLASSES = {  # classes of rival systems (data/sources/sipri/system_families.csv, column system_class)
    "Infantry fighting vehicles": N_("Infantry fighting vehicles"),
    "Rocket artillery munitions": N_("Rocket artillery munitions"),
    "Armoured vehicles (other)": N_("Armoured vehicles (other)"), "Main battle tanks": N_("Main battle tanks"),
    "Self-propelled guns": N_("Self-propelled guns"), "Light combat & trainer jets": N_("Light combat & trainer jets"),
    "Rocket artillery": N_("Rocket artillery"), "Medium-range air defence": N_("Medium-range air defence"),
    "Air defence (short range)": N_("Air defence (short range)"), "Combat aircraft": N_("Combat aircraft"),
    "Trainer aircraft": N_("Trainer aircraft"),
}


def rival_class(value: str) -> str:
    return _term(RIVAL_CLASSES, value)


EVENT_KINDS = {"war": N_("war"), "summit": N_("summit"), "policy": N_("policy"), "exhibition": N_("exhibition"),
               "visit": N_("visit")}  # the Timeline's context events (events.kind)
ORIGIN_LABELS = {"sipri": N_("SIPRI"), "ledger": N_("ledger")}  # where a delivery row comes from


CONFIDENCE_LABELS = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}  # the ledger's confidence


def confidence(value: str) -> str:
    return _term(CONFIDENCE_LABELS, value)


def event_kind(value: str) -> str:
    return _term(EVENT_KINDS, value)


def origin(value: str) -> str:
    return _term(ORIGIN_LABELS, value)


# The ledger's value notes open with a few fixed phrases; what follows is the curated row's own English text.
VALUE_NOTE_PHRASES = (("not disclosed", N_("not disclosed")), ("aid transfer (no price)", N_("aid transfer (no price)")),
                      ("framework: no value", N_("framework: no value")),
                      ("prospect: no contract or value reported", N_("prospect: no contract or value reported")))


def value_note(note: object) -> str:
    """A deal's value note in the active language: the fixed phrases of the ledger translated ('included in
    KR-NOR-2017-K9' → 'KR-NOR-2017-K9에 포함'), the rest of the note as the ledger writes it."""
    if not isinstance(note, str) or current_lang() != "ko":
        return note if isinstance(note, str) else ""
    if note.startswith("included in ") and " " not in note[len("included in "):]:
        return t("included in {deal}", deal=note[len("included in "):])
    for phrase, label in VALUE_NOTE_PHRASES:
        if note == phrase:
            return t(label)
        if note.startswith(phrase) and note[len(phrase)] in " :;(":
            return t(label) + note[len(phrase):]
    return note


def system(value: str) -> str:
    if current_lang() != "ko":
        return value
    if value in PLACEHOLDER_SYSTEMS:
        return t(PLACEHOLDER_SYSTEMS[value])
    return curated().get(("system", value), value)


# The firm questions' placeholders for deals without a named prime contractor (suppliers_firms_*.sql).
PLACEHOLDER_COMPANIES = {"Other / not stated": N_("Other / not stated"), "Not stated": N_("Not stated")}


def designation(value: object) -> object:
    """A designation as the data write it (SIPRI designations are never translated), except the ledger's
    placeholder 'not disclosed'."""
    return t("not disclosed") if value == "not disclosed" else value


def company(value: str) -> str:
    if current_lang() != "ko":
        return value
    if value in PLACEHOLDER_COMPANIES:
        return t(PLACEHOLDER_COMPANIES[value])
    return curated().get(("company", value), value)


@functools.cache
def _territories() -> dict[str, str]:
    return dict(Locale("ko").territories)


def country_ko(iso3: str, iso2: str | None) -> str | None:
    """The Korean name of a country: the documented override, else Babel's territory name, else None."""
    return curated().get(("country", iso3)) or (_territories().get(iso2) if iso2 else None)


def country(iso3: str, english: str, iso2: str | None = None) -> str:
    """A country's display name; `iso2` defaults to the database's code for `iso3`."""
    if current_lang() != "ko":
        return english
    if iso2 is None:
        iso2 = _iso2().get(iso3)
    return country_ko(iso3, iso2) or english


def _iso2() -> dict[str, str]:
    from kdefense import queries

    try:
        return dict(queries.run("country_codes").itertuples(index=False, name=None))
    except Exception:  # noqa: BLE001 - no database: no Korean names beyond the overrides
        return {}


@functools.lru_cache(maxsize=2)
def _codes_by_name(signature: tuple) -> dict[str, tuple[str, str | None]]:
    from kdefense import queries

    df = queries.run("country_names")
    return {name: (iso3, iso2 if isinstance(iso2, str) else None)
            for name, iso3, iso2 in df.itertuples(index=False, name=None)}


def _codes() -> dict[str, tuple[str, str | None]]:
    from kdefense import db

    try:
        return _codes_by_name(db.signature())
    except Exception:  # noqa: BLE001 - no database: names stay as the data write them
        return {}


def country_by_name(name: str) -> str:
    """A country the data name without its code (SIPRI's 'Turkiye', the reference 'Türkiye'): its Korean name in
    Korean mode; a name with no ISO code (SIPRI's 'unknown supplier(s)', 'NATO**', rebel groups) stays as written."""
    if current_lang() != "ko" or not isinstance(name, str):
        return name
    codes = _codes().get(name)
    return (country_ko(*codes) if codes else None) or name


def _country_namer() -> Callable[[str], str]:
    """country_by_name for many names in one go (Korean mode): the lookup table fetched once, each name once."""
    codes = _codes()

    @functools.cache
    def name(english: str) -> str:
        found = codes.get(english) if isinstance(english, str) else None
        return (country_ko(*found) if found else None) or english

    return name


def gantt_labels(df: pd.DataFrame, by_system: bool) -> pd.DataFrame:
    """The Timeline's row labels (Gantt, speed chart) in the active language.

    The SQL builds them from English names, as the rows' keys ('Australia · 2004-DELOS', 'Poland · K9'); in Korean
    the recipient and the system family are named in Korean ('호주 · 2004-DELOS', '폴란드 · K9 자주포'), the deal id
    and the tree marks (↳) are kept. One lookup per row, not per drawn part; a Korean label that would merge two
    rows (two English names with one Korean name) keeps the English ones."""
    if current_lang() != "ko" or df.empty:
        return df
    shown: dict[str, str] = {}
    country_name, system_name = _country_namer(), functools.cache(system)
    rows = df.drop_duplicates("row_label")
    families = rows["system_family"] if "system_family" in rows else [None] * len(rows)
    for label, recipient, family in zip(rows["row_label"].tolist(), rows["recipient"].tolist(), list(families),
                                        strict=True):
        if by_system:
            what = system_name(family) if isinstance(family, str) else t("system not stated")
            shown[label] = f"{country_name(recipient)} · {what}"
        elif isinstance(recipient, str) and label.startswith(f"{recipient} · "):
            shown[label] = country_name(recipient) + label[len(recipient):]
        else:
            shown[label] = label  # an executive contract under its framework: '↳ 2022-K2-EC1'
    repeated = {k for k, n in Counter(shown.values()).items() if n > 1}
    mapping = {label: label if korean in repeated else korean for label, korean in shown.items()}
    return df.assign(row_label=df["row_label"].map(mapping))


def listed(text: str, display: Callable[[str], str] = country_by_name, sep: str = ", ") -> str:
    """A list the SQL joined into one text ('Egypt, Poland, Türkiye'), each name shown by `display`."""
    if current_lang() != "ko" or not isinstance(text, str) or not text:
        return text
    return sep.join(display(part) for part in text.split(sep))


def deal_labels(df: pd.DataFrame) -> dict[str, str]:
    """The Timeline's deal picker: deal id → label. English: the SQL's label; Korean: the same parts with the
    recipient, system family, status and date in Korean ('폴란드 · K9 자주포 · K9PL — 계약 체결, 2022년 8월 26일 (…)')."""
    if current_lang() != "ko":
        return dict(zip(df["deal_id"], df["label"], strict=True))
    from kdefense import fmt

    def text(value: object) -> str:
        return value if isinstance(value, str) else ""

    country_name, system_name = _country_namer(), functools.cache(system)
    status_name = functools.cache(status)

    @functools.cache
    def date(value: str) -> str:
        return fmt.date(value, lang="ko")

    columns = ("deal_id", "recipient", "system_family", "designation", "status", "signed_date")
    return {deal: f"{country_name(recipient)} · {system_name(family) if text(family) else '?'} · {text(designation)}"
                  f" — {status_name(state)}, {date(signed)} ({deal})"
            for deal, recipient, family, designation, state, signed in zip(*(df[c].tolist() for c in columns))}

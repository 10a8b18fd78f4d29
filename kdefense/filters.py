"""The shared filter state: one immutable object per rerun, passed to every query.

URL names are short and stable (docs/schema.md): region, nato, eu, country, category, system, company,
status, kind, from, to, basis, q.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from kdefense import settings
from kdefense.i18n import N_, t
from kdefense.safety import plain

BASES = ("usd", "tiv")
BASIS_LABELS = {"usd": N_("Contract value (USD)"), "tiv": N_("SIPRI TIV")}
DEFAULT_STATUSES = settings.SIGNED_STATUSES
MAX_QUERY_TEXT = 80
MAX_NOTICES = 10  # a URL with thousands of junk parameters gets a short report, not thousands of warnings


def ascii_int(text: str, digits: int = 4) -> int | None:
    """The integer in `text` if it is 1..digits ASCII digits and nothing else, else None.

    str.isdigit() accepts "²" (int() then raises) and "٢٠٢٠" (int() reads it): neither is a year in a link."""
    return int(text) if re.fullmatch(f"[0-9]{{1,{digits}}}", text or "") else None

# URL names that belong to the view but not to the filters (presentation mode, briefing decks).
VIEW_PARAMS = ("present", "theme", "deck", "slide", "deal", "mydeck", "sql")

# URL name → Filters attribute, in display order.
URL_NAMES = {
    "region": "regions", "nato": "nato", "eu": "eu", "country": "countries", "category": "categories",
    "system": "systems", "company": "companies", "status": "statuses", "kind": "kinds", "from": "year_from",
    "to": "year_to",
    "basis": "basis", "q": "q",
}


@dataclass(frozen=True)
class Filters:
    """What the user asked to see. Empty tuples mean 'all'."""

    regions: tuple[str, ...] = ()
    nato: bool = False
    eu: bool = False
    countries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    kinds: tuple[str, ...] = ()
    year_from: int = 1970
    year_to: int = 2030
    basis: str = "usd"
    q: str = ""
    country_labels: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def params(self) -> dict[str, Any]:
        """SQL parameters for filter_deals.sql / filter_transfers.sql (lists, never interpolated)."""
        return {
            "regions": list(self.regions), "nato": self.nato, "eu": self.eu, "countries": list(self.countries),
            "categories": list(self.categories), "systems": list(self.systems), "companies": list(self.companies),
            "statuses": list(self.statuses), "kinds": list(self.kinds), "year_from": self.year_from, "year_to": self.year_to, "q": self.q,
        }

    def previous_period(self) -> Filters:
        """The same filters over the equally long period just before this one (for deltas)."""
        span = self.year_to - self.year_from + 1
        return replace(self, year_from=self.year_from - span, year_to=self.year_from - 1)

    def with_previous_period(self) -> Filters:
        """The same filters over this period and the equally long one before it (both periods in one question)."""
        return replace(self, year_from=self.previous_period().year_from)

    def describe(self) -> str:
        """One line a colleague can read aloud: what is shown (in the active language)."""
        from kdefense import names

        parts = [t(BASIS_LABELS[self.basis]), f"{self.year_from}–{self.year_to}"]
        if self.regions:
            parts.append(" + ".join(names.region(r) for r in self.regions))
        if self.nato:
            parts.append(t("NATO members"))
        if self.eu:
            parts.append(t("EU members"))
        if self.countries:
            parts.append(", ".join(names.country(c, self.country_labels.get(c, c)) for c in self.countries))
        for label, values in ((t("category"), [names.category(v) for v in self.categories]),
                              (t("system"), [names.system(v) for v in self.systems]),
                              (t("company"), [names.company(v) for v in self.companies])):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        if self.kinds:
            parts.append(t("kind") + ": " + ", ".join(names.deal_kind(k) for k in self.kinds))
        if self.basis == "tiv":
            parts.append(t("SIPRI records (status, company and kind filters apply to the ledger only)"))
        elif set(self.statuses) != set(DEFAULT_STATUSES):
            parts.append(t("status: {statuses}", statuses=", ".join(names.status(v) for v in self.statuses)
                           if self.statuses else t("all")))
        else:
            parts.append(t("signed deals"))
        if self.q:
            parts.append(t("search “{q}”", q=self.q))
        return " · ".join(parts)

    def to_query_params(self) -> dict[str, str | list[str]]:
        """URL parameters that reproduce this view (defaults omitted)."""
        default = Filters(year_from=self.year_from, year_to=self.year_to)
        out: dict[str, str | list[str]] = {}
        for url_name, attr in URL_NAMES.items():
            value = getattr(self, attr)
            if attr in ("year_from", "year_to"):
                out[url_name] = str(value)
            elif value != getattr(default, attr):
                if isinstance(value, bool):
                    out[url_name] = "1" if value else "0"
                elif isinstance(value, tuple):
                    out[url_name] = list(value)
                else:
                    out[url_name] = str(value)
        return out

    def file_slug(self) -> str:
        """Short, filesystem-safe summary of the key filters for download names."""
        bits = [self.basis, f"{self.year_from}-{self.year_to}"]
        for values in (self.regions, self.countries, self.systems):
            if values:
                bits.append("+".join(values)[:40])
        if self.nato:
            bits.append("nato")
        if self.eu:
            bits.append("eu")
        slug = "_".join(bits).replace(" & ", "-").replace(" ", "-").replace("/", "-")
        return "".join(ch for ch in slug if ch.isalnum() or ch in "-_+.")


@dataclass(frozen=True)
class FilterOptions:
    """The values a filter may take, read from the database."""

    countries: Mapping[str, str]  # iso3 → name
    categories: tuple[str, ...]
    systems: tuple[str, ...]
    companies: tuple[str, ...]
    year_min: int
    year_max: int


def parse_query_params(raw: Mapping[str, list[str]], options: FilterOptions) -> tuple[Filters, list[str]]:
    """Turn URL parameters into Filters; every unknown or malformed value is dropped and reported."""
    notices: list[str] = []
    values: dict[str, Any] = {"year_from": options.year_min, "year_to": options.year_max}
    allowed: dict[str, Any] = {
        "region": settings.REGIONS, "country": options.countries, "category": options.categories,
        "system": options.systems, "company": options.companies, "status": settings.DEAL_STATUSES,
        "kind": settings.DEAL_KINDS,
    }
    for name, items in raw.items():
        if name in VIEW_PARAMS:
            continue
        if name not in URL_NAMES:
            notices.append(t("unknown parameter '{name}' ignored", name=name[:30]))
            continue
        attr = URL_NAMES[name]
        if name in allowed:
            good = tuple(dict.fromkeys(v for v in items if v in allowed[name]))
            bad = [v for v in items if v not in allowed[name]]
            if bad:
                notices.append(t("{name}: {values} not recognised, ignored", name=name,
                                   values=", ".join(repr(b[:30]) for b in bad[:5])))
            values[attr] = good
        elif name in ("nato", "eu"):
            last = items[-1] if items else ""
            if last in ("1", "true", "0", "false"):
                values[attr] = last in ("1", "true")
            else:
                notices.append(t("{name}: {value} is not 1 or 0, ignored", name=name, value=repr(last[:30])))
        elif name in ("from", "to"):
            last = items[-1] if items else ""
            year = ascii_int(last)
            if year is not None and options.year_min <= year <= options.year_max:
                values[attr] = year
            else:
                notices.append(t("{name}: {value} is not a year in {start}–{end}, ignored", name=name,
                                   value=repr(last[:30]), start=options.year_min, end=options.year_max))
        elif name == "basis":
            last = items[-1] if items else ""
            if last in BASES:
                values[attr] = last
            else:
                notices.append(t("basis: {value} is not one of {bases}, ignored", value=repr(last[:30]),
                                   bases=", ".join(BASES)))
        elif name == "q":  # one line of printable text, as the search box itself allows
            values[attr] = plain(items[-1] if items else "", limit=4 * MAX_QUERY_TEXT)[:MAX_QUERY_TEXT]
    if len(notices) > MAX_NOTICES:
        notices = [*notices[:MAX_NOTICES - 1], t("and {n} more ignored parameters",
                                                         n=len(notices) - MAX_NOTICES + 1)]
    if values["year_from"] > values["year_to"]:
        notices.append(t("from is after to: the years were swapped"))
        values["year_from"], values["year_to"] = values["year_to"], values["year_from"]
    return Filters(country_labels=options.countries, **values), notices


def filter_field_names() -> list[str]:
    return [f.name for f in fields(Filters) if f.name != "country_labels"]

"""Named, parameterised SQL questions (kdefense/sql/*.sql) with cached results.

A question file that starts with `-- uses: deals` (or `transfers`) runs on the shared-filter CTE `fd`
(or `ft`); the CTE text is fixed SQL from filter_*.sql and every value is a `$name` parameter.
Results are cached per question, parameters and database file version, so a rebuild is never served stale.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pandas as pd
import streamlit as st

from kdefense import db, settings
from kdefense.filters import FilterOptions, Filters

FILTER_CTES = {"deals": ("fd", "filter_deals"), "transfers": ("ft", "filter_transfers"),
               "competitions": ("fc", "filter_competitions")}


@cache
def sql_text(name: str) -> str:
    """The full SQL of a question, with its filter CTE composed in."""
    text = (settings.SQL_DIR / f"{name}.sql").read_text()
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if not first.startswith("-- uses:"):
        return text
    alias, filter_file = FILTER_CTES[first.removeprefix("-- uses:").strip()]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    cte = f"{alias} AS (\n{(settings.SQL_DIR / f'{filter_file}.sql').read_text()}\n)"
    stripped = body.lstrip()
    if stripped[:4].upper() == "WITH":
        return f"WITH {cte},\n{stripped[4:]}"
    return f"WITH {cte}\n{stripped}"


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached(name: str, params: tuple[tuple[str, Any], ...], signature: tuple[str, int, int]) -> pd.DataFrame:
    return db.execute(sql_text(name), {k: list(v) if isinstance(v, tuple) else v for k, v in params})


def run(name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Result of question `name` (a copy; callers may modify it)."""
    items = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()))
    return _cached(name, items, db.signature()).copy()


def run_filtered(name: str, filters: Filters, **extra: Any) -> pd.DataFrame:
    """A question on a shared-filter CTE; only the parameters its SQL names are passed (DuckDB rejects extras)."""
    used = set(re.findall(r"\$(\w+)", sql_text(name)))
    return run(name, {k: v for k, v in {**filters.params(), **extra}.items() if k in used})


def filter_options() -> FilterOptions:
    df = run("filter_options")
    by = {f: g for f, g in df.groupby("field")}
    countries = by.get("country", pd.DataFrame(columns=["value", "label"])).dropna(subset=["value"])
    names = dict(sorted(((r.value, r.label or r.value) for r in countries.itertuples()), key=lambda kv: kv[1]))

    def values(field: str) -> tuple[str, ...]:
        g = by.get(field)
        return tuple(sorted(set(g["value"].dropna()))) if g is not None else ()

    return FilterOptions(
        countries=names, categories=values("category"), systems=values("system"), companies=values("company"),
        year_min=int(by["year_min"]["value"].iloc[0]), year_max=int(by["year_max"]["value"].iloc[0]),
    )


def build_info() -> dict[str, str]:
    return dict(run("build_info").itertuples(index=False, name=None))

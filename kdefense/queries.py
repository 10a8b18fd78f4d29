"""Named, parameterised SQL questions (kdefense/sql/*.sql) with cached results.

A question file that starts with `-- uses: deals` (or `transfers`) runs on the shared-filter CTE `fd`
(or `ft`); the CTE text is fixed SQL from filter_*.sql and every value is a `$name` parameter. With
`-- uses: deals inlined` the filter is planned into each place the question reads it, not computed once.
Results are cached per question, parameters and database file version, so a rebuild is never served stale.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from kdefense import db, settings
from kdefense.filters import FilterOptions, Filters

FILTER_CTES = {"deals": ("fd", "filter_deals"), "transfers": ("ft", "filter_transfers"),
               "competitions": ("fc", "filter_competitions"), "competitions_view": ("fc", "filter_competitions_view")}


@cache
def sql_text(name: str) -> str:
    """The full SQL of a question, with its filter CTE composed in."""
    return compose((settings.SQL_DIR / f"{name}.sql").read_text())


def compose(text: str) -> str:
    """A question's text with the filter CTE its `-- uses:` line names composed in (text without one as it is)."""
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if not first.startswith("-- uses:"):
        return text
    uses, _, mode = first.removeprefix("-- uses:").strip().partition(" ")
    alias, filter_file = FILTER_CTES[uses]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    # `-- uses: deals inlined`: a question that reads the filter several times has it planned into each read, as
    # one question per read would (DuckDB would otherwise compute it once, and sums could add in another order)
    inlined = "NOT MATERIALIZED " if mode == "inlined" else ""
    cte = f"{alias} AS {inlined}(\n{(settings.SQL_DIR / f'{filter_file}.sql').read_text()}\n)"
    stripped = body.lstrip()
    if stripped[:4].upper() == "WITH":
        return f"WITH {cte},\n{stripped[4:]}"
    return f"WITH {cte}\n{stripped}"


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached(name: str, params: tuple[tuple[str, Any], ...], signature: tuple[str, int, int]) -> pd.DataFrame:
    answer = db.execute(sql_text(name), {k: list(v) if isinstance(v, tuple) else v for k, v in params})
    _answered((name, params, signature))
    return answer


def _key(name: str, params: dict[str, Any] | None, signature: tuple[str, int, int]) -> tuple:
    """The cache key of a question: name, parameters (sorted, lists as tuples) and database file version."""
    return name, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items())), signature


def run(name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Result of question `name` (a copy; callers may modify it)."""
    key = _key(name, params, db.signature())
    df = _cached(*key).copy()
    _remember(df, key)
    return df


# id(result frame) → (weak reference, (question, parameters, file version), shape): what a frame handed out by
# run() answers, so that a cache of what is built from it (ui.figure) is keyed by the question instead of hashing
# every cell of the frame again on each rerun. Entries go when the frame is collected.
_ORIGINS: dict[int, tuple[weakref.ref, tuple, tuple]] = {}


def _remember(df: pd.DataFrame, key: tuple) -> None:
    frame_id = id(df)
    _ORIGINS[frame_id] = (weakref.ref(df, lambda ref: _forget(frame_id, ref)), key, _shape(df))


def _forget(frame_id: int, ref: weakref.ref) -> None:
    kept = _ORIGINS.get(frame_id)
    if kept is not None and kept[0] is ref:
        _ORIGINS.pop(frame_id, None)


def _shape(df: pd.DataFrame) -> tuple:
    return df.shape, tuple(df.columns)


def origin(df: pd.DataFrame) -> tuple | None:
    """(question, parameters, file version) of a frame returned by run() and still of the shape it was returned
    with, else None (a frame made by other code, or one a caller reshaped)."""
    kept = _ORIGINS.get(id(df))
    if kept is None or kept[0]() is not df or kept[2] != _shape(df):
        return None
    return kept[1]


def run_filtered(name: str, filters: Filters, **extra: Any) -> pd.DataFrame:
    """A question on a shared-filter CTE; only the parameters its SQL names are passed (DuckDB rejects extras)."""
    return run(name, _filtered_params(name, filters, extra))


def _filtered_params(name: str, filters: Filters, extra: dict[str, Any]) -> dict[str, Any]:
    used = set(re.findall(r"\$(\w+)", sql_text(name)))
    return {k: v for k, v in {**filters.params(), **extra}.items() if k in used}


# Background askers for prefetch(): DuckDB releases the GIL while it binds, plans and runs a question, so the
# questions a page asks further down are answered while the script builds the charts of the first ones.
PREFETCH_WORKERS = 2
_PREFETCH = ThreadPoolExecutor(max_workers=PREFETCH_WORKERS, thread_name_prefix="kdefense-prefetch")
LOG = logging.getLogger("kdefense.queries")


# Keys answered in this process (most recent last, bounded): prefetch skips them, so a warm rerun sets no thread
# to work. Only a hint: an answer the cache has since dropped is simply asked again by the page itself.
_ANSWERED: OrderedDict[tuple, None] = OrderedDict()
_ANSWERED_MAX = 4096
_ANSWERED_LOCK = threading.Lock()


def _answered(key: tuple) -> None:
    with _ANSWERED_LOCK:
        _ANSWERED[key] = None
        _ANSWERED.move_to_end(key)
        while len(_ANSWERED) > _ANSWERED_MAX:
            _ANSWERED.popitem(last=False)


def _ask(key: tuple) -> None:
    try:
        _cached(*key)
    except Exception as exc:  # noqa: BLE001 - the page asks again with run() and shows the error there
        LOG.debug("prefetch of %s failed: %s", key[0], exc)


def prefetch_filtered(names: list[str], filters: Filters, **extra: Any) -> list[Future]:
    """Start asking these questions (as run_filtered would ask them) in the background, into the shared cache.

    The page then asks each one with run_filtered as before: an answer already cached is read; a question still
    being answered is waited for (Streamlit's cache computes a key once, whoever asks first), never asked twice.
    Keys hold the file version, as run's do, so a prefetch never serves another data version; nothing of the
    session is read or written. Returns the started tasks (questions already answered in this process start
    none, so a warm rerun sets no thread to work)."""
    signature = db.signature()
    keys = [_key(name, _filtered_params(name, filters, extra), signature) for name in names]
    return [_PREFETCH.submit(_ask, key) for key in keys if key not in _ANSWERED]


def filter_options() -> FilterOptions:
    """The sidebar's choices, made once per database file version (every rerun of every session reads them)."""
    return _filter_options(db.signature())


@st.cache_resource(max_entries=2, show_spinner=False)
def _filter_options(signature: tuple[str, int, int]) -> FilterOptions:
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
    """The build's facts (data version, dates); a copy of what is kept per database file version."""
    return dict(_build_info(db.signature()))


@st.cache_resource(max_entries=2, show_spinner=False)
def _build_info(signature: tuple[str, int, int]) -> dict[str, str]:
    return dict(run("build_info").itertuples(index=False, name=None))


def run_parts(name: str, filters: Filters, columns: dict[str, list[str]], **extra: Any) -> dict[str, pd.DataFrame]:
    """The tables of a question that answers several in one (its `part` column names each, in row order; see
    overview_tables.sql), each as its own question would give it: its rows in order, its columns, index 0..n-1,
    and an integer column with no missing value as numpy integers (DuckDB's own conversion: nullable integers
    only where a value is missing). Each is a copy (callers may modify it), known to ui.figure by question and
    part as run's frames are by question. `extra`: parameters besides the filters, as run_filtered takes them."""
    params = _filtered_params(name, filters, extra)
    key = _key(name, params, db.signature())
    whole = run(name, params)  # asked as every question is (shared cache, prefetch)
    out = {}
    for part, frame in _parts(*key, tuple((part, tuple(names)) for part, names in columns.items()), whole).items():
        mine = frame.copy()
        _remember(mine, (*key, part))
        out[part] = mine
    return out


@st.cache_resource(max_entries=256, show_spinner=False)
def _parts(name: str, params: tuple, signature: tuple[str, int, int],
           columns: tuple[tuple[str, tuple[str, ...]], ...], _whole: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The split tables of one answer (`_whole`, the answer to the question of the key), made once per question,
    parameters and file version (shared by sessions, read only: run_parts hands out copies). Splitting costs more
    than reading four answers from the cache."""
    labels = _whole["part"].to_numpy()
    out = {}
    for part, names in columns:
        rows = np.flatnonzero(labels == part)
        contiguous = not rows.size or rows[-1] - rows[0] + 1 == rows.size
        picked = slice(rows[0], rows[-1] + 1) if rows.size and contiguous else rows
        out[part] = pd.DataFrame({name: _as_asked(_whole[name].array[picked]) for name in names})
    return out


def _as_asked(values: Any) -> Any:
    """A column of a part as its own question gives it: nullable integers without a missing value as numpy
    integers (the other parts' rows made them nullable)."""
    dtype = values.dtype
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iu" and not values.isna().any():
        return values.to_numpy(dtype=dtype.numpy_dtype)
    return values

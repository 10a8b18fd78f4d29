"""Named, parameterised SQL questions (kdefense/sql/*.sql) with cached results.

A question file that starts with `-- uses: deals` (or `transfers`) runs on the shared-filter CTE `fd`
(or `ft`); the CTE text is fixed SQL from filter_*.sql and every value is a `$name` parameter. With
`-- uses: deals inlined` the filter is planned into each place the question reads it, not computed once.
Results are cached per question, parameters and database file version, so a rebuild is never served stale.
"""

from __future__ import annotations

import itertools
import logging
import pickle
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


_PLAIN = (str, int, float, bool, type(None), bytes)


def key_text(value: Any) -> str | None:
    """A cache key made of plain values (str, int, float, bool, None, bytes, and tuples of them, a tuple's own
    class named) written out as text that no other key gives, or None when it holds anything else.

    Streamlit hashes a cache function's arguments value by value (a question's key, name and a dozen parameters,
    took ~0.2 ms on every rerun); one string is hashed at once. Only exact types are written: a numpy number or
    array (whose text can be shortened), a frame or any other object gives None, and the caller lets Streamlit
    hash it as before."""
    kind = type(value)
    if kind in _PLAIN:
        return repr(value)  # 1, True, 1.0, '1' and b'1' are written apart; a string's quotes are escaped
    if isinstance(value, tuple):
        items = [key_text(item) for item in value]
        if any(item is None for item in items):
            return None
        return f"{kind.__module__}.{kind.__qualname__}({','.join(items)})"  # type: ignore[arg-type]
    return None


def _cached(name: str, params: tuple[tuple[str, Any], ...], signature: tuple[str, int, int]) -> pd.DataFrame:
    """The answer of a question (its key: name, parameters, file version), computed once per key for all sessions
    by Streamlit's cache_data. Shared and read only: run() hands out copies."""
    text = key_text((name, params, signature))
    if text is None:
        def ask() -> _Kept:
            return _answer_hashed(name, params, signature)
    else:
        def ask() -> _Kept:
            return _answer(key=text, _name=name, _params=params, _signature=signature)
    frame = _KEPT.frame(ask())
    if frame is None:  # cache_data still holds the entry, this process's shelf dropped its frame: asked again
        (_answer_hashed.clear(name, params, signature) if text is None
         else _answer.clear(key=text, _name=name, _params=params, _signature=signature))
        frame = _KEPT.frame(ask())
    return _answered_now(name, params, signature) if frame is None else frame


class _Kept:
    """An answer as cache_data stores it: its number on this process's shelf (`_KEPT`), so that reading it
    unpickles a number, not every cell of the frame (a rerun read ~10 answers: 2-3 ms). cache_data still decides
    what is kept: its key (with the file version), its compute-once lock, its size and st.cache_data.clear(); a
    number dropped from cache_data is never read again (a recomputed answer gets a new one)."""

    __slots__ = ("number",)

    def __init__(self, number: int) -> None:
        self.number = number

    def __reduce__(self) -> tuple:
        return _Kept, (self.number,)


class _Shelf:
    """Answers kept by number (most recently read last), at most `size` of them: as many as cache_data keeps, so a
    number cache_data still holds is almost always here (else _cached asks again)."""

    def __init__(self, size: int) -> None:
        self._frames: OrderedDict[int, pd.DataFrame] = OrderedDict()
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        self.size = size

    def put(self, frame: pd.DataFrame) -> _Kept:
        with self._lock:
            number = next(self._numbers)
            self._frames[number] = frame
            while len(self._frames) > self.size:
                self._frames.popitem(last=False)
        return _Kept(number)

    def frame(self, kept: _Kept) -> pd.DataFrame | None:
        with self._lock:
            frame = self._frames.get(kept.number)
            if frame is not None:
                self._frames.move_to_end(kept.number)
            return frame

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()


ANSWERS_KEPT = 1024
_KEPT = _Shelf(ANSWERS_KEPT)


@st.cache_data(max_entries=ANSWERS_KEPT, show_spinner=False)
def _answer(key: str, _name: str, _params: tuple[tuple[str, Any], ...], _signature: tuple[str, int, int]) -> _Kept:
    """_cached's cache, keyed by key_text of the key alone (asked by keyword: Streamlit looks up no parameter
    names; the underscored arguments are not hashed, the key text holds them)."""
    return _KEPT.put(_answered_now(_name, _params, _signature))


@st.cache_data(max_entries=ANSWERS_KEPT, show_spinner=False)
def _answer_hashed(name: str, params: tuple[tuple[str, Any], ...], signature: tuple[str, int, int]) -> _Kept:
    return _KEPT.put(_answered_now(name, params, signature))


def _answered_now(name: str, params: tuple[tuple[str, Any], ...], signature: tuple[str, int, int]) -> pd.DataFrame:
    answer = db.execute(sql_text(name), {k: list(v) if isinstance(v, tuple) else v for k, v in params})
    _answered((name, params, signature))
    return answer


# Per script run: the database file version read once (db.signature stats the file; a page asks ~50 times a run,
# and each stat lets the prefetch threads take the interpreter lock, 0.1-0.2 ms a time on a filter change).
# id(script run context) → (that run's `cursors` dict, version): the dict is held, so an id reused by another
# context never matches it. Bounded: cleared past RUN_VERSIONS_MAX sessions.
_RUN_VERSIONS: dict[int, tuple[dict, tuple[str, int, int]]] = {}
_RUN_VERSIONS_LOCK = threading.Lock()
RUN_VERSIONS_MAX = 1024


def file_version() -> tuple[str, int, int]:
    """db.signature(), read once per script run: every question of one rerun is asked of one file version, and
    the next rerun reads the file again (a rebuild is seen by the next rerun, never served stale after it).
    Outside a script run (tests, threads, the warm-up) it is db.signature() itself."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return db.signature()
    this_run = ctx.cursors  # a new dict at the start of every script run (ScriptRunContext.reset)
    with _RUN_VERSIONS_LOCK:
        kept = _RUN_VERSIONS.get(id(ctx))
    if kept is not None and kept[0] is this_run:
        return kept[1]
    signature = db.signature()
    with _RUN_VERSIONS_LOCK:
        if len(_RUN_VERSIONS) >= RUN_VERSIONS_MAX:
            _RUN_VERSIONS.clear()
        _RUN_VERSIONS[id(ctx)] = (this_run, signature)
    return signature


def _key(name: str, params: dict[str, Any] | None, signature: tuple[str, int, int]) -> tuple:
    """The cache key of a question: name, parameters (sorted, lists as tuples) and database file version."""
    return name, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items())), signature


def run(name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Result of question `name` (a copy; callers may modify it)."""
    key = _key(name, params, file_version())
    df = _copy(kept_answer(key))
    _remember(df, key)
    return df


def kept_answer(key: tuple) -> pd.DataFrame:
    """The shared answer of a question key (`_key`: name, parameters, file version), asked now or waited for if a
    prefetch is asking it: read only, never change it (run() hands out copies, run_parts splits it). What a page
    asks goes through here; the prefetch threads ask `_cached` directly."""
    return _cached(*key)


def _copy(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a kept answer as independent of it as cache_data's unpickled copies were: cells of numbers,
    strings and dates are copied with the frame (object columns, whose cells could be lists or dicts, through a
    pickle round trip, as before)."""
    if any(isinstance(dtype, np.dtype) and dtype.kind == "O" for dtype in frame.dtypes):
        return pickle.loads(pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301 - our own bytes
    return frame.copy()


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


def prefetch_filtered(names: list[str], filters: Filters, *, in_turn: bool = False, **extra: Any) -> list[Future]:
    """Start asking these questions (as run_filtered would ask them) in the background, into the shared cache.

    The page then asks each one with run_filtered as before: an answer already cached is read; a question still
    being answered is waited for (Streamlit's cache computes a key once, whoever asks first), never asked twice.
    Keys hold the file version, as run's do, so a prefetch never serves another data version; nothing of the
    session is read or written. Returns the started tasks (questions already answered in this process start
    none, so a warm rerun sets no thread to work). `in_turn`: one thread asks them one after the other, in the
    order given (for questions the page needs late: the other CPU stays free for the script)."""
    signature = file_version()
    keys = [key for key in (_key(name, _filtered_params(name, filters, extra), signature) for name in names)
            if key not in _ANSWERED]
    if in_turn:
        return [_PREFETCH.submit(_ask_in_turn, keys)] if keys else []
    return [_PREFETCH.submit(_ask, key) for key in keys]


def _ask_in_turn(keys: list[tuple]) -> None:
    for key in keys:
        _ask(key)


# suppliers_windows.sql asked for every year: its windows all start in 2000-2095, inside these bounds
EVERY_WINDOW_YEAR = (0, 9999)


def complete_windows(filters: Filters) -> pd.DataFrame:
    """suppliers_windows.sql's answer for the filters' years (a copy, the same rows, columns and types), cut from
    its answer for every year, asked once per file version: a new year range asks DuckDB nothing (the question
    took 3-4 ms of a Suppliers rerun, on the page's own thread, with the page's other questions running)."""
    every = run("suppliers_windows", dict(zip(("year_from", "year_to"), EVERY_WINDOW_YEAR, strict=True)))
    start = every["window_start"]
    cut = every[(start >= filters.year_from) & (start + 4 <= filters.year_to)].reset_index(drop=True)
    # no row: text columns as DuckDB gives them then (Python objects, see _as_asked)
    return cut if len(cut) else pd.DataFrame({name: _as_asked(cut[name].array) for name in cut.columns})


def filter_options() -> FilterOptions:
    """The sidebar's choices, made once per database file version (every rerun of every session reads them)."""
    return _filter_options(version=_version_text())


@st.cache_resource(max_entries=2, show_spinner=False)
def _filter_options(version: str) -> FilterOptions:
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
    return dict(_build_info(version=_version_text()))


def _version_text() -> str:
    """The database file version (db.signature) as one string, the key of what is kept per version: Streamlit
    hashes one string at once, not a tuple value by value (build_info is read ~15 times a rerun)."""
    signature = file_version()
    text = key_text(signature)
    return text if text is not None else repr(signature)


@st.cache_resource(max_entries=2, show_spinner=False)
def _build_info(version: str) -> dict[str, str]:
    return dict(run("build_info").itertuples(index=False, name=None))


def run_parts(name: str, filters: Filters, columns: dict[str, list[str]], **extra: Any) -> dict[str, pd.DataFrame]:
    """The tables of a question that answers several in one (its `part` column names each, in row order; see
    overview_tables.sql), each as its own question would give it: its rows in order, its columns, index 0..n-1,
    and an integer column with no missing value as numpy integers (DuckDB's own conversion: nullable integers
    only where a value is missing). Each is a copy (callers may modify it), known to ui.figure by question and
    part as run's frames are by question. `extra`: the parameters beyond the filters (as run_filtered's)."""
    params = _filtered_params(name, filters, extra)
    key = _key(name, params, file_version())
    whole = kept_answer(key)  # read only: split_parts makes new frames
    out = {}
    for part, frame in _split(key, tuple((part, tuple(names)) for part, names in columns.items()), whole).items():
        mine = frame.copy()
        _remember(mine, (*key, part))
        out[part] = mine
    return out


def _split(key: tuple, columns: tuple[tuple[str, tuple[str, ...]], ...], whole: pd.DataFrame
           ) -> dict[str, pd.DataFrame]:
    text = key_text((key, columns))
    if text is None:
        return _parts(*key, columns, whole)
    return _parts_of_key(key=text, _columns=columns, _whole=whole)


@st.cache_resource(max_entries=256, show_spinner=False)
def _parts_of_key(key: str, _columns: tuple[tuple[str, tuple[str, ...]], ...], _whole: pd.DataFrame
                  ) -> dict[str, pd.DataFrame]:
    """_parts keyed by key_text of (question key, columns): one string for Streamlit to hash."""
    return split_parts(_whole, _columns)


@st.cache_resource(max_entries=256, show_spinner=False)
def _parts(name: str, params: tuple, signature: tuple[str, int, int],
           columns: tuple[tuple[str, tuple[str, ...]], ...], _whole: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The split tables of one answer (`_whole`, the answer to the question of the key), made once per question,
    parameters and file version (shared by sessions, read only: run_parts hands out copies). Splitting costs more
    than reading four answers from the cache."""
    return split_parts(_whole, columns)


def split_parts(whole: pd.DataFrame, columns: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, pd.DataFrame]:
    """The tables of an answer with a `part` column: per (part, column names), its rows in order as its own
    question gives them (see run_parts)."""
    labels = whole["part"].to_numpy()
    out = {}
    for part, names in columns:
        rows = np.flatnonzero(labels == part)
        contiguous = not rows.size or rows[-1] - rows[0] + 1 == rows.size
        picked = slice(rows[0], rows[-1] + 1) if rows.size and contiguous else rows
        out[part] = pd.DataFrame({name: _as_asked(whole[name].array[picked]) for name in names})
    return out


def _as_asked(values: Any) -> Any:
    """A column of a part as its own question gives it: nullable integers without a missing value as numpy
    integers (the other parts' rows made them nullable), and text with no value (or no row) as DuckDB gives it
    then, Python objects (None), not pandas strings."""
    dtype = values.dtype
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iu" and not values.isna().any():
        return values.to_numpy(dtype=dtype.numpy_dtype)
    if isinstance(dtype, pd.StringDtype) and values.isna().all():
        return np.full(len(values), None, dtype=object)
    return values

"""The read-only DuckDB connection (one per database file version) and parameterised query execution."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import streamlit as st

from kdefense import settings

REMOTE_RECHECK_SECONDS = 300


class DatabaseUnavailable(RuntimeError):
    """The database file is missing, unreadable or not one this app built."""


def signature(path: str | None = None) -> tuple[str, int, int]:
    """Identity of the current database file: a rebuild (atomic rename) gives a new inode and mtime."""
    path = path or settings.db_path()
    if path.startswith("md:"):  # a shared DuckDB service (MotherDuck): no file to stat; re-check every 5 min
        return path, 0, int(time.time() // REMOTE_RECHECK_SECONDS)
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise DatabaseUnavailable(f"The database file {path} does not exist.") from exc
    return path, stat.st_ino, stat.st_mtime_ns


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(sig: tuple[str, int, int]) -> duckdb.DuckDBPyConnection:
    """One read-only connection per file version, shared by all sessions; queries use their own cursor.

    The file is ATTACHed to a private in-memory instance instead of opened with duckdb.connect(path): DuckDB
    caches open databases by path, so after a rebuild (rename) or a corruption in place connect(path) would
    hand back the instance of the old file. A fresh instance per file version always reads what is on disk.
    """
    path = sig[0]
    try:
        con = duckdb.connect(":memory:", config={"threads": settings.duckdb_threads()})
        if path.startswith("md:"):
            con.execute("ATTACH '" + path.replace("'", "''") + "' AS kd")
        else:
            con.execute("ATTACH '" + path.replace("'", "''") + "' AS kd (READ_ONLY)")
        con.execute("USE kd")
        con.execute("SELECT count(*) FROM build_info").fetchone()
    except (duckdb.Error, OSError) as exc:
        raise DatabaseUnavailable(f"The database file {path} cannot be read: {exc}") from exc
    return con


# Errors that a statement raises on a healthy file; anything else (I/O, corruption, a file replaced underneath
# the connection) means the file is not readable and the shared connection is dropped.
QUERY_ERRORS = (duckdb.BinderException, duckdb.ParserException, duckdb.ConversionException,
                duckdb.InvalidInputException, duckdb.OutOfRangeException, duckdb.TypeMismatchException,
                duckdb.ConstraintException, duckdb.NotImplementedException, duckdb.SyntaxException)


# The app's questions are a fixed set of texts: each is parsed once per process and the parsed statement is run
# (DuckDB parses a long question with its filter CTE in 1-2 ms, on every execute). A parsed statement holds no
# catalog or data, so it serves every file version; execute() runs a copy of it, whichever thread asks.
_PARSED: dict[str, duckdb.Statement | str] = {}
_PARSED_MAX = 512


def _statement(cursor: duckdb.DuckDBPyConnection, sql: str) -> duckdb.Statement | str:
    """The parsed statement of `sql` (the text itself when it holds more than one statement)."""
    parsed = _PARSED.get(sql)
    if parsed is None:
        statements = cursor.extract_statements(sql)
        parsed = statements[0] if len(statements) == 1 else sql
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[sql] = parsed
    return parsed


# Each thread keeps one cursor of the current file version's connection (the page's script thread, the prefetch
# and warm-up threads): a new cursor starts in the in-memory catalog and needed a `USE kd` statement before every
# question (0.3-3 ms while the script held the interpreter lock). A cursor is never shared between threads; the
# next question after a rebuild finds a new connection and closes the thread's cursor of the old one.
_THREAD = threading.local()


def _thread_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """This thread's cursor of `con`, on the attached file."""
    kept = getattr(_THREAD, "cursor", None)
    if kept is not None and kept[0] is con:
        return kept[1]
    if kept is not None:
        _THREAD.cursor = None
        kept[1].close()
    cursor = con.cursor()
    cursor.execute("USE kd")  # a cursor starts in the in-memory catalog, not the attached file
    _THREAD.cursor = (con, cursor)
    return cursor


# Column types whose answers answer_frame makes from DuckDB's numpy arrays; any other type (dates, decimals, lists)
# and the whole answer is converted by DuckDB's df(). tests/unit/test_db_frames.py checks, for every question, that
# both give the same frame: columns, types, and every value (None and NaN apart).
NUMPY_TYPES = frozenset(("VARCHAR", "BIGINT", "INTEGER", "HUGEINT", "DOUBLE", "BOOLEAN"))


def answer_frame(result: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The answer of the statement just run, as DuckDB's df() gives it, made from its numpy arrays when every
    column is of a type in NUMPY_TYPES (and no two share a name): df() took 1-2 ms per answer on a filter change,
    the arrays 0.3-1.5 ms, holding the interpreter lock that the page's script and the prefetch threads share."""
    described = result.description or []
    if (not described or len({column[0] for column in described}) != len(described)
            or any(str(column[1]) not in NUMPY_TYPES for column in described)):
        return result.df()
    return pd.DataFrame({name: _as_df_gives(values) for name, values in result.fetchnumpy().items()})


def _as_df_gives(values: np.ndarray) -> Any:
    """A column of fetchnumpy() as df() gives it: a masked (NULL-holding) integer or boolean column as pandas'
    nullable array, a masked float column with NaN, masked text with None."""
    if not isinstance(values, np.ma.MaskedArray):
        return values
    mask = np.ma.getmaskarray(values)
    if not mask.any():
        return values.data
    kind = values.dtype.kind
    if kind in "iu":
        return pd.arrays.IntegerArray(values.data, mask)
    if kind == "b":
        return pd.arrays.BooleanArray(values.data, mask)
    if kind == "f":
        return np.where(mask, np.nan, values.data)
    filled = values.data.astype(object)  # text: None where NULL, as df() gives it (pandas reads a masked one as NaN)
    filled[mask] = None
    return filled


def execute(sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one parameterised statement on this thread's cursor of the cached connection."""
    sig = signature()
    try:
        cursor = _thread_cursor(_connection(sig))
        return answer_frame(cursor.execute(_statement(cursor, sql), params or {}))
    except QUERY_ERRORS:
        raise  # a bug in a query or a value it cannot convert: not a broken file, keep the shared connection
    except duckdb.Error as exc:  # file truncated or overwritten underneath an open connection
        _connection.clear()
        raise DatabaseUnavailable(f"The database file {sig[0]} changed while it was read: {exc}") from exc


def exists() -> bool:
    path = settings.db_path()
    return path.startswith("md:") or Path(path).is_file()


@contextmanager
def read_cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh cursor of the cached read-only connection, on the attached file (for whole-view exports)."""
    sig = signature()
    cursor = _connection(sig).cursor()
    try:
        cursor.execute("USE kd")
        yield cursor
    finally:
        cursor.close()

"""Read-only SQL on the public views, for the SQL page: checks, limits and execution.

Defence in depth, each layer enough on its own for its kind of harm:
1. DuckDB's own parser: exactly one statement, of type SELECT (no ATTACH, COPY, INSTALL, LOAD, PRAGMA, SET,
   CALL, EXPLAIN, CREATE, PIVOT statements ...).
2. Its serialised syntax tree (json_serialize_sql): every table read is a public view (or a CTE of the query
   whose name shadows nothing in the catalog); the only table functions are range/generate_series/unnest (no
   read_csv, read_text, glob, read_parquet, query, duckdb_* ...); files named as tables ('x.csv') are refused.
3. The connection: a private in-memory DuckDB that ATTACHes the file READ_ONLY, then turns external access off
   (no file or network access at all), sets a memory limit and one thread, and locks its configuration.
4. Time: a timer thread interrupts the query after the time limit; at most `rows` rows are fetched.
5. Place: `execute` runs every query in a worker process at the lowest CPU priority, killed if it outlives the
   time limit (kdefense/sqlworker.py), so a query cannot slow the server or other sessions.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

import duckdb
import pandas as pd
import pyarrow as pa

from kdefense import settings
from kdefense.i18n import N_

ALLOWED_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
# Nodes that carry a "sample" key: table references and query nodes. Anything else in a FROM is refused.
ALLOWED_NODES = frozenset({"BASE_TABLE", "JOIN", "SUBQUERY", "TABLE_FUNCTION", "EMPTY_FROM", "EMPTY",
                           "EXPRESSION_LIST", "SHOW_REF", "SELECT_NODE", "SET_OPERATION_NODE",
                           "RECURSIVE_CTE_NODE", "CTE_NODE"})
CATALOG = "kd"
MAX_NESTING = 100


class Refused(ValueError):
    """The query is not one read-only SELECT on the public views (message for the user)."""


@dataclass
class Result:
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    truncated: bool = False
    seconds: float = 0.0
    error: str | None = None
    table: pa.Table | None = None  # the rows as fetched (what a worker sends back)
    retry: bool = False  # the query itself may be fine: the page was busy, or its worker was lost


def connect(path: str, memory: str = "256MB") -> duckdb.DuckDBPyConnection:
    """The locked-down instance: the file READ_ONLY in a private in-memory DuckDB, no external access."""
    con = duckdb.connect(":memory:", config={"threads": 1})
    con.execute(f"ATTACH '{path.replace(chr(39), chr(39) * 2)}' AS {CATALOG} (READ_ONLY)")
    con.execute(f"USE {CATALOG}")
    con.execute("SET temp_directory = ''")  # no spilling to disk: a big query stops at the memory limit
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute(f"SET memory_limit = '{memory}'")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET lock_configuration = true")
    return con


def catalog_names(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Every table and view name a query could reach (public views, internals, system views)."""
    rows = con.execute("SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views()").fetchall()
    return frozenset(r[0].lower() for r in rows)


def _nodes(tree: object):
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def check(con: duckdb.DuckDBPyConnection, sql: str, public: frozenset[str], existing: frozenset[str],
          max_chars: int = 20_000) -> None:
    """Raise Refused unless `sql` is one SELECT reading only public views."""
    if not sql.strip():
        raise Refused("Write a query first.")
    if len(sql) > max_chars:
        raise Refused(f"The query is longer than {max_chars:,} characters.")
    if _nesting(sql) > MAX_NESTING:  # DuckDB's parser cannot be interrupted: refuse what would keep it busy
        raise Refused(f"The query nests brackets more than {MAX_NESTING} deep.")
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise Refused(f"DuckDB cannot parse the query: {first_line(exc)}") from exc
    if len(statements) != 1:
        raise Refused(f"One statement at a time, please (found {len(statements)}).")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise Refused(f"Only SELECT queries are allowed here, not {kind.name}.")
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql($q)", {"q": sql}).fetchall()[0][0])
    except (duckdb.Error, ValueError, RecursionError) as exc:
        raise Refused("The query is too complex to check.") from exc
    if tree.get("error"):
        raise Refused(f"DuckDB cannot read the query: {tree.get('error_message', '')[:300]}")
    nodes = list(_nodes(tree))
    ctes = {entry["key"].lower() for n in nodes if isinstance(n.get("cte_map"), dict)
            for entry in n["cte_map"].get("map", []) if isinstance(entry, dict) and "key" in entry}
    for node in nodes:
        kind_name = node.get("type")
        if "sample" in node and kind_name not in ALLOWED_NODES:
            raise Refused(f"This kind of query ({kind_name}) is not allowed here.")
        if kind_name == "BASE_TABLE" or (kind_name == "SHOW_REF" and node.get("table_name")):
            _check_table(node, public, existing, ctes)
        elif kind_name == "TABLE_FUNCTION":
            name = str((node.get("function") or {}).get("function_name", "")).lower()
            if name not in ALLOWED_TABLE_FUNCTIONS:
                raise Refused(f"The table function {name}() is not allowed here (no file, web or catalog reads); "
                              f"query the public views.")
        elif kind_name == "SHOW_REF" and not node.get("query"):
            raise Refused("Only DESCRIBE or SUMMARIZE of a public view or query is allowed here.")


def _nesting(sql: str) -> int:
    """Deepest bracket nesting outside quotes (a cheap bound on the parser's work)."""
    depth = deepest = 0
    quote = ""
    for ch in sql:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= 1
    return deepest


def _check_table(node: dict, public: frozenset[str], existing: frozenset[str], ctes: set[str]) -> None:
    name = str(node.get("table_name", "")).lower()
    catalog, schema = str(node.get("catalog_name", "")).lower(), str(node.get("schema_name", "")).lower()
    shown = ".".join(p for p in (catalog, schema, name) if p)
    if catalog not in ("", CATALOG) or schema not in ("", "main") or (catalog and not schema):
        raise Refused(f"'{shown}' is not a public view. Public views: {', '.join(sorted(public))}.")
    if name in public:
        return
    if name in ctes and name not in existing and not (catalog or schema):
        return
    raise Refused(f"'{shown}' is not a public view. Public views: {', '.join(sorted(public))}.")


def _nullable(t: pa.DataType) -> object:
    """Integers and booleans with NULLs stay integers and booleans in pandas (as DuckDB's own .df() does)."""
    if pa.types.is_integer(t):
        return pd.Int64Dtype()
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    return None


def to_frame(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper=_nullable)


def stopped(seconds: float) -> str:
    return f"The query was stopped after the time limit of {seconds:g} s."


def lost() -> str:
    return "The query ended the process that ran it (too much memory?), without an answer."


def busy(workers: int) -> str:
    return (f"The SQL page is busy: {workers} queries are already running (the most it runs at once). "
            "Try again in a few seconds.")


def too_large(max_bytes: int) -> str:
    return f"The result is larger than {max_bytes / 1e6:g} MB; select fewer or shorter columns, or fewer rows."


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:400] if text else type(exc).__name__


def run(con: duckdb.DuckDBPyConnection, sql: str, public: frozenset[str], existing: frozenset[str],
        seconds: float = 5.0, rows: int = 10_000, max_chars: int = 20_000, frame: bool = True) -> Result:
    """Check and run `sql` on a fresh cursor of `con`; never raises for anything the user typed.

    frame=False: the rows only as an Arrow table (a worker sends them on; the server makes the DataFrame).
    """
    started = time.perf_counter()
    cursor = con.cursor()
    timer = threading.Timer(seconds, cursor.interrupt)
    timer.daemon = True
    timer.start()
    try:
        cursor.execute(f"USE {CATALOG}")
        check(cursor, sql, public, existing, max_chars)
        reader = cursor.sql(sql).to_arrow_reader(2048)
        batches, count = [], 0
        for batch in reader:
            batches.append(batch)
            count += batch.num_rows
            if count > rows:
                break
        table = pa.Table.from_batches(batches, schema=reader.schema) if batches else reader.schema.empty_table()
        table = table.slice(0, rows)
        return Result(to_frame(table) if frame else pd.DataFrame(), count > rows, time.perf_counter() - started,
                      table=table)
    except Refused as exc:
        return Result(error=str(exc), seconds=time.perf_counter() - started)
    except duckdb.InterruptException:
        return Result(error=stopped(seconds), seconds=time.perf_counter() - started)
    except duckdb.OutOfMemoryException:
        return Result(error="The query needed more memory than the SQL page allows.",
                      seconds=time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 — the page shows a message, never a traceback
        message = first_line(exc)
        if "interrupt" in message.lower():
            message = stopped(seconds)
        return Result(error=message, seconds=time.perf_counter() - started)
    finally:
        timer.cancel()
        cursor.close()


EXAMPLES: dict[str, str] = {
    N_("South Korea's share of world deliveries (TIV) by five-year window"): """\
-- SIPRI layer: TIV measures military capability, not money; the last window may be incomplete
SELECT (delivery_year // 5) * 5 AS window_start,
       max(delivery_year) AS last_year_with_data,
       round(sum(tiv_delivered_m) FILTER (WHERE supplier = 'South Korea'), 1) AS korea_tiv_m,
       round(sum(tiv_delivered_m), 1) AS world_tiv_m,
       round(100 * sum(tiv_delivered_m) FILTER (WHERE supplier = 'South Korea') / sum(tiv_delivered_m), 2)
           AS korea_share_pct
FROM transfer_deliveries
WHERE delivery_year IS NOT NULL
GROUP BY ALL
ORDER BY window_start""",
    N_("Signed deals with their sources"): """\
-- Ledger layer: every deal cites its sources (source_ids, ';'-separated)
SELECT d.deal_id, d.recipient, d.designation, d.signed_date, d.signed_date_precision,
       d.value_amount_m, d.currency, s.source_id, s.publisher, s.title, s.date AS source_date, s.url
FROM deals d,
     unnest(string_split(d.source_ids, ';')) AS u(source_id)
JOIN sources s ON s.source_id = trim(u.source_id)
WHERE d.is_signed
ORDER BY d.signed_date_typed DESC, d.deal_id, s.source_id""",
    N_("Contract value by recipient region and year (USD m, no double counting)"): """\
SELECT signed_year, recipient_region, round(sum(value_usd_m_counted)) AS usd_m, count(*) AS deals
FROM deals
WHERE is_signed
GROUP BY ALL
ORDER BY ALL""",
    N_("Top 10 recipients of South Korean deliveries (TIV)"): """\
SELECT recipient, round(sum(tiv_delivered_m), 1) AS tiv_delivered_m
FROM transfer_deliveries
WHERE supplier = 'South Korea'
GROUP BY recipient
ORDER BY tiv_delivered_m DESC
LIMIT 10""",
    N_("Columns of the deals view"): "DESCRIBE deals",
}


# ---------------------------------------------------------------- the page's entry point


def public_views() -> frozenset[str]:
    from kdefense.build import PUBLIC_VIEWS

    return frozenset(PUBLIC_VIEWS)


def warm() -> None:
    """Start the query workers (if not running) while the page is read."""
    from kdefense import sqlworker

    sqlworker.pool().warm()


def execute(sql: str) -> Result:
    """`sql` on the current database file version, with the configured limits, in a low-priority worker process."""
    from kdefense import db, sqlworker

    try:
        path, inode, mtime = db.signature()
    except db.DatabaseUnavailable as exc:
        return Result(error=str(exc))
    if path.startswith("md:"):
        return Result(error="The SQL page needs a local database file.")
    limits = settings.sql_limits()
    request = sqlworker.Request(
        sql=sql, path=path, version=(inode, mtime), seconds=float(limits["seconds"]), rows=int(limits["rows"]),
        chars=int(limits["chars"]), memory=str(limits["memory"]), max_bytes=int(float(limits["result_mb"]) * 1e6),
    )
    return sqlworker.pool().run(request, wait=float(limits["wait"]))

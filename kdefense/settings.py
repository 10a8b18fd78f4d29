"""One place for paths and constants. The database path comes from KDEFENSE_DB (default data/kdefense.duckdb)."""

from __future__ import annotations

import os
from pathlib import Path

from kdefense.i18n import N_

ROOT = Path(__file__).resolve().parents[1]
SOURCES_DIR = Path(os.environ.get("KDEFENSE_SOURCES", ROOT / "data" / "sources"))
SQL_DIR = Path(__file__).resolve().parent / "sql"
STATIC_DIR = ROOT / "static"
BRIEFINGS_DIR = ROOT / "briefings"


def db_path() -> str:
    """The DuckDB file the app reads; read on every call so tests and replicas can point elsewhere."""
    return os.environ.get("KDEFENSE_DB", str(ROOT / "data" / "kdefense.duckdb"))


def duckdb_threads() -> int:
    """DuckDB worker threads per query (KDEFENSE_DUCKDB_THREADS, default 1).

    The app's queries read tens of thousands of rows and take milliseconds. With more than one thread, answers are
    no longer the same from run to run: string_agg(DISTINCT …) lists, any_value() picks and the order of floating
    sums depend on which thread finished first (the system Gantt's source lists changed order between two runs).
    More threads would help the Timeline's background questions (DuckDB's Python client takes the interpreter lock
    between the tasks of a query it runs itself: 87 instead of 97 ms on a filter change), but not at that price.
    Concurrent sessions still run their queries in parallel, each on its own cursor and script thread.
    """
    return max(1, int(os.environ.get("KDEFENSE_DUCKDB_THREADS", "1")))


def sql_page_enabled() -> bool:
    """KDEFENSE_SQL_PAGE=0 (or off/false/no) turns the read-only SQL page off (default: on)."""
    return os.environ.get("KDEFENSE_SQL_PAGE", "1").strip().lower() not in ("0", "off", "false", "no")


def sql_limits() -> dict[str, float | int | str]:
    """Limits of the SQL page: seconds per query, rows shown and in the CSV, DuckDB memory, query length, result
    size; worker processes (queries at once), how long a query waits for a free one, and their CPU niceness."""
    return {
        "seconds": float(os.environ.get("KDEFENSE_SQL_SECONDS", "5")),
        "rows": int(os.environ.get("KDEFENSE_SQL_ROWS", "10000")),
        "memory": os.environ.get("KDEFENSE_SQL_MEMORY", "256MB"),
        "chars": 20_000,
        "result_mb": float(os.environ.get("KDEFENSE_SQL_RESULT_MB", "50")),
        "workers": max(1, int(os.environ.get("KDEFENSE_SQL_WORKERS", "2"))),
        "wait": float(os.environ.get("KDEFENSE_SQL_WAIT", "5")),
        "nice": min(19, max(0, int(os.environ.get("KDEFENSE_SQL_NICE", "19")))),
    }


def warmup_enabled() -> bool:
    """KDEFENSE_WARMUP=0 (or off/false/no) turns off the per-data-version warm-up (kdefense/warmup.py)."""
    return os.environ.get("KDEFENSE_WARMUP", "1").strip().lower() not in ("0", "off", "false", "no")


def rerun_log() -> bool:
    """KDEFENSE_RERUN_LOG=1: log each script run's page and server time ("kdefense rerun page=… ms=…")."""
    return os.environ.get("KDEFENSE_RERUN_LOG") == "1"


BUILD_COMMAND = "make data"
# The build writes the database in this storage format so that DuckDB 1.1 and every later client open it.
DB_STORAGE_VERSION = "v1.1.0"
INTERNAL_SCHEMA = "_internal"  # base tables; the public views (build.PUBLIC_VIEWS) live in `main`
REGIONS = ("Europe", "Middle East", "Asia & Oceania", "Americas", "Africa")
# Okabe–Ito colours (yellow darkened to ochre, black lifted to dark grey): every pair stays at least 15 CIEDE2000
# apart under simulated protan, deutan and tritan vision (tests/unit/test_palette.py). The light ones (sky, ochre)
# are drawn with REGION_OUTLINE on bars and areas so they keep 3:1 against the white plot background.
REGION_COLOURS = {
    "Europe": "#0072B2",
    "Middle East": "#D55E00",
    "Asia & Oceania": "#56B4E9",
    "Americas": "#CCC239",
    "Africa": "#333333",
}
REGION_OUTLINE = "rgba(17, 24, 39, 0.75)"
DEAL_STATUSES = ("prospect", "negotiating", "framework/MoU", "contract", "delivering", "completed", "cancelled", "lost")
SIGNED_STATUSES = ("contract", "delivering", "completed")
# What kind of business a deal is (docs/ledger-method.md, "Kinds of business"); URL filter `kind`.
DEAL_KINDS = ("new_build", "licence_production", "used_grant", "loan", "mro_service", "upgrade", "co_development",
              "ammunition")
DEAL_KIND_LABELS = {
    "new_build": N_("New-build sale"), "licence_production": N_("Licence production"), "used_grant": N_("Used / grant transfer"),
    "loan": N_("Loan"), "mro_service": N_("MRO / service"), "upgrade": N_("Upgrade"), "co_development": N_("Co-development"),
    "ammunition": N_("Ammunition / consumables"),
}
# Korea's result in a competition (competitions.outcome).
COMPETITION_OUTCOMES = ("won", "lost", "withdrawn", "cancelled", "open")
DECIDED_OUTCOMES = ("won", "lost", "withdrawn", "cancelled")
# Armament categories counted as munitions (rockets, missiles, shells), not platforms, in unit headlines.
MUNITION_CATEGORIES = ("Missiles", "Ammunition")
ARMAMENT_CATEGORIES = (
    "Aircraft", "Air-defence systems", "Armoured vehicles", "Artillery", "Engines", "Missiles", "Naval weapons",
    "Other", "Satellites", "Sensors", "Ships",
)
LEDGER_EXTRA_CATEGORIES = ("Ammunition", "Services")
SIPRI_CREDIT = "Information from the SIPRI Arms Transfers Database (https://www.sipri.org/databases/armstransfers)."
SIPRI_TERMS = N_(
    "SIPRI data: reformatting and calculations are this project's, not SIPRI's; "
    "no commercial use without SIPRI's agreement."
)
TIV_CAVEAT = N_(
    "TIV (SIPRI trend-indicator value) measures the military capability transferred, not money: "
    "never compare it with contract values. Method: https://www.sipri.org/databases/armstransfers/sources-and-methods"
)
ECB_CREDIT = N_("Exchange rates: ECB euro foreign exchange reference rates; annual averages are this project's calculation.")
YEAR_MIN, YEAR_MAX = 1940, 2035

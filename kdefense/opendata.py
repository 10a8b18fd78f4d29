"""Full downloads of the open data: every public view as Parquet (one zip) and as CSV (one zip), each with a README.

The CSV files follow the same Excel-safe rules as every other export (kdefense.export.to_csv_bytes). The README
gives the data version, build date, the schema of every file (column, type, meaning from kdefense/schema.toml),
the SIPRI credit and terms, the ledger's citation rule and how to cite the dataset.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import streamlit as st

from kdefense import db, export, schema, settings
from kdefense.i18n import t

KINDS = ("parquet", "csv")
LEDGER_CITATION = (
    "Ledger rows (deals, deliveries, official_totals, facilities, events) each cite at least one public source in "
    "source_ids (`;`-separated ids of the sources file: publisher, title, date, URL). Cite that source for any "
    "ledger figure you use, beside the dataset (docs/ledger-method.md)."
)


@dataclass(frozen=True)
class Bundle:
    """A built download: its bytes and what it holds."""

    kind: str
    data: bytes
    rows: dict[str, int]

    @property
    def size(self) -> int:
        return len(self.data)


def public_views() -> tuple[str, ...]:
    from kdefense.build import PUBLIC_VIEWS

    return PUBLIC_VIEWS


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {v: con.execute(f'SELECT count(*) FROM "{v}"').fetchall()[0][0] for v in public_views()}


def how_to_cite(info: dict[str, str]) -> str:
    return (f"South Korea defence exports dashboard, open data, data version {info.get('data_version', '?')} "
            f"(built {info.get('built_at', '?')}). SIPRI figures: {settings.SIPRI_CREDIT}")


def _prefixes() -> str:
    return " ".join(repr(p).strip("'") for p in getattr(export, "FORMULA_PREFIXES", ("=", "+", "-", "@")))


def human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


def readme(kind: str, schemas: list[schema.ViewSchema], rows: dict[str, int], info: dict[str, str]) -> str:
    ext = "parquet" if kind == "parquet" else "csv"
    lines = [
        "South Korea defence exports — open data, every public view of kdefense.duckdb",
        "",
        f"Format: {'Apache Parquet (typed columns)' if kind == 'parquet' else 'CSV'}, one file per view.",
        f"Data version: {info.get('data_version', '?')}",
        f"Build date: {info.get('built_at', '?')}",
        f"SIPRI register generated {info.get('sipri_register_generated', '?')}; per-year register generated "
        f"{info.get('sipri_per_year_generated', '?')}.",
        "",
    ]
    if kind == "csv":
        lines += [
            "CSV rules (the same as every CSV export of the dashboard, kdefense/export.py): UTF-8 with BOM, CRLF",
            "line ends, ISO dates (YYYY-MM-DD), plain numbers, empty cell = unknown (NULL); a text cell starting with",
            f"one of {_prefixes()} gets a leading apostrophe so that spreadsheets do not run it as a formula.",
            "Types below are the database's (Parquet keeps them; CSV is text).",
            "",
        ]
    lines += [
        "Credits and terms:",
        settings.SIPRI_CREDIT,
        settings.SIPRI_TERMS,
        settings.TIV_CAVEAT,
        settings.ECB_CREDIT,
        "",
        "Citation rule of the ledger:",
        LEDGER_CITATION,
        "",
        "How to cite this dataset:",
        how_to_cite(info),
        "",
        "Files and schema (column | type | meaning):",
    ]
    for s in schemas:
        lines += ["", f"{s.name}.{ext} — {rows.get(s.name, 0):,} rows. {s.layer} layer. {s.description}"]
        width = max((len(c) for c, _, _ in s.columns), default=0)
        twidth = max((len(t) for _, t, _ in s.columns), default=0)
        lines += [f"  {c:<{width}} | {t:<{twidth}} | {m}" for c, t, m in s.columns]
    return "\n".join(lines) + "\n"


def build_bundle(con: duckdb.DuckDBPyConnection, kind: str, info: dict[str, str]) -> Bundle:
    """The zip of every public view in `kind` (parquet or csv), with its README."""
    if kind not in KINDS:
        raise ValueError(kind)
    buffer = io.BytesIO()
    rows: dict[str, int] = {}
    schemas = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for view in public_views():
            schemas.append(schema.view_schema(view, schema.describe(con, view)))
            query = f'SELECT * FROM "{view}"'  # a constant name from PUBLIC_VIEWS, never user input
            if kind == "parquet":
                table = con.sql(query).to_arrow_table()
                out = io.BytesIO()
                pq.write_table(table, out, compression="zstd")
                zf.writestr(f"{view}.parquet", out.getvalue())
                rows[view] = table.num_rows
            else:
                df = con.execute(query).df()
                zf.writestr(f"{view}.csv", export.to_csv_bytes(df))
                rows[view] = len(df)
        zf.writestr("README.txt", readme(kind, schemas, rows, info))
    return Bundle(kind, buffer.getvalue(), rows)


def file_name(kind: str, info: dict[str, str]) -> str:
    date = info.get("built_at", "")[:10]
    ext = {"parquet": "parquet.zip", "csv": "csv.zip", "duckdb": "duckdb"}[kind]
    return f"kdefense_all-views_data-{date}_{info.get('data_version', '')}.{ext}"


# ---------------------------------------------------------------- Streamlit glue (Data & method page)


@st.cache_resource(max_entries=2, show_spinner=False)
def _bundle(kind: str, sig: tuple[str, int, int]) -> Bundle:
    """Built once per kind and database file version, for every session, and only when someone asks for it."""
    with db.read_cursor() as cur:
        info = dict(cur.execute("SELECT key, value FROM build_info").fetchall())
        return build_bundle(cur, kind, info)


@st.cache_data(max_entries=4, show_spinner=False)
def _counts(sig: tuple[str, int, int]) -> dict[str, int]:
    with db.read_cursor() as cur:
        return row_counts(cur)


@st.cache_data(max_entries=4, show_spinner=False)
def _schemas(sig: tuple[str, int, int]) -> list[schema.ViewSchema]:
    with db.read_cursor() as cur:
        return [schema.view_schema(v, schema.describe(cur, v)) for v in public_views()]


def schemas() -> list[schema.ViewSchema]:
    """The public views' schema (column, type, meaning) of the current database file."""
    return _schemas(db.signature())


def _prepare(kind: str) -> None:
    st.session_state[f"opendata_{kind}"] = True


def downloads_section(info: dict[str, str]) -> None:
    """Row counts and sizes first; the zips are written when asked for (then kept per data version)."""
    sig = db.signature()
    counts = _counts(sig)
    schemas = {s.name: s for s in _schemas(sig)}
    st.dataframe(
        pd.DataFrame([{"file": v, "layer": schemas[v].layer, "rows": counts[v], "columns": len(schemas[v].columns),
                       "what": schemas[v].description} for v in public_views()]),
        hide_index=True, width="stretch", placeholder="—",
        column_config={"file": t("File"), "layer": t("Layer"), "columns": t("Columns"), "what": t("Contents"),
                       "rows": st.column_config.NumberColumn(t("Rows"), format="localized")},
    )
    total = sum(counts.values())
    cols = st.columns(3)
    with cols[0]:
        path = sig[0]
        st.markdown("**" + t("The DuckDB file") + "**")
        if path.startswith("md:"):
            st.caption(t("The database is a shared DuckDB service here; there is no file to download."))
        else:
            size = os.stat(path).st_size
            st.caption(t("{size} · {views} views, {rows} rows · opens in DuckDB 1.1.3 and later", size=human_size(size),
                         views=len(counts), rows=f"{total:,}"))
            # the file's name and size only, under the "The DuckDB file" heading: "Database file kdefense.duckdb
            # (10.5 MB)" broke onto two lines in its third of the page at 1280 px (and in Korean at 1366)
            st.download_button(t("{file} ({size})", file="kdefense.duckdb", size=human_size(size)),
                               lambda: Path(path).read_bytes(),
                               file_name=file_name("duckdb", info), mime="application/octet-stream",
                               key="dl_all_duckdb", on_click="ignore", icon=":material/database:",
                               wrap=True)  # should a label still be too long, it wraps, never cut
    for col, kind, label in ((cols[1], "parquet", "Parquet"), (cols[2], "csv", "CSV")):
        with col:
            st.markdown(t("**Every view as {format}** (one zip with a README)", format=label))
            if not st.session_state.get(f"opendata_{kind}"):
                st.caption(t("{files} files, {rows} rows; the size is shown once the zip is made.", files=len(counts),
                             rows=f"{total:,}"))
                st.button(t("Make the {format} zip", format=label), key=f"make_{kind}", on_click=_prepare, args=(kind,),
                          icon=":material/build:", wrap=True)
                continue
            bundle = _bundle(kind, sig)
            st.caption(t("{size} · {files} files, {rows} rows", size=human_size(bundle.size), files=len(bundle.rows),
                         rows=f"{sum(bundle.rows.values()):,}"))
            st.download_button(t("{format} zip ({size})", format=label, size=human_size(bundle.size)), lambda b=bundle: b.data,
                               file_name=file_name(kind, info), mime="application/zip", key=f"dl_all_{kind}",
                               on_click="ignore", icon=":material/folder_zip:", wrap=True)

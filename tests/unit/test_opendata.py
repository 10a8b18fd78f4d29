"""Open data: public views apart from internals, typed dates, the schema description, the full downloads."""

from __future__ import annotations

import io
import math
import re
import zipfile

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from kdefense import export, opendata, schema, settings
from kdefense.build import PUBLIC_VIEWS


@pytest.fixture(scope="module")
def info(built_db) -> dict[str, str]:
    return dict(built_db.execute("SELECT key, value FROM build_info").fetchall())


@pytest.fixture(scope="module")
def bundles(built_db, info) -> dict[str, opendata.Bundle]:
    return {kind: opendata.build_bundle(built_db, kind, info) for kind in opendata.KINDS}


def test_show_tables_lists_exactly_the_public_views_and_internals_are_marked(built_db):
    assert {r[0] for r in built_db.execute("SHOW TABLES").fetchall()} == set(PUBLIC_VIEWS)
    schemas = {r[0] for r in built_db.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    assert schemas == {settings.INTERNAL_SCHEMA}
    views = {r[0] for r in built_db.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'").fetchall()}
    assert views == set(PUBLIC_VIEWS)


def test_file_is_written_in_the_documented_storage_format(built_db_path):
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{built_db_path}' AS f (READ_ONLY)")
    version = con.execute("SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = 'f'").fetchone()
    con.close()
    # DuckDB 2.0 names the oldest release of the file's storage number ('v1.0.0+' covers 1.0 and 1.1); its own
    # default format reads 'v1.5' or later, which DuckDB 1.1-1.4 refuse
    assert version[0] in ("v1.0.0+", "v1.1.0", "v1.1.0+"), version


@pytest.mark.parametrize(("view", "text", "typed", "precision"), [
    ("deals", "signed_date", "signed_date_typed", "signed_date_precision"),
    ("deals", "last_verified", "last_verified_typed", "last_verified_precision"),
    ("sources", "date", "date_typed", "date_precision"),
    ("events", "date", "date_typed", "date_precision"),
])
def test_typed_dates_are_the_first_day_of_the_text_date_at_its_precision(built_db, view, text, typed, precision):
    rows = built_db.execute(f"SELECT {text}, {typed}, {precision} FROM {view}").fetchall()
    assert rows and any(r[0] for r in rows)
    lengths = {"day": 10, "month": 7, "year": 4}
    for raw, day, prec in rows:
        if raw is None:
            assert day is None
            continue
        assert len(raw) == lengths[prec]
        assert day.isoformat()[: len(raw)] == raw
        assert day.isoformat().endswith({"day": raw[-2:], "month": "-01", "year": "-01-01"}[prec])
    types = dict(schema.describe(built_db, view))
    assert types[typed] == "DATE" and types[text] == "VARCHAR"


def test_every_public_column_has_a_meaning_and_docs_are_current(built_db):
    schemas = schema.all_schemas(built_db)
    missing = [f"{s.name}.{c}" for s in schemas for c, _, m in s.columns if not m]
    assert not missing, f"add these to kdefense/schema.toml: {missing}"
    stale = [f"{v}.{c}" for v, doc in schema.meanings().items() for c in doc["columns"]
             if c not in {col for s in schemas if s.name == v for col, _, _ in s.columns}]
    assert not stale, f"kdefense/schema.toml names columns the views lack: {stale}"
    text = schema.DOC.read_text()
    assert schema.document(text, schema.markdown(schemas)) == text, "run python -m kdefense.schema"


def test_duckdb_file_download_is_the_database(app_db):
    con = duckdb.connect(str(app_db), read_only=True)
    assert con.execute("SELECT count(*) FROM deals").fetchone()[0] > 0
    con.close()


def _zip(bundle: opendata.Bundle) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(bundle.data))


@pytest.mark.parametrize("kind", opendata.KINDS)
def test_zip_holds_every_public_view_and_a_complete_readme(bundles, built_db, info, kind):
    zf = _zip(bundles[kind])
    ext = "parquet" if kind == "parquet" else "csv"
    assert sorted(zf.namelist()) == sorted([f"{v}.{ext}" for v in PUBLIC_VIEWS] + ["README.txt"])
    readme = zf.read("README.txt").decode()
    for needle in (info["data_version"], info["built_at"], settings.SIPRI_CREDIT, settings.SIPRI_TERMS,
                   opendata.LEDGER_CITATION, "How to cite", opendata.how_to_cite(info)):
        assert needle in readme
    for s in schema.all_schemas(built_db):
        n = built_db.execute(f"SELECT count(*) FROM {s.name}").fetchone()[0]
        assert f"{s.name}.{ext} — {n:,} rows." in readme
        for column, type_, meaning in s.columns:
            assert any(line.split("|")[0].strip() == column and type_ in line and meaning in line
                       for line in readme.splitlines() if "|" in line), (s.name, column)
    assert bundles[kind].rows == {v: built_db.execute(f"SELECT count(*) FROM {v}").fetchone()[0] for v in PUBLIC_VIEWS}


def test_parquet_files_equal_the_views(bundles, built_db):
    zf = _zip(bundles["parquet"])
    for view in PUBLIC_VIEWS:
        table = pq.read_table(io.BytesIO(zf.read(f"{view}.parquet")))
        want = built_db.cursor().sql(f"SELECT * FROM {view}").to_arrow_table()
        assert table.schema.names == want.schema.names
        assert table.num_rows == want.num_rows
        assert table.equals(want), view


def _same(csv_value: object, sql_value: object, name: str = "") -> bool:
    if export._is_date_column(name) and isinstance(sql_value, str) and re.fullmatch(r"[0-9]{4}(-[0-9]{2})?", sql_value):
        # the CSV rule: a date at year or month precision is written as the period's first day (+ its precision)
        return csv_value == sql_value + ("-01-01" if len(sql_value) == 4 else "-01")
    if sql_value is None or (isinstance(sql_value, float) and math.isnan(sql_value)):
        return csv_value == ""
    if isinstance(sql_value, bool):
        return csv_value == str(sql_value)
    if isinstance(sql_value, float):
        return math.isclose(float(csv_value), sql_value, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(sql_value, int):
        return csv_value == str(sql_value)
    if hasattr(sql_value, "isoformat"):
        return csv_value == sql_value.isoformat()[:10]
    return csv_value == export.neutralise(str(sql_value))


def test_csv_files_equal_the_views_row_for_row(bundles, built_db):
    zf = _zip(bundles["csv"])
    for view in PUBLIC_VIEWS:
        raw = zf.read(f"{view}.csv")
        assert raw.startswith(b"\xef\xbb\xbf")
        got = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        cur = built_db.execute(f"SELECT * FROM {view}")
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        assert list(got.columns) == names and len(got) == len(rows), view
        for i, (line, row) in enumerate(zip(got.values.tolist(), rows)):
            bad = [(n, c, v) for n, c, v in zip(names, line, row) if not _same(c, v, n)]
            assert not bad, (view, i, bad)

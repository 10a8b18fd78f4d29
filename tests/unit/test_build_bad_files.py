"""Issue 19, item 5: the build on bad source files: a file:line:column report (never a traceback), nothing
impossible published, the old database kept, stale temp files cleaned; db.execute tells a query error from a
broken file."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from kdefense import db, settings
from kdefense.build import build, clean_stale_temp_files
from kdefense.validate import ValidationFailed
from tests.unit.test_build import REGISTER, _edit_register, digest, edit_csv, sources  # noqa: F401 (fixture)

DEALS = "ledger/deals_fixture.csv"
ROU_K9 = lambda r: r["deal_id"] == "KR-ROU-2024-K9"  # noqa: E731 (line 6 of the fixture)
BAD_VALUES = [
    ("full-width quantity", "quantity", "９６"),
    ("full-width date", "signed_date", "２０２５"),
    ("nan value", "value_amount_m", "nan"),
    ("underscore value", "value_amount_m", "308_000"),
    ("30-digit quantity", "quantity", "1" * 30),
    ("inf value", "value_amount_m", "inf"),
    ("NaN value", "value_amount_m", "NaN"),
    ("huge exponent", "value_amount_m", "1e99"),
    ("month 13", "signed_date", "2016-13-45"),
    ("February 30", "signed_date", "2016-02-30"),
]


@pytest.mark.parametrize("name,column,value", BAD_VALUES, ids=[b[0] for b in BAD_VALUES])
def test_bad_values_are_reported_with_file_line_and_column(sources, tmp_path, name, column, value):  # noqa: F811
    out = tmp_path / "kdefense.duckdb"
    build(sources, out)
    before = digest(out)
    precision = {10: "day", 7: "month"}.get(len(value), "year") if column == "signed_date" else None
    edit_csv(sources / DEALS, ROU_K9, lambda r: r.update({column: value}, **(
        {"signed_date_precision": precision} if precision else {})))
    with pytest.raises(ValidationFailed) as err:
        build(sources, out)
    header = (sources / DEALS).read_text(encoding="utf-8").splitlines()[0].split(",")
    where = f"deals_fixture.csv:6:{header.index(column) + 1}: column '{column}'"
    assert where in str(err.value), str(err.value)
    assert digest(out) == before


def test_utf8_bom_is_accepted(sources, tmp_path):  # noqa: F811
    path = sources / DEALS
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    build(sources, tmp_path / "x.duckdb")
    with duckdb.connect(str(tmp_path / "x.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM deals WHERE deal_id = 'KR-POL-2022-K2-FA'").fetchone() == (1,)


def test_cp1252_file_is_reported_with_its_line_and_column(sources, tmp_path):  # noqa: F811
    path = sources / "ledger" / "events.csv"
    text = path.read_text(encoding="utf-8").replace("Russia's", "Russia’s — café", 1)
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(ValidationFailed) as err:
        build(sources, tmp_path / "x.duckdb")
    assert "events.csv:2:" in str(err.value) and "not UTF-8" in str(err.value)


def test_nul_byte_is_rejected(sources, tmp_path):  # noqa: F811
    edit_csv(sources / DEALS, ROU_K9, lambda r: r.update(notes="a\x00b"))
    with pytest.raises(ValidationFailed) as err:
        build(sources, tmp_path / "x.duckdb")
    assert "deals_fixture.csv:6:" in str(err.value) and "NUL" in str(err.value)


def test_line_numbers_count_lines_of_multi_line_quoted_fields(sources, tmp_path):  # noqa: F811
    edit_csv(sources / DEALS, lambda r: r["deal_id"] == "KR-POL-2022-K2-FA", lambda r: r.update(notes="one\ntwo\nthree"))
    edit_csv(sources / DEALS, ROU_K9, lambda r: r.update(status="signed"))
    lines = (sources / DEALS).read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("KR-ROU-2024-K9,"))
    assert line == 8
    with pytest.raises(ValidationFailed) as err:
        build(sources, tmp_path / "x.duckdb")
    assert "deals_fixture.csv:8:" in str(err.value), str(err.value)


def test_unicode_digits_in_the_sipri_register_are_reported(sources, tmp_path):  # noqa: F811
    _edit_register(sources, "Poland,South Korea,2022,,180,", "Poland,South Korea,2022,,²³,")
    with pytest.raises(ValidationFailed) as err:
        build(sources, tmp_path / "x.duckdb")
    assert "column 'Number ordered'" in str(err.value) and REGISTER.split("/")[1] in str(err.value)


def test_stale_temp_files_of_killed_builds_are_removed(sources, tmp_path):  # noqa: F811
    out = tmp_path / "kdefense.duckdb"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = [tmp_path / f".kdefense.duckdb.{pid}.tmp", tmp_path / f".kdefense.duckdb.{pid}.tmp.wal"]
    alive = tmp_path / f".kdefense.duckdb.{os.getppid()}.tmp"  # a build still running elsewhere
    for path in [*stale, alive]:
        path.write_bytes(b"x" * 1000)
    build(sources, out)
    assert not any(p.exists() for p in stale) and alive.exists()
    assert clean_stale_temp_files(out) == []
    ignored = (settings.ROOT / ".gitignore").read_text()
    assert "data/.*.tmp" in ignored and "data/.*.tmp.wal" in ignored


def test_query_errors_are_not_taken_for_a_broken_file(built_db_path, monkeypatch):
    monkeypatch.setenv("KDEFENSE_DB", str(built_db_path))
    with pytest.raises(duckdb.ConversionException):
        db.execute("SELECT CAST('2016-13-45' AS DATE)")
    with pytest.raises(duckdb.Error):
        db.execute("SELECT 1/0::INTEGER, CAST('x' AS INTEGER)")
    assert db.execute("SELECT count(*) AS n FROM deals")["n"][0] > 0  # the shared connection survived

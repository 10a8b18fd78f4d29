"""The public views' documented schema: kdefense/schema.toml (meanings) + the built database (types).

`python -m kdefense.schema [--db FILE]` rewrites the generated part of docs/schema.md (between the markers);
tests/unit/test_opendata.py fails when the file is out of date or a view column has no meaning.
"""

from __future__ import annotations

import argparse
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from kdefense import settings

SCHEMA_TOML = Path(__file__).resolve().parent / "schema.toml"
DOC = settings.ROOT / "docs" / "schema.md"
BEGIN, END = "<!-- columns:begin (python -m kdefense.schema) -->", "<!-- columns:end -->"


@dataclass(frozen=True)
class ViewSchema:
    name: str
    layer: str
    description: str
    columns: tuple[tuple[str, str, str], ...]  # (column, DuckDB type, meaning)


@cache
def meanings() -> dict[str, dict]:
    return tomllib.loads(SCHEMA_TOML.read_text())["views"]


def describe(con: duckdb.DuckDBPyConnection, view: str) -> list[tuple[str, str]]:
    """(column, type) of a public view, in its order."""
    return [(r[0], r[1]) for r in con.execute(f'DESCRIBE "{view}"').fetchall()]


def view_schema(view: str, columns: list[tuple[str, str]]) -> ViewSchema:
    doc = meanings().get(view, {})
    cols = doc.get("columns", {})
    return ViewSchema(view, doc.get("layer", ""), doc.get("description", ""),
                      tuple((c, t, cols.get(c, "")) for c, t in columns))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(schemas: list[ViewSchema]) -> str:
    parts = []
    for s in schemas:
        parts += [f"### {s.name}", f"*{s.layer} layer.* {s.description}", "",
                  "| column | type | meaning |", "|---|---|---|"]
        parts += [f"| {c} | {t} | {_cell(m)} |" for c, t, m in s.columns]
        parts.append("")
    return "\n".join(parts)


def all_schemas(con: duckdb.DuckDBPyConnection) -> list[ViewSchema]:
    from kdefense.build import PUBLIC_VIEWS

    return [view_schema(v, describe(con, v)) for v in PUBLIC_VIEWS]


def document(text: str, generated: str) -> str:
    """docs/schema.md with its generated part replaced."""
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{generated}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=settings.db_path())
    args = parser.parse_args(argv)
    con = duckdb.connect(args.db, read_only=True)
    try:
        DOC.write_text(document(DOC.read_text(), markdown(all_schemas(con))))
    finally:
        con.close()
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

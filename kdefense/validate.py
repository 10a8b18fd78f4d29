"""Read curated CSVs against a column spec and report problems as file:line:column: value — message."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: column '{self.column}': value {self.value!r}: {self.message}"


class ValidationFailed(Exception):
    """Raised with every problem found, so a curator can fix them all in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:60])
        more = f"\n  … and {len(problems) - 60} more" if len(problems) > 60 else ""
        super().__init__(f"{len(problems)} problem(s) in the source data:\n{shown}{more}")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text, int, float, bool, date, enum
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass
class Table:
    """Rows of one or more CSV files, each row remembering its file and line."""

    rows: list[dict[str, str]]
    where: list[tuple[str, int]]

    def locate(self, i: int) -> tuple[str, int]:
        return self.where[i]


def _check_value(col: Column, value: str) -> str | None:
    if value == "":
        return "required value is empty" if col.required else None
    if col.kind == "int":
        if not re.fullmatch(r"-?\d+", value):
            return "not a whole number (no thousands separators)"
        number: float = int(value)
    elif col.kind == "float":
        try:
            number = float(value)
        except ValueError:
            return "not a number (no thousands separators)"
    elif col.kind == "bool":
        return None if value in ("yes", "no") else "must be 'yes' or 'no'"
    elif col.kind == "date":
        return None if DATE_RE.match(value) else "not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)"
    elif col.kind == "enum":
        return None if value in col.choices else f"not one of: {', '.join(col.choices)}"
    else:
        return None
    if col.minimum is not None and number < col.minimum:
        return f"below the minimum {col.minimum:g}"
    if col.maximum is not None and number > col.maximum:
        return f"above the maximum {col.maximum:g}"
    return None


def read_table(paths: Iterable[Path], columns: list[Column], root: Path, problems: list[Problem]) -> Table:
    """Read CSV files with one spec; unknown or missing header columns and bad values become problems."""
    rows: list[dict[str, str]] = []
    where: list[tuple[str, int]] = []
    names = [c.name for c in columns]
    for path in paths:
        rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = [h.strip() for h in next(reader, [])]
            missing = [n for n in names if n not in header]
            extra = [h for h in header if h not in names]
            for n in missing:
                problems.append(Problem(rel, 1, n, "", "column missing from header"))
            for n in extra:
                problems.append(Problem(rel, 1, n, n, "unknown column (not in the documented schema)"))
            if missing:
                continue
            for line_no, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    problems.append(Problem(rel, line_no, "*", "", f"{len(values)} fields, header has {len(header)}"))
                    continue
                row = {h: v.strip() for h, v in zip(header, values)}
                for col in columns:
                    msg = _check_value(col, row[col.name])
                    if msg:
                        problems.append(Problem(rel, line_no, col.name, row[col.name], msg))
                rows.append({n: row[n] for n in names})
                where.append((rel, line_no))
    return Table(rows, where)


def check_unique(table: Table, column: str, problems: list[Problem]) -> None:
    first: dict[str, tuple[str, int]] = {}
    for i, row in enumerate(table.rows):
        key = row[column]
        if key in first:
            f, ln = first[key]
            file, line = table.locate(i)
            problems.append(Problem(file, line, column, key, f"duplicate key (first at {f}:{ln})"))
        else:
            first[key] = table.locate(i)


def check_refs(
    table: Table, column: str, known: set[str] | Callable[[str], bool], what: str, problems: list[Problem],
    split: str | None = None,
) -> None:
    """Every (possibly ';'-separated) value of column must be known."""
    ok = known if callable(known) else known.__contains__
    for i, row in enumerate(table.rows):
        raw = row[column]
        if raw == "":
            continue
        for value in (v.strip() for v in raw.split(split)) if split else [raw]:
            if value and not ok(value):
                file, line = table.locate(i)
                problems.append(Problem(file, line, column, value, f"unknown {what}"))

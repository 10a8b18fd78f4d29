"""Read curated CSVs against a column spec and report problems as file:line:column: value — message."""

from __future__ import annotations

import calendar
import csv
import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

# ASCII only: \d and str.isdigit() also match "２０２５" and "²"; float() also reads "nan", "inf" and "308_000".
DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
INT_RE = re.compile(r"-?[0-9]{1,15}")
FLOAT_RE = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,20})?(?:[eE][-+]?[0-9]{1,2})?")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    value: str
    message: str
    column_no: int = 0  # 1-based field (or character) position when known

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column_no}" if self.column_no else f"{self.file}:{self.line}"
        return f"{where}: column '{self.column}': value {self.value!r}: {self.message}"


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
        if not INT_RE.fullmatch(value):
            return "not a whole number (ASCII digits, at most 15, no thousands separators)"
        number: float = int(value)
    elif col.kind == "float":
        if not FLOAT_RE.fullmatch(value):
            return "not a number (ASCII digits and one '.', no thousands separators, no nan/inf)"
        number = float(value)
        if not math.isfinite(number) or abs(number) >= 1e15:
            return "not a finite number in range (|x| < 1e15)"
    elif col.kind == "bool":
        return None if value in ("yes", "no") else "must be 'yes' or 'no'"
    elif col.kind == "date":
        return date_problem(value)
    elif col.kind == "enum":
        return None if value in col.choices else f"not one of: {', '.join(col.choices)}"
    else:
        return None
    if col.minimum is not None and number < col.minimum:
        return f"below the minimum {col.minimum:g}"
    if col.maximum is not None and number > col.maximum:
        return f"above the maximum {col.maximum:g}"
    return None


def date_problem(value: str) -> str | None:
    """None for a real calendar date at year, month or day precision (ISO, ASCII digits), else why not."""
    m = DATE_RE.fullmatch(value)
    if not m:
        return "not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)"
    year, month, day = int(m[1]), m[2], m[3]
    if year < 1:
        return "not a calendar date (year 0000)"
    if month is not None and not 1 <= int(month) <= 12:
        return "not a calendar date (month must be 01–12)"
    days = calendar.monthrange(year, int(month))[1] if month is not None else 31
    if day is not None and not 1 <= int(day) <= days:
        return f"not a calendar date ({calendar.month_name[int(month)]} {year} has {days} days)"
    return None


def strict_int(value: str) -> int:
    """int() of ASCII digits only (int() also reads "２０２５"); ValueError otherwise."""
    if not INT_RE.fullmatch(value):
        raise ValueError(f"not a whole number in ASCII digits: {value[:40]!r}")
    return int(value)


def strict_float(value: str) -> float:
    """float() of a plain decimal only (float() also reads "nan", "inf", "308_000", "３"); ValueError otherwise."""
    if not FLOAT_RE.fullmatch(value):
        raise ValueError(f"not a plain decimal number: {value[:40]!r}")
    return float(value)


def _decoded(path: Path, rel: str, problems: list[Problem]) -> str | None:
    """The file's text: UTF-8, with or without a BOM (Excel writes one); other encodings and NUL are problems."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(Problem(rel, line, "*", raw[exc.start:exc.start + 1].hex(),
                                "not UTF-8 (save the file as UTF-8; Excel: 'CSV UTF-8')", col))
        return None
    if "\x00" in text:
        at = text.index("\x00")
        line = text.count("\n", 0, at) + 1
        problems.append(Problem(rel, line, "*", "\\x00", "NUL byte in the file", at - (text.rfind("\n", 0, at) + 1) + 1))
        return None
    return text


def read_table(paths: Iterable[Path], columns: list[Column], root: Path, problems: list[Problem]) -> Table:
    """Read CSV files with one spec; unknown or missing header columns and bad values become problems."""
    rows: list[dict[str, str]] = []
    where: list[tuple[str, int]] = []
    names = [c.name for c in columns]
    for path in paths:
        rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        text = _decoded(path, rel, problems)
        if text is None:
            continue
        with io.StringIO(text, newline="") as f:
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
            first_line = reader.line_num + 1
            for values in reader:
                # the physical line the record starts on: a quoted field may span several lines
                line_no, first_line = first_line, reader.line_num + 1
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    problems.append(Problem(rel, line_no, "*", "", f"{len(values)} fields, header has {len(header)}"))
                    continue
                row = {h: v.strip() for h, v in zip(header, values)}
                for col in columns:
                    msg = _check_value(col, row[col.name])
                    if msg:
                        problems.append(Problem(rel, line_no, col.name, row[col.name], msg,
                                                header.index(col.name) + 1))
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

"""Read SIPRI Arms Transfers Database exports exactly as SIPRI writes them.

Two export shapes are supported, recognised by their header line, so next year's download can be
dropped into data/sources/sipri/ unchanged:
- the trade register ("Recipient,Supplier,Year of order, ,..."), one row per deal, cp1252 or UTF-8;
- the per-delivery-year register ("SIPRI AT Database ID,Supplier,..."), lines ending in ';'.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REGISTER_HEADER = "Recipient,Supplier,Year of order"
PER_YEAR_HEADER = "SIPRI AT Database ID,Supplier"


class SipriFormatError(ValueError):
    """A SIPRI export that does not have the expected shape."""


class Row(tuple):
    """One export row: a tuple (small: ×100 registers hold millions of rows) read by column name like a dict."""

    __slots__ = ()
    columns: dict[str, int] = {}  # set on the per-export subclass made by row_type()

    def __getitem__(self, key):  # type: ignore[override]
        return tuple.__getitem__(self, self.columns[key] if isinstance(key, str) else key)

    def get(self, key: str, default: str | None = None) -> str | None:
        i = self.columns.get(key)
        return default if i is None else tuple.__getitem__(self, i)

    def values(self) -> tuple[str, ...]:
        return tuple(self)


def row_type(header: list[str]) -> type[Row]:
    return type("SipriRow", (Row,), {"__slots__": (), "columns": {name: i for i, name in enumerate(header)}})


@dataclass
class SipriExport:
    """Rows of one export with the file line number of each row (1-based, for error messages)."""

    path: Path
    kind: str  # "register" or "per_year"
    generated: str  # the 'Data generated:' line, as SIPRI wrote it
    header: list[str]
    rows: list[Row] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else cp1252 (SIPRI's older exports).

    Decoded in chunks, so that a ×100 register is never held in memory as one string.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def read_export(path: Path) -> SipriExport:
    """Parse one SIPRI export file: skip the preamble, keep the generation date, name the '?' columns."""
    path = Path(path)
    with open(path, encoding=_encoding(path), newline="") as fh:
        generated, header_line, header_index = "", None, -1
        for line in fh:
            header_index += 1  # ends as the header's 0-based line number
            line = line.rstrip("\r\n")
            if line.startswith("Data generated:"):
                generated = line.removeprefix("Data generated:").strip().rstrip(";").strip()
            if line.startswith(REGISTER_HEADER) or line.startswith(PER_YEAR_HEADER):
                header_line = line
                break
        if header_line is None:
            raise SipriFormatError(
                f"{path}: no SIPRI header line ('{REGISTER_HEADER}…' or '{PER_YEAR_HEADER}…') found")
        kind = "register" if header_line.startswith(REGISTER_HEADER) else "per_year"

        def body():
            for line in itertools.chain([header_line], fh):
                line = line.rstrip("\r\n")
                yield line[:-1] if kind == "per_year" and line.endswith(";") else line

        return _parse_rows(path, kind, generated, csv.reader(body()), header_index)


def _parse_rows(path: Path, kind: str, generated: str, reader, header_index: int) -> SipriExport:
    header = _name_flag_columns(next(reader))
    export = SipriExport(path, kind, generated, header)
    make_row = row_type(header)
    shared: dict[str, str] = {}  # one string object per distinct value: names, years and flags repeat
    for offset, values in enumerate(reader, start=1):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise SipriFormatError(
                f"{path}:{header_index + 1 + offset}: expected {len(header)} fields, found {len(values)}"
            )
        stripped = (v.strip() for v in values)
        export.rows.append(make_row(shared.setdefault(v, v) for v in stripped))
        export.line_numbers.append(header_index + 1 + offset)
    return export


def _name_flag_columns(header: list[str]) -> list[str]:
    """SIPRI leaves the '?'-flag columns unnamed; call each '<previous column> ?'."""
    named: list[str] = []
    for name in header:
        name = name.strip()
        named.append(f"{named[-1]} ?" if not name and named else name)
    return named


def parse_delivery_years(value: str) -> list[int]:
    """'2022; 2023' → [2022, 2023]."""
    return [int(y) for y in re.findall(r"\d{4}", value or "")]


def transfer_ids(rows: list[Row]) -> list[str]:
    """Stable ids for register rows, which carry no SIPRI id.

    The id hashes the deal's identity (supplier, recipient, order year, designation, description, number
    ordered); identical identities are numbered in the order of their full row text, so an id survives
    comment edits and re-sorting of the export.
    """
    fields = ("Supplier", "Recipient", "Year of order", "Weapon designation", "Weapon description", "Number ordered")
    keys = ["|".join(r.get(c, "") for c in fields) for r in rows]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        groups[key].append(i)
    ids = [""] * len(rows)
    for key, members in groups.items():
        if len(members) > 1:  # only repeated identities need the full row text to fix their order
            members = sorted(members, key=lambda i: "|".join(rows[i].values()))
        for n, i in enumerate(members):
            material = key if n == 0 else f"{key}#{n}"
            ids[i] = "T" + hashlib.sha1(material.encode("utf-8")).hexdigest()[:10]
    return ids

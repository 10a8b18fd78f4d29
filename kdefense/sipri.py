"""Read SIPRI Arms Transfers Database exports exactly as SIPRI writes them.

Two export shapes are supported, recognised by their header line, so next year's download can be
dropped into data/sources/sipri/ unchanged:
- the trade register ("Recipient,Supplier,Year of order, ,..."), one row per deal, cp1252 or UTF-8;
- the per-delivery-year register ("SIPRI AT Database ID,Supplier,..."), lines ending in ';'.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

REGISTER_HEADER = "Recipient,Supplier,Year of order"
PER_YEAR_HEADER = "SIPRI AT Database ID,Supplier"


class SipriFormatError(ValueError):
    """A SIPRI export that does not have the expected shape."""


@dataclass
class SipriExport:
    """Rows of one export with the file line number of each row (1-based, for error messages)."""

    path: Path
    kind: str  # "register" or "per_year"
    generated: str  # the 'Data generated:' line, as SIPRI wrote it
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def read_export(path: Path) -> SipriExport:
    """Parse one SIPRI export file: skip the preamble, keep the generation date, name the '?' columns."""
    text = _decode(Path(path).read_bytes())
    lines = text.splitlines()
    generated = ""
    for i, line in enumerate(lines):
        if line.startswith("Data generated:"):
            generated = line.removeprefix("Data generated:").strip().rstrip(";").strip()
        if line.startswith(REGISTER_HEADER) or line.startswith(PER_YEAR_HEADER):
            header_index = i
            break
    else:
        raise SipriFormatError(f"{path}: no SIPRI header line ('{REGISTER_HEADER}…' or '{PER_YEAR_HEADER}…') found")
    kind = "register" if lines[header_index].startswith(REGISTER_HEADER) else "per_year"
    body = "\n".join(line[:-1] if kind == "per_year" and line.endswith(";") else line for line in lines[header_index:])
    reader = csv.reader(io.StringIO(body))
    raw_header = next(reader)
    header = _name_flag_columns(raw_header)
    export = SipriExport(Path(path), kind, generated, header)
    for offset, values in enumerate(reader, start=1):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise SipriFormatError(
                f"{path}:{header_index + 1 + offset}: expected {len(header)} fields, found {len(values)}"
            )
        export.rows.append(dict(zip(header, (v.strip() for v in values))))
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


def transfer_ids(rows: list[dict[str, str]]) -> list[str]:
    """Stable ids for register rows, which carry no SIPRI id.

    The id hashes the deal's identity (supplier, recipient, order year, designation, description, number
    ordered); identical identities are numbered in the order of their full row text, so an id survives
    comment edits and re-sorting of the export.
    """
    keys = [
        "|".join(r.get(c, "") for c in ("Supplier", "Recipient", "Year of order", "Weapon designation",
                                        "Weapon description", "Number ordered"))
        for r in rows
    ]
    order = sorted(range(len(rows)), key=lambda i: (keys[i], "|".join(rows[i].values())))
    seen: dict[str, int] = {}
    ids = [""] * len(rows)
    for i in order:
        n = seen.get(keys[i], 0)
        seen[keys[i]] = n + 1
        material = keys[i] if n == 0 else f"{keys[i]}#{n}"
        ids[i] = "T" + hashlib.sha1(material.encode("utf-8")).hexdigest()[:10]
    return ids

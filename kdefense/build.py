"""Build data/kdefense.duckdb from data/sources: read → validate → load → views → temp file → rename.

Usage: python -m kdefense.build [--sources DIR] [--out FILE]
Exit code 0 on success; 1 with a file:line:column report when the sources do not validate (the previous
database file is left untouched).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from kdefense import settings
from kdefense.sipri import SipriExport, SipriFormatError, parse_delivery_years, read_export, transfer_ids
from kdefense.validate import (
    Column,
    Problem,
    Table,
    ValidationFailed,
    check_refs,
    check_unique,
    read_table,
    strict_float,
    strict_int,
)

Y = (settings.YEAR_MIN, settings.YEAR_MAX)

COUNTRY_COLS = [
    Column("iso3", required=True), Column("iso2"), Column("name", required=True),
    Column("region", "enum", True, settings.REGIONS), Column("subregion"),
    Column("nato_join_year", "int", minimum=1949, maximum=Y[1]), Column("eu_join_year", "int", minimum=1958, maximum=Y[1]),
    Column("eu_leave_year", "int", minimum=1958, maximum=Y[1]),
    Column("centroid_lat", "float", minimum=-90, maximum=90), Column("centroid_lon", "float", minimum=-180, maximum=180),
    Column("centroid_source"), Column("membership_source"),
]
ENTITY_TYPES = ("state", "non_state_armed_group", "international_organisation", "historical_or_unrecognised_state", "unknown")
ENTITY_COLS = [Column("sipri_name", required=True), Column("entity_type", "enum", True, ENTITY_TYPES),
               Column("iso3"), Column("location_iso3")]
CATEGORY_COLS = [Column("description", required=True),
                 Column("armament_category", "enum", True, settings.ARMAMENT_CATEGORIES),
                 Column("basis", "enum", True, ("sipri_2025_release", "project"))]
FX_SUPPLEMENT_COLS = [Column("currency", required=True), Column("year", "int", True, minimum=Y[0], maximum=Y[1]),
                      Column("units_per_usd", "float", True, minimum=0), Column("basis", required=True),
                      Column("source_ids", required=True)]
RELEASE_LINK_COLS = [Column("sipri_at_id", "int", True, minimum=1), Column("transfer_id", required=True),
                     Column("supplier", required=True), Column("recipient", required=True),
                     Column("order_year", "int", True, minimum=Y[0], maximum=Y[1]),
                     Column("per_year_designation", required=True), Column("register_designation", required=True),
                     Column("reason", required=True)]
COMPANY_COLS = [Column("sipri_name", required=True), Column("company", required=True), Column("note")]
FAMILY_COLS = [Column("supplier", required=True), Column("designation", required=True), Column("description", required=True),
               Column("system_family", required=True), Column("system_class", required=True), Column("note")]
SOURCE_COLS = [Column("source_id", required=True), Column("publisher", required=True), Column("title", required=True),
               Column("date", "date"), Column("url"), Column("kind", "enum", True,
                                                            ("official", "press", "research", "database", "seed")),
               Column("note")]
DEAL_COLS = [
    Column("deal_id", required=True), Column("parent_deal_id"), Column("recipient_iso3", required=True),
    Column("system_family", required=True), Column("designation", required=True), Column("description"),
    Column("armament_category", "enum", True, settings.ARMAMENT_CATEGORIES + settings.LEDGER_EXTRA_CATEGORIES),
    Column("company"), Column("partners"), Column("status", "enum", True, settings.DEAL_STATUSES),
    Column("signed_date", "date", True), Column("signed_date_precision", "enum", True, ("day", "month", "year")),
    Column("quantity", "int", minimum=0), Column("quantity_note"), Column("currency"),
    Column("value_amount_m", "float", minimum=0), Column("value_is_estimate", "bool"), Column("value_note"),
    Column("local_production_share_pct", "float", minimum=0, maximum=100), Column("local_production_note"),
    Column("sipri_transfer_id"), Column("confidence", "enum", True, ("high", "medium", "low")),
    Column("last_verified", "date"), Column("source_ids", required=True), Column("notes"),
    Column("deal_kind", "enum", True, settings.DEAL_KINDS), Column("competition_id"),
]
COMPETITION_COLS = [
    Column("competition_id", required=True), Column("programme", required=True), Column("recipient_iso3", required=True),
    Column("system_family", required=True),
    Column("year_opened", "int", minimum=Y[0], maximum=Y[1]), Column("year_decided", "int", minimum=Y[0], maximum=Y[1]),
    Column("quantity_sought", "int", minimum=0), Column("budget_currency"), Column("budget_amount_m", "float", minimum=0),
    Column("budget_is_estimate", "bool"), Column("korean_bidders", required=True), Column("korean_systems"),
    Column("rival_bidders"), Column("rival_systems"), Column("winner"), Column("winner_system"),
    Column("outcome", "enum", True, settings.COMPETITION_OUTCOMES), Column("deal_ids"),
    Column("source_ids", required=True), Column("notes"),
]
DELIVERY_COLS = [Column("deal_id", required=True), Column("year", "int", True, minimum=Y[0], maximum=Y[1]),
                 Column("units", "int", minimum=0), Column("kind", "enum", True, ("actual", "planned")),
                 Column("is_estimate", "bool"), Column("source_ids", required=True), Column("note")]
TOTAL_COLS = [Column("total_id", required=True), Column("year", "int", minimum=Y[0], maximum=Y[1]),
              Column("period_end_year", "int", minimum=Y[0], maximum=Y[1]), Column("metric", required=True),
              Column("value", "float", True), Column("unit", required=True), Column("scope"),
              Column("is_official", "bool"), Column("source_ids", required=True), Column("note")]
FACILITY_COLS = [Column("facility_id", required=True), Column("country_iso3", required=True), Column("city"),
                 Column("company", required=True),
                 Column("kind", "enum", True, ("production", "joint venture", "MRO", "office", "training", "R&D")),
                 Column("status", "enum", True, ("operating", "under construction", "planned", "agreed", "closed")),
                 Column("year", "int", minimum=Y[0], maximum=Y[1]),
                 Column("year_kind", "enum", choices=("opened", "planned", "agreed")),
                 Column("latitude", "float", minimum=-90, maximum=90),
                 Column("longitude", "float", minimum=-180, maximum=180),
                 Column("description"), Column("source_ids", required=True)]
EVENT_COLS = [Column("event_id", required=True), Column("date", "date", True), Column("title", required=True),
              Column("kind", "enum", True, ("war", "summit", "exhibition", "policy", "visit", "agreement")),
              Column("country_iso3"), Column("source_ids", required=True)]


@dataclass
class Sources:
    """Everything read from data/sources, before loading."""

    root: Path
    countries: Table
    entities: Table
    categories: Table
    register: SipriExport
    per_year: SipriExport
    fx: pd.DataFrame
    fx_supplement: Table
    companies_map: Table
    families: Table
    top100: pd.DataFrame
    ledger: dict[str, Table] = field(default_factory=dict)
    release_links: Table = field(default_factory=lambda: Table([], []))


def _glob(root: Path, pattern: str) -> list[Path]:
    """Source files matching pattern; `*_draft_*` files are work in progress and never loaded."""
    return sorted(p for p in root.glob(pattern) if "_draft_" not in p.name)


def _sipri_exports(root: Path, problems: list[Problem]) -> tuple[SipriExport | None, SipriExport | None]:
    """The newest trade register and per-delivery-year export in sources/sipri (by SIPRI's generation date)."""
    found: dict[str, list[SipriExport]] = defaultdict(list)
    for path in _glob(root, "sipri/*.csv"):
        if path.name == "description_categories.csv" or path.name.startswith("system_families"):
            continue
        try:
            export = read_export(path)
        except SipriFormatError as exc:
            problems.append(Problem(str(path.relative_to(root)), 1, "*", "", str(exc)))
            continue
        found[export.kind].append(export)

    def newest(kind: str) -> SipriExport | None:
        exports = found.get(kind, [])
        if not exports:
            problems.append(Problem("sipri/", 0, "*", "", f"no SIPRI {kind} export found"))
            return None
        return max(exports, key=lambda e: _parse_generated(e.generated))

    return newest("register"), newest("per_year")


def _parse_generated(value: str) -> datetime:
    for fmt in ("%d %b %Y %I:%M:%S %p", "%d %B %Y %I:%M:%S %p", "%d %b %Y"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return datetime.min


def _ecb_annual(path: Path) -> pd.DataFrame:
    """Annual mean of ECB daily fixings, expressed as units of each currency per US dollar (cross via EUR)."""
    daily = pd.read_csv(path, na_values=["N/A"]).dropna(axis=1, how="all")
    daily["year"] = pd.to_datetime(daily["Date"]).dt.year
    usd = daily["USD"]
    frames = [pd.DataFrame({"year": daily["year"], "currency": "EUR", "rate": 1.0 / usd})]
    for ccy in daily.columns:
        if ccy in ("Date", "year", "USD"):
            continue
        frames.append(pd.DataFrame({"year": daily["year"], "currency": ccy, "rate": daily[ccy] / usd}))
    long = pd.concat(frames).dropna()
    annual = long.groupby(["currency", "year"], as_index=False).agg(units_per_usd=("rate", "mean"),
                                                                     days=("rate", "size"))
    last = pd.to_datetime(daily["Date"]).max()
    annual["is_partial_year"] = (annual["year"] == last.year) & (last.month < 12)
    annual["basis"] = "ECB daily reference rates, annual mean of daily cross rates via EUR"
    annual["source_ids"] = "S-ECB-FX"
    return annual


def _top100(path: Path) -> pd.DataFrame:
    """SIPRI Top 100 workbook (one sheet per year) → long table; headers differ by year, so match by name."""
    with pd.ExcelFile(path) as book:  # closed after: the build left the workbook open (a ResourceWarning)
        sheets = {sheet: pd.read_excel(book, sheet, header=3) for sheet in book.sheet_names}
    frames = []
    for sheet, raw in sheets.items():
        year = int(sheet.strip())
        cols = {c: " ".join(str(c).split()) for c in raw.columns}
        pick: dict[str, str] = {}
        for c, label in cols.items():
            low = label.lower()
            if low.startswith("rank") and str(year) in low and "rank" not in pick:
                pick["rank"] = c
            elif low.startswith("company") and "company" not in pick:
                pick["company"] = c
            elif low.startswith("country") and "country" not in pick:
                pick["country"] = c
            elif low.startswith("arms revenue") and str(year) in low and "constant" not in low and "arms" not in pick:
                pick["arms"] = c
            elif low.startswith("total revenue") and "total" not in pick:
                pick["total"] = c
        df = pd.DataFrame({k: raw[v] for k, v in pick.items()})
        df = df[pd.to_numeric(df["rank"], errors="coerce").notna()].copy()
        df["year"] = year
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out["rank"] = pd.to_numeric(out["rank"]).astype(int)
    for c in ("arms", "total"):
        out[c] = pd.to_numeric(out.get(c), errors="coerce")
    out["company"] = out["company"].astype(str).str.replace(r"\s+", " ", regex=True).str.strip()
    out["country"] = out["country"].astype(str).str.strip()
    return out.rename(columns={"arms": "arms_revenue_musd", "total": "total_revenue_musd"})


def read_sources(root: Path) -> tuple[Sources | None, list[Problem]]:
    problems: list[Problem] = []
    ref = root / "reference"
    countries = read_table([ref / "countries.csv"], COUNTRY_COLS, root, problems)
    check_unique(countries, "iso3", problems)
    entities = read_table([ref / "sipri_entities.csv"], ENTITY_COLS, root, problems)
    check_unique(entities, "sipri_name", problems)
    iso3s = {r["iso3"] for r in countries.rows}
    check_refs(entities, "iso3", iso3s, "ISO3 code", problems)
    check_refs(entities, "location_iso3", iso3s, "ISO3 code", problems)
    categories = read_table([root / "sipri" / "description_categories.csv"], CATEGORY_COLS, root, problems)
    check_unique(categories, "description", problems)
    register, per_year = _sipri_exports(root, problems)
    fx = _ecb_annual(ref / "ecb_eurofxref_hist.csv")
    fx_supplement = read_table([ref / "fx_supplement.csv"], FX_SUPPLEMENT_COLS, root, problems)
    companies_map = read_table([ref / "korean_companies.csv"], COMPANY_COLS, root, problems)
    families = read_table([root / "sipri" / "system_families.csv"], FAMILY_COLS, root, problems)
    top100 = _top100(root / "sipri" / "SIPRI-Top-100-2002-2022.xlsx")
    if register is None or per_year is None:
        return None, problems
    src = Sources(root, countries, entities, categories, register, per_year, fx, fx_supplement, companies_map,
                  families, top100)
    src.release_links = read_table(_glob(ref, "sipri_release_links.csv"), RELEASE_LINK_COLS, root, problems)
    led = root / "ledger"
    src.ledger = {
        "sources": read_table(_glob(led, "sources_*.csv"), SOURCE_COLS, root, problems),
        "deals": read_table(_glob(led, "deals_*.csv"), DEAL_COLS, root, problems),
        "deliveries": read_table(_glob(led, "deliveries_*.csv"), DELIVERY_COLS, root, problems),
        "official_totals": read_table(_glob(led, "official_totals.csv"), TOTAL_COLS, root, problems),
        "facilities": read_table(_glob(led, "facilities.csv"), FACILITY_COLS, root, problems),
        "events": read_table(_glob(led, "events.csv"), EVENT_COLS, root, problems),
        "competitions": read_table(_glob(led, "competitions*.csv"), COMPETITION_COLS, root, problems),
    }
    return src, problems


# ---------------------------------------------------------------- SIPRI layer


def _register_frame(src: Sources, problems: list[Problem]) -> pd.DataFrame:
    """Validate the trade register and turn it into the transfers table."""
    exp = src.register
    rel = str(exp.path.relative_to(src.root))
    names = {r["sipri_name"]: r for r in src.entities.rows}
    isos = {r["iso3"]: r for r in src.countries.rows}
    cats = {r["description"]: r["armament_category"] for r in src.categories.rows}
    statuses = ("New", "Second hand", "Second hand but modernized")
    ids = transfer_ids(exp.rows)
    out: dict[str, list] = defaultdict(list)  # column lists: a dict per row would not fit ×100 registers
    for tid, row, line in zip(ids, exp.rows, exp.line_numbers):
        def bad(column: str, message: str, row=row, line=line) -> None:
            problems.append(Problem(rel, line, column, row.get(column, ""), message))

        for col in ("Supplier", "Recipient"):
            if row[col] not in names:
                bad(col, "SIPRI name not mapped in reference/sipri_entities.csv")
        if row["Weapon description"] not in cats:
            bad("Weapon description", "description not mapped in sipri/description_categories.csv")
        if row["status"] not in statuses:
            bad("status", f"not one of: {', '.join(statuses)}")
        for col in ("Year of order ?", "Number ordered ?", "Number delivered ?"):
            if row[col] not in ("", "?"):
                bad(col, "uncertainty flag must be '?' or empty")
        nums: dict[str, int | None] = {}
        for col in ("Year of order", "Number ordered", "Number delivered"):
            v = row[col]
            if v == "":
                nums[col] = None
                if col == "Year of order":
                    bad(col, "required value is empty")
                continue
            if not re.fullmatch(r"[0-9]{1,15}", v):  # ASCII: str.isdigit() also accepts "²" and "２０２５"
                bad(col, "not a non-negative whole number")
                nums[col] = None
            else:
                nums[col] = int(v)
        if nums["Year of order"] is not None and not Y[0] <= nums["Year of order"] <= Y[1]:
            bad("Year of order", f"year outside {Y[0]}–{Y[1]}")
        years = parse_delivery_years(row["Year(s) of delivery"])
        if any(not Y[0] <= y <= Y[1] for y in years):
            bad("Year(s) of delivery", f"year outside {Y[0]}–{Y[1]}")
        tivs: dict[str, float | None] = {}
        for col in ("SIPRI TIV per unit", "SIPRI TIV for total order", "SIPRI TIV of delivered weapons"):
            try:
                tivs[col] = strict_float(row[col]) if row[col] else None
            except ValueError:
                bad(col, "not a number")
                tivs[col] = None
            if tivs[col] is not None and tivs[col] < 0:
                bad(col, "negative TIV")
        sup, rec = names.get(row["Supplier"], {}), names.get(row["Recipient"], {})
        rec_loc = rec.get("location_iso3") or ""
        record = {
            "transfer_id": tid,
            "supplier": row["Supplier"], "supplier_iso3": sup.get("iso3") or None,
            "supplier_type": sup.get("entity_type"),
            "recipient": row["Recipient"], "recipient_iso3": rec.get("iso3") or None,
            "recipient_type": rec.get("entity_type"), "recipient_location_iso3": rec_loc or None,
            "recipient_region": isos.get(rec_loc, {}).get("region"),
            "order_year": nums["Year of order"], "order_year_uncertain": row["Year of order ?"] == "?",
            "number_ordered": nums["Number ordered"], "number_ordered_uncertain": row["Number ordered ?"] == "?",
            "number_delivered": nums["Number delivered"],
            "number_delivered_uncertain": row["Number delivered ?"] == "?",
            "delivery_years": ";".join(str(y) for y in years) or None,
            "first_delivery_year": min(years) if years else None, "last_delivery_year": max(years) if years else None,
            "designation": row["Weapon designation"], "description": row["Weapon description"],
            "armament_category": cats.get(row["Weapon description"]), "status": row["status"],
            "comments": row["Comments"] or None,
            "tiv_per_unit_m": tivs["SIPRI TIV per unit"], "tiv_order_m": tivs["SIPRI TIV for total order"],
            "tiv_delivered_m": tivs["SIPRI TIV of delivered weapons"],
        }
        for name, value in record.items():
            out[name].append(value)
    return pd.DataFrame(out)


def _per_year_frame(src: Sources, transfers: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Per-delivery-year rows (SIPRI's own to the last year it covers), linked to register transfers.

    Years the per-year export does not cover (e.g. 2025) are added from the register where the units
    follow without guessing: a single delivery year (all units), or register total minus the per-year sum.
    """
    exp = src.per_year
    rel = str(exp.path.relative_to(src.root))
    names = {r["sipri_name"]: r for r in src.entities.rows}
    isos = {r["iso3"]: r for r in src.countries.rows}

    def ident(name: str) -> str:
        e = names.get(name, {})
        return e.get("iso3") or e.get("location_iso3") or name

    rows: dict[str, list] = defaultdict(list)
    for row, line in zip(exp.rows, exp.line_numbers):
        for col in ("Supplier", "Recipient"):
            if row[col] not in names:
                problems.append(Problem(rel, line, col, row[col], "SIPRI name not mapped in reference/sipri_entities.csv"))
        if row["Armament category"] not in settings.ARMAMENT_CATEGORIES:
            problems.append(Problem(rel, line, "Armament category", row["Armament category"], "unknown category"))
        try:
            order_year, year = strict_int(row["Order date"]), strict_int(row["Delivery year"])
            units = strict_int(row["Numbers delivered"]) if row["Numbers delivered"] else None
            tiv = strict_float(row["TIV delivery values"]) if row["TIV delivery values"] else None
            unit_tiv = strict_float(row["TIV deal unit"]) if row["TIV deal unit"] else None
            at_id = strict_int(row["SIPRI AT Database ID"])
        except ValueError as exc:
            problems.append(Problem(rel, line, "*", "", f"number expected: {exc}"))
            continue
        if units is not None and units < 0:
            problems.append(Problem(rel, line, "Numbers delivered", row["Numbers delivered"], "negative count"))
        if not Y[0] <= year <= Y[1]:
            problems.append(Problem(rel, line, "Delivery year", row["Delivery year"], "year out of range"))
        sup, rec = names.get(row["Supplier"], {}), names.get(row["Recipient"], {})
        rec_loc = rec.get("location_iso3") or ""
        record = {
            "sipri_at_id": at_id, "transfer_id": None,
            "supplier": row["Supplier"], "supplier_iso3": sup.get("iso3") or None,
            "recipient": row["Recipient"], "recipient_iso3": rec.get("iso3") or None,
            "recipient_region": isos.get(rec_loc, {}).get("region"),
            "designation": row["Designation"], "description": row["Description"],
            "armament_category": row["Armament category"], "order_year": order_year,
            "order_year_uncertain": row["Order date is estimate"] == "Yes",
            "delivery_year": year, "delivery_year_uncertain": row["Delivery year is estimate"] == "Yes",
            "units": units, "units_uncertain": row["Numbers delivered is estimate"] == "Yes",
            "tiv_unit_m": unit_tiv, "tiv_delivered_m": tiv, "status": row["Status"],
            "local_production": row["Local production"] == "Yes", "basis": "sipri_per_year",
        }
        for name, value in record.items():
            rows[name].append(value)
    per_year = pd.DataFrame(rows)
    links = _link_releases(per_year, transfers, ident)
    _curated_links(src.release_links, per_year, transfers, links, problems)
    per_year["transfer_id"] = per_year["sipri_at_id"].map(links)
    last_covered = int(per_year["delivery_year"].max())
    linked = per_year.dropna(subset=["transfer_id"]).groupby("transfer_id")
    sums = linked["units"].sum(min_count=1).to_dict()
    at_ids = linked["sipri_at_id"].first().to_dict()
    extra = []
    for t in transfers[transfers["last_delivery_year"] > last_covered].itertuples():
        years = [int(y) for y in t.delivery_years.split(";")] if isinstance(t.delivery_years, str) else []
        later = [y for y in years if y > last_covered]
        if not later:
            continue
        units, basis = None, "register_year_only"
        delivered = None if pd.isna(t.number_delivered) else int(t.number_delivered)
        if len(later) == 1 and delivered is not None:
            if len(years) == 1:
                units, basis = delivered, "register_single_year"
            elif t.transfer_id in sums and delivered - sums[t.transfer_id] >= 0:
                units, basis = int(delivered - sums[t.transfer_id]), "register_minus_per_year"
        base = {
            "sipri_at_id": at_ids.get(t.transfer_id), "transfer_id": t.transfer_id, "supplier": t.supplier,
            "supplier_iso3": t.supplier_iso3, "recipient": t.recipient, "recipient_iso3": t.recipient_iso3,
            "recipient_region": t.recipient_region, "designation": t.designation, "description": t.description,
            "armament_category": t.armament_category, "order_year": t.order_year,
            "order_year_uncertain": t.order_year_uncertain, "delivery_year_uncertain": False,
            "units_uncertain": t.number_delivered_uncertain or units is None, "tiv_unit_m": None if pd.isna(t.tiv_per_unit_m) else t.tiv_per_unit_m,
            "status": t.status, "local_production": None, "basis": basis,
        }
        for y in later:  # several uncovered years: one row per year, units unknown
            tiv = units * base["tiv_unit_m"] if units is not None and base["tiv_unit_m"] is not None else None
            extra.append({**base, "delivery_year": y, "units": units, "tiv_delivered_m": tiv})
    out = pd.concat([per_year, pd.DataFrame(extra)], ignore_index=True)
    for col in ("sipri_at_id", "units", "order_year", "delivery_year"):
        out[col] = out[col].astype("Int64")
    return out


def _curated_links(table: Table, per_year: pd.DataFrame, transfers: pd.DataFrame, links: dict[int, str],
                   problems: list[Problem]) -> None:
    """Add the reviewed links of reference/sipri_release_links.csv for per-year deals the automatic rule leaves
    unlinked (a designation spelt differently, a delivery year revised between releases). Each row is checked
    against both exports: same supplier, recipient and order year, and no transfer linked twice."""
    deals = per_year.groupby("sipri_at_id").agg(supplier=("supplier", "first"), recipient=("recipient", "first"),
                                                 supplier_iso3=("supplier_iso3", "first"),
                                                 recipient_iso3=("recipient_iso3", "first"),
                                                 order_year=("order_year", "first"))
    register = transfers.set_index("transfer_id")[["supplier_iso3", "recipient_iso3", "order_year"]]
    taken = {t: a for a, t in links.items()}
    for i, row in enumerate(table.rows):
        file, line = table.locate(i)
        if not row["sipri_at_id"].isdigit():
            continue
        at_id, tid = int(row["sipri_at_id"]), row["transfer_id"]

        def bad(column: str, message: str, row=row, file=file, line=line) -> None:
            problems.append(Problem(file, line, column, row[column], message))

        if at_id not in deals.index:
            bad("sipri_at_id", "not in SIPRI's per-year export")
            continue
        if tid not in register.index:
            bad("transfer_id", "not a transfer of the trade register (SIPRI's data changed? review the link)")
            continue
        d, t = deals.loc[at_id], register.loc[tid]
        for column, name, a, b in (("supplier", d.supplier, d.supplier_iso3, t.supplier_iso3),
                                   ("recipient", d.recipient, d.recipient_iso3, t.recipient_iso3),
                                   ("order_year", d.order_year, d.order_year, t.order_year)):
            if str(a) != str(b) or str(row[column]) != str(name):
                bad(column, f"per-year export has {name!r} ({a}), register {b}: the link does not hold")
        if at_id in links and links[at_id] != tid:
            bad("sipri_at_id", f"already linked automatically to {links[at_id]}")
        elif taken.get(tid, at_id) != at_id:
            bad("transfer_id", f"already linked to SIPRI AT id {taken[tid]}")
        else:
            links[at_id] = tid
            taken[tid] = at_id


def _designation_stem(designation: str) -> str:
    """'K-9 155mm -' and 'K-9 Thunder 155mm' → 'K-9': releases spell designations differently."""
    return designation.split()[0].rstrip("-") if designation.strip() else ""


def _link_releases(per_year: pd.DataFrame, transfers: pd.DataFrame, ident) -> dict[int, str]:
    """Map each SIPRI AT id of the per-year export to the one register row it describes.

    Candidates share supplier, recipient and order year. An exact designation match wins; otherwise
    the designation stem must match and the register row must list every per-year delivery year and at
    least as many delivered units. Ambiguous deals stay unlinked rather than guessed.
    """
    deals = per_year.groupby("sipri_at_id").agg(
        supplier=("supplier", "first"), recipient=("recipient", "first"), designation=("designation", "first"),
        order_year=("order_year", "first"), units=("units", "sum"), years=("delivery_year", lambda s: set(s)))
    wanted = {(ident(d.supplier), ident(d.recipient), d.order_year) for d in deals.itertuples()}
    by_key: dict[tuple, list] = defaultdict(list)  # only the register rows a per-year deal can match
    columns = ["supplier", "recipient", "order_year", "transfer_id", "designation", "delivery_years", "number_delivered"]
    for t in transfers[columns].itertuples():
        key = (ident(t.supplier), ident(t.recipient), t.order_year)
        if key in wanted:
            by_key[key].append(t)
    links: dict[int, str] = {}
    taken: set[str] = set()
    for d in deals.itertuples():
        at_id = d.Index
        cands = by_key.get((ident(d.supplier), ident(d.recipient), d.order_year), [])
        exact = [t for t in cands if t.designation == d.designation]
        if len(exact) != 1:
            stem = _designation_stem(d.designation)
            exact = [t for t in cands if _designation_stem(t.designation) == stem
                     and d.years <= {int(y) for y in str(t.delivery_years or "").split(";") if y.isdigit()}
                     and (pd.isna(t.number_delivered) or d.units <= t.number_delivered)]
        if len(exact) == 1 and exact[0].transfer_id not in taken:
            links[at_id] = exact[0].transfer_id
            taken.add(exact[0].transfer_id)
    return links


# ---------------------------------------------------------------- ledger layer


def _fx_table(src: Sources) -> pd.DataFrame:
    sup = pd.DataFrame(src.fx_supplement.rows)
    if not sup.empty:
        sup = sup.assign(year=sup["year"].astype(int), units_per_usd=sup["units_per_usd"].astype(float),
                         days=None, is_partial_year=False)
    usd = pd.DataFrame({"currency": "USD", "year": range(Y[0], Y[1] + 1), "units_per_usd": 1.0, "days": None,
                        "is_partial_year": False, "basis": "identity", "source_ids": ""})
    fx = pd.concat([src.fx, sup, usd], ignore_index=True)
    return fx.drop_duplicates(["currency", "year"], keep="first").sort_values(["currency", "year"])


def _check_ledger(src: Sources, transfers: pd.DataFrame, fx: pd.DataFrame, problems: list[Problem]) -> None:
    led = src.ledger
    iso3s = {r["iso3"] for r in src.countries.rows}
    for name, key in (("sources", "source_id"), ("deals", "deal_id"), ("official_totals", "total_id"),
                      ("facilities", "facility_id"), ("events", "event_id"), ("competitions", "competition_id")):
        check_unique(led[name], key, problems)
    source_ids = {r["source_id"] for r in led["sources"].rows}
    for name in ("deals", "deliveries", "official_totals", "facilities", "events", "competitions"):
        check_refs(led[name], "source_ids", source_ids, "source id", problems, split=";")
    deals = led["deals"]
    deal_ids = {r["deal_id"] for r in deals.rows}
    check_refs(deals, "parent_deal_id", deal_ids, "parent deal (child deal whose parent is missing)", problems)
    check_refs(deals, "recipient_iso3", iso3s, "ISO3 code", problems)
    check_refs(led["facilities"], "country_iso3", iso3s, "ISO3 code", problems)
    check_refs(led["events"], "country_iso3", iso3s, "ISO3 code", problems)
    check_refs(deals, "sipri_transfer_id", set(transfers["transfer_id"]), "SIPRI transfer id", problems)
    check_refs(led["deliveries"], "deal_id", deal_ids, "deal id", problems)
    rates = set(zip(fx["currency"], fx["year"].astype(int)))
    for i, row in enumerate(deals.rows):
        file, line = deals.locate(i)
        if row["value_amount_m"]:
            year = int(row["signed_date"][:4]) if row["signed_date"][:4].isdigit() else None
            if not row["currency"]:
                problems.append(Problem(file, line, "currency", "", "a value needs its currency"))
            elif (row["currency"], year) not in rates:
                problems.append(Problem(file, line, "currency", row["currency"],
                                        f"no exchange rate for {row['currency']} in {year} (add it to reference/fx_supplement.csv)"))
        elif not row["value_note"]:
            problems.append(Problem(file, line, "value_note", "", "an empty value needs a note (e.g. 'not disclosed')"))
        prec = row["signed_date_precision"]
        if row["signed_date"] and len(row["signed_date"]) != {"day": 10, "month": 7, "year": 4}.get(prec, 0):
            problems.append(Problem(file, line, "signed_date", row["signed_date"], f"does not match precision '{prec}'"))
    check_competitions(led["competitions"], deals, iso3s, problems)


COMPETITION_ID_RE = re.compile(r"^C-[A-Z]{3}-\d{4}-[A-Z0-9-]+$")


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def check_competitions(comps: Table, deals: Table, iso3s: set[str], problems: list[Problem],
                       this_year: int | None = None) -> None:
    """Competitions: ids, years, outcome against winner, and the two-way link with deals (deal_ids ↔ competition_id)."""
    this_year = this_year or datetime.now(UTC).year
    comp_ids = {r["competition_id"] for r in comps.rows}
    deal_rows = {r["deal_id"]: (i, r) for i, r in enumerate(deals.rows)}
    check_refs(comps, "recipient_iso3", iso3s, "ISO3 code", problems)
    check_refs(comps, "deal_ids", set(deal_rows), "deal id", problems, split=";")
    check_refs(deals, "competition_id", comp_ids, "competition id (not in ledger/competitions.csv)", problems)
    for i, row in enumerate(deals.rows):
        if row["status"] == "lost" and not row["competition_id"]:
            file, line = deals.locate(i)
            problems.append(Problem(file, line, "competition_id", "", "a lost deal must name its competition"))
    for i, row in enumerate(comps.rows):
        file, line = comps.locate(i)

        def bad(column: str, message: str, row=row, file=file, line=line) -> None:
            problems.append(Problem(file, line, column, row[column], message))

        if row["competition_id"] and not COMPETITION_ID_RE.match(row["competition_id"]):
            bad("competition_id", "not of the form C-<ISO3>-<YEAR>-<SLUG> (uppercase letters, digits, hyphens)")
        opened, decided = (int(row[c]) if re.fullmatch(r"-?\d+", row[c]) else None
                           for c in ("year_opened", "year_decided"))
        if opened is not None and decided is not None and decided < opened:
            bad("year_decided", f"before year_opened {opened}")
        for column, year in (("year_opened", opened), ("year_decided", decided)):
            if year is not None and year > this_year:
                bad(column, f"in the future (after {this_year})")
        if opened is None and decided is None:
            bad("year_opened", "give year_opened or year_decided")
        outcome, winner = row["outcome"], row["winner"]
        korean = [b.casefold() for b in _split(row["korean_bidders"])]
        names_korean = bool(winner) and any(k in winner.casefold() for k in korean)  # "L&T / Samsung Techwin"
        if outcome == "open":
            if decided is not None:
                bad("year_decided", "an open competition has no decision year")
            if winner:
                bad("winner", "an open competition has no winner")
        elif outcome in ("won", "lost") and decided is None:
            bad("year_decided", f"a {outcome} competition needs its decision year")
        if outcome == "won" and not names_korean:
            bad("winner", "outcome 'won' but the winner is not one of korean_bidders")
        if outcome == "lost" and (names_korean or winner.casefold() == "none"):
            bad("winner", "outcome 'lost' but the winner is a Korean bidder or 'none' (leave it empty while undecided)")
        if outcome == "cancelled" and winner not in ("", "none"):
            bad("winner", "a cancelled competition has no winner (leave empty or 'none')")
        if outcome == "withdrawn" and names_korean:
            bad("winner", "outcome 'withdrawn' but the winner is a Korean bidder")
        if winner in ("", "none") and row["winner_system"]:
            bad("winner_system", "a winner_system without a winner")
        rivals, systems = row["rival_bidders"].split(";"), row["rival_systems"].split(";")  # empty = not named
        if row["rival_bidders"] and row["rival_systems"] and len(rivals) != len(systems):
            bad("rival_systems", f"{len(systems)} systems for {len(rivals)} rival bidders (pair them in order)")
        if row["budget_amount_m"] and not row["budget_currency"]:
            bad("budget_currency", "a budget needs its currency")
        for deal_id in _split(row["deal_ids"]):
            if deal_id in deal_rows and deal_rows[deal_id][1]["competition_id"] != row["competition_id"]:
                problems.append(Problem(file, line, "deal_ids", deal_id,
                                        f"deal's competition_id is {deal_rows[deal_id][1]['competition_id']!r}, "
                                        f"not {row['competition_id']!r}"))
    listed = {d for r in comps.rows for d in _split(r["deal_ids"])}
    for deal_id, (i, row) in deal_rows.items():
        if row["competition_id"] in comp_ids and deal_id not in listed:
            file, line = deals.locate(i)
            problems.append(Problem(file, line, "competition_id", row["competition_id"],
                                    "the competition does not list this deal in its deal_ids"))


OVER_DELIVERED = """
SELECT d.deal_id, d.quantity, sum(v.units) AS delivered
FROM deals d JOIN deliveries v ON v.deal_id = d.deal_id AND v.kind = 'actual'
WHERE d.quantity IS NOT NULL AND d.quantity_note IS NULL
GROUP BY d.deal_id, d.quantity HAVING sum(v.units) > d.quantity
"""


BAD_DATES = """
SELECT 'deals', deal_id, 'signed_date', signed_date FROM deals WHERE signed_date IS NOT NULL AND signed_date_typed IS NULL
UNION ALL SELECT 'deals', deal_id, 'last_verified', last_verified FROM deals
WHERE last_verified IS NOT NULL AND last_verified_typed IS NULL
UNION ALL SELECT 'sources', source_id, 'date', date FROM sources WHERE date IS NOT NULL AND date_typed IS NULL
UNION ALL SELECT 'events', event_id, 'date', date FROM events WHERE date IS NOT NULL AND date_typed IS NULL
"""


def _check_loaded(con: duckdb.DuckDBPyConnection, src: Sources) -> list[Problem]:
    """Rules that need the assembled views (SIPRI deliveries plus the ledger's own)."""
    deals = src.ledger["deals"]
    where = {row["deal_id"]: deals.locate(i) for i, row in enumerate(deals.rows)}
    problems = []
    for table, key, column, value in con.execute(BAD_DATES).fetchall():
        file, line = where.get(key, (f"ledger/{table}*.csv", 0)) if table == "deals" else (f"ledger/{table}*.csv", 0)
        problems.append(Problem(file, line, column, value, f"{key}: not a calendar date"))
    for deal_id, ordered, delivered in con.execute(OVER_DELIVERED).fetchall():
        file, line = where.get(deal_id, ("ledger/deals_*.csv", 0))
        problems.append(Problem(file, line, "quantity", str(ordered),
                                f"{int(delivered)} units delivered (SIPRI + ledger deliveries) exceed the {ordered} "
                                f"ordered for {deal_id}; explain it in quantity_note"))
    return problems


# ---------------------------------------------------------------- write


def data_version(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _frame(table: Table, columns: list[Column], ints: tuple[str, ...] = (), floats: tuple[str, ...] = (),
           bools: tuple[str, ...] = ()) -> pd.DataFrame:
    """Typed DataFrame of a validated table; empty cells become NULL, an empty table keeps its columns."""
    df = pd.DataFrame(table.rows, columns=[c.name for c in columns], dtype="string").replace({"": pd.NA})
    for c in ints:
        df[c] = pd.to_numeric(df[c]).astype("Int64")
    for c in floats:
        df[c] = pd.to_numeric(df[c]).astype("Float64")
    for c in bools:
        df[c] = df[c].map({"yes": True, "no": False}).astype("boolean")
    return df


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def clean_stale_temp_files(out: Path) -> list[Path]:
    """Remove temp files (and their .wal) left by builds that were killed; a running build's files are kept."""
    removed = []
    for path in out.parent.glob(f".{out.name}.*.tmp*"):
        m = re.fullmatch(rf"\.{re.escape(out.name)}\.([0-9]+)\.tmp(\.wal)?", path.name)
        if m and (int(m[1]) == os.getpid() or not _pid_alive(int(m[1]))):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def write_database(src: Sources, transfers: pd.DataFrame, deliveries: pd.DataFrame, fx: pd.DataFrame,
                   out: Path) -> dict[str, int]:
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    clean_stale_temp_files(out)
    led = src.ledger
    frames = {
        "countries_base": _frame(src.countries, COUNTRY_COLS, ints=("nato_join_year", "eu_join_year", "eu_leave_year"),
                                 floats=("centroid_lat", "centroid_lon")),
        "sipri_entities_base": _frame(src.entities, ENTITY_COLS),
        "transfers_base": transfers,
        "transfer_deliveries_base": deliveries,
        "fx_base": fx,
        "system_families_base": _frame(src.families, FAMILY_COLS),
        "korean_companies_base": _frame(src.companies_map, COMPANY_COLS),
        "top100_base": src.top100,
        "sources_base": _frame(led["sources"], SOURCE_COLS),
        "deals_base": _frame(led["deals"], DEAL_COLS, ints=("quantity",),
                             floats=("value_amount_m", "local_production_share_pct"), bools=("value_is_estimate",)),
        "deliveries_ledger_base": _frame(led["deliveries"], DELIVERY_COLS, ints=("year", "units"),
                                         bools=("is_estimate",)),
        "official_totals_base": _frame(led["official_totals"], TOTAL_COLS, ints=("year", "period_end_year"),
                                       floats=("value",), bools=("is_official",)),
        "facilities_base": _frame(led["facilities"], FACILITY_COLS, ints=("year",),
                                  floats=("latitude", "longitude")),
        "events_base": _frame(led["events"], EVENT_COLS),
        "competitions_base": _frame(led["competitions"], COMPETITION_COLS,
                                    ints=("year_opened", "year_decided", "quantity_sought"),
                                    floats=("budget_amount_m",), bools=("budget_is_estimate",)),
    }
    info = {
        "data_version": data_version(src.root),
        "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sipri_register_generated": src.register.generated,
        "sipri_register_file": src.register.path.name,
        "sipri_per_year_generated": src.per_year.generated,
        "sipri_per_year_file": src.per_year.path.name,
        "sipri_credit": settings.SIPRI_CREDIT,
        "sipri_terms": settings.SIPRI_TERMS,
        "ecb_credit": settings.ECB_CREDIT,
        "schema_version": "1",
    }
    # An in-memory instance ATTACHes the new file with an explicit storage version, so that every DuckDB client
    # from settings.DB_STORAGE_VERSION on can open it (a file written in DuckDB 2.0's default format needs 2.0).
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{_quote(tmp)}' AS out (STORAGE_VERSION '{settings.DB_STORAGE_VERSION}')")
        con.execute("USE out")
        schema = settings.INTERNAL_SCHEMA
        con.execute(f"CREATE SCHEMA {schema}")
        for name, df in frames.items():
            con.register("frame", df)
            con.execute(f"CREATE TABLE {schema}.{name.removesuffix('_base')} AS SELECT * FROM frame")
            con.unregister("frame")
        con.execute(f"CREATE TABLE {schema}.build_info (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.executemany(f"INSERT INTO {schema}.build_info VALUES (?, ?)", list(info.items()))
        con.execute((settings.SQL_DIR / "derive.sql").read_text())
        con.execute((settings.SQL_DIR / "views.sql").read_text())
        con.execute((settings.SQL_DIR / "materialize.sql").read_text())
        problems = _check_loaded(con, src)
        if problems:
            raise ValidationFailed(problems)
        counts = {v: con.execute(f"SELECT count(*) FROM {v}").fetchone()[0] for v in PUBLIC_VIEWS}
        con.execute("CHECKPOINT")
        con.execute("USE memory")
        con.execute("DETACH out")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, out)
    return counts


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


PUBLIC_VIEWS = ("transfers", "transfer_deliveries", "countries", "fx_rates", "deals", "deliveries", "sources",
                "official_totals", "facilities", "events", "companies", "system_families", "competitions", "build_info")


def build(sources: Path, out: Path) -> dict[str, int]:
    """Validate sources and write the database; raises ValidationFailed and leaves `out` untouched on bad input."""
    src, problems = read_sources(sources)
    if src is None:
        raise ValidationFailed(problems)
    transfers = _register_frame(src, problems)
    src.register.rows, src.register.line_numbers = [], []  # the frame holds what is kept; ×100 needs the room
    deliveries = _per_year_frame(src, transfers, problems)
    src.per_year.rows, src.per_year.line_numbers = [], []
    fx = _fx_table(src)
    _check_ledger(src, transfers, fx, problems)
    if problems:
        raise ValidationFailed(problems)
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_database(src, transfers, deliveries, fx, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=settings.SOURCES_DIR)
    parser.add_argument("--out", type=Path, default=Path(settings.db_path()))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = build(args.sources, args.out)
    except ValidationFailed as exc:
        print(f"build failed; {args.out} left unchanged.\n{exc}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    print(f"built {args.out} in {seconds:.2f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CSV and zip exports of exactly what a page shows: Excel-safe, pandas-safe, formula-injection-safe."""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from kdefense import settings
from kdefense.filters import Filters

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """OWASP CSV injection: a text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel opens it as UTF-8), ISO dates, plain numbers, text cells neutralised."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    # CRLF line ends (RFC 4180): the csv writer then quotes any cell holding \r or \n.
    return out.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\r\n").encode("utf-8-sig")


def file_name(view: str, filters: Filters, data_date: str, ext: str = "csv") -> str:
    return f"kdefense_{view}_{filters.file_slug()}_data-{data_date}.{ext}"


def readme_text(view: str, filters: Filters, info: dict[str, str], rows: int) -> str:
    return "\n".join([
        f"South Korea defence exports dashboard — export of '{view}'",
        "",
        f"Rows: {rows}",
        f"Filters: {filters.describe()}",
        f"Link parameters: {filters.to_query_params()}",
        f"Data version: {info.get('data_version', '?')} (built {info.get('built_at', '?')})",
        f"SIPRI register: {info.get('sipri_register_generated', '?')}; per-year register: "
        f"{info.get('sipri_per_year_generated', '?')}",
        "",
        "Values: value_amount_m is in millions of `currency` as the source states it; value_usd_m converts it at",
        "the signing year's average exchange rate (ECB reference rates; pegs for AED and SAR).",
        "value_usd_m_counted leaves out framework agreements whose executive contracts carry the value.",
        settings.TIV_CAVEAT,
        "",
        "Credits:",
        settings.SIPRI_CREDIT,
        settings.SIPRI_TERMS,
        settings.ECB_CREDIT,
        "Ledger rows cite their own sources (source_ids / source_urls).",
    ]) + "\n"


def to_zip_bytes(df: pd.DataFrame, view: str, filters: Filters, info: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    data_date = info.get("built_at", "")[:10]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(file_name(view, filters, data_date), to_csv_bytes(df))
        zf.writestr("README.txt", readme_text(view, filters, info, len(df)))
    return buffer.getvalue()

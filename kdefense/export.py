"""CSV and zip exports of exactly what a page shows: Excel-safe, pandas-safe, formula-injection-safe."""

from __future__ import annotations

import hashlib
import io
import zipfile
from urllib.parse import urlencode

import pandas as pd

from kdefense import settings
from kdefense.filters import Filters
from kdefense.fmt import ISO_PARTIAL_DATE as PARTIAL_DATE
from kdefense.fmt import is_date_column as _is_date_column
from kdefense.i18n import DEFAULT_LANG, URL_PARAM, current_lang, t
from kdefense.safety import FORMULA_PREFIXES, neutralise, neutralise_frame  # noqa: F401 (re-exported)

DEFAULT_BASE_URL = "http://localhost:8501"


def _full_dates(values: pd.Series) -> tuple[pd.Series, pd.Series] | None:
    """ISO dates at day, month or year precision → (full ISO date on the 1st, precision), or None if not dates."""
    dates, precisions = [], []
    for v in values:
        if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or v == "":
            dates.append(None)
            precisions.append(None)
            continue
        m = PARTIAL_DATE.fullmatch(str(v))
        if not m:
            return None
        dates.append(f"{m[1]}-{m[2] or '01'}-{m[3] or '01'}")
        precisions.append("day" if m[3] else "month" if m[2] else "year")
    return pd.Series(dates, index=values.index, dtype=object), pd.Series(precisions, index=values.index, dtype=object)


def spreadsheet_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The frame as a spreadsheet should read it.

    - A date column given at day, month or year precision ("2022-08-26", "2025-09", "2022") is written as a full
      ISO date (the 1st of the month or January 1st) with a `<column>_precision` column beside it, so a
      spreadsheet reads every cell as a date and sorts them chronologically.
    - A number column holding only whole numbers is written as integers ("100", not "100.0").
    - Text cells that a spreadsheet would run as formulas are neutralised.
    """
    out = neutralise_frame(df)
    for col in list(out.columns):
        series = out[col]
        if _is_date_column(str(col)) and (series.dtype == object or pd.api.types.is_string_dtype(series)):
            converted = _full_dates(series)
            if converted is not None:
                out[col] = converted[0]
                if f"{col}_precision" not in out.columns:
                    out.insert(out.columns.get_loc(col) + 1, f"{col}_precision", converted[1])
        elif pd.api.types.is_float_dtype(series):
            finite = series.dropna()
            if len(finite) and (finite == finite.round()).all() and finite.abs().max() < 2**53:
                out[col] = series.astype("Int64")
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel opens it as UTF-8), full ISO dates, integers as integers, text cells neutralised."""
    out = spreadsheet_frame(df)
    # CRLF line ends (RFC 4180): the csv writer then quotes any cell holding \r or \n.
    return out.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\r\n").encode("utf-8-sig")


def query_string(filters: Filters) -> str:
    """The canonical query string of a view (sorted names and values): the same rows, the same string."""
    params = filters.to_query_params()
    return urlencode(sorted((k, sorted(v) if isinstance(v, list) else v) for k, v in params.items()), doseq=True)


def view_hash(filters: Filters) -> str:
    """8 hex digits of the canonical query string: two views with different filters get different names."""
    return hashlib.sha256(query_string(filters).encode("utf-8")).hexdigest()[:8]


def file_name(view: str, filters: Filters, data_date: str, ext: str = "csv") -> str:
    return f"kdefense_{view}_{filters.file_slug()}_{view_hash(filters)}_data-{data_date}.{ext}"


def view_url(filters: Filters, page: str = "", base_url: str = DEFAULT_BASE_URL) -> str:
    """A link that opens this view: base URL, page path, and the view's filters."""
    params = filters.to_query_params()
    if current_lang() != DEFAULT_LANG:  # the link opens the view in the language it was exported in
        params[URL_PARAM] = current_lang()
    return f"{base_url.rstrip('/')}/{page.strip('/')}?{urlencode(params, doseq=True)}"


def readme_text(view: str, filters: Filters, info: dict[str, str], rows: int, page: str = "",
                base_url: str = DEFAULT_BASE_URL) -> str:
    return "\n".join([
        t("South Korea defence exports dashboard — export of '{view}'", view=view),
        "",
        t("Rows: {n}", n=rows),
        t("Filters: {filters}", filters=filters.describe()),
        t("Link: {url}", url=view_url(filters, page, base_url)),
        "",
        t("Dates: every date column holds a full ISO date (YYYY-MM-DD) so that spreadsheets sort it chronologically;\n"
          "a date the sources give only to the month or year is written as the 1st of that month or January 1st,\n"
          "and the `<column>_precision` column beside it says day, month or year."),
        t("Data version: {version} (built {built})", version=info.get("data_version", "?"),
          built=info.get("built_at", "?")),
        t("SIPRI register: {generated}; per-year register: {per_year}",
          generated=info.get("sipri_register_generated", "?"), per_year=info.get("sipri_per_year_generated", "?")),
        "",
        t("Values: value_amount_m is in millions of `currency` as the source states it; value_usd_m converts it at\n"
          "the signing year's average exchange rate (ECB reference rates; pegs for AED and SAR).\n"
          "value_usd_m_counted leaves out framework agreements whose executive contracts carry the value."),
        t(settings.TIV_CAVEAT),
        "",
        t("Credits:"),
        settings.SIPRI_CREDIT,
        t(settings.SIPRI_TERMS),
        t(settings.ECB_CREDIT),
        t("Ledger rows cite their own sources (source_ids / source_urls)."),
    ]) + "\n"


def to_zip_bytes(df: pd.DataFrame, view: str, filters: Filters, info: dict[str, str], page: str = "",
                 base_url: str = DEFAULT_BASE_URL) -> bytes:
    buffer = io.BytesIO()
    data_date = info.get("built_at", "")[:10]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(file_name(view, filters, data_date), to_csv_bytes(df))
        zf.writestr("README.txt", readme_text(view, filters, info, len(df), page, base_url))
    return buffer.getvalue()

"""Streamlit glue shared by every page: the filter sidebar (bound to the URL), headers, downloads, footer."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from kdefense import export, queries, settings
from kdefense.db import DatabaseUnavailable
from kdefense.filters import BASIS_LABELS, DEFAULT_STATUSES, URL_NAMES, FilterOptions, Filters, parse_query_params

KEYS = {attr: f"flt_{url}" for url, attr in URL_NAMES.items()}
YEARS_KEY = "flt_years"
APPLIED_KEY = "_flt_applied_url"
NOTICES_KEY = "_flt_notices"
CURRENT_KEY = "_flt_current"


def _url_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _normalised(params: dict[str, Any]) -> dict[str, list[str]]:
    return {k: sorted(v) if isinstance(v, list) else [v] for k, v in params.items()}


def _apply_to_widgets(filters: Filters) -> None:
    for attr, key in KEYS.items():
        if attr in ("year_from", "year_to"):
            continue
        value = getattr(filters, attr)
        st.session_state[key] = list(value) if isinstance(value, tuple) else value
    st.session_state[YEARS_KEY] = (filters.year_from, filters.year_to)


def _reset(options: FilterOptions) -> None:
    _apply_to_widgets(Filters(year_from=options.year_min, year_to=options.year_max))
    st.session_state[NOTICES_KEY] = []


def _sync_from_url(options: FilterOptions) -> None:
    """Adopt the URL's filters when it was opened or edited from outside (a shared link, back button)."""
    raw = _url_params()
    applied = st.session_state.get(APPLIED_KEY)
    if not raw or (applied is not None and _normalised(raw) == applied):
        return  # a bare URL, our own URL, or a page switch that dropped the parameters: keep the session's filters
    filters, notices = parse_query_params(raw, options)
    _apply_to_widgets(filters)
    st.session_state[NOTICES_KEY] = notices


def sidebar_filters(options: FilterOptions) -> Filters:
    """Render the shared filters; returns the Filters for this rerun and keeps the URL in step."""
    init_defaults(options)
    _sync_from_url(options)
    sb = st.sidebar
    sb.segmented_control("Value basis", list(BASIS_LABELS), format_func=BASIS_LABELS.get, key=KEYS["basis"],
                         required=True,
                         help="Contract money (ledger) or SIPRI trend-indicator values. They are never added together.")
    sb.multiselect("Region", list(settings.REGIONS), key=KEYS["regions"], placeholder="All regions")
    cols = sb.columns(2)
    cols[0].toggle("NATO members", key=KEYS["nato"], help="Recipients that are NATO members today")
    cols[1].toggle("EU members", key=KEYS["eu"], help="Recipients that are EU members today")
    sb.multiselect("Recipient countries", list(options.countries), format_func=lambda c: options.countries.get(c, c),
                   key=KEYS["countries"], placeholder="All recipients")
    sb.multiselect("System family", list(options.systems), key=KEYS["systems"], placeholder="All systems")
    sb.multiselect("Armament category", list(options.categories), key=KEYS["categories"],
                   placeholder="All categories")
    sb.multiselect("Company", list(options.companies), key=KEYS["companies"], placeholder="All companies",
                   help="Ledger only: SIPRI records name no company.")
    sb.multiselect("Deal status", list(settings.DEAL_STATUSES), key=KEYS["statuses"], placeholder="All statuses",
                   help="Default: signed deals (contract, delivering, completed). Add prospects to see the pipeline. "
                        "Ledger only.")
    if YEARS_KEY not in st.session_state:
        st.session_state[YEARS_KEY] = (options.year_min, options.year_max)
    sb.slider("Signing / order year", options.year_min, options.year_max, key=YEARS_KEY)
    sb.text_input("Search", key=KEYS["q"], max_chars=80, placeholder="system, country, designation, comments")
    sb.button("Reset filters", on_click=_reset, args=(options,), width="stretch", key="flt_reset")

    state = st.session_state
    years = state[YEARS_KEY]
    filters = Filters(
        regions=tuple(state.get(KEYS["regions"]) or ()), nato=bool(state.get(KEYS["nato"])),
        eu=bool(state.get(KEYS["eu"])), countries=tuple(state.get(KEYS["countries"]) or ()),
        categories=tuple(state.get(KEYS["categories"]) or ()), systems=tuple(state.get(KEYS["systems"]) or ()),
        companies=tuple(state.get(KEYS["companies"]) or ()),
        statuses=tuple(state.get(KEYS["statuses"]) if state.get(KEYS["statuses"]) is not None else DEFAULT_STATUSES),
        year_from=int(years[0]), year_to=int(years[1]), basis=state.get(KEYS["basis"]) or "usd",
        q=(state.get(KEYS["q"]) or "").strip(), country_labels=options.countries,
    )
    wanted = filters.to_query_params()
    if _normalised(_url_params()) != _normalised(wanted):
        st.query_params.from_dict(wanted)
    state[APPLIED_KEY] = _normalised(wanted)
    state[CURRENT_KEY] = filters
    return filters


def current_filters() -> Filters:
    """The Filters built by the sidebar in this rerun (dashboard.py renders the sidebar before the page)."""
    return st.session_state[CURRENT_KEY]


def init_defaults(options: FilterOptions) -> None:
    """Default widget values before first render (so widgets need no `default=` that fights session state)."""
    defaults = Filters(year_from=options.year_min, year_to=options.year_max)
    for attr, key in KEYS.items():
        if key not in st.session_state and attr not in ("year_from", "year_to"):
            value = getattr(defaults, attr)
            st.session_state[key] = list(value) if isinstance(value, tuple) else value


def page_header(title: str, filters: Filters, subtitle: str | None = None) -> None:
    st.title(title)
    if subtitle:
        st.caption(subtitle)
    st.markdown(f"<div class='kd-filter-summary'>Showing: {filters.describe()}</div>", unsafe_allow_html=True)
    for notice in st.session_state.get(NOTICES_KEY, []):
        st.warning(f"Link parameter ignored — {notice}", icon="⚠️")


def downloads(df: pd.DataFrame, view: str, filters: Filters, key: str) -> None:
    """CSV of exactly the rows behind the view, and a zip with a README of filters and credits."""
    info = queries.build_info()
    date = info.get("built_at", "")[:10]
    cols = st.columns([1, 1, 4])
    cols[0].download_button(
        "Download CSV", export.to_csv_bytes(df), file_name=export.file_name(view, filters, date),
        mime="text/csv", key=f"dl_csv_{key}", on_click="ignore", icon=":material/download:",
    )
    cols[1].download_button(
        "CSV + README (zip)", export.to_zip_bytes(df, view, filters, info),
        file_name=export.file_name(view, filters, date, "zip"), mime="application/zip", key=f"dl_zip_{key}",
        on_click="ignore", icon=":material/folder_zip:",
    )


def footer() -> None:
    try:
        info = queries.build_info()
    except DatabaseUnavailable:
        return
    st.markdown(
        f"<div class='kd-footer'>Data version {info.get('data_version')} · built {info.get('built_at')} · "
        f"SIPRI register generated {info.get('sipri_register_generated')}<br>{settings.SIPRI_CREDIT} "
        f"{settings.SIPRI_TERMS} {settings.ECB_CREDIT} Ledger figures cite their own sources.</div>",
        unsafe_allow_html=True,
    )


CSS = """
<style>
.kd-filter-summary {font-size: 0.95rem; color: #374151; background: #f3f4f6; padding: 0.4rem 0.7rem;
  border-radius: 0.4rem; margin-bottom: 0.8rem;}
.kd-footer {font-size: 0.8rem; color: #6b7280; margin-top: 2rem; border-top: 1px solid #e5e7eb; padding-top: 0.5rem;}
</style>
"""


def database_missing(error: Exception) -> None:
    st.error(
        f"**The deal database is not available.** {error}\n\n"
        f"Build it from the sources with `{settings.BUILD_COMMAND}` (or `make run`, which builds it when missing), "
        "then reload this page.",
        icon="🗄️",
    )


def chart_with_data(fig, df: pd.DataFrame, view: str, filters: Filters, key: str) -> None:
    """A chart and, beside it, the download of exactly the rows it draws."""
    st.plotly_chart(fig, key=f"chart_{key}", config=PLOTLY_CONFIG)
    with st.popover("Data behind this chart", icon=":material/table:"):
        st.dataframe(df, hide_index=True, width="stretch")
        downloads(df, view, filters, key)


def metric_delta(now: float | None, before: float | None) -> str | None:
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    diff = now - before
    return f"{diff:+,.0f} vs previous period"


PLOTLY_CONFIG = {"displaylogo": False, "topojsonURL": "app/static/topojson/",
                 "modeBarButtonsToRemove": ["lasso2d", "select2d"]}

"""Streamlit glue shared by every page: the filter sidebar (bound to the URL), headers, downloads, footer."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kdefense import charts, export, queries, settings
from kdefense.db import DatabaseUnavailable
from kdefense.filters import (
    BASIS_LABELS,
    DEFAULT_STATUSES,
    URL_NAMES,
    VIEW_PARAMS,
    FilterOptions,
    Filters,
    parse_query_params,
)

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
    view = {k: v for k, v in _url_params().items() if k in VIEW_PARAMS}
    wanted = {**filters.to_query_params(), **{k: v if len(v) > 1 else v[0] for k, v in view.items()}}
    if _normalised(_url_params()) != _normalised(wanted):
        st.query_params.from_dict(wanted)
    state[APPLIED_KEY] = _normalised(wanted)
    state[CURRENT_KEY] = filters
    return filters


def current_filters() -> Filters:
    """The Filters built by the sidebar in this rerun (dashboard.py renders the sidebar before the page)."""
    if CURRENT_KEY not in st.session_state:
        _rerun_through_entrypoint()
    return st.session_state[CURRENT_KEY]


def _rerun_through_entrypoint() -> None:
    """A page ran without dashboard.py: Streamlit's legacy `pages/` mode on a fresh server's first request.

    st.navigation turns that mode off, but only once dashboard.py has run; turn it off and rerun so this
    request goes through the entry point (navigation, filters) like every other.
    """
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


def init_defaults(options: FilterOptions) -> None:
    """Default widget values before first render (so widgets need no `default=` that fights session state)."""
    defaults = Filters(year_from=options.year_min, year_to=options.year_max)
    for attr, key in KEYS.items():
        if key not in st.session_state and attr not in ("year_from", "year_to"):
            value = getattr(defaults, attr)
            st.session_state[key] = list(value) if isinstance(value, tuple) else value


RERUN_LOG = logging.getLogger("kdefense.rerun")


def log_rerun(url_path: str, started: tuple[float, float]) -> None:
    """With KDEFENSE_RERUN_LOG=1, one line per script run: wall time and the CPU time of the script's thread
    (DuckDB runs each query on the calling thread), so a load test can tell slow code from a busy machine."""
    if not settings.rerun_log():
        return
    if not RERUN_LOG.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        RERUN_LOG.addHandler(handler)
        RERUN_LOG.setLevel(logging.INFO)
        RERUN_LOG.propagate = False
    wall, cpu = time.perf_counter() - started[0], time.thread_time() - started[1]
    RERUN_LOG.info("kdefense rerun page=%s ms=%.1f cpu_ms=%.1f", url_path or "overview", 1000 * wall, 1000 * cpu)


def page_header(title: str, filters: Filters, subtitle: str | None = None) -> None:
    st.title(title)
    if subtitle:
        st.caption(subtitle)
    st.markdown(f"<div class='kd-filter-summary'>Showing: {filters.describe()}</div>", unsafe_allow_html=True)
    for notice in st.session_state.get(NOTICES_KEY, []):
        st.warning(f"Link parameter ignored — {notice}", icon="⚠️")


def downloads(df: pd.DataFrame, view: str, filters: Filters, key: str) -> None:
    """CSV of exactly the rows behind the view, and a zip with a README of filters and credits.

    The files are written when clicked (deferred callables), not on every rerun: a page with six charts would
    otherwise serialise twelve files per rerun and keep them in each session's memory.
    """
    info = queries.build_info()
    date = info.get("built_at", "")[:10]
    cols = st.columns([1, 1, 4])
    cols[0].download_button(
        "Download CSV", lambda: export.to_csv_bytes(df), file_name=export.file_name(view, filters, date),
        mime="text/csv", key=f"dl_csv_{key}", on_click="ignore", icon=":material/download:",
    )
    cols[1].download_button(
        "CSV + README (zip)", lambda: export.to_zip_bytes(df, view, filters, info),
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
.kd-footer {font-size: 0.8rem; color: #4b5563; margin-top: 2rem; border-top: 1px solid #e5e7eb; padding-top: 0.5rem;}
/* Accessibility (issue 16, docs/accessibility.md): captions carry real content, so full contrast (7.6:1, not
   Streamlit's 3.9:1); section headings are h2 under the page's h1, drawn at subheader size. */
[data-testid="stCaptionContainer"] {opacity: 1 !important;}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {color: #4b5563 !important;}
[data-testid="stMain"] [data-testid="stHeading"] h2 {font-size: 1.5rem; padding-top: 0.75rem;}
[data-testid="stElementContainer"]:has(> div > div > .kd-chart-summary),
[data-testid="stElementContainer"]:has(.kd-chart-summary), .kd-sr-only {position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;}
:focus-visible {outline: 2px solid #1f5fa8 !important; outline-offset: 2px;}
</style>
"""


def database_missing(error: Exception) -> None:
    st.error(
        f"**The deal database is not available.** {error}\n\n"
        f"Build it from the sources with `{settings.BUILD_COMMAND}` (or `make run`, which builds it when missing), "
        "then reload this page.",
        icon="🗄️",
    )


@st.cache_resource(max_entries=512, show_spinner=False)
def _figure(name: str, _builder: Callable[..., go.Figure], args: tuple, kwargs: tuple) -> go.Figure:
    return _builder(*args, **dict(kwargs))


def figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """`builder(*args, **kwargs)`, kept between reruns and sessions (keyed by the builder's name and its inputs).

    Building and validating a Plotly figure costs 10-60 ms; chart builders are pure functions of their
    DataFrames, so a warm rerun reuses the figure. The figure is shared: read it, never change it
    (st.plotly_chart serialises a copy).
    """
    return _figure(f"{builder.__module__}.{builder.__qualname__}", builder, args, tuple(sorted(kwargs.items())))


def presented(fig: go.Figure) -> go.Figure:
    """The presentation-mode copy of a (cached, shared) figure, made once and kept on the figure itself."""
    copy = getattr(fig, "_kd_presented", None)
    if copy is None:
        copy = charts.presentation_style(fig)
        fig._kd_presented = copy  # plotly allows private attributes; the copy lives as long as the figure
    return copy


def chart_summary(fig: go.Figure) -> str:
    """The chart's text alternative (title, series, largest values), made once and kept on the (shared) figure."""
    text = getattr(fig, "_kd_summary", None)
    if text is None:
        try:
            text = charts.describe(fig)
        except Exception:  # noqa: BLE001 - a summary must never break the page; the title is the fallback
            text = f"Chart: {charts._title(fig)}. The data behind this chart is in the table next to it."
        fig._kd_summary = text
    return text


def plotly_chart(fig: go.Figure, key: str, config: dict, **kwargs: Any) -> Any:
    """st.plotly_chart preceded by its text alternative for screen readers (visually hidden, read first)."""
    st.markdown(f"<p class='kd-sr-only kd-chart-summary' data-chart='{_escape(key)}'>{_escape(chart_summary(fig))}"
                "</p>", unsafe_allow_html=True)
    return st.plotly_chart(fig, key=key, config=config, **kwargs)


def chart_with_data(fig, df: pd.DataFrame, view: str, filters: Filters, key: str) -> None:
    """A chart and, beside it, the download of exactly the rows it draws (hidden when presenting)."""
    if is_presenting():
        plotly_chart(presented(fig), key=f"chart_{key}", config=PRESENT_PLOTLY_CONFIG)
        return
    plotly_chart(fig, key=f"chart_{key}", config=PLOTLY_CONFIG)
    with st.popover("Data behind this chart", icon=":material/table:"):
        data_preview(df)
        downloads(df, view, filters, key)


PREVIEW_ROWS = 200


def data_preview(df: pd.DataFrame) -> None:
    """The rows behind a chart, shown in its popover: at most PREVIEW_ROWS of them.

    A popover's content travels with the page even while it is closed, so a 600-row table behind the Gantt
    would add ~360 KB to every visit; the two downloads beside it always hold every row.
    """
    if len(df) > PREVIEW_ROWS:
        st.caption(f"The first {PREVIEW_ROWS} of {len(df):,} rows; the downloads have all of them.")
        df = df.head(PREVIEW_ROWS)
    st.dataframe(df, hide_index=True, width="stretch")


def metric_delta(now: float | None, before: float | None) -> str | None:
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    diff = now - before
    return f"{diff:+,.0f} vs before"  # short enough for a 1366 px laptop; the caption below names the period


PLOTLY_CONFIG = {"displaylogo": False, "topojsonURL": "app/static/topojson/",
                 "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
PRESENT_PLOTLY_CONFIG = {**PLOTLY_CONFIG, "displayModeBar": False}


def is_presenting() -> bool:
    """Presentation mode is part of the URL (`present=1`), so a briefing view is a link too."""
    return st.query_params.get("present") == "1"


def presentation_css(theme: str) -> str:
    dark = theme == "dark"
    fg, bg, muted = ("#ffffff", "#000000", "#e5e7eb") if dark else ("#000000", "#ffffff", "#1f2937")
    return f"""
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stSidebarNav"], [data-testid="stPopover"],
[data-testid="stDownloadButton"], [data-testid="stElementToolbar"], .kd-hide-presenting {{display: none !important;}}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{background: {bg} !important; color: {fg} !important;}}
.block-container, [data-testid="stMainBlockContainer"] {{padding: 1.2rem 2.5rem 0.5rem 2.5rem !important;
  max-width: 100% !important;}}
.stApp p, .stApp li, .stApp label, .stApp span, .stApp td, .stApp th, .kd-filter-summary, .kd-footer,
[data-testid="stCaptionContainer"] {{font-size: 26px !important; color: {fg} !important;}}
.stApp h1 {{font-size: 60px !important; color: {fg} !important;}}
.stApp h2, .stApp h3 {{font-size: 40px !important; color: {fg} !important;}}
.stApp [data-testid="stMetricValue"] p {{font-size: 72px !important; font-weight: 700;
  line-height: 1.1 !important; color: {fg} !important;}}
.stApp [data-testid="stMetricDelta"] div, .stApp [data-testid="stMetricDelta"] p {{font-size: 22px !important;}}
.st-key-kd_present_footer {{position: fixed; bottom: 0; left: 0; right: 0; z-index: 999990; background: {bg};
  border-top: 2px solid {muted}; padding: 0.4rem 2.5rem;}}
[data-testid="stMain"] {{padding-bottom: 6rem;}}
.stApp [data-testid="stMetricLabel"] p {{font-size: 30px !important; color: {muted} !important;}}
.kd-filter-summary {{background: transparent !important; border: 2px solid {muted}; }}
.kd-slide-takeaway {{font-size: 34px !important; font-weight: 600; margin: 0.2rem 0 0.8rem 0;}}
.kd-footer {{font-size: 24px !important;}}
</style>
"""


PAGE_FILES = {"overview": "pages/overview.py", "deals": "pages/deals.py", "timeline": "pages/timeline.py",
              "map": "pages/map.py", "suppliers": "pages/suppliers.py", "data": "pages/data.py",
              "briefing": "pages/briefing.py"}
SLIDE_KEY = "_present_applied_slide"
USER_DECKS_KEY = "_user_decks"


def page_key(url_path: str) -> str:
    return url_path or "overview"


def current_slide(decks: dict) -> tuple[Any, int]:
    """The deck and 1-based slide number named in the URL, or (None, 0)."""
    deck = decks.get(st.query_params.get("deck", ""))
    raw = st.query_params.get("slide", "1")
    if deck is None or not raw.isdigit() or not 1 <= int(raw) <= len(deck.slides):
        return None, 0
    return deck, int(raw)


def presentation_header(decks: dict) -> None:
    """Presentation CSS, then the slide's title and takeaway; applies the slide's page options once."""
    theme = "dark" if st.query_params.get("theme") == "dark" else "light"
    st.markdown(presentation_css(theme), unsafe_allow_html=True)
    deck, number = current_slide(decks)
    if deck is None:
        return
    slide = deck.slides[number - 1]
    marker = (deck.deck_id, number)
    if st.session_state.get(SLIDE_KEY) != marker:
        for key, value in slide.options.items():
            st.session_state[key] = value
        st.session_state[SLIDE_KEY] = marker
    if slide.title:
        st.markdown("<style>.stApp h1 {display: none !important;}</style>", unsafe_allow_html=True)
        st.markdown(f"<div class='kd-slide-title' style='font-size:60px;font-weight:700;line-height:1.1'>"
                    f"{_escape(slide.title)}</div>", unsafe_allow_html=True)
    if slide.takeaway:
        st.markdown(f"<div class='kd-slide-takeaway'>{_escape(slide.takeaway)}</div>", unsafe_allow_html=True)


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
            .replace('"', "&quot;"))


def _go_to(deck, number: int) -> None:
    slide = deck.slides[number - 1]
    params = slide.query_params(deck.deck_id, number)
    if st.query_params.get("theme") == "dark":
        params["theme"] = "dark"
    st.switch_page(PAGE_FILES[slide.page], query_params=params)


def presentation_footer(decks: dict) -> None:
    """Slide number, previous/next (buttons, arrow keys and presentation clickers' PageUp/PageDown), credits."""
    deck, number = current_slide(decks)
    footer = st.container(key="kd_present_footer")
    cols = footer.columns([1, 1, 6, 1], vertical_alignment="center")
    info = queries.build_info()
    credit = (f"Data {info.get('built_at', '')[:10]} · {settings.SIPRI_CREDIT.split(' (')[0]} · "
              "ledger figures cite their sources")
    if deck is None:
        cols[2].markdown(f"<div class='kd-footer'>{credit}</div>", unsafe_allow_html=True)
    else:
        total = len(deck.slides)
        back = cols[0].button("◀ Previous", key="present_prev", shortcut="left", disabled=number <= 1)
        forward = cols[1].button("Next ▶", key="present_next", shortcut="right", disabled=number >= total)
        with footer.container(key="kd_clicker_keys"):
            back = st.button("PageUp", key="present_pgup", shortcut="pageup", disabled=number <= 1) or back
            forward = st.button("PageDown", key="present_pgdn", shortcut="pagedown",
                                disabled=number >= total) or forward
        st.markdown("<style>.st-key-kd_clicker_keys {position: absolute; left: -10000px; height: 0;}</style>",
                    unsafe_allow_html=True)
        cols[2].markdown(f"<div class='kd-footer'><b>Slide {number} / {total}</b> · {_escape(deck.title)}<br>"
                         f"{credit}</div>", unsafe_allow_html=True)
        if back:
            _go_to(deck, number - 1)
        if forward:
            _go_to(deck, number + 1)
    if cols[3].button("Exit", key="present_exit", shortcut="escape"):
        st.query_params.pop("present", None)
        st.rerun()


def add_view_to_deck(page: str, filters: Filters, decks: dict) -> None:
    """Sidebar control: append the current view (page, filters, page options) to a deck and download the deck."""
    from kdefense.briefing import Deck, Slide, deck_to_toml, slugify

    user: dict = st.session_state.setdefault(USER_DECKS_KEY, {})
    with st.sidebar.expander("Briefing: add this view to a deck", icon=":material/slideshow:"):
        names = sorted(set(user) | set(decks))
        choice = st.selectbox("Deck", ["New deck…", *names], key="brief_deck")
        new_title = st.text_input("New deck title", key="brief_new_title") if choice == "New deck…" else ""
        title = st.text_input("Slide title", key="brief_title", placeholder="e.g. Poland drives the 2022 jump")
        takeaway = st.text_input("One-line takeaway", key="brief_takeaway")
        if st.button("Add view", key="brief_add", icon=":material/add:"):
            deck_id = slugify(new_title) if choice == "New deck…" else choice
            base = user.get(deck_id) or decks.get(deck_id) or Deck(deck_id, new_title or deck_id)
            options = {k: st.session_state[k] for k in st.session_state
                       if isinstance(k, str) and k.startswith(PAGE_OPTION_PREFIXES.get(page, "\0"))
                       and isinstance(st.session_state[k], (str, int, float, bool, list))}
            options = {k: v if isinstance(v, bool) else [str(x) for x in v] if isinstance(v, list) else str(v)
                       for k, v in options.items()}
            slide = Slide(page=page, title=title, takeaway=takeaway, filters=filters.to_query_params(),
                          options=options)
            user[deck_id] = Deck(deck_id, base.title, base.description, (*base.slides, slide))
            st.toast(f"Added slide {len(user[deck_id].slides)} to '{user[deck_id].title}'")
        for deck_id, deck in user.items():
            st.download_button(f"Download {deck_id}.toml ({len(deck.slides)} slides)", deck_to_toml(deck),
                               file_name=f"{deck_id}.toml", mime="application/toml", key=f"brief_dl_{deck_id}",
                               on_click="ignore")
        st.caption("Put a downloaded deck in `briefings/` to ship it with the app.")
        if st.button("Present this view", key="brief_present", icon=":material/co_present:"):
            st.query_params["present"] = "1"
            st.rerun()


# Page-level widget keys that count as a view's "chart options" when saved to a deck.
PAGE_OPTION_PREFIXES = {"timeline": "tl_", "map": "map_", "suppliers": "sup_", "deals": "deals_opt_"}

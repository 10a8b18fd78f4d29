"""Streamlit glue shared by every page: the filter sidebar (bound to the URL), headers, downloads, footer."""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import html
import io
import logging
import pickle
import re
import sys
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st
from _plotly_utils.basevalidators import is_homogeneous_array
from _plotly_utils.utils import is_skipped_key
from streamlit import dataframe_util

from kdefense import charts, export, fmt, i18n, margins, names, plotly_ticks, queries, settings
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
from kdefense.i18n import N_, t
from kdefense.safety import html_text, md_text

KEYS = {attr: f"flt_{url}" for url, attr in URL_NAMES.items()}
YEARS_KEY = "flt_years"
APPLIED_KEY = "_flt_applied_url"
NOTICES_KEY = "_flt_notices"
CURRENT_KEY = "_flt_current"


def _url_params() -> dict[str, list[str]]:
    """The URL's filter and view parameters (the language is i18n's, see i18n.url_params)."""
    return {k: st.query_params.get_all(k) for k in st.query_params if k != i18n.URL_PARAM}


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
    sb.segmented_control(t("Value basis"), list(BASIS_LABELS), format_func=lambda b: t(BASIS_LABELS[b]),
                         key=KEYS["basis"], required=True,
                         help=t("Contract money (ledger) or SIPRI trend-indicator values. They are never added together."))
    sb.multiselect(t("Region"), list(settings.REGIONS), format_func=names.region, key=KEYS["regions"],
                   placeholder=t("All regions"))
    # one toggle per row: side by side, the labels were cut to "NATO …" and "EU m…" even at 1920 px
    sb.toggle(t("NATO members"), key=KEYS["nato"], help=t("Recipients that are NATO members today"))
    sb.toggle(t("EU members"), key=KEYS["eu"], help=t("Recipients that are EU members today"))
    sb.multiselect(t("Recipient countries"), list(options.countries),
                   format_func=lambda c: names.country(c, options.countries.get(c, c)),
                   key=KEYS["countries"], placeholder=t("All recipients"))
    sb.multiselect(t("System family"), list(options.systems), format_func=names.system, key=KEYS["systems"],
                   placeholder=t("All systems"))
    sb.multiselect(t("Armament category"), list(options.categories), format_func=names.category,
                   key=KEYS["categories"], placeholder=t("All categories"))
    sb.multiselect(t("Company"), list(options.companies), format_func=names.company, key=KEYS["companies"],
                   placeholder=t("All companies"), help=t("Ledger only: SIPRI records name no company."))
    sb.multiselect(t("Deal status"), list(settings.DEAL_STATUSES), format_func=names.status, key=KEYS["statuses"],
                   placeholder=t("All statuses"),
                   help=t("Default: signed deals (contract, delivering, completed). Add prospects to see the pipeline. "
                          "Ledger only."))
    sb.multiselect(t("Kind of business"), list(settings.DEAL_KINDS), format_func=names.deal_kind,
                   key=KEYS["kinds"], placeholder=t("All kinds"),
                   help=t("New-build sale, licence production, used/grant transfer, loan, MRO/service, upgrade, "
                          "co-development, ammunition. Ledger only."))
    if YEARS_KEY not in st.session_state:
        st.session_state[YEARS_KEY] = (options.year_min, options.year_max)
    sb.slider(t("Signing / order year"), options.year_min, options.year_max, key=YEARS_KEY)
    sb.text_input(t("Search"), key=KEYS["q"], max_chars=80, placeholder=t("system, country, designation, comments"))
    sb.button(t("Reset filters"), on_click=_reset, args=(options,), width="stretch", key="flt_reset")

    state = st.session_state
    years = state[YEARS_KEY]
    filters = Filters(
        regions=tuple(state.get(KEYS["regions"]) or ()), nato=bool(state.get(KEYS["nato"])),
        eu=bool(state.get(KEYS["eu"])), countries=tuple(state.get(KEYS["countries"]) or ()),
        categories=tuple(state.get(KEYS["categories"]) or ()), systems=tuple(state.get(KEYS["systems"]) or ()),
        companies=tuple(state.get(KEYS["companies"]) or ()),
        statuses=tuple(state.get(KEYS["statuses"]) if state.get(KEYS["statuses"]) is not None else DEFAULT_STATUSES),
        kinds=tuple(state.get(KEYS["kinds"]) or ()),
        year_from=int(years[0]), year_to=int(years[1]), basis=state.get(KEYS["basis"]) or "usd",
        q=(state.get(KEYS["q"]) or "").strip(), country_labels=options.countries,
    )
    view = {k: v for k, v in _url_params().items() if k in VIEW_PARAMS and k != USER_DECKS_PARAM}
    wanted = {**filters.to_query_params(), **{k: v if len(v) > 1 else v[0] for k, v in view.items()}}
    tokens = user_deck_tokens()
    if tokens:
        wanted[USER_DECKS_PARAM] = tokens if len(tokens) > 1 else tokens[0]
    lang = i18n.url_params()
    if _normalised(_url_params()) != _normalised(wanted) or st.query_params.get(i18n.URL_PARAM) != lang.get(i18n.URL_PARAM):
        st.query_params.from_dict({**wanted, **lang})
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
    # describe() holds the search text and URL values: escaped (kdefense/safety.py, docs/security.md)
    summary = t("Showing: {summary}", summary=html_text(filters.describe()))
    st.markdown(f"<div class='kd-filter-summary'>{summary}</div>", unsafe_allow_html=True)
    link_notices()


def link_notices() -> None:
    """One warning per link parameter that was dropped (junk `kind`, unknown country…): every page shows them."""
    for notice in st.session_state.get(NOTICES_KEY, []):
        st.warning(t("Link parameter ignored — {notice}", notice=md_text(notice)), icon="⚠️")


def downloads(df: pd.DataFrame, view: str, filters: Filters, key: str) -> None:
    """CSV of exactly the rows behind the view, and a zip with a README of filters and credits.

    The files are written when clicked (deferred callables), not on every rerun: a page with six charts would
    otherwise serialise twelve files per rerun and keep them in each session's memory.
    """
    info = queries.build_info()
    date = info.get("built_at", "")[:10]
    lang = i18n.current_lang()  # the files are written later, outside this run: the README keeps its language
    row = st.container(horizontal=True, gap="small")  # buttons sized to their labels, wrapping when narrow
    row.download_button(
        t("Download CSV"), lambda: export.to_csv_bytes(df), file_name=export.file_name(view, filters, date),
        mime="text/csv", key=f"dl_csv_{key}", on_click="ignore", icon=":material/download:",
    )
    row.download_button(
        t("CSV + README (zip)"),
        lambda: _in_lang(lang, lambda: export.to_zip_bytes(df, view, filters, info, *_page_and_base_url())),
        file_name=export.file_name(view, filters, date, "zip"), mime="application/zip", key=f"dl_zip_{key}",
        on_click="ignore", icon=":material/folder_zip:",
    )


def _in_lang(lang: str, make: Callable[[], bytes]) -> bytes:
    """A deferred download written in the language of the page it was offered on (the README's text)."""
    with i18n.use_lang(lang):
        return make()


def _page_and_base_url() -> tuple[str, str]:
    """The current page's path and the server's base URL as the browser sees them (for the README's link)."""
    from urllib.parse import urlsplit

    try:
        url = urlsplit(st.context.url or "")
    except Exception:  # noqa: BLE001 - no browser context (AppTest): fall back to the default
        return "", export.DEFAULT_BASE_URL
    if not url.scheme or not url.netloc:
        return "", export.DEFAULT_BASE_URL
    return url.path.strip("/"), f"{url.scheme}://{url.netloc}"


def footer() -> None:
    try:
        info = queries.build_info()
    except DatabaseUnavailable:
        return
    st.markdown(
        "<div class='kd-footer'>"
        + t("Data version {version} · built {built} · SIPRI register generated {sipri}",
            version=info.get("data_version"), built=fmt.timestamp(info.get("built_at")),
            sipri=fmt.timestamp(info.get("sipri_register_generated")))
        + f"<br>{settings.SIPRI_CREDIT} {t(settings.SIPRI_TERMS)} {t(settings.ECB_CREDIT)} "
        + t("Ledger figures cite their own sources.") + "</div>",
        unsafe_allow_html=True,
    )


CSS = """
<style>
.kd-filter-summary {font-size: 0.95rem; color: #374151; background: #f3f4f6; padding: 0.4rem 0.7rem;
  border-radius: 0.4rem; margin-bottom: 0.8rem;}
[data-testid="stMarkdownContainer"] p.kd-scroll-hint {font-size: 0.85rem; color: #4b5563; margin: 0 0 0.25rem 0;}
/* The Timeline's tall charts scroll in a box 820 px high (pages/timeline.py, keys tl_box_*): a keyed container made to
   scroll here, not st.container(height=…), in which Streamlit draws a new chart first at Plotly's default 700 px
   width (the box's width not yet measured; a legend that wraps there made Plotly draw it twice) and then again at
   the box's width (issue 17; tests/browser/test_timeline_margins.py). */
[class*="st-key-tl_box_"] {height: 820px !important; max-height: 820px; flex: none !important; overflow: auto !important;}
.kd-footer {font-size: 0.8rem; color: #4b5563; margin-top: 2rem; border-top: 1px solid #e5e7eb; padding-top: 0.5rem;}
/* Accessibility (issue 16, docs/accessibility.md): captions carry real content, so full contrast (7.6:1, not
   Streamlit's 3.9:1); section headings are h2 under the page's h1, drawn at subheader size. */
[data-testid="stCaptionContainer"] {opacity: 1 !important;}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {color: #4b5563 !important;}
[data-testid="stMain"] [data-testid="stHeading"] h2 {font-size: 1.5rem; padding-top: 0.75rem;}
[data-testid="stElementContainer"]:has(.kd-chart-summary), .kd-sr-only {position: absolute !important; width: 1px;
  height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;}
/* Visible focus (WCAG 2.4.7, 1.4.11): a 2 px #1f5fa8 ring (6.4:1 on white) on whatever draws the focused control.
   Streamlit's own ring is #1f5fa8 at 50 % (2.1:1). React Aria marks a slider's thumb and a toggle's or checkbox's
   label with data-focus-visible (their inputs are visually hidden); a text field's frame and a table's box clip
   the focused input or canvas, so they take the ring; where the box around clips an outer ring (a text area, the
   first line of a scrolling box) it is drawn inside (tests/browser/test_focus_visible.py).
   A data table (glide data grid) has two Tab stops: its cells (a canvas: the arrow keys move the cell cursor) and,
   where the table scrolls, the scroll box laid over them (Chromium and Firefox make a scroll box with nothing
   focusable in it a Tab stop: the arrow keys scroll it). The cells' ring goes round the table, outside the box
   that clips the canvas (its clip margin lets the ring show); the scroll box's ring is drawn inside it, so Tab
   from the cells to the scroll box shows. Both follow the table's rounded corners. */
:focus-visible, [data-focus-visible] {outline: 2px solid #1f5fa8 !important; outline-offset: 2px;}
:is([data-testid="stSelectbox"], [data-testid="stMultiSelect"]) [data-focus-within]:has(:focus-visible)
  {outline: 2px solid #1f5fa8 !important; outline-offset: 1px;}
[data-testid="stTextInputRootElement"]:has(:focus-visible), [data-testid="stTextAreaRootElement"]:has(:focus-visible),
.kd-scroll-hint:focus-visible, [data-testid="stDataFrameResizable"] .dvn-scroller:focus-visible {
  outline: 2px solid #1f5fa8 !important; outline-offset: -2px;}
[data-testid="stDataFrameResizable"] .stDataFrameGlideDataEditor {overflow-clip-margin: 4px;}
[data-testid="stDataFrameResizable"] :is(canvas, .dvn-scroller):focus-visible {border-radius: 0.5rem;}
/* Labels wrap rather than being cut with an ellipsis (issue 16: 1366 px laptops, 390 px phones). */
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *, [data-testid="stWidgetLabel"] *,
[data-testid="stCheckbox"] label * {white-space: normal !important; text-overflow: clip !important;
  overflow-wrap: anywhere;}
[data-testid="stMetricLabel"] {height: auto !important; min-height: 1.5rem;}
/* A metric's value wraps at its spaces when its column is narrower than the figure (a long figure in a quarter
   of a 1366 px page), never cut with an ellipsis; keep-all: a Korean word (1,429억) is not split between its
   syllables. */
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {white-space: normal !important;
  text-overflow: clip !important; word-break: keep-all !important; overflow-wrap: break-word;}
/* Segmented controls wrap their options onto a second line rather than pushing them out of sight. */
[data-testid="stButtonGroup"] [role="radiogroup"] {flex-wrap: wrap; row-gap: 4px;}
/* The Map's Play toggle and year slider share a row; the slider keeps 20rem, so on a phone it wraps onto a line
   of its own, full width (55 years on a third of the screen were too close together to pick one). */
.st-key-map_year_row > :has([data-testid="stSlider"]) {min-width: min(100%, 20rem);}
/* Phone (issue 16): the Gantt, the speed chart and the map keep a readable size and scroll sideways in their
   box (Streamlit already stacks columns, so every other chart spans the screen). */
@media (max-width: 640px) {
  .st-key-chart_tl_gantt, .st-key-chart_tl_speed, [class*="st-key-map_chart"] {overflow-x: auto !important;}
  .st-key-chart_tl_gantt > *, .st-key-chart_tl_speed > * {min-width: 760px;}
  [class*="st-key-map_chart"] > * {min-width: 680px;}
}
</style>
"""


def database_missing(error: Exception) -> None:
    st.error(
        t("**The deal database is not available.** {error}", error=error) + "\n\n"
        + t("Build it from the sources with `{command}` (or `make run`, which builds it when missing), then reload "
            "this page.", command=settings.BUILD_COMMAND),
        icon="🗄️",
    )


@st.cache_resource(max_entries=512, show_spinner=False)
def _figure_hashed(name: str, _builder: Callable[..., go.Figure], args: tuple, kwargs: tuple) -> go.Figure:
    return _builder(*args, **dict(kwargs))


@st.cache_resource(max_entries=512, show_spinner=False)
def _figure_of_content(name: str, digest: str, _builder: Callable[..., go.Figure], _args: tuple,
                       _kwargs: tuple) -> go.Figure:
    return _builder(*_args, **dict(_kwargs))


def content_digest(value: Any) -> str | None:
    """A digest of `value`'s content from its pickle, or None when it cannot be pickled.

    Pickling a query frame takes a fraction of a millisecond, 4-20× less than Streamlit's hashing of every cell.
    A pickle writes out everything that makes the value (cells, dtypes, index, column names), so other content
    never gives the same digest. The pickler keeps no memo (`fast`): with one, an object met twice (a column name
    that is also an argument, a shared string) was written the second time as a reference, so equal content made
    by another run or session gave another digest, and a new session's first visit rebuilt figures another session
    had built (the Overview's ranked bars). A value that refers to itself cannot be pickled this way: None."""
    try:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.fast = True  # no memo: the bytes depend on content only, never on which objects are shared
        pickler.dump(value)
        return hashlib.blake2b(buffer.getbuffer(), digest_size=20).hexdigest()
    except Exception:  # noqa: BLE001 - a local function, a lock, a cycle...: Streamlit's own hashing decides
        return None


def _frame_shapes(name: str, args: tuple, kwargs: tuple) -> tuple:
    """The builder and the shapes of the frames it is given: content that differs here cannot be equal."""
    return (name, *(v.shape for v in (*args, *(v for _, v in kwargs)) if isinstance(v, pd.DataFrame)))


_UNDIGESTED: dict[tuple, tuple] = {}  # frame shapes met once -> (args, kwargs, figure), digested when met again
_DIGESTED_SHAPES: set[tuple] = set()
_UNDIGESTED_LOCK = threading.Lock()
UNDIGESTED_MAX = 64


def _digested(name: str, digest: str | None, builder: Callable[..., go.Figure], args: tuple,
              kwargs: tuple) -> go.Figure:
    if digest is None:
        return _figure_hashed(name, builder, args, kwargs)
    return _figure_of_content(name, digest, builder, args, kwargs)


def _figure(name: str, builder: Callable[..., go.Figure], args: tuple, kwargs: tuple) -> go.Figure:
    """The figure of this content: digested (content_digest) to be found whatever question gave the frames. The
    first frames of a shape this builder never had cannot equal any it built: built without the digest (a
    Timeline filter change pickled ~100 kB of frames that missed every time), and digested only if that shape
    comes again, when they are filed under their content as if digested at first."""
    shapes = _frame_shapes(name, args, kwargs)
    with _UNDIGESTED_LOCK:
        first_time = shapes not in _DIGESTED_SHAPES and shapes not in _UNDIGESTED
        met_once = None if first_time else _UNDIGESTED.pop(shapes, None)
        if not first_time:
            _DIGESTED_SHAPES.add(shapes)
            if len(_DIGESTED_SHAPES) > 16 * UNDIGESTED_MAX:
                _DIGESTED_SHAPES.clear()
    if first_time:
        fig = builder(*args, **dict(kwargs))
        with _UNDIGESTED_LOCK:
            _UNDIGESTED[shapes] = (args, kwargs, fig)
            while len(_UNDIGESTED) > UNDIGESTED_MAX:
                _UNDIGESTED.pop(next(iter(_UNDIGESTED)))
        return fig
    if met_once is not None:  # filed under its content now, as the first lookup would have filed it
        old_args, old_kwargs, old_fig = met_once
        _digested(name, content_digest((old_args, old_kwargs)), lambda *_a, **_k: old_fig, old_args, old_kwargs)
    return _digested(name, content_digest((args, kwargs)), builder, args, kwargs)


@st.cache_resource(max_entries=512, show_spinner=False)
def _figure_of_answers(name: str, key: tuple, _builder: Callable[..., go.Figure], _args: tuple,
                       _kwargs: tuple) -> go.Figure:
    return _figure(name, _builder, _args, _kwargs)


@st.cache_resource(max_entries=512, show_spinner=False)
def _figure_of_key(key: str, _name: str, _builder: Callable[..., go.Figure], _args: tuple,
                   _kwargs: tuple) -> go.Figure:
    """_figure_of_answers keyed by queries.key_text of (name, key): one string for Streamlit to hash."""
    return _figure(_name, _builder, _args, _kwargs)


def _figure_by_answers(name: str, key: tuple, builder: Callable[..., go.Figure], args: tuple,
                       kwargs: tuple) -> go.Figure:
    text = queries.key_text((name, key))
    if text is None:  # an argument that is no plain value (a dict, a numpy number...): Streamlit hashes it
        return _figure_of_answers(name, key, builder, args, kwargs)
    return _figure_of_key(key=text, _name=name, _builder=builder, _args=args, _kwargs=kwargs)


class _Answer(tuple):
    """A frame's place in a figure's cache key: the question it answers (queries.origin), not its cells."""


def _key_part(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        answered = queries.origin(value)
        if answered is not None:
            return _Answer(answered)
    return value


def figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """`builder(*args, **kwargs)`, kept between reruns and sessions (keyed by the builder's name and its inputs).

    Building and validating a Plotly figure costs 10-60 ms; chart builders are pure functions of their
    DataFrames, so a warm rerun reuses the figure. The figure is shared: read it, never change it
    (st.plotly_chart serialises a copy). Two levels: frames returned by queries.run are first looked up by the
    question that answered them (question, parameters, file version), which a warm rerun finds without hashing
    every cell of the frames again; on a miss the frames are hashed by content, so other filters that give the
    same rows (a year that changes nothing in this chart) still reuse the figure.
    """
    name = f"{builder.__module__}.{builder.__qualname__}:{i18n.current_lang()}"  # builders write translated text
    items = tuple(sorted(kwargs.items()))
    parts = tuple(_key_part(a) for a in args)
    named = tuple((k, _key_part(v)) for k, v in items)
    values = (*parts, *(v for _, v in named))
    if any(isinstance(v, pd.DataFrame) for v in values) or not any(isinstance(v, _Answer) for v in values):
        return _figure(name, builder, args, items)  # a frame not from queries.run: hashed once, by content
    return _figure_by_answers(name, (parts, named), builder, args, items)


IMAGE_FORMAT_KEY = "img_format"
IMAGE_FORMATS = {"png": "PNG (2×)", "svg": "SVG"}


def image_format_control() -> None:
    """Sidebar: the format of every chart's camera-button download (Plotly's own image export)."""
    st.segmented_control(t("Chart image downloads"), list(IMAGE_FORMATS), format_func=IMAGE_FORMATS.get,
                         key=IMAGE_FORMAT_KEY, default="png", required=True,
                         help=t("The camera button of each chart downloads it with its title, filters, source and "
                                "data date: PNG at twice the screen size, or SVG (vector) for print."))


def plotly_config(filename: str) -> dict:
    fmt = st.session_state.get(IMAGE_FORMAT_KEY) or "png"
    return {**PLOTLY_CONFIG, "toImageButtonOptions": {"format": fmt if fmt in IMAGE_FORMATS else "png",
                                                      "scale": 2, "filename": "korea-exports-" + (re.sub(r"[^a-z0-9]+", "-", filename.lower()).strip("-")[:60] or "chart")}}


def _esc(text: str) -> str:
    """Plotly draws titles as a small HTML subset (links included): user text is escaped."""
    return html.escape(text, quote=False)


class Spec(go.Figure):
    """A finished figure as the dict st.plotly_chart sends (typed arrays already base64), made once.

    st.plotly_chart turns any Plotly figure into that dict with `to_dict()`, which deep-copies every trace and
    encodes every array on each rerun; a Spec hands over the dict it holds. It is built without Figure.__init__
    (nothing validates or copies it again) and serves only as st.plotly_chart's argument: read `spec`, never
    change it (it is shared by sessions).
    """

    def __init__(self, spec: dict) -> None:  # no BaseFigure state: to_dict() is all st.plotly_chart calls
        self._spec = spec

    @property
    def spec(self) -> dict:
        return self._spec

    def to_dict(self) -> dict:
        return self._spec


STAMP_WIDTH_PX = 270  # the narrowest chart: a third of the page at 1366×768 with the sidebar open is 291 px wide
TITLE_WIDTH_PX = 330  # a chart on a 390 px phone is 358 px wide (long titles are on half- or full-width charts)
STAMP_FONT_PX = 12
_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&#?\w+;")
_WORD = re.compile(r"(?:<[^>]*>|[^\s<])+")  # a word with the tags inside or around it (a tag is never split)


def text_em(text: str) -> float:
    """The drawn width of a line of Plotly text (tags and entities allowed) in em, estimated: a wide character
    (Hangul, CJK) 1 em, any other 0.5 em (Source Sans averages 0.46 em on these lines)."""
    plain = _ENTITY.sub("x", _TAG.sub("", text))
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in plain)


def wrap_to_width(text: str, width_px: float, font_px: float = STAMP_FONT_PX) -> list[str]:
    """`text` in lines that each fit `width_px` at `font_px`, broken at spaces only (a date, a range or a tag is
    never split; a single word wider than the width keeps its own line)."""
    limit, lines, line = width_px / font_px, [], ""
    for word in _WORD.findall(text):
        joined = f"{line} {word}" if line else word
        if line and text_em(joined) > limit:
            lines.append(line)
            line = word
        else:
            line = joined
    return [*lines, line] if line else lines or [""]


def stamp_lines(text: str) -> list[str]:
    """A stamp line wrapped to fit the narrowest chart on screen, in English and in Korean."""
    return list(_stamp_lines(text))


@functools.lru_cache(maxsize=1024)
def _stamp_lines(text: str) -> tuple[str, ...]:  # kept: every chart of a rerun carries the same filters and source
    return tuple(wrap_to_width(text, STAMP_WIDTH_PX))


def _fitted(lines: str, width_px: float, font_px: float) -> list[str]:
    """Lines of Plotly text (joined by <br>) as they are when each fits; else the lines run together and wrapped
    again to `width_px` (a builder's note was wrapped by characters for a wide chart or a slide)."""
    split = lines.split("<br>")
    if all(text_em(line) * font_px <= width_px for line in split):
        return split
    return wrap_to_width(" ".join(split), width_px, font_px)


def _stamp_layout(layout: dict, title: str, filters_line: str, source: str, n_traces: int) -> dict:
    """`layout` with the stamp merged in as Figure.update_layout would (title and subtitle lines at the top of the
    figure, top margin grown by what they take, a legend at the top moved clear of them)."""
    from kdefense.charts import merge

    out = dict(layout)
    old_title = layout.get("title") or {}
    old = (old_title.get("subtitle") or {}).get("text")
    old_lines = old.split("<br>") if old else []
    # every line fits the narrowest chart on screen (a builder's note was wrapped for a wide chart or a slide)
    lines = ((_fitted(old, STAMP_WIDTH_PX, STAMP_FONT_PX) if old else [])
             + [_esc(w) for text in (filters_line, source) for w in stamp_lines(text)])
    had_title = bool(old_title.get("text"))
    title_size = (old_title.get("font") or {}).get("size") or 18
    title_text = old_title.get("text") if had_title else _esc(title)
    title_lines = _fitted(title_text, TITLE_WIDTH_PX, title_size)
    # Plotly draws a title's added lines above its first one (yanchor top holds one line): padded down by as much
    title_pad = round(1.3 * title_size) * (len(title_lines) - len(title_text.split("<br>")))
    grown = 16 * (len(lines) - len(old_lines)) + (0 if had_title else 34) + title_pad  # px the stamp adds on top
    legend = layout.get("legend") or {}
    margin = dict(layout.get("margin") or {})
    margin_t = margin.get("t") or 10
    showlegend = layout.get("showlegend")
    shown = showlegend is not False and n_traces > 1 or showlegend
    if shown and legend.get("y") is not None and legend.get("yref") == "container" and legend["y"] > 0.9:
        # a legend at the top of the figure moves below the stamped lines (it sat on the title)
        height = layout.get("height") or 450  # the figure grows by `grown` below (when it has a height)
        below_top = (1 - legend["y"]) * height + grown
        out["legend"] = {**legend, "y": 1 - below_top / (height + grown) if layout.get("height")
                         else legend["y"] - grown / height}
    elif shown and legend.get("y") is not None and legend["y"] >= 1 and margin_t < 40:
        grown += 26  # a legend above the plot with no room of its own: a row for it under the stamped lines
    # title and lines at the top of the figure, so what the chart had in its top margin stays below them
    out["title"] = merge(copy.deepcopy(old_title), {
        "text": "<br>".join(title_lines), "yref": "container", "y": 1,
        "yanchor": "top", "pad": {"t": 8 + title_pad},
        "subtitle": {"text": "<br>".join(lines), "font": {"size": 12, "color": "#4b5563"}}})
    margin["t"] = margin_t + grown
    out["margin"] = margin
    if layout.get("height"):  # the figure grows by what the stamp adds: the plot keeps its height (its bars and
        out["height"] = layout["height"] + grown  # their value labels were squeezed to 6 px under 5-line stamps)
    return out


_CONTAINERS = (dict, list, tuple)
def _encoded(value: Any) -> Any:
    """Figure.to_dict()'s deep copy and base64 encoding (plotly's convert_to_base64) in one walk: containers are
    copied, a dict's numeric arrays become typed-array specs, everything else is shared (strings and numbers are
    immutable; arrays are never written to)."""
    kind = type(value)
    if kind is dict:
        return {key: copy.deepcopy(item) if is_skipped_key(key)
                else charts.typed_array(item) if type(item) is np.ndarray or is_homogeneous_array(item)
                else _encoded(item) if type(item) in _CONTAINERS else item
                for key, item in value.items()}
    if kind is list or kind is tuple:
        return kind(_encoded(item) if type(item) in _CONTAINERS else item for item in value)
    return value


def sent_dict(fig: go.Figure) -> dict:
    """`fig.to_dict()` (what st.plotly_chart sends: typed arrays base64-encoded), without deep-copying every
    hover string of the figure first. Figures with animation frames go through to_dict()."""
    if fig._frame_objs:
        return fig.to_dict()
    return {"data": [_encoded(trace) for trace in fig._data], "layout": _encoded(fig._layout)}


STREAMLIT_TICK_PX = 12


def _tick_overflow_allowed(layout: dict) -> dict:
    """`layout` with every axis's tick labels allowed past the figure's edge, unless the axis says otherwise: by
    default Plotly measures every tick label of a date or number axis after drawing, to hide any that crosses the
    figure's edge (`ticklabeloverflow` "hide past div"), which forces the browser to lay out the page again and
    again. Only for charts whose labels stay inside the figure (tests/browser/test_timeline_margins.py)."""
    out = dict(layout)
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict) and "ticklabeloverflow" not in axis:
            out[name] = {**axis, "ticklabeloverflow": "allow"}
    return out


def _row_labels_margin(layout: dict, labels: Any = None) -> dict:
    """`layout` with a left margin that already holds its category y axis's labels (charts.label_margin), so that
    Plotly's automargin, kept on, finds nothing to grow and draws the chart once instead of twice. The labels are
    the axis's own (`categoryarray`, `ticktext`) unless given (margins.bar_labels). Layouts without such an axis,
    or whose margin is already wider, are returned as they are."""
    yaxis = layout.get("yaxis") or {}
    if labels is None:
        labels = yaxis.get("ticktext", yaxis.get("categoryarray"))
        if yaxis.get("categoryorder") != "array":
            return layout
    if labels is None or yaxis.get("automargin") is False or yaxis.get("showticklabels") is False:
        return layout
    # without a tick font of its own, Streamlit's chart theme draws tick labels at 12 px (measured; a larger size
    # there would only bring back Plotly's second draw, never cut a label)
    font_px = (yaxis.get("tickfont") or {}).get("size") or STREAMLIT_TICK_PX
    margin = dict(layout.get("margin") or {})
    margin["l"] = max(margin.get("l") or 0, charts.label_margin(labels, font_px))
    return {**layout, "margin": margin}


def stamped(fig: go.Figure, title: str, filters_line: str, quick_draw: bool = False, fit_axes: bool = False) -> Spec:
    """The (cached, shared) figure as it is sent, carrying what it shows and where it comes from, so a downloaded
    image travels: its title, the filters line, "Source: …" with the credit line and the data version date.
    Made once per figure and stamp, kept on the figure itself; the traces are encoded once per figure and shared
    by its stamps (only the layout differs). With `quick_draw`, the layout is sent so that the browser draws it
    with less work and looks the same: the left margin already holds the y axis's category labels (Plotly's
    automargin otherwise draws such a chart twice, see _row_labels_margin) or its number tick labels and title
    (plotly_ticks.number_axis_margin) and tick labels are not measured for overflow (_tick_overflow_allowed). The Timeline's tall row charts made its filter changes slow (issue 17).
    With `fit_axes` too, horizontal bars' labels get their left margin (margins.bar_labels) and a bottom x axis
    its bottom margin (margins.bottom_axis_margin), before the number axis's (which reads the plot's height):
    the Overview's and Tenders' charts were all drawn twice."""
    info = queries.build_info()
    source = t("Source: {credit}; deal ledger (each row cites its source) · data version {version}, built {built}",
               credit=settings.SIPRI_CREDIT.split(" (")[0], version=info.get("data_version", "?"),
               built=fmt.date(str(info.get("built_at", ""))[:10]))
    key = (title, filters_line, source, quick_draw, fit_axes)
    cache: dict = getattr(fig, "_kd_stamped", None) or {}
    if key not in cache:
        sent = getattr(fig, "_kd_sent", None)
        if sent is None:
            sent = sent_dict(fig)  # one copy and base64 encoding per figure, not per rerun
            fig._kd_sent = sent
        layout = _stamp_layout(sent["layout"], title, filters_line, source, len(sent.get("data") or []))
        if quick_draw:
            layout = _row_labels_margin(_tick_overflow_allowed(layout))
            if fit_axes:
                labels = margins.bar_labels(layout, sent["data"])
                layout = margins.bottom_axis_margin(_row_labels_margin(layout, labels))
            layout = plotly_ticks.number_axis_margin(sent.get("data") or [], layout)
        cache[key] = Spec({**sent, "layout": layout})
        fig._kd_stamped = cache  # plotly allows private attributes; the copies live as long as the figure
    return cache[key]


def chart_summary(fig: go.Figure) -> str:
    """The chart's text alternative (title, series, largest values), made once and kept on the (shared) figure."""
    text = getattr(fig, "_kd_summary", None)
    if text is None:
        try:
            text = charts.describe(fig)
        except Exception:  # noqa: BLE001 - a summary must never break the page; the title is the fallback
            text = t("Chart: {title}. The data behind this chart is in the table next to it.",
                     title=charts.chart_title(fig))
        fig._kd_summary = text
    return text


def chart_text_alternative(fig: go.Figure, key: str, container: Any = st) -> None:
    """The chart's summary for screen readers, visually hidden and placed just before the chart (read first)."""
    container.markdown(f"<p class='kd-sr-only kd-chart-summary' data-chart='{html_text(key)}'>"
                       f"{html_text(chart_summary(fig))}</p>", unsafe_allow_html=True)


def plotly(fig: go.Figure, key: str, filters: Filters, title: str, quick_draw: bool = False, fit_axes: bool = False,
           **kwargs: Any):
    """st.plotly_chart of a stamped figure whose camera button downloads a 2× PNG or an SVG, preceded by the
    chart's text alternative (`quick_draw`, `fit_axes`: see `stamped`)."""
    chart_text_alternative(fig, key)
    return st.plotly_chart(stamped(fig, title, filters.describe(), quick_draw, fit_axes), key=key,
                           config=plotly_config(title), **kwargs)


def scroll_region_hint(what: str) -> None:
    """A focusable first line inside a scrolling box: Tab stops there, so the arrow keys scroll the box (a scroll
    region without anything focusable cannot be scrolled from the keyboard: axe's scrollable-region-focusable)."""
    hint = t("{what}: scroll with the arrow keys or the mouse", what=what)
    st.markdown(f"<p class='kd-scroll-hint' tabindex='0'>{html_text(hint)}</p>", unsafe_allow_html=True)


def demote_headings(text: str, top: int = 3) -> str:
    """Markdown whose `#` headings are moved down so that `#` becomes h`top` (one h1 per page, no level skipped);
    lines inside fenced code are left alone."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"^(#{1,6}) ", line)):
            line = "#" * min(6, len(m.group(1)) + top - 1) + line[len(m.group(1)):]
        out.append(line)
    return "\n".join(out)


def markdown_doc(text: str, top: int = 3) -> None:
    """A Markdown document (docs/*.md) shown inside a page, its headings under the page's own."""
    st.markdown(demote_headings(text, top))


def chart_with_data(fig, df: pd.DataFrame, view: str, filters: Filters, key: str, quick_draw: bool = False) -> None:
    """A chart and, beside it, the download of exactly the rows it draws (hidden when presenting). `quick_draw`:
    sent to be drawn once where its margins are known here (`stamped`'s quick_draw and fit_axes)."""
    plotly(fig, f"chart_{key}", filters, charts.readable(fig).layout.title.text or view.replace("-", " ").capitalize(),
           quick_draw=quick_draw, fit_axes=quick_draw)
    chart_data(df, view, filters, key)


@st.fragment
def chart_data(df: pd.DataFrame, view: str, filters: Filters, key: str) -> None:
    """"Data behind this chart": a preview of the rows the chart draws and their downloads, in a popover whose
    content is made only while it is open (issue 17: no work for what is not on screen). Before, a closed popover's
    table was built, converted to Arrow and sent with every rerun of every chart: a fifth of the Timeline's new
    filter and a quarter of its warm rerun. Opening or closing it reruns this fragment only, with the rows of the
    run that drew the chart (st.fragment keeps its arguments)."""
    box = st.popover(t("Data behind this chart"), icon=":material/table:", key=f"data_{key}", on_change="rerun")
    if box.open:
        with box:
            data_preview(df)
            downloads(df, view, filters, key)


def _year_like(values: np.ndarray) -> bool:
    """Whole numbers from 1900 to 2100: years, shown as 2024, not 2,024."""
    with np.errstate(invalid="ignore"):  # ±inf % 1 is NaN: not a year, and no warning
        return bool(((values % 1 == 0) & (values >= 1900) & (values <= 2100)).all())


def separated(df: pd.DataFrame, config: dict | None = None) -> dict:
    """st.dataframe's `column_config` with thousands separators for every numeric column of `df` that reaches
    1,000 and has no configuration of its own (Streamlit's default shows 15626): whole numbers as 15,626, others
    as 1,234.5; year columns stay 2024. A column given only a label (a string) keeps it. (Read from the dtypes and
    one float array per numeric column: a popover table is configured on every rerun.)"""
    return _separated(df, lambda i: df.iloc[:, i].to_numpy(dtype="float64", na_value=np.nan), config)


def _separated(df: pd.DataFrame, floats: Callable[[int], np.ndarray], config: dict | None = None) -> dict:
    """separated(), reading the values of column i as `floats(i)` (missing values NaN)."""
    out = dict(config or {})
    duplicated = df.columns.duplicated(keep=False)
    for i, (name, dtype) in enumerate(zip(df.columns, df.dtypes, strict=True)):
        given = out.get(name, "")
        if duplicated[i]:
            continue  # a SQL result may repeat a name: one configuration would apply to both
        if not isinstance(given, str) or pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(
                dtype):
            continue
        values = floats(i)
        values = values[~np.isnan(values)]
        if not values.size or np.abs(values).max() < 1000 or _year_like(values):
            continue  # small numbers or years
        with np.errstate(invalid="ignore"):
            whole = bool((values % 1 == 0).all())
        out[name] = st.column_config.NumberColumn(given or None, format="%,d" if whole else "%,.1f")
    return out


def _arrow_floats(table: pa.Table) -> Callable[[int], np.ndarray]:
    """Column i of a table converted from a frame (its columns first, in order) as floats, nulls NaN: what
    `df.iloc[:, i].to_numpy(dtype="float64", na_value=np.nan)` gives for a numeric column, without pandas'
    indexing (the table holds the same values)."""
    return lambda i: np.asarray(table.column(i).to_numpy(zero_copy_only=False), dtype="float64")


PREVIEW_ROWS = 200


class Preview(NamedTuple):
    """A popover's table, made once per frame and language: what st.dataframe is given."""

    total: int  # rows behind the chart (the caption says when only the first PREVIEW_ROWS are shown)
    table: pa.Table  # the rows shown (fmt.table_dates), converted to Arrow as st.dataframe converts a frame
    config: dict  # separated(): the number formats (st.dataframe copies it before changing anything)


def _made_preview(df: pd.DataFrame, lang: str) -> Preview:
    shown = fmt.table_dates(df.head(PREVIEW_ROWS) if len(df) > PREVIEW_ROWS else df, lang)
    table = dataframe_util.convert_pandas_df_to_arrow_table(shown)
    return Preview(len(df), table, _separated(shown, _arrow_floats(table)))


@st.cache_resource(max_entries=512, show_spinner=False)
def _preview_of_content(digest: str, lang: str, _df: pd.DataFrame, _made: Preview | None = None) -> Preview:
    return _made_preview(_df, lang) if _made is None else _made


def _preview_content(df: pd.DataFrame) -> Any:
    # a preview is made of the row count and the first rows alone: only those are digested (the Timeline's Gantt
    # frame, hundreds of rows, was pickled whole on every filter change)
    return (len(df), df.head(PREVIEW_ROWS)) if len(df) > PREVIEW_ROWS else df


def _preview_filed(content: Any, df: pd.DataFrame | None, lang: str, made: Preview | None = None) -> Preview:
    """The preview kept under `content` (_preview_content of its frame): made now of `df`, or `made` filed there."""
    digest = content_digest(content)
    if digest is None:
        return _made_preview(df, lang) if made is None else made
    return _preview_of_content(digest, lang, df, made)


_UNDIGESTED_PREVIEWS: dict[tuple, tuple[Any, Preview]] = {}  # shapes met once -> (content, preview)
_DIGESTED_PREVIEW_SHAPES: set[tuple] = set()


def _preview_by_content(df: pd.DataFrame, lang: str) -> Preview:
    """As ui._figure keeps figures: a frame of a shape (rows, column names, language) never previewed cannot equal
    any previewed content, so its preview is made without the digest (on a filter change nearly every popover's
    frame is new), and filed under its content only if that shape comes again."""
    shape = (len(df), tuple(df.columns), lang)
    with _UNDIGESTED_LOCK:
        first_time = shape not in _DIGESTED_PREVIEW_SHAPES and shape not in _UNDIGESTED_PREVIEWS
        met_once = None if first_time else _UNDIGESTED_PREVIEWS.pop(shape, None)
        if not first_time:
            _DIGESTED_PREVIEW_SHAPES.add(shape)
            if len(_DIGESTED_PREVIEW_SHAPES) > 16 * UNDIGESTED_MAX:
                _DIGESTED_PREVIEW_SHAPES.clear()
    if first_time:
        made = _made_preview(df, lang)
        with _UNDIGESTED_LOCK:
            _UNDIGESTED_PREVIEWS[shape] = (_preview_content(df), made)
            while len(_UNDIGESTED_PREVIEWS) > UNDIGESTED_MAX:
                _UNDIGESTED_PREVIEWS.pop(next(iter(_UNDIGESTED_PREVIEWS)))
        return made
    if met_once is not None:  # filed under its content now, as the first lookup would have filed it
        old_content, old_made = met_once
        _preview_filed(old_content, None, lang, old_made)
    return _preview_filed(_preview_content(df), df, lang)


@st.cache_resource(max_entries=512, show_spinner=False)
def _preview_of_answer(answer: tuple, lang: str, _df: pd.DataFrame) -> Preview:
    return _preview_by_content(_df, lang)


@st.cache_resource(max_entries=512, show_spinner=False)
def _preview_of_key(key: str, _df: pd.DataFrame, _lang: str) -> Preview:
    """_preview_of_answer keyed by queries.key_text of (answer, language): one string for Streamlit to hash."""
    return _preview_by_content(_df, _lang)


def _preview_by_answer(answer: tuple, lang: str, df: pd.DataFrame) -> Preview:
    text = queries.key_text((answer, lang))
    if text is None:
        return _preview_of_answer(answer, lang, df)
    return _preview_of_key(key=text, _df=df, _lang=lang)


def preview(df: pd.DataFrame) -> Preview:
    """`df`'s popover table, kept between reruns and sessions as ui.figure keeps figures: a frame from
    queries.run by the question it answers (which holds the file version), else by its content; and the
    language (Korean dates)."""
    lang = i18n.current_lang()
    answer = queries.origin(df)
    return _preview_by_content(df, lang) if answer is None else _preview_by_answer(answer, lang, df)


def data_preview(df: pd.DataFrame) -> None:
    """The rows behind a chart, shown in its popover: at most PREVIEW_ROWS of them.

    An open popover's content travels with every rerun (`chart_data` makes it only while open), so a 600-row
    table behind the Gantt would add ~360 KB to each; the two downloads beside it always hold every row (with ISO
    dates; the preview writes dates the way the page's language does). The table is converted to Arrow and configured once
    per frame (`preview`), not on every rerun of every chart: Streamlit sends a pyarrow Table as it is.
    """
    made = preview(df)
    if made.total > PREVIEW_ROWS:
        st.caption(t("The first {shown} of {total} rows; the downloads have all of them.", shown=PREVIEW_ROWS,
                     total=fmt.number(made.total)))
    st.dataframe(made.table, hide_index=True, placeholder="—", width="stretch", column_config=made.config)


DELTA_UNITS = {"usd_m": fmt.usd_bn, "tiv_m": fmt.tiv_m, "deals": lambda d: t("{n} deals", n=fmt.number(d)),
               "recipients": lambda d: t("{n} recipients", n=fmt.number(d)),
               "units": lambda d: t("{n} units", n=fmt.number(d))}


def metric_delta(now: float | None, before: float | None, unit: str) -> str | None:
    """The change against the previous period, in the metric's unit ("+$1.2 bn", "+12 deals"; Korean "+136억 달러",
    "+12건"), or None. The sign comes first: Streamlit colours the delta by it."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    diff = now - before
    return ("+" if diff >= 0 else "-") + DELTA_UNITS[unit](abs(diff))


PLOTLY_CONFIG = {"displaylogo": False, "topojsonURL": "app/static/topojson/",
                 "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
PRESENT_PLOTLY_CONFIG = {**PLOTLY_CONFIG, "displayModeBar": False}


def is_presenting() -> bool:
    """Presentation mode is part of the URL (`present=1`), so a briefing view is a link too."""
    return st.query_params.get("present") == "1"


PAGE_FILES = {"overview": "pages/overview.py", "deals": "pages/deals.py", "timeline": "pages/timeline.py",
              "map": "pages/map.py", "suppliers": "pages/suppliers.py", "data": "pages/data.py",
              "briefing": "pages/briefing.py", "tenders": "pages/tenders.py"}
PAGE_TITLES = {"overview": N_("Overview"), "deals": N_("Deals"), "timeline": N_("Timeline"), "map": N_("Map"),
               "suppliers": N_("Suppliers"), "data": N_("Data & method"), "briefing": N_("Briefing"),
               "tenders": N_("Tenders")}
USER_DECKS_KEY = "_user_decks"
USER_DECKS_PARAM = "mydeck"
MAX_USER_DECK_TOKEN = 24_000  # characters of one `mydeck` value (a 100-slide deck is about 8,000)


def user_deck_token(deck) -> str:
    """A deck as one URL value: its id, a dot, and its TOML file compressed and base64url-encoded."""
    from kdefense.briefing import deck_to_toml

    packed = base64.urlsafe_b64encode(zlib.compress(deck_to_toml(deck).encode("utf-8"), 9)).decode("ascii")
    return f"{deck.deck_id}.{packed.rstrip('=')}"


def deck_from_token(token: str):
    """The deck in a `mydeck` URL value, or None: hostile input, so size-capped and parsed like a deck file."""
    from kdefense.briefing import MAX_DECK_BYTES, DeckError, parse_deck

    deck_id, _, packed = token.partition(".")
    if len(token) > MAX_USER_DECK_TOKEN or not re.fullmatch(r"[a-z0-9-]{1,60}", deck_id):
        return None
    try:
        raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
        inflate = zlib.decompressobj()
        text = inflate.decompress(raw, MAX_DECK_BYTES)
        if inflate.unconsumed_tail:
            return None  # more than MAX_DECK_BYTES once inflated
        return parse_deck(text.decode("utf-8"), deck_id)
    except (ValueError, zlib.error, DeckError):  # binascii.Error and UnicodeDecodeError are ValueErrors
        return None


def user_decks() -> dict:
    """Decks built with "add this view to a deck": in the session, and in the URL so that a reload keeps them."""
    state = st.session_state
    if USER_DECKS_KEY not in state:
        decks = {}
        for token in st.query_params.get_all(USER_DECKS_PARAM)[:10]:
            deck = deck_from_token(token)
            if deck is not None:
                decks[deck.deck_id] = deck
        state[USER_DECKS_KEY] = decks
    return state[USER_DECKS_KEY]


def user_deck_tokens() -> list[str]:
    return [user_deck_token(deck) for deck in user_decks().values()]


def page_link_url(path: str) -> str:
    """A link to another page of the app for Markdown text, carrying the interface language (`lang`)."""
    lang = i18n.url_params()
    return f"/{path.strip('/')}" + (f"?{i18n.URL_PARAM}={lang[i18n.URL_PARAM]}" if lang else "")


def page_key(url_path: str) -> str:
    return url_path or "overview"


def add_view_to_deck(page: str, filters: Filters, decks: dict) -> None:
    """Sidebar control: append the current view (page, filters, page options) to a deck and download the deck."""
    from kdefense.briefing import Deck, Slide, allowed_options, deck_to_toml, slugify

    user: dict = user_decks()
    with st.sidebar.expander(t("Briefing: add this view to a deck"), icon=":material/slideshow:"):
        names = sorted(set(user) | set(decks))
        new_deck = t("New deck…")  # the option is the shown text (AppTest compares values as shown)
        choice = st.selectbox(t("Deck"), [new_deck, *names], key="brief_deck")
        new_title = st.text_input(t("New deck title"), key="brief_new_title") if choice == new_deck else ""
        title = st.text_input(t("Slide title"), key="brief_title", placeholder=t("e.g. Poland drives the 2022 jump"))
        takeaway = st.text_input(t("One-line takeaway"), key="brief_takeaway")
        if st.button(t("Add view"), key="brief_add", icon=":material/add:"):
            deck_id = slugify(new_title) if choice == new_deck else choice
            base = user.get(deck_id) or decks.get(deck_id) or Deck(deck_id, new_title or deck_id)
            options = {k: st.session_state[k] for k in st.session_state
                       if isinstance(k, str) and k.startswith(PAGE_OPTION_PREFIXES.get(page, "\0"))
                       and isinstance(st.session_state[k], (str, int, float, bool, list))}
            options = {k: v if isinstance(v, bool) else [str(x) for x in v] if isinstance(v, list) else str(v)
                       for k, v in options.items()}
            options = allowed_options(page, options)  # only the page's own option keys and values
            slide = Slide(page=page, title=title, takeaway=takeaway, filters=filters.to_query_params(),
                          options=options)
            user[deck_id] = Deck(deck_id, base.title, base.description, (*base.slides, slide))
            st.toast(t("Added slide {n} to '{deck}'", n=len(user[deck_id].slides), deck=md_text(user[deck_id].title)))
        for deck_id, deck in user.items():
            st.download_button(t("Download {file} ({n} slides)", file=f"{deck_id}.toml", n=len(deck.slides)),
                               deck_to_toml(deck),
                               file_name=f"{deck_id}.toml", mime="application/toml", key=f"brief_dl_{deck_id}",
                               on_click="ignore")
        st.caption(t("Decks you build here are kept in this page's link (the `mydeck` parameter): a reload keeps "
                     "them, and a bookmark or a shared link brings them back. Download the file to keep a copy; "
                     "put it in `briefings/` to ship it with the app."))
        if st.button(t("Present this view"), key="brief_present", icon=":material/co_present:"):
            st.query_params["present"] = "1"
            st.rerun()


# Page-level widget keys that count as a view's "chart options" when saved to a deck.
PAGE_OPTION_PREFIXES = {"timeline": "tl_", "map": "map_", "suppliers": "sup_", "deals": "deals_opt_",
                        "tenders": "tnd_"}

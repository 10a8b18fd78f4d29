"""Pure chart builders: DataFrame in, Plotly Figure out. No Streamlit here."""

from __future__ import annotations

import base64
import collections
import copy
import functools
import math
import textwrap
import unicodedata
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.basevalidators import copy_to_readonly_numpy_array
from _plotly_utils.utils import plotlyjsShortTypes, to_typed_array_spec

from kdefense import names
from kdefense.i18n import N_, t
from kdefense.settings import REGION_COLOURS, REGION_OUTLINE, REGIONS


def text_width(text: str) -> int:
    """Width in Latin characters: a Hangul syllable (East Asian wide) is drawn about twice as wide as a Latin letter."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_text(text: str, width: int, **options: bool) -> list[str]:
    """textwrap.wrap by drawn width: Latin text exactly as textwrap wraps it, Korean text by its width (a line of
    `width` Korean characters is twice as wide as a Latin one and ran past a chart's edge)."""
    if text_width(text) == len(text):
        return textwrap.wrap(text, width, **options)
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


# Advance widths in thousandths of an em of Arial's metrics (Liberation Sans, metric-compatible, is what Chromium
# draws the charts' Latin text with on Linux; Arial and Helvetica elsewhere), by character.
_ADVANCE_BY_WIDTH = {
    191: "'",
    222: 'ijlįĵĺļłſ‘’',
    260: '|¦',
    278: '\xa0 !,./:;I[\\]ftÌÍÎÏìíîïĨĩĪīĬĭĮİıţŧ',
    292: 'ľ',
    333: '()-`r¡¨²³´·¸¹ŕŗř·“”',
    334: '{}ŀ',
    355: '"',
    365: 'º',
    370: 'ª',
    375: 'ť',
    389: '*',
    400: '°',
    444: 'ĳ',
    469: '^',
    500: 'JcksvxyzçýÿćĉċčĴķĸśŝşšŷźżž',
    537: '¶',
    549: '±÷',
    552: '¯',
    556: '#$0123456789?L_abdeghnopqu¢£¤¥§«»àáâãäåèéêëðñòóôõöùúûüþāăąđēĕėęěĝğġģĥħĹĻĽĿŁńņňŋōŏőũūŭůűų–',
    576: 'µ',
    584: '+<=>~¬×',
    604: 'ŉ',
    611: 'FTZ¿ßøŢŤŦŹŻŽ',
    615: 'ď',
    667: '&ABEKPSVXYÀÁÂÃÄÅÈÉÊËÝÞĀĂĄĒĔĖĘĚĶŚŜŞŠŶŸ',
    722: 'CDHNRUwÇÐÑÙÚÛÜĆĈĊČĎĐĤĦŃŅŇŔŖŘŨŪŬŮŰŲŵ',
    723: 'Ŋ',
    735: 'Ĳ',
    737: '©®',
    778: 'GOQÒÓÔÕÖØĜĞĠĢŌŎŐ',
    833: 'Mm',
    834: '¼½¾',
    889: '%æ',
    944: 'WœŴ',
    1000: 'ÆŒ—…',
    1015: '@',
}
_ADVANCE = {ch: width for width, chars in _ADVANCE_BY_WIDTH.items() for ch in chars}
HANGUL_EM = 0.93  # Noto Sans KR's Hangul (served by the app) is drawn 0.89-0.93 em wide
# Plotly puts a category axis's labels this far from the plot (18.6-19.2 px measured at 13 and 14 px), plus the
# estimate's error (drawn widths exceed the advance sum by at most 0.8 px) and a pixel to spare
TICK_LABEL_GAP_PX = 21


@functools.lru_cache(maxsize=16384)
def _advance_sum(text: str) -> float:
    """The advance widths of `text`'s characters added up, in thousandths of an em (kept: row labels recur on every
    filter change)."""
    return sum(_ADVANCE.get(ch, HANGUL_EM * 1000 if unicodedata.east_asian_width(ch) in "WF" else 1000)
               for ch in text)


def drawn_width_px(text: str, font_px: float) -> float:
    """Width of one line of chart text in Arial's metrics (Hangul in Noto Sans KR's); characters not in the table
    count a full em, so the estimate errs wide."""
    return _advance_sum(text) * font_px / 1000


def label_margin(labels: Any, font_px: float, least: int = 10) -> int:
    """A left margin that holds the longest of a category axis's tick labels, as Plotly's automargin would make it
    (a pixel or two wider). Sent with `automargin` kept on, it lets Plotly draw the chart once: Plotly draws again
    only when the labels need more than the margin it was given, which happens only where the labels are drawn in
    a wider font than Arial's metrics (and then the chart is laid out exactly as before)."""
    widest = max((drawn_width_px(str(label), font_px) for label in labels), default=0.0)
    return max(least, math.ceil(widest + TICK_LABEL_GAP_PX)) if widest else least


EVENT_NAME = N_("Context event")  # the events' legend entry: no "(hover)", images and PDFs have no hover
PRIMARY_BAR = "#0072B2"  # Okabe–Ito blue, as Europe: 5.2:1 on white
# Noto Sans KR is served by the app and declared for Hangul only (unicodeRange, .streamlit/config.toml): Latin
# text falls through to the fonts after it, Korean text is drawn with the served font.
FONT = "'Noto Sans KR', Inter, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def base_layout(fig: go.Figure, title: str | None = None, height: int = 380, large: bool = False) -> go.Figure:
    size = 22 if large else 14
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": size + 4}} if title else None,
        font={"family": FONT, "size": size},
        height=height, margin={"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
        plot_bgcolor="white", paper_bgcolor="white", legend={"orientation": "h", "y": -0.15},
        hoverlabel={"font_size": size},
    )
    fig.update_xaxes(gridcolor="#e5e7eb", zerolinecolor="#9ca3af")
    fig.update_yaxes(gridcolor="#e5e7eb", zerolinecolor="#9ca3af")
    return fig


def layout_base(title: str | None = None, height: int = 380, large: bool = False) -> dict:
    """base_layout as a plain layout dict (for figures built from dicts, see `built`)."""
    size = 22 if large else 14
    axis = {"gridcolor": "#e5e7eb", "zerolinecolor": "#9ca3af"}
    return {
        "title": {"text": title, "x": 0, "font": {"size": size + 4}} if title else {},
        "font": {"family": FONT, "size": size}, "height": height,
        "margin": {"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
        "plot_bgcolor": "white", "paper_bgcolor": "white", "legend": {"orientation": "h", "y": -0.15},
        "hoverlabel": {"font": {"size": size}}, "xaxis": dict(axis), "yaxis": dict(axis),
    }


def merge(into: dict, update: dict) -> dict:
    """Nested update of a layout dict, as Figure.update_layout merges (dicts merge, anything else replaces)."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
    return into


def array(values: Any) -> Any:
    """A data column as Plotly's validators would store it: numbers as a numpy array (a typed array in the JSON,
    missing values NaN), anything else as an object array. Plotly's own conversion inspects each column's type
    through narwhals, which costs more than the chart."""
    if isinstance(values, pd.Series):
        dtype = values.dtype
        if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iuf":
            if values.isna().any():
                return values.to_numpy(dtype="float64", na_value=np.nan)
            return values.to_numpy(dtype=dtype.numpy_dtype)
        if dtype.kind in "iufb":
            return values.to_numpy()
        return values.to_numpy(dtype=object, na_value=None)
    return copy_to_readonly_numpy_array(values)


@functools.lru_cache(maxsize=256)
def _row_type(columns: tuple[str, ...]) -> type:
    return collections.namedtuple("Row", columns, rename=True)


def _columns(df: pd.DataFrame) -> list[list]:
    return [df[c].tolist() for c in df.columns]


def rows(df: pd.DataFrame) -> list[tuple]:
    """The rows as named tuples of Python values, as `df.itertuples()` gives them to a builder (without the index):
    one `tolist()` per column instead of pandas' per-column indexing and per-value boxing (several times faster on
    the Timeline's frames). Column names must be unique."""
    make = _row_type(tuple(df.columns))._make
    return [make(values) for values in zip(*_columns(df))]


def records(df: pd.DataFrame) -> list[dict]:
    """`df.to_dict("records")` (Python values, column names unique) by one `tolist()` per column."""
    names_ = list(df.columns)
    return [dict(zip(names_, values)) for values in zip(*_columns(df))]


def built(data: list[dict], layout: dict) -> go.Figure:
    """A Figure from trace and layout dicts this code wrote itself, without Plotly's property validation.

    Validating each property costs most of a figure's build time (10-60 ms per chart); the builders that use this
    write only properties they were written against (titles as {"text": ...}, plotly.js 3 takes no bare
    strings), and tests compare what reaches the browser.
    """
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def _arrow_text(series: pd.Series) -> Any:
    """The Arrow array holding a text column's values (pandas' Arrow-backed "str" dtype), else None."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return series.array.__arrow_array__()
    return None


class Columns:
    """A frame's columns read once, for builders that work on column lists instead of pandas' per-row and per-mask
    machinery (each boolean mask, sub-frame or group costs tens of microseconds; a Timeline chart made hundreds).

    `list(c)` is the column's `tolist()` with text as plain Python objects; `take(c, idx)` is
    `charts.array(df[c].iloc[idx])` for row positions `idx` (numbers typed as array() types them for those rows)."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self.n = len(df)
        self._lists: dict[str, list] = {}
        self._arrays: dict[str, tuple] = {}

    def __contains__(self, column: str) -> bool:
        return column in self.df.columns

    def list(self, column: str) -> list:
        values = self._lists.get(column)
        if values is None:
            series = self.df[column]
            text = _arrow_text(series)
            if text is not None:  # Arrow's own conversion; pandas' astype(object) filters out the missing first
                values = text.to_pylist()
                if text.null_count:
                    missing = series.dtype.na_value
                    values = [missing if v is None else v for v in values]
            elif pd.api.types.is_string_dtype(series):
                values = series.astype(object).tolist()
            else:
                values = series.tolist()
            self._lists[column] = values
        return values

    def take(self, column: str, idx: list[int]) -> np.ndarray:
        kept = self._arrays.get(column)
        if kept is None:
            series = self.df[column]
            dtype = series.dtype
            native = (dtype.numpy_dtype if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iuf"
                      else None)
            mask = series.isna().to_numpy() if native is not None else None
            text = _arrow_text(series)
            # array(series) of Arrow text: an object array, None where missing (as Arrow converts it)
            full = text.to_numpy(zero_copy_only=False) if text is not None else array(series)
            kept = self._arrays[column] = (full, native, mask)
        full, native, mask = kept
        picked = full[idx]
        if native is not None and picked.dtype != native and not mask[idx].any():
            return picked.astype(native)  # array() of these rows alone: no missing value, the column's own type
        return picked

    def positions(self, column: str, values) -> dict:
        """Row positions per value of `column` (in row order), for the values asked."""
        wanted = set(values)
        out: dict = {v: [] for v in values}
        for i, v in enumerate(self.list(column)):
            if v in wanted:
                out[v].append(i)
        return out


class _Read:
    """Attribute reads of a trace or layout dict this code wrote, as a Figure built from it answers them (missing
    properties read None; a trace without a type is a scatter), for `readable`."""

    def __init__(self, spec: dict, trace: bool = False) -> None:
        self._spec = spec
        self._trace = trace

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_spec":
            raise AttributeError(name)
        value = self._spec.get(name, "scatter" if self._trace and name == "type" else None)
        return _Read(value) if type(value) is dict and name != "meta" else value


class _Readable:
    def __init__(self, data: list[dict], layout: dict) -> None:
        self.data = [_Read(trace, trace=True) for trace in data]
        self.layout = _Read(layout)


class Drawn(go.Figure):
    """`built(data, layout)`, made only when something other than reading it needs the Figure.

    A page reads a cached figure's title and meta, its text alternative reads its traces (`readable`), and
    st.plotly_chart is handed the dict it sends (ui.stamped, from `_kd_sent`): on a filter change, the Timeline
    built seven Figures (about a third of their build time) that nothing else used. Any other use (to_dict,
    update_layout, fig.data...) builds the Figure first, from the same dicts, so it behaves as built() made it.
    The dicts are the builder's own and never changed afterwards."""

    def __init__(self, data: list[dict], layout: dict) -> None:  # noqa: D107 - no Figure state until needed
        self._kd_source = (data, layout)

    def __getattr__(self, name: str) -> Any:  # only for attributes not set yet: the Figure's own state
        source = self.__dict__.pop("_kd_source", None)
        if source is None or name.startswith("_kd_"):
            if source is not None:
                self._kd_source = source
            raise AttributeError(name)
        go.Figure.__init__(self, {"data": source[0], "layout": source[1]}, _validate=False)
        return getattr(self, name)

    def __reduce__(self):  # a copy or a pickle is a plain Figure, as built() made
        return go.Figure, go.Figure.__reduce__(self)[1]

    def readable(self) -> Any:
        """The figure's title, meta and traces to read, without building the Figure when it is not built yet."""
        source = self.__dict__.get("_kd_source")
        return self if source is None else _Readable(*source)


def readable(fig: go.Figure) -> Any:
    """What reads `fig.layout` and `fig.data` (title, meta, traces) without changing them reads from this."""
    return fig.readable() if isinstance(fig, Drawn) else fig


SKIPPED_KEYS = frozenset(("geojson", "layer", "layers", "range"))  # plotly's is_skipped_key: copied, never encoded
_LEAVES = frozenset((str, int, float, bool, type(None)))  # immutable: to_dict()'s deep copy is the value itself
_WALKED = frozenset((dict, list, np.ndarray))


def _sent(key, value):
    """What Figure.to_dict() makes of a value this module wrote (ui.sent_dict's walk, for our own dicts): numeric
    arrays as typed-array specs, dicts and lists of dicts walked, other lists and strings shared (never written)."""
    if key in SKIPPED_KEYS:
        return copy.deepcopy(value)
    kind = type(value)
    if kind is np.ndarray:
        return typed_array(value)
    if kind is dict:
        return {k: v if type(v) in _LEAVES else _sent(k, v) for k, v in value.items()}
    if kind is list and not _WALKED.isdisjoint(map(type, value)):
        return [_sent(None, v) if type(v) in (dict, list) else v for v in value]
    return value


@functools.cache
def _template(name: str) -> dict:
    """The default template as to_dict() writes it into every layout (the same for every figure: made once)."""
    return go.Figure().layout.template.to_plotly_json()


def drawn(data: list[dict], layout: dict, figure_order: bool = False) -> go.Figure:
    """`built`, carrying what st.plotly_chart will send (`_kd_sent`, read by ui.stamped), made from these
    dicts instead of a deep copy and walk of the whole figure (tests/unit/test_fast_paths.py compares it with
    to_dict()). Read-only, like the figure. With `figure_order`, the sent dict is to_dict() to the order of its
    keys (a Figure orders each trace's and the layout's own properties by name, the trace type and the template
    last; what is inside them keeps the builder's order), so the JSON sent is byte for byte what built() sent."""
    fig = Drawn(data, layout)  # a Figure only when something needs one
    traces = [_sent(None, trace) for trace in data]
    sent_layout = _sent(None, layout)
    if figure_order:
        traces = [{**_by_name(trace, "type"), "type": trace["type"]} if "type" in trace else _by_name(trace, "")
                  for trace in traces]
        sent_layout = _by_name(sent_layout, "template")
    fig._kd_sent = {"data": traces, "layout": {**sent_layout, "template": _template(str(pio.templates.default))}}
    return fig


def _by_name(props: dict, skipped: str) -> dict:
    """`props` with its keys in name order, `skipped` left out."""
    return {key: props[key] for key in sorted(props) if key != skipped}


def value_label(basis: str) -> str:
    return t("Contract value, USD m") if basis == "usd" else t("SIPRI TIV, millions")


def region_marker(regions: Any) -> dict:
    """Bar marker in the fixed region colours, outlined so the light ones hold 3:1 against white."""
    return {"color": [REGION_COLOURS.get(r, "#6b7280") for r in regions], "line": {"color": REGION_OUTLINE, "width": 1}}


def region_ordered(present: Any) -> list[str]:
    """The regions present, in the fixed REGIONS order (legend order), unknown ones last."""
    found = {r for r in present if isinstance(r, str)}
    return [r for r in REGIONS if r in found] + sorted(found - set(REGIONS))


def sorted_rows(values: pd.Series) -> np.ndarray:
    """Row positions of `df.dropna(subset=[col]).sort_values(col)` for `values = df[col]`: the rows with a value,
    smallest first, in the order pandas gives them (the same quicksort of the same values), without pandas taking
    every column of the frame (Arrow-backed text columns cost most of a small chart's build)."""
    present = np.flatnonzero(values.notna().to_numpy())
    if isinstance(values.dtype, pd.api.extensions.ExtensionDtype):
        kept = values.array[present]
    else:
        kept = values.to_numpy()[present]
    return present[np.asarray(kept.argsort(kind="quicksort"))]


def taken(values: pd.Series, rows: np.ndarray) -> Any:
    """`array(values.iloc[rows])`: the column as a trace array, for the rows at positions `rows`."""
    dtype = values.dtype
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iuf":
        return array(values.iloc[rows])  # a nullable column: its type depends on whether these rows miss a value
    return array(values)[rows]


def _one_column(df: pd.DataFrame, column: str, rows: np.ndarray) -> np.ndarray:
    """`df[[column]].iloc[rows].to_numpy()`: one column as a 2-D array of one value per row (customdata)."""
    if isinstance(df[column].dtype, pd.api.extensions.ExtensionDtype):
        return df[[column]].iloc[rows].to_numpy()  # a nullable column: its type depends on these rows
    return df[column].to_numpy()[rows].reshape(-1, 1)


def region_bars(df: pd.DataFrame, value_col: str, basis: str, large: bool = False) -> go.Figure:
    """Horizontal bars per region, in the fixed region colours (the axis names each region)."""
    rows = sorted_rows(df[value_col])
    values = taken(df[value_col], rows)
    regions = df["region"].to_numpy()[rows]
    trace = {
        "type": "bar", "x": values, "y": array([names.region(r) for r in regions]),
        "orientation": "h", "marker": region_marker(regions),
        "customdata": array(_one_column(df, "deals", rows)),
        "text": _value_texts(values), "textposition": "auto",
        "hovertemplate": "%{y}<br>%{x:,.0f}<br>" + t("{n} deals", n="%{customdata[0]}") + "<extra></extra>",
    }
    layout = merge({"xaxis": {"title": {"text": value_label(basis)}}}, layout_base(t("By region"), 300, large))
    return drawn([trace], layout, figure_order=True)


def _value_texts(values: Any) -> np.ndarray:
    """Bar labels: each value as a whole number with thousands separators."""
    return np.array([f"{v:,.0f}" for v in values], dtype=object)


def _bars_of_regions(df: pd.DataFrame, rows: np.ndarray, x_col: str, y_col: str, region_col: str,
                     texts: np.ndarray, hovertemplate: str) -> tuple[list[dict], dict]:
    """bars_by_region of the rows at positions `rows` (in that order), read from the columns."""
    regions = df[region_col].to_numpy()[rows]
    xs, ys = taken(df[x_col], rows), taken(df[y_col], rows)
    traces = []
    for region in region_ordered(regions):
        mine = np.flatnonzero(regions == region)
        traces.append({
            "type": "bar", "x": xs[mine], "y": ys[mine], "orientation": "h", "name": names.region(region),
            "marker": region_marker(regions[mine]), "text": texts[mine], "textposition": "auto",
            "hovertemplate": hovertemplate,
        })
    layout = {"yaxis": {"categoryorder": "array", "categoryarray": ys}, "barmode": "stack",
              "showlegend": True, "legend": {"title": {"text": t("Region")}}}
    return traces, layout


def ranked_bars(df: pd.DataFrame, label_col: str, value_col: str, basis: str, title: str,
                colour_col: str | None = None, large: bool = False) -> go.Figure:
    rows = sorted_rows(df[value_col])
    values = taken(df[value_col], rows)
    texts = _value_texts(values)
    hover = "%{y}<br>%{x:,.0f}<extra></extra>"
    height = max(260, 34 * len(rows) + (130 if colour_col else 80))
    layout = merge({"xaxis": {"title": {"text": value_label(basis)}}}, layout_base(title, height, large))
    if colour_col:
        traces, by_region = _bars_of_regions(df, rows, value_col, label_col, colour_col, texts, hover)
        merge(layout, by_region)
        merge(layout, {"legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
                       "margin": {"b": 60}})
        return drawn(traces, layout, figure_order=True)
    trace = {
        "type": "bar", "x": values, "y": taken(df[label_col], rows), "orientation": "h",
        "marker": {"color": PRIMARY_BAR}, "text": texts, "textposition": "auto", "hovertemplate": hover,
    }
    return drawn([trace], layout, figure_order=True)


def reconciliation_chart(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Ledger signed value per year (bars) against the official yearly totals (line)."""
    official = np.flatnonzero(df["official_usd_bn"].notna().to_numpy())
    bn_usd = t("{value} bn USD", value="%{y:.1f}")
    data = [
        {"type": "bar", "x": array(df["year"]), "y": array(df["ledger_usd_bn"]),
         "name": t("Ledger: signed contracts (filtered)"), "marker": {"color": PRIMARY_BAR},
         "hovertemplate": "%{x}: " + bn_usd + "<extra>" + t("ledger") + "</extra>"},
        {"type": "scatter", "x": taken(df["year"], official), "y": taken(df["official_usd_bn"], official),
         "name": t("Official annual export orders"), "mode": "lines+markers", "line": {"color": "#D55E00", "width": 3},
         "marker": {"symbol": "diamond", "size": 8},
         "hovertemplate": "%{x}: " + bn_usd + "<extra>" + t("official") + "</extra>"},
    ]
    span = int(df["year"].max() - df["year"].min()) if len(df) else 0
    # yearly ticks only where they fit a laptop or phone; the legend above the plot (at the bottom it covered
    # the x axis's year labels)
    layout = merge(layout_base(t("Ledger vs official totals"), 380, large),
                   {"yaxis": {"title": {"text": t("USD bn")}}, "xaxis": {"dtick": 1 if span <= 15 else 5},
                    "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
                    "margin": {"t": 80}})
    return drawn(data, layout, figure_order=True)


KIND_WORDS = {"actual": N_("actual"), "planned": N_("planned"), "overdue": N_("overdue")}


def deal_deliveries_chart(df: pd.DataFrame, quantity: float | None, large: bool = False) -> go.Figure:
    """Units per year for one deal: actual deliveries solid, planned hatched, overdue planned years (the year has
    ended with no delivery recorded: `is_overdue`) cross-hatched in red and labelled; cumulative against the order."""
    fig = go.Figure()
    late = df["is_overdue"].fillna(False).astype(bool) if "is_overdue" in df else pd.Series(False, index=df.index)
    parts = (("actual", N_("Actual"), df["kind"] == "actual", "#2f6db5", ""),
             ("planned", N_("Planned"), (df["kind"] == "planned") & ~late, "#9ca3af", "/"),
             ("overdue", N_("Overdue: planned, year passed"), late, "#dc2626", "x"))
    for kind, name, rows, colour, pattern in parts:
        part = df[rows]
        if not part.empty:
            overdue = kind == "overdue"
            fig.add_bar(x=part["year"], y=part["units"], name=t(name), marker_color=colour,
                        marker_pattern_shape=pattern, marker_opacity=0.55 if overdue else 1,
                        text=[t("overdue")] * len(part) if overdue else None, textposition="outside",
                        textfont_color=colour, cliponaxis=False,
                        hovertemplate="%{x}: " + t("{n} units", n="%{y}")
                                      + (t(" planned, no delivery recorded") if overdue else "")
                                      + "<extra>" + t(KIND_WORDS[kind]) + "</extra>")
    actual = df[df["kind"] == "actual"].groupby("year")["units"].sum().cumsum()
    if not actual.empty:
        fig.add_scatter(x=actual.index, y=actual.values, name=t("Cumulative delivered"), mode="lines+markers",
                        line={"color": "#111827"})
    if quantity:
        fig.add_hline(y=quantity, line_dash="dot", annotation_text=t("ordered: {n}", n=int(quantity)))
    fig.update_xaxes(dtick=1, title=None)
    fig.update_yaxes(title=t("Units"))
    return base_layout(fig, t("Deliveries by year"), height=320, large=large)


def presentation_style(fig: go.Figure, dark: bool = False) -> go.Figure:
    """Room-sized type and a 16:9-friendly height for presentation mode (a copy; the input is unchanged)."""
    out = go.Figure(fig)
    out.update_layout(font={"size": 24}, title_font={"size": 30}, hoverlabel={"font_size": 22},
                      height=480, legend={"font": {"size": 22}})
    out.update_xaxes(tickfont={"size": 22}, title_font={"size": 24})
    out.update_yaxes(tickfont={"size": 22}, title_font={"size": 24})
    return out


def chart_title(fig: go.Figure) -> str:
    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    return title or str((fig.layout.meta or {}).get("chart", "chart") if isinstance(fig.layout.meta, dict) else "chart")


def _fmt(value: float) -> str:
    return f"{value:,.1f}" if abs(value) < 10 and value != int(value) else f"{value:,.0f}"


def _seq(values) -> list:
    return [] if values is None else [v.item() if hasattr(v, "item") else v for v in values]


def describe(fig: go.Figure, top: int = 3) -> str:
    """A short text alternative for a chart: its title, what it draws and its largest values.

    Bars are summed per category across traces (stacks); lines name their series and their latest values;
    maps and heatmaps give their largest cells. Plain text: callers escape it before rendering.
    """
    fig = readable(fig)
    totals: dict[str, float] = {}
    series: list[str] = []
    for trace in fig.data:
        kind = trace.type
        name = getattr(trace, "name", None)
        name = name.replace("<br>", " ") if isinstance(name, str) else name  # a legend name broken to fit a phone
        if kind == "bar":
            horizontal = trace.orientation == "h"
            cats, vals = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
            if trace.base is not None:  # Gantt bars: durations, not values
                series.append(str(name))
                continue
            for cat, val in zip(_seq(cats), _seq(vals), strict=False):
                if isinstance(val, (int, float)) and not pd.isna(val):
                    totals[str(cat)] = totals.get(str(cat), 0.0) + float(val)
            if name:
                series.append(str(name))
        elif kind in ("scatter", "scattergeo", "box") and name and getattr(trace, "showlegend", None) is not False:
            series.append(str(name))
        elif kind == "choropleth" and trace.z is not None and trace.locations is not None:
            for loc, val in zip(_seq(trace.locations), _seq(trace.z), strict=False):
                if isinstance(val, (int, float)) and not pd.isna(val):
                    totals[str(loc)] = float(val)
    parts = [t("Chart: {title}.", title=chart_title(fig))]
    context = t(EVENT_NAME)
    named = list(dict.fromkeys(s for s in series if s and s != "None" and s != context))
    if named:
        shown = ", ".join(named[:8]) + (t(" and {n} more", n=len(named) - 8) if len(named) > 8 else "")
        parts.append(t("Series: {series}.", series=shown))
    if totals:
        best = sorted(totals.items(), key=lambda kv: -kv[1])[:top]
        parts.append(t("Largest: {values} (of {n}).", values="; ".join(f"{k} {_fmt(v)}" for k, v in best),
                       n=len(totals)))
    parts.append(t("The data behind this chart is in the table next to it."))
    return " ".join(parts)


_SMALLEST_INT = tuple((np.dtype(kind), np.iinfo(kind)) for kind in ("int8", "int16", "int32"))
_SMALLEST_UINT = tuple((np.dtype(kind), np.iinfo(kind)) for kind in ("uint8", "uint16", "uint32"))


def typed_array(values: Any) -> Any:
    """plotly's to_typed_array_spec (the base64 typed array of a numeric array, 64-bit integers narrowed as it
    narrows them), for the numpy arrays the builders write without plotly's conversion through narwhals (~60 µs
    per array); anything else goes through plotly's own function."""
    if type(values) is not np.ndarray or values.dtype.kind not in "iufOM":
        return to_typed_array_spec(values)
    if values.dtype.kind in "OM":
        return values  # text and dates: plotly hands back a read-only copy, the same JSON (never written to here)
    v = np.ascontiguousarray(values)
    if v.size == 0:
        return v
    if v.dtype in (np.int64, np.uint64):
        low, high = v.min(), v.max()
        fits = [kind for kind, info in (_SMALLEST_INT if v.dtype == np.int64 else _SMALLEST_UINT)
                if info.min <= low and high <= info.max]
        if not fits:
            return v
        v = v.astype(fits[0])
    short = plotlyjsShortTypes.get(str(v.dtype))
    if short is None:
        return v
    spec = {"dtype": short, "bdata": base64.b64encode(v).decode("ascii")}
    if v.ndim > 1:
        spec["shape"] = str(v.shape)[1:-1]
    return spec

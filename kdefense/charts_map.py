"""Pure chart builders for the Map page: DataFrame in, Plotly Figure out. No Streamlit here.

The map draws offline: plotly.js fetches `<topojsonURL>/world_110m.json` (World) or `world_50m.json` (regional
presets) from the app's static folder. Trace order is fixed so that animation frames can update the moving
traces by index: 0 recipients with a value, 1 recipients without one, 2.. flow-line width buckets, then the
static layers (NATO / EU outlines, facilities, South Korea).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import math
import pickle
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape
from pathlib import Path
from textwrap import wrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from kdefense import names
from kdefense.charts import FONT, _template, base_layout, layout_base, merge
from kdefense.i18n import N_, current_lang, t
from kdefense.settings import REGION_COLOURS, STATIC_DIR

MEASURES = ("usd", "tiv", "units", "deals")
SCALES = {"log": N_("Log"), "quantile": N_("Quantile"), "linear": N_("Linear")}
MODES = {"cumulative": N_("Cumulative"), "per_year": N_("Per year")}
PRESETS = ("World", "Europe", "Middle East", "Asia & Oceania")
# Minimum frame of each regional preset (lon range, lat range); widened to every drawn recipient of the region.
PRESET_BOXES = {
    "World": ((-30.0, 330.0), (-57.0, 80.0)),  # Pacific-centred: the Americas lie east of Korea
    "Europe": ((-25.0, 45.0), (34.0, 71.0)),
    "Middle East": ((22.0, 64.0), (11.0, 43.0)),
    "Asia & Oceania": ((60.0, 180.0), (-48.0, 56.0)),
}
PRESET_PAD = 6.0
SEQUENTIAL = ("#fed976", "#feb24c", "#fd8d3c", "#e31a1c", "#800026")
NO_VALUE_COLOUR = "#b8bec8"
LAND, OCEAN, BORDER = "#eef0f3", "#dcebf7", "#9aa3b2"
FLOW_COLOUR = "rgba(17, 24, 39, 0.55)"
FLOW_WIDTHS = (1.2, 2.4, 4.2, 7.0)
OUTLINES = {"nato": (N_("NATO members"), "#1e3a8a", 3.2), "eu": (N_("EU members"), "#b45309", 1.6)}
FACILITY_SYMBOLS = {"production": "square", "joint venture": "diamond", "MRO": "triangle-up", "office": "circle",
                    "training": "star-triangle-up", "R&D": "cross"}
ARC_SEGMENTS = 12
TOPOJSON = STATIC_DIR / "topojson" / "world_110m.json"
N_MOVING = 2 + len(FLOW_WIDTHS)


@dataclass(frozen=True)
class MapOptions:
    """What the map shows and how; `measure` is one of MEASURES, `basis` the layer ('usd' ledger, 'tiv' SIPRI)."""

    measure: str = "usd"
    basis: str = "usd"
    scale: str = "log"
    mode: str = "cumulative"
    preset: str = "World"
    outlines: tuple[str, ...] = ()
    flows: bool = True
    large: bool = False


def measure_column(measure: str) -> str:
    return "value" if measure in ("usd", "tiv") else measure


def measure_label(measure: str, basis: str) -> str:
    """Legend title: what the colour means, and from which layer it comes."""
    layer = t("ledger") if basis == "usd" else "SIPRI"
    return {"usd": t("Contract value, USD m"), "tiv": t("SIPRI TIV, millions"),
            "units": t("Units ordered ({layer})", layer=layer),
            "deals": t("Deals (ledger)") if basis == "usd" else t("SIPRI records"),
            }[measure]


def measure_unit(measure: str) -> str:
    return {"usd": " " + t("USD m"), "tiv": " " + t("m TIV"), "units": " " + t("units"), "deals": ""}[measure]


def fmt(value: float | None, measure: str = "deals") -> str:
    """A number as read aloud from a projector: 27,874 / 4.3 / 120."""
    if value is None or pd.isna(value):
        return t("not disclosed") if measure == "usd" else "—"
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"


def short(value: float) -> str:
    """Compact tick label: 1, 10, 100, 1k, 10k."""
    if value >= 1000:
        return f"{value / 1000:,.0f}k" if value >= 10000 or value % 1000 == 0 else f"{value / 1000:,.1f}k"
    return f"{value:,.0f}" if value >= 10 or float(value).is_integer() else f"{value:,.1f}"


# ---------------------------------------------------------------- geometry

def great_circle(lat1: float, lon1: float, lat2: float, lon2: float,
                 segments: int = ARC_SEGMENTS) -> tuple[list[float], list[float]]:
    """Points along the great circle from (lat1, lon1) to (lat2, lon2), ends included, lon in [-180, 180].

    plotly.js also draws each segment between consecutive points as a geodesic, so a dozen points give the exact
    arc on every projection; the points are where hover works along the line.
    """
    p1, l1, p2, l2 = (math.radians(v) for v in (lat1, lon1, lat2, lon2))
    a = np.array([math.cos(p1) * math.cos(l1), math.cos(p1) * math.sin(l1), math.sin(p1)])
    b = np.array([math.cos(p2) * math.cos(l2), math.cos(p2) * math.sin(l2), math.sin(p2)])
    omega = math.acos(max(-1.0, min(1.0, float(a @ b))))
    if omega < 1e-9:
        return [lat1, lat2], [lon1, lon2]
    lats, lons = [], []
    for step in np.linspace(0.0, 1.0, segments + 1):
        p = (math.sin((1 - step) * omega) * a + math.sin(step * omega) * b) / math.sin(omega)
        lats.append(round(math.degrees(math.atan2(p[2], math.hypot(p[0], p[1]))), 2))
        lons.append(round(math.degrees(math.atan2(p[1], p[0])), 2))
    return lats, lons


@cache
def country_bounds(topojson: Path = TOPOJSON) -> dict[str, tuple[float, float, float, float]]:
    """(lon0, lat0, lon1, lat1) of every country in the base map the browser draws (arcs decoded, not simplified).

    Countries that cross the antimeridian (Russia, Fiji, the United States) are left out: their box is the world.
    """
    topo = json.loads(topojson.read_text())
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arc_boxes = []
    for arc in topo["arcs"]:
        xy = np.cumsum(np.array(arc, dtype=float), axis=0)
        arc_boxes.append((xy[:, 0].min() * sx + tx, xy[:, 1].min() * sy + ty,
                          xy[:, 0].max() * sx + tx, xy[:, 1].max() * sy + ty))
    out = {}
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom.get("arcs", [])]
        idx = [i if i >= 0 else ~i for poly in polys for ring in poly for i in ring]
        if not idx or not isinstance(geom.get("id"), str):
            continue
        boxes = np.array([arc_boxes[i] for i in idx])
        box = (boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max())
        if box[2] - box[0] < 180:
            out[geom["id"]] = tuple(round(float(v), 2) for v in box)
    return out


def preset_view(preset: str, recipients: pd.DataFrame) -> tuple[tuple[float, float], tuple[float, float]]:
    """(lon range, lat range) for a preset: its minimum box widened to the whole shape of every recipient in it."""
    (lon0, lon1), (lat0, lat1) = PRESET_BOXES.get(preset, PRESET_BOXES["World"])
    if preset not in PRESET_BOXES or preset == "World" or recipients.empty:
        return (lon0, lon1), (lat0, lat1)
    bounds = country_bounds()
    for r in recipients[recipients["region"] == preset].itertuples():
        if r.iso3 in bounds:
            x0, y0, x1, y1 = bounds[r.iso3]
        elif not (pd.isna(r.lon) or pd.isna(r.lat)):
            x0, y0, x1, y1 = r.lon - PRESET_PAD, r.lat - PRESET_PAD, r.lon + PRESET_PAD, r.lat + PRESET_PAD
        else:
            continue
        lon0, lat0 = min(lon0, x0 - PRESET_PAD / 3), min(lat0, y0 - PRESET_PAD / 3)
        lon1, lat1 = max(lon1, x1 + PRESET_PAD / 3), max(lat1, y1 + PRESET_PAD / 3)
    return (max(lon0, -180.0), min(lon1, 180.0)), (max(lat0, -85.0), min(lat1, 85.0))


# ---------------------------------------------------------------- data for frames

COUNTS = ("value", "units", "deals", "valued", "flagged")


@dataclass(frozen=True)
class YearCube:
    """Per recipient (rows, in `totals` order) and year (columns): each count, NaN where nothing was ordered."""

    years: list[int]
    counts: dict[str, np.ndarray]

    def frame(self, j: int) -> dict[str, np.ndarray]:
        return {c: m[:, j] for c, m in self.counts.items()}


def year_cube(rows: pd.DataFrame, totals: pd.DataFrame, mode: str) -> YearCube:
    """Frames from the first to the last year with data: that year's orders, or everything ordered up to it."""
    if rows.empty:
        return YearCube([], {})
    first, last = int(rows["year"].min()), int(rows["year"].max())
    index = {iso: i for i, iso in enumerate(totals["iso3"])}
    r = rows["iso3"].map(index).to_numpy()
    keep = ~pd.isna(r)
    r, y = r[keep].astype(int), rows["year"].to_numpy()[keep].astype(int) - first
    counts = {}
    for col in COUNTS:
        m = np.full((len(totals), last - first + 1), np.nan)
        m[r, y] = rows[col].to_numpy(dtype=float, na_value=np.nan)[keep]
        if mode == "cumulative":
            seen = np.cumsum(~np.isnan(m), axis=1) > 0
            m = np.where(seen, np.nancumsum(m, axis=1), np.nan)
        counts[col] = m
    return YearCube(list(range(first, last + 1)), counts)


@dataclass(frozen=True)
class ColourScale:
    kind: str
    zmin: float
    zmax: float
    colorscale: list
    tickvals: list
    ticktext: list
    breaks: tuple[float, ...] = ()

    def z(self, values: np.ndarray) -> np.ndarray:
        """Colour coordinate of each value; NaN (not drawn) where the value is missing or not positive."""
        v = np.where(values > 0, values, np.nan)
        if self.kind == "log":
            return np.round(np.log10(v), 4)
        if self.kind == "quantile":
            return np.where(np.isnan(v), np.nan, np.searchsorted(self.breaks, v, side="left") + 0.5)
        return np.round(v, 3)


def colour_scale(values: np.ndarray, kind: str) -> ColourScale:
    """Scale for all frames at once (so a colour means the same amount in every year).

    log and quantile keep small buyers visible: with a linear scale one large buyer would push all others into the
    palest colour.
    """
    v = values[~np.isnan(values)]
    v = v[v > 0]
    vmin, vmax = (float(v.min()), float(v.max())) if v.size else (1.0, 10.0)
    continuous = [[i / (len(SEQUENTIAL) - 1), c] for i, c in enumerate(SEQUENTIAL)]
    if kind == "quantile":
        qs = np.unique(np.quantile(v, [0.2, 0.4, 0.6, 0.8])) if v.size > 1 else np.array([])
        breaks = tuple(float(b) for b in qs if vmin <= b < vmax)
        k = len(breaks) + 1
        colours = [SEQUENTIAL[round(i * (len(SEQUENTIAL) - 1) / max(k - 1, 1))] for i in range(k)]
        steps = []
        for i, c in enumerate(colours):
            steps += [[i / k, c], [(i + 1) / k, c]]
        edges = [vmin, *breaks, vmax]
        text = [f"{short(edges[i])}–{short(edges[i + 1])}" if i else f"≤ {short(edges[1])}" for i in range(k)]
        if k == 1:
            text = [f"{short(vmin)}–{short(vmax)}"]
        return ColourScale("quantile", 0.0, float(k), steps, [i + 0.5 for i in range(k)], text, breaks)
    if kind == "log":
        lo, hi = math.log10(vmin), math.log10(vmax)
        if hi - lo < 1e-6:
            lo, hi = lo - 0.5, hi + 0.5
        mantissas = (1,) if hi - lo > 2.5 else (1, 2, 5)
        ticks = [m * 10.0 ** e for e in range(math.floor(lo), math.ceil(hi) + 1) for m in mantissas
                 if lo - 1e-9 <= math.log10(m * 10.0 ** e) <= hi + 1e-9] or [vmin, vmax]
        return ColourScale("log", lo, hi, continuous, [math.log10(t) for t in ticks], [short(t) for t in ticks])
    ticks = [float(t) for t in np.linspace(0, vmax, 5)]
    return ColourScale("linear", 0.0, vmax, continuous, ticks, [short(t) for t in ticks])


def width_edges(values: np.ndarray) -> tuple[float, ...]:
    """Bucket edges for the flow-line widths: log-spaced between the smallest and largest value."""
    v = values[~np.isnan(values)]
    v = v[v > 0]
    if not v.size:
        return ()
    lo, hi = math.log10(v.min()), math.log10(v.max())
    n = len(FLOW_WIDTHS)
    return tuple(10 ** (lo + (hi - lo) * i / n) for i in range(1, n))


# ---------------------------------------------------------------- traces

def typed(values: np.ndarray) -> dict:
    """A numeric array in plotly.js's typed-array form ({dtype, bdata}), as plotly.py itself sends numpy arrays.

    Built once here, it saves plotly.py from inspecting and re-encoding every frame's arrays on each rerun.
    """
    arr = np.ascontiguousarray(values, dtype=np.float32 if values.dtype == np.float32 else np.float64)
    return {"dtype": "f4" if arr.dtype == np.float32 else "f8", "bdata": base64.b64encode(arr.tobytes()).decode()}


def _hover(country: str, c: dict[str, float], measure: str, basis: str) -> str:
    deals_word = t("deals") if basis == "usd" else t("SIPRI records")
    lines = [f"<b>{escape(country)}</b>",
             f"{measure_label(measure, basis)}: <b>{fmt(c[measure_column(measure)], measure)}</b>"]
    if measure != "deals":
        lines.append(f"{fmt(c['deals'])} {deals_word}")
    if measure != "units" and not math.isnan(c["units"]):
        lines.append(t("{n} units ordered", n=fmt(c["units"])))
    if basis == "usd" and measure == "usd" and c["valued"] < c["deals"]:
        lines.append(t("value disclosed for {valued} of {deals}", valued=fmt(c["valued"]), deals=fmt(c["deals"])))
    if c["flagged"] > 0:
        lines.append(f"{fmt(c['flagged'])} " + (t("estimated value(s)") if basis == "usd"
                                                else t("flagged uncertain by SIPRI")))
    return "<br>".join(lines)


@dataclass(frozen=True)
class _Static:
    """What stays the same in every frame: the recipients (in totals order) and their arcs from South Korea."""

    iso3: list[str]
    country: list[str]
    arcs: list[tuple[np.ndarray, np.ndarray] | None]


def _short_hover(country: str, c: dict[str, float], measure: str, basis: str) -> str:
    """Hover while the slider is on an earlier year: two lines keep the frames small."""
    deals = fmt(c["deals"]) + " " + (t("deals") if basis == "usd" else t("SIPRI records"))
    if measure == "deals":
        return f"<b>{escape(country)}</b><br>{deals}"
    return f"<b>{escape(country)}</b><br>{fmt(c[measure_column(measure)], measure)}{measure_unit(measure)} · {deals}"


@dataclass(frozen=True)
class _ShortHover:
    """_short_hover's text for a whole frame at once: the words are translated once per figure, not per country
    and frame (55 frames of 44 recipients on the real data)."""

    heads: list[str]
    col: str
    measure: str
    unit: str
    deals_word: str
    missing_value: str
    missing_deals: str

    @classmethod
    def of(cls, countries: list[str], opts: MapOptions) -> _ShortHover:
        return cls([f"<b>{escape(name)}</b><br>" for name in countries], measure_column(opts.measure), opts.measure,
                   measure_unit(opts.measure), " " + (t("deals") if opts.basis == "usd" else t("SIPRI records")),
                   fmt(None, opts.measure), fmt(None))

    def texts(self, c: dict[str, np.ndarray], present: np.ndarray) -> list[str]:
        out = [""] * len(self.heads)
        deals, value = c["deals"], c[self.col]
        for i in np.flatnonzero(present):
            d = deals[i]
            line = (self.missing_deals if math.isnan(d) else _number(d)) + self.deals_word
            if self.measure == "deals":
                out[i] = self.heads[i] + line
            else:
                v = value[i]
                out[i] = f"{self.heads[i]}{self.missing_value if math.isnan(v) else _number(v)}{self.unit} · {line}"
        return out


def _number(value: float) -> str:
    """fmt() of a number that is not missing."""
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"


def _moving_traces(c: dict[str, np.ndarray], st: _Static, opts: MapOptions, scale: ColourScale,
                   edges: tuple[float, ...], short: _ShortHover | None = None) -> list[dict]:
    """The traces a frame replaces: recipients with / without a value, and the flow-line width buckets.

    Locations are the same in every frame; a recipient not (yet) drawn has z = NaN, which plotly.js skips.
    With `short`, the two-line hovers of an earlier year, else the full hovers.
    """
    col = measure_column(opts.measure)
    present = c["deals"] > 0
    value = np.where(present, c[col], np.nan)
    has_value = np.nan_to_num(value) > 0
    if short is not None:
        text = short.texts(c, present)
    else:
        text = [_hover(name, {k: float(v[i]) for k, v in c.items()}, opts.measure, opts.basis) if present[i] else ""
                for i, name in enumerate(st.country)]
    no_value = present & ~has_value
    traces: list[dict] = [
        {"type": "choropleth", "z": typed(scale.z(value)),
         "text": [s if v else "" for s, v in zip(text, has_value.tolist(), strict=True)]},
        {"type": "choropleth", "z": typed(np.where(no_value, 0.0, np.nan)),
         "text": [s if v else "" for s, v in zip(text, no_value.tolist(), strict=True)]},
    ]
    bucket = np.searchsorted(edges, np.nan_to_num(value), side="right")
    for b in range(len(FLOW_WIDTHS)):
        parts = [st.arcs[i] for i in np.flatnonzero(has_value & (bucket == b)) if st.arcs[i] is not None]
        if opts.flows and parts:
            lat, lon = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        else:
            lat = lon = np.array([], dtype=np.float32)
        traces.append({"type": "scattergeo", "lat": typed(lat), "lon": typed(lon)})
    return traces


def _styled(traces: list[dict], st: _Static, opts: MapOptions, scale: ColourScale, edges: tuple[float, ...]) -> list:
    """The last frame's traces with everything that never changes (names, colours, hover, legend), as dicts."""
    size = 22 if opts.large else 15
    label = measure_label(opts.measure, opts.basis)
    colorbar = {"title": {"text": label.replace(", ", "<br>", 1), "font": {"size": size + 1}},
                "tickfont": {"size": size}, "tickvals": scale.tickvals, "ticktext": scale.ticktext, "thickness": 24,
                "len": 0.75, "x": 1.0, "xanchor": "left", "y": 0.5, "outlinewidth": 0}

    def common() -> dict:
        return {"locationmode": "ISO-3", "locations": list(st.iso3), "customdata": [[i] for i in st.iso3],
                "hovertemplate": "%{text}<extra></extra>", "marker": {"line": {"color": "white", "width": 0.6}},
                "selected": {"marker": {"opacity": 1}}, "unselected": {"marker": {"opacity": 0.6}}}

    valued, unvalued, *flows = traces
    out = [{**valued, **common(), "name": label, "zmin": scale.zmin, "zmax": scale.zmax,
            "colorscale": scale.colorscale, "colorbar": colorbar},
           {**unvalued, **common(), "name": t("Recipient, value not disclosed"), "showscale": False, "zmin": 0,
            "zmax": 1, "colorscale": [[0, NO_VALUE_COLOUR], [1, NO_VALUE_COLOUR]]}]
    for b, trace in enumerate(flows):
        out.append({**trace, "mode": "lines", "line": {"width": FLOW_WIDTHS[b], "color": FLOW_COLOUR},
                    "name": _bucket_name(b, edges, opts), "hoverinfo": "skip",
                    "showlegend": opts.flows and len(edges) >= b})
    return out


def _bucket_name(b: int, edges: tuple[float, ...], opts: MapOptions) -> str:
    unit = measure_unit(opts.measure)
    if not edges:
        return t("Flow line") + (unit and " (" + unit.strip() + ")")
    if b == 0:
        return t("Flow < {value}", value=f"{short(edges[0])}{unit}")
    if b == len(edges):
        return f"≥ {short(edges[-1])}"
    return f"{short(edges[b - 1])}–{short(edges[b])}"


def _outline_traces(countries: pd.DataFrame, outlines: tuple[str, ...]) -> list[dict]:
    traces = []
    for key in outlines:
        name, colour, width = OUTLINES[key]
        members = countries[countries[f"is_{key}"].fillna(False).astype(bool)]
        traces.append({
            "type": "choropleth", "locations": members["iso3"].tolist(), "z": [1] * len(members),
            "locationmode": "ISO-3", "name": f"<span style='color:{colour}'><b>▢ {t(name)}</b></span>",
            "showscale": False, "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], "hoverinfo": "skip",
            "showlegend": True, "marker": {"line": {"color": colour, "width": width}},
        })
    return traces


@lru_cache(maxsize=256)
def _arc(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[np.ndarray, np.ndarray]:
    """great_circle's points as the flow traces use them (float32, a NaN to break the line after the arc), kept
    between builds: the recipients' centroids recur in every map. Read-only arrays (the frames only concatenate
    them)."""
    la, lo = great_circle(lat1, lon1, lat2, lon2)
    lat, lon = np.array([*la, np.nan], dtype=np.float32), np.array([*lo, np.nan], dtype=np.float32)
    lat.flags.writeable = lon.flags.writeable = False
    return lat, lon


_FACILITY_TRACES: dict[tuple, dict] = {}
_FACILITY_TRACES_MAX = 32
_FACILITY_TRACES_LOCK = threading.Lock()  # sessions build maps on threads of their own


def _kept_facility_trace(facilities: pd.DataFrame, large: bool) -> dict:
    """_facility_trace, kept between builds by the sites' content and the language of the hovers: the sites do not
    depend on the years or the deal filters, so a filter change mostly finds them unchanged. A copy (the figure
    owns its dicts)."""
    key = (current_lang(), large, hashlib.blake2b(pickle.dumps(facilities, protocol=5), digest_size=20).digest())
    with _FACILITY_TRACES_LOCK:
        trace = _FACILITY_TRACES.get(key)
    if trace is None:
        trace = _facility_trace(facilities, large)
        with _FACILITY_TRACES_LOCK:
            while len(_FACILITY_TRACES) >= _FACILITY_TRACES_MAX:
                _FACILITY_TRACES.pop(next(iter(_FACILITY_TRACES)))
            _FACILITY_TRACES[key] = trace
    return copy.deepcopy(trace)


def _facility_trace(facilities: pd.DataFrame, large: bool) -> dict:
    """One marker per place; facilities at the same city share it and its hover."""
    placed = facilities.dropna(subset=["latitude", "longitude"])
    groups: dict[tuple[float, float], list[dict]] = {}
    for r in placed.to_dict("records"):  # first-seen order of places, as groupby(sort=False)
        groups.setdefault((r["latitude"], r["longitude"]), []).append(r)
    places = list(groups.items())
    return {
        "type": "scattergeo", "lat": [float(lat) for (lat, _), _ in places],
        "lon": [float(lon) for (_, lon), _ in places],
        "text": ["<br><br>".join(_facility_hover(r) for r in rs) for _, rs in places], "mode": "markers",
        "customdata": [[rs[0]["country_iso3"]] for _, rs in places], "name": t("Korean industrial site"),
        "hovertemplate": "%{text}<extra></extra>", "unselected": {"marker": {"opacity": 1}},
        "marker": {"symbol": [FACILITY_SYMBOLS.get(rs[0]["kind"], "circle") for _, rs in places],
                   "size": 17 if large else 13, "color": "#0f766e", "line": {"color": "white", "width": 1.5}},
    }


def _facility_hover(r: dict) -> str:
    when = f" · {names.facility_term(r['year_kind'])} {int(r['year'])}" if not pd.isna(r["year"]) else ""
    desc = "<br>".join(wrap(escape(str(r["description"] or "")), 70)[:3])
    return (f"<b>{escape(names.company(str(r['company'])))}</b><br>{names.facility_term(r['kind'])} · "
            f"{names.facility_term(r['status'])}{when}<br>{escape(str(r['city']))}, "
            f"{escape(names.country_by_name(str(r['country'])))}<br>{desc}<br><i>"
            + t("Sources: {ids}", ids=escape(str(r["source_ids"]))) + "</i>")


def _origin_trace(lat: float, lon: float, large: bool) -> dict:
    return {"type": "scattergeo", "lat": [lat], "lon": [lon], "mode": "markers+text", "text": [t("South Korea")],
            "textposition": "top center",
            "textfont": {"size": 18 if large else 15, "color": "#111827", "shadow": "auto"},
            "name": t("South Korea"), "customdata": [["KOR"]],
            "hovertemplate": t("South Korea (supplier)") + "<extra></extra>",
            "marker": {"symbol": "star", "size": 22 if large else 18, "color": "#111827",
                       "line": {"color": "white", "width": 1}}, "showlegend": False,
            "unselected": {"marker": {"opacity": 1}, "textfont": {"color": "#111827"}}}


def _year_annotation(first: int, year: int, mode: str, large: bool) -> dict:
    text = str(year) if mode == "per_year" else (f"{first}–{year}" if year > first else str(year))
    return {"text": text, "x": 0.01, "y": 0.02, "xref": "paper", "yref": "paper", "xanchor": "left",
            "yanchor": "bottom", "showarrow": False, "font": {"size": 44 if large else 34, "color": "#374151"},
            "bgcolor": "rgba(255,255,255,0.75)"}


CONTROLS_ROW_PX = 46  # px: the Play/Pause buttons' row, above the year slider


def _animation_controls(years: list[int], large: bool) -> tuple[list[dict], list[dict]]:
    size = 16 if large else 14
    play = {"type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "y": 0.0, "xanchor": "left",
            "yanchor": "top", "pad": {"t": 10, "r": 10}, "font": {"size": size + 1},
            "buttons": [
                {"label": "▶ " + t("Play"), "method": "animate",
                 "args": [None, {"frame": {"duration": 550, "redraw": True}, "transition": {"duration": 0},
                                 "fromcurrent": False, "mode": "immediate"}]},
                {"label": "❚❚ " + t("Pause"), "method": "animate",
                 "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]},
            ]}
    every = 1 if len(years) <= 20 else 5
    steps = [{"label": str(y) if (y % every == 0 or y in (years[0], years[-1])) else "", "method": "animate",
              "args": [[str(y)], {"frame": {"duration": 0, "redraw": True}, "transition": {"duration": 0},
                                  "mode": "immediate"}]} for y in years]
    # the slider has a row of its own under Play/Pause, full width: beside the buttons (from x 0.27) its first
    # steps and years lay under them wherever the map is under ~650 px wide (a 1280 or 1366 px laptop, a phone)
    slider = {"active": len(years) - 1, "steps": steps, "x": 0.0, "len": 1.0, "y": 0.0, "yanchor": "top",
              "pad": {"t": CONTROLS_ROW_PX, "b": 0, "l": 18, "r": 18}, "currentvalue": {"visible": False}, "font": {"size": size},
              "ticklen": 5, "minorticklen": 3}
    return [play], [slider]


def recipients_map(rows: pd.DataFrame, totals: pd.DataFrame, countries: pd.DataFrame, facilities: pd.DataFrame,
                   opts: MapOptions) -> go.Figure:
    """Choropleth of recipients, flow lines from South Korea, optional outlines and facilities, and year frames.

    rows: per recipient and year (columns of map_recipients.sql); totals: the same per recipient over the period;
    countries: map_countries.sql (origin and memberships); facilities: map_facilities.sql (may be empty).
    The figure at rest shows the last frame: with `cumulative`, the totals of the whole period.
    Built from dicts without Plotly's validation (as charts.built); tests/unit/test_fast_paths.py checks that
    validating it would change nothing.
    """
    col = measure_column(opts.measure)
    cube = year_cube(rows, totals, opts.mode)
    if cube.years:
        values = cube.counts[col].ravel()
    else:  # no per-year rows: a single, static picture of the totals
        cube = YearCube([], {c: totals[c].to_numpy(dtype=float, na_value=np.nan)[:, None] for c in COUNTS})
        values = cube.counts[col].ravel()
    scale, edges = colour_scale(values, opts.scale), width_edges(values)
    origin = countries[countries["is_origin"]].iloc[0] if countries["is_origin"].any() else None
    arcs: list[tuple[np.ndarray, np.ndarray] | None] = []
    for lat, lon in zip(totals["lat"], totals["lon"], strict=True):
        if origin is None or pd.isna(lat) or pd.isna(lon):
            arcs.append(None)
            continue
        arcs.append(_arc(float(origin.lat), float(origin.lon), float(lat), float(lon)))
    static = _Static(totals["iso3"].tolist(), totals["country"].astype(str).tolist(), arcs)
    n_frames = next(iter(cube.counts.values())).shape[1]
    short = _ShortHover.of(static.country, opts)
    moving = [_moving_traces(cube.frame(j), static, opts, scale, edges, None if j == n_frames - 1 else short)
              for j in range(n_frames)]
    data = _styled(moving[-1], static, opts, scale, edges) + _outline_traces(countries, opts.outlines)
    if not facilities.empty and facilities["latitude"].notna().any():
        data.append(_kept_facility_trace(facilities, opts.large))
    if origin is not None:
        data.append(_origin_trace(float(origin.lat), float(origin.lon), opts.large))
    layout = _geo_layout(totals, opts)
    if cube.years:
        years = cube.years
        layout["annotations"] = [_year_annotation(years[0], years[-1], opts.mode, opts.large)]
        if len(years) > 1:
            layout["updatemenus"], layout["sliders"] = _animation_controls(years, opts.large)
            layout["margin"] = {**layout["margin"], "b": layout["margin"]["b"] + CONTROLS_ROW_PX}
    fig = go.Figure({"data": data, "layout": layout}, _validate=False)
    frames: list[dict] = []
    if cube.years and len(cube.years) > 1:
        years = cube.years
        frames = [{"data": moving[j], "layout": {"annotations": [_year_annotation(years[0], y, opts.mode,
                                                                                 opts.large)]},
                   "name": str(y), "traces": list(range(N_MOVING))} for j, y in enumerate(years)]
        # `fig.frames = frames` would validate every frame again (half of a new map's build time); these
        # frames are dicts this code wrote, so they are set as built (what the setter stores).
        fig._frame_objs = tuple(go.Frame(f, _validate=False) for f in frames)
    # What st.plotly_chart will send, from the dicts above (their arrays are typed already): ui.stamped uses it
    # instead of Figure.to_dict(), which deep-copies and walks every frame again (tests/unit/test_fast_paths.py
    # checks it equals to_dict()). Read-only, like the figure.
    # the default template (layout_base sets none) as charts.drawn sends it: made once, not copied per figure
    fig._kd_sent = {"data": data, "layout": {**layout, "template": _template(str(pio.templates.default))},
                    **({"frames": frames} if frames else {})}
    return fig


def _geo_layout(totals: pd.DataFrame, opts: MapOptions) -> dict:
    """The map's layout: the geo frame of the preset, base_layout's type and colours, the legend on top."""
    (lon0, lon1), (lat0, lat1) = preset_view(opts.preset, totals)
    layout = layout_base(None, height=600 if opts.large else 620, large=opts.large)
    del layout["title"]  # no title: the page's stamp gives it one
    # t: room for a second legend row (the stamp leaves one): the legend wraps where the plot is under ~440 px wide
    # (a 1280 px laptop) and grows upwards, onto the stamp's lines
    merge(layout, {"margin": {"l": 0, "r": 0, "t": 24, "b": 60}, "dragmode": "pan", "clickmode": "event+select",
                   "legend": {"orientation": "h", "y": 1.0, "x": 0.0, "yanchor": "bottom",
                              "font": {"size": 17 if opts.large else 14}, "bgcolor": "rgba(255,255,255,0.8)"},
                   "font": {"family": FONT}})
    layout["geo"] = {
        "projection": {"type": "natural earth", "rotation": {"lon": (lon0 + lon1) / 2}},
        "resolution": 110 if opts.preset == "World" else 50, "lonaxis": {"range": [lon0, lon1]},
        "lataxis": {"range": [lat0, lat1]}, "showframe": False, "showcoastlines": True, "coastlinecolor": BORDER,
        "showcountries": True, "countrycolor": BORDER, "countrywidth": 0.5, "showland": True, "landcolor": LAND,
        "showocean": True, "oceancolor": OCEAN, "showlakes": False, "bgcolor": "white",
    }
    return layout


# ---------------------------------------------------------------- country profile

def profile_timeline(per_year: pd.DataFrame, deliveries: pd.DataFrame, measure: str, basis: str, region: str | None,
                     large: bool = False) -> go.Figure:
    """Orders by signing year (top) and units delivered by delivery year (bottom) for one recipient.

    Two stacked y-axes on one shared x-axis (set by hand: make_subplots costs more than the rest of the profile).
    """
    col = measure_column(measure)
    orders = per_year.dropna(subset=[col])
    fig = go.Figure(go.Bar(x=orders["year"].astype(int).tolist(), y=orders[col].tolist(), name=t("Orders"),
                           marker_color=REGION_COLOURS.get(region, "#2f6db5"), yaxis="y2",
                           hovertemplate="%{x}: %{y:,.1f}<extra>" + t("orders") + "</extra>"))
    for kind, colour, pattern in (("actual", "#374151", ""), ("planned", "#9ca3af", "/")):
        part = deliveries[deliveries["kind"] == kind] if not deliveries.empty else deliveries
        if not part.empty:
            fig.add_bar(x=part["year"].astype(int).tolist(), y=part["units"].tolist(), marker_color=colour,
                        name=t("Delivered (actual)") if kind == "actual" else t("Planned"),
                        marker_pattern_shape=pattern,
                        hovertemplate="%{x}: " + t("{n} units", n="%{y:,.0f}") + "<extra>" + t(kind) + "</extra>")
    years = pd.concat([per_year["year"], deliveries["year"] if not deliveries.empty else per_year["year"]])
    span = years.max() - years.min() if not years.empty else 0
    size = 20 if large else 13
    titles = [t("Orders by {kind} year: {measure}", kind=t("signing") if basis == "usd" else t("order"),
                measure=measure_label(measure, basis)), t("Units delivered by delivery year")]
    fig.update_layout(
        barmode="stack",
        xaxis={"dtick": 1 if span <= 10 else (2 if span <= 20 else 5), "tickangle": 0, "anchor": "y"},
        yaxis={"domain": [0, 0.42]}, yaxis2={"domain": [0.58, 1], "anchor": "x"},
        annotations=[{"text": t, "x": 0.5, "y": y, "xref": "paper", "yref": "paper", "showarrow": False,
                      "xanchor": "center", "yanchor": "bottom", "font": {"size": size + 1}}
                     for t, y in zip(titles, (1.0, 0.43), strict=True)],
    )
    base_layout(fig, None, height=460, large=large)
    fig.update_layout(margin={"t": 40}, legend={"y": -0.12})
    return fig


def timeline_table(per_year: pd.DataFrame, deliveries: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The rows behind profile_timeline: orders by order year beside units delivered / planned by delivery year."""
    col = measure_column(measure)
    orders = per_year[["year", col]].rename(columns={col: f"orders_{measure}"})
    if deliveries.empty:
        return orders.sort_values("year").reset_index(drop=True)
    out = orders
    for kind in ("actual", "planned"):
        part = deliveries.loc[deliveries["kind"] == kind, ["year", "units"]].rename(columns={"units": f"units_{kind}"})
        out = out.merge(part, on="year", how="outer")
    out = out.sort_values("year")
    out["year"] = out["year"].astype(int)
    return out.reset_index(drop=True)


def supplier_bars(df: pd.DataFrame, country: str, years: str, top: int = 8, large: bool = False) -> go.Figure:
    """TIV a recipient ordered from each supplier (SIPRI), South Korea highlighted; the rest summed as 'Others'."""
    data = df.dropna(subset=["tiv_order_m"]).sort_values("tiv_order_m", ascending=False)
    head = data.head(top)
    if len(data) > top and not head["is_korea"].any():
        head = pd.concat([head.head(top - 1), data[data["is_korea"]]])
    rest = data[~data["supplier"].isin(head["supplier"])]
    if not rest.empty:
        head = pd.concat([head, pd.DataFrame([{"supplier": t("Others ({n})", n=len(rest)), "is_korea": False,
                                               "tiv_order_m": rest["tiv_order_m"].sum()}])])
    head = head.iloc[::-1]
    total = data["tiv_order_m"].sum()
    share = head["tiv_order_m"] / total if total else head["tiv_order_m"] * 0
    fig = go.Figure(go.Bar(
        x=head["tiv_order_m"], y=[names.country_by_name(s) for s in head["supplier"]], orientation="h",
        marker_color=["#c2410c" if k else "#94a3b8" for k in head["is_korea"]],
        text=[f"{v:,.0f} ({s:.0%})" for v, s in zip(head["tiv_order_m"], share, strict=True)], textposition="auto",
        hovertemplate="%{y}: %{x:,.1f} " + t("m TIV") + "<extra></extra>",
    ))
    fig.update_xaxes(title=t("SIPRI TIV ordered, millions"))
    return base_layout(fig, t("{country}: orders by supplier, {years} (SIPRI)", country=country, years=years),
                       height=max(260, 34 * len(head) + 100), large=large)


# ---------------------------------------------------------------- keyboard-operable year (issue 16)

def map_years(fig: go.Figure) -> list[int]:
    """The years of the map's animation frames (empty when the map has a single picture)."""
    return [int(f.name) for f in fig.frames]


def at_year(fig: go.Figure, year: int, controls: bool = True) -> go.Figure:
    """The map as its slider shows `year`: that frame's moving traces and year label, the slider on that year.

    Plotly's own Play/Pause and slider are SVG without a Tab stop; the page drives this from a Streamlit slider and
    button instead. controls=False drops the frames and Plotly's controls (a lighter figure for each step of a
    replay driven by the page).
    """
    names = [f.name for f in fig.frames]
    if str(year) not in names:
        return fig
    j = names.index(str(year))
    frame = fig.frames[j].to_plotly_json()  # the frames were set as built (dicts): read them as such
    data = [t.to_plotly_json() for t in fig.data]
    for index, moving in zip(frame["traces"], frame["data"], strict=True):
        data[index] = {**data[index], **moving}
    layout = fig.layout.to_plotly_json()
    layout["annotations"] = frame["layout"]["annotations"]
    if controls:
        layout["sliders"] = [{**layout["sliders"][0], "active": j}]
        out = go.Figure({"data": data, "layout": layout}, _validate=False)
        out._frame_objs = fig.frames
        return out
    layout.pop("sliders", None)
    layout.pop("updatemenus", None)
    return go.Figure({"data": data, "layout": layout}, _validate=False)

"""Pure chart builders for the Timeline page: DataFrame in (one SQL question each), Plotly Figure out.

Every chart draws a handful of traces whatever the number of deals: one bar trace per part of the Gantt
(framework span, waiting, delivered, planned), one per region or system family in the yearly charts, three or
four in the speed chart. Context events are dotted vertical lines plus one marker trace that carries their titles.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kdefense import fmt, names
from kdefense.charts import EVENT_NAME, Columns, array, drawn, layout_base, merge, region_marker, region_ordered
from kdefense.charts_tenders import (
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    OUTCOME_SYMBOLS,
    OUTCOMES,
    systems_text,
    winner_text,
)
from kdefense.i18n import N_, current_lang, t, use_lang
from kdefense.settings import REGION_COLOURS, REGION_OUTLINE, REGIONS

DELIVERED = "#2f6db5"
PLANNED = "#f59e0b"
OVERDUE = "#dc2626"
OVERDUE_NAME = N_("Overdue (planned year passed)")
# the official line's legend entry, on two lines: on one it ran past a 390 px phone's chart in a two-column legend
OFFICIAL_NAME = N_("Official total,<br>all destinations")
WAITING = "#cbd5e1"
FRAMEWORK = "#475569"
EVENT = "#7c3aed"
OFFICIAL = "#111827"
FAMILY_COLOURS = ["#2f6db5", "#d9822b", "#2e9e6a", "#8e5bb5", "#b5473a", "#0ea5e9", "#ca8a04", "#db2777", "#64748b"]
ROW_PX = 24
TALL_ROWS = 27  # above this many rows (over 820 px) the chart scrolls in a box, x axis on top

MARKERS = {
    "signed": (N_("Contract signed"), "diamond", DELIVERED, "#1e3a8a"),
    "agreement": (N_("Framework / MoU signed"), "square-open", FRAMEWORK, FRAMEWORK),
    "news": (N_("Prospect: latest news"), "circle-open", "#dc2626", "#dc2626"),
    "cancelled": (N_("Cancelled"), "x", "#6b7280", "#6b7280"),
}


def _num(value, fmt: str = "{:,.0f}", missing: str = "?") -> str:
    return missing if value is None or pd.isna(value) else fmt.format(value)


def _value_text(row) -> str:
    amount, currency = row.get("value_amount_m"), row.get("currency")
    if amount is None or pd.isna(amount):
        note = _undisclosed_detail(row.get("value_note"))
        return t("value not disclosed") + (f" ({names.value_note(note)})" if note else "")
    usd = row.get("value_usd_m")
    if usd is None or pd.isna(usd) or currency == "USD":
        usd_text = ""
    else:
        usd_text = f" ≈ {fmt.usd_m(usd)}" if current_lang() == "ko" else f" ≈ ${usd:,.0f} m"
    return fmt.money_m(amount, currency) + usd_text


def _undisclosed_detail(note: object) -> str:
    """What a value note adds to "value not disclosed": 'not disclosed (no value in SIPRI comment)' adds the part in
    brackets, 'not disclosed' nothing; other notes ('aid transfer (no price)') are kept whole."""
    if not isinstance(note, str):
        return ""
    if not note.startswith("not disclosed"):
        return note
    rest = note[len("not disclosed"):].strip(" :;")
    return rest[1:-1] if rest.startswith("(") and rest.endswith(")") and rest.count("(") == 1 else rest


def _deal_hover(row) -> str:
    designation = names.designation(row.get("designation"))
    lines = [f"<b>{row['deal_id']}</b> · {designation if isinstance(designation, str) else ''}",
             f"{names.status(row['status'])}, "
             + (t("latest news") if row["status"] in ("prospect", "negotiating") else t("signed")) + " "
             f"{fmt.date(row['signed_date'])}",
             t("Units ordered: {n}", n=_num(row.get("quantity")))]
    if "units_delivered" in row and row["status"] not in ("prospect", "negotiating", "framework/MoU"):
        delivered = _num(row.get("units_delivered"), missing=t("none recorded"))  # outside t(): Babel sees it
        lines.append(t("Units delivered: {n}", n=delivered))
    lines.append(t("Value: {value}", value=_value_text(row)))
    source = row.get("first_source")
    sources = row.get("source_ids") if isinstance(row.get("source_ids"), str) else ""
    if isinstance(source, str) and source:
        lines.append(t("Source: {source}", source=source[:90]))
    lines.append(t("Sources: {ids}", ids=sources))
    return "<br>".join(lines)


def _units_text(units, delivered: bool) -> str:
    """'12 units delivered' / '12 units planned'; without a count a phrase of its own (Korean writes the count
    with a counter: '12대 인도', so 'units not stated' cannot take the number's place)."""
    if units is None or pd.isna(units):
        return t("delivered, units not stated") if delivered else t("planned, units not stated")
    n = _num(units)
    return t("{n} units delivered", n=n) if delivered else t("{n} units planned", n=n)


# Hover texts are kept between builds (most rows recur after a filter change), keyed by the language and every
# value the text is made of: the same inputs always give the same text.
HOVERS_KEPT = 16384


def _nan(value) -> bool:
    return isinstance(value, float) and value != value


@functools.lru_cache(maxsize=HOVERS_KEPT)
def _year_hover(lang: str, part: str, label: str, year, units, origin, sources) -> str:
    """A Gantt year's hover (delivered, planned or overdue) in `lang` (the current language, part of the key)."""
    return (f"<b>{label}</b><br>{year}: "
            + _units_text(units, part == "delivered")
            + ("<br>" + t("<b>Overdue</b>: {year} has ended with no delivery recorded", year=year)
               if part == "overdue" else "")
            + "<br>" + t("Source: {source}", source=f"{names.origin(origin)} ({sources})"))


@functools.lru_cache(maxsize=HOVERS_KEPT)
def _deal_hover_of(lang: str, items: tuple) -> str:
    return _deal_hover(dict(items))


@functools.lru_cache(maxsize=HOVERS_KEPT)
def _date_in(lang: str, value) -> str:
    return fmt.date(value, lang)


def _date(lang: str, value) -> str:
    """fmt.date(value) in `lang` (the current language), kept between builds (a full date is parsed by pandas)."""
    try:
        return _date_in(lang, value)
    except TypeError:  # a value that cannot be a key
        return fmt.date(value, lang)


# What _deal_hover reads; a NaN in these is keyed as None, which _deal_hover reads alike (only as missing).
DEAL_HOVER_FIELDS = ("deal_id", "designation", "status", "signed_date", "quantity", "units_delivered",
                     "value_amount_m", "currency", "value_usd_m", "value_note", "first_source", "source_ids")
NAN_AS_NONE = frozenset(DEAL_HOVER_FIELDS) - {"deal_id", "status", "currency"}


def _one_language(builder):
    """`builder` run with the session's language read once: its hundreds of t() calls (hovers, legend names) then
    find it in i18n.use_lang's context variable instead of asking Streamlit's run context each time."""

    @functools.wraps(builder)
    def run(*args, **kwargs):
        with use_lang(current_lang()):
            return builder(*args, **kwargs)

    return run


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _days(start, finish) -> float:
    """Milliseconds from start to finish (ISO dates; whole days: exact in float64, as pandas' total_seconds
    gives them)."""
    if _missing(start) or _missing(finish):
        return float("nan")
    return (dt.date.fromisoformat(finish) - dt.date.fromisoformat(start)).days * 86_400_000.0


def _kept(hover, lang: str, *values) -> str:
    """`hover(lang, *values)`, kept between builds (an lru_cache keyed by the language and the values); values that
    cannot be a key are made afresh."""
    try:
        return hover(lang, *values)
    except TypeError:
        return hover.__wrapped__(lang, *values)


@functools.lru_cache(maxsize=HOVERS_KEPT)
def _event_hover(lang: str, date, kind, title, sources) -> str:
    """A context event's hover in `lang` (the current language, part of the key)."""
    return f"<b>{fmt.date(date)}</b> · {names.event_kind(kind)}<br>{title}<br>" + t("Sources: {ids}", ids=sources)


def _events(events: pd.DataFrame | None, lo, hi, date_axis: bool) -> tuple[list[dict], list[dict], dict]:
    """Dotted vertical lines for the events inside [lo, hi] and one hoverable marker trace along the top, as dicts:
    (shapes, traces, layout update)."""
    if events is None or events.empty:
        return [], [], {}
    cols = Columns(events)
    at = cols.list("date" if date_axis else "x_year")
    idx = [i for i, x in enumerate(at) if not _missing(x) and x >= lo and x <= hi]
    if not idx:
        return [], [], {}
    xs = cols.take("date" if date_axis else "x_year", idx)
    lines = [{"type": "line", "x0": value, "x1": value, "yref": "paper", "y0": 0, "y1": 1, "layer": "below",
              "line": {"color": EVENT, "width": 1.5, "dash": "dot"}} for value in xs.tolist()]
    date, kind, title, sources = (cols.list(c) for c in ("date", "kind", "title", "source_ids"))
    lang = current_lang()
    trace = {
        "type": "scatter", "x": xs, "y": [1.0] * len(idx), "yaxis": "y2", "mode": "markers",
        "name": t(EVENT_NAME), "marker": {"symbol": "triangle-down", "size": 13, "color": EVENT},
        "hovertext": [_kept(_event_hover, lang, date[i], kind[i], title[i], sources[i]) for i in idx],
        "hovertemplate": "%{hovertext}<extra></extra>", "cliponaxis": False,
    }
    yaxis2 = {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True,
              "gridcolor": "#e5e7eb", "zerolinecolor": "#9ca3af"}  # base_layout styles every y axis
    return lines, [trace], {"yaxis2": yaxis2}


def _with_events(data: list[dict], layout: dict, events: pd.DataFrame | None, lo, hi, date_axis: bool) -> None:
    shapes, traces, update = _events(events, lo, hi, date_axis)
    if shapes:
        layout["shapes"] = layout.get("shapes", []) + shapes
    data.extend(traces)
    merge(layout, update)


def _tall(tall: bool) -> dict:
    """Row charts: when tall (they scroll in a fixed-height container), legend and x axis go to the top."""
    return {
        "margin": {"l": 10, "r": 20, "t": 120 if tall else 80, "b": 10 if tall else 40},
        "legend": {"orientation": "h", "yref": "container", "y": 0.999, "yanchor": "top", "xref": "container",
                   "x": 0.01},
        "xaxis": {"side": "top" if tall else "bottom", "mirror": "allticks", "showline": True,
                  "linecolor": "#9ca3af", "automargin": True},
    }


def _axis_title(text: str | None) -> dict:
    return {"text": text} if text is not None else {}


def _gantt_specs() -> dict:
    return {
        "framework": (t("Framework: span of its contracts"), {"color": "rgba(0,0,0,0)",
                                                            "line": {"color": FRAMEWORK, "width": 1.5}}, 0.9),
        "waiting": (t("Signed, awaiting first delivery"), {"color": WAITING}, 0.35),
        "delivered": (t("Delivered (per year)"), {"color": DELIVERED}, 0.62),
        "planned": (t("Planned (per year)"), {"color": "rgba(245,158,11,0.35)",
                                           "line": {"color": PLANNED, "width": 1},
                                           "pattern": {"shape": "/", "fgcolor": PLANNED, "size": 7}}, 0.62),
        "overdue": (t(OVERDUE_NAME), {"color": "rgba(220,38,38,0.18)", "line": {"color": OVERDUE, "width": 2},
                                   "pattern": {"shape": "x", "fgcolor": OVERDUE, "size": 7}}, 0.62),
    }


def _gantt_bar_hovers(cols: Columns, part: str, idx: list[int]) -> list[str]:
    label = cols.list("row_label")
    if part in ("delivered", "planned", "overdue"):
        lang = current_lang()
        year, units, origin, sources = (cols.list(c) for c in ("year", "units", "origin", "part_sources"))
        return [_year_hover(lang, part, label[i], year[i], None if _nan(units[i]) else units[i], origin[i], sources[i])
                for i in idx]
    start, finish, lang = cols.list("start"), cols.list("finish"), current_lang()
    if part == "waiting":
        return [f"<b>{label[i]}</b><br>" + t("signed {start} → first delivery {finish}", start=_date(lang, start[i]),
                                             finish=_date(lang, finish[i])) for i in idx]
    return [f"<b>{label[i]}</b><br>" + t("framework {start} → last contract's deliveries {finish}",
                                         start=_date(lang, start[i]), finish=_date(lang, finish[i])) for i in idx]


def _gantt_deal_hovers(cols: Columns, idx: list[int]) -> list[str]:
    """_deal_hover of each row at `idx` in `lang` (the current language), kept between builds: keyed by its fields
    (a NaN in NAN_AS_NONE keyed as None), without a dict per row."""
    lang = current_lang()
    fields = tuple(k for k in DEAL_HOVER_FIELDS if k in cols)
    columns = [cols.list(k) for k in fields]
    nan_as_none = [j for j, k in enumerate(fields) if k in NAN_AS_NONE]
    hovers = []
    for i in idx:
        values = [values[i] for values in columns]
        key = values.copy()
        for j in nan_as_none:
            if _nan(key[j]):
                key[j] = None
        try:
            hovers.append(_deal_hover_of(lang, tuple(zip(fields, key))))
        except TypeError:  # a value that cannot be a key (a list): made afresh
            hovers.append(_deal_hover(dict(zip(fields, values))))
    return hovers


def _iso_days(texts: list[str]) -> bool:
    return all(map(ISO_DAY.fullmatch, texts))


def _date_span(cols: Columns) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The earliest and latest start or finish, 200 days wider on each side (as pd.to_datetime would read them)."""
    dates = cols.list("start") + cols.list("finish")
    given = [d for d in dates if type(d) is str]  # the rest: missing (NaN), else read as below
    if given and _iso_days(given) and all(map(_missing, (d for d in dates if type(d) is not str))):
        first, last = pd.Timestamp(min(given)), pd.Timestamp(max(given))
    else:
        parsed = pd.to_datetime(pd.Series(dates, dtype=object))
        first, last = parsed.min(), parsed.max()
    return first - pd.Timedelta(days=200), last + pd.Timedelta(days=200)


@_one_language
def gantt_chart(df: pd.DataFrame, events: pd.DataFrame | None = None, by_system: bool = False,
                large: bool = False) -> go.Figure:
    """Signing to last delivery, one row per deal (or per recipient × system): a few traces in all."""
    cols = Columns(df)
    order, label_of = cols.list("row_order"), cols.list("row_label")
    first: dict = {}
    for i, row in enumerate(order):
        first.setdefault(row, i)
    labels = [label_of[first[row]] for row in sorted(first)]
    specs = _gantt_specs()
    by_part = cols.positions("part", [*specs, *MARKERS])
    start, finish = cols.list("start"), cols.list("finish")
    data: list[dict] = []
    for part, (name, marker, width) in specs.items():
        idx = by_part[part]
        if not idx:
            continue
        durations = np.array([_days(start[i], finish[i]) for i in idx], dtype="float64")
        data.append({"type": "bar", "y": cols.take("row_label", idx), "x": durations,
                     "base": cols.take("start", idx), "orientation": "h", "name": name, "marker": marker,
                     "width": width, "hovertext": _gantt_bar_hovers(cols, part, idx),
                     "hovertemplate": "%{hovertext}<extra></extra>"})
    for part, (name, symbol, colour, line) in MARKERS.items():
        idx = by_part[part]
        if not idx:
            continue
        data.append({
            "type": "scatter", "y": cols.take("row_label", idx), "x": cols.take("start", idx), "mode": "markers",
            "name": t(name),
            "marker": {"symbol": symbol, "size": 11, "color": colour, "line": {"color": line, "width": 1.5}},
            "hovertext": _gantt_deal_hovers(cols, idx),
            "hovertemplate": "%{hovertext}<extra></extra>",
        })
    lo, hi = _date_span(cols)
    layout: dict = {}
    _with_events(data, layout, events, lo.strftime("%Y-%m-%d"), hi.strftime("%Y-%m-%d"), date_axis=True)
    tall = len(labels) > TALL_ROWS
    merge(layout, layout_base(None, height=max(320, ROW_PX * len(labels) + 150), large=large))
    merge(layout, {"barmode": "overlay", "bargap": 0.2, "hovermode": "closest",
                   "meta": {"chart": "gantt", "rows": len(labels), "by_system": by_system}})
    merge(layout, _tall(tall))
    merge(layout, {"yaxis": {"type": "category", "categoryorder": "array", "categoryarray": labels,
                             "range": [len(labels) - 0.5, -0.5], "automargin": True, "title": {},
                             "showgrid": False, "tickfont": {"size": 13}}})
    xaxis = {"type": "date", "range": [lo, hi], "title": {}}
    if hi.year - lo.year <= 12:
        xaxis["dtick"] = "M12"
    merge(layout, {"xaxis": xaxis})
    return drawn(data, layout)


TENDER_TOP, TENDER_STEP, BAR_SHARE = 0.93, 0.05, 0.7  # decision markers stack down from 93 % of the plot height


def _tender_hover(r: dict) -> str:
    return (f"<b>{html.escape(str(r['programme']))}</b><br>"
            + t("{recipient}, decided {year}", recipient=html.escape(str(r["recipient"])), year=r["year_decided"])
            + "<br>" + t("Korea: {outcome} with {systems}", outcome=t(OUTCOME_LABELS[r["outcome"]]).lower(),
                         systems=systems_text(r.get("korean_systems")))
            + "<br>" + t("Winner: {winner}", winner=winner_text(r.get("winner"), r.get("winner_system")))
            + f"<br>{r['competition_id']}")


TENDER_COLUMNS = ("competition_id", "programme", "recipient", "year_decided", "outcome", "korean_systems", "winner",
                  "winner_system")  # what the markers and their hovers show


def tender_decision_traces(tenders: pd.DataFrame | None) -> list[dict]:
    """Tender decisions as markers over a yearly bar chart: one per decided competition at its decision year,
    symbol and colour by outcome for Korea (one legend entry each), stacked downwards from the top of the plot on
    a hidden 0-1 axis (y3) when several fall in one year; the hover names programme, recipient and winner."""
    if tenders is None or tenders.empty:
        return []
    order = {o: i for i, o in enumerate(OUTCOMES)}
    cols = Columns(tenders)
    year, outcome, ident = cols.list("year_decided"), cols.list("outcome"), cols.list("competition_id")
    shown = [i for i in range(cols.n) if not _missing(year[i]) and outcome[i] in order]
    # sorted by decision year, outcome and competition (a missing competition id last, as pandas sorts)
    shown.sort(key=lambda i: (year[i], order[outcome[i]], (1, "") if _missing(ident[i]) else (0, ident[i])))
    height: dict[int, float] = {}
    stacked: dict = {}
    for i in shown:  # stacked downwards within a decision year, in that order
        height[i] = TENDER_TOP - TENDER_STEP * np.int64(stacked.get(year[i], 0))
        stacked[year[i]] = stacked.get(year[i], 0) + 1
    fields = [(c, cols.list(c)) for c in TENDER_COLUMNS if c in cols]
    data = []
    for kind in OUTCOMES:
        part = [i for i in shown if outcome[i] == kind]
        if not part:
            continue
        colour = OUTCOME_COLOURS[kind]
        data.append({
            "type": "scatter", "x": np.array([int(year[i]) for i in part], dtype="int64"),
            "y": np.array([height[i] for i in part], dtype="float64"),
            "yaxis": "y3", "mode": "markers", "name": t("Tender {outcome}", outcome=t(OUTCOME_LABELS[kind]).lower()),
            "legendgroup": "tenders", "cliponaxis": False,
            "marker": {"symbol": OUTCOME_SYMBOLS[kind], "size": 12, "color": colour,
                       "line": {"width": 2, "color": colour}},
            "hovertext": [_tender_hover({c: values[i] for c, values in fields}) for i in part],
            "hovertemplate": "%{hovertext}<extra></extra>",
        })
    return data


def _span(*columns: list) -> tuple:
    """The smallest and largest value given in these column lists (NaN, NaN when none is)."""
    given = [v for values in columns for v in values if not _missing(v)]
    return (min(given), max(given)) if given else (np.nan, np.nan)


def _year_ticks(lo, hi) -> dict:
    """Yearly ticks where the years span 15 or fewer."""
    return {"dtick": 1} if hi - lo <= 15 else {}


def _by_value(cols: Columns, column: str, idx: list[int]) -> dict:
    """Row positions by value of `column` in first-seen order, missing values left out (groupby(sort=False))."""
    values = cols.list(column)
    groups: dict = {}
    for i in idx:
        if not _missing(values[i]):
            groups.setdefault(values[i], []).append(i)
    return groups


def _region_order(present) -> list:
    return [r for r in REGIONS if r in present] + sorted(set(present) - set(REGIONS))


@_one_language
def value_by_year_chart(df: pd.DataFrame, basis: str, events: pd.DataFrame | None = None,
                        tenders: pd.DataFrame | None = None, large: bool = False) -> go.Figure:
    """Signed value per year stacked by region; on the USD basis the official yearly totals as a line; with
    `tenders` (timeline_tenders.sql), tender decisions as markers above the bars (tender_decision_traces)."""
    data: list[dict] = []
    usd = basis == "usd"
    value_col = "value_usd_bn" if usd else "tiv_order_m"
    cols = Columns(df)
    series = cols.list("series")
    bar_rows = [i for i, s in enumerate(series) if s != "Official total"]
    by_region = _by_value(cols, "region", bar_rows)
    count_col = "deals" if usd else "records"
    for region in _region_order(by_region):
        idx = by_region[region]
        data.append({
            "type": "bar", "x": cols.take("year", idx), "y": cols.take(value_col, idx), "name": names.region(region),
            "marker": region_marker([region] * len(idx)),
            "customdata": cols.take(count_col, idx).reshape(-1, 1),
            "hovertemplate": f"{names.region(region)}<br>%{{x}}: %{{y:,.{2 if usd else 0}f}} "
                             + (t("bn USD") if usd else t("m TIV"))
                             + "<br>%{customdata[0]} " + (t("deals") if usd else t("SIPRI records")) + "<extra></extra>",
        })
    official = [i for i, s in enumerate(series) if s == "Official total"]
    if usd and official:
        data.append({"type": "scatter", "x": cols.take("year", official), "y": cols.take("value_usd_bn", official),
                     "mode": "lines+markers", "name": t(OFFICIAL_NAME),
                     "line": {"color": OFFICIAL, "width": 2.5}, "marker": {"size": 8},
                     "hovertemplate": "%{x}: " + t("{value} bn USD", value="%{y:.1f}") + "<extra>"
                                      + t("official") + "</extra>"})
    decisions = tender_decision_traces(tenders)
    data.extend(decisions)
    lo, hi = _span(cols.list("year"), tenders["year_decided"].tolist() if decisions else [])
    layout: dict = {}
    _with_events(data, layout, events, lo - 0.5, hi + 0.5, date_axis=False)
    if decisions:  # bars keep to the lower 70 % of the plot, the markers sit above them
        # pandas' sums (its compensated summation, to the bit) of the same values in the same order
        sums = pd.Series(cols.take(value_col, bar_rows)).groupby(cols.take("year", bar_rows)).sum()
        official_top = pd.Series(cols.take(value_col, official)).max() if usd else 0
        top = max(sums.max() if bar_rows else 0, official_top, 0)
        top = float(top) if pd.notna(top) and top > 0 else 1.0
        merge(layout, {"yaxis": {"range": [0, top / BAR_SHARE]},
                       "yaxis3": {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True,
                                  "gridcolor": "#e5e7eb", "zerolinecolor": "#9ca3af"},
                       "meta": {"tender_decisions": int(sum(len(tr["hovertext"]) for tr in decisions))}})
    title = t("Signed contract value per year") if usd else t("SIPRI TIV ordered per year (by order year)")
    merge(layout, layout_base(title, height=520 if decisions else 420, large=large))
    merge(layout, {"barmode": "stack", "meta": {"chart": "value_by_year", "basis": basis},
                   "legend": {"orientation": "h", "y": -0.18, "yanchor": "top", "traceorder": "normal"}})
    if decisions:  # regions, the official line, four outcomes and events: two legend entries a row (each name fits
        # half of a 358 px phone chart: OFFICIAL_NAME is broken in two)
        merge(layout, {"legend": {"entrywidth": 0.5, "entrywidthmode": "fraction", "y": -0.12}})
    merge(layout, {"yaxis": {"title": _axis_title(t("USD bn") if usd else t("TIV, millions"))},
                   "xaxis": {"title": {}, **_year_ticks(lo, hi)}})
    return drawn(data, layout)


@_one_language
def units_by_year_chart(df: pd.DataFrame, events: pd.DataFrame | None = None, large: bool = False) -> go.Figure:
    """Units delivered per year by system family (solid), with planned units hatched on top."""
    data: list[dict] = []
    order = (df.groupby("system_family")["units"].sum().sort_values(ascending=False).index.tolist())
    if "Other families" in order:
        order = [f for f in order if f != "Other families"] + ["Other families"]
    cols = Columns(df)
    units, family_of, kind_of = cols.list("units"), cols.list("system_family"), cols.list("kind")
    parts: dict = {}
    for i in range(cols.n):
        if not _missing(units[i]) and not _missing(family_of[i]) and not _missing(kind_of[i]):
            parts.setdefault((family_of[i], kind_of[i]), []).append(i)
    with_actual = {f for f, k in zip(family_of, kind_of, strict=True) if k == "actual"}
    for i, family in enumerate(order):
        colour = FAMILY_COLOURS[i % len(FAMILY_COLOURS)]
        for kind in ("actual", "planned"):
            idx = parts.get((family, kind))
            if not idx:
                continue
            planned = kind == "planned"
            shown = t("Other families") if family == "Other families" else names.system(family)
            data.append({
                "type": "bar", "x": cols.take("year", idx), "y": cols.take("units", idx),
                "name": shown,
                "legendgroup": family, "showlegend": not planned or family not in with_actual,
                "marker": {"color": colour, "opacity": 0.6 if planned else 1,
                           "pattern": {"shape": "/" if planned else "", "fgcolor": colour, "size": 7}},
                "customdata": cols.take("deals", idx).reshape(-1, 1),
                "hovertemplate": f"{shown}<br>%{{x}}: "
                                 + (t("{n} units planned", n="%{y:,}") if planned
                                    else t("{n} units delivered", n="%{y:,}"))
                                 + "<br>" + t("{n} deals", n="%{customdata[0]}") + "<extra></extra>",
            })
    lo, hi = _span(cols.list("year"))
    layout: dict = {}
    _with_events(data, layout, events, lo - 0.5, hi + 0.5, date_axis=False)
    merge(layout, layout_base(t("Units delivered per year (hatched: planned)"), height=420, large=large))
    merge(layout, {"barmode": "stack", "meta": {"chart": "units_by_year"},
                   "legend": {"orientation": "h", "y": -0.18, "yanchor": "top", "traceorder": "normal"}})
    merge(layout, {"yaxis": {"title": {"text": t("Units")}}, "xaxis": {"title": {}, **_year_ticks(lo, hi)}})
    return drawn(data, layout)


@_one_language
def orderbook_chart(df: pd.DataFrame, value_col: str, unit_label: str, events: pd.DataFrame | None = None,
                    large: bool = False) -> go.Figure:
    """Ordered but not yet delivered at the end of each year, stacked by recipient region."""
    data: list[dict] = []
    cols = Columns(df)
    year = cols.list("year")
    by_region = _by_value(cols, "region", range(cols.n))
    filled = array(df[value_col].fillna(0))
    for region in _region_order(by_region):
        idx = by_region[region]
        if len({year[i] for i in idx}) < len(idx):  # a year twice: pandas' own (unstable) sort decides the order
            idx = [idx[j] for j in pd.Series([year[i] for i in idx]).sort_values().index]
        else:
            idx = sorted(idx, key=lambda i: (_missing(year[i]), 0 if _missing(year[i]) else year[i]))
        colour = REGION_COLOURS.get(region, "#6b7280")
        data.append({"type": "scatter", "x": cols.take("year", idx), "y": filled[idx],
                     "name": names.region(region), "mode": "lines", "stackgroup": "book", "line": {"color": REGION_OUTLINE, "width": 1},
                     "fillcolor": colour,
                     "hovertemplate": f"{names.region(region)}<br>"
                                      + t("end of {year}", year="%{x}") + f": %{{y:,.0f}} {unit_label}<extra></extra>"})
    lo, hi = _span(year)
    layout: dict = {}
    _with_events(data, layout, events, lo, hi, date_axis=False)
    merge(layout, layout_base(t("Order book over time (end of year)"), height=420, large=large))
    merge(layout, {"meta": {"chart": "orderbook"}, "legend": {"orientation": "h", "y": -0.18, "yanchor": "top"},
                   "hovermode": "x unified"})
    merge(layout, {"yaxis": {"title": {"text": unit_label[:1].upper() + unit_label[1:]}, "rangemode": "tozero"},
                   "xaxis": {"title": {}, **_year_ticks(lo, hi)}})
    return drawn(data, layout)


def _overdue_label(row: dict) -> str:
    units = row.get("units_overdue")
    if units is None or pd.isna(units):
        return t("⚠ overdue")
    return t("⚠ overdue: {n} units", n=f"{units:,.0f}")


@_one_language
def orderbook_now_chart(df: pd.DataFrame, value_col: str, unit_label: str, as_of: str,
                        large: bool = False) -> go.Figure:
    """Ordered but not yet delivered, per recipient, as of the latest data, one legend entry per region. A
    recipient with overdue planned deliveries (columns overdue_deals, units_overdue, overdue_deal_ids) gets a red
    outline and an "overdue" label in place of its value."""
    values = df[value_col].reset_index(drop=True)
    shown = values[values.fillna(0) > 0].sort_values().index.tolist()  # pandas' own sort: ties as before
    cols = Columns(df)
    value, recipient, region_of = cols.list(value_col), cols.list("recipient"), cols.list("region")
    late_deals = cols.list("overdue_deals") if "overdue_deals" in cols else [0] * cols.n
    overdue = {i: not _missing(late_deals[i]) and late_deals[i] > 0 for i in shown}
    text, hover = {}, {}
    for i in shown:
        label = ""
        if overdue[i]:
            label = _overdue_label({"units_overdue": cols.list("units_overdue")[i]})
        text[i] = label if overdue[i] else f"{value[i]:,.0f}"
        hover[i] = (f"{recipient[i]}<br>" + t("{value} {unit} still to deliver", value=_num(value[i]), unit=unit_label)
                    + ("<br>" + t("<b>{label}</b>: planned for a past year, no delivery recorded: {deals}",
                                  label=label, deals=cols.list("overdue_deal_ids")[i]) if label else ""))
    by_region = _by_value(cols, "region", shown)
    traces = []
    for region in region_ordered(by_region):
        idx = by_region[region]
        late = [overdue[i] for i in idx]
        traces.append({
            "type": "bar", "x": cols.take(value_col, idx), "y": cols.take("recipient", idx), "orientation": "h",
            "name": names.region(region),
            "marker": {"color": [REGION_COLOURS.get(region_of[i], "#6b7280") for i in idx],
                       "line": {"color": [OVERDUE if x else REGION_OUTLINE for x in late],
                                "width": [2.5 if x else 1 for x in late]}},
            "text": np.array([text[i] for i in idx], dtype=object), "textposition": "outside",
            "hovertemplate": "%{hovertext}<extra></extra>", "hovertext": np.array([hover[i] for i in idx], dtype=object),
            "cliponaxis": False, "textfont": {"color": [OVERDUE if x else "#374151" for x in late]},
        })
    late_rows = sum(overdue.values())
    layout = layout_base(t("Still to deliver, per recipient ({as_of})", as_of=as_of),
                         height=max(300, 30 * len(shown) + 150),
                         large=large)
    merge(layout, {"yaxis": {"categoryorder": "array", "categoryarray": cols.take("recipient", shown)},
                   "barmode": "stack", "showlegend": True, "legend": {"title": {"text": t("Region")}}})
    merge(layout, {"meta": {"chart": "orderbook_now", "overdue_recipients": int(late_rows)},
                   "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
                   "margin": {"b": 60, "r": 110 if late_rows else 40}})
    merge(layout, {"xaxis": {"title": {"text": unit_label[:1].upper() + unit_label[1:]}},
                   "yaxis": {"title": {}, "automargin": True}})
    return drawn(traces, layout)


def _first_units(units) -> str:
    return t("units not stated") if units is None or pd.isna(units) else t("{n} units", n=_num(units))


SPEED_GROUPS = ((N_("Faster than the median"), "#0072B2", "triangle-left", lambda d: d < 0),
                (N_("Same as the median"), "#6b7280", "circle", lambda d: d == 0),
                (N_("Slower than the median"), "#D55E00", "triangle-right", lambda d: d > 0),
                (N_("No benchmark (category not in SIPRI)"), "#111827", "square", _missing))


def _speed_bench(cols: Columns, idx: list[int]) -> dict:
    """The other suppliers' median per deal (grey diamond, error bar over the middle half)."""
    med, p25, p75 = (cols.list(c) for c in ("others_median_years", "others_p25_years", "others_p75_years"))
    category, records, lang = cols.list("armament_category"), cols.list("others_records"), current_lang()
    return dict(
        type="scatter", x=cols.take("others_median_years", idx), y=cols.take("row_label", idx), mode="markers",
        name=t("Other suppliers: median (bar: middle half)"),
        marker={"symbol": "diamond-open", "size": 11, "color": "#6b7280", "line": {"width": 2}},
        error_x={"type": "data", "symmetric": False, "color": "#cbd5e1", "thickness": 2, "width": 0,
                 "array": [p75[i] - med[i] for i in idx], "arrayminus": [med[i] - p25[i] for i in idx]},
        hovertext=[_kept(_bench_hover, lang, category[i], med[i], p25[i], p75[i], records[i]) for i in idx],
        hovertemplate="%{hovertext}<extra></extra>",
    )


@functools.lru_cache(maxsize=HOVERS_KEPT)
def _bench_hover(lang: str, category, median, p25, p75, records) -> str:
    """A category benchmark's hover in `lang` (the current language, part of the key): one per category."""
    return (f"{names.category(category)}: "
            + t("other suppliers' median {median} years (middle half {p25}–{p75}; {n} SIPRI records, new "
                "equipment ordered 2000 on)", median=f"{median:g}", p25=f"{p25:g}", p75=f"{p75:g}", n=f"{records:,}"))


def _speed_group(cols: Columns, idx: list[int], name: str, colour: str, symbol: str) -> dict:
    """Deals delivered faster, as fast or slower than the median (or with no benchmark)."""
    deal, designation, signed, first = (cols.list(c) for c in ("deal_id", "designation", "signed_date",
                                                                "first_delivery_year"))
    first_units, origin, years = (cols.list(c) for c in ("first_year_units", "first_year_origin",
                                                          "years_to_first_delivery"))
    med, quantity = cols.list("others_median_years"), cols.list("quantity")
    lang = current_lang()
    return dict(
        type="scatter", x=cols.take("years_to_first_delivery", idx), y=cols.take("row_label", idx), mode="markers",
        name=t(name),
        marker={"symbol": symbol, "size": 12, "color": colour, "line": {"color": "white", "width": 1}},
        hovertext=[_kept(_speed_hover, lang, name, deal[i], _none_if_nan(designation[i]), signed[i], first[i],
                         _none_if_nan(first_units[i]), origin[i], years[i], _none_if_nan(med[i]), quantity[i])
                   for i in idx],
        hovertemplate="%{hovertext}<extra></extra>",
    )


def _none_if_nan(value):
    """A NaN as None, for a hover key (the hovers read both only as missing; a NaN never finds its key again)."""
    return None if _nan(value) else value


@functools.lru_cache(maxsize=HOVERS_KEPT)
def _speed_hover(lang: str, name: str, deal, designation, signed, first, first_units, origin, years, median,
                 quantity) -> str:
    """A delivered deal's hover on the speed chart, in `lang` (the current language, part of the key)."""
    median_text = _num(median, "{:g}", t("n/a"))  # outside the t() below: Babel sees it
    return (f"<b>{deal}</b> · {designation if isinstance(designation, str) else ''}<br>"
            + t("signed {signed}, first delivery {first} ({units}, {origin})<br>{years} years; "
                "category median {median} ({group})<br>Units ordered: {ordered}", signed=_date(lang, signed),
                first=fmt.date(str(int(first))), units=_first_units(first_units),
                origin=names.origin(origin), years=years,
                median=median_text, group=t(name).lower(),
                ordered=_num(quantity)))


@_one_language
def speed_chart(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Years from signing to first delivery per Korean deal (dot) against the category median of other
    suppliers (grey diamond, bar = middle half); deals not yet delivered show the years waited so far."""
    cols = Columns(df)
    labels = cols.list("row_label")
    years, waited, med, versus = (cols.list(c) for c in ("years_to_first_delivery", "years_waiting",
                                                          "others_median_years", "years_vs_median"))
    traces: list[dict] = []
    delivered = [i for i in range(cols.n) if not _missing(years[i])]
    with_bench = [i for i in delivered if not _missing(med[i])]
    if with_bench:
        xs, ys = [], []
        for i in with_bench:
            xs += [med[i], years[i], None]
            ys += [labels[i], labels[i], None]
        traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines",
                       "line": {"color": "#9ca3af", "width": 2}, "hoverinfo": "skip", "showlegend": False})
    bench = [i for i in range(cols.n) if not _missing(med[i])]
    if bench:
        traces.append(_speed_bench(cols, bench))
    # Shape and a sign beside colour: faster points left (fewer years), slower right; blue/vermillion stay apart
    # under every colour-vision deficiency.
    for name, colour, symbol, test in SPEED_GROUPS:
        idx = [i for i in delivered if (test(versus[i]) if test is _missing else not _missing(versus[i]) and test(versus[i]))]
        if idx:
            traces.append(_speed_group(cols, idx, name, colour, symbol))
    waiting = [i for i in range(cols.n) if _missing(years[i]) and not _missing(waited[i])]
    if waiting:
        deal, signed, lang = cols.list("deal_id"), cols.list("signed_date"), current_lang()
        traces.append(dict(
            type="scatter", x=cols.take("years_waiting", waiting), y=cols.take("row_label", waiting), mode="markers",
            name=t("No delivery yet: years so far"),
            marker={"symbol": "triangle-right-open", "size": 11, "color": "#b45309", "line": {"width": 2}},
            hovertext=[f"<b>{deal[i]}</b><br>" + t("signed {signed}; no delivery recorded yet ({years} years so far)",
                                                    signed=_date(lang, signed[i]), years=waited[i])
                       for i in waiting],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    tall = len(labels) > TALL_ROWS
    layout = layout_base(None, height=max(320, ROW_PX * len(labels) + 150), large=large)
    merge(layout, {"meta": {"chart": "speed", "rows": len(labels)}, "hovermode": "closest"})
    merge(layout, _tall(tall))
    merge(layout, {"yaxis": {"type": "category", "categoryorder": "array", "categoryarray": labels,
                             "range": [len(labels) - 0.5, -0.5], "automargin": True, "title": {},
                             "tickfont": {"size": 13}}})
    _, top = _span(years, waited, cols.list("others_p75_years"))
    merge(layout, {"xaxis": {"title": {"text": t("Calendar years from signing to first delivery (0 = same year)")},
                             "dtick": 1, "range": [-0.4, (0 if _missing(top) else float(top)) + 0.6]}})
    return drawn(traces, layout)

"""The Timeline chart builders as they were before issue 17's column-list rewrite (kdefense/charts_timeline.py at
main 5a5bd91), kept verbatim as the reference the fast builders are compared with (tests/unit/test_fast_paths.py)."""

from __future__ import annotations

import functools
import html

import pandas as pd
import plotly.graph_objects as go

from kdefense import fmt, names
from kdefense.charts import EVENT_NAME, array, built, layout_base, merge, region_marker, region_ordered
from kdefense.charts import records as row_dicts
from kdefense.charts import rows as row_tuples
from kdefense.charts_tenders import (
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    OUTCOME_SYMBOLS,
    OUTCOMES,
    systems_text,
    winner_text,
)
from kdefense.charts_timeline import OFFICIAL_NAME
from kdefense.i18n import N_, current_lang, t
from kdefense.settings import REGION_COLOURS, REGION_OUTLINE, REGIONS
from tests.unit.reference_charts_overview import bars_by_region

DELIVERED = "#2f6db5"
PLANNED = "#f59e0b"
OVERDUE = "#dc2626"
OVERDUE_NAME = N_("Overdue (planned year passed)")
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


# What _deal_hover reads; a NaN in these is keyed as None, which _deal_hover reads alike (only as missing).
DEAL_HOVER_FIELDS = ("deal_id", "designation", "status", "signed_date", "quantity", "units_delivered",
                     "value_amount_m", "currency", "value_usd_m", "value_note", "first_source", "source_ids")
NAN_AS_NONE = frozenset(DEAL_HOVER_FIELDS) - {"deal_id", "status", "currency"}


def _kept_deal_hover(lang: str, row: dict) -> str:
    """_deal_hover(row) in `lang` (the current language), kept between builds."""
    items = tuple((k, None if k in NAN_AS_NONE and _nan(row[k]) else row[k]) for k in DEAL_HOVER_FIELDS if k in row)
    try:
        return _deal_hover_of(lang, items)
    except TypeError:  # a value that cannot be a key (a list): made afresh
        return _deal_hover(row)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain Python objects: iterating Arrow-backed strings row by row is slow."""
    return df.astype({c: object for c in df.columns if pd.api.types.is_string_dtype(df[c])})


def _duration_ms(df: pd.DataFrame) -> pd.Series:
    return (pd.to_datetime(df["finish"]) - pd.to_datetime(df["start"])).dt.total_seconds() * 1000


def _tall_layout(fig: go.Figure, tall: bool) -> None:
    """Row charts: when tall (they scroll in a fixed-height container), legend and x axis go to the top."""
    fig.update_layout(
        margin={"l": 10, "r": 20, "t": 120 if tall else 80, "b": 10 if tall else 40},
        legend={"orientation": "h", "yref": "container", "y": 0.999, "yanchor": "top", "xref": "container", "x": 0.01},
    )
    fig.update_xaxes(side="top" if tall else "bottom", mirror="allticks", showline=True, linecolor="#9ca3af",
                     automargin=True)


def add_events(fig: go.Figure, events: pd.DataFrame | None, lo, hi, date_axis: bool) -> go.Figure:
    """Dotted vertical lines for the events inside [lo, hi], and one hoverable marker trace along the top."""
    if events is None or events.empty:
        return fig
    x = events["date"] if date_axis else events["x_year"]
    inside = _plain(events[(x >= lo) & (x <= hi)])
    if inside.empty:
        return fig
    xs = inside["date"] if date_axis else inside["x_year"]
    lines = [{"type": "line", "x0": value, "x1": value, "yref": "paper", "y0": 0, "y1": 1, "layer": "below",
              "line": {"color": EVENT, "width": 1.5, "dash": "dot"}} for value in xs.tolist()]
    fig.update_layout(shapes=list(fig.layout.shapes) + lines)  # one update: add_shape per event is quadratic
    fig.add_scatter(
        x=xs, y=[1.0] * len(inside), yaxis="y2", mode="markers", name=t(EVENT_NAME),
        marker={"symbol": "triangle-down", "size": 13, "color": EVENT},
        hovertext=_event_hovers(inside),
        hovertemplate="%{hovertext}<extra></extra>", cliponaxis=False,
    )
    fig.update_layout(yaxis2={"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True})
    return fig


EVENT_COLUMNS = ("date", "x_year", "kind", "title", "source_ids")  # what the event lines and hovers show


def _event_hovers(events: pd.DataFrame) -> list[str]:
    """An event's date and kind in the interface language; its title as the data write it."""
    return [f"<b>{fmt.date(r.date)}</b> · {names.event_kind(r.kind)}<br>{r.title}<br>"
            + t("Sources: {ids}", ids=r.source_ids) for r in events.itertuples()]


def _events(events: pd.DataFrame | None, lo, hi, date_axis: bool) -> tuple[list[dict], list[dict], dict]:
    """add_events as dicts: (shapes, traces, layout update) for the events inside [lo, hi]."""
    if events is None or events.empty:
        return [], [], {}
    x = events["date"] if date_axis else events["x_year"]
    inside = _plain(events.loc[(x >= lo) & (x <= hi), [c for c in EVENT_COLUMNS if c in events.columns]])
    if inside.empty:
        return [], [], {}
    xs = inside["date"] if date_axis else inside["x_year"]
    lines = [{"type": "line", "x0": value, "x1": value, "yref": "paper", "y0": 0, "y1": 1, "layer": "below",
              "line": {"color": EVENT, "width": 1.5, "dash": "dot"}} for value in xs.tolist()]
    trace = {
        "type": "scatter", "x": array(xs), "y": [1.0] * len(inside), "yaxis": "y2", "mode": "markers",
        "name": t(EVENT_NAME), "marker": {"symbol": "triangle-down", "size": 13, "color": EVENT},
        "hovertext": _event_hovers(inside),
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
    """_tall_layout as a layout update."""
    return {
        "margin": {"l": 10, "r": 20, "t": 120 if tall else 80, "b": 10 if tall else 40},
        "legend": {"orientation": "h", "yref": "container", "y": 0.999, "yanchor": "top", "xref": "container",
                   "x": 0.01},
        "xaxis": {"side": "top" if tall else "bottom", "mirror": "allticks", "showline": True,
                  "linecolor": "#9ca3af", "automargin": True},
    }


def _axis_title(text: str | None) -> dict:
    return {"text": text} if text is not None else {}


# The Gantt question's columns that the chart draws or names in its hovers (_deal_hover reads the deal's)
GANTT_COLUMNS = ("row_order", "row_label", "part", "start", "finish", "year", "units", "origin", "part_sources",
                 "deal_id", "designation", "status", "signed_date", "quantity", "units_delivered", "currency",
                 "value_amount_m", "value_usd_m", "value_note", "first_source", "source_ids")


def gantt_chart(df: pd.DataFrame, events: pd.DataFrame | None = None, by_system: bool = False,
                large: bool = False) -> go.Figure:
    """Signing to last delivery, one row per deal (or per recipient × system): a few traces in all."""
    df = _plain(df[[c for c in GANTT_COLUMNS if c in df.columns]])  # row iteration costs per column: only these
    rows = df.drop_duplicates("row_order").sort_values("row_order")
    labels = rows["row_label"].tolist()
    data: list[dict] = []
    bars = df[df["part"].isin(["framework", "waiting", "delivered", "planned", "overdue"])].copy()
    bars["duration_ms"] = _duration_ms(bars)
    specs = {
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
    for part, (name, marker, width) in specs.items():
        sub = bars[bars["part"] == part]
        if sub.empty:
            continue
        if part in ("delivered", "planned", "overdue"):
            lang = current_lang()
            hover = [_year_hover(lang, part, r.row_label, r.year, None if _nan(r.units) else r.units, r.origin,
                                 r.part_sources)
                     for r in row_tuples(sub)]
        elif part == "waiting":
            hover = [f"<b>{r.row_label}</b><br>" + t("signed {start} → first delivery {finish}", start=fmt.date(r.start),
                                                     finish=fmt.date(r.finish))
                     for r in row_tuples(sub)]
        else:
            hover = [f"<b>{r.row_label}</b><br>" + t("framework {start} → last contract's deliveries {finish}",
                                                     start=fmt.date(r.start), finish=fmt.date(r.finish))
                     for r in row_tuples(sub)]
        data.append({"type": "bar", "y": array(sub["row_label"]), "x": array(sub["duration_ms"]),
                     "base": array(sub["start"]), "orientation": "h", "name": name, "marker": marker,
                     "width": width, "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>"})
    marks = df[df["part"].isin(list(MARKERS))]
    for part, (name, symbol, colour, line) in MARKERS.items():
        sub = marks[marks["part"] == part]
        if sub.empty:
            continue
        data.append({
            "type": "scatter", "y": array(sub["row_label"]), "x": array(sub["start"]), "mode": "markers",
            "name": t(name),
            "marker": {"symbol": symbol, "size": 11, "color": colour, "line": {"color": line, "width": 1.5}},
            "hovertext": [_kept_deal_hover(current_lang(), r) for r in row_dicts(sub)],
            "hovertemplate": "%{hovertext}<extra></extra>",
        })
    dates = pd.to_datetime(pd.concat([df["start"], df["finish"]]))
    lo, hi = dates.min() - pd.Timedelta(days=200), dates.max() + pd.Timedelta(days=200)
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
    return built(data, layout)


def _year_dtick(years: pd.Series) -> dict:
    return {"dtick": 1} if years.max() - years.min() <= 15 else {}


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
    shown = tenders["year_decided"].notna() & tenders["outcome"].isin(order)
    rows = _plain(tenders.loc[shown, [c for c in TENDER_COLUMNS if c in tenders.columns]])
    rows = rows.assign(_o=rows["outcome"].map(order)).sort_values(["year_decided", "_o", "competition_id"])
    rows["y"] = TENDER_TOP - TENDER_STEP * rows.groupby("year_decided").cumcount()
    data = []
    for outcome in OUTCOMES:
        part = rows[rows["outcome"] == outcome]
        if part.empty:
            continue
        colour = OUTCOME_COLOURS[outcome]
        data.append({
            "type": "scatter", "x": array(part["year_decided"].astype("int64")), "y": array(part["y"]),
            "yaxis": "y3", "mode": "markers", "name": t("Tender {outcome}", outcome=t(OUTCOME_LABELS[outcome]).lower()),
            "legendgroup": "tenders", "cliponaxis": False,
            "marker": {"symbol": OUTCOME_SYMBOLS[outcome], "size": 12, "color": colour,
                       "line": {"width": 2, "color": colour}},
            "hovertext": [_tender_hover(r) for r in row_dicts(part)],
            "hovertemplate": "%{hovertext}<extra></extra>",
        })
    return data


def value_by_year_chart(df: pd.DataFrame, basis: str, events: pd.DataFrame | None = None,
                        tenders: pd.DataFrame | None = None, large: bool = False) -> go.Figure:
    """Signed value per year stacked by region; on the USD basis the official yearly totals as a line; with
    `tenders` (timeline_tenders.sql), tender decisions as markers above the bars (tender_decision_traces)."""
    data: list[dict] = []
    usd = basis == "usd"
    value_col = "value_usd_bn" if usd else "tiv_order_m"
    bars = _plain(df[df["series"] != "Official total"])
    by_region = dict(list(bars.groupby("region", sort=False)))
    present = set(by_region)
    for region in [r for r in REGIONS if r in present] + sorted(present - set(REGIONS)):
        sub = by_region[region]
        count_col = "deals" if usd else "records"
        data.append({
            "type": "bar", "x": array(sub["year"]), "y": array(sub[value_col]), "name": names.region(region),
            "marker": region_marker([region] * len(sub)),
            "customdata": array(sub[[count_col]].to_numpy()),
            "hovertemplate": f"{names.region(region)}<br>%{{x}}: %{{y:,.{2 if usd else 0}f}} "
                             + (t("bn USD") if usd else t("m TIV"))
                             + "<br>%{customdata[0]} " + (t("deals") if usd else t("SIPRI records")) + "<extra></extra>",
        })
    if usd:
        official = df[df["series"] == "Official total"]
        if not official.empty:
            data.append({"type": "scatter", "x": array(official["year"]), "y": array(official["value_usd_bn"]),
                         "mode": "lines+markers", "name": t(OFFICIAL_NAME),
                         "line": {"color": OFFICIAL, "width": 2.5}, "marker": {"size": 8},
                         "hovertemplate": "%{x}: " + t("{value} bn USD", value="%{y:.1f}") + "<extra>"
                                          + t("official") + "</extra>"})
    decisions = tender_decision_traces(tenders)
    data.extend(decisions)
    years = df["year"].dropna()
    if decisions:
        years = pd.concat([years, tenders["year_decided"].dropna()])
    layout: dict = {}
    _with_events(data, layout, events, years.min() - 0.5, years.max() + 0.5, date_axis=False)
    if decisions:  # bars keep to the lower 70 % of the plot, the markers sit above them
        top = max(bars.groupby("year")[value_col].sum().max() if not bars.empty else 0,
                  df.loc[df["series"] == "Official total", "value_usd_bn"].max() if usd else 0, 0)
        top = float(top) if pd.notna(top) and top > 0 else 1.0
        merge(layout, {"yaxis": {"range": [0, top / BAR_SHARE]},
                       "yaxis3": {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True,
                                  "gridcolor": "#e5e7eb", "zerolinecolor": "#9ca3af"},
                       "meta": {"tender_decisions": int(sum(len(tr["hovertext"]) for tr in decisions))}})
    title = t("Signed contract value per year") if usd else t("SIPRI TIV ordered per year (by order year)")
    merge(layout, layout_base(title, height=520 if decisions else 420, large=large))
    merge(layout, {"barmode": "stack", "meta": {"chart": "value_by_year", "basis": basis},
                   "legend": {"orientation": "h", "y": -0.18, "yanchor": "top", "traceorder": "normal"}})
    if decisions:  # regions, the official line, four outcomes and events: two legend entries a row
        merge(layout, {"legend": {"entrywidth": 0.5, "entrywidthmode": "fraction", "y": -0.12}})
    merge(layout, {"yaxis": {"title": _axis_title(t("USD bn") if usd else t("TIV, millions"))},
                   "xaxis": {"title": {}, **_year_dtick(years)}})
    return built(data, layout)


def units_by_year_chart(df: pd.DataFrame, events: pd.DataFrame | None = None, large: bool = False) -> go.Figure:
    """Units delivered per year by system family (solid), with planned units hatched on top."""
    data: list[dict] = []
    order = (df.groupby("system_family")["units"].sum().sort_values(ascending=False).index.tolist())
    if "Other families" in order:
        order = [f for f in order if f != "Other families"] + ["Other families"]
    plain = _plain(df)
    parts = dict(list(plain[plain["units"].notna()].groupby(["system_family", "kind"], sort=False)))
    with_actual = set(plain.loc[plain["kind"] == "actual", "system_family"])
    for i, family in enumerate(order):
        colour = FAMILY_COLOURS[i % len(FAMILY_COLOURS)]
        for kind in ("actual", "planned"):
            sub = parts.get((family, kind))
            if sub is None or sub.empty:
                continue
            planned = kind == "planned"
            shown = t("Other families") if family == "Other families" else names.system(family)
            data.append({
                "type": "bar", "x": array(sub["year"]), "y": array(sub["units"]),
                "name": shown,
                "legendgroup": family, "showlegend": not planned or family not in with_actual,
                "marker": {"color": colour, "opacity": 0.6 if planned else 1,
                           "pattern": {"shape": "/" if planned else "", "fgcolor": colour, "size": 7}},
                "customdata": array(sub[["deals"]].to_numpy()),
                "hovertemplate": f"{shown}<br>%{{x}}: "
                                 + (t("{n} units planned", n="%{y:,}") if planned
                                    else t("{n} units delivered", n="%{y:,}"))
                                 + "<br>" + t("{n} deals", n="%{customdata[0]}") + "<extra></extra>",
            })
    years = df["year"].dropna()
    layout: dict = {}
    _with_events(data, layout, events, years.min() - 0.5, years.max() + 0.5, date_axis=False)
    merge(layout, layout_base(t("Units delivered per year (hatched: planned)"), height=420, large=large))
    merge(layout, {"barmode": "stack", "meta": {"chart": "units_by_year"},
                   "legend": {"orientation": "h", "y": -0.18, "yanchor": "top", "traceorder": "normal"}})
    merge(layout, {"yaxis": {"title": {"text": t("Units")}}, "xaxis": {"title": {}, **_year_dtick(years)}})
    return built(data, layout)


def orderbook_chart(df: pd.DataFrame, value_col: str, unit_label: str, events: pd.DataFrame | None = None,
                    large: bool = False) -> go.Figure:
    """Ordered but not yet delivered at the end of each year, stacked by recipient region."""
    data: list[dict] = []
    by_region = dict(list(_plain(df).groupby("region", sort=False)))
    present = set(by_region)
    regions = [r for r in REGIONS if r in present] + sorted(present - set(REGIONS))
    for region in regions:
        sub = by_region[region].sort_values("year")
        colour = REGION_COLOURS.get(region, "#6b7280")
        data.append({"type": "scatter", "x": array(sub["year"]), "y": array(sub[value_col].fillna(0)),
                     "name": names.region(region), "mode": "lines", "stackgroup": "book", "line": {"color": REGION_OUTLINE, "width": 1},
                     "fillcolor": colour,
                     "hovertemplate": f"{names.region(region)}<br>"
                                      + t("end of {year}", year="%{x}") + f": %{{y:,.0f}} {unit_label}<extra></extra>"})
    years = df["year"].dropna()
    layout: dict = {}
    _with_events(data, layout, events, years.min(), years.max(), date_axis=False)
    merge(layout, layout_base(t("Order book over time (end of year)"), height=420, large=large))
    merge(layout, {"meta": {"chart": "orderbook"}, "legend": {"orientation": "h", "y": -0.18, "yanchor": "top"},
                   "hovermode": "x unified"})
    merge(layout, {"yaxis": {"title": {"text": unit_label[:1].upper() + unit_label[1:]}, "rangemode": "tozero"},
                   "xaxis": {"title": {}, **_year_dtick(years)}})
    return built(data, layout)


def _overdue_label(row: dict) -> str:
    units = row.get("units_overdue")
    if units is None or pd.isna(units):
        return t("⚠ overdue")
    return t("⚠ overdue: {n} units", n=f"{units:,.0f}")


def orderbook_now_chart(df: pd.DataFrame, value_col: str, unit_label: str, as_of: str,
                        large: bool = False) -> go.Figure:
    """Ordered but not yet delivered, per recipient, as of the latest data, one legend entry per region. A
    recipient with overdue planned deliveries (columns overdue_deals, units_overdue, overdue_deal_ids) gets a red
    outline and an "overdue" label in place of its value."""
    data = _plain(df[df[value_col].fillna(0) > 0].sort_values(value_col))
    overdue = (data["overdue_deals"].fillna(0) > 0 if "overdue_deals" in data else pd.Series(False, data.index))
    records = row_dicts(data)
    labels = pd.Series([_overdue_label(r) if late else "" for r, late in zip(records, overdue)], index=data.index)
    texts = labels.where(overdue, data[value_col].map(lambda v: f"{v:,.0f}"))
    hover = pd.Series([f"{r['recipient']}<br>" + t("{value} {unit} still to deliver", value=_num(r[value_col]),
                                                     unit=unit_label)
                       + ("<br>" + t("<b>{label}</b>: planned for a past year, no delivery recorded: {deals}",
                                     label=label, deals=r["overdue_deal_ids"]) if label else "")
                       for r, label in zip(records, labels)], index=data.index)
    traces, by_region = bars_by_region(data, value_col, "recipient", "region", texts, "%{hovertext}<extra></extra>")
    for trace, region in zip(traces, region_ordered(data["region"].dropna()), strict=True):
        late = overdue[data["region"] == region]
        trace["hovertext"] = array(hover[late.index])
        trace["marker"]["line"] = {"color": [OVERDUE if x else REGION_OUTLINE for x in late],
                                   "width": [2.5 if x else 1 for x in late]}
        trace.update({"textposition": "outside", "cliponaxis": False,
                      "textfont": {"color": [OVERDUE if x else "#374151" for x in late]}})
    layout = layout_base(t("Still to deliver, per recipient ({as_of})", as_of=as_of),
                         height=max(300, 30 * len(data) + 150),
                         large=large)
    merge(layout, by_region)
    merge(layout, {"meta": {"chart": "orderbook_now", "overdue_recipients": int(overdue.sum())},
                   "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
                   "margin": {"b": 60, "r": 110 if overdue.any() else 40}})
    merge(layout, {"xaxis": {"title": {"text": unit_label[:1].upper() + unit_label[1:]}},
                   "yaxis": {"title": {}, "automargin": True}})
    return built(traces, layout)


SPEED_COLUMNS = ("deal_id", "row_label", "designation", "armament_category", "signed_date", "quantity",
                 "first_delivery_year", "first_year_units", "first_year_origin", "years_to_first_delivery",
                 "years_waiting", "others_median_years", "others_p25_years", "others_p75_years", "others_records",
                 "years_vs_median")


def _first_units(units) -> str:
    return t("units not stated") if units is None or pd.isna(units) else t("{n} units", n=_num(units))


def speed_chart(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Years from signing to first delivery per Korean deal (dot) against the category median of other
    suppliers (grey diamond, bar = middle half); deals not yet delivered show the years waited so far."""
    data = _plain(df[[c for c in SPEED_COLUMNS if c in df.columns]])  # row iteration costs per column
    labels = data["row_label"].tolist()
    traces: list[dict] = []
    no_median = t("n/a")
    delivered = data[data["years_to_first_delivery"].notna()]
    with_bench = delivered[delivered["others_median_years"].notna()]
    if not with_bench.empty:
        xs, ys = [], []
        for r in row_tuples(with_bench):
            xs += [r.others_median_years, r.years_to_first_delivery, None]
            ys += [r.row_label, r.row_label, None]
        traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines",
                       "line": {"color": "#9ca3af", "width": 2}, "hoverinfo": "skip", "showlegend": False})
    bench = data[data["others_median_years"].notna()]
    if not bench.empty:
        traces.append(dict(
            type="scatter", x=array(bench["others_median_years"]), y=array(bench["row_label"]), mode="markers",
            name=t("Other suppliers: median (bar: middle half)"),
            marker={"symbol": "diamond-open", "size": 11, "color": "#6b7280", "line": {"width": 2}},
            error_x={"type": "data", "symmetric": False, "color": "#cbd5e1", "thickness": 2, "width": 0,
                     "array": (bench["others_p75_years"] - bench["others_median_years"]).tolist(),
                     "arrayminus": (bench["others_median_years"] - bench["others_p25_years"]).tolist()},
            hovertext=[f"{names.category(r.armament_category)}: "
                       + t("other suppliers' median {median} years (middle half {p25}–{p75}; {n} SIPRI records, new "
                           "equipment ordered 2000 on)", median=f"{r.others_median_years:g}",
                           p25=f"{r.others_p25_years:g}", p75=f"{r.others_p75_years:g}", n=f"{r.others_records:,}")
                       for r in row_tuples(bench)],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    # Shape and a sign beside colour: faster points left (fewer years), slower right; blue/vermillion stay apart
    # under every colour-vision deficiency.
    groups = ((N_("Faster than the median"), "#0072B2", "triangle-left", lambda d: d["years_vs_median"] < 0),
              (N_("Same as the median"), "#6b7280", "circle", lambda d: d["years_vs_median"] == 0),
              (N_("Slower than the median"), "#D55E00", "triangle-right", lambda d: d["years_vs_median"] > 0),
              (N_("No benchmark (category not in SIPRI)"), "#111827", "square",
               lambda d: d["years_vs_median"].isna()))
    for name, colour, symbol, test in groups:
        sub = delivered[test(delivered).fillna(False).astype(bool)]
        if sub.empty:
            continue
        traces.append(dict(
            type="scatter", x=array(sub["years_to_first_delivery"]), y=array(sub["row_label"]), mode="markers",
            name=t(name),
            marker={"symbol": symbol, "size": 12, "color": colour, "line": {"color": "white", "width": 1}},
            hovertext=[f"<b>{r.deal_id}</b> · {r.designation if isinstance(r.designation, str) else ''}<br>"
                       + t("signed {signed}, first delivery {first} ({units}, {origin})<br>{years} years; "
                           "category median {median} ({group})<br>Units ordered: {ordered}", signed=fmt.date(r.signed_date),
                           first=fmt.date(str(int(r.first_delivery_year))), units=_first_units(r.first_year_units),
                           origin=names.origin(r.first_year_origin), years=r.years_to_first_delivery,
                           median=_num(r.others_median_years, "{:g}", no_median), group=t(name).lower(),
                           ordered=_num(r.quantity))
                       for r in row_tuples(sub)],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    waiting = data[data["years_to_first_delivery"].isna() & data["years_waiting"].notna()]
    if not waiting.empty:
        traces.append(dict(
            type="scatter", x=array(waiting["years_waiting"]), y=array(waiting["row_label"]), mode="markers",
            name=t("No delivery yet: years so far"),
            marker={"symbol": "triangle-right-open", "size": 11, "color": "#b45309", "line": {"width": 2}},
            hovertext=[f"<b>{r.deal_id}</b><br>" + t("signed {signed}; no delivery recorded yet ({years} years so far)",
                                                     signed=fmt.date(r.signed_date), years=r.years_waiting)
                       for r in row_tuples(waiting)],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    tall = len(labels) > TALL_ROWS
    layout = layout_base(None, height=max(320, ROW_PX * len(labels) + 150), large=large)
    merge(layout, {"meta": {"chart": "speed", "rows": len(labels)}, "hovermode": "closest"})
    merge(layout, _tall(tall))
    merge(layout, {"yaxis": {"type": "category", "categoryorder": "array", "categoryarray": labels,
                             "range": [len(labels) - 0.5, -0.5], "automargin": True, "title": {},
                             "tickfont": {"size": 13}}})
    top = pd.concat([data["years_to_first_delivery"], data["years_waiting"], data["others_p75_years"]]).max()
    merge(layout, {"xaxis": {"title": {"text": t("Calendar years from signing to first delivery (0 = same year)")},
                             "dtick": 1, "range": [-0.4, (0 if pd.isna(top) else float(top)) + 0.6]}})
    return built(traces, layout)

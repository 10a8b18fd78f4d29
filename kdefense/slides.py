"""What a briefing slide shows, designed for a 16:9 screen: title, takeaway, key figures, the view's main charts.

One content model for every way a slide is shown: presentation mode in the app (kdefense/presentation.py), the
PDF and the PowerPoint export (kdefense/deck_export.py). No Streamlit widgets here: a slide never shows the page's
chrome (subtitle, "Showing" box, selectors, on-screen instructions). Which charts a slide shows is part of the
saved view (`charts = [...]` in a deck file); without it each page has a default.

Every slide is laid out on a 1920×1080 design canvas; presentation mode scales the canvas to the screen, so chart
text (22 px on the canvas) is 22 px at 1920×1080, 14.7 px at 1280×720 and 44 px at 3840×2160.
"""

from __future__ import annotations

import html
import importlib.util
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from kdefense import charts, fmt, names, queries, settings
from kdefense import charts_map as cm
from kdefense import charts_suppliers as cs
from kdefense import charts_timeline as ct
from kdefense.briefing import Slide
from kdefense.filters import FilterOptions, Filters, parse_query_params
from kdefense.i18n import N_, current_lang, t

CANVAS_W, CANVAS_H = 1920, 1080
PAD_X, PAD_TOP = 48, 28
TITLE_H, TAKEAWAY_H, METRICS_H, FOOTER_H = 78, 56, 140, 64
GAP = 16
TICK_PX, LEGEND_PX, TITLE_PX = 22, 20, 26
TABLE_ROW_H = 40
KOREA = cs.KOREA
LEADING = ("United States", "France", "Russia", "China", "Germany", "Italy", "United Kingdom", "Israel", "Spain",
           "Turkiye")  # SIPRI spellings: the Suppliers page's default comparison set
SUPPLIER_VIEWS = ("Share & rank", "Recipient markets", "Speed & order book", "Rival systems", "Korean firms")
MISSING = "—"


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    note: str = ""


@dataclass
class Chart:
    key: str
    title: str
    figure: go.Figure


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    more: str = ""  # "and 9 more deals" when the table is summarised
    numeric: tuple[int, ...] = ()


@dataclass
class SlideContent:
    page: str
    metrics: list[Metric] = field(default_factory=list)
    panels: list[Chart | Table] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # relative widths of the panels
    notes: list[str] = field(default_factory=list)  # speaker notes: what applies, caveats, what was left out
    filters_line: str = ""
    empty: str = ""  # a message when nothing matches

    @property
    def charts(self) -> list[Chart]:
        return [p for p in self.panels if isinstance(p, Chart)]


# ------------------------------------------------------------------------------------------------ geometry

def body_height(has_metrics: bool) -> int:
    """Canvas pixels left for the panels under title, takeaway (and key figures), above the footer."""
    used = PAD_TOP + TITLE_H + TAKEAWAY_H + (METRICS_H if has_metrics else 0) + FOOTER_H + 3 * GAP
    return CANVAS_H - used


def panel_widths(weights: list[float]) -> list[int]:
    total = CANVAS_W - 2 * PAD_X - GAP * (len(weights) - 1)
    return [int(total * w / sum(weights)) for w in weights]


def table_rows_that_fit(height: int) -> int:
    return max(3, (height - 3 * TABLE_ROW_H - 10) // TABLE_ROW_H)


# ------------------------------------------------------------------------------------------------ figures

def slide_figure(fig: go.Figure, height: int, dark: bool = False, title: str | None = None) -> go.Figure:
    """A copy of a page figure for a slide: room-sized text, the slide's height, no animation controls, theme."""
    out = go.Figure(fig)
    out.frames = ()
    out.layout.updatemenus = []
    out.layout.sliders = []
    fg, bg, grid = ("#f3f4f6", "#0b1220", "#374151") if dark else ("#111827", "#ffffff", "#e5e7eb")
    out.update_layout(
        height=height, font={"size": TICK_PX, "color": fg},
        title_subtitle_text=None, paper_bgcolor=bg, plot_bgcolor=bg, hoverlabel={"font_size": 20},
        legend={"font": {"size": LEGEND_PX, "color": fg}, "bgcolor": "rgba(0,0,0,0)"},
    )
    if title is not None:
        out.update_layout(title={"text": title, "x": 0, "font": {"size": TITLE_PX, "color": fg}})
    elif out.layout.title.text:
        out.update_layout(title={"font": {"size": TITLE_PX, "color": fg}, "x": 0})
    top = 56 if out.layout.title.text else 16
    out.update_layout(margin={"t": max(top, out.layout.margin.t or 0) if not out.layout.title.text else top})
    axis = {"tickfont": {"size": TICK_PX, "color": fg}, "title_font": {"size": TICK_PX, "color": fg},
            "gridcolor": grid, "zerolinecolor": grid if dark else "#9ca3af", "linecolor": grid, "automargin": True}
    out.update_xaxes(**axis)
    out.update_yaxes(**axis)
    out.for_each_annotation(lambda a: a.update(font={"size": max(a.font.size or 0, LEGEND_PX),
                                                     **({"color": fg} if dark else {})}))
    out.for_each_trace(_trace_text_size)
    if dark:
        out.update_geos(bgcolor=bg, landcolor="#1f2937", oceancolor="#0f172a", coastlinecolor="#6b7280",
                        countrycolor="#6b7280", lakecolor="#0f172a")
    return out


def _trace_text_size(trace) -> None:
    if getattr(trace, "colorbar", None) is not None and hasattr(trace.colorbar, "tickfont"):
        trace.colorbar.tickfont.size = TICK_PX
    small = hasattr(trace, "textfont") and (trace.textfont.size is None or (
        isinstance(trace.textfont.size, (int, float)) and trace.textfont.size < LEGEND_PX))
    if small and trace.type in ("bar", "heatmap", "scatter", "scattergeo"):
        trace.textfont.size = LEGEND_PX


# ------------------------------------------------------------------------------------------------ text

def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def cell(value: object, fmt: str = "{}") -> str:
    """A table cell: unknown values are "—", never "None" or "nan"."""
    if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)) or value == "":
        return MISSING
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def filters_line(page: str, filters: Filters, options: dict) -> str:
    """The filters that apply to what the slide shows, in one line (the footer of the slide)."""
    if page == "suppliers" and options.get("sup_view", SUPPLIER_VIEWS[0]) != "Korean firms":
        return replace(filters, basis="tiv").describe()  # SIPRI comparisons are TIV whatever the sidebar says
    if page == "map" and options.get("map_measure") in ("usd", "tiv"):
        return replace(filters, basis=str(options["map_measure"])).describe()
    return filters.describe()


def slide_filters(slide: Slide, options: FilterOptions) -> Filters:
    """The Filters a saved view opens with (the same parsing as its link)."""
    raw = {k: v if isinstance(v, list) else [v] for k, v in slide.filters.items()}
    return parse_query_params(raw, options)[0]


def credit_line(info: dict) -> str:
    return t("Source: {credit}; deal ledger (each figure cites its source) · data {date}",
             credit=settings.SIPRI_CREDIT.split(" (")[0], date=fmt.date(str(info.get("built_at", ""))[:10]))


# ------------------------------------------------------------------------------------------------ pages

def build(slide: Slide, filters: Filters, dark: bool = False) -> SlideContent:
    """The content of one slide (queries are cached per filters and database version)."""
    builder = {"overview": _overview, "deals": _deals, "timeline": _timeline, "map": _map,
               "suppliers": _suppliers, "data": _data}[slide.page]
    content = builder(slide, filters, dark)
    content.widths = content.widths or [1.0] * len(content.panels)
    for panel, width in zip(content.panels, panel_widths(content.widths), strict=True):
        if isinstance(panel, Chart):  # sized on the canvas: the screen zooms the canvas, never the chart alone
            panel.figure.update_layout(width=width, autosize=False)
    content.filters_line = filters_line(slide.page, filters, slide.options)
    if filters.basis == "tiv" or slide.page == "suppliers":
        content.notes.append(t(settings.TIV_CAVEAT))
    return content


def _wanted(slide: Slide, default: list[str]) -> list[str]:
    return list(getattr(slide, "charts", ()) or ()) or default


def _fmt_bn(value: float) -> str:
    if current_lang() == "ko":
        return fmt.usd_bn(value)
    return f"${value / 1000:,.1f} bn" if value >= 1000 else f"${value:,.0f} m"


def _overview(slide: Slide, filters: Filters, dark: bool) -> SlideContent:
    usd = filters.basis == "usd"
    prefix = "overview_" if usd else "overview_tiv_"
    head = queries.run_filtered(f"{prefix}headline", filters).iloc[0]
    out = SlideContent("overview")
    if not head["deals"]:
        out.empty = t("No deals match these filters.")
        return out
    value_col = "value_usd_m" if usd else "tiv_order_m"
    value = head[value_col]
    if usd:
        shown = t("not disclosed") if pd.isna(value) else _fmt_bn(value)
        out.metrics.append(Metric(t("Contract value"), shown,
                                  t("{valued} of {deals} deals state one", valued=int(head["deals_with_value"]),
                                    deals=int(head["deals"]))))
    else:
        out.metrics.append(Metric(t("SIPRI TIV ordered"), MISSING if pd.isna(value) else fmt.tiv_m(value)))
    out.metrics += [Metric(t("Deals") if usd else t("SIPRI records"), fmt.number(head["deals"])),
                    Metric(t("Recipients"), fmt.number(head["recipients"]))]
    out.metrics += platform_metrics(head)
    out.notes.append(munitions_note(head, usd))
    region = queries.run_filtered(f"{prefix}by_region", filters)
    top_r = queries.run_filtered(f"{prefix}top_recipients", filters)
    top_r = top_r.assign(recipient=[names.country(i, n) for i, n in zip(top_r["recipient_iso3"], top_r["recipient"])])
    top_s = queries.run_filtered(f"{prefix}top_systems", filters)
    top_s = top_s.assign(system_family=top_s["system_family"].map(names.system))
    # no disclosed value at all (a pipeline of prospects): count deals instead of drawing nothing
    measure = value_col if region[value_col].notna().any() else "deals"
    axis = charts.value_label(filters.basis) if measure == value_col else t("Deals (no value disclosed)")
    if measure == "deals":
        out.notes.append(t("None of these deals states a value yet, so the charts count deals."))
    height = body_height(True)
    wanted = _wanted(slide, ["region", "recipients", "systems"])
    makers = {
        "region": lambda: charts.region_bars(region, measure, filters.basis, large=True),
        "recipients": lambda: charts.ranked_bars(top_r, "recipient", measure, filters.basis, t("Top recipients"),
                                                 "region", large=True),
        "systems": lambda: charts.ranked_bars(top_s, "system_family", measure, filters.basis, t("Top systems"),
                                              large=True),
        "reconciliation": lambda: charts.reconciliation_chart(queries.run_filtered("reconciliation", filters),
                                                              large=True),
    }
    titles = {"region": t("By region"), "recipients": t("Top recipients"), "systems": t("Top systems"),
              "reconciliation": t("Ledger vs official totals")}
    for key in wanted:
        if key in makers:
            fig = slide_figure(makers[key](), height, dark, titles[key])
            if key != "reconciliation":
                fig.update_xaxes(title_text=axis)
            out.panels.append(Chart(key, titles[key], fig))
        elif key == "latest" and usd:
            out.panels.append(_latest_table(filters, table_rows_that_fit(height)))
    out.widths = [1.0] * len(out.panels)
    return out


def _count(value: object) -> str:
    return MISSING if pd.isna(value) else fmt.number(value)


def platform_metrics(head: pd.Series) -> list[Metric]:
    """Units as the Overview counts them (overview_headline.sql): platforms, with munitions apart."""
    munitions = head.get("munitions_ordered")
    return [Metric(t("Platforms ordered"), _count(head["platforms_ordered"]),
                   t("munitions apart: {n}", n=_count(munitions)) if not pd.isna(munitions) and munitions else ""),
            Metric(t("Platforms delivered"), _count(head["platforms_delivered"])),
            Metric(t("Platforms to deliver"), _count(head["platforms_outstanding"]))]


def munitions_note(head: pd.Series, usd: bool) -> str:
    small_arms = head.get("small_arms_ordered") if usd else None
    return (t("Units: platforms (aircraft, vehicles, guns, ships, systems). Munitions counted apart (missiles, rockets, "
              "shells, charges): {ordered} ordered, {delivered} delivered, {outstanding} to deliver",
              ordered=_count(head.get("munitions_ordered")), delivered=_count(head.get("munitions_delivered")),
              outstanding=_count(head.get("munitions_outstanding")))
            + (t("; small arms {n} ordered", n=_count(small_arms)) if small_arms is not None else "")
            + t(". Services, MRO and upgrades are not units."))


def _latest_table(filters: Filters, rows: int) -> Table:
    latest = queries.run_filtered("overview_latest_deals", filters)
    return Table("latest", t("Latest deals"), [t("Signed"), t("Recipient"), t("System"), t("Units"),
                                               t("Value (USD m)")],
                 [[cell(fmt.table_date(r.signed_date)), cell(names.country(r.recipient_iso3, r.recipient)
                                             if hasattr(r, "recipient_iso3") else r.recipient),
                   cell(names.system(r.system_family)), cell(r.quantity, "{:,.0f}"),
                   cell(r.value_usd_m, "{:,.0f}")] for r in latest.head(rows).itertuples()],
                 _more(len(latest), rows, N_("deals")), numeric=(3, 4))


def _more(total: int, shown: int, what: str) -> str:
    return (t("and {n} more {what} (all of them on the page and in its CSV)", n=f"{total - shown:,}", what=t(what))
            if total > shown else "")


def _deals(slide: Slide, filters: Filters, dark: bool) -> SlideContent:
    deals = queries.run_filtered("deals_table", filters)
    out = SlideContent("deals")
    if deals.empty:
        out.empty = t("No deals match these filters.")
        return out
    cited = int(deals["value_usd_m"].notna().sum())
    total = deals["value_usd_m_counted"].sum()
    out.metrics = [Metric(t("Deals"), fmt.number(len(deals))),
                   Metric(t("Value stated for"), t("{n} deals", n=fmt.number(cited))),
                   Metric(t("Total counted"), _fmt_bn(total) if total else t("not disclosed"))]
    head = queries.run_filtered("overview_headline", filters).iloc[0]  # the Overview's unit groups, same filters
    out.metrics.append(platform_metrics(head)[0])
    out.notes.append(munitions_note(head, True))
    height = body_height(True)
    wanted = _wanted(slide, ["systems", "deals"])
    for key in wanted:
        if key == "systems":
            by = (deals.groupby("system_family", as_index=False)
                  .agg(value_usd_m=("value_usd_m_counted", "sum"), deals=("deal_id", "count")))
            measure = "value_usd_m" if by["value_usd_m"].fillna(0).sum() > 0 else "deals"
            by = by[by[measure] > 0].sort_values(measure, ascending=False).head(10)
            by = by.assign(system_family=by["system_family"].map(names.system))
            fig = charts.ranked_bars(by, "system_family", measure, "usd", t("By system"), large=True)
            fig = slide_figure(fig, height, dark, t("Contract value by system, USD m") if measure == "value_usd_m"
                               else t("Deals by system"))
            if measure == "deals":
                fig.update_xaxes(title_text=t("Deals"))
            out.panels.append(Chart("systems", t("By system"), fig))
        elif key == "deals":
            n = table_rows_that_fit(height)
            top = deals.sort_values(["value_usd_m", "signed_date"], ascending=False, na_position="last").head(n)
            rows = [[cell(fmt.table_date(r.signed_date)), cell(names.country(r.recipient_iso3, r.recipient)),
                     cell(names.system(r.system_family)), cell(names.status(r.status)),
                     cell(r.quantity, "{:,.0f}"), cell(r.value_usd_m, "{:,.0f}")] for r in top.itertuples()]
            title = t("Largest deals by value") if len(deals) > n else t("Deals")
            out.panels.append(Table("deals", title, [t("Signed"), t("Recipient"), t("System"), t("Status"),
                                                     t("Units"), t("USD m")],
                                    rows, _more(len(deals), n, N_("deals")), numeric=(4, 5)))
    out.widths = [1.0 if isinstance(p, Chart) else 1.5 for p in out.panels]
    return out


def _timeline(slide: Slide, filters: Filters, dark: bool) -> SlideContent:
    out = SlideContent("timeline")
    opts = slide.options
    events = queries.run("timeline_events") if opts.get("tl_events", True) not in (False, "false", "0") else None
    height = body_height(False)
    wanted = _wanted(slide, ["gantt"])
    max_rows = max(6, (height - 190) // 34)  # 22 px labels need ~34 px a row
    for key in wanted:
        if key == "gantt":
            by_system = opts.get("tl_rows") == "system"
            gantt = queries.run_filtered("timeline_gantt_system" if by_system else "timeline_gantt", filters,
                                         deal_id="")
            if gantt["row_order"].nunique() > max_rows and not by_system:  # summarise: one row per system
                by_system = True
                gantt = queries.run_filtered("timeline_gantt_system", filters, deal_id="")
                out.notes.append(t("One row per recipient and system (the page can show one row per deal)."))
            if gantt.empty:
                continue
            rows = sorted(gantt["row_order"].unique())
            if len(rows) > max_rows:
                keep = set(rows[-max_rows:])  # the latest signatures
                out.notes.append(t("The {n} most recent of {total} rows; the Timeline page has all.", n=max_rows,
                                   total=len(rows)))
                gantt = gantt[gantt["row_order"].isin(keep)]
            gantt = names.gantt_labels(gantt, by_system)  # row labels in the interface language, as on the page
            fig = ct.gantt_chart(gantt, events, by_system=by_system, large=True)
            fig.update_layout(margin={"t": 110, "b": 40})
            fig.layout.yaxis.tickfont.size = TICK_PX
            shown = len(rows) if len(rows) <= max_rows else max_rows
            fig = slide_figure(fig, height, dark, t("From signature to delivery") + (
                " " + t("(the {n} latest of {total} rows)", n=shown, total=len(rows)) if len(rows) > max_rows
                else ""))
            fig.update_layout(legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xref": "paper",
                                      "yref": "paper"}, margin={"t": 150})
            fig.update_xaxes(side="bottom")
            out.panels.append(Chart("gantt", t("From signature to delivery"), fig))
        elif key == "value":
            usd = filters.basis == "usd"
            value = queries.run_filtered("timeline_value_by_year" if usd else "timeline_tiv_value_by_year", filters,
                                         deal_id="")
            if not value.empty:
                fig = ct.value_by_year_chart(value, filters.basis, events, large=True)
                out.panels.append(Chart("value", t("Value by year"), slide_figure(fig, height, dark)))
        elif key == "units":
            units = queries.run_filtered("timeline_units_by_year", filters, deal_id="",
                                         munitions=bool(opts.get("tl_munitions", False)))
            if units["units"].notna().any():
                fig = ct.units_by_year_chart(units, events, large=True)
                out.panels.append(Chart("units", t("Units by year"), slide_figure(fig, height, dark)))
        elif key == "speed":
            speed = queries.run_filtered("timeline_speed", filters, deal_id="")
            if not speed.empty:
                fig = ct.speed_chart(names.gantt_labels(speed.head(max_rows), by_system=False), large=True)
                fig.layout.yaxis.tickfont.size = TICK_PX
                out.panels.append(Chart("speed", t("Signing to first delivery"),
                                        slide_figure(fig, height, dark, t("Signing to first delivery"))))
    if not out.panels:
        out.empty = t("No deals match these filters.")
    out.widths = [1.0] * len(out.panels)
    return out


def _map(slide: Slide, filters: Filters, dark: bool) -> SlideContent:
    o = slide.options
    measure = str(o.get("map_measure", filters.basis))
    if measure not in cm.MEASURES:
        measure = filters.basis
    basis = measure if measure in ("usd", "tiv") else filters.basis
    f = replace(filters, basis=basis)
    opts = cm.MapOptions(measure=measure, basis=basis, scale=str(o.get("map_scale", "log")) if o.get(
        "map_scale") in cm.SCALES else "log", mode="cumulative",
        preset=str(o.get("map_preset", "World")) if o.get("map_preset") in cm.PRESETS else "World",
        outlines=tuple(x for x in ("nato", "eu") if x in (o.get("map_outlines") or [])),
        flows=o.get("map_flows", True) not in (False, "false", "0"), large=True)
    data = queries.run_filtered("map_recipients" if basis == "usd" else "map_recipients_tiv", f)
    rows, totals = data[data["year"].notna()], data[data["year"].isna()]
    if "iso3" in data:  # country names in the interface language
        shown_names = {i: names.country(i, str(c)) for i, c in zip(data["iso3"], data["country"].astype(str))}
        rows = rows.assign(country=rows["iso3"].map(shown_names).fillna(rows["country"]))
        totals = totals.assign(country=totals["iso3"].map(shown_names).fillna(totals["country"]))
    out = SlideContent("map")
    if totals.empty:
        out.empty = t("No recipients match these filters.")
        return out
    countries = queries.run("map_countries")
    facilities = (queries.run("map_facilities", {"regions": list(f.regions), "countries": list(f.countries),
                                                 "nato": f.nato, "eu": f.eu})
                  if o.get("map_facilities", True) not in (False, "false", "0") else pd.DataFrame())
    height = body_height(False)
    fig = slide_figure(cm.recipients_map(rows, totals, countries, facilities, opts), height, dark)
    fig.layout.annotations = []
    fig.update_layout(margin={"l": 0, "r": 0, "t": 60, "b": 0}, dragmode=False)
    out.panels.append(Chart("map", t("Map"), fig))
    col = cm.measure_column(measure)
    ranked = totals.sort_values([col, "deals"], ascending=False, na_position="last")
    if opts.preset != "World":
        ranked = ranked[ranked["region"] == opts.preset]
    n = table_rows_that_fit(height)
    label = {"usd": t("USD m"), "tiv": t("TIV m"), "units": t("Units"), "deals": t("Deals")}[measure]
    out.panels.append(Table("ranking", t("Recipients, {start}–{end}", start=f.year_from, end=f.year_to),
                            [t("Recipient"), label],
                            [[cell(r.country), cell(getattr(r, col), "{:,.0f}")] for r in ranked.head(n).itertuples()],
                            _more(len(ranked), n, N_("recipients")), numeric=(1,)))
    out.widths = [3.0, 1.0]
    out.notes.append(t("Colour and line width: {measure} by recipient, {kind} years {start}–{end}.",
                       measure=cm.measure_label(measure, basis), kind=t("signing") if basis == "usd" else t("order"),
                       start=f.year_from, end=f.year_to))
    return out


def _suppliers(slide: Slide, filters: Filters, dark: bool) -> SlideContent:
    o = slide.options
    view = o.get("sup_view", SUPPLIER_VIEWS[0])
    view = view if view in SUPPLIER_VIEWS else SUPPLIER_VIEWS[0]
    picked = o.get("sup_suppliers")
    suppliers = [KOREA, *[s for s in (picked if isinstance(picked, list) else LEADING) if s != KOREA]]
    world = replace(filters, regions=(), nato=False, eu=False, countries=())
    scope = scope_label(filters)
    out = SlideContent("suppliers")
    height = body_height(False)
    specs: list[tuple[str, str, pd.DataFrame, tuple]] = []  # key, builder, frame, args (title, note)
    windows = queries.run_filtered("suppliers_windows", filters)
    label = start = None
    if not windows.empty:
        starts = dict(zip(windows["window_label"], windows["window_start"], strict=True))
        label = o.get("sup_window") if o.get("sup_window") in starts else windows["window_label"].iloc[-1]
        start = int(starts[label])
    if view == "Share & rank" and start is not None:
        win = queries.run_filtered("suppliers_share", world, suppliers=suppliers, by_window=True)
        specs += [("share", "share_lines", win, ("period_label", t("Share of world exports, five-year windows"), "")),
                  ("rank", "rank_bump", win, (t("Rank among supplier states, five-year windows"), ""))]
    elif view == "Recipient markets" and start is not None:
        top = queries.run_filtered("suppliers_top", filters, window_start=start, top_n=10, suppliers=[KOREA])
        market = queries.run_filtered("suppliers_share", filters, suppliers=suppliers, by_window=True)
        specs += [("top", "top_suppliers_bars", top, (t("Who supplies {scope}, {window}", scope=scope, window=label), "")),
                  ("market", "share_lines", market, ("period_label", t("Share of deliveries to {scope}", scope=scope), ""))]
    elif view == "Speed & order book":
        speed = queries.run_filtered("suppliers_speed", filters, suppliers=suppliers, new_only=False,
                                     sup_category="")
        book = queries.run_filtered("suppliers_order_book", filters, suppliers=suppliers, top_n=15)
        specs += [("speed", "speed_box", speed, (t("Years from order to first delivery"), "")),
                  ("book", "order_book_bars", book, (t("Order book: TIV ordered, not yet delivered"), ""))]
    elif view == "Rival systems":
        classes = queries.run("suppliers_rival_classes")["system_class"].tolist()
        if classes:
            klass = o.get("sup_class") if o.get("sup_class") in classes else classes[0]
            families = queries.run_filtered("suppliers_rival_families", filters, system_class=klass)
            orders = queries.run_filtered("suppliers_rival_orders", filters, system_class=klass)
            specs += [("units", "rival_units_bars", families, (t("{system_class}: units ordered and delivered", system_class=names.rival_class(klass)), "")),
                      ("orders", "rival_orders_scatter", orders,
                       (families["system_family"].tolist(), t("{system_class}: export orders by year", system_class=names.rival_class(klass)), ""))]
    elif view == "Korean firms":
        by_year = queries.run_filtered("suppliers_firms_by_year", filters, top_n=6)
        by_region = queries.run_filtered("suppliers_firms_by_region", filters)
        specs += [("firms_year", "firm_value_by_year", by_year, (t("Contract value by year and prime contractor"), "")),
                  ("firms_region", "firm_value_by_region", by_region, (t("Contract value by recipient region"), ""))]
    wanted = _wanted(slide, [s[0] for s in specs])
    for key, builder, frame, args in specs:
        if key not in wanted or frame.empty:
            continue
        fig = getattr(cs, builder)(frame, *args, large=True)
        if builder == "share_lines":
            fig.update_xaxes(categoryorder="category ascending")
        title = next(a for a in args if isinstance(a, str) and a and a != "period_label")
        out.panels.append(Chart(key, title, slide_figure(fig, height, dark, title)))
    if not out.panels:
        out.empty = t("Nothing to compare for these filters.")
    out.widths = [1.0] * len(out.panels)
    out.notes.append(t("{view}: recipients = {scope}; SIPRI deliveries and orders (TIV)", view=t(view), scope=scope)
                     if view != "Korean firms" else t("Korean firms: ledger contract values (USD)."))
    return out


def scope_label(f: Filters) -> str:
    """The recipients the filters select, in words."""
    parts = [names.region(r) for r in f.regions] + ([t("NATO members")] if f.nato else []) + (
        [t("EU members")] if f.eu else [])
    parts += [names.country(c, f.country_labels.get(c, c)) for c in f.countries]
    return " + ".join(parts) if parts else t("all recipients")


def _data(slide: Slide, filters: Filters, dark: bool) -> SlideContent:
    summary = queries.run("data_summary")
    n = table_rows_that_fit(body_height(False))
    return SlideContent("data", panels=[Table("data", t("Data loaded"), [t("View"), t("Rows")],
                                              [[cell(r.view), cell(r.rows, "{:,.0f}")]
                                               for r in summary.head(n).itertuples()],
                                              _more(len(summary), n, N_("views")), numeric=(1,))], widths=[1.0])


# ------------------------------------------------------------------------------------------------ HTML pieces

def metrics_html(metrics: list[Metric]) -> str:
    """Key figures that always fit: the value's size follows the tile's width and the text's length."""
    if not metrics:
        return ""
    tile_w = (CANVAS_W - 2 * PAD_X - GAP * (len(metrics) - 1)) / len(metrics)
    tiles = []
    for m in metrics:
        size = int(min(56, (tile_w - 36) / (0.6 * max(len(m.value), 1))))
        label = int(min(22, (tile_w - 36) / (0.55 * max(len(m.label), 1))))
        note = int(min(17, (tile_w - 36) / (0.52 * max(len(m.note), 1))))
        tiles.append(f"<div class='kd-tile'><div class='kd-tile-label' style='font-size:{label}px'>{esc(m.label)}</div>"
                     f"<div class='kd-tile-value' style='font-size:{size}px'>{esc(m.value)}</div>"
                     + (f"<div class='kd-tile-note' style='font-size:{note}px'>{esc(m.note)}</div>" if m.note else "")
                     + "</div>")
    return f"<div class='kd-tiles'>{''.join(tiles)}</div>"


def table_html(table: Table) -> str:
    head = "".join(f"<th class='{'num' if i in table.numeric else ''}'>{esc(c)}</th>"
                   for i, c in enumerate(table.columns))
    body = "".join("<tr>" + "".join(f"<td class='{'num' if i in table.numeric else ''}'>{esc(v)}</td>"
                                    for i, v in enumerate(row)) + "</tr>" for row in table.rows)
    more = f"<div class='kd-more'>{esc(table.more)}</div>" if table.more else ""
    return (f"<div class='kd-table'><div class='kd-table-title'>{esc(table.title)}</div>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}</div>")


def figure_json(fig: go.Figure) -> str:
    """The figure as JSON that is safe inside a <script> element."""
    return fig.to_json(validate=False).replace("</", "<\\/").replace("<!--", "<\\!--")


DRAW_JS = """
window.kdDraw = function (topojsonURL) {
  const failed = e => { document.body.dataset.drawError = String((e && e.message) || e); };
  const charts = [...document.querySelectorAll('.kd-chart')].map(div => {
    try {
      const fig = JSON.parse(document.getElementById(div.id + '-json').textContent);
      return Plotly.newPlot(div, fig.data, fig.layout,
        {staticPlot: true, displayModeBar: false, topojsonURL: topojsonURL});
    } catch (e) { return Promise.reject(e); }
  });
  return Promise.all(charts).then(() => { document.body.dataset.drawn = String(charts.length); }, failed);
};
"""


def chart_html(div_id: str, fig: go.Figure) -> str:
    """A chart's place and its figure; `kdDraw` (DRAW_JS) draws every chart of the document with plotly.js."""
    return (f"<div id='{div_id}' class='kd-chart'></div>"
            f"<script type='application/json' id='{div_id}-json'>{figure_json(fig)}</script>")


def panels_html(content: SlideContent, prefix: str) -> str:
    """The slide's panels side by side at their canvas widths: charts (drawn by DRAW_JS) and tables."""
    panels = []
    for i, (panel, width) in enumerate(zip(content.panels, panel_widths(content.widths), strict=True)):
        inner = chart_html(f"{prefix}c{i}", panel.figure) if isinstance(panel, Chart) else table_html(panel)
        panels.append(f"<div class='kd-panel' style='width:{width}px'>{inner}</div>")
    return f"<div class='kd-panels'>{''.join(panels)}</div>"


KOREAN_FONT_FILES = {400: "noto-sans-kr-korean-400-normal.woff2", 700: "noto-sans-kr-korean-700-normal.woff2"}
KOREAN_RANGE = "U+1100-11FF, U+3000-303F, U+3131-318E, U+A960-A97F, U+AC00-D7A3, U+D7B0-D7FF"
# The app's theme font (.streamlit/config.toml): Noto Sans KR for Hangul, then Streamlit's own Source Sans for the
# rest. Slide HTML outside the app's document (the chart frame, the exported deck) declares both itself
# (korean_font_css, latin_font_css); "Source Sans Pro", named here before, is served by nobody, so Latin text fell
# through to the system's Helvetica (Liberation Sans).
FONT_STACK = "'Noto Sans KR', 'Source Sans', sans-serif"
LATIN_FONT_GLOB = "SourceSansVF-Upright.ttf.*.woff2"


def latin_font_file() -> Path | None:
    """Source Sans (variable, upright) as Streamlit's frontend serves it from /static/media/ (the name carries a
    hash that changes with Streamlit's version, so it is looked up)."""
    spec = importlib.util.find_spec("streamlit")
    if spec is None or spec.origin is None:
        return None
    return next(iter(sorted((Path(spec.origin).parent / "static" / "static" / "media").glob(LATIN_FONT_GLOB))), None)


def latin_font_css(media_url: str) -> str:
    """@font-face of the app's Latin font, 'Source Sans', from `media_url` (where latin_font_file is served)."""
    font = latin_font_file()
    if font is None:
        return ""
    return (f"@font-face {{font-family: 'Source Sans'; font-weight: 200 900; font-style: normal; "
            f"src: url('{media_url}{font.name}') format('woff2');}}\n")


def korean_font_css(fonts_url: str) -> str:
    """@font-face rules of the self-hosted Noto Sans KR (static/fonts), for Hangul only, as the app declares it
    (.streamlit/config.toml): slide HTML outside the app (chart frames, exported decks) draws Korean with it."""
    return "".join(f"@font-face {{font-family: 'Noto Sans KR'; font-weight: {weight}; font-style: normal; "
                   f"src: url('{fonts_url}{name}') format('woff2'); unicode-range: {KOREAN_RANGE};}}\n"
                   for weight, name in KOREAN_FONT_FILES.items())


def slide_css(dark: bool) -> str:
    """Styles of the slide's own HTML (tiles, tables, title): the same in the app and in the export."""
    fg, muted, bg, line, tile = (("#f9fafb", "#d1d5db", "#0b1220", "#4b5563", "#111827") if dark else
                                 ("#0b1220", "#374151", "#ffffff", "#d1d5db", "#f3f4f6"))
    return f"""
.kd-slide-title {{font-size: 52px; font-weight: 700; line-height: {TITLE_H}px; height: {TITLE_H}px; color: {fg};
  white-space: nowrap; overflow: visible; margin: 0;}}
.kd-slide-takeaway {{font-size: 30px; font-weight: 500; line-height: 1.25; min-height: {TAKEAWAY_H}px; color: {fg};
  margin: 0;}}
.kd-tiles {{display: flex; gap: {GAP}px; height: {METRICS_H - GAP}px;}}
.kd-tile {{flex: 1 1 0; min-width: 0; background: {tile}; border-radius: 10px; padding: 12px 16px;
  display: flex; flex-direction: column; justify-content: center; gap: 4px; border: 1px solid {line};}}
.kd-tile-label, .kd-tile-note {{color: {muted}; line-height: 1.15; white-space: nowrap;}}
.kd-tile-value {{color: {fg}; font-weight: 700; line-height: 1.05; white-space: nowrap;}}
.kd-table {{color: {fg}; font-size: 22px;}}
.kd-table-title {{font-size: 26px; font-weight: 600; margin: 4px 0 8px 0;}}
.kd-table table {{border-collapse: collapse; width: 100%;}}
.kd-table th, .kd-table td {{text-align: left; padding: 4px 10px; border-bottom: 1px solid {line};
  height: {TABLE_ROW_H - 9}px; white-space: nowrap; font-size: 22px; color: {fg};}}
.kd-table th {{font-weight: 600; color: {muted};}}
.kd-table .num {{text-align: right;}}
.kd-more {{font-size: 20px; color: {muted}; margin-top: 6px;}}
.kd-empty {{font-size: 30px; color: {muted}; padding: 40px 0;}}
.kd-panels {{display: flex; gap: {GAP}px; align-items: flex-start;}}
.kd-panel {{flex: none;}}
"""

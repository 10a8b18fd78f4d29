"""Timeline: from signature to delivery, year by year (deal Gantt, yearly value and units, order book, speed)."""

import pandas as pd
import streamlit as st

from kdefense import charts, fmt, names, queries, settings, ui
from kdefense import charts_tenders as ctn
from kdefense import charts_timeline as ct
from kdefense.i18n import N_, t

ROWS = {"deal": N_("One row per deal"), "system": N_("One row per system")}
BOOK = {"units": N_("Units"), "value": N_("Value")}
# Questions asked as one statement (queries.run_parts): each part with the columns of the question it answers
YEARLY = {"value": ["year", "series", "region", "value_usd_bn", "deals", "deals_with_value", "source_ids"],
          "units": ["year", "kind", "system_family", "units", "deals", "rows_without_units"]}
BOOK_COLUMNS = ["units_outstanding", "value_usd_m_outstanding", "open_deals", "open_deals_without_value"]
BOOK_TABLES = {"orderbook": ["year", "region", *BOOK_COLUMNS],
               "orderbook_now": ["recipient", "recipient_iso3", "region", *BOOK_COLUMNS, "open_deal_ids",
                                 "overdue_deals", "units_overdue", "overdue_deal_ids"]}
SPEED_TABLE = {"speed": ["deal_id", "row_label", "recipient", "recipient_region", "system_family", "designation",
                         "armament_category", "status", "signed_date", "signed_year", "quantity",
                         "first_delivery_year", "first_year_units", "first_year_origin", "years_to_first_delivery",
                         "years_waiting", "others_median_years", "others_p25_years", "others_p75_years",
                         "others_records", "years_vs_median", "source_ids"]}  # BOOK_TABLES + this: timeline_tables

filters = ui.current_filters()
usd = filters.basis == "usd"
ui.page_header(t("Timeline"), filters, t("From signature to delivery, year by year: when deals were signed, when the "
                                         "equipment arrived, what is still on order, and how fast Korea delivers."))

state = st.session_state


def gantt_question() -> str:
    return "timeline_gantt_system" if state.get("tl_rows") == "system" else "timeline_gantt"


def ask_ahead(deal_id: str, munitions: bool, book: str | None, gantt: bool = True) -> None:
    """Start the page's questions in the background, each thread asking in the order the page draws: one the Gantt,
    then the order book and speed; the other the tender decisions, then the year-by-year charts. On the
    contract-value basis the year-by-year charts are one question (timeline_yearly.sql); the order book (units,
    and value in USD) and the speed are one (timeline_tables.sql): fewer statements to bind and plan."""
    tiv_book = ("timeline_tiv_orderbook", "timeline_tiv_orderbook_now") if book == "value" and not usd else ()
    yearly = ("timeline_yearly",) if usd else ("timeline_tiv_value_by_year", "timeline_units_by_year")
    queries.prefetch_filtered([*((gantt_question(),) if gantt else ()), "timeline_tables", *tiv_book], filters,
                              in_turn=True, deal_id=deal_id, munitions=munitions)
    queries.prefetch_filtered(["timeline_tenders", *yearly], filters, in_turn=True, deal_id=deal_id,
                              munitions=munitions)


# Every question starts now, in the background, with the page options as the session left them (a deal no longer in
# the filters is dropped below, and the page then asks for the rest again, for all deals), while the script asks for
# the deal picker's options itself (asking them in the background too only held a thread waiting for the script's
# answer). Started once the Gantt was answered, as before, the later questions left one CPU idle while the script
# waited for the Gantt.
asked_deal = state.get("tl_deal") or ""
ask_ahead(asked_deal, bool(state.get("tl_munitions")), state.get("tl_book"))
options = queries.run_filtered("timeline_deal_options", filters)
if options.empty:
    st.info(t("No deals match these filters. Widen the years, add statuses, clear the search, or press "
              "**Reset filters**."))
    st.stop()

deal_labels = names.deal_labels(options)
if state.get("tl_deal") not in deal_labels:
    state["tl_deal"] = None
state.setdefault("tl_rows", "deal")
state.setdefault("tl_events", True)
state.setdefault("tl_munitions", False)
state.setdefault("tl_book", "units")

# two rows: in one, "One row per system", "Context events" and the munitions toggle were cut at 1366 px
controls = [*st.columns([3, 2], vertical_alignment="bottom"), *st.columns([1, 1.6, 1.4], vertical_alignment="bottom")]
focus = controls[0].selectbox(
    t("One deal"), list(deal_labels), format_func=deal_labels.get, key="tl_deal",
    placeholder=t("All {n} deals in the filters", n=fmt.number(options["in_filters"].sum())),
    help=t("Pick one deal to see it alone; a framework agreement brings its executive contracts along (those that "
           "pass the filters)."))
by_system = controls[1].segmented_control(t("Gantt rows"), list(ROWS), format_func=lambda r: t(ROWS[r]),
                                          key="tl_rows", required=True) == "system"
show_events = controls[2].toggle(t("Context events"), key="tl_events",
                                 help=t("The 2022 invasion of Ukraine, NATO summits, IQDEX, ADEX… on every time axis."))
munitions = controls[3].toggle(t("Count missiles & ammunition"), key="tl_munitions",
                               help=t("Rockets, missiles, shells and small arms are counted in thousands; by default "
                                      "they are left out of the unit charts (the Gantt and the speed chart always "
                                      "show them)."))
deal_id = focus or ""
if focus:
    st.caption(t("One deal: **{deal}**, with its executive contracts if it is a framework agreement.",
                 deal=deal_labels[focus]))
events = queries.run("timeline_events") if show_events else None


TENDER_NOTE = N_("Markers above the bars: tender decisions (● won, ✕ lost, ▲ withdrawn, □ cancelled) at the decision "
                 "year; the status, kind and category filters do not apply to competitions.")
TITLES = {"tl_gantt": N_("From signature to delivery"), "tl_speed": N_("Speed: signing to first delivery"),
          "tl_book_now": N_("Order book now")}


def chart(fig, df: pd.DataFrame, view: str, key: str, scroll: bool = False) -> None:
    """The chart (in a scrolling box when it is tall), then the download of exactly the rows it draws. Sent to be
    drawn with less work by the browser (ui.stamped's quick_draw): a filter change redraws all seven charts."""
    # the box scrolls by the app's CSS (ui.CSS): in st.container(height=…) the chart would be drawn first 700 px wide
    box = st.container(border=False, key=f"tl_box_{key}") if scroll else st.container()
    with box:
        if scroll:
            ui.scroll_region_hint(t(TITLES.get(key, view)))
        ui.plotly(fig, f"chart_{key}", filters, charts.readable(fig).layout.title.text or t(TITLES.get(key, view)),
                  quick_draw=True)
    ui.chart_data(df, view, filters, key)


# --- Gantt -------------------------------------------------------------------------------------------------------
st.header(t("From signature to delivery"))
gantt = queries.run_filtered(gantt_question(), filters, deal_id=deal_id)
if deal_id != asked_deal:  # the session's deal left the filters: asked again for all deals (the Gantt just below)
    ask_ahead(deal_id, munitions, state["tl_book"], gantt=False)
gantt = names.gantt_labels(gantt, by_system)  # the SQL labels rows in English; 한국어: Korean names
if gantt.empty:
    st.info(t("Nothing to draw for these filters."))
else:
    fig = ui.figure(ct.gantt_chart, gantt, events, by_system=by_system)
    rows = charts.readable(fig).layout.meta["rows"]
    if by_system:
        st.caption(t("{rows} recipient–system rows from {deals} deals. Each marker is one contract; bars sum the "
                     "deliveries of the row's deals.", rows=rows, deals=gantt["deal_id"].nunique()))
    else:
        context = int((~gantt["selected"][~gantt["deal_id"].duplicated()]).sum())  # one column, not a sub-frame
        st.caption(t("{n} deals", n=rows - context)
                   + (t(", under {n} framework agreements shown for context (outside the status filter)", n=context)
                      if context else "")
                   + t(". ↳ marks an executive contract under its framework agreement."))
    chart(fig, gantt, "timeline-gantt", "tl_gantt", scroll=rows > ct.TALL_ROWS)
    late = int((gantt["part"] == "overdue").sum())
    such = (t("{n} such year here", n=late) if late == 1 else t("{n} such years here", n=late)) if late else ""
    st.caption(t("Solid blue: a year with recorded deliveries (SIPRI's per-year register to 2024, the ledger from "
                 "2025). Hatched orange: planned deliveries. Red cross-hatched, **overdue**: deliveries planned for "
                 "a year that has ended with none recorded{such}. Grey: signed, waiting for the first delivery (to "
                 "the data's as-of date when none is recorded). Outline: a framework agreement's span. Open red "
                 "circle: a prospect at its latest news. Dates known only to the month or year are drawn from the "
                 "1st.", such=f" ({such})" if such else ""))

# --- Tender decisions ---------------------------------------------------------------------------------------------
tenders = queries.run_filtered("timeline_tenders", filters, deal_id=deal_id)
tenders = tenders.assign(recipient=tenders["recipient"].map(names.country_by_name),  # 한국어: Korean names
                         system_family=tenders["system_family"].map(names.system))
if not tenders.empty:
    st.header(t("Tender decisions"))
    note = t("One marker per decided competition a Korean bidder entered, at its decision year, by system family and "
             "outcome for Korea (the same markers sit on the yearly value chart below). Region, country, system, "
             "company, year and search filters apply; see the Tenders page.")
    chart(ui.figure(ctn.tender_markers, tenders, t("Tender decisions: won, lost, withdrawn, cancelled"), note),
          tenders, "timeline-tenders", "tl_tenders")

# --- Year by year --------------------------------------------------------------------------------------------------
st.header(t("Year by year"))
yearly = (queries.run_parts("timeline_yearly", filters, YEARLY, deal_id=deal_id, munitions=munitions) if usd else
          {"units": queries.run_filtered("timeline_units_by_year", filters, deal_id=deal_id, munitions=munitions)})
left, right = st.columns(2)
with left:
    if usd:
        value = yearly["value"]
        ledger = value["series"] == "Ledger"  # a mask read column by column below: no sub-frame of every column
        if not ledger.any():
            st.info(t("No signed deals (contract, delivering, completed) in this selection, so no contract value."))
        else:
            chart(ui.figure(ct.value_by_year_chart, value, "usd", events, tenders), value, "timeline-value-by-year",
                  "tl_value")
            st.caption(t(
                "Bars: contracts signed each year, by recipient region; {valued} of {deals} signed deals state a "
                "value. A framework agreement whose executive contracts carry the value is counted once. Line: South "
                "Korea's official annual export orders (all destinations, not filtered). Never mixed with SIPRI TIV.",
                valued=int(value["deals_with_value"][ledger].sum()), deals=int(value["deals"][ledger].sum()))
                + " " + t(TENDER_NOTE))
    else:
        value = queries.run_filtered("timeline_tiv_value_by_year", filters, deal_id=deal_id)
        if value.empty:
            st.info(t("No SIPRI records match these filters (SIPRI covers orders to its latest update)."))
        else:
            chart(ui.figure(ct.value_by_year_chart, value, "tiv", events, tenders), value,
                  "timeline-tiv-by-order-year", "tl_value")
            st.caption(t("SIPRI TIV of South Korea's orders, by order year and recipient region. Official totals "
                         "are in US dollars and are shown only on the contract-value basis.") + " "
                       + t(settings.TIV_CAVEAT) + " " + t(TENDER_NOTE))
with right:
    units = yearly["units"]
    if units["units"].notna().sum() == 0:
        st.info(t("No delivered or planned units in this selection.")
                + ("" if munitions else " " + t("Missiles, ammunition and small arms are left out: switch on **Count "
                                                "missiles & ammunition** to count them.")))
    else:
        chart(ui.figure(ct.units_by_year_chart, units, events), units, "timeline-units-by-year", "tl_units")
        missing = int(units["rows_without_units"].sum())
        st.caption(t("Units per year of the filtered deals (all statuses the filter admits), by system family; "
                     "families beyond the top eight are grouped.")
                   + ("" if munitions else " " + t("Missiles, ammunition and small arms left out."))
                   + (" " + t("{n} delivery years with no unit count are not drawn.", n=missing) if missing else ""))

# --- Order book ---------------------------------------------------------------------------------------------------
@st.fragment
def order_book() -> None:
    """The order book and its Measure switch: switching the measure reruns this section only (the sidebar, the other
    charts and their queries stay as they are); any other change reruns the whole page."""
    st.header(t("Order book: ordered, not yet delivered"))
    value_name = t("contract value (USD)") if usd else t("SIPRI TIV")
    book = st.segmented_control(t("Measure"), list(BOOK), key="tl_book", required=True,
                                format_func=lambda k: t("Units") if k == "units" else t("Value: {name}", name=value_name))
    tiv_book = book == "value" and not usd
    if tiv_book:
        over_time = queries.run_filtered("timeline_tiv_orderbook", filters, deal_id=deal_id)
        now = queries.run_filtered("timeline_tiv_orderbook_now", filters, deal_id=deal_id)
        col, unit_label = "tiv_outstanding_m", t("TIV, millions")
    else:
        book_tables = queries.run_parts("timeline_tables", filters, BOOK_TABLES, deal_id=deal_id,
                                        munitions=munitions)
        over_time, now = book_tables["orderbook"], book_tables["orderbook_now"]
        col, unit_label = ("units_outstanding", t("units")) if book == "units" else ("value_usd_m_outstanding", t("USD m"))
    left, right = st.columns(2)
    if over_time.empty or over_time[col].fillna(0).sum() == 0:
        with left:
            st.info(t("Nothing on order in this selection: no signed deal with a stated quantity.")
                    + (" " + t("Missiles, ammunition and small arms left out.") if not munitions and not tiv_book else ""))
    else:
        as_of = t("end of {year}", year=int(over_time["year"].max()))
        with left:
            chart(ui.figure(ct.orderbook_chart, over_time, col, unit_label, events), over_time, "timeline-order-book",
                  "tl_book")
        with right:
            if now.empty:
                st.info(t("Everything ordered in this selection had been delivered by the {as_of}.", as_of=as_of))
            else:
                shown_now = now.assign(recipient=now["recipient"].map(names.country_by_name))
                chart(ui.figure(ct.orderbook_now_chart, shown_now, col, unit_label, as_of), now,
                      "timeline-order-book-now", "tl_book_now")
    if tiv_book:
        st.caption(t("TIV ordered (by order year, SIPRI register) minus TIV delivered (by delivery year, SIPRI's "
                     "per-year register), per SIPRI record, never below zero.") + " " + t(settings.TIV_CAVEAT))
    else:
        st.caption(t("Signed deals with a stated quantity: units ordered minus units delivered so far, per deal and "
                     "year; a completed deal counts zero from its last recorded delivery.")
                   + (" " + t("Value pro-rates each deal's counted contract value by the share still to deliver; deals "
                              "without a disclosed value add nothing.") if book == "value" else "")
                   + ("" if munitions else " " + t("Missiles, ammunition and small arms left out."))
                   + " " + t("**⚠ overdue** (red outline): a recipient with deliveries planned for a year that has ended "
                             "and none recorded."))


order_book()

# --- Speed --------------------------------------------------------------------------------------------------------
st.header(t("Speed: signing to first delivery"))
speed = queries.run_parts("timeline_tables", filters, SPEED_TABLE, deal_id=deal_id, munitions=munitions)["speed"]
if speed.empty:
    st.info(t("No signed deals in this selection, so no delivery speed to show."))
else:
    delivered = speed["years_to_first_delivery"].notna()  # the two columns read, not sub-frames of every column
    done = speed["years_to_first_delivery"][delivered]
    compared = speed["years_vs_median"][delivered].dropna()
    if not compared.empty:
        faster = int((compared < 0).sum())
        same = int((compared == 0).sum())
        st.markdown(t(
            "**{faster} of {total}** delivered deals reached their first delivery faster than the median of other "
            "suppliers in the same SIPRI category, **{same}** as fast, **{slower}** slower. Korean median: "
            "**{median} years** from signing.", faster=faster, total=len(compared), same=same,
            slower=len(compared) - faster - same, median=f"{done.median():g}"))
    fig = ui.figure(ct.speed_chart, names.gantt_labels(speed, by_system=False))  # row labels as on the Gantt
    chart(fig, speed, "timeline-speed", "tl_speed", scroll=charts.readable(fig).layout.meta["rows"] > ct.TALL_ROWS)
    st.caption(t("Calendar years between the signing year and the first year with a recorded delivery (0 = the "
                 "same year; deliveries are known by year, not month). Benchmark: SIPRI records of new equipment from "
                 "other suppliers, ordered from 2000 on with a firm order year, median (first delivery year − order "
                 "year) per armament category; the grey bar spans the middle half. Ammunition and services have no "
                 "SIPRI benchmark."))

if show_events:
    with st.expander(t("Context events on the time axes"), icon=":material/event:"):
        st.dataframe(fmt.table_dates(events).assign(kind=events["kind"].map(names.event_kind)), hide_index=True, placeholder="—", width="stretch", column_order=["date", "title", "kind",
                                                                             "country_iso3", "source_ids"],
                     column_config={"date": t("Date"), "title": t("Event"), "kind": t("Kind"),
                                    "country_iso3": t("Country"), "source_ids": t("Sources")})

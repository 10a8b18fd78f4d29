"""Overview: headline figures, breakdowns, latest deals, reconciliation with official totals, data loaded."""

import pandas as pd
import streamlit as st

from kdefense import charts, fmt, names, queries, settings, ui
from kdefense.i18n import t

UNIT_COLUMNS = [f"{group}_{what}" for group in ("units", "platforms", "munitions")
                for what in ("ordered", "delivered", "outstanding")] + ["small_arms_ordered"]

filters = ui.current_filters()
usd = filters.basis == "usd"
ui.page_header(t("South Korea's defence exports"), filters,
               t("Every Korean arms deal and delivery: contract money from the ledger, volumes from SIPRI."))

prefix = "overview_" if usd else "overview_tiv_"
headline_columns = ["deals", "recipients", *(("value_usd_m", "deals_with_value") if usd else
                                            ("tiv_order_m", "tiv_delivered_m")), *UNIT_COLUMNS]
# The page's other questions start now, in the background (queries.prefetch_filtered), the longest first: DuckDB
# answers them while this thread asks the headlines (asked at once: a background start would only make it wait)
# and draws the metrics and the first charts.
queries.prefetch_filtered([f"{prefix}tables", "reconciliation"], filters)
# the headline of the period shown and of the one before (the deltas): one question, split by period
headlines = queries.run_parts(f"{prefix}headlines", filters.with_previous_period(),
                              dict.fromkeys(("current", "previous"), headline_columns), period_from=filters.year_from)
head, before = headlines["current"].iloc[0], headlines["previous"].iloc[0]

if not head["deals"]:
    st.info(t("No deals match these filters. Widen the years, clear the search, or press **Reset filters**."))
else:
    value_col, value_label = ("value_usd_m", t("Contract value")) if usd else ("tiv_order_m", t("SIPRI TIV ordered"))
    # deltas only against a previous period that has data: 1972–2026 against "1917–1971" would say nothing
    compare = bool(before["deals"])
    prev = filters.previous_period()

    def delta(name: str, unit: str):
        return ui.metric_delta(head[name], before[name], unit) if compare else None

    cols = st.columns(6)
    value = head[value_col]
    cols[0].metric(value_label, fmt.usd_bn(value, unit=False) if usd else fmt.tiv_m(value, unit=False),
                   delta(value_col, "usd_m" if usd else "tiv_m"),
                   help=t("Sum of cited contract values converted to USD at the signing year's average rate; "
                          "{valued} of {deals} deals carry a value.", valued=int(head["deals_with_value"]),
                          deals=int(head["deals"])) if usd
                   else t(settings.TIV_CAVEAT))
    cols[1].metric(t("Deals"), fmt.number(head["deals"]), delta("deals", "deals"))
    cols[2].metric(t("Recipients"), fmt.number(head["recipients"]), delta("recipients", "recipients"))
    for col, name, label in ((cols[3], "platforms_ordered", t("Platforms ordered")),
                             (cols[4], "platforms_delivered", t("Platforms delivered")),
                             (cols[5], "platforms_outstanding", t("Platforms to deliver"))):
        col.metric(label, fmt.number(head[name]), delta(name, "units"),
                   help=t("Aircraft, vehicles, guns, ships, systems. Missiles, rockets, ammunition and small arms "
                          "are counted apart; services, MRO and upgrades are not units ordered."))

    def count(name: str) -> str:
        return "0" if pd.isna(head[name]) else fmt.number(head[name])

    comparison = (t("Changes compare with {start}–{end} (the same number of years just before), same filters.",
                    start=prev.year_from, end=prev.year_to) if compare else
                  t("No change shown: no deal matches these filters in {start}–{end}, the period of the same "
                    "length just before.", start=prev.year_from, end=prev.year_to))
    st.caption(t("Munitions counted apart (missiles, rockets, shells, charges): **{ordered}** ordered, {delivered} "
                 "delivered, {outstanding} to deliver", ordered=count("munitions_ordered"),
                 delivered=count("munitions_delivered"), outstanding=count("munitions_outstanding"))
               + (t("; small arms **{n}** ordered", n=count("small_arms_ordered")) if usd else "")
               + t(". Services, MRO and upgrades are not counted as units.") + " " + comparison
               + ("" if usd else " " + t(settings.TIV_CAVEAT)))

    # the breakdowns and the latest deals: one question (overview_tables.sql), split into what each part asks
    value_cols = [value_col, "deals"]
    tables = queries.run_parts(f"{prefix}tables", filters, {
        "by_region": ["region", *value_cols, "recipients"],
        "top_recipients": ["recipient", "recipient_iso3", "region", *value_cols],
        "top_systems": ["system_family", *value_cols, "recipients"],
        **({"latest_deals": ["signed_date", "recipient", "system_family", "quantity", "currency", "value_amount_m",
                             "value_usd_m", "status", "deal_id"]} if usd else {})})
    region = tables["by_region"]
    if region[value_col].notna().any():
        left, mid, right = st.columns(3)
        with left:
            ui.chart_with_data(ui.figure(charts.region_bars, region, value_col, filters.basis), region, "by-region",
                               filters, "region", quick_draw=True)
        top_r = tables["top_recipients"]
        shown_r = top_r.assign(recipient=[names.country(i, n) for i, n in zip(top_r["recipient_iso3"], top_r["recipient"])])
        with mid:
            fig = ui.figure(charts.ranked_bars, shown_r, "recipient", value_col, filters.basis, t("Top recipients"),
                            "region")
            ui.chart_with_data(fig, top_r, "top-recipients", filters, "recipients", quick_draw=True)
        top_s = tables["top_systems"]
        shown_s = top_s.assign(system_family=top_s["system_family"].map(names.system))
        with right:
            fig = ui.figure(charts.ranked_bars, shown_s, "system_family", value_col, filters.basis, t("Top systems"))
            ui.chart_with_data(fig, top_s, "top-systems", filters, "systems", quick_draw=True)
    else:
        st.info(t("None of these deals has a disclosed value, so there is nothing to chart on this value basis. "
                  "Switch the value basis to SIPRI TIV, or see the deals below."))

    if usd:
        st.header(t("Latest deals"))
        latest = tables["latest_deals"]
        shown = fmt.table_dates(latest).assign(recipient=latest["recipient"].map(names.country_by_name),
                              system_family=latest["system_family"].map(names.system),
                              status=latest["status"].map(names.status))
        st.dataframe(shown, hide_index=True, placeholder="—", width="stretch", column_config={
            "signed_date": st.column_config.TextColumn(t("Signed"), help=t("At the precision the sources give")),
            "recipient": t("Recipient"), "system_family": t("System"),
            "quantity": st.column_config.NumberColumn(t("Units"), format="%,d"), "currency": t("Currency"),
            "value_amount_m": st.column_config.NumberColumn(t("Value (m, original)"), format="%,.1f"),
            "value_usd_m": st.column_config.NumberColumn(t("Value (USD m)"), format="%,.0f"), "status": t("Status"),
            "deal_id": t("Deal id")})
        ui.downloads(latest, "latest-deals", filters, "latest")

st.header(t("Reconciliation: ledger against official totals"))
recon = queries.run_filtered("reconciliation", filters)
if recon.empty:
    st.info(t("No ledger deals or official totals in the selected years."))
else:
    st.caption(t("Official totals are South Korea's announced annual export orders (all deals; not filtered). "
                 "The ledger bars follow the filters; gaps show undisclosed values and deals the ledger lacks."))
    ui.chart_with_data(ui.figure(charts.reconciliation_chart, recon), recon, "reconciliation", filters, "recon",
                       quick_draw=True)

with st.expander(t("Data loaded"), expanded=False, icon=":material/database:"):
    info = queries.build_info()
    summary = queries.run("data_summary")
    st.dataframe(summary, hide_index=True, placeholder="—", column_config={"view": t("View"), "rows": st.column_config.NumberColumn(
        t("Rows"), format="%,d")})
    st.markdown(t("Data version **{version}**, built **{built}**; SIPRI register generated {sipri}, per-year register "
                  "generated {per_year}.", version=info["data_version"], built=fmt.timestamp(info["built_at"]),
                  sipri=fmt.timestamp(info["sipri_register_generated"]),
                  per_year=fmt.timestamp(info["sipri_per_year_generated"])))
    st.markdown(settings.SIPRI_CREDIT + " " + t(settings.SIPRI_TERMS))

"""Overview: headline figures, breakdowns, latest deals, reconciliation with official totals, data loaded."""

import pandas as pd
import streamlit as st

from kdefense import charts, queries, settings, ui

filters = ui.current_filters()
usd = filters.basis == "usd"
ui.page_header("South Korea's defence exports", filters,
               "Every Korean arms deal and delivery: contract money from the ledger, volumes from SIPRI.")

prefix = "overview_" if usd else "overview_tiv_"
head = queries.run_filtered(f"{prefix}headline", filters).iloc[0]
before = queries.run_filtered(f"{prefix}headline", filters.previous_period()).iloc[0]

if not head["deals"]:
    st.info("No deals match these filters. Widen the years, clear the search, or press **Reset filters**.")
else:
    value_col, value_label = ("value_usd_m", "Contract value") if usd else ("tiv_order_m", "SIPRI TIV ordered")
    # deltas only against a previous period that has data: 1972–2026 against "1917–1971" would say nothing
    compare = bool(before["deals"])
    prev = filters.previous_period()

    def delta(name: str, unit: str):
        return ui.metric_delta(head[name], before[name], unit) if compare else None

    cols = st.columns(6)
    value = head[value_col]
    cols[0].metric(value_label, "—" if pd.isna(value) else (f"${value / 1000:,.1f} bn" if usd else f"{value:,.0f} m TIV"),
                   delta(value_col, "usd_m" if usd else "tiv_m"),
                   help=("Sum of cited contract values converted to USD at the signing year's average rate; "
                         f"{int(head['deals_with_value'])} of {int(head['deals'])} deals carry a value.") if usd
                   else settings.TIV_CAVEAT)
    cols[1].metric("Deals", f"{int(head['deals']):,}", delta("deals", "deals"))
    cols[2].metric("Recipients", f"{int(head['recipients']):,}", delta("recipients", "recipients"))
    for col, name, label in ((cols[3], "platforms_ordered", "Platforms ordered"),
                             (cols[4], "platforms_delivered", "Platforms delivered"),
                             (cols[5], "platforms_outstanding", "Platforms to deliver")):
        col.metric(label, "—" if pd.isna(head[name]) else f"{int(head[name]):,}", delta(name, "units"),
                   help="Aircraft, vehicles, guns, ships, systems. Missiles, rockets, ammunition and small arms are counted "
                        "apart; services, MRO and upgrades are not units ordered.")

    def count(name: str) -> str:
        return "0" if pd.isna(head[name]) else f"{int(head[name]):,}"

    comparison = (f"Changes compare with {prev.year_from}–{prev.year_to} (the same number of years just before), "
                  "same filters." if compare else
                  f"No change shown: no deal matches these filters in {prev.year_from}–{prev.year_to}, the "
                  "period of the same length just before.")
    st.caption(f"Munitions counted apart (missiles, rockets, shells, charges): **{count('munitions_ordered')}** "
               f"ordered, {count('munitions_delivered')} delivered, {count('munitions_outstanding')} to deliver"
               + (f"; small arms **{count('small_arms_ordered')}** ordered" if usd else "")
               + ". Services, MRO and upgrades are not counted as units. " + comparison
               + ("" if usd else " " + settings.TIV_CAVEAT))

    region = queries.run_filtered(f"{prefix}by_region", filters)
    if region[value_col].notna().any():
        left, mid, right = st.columns(3)
        with left:
            ui.chart_with_data(ui.figure(charts.region_bars, region, value_col, filters.basis), region, "by-region",
                               filters, "region")
        top_r = queries.run_filtered(f"{prefix}top_recipients", filters)
        with mid:
            fig = ui.figure(charts.ranked_bars, top_r, "recipient", value_col, filters.basis, "Top recipients", "region")
            ui.chart_with_data(fig, top_r, "top-recipients", filters, "recipients")
        top_s = queries.run_filtered(f"{prefix}top_systems", filters)
        with right:
            fig = ui.figure(charts.ranked_bars, top_s, "system_family", value_col, filters.basis, "Top systems")
            ui.chart_with_data(fig, top_s, "top-systems", filters, "systems")
    else:
        st.info("None of these deals has a disclosed value, so there is nothing to chart on this value basis. "
                "Switch the value basis to SIPRI TIV, or see the deals below.")

    if usd:
        st.header("Latest deals")
        latest = queries.run_filtered("overview_latest_deals", filters)
        st.dataframe(latest, hide_index=True, placeholder="—", width="stretch", column_config={
            "signed_date": "Signed", "recipient": "Recipient", "system_family": "System", "quantity": "Units",
            "currency": "Currency",
            "value_amount_m": st.column_config.NumberColumn("Value (m, original)", format="%.1f"),
            "value_usd_m": st.column_config.NumberColumn("Value (USD m)", format="%.0f"), "status": "Status",
            "deal_id": "Deal id"})
        ui.downloads(latest, "latest-deals", filters, "latest")

st.header("Reconciliation: ledger against official totals")
recon = queries.run_filtered("reconciliation", filters)
if recon.empty:
    st.info("No ledger deals or official totals in the selected years.")
else:
    st.caption("Official totals are South Korea's announced annual export orders (all deals; not filtered). "
               "The ledger bars follow the filters; gaps show undisclosed values and deals the ledger lacks.")
    ui.chart_with_data(ui.figure(charts.reconciliation_chart, recon), recon, "reconciliation", filters, "recon")

with st.expander("Data loaded", expanded=False, icon=":material/database:"):
    info = queries.build_info()
    summary = queries.run("data_summary")
    st.dataframe(summary, hide_index=True, placeholder="—", column_config={"view": "View", "rows": st.column_config.NumberColumn(
        "Rows", format="%d")})
    st.markdown(f"Data version **{info['data_version']}**, built **{info['built_at']}**; SIPRI register generated "
                f"{info['sipri_register_generated']}, per-year register generated {info['sipri_per_year_generated']}.")
    st.markdown(settings.SIPRI_CREDIT + " " + settings.SIPRI_TERMS)

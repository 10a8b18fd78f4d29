"""Deals explorer: the filtered ledger table, its CSV, and the card of the selected deal."""

import pandas as pd
import streamlit as st

from kdefense import charts, queries, settings, ui

STATUS_COLOURS = ["#9ca3af", "#f59e0b", "#8b5cf6", "#2f6db5", "#0ea5e9", "#16a34a", "#dc2626", "#7f1d1d"]
COLUMNS = ["signed_date", "recipient", "system_family", "designation", "company", "status", "deal_kind", "quantity",
           "units_delivered", "delivery_progress", "currency", "value_amount_m", "value_usd_m", "sipri_tiv_order_m",
           "confidence", "first_source", "competition_id", "deal_id"]

filters = ui.current_filters()
ui.page_header("Deals explorer", filters, "One row per contract or agreement. Select a row to open its card: "
               "click the box at the row's left edge or, with the keyboard, Tab into the table, move to the row "
               "with the arrow keys and press Shift+Space.")
if filters.basis == "tiv":
    st.caption("The table lists ledger deals; the SIPRI TIV column shows each deal's SIPRI record. " + settings.TIV_CAVEAT)

deals = queries.run_filtered("deals_table", filters)
if deals.empty:
    st.info("No deals match these filters. Widen the years, add statuses, clear the search, or press **Reset filters**.")
    st.stop()

st.markdown(f"**{len(deals):,} deals** · value cited for {deals['value_usd_m'].notna().sum():,} · "
            f"total counted {deals['value_usd_m_counted'].sum() / 1000:,.1f} bn USD")
display = deals.assign(status=deals["status"].map(lambda s: [s]),
                       deal_kind=deals["deal_kind"].map(lambda k: settings.DEAL_KIND_LABELS.get(k, k)),
                       first_source=deals["source_urls"].fillna("").str.split().str[0])
event = st.dataframe(
    display, hide_index=True, placeholder="—", width="stretch", height=480, column_order=COLUMNS, key="deals_table",
    on_select="rerun", selection_mode="single-row",
    column_config={
        "signed_date": st.column_config.TextColumn("Signed", help="At the precision the sources give"),
        "recipient": "Recipient", "system_family": "System", "designation": "Designation", "company": "Company",
        "status": st.column_config.MultiselectColumn("Status", options=list(settings.DEAL_STATUSES),
                                                     color=STATUS_COLOURS),
        "quantity": st.column_config.NumberColumn("Ordered", format="%d"),
        "units_delivered": st.column_config.NumberColumn("Delivered", format="%d"),
        "delivery_progress": st.column_config.ProgressColumn("Progress", format="percent", min_value=0, max_value=1),
        "currency": "Cur.",
        "value_amount_m": st.column_config.NumberColumn("Value (m, original)", format="%,.1f"),
        "value_usd_m": st.column_config.NumberColumn("Value (USD m)", format="%,.0f",
                                                     help="At the signing year's average exchange rate"),
        "sipri_tiv_order_m": st.column_config.NumberColumn("SIPRI TIV (m)", format="%,.1f", help=settings.TIV_CAVEAT),
        "confidence": "Confidence",
        "first_source": st.column_config.LinkColumn("Source", display_text="open"),
        "deal_kind": st.column_config.TextColumn("Kind", help="Kind of business (see the method note)"),
        "competition_id": st.column_config.TextColumn("Competition", help="The tender this deal came from (Tenders)"),
        "deal_id": "Deal id",
    },
)
ui.downloads(deals, "deals", filters, "deals")

rows = event.selection.rows if event is not None else []
if rows:
    deal_id = deals.iloc[rows[0]]["deal_id"]
    st.query_params["deal"] = deal_id  # the card is part of the link
else:
    deal_id = st.query_params.get("deal", "")
card_rows = queries.run("deal_card", {"deal_id": deal_id}) if deal_id else None
if card_rows is None or card_rows.empty:
    st.caption("Select a row to see the deal card: contracts, deliveries, SIPRI record and every source. "
               "Keyboard: Tab into the table, arrow keys to the row, Shift+Space to select it.")
    st.stop()

card = card_rows.iloc[0]
st.divider()
st.header(f"{card['recipient']} — {card['system_family']} ({card['designation']})")
st.caption(f"{deal_id} · {card['status']} · {settings.DEAL_KIND_LABELS.get(card['deal_kind'], card['deal_kind'])} · "
           f"signed {card['signed_date']} · {card['company'] or 'company not stated'}"
           + (f" with {card['partners']}" if pd.notna(card["partners"]) and card["partners"] else ""))
if pd.notna(card["competition_id"]):
    decided = (f", decided {int(card['competition_year'])}" if pd.notna(card["competition_year"]) else "")
    rivals = (f"; rivals: {card['competition_rivals'].replace(';', '; ')}" if pd.notna(card["competition_rivals"])
              else "")
    st.markdown(f"**Competition:** {card['competition_programme']} (`{card['competition_id']}`) — outcome for "
                f"Korea: **{card['competition_outcome']}**{decided}{rivals}. See the Tenders page.")
c = st.columns(4)
value = (f"{card['value_amount_m']:,.1f} m {card['currency']}" if pd.notna(card["value_amount_m"]) else "not disclosed")
c[0].metric("Contract value (original)", value, help=card["value_note"] if pd.notna(card["value_note"]) else None)
c[1].metric("In USD", f"${card['value_usd_m']:,.0f} m" if pd.notna(card["value_usd_m"]) else "—",
            help=(f"{card['fx_units_per_usd']:,.4g} {card['currency']} per USD, {card['fx_year']} average"
                  if pd.notna(card["fx_units_per_usd"]) else None))
c[2].metric("SIPRI TIV of the order", f"{card['sipri_tiv_order_m']:,.1f} m" if pd.notna(card["sipri_tiv_order_m"])
            else "—", help=settings.TIV_CAVEAT)
c[3].metric("Units ordered", f"{int(card['quantity']):,}" if pd.notna(card["quantity"]) else "—",
            help=card["quantity_note"] if pd.notna(card["quantity_note"]) else None)
st.caption("TIV is not money: it measures military capability and is shown beside the contract value, never added.")
if pd.notna(card["value_note"]):
    st.markdown(f"**Value note:** {card['value_note']}")
if pd.notna(card["local_production_note"]) or pd.notna(card["local_production_share_pct"]):
    share = f"{card['local_production_share_pct']:.0f} % · " if pd.notna(card["local_production_share_pct"]) else ""
    st.markdown(f"**Local production / technology transfer:** {share}{card['local_production_note'] or ''}")
if pd.notna(card["notes"]):
    st.markdown(f"**Notes:** {card['notes']}")

left, right = st.columns(2)
with left:
    family = queries.run("deal_family", {"deal_id": deal_id})
    st.markdown("**Framework and executive contracts**")
    if family.empty:
        st.caption("No parent or child contracts.")
    else:
        st.dataframe(family, hide_index=True, placeholder="—", width="stretch")
    st.markdown("**SIPRI record**")
    if pd.isna(card["sipri_transfer_id"]):
        st.caption("Not in the SIPRI register (e.g. after SIPRI's data ends, or outside its scope).")
    else:
        st.markdown(
            f"{card['sipri_designation']} · ordered {card['sipri_order_year']} · "
            f"{card['sipri_number_ordered'] if pd.notna(card['sipri_number_ordered']) else '?'} ordered, "
            f"{card['sipri_number_delivered'] if pd.notna(card['sipri_number_delivered']) else '?'} delivered "
            f"({card['sipri_delivery_years'] or 'no deliveries yet'}) · {card['sipri_status']} · id "
            f"`{card['sipri_transfer_id']}`")
        if pd.notna(card["sipri_comments"]):
            st.caption(f"SIPRI comment: {card['sipri_comments']}")
with right:
    dl = queries.run("deal_deliveries", {"deal_id": deal_id})
    if dl.empty:
        st.caption("No deliveries recorded or planned.")
    else:
        ui.plotly(ui.figure(charts.deal_deliveries_chart, dl, card["quantity"]), "deal_deliveries", filters,
                  f"Deliveries by year: {card['recipient']}, {card['system_family']}")
        for late in dl[dl["is_overdue"].fillna(False).astype(bool)].itertuples():
            units = f"{int(late.units):,} units" if pd.notna(late.units) else "units not stated"
            st.markdown(f":red-badge[:material/schedule: overdue] Planned for **{late.year}** ({units}): the year "
                        "has ended with no delivery recorded. It stays planned until a source reports the delivery.")
sources = queries.run("deal_sources", {"deal_id": deal_id})
st.markdown("**Sources**")
for s in sources.itertuples():
    link = f"[{s.title}]({s.url})" if isinstance(s.url, str) and s.url else s.title
    st.markdown(f"- {s.publisher}, {link}, {s.date if isinstance(s.date, str) else 'undated'}  `{s.source_id}`")

"""Deals explorer: the filtered ledger table, its CSV, and the card of the selected deal."""

import pandas as pd
import streamlit as st

from kdefense import charts, fmt, names, queries, settings, ui
from kdefense.i18n import N_, current_lang, t

STATUS_COLOURS = ["#9ca3af", "#f59e0b", "#8b5cf6", "#2f6db5", "#0ea5e9", "#16a34a", "#dc2626", "#7f1d1d"]
COLUMNS = ["signed_date", "recipient", "system_family", "designation", "company", "status", "deal_kind", "quantity",
           "units_delivered", "delivery_progress", "currency", "value_amount_m", "value_usd_m", "sipri_tiv_order_m",
           "confidence", "first_source", "competition_id", "deal_id"]
RELATIONS = {"parent": N_("parent"), "child": N_("child")}  # deal_family.sql: the framework above, contracts below

filters = ui.current_filters()
ui.page_header(t("Deals explorer"), filters, t("One row per contract or agreement. Select a row to open its card: "
                                               "click the box at the row's left edge or, with the keyboard, Tab into "
                                               "the table, move to the row with the arrow keys and press Shift+Space."))
if filters.basis == "tiv":
    st.caption(t("The table lists ledger deals; the SIPRI TIV column shows each deal's SIPRI record.") + " "
               + t(settings.TIV_CAVEAT))

deals = queries.run_filtered("deals_table", filters)
if deals.empty:
    st.info(t("No deals match these filters. Widen the years, add statuses, clear the search, or press "
              "**Reset filters**."))
    st.stop()

st.markdown(t("**{n} deals** · value cited for {valued} · total counted {total}", n=fmt.number(len(deals)),
              valued=fmt.number(deals["value_usd_m"].notna().sum()), total=fmt.usd_bn(deals["value_usd_m_counted"].sum())))
display = fmt.table_dates(deals).assign(status=deals["status"].map(lambda s: [names.status(s)]),
                       deal_kind=deals["deal_kind"].map(names.deal_kind),
                       confidence=deals["confidence"].map(names.confidence),
                       designation=deals["designation"].map(names.designation),
                       recipient=[names.country(i, n) for i, n in zip(deals["recipient_iso3"], deals["recipient"])]
                       if "recipient_iso3" in deals else deals["recipient"],
                       system_family=deals["system_family"].map(names.system),
                       company=deals["company"].map(lambda c: names.company(c) if isinstance(c, str) else c),
                       first_source=deals["source_urls"].fillna("").str.split().str[0])
event = st.dataframe(
    display, hide_index=True, placeholder="—", width="stretch", height=480, column_order=COLUMNS, key="deals_table",
    on_select="rerun", selection_mode="single-row",
    column_config={
        "signed_date": st.column_config.TextColumn(t("Signed"), help=t("At the precision the sources give")),
        "recipient": t("Recipient"), "system_family": t("System"), "designation": t("Designation"),
        "company": t("Company"),
        "status": st.column_config.MultiselectColumn(t("Status"), options=[names.status(s) for s in settings.DEAL_STATUSES],
                                                     color=STATUS_COLOURS),
        "quantity": st.column_config.NumberColumn(t("Ordered"), format="%,d"),
        "units_delivered": st.column_config.NumberColumn(t("Delivered"), format="%,d"),
        "delivery_progress": st.column_config.ProgressColumn(t("Progress"), format="percent", min_value=0, max_value=1),
        "currency": t("Cur."),
        "value_amount_m": st.column_config.NumberColumn(t("Value (m, original)"), format="%,.1f"),
        "value_usd_m": st.column_config.NumberColumn(t("Value (USD m)"), format="%,.0f",
                                                     help=t("At the signing year's average exchange rate")),
        "sipri_tiv_order_m": st.column_config.NumberColumn(t("SIPRI TIV (m)"), format="%,.1f", help=t(settings.TIV_CAVEAT)),
        "confidence": t("Confidence"),
        "first_source": st.column_config.LinkColumn(t("Source"), display_text=t("open")),
        "deal_kind": st.column_config.TextColumn(t("Kind"), help=t("Kind of business (see the method note)")),
        "competition_id": st.column_config.TextColumn(t("Competition"), help=t("The tender this deal came from (Tenders)")),
        "deal_id": t("Deal id"),
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
    st.caption(t("Select a row to see the deal card: contracts, deliveries, SIPRI record and every source. "
                 "Keyboard: Tab into the table, arrow keys to the row, Shift+Space to select it."))
    st.stop()

card = card_rows.iloc[0]
st.divider()
recipient_name = names.country(card["recipient_iso3"], card["recipient"]) if "recipient_iso3" in card else card["recipient"]
st.header(f"{recipient_name} — {names.system(card['system_family'])} ({card['designation']})")
st.caption(f"{deal_id} · {names.status(card['status'])} · {names.deal_kind(card['deal_kind'])} · "
           + t("signed {date}", date=fmt.date(card["signed_date"])) + " · "
           + (names.company(card["company"]) if card["company"] else t("company not stated"))
           + (" " + t("with {partners}", partners=card["partners"]) if pd.notna(card["partners"]) and card["partners"]
              else ""))
if pd.notna(card["competition_id"]):
    decided = (t(", decided {year}", year=int(card["competition_year"])) if pd.notna(card["competition_year"]) else "")
    rivals = (t("; rivals: {rivals}", rivals=card["competition_rivals"].replace(";", "; "))
              if pd.notna(card["competition_rivals"]) else "")
    st.markdown(t("**Competition:** {programme} (`{id}`) — outcome for Korea: **{outcome}**{decided}{rivals}. See "
                  "the Tenders page.", programme=card["competition_programme"], id=card["competition_id"],
                  outcome=names.outcome(card["competition_outcome"]), decided=decided, rivals=rivals))
c = st.columns(4)
value = (fmt.money_m(card["value_amount_m"], card["currency"]) if pd.notna(card["value_amount_m"])
         else t("not disclosed"))
c[0].metric(t("Contract value (original)"), value, help=names.value_note(card["value_note"]) or None)
c[1].metric(t("In USD"), fmt.usd_m(card["value_usd_m"]),
            help=(t("{rate} {currency} per USD, {year} average", rate=f"{card['fx_units_per_usd']:,.4g}",
                    currency=card["currency"], year=card["fx_year"])
                  if pd.notna(card["fx_units_per_usd"]) else None))
tiv = card["sipri_tiv_order_m"]
c[2].metric(t("SIPRI TIV of the order"), fmt.tiv_m(tiv) if current_lang() == "ko" or pd.isna(tiv) else f"{tiv:,.1f} m",
            help=t(settings.TIV_CAVEAT))
c[3].metric(t("Units ordered"), fmt.number(card["quantity"]),
            help=card["quantity_note"] if pd.notna(card["quantity_note"]) else None)
st.caption(t("TIV is not money: it measures military capability and is shown beside the contract value, never "
             "added."))
if pd.notna(card["value_note"]):
    st.markdown(t("**Value note:** {note}", note=names.value_note(card["value_note"])))
if pd.notna(card["local_production_note"]) or pd.notna(card["local_production_share_pct"]):
    share = f"{card['local_production_share_pct']:.0f} % · " if pd.notna(card["local_production_share_pct"]) else ""
    st.markdown(t("**Local production / technology transfer:** {details}",
                  details=f"{share}{card['local_production_note'] or ''}"))
if pd.notna(card["notes"]):
    st.markdown(t("**Notes:** {notes}", notes=card["notes"]))

left, right = st.columns(2)
with left:
    family = queries.run("deal_family", {"deal_id": deal_id})
    st.markdown("**" + t("Framework and executive contracts") + "**")
    if family.empty:
        st.caption(t("No parent or child contracts."))
    else:
        st.dataframe(fmt.table_dates(family).assign(relation=family["relation"].map(lambda r: t(RELATIONS[r])),
                                                    system_family=family["system_family"].map(names.system),
                                                    status=family["status"].map(names.status)),
                     hide_index=True, placeholder="—", width="stretch", column_config={
                         "relation": t("Relation"), "deal_id": t("Deal id"), "signed_date": t("Signed"),
                         "system_family": t("System"), "quantity": st.column_config.NumberColumn(t("Units"), format="%,d"),
                         "currency": t("Currency"),
                         "value_amount_m": st.column_config.NumberColumn(t("Value (m, original)"), format="%,.1f"),
                         "value_usd_m": st.column_config.NumberColumn(t("Value (USD m)"), format="%,.0f"),
                         "status": t("Status")})
    st.markdown("**" + t("SIPRI record") + "**")
    if pd.isna(card["sipri_transfer_id"]):
        st.caption(t("Not in the SIPRI register (e.g. after SIPRI's data ends, or outside its scope)."))
    else:
        st.markdown(t(
            "{designation} · ordered {year} · {ordered} ordered, {delivered} delivered ({years}) · {status} · id "
            "`{id}`", designation=card["sipri_designation"], year=card["sipri_order_year"],
            ordered=card["sipri_number_ordered"] if pd.notna(card["sipri_number_ordered"]) else "?",
            delivered=card["sipri_number_delivered"] if pd.notna(card["sipri_number_delivered"]) else "?",
            years=card["sipri_delivery_years"] or t("no deliveries yet"), status=card["sipri_status"],
            id=card["sipri_transfer_id"]))
        if pd.notna(card["sipri_comments"]):
            st.caption(t("SIPRI comment: {comment}", comment=card["sipri_comments"]))
with right:
    dl = queries.run("deal_deliveries", {"deal_id": deal_id})
    if dl.empty:
        st.caption(t("No deliveries recorded or planned."))
    else:
        ui.plotly(ui.figure(charts.deal_deliveries_chart, dl, card["quantity"]), "deal_deliveries", filters,
                  t("Deliveries by year: {recipient}, {system}", recipient=recipient_name,
                    system=names.system(card["system_family"])))
        for late in dl[dl["is_overdue"].fillna(False).astype(bool)].itertuples():
            units = t("{n} units", n=fmt.number(late.units)) if pd.notna(late.units) else t("units not stated")
            badge = ":red-badge[:material/schedule: " + t("overdue") + "]"
            st.markdown(badge + " " + t("Planned for **{year}** ({units}): the year has ended with no delivery recorded. It stays "
                            "planned until a source reports the delivery.", year=late.year, units=units))
sources = queries.run("deal_sources", {"deal_id": deal_id})
st.markdown("**" + t("Sources") + "**")
for s in sources.itertuples():
    link = f"[{s.title}]({s.url})" if isinstance(s.url, str) and s.url else s.title
    when = fmt.date(s.date) if isinstance(s.date, str) else t("undated")
    st.markdown(f"- {s.publisher}, {link}, {when}  `{s.source_id}`")

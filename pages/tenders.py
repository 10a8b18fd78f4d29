"""Tenders: every competition a Korean bidder entered, with Korea's outcome; win/loss record and head to head."""

import streamlit as st

from kdefense import charts_tenders as ctn
from kdefense import fmt, names, queries, settings, ui
from kdefense.i18n import N_, t

BY = {"system_family": N_("System family"), "recipient_region": N_("Region"), "year": N_("Year"),
      "rival": N_("Rival bidder")}
APPLY = N_("Sidebar filters used here: region, NATO/EU, recipient countries, system family, company (a Korean "
           "bidder), years (of the decision; of opening while open) and search. Deal status and kind describe deals, "
           "not tenders, and do not apply.")

filters = ui.current_filters()
# The page's later questions start now, in the background (queries.prefetch_filtered), the longest first and with
# the grouping the session left: DuckDB answers the head to head and the record while this thread asks the table
# (asked at once: a background start would only make it wait) and draws the metrics and the record.
queries.prefetch_filtered(["tenders_head_to_head", "tenders_record"], filters,
                          by=st.session_state.get("tnd_by", "system_family"))
ui.page_header(t("Tenders: bids won and lost"), filters,
               t("Every known competition a Korean bidder entered, with the outcome for Korea, the rivals and the "
                 "winner. A competition is a procurement in which the buyer weighed a Korean offer (method note)."))
st.caption(t(APPLY))

table = queries.run_filtered("tenders_table", filters)
if table.empty:
    st.info(t("No competitions match these filters. Widen the years or recipients, or press **Reset filters**."))
    st.stop()

won, lost = int((table["outcome"] == "won").sum()), int((table["outcome"] == "lost").sum())
cols = st.columns(5)
cols[0].metric(t("Competitions"), fmt.number(len(table)))
cols[1].metric(t("Won"), fmt.number(won))
cols[2].metric(t("Lost"), fmt.number(lost))
cols[3].metric(t("Win rate"), f"{won / (won + lost):.0%}" if won + lost else "—",
               help=t("Won ÷ (won + lost). Withdrawn, cancelled and open competitions have no result for Korea."))
cols[4].metric(t("Open/withdrawn/cancelled"),
               " / ".join(str(int((table["outcome"] == o).sum())) for o in ("open", "withdrawn", "cancelled")))

st.session_state.setdefault("tnd_by", "system_family")
by = st.segmented_control(t("Record by"), list(BY), format_func=lambda b: t(BY[b]), key="tnd_by", required=True)
record = queries.run_filtered("tenders_record", filters, by=by)
shown_record = record.assign(grp=record["grp"].map(names.system if by == "system_family" else names.region
                                                   if by == "recipient_region" else lambda g: g))
note = t("Outcome for Korea per competition.") + (" " + t("A competition counts once per named rival bidder.")
                                                   if by == "rival" else "")
# The record's table (nine columns) goes under the chart, full width: beside it, it scrolled sideways on a laptop.
ui.chart_with_data(ui.figure(ctn.record_bars, shown_record, BY[by],
                             t("Korea's record by {group}", group=t(BY[by]).lower()), note),
                   record, f"tenders-by-{by}", filters, "tnd_record", quick_draw=True)
st.dataframe(shown_record, hide_index=True, width="stretch", placeholder="—", column_config={
    "grp": t(BY[by]), "competitions": t("Competitions"), "won": t("Won"), "lost": t("Lost"),
    "withdrawn": t("Withdrawn"), "cancelled": t("Cancelled"), "open": t("Open"),
    "rival_won": st.column_config.NumberColumn(t("Won by this rival"), help=t("Rival grouping only")),
    "win_rate": st.column_config.ProgressColumn(t("Win rate"), format="percent", min_value=0, max_value=1),
    "competition_ids": None})

st.header(t("Head to head"))
h2h = queries.run_filtered("tenders_head_to_head", filters)
if h2h.empty:
    st.info(t("No competition in this selection names a rival."))
else:
    st.caption(t("Each Korean system family against each rival system it met in a competition. Korea won: the "
                 "Korean bid was chosen. Rival won: this rival was chosen. Neither: a third bidder won, or the "
                 "winner is not yet named. No result: open, cancelled, or Korea withdrew."))
    st.dataframe(h2h.assign(system_family=h2h["system_family"].map(names.system)), hide_index=True, width="stretch", placeholder="—", column_config={
        "system_family": t("Korean system"), "rival_family": t("Rival system"), "rival_bidders": t("Rival bidder(s)"),
        "meetings": t("Met in"), "korea_won": t("Korea won"), "rival_won": t("Rival won"),
        "both_lost_or_undecided": t("Neither"), "no_result": t("No result"), "competition_ids": t("Competitions")})
    ui.downloads(h2h, "tenders-head-to-head", filters, "tnd_h2h")

st.header(t("All competitions"))
shown = table.assign(outcome=table["outcome"].map(names.outcome), system_family=table["system_family"].map(names.system),
                     recipient=table["recipient"].map(names.country_by_name), first_source=table["source_urls"].fillna("").str.split().str[0],
                     **{c: table[c].fillna("").str.split(";").map(lambda v: "; ".join(x for x in v if x.strip()))
                        for c in ("korean_systems", "rival_bidders", "rival_systems")})
st.dataframe(shown.sort_values(["year", "competition_id"], ascending=[False, True]), hide_index=True, placeholder="—",
             width="stretch", height=420,
             column_order=["year", "recipient", "programme", "outcome", "system_family", "korean_systems", "winner",
                           "winner_system", "rival_bidders", "rival_systems", "deal_ids", "first_source",
                           "competition_id"],
             column_config={"year": st.column_config.NumberColumn(t("Year"), format="%d",
                                                                  help=t("Of the decision; of opening while open")),
                            "recipient": t("Recipient"), "programme": t("Programme"),
                            "outcome": t("Outcome for Korea"), "system_family": t("System"),
                            "korean_systems": t("Korean offer"), "winner": t("Winner"),
                            "winner_system": t("Winning system"), "rival_bidders": t("Rival bidders"),
                            "rival_systems": t("Rival systems"), "deal_ids": t("Deals"),
                            "first_source": st.column_config.LinkColumn(t("Source"), display_text=t("open")),
                            "competition_id": t("Competition id")})
ui.downloads(table, "competitions", filters, "tnd_table")
st.caption(t("Sources: every competition cites its own (the `competitions` and `sources` views). {sipri} is not "
             "used here: tenders come from the curated ledger.", sipri=settings.SIPRI_CREDIT.split(" (")[0]))

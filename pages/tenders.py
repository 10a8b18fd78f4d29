"""Tenders: every competition a Korean bidder entered, with Korea's outcome; win/loss record and head to head."""

import streamlit as st

from kdefense import charts_tenders as ctn
from kdefense import queries, settings, ui

BY = {"system_family": "System family", "recipient_region": "Region", "year": "Year", "rival": "Rival bidder"}
APPLY = ("Sidebar filters used here: region, NATO/EU, recipient countries, system family, company (a Korean bidder), "
         "years (of the decision; of opening while open) and search. Deal status and kind describe deals, not "
         "tenders, and do not apply.")

filters = ui.current_filters()
ui.page_header("Tenders: bids won and lost", filters,
               "Every known competition a Korean bidder entered, with the outcome for Korea, the rivals and the "
               "winner. A competition is a procurement in which the buyer weighed a Korean offer (method note).")
st.caption(APPLY)

table = queries.run_filtered("tenders_table", filters)
if table.empty:
    st.info("No competitions match these filters. Widen the years or recipients, or press **Reset filters**.")
    st.stop()

won, lost = int((table["outcome"] == "won").sum()), int((table["outcome"] == "lost").sum())
cols = st.columns(5)
cols[0].metric("Competitions", f"{len(table):,}")
cols[1].metric("Won", f"{won:,}")
cols[2].metric("Lost", f"{lost:,}")
cols[3].metric("Win rate", f"{won / (won + lost):.0%}" if won + lost else "—",
               help="Won ÷ (won + lost). Withdrawn, cancelled and open competitions have no result for Korea.")
cols[4].metric("Open/withdrawn/cancelled",
               " / ".join(str(int((table["outcome"] == o).sum())) for o in ("open", "withdrawn", "cancelled")))

st.session_state.setdefault("tnd_by", "system_family")
by = st.segmented_control("Record by", list(BY), format_func=BY.get, key="tnd_by", required=True)
record = queries.run_filtered("tenders_record", filters, by=by)
note = "Outcome for Korea per competition. " + ("A competition counts once per named rival bidder. "
                                                if by == "rival" else "")
left, right = st.columns([3, 2])
with left:
    ui.chart_with_data(ui.figure(ctn.record_bars, record, BY[by], f"Korea's record by {BY[by].lower()}", note),
                       record, f"tenders-by-{by}", filters, "tnd_record")
with right:
    st.dataframe(record, hide_index=True, width="stretch", placeholder="—", height=420, column_config={
        "grp": BY[by], "competitions": "Competitions", "won": "Won", "lost": "Lost", "withdrawn": "Withdrawn",
        "cancelled": "Cancelled", "open": "Open",
        "rival_won": st.column_config.NumberColumn("Won by this rival", help="Rival grouping only"),
        "win_rate": st.column_config.ProgressColumn("Win rate", format="percent", min_value=0, max_value=1),
        "competition_ids": None})

st.header("Head to head")
h2h = queries.run_filtered("tenders_head_to_head", filters)
if h2h.empty:
    st.info("No competition in this selection names a rival.")
else:
    st.caption("Each Korean system family against each rival system it met in a competition. Korea won: the "
               "Korean bid was chosen. Rival won: this rival was chosen. Neither: a third bidder won, or the winner "
               "is not yet named. No result: open, cancelled, or Korea withdrew.")
    st.dataframe(h2h, hide_index=True, width="stretch", placeholder="—", column_config={
        "system_family": "Korean system", "rival_family": "Rival system", "rival_bidders": "Rival bidder(s)",
        "meetings": "Met in", "korea_won": "Korea won", "rival_won": "Rival won",
        "both_lost_or_undecided": "Neither", "no_result": "No result", "competition_ids": "Competitions"})
    ui.downloads(h2h, "tenders-head-to-head", filters, "tnd_h2h")

st.header("All competitions")
shown = table.assign(first_source=table["source_urls"].fillna("").str.split().str[0],
                     **{c: table[c].fillna("").str.split(";").map(lambda v: "; ".join(x for x in v if x.strip()))
                        for c in ("korean_systems", "rival_bidders", "rival_systems")})
st.dataframe(shown.sort_values(["year", "competition_id"], ascending=[False, True]), hide_index=True, placeholder="—",
             width="stretch", height=420,
             column_order=["year", "recipient", "programme", "outcome", "system_family", "korean_systems", "winner",
                           "winner_system", "rival_bidders", "rival_systems", "deal_ids", "first_source",
                           "competition_id"],
             column_config={"year": st.column_config.NumberColumn("Year", format="%d",
                                                                  help="Of the decision; of opening while open"),
                            "recipient": "Recipient", "programme": "Programme", "outcome": "Outcome for Korea",
                            "system_family": "System", "korean_systems": "Korean offer", "winner": "Winner",
                            "winner_system": "Winning system", "rival_bidders": "Rival bidders",
                            "rival_systems": "Rival systems", "deal_ids": "Deals",
                            "first_source": st.column_config.LinkColumn("Source", display_text="open"),
                            "competition_id": "Competition id"})
ui.downloads(table, "competitions", filters, "tnd_table")
st.caption("Sources: every competition cites its own (the `competitions` and `sources` views). "
           + settings.SIPRI_CREDIT.split(" (")[0] + " is not used here: tenders come from the curated ledger.")

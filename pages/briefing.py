"""Briefing decks: saved views to step through on a shared screen, download, or export to PDF/PNG."""

import streamlit as st

from kdefense import briefing, deck_export, queries, ui

filters = ui.current_filters()
st.title("Briefing decks")
st.caption("A deck is an ordered list of saved views (page, filters, chart options, title, takeaway) kept as a "
           "small TOML file in `briefings/`. Present with the arrow keys or a clicker (PageUp/PageDown); Esc exits.")

decks = {**briefing.load_decks(), **st.session_state.get(ui.USER_DECKS_KEY, {})}
if not decks:
    st.info("No decks yet. Use **Briefing: add this view to a deck** in the sidebar of any page.")
    st.stop()

options = queries.filter_options()
for deck_id, deck in decks.items():
    with st.container(border=True):
        st.header(deck.title)
        if deck.description:
            st.write(deck.description)
        problems = briefing.validate_deck(deck, options)
        for problem in problems:
            st.warning(problem)
        st.dataframe([{"#": i, "page": s.page, "title": s.title, "takeaway": s.takeaway,
                       "link": deck.slide_url(i)} for i, s in enumerate(deck.slides, start=1)],
                     hide_index=True, width="stretch",
                     column_config={"link": st.column_config.LinkColumn("Open", display_text="open slide")})
        # Real links (the table's link cells open on click only; these take Tab and Enter too)
        st.markdown("Open slide: " + " · ".join(
            f"<a href='{ui._escape(deck.slide_url(i))}' target='_self'>{i}. {ui._escape(s.title or s.page)}</a>"
            for i, s in enumerate(deck.slides, start=1)), unsafe_allow_html=True)
        cols = st.columns([1, 1, 1, 1, 3])
        theme = cols[0].segmented_control("Theme", ["light", "dark"], default="light", key=f"theme_{deck_id}",
                                          label_visibility="collapsed")
        if cols[1].button("Present", key=f"present_{deck_id}", type="primary", icon=":material/co_present:"):
            params = deck.slides[0].query_params(deck_id, 1)
            if theme == "dark":
                params["theme"] = "dark"
            st.switch_page(ui.PAGE_FILES[deck.slides[0].page], query_params=params)
        cols[2].download_button("Deck file", briefing.deck_to_toml(deck), file_name=f"{deck_id}.toml",
                                mime="application/toml", key=f"deck_dl_{deck_id}", on_click="ignore",
                                icon=":material/download:")
        if cols[3].button("Export PDF", key=f"pdf_{deck_id}", icon=":material/picture_as_pdf:"):
            with st.spinner(f"Rendering {len(deck.slides)} slides in headless Chromium…"):
                try:
                    pdf, pngs = deck_export.export_from_running_app(deck, theme or "light")
                except deck_export.ExportUnavailable as exc:
                    st.error(str(exc))
                else:
                    st.download_button("Download PDF", pdf, file_name=f"{deck_id}.pdf", mime="application/pdf",
                                       key=f"pdf_dl_{deck_id}", on_click="ignore")
                    st.download_button("Download PNG slides (zip)", pngs, file_name=f"{deck_id}-png.zip",
                                       mime="application/zip", key=f"png_dl_{deck_id}", on_click="ignore")

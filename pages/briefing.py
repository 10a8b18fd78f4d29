"""Briefing decks: saved views to step through on a shared screen, download, or export to PDF/PNG."""

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from kdefense import briefing, export_queue, queries, ui
from kdefense.i18n import current_lang, t
from kdefense.safety import html_text, md_text, neutralise_frame


def _show_job(deck_id: str) -> bool:
    """The export's state; True while it is still queued or running."""
    job = export_queue.get(st.session_state.get(f"export_job_{deck_id}", -1))
    if job is None:
        return False
    if job.state == "queued":
        ahead = export_queue.position(job) - 1
        st.info(t("The export server is busy: one export runs at a time, and {n} is ahead of yours. It starts by "
                  "itself; keep this page open.", n=ahead) if ahead == 1 else
                t("The export server is busy: one export runs at a time, and {n} are ahead of yours. It starts by "
                  "itself; keep this page open.", n=ahead),
                icon=":material/hourglass_top:")
        return True
    if job.state == "running":
        st.progress(job.progress, text=t("Exporting: {step}", step=md_text(t(job.message))))
        return True
    if job.state == "failed":
        st.error(t("The export did not finish: {reason}", reason=md_text(job.message)), icon=":material/error:")
        return False
    row = st.container(horizontal=True)  # buttons at their labels' width, wrapping onto a new row when narrow
    row.download_button(t("Download PDF"), job.pdf, file_name=f"{deck_id}.pdf", mime="application/pdf",
                        key=f"pdf_dl_{deck_id}", on_click="ignore", icon=":material/download:", wrap=True)
    row.download_button(t("Download PowerPoint"), job.pptx, file_name=f"{deck_id}.pptx",
                        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                        key=f"pptx_dl_{deck_id}", on_click="ignore", icon=":material/download:", wrap=True)
    st.caption(f"{md_text(job.message)}. " + t("One page per slide: text you can search and copy, charts as "
                                             "vector graphics."))
    return False


@st.fragment(run_every=1.0)
def _poll(deck_id: str) -> None:
    if not _show_job(deck_id):
        st.rerun()  # finished: draw the result once, without polling


def export_status(deck_id: str) -> None:
    job = export_queue.get(st.session_state.get(f"export_job_{deck_id}", -1))
    if job is not None and job.state in ("queued", "running"):
        _poll(deck_id)
    else:
        _show_job(deck_id)


filters = ui.current_filters()
st.title(t("Briefing decks"))
ui.link_notices()
st.caption(t("A deck is an ordered list of saved views (page, filters, chart options, title, takeaway) kept as a "
             "small TOML file in `briefings/`. Present with the arrow keys or a clicker (PageUp/PageDown); Esc "
             "exits. Exports run one at a time on this server."))

shipped, broken = briefing.load_deck_files()
for name, message in broken.items():  # a bad file is reported here; every other page simply skips it
    st.error(t("Deck file `briefings/{name}.toml` was not loaded: {reason}", name=md_text(name),
               reason=md_text(message)), icon="🚫")
mine = ui.user_decks()
decks = {**shipped, **mine}
if not decks:
    st.info(t("No decks yet. Use **Briefing: add this view to a deck** in the sidebar of any page."))
    st.stop()

options = queries.filter_options()
for deck_id, deck in decks.items():
    with st.container(border=True):
        # deck files and decks in links are user text: escaped, and neutralised for the table's CSV download
        st.header(md_text(deck.localized("title")))
        if deck.description:
            st.markdown(md_text(deck.localized("description")))
        problems = briefing.validate_deck(deck, options)
        for problem in problems:
            st.warning(md_text(problem))
        keep = ("&" + urlencode({ui.USER_DECKS_PARAM: ui.user_deck_token(deck)})) if deck_id in mine else ""
        slides = pd.DataFrame([{"#": i, "page": t(ui.PAGE_TITLES.get(s.page, s.page)), "title": s.localized("title"),
                                "takeaway": s.localized("takeaway"),
                                "link": deck.slide_url(i) + keep} for i, s in enumerate(deck.slides, start=1)])
        st.dataframe(neutralise_frame(slides), hide_index=True, placeholder="—", width="stretch",
                     column_config={"page": t("Page"), "title": t("Title"), "takeaway": t("Takeaway"),
                                    "link": st.column_config.LinkColumn(t("Open"), display_text=t("open slide"))})
        # Real links (the table's link cells open on click only; these take Tab and Enter too)
        links = " · ".join(
            f"<a href='{html_text(deck.slide_url(i) + keep)}' target='_self'>{i}. "
            f"{html_text(s.localized('title') or t(ui.PAGE_TITLES.get(s.page, s.page)))}</a>"
            for i, s in enumerate(deck.slides, start=1))
        st.markdown(t("Open slide: {links}", links=links), unsafe_allow_html=True)
        # one row of controls at their labels' width (Korean labels are wider), wrapping onto a second row rather
        # than cutting a label on a narrow screen
        row = st.container(horizontal=True, vertical_alignment="center")
        theme = row.segmented_control(t("Theme"), ["light", "dark"], default="light", key=f"theme_{deck_id}",
                                      format_func=lambda k: t("light") if k == "light" else t("dark"),
                                      label_visibility="collapsed")
        if row.button(t("Present"), key=f"present_{deck_id}", type="primary", icon=":material/co_present:",
                      wrap=True):
            params = deck.slides[0].query_params(deck_id, 1)
            if theme == "dark":
                params["theme"] = "dark"
            st.switch_page(ui.PAGE_FILES[deck.slides[0].page], query_params=params)
        row.download_button(t("Deck file"), briefing.deck_to_toml(deck), file_name=f"{deck_id}.toml",
                            mime="application/toml", key=f"deck_dl_{deck_id}", on_click="ignore",
                            icon=":material/download:", wrap=True)
        if row.button(t("Export PDF + PowerPoint"), key=f"pdf_{deck_id}", icon=":material/picture_as_pdf:",
                      wrap=True):
            try:
                st.session_state[f"export_job_{deck_id}"] = export_queue.submit(deck, theme or "light",
                                                                                 lang=current_lang()).job_id
            except export_queue.Busy as exc:
                st.warning(str(exc), icon=":material/hourglass_top:")
        export_status(deck_id)

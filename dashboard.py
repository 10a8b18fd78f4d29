"""Entry point: `streamlit run dashboard.py`. Language, shared sidebar filters, then the selected page."""

import time

import streamlit as st

from kdefense import briefing, i18n, keyboard, presentation, queries, settings, ui, warmup
from kdefense.db import DatabaseUnavailable
from kdefense.i18n import t

RUN_STARTED = (time.perf_counter(), time.thread_time())
i18n.init_lang()
st.set_page_config(page_title=t("South Korea defence exports"), page_icon="🛡️", layout="wide")
st.markdown(ui.CSS + i18n.page_css(), unsafe_allow_html=True)

PAGES = [
    # the default page is served at /; it reserves a pathname of its own, so /overview is free for the alias below
    st.Page("pages/overview.py", title=t("Overview"), icon=":material/dashboard:", url_path="home", default=True),
    st.Page("pages/deals.py", title=t("Deals"), icon=":material/table_view:", url_path="deals"),
    st.Page("pages/timeline.py", title=t("Timeline"), icon=":material/timeline:", url_path="timeline"),
    st.Page("pages/map.py", title=t("Map"), icon=":material/public:", url_path="map"),
    st.Page("pages/suppliers.py", title=t("Suppliers"), icon=":material/compare_arrows:", url_path="suppliers"),
    st.Page("pages/tenders.py", title=t("Tenders"), icon=":material/gavel:", url_path="tenders"),
    st.Page("pages/briefing.py", title=t("Briefing"), icon=":material/slideshow:", url_path="briefing"),
    st.Page("pages/data.py", title=t("Data & method"), icon=":material/menu_book:", url_path="data"),
]
if settings.sql_page_enabled():  # KDEFENSE_SQL_PAGE=0 turns the read-only SQL page off
    PAGES.append(st.Page("pages/sql.py", title=t("SQL"), icon=":material/terminal:", url_path="sql"))


def _overview_alias() -> None:
    """/overview (typed or bookmarked) opens the Overview at /, with the link's parameters."""
    st.switch_page(PAGES[0], query_params={k: st.query_params.get_all(k) for k in st.query_params})


PAGES.append(st.Page(_overview_alias, title=t("Overview"), url_path="overview", visibility="hidden"))

page = st.navigation(PAGES)
i18n.language_switch()
i18n.document_language()
keyboard.popover_tab_order()
try:
    options = queries.filter_options()
except DatabaseUnavailable as exc:
    ui.database_missing(exc)
    st.stop()
decks = {**briefing.load_decks(), **ui.user_decks()}
presenting = ui.is_presenting()
filters = ui.sidebar_filters(options)
if not presenting:
    ui.add_view_to_deck(ui.page_key(page.url_path), filters, decks)
    with st.sidebar:
        ui.image_format_control()
        ui.footer()
try:
    if presenting:  # a slide designed for the screen (kdefense/presentation.py), not the page
        presentation.render(decks, filters, ui.page_key(page.url_path))
    else:
        page.run()
except DatabaseUnavailable as exc:  # the file was deleted or replaced by a broken one while the app runs
    ui.database_missing(exc)
finally:
    ui.log_rerun(page.url_path, RUN_STARTED)
    warmup.start()  # after the page: the first visitor's own page does not wait for the other pages' questions

"""Entry point: `streamlit run dashboard.py`. Shared sidebar filters, then the selected page."""

import time

import streamlit as st

from kdefense import briefing, queries, settings, ui
from kdefense.db import DatabaseUnavailable

RUN_STARTED = (time.perf_counter(), time.thread_time())
st.set_page_config(page_title="South Korea defence exports", page_icon="🛡️", layout="wide")
st.markdown(ui.CSS, unsafe_allow_html=True)

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/deals.py", title="Deals", icon=":material/table_view:", url_path="deals"),
    st.Page("pages/timeline.py", title="Timeline", icon=":material/timeline:", url_path="timeline"),
    st.Page("pages/map.py", title="Map", icon=":material/public:", url_path="map"),
    st.Page("pages/suppliers.py", title="Suppliers", icon=":material/compare_arrows:", url_path="suppliers"),
    st.Page("pages/briefing.py", title="Briefing", icon=":material/slideshow:", url_path="briefing"),
    st.Page("pages/data.py", title="Data & method", icon=":material/menu_book:", url_path="data"),
]
if settings.sql_page_enabled():  # KDEFENSE_SQL_PAGE=0 turns the read-only SQL page off
    PAGES.append(st.Page("pages/sql.py", title="SQL", icon=":material/terminal:", url_path="sql"))

page = st.navigation(PAGES)
try:
    options = queries.filter_options()
except DatabaseUnavailable as exc:
    ui.database_missing(exc)
    st.stop()
decks = {**briefing.load_decks(), **st.session_state.get(ui.USER_DECKS_KEY, {})}
presenting = ui.is_presenting()
filters = ui.sidebar_filters(options)
if presenting:
    ui.presentation_header(decks)
    ui.presentation_footer(decks)  # fixed to the bottom of the screen; drawn first because pages may st.stop()
else:
    ui.add_view_to_deck(ui.page_key(page.url_path), filters, decks)
    with st.sidebar:
        ui.footer()
try:
    page.run()
except DatabaseUnavailable as exc:  # the file was deleted or replaced by a broken one while the app runs
    ui.database_missing(exc)
finally:
    ui.log_rerun(page.url_path, RUN_STARTED)

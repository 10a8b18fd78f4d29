"""Entry point: `streamlit run dashboard.py`. Shared sidebar filters, then the selected page."""

import streamlit as st

from kdefense import queries, ui
from kdefense.db import DatabaseUnavailable

st.set_page_config(page_title="South Korea defence exports", page_icon="🛡️", layout="wide")
st.markdown(ui.CSS, unsafe_allow_html=True)

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/deals.py", title="Deals", icon=":material/table_view:", url_path="deals"),
    st.Page("pages/timeline.py", title="Timeline", icon=":material/timeline:", url_path="timeline"),
    st.Page("pages/map.py", title="Map", icon=":material/public:", url_path="map"),
    st.Page("pages/suppliers.py", title="Suppliers", icon=":material/compare_arrows:", url_path="suppliers"),
    st.Page("pages/data_method.py", title="Data & method", icon=":material/menu_book:", url_path="data"),
]

page = st.navigation(PAGES)
try:
    options = queries.filter_options()
except DatabaseUnavailable as exc:
    ui.database_missing(exc)
    st.stop()
ui.sidebar_filters(options)
page.run()
ui.footer()

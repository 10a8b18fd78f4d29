"""The Timeline's seven charts and nothing else: a Streamlit app for the bench's filter-change floor (issue 17).

It draws the figures the Timeline sent for the default filters, or for a region (bench.floor.capture_timeline
wrote both sets, as the app's server sent them, to the JSON file named by KDEFENSE_FLOOR_FIGURES), in the
Timeline's places: the Gantt and the speed chart in 820 px scrolling boxes, the tender decisions full width, the
value and units charts side by side, the two order-book charts side by side. No query, no figure built, no other
element: what a filter change costs in the browser when only these charts are redrawn.
"""

from __future__ import annotations

import json
import os

import plotly.graph_objects as go
import streamlit as st

BOX_CSS = ('<style>[class*="st-key-floor_box_"] {height: 820px !important; max-height: 820px; flex: none !important;'
           ' overflow: auto !important;}</style>')


class _Sent(go.Figure):
    """A figure as the app sent it (as kdefense.ui.Spec): st.plotly_chart calls to_dict() and nothing else on it."""

    def __init__(self, spec: dict) -> None:
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


@st.cache_resource
def _figures(path: str) -> dict:
    return json.loads(open(path, encoding="utf-8").read())


def _draw(chart: dict) -> None:
    st.plotly_chart(_Sent(json.loads(chart["spec"])), key=chart["key"], config=json.loads(chart["config"]))


st.set_page_config(page_title="Timeline floor", layout="wide")
st.markdown(BOX_CSS, unsafe_allow_html=True)
sets = _figures(os.environ["KDEFENSE_FLOOR_FIGURES"])
chosen = st.sidebar.multiselect("Region", sets["regions"])
charts = {chart["key"]: chart for chart in sets["region" if chosen else "default"]}
st.title("Timeline")
for key in ("chart_tl_gantt", "chart_tl_tenders"):
    if key in charts:
        with st.container(key="floor_box_gantt") if charts[key]["scroll"] else st.container():
            _draw(charts[key])
for pair in (("chart_tl_value", "chart_tl_units"), ("chart_tl_book", "chart_tl_book_now")):
    for column, key in zip(st.columns(2), pair):
        if key in charts:
            with column:
                _draw(charts[key])
if "chart_tl_speed" in charts:
    with st.container(key="floor_box_speed") if charts["chart_tl_speed"]["scroll"] else st.container():
        _draw(charts["chart_tl_speed"])

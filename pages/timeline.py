"""Placeholder until the timeline page lands (being built now)."""

import streamlit as st

st.title("Timeline")
st.info("This page is being built.")

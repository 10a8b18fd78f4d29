"""Placeholder until the map page lands (being built now)."""

import streamlit as st

st.title("Map")
st.info("This page is being built.")

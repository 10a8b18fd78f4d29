"""Placeholder until the suppliers page lands (being built now)."""

import streamlit as st

st.title("Suppliers")
st.info("This page is being built.")

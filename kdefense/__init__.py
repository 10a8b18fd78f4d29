"""South Korea defence-exports dashboard: data build, queries, charts and the Streamlit glue."""

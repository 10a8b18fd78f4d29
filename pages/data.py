"""Data & method: what is loaded, the credits, the schema and the ledger method."""

import streamlit as st

from kdefense import opendata, queries, settings, ui

filters = ui.current_filters()
st.title("Data & method")
ui.link_notices()
info = queries.build_info()
st.markdown(f"Data version **{info['data_version']}**, built **{info['built_at']}**.")
st.dataframe(queries.run("data_summary"), hide_index=True, placeholder="—")
st.markdown(f"""
**SIPRI.** {settings.SIPRI_CREDIT} Trade register generated {info['sipri_register_generated']}
(`{info['sipri_register_file']}`); per-delivery-year register generated {info['sipri_per_year_generated']}.
{settings.SIPRI_TERMS}

**TIV.** {settings.TIV_CAVEAT}

**Money.** Contract values keep their original currency and amount; USD figures convert them at the signing
year's average rate. {settings.ECB_CREDIT} The AED and SAR use their official dollar pegs.

**Ledger.** One row per contract or agreement, each with at least one cited source. Unknown values stay empty
with a note; estimates are flagged. See the method below and `docs/ledger-method.md`.
""")
st.header("Download everything", anchor="downloads")
st.markdown(
    "Every public view of the database in full: the DuckDB file itself, or one zip of Parquet or CSV files (the "
    "same Excel-safe CSV as every other download). Each zip holds a README with the data version, the schema of "
    "every file, the credits and terms and how to cite."
    + (" Or ask your own question on the [SQL page](/sql)." if settings.sql_page_enabled() else "")
)
opendata.downloads_section(info)
for doc in ("ledger-method.md", "schema.md"):
    path = settings.ROOT / "docs" / doc
    if path.exists():
        with st.expander(doc, icon=":material/description:"):
            ui.markdown_doc(path.read_text())

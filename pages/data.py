"""Data & method: what is loaded, the credits, the schema and the ledger method."""

import streamlit as st

from kdefense import fmt, opendata, queries, settings, ui
from kdefense.i18n import N_, current_lang, t

filters = ui.current_filters()
st.title(t("Data & method"))
ui.link_notices()
info = queries.build_info()
st.markdown(t("Data version **{version}**, built **{built}**.", version=info["data_version"],
              built=fmt.timestamp(info["built_at"])))
st.dataframe(queries.run("data_summary"), hide_index=True, placeholder="—",
             column_config={"view": t("View"), "rows": st.column_config.NumberColumn(t("Rows"), format="%,d")})
sipri = t("Trade register generated {generated} (`{file}`); per-delivery-year register generated {per_year}.",
          generated=fmt.timestamp(info["sipri_register_generated"]), file=info["sipri_register_file"],
          per_year=fmt.timestamp(info["sipri_per_year_generated"]))
money = t("Contract values keep their original currency and amount; USD figures convert them at the signing "
          "year's average rate.")
pegs = t("The AED and SAR use their official dollar pegs.")
ledger = t("One row per contract or agreement, each with at least one cited source. Unknown values stay empty "
           "with a note; estimates are flagged. See the method below and `docs/ledger-method.md`.")
heads = {"sipri": t("SIPRI."), "tiv": t("TIV."), "money": t("Money."), "ledger": t("Ledger.")}
terms, caveat, ecb = t(settings.SIPRI_TERMS), t(settings.TIV_CAVEAT), t(settings.ECB_CREDIT)
st.markdown(f"""
**{heads["sipri"]}** {settings.SIPRI_CREDIT} {sipri}
{terms}

**{heads["tiv"]}** {caveat}

**{heads["money"]}** {money} {ecb} {pegs}

**{heads["ledger"]}** {ledger}
""")
st.header(t("Download everything"), anchor="downloads")
st.markdown(
    t("Every public view of the database in full: the DuckDB file itself, or one zip of Parquet or CSV files (the "
      "same Excel-safe CSV as every other download). Each zip holds a README with the data version, the schema of "
      "every file, the credits and terms and how to cite.")
    + (" " + t("Or ask your own question on the [SQL page]({url}).", url=ui.page_link_url("sql"))
       if settings.sql_page_enabled() else "")
)
opendata.downloads_section(info)
if current_lang() != "en":
    st.caption(t("The method documents below are written in English."))
DOCS = {"ledger-method.md": N_("Ledger method"), "schema.md": N_("Database schema")}
for doc, doc_title in DOCS.items():
    path = settings.ROOT / "docs" / doc
    if path.exists():
        with st.expander(f"{t(doc_title)} ({doc})", icon=":material/description:"):
            ui.markdown_doc(path.read_text())

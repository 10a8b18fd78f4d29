"""SQL: read-only queries on the public views, shareable by URL (`?sql=`). Limits and checks: kdefense/sqlpage.py."""

import streamlit as st

from kdefense import export, opendata, queries, settings, sqlpage, ui
from kdefense.i18n import t
from kdefense.safety import neutralise_frame

KEY = "sql_text"


def _url_sql() -> str:
    try:
        value = st.query_params.get("sql", "")
    except Exception:  # noqa: BLE001 — a malformed link never breaks the page
        return ""
    return value if isinstance(value, str) else ""


def _use(sql: str) -> None:
    st.session_state[KEY] = sql
    st.query_params["sql"] = sql


def _submit() -> None:
    st.query_params["sql"] = st.session_state.get(KEY, "")


ui.current_filters()  # runs through dashboard.py (navigation, layout) even on a fresh server's first request
limits = settings.sql_limits()
sqlpage.warm()  # the query workers start (at low priority) while the page is read
st.title(t("SQL"))
ui.link_notices()
st.caption(t(
    "Read-only SQL (DuckDB dialect) on the public views of the database: one SELECT, at most {seconds} s, {rows} rows "
    "shown and in the CSV. The query is kept in the link, so it can be shared. Views and columns: docs/schema.md "
    "(also on the Data & method page).", seconds=f"{limits['seconds']:g}", rows=f"{int(limits['rows']):,}"))
url_sql = _url_sql()
if st.session_state.get("sql_synced") != url_sql:  # a link (or the back button) brings its own query
    st.session_state[KEY] = url_sql
    st.session_state["sql_synced"] = url_sql

st.text_area(t("Query"), key=KEY, height=150, placeholder="SELECT * FROM deals LIMIT 10")
cols = st.columns([1, 1.3, 1.3, 2])
cols[0].button(t("Run query"), type="primary", on_click=_submit, icon=":material/play_arrow:", key="sql_run")
with cols[1].popover(t("Example queries"), icon=":material/lightbulb:"):
    for i, (title, example) in enumerate(sqlpage.EXAMPLES.items()):
        st.button(t(title), key=f"sql_example_{i}", on_click=_use, args=(example,), icon=":material/play_arrow:")
with cols[2].popover(t("Views and columns"), icon=":material/table_chart:"):
    st.dataframe(
        [{"view": s.name, "column": c, "type": kind, "meaning": m} for s in opendata.schemas()
         for c, kind, m in s.columns],
        hide_index=True, width=900, height=400, placeholder="—",
    )

if url_sql.strip():
    cache = st.session_state.get("sql_result")
    stamp = (url_sql, queries.build_info().get("data_version"))
    if not cache or cache[0] != stamp:
        with st.spinner(t("Running…")):
            cache = (stamp, sqlpage.execute(url_sql))
        # "busy" or a lost worker: not kept, so that Run (same query) tries again
        st.session_state["sql_result"] = None if cache[1].retry else cache
    result = cache[1]
    if result.error:
        st.error(t("The query did not run."), icon=":material/block:")
        st.code(result.error, language="text", wrap_lines=True)
    else:
        frame = result.frame
        note = (t("The first {n} rows (the limit); the result has more.", n=f"{len(frame):,}")
                if result.truncated else t("{n} rows", n=f"{len(frame):,}"))
        st.caption(f"{note} · {result.seconds:.2f} s")
        # a shared `sql=` link can put formulas in literals: neutralised for the table toolbar's CSV download
        st.dataframe(neutralise_frame(frame), hide_index=True, width="stretch", placeholder="—",
                     column_config=ui.separated(frame))
        date = queries.build_info().get("built_at", "")[:10]
        capped = f"_first-{len(frame)}-rows" if result.truncated else ""
        st.download_button(
            t("Download CSV") + (" " + t("(first {n} rows only)", n=f"{len(frame):,}") if result.truncated else ""),
            lambda f=frame: export.to_csv_bytes(f), file_name=f"kdefense_sql{capped}_data-{date}.csv",
            mime="text/csv", key="dl_sql_csv", on_click="ignore", icon=":material/download:",
        )

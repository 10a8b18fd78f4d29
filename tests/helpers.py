"""Helpers for browser tests."""


# The script run is over: Streamlit marks its root with the run's state ("initial" before the first run). The status
# widget ("Running…") is no signal where it is hidden (presentation mode hides the header).
SCRIPT_DONE = """() => { const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.dataset.testScriptState === 'notRunning'; }"""
# Web fonts settled in the page and in its same-origin frames (slides and components draw in frames): text measured
# before a font arrives has the fallback font's width.
FONTS_READY = """async () => {
  const docs = [document];
  for (const f of document.querySelectorAll('iframe')) { try { if (f.contentDocument) docs.push(f.contentDocument); }
                                                          catch (e) {} }
  await Promise.all(docs.map(d => d.fonts.ready));
  return docs.every(d => d.fonts.status === 'loaded'); }"""


def wait_until_settled(page, timeout: int = 120_000) -> None:
    """Wait until the script run has finished (every element sent) and the fonts its text asks for have loaded."""
    page.wait_for_function(SCRIPT_DONE, timeout=timeout)
    page.wait_for_function(FONTS_READY, timeout=timeout)


def wait_for_app(page, selector: str = "[data-testid='stMetric'], [data-testid='stDataFrame'], .js-plotly-plot",
                 timeout: int = 120_000) -> None:
    """Wait until Streamlit has rendered the page and finished running (generous: a cold server on 2 busy cores)."""
    page.wait_for_selector(selector, timeout=timeout)
    wait_until_settled(page, timeout)
    page.wait_for_timeout(500)


APP_SCRIPT = str(__import__("pathlib").Path(__file__).resolve().parents[1] / "dashboard.py")
"""Absolute path for AppTest.from_file (relative paths resolve against the calling test file)."""


def run_app(page: str | None = None, state: dict | None = None, query: dict | None = None, timeout: int = 90):
    """A fresh AppTest run of the dashboard with widget state and URL parameters preset.

    Streamlit 1.67's AppTest drops sidebar elements from the element tree on a second run of an
    st.navigation app (the real browser is fine), so tests set filters before the first run instead of
    calling set_value() on sidebar widgets and re-running. Page-level (main area) widgets work as usual.
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP_SCRIPT, default_timeout=timeout)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if query:
        at.query_params = query
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def chart_data_open(at) -> dict[str, bool]:
    """Widget state that opens every data popover the page shows ("Data behind this chart", "Map data": widget keys
    `data_*`): their tables and downloads are made only while open (ui.chart_data)."""
    return {key: True for key in at.session_state if str(key).startswith("data_")}


def open_chart_data(at):
    """`at` rerun with every data popover open, as a user opening them. (AppTest reruns a Korean page's selectboxes
    with their English values: there, pass chart_data_open(at) as state to a new run_app instead.)"""
    for key, value in chart_data_open(at).items():
        at.session_state[key] = value
    return at.run()


# Statements the SQL page must refuse, or stop within its time limit, each with a message (issue 15).
HOSTILE_SQL = [
    "COPY deals TO '/tmp/kdefense_stolen.csv'",
    "COPY (SELECT * FROM deals) TO '/tmp/kdefense_stolen.parquet' (FORMAT parquet)",
    "ATTACH '/tmp/kdefense_evil.duckdb' AS evil",
    "ATTACH ':memory:' AS m",
    "DETACH kd",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/hostname')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM read_parquet('/tmp/*.parquet')",
    "SELECT * FROM read_json('https://example.com/x.json')",
    "SELECT * FROM 'https://example.com/data.csv'",
    "SELECT * FROM '/etc/passwd'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET memory_limit = '64GB'",
    "RESET lock_configuration",
    "PRAGMA database_list",
    "CALL pragma_version()",
    "SELECT 1; SELECT 2",
    "SELECT count(*) FROM deals; DROP VIEW deals",
    "CREATE TABLE t AS SELECT 1",
    "DROP VIEW deals",
    "UPDATE _internal.deals SET status = 'x'",
    "SELECT * FROM _internal.deals",
    "SELECT * FROM kd._internal.transfers",
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM duckdb_tables()",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM query('SELECT * FROM _internal.deals')",
    "EXPLAIN ANALYZE SELECT * FROM deals",
    "EXPORT DATABASE '/tmp/kdefense_export'",
    "SELECT count(*) FROM transfers a, transfers b, transfers c",
    "SELECT count(*) FROM transfers a CROSS JOIN transfers b CROSS JOIN transfers c CROSS JOIN transfers d",
    "SELECT count(*) FROM range(1000000000000)",
    "SELECT count(*) FROM range(1e12)",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    "SELECT " + "(" * 3000 + "1" + ")" * 3000,
    "SELECT list(range) FROM range(1000000000)",
    "",
    "\x00\x01 SELECT",
]

"""Helpers for browser tests."""


def wait_for_app(page, selector: str = "[data-testid='stMetric'], [data-testid='stDataFrame'], .js-plotly-plot",
                 timeout: int = 30000) -> None:
    """Wait until Streamlit has rendered the page and finished running."""
    page.wait_for_selector(selector, timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') || "
        "!document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout,
    )
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

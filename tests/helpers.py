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

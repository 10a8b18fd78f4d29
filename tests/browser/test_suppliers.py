"""Real Chromium against `streamlit run`: every Suppliers comparison renders readable charts at 1920×1080 that
say which filters apply, the CSV of a chart equals the register, and nothing is fetched from outside hosts.

Screenshots go to $KDEFENSE_SCREENSHOT_DIR when set (to look at them), else to the test's tmp_path.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import wait_for_app

pytestmark = pytest.mark.browser
# view → for each chart it draws, in page order: is it a SIPRI TIV chart (which must say what TIV is)?
VIEWS = {
    "Share & rank": (True, True, True),
    "Recipient markets": (True, True, True, True, True),
    "Speed & order book": (False, False, True),  # years to delivery ×2, order book (TIV)
    "Rival systems": (False, False),  # units
    "Korean firms": (False, False, False, False),  # money: must not mention TIV at all
}
SCOPE_PHRASES = ("Sidebar filters apply", "World totals", "All regions", "Split over all recipients",
                 "all sidebar filters apply", "only the sidebar's company filter applies")
MIN_FONT_PX = 11


def open_suppliers(page, url: str) -> None:
    # Load the entry page first: with a pages/ folder, Streamlit runs a first request for /suppliers as an
    # old-style page (without dashboard.py's sidebar) until some session has called st.navigation.
    page.goto(url)
    wait_for_app(page, "[data-testid='stMetric']", timeout=60000)
    page.goto(f"{url}/suppliers")
    wait_for_app(page, "[data-testid='stMetric']", timeout=60000)


def show(page, view: str) -> None:
    page.get_by_role("radio", name=view, exact=True).click()
    page.wait_for_timeout(300)
    wait_for_app(page, ".js-plotly-plot", timeout=60000)
    page.wait_for_timeout(1500)  # plotly draws after the script run ends


def shot_dir(tmp_path: Path) -> Path:
    out = Path(os.environ.get("KDEFENSE_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def end_label_boxes(plot) -> list[tuple[str, float, float, float, float]]:
    """(text, x, y, width, height) on screen of each line's end label (layout annotations)."""
    return plot.evaluate("el => [...el.querySelectorAll('.annotation-text')].filter(t => t.textContent.trim())"
                         ".map(t => { const b = t.getBoundingClientRect();"
                         " return [t.textContent, b.x, b.y, b.width, b.height]; })")


def overlapping(boxes: list) -> list[tuple[str, str]]:
    return [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[1] < b[1] + b[3] and b[1] < a[1] + a[3] and a[2] < b[2] + b[4] and b[2] < a[2] + a[4]]


def test_each_comparison_is_readable_at_1920x1080(app_server, page, tmp_path):
    out = shot_dir(tmp_path)
    open_suppliers(page, app_server["url"])
    for n, (view, tiv_charts) in enumerate(VIEWS.items()):
        show(page, view)
        assert page.locator("[data-testid='stException']").count() == 0, view
        plots = page.locator(".js-plotly-plot")
        assert plots.count() == len(tiv_charts), f"{view}: {plots.count()} charts"
        page.screenshot(path=out / f"suppliers_{n}_{view.replace(' ', '-').replace('&', 'and')}.png")
        for i, tiv in enumerate(tiv_charts):
            plot = plots.nth(i)
            plot.scroll_into_view_if_needed()
            box = plot.bounding_box()
            assert box["width"] >= 600 and box["height"] >= 300, f"{view} chart {i}: {box}"
            text = plot.inner_text()
            assert any(p in text for p in SCOPE_PHRASES), f"{view} chart {i} does not say which filters apply"
            if tiv:
                links = plot.evaluate("el => [...el.querySelectorAll('a')].map(a => a.getAttribute('xlink:href'))")
                assert "not money" in text and any("sources-and-methods" in (link or "") for link in links)
            elif view == "Korean firms":
                assert "TIV" not in text, "money charts never carry TIV"
            sizes = plot.evaluate("el => [...el.querySelectorAll('text')].filter(t => t.textContent.trim())"
                                  ".map(t => parseFloat(getComputedStyle(t).fontSize))")
            assert sizes and min(sizes) >= MIN_FONT_PX, f"{view} chart {i}: text of {min(sizes)} px"
            if view == "Share & rank":
                boxes = end_label_boxes(plot)  # South Korea and the 10 suppliers compared by default
                assert len(boxes) == 11 and not overlapping(boxes), f"{view} chart {i}: end labels overlap"
            plot.screenshot(path=out / f"suppliers_{n}_chart{i}.png")
    assert page.external_requests == []


def test_chart_csv_equals_the_register(app_server, page, built_db, tmp_path):
    open_suppliers(page, app_server["url"])
    page.get_by_role("button", name="Data behind this chart").first.click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").first.click()
    download = info.value
    assert download.suggested_filename.startswith("kdefense_supplier-share-windows_")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    got = pd.read_csv(io.BytesIO(path.read_bytes()))
    korea = got[(got["supplier"] == "South Korea") & (got["period_label"] == "2020–24")].iloc[0]
    tiv, world = built_db.execute("""SELECT sum(tiv_delivered_m) FILTER (WHERE supplier = 'South Korea'),
        sum(tiv_delivered_m) FROM transfer_deliveries WHERE basis = 'sipri_per_year'
        AND delivery_year BETWEEN 2020 AND 2024""").fetchone()
    assert korea["tiv_m"] == pytest.approx(tiv, abs=0.01) and korea["market_tiv_m"] == pytest.approx(world, abs=0.01)
    assert korea["rank"] == 10 and round(korea["share_pct"], 1) == 2.2
    assert page.external_requests == []

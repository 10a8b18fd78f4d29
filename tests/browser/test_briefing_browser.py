"""Presenting a shipped deck in real Chromium at 1920×1080: keyboard stepping, no chrome, room-sized type, PDF."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kdefense import briefing
from tests.helpers import wait_for_app

pytestmark = pytest.mark.browser
DECK = "korea-in-europe-since-2022"
ROOT = Path(__file__).resolve().parents[2]


def visible(page, selector: str) -> bool:
    return any(el.is_visible() for el in page.locator(selector).all())


def test_step_through_the_shipped_deck_with_the_keyboard(app_server, page, tmp_path):
    deck = briefing.load_decks()[DECK]
    page.goto(app_server["url"] + deck.slide_url(1))
    for number in range(1, len(deck.slides) + 1):
        page.wait_for_function(f"() => location.search.includes('slide={number}')")
        wait_for_app(page)
        page.wait_for_function(f"() => document.body.innerText.includes('Slide {number} / {len(deck.slides)}')")
        page.screenshot(path=str(tmp_path / f"slide-{number}.png"))
        assert not visible(page, "[data-testid='stSidebar']"), "sidebar must be hidden when presenting"
        assert not visible(page, "[data-testid='stHeader']") and not visible(page, "[data-testid='stToolbar']")
        body = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.stApp p')).fontSize)")
        assert body >= 24
        title = deck.slides[number - 1].title
        assert page.locator(".kd-slide-title").inner_text().strip() == title
        for chart in page.locator(".js-plotly-plot").all():
            marks = "path.point, .bars path, .scatterlayer path, .choroplethlocation, .heatmaplayer image, .hm image"
            assert chart.locator(marks).count() > 0
        footer = page.locator(".kd-footer").last.inner_text()
        assert "SIPRI" in footer and "Data 20" in footer
        key = "ArrowRight" if number % 2 else "PageDown"  # arrows and presentation clickers' keys
        if number < len(deck.slides):
            page.keyboard.press(key)
    page.keyboard.press("PageUp")
    page.wait_for_function(f"() => location.search.includes('slide={len(deck.slides) - 1}')")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => location.search.includes('slide={len(deck.slides) - 2}')")
    assert page.external_requests == []


def test_dark_high_contrast_theme(app_server, page):
    deck = briefing.load_decks()[DECK]
    page.goto(app_server["url"] + deck.slide_url(1) + "&theme=dark")
    wait_for_app(page, "[data-testid='stMetric']")
    background = page.evaluate("() => getComputedStyle(document.querySelector('.stApp')).backgroundColor")
    assert background in ("rgb(0, 0, 0)", "rgba(0, 0, 0, 1)")


def test_pdf_export_has_one_page_per_slide(app_server, tmp_path):
    """The CLI export (the Briefing page uses the same functions) renders offline against the local server."""
    from PIL import Image

    deck = briefing.load_decks()[DECK]
    out, png_dir = tmp_path / "deck.pdf", tmp_path / "png"
    subprocess.run([sys.executable, "-m", "kdefense.deck_export", f"briefings/{DECK}.toml", "--out", str(out),
                    "--png-dir", str(png_dir), "--base-url", app_server["url"]], check=True, cwd=ROOT, timeout=300)
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == len(deck.slides)
    pngs = sorted(png_dir.glob("*.png"))
    assert len(pngs) == len(deck.slides)
    assert all(Image.open(p).size == (1920, 1080) for p in pngs)

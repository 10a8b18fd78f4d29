"""Every shipped deck exported once to PDF and PowerPoint (headless Chromium, no server): a text layer with each
slide's title and takeaway on its own page, metadata, nothing outside a page, no controls; the PPTX opens with
python-pptx and holds titles, takeaways and speaker notes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from kdefense import briefing

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # make test-slow
DECKS = sorted(briefing.load_decks())
CONTROLS = ("Previous", "Next ▶", "◀", "Exit", "Present this view", "Value basis", "Gantt rows", "Region preset",
            "Comparison", "Reset filters", "Download CSV", "Data behind this chart")


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def exported(built_db_path):
    import os

    from kdefense import deck_export

    if not os.path.exists(deck_export.CHROMIUM):
        pytest.skip("Chromium is not installed")
    old = os.environ.get("KDEFENSE_DB")
    os.environ["KDEFENSE_DB"] = str(built_db_path)
    try:
        decks = briefing.load_decks()
        # in a thread of its own: the session's `browser` fixture keeps Playwright's sync API (and its asyncio loop)
        # running in this thread once any browser test has run, and a second sync_playwright() here refused to start
        with ThreadPoolExecutor(1) as pool:
            yield pool.submit(lambda: {d: deck_export.export_deck(decks[d], ("pdf", "pptx")) for d in DECKS}).result()
    finally:
        if old is None:
            os.environ.pop("KDEFENSE_DB", None)
        else:
            os.environ["KDEFENSE_DB"] = old


def pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "deck.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[: out.count("\f")]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
@pytest.mark.parametrize("deck_id", DECKS)
def test_pdf_has_a_text_page_per_slide(exported, deck_id, tmp_path):
    from pypdf import PdfReader

    result = exported[deck_id]
    deck = result.deck
    assert result.pdf.startswith(b"%PDF")
    assert result.layout_problems == [], result.layout_problems
    pages = pdf_pages(result.pdf, tmp_path)
    assert len(pages) == len(deck.slides)
    for number, (slide, text) in enumerate(zip(deck.slides, pages, strict=True), start=1):
        flat = words(text)
        assert words(slide.title) in flat, f"page {number}: title missing from the text layer"
        assert words(slide.takeaway) in flat, f"page {number}: takeaway missing from the text layer"
        assert f"Slide {number} / {len(deck.slides)}" in flat and "SIPRI" in flat
        for control in CONTROLS:
            assert control not in flat, f"page {number}: control label '{control}' in the PDF"
    meta = PdfReader(io.BytesIO(result.pdf)).metadata
    assert meta.title == deck.title and "SIPRI" in meta.author and meta.creation_date is not None
    reader = PdfReader(io.BytesIO(result.pdf))
    box = reader.pages[0].mediabox
    assert abs(float(box.width) / float(box.height) - 16 / 9) < 0.01


@pytest.mark.parametrize("deck_id", DECKS)
def test_pptx_has_titles_takeaways_charts_and_notes(exported, deck_id):
    from pptx import Presentation

    from kdefense import deck_export

    result = exported[deck_id]
    prs = Presentation(io.BytesIO(result.pptx))
    assert prs.core_properties.title == result.deck.title
    assert len(prs.slides) == len(result.deck.slides)
    for number, (page, slide, content) in enumerate(
            zip(prs.slides, result.deck.slides, result.contents, strict=True), start=1):
        texts = [s.text_frame.text for s in page.shapes if s.has_text_frame]
        assert slide.title in texts and slide.takeaway in texts, f"slide {number}"
        pictures = [s for s in page.shapes if s.shape_type == 13]
        assert len(pictures) == len(content.charts), f"slide {number}: one image per chart"
        for picture in pictures:  # rastered at twice the canvas size: sharp on a 4K screen and in print
            shown_px = picture.width / deck_export.EMU_PER_PX
            assert picture.image.size[0] >= 2 * shown_px - 2, f"slide {number}: {picture.image.size} for {shown_px} px"
        notes = page.notes_slide.notes_text_frame.text
        assert "Filters:" in notes and "SIPRI" in notes and content.filters_line in notes

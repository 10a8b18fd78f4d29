"""A briefing deck exported in Korean (the export process's --lang, as the Briefing page asks for it): the PDF has
a text layer with each slide's Korean title and takeaway (title_ko / takeaway_ko), Korean chart and footer text,
and embeds the Korean font it drew them with; the PowerPoint holds the same Korean titles."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys

import pytest

from kdefense import briefing

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # make test-slow
DECK = "middle-east-iraq-saudi-uae"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def words(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def exported(built_db_path, tmp_path_factory):
    """The deck exported exactly as the export queue runs it: `python -m kdefense.deck_export ... --lang ko`."""
    import os

    from kdefense import deck_export

    if not os.path.exists(deck_export.CHROMIUM):
        pytest.skip("Chromium is not installed")
    folder = tmp_path_factory.mktemp("deck-ko")
    deck = briefing.load_decks()[DECK]
    (folder / "deck.toml").write_text(briefing.deck_to_toml(deck), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kdefense.deck_export", str(folder / "deck.toml"), "--out",
                          str(folder / "deck.pdf"), "--pptx", str(folder / "deck.pptx"), "--lang", "ko"],
                         env={**os.environ, "KDEFENSE_DB": str(built_db_path)}, capture_output=True, text=True,
                         timeout=600, cwd=briefing.settings.ROOT)
    assert run.returncode in (0, 2), run.stderr[-2000:]  # 2: a layout warning, reported by the other deck test
    return deck, folder / "deck.pdf", folder / "deck.pptx"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_korean_pdf_has_extractable_korean_text_per_slide(exported):
    deck, pdf, _ = exported
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")[: text.count("\f")]
    assert len(pages) == len(deck.slides)
    for number, (slide, page) in enumerate(zip(deck.slides, pages, strict=True), start=1):
        assert slide.title_ko and slide.takeaway_ko
        assert words(slide.title_ko) in words(page), (number, page[:300])
        assert words(slide.takeaway_ko) in words(page), (number, page[:300])
        assert f"슬라이드{number}/{len(deck.slides)}" in words(page)  # the footer, in Korean
        assert "출처:" in page  # the credit line
        assert slide.title not in page  # the English title is not shown instead
    # chart titles and metric labels drawn by the slides are Korean too (as SVG text, still extractable)
    assert sum("수입국" in p or "계약" in p for p in pages) >= len(pages) // 2


def test_korean_pdf_embeds_a_korean_font(exported):
    """The Hangul is drawn with a font embedded in the PDF (Noto Sans KR served to the export, or Debian's
    Noto Sans CJK installed by `make sysdeps`), never left to the reader's machine."""
    if shutil.which("pdffonts") is None:
        pytest.skip("poppler-utils (pdffonts) is not installed")
    _, pdf, _ = exported
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    korean = [line for line in fonts.splitlines() if "NotoSansKR" in line.replace(" ", "") or "CJK" in line]
    assert korean, fonts
    assert all(" yes " in line for line in korean), fonts  # embedded


def test_korean_pptx_has_korean_titles(exported):
    from pptx import Presentation

    deck, _, pptx = exported
    prs = Presentation(io.BytesIO(pptx.read_bytes()))
    texts = ["".join(shape.text_frame.text for shape in s.shapes if shape.has_text_frame) for s in prs.slides]
    assert len(texts) == len(deck.slides)
    for slide, text in zip(deck.slides, texts, strict=True):
        assert words(slide.title_ko) in words(text)
        assert HANGUL.search(text)

"""Issue 19, items 2 and 10: what a spreadsheet makes of our files, checked with LibreOffice Calc (headless).

- Streamlit's own table toolbar "Download as CSV" of a deck holding formula text: 0 formula cells in Calc.
- The project's CSV export: every date cell is a date to Calc (so a sort is chronological), integers are integers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest

from kdefense import export
from kdefense.briefing import Deck, Slide
from tests.helpers import wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # make test-slow
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
NS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
      "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0"}
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(1)", "=1+1"]


def calc_cells(csv_path: Path, tmp_path: Path) -> list[list[ElementTree.Element]]:
    """The cells of the CSV file as LibreOffice Calc imports it (converted to flat ODS, rows of cells)."""
    if not SOFFICE:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui); .ci/run installs it")
    out = tmp_path / "calc"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to",
                    "fods", "--outdir", str(out), str(csv_path)], check=True, capture_output=True, timeout=180)
    tree = ElementTree.parse(out / (csv_path.stem + ".fods"))
    rows = []
    for row in tree.iter(f"{{{NS['table']}}}table-row"):
        cells = []
        for cell in row.findall("table:table-cell", NS):
            repeat = int(cell.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
            cells += [cell] * min(repeat, 50)
        rows.append(cells)
    return rows


def formula_cells(rows) -> int:
    return sum(1 for row in rows for cell in row if cell.get(f"{{{NS['table']}}}formula"))


def test_libreoffice_runs_formulas_from_a_raw_csv(tmp_path):
    """The check below can fail: Calc does turn an unprotected cell into a live formula."""
    raw = tmp_path / "raw.csv"
    raw.write_text("title\r\n" + "\r\n".join('"' + f.replace('"', '""') + '"' for f in FORMULAS) + "\r\n")
    assert formula_cells(calc_cells(raw, tmp_path)) >= 2  # the two cells starting with "="


def test_table_toolbar_download_of_a_hostile_deck_has_no_formula(app_server, browser, tmp_path):
    from kdefense.ui import user_deck_token

    deck = Deck("evil", "Evil deck", FORMULAS[4], tuple(Slide("overview", f, FORMULAS[(i + 1) % 5])
                                                         for i, f in enumerate(FORMULAS)))
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    context.add_init_script("delete window.showSaveFilePicker")  # headless: the toolbar falls back to a download
    page = context.new_page()
    try:
        page.goto(f"{app_server['url']}/briefing?" + urlencode({"mydeck": user_deck_token(deck)}))
        wait_for_app(page, "[data-testid='stDataFrame']", timeout=180_000)  # a shared machine may be slow
        grid = page.locator("[data-testid='stDataFrame']").last  # the deck from the link comes after the shipped ones
        grid.hover()
        with page.expect_download() as info:
            page.locator("[data-testid='stElementToolbar'] button[aria-label='Download as CSV']").last.click()
        path = tmp_path / "toolbar.csv"
        info.value.save_as(path)
    finally:
        context.close()
    text = path.read_text(encoding="utf-8-sig")
    assert "HYPERLINK" in text
    rows = calc_cells(path, tmp_path)
    assert len(rows) >= 1 + len(FORMULAS)
    assert formula_cells(rows) == 0


def test_exported_dates_are_dates_to_calc_and_sort_chronologically(built_db, tmp_path):
    deals = built_db.execute("""SELECT deal_id, signed_date, quantity, value_usd_m FROM deals
        WHERE signed_date IS NOT NULL ORDER BY deal_id""").df()
    precisions = {len(d) for d in deals["signed_date"]}
    assert precisions == {4, 7, 10}, "the ledger has dates at year, month and day precision"
    path = tmp_path / "deals.csv"
    path.write_bytes(export.to_csv_bytes(deals))
    text = path.read_text(encoding="utf-8-sig")
    quantity = [line.split(",")[3] for line in text.splitlines()[1:]]
    assert all(re.fullmatch(r"[0-9]*", q) for q in quantity), "integers are written as integers"
    rows = calc_cells(path, tmp_path)
    header = [c.findtext("text:p", namespaces={"text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"})
              for c in rows[0]]
    col = header.index("signed_date")
    cells = [row[col] for row in rows[1:len(deals) + 1]]
    types = {c.get(f"{{{NS['office']}}}value-type") for c in cells}
    assert types == {"date"}, types
    calc_dates = [c.get(f"{{{NS['office']}}}date-value")[:10] for c in cells]
    want = [d if len(d) == 10 else f"{d}-01" if len(d) == 7 else f"{d}-01-01" for d in deals["signed_date"]]
    assert calc_dates == want  # so Calc's sort on this column is chronological
    q = header.index("quantity")
    assert {row[q].get(f"{{{NS['office']}}}value-type") for row in rows[1:len(deals) + 1]} <= {"float", None}

"""Chart images that travel: the camera button downloads a PNG at twice the screen size, or an SVG, and the image
itself carries the chart's title, the filters line, "Source: …" and the data version date."""

from __future__ import annotations

import re
import struct

import pytest

from tests.helpers import wait_for_app

pytestmark = pytest.mark.browser


def download(page, chart):
    chart.hover()
    with page.expect_download() as info:
        chart.locator(".modebar-btn[data-title^='Download plot']").first.click()
    return info.value


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_chart_png_and_svg_carry_title_filters_source_and_date(app_server, page, tmp_path):
    page.goto(app_server["url"] + "/?region=Europe&from=2022&to=2026")
    wait_for_app(page, ".js-plotly-plot", timeout=120_000)
    chart = page.locator(".js-plotly-plot").first
    shown = chart.bounding_box()
    png = download(page, chart)
    assert png.suggested_filename.startswith("korea-exports-") and png.suggested_filename.endswith(".png")
    png.save_as(tmp_path / "chart.png")
    data = (tmp_path / "chart.png").read_bytes()
    width, height = png_size(data)
    assert width >= 2 * shown["width"] - 2 and height >= 2 * shown["height"] - 2, (width, height, shown)

    page.locator("[data-testid='stSidebar'] button", has_text="SVG").click()
    wait_for_app(page, ".js-plotly-plot", timeout=120_000)
    page.wait_for_timeout(500)
    svg = download(page, page.locator(".js-plotly-plot").first)
    assert svg.suggested_filename.endswith(".svg")
    svg.save_as(tmp_path / "chart.svg")
    text = " ".join(re.findall(r">([^<>]+)<", (tmp_path / "chart.svg").read_text(encoding="utf-8")))
    assert "By region" in text
    assert "Europe" in text and "2022–2026" in text  # the filters line
    assert "Source: Information from the SIPRI Arms Transfers Database" in text
    assert re.search(r"built 20\d\d-\d\d-\d\d", text)

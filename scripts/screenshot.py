"""Screenshot pages of a running dashboard in headless Chromium: python scripts/screenshot.py URL OUT.png [WxH]."""

import sys

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic"]


def main(url: str, out: str, size: str = "1600x1000") -> None:
    width, height = (int(x) for x in size.split("x"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url)
        page.wait_for_selector("[data-testid='stMetric'], [data-testid='stDataFrame'], .js-plotly-plot",
                               timeout=30000)
        page.wait_for_timeout(2500)
        page.screenshot(path=out, full_page=True)
        print(page.url)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])

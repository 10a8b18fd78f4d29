"""Real Chromium against `streamlit run`: the home page's numbers, the CSV download, shared URLs, reset."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from tests.helpers import wait_for_app

pytestmark = pytest.mark.browser
SIGNED = "status IN ('contract', 'delivering', 'completed')"


def metric_values(page) -> dict[str, str]:
    labels = page.locator("[data-testid='stMetricLabel']").all_inner_texts()
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    return {label.strip(): value.strip() for label, value in zip(labels, values)}


def test_home_page_shows_the_numbers_and_makes_no_external_request(app_server, page, built_db):
    page.goto(app_server["url"])
    wait_for_app(page, "[data-testid='stMetric']")
    n, recipients, value = built_db.execute(f"""SELECT count(*), count(DISTINCT recipient_iso3),
        sum(value_usd_m_counted) FROM deals WHERE {SIGNED}""").fetchone()
    m = metric_values(page)
    assert m["Deals"] == f"{n:,}" and m["Recipients"] == f"{recipients:,}"
    assert m["Contract value"] == f"${value / 1000:,.1f} bn"
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=120_000)
    assert "SIPRI Arms Transfers Database" in page.locator(".kd-footer").inner_text()
    assert page.external_requests == []


def test_csv_download_equals_the_table(app_server, page, built_db, tmp_path):
    page.goto(f"{app_server['url']}/deals?region=Europe&status=contract&status=delivering&status=completed")
    wait_for_app(page, "[data-testid='stDataFrame']")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("kdefense_deals_usd_") and "Europe" in download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    got = pd.read_csv(io.BytesIO(raw))
    want = built_db.execute(f"""SELECT deal_id, quantity, value_amount_m, currency FROM deals
        WHERE recipient_region = 'Europe' AND {SIGNED} ORDER BY signed_date DESC, deal_id""").df()
    assert list(got["deal_id"]) == list(want["deal_id"])
    assert got["value_amount_m"].fillna(-1).round(3).tolist() == want["value_amount_m"].fillna(-1).round(3).tolist()
    shown = page.locator("text=/\\d+ deals/").first.inner_text()
    assert shown.startswith(f"{len(want):,} deals")
    # downloading does not rerun the page: the table is still there and no spinner is left
    assert page.locator("[data-testid='stDataFrame']").count() == 1


def test_shared_url_opens_the_same_filters_on_another_page(app_server, page, built_db):
    page.goto(f"{app_server['url']}/deals?region=Middle%20East&system=Cheongung-II&from=2015&to=2026")
    wait_for_app(page, "[data-testid='stDataFrame']")
    summary = page.locator(".kd-filter-summary").inner_text()
    assert "Middle East" in summary and "Cheongung-II" in summary and "2015–2026" in summary
    page.get_by_role("link", name="Overview").click()
    page.wait_for_url(lambda url: "/deals" not in url)
    wait_for_app(page, "[data-testid='stMetric']")
    assert "Middle East" in page.locator(".kd-filter-summary").inner_text()
    params = parse_qs(urlparse(page.url).query)
    assert params["region"] == ["Middle East"] and params["system"] == ["Cheongung-II"]
    n = built_db.execute(f"""SELECT count(*) FROM deals WHERE recipient_region = 'Middle East'
        AND system_family = 'Cheongung-II' AND signed_year BETWEEN 2015 AND 2026 AND {SIGNED}""").fetchone()[0]
    assert metric_values(page)["Deals"] == f"{n:,}"
    page.reload()
    wait_for_app(page, "[data-testid='stMetric']")
    assert metric_values(page)["Deals"] == f"{n:,}"


def test_reset_filters_really_resets(app_server, page, built_db):
    page.goto(f"{app_server['url']}/?region=Africa&q=boat")
    wait_for_app(page, "[data-testid='stMetric'], [data-testid='stAlert']")
    assert "Africa" in page.locator(".kd-filter-summary").inner_text()
    page.get_by_role("button", name="Reset filters").click()
    page.wait_for_function("() => !document.querySelector('.kd-filter-summary').innerText.includes('Africa')")
    wait_for_app(page, "[data-testid='stMetric']")
    params = parse_qs(urlparse(page.url).query)
    assert "region" not in params and "q" not in params
    n = built_db.execute(f"SELECT count(*) FROM deals WHERE {SIGNED}").fetchone()[0]
    assert metric_values(page)["Deals"] == f"{n:,}"


def test_junk_url_shows_a_notice_not_a_traceback(app_server, page):
    junk = "&".join(f"region=bad{i}&from=x{i}&basis=zz{i}" for i in range(60))
    page.goto(f"{app_server['url']}/?{junk}&country=ZZZ")
    wait_for_app(page, "[data-testid='stMetric']")
    assert page.locator("[data-testid='stAlert']").count() >= 1
    assert "Traceback" not in page.content()
    assert page.locator("[data-testid='stException']").count() == 0

"""Real Chromium: a shared link with `kind=` shows the same numbers as the query; the Tenders page opens from a link."""

from __future__ import annotations

import pytest

from tests.browser.test_core_browser import SIGNED, metric_values
from tests.helpers import wait_for_app

pytestmark = pytest.mark.browser


def test_shared_link_with_kind_shows_the_query_numbers(app_server, page, built_db):
    page.goto(f"{app_server['url']}/?kind=used_grant&kind=loan&kind=nonsense")
    wait_for_app(page, "[data-testid='stMetric']", timeout=120000)
    n, recipients = built_db.execute(f"""SELECT count(*), count(DISTINCT recipient_iso3) FROM deals
        WHERE deal_kind IN ('used_grant', 'loan') AND {SIGNED}""").fetchone()
    m = metric_values(page)
    assert m["Deals"] == f"{n:,}" and m["Recipients"] == f"{recipients:,}"
    assert "not recognised" in page.locator("[data-testid='stAlert']").first.inner_text()
    assert "kind=used_grant" in page.url and "nonsense" not in page.url
    page.goto(f"{app_server['url']}/deals?kind=used_grant&kind=loan")
    wait_for_app(page, "[data-testid='stDataFrame']", timeout=120000)
    assert page.locator("text=/\\d+ deals/").first.inner_text().startswith(f"{n:,} deals")


def test_tenders_link_shows_the_record(app_server, page, built_db):
    page.goto(f"{app_server['url']}/tenders?region=Europe")
    wait_for_app(page, "[data-testid='stMetric']", timeout=120000)
    n, won = built_db.execute("""SELECT count(*), count(*) FILTER (WHERE outcome = 'won') FROM competitions
        WHERE recipient_region = 'Europe'""").fetchone()
    m = metric_values(page)
    assert m["Competitions"] == f"{n:,}" and m["Won"] == f"{won:,}"
    assert page.locator(".js-plotly-plot").count() >= 1

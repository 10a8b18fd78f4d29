"""AppTest: dates in tables the Korean way at the data's precision and in an order the table sort keeps; amounts in
tables with thousands separators (issue 18: "dates as 2022년 8월 26일, in metrics, tables (sortable …)")."""

from __future__ import annotations

import json
import re

from kdefense import fmt
from tests.helpers import run_app

SIGNED = "status IN ('contract', 'delivering', 'completed')"
KOREAN_DATE = re.compile(r"\d{4}년(?: [ \u2007\d]\d월(?: [ \u2007\d]\d일)?)?")


def collation_key(text: str) -> str:
    """The browser's table sort (Unicode collation) puts every space before every digit; Python compares code
    points, in which the figure space comes after the digits, so it is mapped to a space first."""
    return text.replace(fmt.FIGURE_SPACE, " ")


def column_configs(element) -> dict:
    """The column configuration Streamlit sends with a dataframe (label, type, format per column)."""
    return json.loads(element.proto.columns)


def test_korean_deals_table_dates(app_db, built_db):
    at = run_app(page="pages/deals.py", query={"lang": "ko"})
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    rows = built_db.execute(f"""SELECT deal_id, signed_date, signed_date_precision FROM deals WHERE {SIGNED}
        ORDER BY signed_date DESC, deal_id""").fetchall()
    assert list(table["deal_id"]) == [r[0] for r in rows]
    shown = dict(zip(table["deal_id"], table["signed_date"], strict=True))
    precisions = set()
    for deal_id, iso, precision in rows:
        text = shown[deal_id]
        assert text == fmt.table_date(iso, lang="ko") and KOREAN_DATE.fullmatch(text), (deal_id, iso, text)
        assert not re.search(r"\d{4}-\d", text)  # no ISO date left
        assert text.endswith({"day": "일", "month": "월", "year": "년"}[precision]), (deal_id, iso, text)  # no day added
        precisions.add(precision)
    assert precisions == {"day", "month", "year"}  # the table really mixes the three precisions
    # Sorting the column by its text (what a click on the header does) gives the dates in order.
    by_text = sorted(shown, key=lambda d: (collation_key(shown[d]), d))
    by_date = sorted(shown, key=lambda d: (dict((r[0], r[1]) for r in rows)[d], d))
    assert by_text == by_date
    config = column_configs(at.dataframe[0])["signed_date"]
    assert config["label"] == "계약일"
    assert config.get("type_config", {}).get("type", "text") == "text"  # text: a typed date would add days


def test_english_deals_table_keeps_iso_dates(app_db, built_db):
    at = run_app(page="pages/deals.py", query={"lang": "en"})
    table = at.dataframe[0].value
    want = dict(built_db.execute(f"SELECT deal_id, signed_date FROM deals WHERE {SIGNED}").fetchall())
    assert dict(zip(table["deal_id"], table["signed_date"], strict=True)) == want


def test_korean_deal_card_dates(app_db, built_db):
    at = run_app(page="pages/deals.py", query={"lang": "ko", "deal": "KR-POL-2022-K2-EC1"})
    assert not at.exception, at.exception
    signed = built_db.execute("SELECT signed_date FROM deals WHERE deal_id = 'KR-POL-2022-K2-EC1'").fetchone()[0]
    assert any(fmt.date(signed, lang="ko") in str(c.value) for c in at.caption), [c.value for c in at.caption]
    family = next(d for d in at.dataframe if "relation" in d.value.columns)
    assert all(KOREAN_DATE.fullmatch(v) for v in family.value["signed_date"] if v is not None)
    assert set(family.value["relation"]) <= {"상위 계약", "하위 계약"}
    labels = {c: v.get("label") for c, v in column_configs(family).items()}
    assert labels["signed_date"] and not re.search(r"[A-Za-z]{3,}", labels["signed_date"])


def test_overview_latest_deals_dates_and_amounts(app_db, built_db):
    rows = built_db.execute(f"""SELECT signed_date, signed_date_precision FROM deals WHERE {SIGNED}
        ORDER BY signed_date DESC, deal_id LIMIT 10""").fetchall()
    for lang in ("ko", "en"):
        at = run_app(query={"lang": lang})
        assert not at.exception, at.exception
        latest = next(d for d in at.dataframe if "value_amount_m" in d.value.columns)
        assert list(latest.value["signed_date"]) == [fmt.table_date(r[0], lang=lang) for r in rows]
        configs = column_configs(latest)
        assert configs["signed_date"].get("type_config", {}).get("type", "text") == "text"  # no day added
        assert configs["value_amount_m"]["type_config"]["format"] == "%,.1f"  # 101,400.0, not 101400.0
        assert configs["value_usd_m"]["type_config"]["format"] == "%,.0f"

"""Numbers, money and dates: Korean units (만/억/조, 원/달러, 년 월 일) and today's English formats."""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest

from kdefense import fmt
from kdefense.i18n import use_lang


@pytest.mark.parametrize("amount_m,expected", [
    (1_350_000, "1조 3,500억 원"),        # 1.35 trillion won
    (135_800, "1,358억 원"),              # "135.8 billion won" in the seed articles
    (3_713_500, "3조 7,135억 원"),        # Cheongung-II Iraq, as LIG Nex1 disclosed it
    (844_700, "8,447억 원"),
    (12.5, "1,250만 원"),
    (0.005, "5,000 원"),
])
def test_krw_in_korean_units(amount_m, expected):
    assert fmt.money_m(amount_m, "KRW", lang="ko") == expected


@pytest.mark.parametrize("value_m,expected", [(13_500, "135억 달러"), (101, "1억 100만 달러"), (5_760, "57억 6,000만 달러")])
def test_usd_in_korean_units(value_m, expected):
    assert fmt.usd_m(value_m, lang="ko") == expected


def test_headline_usd_keeps_the_english_precision():
    assert fmt.usd_bn(13_580, lang="en") == "$13.6 bn"
    assert fmt.usd_bn(13_580, lang="ko") == "136억 달러"   # three significant figures, as $13.6 bn
    assert fmt.usd_bn(1_250_000, lang="ko") == "1조 2,500억 달러"


def test_english_keeps_todays_formats():
    assert fmt.money_m(1234.5, "KRW", lang="en") == "1,234.5 m KRW"
    assert fmt.usd_m(101, lang="en") == "$101 m"
    assert fmt.tiv_m(1234.4, lang="en") == "1,234 m TIV"
    assert fmt.number(1234567, lang="en") == "1,234,567"
    assert fmt.delta(8, 5, lang="en") == "+3 vs previous period"
    assert fmt.delta(5, 8, lang="en") == "-3 vs previous period"


def test_other_currencies_are_named_in_korean():
    assert fmt.money_m(3_375, "PLN", lang="ko") == "33억 7,500만 폴란드 즈워티"
    assert fmt.money_m(100, "EUR", lang="ko") == "1억 유로"


@pytest.mark.parametrize("value", ["2022-08-26", dt.date(2022, 8, 26), dt.datetime(2022, 8, 26, 13, 5)])
def test_dates(value):
    assert fmt.date(value, lang="ko") == "2022년 8월 26일"
    assert fmt.date(value, lang="en") == "2022-08-26"


def test_missing_values_stay_missing():
    for lang in ("en", "ko"):
        assert fmt.money_m(None, "KRW", lang=lang) == fmt.MISSING
        assert fmt.usd_bn(math.nan, lang=lang) == fmt.MISSING
        assert fmt.date(None, lang=lang) == fmt.MISSING
        assert fmt.delta(None, 3, lang=lang) is None


def test_korean_units_rounding_and_sign():
    assert fmt.korean_units(123_456) == "12만 3,500"
    assert fmt.korean_units(-1.35e12) == "-1조 3,500억"
    assert fmt.korean_units(0) == "0"


def test_active_language_is_used_by_default():
    with use_lang("ko"):
        assert fmt.date("2022-08-26") == "2022년 8월 26일"
        assert fmt.tiv_m(1234) == "12억 3,000만 TIV"
        assert fmt.tiv_m(142_948) == "1,430억 TIV"  # was 'TIV 142,948백만': two lines in a metric at 1366 px
        assert fmt.tiv_m(25_510, unit=False) == "255억"  # the Overview's metric: its label names SIPRI TIV
        assert fmt.tiv_m(12.5) == "1,250만 TIV" and fmt.tiv_m(0) == "0 TIV"
        assert not any(word in fmt.tiv_m(142_948) for word in ("원", "달러", "$"))
        assert fmt.delta(8, 5) == "+3 (전기 대비)"
        assert fmt.table_date("2022-08") == "2022년 \u20078월"
    assert fmt.date("2022-08-26") == "2022-08-26"


FS = fmt.FIGURE_SPACE


@pytest.mark.parametrize(("value", "korean", "english"), [
    ("2022-08-26", f"2022년 {FS}8월 26일", "2022-08-26"),
    ("2022-08", f"2022년 {FS}8월", "2022-08"),  # month precision: no day is added
    ("2022", "2022년", "2022"),
    ("2021-12-01", f"2021년 12월 {FS}1일", "2021-12-01"),
    (dt.date(2022, 1, 5), f"2022년 {FS}1월 {FS}5일", "2022-01-05"),
    (None, None, None), ("", None, None),
])
def test_table_dates_keep_the_precision(value, korean, english):
    assert fmt.table_date(value, lang="ko") == korean
    assert fmt.table_date(value, lang="en") == english
    if korean:
        assert not re.search(r"(?<!\d)0\d", korean)  # Korean dates have no leading zero (2022. 8. 26.)


def collation_key(text: str) -> str:
    """The order the browser's table sort gives (String.localeCompare, Unicode collation): every space, the figure
    space included, before every digit. Python compares code points (U+2007 after the digits), so the test maps the
    figure space to an ASCII space first."""
    return text.replace(FS, " ")


def test_korean_table_dates_sort_in_date_order():
    """A table column sorted by its text must read in date order, coarser precision first (as ISO text sorts)."""
    iso = ["2021-12-01", "2022", "2022-01-05", "2022-01-15", "2022-08", "2022-08-26", "2022-10", "2022-10-03",
           "2023-02-28"]
    korean = [fmt.table_date(v, lang="ko") for v in iso]
    assert sorted(korean, key=collation_key) == korean
    assert sorted(iso) == iso  # the same order as the ISO text


def test_korean_table_dates_old_style_would_missort():
    """Unpadded Korean dates sort 10월 before 8월: the reason for the figure space (guards against dropping it)."""
    plain = [fmt.date(v, lang="ko") for v in ("2022-08-26", "2022-10-03")]
    assert sorted(plain, key=collation_key) != plain


def test_table_dates_convert_every_date_column_in_korean_only():
    import pandas as pd

    df = pd.DataFrame({"signed_date": ["2022-08-26", "2022-08", None], "date": ["2022", "2024-03-01", "2024-03"],
                       "start_date": pd.to_datetime(["2022-08-26", "2023-01-02", None]).date,
                       "value_usd_m": [1.0, 2.0, 3.0], "update": ["2022-08-26"] * 3})
    assert fmt.table_dates(df, lang="en") is df  # English: the frame as the data give it
    shown = fmt.table_dates(df, lang="ko")
    assert shown["signed_date"].tolist() == [f"2022년 {FS}8월 26일", f"2022년 {FS}8월", None]
    assert shown["date"].tolist() == ["2022년", f"2024년 {FS}3월 {FS}1일", f"2024년 {FS}3월"]
    assert shown["start_date"].tolist() == [f"2022년 {FS}8월 26일", f"2023년 {FS}1월 {FS}2일", None]
    assert shown["update"].tolist() == df["update"].tolist()  # not a date column by name: untouched
    assert df["signed_date"].tolist()[0] == "2022-08-26"  # the data frame itself is not changed


def test_timeline_hover_dates_follow_the_language():
    from kdefense import charts_timeline as ct

    row = {"deal_id": "D1", "designation": "K9", "status": "contract", "signed_date": "2022-08", "quantity": 24,
           "value_amount_m": None, "currency": None, "value_note": None, "source_ids": "s1"}
    assert "signed 2022-08" in ct._deal_hover(row)
    with use_lang("ko"):
        hover = ct._deal_hover(row)
    assert "2022년 8월" in hover and "2022-08" not in hover


def test_a_date_written_in_words_in_korean():
    assert fmt.written_date("18 May 2026", lang="en") == "18 May 2026"
    assert fmt.written_date("18 May 2026", lang="ko") == "2026년 5월 18일"
    assert fmt.written_date("?", lang="ko") == "?"

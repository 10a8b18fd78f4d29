"""Numbers, money and dates for display, in the active language (kdefense.i18n), with Babel.

English keeps the dashboard's established formats ($13.6 bn, 1,234.5 m KRW, 2022-08-26). Korean writes money in
the units Korean readers use: 만 (10^4), 억 (10^8), 조 (10^12), e.g. 1조 3,500억 원, 135억 달러, and dates as
2022년 8월 26일. Values stay numbers in tables (sortable); these helpers are for metrics, captions and hover texts,
and table_date / table_dates for dates in tables (text at the data's precision that sorts in date order).
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal, get_currency_name

from kdefense.i18n import current_lang, t, use_lang

MISSING = "—"
FIGURE_SPACE = "\u2007"  # a blank exactly as wide as a digit
ISO_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
KOREAN_UNITS = ((10**12, "조"), (10**8, "억"), (10**4, "만"))
# Korean press usage for the currencies in the ledger where Babel's Korean name is longer than media write it.
KOREAN_CURRENCY = {"KRW": "원", "USD": "달러", "EUR": "유로", "GBP": "파운드", "JPY": "엔"}
BABEL_LOCALE = {"en": "en_US", "ko": "ko_KR"}


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))


def _lang(lang: str | None) -> str:
    return lang or current_lang()


def number(value: float | None, decimals: int = 0, lang: str | None = None) -> str:
    """1,234 (grouping as in both locales); `decimals` fixed digits after the point."""
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=BABEL_LOCALE[_lang(lang)])


def korean_units(amount: float, digits: int = 4) -> str:
    """An amount in 조/억/만 groups, rounded to `digits` significant figures: 1350000000000 → '1조 3,500억'."""
    if amount == 0:
        return "0"
    sign, value = ("-" if amount < 0 else ""), abs(amount)
    step = 10 ** max(int(math.floor(math.log10(value))) - digits + 1, 0)
    rest = int(round(value / step)) * step
    parts = []
    for size, unit in KOREAN_UNITS:
        group, rest = divmod(rest, size)
        if group:
            parts.append(f"{group:,}{unit}")
    if rest:
        parts.append(f"{rest:,}")
    return sign + " ".join(parts)


def currency_word(code: str, lang: str = "ko") -> str:
    """How a Korean text names a currency: 원, 달러, 유로, else Babel's Korean name (e.g. 폴란드 즐로티)."""
    if lang != "ko":
        return code
    return KOREAN_CURRENCY.get(code) or get_currency_name(code, locale="ko") or code


def money_m(amount_m: float | None, currency: str, lang: str | None = None, digits: int = 5) -> str:
    """An amount in millions of `currency` as the source states it.

    en: '1,234.5 m KRW' (unchanged); ko: '12억 3,450만 원', '135억 달러'.
    """
    if _missing(amount_m):
        return MISSING
    if _lang(lang) == "ko":
        return f"{korean_units(float(amount_m) * 1e6, digits)} {currency_word(currency)}"
    return f"{amount_m:,.1f} m {currency}"


def usd_m(value_m: float | None, lang: str | None = None) -> str:
    """A USD amount given in millions: en '$101 m'; ko '1억 100만 달러'."""
    if _missing(value_m):
        return MISSING
    if _lang(lang) == "ko":
        return f"{korean_units(float(value_m) * 1e6, 4)} 달러"
    return f"${value_m:,.0f} m"


def usd_bn(value_m: float | None, lang: str | None = None, unit: bool = True) -> str:
    """A headline USD total given in millions: en '$13.6 bn' (one decimal); ko '136억 달러' (same precision).

    unit=False drops the Korean currency word (the metric label carries it: '계약 금액(달러)', '136억'), so a
    narrow metric is not cut off; English keeps its '$'.
    """
    if _missing(value_m):
        return MISSING
    if _lang(lang) == "ko":
        return korean_units(float(value_m) * 1e6, 3) + (" 달러" if unit else "")
    return f"${value_m / 1000:,.1f} bn"


def tiv_m(value: float | None, lang: str | None = None, unit: bool = True) -> str:
    """SIPRI TIV in millions (not money): en '1,234 m TIV'; ko '12억 3,000만 TIV', '1,430억 TIV'.

    Korean groups large numbers by 만/억 whatever they count (인구 5,100만 명); the unit after the number is TIV,
    as 달러 follows a dollar amount, and never 원 or 달러: TIV is not money. Three significant figures, as usd_bn;
    `unit=False` (Korean) leaves the unit to a label that names it ("SIPRI TIV 발주량": 255억)."""
    if _missing(value):
        return MISSING
    if _lang(lang) == "ko":
        return korean_units(float(value) * 1e6, 3) + (" TIV" if unit else "")
    return f"{value:,.0f} m TIV"


def date(value: dt.date | dt.datetime | str | None, lang: str | None = None) -> str:
    """en: ISO '2022-08-26' (as today); ko: '2022년 8월 26일'."""
    if _missing(value) or value == "":
        return MISSING
    if isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2})?", value.strip()):  # as precise as the source
        year, _, month = value.strip().partition("-")
        if _lang(lang) != "ko":
            return value.strip()
        return f"{year}년" + (f" {int(month)}월" if month else "")
    day = pd.Timestamp(value).date()
    if _lang(lang) == "ko":
        return format_date(day, format="long", locale="ko_KR")
    return day.isoformat()


def written_date(value: str | None, lang: str | None = None) -> str:
    """A date the data write in words ('18 May 2026', SIPRI's register stamp): en as written; ko '2026년 5월 18일'
    (text that is no date is shown as it is)."""
    if _missing(value) or value == "":
        return MISSING
    if _lang(lang) != "ko":
        return str(value)
    try:
        return format_date(pd.Timestamp(str(value)).date(), format="long", locale="ko_KR")
    except (ValueError, TypeError):
        return str(value)


def timestamp(value: str | None, lang: str | None = None) -> str:
    """A build or export time stamp as written in the data ('2026-12-02T00:00:55Z', '18 May 2026 2:29:20 PM'):
    en unchanged; ko '2026년 5월 18일 14:29' (unparseable text is shown as it is)."""
    if _missing(value) or value == "":
        return MISSING
    if _lang(lang) != "ko":
        return str(value)
    try:
        stamp = pd.Timestamp(str(value))
    except (ValueError, TypeError):
        return str(value)
    zone = " UTC" if stamp.tzinfo is not None else ""
    return f"{format_date(stamp.date(), format='long', locale='ko_KR')} {stamp:%H:%M}{zone}"


def table_date(value: dt.date | dt.datetime | str | None, lang: str | None = None) -> str | None:
    """A date in a table cell: text as precise as the data give it, that sorts in date order.

    en: ISO as the data write it ('2022-08-26', '2022-08', '2022'; typed dates as '2022-08-26').
    ko: '2022년  8월 26일', '2022년 10월', '2022년': a one-digit month or day is led by a figure space (U+2007, as
    wide as a digit), not a zero. Korean writes dates without leading zeros (the government's document rules:
    '1988. 7. 15.', not '1988. 07. 15.'), and the table's sort (the browser's Unicode collation, in which a space
    comes before every digit) still orders the texts as dates: '2022년  8월' before '2022년 10월', a month before
    its days. A month-precision date never gains a day. Missing stays None (the table's placeholder).
    """
    if _missing(value) or value == "":
        return None
    if isinstance(value, str):
        match = ISO_PARTIAL_DATE.fullmatch(value.strip())
        if not match:
            return value  # not a date the data write ISO-style: shown as it is
        year, month, day = match.groups()
    else:
        stamp = pd.Timestamp(value)
        year, month, day = f"{stamp.year:04d}", f"{stamp.month:02d}", f"{stamp.day:02d}"
    if _lang(lang) != "ko":
        return "-".join(part for part in (year, month, day) if part)
    parts = [f"{year}년"] + [f"{int(part):{FIGURE_SPACE}>2}{unit}" for part, unit in ((month, "월"), (day, "일"))
                            if part]
    return " ".join(parts)


def is_date_column(name: object) -> bool:
    """Columns the data name as dates: 'date' and '..._date' (ISO text at day, month or year precision, or typed)."""
    return name == "date" or str(name).endswith("_date")


def table_dates(df: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """A frame for display: in Korean every date column as table_date text (sortable, as precise as the data);
    English keeps the frame as it is. Downloads keep the data's ISO dates (they are data, not display)."""
    if _lang(lang) != "ko":
        return df
    columns = [c for c in df.columns if is_date_column(c)]
    if not columns:
        return df
    return df.assign(**{str(c): pd.Series([table_date(v, "ko") for v in df[c]], index=df.index, dtype=object)
                        for c in columns})


def delta(now: float | None, before: float | None, lang: str | None = None) -> str | None:
    """A metric delta against the previous period; the sign comes first (Streamlit colours the delta by it)."""
    if _missing(now) or _missing(before):
        return None
    diff = float(now) - float(before)
    sign = "+" if diff >= 0 else "-"
    text = f"{sign}{number(abs(diff), 0, lang)}"
    with use_lang(_lang(lang)):
        return t("{diff} vs previous period", diff=text)

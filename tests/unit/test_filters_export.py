"""Filter parsing (URL → Filters), SQL parameters, and the CSV export rules."""

from __future__ import annotations

import io
import random
import string
import zipfile

import pandas as pd
import pytest

from kdefense import export
from kdefense.filters import FilterOptions, Filters, parse_query_params

OPTIONS = FilterOptions(countries={"POL": "Poland", "IRQ": "Iraq", "ROU": "Romania"},
                        categories=("Aircraft", "Artillery"), systems=("K2", "K9", "FA-50/T-50"),
                        companies=("Hanwha Aerospace", "Hyundai Rotem"), year_min=1972, year_max=2026)


def test_round_trip_through_the_url():
    f = Filters(regions=("Europe",), nato=True, countries=("POL", "ROU"), systems=("K9",), companies=("Hanwha Aerospace",),
                statuses=("contract", "prospect"), year_from=2015, year_to=2025, basis="tiv", q="Krab")
    raw = {k: (v if isinstance(v, list) else [v]) for k, v in f.to_query_params().items()}
    parsed, notices = parse_query_params(raw, OPTIONS)
    assert notices == []
    assert parsed == f


def test_junk_is_dropped_with_a_notice_and_never_reaches_sql():
    raw = {"region": ["Europe", "Atlantis'; DROP TABLE deals; --"], "country": ["POL", "ZZZ"], "from": ["abc"],
           "to": ["3000"], "basis": ["gold"], "nato": ["maybe"], "utm_source": ["x"]}
    f, notices = parse_query_params(raw, OPTIONS)
    assert f.regions == ("Europe",) and f.countries == ("POL",)
    assert (f.year_from, f.year_to, f.basis, f.nato) == (1972, 2026, "usd", False)
    text = " ".join(notices)
    for name in ("region", "country", "from", "to", "basis", "nato", "utm_source"):
        assert name in text


def test_hundreds_of_random_query_values_never_raise():
    rng = random.Random(42)
    alphabet = string.printable + "éü…💥'\";%"
    names = ["region", "country", "category", "system", "company", "status", "from", "to", "basis", "q", "nato",
             "eu", "x"]
    for _ in range(300):
        raw = {rng.choice(names): ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
                                   for _ in range(rng.randint(0, 4))] for _ in range(rng.randint(1, 6))}
        f, _ = parse_query_params(raw, OPTIONS)
        params = f.params()
        assert OPTIONS.year_min <= params["year_from"] <= params["year_to"] <= OPTIONS.year_max
        assert set(params["regions"]) <= {"Europe", "Middle East", "Asia & Oceania", "Americas", "Africa"}
        assert len(params["q"]) <= 80


def test_swapped_years_are_fixed_and_reported():
    f, notices = parse_query_params({"from": ["2020"], "to": ["2010"]}, OPTIONS)
    assert (f.year_from, f.year_to) == (2010, 2020) and any("swapped" in n for n in notices)


def test_previous_period_has_the_same_length():
    f = Filters(year_from=2020, year_to=2024).previous_period()
    assert (f.year_from, f.year_to) == (2015, 2019)


def test_describe_names_every_active_filter():
    f = Filters(regions=("Europe",), eu=True, countries=("POL",), systems=("K2",), q="tank", year_from=2020,
                year_to=2025, country_labels={"POL": "Poland"})
    line = f.describe()
    for part in ("Europe", "EU members", "Poland", "system: K2", "“tank”", "2020–2025", "signed deals"):
        assert part in line


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_formula_cells_are_neutralised(cell):
    data = export.to_csv_bytes(pd.DataFrame({"note": [cell], "n": [5]}))
    back = pd.read_csv(io.BytesIO(data))
    assert back.loc[0, "note"].startswith("'")
    assert back.loc[0, "n"] == 5


def test_numbers_stay_numbers_and_csv_is_excel_safe_utf8():
    df = pd.DataFrame({"deal_id": ["KR-1"], "value_usd_m": [-12.5], "units": pd.array([1200], dtype="Int64"),
                       "recipient": ["Türkiye"], "signed": [pd.Timestamp("2022-08-26")]})
    data = export.to_csv_bytes(df)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    text = data.decode("utf-8-sig")
    assert "1,200" not in text and "1200" in text and "-12.5" in text and "Türkiye" in text
    assert "2022-08-26" in text
    back = pd.read_csv(io.BytesIO(data))
    assert list(back.columns) == list(df.columns)  # pandas strips the BOM
    assert back.loc[0, "value_usd_m"] == -12.5


def test_zip_has_csv_and_readme_with_filters_and_credits():
    f = Filters(regions=("Europe",), year_from=2022, year_to=2025)
    info = {"data_version": "abc123", "built_at": "2026-11-22T10:00:00Z"}
    data = export.to_zip_bytes(pd.DataFrame({"a": [1]}), "deals", f, info)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        readme = zf.read("README.txt").decode()
    assert any(n.endswith(".csv") and "Europe" in n and "2026-11-22" in n for n in names)
    assert "Europe" in readme and "abc123" in readme and "SIPRI Arms Transfers Database" in readme
    assert "no commercial use" in readme


def test_file_name_says_view_filters_and_data_date():
    name = export.file_name("deals", Filters(regions=("Middle East",), year_from=2020, year_to=2025), "2026-11-22")
    assert name.startswith("kdefense_deals_usd_2020-2025_Middle-East_") and name.endswith("_data-2026-11-22.csv")
    assert len(name.split("_")[-2]) == 8  # the view's hash (tests/unit/test_security.py)

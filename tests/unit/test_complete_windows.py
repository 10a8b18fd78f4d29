"""queries.complete_windows cuts the Suppliers page's five-year windows from one answer for every year: for any
year range it must be what suppliers_windows.sql gives for that range (rows, columns, types)."""

import pandas as pd

from kdefense import queries
from kdefense.filters import Filters


def test_windows_cut_from_every_year_are_the_ones_asked_for_the_years(app_db):
    compared = empty = 0
    for year_from in range(1940, 2036, 3):
        for year_to in range(year_from, 2040, 4):
            filters = Filters(year_from=year_from, year_to=year_to)
            asked = queries.run_filtered("suppliers_windows", filters)
            cut = queries.complete_windows(filters)
            pd.testing.assert_frame_equal(cut, asked, check_exact=True)
            assert list(cut.dtypes) == list(asked.dtypes)
            compared += 1
            empty += asked.empty
    assert compared > 300 and 0 < empty < compared


def test_windows_are_a_copy(app_db):
    filters = Filters(year_from=1990, year_to=2030)
    windows = queries.complete_windows(filters)  # a name: pandas' copy-on-write ignores a chained assignment
    windows.loc[windows.index[0], "window_label"] = "changed"
    assert queries.complete_windows(filters)["window_label"].iloc[0] != "changed"

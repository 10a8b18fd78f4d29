"""Issue 17: the first request of a new session never pays for work another session already did.

Session A opens each chart page with filters the warm-up does not cover (warm-up off); session B then opens the
same page with the same filters. B's first request must run no SQL and build no Plotly figure: both come from the
caches A filled (queries.run and ui.figure are shared by sessions). Session state stays per session (the warm-up
tests check that one session's filters do not reach another).
"""

from __future__ import annotations

import plotly.basedatatypes
import pytest
import streamlit as st

from kdefense import db
from tests.helpers import run_app

CHART_PAGES = ["overview", "deals", "timeline", "map", "suppliers", "tenders"]
NOT_THE_DEFAULT_VIEW = {"flt_country": ["POL"], "flt_years": (2005, 2020)}


@pytest.fixture()
def no_warm_up_empty_caches(app_db, monkeypatch):
    monkeypatch.setenv("KDEFENSE_WARMUP", "0")  # what B finds cached, A put there
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def count_work(monkeypatch) -> dict[str, int]:
    """Counts of SQL statements run and figures made: Plotly figures constructed, and figures drawn without one
    (charts.Drawn: every chart builder makes one or the other)."""
    from kdefense import charts

    counts = {"sql": 0, "figures": 0}
    execute, figure_init, drawn_init = db.execute, plotly.basedatatypes.BaseFigure.__init__, charts.Drawn.__init__

    def counted_execute(sql, params=None):
        counts["sql"] += 1
        return execute(sql, params)

    def counted_init(self, *args, **kwargs):
        counts["figures"] += 1
        figure_init(self, *args, **kwargs)

    def counted_drawn(self, *args, **kwargs):
        counts["figures"] += 1
        drawn_init(self, *args, **kwargs)

    monkeypatch.setattr(db, "execute", counted_execute)
    monkeypatch.setattr(plotly.basedatatypes.BaseFigure, "__init__", counted_init)
    monkeypatch.setattr(charts.Drawn, "__init__", counted_drawn)
    return counts


@pytest.mark.parametrize("page", CHART_PAGES)
def test_a_second_sessions_first_request_is_served_from_the_caches(page, no_warm_up_empty_caches, monkeypatch):
    counts = count_work(monkeypatch)
    first = run_app(f"pages/{page}.py", state=dict(NOT_THE_DEFAULT_VIEW))
    assert not first.exception and not first.error
    assert counts["sql"] > 0 and counts["figures"] + len(first.get("plotly_chart")) > 0  # A did the work
    counts.update(sql=0, figures=0)
    second = run_app(f"pages/{page}.py", state=dict(NOT_THE_DEFAULT_VIEW))
    assert not second.exception and not second.error
    assert counts == {"sql": 0, "figures": 0}
    assert len(second.get("plotly_chart")) == len(first.get("plotly_chart"))
    assert [m.value for m in second.metric] == [m.value for m in first.metric]


OVERVIEW_TABLES = {"by_region": ["region", "value_usd_m", "deals", "recipients"],
                   "top_recipients": ["recipient", "recipient_iso3", "region", "value_usd_m", "deals"],
                   "latest_deals": ["signed_date", "recipient", "deal_id", "value_usd_m"]}


def test_split_tables_of_a_new_data_version_are_never_the_old_ones(fixture_db_path, built_db_path, tmp_path,
                                                                   no_warm_up_empty_caches, monkeypatch):
    """queries.run_parts keeps the split tables of an answer (shared by sessions): a rebuilt file (a new inode,
    as kdefense.build renames it over the old one) gets its own, equal to what its questions answer."""
    import os
    import shutil

    import pandas as pd

    from kdefense import queries
    from kdefense.filters import Filters

    path = tmp_path / "kdefense.duckdb"
    shutil.copy(fixture_db_path, path)
    monkeypatch.setenv("KDEFENSE_DB", str(path))
    filters = Filters(year_from=1950, year_to=2026)
    old = queries.run_parts("overview_tables", filters, OVERVIEW_TABLES)
    shutil.copy(built_db_path, tmp_path / "new.duckdb")
    os.replace(tmp_path / "new.duckdb", path)
    new = queries.run_parts("overview_tables", filters, OVERVIEW_TABLES)
    assert len(new["by_region"]) != len(old["by_region"]) or not new["by_region"].equals(old["by_region"])
    for part, question in (("by_region", "overview_by_region"), ("top_recipients", "overview_top_recipients")):
        pd.testing.assert_frame_equal(new[part], queries.run_filtered(question, filters), check_exact=True)


def test_split_tables_handed_to_one_session_do_not_reach_another(app_db, no_warm_up_empty_caches):
    """Each caller of queries.run_parts gets its own copies: a page that changes a table it was given changes
    nothing another session (or its own next rerun) is given."""
    from kdefense import queries
    from kdefense.filters import Filters

    filters = Filters(year_from=1950, year_to=2026)
    mine = queries.run_parts("overview_tables", filters, OVERVIEW_TABLES)
    kept = {part: frame.copy() for part, frame in mine.items()}
    mine["by_region"].loc[0, "value_usd_m"] = -1.0
    mine["latest_deals"]["recipient"] = "changed by session A"
    theirs = queries.run_parts("overview_tables", filters, OVERVIEW_TABLES)
    for part, frame in kept.items():
        assert theirs[part].equals(frame), part
        assert theirs[part] is not mine[part]


def _version_page() -> None:
    """A page that shows the file version its run reads and a count its questions answer (AppTest.from_function)."""
    import streamlit as st

    from kdefense import queries

    st.write(f"version={queries.file_version()!r}")
    st.write(f"deals={int(queries.run('deal_count_for_version_test')['n'].iloc[0])}")


def test_a_session_sees_a_rebuilt_file_at_its_next_run(fixture_db_path, built_db_path, tmp_path,
                                                       no_warm_up_empty_caches, monkeypatch):
    """The file version is read once per script run (queries.file_version): the same session's next run reads the
    rebuilt file, never the old version's answers."""
    import os
    import shutil

    from streamlit.testing.v1 import AppTest

    from kdefense import queries

    path = tmp_path / "kdefense.duckdb"
    shutil.copy(fixture_db_path, path)
    monkeypatch.setenv("KDEFENSE_DB", str(path))
    monkeypatch.setattr(queries, "sql_text", lambda name: "SELECT count(*) AS n FROM deals")
    at = AppTest.from_function(_version_page, default_timeout=60)
    at.run()
    old_version, old_deals = (m.value for m in at.markdown)
    at.run()
    assert [m.value for m in at.markdown] == [old_version, old_deals]  # unchanged file: same version
    shutil.copy(built_db_path, tmp_path / "new.duckdb")
    os.replace(tmp_path / "new.duckdb", path)
    at.run()
    new_version, new_deals = (m.value for m in at.markdown)
    assert new_version != old_version and new_deals != old_deals
    assert new_deals == f"deals={int(queries.run('deal_count_for_version_test')['n'].iloc[0])}"

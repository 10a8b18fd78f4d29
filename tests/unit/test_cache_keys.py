"""queries.key_text: the one-string cache keys of question answers, popover tables and figures (issue 17).

A key written as text must never let two different keys meet (another question, parameter, file version,
language or builder input served another's result), and a key holding anything but plain values must fall back
to Streamlit's own hashing, still correct."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import streamlit as st

from kdefense import db, i18n, queries, ui


class Tagged(tuple):
    """A tuple of another class (as ui._Answer): never the same key as a plain tuple with the same items."""


def test_key_text_writes_every_plain_value_apart():
    values = [1, True, 1.0, "1", b"1", None, 0, False, 0.0, "", (), ("",), ((),), ("a,b",), ("a", "b"),
              ("a", ("b",)), (("a", "b"),), Tagged(("a", "b")), "tuple('a')", ("tuple('a')",), "x')", ("x", "')"),
              -0.0, float("inf"), 2**70, "한국", ("POL", "AUS"), ("AUS", "POL")]
    texts = [queries.key_text(v) for v in values]
    assert None not in texts
    assert len(set(texts)) == len(values)
    assert queries.key_text(("a", ("b", 1))) == queries.key_text(("a", ("b", 1)))  # equal keys: one text


@pytest.mark.parametrize("value", [np.int64(1), np.float64(1.0), np.arange(3), pd.DataFrame({"a": [1]}), [1],
                                   {"a": 1}, frozenset({1}), ("ok", [1]), ("ok", ("deeper", np.int32(2))),
                                   object()])
def test_key_text_gives_no_text_for_anything_but_plain_values(value):
    assert queries.key_text(value) is None


def test_numpy_array_text_would_collide_so_it_is_never_written():
    """Why only exact plain types: the text of a long array is shortened, so two different arrays read alike."""
    one, other = np.arange(2000), np.arange(2000)
    other[1000] = -1
    assert repr(one) == repr(other)
    assert queries.key_text((one,)) is None and queries.key_text((other,)) is None


@pytest.fixture()
def fake_answers(monkeypatch):
    """Questions answered by a stand-in for DuckDB whose rows name the file version and every parameter."""
    version = ["v1"]
    executed: list = []

    def execute(sql: str, params: dict) -> pd.DataFrame:
        executed.append((version[0], tuple(sorted((k, repr(v)) for k, v in params.items()))))
        return pd.DataFrame({"answer": [f"{version[0]}:{sorted((k, repr(v)) for k, v in params.items())}"],
                             "n": [1]})

    monkeypatch.setattr(db, "signature", lambda path=None: ("test.duckdb", 1, version[0]))
    monkeypatch.setattr(db, "execute", execute)
    monkeypatch.setattr(queries, "sql_text", lambda name: "SELECT 1")
    st.cache_data.clear()
    queries._ANSWERED.clear()
    yield version, executed
    st.cache_data.clear()
    queries._ANSWERED.clear()


def test_answers_are_kept_per_question_parameters_and_file_version(fake_answers):
    version, executed = fake_answers
    first = queries.run("q_keys", {"year_to": 2020, "regions": ["Europe"]})
    assert queries.run("q_keys", {"regions": ["Europe"], "year_to": 2020})["answer"].iloc[0] == first["answer"].iloc[0]
    assert len(executed) == 1  # asked again (parameters in another order): answered from the cache
    others = [queries.run("q_keys", params)["answer"].iloc[0] for params in (
        {"year_to": 2019, "regions": ["Europe"]}, {"year_to": "2020", "regions": ["Europe"]},
        {"year_to": 2020.0, "regions": ["Europe"]}, {"year_to": 2020, "regions": ["Europe", "Asia"]},
        {"year_to": 2020, "regions": "Europe"}, {"year_to": 2020, "regions": []}, {"year_to": 2020})]
    assert len(set(others) | {first["answer"].iloc[0]}) == 8 and len(executed) == 8
    assert queries.run("q_keys_other", {"year_to": 2020, "regions": ["Europe"]}) is not None and len(executed) == 9
    version[0] = "v2"  # the database was rebuilt: never the old version's answer
    rebuilt = queries.run("q_keys", {"year_to": 2020, "regions": ["Europe"]})
    assert rebuilt["answer"].iloc[0].startswith("v2:") and len(executed) == 10


def test_a_key_that_is_no_plain_value_is_hashed_by_streamlit_and_still_kept_apart(fake_answers):
    version, executed = fake_answers
    assert queries.key_text(queries._key("q_keys", {"year_to": np.int64(2020)}, db.signature())) is None
    first = queries.run("q_keys", {"year_to": np.int64(2020)})
    assert queries.run("q_keys", {"year_to": np.int64(2020)})["answer"].iloc[0] == first["answer"].iloc[0]
    assert len(executed) == 1
    assert queries.run("q_keys", {"year_to": np.int64(2019)})["answer"].iloc[0] != first["answer"].iloc[0]
    version[0] = "v2"
    assert queries.run("q_keys", {"year_to": np.int64(2020)})["answer"].iloc[0].startswith("v2:")


def test_every_caller_gets_its_own_copy_of_an_answer(fake_answers):
    """Per-session state never leaks: a page that changes the frame it was given changes nobody else's."""
    mine = queries.run("q_keys", {"year_to": 2020})
    mine.loc[0, "n"] = 99
    mine["added"] = 1
    theirs = queries.run("q_keys", {"year_to": 2020})
    assert theirs["n"].tolist() == [1] and "added" not in theirs


def test_figures_of_answers_are_kept_apart_by_every_plain_argument_and_language(fake_answers):
    calls: list = []

    def bars(df: pd.DataFrame, title, *, top=None) -> go.Figure:
        calls.append((title, top))
        return go.Figure(go.Bar(x=df["answer"], y=df["n"]), layout={"title": str(title)})

    frame = queries.run("q_keys", {"year_to": 2020})
    first = ui.figure(bars, frame, "1")
    assert ui.figure(bars, queries.run("q_keys", {"year_to": 2020}), "1") is first and len(calls) == 1
    others = [ui.figure(bars, frame, 1), ui.figure(bars, frame, "1", top=5), ui.figure(bars, frame, "1", top=5.0),
              ui.figure(bars, frame, ("1",))]
    assert all(other is not first for other in others) and len(calls) == 5
    unhashable_by_text = ui.figure(bars, frame, "1", top=np.int64(5))  # Streamlit hashes this key
    assert unhashable_by_text is not first and ui.figure(bars, frame, "1", top=np.int64(5)) is unhashable_by_text
    with i18n.use_lang("ko"):
        assert ui.figure(bars, frame, "1") is not first  # builders write translated text: one figure per language


def test_an_answer_the_shelf_dropped_is_asked_again_never_lost_or_mixed(fake_answers, monkeypatch):
    """cache_data keeps each answer's number on the process's shelf; a number whose frame the shelf no longer
    holds (more answers read since) is asked again, and the right answer comes back."""
    version, executed = fake_answers
    monkeypatch.setattr(queries._KEPT, "size", 2)
    answers = {year: queries.run("q_keys", {"year_to": year})["answer"].iloc[0] for year in (2018, 2019, 2020)}
    assert len(executed) == 3 and len(set(answers.values())) == 3
    assert queries.run("q_keys", {"year_to": 2018})["answer"].iloc[0] == answers[2018]  # dropped: asked again
    assert len(executed) == 4
    assert queries.run("q_keys", {"year_to": 2018})["answer"].iloc[0] == answers[2018]  # kept again
    assert len(executed) == 4
    for year in (2019, 2020):
        assert queries.run("q_keys", {"year_to": year})["answer"].iloc[0] == answers[year]


def test_an_answer_with_object_cells_is_copied_whole_for_each_caller(fake_answers, monkeypatch):
    """Cells that are Python objects (a list) are not shared between callers either (as cache_data's pickles)."""
    monkeypatch.setattr(db, "execute", lambda sql, params: pd.DataFrame({"tags": [["a"]], "n": [1]}))
    mine = queries.run("q_keys_objects", {"year_to": 2020})
    mine["tags"].iloc[0].append("changed")
    assert queries.run("q_keys_objects", {"year_to": 2020})["tags"].iloc[0] == ["a"]


def test_clearing_cache_data_asks_every_question_again(fake_answers):
    version, executed = fake_answers
    queries.run("q_keys", {"year_to": 2020})
    st.cache_data.clear()
    queries.run("q_keys", {"year_to": 2020})
    assert len(executed) == 2


class FakeRun:
    """A script run context as queries.file_version reads it: `cursors`, a new dict at every run's start."""

    def __init__(self) -> None:
        self.cursors: dict = {}


def test_the_file_version_is_read_once_a_run_and_again_at_the_next_run(fake_answers, monkeypatch):
    from streamlit.runtime.scriptrunner_utils import script_run_context

    version, executed = fake_answers
    reads: list = []
    monkeypatch.setattr(db, "signature", lambda path=None: reads.append(version[0]) or ("test.duckdb", 1, version[0]))
    session, other_session = FakeRun(), FakeRun()
    current = [session]
    monkeypatch.setattr(script_run_context, "get_script_run_ctx", lambda suppress_warning=False: current[0])
    assert queries.run("q_keys", {"year_to": 2020})["answer"].iloc[0].startswith("v1:")
    queries.run("q_keys", {"year_to": 2019})
    assert reads == ["v1"]  # one stat for the whole run
    version[0] = "v2"  # rebuilt during the run: this run's keys stay on the version it started with
    queries.run("q_keys", {"year_to": 2018})
    assert reads == ["v1"]
    current[0] = other_session  # another session's run reads the file itself
    assert queries.run("q_keys", {"year_to": 2020})["answer"].iloc[0].startswith("v2:")
    current[0] = session
    session.cursors = {}  # the session's next run: the rebuild is seen, never the old version's answer
    assert queries.run("q_keys", {"year_to": 2020})["answer"].iloc[0].startswith("v2:")
    assert reads == ["v1", "v2", "v2"]
    current[0] = None  # outside a script run: every call reads the file
    queries.run("q_keys", {"year_to": 2020})
    queries.run("q_keys", {"year_to": 2020})
    assert reads == ["v1", "v2", "v2", "v2", "v2"]


def test_a_preview_made_undigested_is_found_by_content_later_and_never_for_other_content(monkeypatch):
    """A popover table of a frame whose shape was never previewed is made without the content digest; it is filed
    under its content when that shape comes again: equal rows find it, other rows of that shape never do (also
    past PREVIEW_ROWS, where only the row count and the first rows make the table)."""
    made: list = []
    real = ui._made_preview
    monkeypatch.setattr(ui, "_made_preview", lambda df, lang: made.append(len(df)) or real(df, lang))

    def frame(values: list, rows: int = 3) -> pd.DataFrame:  # page-made frames (no question): kept by content
        return pd.DataFrame({"undigested_value": (values * rows)[:rows], "n": range(rows)})

    with i18n.use_lang("en"):
        for rows in (3, ui.PREVIEW_ROWS + 50):
            made.clear()
            first = ui.preview(frame([7, 1, 2], rows))
            other = ui.preview(frame([7, 1, 8], rows))  # same shape, other cells
            assert other is not first and made == [rows, rows]
            assert other.table.column("undigested_value").to_pylist()[:3] == [7, 1, 8]
            assert ui.preview(frame([7, 1, 2], rows)) is first and ui.preview(frame([7, 1, 8], rows)) is other
            assert len(made) == 2
            assert ui.preview(frame([7, 1, 4], rows)).table.column("undigested_value").to_pylist()[:3] == [7, 1, 4]
            assert len(made) == 3
        past = frame([7, 1, 2], ui.PREVIEW_ROWS + 50)
        longer = pd.concat([past, past.tail(1)], ignore_index=True)  # same first rows, one more row
        assert ui.preview(longer).total == ui.PREVIEW_ROWS + 51
    with i18n.use_lang("ko"):
        korean = ui.preview(pd.DataFrame({"signed_date": ["2024-03-01"], "undigested_n": [1]}))
    with i18n.use_lang("en"):
        english = ui.preview(pd.DataFrame({"signed_date": ["2024-03-01"], "undigested_n": [1]}))
    assert english is not korean and english.table.column("signed_date").to_pylist() == ["2024-03-01"]

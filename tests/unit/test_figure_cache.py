"""ui.figure keeps built figures between reruns, keyed by the builder and its inputs."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kdefense import ui


def counting_builder(calls: list):
    def bars(df: pd.DataFrame, title: str, *, horizontal: bool = False) -> go.Figure:
        calls.append((len(df), title, horizontal))
        return go.Figure(go.Bar(x=df["x"], y=df["y"], orientation="h" if horizontal else "v"), layout={"title": title})

    return bars


def test_same_inputs_reuse_the_figure_and_new_inputs_build_a_new_one():
    calls: list = []
    bars = counting_builder(calls)
    df = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})
    first = ui.figure(bars, df, "One")
    assert ui.figure(bars, df.copy(), "One") is first  # equal data, not the same object: still a hit
    assert len(calls) == 1
    changed = ui.figure(bars, df.assign(y=[1, 3]), "One")
    assert changed is not first and list(changed.data[0].y) == [1, 3]
    ui.figure(bars, df, "Two")
    ui.figure(bars, df, "One", horizontal=True)
    assert len(calls) == 4


def test_builders_with_the_same_inputs_do_not_share_entries():
    calls: list = []
    df = pd.DataFrame({"x": ["a"], "y": [1]})

    def lines(df: pd.DataFrame, title: str) -> go.Figure:
        calls.append("lines")
        return go.Figure(go.Scatter(x=df["x"], y=df["y"]), layout={"title": title})

    bars = counting_builder(calls)
    assert ui.figure(bars, df, "T").data[0].type == "bar"
    assert ui.figure(lines, df, "T").data[0].type == "scatter"


def test_query_frames_are_keyed_by_their_question_and_file_version(monkeypatch):
    """A frame from queries.run is looked up by its question (question, parameters, file version) first, then by
    content: the same question reuses the figure, other parameters with the same rows reuse it too, other rows or
    a new data version build anew; a reshaped frame is hashed by content only."""
    from kdefense import db, queries

    calls: list = []
    bars = counting_builder(calls)
    version = ["v1"]
    rows = {("v1", 2020): [1, 2], ("v1", 2019): [1, 2], ("v1", 2018): [1, 3], ("v2", 2020): [5, 6]}
    monkeypatch.setattr(db, "signature", lambda path=None: ("test.duckdb", 1, version[0]))
    monkeypatch.setattr(queries, "_cached", lambda name, items, sig: pd.DataFrame(
        {"x": ["a", "b"], "y": rows[(sig[2], dict(items)["year_to"])]}))

    first_frame = queries.run("q_cache_test", {"year_to": 2020})
    assert queries.origin(first_frame) == ("q_cache_test", (("year_to", 2020),), ("test.duckdb", 1, "v1"))
    first = ui.figure(bars, first_frame, "Key test")
    assert ui.figure(bars, queries.run("q_cache_test", {"year_to": 2020}), "Key test") is first
    assert ui.figure(bars, queries.run("q_cache_test", {"year_to": 2019}), "Key test") is first  # same rows
    assert len(calls) == 1
    other = ui.figure(bars, queries.run("q_cache_test", {"year_to": 2018}), "Key test")
    assert other is not first and list(other.data[0].y) == [1, 3] and len(calls) == 2
    version[0] = "v2"  # the database was rebuilt: never the old version's figure
    rebuilt = ui.figure(bars, queries.run("q_cache_test", {"year_to": 2020}), "Key test")
    assert rebuilt is not first and list(rebuilt.data[0].y) == [5, 6]
    reshaped = queries.run("q_cache_test", {"year_to": 2020})
    reshaped["z"] = 1  # not the shape run() returned: no longer stands for the question
    assert queries.origin(reshaped) is None
    assert queries.origin(reshaped.head(1)) is None  # a derived frame is hashed by content


def test_content_digest_tells_other_content_apart():
    """The figure cache's content key (a digest of the pickled inputs): frames made alike (as each rerun makes them)
    share it; a changed cell, dtype, column name, index or missing value gives another; what cannot be pickled
    gives none (Streamlit hashes it)."""
    def made() -> pd.DataFrame:
        return pd.DataFrame({"x": ["a", "b"], "y": [1, 2], "when": pd.to_datetime(["2020-01-01", "2021-06-30"])})

    df = made()
    digest = ui.content_digest((df, "T"))
    assert digest == ui.content_digest((made(), "T"))
    others = [df.assign(y=[1, 3]), df.assign(y=[1.0, 2.0]), df.rename(columns={"y": "z"}), df.set_index("x"),
              df.assign(x=["a", None]), df.assign(x=["a", "B"]), df.iloc[::-1],
              df.assign(when=df["when"] + pd.Timedelta(days=1))]
    digests = {ui.content_digest((other, "T")) for other in others}
    assert digest not in digests and len(digests) == len(others)
    assert ui.content_digest((df, "U")) != digest
    assert ui.content_digest((df, lambda: 1)) is None  # ui.figure then leaves the key to Streamlit's hashing


def test_content_digest_does_not_depend_on_which_objects_are_shared():
    """Equal content gives one digest however its strings are shared: a column name that is the same object as an
    argument (as `ranked_bars(frame, "recipient", ...)` may get in one run and not in another) must not change it,
    else a new session's first visit rebuilds figures another session built."""
    shared = "".join(["recip", "ient"])  # a string object of its own, not the interned literal
    alone = "".join(["recip", "ient"])
    assert shared is not alone
    one = pd.DataFrame({shared: ["Poland"], "v": [1.0]})
    other = pd.DataFrame({alone: ["Poland"], "v": [1.0]})
    assert ui.content_digest((one, shared)) == ui.content_digest((other, "recipient"))
    assert ui.content_digest((one, shared)) != ui.content_digest((other, "region"))
    loop: list = []
    loop.append(loop)
    assert ui.content_digest((one, loop)) is None  # a value that refers to itself: Streamlit's hashing decides


def test_a_derived_frame_builds_anew_when_one_cell_changes_and_not_otherwise():
    calls: list = []
    bars = counting_builder(calls)
    def derived() -> pd.DataFrame:  # a frame made by page code (not a question's answer), as on every rerun
        return pd.DataFrame({"x": ["a", "b"], "y": [1, 2]}).assign(label=lambda d: d["x"].str.upper())

    df = derived()
    first = ui.figure(bars, df, "Derived")
    assert ui.figure(bars, derived(), "Derived") is first and len(calls) == 1
    changed = ui.figure(bars, df.assign(y=[1, 5]), "Derived")
    assert changed is not first and list(changed.data[0].y) == [1, 5] and len(calls) == 2
    assert ui.figure(bars, df, "Derived", horizontal=True) is not first and len(calls) == 3


def test_popover_tables_are_keyed_by_question_file_version_and_language(monkeypatch):
    """ui.preview (a chart popover's table) is kept as figures are: by the question a frame answers (with the file
    version), then by content, and by language. A new data version is never served the old version's table, other
    rows never another frame's, Korean never English dates; a reshaped frame is keyed by its content."""
    from kdefense import db, i18n, queries

    version = ["v1"]
    rows = {("v1", 2020): ["2020-01-02", "2021-03"], ("v1", 2019): ["2020-01-02", "2021-03"],
            ("v1", 2018): ["2018-05-06", "2021-03"], ("v2", 2020): ["2024-07-08", "2025"]}
    monkeypatch.setattr(db, "signature", lambda path=None: ("test.duckdb", 1, version[0]))
    monkeypatch.setattr(queries, "_cached", lambda name, items, sig: pd.DataFrame(
        {"signed_date": rows[(sig[2], dict(items)["year_to"])], "value": [1500, 2]}))

    def dates(year_to: int) -> list:
        return ui.preview(queries.run("q_preview_test", {"year_to": year_to})).table.column("signed_date").to_pylist()

    with i18n.use_lang("en"):
        first = ui.preview(queries.run("q_preview_test", {"year_to": 2020}))
        assert ui.preview(queries.run("q_preview_test", {"year_to": 2020})) is first  # asked again: kept
        assert ui.preview(queries.run("q_preview_test", {"year_to": 2019})) is first  # same rows: kept
        assert dates(2018) == ["2018-05-06", "2021-03"]
        assert first.config["value"]["type_config"]["format"] == "%,d"
    with i18n.use_lang("ko"):
        assert dates(2020) != ["2020-01-02", "2021-03"] and dates(2020)[0].startswith("2020년")
    version[0] = "v2"  # the database was rebuilt
    with i18n.use_lang("en"):
        assert dates(2020) == ["2024-07-08", "2025"]
        reshaped = queries.run("q_preview_test", {"year_to": 2020}).head(1)
        assert ui.preview(reshaped).table.column("signed_date").to_pylist() == ["2024-07-08"]


def test_a_figure_built_undigested_is_found_by_content_later_and_never_for_other_content():
    """Frames of a shape the builder never had are built without the content digest (ui._figure); the figure is
    filed under its content when that shape comes again: equal rows find it, other rows of that shape never do."""
    calls: list = []
    bars = counting_builder(calls)

    def frame(y: list) -> pd.DataFrame:  # page-made frames (no question): keyed by content alone
        return pd.DataFrame({"x": ["a", "b", "c", "d", "e"][:len(y)], "y": y}).assign(z=lambda d: d["y"] * 2)

    first = ui.figure(bars, frame([7, 1, 2, 3, 9]), "Undigested")
    other = ui.figure(bars, frame([7, 1, 2, 3, 8]), "Undigested")  # same shape, one cell differs
    assert other is not first and list(other.data[0].y) == [7, 1, 2, 3, 8] and len(calls) == 2
    assert ui.figure(bars, frame([7, 1, 2, 3, 9]), "Undigested") is first and len(calls) == 2
    assert ui.figure(bars, frame([7, 1, 2, 3, 8]), "Undigested") is other and len(calls) == 2
    assert list(ui.figure(bars, frame([7, 1, 2, 3, 4]), "Undigested").data[0].y) == [7, 1, 2, 3, 4]
    assert len(calls) == 3


def test_a_drawn_figure_is_read_without_building_it_and_behaves_as_built():
    from kdefense import charts

    data = [{"type": "bar", "x": np.array([3.0, 1.0]), "y": ["b", "a"], "orientation": "h", "name": "Deals"}]
    layout = {"title": {"text": "Drawn"}, "meta": {"rows": 2}}
    fig = charts.drawn(data, layout)
    reference = charts.built(data, layout)
    assert charts.readable(fig).layout.meta == {"rows": 2} and charts.readable(fig).layout.title.text == "Drawn"
    assert charts.describe(fig) == charts.describe(reference)
    assert "_kd_source" in fig.__dict__  # still not a plotly Figure
    assert fig == reference and fig.to_dict() == reference.to_dict() and fig.layout.meta == {"rows": 2}
    assert charts.readable(fig) is fig  # built now: read as any Figure

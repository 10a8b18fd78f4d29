"""ui.figure keeps built figures between reruns, keyed by the builder and its inputs."""

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

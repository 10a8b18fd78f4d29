"""Pure chart builders for the Tenders page and the Timeline's tender markers: DataFrame in, Figure out."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from kdefense.charts import Columns, array, drawn, layout_base, merge, wrap_text
from kdefense.i18n import N_, t

OUTCOMES = ("won", "lost", "withdrawn", "cancelled", "open")
OUTCOME_LABELS = {"won": N_("Won"), "lost": N_("Lost"), "withdrawn": N_("Withdrawn"), "cancelled": N_("Cancelled"),
                  "open": N_("Open")}
OUTCOME_COLOURS = {"won": "#16a34a", "lost": "#dc2626", "withdrawn": "#f59e0b", "cancelled": "#9ca3af",
                   "open": "#2f6db5"}
OUTCOME_SYMBOLS = {"won": "circle", "lost": "x", "withdrawn": "triangle-up", "cancelled": "square-open",
                   "open": "diamond-open"}


def record_bars(df: pd.DataFrame, by_label: str, title: str, note: str, large: bool = False) -> go.Figure:
    """Korea's competitions per group, stacked by outcome (won, lost, withdrawn, cancelled, open).
    Built from dicts (charts.drawn, sent as charts.built sent it), as the validated Figure API would make it
    (tests/unit/test_fast_paths.py)."""
    data = df.iloc[::-1] if by_label != "Year" else df.sort_values("grp", ascending=False)
    groups = array(data["grp"].astype(str))
    traces = [{"type": "bar", "x": array(data[outcome]), "y": groups, "orientation": "h",
               "name": t(OUTCOME_LABELS[outcome]), "marker": {"color": OUTCOME_COLOURS[outcome]},
               "hovertemplate": "%{y}: " + t("{n} competitions {outcome}", n="%{x}",
                                             outcome=t(OUTCOME_LABELS[outcome]).lower()) + "<extra></extra>"}
              for outcome in OUTCOMES]
    height = max(340, 170 + 24 * len(data))
    layout = layout_base(title, height=height, large=large)
    layout["barmode"] = "stack"
    if len(data) and data[list(OUTCOMES)].sum(axis=1).max() <= 12:
        layout["xaxis"]["dtick"] = 1
    merge(layout, _note_layout(height, note, large))
    return drawn(traces, layout, figure_order=True)


def winner_text(winner: object, winner_system: object) -> str:
    """The winning bidder and system, escaped for a hover; the data's 'none' (nobody won) and empty values as the
    interface's "none" (before: "none nan")."""
    parts = [html.escape(v) for v in (winner, winner_system) if isinstance(v, str) and v and v.lower() != "none"]
    return " ".join(parts) if parts else t("none")


def systems_text(systems: object) -> str:
    return html.escape(systems) if isinstance(systems, str) and systems else "?"


def tender_markers(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    """Tender decisions on a year axis: one marker per decided competition, by system family and outcome.
    Built from dicts (charts.drawn): the validated Figure API cost most of the Timeline's tender chart."""
    families = sorted(df["system_family"].unique())
    cols = Columns(df)  # each outcome's rows by position: no sub-frame per outcome (each took every column)
    rows_of = cols.positions("outcome", OUTCOMES)
    programme, recipient, year, systems, winner, winner_system, competition = (cols.list(c) for c in (
        "programme", "recipient", "year_decided", "korean_systems", "winner", "winner_system", "competition_id"))
    data = []
    for outcome in OUTCOMES:
        idx = rows_of[outcome]
        if not idx:
            continue
        korea = t("Korea: {outcome} with {systems}")
        label = t(OUTCOME_LABELS[outcome])
        hover = [f"<b>{html.escape(str(programme[i]))}</b> ({html.escape(str(recipient[i]))}, {year[i]})<br>"
                 + korea.format(outcome=label.lower(), systems=systems_text(systems[i])) + "<br>"
                 + t("Winner: {winner}", winner=winner_text(winner[i], winner_system[i])) + "<br>"
                 f"{competition[i]}"
                 for i in idx]
        colour = OUTCOME_COLOURS[outcome]
        data.append({"type": "scatter", "x": cols.take("x_year", idx), "y": cols.take("system_family", idx),
                     "mode": "markers", "name": label,
                     "marker": {"symbol": OUTCOME_SYMBOLS[outcome], "size": 13, "color": colour,
                                "line": {"width": 2, "color": colour}},
                     "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>"})
    height = max(320, 170 + 26 * len(families))
    layout = layout_base(title, height=height, large=large)
    merge(layout, {"yaxis": {"categoryorder": "array", "categoryarray": families[::-1]}, "xaxis": {"dtick": 2}})
    merge(layout, _note_layout(height, note, large))
    return drawn(data, layout)


def _note_layout(height: int, note: str, large: bool) -> dict:
    """_note as a layout update."""
    lines = wrap_text(note, 100)
    top, bottom = 66 + 17 * len(lines), 70
    plot = max(height - top - bottom, 60)
    return {"title": {"subtitle": {"text": "<br>".join(lines), "font": {"size": 16 if large else 12}}},
            "margin": {"t": top, "b": bottom},
            "legend": {"orientation": "h", "x": 0, "yanchor": "top", "y": -30 / plot, "traceorder": "normal"}}

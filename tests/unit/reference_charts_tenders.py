"""charts_tenders.tender_markers as it was before it read its rows by position (kdefense/charts_tenders.py at s10
2916656: one boolean-masked sub-frame per outcome), kept verbatim as the reference the fast builder is compared
with (tests/unit/test_fast_paths.py)."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from kdefense.charts import array, drawn, layout_base, merge
from kdefense.charts_tenders import (
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    OUTCOME_SYMBOLS,
    OUTCOMES,
    _note_layout,
    systems_text,
    winner_text,
)
from kdefense.i18n import t


def tender_markers(df: pd.DataFrame, title: str, note: str, large: bool = False) -> go.Figure:
    families = sorted(df["system_family"].unique())
    data = []
    for outcome in OUTCOMES:
        part = df[df["outcome"] == outcome]
        if part.empty:
            continue
        korea = t("Korea: {outcome} with {systems}")
        label = t(OUTCOME_LABELS[outcome])
        hover = [f"<b>{html.escape(str(programme))}</b> ({html.escape(str(recipient))}, {year})<br>"
                 + korea.format(outcome=label.lower(), systems=systems_text(systems)) + "<br>"
                 + t("Winner: {winner}", winner=winner_text(winner, winner_system)) + "<br>"
                 f"{competition}"
                 for programme, recipient, year, systems, winner, winner_system, competition in zip(
                     part["programme"].tolist(), part["recipient"].tolist(), part["year_decided"].tolist(),
                     part["korean_systems"].tolist(), part["winner"].tolist(), part["winner_system"].tolist(),
                     part["competition_id"].tolist(), strict=True)]
        colour = OUTCOME_COLOURS[outcome]
        data.append({"type": "scatter", "x": array(part["x_year"]), "y": array(part["system_family"]),
                     "mode": "markers", "name": label,
                     "marker": {"symbol": OUTCOME_SYMBOLS[outcome], "size": 13, "color": colour,
                                "line": {"width": 2, "color": colour}},
                     "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>"})
    height = max(320, 170 + 26 * len(families))
    layout = layout_base(title, height=height, large=large)
    merge(layout, {"yaxis": {"categoryorder": "array", "categoryarray": families[::-1]}, "xaxis": {"dtick": 2}})
    merge(layout, _note_layout(height, note, large))
    return drawn(data, layout)

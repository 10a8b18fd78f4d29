"""Charts say what they show without colour: legends, direct labels, shapes, and a generated text summary."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from kdefense import charts, charts_suppliers, charts_timeline
from kdefense.i18n import use_lang
from kdefense.settings import REGION_COLOURS


def test_region_coloured_bars_have_a_legend_entry_per_region_and_a_summary():
    df = pd.DataFrame({"recipient": ["Poland", "Egypt", "Norway", "Peru"],
                       "region": ["Europe", "Africa", "Europe", "Americas"], "v": [10000.0, 1500.0, 300.0, 50.0]})
    fig = charts.ranked_bars(df, "recipient", "v", "usd", "Top recipients", "region")
    assert fig.layout.showlegend and sorted(t.name for t in fig.data) == ["Africa", "Americas", "Europe"]
    assert all(t.marker.color[0] == REGION_COLOURS[t.name] for t in fig.data)
    assert list(fig.layout.yaxis.categoryarray) == ["Peru", "Norway", "Egypt", "Poland"]
    text = charts.describe(fig)
    assert text.startswith("Chart: Top recipients.")
    assert "Largest: Poland 10,000; Egypt 1,500; Norway 300 (of 4)." in text


def test_supplier_lines_are_named_at_their_last_point():
    df = pd.DataFrame({"supplier": ["South Korea", "South Korea", "France", "France"],
                       "period_label": ["2015–19", "2020–24"] * 2, "share_pct": [2.0, None, 8.0, 9.5],
                       "tiv_m": [1, 2, 3, 4], "rank": [10, 9, 3, 2], "pct_tiv_flagged_uncertain": [0, 0, 0, 0]})
    fig = charts_suppliers.share_lines(df, "period_label", "Share", "note")
    labels = {n.text: n.x for n in fig.layout.annotations}
    assert labels == {"South Korea": "2015–19", "France": "2020–24"}


def test_speed_chart_tells_faster_from_slower_by_shape():
    df = pd.DataFrame({
        "row_label": ["a", "b"], "deal_id": ["x", "y"], "designation": ["", ""], "signed_date": ["2020", "2020"],
        "first_delivery_year": [2021, 2025], "first_year_units": [1, 1], "first_year_origin": ["s", "s"],
        "years_to_first_delivery": [1, 5], "others_median_years": [3.0, 3.0], "others_p25_years": [2.0, 2.0],
        "others_p75_years": [4.0, 4.0], "others_records": [10, 10], "armament_category": ["Artillery"] * 2,
        "years_vs_median": [-2.0, 2.0], "years_waiting": [None, None], "quantity": [1, 1]})
    fig = charts_timeline.speed_chart(df)
    symbols = {t.name: t.marker.symbol for t in fig.data if t.name and "than the median" in t.name}
    assert symbols == {"Faster than the median": "triangle-left", "Slower than the median": "triangle-right"}


def test_reconciliation_legend_clears_the_axis_and_ticks_thin_out():
    years = pd.DataFrame({"year": range(1970, 2026), "ledger_usd_bn": 1.0, "official_usd_bn": 2.0})
    fig = charts.reconciliation_chart(years)
    assert fig.layout.legend.y >= 1 and fig.layout.legend.yanchor == "bottom"
    assert fig.layout.xaxis.dtick == 5  # 56 yearly labels cannot fit a laptop, let alone a phone
    assert charts.reconciliation_chart(years[years["year"] >= 2015]).layout.xaxis.dtick == 1


def test_documents_shown_in_a_page_keep_one_h1_and_no_skipped_level():
    from kdefense.ui import demote_headings

    text = "# Title\n\nText\n\n## Part\n\n```sql\n# not a heading\n```\n\n### Sub\n###### deep"
    assert demote_headings(text, top=3).splitlines() == [
        "### Title", "", "Text", "", "#### Part", "", "```sql", "# not a heading", "```", "", "##### Sub",
        "###### deep"]


def crowded_shares(n: int = 11) -> pd.DataFrame:
    """n suppliers whose last shares lie close together (as China, Germany, Italy and Spain do)."""
    suppliers = ["South Korea", *[f"Supplier {i}" for i in range(1, n)]]
    return pd.DataFrame({"supplier": suppliers * 2, "period_label": ["2015–19"] * n + ["2020–24"] * n,
                         "share_pct": [1.0 + i for i in range(n)] + [40.0, 2.0] + [5.0 + 0.05 * i for i in range(n - 2)],
                         "tiv_m": 1.0, "rank": list(range(1, n + 1)) * 2, "pct_tiv_flagged_uncertain": 0.0})


def label_pixels(fig) -> tuple[list[float], float]:
    """Each end label's centre in px on the smallest plot area the builder allows for (its height less the page's
    stamp and x axis), from the y axis range: 0 at the top of the range."""
    axis = fig.layout.yaxis
    low, high = axis.range
    plot_px = fig.layout.height - charts_suppliers.LABELLED_OVERHEAD_PX
    return [(note.ay if note.showarrow else note.y) for note in fig.layout.annotations], plot_px / abs(high - low)


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("chart", ["share", "rank"])
def test_end_labels_never_overlap(chart, lang, large):
    df = crowded_shares()
    with use_lang(lang):
        fig = (charts_suppliers.share_lines(df, "period_label", "Share", "note", large=large) if chart == "share"
               else charts_suppliers.rank_bump(df.assign(rank=[40, *range(2, 12), *range(1, 12)]), "Rank",
                                               "note", large=large))
    ys, px_per_unit = label_pixels(fig)
    assert len(ys) == 11 and {n.text for n in fig.layout.annotations} >= {"Supplier 5", "Supplier 6"}
    font = 15 if large else 11
    gaps = [b - a for a, b in zip(sorted(ys), sorted(ys)[1:])]
    assert min(gaps) * px_per_unit >= 1.3 * font  # a line of text apart (11 labels on a 5.0–5.45 % crowd)
    moved = [n for n in fig.layout.annotations if n.showarrow]
    assert moved and all(n.arrowwidth == 1 for n in moved)  # a thin leader line to a moved label's point


def test_spread_keeps_order_and_gap():
    placed = charts_suppliers.spread([3.0, 1.0, 1.1, 1.05, 9.0], 0.5, 0.0, 10.0)
    order = sorted(range(5), key=lambda i: [3.0, 1.0, 1.1, 1.05, 9.0][i])
    assert [placed[i] for i in order] == sorted(placed)
    assert min(b - a for a, b in zip(sorted(placed), sorted(placed)[1:])) >= 0.5 - 1e-9
    assert placed[4] == 9.0  # a label with room stays on its point


def test_a_legend_name_broken_in_two_reads_as_one_line_in_the_summary():
    fig = go.Figure([{"type": "scatter", "x": [2020], "y": [1.0], "name": "Official total,<br>all destinations"},
                     {"type": "scatter", "x": [2020], "y": [2.0], "name": "Ledger"}],
                    {"title": {"text": "Per year"}})
    assert "Series: Official total, all destinations, Ledger." in charts.describe(fig)

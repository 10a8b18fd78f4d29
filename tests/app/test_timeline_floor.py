"""The bench's Timeline filter-change floor (bench/timeline_floor.py, issue 17) draws exactly what the Timeline sent."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from bench import timeline_floor


def _sent(at) -> list[tuple[str, str]]:
    return [(element.proto.id.rsplit("-", 1)[-1], element.proto.spec) for element in at.get("plotly_chart")]


def test_the_floor_app_draws_the_timelines_charts_for_the_default_filters_and_for_a_region(
        app_db, tmp_path, monkeypatch):
    figures = tmp_path / "figures.json"
    timeline_floor.capture_subprocess(app_db, figures)
    sets = json.loads(figures.read_text(encoding="utf-8"))
    keys = ["chart_tl_gantt", "chart_tl_tenders", "chart_tl_value", "chart_tl_units", "chart_tl_book",
            "chart_tl_book_now", "chart_tl_speed"]
    assert [c["key"] for c in sets["default"]] == keys == [c["key"] for c in sets["region"]]
    assert sets["regions"][0] == "Europe"
    assert all(a["spec"] != b["spec"] for a, b in zip(sets["default"], sets["region"]))  # a region redraws all 7
    assert "Europe" in json.loads(sets["region"][0]["spec"])["layout"]["title"]["subtitle"]["text"]  # the stamp's filter line

    monkeypatch.setenv("KDEFENSE_FLOOR_FIGURES", str(figures))
    at = AppTest.from_file(str(timeline_floor.FLOOR_APP), default_timeout=60)
    at.run()
    assert not at.exception
    assert _sent(at) == [(c["key"], c["spec"]) for c in sets["default"]]
    at.sidebar.multiselect[0].set_value([sets["regions"][0]])
    at.run()
    assert not at.exception
    assert _sent(at) == [(c["key"], c["spec"]) for c in sets["region"]]

"""Issue 17's fast paths change nothing that users see.

- The ledger views the build stores as rows (kdefense/sql/materialize.sql) hold exactly what their definitions in
  views.sql give, column for column.
- Figures built from dicts without Plotly's validation (charts.built) are what validating them would make: valid
  Plotly, and the same JSON reaches the browser.
"""

from __future__ import annotations

import base64
import json
import math
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from kdefense import charts, fmt, queries, settings, slides
from kdefense import charts_suppliers as cs
from kdefense import charts_timeline as ct
from kdefense.filters import Filters


def view_definition(name: str) -> str:
    """The SELECT of `CREATE VIEW <name> AS ...;` in views.sql (the documented definition)."""
    text = (settings.SQL_DIR / "views.sql").read_text()
    match = re.search(rf"CREATE VIEW {name} AS\n(.*?);\n", text, re.S)
    assert match, name
    return match.group(1)


@pytest.mark.parametrize("view, key", [("deals", "deal_id"), ("deliveries", "deal_id, year, kind, origin, units")])
def test_stored_ledger_views_equal_their_definitions(built_db, view, key):
    stored = built_db.execute(f"SELECT * FROM {view} ORDER BY {key}, source_ids").df()
    fresh = built_db.execute(f"SELECT * FROM ({view_definition(view)}) ORDER BY {key}, source_ids").df()
    assert list(stored.columns) == list(fresh.columns)
    assert list(stored.dtypes) == list(fresh.dtypes)
    assert len(stored) == len(fresh) > 0
    assert stored.equals(fresh)
    plan = built_db.execute(f"SELECT sql FROM duckdb_views() WHERE view_name = '{view}'").fetchone()[0]
    assert f"_internal.{view}_rows" in plan  # the app reads the stored rows, not the joins


def competitions_filter_on_the_view() -> str:
    """The competitions filter as it read before the build stored its rows (_internal.competition_filter_rows): the
    `competitions` view joined to countries on every question. The head to head still asks it, from
    filter_competitions_view.sql (the file, without its comment lines)."""
    text = (settings.SQL_DIR / "filter_competitions_view.sql").read_text()
    return "\n".join(line for line in text.splitlines() if not line.startswith("--")) + "\n"


COMPETITION_CASES = [{}, {"year_from": 2015, "year_to": 2022}, {"regions": ("Europe",)}, {"nato": True},
                     {"eu": True, "year_from": 2000}, {"countries": ("POL", "AUS", "NOR")},
                     {"systems": ("K9", "K2")}, {"companies": ("Hanwha Aerospace",)}, {"q": "tank"},
                     {"q": "zzz-no-match"}, {"regions": ("Middle East",), "year_from": 2010, "year_to": 2030}]


@pytest.mark.parametrize("case", COMPETITION_CASES)
def test_stored_competition_rows_answer_as_the_view_did(built_db, case, monkeypatch):
    """Every question on the competitions filter gives the same columns, types and rows (in the same order) from the
    rows the build stores as it gave from the `competitions` view and its join to countries."""
    filters = Filters(**{"year_from": 1970, "year_to": 2030, **case})
    stored = (settings.SQL_DIR / "filter_competitions.sql").read_text()
    assert "_internal.competition_filter_rows" in stored  # the app reads the stored rows
    asked = [("tenders_table", {}), ("timeline_tenders", {"deal_id": ""}),
             *(("tenders_record", {"by": by}) for by in ("system_family", "recipient_region", "year", "rival"))]
    rows = 0
    for name, extra in asked:
        new = queries.sql_text(name)
        old = new.replace(stored.split("\nSELECT", 1)[1].join(["SELECT", ""]), competitions_filter_on_the_view())
        assert old != new, name
        params = queries._filtered_params(name, filters, extra)
        now, before = built_db.execute(new, params).df(), built_db.execute(old, params).df()
        assert list(now.columns) == list(before.columns), name
        assert list(now.dtypes) == list(before.dtypes), name
        assert now.equals(before), name
        rows += len(now)
    if case.get("q") != "zzz-no-match":
        assert rows > 0
    # the head to head keeps the view's filter (its string_agg(DISTINCT …) lists in the order of the view's joins)
    h2h = queries.sql_text("tenders_head_to_head")
    assert "_internal.competition_filter_rows" not in h2h and "LEFT JOIN countries c" in h2h


def plain(value):
    """A figure's JSON with typed arrays decoded, NaN as None and empty objects left out (`title: {}` is how
    Plotly writes an unset title), so equal figures compare equal."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            if "shape" in value:
                arr = arr.reshape([int(x) for x in str(value["shape"]).split(",")])
            return plain(arr.tolist())
        return {k: plain(v) for k, v in value.items() if v != {}}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else (int(value) if value.is_integer() else value)
    return value


def spec(fig: go.Figure) -> dict:
    return plain(json.loads(pio.to_json(fig, validate=False)))


def assert_as_validated(fig: go.Figure) -> None:
    """Validating the figure (what go.Figure(dict) does) neither fails nor changes what is sent."""
    sent = json.loads(pio.to_json(fig, validate=False))
    validated = go.Figure(sent)  # raises on any property Plotly does not know or a value it rejects
    assert spec(validated) == plain(sent)


def timeline_figures(filters: Filters) -> list[go.Figure]:
    events = queries.run("timeline_events")
    figs = []
    gantt = queries.run_filtered("timeline_gantt", filters, deal_id="")
    by_system = queries.run_filtered("timeline_gantt_system", filters, deal_id="")
    if not gantt.empty:
        figs += [ct.gantt_chart(gantt, events), ct.gantt_chart(gantt, None, large=True),
                 ct.gantt_chart(by_system, events, by_system=True)]
    value = queries.run_filtered("timeline_value_by_year", filters, deal_id="")
    tiv = queries.run_filtered("timeline_tiv_value_by_year", filters, deal_id="")
    units = queries.run_filtered("timeline_units_by_year", filters, deal_id="", munitions=True)
    book = queries.run_filtered("timeline_orderbook", filters, deal_id="", munitions=False)
    now = queries.run_filtered("timeline_orderbook_now", filters, deal_id="", munitions=False)
    speed = queries.run_filtered("timeline_speed", filters, deal_id="")
    if not value.empty:
        figs += [ct.value_by_year_chart(value, "usd", events), ct.value_by_year_chart(value, "usd", None)]
    if not tiv.empty:
        figs.append(ct.value_by_year_chart(tiv, "tiv", events))
    if units["units"].notna().any():
        figs.append(ct.units_by_year_chart(units, events))
    if not book.empty:
        figs += [ct.orderbook_chart(book, "units_outstanding", "units", events),
                 ct.orderbook_chart(book, "value_usd_m_outstanding", "USD m", None)]
    if not now.empty:
        figs.append(ct.orderbook_now_chart(now, "units_outstanding", "units", "end of 2025"))
    if not speed.empty:
        figs.append(ct.speed_chart(speed))
    return figs


def overview_figures(filters: Filters) -> list[go.Figure]:
    pre, col = ("overview_", "value_usd_m") if filters.basis == "usd" else ("overview_tiv_", "tiv_order_m")
    region = queries.run_filtered(pre + "by_region", filters)
    recipients = queries.run_filtered(pre + "top_recipients", filters)
    systems = queries.run_filtered(pre + "top_systems", filters)
    return [charts.region_bars(region, col, filters.basis),
            charts.ranked_bars(recipients, "recipient", col, filters.basis, "Top recipients", "region"),
            charts.ranked_bars(systems, "system_family", col, filters.basis, "Top systems", large=True),
            charts.reconciliation_chart(queries.run_filtered("reconciliation", filters))]


@pytest.mark.parametrize("case", [
    {}, {"basis": "tiv"}, {"countries": ("POL",)}, {"regions": ("Middle East",), "basis": "tiv"},
    {"year_from": 2022, "year_to": 2022},
])
def test_dict_built_figures_are_what_validation_would_make(app_db, case):
    options = queries.filter_options()
    filters = Filters(**{"year_from": options.year_min, "year_to": options.year_max, **case})
    figs = timeline_figures(filters) + overview_figures(filters)
    assert figs
    for fig in figs:
        assert_as_validated(fig)
        assert spec(fig)["layout"]["template"]  # the default template is applied as before


def test_supplier_lines_are_what_validation_would_make():
    import pandas as pd

    df = pd.DataFrame({
        "supplier": ["France", "South Korea", "France", "South Korea", "Chile"],
        "period_label": ["2015–19", "2015–19", "2020–24", "2020–24", "2020–24"],
        "year": [2019, 2019, 2024, 2024, 2024], "share_pct": [7.9, 1.0, 9.6, 2.2, 0.01],
        "tiv_m": [8000.0, 900.0, 9500.0, 2100.0, 3.0], "rank": [3, 11, 2, 10, None],
        "pct_tiv_flagged_uncertain": [10.0, 2.0, 5.0, 1.0, 0.0],
    })
    lines = cs.share_lines(df, "period_label", "Share", "All recipients.")
    bump = cs.rank_bump(df, "Rank", "All recipients.", large=True)
    for fig in (lines, bump, cs.share_lines(df, "year", "Share", "x " * 80)):
        assert_as_validated(fig)
    assert [t.name for t in lines.data][0] == "South Korea"  # South Korea first, drawn thick
    assert lines.data[0].line.width == 4


def test_presentation_copy_of_a_dict_built_figure(app_db):
    options = queries.filter_options()
    fig = timeline_figures(Filters(year_from=options.year_min, year_to=options.year_max))[0]
    before = spec(fig)
    big = slides.slide_figure(fig, 600)  # a slide's copy: large type, the shared figure untouched
    assert big.layout.font.size > fig.layout.font.size == 14
    assert spec(fig) == before
    assert fig.layout.meta["rows"] > 0  # pages read the row count from the figure


def stamped_by_validation(fig: go.Figure, title: str, filters_line: str) -> go.Figure:
    """How ui.stamped stamped a figure before it worked on the sent dict: a validated copy, update_layout."""

    from kdefense import ui

    info = queries.build_info()
    source = (f"Source: {settings.SIPRI_CREDIT.split(' (')[0]}; deal ledger (each row cites its source) · "
              f"data version {info.get('data_version', '?')}, built {str(info.get('built_at', ''))[:10]}")
    out = go.Figure(fig)
    old = out.layout.title.subtitle.text
    lines = ((ui._fitted(old, ui.STAMP_WIDTH_PX, 12) if old else [])
             + [ui._esc(w) for text in (filters_line, source) for w in ui.stamp_lines(text)])
    had_title = bool(out.layout.title.text)
    title_size = out.layout.title.font.size or 18
    title_text = out.layout.title.text if had_title else ui._esc(title)
    title_lines = ui._fitted(title_text, ui.TITLE_WIDTH_PX, title_size)
    title_pad = round(1.3 * title_size) * (len(title_lines) - len(title_text.split("<br>")))
    grown = 16 * (len(lines) - len(old.split("<br>") if old else [])) + (0 if had_title else 34) + title_pad
    legend, margin_t = out.layout.legend, out.layout.margin.t or 10
    shown = out.layout.showlegend is not False and len(out.data) > 1 or out.layout.showlegend
    height = out.layout.height
    if shown and legend.y is not None and legend.yref == "container" and legend.y > 0.9:
        h = height or 450
        out.update_layout(legend_y=1 - ((1 - legend.y) * h + grown) / (h + grown) if height else legend.y - grown / h)
    elif shown and legend.y is not None and legend.y >= 1 and margin_t < 40:
        grown += 26
    out.update_layout(
        title={"text": "<br>".join(title_lines), "yref": "container", "y": 1,
               "yanchor": "top", "pad": {"t": 8 + title_pad},
               "subtitle": {"text": "<br>".join(lines), "font": {"size": 12, "color": "#4b5563"}}},
        margin={"t": margin_t + grown})
    if height:  # the figure grows by what the stamp adds, so the plot keeps its height
        out.update_layout(height=height + grown)
    return out


def test_stamped_spec_sends_what_the_validated_stamp_sent(app_db):
    """ui.stamped stamps the sent dict (no validated copy, no per-rerun deep copy): the browser gets the same."""
    from kdefense import ui

    options = queries.filter_options()
    filters = Filters(year_from=options.year_min, year_to=options.year_max, q="<b>&")
    figs = timeline_figures(Filters(year_from=options.year_min, year_to=options.year_max)) + overview_figures(filters)
    figs.append(go.Figure(go.Bar(x=[1, 2], y=[3, 4]), layout={"title": {"subtitle": {"text": "kept"}}}))
    for fig in figs:
        before = spec(fig)
        for title in ("A <b>title</b> & more", ""):
            sent = ui.stamped(fig, title, filters.describe())
            assert isinstance(sent, go.Figure)  # st.plotly_chart takes it as a figure and calls to_dict()
            assert plain(json.loads(pio.to_json(sent.to_dict(), validate=False))) == spec(
                stamped_by_validation(fig, title, filters.describe()))
            assert ui.stamped(fig, title, filters.describe()) is sent  # made once per figure and stamp
        assert spec(fig) == before  # the shared figure is untouched
    other = ui.stamped(figs[-1], "T", "another filters line")
    assert "another filters line" in other.spec["layout"]["title"]["subtitle"]["text"]
    assert other.spec["data"] is ui.stamped(figs[-1], "T", "x").spec["data"]  # traces encoded once per figure


def map_figures(filters: Filters) -> list[go.Figure]:
    from kdefense import charts_map as cm

    data = queries.run_filtered("map_recipients" if filters.basis == "usd" else "map_recipients_tiv", filters)
    rows, totals = data[data["year"].notna()], data[data["year"].isna()]
    countries = queries.run("map_countries")
    sites = queries.run("map_facilities", {"regions": list(filters.regions), "countries": list(filters.countries),
                                           "nato": filters.nato, "eu": filters.eu})
    figs = []
    for measure, scale, mode, preset, outlines, flows, large, with_sites in (
            (filters.basis, "log", "cumulative", "World", (), True, False, True),
            ("units", "quantile", "per_year", "Europe", ("nato", "eu"), False, True, False),
            ("deals", "linear", "cumulative", "Middle East", ("eu",), True, False, True)):
        opts = cm.MapOptions(measure=measure, basis=filters.basis, scale=scale, mode=mode, preset=preset,
                             outlines=outlines, flows=flows, large=large)
        fig = cm.recipients_map(rows, totals, countries, sites if with_sites else sites.iloc[:0], opts)
        figs.append(fig)
        years = cm.map_years(fig)
        if len(years) > 2:
            figs += [cm.at_year(fig, years[1]), cm.at_year(fig, years[1], controls=False)]
    return figs


def tender_record_figures(filters: Filters) -> list[go.Figure]:
    from kdefense import charts_tenders as ctn

    return [ctn.record_bars(queries.run_filtered("tenders_record", filters, by=by), label, "Record", "A note " * 20,
                            large=by == "year")
            for by, label in (("system_family", "System family"), ("year", "Year"), ("rival", "Rival bidder"))]


@pytest.mark.parametrize("case", [{}, {"basis": "tiv"}, {"regions": ("Europe",)}, {"year_from": 2022, "year_to": 2022}])
def test_dict_built_map_and_tender_figures_are_what_validation_would_make(app_db, case):
    """The Map (with its year frames) and the Tenders record are built from dicts: validating them changes nothing."""
    options = queries.filter_options()
    filters = Filters(**{"year_from": options.year_min, "year_to": options.year_max, **case})
    figs = map_figures(filters) + tender_record_figures(filters)
    assert len(figs) >= 6
    for fig in figs:
        assert_as_validated(fig)
        sent = json.loads(pio.to_json(fig, validate=False))
        assert sent["layout"]["template"]  # the default template is applied as before
        if fig.frames:
            assert sent["frames"] == json.loads(pio.to_json(go.Figure(sent), validate=False))["frames"]
        kept = getattr(fig, "_kd_sent", None)  # the map's sent dict, made from its own dicts (ui.stamped uses it)
        if kept is not None:
            assert json.loads(pio.to_json(kept, validate=False)) == json.loads(pio.to_json(fig.to_dict(),
                                                                                           validate=False))
    assert any(getattr(fig, "_kd_sent", None) is not None for fig in figs)

def test_sent_dict_is_what_to_dict_sends(app_db):
    """ui.sent_dict (the stamp's one copy and encoding, without deep-copying every hover string) gives exactly the
    JSON that Figure.to_dict() gives, and leaves the figure as it was."""
    from kdefense import ui

    options = queries.filter_options()
    filters = Filters(year_from=options.year_min, year_to=options.year_max)
    figs = timeline_figures(filters) + overview_figures(filters)
    figs.append(go.Figure(  # typed arrays in a list, skipped keys (range, layers), tuples, arrays of text
        [go.Scatter(x=np.arange(5), y=np.linspace(0, 1, 5), text=np.array(["a", "b", "c", "d", "e"], dtype=object),
                    customdata=[np.arange(3), np.arange(3)], marker={"color": np.array([1, 2, 3, 4, 5])})],
        layout={"xaxis": {"range": (np.int64(0), np.int64(4))}, "map": {"layers": [{"source": {"a": [1, 2]}}]},
                "meta": {"rows": (1, 2)}}))
    assert len(figs) > 10
    for fig in figs:
        before = pio.to_json(fig, validate=False)
        assert pio.to_json(ui.sent_dict(fig), validate=False) == pio.to_json(fig.to_dict(), validate=False)
        assert pio.to_json(fig, validate=False) == before  # the (shared) figure is untouched


def test_kept_gantt_hovers_are_the_ones_made_afresh_in_each_language(app_db):
    """The Gantt's, the speed chart's and the context events' hover texts are kept between builds, keyed by language
    and the values they show: a build in Korean after one in English (and one after other filters) says what a build
    with nothing kept says."""
    from kdefense import i18n, names

    options = queries.filter_options()
    wide = Filters(year_from=options.year_min, year_to=options.year_max)
    narrow = Filters(year_from=2015, year_to=2022, statuses=("contract", "delivering", "completed", "prospect"))
    events = queries.run("timeline_events")

    def hovers(filters: Filters) -> list:
        gantt = queries.run_filtered("timeline_gantt", filters, deal_id="")
        speed = names.gantt_labels(queries.run_filtered("timeline_speed", filters, deal_id=""), by_system=False)
        figs = (ct.gantt_chart(gantt, events), ct.speed_chart(speed))
        return [list(trace.hovertext) for fig in figs for trace in fig.data if trace.hovertext is not None]

    for lang in ("en", "ko", "en"):
        with i18n.use_lang(lang):
            kept = [hovers(wide), hovers(narrow)]
            for cache in (ct._year_hover, ct._deal_hover_of, ct._date_in, ct._speed_hover, ct._event_hover,
                          ct._bench_hover):
                cache.cache_clear()
            assert kept == [hovers(wide), hovers(narrow)]
    with i18n.use_lang("ko"):
        assert any("서명" in text or "인도" in text for trace in hovers(wide) for text in trace)


def test_kept_map_arcs_and_sites_are_the_ones_made_afresh(app_db, monkeypatch):
    """The Map keeps its flow arcs and its industrial-site trace between builds (charts_map._arc,
    _kept_facility_trace): maps built one after the other in both languages, over other filters and both value
    bases, send the same JSON as maps built with nothing kept, and a kept trace is never shared with a figure."""
    from kdefense import charts_map as cm
    from kdefense import i18n

    options = queries.filter_options()
    cases = [Filters(year_from=options.year_min, year_to=options.year_max),
             Filters(year_from=2010, year_to=2021, basis="tiv"), Filters(year_from=2015, year_to=2024, basis="usd"),
             Filters(year_from=options.year_min, year_to=options.year_max, regions=("Europe",), basis="tiv")]

    def sent(filters: Filters) -> list[str]:
        return [pio.to_json(getattr(f, "_kd_sent", None) or f.to_dict(), validate=False) for f in map_figures(filters)]

    def afresh(filters: Filters) -> list[str]:
        cm._arc.cache_clear()
        cm._FACILITY_TRACES.clear()
        return sent(filters)

    for lang in ("en", "ko", "en"):
        with i18n.use_lang(lang):
            kept = [sent(f) for f in cases]  # each case after the one before: arcs and sites found kept
            assert kept == [afresh(f) for f in cases]
    with i18n.use_lang("ko"):
        ko = sent(cases[0])
    with i18n.use_lang("en"):
        assert sent(cases[0]) != ko  # the site hovers are kept per language
    one, two = map_figures(cases[0])[0], map_figures(cases[0])[0]
    sites = [trace for trace in one._kd_sent["data"] if trace.get("name") == i18n.t("Korean industrial site")]
    assert sites
    sites[0]["text"][0] = "changed"  # a figure's own trace: the next map is not touched
    assert "changed" not in pio.to_json(two._kd_sent, validate=False)
    assert "changed" not in pio.to_json(map_figures(cases[0])[0]._kd_sent, validate=False)


HEADLINE_CASES = [
    Filters(year_from=1970, year_to=2026), Filters(year_from=2015, year_to=2024), Filters(year_from=1990, year_to=2005),
    Filters(year_from=1970, year_to=2026, statuses=()), Filters(year_from=2000, year_to=2026, regions=("Europe",)),
    Filters(year_from=1970, year_to=2026, categories=("Missiles", "Ammunition")),
    Filters(year_from=1970, year_to=2026, kinds=("mro_service", "upgrade")),
    Filters(year_from=1970, year_to=2026, q="K9", statuses=("delivering", "completed", "planned")),
    Filters(year_from=2020, year_to=2026, statuses=("completed",)),
]


def old_headline_sql() -> str:
    """overview_headline.sql as it was before issue 17's fifth session (per-deal deliveries aggregated in the
    question), composed on the shared filter CTE as queries.sql_text composes it."""
    text = (settings.SQL_DIR / "overview_headline.sql").read_text()
    old = """WITH delivered AS (
    SELECT deal_id, sum(units) FILTER (WHERE kind = 'actual') AS units_delivered
    FROM deliveries GROUP BY deal_id
), u AS (
    SELECT fd.*, CASE WHEN fd.armament_category IN ('Missiles', 'Ammunition') THEN 'munition'
                      WHEN fd.system_family = 'Small arms' THEN 'small_arms'
                      WHEN fd.armament_category = 'Services' OR fd.deal_kind IN ('mro_service', 'upgrade')
                          THEN 'service'
                      ELSE 'platform' END AS unit_group,"""
    body = text[text.index("           -- a completed deal"):].replace(
        "FROM fd LEFT JOIN _internal.deal_table_facts dl", "FROM fd LEFT JOIN delivered dl")
    cte = (settings.SQL_DIR / "filter_deals.sql").read_text()
    return f"WITH fd AS (\n{cte}\n),\n{old.removeprefix('WITH ')}\n{body}"


@pytest.mark.parametrize("filters", HEADLINE_CASES, ids=range(len(HEADLINE_CASES)))
def test_headline_on_stored_deliveries_is_the_one_aggregated_afresh(built_db, filters):
    """The Overview's headline reads units delivered per deal from _internal.deal_table_facts: same row, same
    types as aggregating `deliveries` in the question (for the period shown and the one before)."""
    for period in (filters, filters.previous_period()):
        params = queries._filtered_params("overview_headline", period, {})
        new = built_db.execute(queries.sql_text("overview_headline"), params).df()
        old = built_db.execute(old_headline_sql(), params).df()
        assert list(new.dtypes) == list(old.dtypes)
        assert list(new.columns) == list(old.columns) and len(new) == len(old) == 1
        for column in new.columns:
            now, before = new[column].iloc[0], old[column].iloc[0]
            if pd.isna(before):
                assert pd.isna(now), column
            elif new[column].dtype.kind == "f":  # a sum of floats in another order: the last bit may differ
                assert now == pytest.approx(before, rel=1e-12), column
                assert fmt.usd_bn(now) == fmt.usd_bn(before)  # what the page shows
            else:
                assert now == before, column
    assert "deliveries" not in queries.sql_text("overview_headline").replace("units_delivered", "")


TYPED_ARRAY_CASES = [
    np.array([1.5, np.nan, -2.0]), np.array([3, 200, -5], dtype="int64"), np.array([1, 2], dtype="int64"),
    np.array([70_000, -1], dtype="int64"), np.array([2**40, 1], dtype="int64"), np.array([5, 300], dtype="uint64"),
    np.array([2**33], dtype="uint64"), np.array([1, 2], dtype="int32"), np.array([1.0, 2.0], dtype="float32"),
    np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1, 2], [3, 4]], dtype="int64")[:, 0], np.array([], dtype="float64"),
    np.array(["a", None, "가"], dtype=object), np.array([True, False]), np.array(["x", "y"]),
    np.array(["2024-01-01"], dtype="datetime64[D]"), [1, 2, 3], (0.5, 1.5),
]


@pytest.mark.parametrize("values", TYPED_ARRAY_CASES, ids=range(len(TYPED_ARRAY_CASES)))
def test_typed_arrays_are_plotlys(values):
    """charts.typed_array (numpy arrays encoded without plotly's narwhals conversion) gives what plotly's
    to_typed_array_spec gives: the same typed-array spec, or an array with the same dtype and values."""
    from _plotly_utils.utils import to_typed_array_spec


    fast, plotly_own = charts.typed_array(values), to_typed_array_spec(values)
    assert type(fast) is type(plotly_own)
    if isinstance(plotly_own, dict):
        assert fast == plotly_own
    else:
        assert fast.dtype == plotly_own.dtype and fast.shape == plotly_own.shape
        assert pio.to_json({"x": fast}) == pio.to_json({"x": plotly_own})


def page_frames(filters: Filters, by_system: bool, munitions: bool) -> dict:
    """The Timeline's frames as pages/timeline.py hands them to the builders (row and country labels applied)."""
    from kdefense import names

    gantt = queries.run_filtered("timeline_gantt_system" if by_system else "timeline_gantt", filters, deal_id="")
    tenders = queries.run_filtered("timeline_tenders", filters, deal_id="")
    now = queries.run_filtered("timeline_orderbook_now", filters, deal_id="", munitions=munitions)
    tiv_now = queries.run_filtered("timeline_tiv_orderbook_now", filters, deal_id="")
    return {
        "events": queries.run("timeline_events"),
        "gantt": names.gantt_labels(gantt, by_system),
        "tenders": tenders.assign(recipient=tenders["recipient"].map(names.country_by_name),
                                  system_family=tenders["system_family"].map(names.system)),
        "value": queries.run_filtered("timeline_value_by_year", filters, deal_id=""),
        "tiv": queries.run_filtered("timeline_tiv_value_by_year", filters, deal_id=""),
        "units": queries.run_filtered("timeline_units_by_year", filters, deal_id="", munitions=munitions),
        "book": queries.run_filtered("timeline_orderbook", filters, deal_id="", munitions=munitions),
        "tiv_book": queries.run_filtered("timeline_tiv_orderbook", filters, deal_id=""),
        "now": now.assign(recipient=now["recipient"].map(names.country_by_name)),
        "tiv_now": tiv_now.assign(recipient=tiv_now["recipient"].map(names.country_by_name)),
        "speed": names.gantt_labels(queries.run_filtered("timeline_speed", filters, deal_id=""), by_system=False),
    }


def timeline_calls(frames: dict, by_system: bool) -> list[tuple[str, tuple, dict]]:
    """Every Timeline builder call the page and the slides make, with and without events, normal and large."""
    ev, calls = frames["events"], []
    for events in (ev, None):
        for large in (False, True):
            calls += [
                ("gantt_chart", (frames["gantt"], events), {"by_system": by_system, "large": large}),
                ("value_by_year_chart", (frames["value"], "usd", events, frames["tenders"]), {"large": large}),
                ("value_by_year_chart", (frames["value"], "usd", events), {"large": large}),
                ("value_by_year_chart", (frames["tiv"], "tiv", events, frames["tenders"]), {"large": large}),
                ("units_by_year_chart", (frames["units"], events), {"large": large}),
                ("orderbook_chart", (frames["book"], "units_outstanding", "units", events), {"large": large}),
                ("orderbook_chart", (frames["book"], "value_usd_m_outstanding", "USD m", events), {}),
                ("orderbook_chart", (frames["tiv_book"], "tiv_outstanding_m", "TIV, millions", events), {}),
                ("orderbook_now_chart", (frames["now"], "units_outstanding", "units", "end of 2025"), {"large": large}),
                ("orderbook_now_chart", (frames["now"], "value_usd_m_outstanding", "USD m", "end of 2025"), {}),
                ("orderbook_now_chart", (frames["tiv_now"], "tiv_outstanding_m", "TIV", "end of 2025"), {}),
                ("speed_chart", (frames["speed"],), {"large": large}),
            ]
    return calls


def usable(name: str, args: tuple) -> bool:
    """The calls the page makes: it draws no chart for an empty frame (nor units without any count)."""
    df = args[0]
    if df.empty:
        return False
    if name == "units_by_year_chart":
        return bool(df["units"].notna().any())
    if name in ("orderbook_chart", "orderbook_now_chart"):
        return bool(df[args[1]].fillna(0).sum() > 0)
    return True


TIMELINE_CASES = [
    {}, {"basis": "tiv"}, {"countries": ("POL",)}, {"regions": ("Middle East",), "basis": "tiv"},
    {"year_from": 2022, "year_to": 2022}, {"year_from": 2015, "year_to": 2023},
    {"statuses": ("contract", "delivering", "completed", "prospect", "negotiating", "framework/MoU", "cancelled")},
    {"q": "K9"}, {"regions": ("Asia & Oceania",), "year_from": 2000, "year_to": 2019},
]


@pytest.mark.parametrize("case", TIMELINE_CASES)
def test_fast_timeline_builders_send_what_the_reference_builders_sent(app_db, case):
    """The Timeline's builders work on column lists (no per-row or per-mask pandas work): every figure they make is
    byte for byte the JSON the builders before that rewrite made (tests/unit/reference_charts_timeline.py), over
    filter sets, both Gantt row modes, with and without events and tenders, normal and large, English and
    Korean; and the sent dict each figure carries (made from its own dicts) is what to_dict() gave."""
    from kdefense import i18n
    from tests.unit import reference_charts_timeline as ref

    options = queries.filter_options()
    filters = Filters(**{"year_from": options.year_min, "year_to": options.year_max, **case})
    compared = 0
    for lang in ("en", "ko"):
        with i18n.use_lang(lang):
            for by_system, munitions in ((False, False), (True, True)):
                frames = page_frames(filters, by_system, munitions)
                for name, args, kwargs in timeline_calls(frames, by_system):
                    if not usable(name, args):
                        continue
                    fast = getattr(ct, name)(*args, **kwargs)
                    reference = getattr(ref, name)(*args, **kwargs)
                    assert pio.to_json(fast, validate=False) == pio.to_json(reference, validate=False), (name, lang)
                    # what st.plotly_chart sends: the figure's own sent dict (keys in another order) is to_dict()
                    assert json.loads(pio.to_json(ui_sent(fast), validate=False)) == json.loads(
                        pio.to_json(reference.to_dict(), validate=False)), name
                    compared += 1
    assert compared >= 40


def ui_sent(fig: go.Figure) -> dict:
    kept = getattr(fig, "_kd_sent", None)
    assert kept is not None  # every Timeline builder carries its sent dict (ui.stamped sends it)
    return kept


def separated_before(df, config=None) -> dict:
    """ui.separated as it was before it read dtypes and float arrays (the reference for the test below)."""
    import pandas as pd
    import streamlit as st

    out = dict(config or {})
    for i, name in enumerate(df.columns):
        given = out.get(name, "")
        column = df.iloc[:, i]
        if df.columns.duplicated(keep=False)[i]:
            continue
        if not isinstance(given, str) or pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(
                column):
            continue
        values = column.dropna().astype(float)
        if values.empty or values.abs().max() < 1000 or bool(
                ((values % 1 == 0) & values.between(1900, 2100)).all()):
            continue
        out[name] = st.column_config.NumberColumn(given or None,
                                                  format="%,d" if bool((values % 1 == 0).all()) else "%,.1f")
    return out


def test_popover_number_formats_are_the_ones_made_before(app_db):
    """ui.separated (every popover table, every rerun) configures exactly the columns it configured before, with
    the same formats: on every Timeline frame (English and Korean dates) and on NaN, ±inf, nullable integers,
    booleans, years, repeated names, empty frames and given labels."""
    import pandas as pd

    from kdefense import fmt, i18n, ui

    options = queries.filter_options()
    frames = list(page_frames(Filters(year_from=options.year_min, year_to=options.year_max), False, False).values())
    frames += [
        pd.DataFrame({"a": [1000, None, 3], "b": [1999.0, 2000, None], "c": [1.5, 2000.5, np.nan],
                      "d": [True, False, True], "e": pd.array([None, 5000, 2], dtype="Int64"),
                      "f": [np.inf, 1, 2], "g": [-np.inf, -5000.0, 1.0], "y": pd.array([2020, None, 2021], dtype="Int32"),
                      "s": ["x", None, "z"], "n": [np.nan, np.nan, np.nan]}),
        pd.DataFrame([[1000, 2000, 3]], columns=["x", "x", "z"]),
        pd.DataFrame({"a": pd.Series([], dtype="float64")}),
    ]
    for lang in ("en", "ko"):
        with i18n.use_lang(lang):
            for frame in frames:
                shown = fmt.table_dates(frame.head(ui.PREVIEW_ROWS))
                for config in (None, {"a": "Given label", "units": {"label": "kept"}}):
                    assert ui.separated(shown, config) == separated_before(shown, config)


def data_preview_before(df) -> None:
    """ui.data_preview as it was before it kept each frame's Arrow table (the reference for the tests below)."""
    import streamlit as st

    from kdefense import i18n, ui

    if len(df) > ui.PREVIEW_ROWS:
        st.caption(i18n.t("The first {shown} of {total} rows; the downloads have all of them.",
                          shown=ui.PREVIEW_ROWS, total=fmt.number(len(df))))
        df = df.head(ui.PREVIEW_ROWS)
    shown = fmt.table_dates(df)
    st.dataframe(shown, hide_index=True, placeholder="—", width="stretch", column_config=ui.separated(shown))


class SentTable:
    """Arrow stream bytes as Streamlit sends them, equal when their cells, types and schema metadata (the pandas
    index and dtypes) are. Not the bytes themselves: a table kept from an earlier answer to the same question can lay
    out its buffers otherwise (16 more bytes, same table; this failed on main after tests/app/test_number_columns)."""

    def __init__(self, arrow: bytes) -> None:
        import pyarrow as pa

        self.table = pa.ipc.open_stream(arrow).read_all()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SentTable) and self.table.equals(other.table, check_metadata=True)

    def __repr__(self) -> str:
        return f"SentTable({self.table.schema}, {self.table.num_rows} rows)"


def sent_preview(monkeypatch, show, df) -> list:
    """What `show(df)` hands Streamlit, as Streamlit sends it: the caption's text, and the table's Arrow bytes and
    column configuration JSON made by Streamlit's own functions (st.dataframe converts a frame to Arrow and sends a
    pyarrow Table as it is), with every other argument."""
    import pyarrow as pa
    import streamlit as st
    from streamlit import dataframe_util
    from streamlit.elements.lib import column_config_utils as ccu

    sent: list = []

    def dataframe(data, **kwargs):
        arrow = (dataframe_util.convert_arrow_table_to_arrow_bytes(data) if isinstance(data, pa.Table)
                 else dataframe_util.convert_pandas_df_to_arrow_bytes(data))
        config = ccu.process_config_mapping(kwargs.pop("column_config"))
        sent.append(("dataframe", SentTable(arrow), ccu._convert_column_config_to_json(config), sorted(kwargs.items())))

    monkeypatch.setattr(st, "dataframe", dataframe)
    monkeypatch.setattr(st, "caption", lambda text, **kwargs: sent.append(("caption", text, kwargs)))
    show(df)
    return sent


def every_page_frame(filters: Filters) -> dict:
    """An answer to every question the pages ask with the default filters (warm-up's list), the Suppliers
    comparisons and the Timeline's frames as the page labels them."""
    from dataclasses import replace

    from kdefense import warmup

    frames = {f"{name}:{sorted(params)}": queries.run(name, params)
              for name, params in warmup.default_questions(filters)}
    world = replace(filters, regions=(), nato=False, eu=False, countries=())
    suppliers = ["South Korea", "United States", "France", "Russia", "China", "Germany"]
    window = int(queries.run_filtered("suppliers_windows", filters)["window_start"].iloc[-1])
    for by_window in (True, False):
        frames[f"share:{by_window}"] = queries.run_filtered("suppliers_share", world, suppliers=suppliers,
                                                            by_window=by_window)
    for name, extra in [("suppliers_top", {"window_start": window, "top_n": 10, "suppliers": ["South Korea"]}),
                        ("suppliers_region_mix", {"window_start": window, "suppliers": suppliers}),
                        ("suppliers_recipient_counts", {"suppliers": suppliers}),
                        ("suppliers_speed", {"suppliers": suppliers, "new_only": False, "sup_category": ""}),
                        ("suppliers_speed_categories", {"suppliers": suppliers, "new_only": False}),
                        ("suppliers_order_book", {"suppliers": suppliers, "top_n": 15}),
                        ("suppliers_rival_families", {"system_class": "Self-propelled guns"}),
                        ("suppliers_rival_orders", {"system_class": "Self-propelled guns"}),
                        ("tenders_record", {"by": "rival"}), ("tenders_record", {"by": "year"})]:
        frames[f"{name}:{sorted(extra)}:{extra.get('by')}"] = queries.run_filtered(name, filters, **extra)
    frames.update({f"timeline:{k}": v for k, v in page_frames(filters, False, False).items()})
    return frames


EDGE_FRAMES = [
    pd.DataFrame({"a": [1000, None, 3], "b": [1999.0, 2000, None], "c": [1.5, 2000.5, np.nan],
                  "d": [True, False, True], "e": pd.array([None, 5000, 2], dtype="Int64"),
                  "f": [np.inf, 1, 2], "g": [-np.inf, -5000.0, 1.0], "y": pd.array([2020, None, 2021], dtype="Int32"),
                  "s": ["x", None, "z"], "n": [np.nan, np.nan, np.nan], "signed_date": ["2024-03-01", None, "2021"]}),
    pd.DataFrame({"a": pd.Series([], dtype="float64")}),
    pd.DataFrame({"v": range(450), "u": np.arange(450) * 1000.5}, index=range(1000, 1450)),  # > PREVIEW_ROWS
    pd.DataFrame({"v": [5000, 6000]}, index=[7, 3]),  # an index that is not a RangeIndex
]


def test_popover_tables_send_what_they_sent_before(app_db, monkeypatch):
    """ui.data_preview (every chart's popover, on every rerun) sends exactly what it sent before it kept each frame's
    Arrow table and column configuration: the same caption, Arrow bytes (cells, types, index metadata) and number
    formats, on every page's frames and on edge cases, in English and Korean (dates written per language), for a
    frame fresh from queries.run, for its copy (kept by content) and when asked again (kept)."""
    from kdefense import i18n, ui

    options = queries.filter_options()
    for filters in (Filters(year_from=options.year_min, year_to=options.year_max),
                    Filters(year_from=2010, year_to=2019, regions=("Europe",))):
        frames = [*every_page_frame(filters).values(), *EDGE_FRAMES]
        assert len(frames) > 60 and sum(len(f) > ui.PREVIEW_ROWS for f in frames) >= 2
        for lang in ("en", "ko", "en"):
            with i18n.use_lang(lang):
                for frame in frames:
                    before = sent_preview(monkeypatch, data_preview_before, frame)
                    assert before and before[-1][0] == "dataframe"
                    for shown in (frame, frame.copy(), frame):
                        assert sent_preview(monkeypatch, ui.data_preview, shown) == before


def test_popover_tables_are_kept_per_language_and_content(app_db):
    """A kept popover table is never another language's (Korean dates) or other rows' (same question asked of
    another data version is another key, as ui.figure's)."""
    from kdefense import i18n, ui

    dated = pd.DataFrame({"signed_date": ["2024-03-01", "2021-01-05"], "value": [1, 2]})
    with i18n.use_lang("en"):
        english = ui.preview(dated)
    with i18n.use_lang("ko"):
        korean = ui.preview(dated.copy())
    assert english.table.column("signed_date").to_pylist() == ["2024-03-01", "2021-01-05"]
    assert korean.table.column("signed_date").to_pylist() != english.table.column("signed_date").to_pylist()
    with i18n.use_lang("en"):
        other = ui.preview(dated.assign(value=[1, 3]))
        assert other.table.column("value").to_pylist() == [1, 3]
        assert ui.preview(dated.copy()) is english


SUPPLIER_SETS = [["South Korea", "United States", "France", "Russia", "China", "Germany", "Italy", "United Kingdom",
                  "Israel", "Spain", "Turkiye"], ["South Korea"], ["South Korea", "Poland", "Brazil", "Japan"]]
SHARE_CASES = [{}, {"year_from": 2010, "year_to": 2019}, {"regions": ("Europe",)}, {"nato": True},
               {"countries": ("POL", "AUS")}, {"year_from": 2022, "year_to": 2024}]


def share_frames() -> list[pd.DataFrame]:
    """suppliers_share answers as the page asks them (world and market scopes, windows and years), and edge cases:
    suppliers without a rank (not states), nullable ranks, one row."""
    options = queries.filter_options()
    frames = []
    for case in SHARE_CASES:
        filters = Filters(**{"year_from": options.year_min, "year_to": options.year_max, **case})
        for suppliers in SUPPLIER_SETS:
            for by_window in (True, False):
                frames.append(queries.run_filtered("suppliers_share", filters, suppliers=suppliers,
                                                   by_window=by_window))
    edge = pd.DataFrame({
        "supplier": ["France", "South Korea", "France", "South Korea", "unknown supplier(s)", "Chile"],
        "period": np.array([2015, 2015, 2020, 2020, 2020, 2020], dtype="int32"),
        "period_label": ["2015–19", "2015–19", "2020–24", "2020–24", "2020–24", "2020–24"],
        "share_pct": [7.9, 1.0, 9.6, 2.2, 0.5, 0.01], "tiv_m": [8000.0, 900.0, 9500.0, 2100.0, 40.0, 3.0],
        "rank": [3, 11, 2, 10, None, 40], "pct_tiv_flagged_uncertain": [10.0, 2.0, 5.0, 1.0, 0.0, np.nan]})
    frames += [edge, edge.astype({"rank": "Int64"}), edge.head(1), edge[edge["supplier"] != "South Korea"]]
    return frames


def test_fast_share_and_rank_builders_send_what_the_reference_builders_sent(app_db):
    """share_lines and rank_bump read each supplier's rows by position instead of grouping the frame: every figure
    is byte for byte the JSON the grouping builders made (tests/unit/reference_charts_suppliers.py), on the page's
    answers over scopes, years and supplier sets and on edge frames, normal and large, English and Korean; and the
    sent dict each figure carries is what to_dict() gave."""
    from kdefense import i18n
    from tests.unit import reference_charts_suppliers as ref

    frames = share_frames()
    compared = 0
    for lang in ("en", "ko"):
        with i18n.use_lang(lang):
            for df in frames:
                if df.empty:
                    continue
                calls = [("share_lines", (df, "period_label", "Share", "All recipients.")),
                         ("share_lines", (df, "period", "Share", "x " * 80)), ("rank_bump", (df, "Rank", "Note."))]
                for name, args in calls:
                    for large in (False, True):
                        fast = getattr(cs, name)(*args, large=large)
                        reference = getattr(ref, name)(*args, large=large)
                        assert pio.to_json(fast, validate=False) == pio.to_json(reference, validate=False), name
                        assert json.loads(pio.to_json(ui_sent(fast), validate=False)) == json.loads(
                            pio.to_json(reference.to_dict(), validate=False)), name
                        compared += 1
    assert compared >= 300
def overview_calls(filters: Filters) -> list[tuple[str, tuple, dict]]:
    """Every Overview builder call the page and the slides make for these filters (the page's label mapping
    included), normal and large."""
    from kdefense import names

    pre, col = ("overview_", "value_usd_m") if filters.basis == "usd" else ("overview_tiv_", "tiv_order_m")
    region = queries.run_filtered(pre + "by_region", filters)
    top_r = queries.run_filtered(pre + "top_recipients", filters)
    top_s = queries.run_filtered(pre + "top_systems", filters)
    shown_r = top_r.assign(recipient=[names.country(i, n) for i, n in zip(top_r["recipient_iso3"], top_r["recipient"])])
    shown_s = top_s.assign(system_family=top_s["system_family"].map(names.system))
    recon = queries.run_filtered("reconciliation", filters)
    calls = []
    for large in (False, True):
        calls += [("region_bars", (region, col, filters.basis), {"large": large}),
                  ("ranked_bars", (shown_r, "recipient", col, filters.basis, "Top recipients", "region"),
                   {"large": large}),
                  ("ranked_bars", (top_r, "recipient", col, filters.basis, "Top recipients"), {"large": large}),
                  ("ranked_bars", (shown_s, "system_family", col, filters.basis, "Top systems"), {"large": large}),
                  ("reconciliation_chart", (recon,), {"large": large})]
    return calls


def odd_overview_frames() -> list[tuple[str, tuple, dict]]:
    """Frames the database may not hold today: missing and tied values, a region missing or unknown, a nullable
    integer column, plain object text, an index that is not 0..n-1, no rows at all."""
    ranked = pd.DataFrame({
        "recipient": ["Poland", "Peru", None, "Egypt", "Norway", "Chile", "Iraq"],
        "region": ["Europe", "Americas", "Europe", None, "Europe", "Mars", "Middle East"],
        "v": [10.0, np.nan, 300.0, 300.0, 300.0, 5.5, 1_234_567.4], "deals": [1, 2, 3, 4, 5, 6, 7]},
        index=[7, 3, 9, 1, 0, 4, 12])
    text = ranked.astype({"recipient": "str", "region": "str"})
    nullable = ranked.assign(v=pd.array([10, None, 300, 300, 7, 5, 2], dtype="Int64"),
                             deals=pd.array([1, 2, 3, None, 5, 6, 7], dtype="Int64"))
    years = pd.DataFrame({"year": np.arange(2000, 2012, dtype="int32"),
                          "ledger_usd_bn": [1.0, None, 2.5, 0.0, 3.0, None, 1.0, 2.0, 2.0, 4.0, None, 1.5],
                          "official_usd_bn": [None, 2.0, 2.0, None, 5.0, 1.0, None, None, 3.0, 3.0, 1.0, None],
                          "official_source_ids": [None, "a", "b", None, "c", "d", None, None, "e", "f", "g", None]},
                         index=range(10, 22)).astype({"official_source_ids": "str"})
    empty = text.iloc[:0]
    calls = []
    for frame in (ranked, text, nullable, empty):
        calls += [("region_bars", (frame, "v", "usd"), {}),
                  ("ranked_bars", (frame, "recipient", "v", "tiv", "Top", "region"), {}),
                  ("ranked_bars", (frame, "recipient", "v", "usd", "Top"), {"large": True})]
    for frame in (years, years.iloc[::-1], years.iloc[:0], years.assign(year=np.arange(1990, 2002))):
        calls.append(("reconciliation_chart", (frame,), {}))
    return calls


OVERVIEW_CASES = [
    {}, {"basis": "tiv"}, {"countries": ("POL",)}, {"regions": ("Middle East",), "basis": "tiv"},
    {"year_from": 2022, "year_to": 2022}, {"year_from": 2015, "year_to": 2023}, {"year_from": 1950, "year_to": 1990},
    {"statuses": ("contract", "delivering", "completed", "prospect", "negotiating", "framework/MoU", "cancelled")},
    {"q": "K9"}, {"regions": ("Asia & Oceania",), "year_from": 2000, "year_to": 2019, "basis": "tiv"},
]


@pytest.mark.parametrize("case", [*OVERVIEW_CASES, "odd frames"])
def test_column_overview_builders_send_what_the_reference_builders_sent(app_db, case):
    """The Overview's builders read columns by row position (no pandas take of whole frames): every figure they
    make is byte for byte the JSON the builders before (tests/unit/reference_charts_overview.py) made, over filter
    sets and odd frames, normal and large, English and Korean; and what st.plotly_chart is sent (ui.stamped) is
    the same."""
    from kdefense import i18n, ui
    from tests.unit import reference_charts_overview as ref

    if case == "odd frames":
        calls = odd_overview_frames()
    else:
        options = queries.filter_options()
        calls = overview_calls(Filters(**{"year_from": options.year_min, "year_to": options.year_max, **case}))
    compared = 0
    for lang in ("en", "ko"):
        with i18n.use_lang(lang):
            for name, args, kwargs in calls:
                fast = getattr(charts, name)(*args, **kwargs)
                reference = getattr(ref, name)(*args, **kwargs)
                assert pio.to_json(fast, validate=False) == pio.to_json(reference, validate=False), (name, lang)
                assert pio.to_json(ui.stamped(fast, "t", "f").to_dict(), validate=False) == pio.to_json(
                    ui.stamped(reference, "t", "f").to_dict(), validate=False), (name, lang)
                assert charts.describe(fast) == charts.describe(reference)
                compared += 1
    assert compared >= 20


OVERVIEW_PARTS = {
    "usd": ("overview_tables", {"by_region": "overview_by_region", "top_recipients": "overview_top_recipients",
                                "top_systems": "overview_top_systems", "latest_deals": "overview_latest_deals"}),
    "tiv": ("overview_tiv_tables", {"by_region": "overview_tiv_by_region",
                                    "top_recipients": "overview_tiv_top_recipients",
                                    "top_systems": "overview_tiv_top_systems"}),
}
TABLE_CASES = [
    *OVERVIEW_CASES, {"q": "no deal says this"}, {"year_from": 1950, "year_to": 1960},
    {"statuses": ("prospect", "negotiating")}, {"kinds": ("mro_service", "upgrade")},
    {"categories": ("Missiles", "Ammunition"), "basis": "tiv"}, {"regions": ("Africa",), "statuses": ()},
    {"countries": ("USA", "ARE"), "year_from": 2015, "year_to": 2024},
]


@pytest.mark.parametrize("basis", ["usd", "tiv"])
@pytest.mark.parametrize("case", TABLE_CASES, ids=range(len(TABLE_CASES)))
def test_overview_tables_in_one_question_are_the_questions_they_replace(app_db, case, basis):
    """The Overview asks its breakdowns and latest deals as one question (overview_tables.sql, split by
    queries.run_parts): every part is, column for column, type for type and row for row, what its own question
    gives (the charts, the tables, the popovers and the downloads read them)."""
    options = queries.filter_options()
    filters = Filters(**{"year_from": options.year_min, "year_to": options.year_max, **case, "basis": basis})
    name, questions = OVERVIEW_PARTS[basis]
    expected = {part: queries.run_filtered(question, filters) for part, question in questions.items()}
    parts = queries.run_parts(name, filters, {part: list(frame.columns) for part, frame in expected.items()})
    assert list(parts) == list(expected)
    for part, frame in expected.items():
        pd.testing.assert_frame_equal(parts[part], frame, check_exact=True, obj=part)
        assert list(parts[part].dtypes) == list(frame.dtypes), part
        assert queries.origin(parts[part]) is not None  # ui.figure keys its figure by question and part


def test_sent_dict_skips_the_keys_plotly_skips():
    """charts._sent copies (never encodes) exactly the keys plotly's own conversion skips."""
    from _plotly_utils.utils import is_skipped_key

    keys = ["geojson", "layer", "layers", "range", "x", "y", "ranges", "text", "marker", "autorange", None, 0]
    assert [k in charts.SKIPPED_KEYS for k in keys] == [bool(is_skipped_key(k)) for k in keys]
HEADLINE_PERIOD_CASES = [
    *TABLE_CASES, {"year_from": 2024, "year_to": 2026}, {"year_from": 1990, "year_to": 2009},
    {"year_from": 2010, "year_to": 2010}, {"year_from": 2026, "year_to": 2026, "q": "K9"},
    {"countries": ("POL",), "year_from": 2022, "year_to": 2023, "categories": ("Armoured vehicles",)},
]


@pytest.mark.parametrize("basis", ["usd", "tiv"])
@pytest.mark.parametrize("case", HEADLINE_PERIOD_CASES, ids=range(len(HEADLINE_PERIOD_CASES)))
def test_overview_headlines_of_both_periods_are_the_headlines_they_replace(app_db, case, basis):
    """The Overview asks the headline of the period shown and of the one before it as one question
    (overview_headlines.sql, split by queries.run_parts): each part is, column for column, type for type and bit
    for bit, what overview_headline.sql gives for that period, with deals or without (the metrics and their
    deltas read them)."""
    options = queries.filter_options()
    filters = Filters(**{"year_from": options.year_min, "year_to": options.year_max, **case, "basis": basis})
    single = "overview_headline" if basis == "usd" else "overview_tiv_headline"
    expected = {"current": queries.run_filtered(single, filters),
                "previous": queries.run_filtered(single, filters.previous_period())}
    columns = list(expected["current"].columns)
    parts = queries.run_parts(single + "s", filters.with_previous_period(), {"current": columns, "previous": columns},
                              period_from=filters.year_from)
    assert list(parts) == ["current", "previous"]
    for part, frame in expected.items():
        pd.testing.assert_frame_equal(parts[part], frame, check_exact=True, obj=part)
        assert list(parts[part].dtypes) == list(frame.dtypes), part
        for column in columns:  # bit for bit: a float summed in another order would differ in its last bits
            assert repr(parts[part][column].iloc[0]) == repr(frame[column].iloc[0]), (part, column)


@pytest.mark.parametrize("case", [{}, {"basis": "tiv"}, {"regions": ("Europe",)}, {"year_from": 2022, "year_to": 2022}])
def test_figures_drawn_in_figure_order_send_what_built_figures_sent(app_db, case):
    """The Overview's builders and the Tenders record are drawn (charts.drawn: no Figure unless something needs
    one) in figure order: the sent dict they carry is, byte for byte and in the order of its keys, what the Figure
    that charts.built made from the same dicts sent (st.plotly_chart's JSON and the chart's element id)."""
    from kdefense import i18n, ui

    options = queries.filter_options()
    filters = Filters(**{"year_from": options.year_min, "year_to": options.year_max, **case})
    compared = 0
    for lang in ("en", "ko"):
        with i18n.use_lang(lang):
            for fig in overview_figures(filters) + tender_record_figures(filters):
                assert isinstance(fig, charts.Drawn)
                source = fig.__dict__["_kd_source"]  # the builder's dicts, the Figure not built yet
                assert pio.to_json(fig._kd_sent, validate=False) == pio.to_json(
                    ui.sent_dict(charts.built(*source)), validate=False)
                compared += 1
    assert compared >= 14


@pytest.mark.parametrize("case", TIMELINE_CASES)
def test_tender_markers_by_row_position_send_what_the_sub_frames_sent(app_db, case):
    """The tender markers read each outcome's rows by position (charts.Columns), not as a boolean-masked sub-frame
    of every column: the JSON is byte for byte what the reference builder made, in English and Korean, normal and
    large, for the page's frames and for a frame with hostile text, missing values and a missing outcome."""
    from kdefense import charts_tenders as ctn
    from kdefense import i18n
    from tests.unit import reference_charts_tenders as ref

    options = queries.filter_options()
    filters = Filters(**{"year_from": options.year_min, "year_to": options.year_max, **case})
    tenders = page_frames(filters, False, False)["tenders"]
    odd = tenders.head(6).copy()
    if len(odd):
        odd["programme"] = odd["programme"].astype(object)
        odd.loc[odd.index[0], "programme"] = "<script>alert(1)</script> & co"
        odd.loc[odd.index[-1], "winner"] = None
        odd = odd[odd["outcome"] != odd["outcome"].iloc[0]]  # one outcome gone
    compared = 0
    for frame in (tenders, odd):
        if frame.empty:
            continue
        for lang in ("en", "ko"):
            with i18n.use_lang(lang):
                for large in (False, True):
                    args = (frame, "Tender decisions", "A note " * 20)
                    fast = ctn.tender_markers(*args, large=large)
                    reference = ref.tender_markers(*args, large=large)
                    assert pio.to_json(fast, validate=False) == pio.to_json(reference, validate=False), lang
                    compared += 1
    assert compared >= 4 or tenders.empty

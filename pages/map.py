"""Map: where Korean arms go. Recipients by measure, flow lines, facilities, a year animation, country profiles."""

import time

import pandas as pd
import streamlit as st

from kdefense import charts_map as cm
from kdefense import fmt, names, queries, settings, ui
from kdefense.i18n import N_, current_lang, t
from kdefense.safety import md_text

MEASURE_LABELS = {"usd": N_("Contract value (USD)"), "tiv": N_("SIPRI TIV"), "units": N_("Units"), "deals": N_("Deals")}
# column headers of the narrow ranking table ("Contract value (USD)" was cut to "Con…" at 1366 px)
SHORT_LABELS = {"usd": N_("USD m"), "tiv": N_("TIV m"), "units": N_("Units"), "deals": N_("Deals")}
OUTLINE_LABELS = {"nato": N_("NATO members"), "eu": N_("EU members")}
CHART_KEY, PROFILE_KEY, OPTIONS_KEY = "map_chart", "map_profile", "_map_profile_options"
# The replay from the keyboard (Plotly's own Play/Pause and slider are SVG without a Tab stop): a Streamlit slider
# and toggle drive the year; the replay steps through the years at the end of the script run.
YEAR_KEY, PLAY_KEY, REACHED_KEY, DONE_KEY = "mapkb_year", "mapkb_play", "_mapkb_reached", "_mapkb_done"
STEP_SECONDS = 0.8


def _measure_changed() -> None:
    """Contract value and TIV are the two value bases: picking one here switches the sidebar's basis too."""
    measure = st.session_state["map_measure"]
    if measure in ("usd", "tiv"):
        st.session_state[ui.KEYS["basis"]] = measure


def _selected_country() -> None:
    """A click on the map (Plotly selection) opens that country's profile, if it is one of the recipients."""
    state = st.session_state.get(CHART_KEY) or {}
    points = (state.get("selection") or {}).get("points") or []
    for point in points:
        custom = point.get("customdata") or [None]
        iso3 = point.get("location") or (custom[0] if isinstance(custom, list) else None)
        if iso3 in st.session_state.get(OPTIONS_KEY, ()):
            st.session_state[PROFILE_KEY] = iso3
            return


def _answers_key(data: pd.DataFrame, countries: pd.DataFrame, facilities: pd.DataFrame | None) -> tuple | None:
    """What the map's frames hold, as the questions that answered them (queries.origin: question, parameters, file
    version): rows and totals are split from one answer and renamed in the run's language. None if a frame did not
    come from queries.run (then the frames are hashed by content)."""
    answered = (queries.origin(data), queries.origin(countries),
                "no sites" if facilities is None else queries.origin(facilities))
    return None if any(a is None for a in answered) else answered


def _content_key(*frames: pd.DataFrame) -> tuple:
    return tuple((tuple(f.columns), tuple(pd.util.hash_pandas_object(f, index=False))) for f in frames)


def _map_figure(key: tuple | None, rows: pd.DataFrame, totals: pd.DataFrame, countries: pd.DataFrame,
                facilities: pd.DataFrame, opts: cm.MapOptions, lang: str):
    """The map with its year frames, kept between reruns: building ~50 frames costs more than the rest of the page.

    Keyed by `key` (_answers_key), so a rerun hashes no cell of the frames; new filters or a rebuilt database give a
    new figure. The figure is only read afterwards (st.plotly_chart serialises a copy).
    """
    return _cached_map(key or _content_key(rows, totals, countries, facilities), rows, totals, countries, facilities,
                       opts, lang)


@st.cache_resource(max_entries=32, show_spinner=False)
def _cached_map(key: tuple, _rows: pd.DataFrame, _totals: pd.DataFrame, _countries: pd.DataFrame,
                _facilities: pd.DataFrame, opts: cm.MapOptions, lang: str):
    return cm.recipients_map(_rows, _totals, _countries, _facilities, opts)


@st.cache_resource(max_entries=32, show_spinner=False)
def _profile_figures(per_year: pd.DataFrame, deliveries: pd.DataFrame, suppliers: pd.DataFrame, country: str,
                     region: str, years: str, measure: str, basis: str, lang: str):
    """The profile's two charts and the timeline's rows, kept between reruns like the map (read-only afterwards)."""
    return (cm.profile_timeline(per_year, deliveries, measure, basis, region),
            cm.timeline_table(per_year, deliveries, measure), cm.supplier_bars(suppliers, country, years))


def _map_at_year(key: tuple | None, rows: pd.DataFrame, totals: pd.DataFrame, countries: pd.DataFrame,
                 facilities: pd.DataFrame, opts: cm.MapOptions, lang: str, year: int, controls: bool = True):
    """The map as Plotly's slider would show `year` (read-only afterwards, like the map)."""
    return _cached_map_at_year(key or _content_key(rows, totals, countries, facilities), rows, totals, countries,
                               facilities, opts, lang, year, controls)


@st.cache_resource(max_entries=32, show_spinner=False)
def _cached_map_at_year(key: tuple, _rows: pd.DataFrame, _totals: pd.DataFrame, _countries: pd.DataFrame,
                        _facilities: pd.DataFrame, opts: cm.MapOptions, lang: str, year: int, controls: bool = True):
    return cm.at_year(_cached_map(key, _rows, _totals, _countries, _facilities, opts, lang), year, controls)


def _year_controls(years: list[int]) -> tuple[int, bool]:
    """A year slider (arrow keys step a year) and a Play/Pause toggle (Space), in the page's own widgets."""
    state = st.session_state
    if state.pop(DONE_KEY, False):
        state[PLAY_KEY] = False
    if state.get(REACHED_KEY) in years:  # where the last replay stopped (finished or paused)
        state[YEAR_KEY] = state.pop(REACHED_KEY)
    if state.get(YEAR_KEY) not in years:
        state[YEAR_KEY] = years[-1]
    # the toggle as wide as its label (in a fixed share of the row, "Play the years" broke in two at 1280 px), the
    # slider taking the rest; on a narrow screen the slider wraps below it
    row = st.container(horizontal=True, vertical_alignment="bottom", gap="medium", key="map_year_row")
    playing = row.toggle(t("Play the years"), key=PLAY_KEY, width="content",
                         help=t("Replays the map year by year from the year shown (or from the first year); "
                                "switch it off to pause. Keyboard: Tab here, Space."))
    year = row.select_slider(t("Year shown on the map"), years, key=YEAR_KEY, width="stretch",
                             help=t("The same as the map's own slider. Keyboard: Tab here, then the arrow keys."))
    return year, playing


def _replay(slot, key: tuple | None, rows, totals, countries, facilities, opts: cm.MapOptions, years: list[int], year: int) -> None:
    """Step the map through the years after `year` (from the first when it is the last), then stop the toggle."""
    start = years.index(year) + 1 if year != years[-1] else 0
    for step in years[start:]:
        fig = _map_at_year(key, rows, totals, countries, facilities, opts, current_lang(), step, False)
        with slot.container():
            ui.chart_text_alternative(fig, f"{CHART_KEY}_replay")
            st.plotly_chart(fig, config=ui.plotly_config("map"), key=f"{CHART_KEY}_replay_{step}")
        st.session_state[REACHED_KEY] = step
        time.sleep(STEP_SECONDS)
    st.session_state[DONE_KEY] = True
    st.rerun()


def _controls(basis: str) -> cm.MapOptions:
    state = st.session_state
    state.setdefault("map_measure", basis)
    if state["map_measure"] in ("usd", "tiv") and state["map_measure"] != basis:
        state["map_measure"] = basis  # the sidebar's basis changed since
    for key, value in (("map_preset", "World"), ("map_scale", "log"), ("map_mode", "cumulative"),
                       ("map_outlines", []), ("map_facilities", True), ("map_flows", True)):
        state.setdefault(key, value)
    # presenting (?present=1): room-sized type leaves no space for a row of controls; they fold away
    box = st.expander(t("Map controls"), icon=":material/tune:") if ui.is_presenting() else st.container()
    # two rows: in one, the presets and measures were cut at 1366 px ("Middle Ea…", "Uni…", "L…")
    first, second = box.columns([1, 1], vertical_alignment="bottom"), box.columns([1.2, 1.1, 0.7],
                                                                                   vertical_alignment="bottom")
    row = [*first, *second]
    preset = row[0].segmented_control(t("Region preset"), cm.PRESETS, key="map_preset", required=True,
                                      format_func=lambda p: t("World") if p == "World" else names.region(p),
                                      help=t("Each preset frames every recipient of that region."))
    measure = row[1].segmented_control(t("Measure"), cm.MEASURES, format_func=lambda m: t(MEASURE_LABELS[m]),
                                       key="map_measure", required=True, on_change=_measure_changed,
                                       help=t("Contract value is the ledger; SIPRI TIV the SIPRI register (picking "
                                              "one switches the sidebar's value basis). Units and deals come from "
                                              "the layer of the current basis."))
    scale = row[2].segmented_control(t("Colour scale"), list(cm.SCALES), format_func=lambda k: t(cm.SCALES[k]),
                                     key="map_scale", required=True,
                                     help=t("Log or quantile keep small buyers visible."))
    mode = row[3].segmented_control(t("Year slider"), list(cm.MODES), format_func=lambda k: t(cm.MODES[k]),
                                    key="map_mode", required=True,
                                    help=t("Cumulative: everything ordered up to the year. Per year: orders of that "
                                           "year only."))
    layers = row[4].popover(t("Layers"), icon=":material/layers:")
    outlines = layers.pills(t("Outline"), list(OUTLINE_LABELS), format_func=lambda k: t(OUTLINE_LABELS[k]),
                            selection_mode="multi", key="map_outlines",
                            help=t("Today's members (country reference table)."))
    flows = layers.toggle(t("Flow lines from South Korea"), key="map_flows")
    layers.toggle(t("Korean industrial sites abroad"), key="map_facilities",
                  help=t("Production sites, joint ventures, MRO centres and offices."))
    return cm.MapOptions(measure=measure, basis=basis, scale=scale, mode=mode, preset=preset,
                         outlines=tuple(o for o in OUTLINE_LABELS if o in (outlines or [])), flows=flows,
                         large=ui.is_presenting())


def _export(totals: pd.DataFrame, basis: str) -> pd.DataFrame:
    value = "value_usd_m" if basis == "usd" else "tiv_order_m"
    counted = "deals" if basis == "usd" else "sipri_records"
    flagged = "deals_value_estimated" if basis == "usd" else "records_flagged_uncertain"
    return (totals.drop(columns=["year"])
            .rename(columns={"value": value, "deals": counted, "valued": f"{counted}_with_value", "flagged": flagged,
                             "lat": "centroid_lat", "lon": "centroid_lon"}))


@st.fragment
def _map_data(totals: pd.DataFrame, rows: pd.DataFrame, facilities: pd.DataFrame, basis: str, filters) -> None:
    """The "Map data" popover: its table and downloads are made only while it is open (as every chart's "Data
    behind this chart", ui.chart_data); opening or closing it reruns this fragment only."""
    box = st.popover(t("Map data"), icon=":material/table:", help=t("The data behind this map, and its downloads"),
                     key="data_map", on_change="rerun")
    if not box.open:
        return
    with box:
        export = _export(totals, basis)
        st.dataframe(export, hide_index=True, placeholder="—", width="stretch", column_config=ui.separated(export))
        ui.downloads(export, "map", filters, "map")
        st.markdown(t("**Per recipient and year** (the frames of the slider)"))
        ui.downloads(_export(rows, basis).assign(year=rows["year"].astype(int)), "map-by-year", filters, "map_years")
        if not facilities.empty:
            st.markdown("**" + t("Industrial sites") + "**")
            ui.downloads(facilities, "industrial-sites", filters, "map_sites")


def _notes(totals: pd.DataFrame, facilities: pd.DataFrame, opts: cm.MapOptions, filters) -> None:
    col = cm.measure_column(opts.measure)
    notes = [t("Colour and line width: {measure} by recipient, {kind} years {start}–{end} (order year is not "
               "delivery year: deliveries are in the country profile).",
               measure=cm.measure_label(opts.measure, opts.basis),
               kind=t("signing") if opts.basis == "usd" else t("order"), start=filters.year_from,
               end=filters.year_to)]
    grey = totals[totals[col].fillna(0) <= 0]
    if not grey.empty:
        what = {"usd": t("no disclosed contract value"), "tiv": t("no TIV"), "units": t("no stated number of units"),
                "deals": t("no deals")}[opts.measure]
        notes.append(t("Grey: {n} recipients with {what} ({countries}).", n=len(grey), what=what,
                       countries=", ".join(grey["country"].astype(str).head(8)) + ("…" if len(grey) > 8 else "")))
    if opts.basis == "tiv" and totals["flagged"].sum():
        notes.append(t("{n} SIPRI records are flagged uncertain (order year or number); hover a country to see its "
                       "count.", n=int(totals["flagged"].sum())))
    if opts.basis == "usd" and opts.measure == "usd" and totals["flagged"].sum():
        notes.append(t("{n} deal values are estimates (hover shows where).", n=int(totals["flagged"].sum())))
    unplaced = totals[totals["lat"].isna()]
    if not unplaced.empty:
        notes.append(t("No centroid, so no flow line: {countries}.",
                       countries=", ".join(unplaced["country"].astype(str).map(names.country_by_name))))
    if not facilities.empty:
        missing = facilities[facilities["latitude"].isna()]
        if not missing.empty:
            notes.append(t("{n} industrial site(s) have no known location and are not drawn: {sites}.",
                           n=len(missing), sites="; ".join(f"{names.company(r.company)} ({names.facility_term(r.kind)}, "
                                                           f"{names.country_by_name(r.country)})"
                                                           for r in missing.itertuples())))
    if "nato" in opts.outlines or "eu" in opts.outlines:
        notes.append(t("Outlines show today's NATO / EU members (Malta is too small for the world base map)."))
    st.caption(" ".join(notes) + (" " + t(settings.TIV_CAVEAT) if opts.basis == "tiv" else ""))


def _profile(iso3: str, totals: pd.DataFrame, rows: pd.DataFrame, opts: cm.MapOptions, filters) -> None:
    """One recipient: its deals, deliveries, timeline and sources, and its other suppliers (SIPRI, same period)."""
    row = totals[totals["iso3"] == iso3].iloc[0]
    usd = opts.basis == "usd"
    member = [m for m, flag in ((t("NATO member"), row["is_nato"]), (t("EU member"), row["is_eu"])) if flag is True]
    country_name = names.country(iso3, str(row["country"]))
    st.subheader(country_name)
    st.caption(" · ".join([names.region(str(row["region"])), *member,
                           t("under the filters above ({filters})", filters=md_text(filters.describe()))]))
    c = st.columns(5)
    value = row["value"]
    c[0].metric(t("Contract value") if usd else t("SIPRI TIV ordered"),
                t("not disclosed") if pd.isna(value) else (fmt.usd_m(value) if usd else fmt.tiv_m(value)),
                help=None if usd else t(settings.TIV_CAVEAT))
    c[1].metric(t("Deals") if usd else t("SIPRI records"), fmt.number(row["deals"]))
    c[2].metric(t("Units ordered"), fmt.number(row["units"]))
    c[3].metric(t("First – last order"), f"{int(row['first_year'])} – {int(row['last_year'])}")
    c[4].metric(t("Estimated values") if usd else t("Flagged uncertain (SIPRI)"), f"{int(row['flagged'])}")

    left, right = st.columns(2)
    deliveries = queries.run_filtered("map_profile_deliveries" if usd else "map_profile_tiv_deliveries", filters,
                                      iso3=iso3)
    suppliers = queries.run("map_profile_suppliers",
                            {"iso3": iso3, "year_from": filters.year_from, "year_to": filters.year_to})
    timeline, timeline_rows, supplier_chart = _profile_figures(
        rows[rows["iso3"] == iso3], deliveries, suppliers, country_name, str(row["region"]),
        f"{filters.year_from}–{filters.year_to}", opts.measure, opts.basis, current_lang())
    with left:
        ui.chart_with_data(timeline, timeline_rows, f"timeline-{iso3}", filters, "map_profile_timeline")
        st.caption((t("Ledger deliveries (SIPRI per-year register for linked deals, then curated rows)") if usd else
                    t("SIPRI per-delivery-year register")) + t("; hatched bars are planned deliveries."))
    with right:
        if suppliers.empty or suppliers["tiv_order_m"].fillna(0).sum() == 0:
            st.info(t("SIPRI records no orders by {country} from any supplier in {start}–{end}.",
                      country=country_name, start=filters.year_from, end=filters.year_to))
        else:
            ui.chart_with_data(supplier_chart, suppliers, f"suppliers-{iso3}", filters, "map_profile_suppliers")
            st.caption(t("All suppliers, SIPRI order years in the period; other filters do not apply.") + " "
                       + t(settings.TIV_CAVEAT))

    if not usd:
        records = queries.run_filtered("map_profile_records", filters, iso3=iso3)
        st.markdown(t("**SIPRI records** ({n}) · uncertain years and numbers are flagged as SIPRI marks them",
                      n=len(records)))
        st.dataframe(records, hide_index=True, placeholder="—", width="stretch", column_config={
            "tiv_order_m": st.column_config.NumberColumn(t("TIV ordered (m)"), format="%,.1f"),
            "tiv_delivered_m": st.column_config.NumberColumn(t("TIV delivered (m)"), format="%,.1f")})
        ui.downloads(records, f"sipri-records-{iso3}", filters, "map_profile_records")
    deals = queries.run_filtered("map_profile_deals", filters, iso3=iso3)
    st.markdown(t("**Ledger deals** ({n})", n=len(deals)))
    if deals.empty:
        st.caption(t("No ledger deals under these filters."))
    else:
        st.dataframe(fmt.table_dates(deals), hide_index=True, placeholder="—", width="stretch", column_config={
            "signed_date": t("Signed"), "system_family": t("System"), "value_amount_m": st.column_config.NumberColumn(
                t("Value (m, original)"), format="%,.1f"),
            "value_usd_m": st.column_config.NumberColumn(t("Value (USD m)"), format="%,.0f"),
            "sipri_tiv_order_m": st.column_config.NumberColumn(t("SIPRI TIV (m)"), format="%,.1f",
                                                               help=t(settings.TIV_CAVEAT))})
        ui.downloads(deals, f"deals-{iso3}", filters, "map_profile_deals")
    sources = queries.run_filtered("map_profile_sources", filters, iso3=iso3)
    with st.expander(t("Sources ({n})", n=len(sources)), icon=":material/link:"):
        lines = [f"- {s.publisher}, " + (f"[{s.title}]({s.url})" if isinstance(s.url, str) and s.url else s.title)
                 + ", " + (fmt.date(s.date) if isinstance(s.date, str) else t("undated")) + f" `{s.source_id}` · "
                 + t("{n} deal(s)", n=s.deals)
                 for s in sources.itertuples()]
        st.markdown("\n".join(lines + ([f"- {settings.SIPRI_CREDIT}"] if not usd else [])))


def _prefetch(filters) -> None:
    """Start the page's filtered questions in the background (queries.prefetch_filtered), with the page options as
    the session left them: DuckDB answers them while the header and the map controls are drawn. The page then asks
    each one itself, as before (an answer already in the cache is read, one under way is waited for)."""
    state = st.session_state
    usd = filters.basis == "usd"
    queries.prefetch_filtered(["map_recipients" if usd else "map_recipients_tiv"], filters)
    if state.get("map_facilities", True):
        queries.prefetch_filtered(["map_facilities"], filters)
    iso3 = state.get(PROFILE_KEY)
    if iso3 and iso3 in state.get(OPTIONS_KEY, ()):
        queries.prefetch_filtered(["map_profile_deliveries" if usd else "map_profile_tiv_deliveries",
                                   *(() if usd else ("map_profile_records",)), "map_profile_deals",
                                   "map_profile_sources", "map_profile_suppliers"], filters, iso3=iso3)


filters = ui.current_filters()
_prefetch(filters)
ui.page_header(t("Map: where Korean arms go"), filters,
               t("Recipients by measure, flow lines from South Korea, Korea's industrial sites abroad. "
                 "Replay the years with ▶ Play (or the page's own Play toggle and year slider, which take the "
                 "keyboard); click a country, or choose it under Country profile, to open its profile."))
opts = _controls(filters.basis)
data = queries.run_filtered("map_recipients" if filters.basis == "usd" else "map_recipients_tiv", filters)
rows, totals = data[data["year"].notna()], data[data["year"].isna()]
if "iso3" in data:  # country names in the interface language (exports keep the data's English names)
    korean = {i: names.country(i, str(c)) for i, c in zip(data["iso3"], data["country"].astype(str))}
    rows = rows.assign(country=rows["iso3"].map(korean).fillna(rows["country"]))
    totals = totals.assign(country=totals["iso3"].map(korean).fillna(totals["country"]))
countries = queries.run("map_countries")
facilities = (queries.run("map_facilities", {"regions": list(filters.regions), "countries": list(filters.countries),
                                             "nato": filters.nato, "eu": filters.eu})
              if st.session_state["map_facilities"] else None)
map_key = _answers_key(data, countries, facilities)
if facilities is None:
    facilities = pd.DataFrame()

if totals.empty:
    st.info(t("No recipients match these filters. Widen the years, clear the search, or press **Reset filters**."))
else:
    col = cm.measure_column(opts.measure)
    # the ranking's numbers were cut at 1366 px with [4, 1], its Deals column at 1280 px with [3.4, 1.4] (it needs
    # about 250 px: "United Arab Emirates", "27,874", "Deals")
    left, right = st.columns([2, 1])
    with left:
        full = _map_figure(map_key, rows, totals, countries, facilities, opts, current_lang())
        years = cm.map_years(full)
        year, playing = _year_controls(years) if len(years) > 1 else (None, False)
        slot = st.empty()
        shown = full if year is None or year == years[-1] else _map_at_year(map_key, rows, totals, countries,
                                                                       facilities, opts, current_lang(), year)
        with slot.container():
            ui.plotly(shown, CHART_KEY, filters,
                      t("Korean arms exports by recipient: {measure}", measure=t(MEASURE_LABELS[opts.measure])),
                      on_select=_selected_country, selection_mode="points")
    with right:
        ranked = totals.sort_values([col, "deals"], ascending=False, na_position="last")
        if opts.preset != "World":
            ranked = ranked[ranked["region"] == opts.preset]
        st.caption(t("Totals {start}–{end}", start=filters.year_from, end=filters.year_to)
                   + (f", {names.region(opts.preset)}" if opts.preset != "World" else t(", all recipients")))
        st.dataframe(ranked[list(dict.fromkeys(["country", col, "deals"]))], hide_index=True, placeholder="—", width="stretch",
                     height=560,
                     key="map_ranking", column_config={
                         "country": t("Recipient"),
                         col: st.column_config.NumberColumn(t(SHORT_LABELS[opts.measure]), format="%,.0f",
                                                            help=cm.measure_label(opts.measure, opts.basis)),
                         "deals": st.column_config.NumberColumn(t("Deals") if opts.basis == "usd" else t("Records"),
                                                                format="%,d")})
        _map_data(totals, rows, facilities, opts.basis, filters)
    _notes(totals, facilities, opts, filters)

    if not facilities.empty:
        with st.expander(t("Korean industrial sites abroad ({n})", n=len(facilities)), icon=":material/factory:"):
            sites = facilities.drop(columns=["latitude", "longitude"]).assign(
                first_source=facilities["source_urls"].fillna("").str.split().str[0])
            st.dataframe(sites, hide_index=True, placeholder="—", width="stretch", column_config={
                "first_source": st.column_config.LinkColumn(t("First source"), display_text=t("open")),
                "source_urls": t("All source URLs")})
            st.caption(t("Sites are filtered by region, country, NATO and EU only; the years and deal filters do not "
                         "apply to them."))

    st.divider()
    st.header(t("Country profile"))
    recipients = dict(sorted(zip(totals["iso3"], totals["country"].astype(str), strict=True), key=lambda kv: kv[1]))
    st.session_state[OPTIONS_KEY] = list(recipients)
    if st.session_state.get(PROFILE_KEY) not in recipients:
        st.session_state[PROFILE_KEY] = None
    iso3 = st.selectbox(t("Recipient"), list(recipients), format_func=recipients.get, key=PROFILE_KEY,
                        placeholder=t("Click a country on the map, or choose one here"))
    if iso3:
        _profile(iso3, totals, rows, opts, filters)
    if playing:
        _replay(slot, map_key, rows, totals, countries, facilities, opts, years, year)

"""Suppliers compared: South Korea among the world's arms exporters (SIPRI TIV), rival systems head to head,
and Korean prime contractors (ledger money, SIPRI Top 100). Only the selected comparison is computed."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from kdefense import charts_suppliers as cs
from kdefense import fmt, names, queries, settings, ui
from kdefense.filters import Filters
from kdefense.i18n import N_, current_lang, t

VIEWS = (N_("Share & rank"), N_("Recipient markets"), N_("Speed & order book"), N_("Rival systems"),
         N_("Korean firms"))
KOREA = "South Korea"
LEADING = ("United States", "France", "Russia", "China", "Germany", "Italy", "United Kingdom", "Israel", "Spain",
           "Turkiye")  # SIPRI spellings: the default comparison set
ALL_CATEGORIES = N_("All categories")
PAGE_KEYS = ("sup_view", "sup_suppliers", "sup_window", "sup_category", "sup_new_only", "sup_class")
NO_WINDOW = N_("No complete five-year window (2000–04 … 2020–24) lies inside the selected years.")


def scope_label(f: Filters) -> str:
    """The recipients the sidebar selects, in words."""
    parts = [names.region(r) for r in f.regions] + ([t("NATO members")] if f.nato else []) + (
        [t("EU members")] if f.eu else [])
    parts += [names.country(c, f.country_labels.get(c, c)) for c in f.countries]
    return " + ".join(parts) if parts else t("all recipients")


def delivery_years(f: Filters, last: int = 2024) -> str:
    """Per-delivery-year register years inside the sidebar's range (it covers 1995–2024)."""
    return f"{max(f.year_from, 1995)}–{min(f.year_to, last)}"


def ordinal(n: float) -> str:
    n = int(n)
    if current_lang() == "ko":
        return f"{n}위"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def chart(builder: str, df: pd.DataFrame, *args: object, view: str, filters: Filters, key: str) -> None:
    """A cached chart and the download of exactly its rows."""
    ui.chart_with_data(ui.figure(getattr(cs, builder), df, *args), df, view, filters, key)


def empty(message: str) -> None:
    st.info(message + " " + t("Widen the sidebar's years or recipients, or press **Reset filters**."))


def supplier_choice() -> list[str]:
    """The suppliers compared, as pick_suppliers will return them (South Korea first), read before the widget."""
    known = set(queries.run("suppliers_options")["supplier"])
    picked = st.session_state.get("sup_suppliers", LEADING)
    return [KOREA, *[s for s in picked if s in known and s != KOREA]]


def prefetch(view: str, filters: Filters) -> None:
    """Start the shown comparison's questions in the background (queries.prefetch_filtered), with the page options
    as the session left them, so that DuckDB answers the later ones while the first charts are built. Questions
    that need a value the page works out first (the five-year window) are asked by the page itself, and so is the
    first one (the complete windows, asked at once: a background start would only make the page wait for it)."""
    state = st.session_state
    world = replace(filters, regions=(), nato=False, eu=False, countries=())
    if view in VIEWS[:3]:
        chosen = supplier_choice()
    if view == VIEWS[0]:
        for by_window in (True, False):
            queries.prefetch_filtered(["suppliers_share"], world, suppliers=chosen, by_window=by_window)
    elif view == VIEWS[1]:
        queries.prefetch_filtered(["suppliers_share"], filters, suppliers=chosen, by_window=True)
        queries.prefetch_filtered(["suppliers_korea_regions", "suppliers_recipient_counts"], filters,
                                  suppliers=chosen)
    elif view == VIEWS[2]:
        new_only = bool(state.get("sup_new_only", False))
        category = state.get("sup_category", ALL_CATEGORIES)
        queries.prefetch_filtered(["suppliers_speed"], filters, suppliers=chosen, new_only=new_only,
                                  sup_category="" if category == ALL_CATEGORIES else category)
        queries.prefetch_filtered(["suppliers_speed_categories"], filters, suppliers=chosen, new_only=new_only)
        queries.prefetch_filtered(["suppliers_order_book"], filters, suppliers=chosen, top_n=15)
    elif view == VIEWS[4]:
        queries.prefetch_filtered(["suppliers_firms_by_year"], filters, top_n=6)
        queries.prefetch_filtered(["suppliers_firms_by_region", "suppliers_firms_table", "suppliers_top100"],
                                  filters)


def pick_suppliers() -> list[str]:
    """The page-level supplier selection; South Korea is always first."""
    options = queries.run("suppliers_options")
    labels = dict(zip(options["supplier"], options["label"], strict=True))
    if "sup_suppliers" not in st.session_state:
        st.session_state["sup_suppliers"] = [s for s in LEADING if s in labels]
    picked = st.multiselect(t("Compare South Korea with"), [s for s in labels if s != KOREA], key="sup_suppliers",
                            format_func=lambda s: names.country_by_name(labels[s]), max_selections=15, placeholder=t("Choose supplier countries"),
                            help=t("SIPRI supplier states, largest first (last five years of data). South Korea is "
                                   "always shown."))
    return [KOREA, *[s for s in picked if s != KOREA]]


def share_and_rank(filters: Filters, suppliers: list[str], windows: pd.DataFrame) -> None:
    world = replace(filters, regions=(), nato=False, eu=False, countries=())
    note = t("World totals: the sidebar's recipient filters do not apply; delivery years {years} (sidebar years).",
             years=delivery_years(filters))
    st.caption(note + " " + t("Shares and ranks follow SIPRI's convention: deliveries in the year or five-year "
                              "window, SIPRI TIV, supplier states ranked.") + " " + t(settings.TIV_CAVEAT))
    if windows.empty:
        empty(t(NO_WINDOW))
        return
    win = queries.run_filtered("suppliers_share", world, suppliers=suppliers, by_window=True)
    korea = win[win["sipri_supplier"] == KOREA].set_index("period")
    last, label = int(windows["window_start"].iloc[-1]), windows["window_label"].iloc[-1]
    if last in korea.index:
        now = korea.loc[last]
        before = korea.loc[last - 5] if last - 5 in korea.index else None
        cols = st.columns(4)
        cols[0].metric(t("South Korea's share of world exports, {window}", window=label), f"{now['share_pct']:.1f} %",
                       None if before is None else t("{diff} points", diff=f"{now['share_pct'] - before['share_pct']:+.1f}"),
                       help=t("Share of all suppliers' deliveries (SIPRI TIV) in the window.") + " "
                       + t(settings.TIV_CAVEAT))
        cols[1].metric(t("South Korea's rank, {window}", window=label), ordinal(now["rank"]),
                       None if before is None else t("{diff} places", diff=f"{int(before['rank'] - now['rank']):+d}"),
                       help=t("Among {n} supplier states with deliveries.", n=int(now["suppliers_in_market"])))
        cols[2].metric(t("South Korea's deliveries, {window}", window=label), fmt.tiv_m(now["tiv_m"]),
                       help=t(settings.TIV_CAVEAT))
        cols[3].metric(t("World deliveries, {window}", window=label), fmt.tiv_m(now["market_tiv_m"]),
                       help=t(settings.TIV_CAVEAT))
    left, right = st.columns(2)
    with left:
        chart("share_lines", win, "period_label", t("Share of world exports, five-year windows"), note,
              view="supplier-share-windows", filters=world, key="sup_share_win")
    with right:
        chart("rank_bump", win, t("Rank among supplier states, five-year windows"), note,
              view="supplier-rank-windows", filters=world, key="sup_rank_win")
    yearly = queries.run_filtered("suppliers_share", world, suppliers=suppliers, by_window=False)
    chart("share_lines", yearly, "period", t("Share of world exports by delivery year"), note,
          view="supplier-share-years", filters=world, key="sup_share_year")


def recipient_markets(filters: Filters, suppliers: list[str], windows: pd.DataFrame) -> None:
    if windows.empty:
        empty(t(NO_WINDOW))
        return
    scope = scope_label(filters)
    world = replace(filters, regions=(), nato=False, eu=False, countries=())
    starts = dict(zip(windows["window_label"], windows["window_start"], strict=True))
    if st.session_state.get("sup_window") not in starts:
        st.session_state["sup_window"] = windows["window_label"].iloc[-1]
    label = st.selectbox(t("Five-year window (for the first and fourth chart)"), list(starts), key="sup_window")
    start = int(starts[label])
    left, right = st.columns(2)
    with left:
        top = queries.run_filtered("suppliers_top", filters, window_start=start, top_n=10, suppliers=[KOREA])
        if top.empty:
            empty(t("No deliveries to {scope} in {window}.", scope=scope, window=label))
        else:
            note = t("Sidebar filters apply: recipients = {scope}; deliveries {window} (window selector).",
                     scope=scope, window=label)
            chart("top_suppliers_bars", top, t("Who supplies {scope}, {window}", scope=scope, window=label), note,
                  view="who-supplies", filters=filters, key="sup_top")
    with right:
        market = queries.run_filtered("suppliers_share", filters, suppliers=suppliers, by_window=True)
        note = t("Sidebar filters apply: recipients = {scope}; delivery years {years}.", scope=scope,
                 years=delivery_years(filters))
        if market.empty:
            empty(t("No deliveries from these suppliers to {scope}.", scope=scope))
        else:
            chart("share_lines", market, "period_label", t("Share of deliveries to {scope}", scope=scope), note,
                  view="market-share-windows", filters=filters, key="sup_market")
    left, right = st.columns(2)
    with left:
        regions = queries.run_filtered("suppliers_korea_regions", filters)
        note = t("All regions: the sidebar's recipient filters do not apply; delivery years {years}. NATO Europe = "
                 "European NATO members today.", years=delivery_years(filters))
        chart("korea_region_lines", regions, t("South Korea's share of each region's imports"), note,
              view="korea-share-by-region", filters=world, key="sup_kor_regions")
    with right:
        mix = queries.run_filtered("suppliers_region_mix", filters, window_start=start, suppliers=suppliers)
        note = t("Split over all recipients: the sidebar's recipient filters do not apply; deliveries {window}.",
                 window=label)
        chart("region_mix_bars", mix, t("Where each supplier's exports went, {window}", window=label), note,
              view="supplier-region-mix", filters=world, key="sup_mix")
    counts = queries.run_filtered("suppliers_recipient_counts", filters, suppliers=suppliers)
    if counts.empty:
        empty(t("No deliveries from these suppliers to {scope}.", scope=scope))
    else:
        note = t("Sidebar filters apply: recipients = {scope}; delivery years {years}.", scope=scope,
                 years=delivery_years(filters))
        chart("recipients_heatmap", counts, t("Number of recipient states supplied ({scope})", scope=scope), note,
              view="recipient-counts", filters=filters, key="sup_counts")


def speed_and_order_book(filters: Filters, suppliers: list[str]) -> None:
    state = st.session_state
    state.setdefault("sup_category", ALL_CATEGORIES)
    state.setdefault("sup_new_only", False)
    cols = st.columns([2, 2, 4])
    category = cols[0].selectbox(t("Armament category (delivery speed)"),
                                 [ALL_CATEGORIES, *settings.ARMAMENT_CATEGORIES], key="sup_category",
                                 format_func=lambda c: t(ALL_CATEGORIES) if c == ALL_CATEGORIES else names.category(c))
    category_name = t(ALL_CATEGORIES) if category == ALL_CATEGORIES else names.category(category)
    new_only = cols[1].toggle(t("New systems only (delivery speed)"), key="sup_new_only",
                              help=t("Leave out second-hand transfers, which usually come from stock and arrive "
                                     "fast."))
    note = t("Sidebar filters apply: recipients = {scope}; order years {start}–{end}.", scope=scope_label(filters),
             start=filters.year_from, end=filters.year_to)
    st.caption(t("Years to first delivery = SIPRI's first delivery year minus its order year (0 = delivered in the "
                 "year of the order). Deals with no delivery yet are counted apart; deals whose order year SIPRI "
                 "estimates are included and counted in the data behind the chart."))
    left, right = st.columns(2)
    with left:
        speed = queries.run_filtered("suppliers_speed", filters, suppliers=suppliers, new_only=new_only,
                                     sup_category="" if category == ALL_CATEGORIES else category)
        if speed["median"].notna().any():
            chart("speed_box", speed, t("Years from order to first delivery: {category}", category=category_name.lower()),
                  note + " " + t("Box: quartiles; whiskers: 5th–95th percentile."),
                  view="delivery-speed", filters=filters, key="sup_speed")
        else:
            empty(t("No delivered deals for these suppliers in {category}.", category=category_name.lower()))
    with right:
        by_cat = queries.run_filtered("suppliers_speed_categories", filters, suppliers=suppliers, new_only=new_only)
        if by_cat.empty:
            empty(t("No delivered deals for these suppliers."))
        else:
            chart("speed_heatmap", by_cat, t("Median years to first delivery by category"), note,
                  view="delivery-speed-by-category", filters=filters, key="sup_speed_cat")
    book = queries.run_filtered("suppliers_order_book", filters, suppliers=suppliers, top_n=15)
    if book.empty:
        empty(t("No open orders in the selected years."))
        return
    register = fmt.written_date(queries.build_info().get("sipri_register_generated", "?")[:11].strip())
    chart("order_book_bars", book, t("Order book: TIV ordered but not yet delivered"),
          note + " " + t("The 15 largest backlogs plus your suppliers; SIPRI register of {date}.", date=register),
          view="order-book", filters=filters, key="sup_book")


def family_columns() -> dict:
    return {
        "system_family": t("System"), "korean": st.column_config.CheckboxColumn(t("Korean")), "deals": t("Deals"),
        "customers_n": t("Customers"), "customers": st.column_config.TextColumn(t("Customer countries"), width="large"),
        "suppliers": t("Exported by"), "units_ordered": st.column_config.NumberColumn(t("Units ordered"), format="%,d"),
        "units_delivered": st.column_config.NumberColumn(t("Delivered"), format="%,d"),
        "tiv_ordered_m": st.column_config.NumberColumn(t("TIV ordered (m)"), format="%,.0f", help=t(settings.TIV_CAVEAT)),
        "median_years_to_first_delivery": st.column_config.NumberColumn(t("Median years to 1st delivery"), format="%.1f"),
        "deals_awaiting_first_delivery": t("Awaiting 1st delivery"), "second_hand_deals": t("Second-hand deals"),
        "first_order": st.column_config.NumberColumn(t("First order"), format="%d"),
        "latest_order_year": st.column_config.NumberColumn(t("Latest order"), format="%d"),
        "latest_order": t("Latest order (units)"), "deals_with_estimates": t("Deals with SIPRI estimates"),
        "sipri_descriptions": t("SIPRI descriptions"),
    }


def order_columns() -> dict:
    return {
        "order_year": st.column_config.NumberColumn(t("Ordered"), format="%d"), "system_family": t("System"),
        "supplier": t("Supplier"), "recipient": t("Recipient"), "region": t("Region"), "designation": t("SIPRI designation"),
        "delivery_years": t("Delivery years"), "status": t("New / second-hand"), "transfer_id": t("SIPRI transfer id"),
        "units_ordered": st.column_config.NumberColumn(t("Units"), format="%,d"),
        "units_delivered": st.column_config.NumberColumn(t("Delivered"), format="%,d"),
        "first_delivery_year": st.column_config.NumberColumn(t("First delivery"), format="%d"),
        "years_to_first_delivery": st.column_config.NumberColumn(t("Years to 1st"), format="%d"),
        "tiv_ordered_m": st.column_config.NumberColumn(t("TIV (m)"), format="%,.1f", help=t(settings.TIV_CAVEAT)),
        "order_year_uncertain": t("Order year est."), "number_ordered_uncertain": t("Units est."),
        "number_delivered_uncertain": t("Delivered est."),
    }


def rival_systems(filters: Filters) -> None:
    classes = queries.run("suppliers_rival_classes")["system_class"].tolist()
    if not classes:
        st.info(t("No class of rival systems in data/sources/sipri/system_families.csv."))
        return
    if st.session_state.get("sup_class") not in classes:
        st.session_state["sup_class"] = "Self-propelled guns" if "Self-propelled guns" in classes else classes[0]
    system_class = st.selectbox(t("Class of rival systems"), classes, key="sup_class", format_func=names.rival_class,
                                help=t("Families and classes come from data/sources/sipri/system_families.csv."))
    note = t("Sidebar filters apply: recipients = {scope}; order years {start}–{end}.", scope=scope_label(filters),
             start=filters.year_from, end=filters.year_to) + " " + t(
        "SIPRI register: licensed production and second-hand re-exports count as deals.")
    shown_class = names.rival_class(system_class)
    families = queries.run_filtered("suppliers_rival_families", filters, system_class=system_class)
    orders = queries.run_filtered("suppliers_rival_orders", filters, system_class=system_class)
    st.markdown(t("**{system_class}: export records**, one row per system family (South Korean families first)",
                  system_class=shown_class))
    shown_families = families.assign(customers=families["customers"].map(names.listed),
                                     suppliers=families["suppliers"].map(names.listed))
    st.dataframe(shown_families, hide_index=True, placeholder="—", width="stretch", column_config=family_columns())
    ui.downloads(families, "rival-systems", filters, "sup_rivals")
    st.caption(note + " " + t("Units are SIPRI's counts (estimates included).") + " " + t(settings.TIV_CAVEAT))
    if orders.empty:
        empty(t("No {system_class} deals in the register for these recipients and years.",
                system_class=shown_class.lower()))
        return
    left, right = st.columns(2)
    with left:
        chart("rival_units_bars", families, t("{system_class}: units ordered and delivered", system_class=shown_class),
              note,
              view="rival-units", filters=filters, key="sup_rival_units")
    with right:
        chart("rival_orders_scatter", orders, families["system_family"].tolist(),
              t("{system_class}: export orders by year", system_class=shown_class), note, view="rival-orders", filters=filters,
              key="sup_rival_orders")
    st.markdown(t("**Orders, newest first** (SIPRI's estimate flags in the last columns)"))
    shown_orders = orders.assign(supplier=orders["supplier"].map(names.country_by_name),
                                 recipient=orders["recipient"].map(names.country_by_name))
    st.dataframe(shown_orders, hide_index=True, placeholder="—", width="stretch", height=360,
                 column_config=order_columns())
    ui.downloads(orders, "rival-orders", filters, "sup_rival_orders_table")


def korean_firms(filters: Filters) -> None:
    note = t("Ledger contract values (USD, counted once); all sidebar filters apply, whatever the value basis.")
    st.caption(note + " " + t("Money only: SIPRI TIV is never added to these values."))
    by_year = queries.run_filtered("suppliers_firms_by_year", filters, top_n=6)
    if by_year.empty:
        empty(t("No ledger deals match these filters."))
    else:
        left, right = st.columns(2)
        with left:
            chart("firm_value_by_year", by_year, t("Contract value by year and prime contractor"), note,
                  view="firms-by-year", filters=filters, key="sup_firm_year")
        with right:
            by_region = queries.run_filtered("suppliers_firms_by_region", filters)
            chart("firm_value_by_region", by_region, t("Contract value by recipient region"), note,
                  view="firms-by-region", filters=filters, key="sup_firm_region")
        table = queries.run_filtered("suppliers_firms_table", filters)
        st.markdown("**" + t("Prime contractors compared: systems and customers") + "**")
        st.dataframe(table.assign(company=table["company"].map(names.company),
                                  customers=table["customers"].map(names.listed),
                                  systems=table["systems"].map(lambda v: names.listed(v, names.system))),
                     hide_index=True, placeholder="—",
                     width="stretch", column_config={
            "company": t("Company"), "deals": t("Deals"), "deals_with_value": t("With value"),
            "value_usd_m": st.column_config.NumberColumn(t("Value (USD m)"), format="%,.0f"),
            "customers_n": t("Customers"),
            "customers": st.column_config.TextColumn(t("Customer countries"), width="large"),
            "systems": st.column_config.TextColumn(t("Systems"), width="large"),
            "first_signed": st.column_config.NumberColumn(t("First"), format="%d"),
            "last_signed": st.column_config.NumberColumn(t("Latest"), format="%d")})
        ui.downloads(table, "firms", filters, "sup_firms_table")
    top100 = queries.run_filtered("suppliers_top100", filters)
    note = t("SIPRI Top 100 (arms revenue, current USD): only the sidebar's company filter applies.")
    if top100.empty:
        empty(t("None of the selected companies appears in the SIPRI Top 100."))
        return
    left, right = st.columns(2)
    with left:
        chart("top100_lines", top100, "arms_revenue_musd", t("SIPRI Top 100: arms revenue"), note,
              view="top100-revenue", filters=filters, key="sup_top100_rev")
    with right:
        chart("top100_lines", top100, "rank", t("SIPRI Top 100: rank"), note,
              view="top100-rank", filters=filters, key="sup_top100_rank")
    st.caption(t("Names are mapped to today's companies in data/sources/reference/korean_companies.csv (e.g. "
                 "Samsung Techwin → Hanwha Aerospace)."))


filters = ui.current_filters()
ui.page_header(t("Suppliers compared"), filters,
               t("South Korea against the world's arms exporters (SIPRI TIV by delivery year), rival systems head to "
                 "head (SIPRI register), and Korean prime contractors (ledger contract values, SIPRI Top 100)."))
for key in PAGE_KEYS:  # keep page selections while another comparison is shown (Streamlit drops unrendered ones)
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]
st.session_state.setdefault("sup_view", VIEWS[0])
prefetch(st.session_state["sup_view"], filters)
view = st.segmented_control(t("Comparison"), VIEWS, key="sup_view", required=True, format_func=t)
st.caption(t("Sidebar filters used in the SIPRI comparisons: recipient region, NATO/EU, recipient countries and "
             "years; each chart says which apply to it. Armament category, system family, company, deal status and "
             "search apply only to Korean firms; this page's own selectors choose suppliers, windows, categories and "
             "classes."))
if view in VIEWS[:3]:
    chosen = pick_suppliers()
    complete_windows = queries.complete_windows(filters)  # suppliers_windows.sql, asked once per data version
    if view == VIEWS[0]:
        share_and_rank(filters, chosen, complete_windows)
    elif view == VIEWS[1]:
        recipient_markets(filters, chosen, complete_windows)
    else:
        speed_and_order_book(filters, chosen)
elif view == VIEWS[3]:
    rival_systems(filters)
else:
    korean_firms(filters)

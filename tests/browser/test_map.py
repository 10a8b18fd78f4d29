"""Real Chromium at 1920×1080 against `streamlit run`, with every request to a non-local host blocked: the map draws
the recipients as filled shapes and the flow lines for each region preset, from base-map files the app serves
itself; a click opens the country profile; Play animates the years; screenshots land in /tmp for a person to check.
"""

from __future__ import annotations

import pytest

from tests.helpers import wait_for_app

pytestmark = pytest.mark.browser

MAP = ".st-key-map_chart .js-plotly-plot"
SIGNED = "status IN ('contract', 'delivering', 'completed')"
MIN_FONT_PX = 12

# For each recipient choropleth path: its ISO3 (plotly.js binds the location to the path), whether it has a shape,
# and its fill. Paths of locations not drawn in this frame have no geometry.
DRAWN = """(root) => [...root.querySelectorAll('.choroplethlayer .trace')].slice(0, 2).flatMap(t =>
    [...t.querySelectorAll('path.choroplethlocation')]
      .filter(p => (p.getAttribute('d') || '').length > 20 && p.__data__ && p.__data__.loc)
      .map(p => [p.__data__.loc, getComputedStyle(p).fill]))"""
LINES = """(root) => [...root.querySelectorAll('.scattergeo path.js-line')].map(p => (p.getAttribute('d') || '').length)"""
FONT_SIZES = """(root) => [...root.querySelectorAll('svg text')]
    .filter(t => t.textContent.trim() && getComputedStyle(t).display !== 'none')
    .map(t => [t.textContent.trim().slice(0, 40), parseFloat(getComputedStyle(t).fontSize)])"""


TIMEOUT = 60000  # generous: the first run of a fresh server builds every cache


def settle(page) -> None:
    wait_for_app(page, MAP, timeout=TIMEOUT)
    page.wait_for_timeout(1500)


def geo_range(page) -> str:
    """The map's current lon/lat ranges as plotly.js holds them (changes when a preset is applied)."""
    return page.locator(MAP).evaluate("(gd) => JSON.stringify([gd._fullLayout.geo.lonaxis.range, "
                                      "gd._fullLayout.geo.lataxis.range])")


def open_map(page, url: str, topojson: list) -> None:
    page.on("response", lambda r: topojson.append((r.url, r.status, r.headers.get("content-type", "")))
            if "topojson" in r.url else None)
    # a fresh server decides at its first run whether the app uses a pages/ folder: open the entry point first
    page.goto(url)
    wait_for_app(page)
    page.goto(f"{url}/map")
    page.wait_for_selector(f"{MAP} path.choroplethlocation", timeout=TIMEOUT)
    settle(page)


def click_option(page, key: str, label: str) -> None:
    before = geo_range(page) if key == "map_preset" else None
    page.locator(f".st-key-{key}").get_by_role("radio", name=label, exact=True).click()
    page.wait_for_timeout(400)
    settle(page)
    if before is not None:  # the rerun has reached the browser and the new frame is drawn
        page.wait_for_function("([sel, before]) => { const g = document.querySelector(sel)._fullLayout.geo;"
                               " return JSON.stringify([g.lonaxis.range, g.lataxis.range]) !== before; }",
                               arg=[MAP, before], timeout=TIMEOUT)
        page.wait_for_timeout(1000)


# A point of a country's drawn shape, in viewport coordinates: the shape is scrolled into the middle of the screen
# first (the map may start below the fold: the stamped lines above it grow the page), then, once its box holds still,
# the centre of the box or the nearest grid point that lies inside the path's fill and is the topmost element there.
SHAPE = """(root, iso3) => [...root.querySelectorAll('path.choroplethlocation')]
    .find(p => p.__data__ && p.__data__.loc === iso3 && (p.getAttribute('d') || '').length > 20)"""
SHAPE_BOX = f"""([sel, iso3]) => {{ const p = ({SHAPE})(document.querySelector(sel), iso3);
    const r = p.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].map(Math.round).join(); }}"""
POINT_INSIDE = f"""([sel, iso3]) => {{
  const p = ({SHAPE})(document.querySelector(sel), iso3), r = p.getBoundingClientRect();
  const toShape = p.getScreenCTM().inverse(), pt = p.ownerSVGElement.createSVGPoint();
  const hits = (x, y) => {{ pt.x = x; pt.y = y; const local = pt.matrixTransform(toShape);
    const top = document.elementFromPoint(x, y);
    return x >= 0 && y >= 0 && x < innerWidth && y < innerHeight && p.isPointInFill(local)
           && !!top && !!top.closest('.js-plotly-plot'); }};
  const cx = r.x + r.width / 2, cy = r.y + r.height / 2, points = [];
  for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++)
    points.push([r.x + r.width * i / 20, r.y + r.height * j / 20]);
  points.sort((a, b) => Math.hypot(a[0] - cx, a[1] - cy) - Math.hypot(b[0] - cx, b[1] - cy));
  return points.find(([x, y]) => hits(x, y)) || null; }}"""


def point_inside(page, iso3: str) -> list[float]:
    """Where the mouse can hover a country on the map: on screen, inside its drawn shape, not covered."""
    page.locator(MAP).evaluate(f"(root, iso3) => ({SHAPE})(root, iso3).scrollIntoView({{block: 'center'}})", iso3)
    page.wait_for_function(f"""([sel, iso3]) => {{ const now = ({SHAPE_BOX})([sel, iso3]);
        const same = now === window.__kdShapeBox; window.__kdShapeBox = now; return same; }}""",
                           arg=[MAP, iso3], polling=250, timeout=TIMEOUT)
    point = page.evaluate(POINT_INSIDE, [MAP, iso3])
    assert point, f"no point of {iso3}'s shape is on screen and uncovered"
    return point


def recipients(con, region: str | None = None) -> set[str]:
    where = "" if region is None else f"AND recipient_region = '{region}'"
    return {r[0] for r in con.execute(f"SELECT DISTINCT recipient_iso3 FROM deals WHERE {SIGNED} {where}").fetchall()}


def test_map_draws_offline_for_every_preset(app_server, page, built_db):
    topojson: list = []
    open_map(page, app_server["url"], topojson)
    for preset in ("World", "Europe", "Middle East", "Asia & Oceania"):
        if preset != "World":
            click_option(page, "map_preset", preset)
        plot = page.locator(MAP)
        drawn = plot.evaluate(DRAWN)
        locs = {loc for loc, _ in drawn}
        want = recipients(built_db, None if preset == "World" else preset)
        assert want <= locs, f"{preset}: not drawn {sorted(want - locs)}"
        assert all(fill not in ("none", "rgba(0, 0, 0, 0)") for _, fill in drawn)
        assert len({fill for _, fill in drawn}) >= 4, f"{preset}: the colour scale is flat"
        lines = plot.evaluate(LINES)
        assert sum(1 for n in lines if n > 20) >= 1, f"{preset}: no flow lines drawn"
        if preset == "World":
            assert len(locs) == len(recipients(built_db))
            assert sum(1 for n in lines if n > 20) >= 3  # several width buckets
        page.screenshot(path=f"/tmp/map_{preset.split()[0].lower()}_1920x1080.png")
    served = {url.rsplit("/", 1)[-1]: (status, ctype) for url, status, ctype in topojson}
    assert served.get("world_110m.json", (0, ""))[0] == 200 and "json" in served["world_110m.json"][1], topojson
    assert served.get("world_50m.json", (0, ""))[0] == 200, topojson  # the regional presets' finer base map
    assert all("/app/static/topojson/" in url for url, _, _ in topojson)
    assert page.external_requests == []


def test_map_labels_are_readable(app_server, page):
    open_map(page, app_server["url"], [])
    sizes = page.locator(MAP).evaluate(FONT_SIZES)
    assert len(sizes) >= 8, sizes
    small = [(text, size) for text, size in sizes if size < MIN_FONT_PX]
    assert not small, f"labels below {MIN_FONT_PX} px: {small[:5]}"
    assert any("Contract value" in text for text, _ in sizes)  # the colour legend's title
    assert page.external_requests == []


def test_click_opens_profile_and_play_animates(app_server, page, built_db):
    open_map(page, app_server["url"], [])
    box = point_inside(page, "AUS")
    page.mouse.move(*box)
    page.wait_for_timeout(500)
    assert "Australia" in page.locator(f"{MAP} .hoverlayer").text_content()
    page.mouse.click(*box)
    page.wait_for_selector("h3:has-text('Australia')", timeout=TIMEOUT)
    wait_for_app(page)
    n = built_db.execute(f"SELECT count(*) FROM deals WHERE {SIGNED} AND recipient_iso3 = 'AUS'").fetchone()[0]
    assert page.locator("[data-testid='stMetric']").filter(has_text="Deals").first.text_content().endswith(str(n))
    assert page.locator(".st-key-chart_map_profile_suppliers .js-plotly-plot .bars path").count() >= 2

    plot = page.locator(MAP)
    year = plot.locator(".annotation-text").first
    at_rest, drawn_at_rest = year.text_content(), len(plot.evaluate(DRAWN))
    plot.locator(".updatemenu-button").first.click()  # ▶ Play
    page.wait_for_timeout(2000)
    playing, drawn_playing = year.text_content(), len(plot.evaluate(DRAWN))
    plot.locator(".updatemenu-button").nth(1).click()  # ❚❚ Pause
    assert playing != at_rest and drawn_playing < drawn_at_rest, (at_rest, playing, drawn_at_rest, drawn_playing)
    page.screenshot(path="/tmp/map_playing_1920x1080.png")
    assert page.external_requests == []


def test_picking_tiv_switches_the_value_basis(app_server, page, built_db):
    open_map(page, app_server["url"], [])
    click_option(page, "map_measure", "SIPRI TIV")
    basis = page.locator(".st-key-flt_basis").get_by_role("radio", name="SIPRI TIV", exact=True)
    assert basis.get_attribute("aria-checked") == "true"
    assert "SIPRI TIV" in page.locator(MAP).locator(".cbtitle").text_content()
    tiv = {r[0] for r in built_db.execute("""SELECT DISTINCT recipient_location_iso3 FROM transfers
        WHERE supplier = 'South Korea' AND tiv_order_m > 0""").fetchall()}
    assert tiv <= {loc for loc, _ in page.locator(MAP).evaluate(DRAWN)}
    page.screenshot(path="/tmp/map_tiv_1920x1080.png")
    assert page.external_requests == []


CONTROL_BOXES = """(root) => {
  const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  return {chart: box(root), buttons: [...root.querySelectorAll('.updatemenu-container .updatemenu-button')].map(box),
          rail: box(root.querySelector('.slider-container .slider-rail-rect')),
          labels: [...root.querySelectorAll('.slider-container .slider-label')].map(box)};
}"""


@pytest.mark.parametrize("width,height", [(1280, 720), (1366, 768)])
def test_play_pause_sit_clear_of_the_year_slider(app_server, browser, width, height):
    """Plotly's Play/Pause buttons never cover the year slider's rail or its year labels on a laptop (beside the
    slider, from x 0.27, they covered its first steps and '1972' once the map was under ~650 px wide)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        open_map(page, app_server["url"], [])
        boxes = page.locator(MAP).evaluate(CONTROL_BOXES)
    finally:
        context.close()
    assert len(boxes["buttons"]) == 2 and boxes["rail"] and boxes["labels"], boxes

    def meet(a, b) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    hits = [(button, other) for button in boxes["buttons"] for other in [boxes["rail"], *boxes["labels"]]
            if meet(button, other)]
    assert hits == [], f"{width}×{height}: Play/Pause over the slider: {hits}"
    assert min(label[0] for label in boxes["labels"]) >= boxes["chart"][0], boxes  # '1972' not cut at the left

"""Visible focus (issue 16; WCAG 2.4.7 and 1.4.11): Tab through every page and, at every Tab stop, find a focus
indicator on the focused element or on its visible proxy.

The proxy: a visually hidden input (a slider's range input, a toggle's or a checkbox's input) is drawn by the
elements around it (the thumb, the track, the label), and a text input by its frame. So the candidates are the
focused element and its ancestors as long as they hold no other Tab stop (the control's own box), with everything
inside them, and the ancestors React Aria marks as drawing the focused control (`data-focus-visible`,
`data-focus-within`). A scroll box with nothing focusable in it is a Tab stop of its own in Chromium and Firefox (a
data table has two: the canvas of its cells and the scroll box laid over them), so it bounds a proxy like any other
stop; a chart's link is an SVG `<a>`, measured like any element. An indicator is an outline or a box-shadow ring at
least 1 px wide, not clipped away by an ancestor's overflow (an `overflow: clip` box's clip margin counted), whose
colour has at least 3:1 contrast against the background behind it; it must belong to the focus: present while the
control has focus and gone once Tab has moved on (a permanent ring proves nothing).
"""

from __future__ import annotations

import pytest

from tests.browser.a11y import LAPTOP, PAGES, load, new_page
from tests.browser.test_keyboard import CONTROLS, from_the_top

pytestmark = pytest.mark.browser
# Transitions off, so that a ring is measured in its final state right after the key press (the rings
# themselves are left as they are).
NO_MOTION = "*, *::before, *::after {transition: none !important; animation: none !important;}"

# window.kdRing(): judge the previous Tab stop (its rings now that focus has left), then record the current one.
RING_PROBE = r"""() => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = css => {  // any CSS colour (rgb, oklch, color-mix…) as [r, g, b, a]
    ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data; return [d[0], d[1], d[2], d[3] / 255]; };
  const over = (top, below) => top.slice(0, 3).map((c, i) => c * top[3] + below[i] * (1 - top[3])).concat([1]);
  const background = el => {  // the colour behind `el`'s own box: its backgrounds composed up to an opaque one
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const luminance = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const contrast = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05); };
  const hidden = el => { const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return r.width < 3 || r.height < 3 || cs.visibility === 'hidden' || Number(cs.opacity) === 0
      || cs.clip === 'rect(0px, 0px, 0px, 0px)' || !!el.closest('.kd-sr-only'); };
  // how far a ring `out` px outside the box shows on each side, after every ancestor that clips its overflow
  const sidesShown = (el, out) => {
    const r = el.getBoundingClientRect();
    let box = {left: r.left - out, right: r.right + out, top: r.top - out, bottom: r.bottom + out};
    for (let n = el.parentElement; n && n !== document.documentElement; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.overflowX === 'visible' && cs.overflowY === 'visible' && cs.clipPath === 'none') continue;
      const c = n.getBoundingClientRect();
      // overflow: clip lets its content paint up to overflow-clip-margin outside the box
      const margin = axis => axis === 'clip' ? parseFloat((cs.overflowClipMargin.match(/[\d.]+px/) || ['0'])[0]) : 0;
      const [mx, my] = [margin(cs.overflowX), margin(cs.overflowY)];
      if (cs.overflowX !== 'visible') box = {...box, left: Math.max(box.left, c.left - mx), right: Math.min(box.right, c.right + mx)};
      if (cs.overflowY !== 'visible') box = {...box, top: Math.max(box.top, c.top - my), bottom: Math.min(box.bottom, c.bottom + my)};
    }
    return [r.left - box.left, box.right - r.right, r.top - box.top, box.bottom - r.bottom]
      .filter(shown => shown >= Math.min(out, 1.5)).length;
  };
  const shadows = value => value === 'none' ? [] : value.split(/,(?![^(]*\))/).map(s => {
    const colour = (s.match(/(rgba?|oklch|oklab|lab|lch|hsla?|color)\([^)]*\)|#[0-9a-f]+/i) || ['transparent'])[0];
    const lengths = s.replace(colour, '').match(/-?[\d.]+px/g) || [];
    const [x, y, blur, spread] = lengths.map(parseFloat).concat([0, 0, 0, 0]);
    return {colour, x, y, blur, spread, inset: /\binset\b/.test(s)};
  });
  // the rings of one element, each as "kind width colour contrast"
  const rings = el => {
    if (hidden(el)) return [];
    const cs = getComputedStyle(el), found = [], behind = background(el.parentElement || el);
    const width = parseFloat(cs.outlineWidth), offset = parseFloat(cs.outlineOffset) || 0;
    if (!['none', 'hidden'].includes(cs.outlineStyle) && width >= 1) {
      const colour = over(rgba(cs.outlineColor), behind);
      const inside = offset + width <= 0;
      if (inside || sidesShown(el, offset + width) >= 3)
        found.push({kind: 'outline', width, colour, ratio: contrast(colour, inside ? background(el) : behind)});
    }
    for (const s of shadows(cs.boxShadow)) {
      const width = Math.max(s.spread, 0) + s.blur / 2;
      if (width < 1 || rgba(s.colour)[3] === 0) continue;
      const base = s.inset ? background(el) : behind, colour = over(rgba(s.colour), base);
      if (s.inset || sidesShown(el, width) >= 3)
        found.push({kind: s.inset ? 'inset shadow' : 'shadow', width, colour, ratio: contrast(colour, base)});
    }
    return found.map(f => `${f.kind} ${f.width.toFixed(1)}px rgb(${f.colour.slice(0, 3).map(Math.round)}) `
                          + `${f.ratio.toFixed(2)}:1`);
  };
  const STOPS = 'button, a[href], input:not([type="hidden"]), textarea, select, summary, [tabindex]:not([tabindex="-1"])';
  // a scroll box with nothing focusable in it is a Tab stop of its own in Chromium (130+) and Firefox: a data
  // table's scroll box, laid over the canvas that draws its cells
  const scrollStop = n => { const cs = getComputedStyle(n);
    return ((['auto', 'scroll'].includes(cs.overflowY) && n.scrollHeight > n.clientHeight)
            || (['auto', 'scroll'].includes(cs.overflowX) && n.scrollWidth > n.clientWidth))
      && !n.querySelector(STOPS) && !hidden(n); };
  const proxyRoot = el => {  // the largest ancestor (at most 8 up) holding no other Tab stop
    let root = el;
    for (let n = el.parentElement, i = 0; n && i < 8 && n !== document.body; n = n.parentElement, i++) {
      if ([...n.querySelectorAll(STOPS)].some(s => s !== el && !s.disabled && s.tabIndex >= 0 && !hidden(s))
          || [...n.querySelectorAll('div')].some(d => d !== el && !d.contains(el) && scrollStop(d))) break;
      root = n;
    }
    return root;
  };
  const label = el => (el.getAttribute('aria-label') || el.innerText || el.value || el.placeholder
    || el.closest('[data-testid]')?.getAttribute('data-testid') || el.tagName).trim().replace(/\s+/g, ' ').slice(0, 60);

  window.kdRing = () => {
    const active = document.activeElement, out = {};
    const previous = window.kdStop;
    if (previous) {  // rings present at focus and gone now: the focus indicator
      const moved = !previous.el.contains(active) && !previous.root.contains(active);
      // a frame React Aria marks as focus-within keeps its ring while Tab moves inside the same control (a
      // multiselect's input, then its Clear all button): its ring is the focus's, by that mark
      const good = moved ? previous.candidates.filter(c => c.rings.length && c.el.isConnected).flatMap(c => {
        const within = c.el.contains(active) && c.el.matches('[data-focus-within]');
        const now = within ? [] : rings(c.el);
        return c.rings.filter(r => !now.includes(r) && parseFloat(r.split(' ').at(-1)) >= 3);
      }) : [];
      out.previous = {id: previous.id, label: previous.label, where: previous.where, moved,
                      ok: good.length > 0, rings: good.length ? good : previous.candidates.flatMap(c => c.rings)};
    }
    if (!active || active === document.body || active === document.documentElement) { window.kdStop = null; return out; }
    if (!active.dataset.kdStop) active.dataset.kdStop = String(Object.keys(window.kdIds = window.kdIds || {}).length);
    window.kdIds[active.dataset.kdStop] = 1;
    const root = proxyRoot(active);
    // and the ancestors React Aria marks as drawing the focused control (a toggle's label, a combobox's frame)
    const marked = [];
    for (let n = active.parentElement, i = 0; n && i < 8; n = n.parentElement, i++)
      if (n.matches('[data-focus-visible], [data-focus-within]') && !root.contains(n)) marked.push(n);
    const candidates = [...marked, root, ...root.querySelectorAll('*')]
      .filter(n => !(n instanceof SVGElement) || n.tagName === 'svg' || n === active)  // a chart's link is an SVG <a>
      .slice(0, 80).map(el => ({el, rings: rings(el)}));
    window.kdStop = {el: active, root, candidates, id: active.dataset.kdStop, label: label(active),
                     where: active.closest('[data-testid="stSidebar"]') ? 'sidebar'
                          : active.closest('[data-testid="stMain"]') ? 'main' : 'header'};
    return out;
  };
}"""


@pytest.mark.slow  # nine pages, every Tab stop measured: make test-slow
@pytest.mark.parametrize("name", list(PAGES))
def test_every_tab_stop_shows_its_focus(app_server, browser, name):
    """At every Tab stop of the page (header, sidebar and main area), the focused control or its visible proxy
    draws a ring of at least 1 px with 3:1 contrast, which goes away when Tab moves on."""
    context, page = new_page(browser, LAPTOP)
    judged: dict[str, dict] = {}
    try:
        load(page, f"{app_server['url']}/{PAGES[name]}")
        page.add_style_tag(content=NO_MOTION)
        page.evaluate(RING_PROBE)
        presses = len(page.evaluate(CONTROLS)) + 25
        from_the_top(page)
        for _ in range(presses + 1):
            page.keyboard.press("Tab")
            previous = page.evaluate("() => window.kdRing()").get("previous")
            if previous and previous["moved"]:
                seen = judged.get(previous["id"])
                if seen is None or (previous["ok"] and not seen["ok"]):
                    judged[previous["id"]] = previous
    finally:
        context.close()
    failed = [f"{j['where']}: {j['label']!r} rings {j['rings']}" for j in judged.values() if not j["ok"]]
    assert len(judged) >= 5, f"{name}: only {len(judged)} Tab stops"
    assert failed == [], f"{name}: {len(failed)} of {len(judged)} Tab stops show no visible focus:\n" + "\n".join(failed)

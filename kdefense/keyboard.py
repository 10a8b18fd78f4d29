"""Keyboard fixes for Streamlit's own widgets (issue 16), bound once in the main document.

Popovers: Streamlit 1.67 draws a popover's body in a portal at the end of the document and moves no focus into it,
so Tab from an open popover's button goes on to the next control of the page and the body's controls (the map's
Layers toggles, a chart's downloads, the SQL examples) come only after every other control of the page. The script
makes the open body follow its button in the Tab order, as a disclosure's content would:
- Tab on the button of an open popover focuses the body's first control;
- Shift+Tab on the body's first control goes back to the button (the popover stays open);
- Tab on the body's last control closes the popover (Streamlit's own Escape, which focuses the button) and the Tab
  goes on from the button to the page's next control.
Escape (Streamlit's) still closes the popover from anywhere inside it and returns to the button.
"""

from __future__ import annotations

POPOVER_TAB_JS = """
(() => {
  if (window.kdPopoverTab) return;
  window.kdPopoverTab = true;
  const BODY = '[data-testid="stPopoverBody"]', BUTTON = '[data-testid="stPopoverButton"]';
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  // a radio group or tab list is one Tab stop (its chosen option)
  const roving = el => el.matches('[role="radio"], [role="tab"]')
    && el.getAttribute('aria-checked') !== 'true' && el.getAttribute('aria-selected') !== 'true';
  // Floating UI (the portal's library) parks the body's controls at tabindex -1 while the focus is outside it, the
  // tabindex each had kept in data-tabindex; focus coming in restores them
  const parked = el => el.hasAttribute('data-tabindex') && !el.dataset.tabindex.startsWith('-');
  const tabbable = root => [...root.querySelectorAll(
      'a[href], button, input, select, textarea, summary, [tabindex]')]
    .filter(el => (el.tabIndex >= 0 || parked(el)) && !el.disabled && !el.closest('[inert], [aria-hidden="true"]')
            && !roving(el) && shown(el));
  const openBody = () => [...document.querySelectorAll(BODY)].pop() || null;
  const expanded = el => !!el && el.isConnected && el.getAttribute('aria-expanded') === 'true';
  let opener = null;
  document.addEventListener('keydown', e => {
    if (e.key !== 'Tab' || e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
    const el = document.activeElement, body = openBody();
    if (!el || !body) return;
    if (!e.shiftKey && el.matches(BUTTON) && expanded(el)) {
      const first = tabbable(body)[0];
      if (!first) return;
      e.preventDefault();
      opener = el;
      first.focus();
      return;
    }
    if (!body.contains(el)) return;
    const button = expanded(opener) ? opener : document.querySelector(BUTTON + '[aria-expanded="true"]');
    const inside = tabbable(body);
    if (!button || !inside.length) return;
    if (e.shiftKey && el === inside[0]) {
      e.preventDefault();
      button.focus();
    } else if (!e.shiftKey && el === inside[inside.length - 1]) {
      el.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', code: 'Escape', bubbles: true,
                                                     cancelable: true}));
      if (document.activeElement !== button) button.focus();  // the Tab's default moves on from here
    }
  }, true);
})();
"""
# The script's element is not drawn (no gap in the sidebar).
POPOVER_TAB_HTML = ("<style>.stElementContainer:has(.kd-popover-tab){display:none}</style>"
                    "<span class='kd-popover-tab' hidden></span><script>" + POPOVER_TAB_JS + "</script>")


def popover_tab_order() -> None:
    """Bind POPOVER_TAB_JS in the main document (once per visit: later runs and pages find it bound)."""
    import streamlit as st

    st.sidebar.html(POPOVER_TAB_HTML, unsafe_allow_javascript=True)

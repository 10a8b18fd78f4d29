"""User text is hostile: one place for making it safe wherever it is shown or exported.

- `md_text`: for Streamlit elements that render Markdown (st.markdown without HTML, st.caption, st.warning, st.info,
  st.subheader, st.toast, widget labels). Every ASCII punctuation character is backslash-escaped, so no link,
  image, emphasis, heading, code, LaTeX (`$`), Streamlit directive (`:red[…]`) or raw HTML can start.
- `html_text`: for text placed inside our own HTML (st.markdown(..., unsafe_allow_html=True)). HTML-escaped, and
  control characters and line breaks become spaces, so the text cannot end the HTML block and start Markdown.
- `neutralise` / `neutralise_frame`: spreadsheet formula injection (OWASP CSV injection) for exports and for
  tables whose built-in "Download as CSV" would otherwise carry a live formula.

docs/security.md lists every place that renders user text and which of these it uses.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
_SPACES = re.compile(r"\s+")


def plain(value: object, limit: int | None = None) -> str:
    """One line of printable text: control and format characters (C0, C1, bidi overrides, NUL) become spaces."""
    text = "" if value is None else str(value)
    if limit is not None:
        text = text[:limit]
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    return _SPACES.sub(" ", text).strip()


def md_text(value: object, limit: int | None = None) -> str:
    """Text that Streamlit's Markdown shows literally (nothing in it is markup)."""
    return _MD_SPECIAL.sub(r"\\\1", plain(value, limit))


def html_text(value: object, limit: int | None = None) -> str:
    """Text that shows literally inside our own HTML and cannot leave its element."""
    return html.escape(plain(value, limit), quote=True)


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells are neutralised: for exports and for tables that show user-provided text."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out

"""The interface language: `lang` (en|ko) in the URL, one translation function, gettext catalogs compiled by Babel.

Every user-facing string goes through `t("English text", name=value)`: the English text is the gettext message id
(extracted by `make messages` with babel.cfg), the Korean lives in kdefense/locale/ko/LC_MESSAGES/messages.po, and
`{name}` placeholders are filled after translation (str.format), so a translator can move them.

The .po file is compiled in memory with Babel when first used (no binary .mo in git) and cached per file version.
The language belongs to the session (st.session_state), never to the process: nothing calls gettext.install().
Code outside a Streamlit run (exports, tests) picks a language with `with use_lang("ko"): ...`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import io
import time
from collections.abc import Iterator
from pathlib import Path

LANGS = ("en", "ko")
DEFAULT_LANG = "en"
URL_PARAM = "lang"
LANG_LABELS = {"en": "English", "ko": "한국어"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"

SESSION_KEY = "_kd_lang"
EXPLICIT_KEY = "_kd_lang_explicit"  # the user or a link chose the language: keep it in the URL
URL_SEEN_KEY = "_kd_lang_url"  # the `lang` value this session last wrote to the URL
WIDGET_KEY = "kd_lang_switch"
# The language of the current script run, kept on its ScriptRunContext by init_lang (and the switch's callback):
# t() runs thousands of times per rerun, and each read of st.session_state takes its lock.
RUN_ATTR = "_kd_lang"

_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("kd_lang", default=None)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.lru_cache(maxsize=8)
def _compiled(lang: str, version: tuple[int, int]) -> gettext.NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # a fuzzy (unreviewed) entry shows the English text
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


_ENGLISH = gettext.NullTranslations()
RECHECK_SECONDS = 2.0  # how often an edited .po file is looked for (t() runs thousands of times per rerun)
_translators: dict[str, tuple[float, gettext.NullTranslations]] = {}


def translator(lang: str) -> gettext.NullTranslations:
    """The translations for one language (English: the message ids themselves). The .po file's version is checked
    at most every RECHECK_SECONDS: a stat per call cost more than the page's own work (thousands of calls)."""
    if lang == DEFAULT_LANG:
        return _ENGLISH
    now = time.monotonic()
    kept = _translators.get(lang)
    if kept is not None and now - kept[0] < RECHECK_SECONDS:
        return kept[1]
    path = po_path(lang)
    try:
        stat = path.stat()
    except OSError:
        found: gettext.NullTranslations = _ENGLISH
    else:
        found = _compiled(lang, (stat.st_mtime_ns, stat.st_size))
    _translators[lang] = (now, found)
    return found


@functools.cache
def _run_context_getter():
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx


def _session_lang() -> str | None:
    try:
        ctx = _run_context_getter()(suppress_warning=True)
        if ctx is None:
            return None
        lang = getattr(ctx, RUN_ATTR, None)  # this run's language, kept on the run's context by init_lang
        if lang is not None:
            return lang
        return ctx.session_state[SESSION_KEY]  # SafeSessionState: no .get; a missing key raises KeyError
    except Exception:  # noqa: BLE001 - no Streamlit session: English
        return None


def current_lang() -> str:
    """The active language: `use_lang` override, else the session's, else English."""
    lang = _override.get() or _session_lang() or DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


@contextlib.contextmanager
def use_lang(lang: str) -> Iterator[None]:
    """Run a block in one language (exports, decks, tests), whatever the session's language is."""
    token = _override.set(lang if lang in LANGS else DEFAULT_LANG)
    try:
        yield
    finally:
        _override.reset(token)


def t(message: str, /, **values: object) -> str:
    """`message` in the active language; `{name}` placeholders are filled from `values` after translation."""
    text = translator(current_lang()).gettext(message)
    return text.format(**values) if values else text


def lang_from_locale(locale: str | None) -> str:
    """The browser's language (st.context.locale, e.g. 'ko-KR') mapped to a supported language."""
    if locale and locale.replace("_", "-").split("-")[0].lower() == "ko":
        return "ko"
    return DEFAULT_LANG


def init_lang() -> str:
    """Decide this rerun's language: a `lang` in the URL that this session did not write itself (a link, the back
    button) wins; then the session's choice; then the browser's language. Call before any t()."""
    import streamlit as st

    state = st.session_state
    raw = st.query_params.get(URL_PARAM)
    if raw in LANGS and raw != state.get(URL_SEEN_KEY):
        state[SESSION_KEY], state[EXPLICIT_KEY] = raw, True
    elif SESSION_KEY not in state:
        state[SESSION_KEY] = lang_from_locale(getattr(st.context, "locale", None))
    _keep_for_run(state[SESSION_KEY])
    return state[SESSION_KEY]


def _keep_for_run(lang: str) -> None:
    ctx = _run_context_getter()(suppress_warning=True)
    if ctx is not None:
        setattr(ctx, RUN_ATTR, lang)


def _switched() -> None:
    import streamlit as st

    chosen = st.session_state.get(WIDGET_KEY)
    if chosen in LANGS:
        st.session_state[SESSION_KEY], st.session_state[EXPLICIT_KEY] = chosen, True
        _keep_for_run(chosen)


def language_switch() -> None:
    """The visible sidebar switch (labels in their own language, so anyone can find theirs)."""
    import streamlit as st

    st.session_state[WIDGET_KEY] = current_lang()
    st.sidebar.segmented_control("Language · 언어", list(LANGS), format_func=LANG_LABELS.get, key=WIDGET_KEY,
                                 required=True, on_change=_switched)


# Streamlit's index.html says <html lang="en">: a screen reader would read Korean with an English voice (WCAG 3.1.1).
# The script sets the document's language on every run; its element container is not drawn (no gap in the sidebar).
DOCUMENT_LANG_HTML = ("<style>.stElementContainer:has(.kd-document-lang){{display:none}}</style>"
                      "<span class='kd-document-lang' hidden></span>"
                      "<script>document.documentElement.lang = '{lang}';</script>")


def document_language() -> None:
    """The page's `lang` attribute follows the interface language (a value of LANGS, never user text)."""
    import streamlit as st

    st.sidebar.html(DOCUMENT_LANG_HTML.format(lang=current_lang()), unsafe_allow_javascript=True)


def url_params() -> dict[str, str]:
    """`lang` for the URL: written once the language was chosen (switch or link) or differs from English, so the
    language travels with page switches, shared links and saved views."""
    import streamlit as st

    lang = current_lang()
    if lang == DEFAULT_LANG and not st.session_state.get(EXPLICIT_KEY):
        st.session_state[URL_SEEN_KEY] = None
        return {}
    st.session_state[URL_SEEN_KEY] = lang
    return {URL_PARAM: lang}


# Korean text breaks between words (어절), not inside them ("대한민국 방산 / 수출", never "수 / 출"), as Korean
# typography does; a word longer than its line still wraps (overflow-wrap). Emitted only in Korean mode.
KOREAN_CSS = """<style>
[data-testid="stHeading"], [data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"],
[data-testid="stMetricLabel"], [data-testid="stWidgetLabel"],
[data-testid="stMain"] :is(h1, h2, h3, h4, p, li) {word-break: keep-all !important; overflow-wrap: break-word;}
</style>"""


def page_css() -> str:
    """Language-specific CSS for the page (empty in English)."""
    return KOREAN_CSS if current_lang() == "ko" else ""


def N_(message: str) -> str:
    """Mark a constant for extraction (gettext_noop); translate it where it is shown, with t(value)."""
    return message

"""How the pages are registered (read from dashboard.py, as the bench and load tests read them)."""

from bench.common import ROOT, registered_pages


def test_every_page_url_is_its_file_name():
    """A fresh server runs its first request in Streamlit's legacy `pages/` mode, which resolves a deep link
    against the file names in pages/: `/data` must be pages/data.py, or the first visitor sees "Page not found"."""
    pages = registered_pages()
    assert len(pages) >= 7
    for page in pages:
        assert (ROOT / page.script).exists(), page.script
        if not page.default:
            assert page.url_path == page.name, f"{page.script} is served at /{page.url_path}"


def test_every_page_file_is_registered():
    files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py") if p.name != "__init__.py"}
    assert files == {p.script for p in registered_pages()}

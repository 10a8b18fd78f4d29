"""The deck export as it was before issue 13 (kept for `make bench` only): a Streamlit server per export and a
1920x1080 screenshot of every slide page, pasted into an image-only PDF. The app no longer uses it.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from contextlib import contextmanager
from pathlib import Path

from kdefense import settings
from kdefense.briefing import Deck, parse_deck

CHROMIUM = os.environ.get("KDEFENSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic"]
READY = "[data-testid='stMetric'], [data-testid='stDataFrame'], .js-plotly-plot, [data-testid='stAlert']"


class ExportUnavailable(RuntimeError):
    """Chromium or Playwright is missing on this machine."""


def render_slides(base_url: str, deck: Deck, theme: str = "light", size: tuple[int, int] = (1920, 1080),
                  timeout_s: float = 60) -> list[bytes]:
    """PNG screenshots of every slide at 1920×1080; requests to other hosts are blocked. The app used 60 s per wait;
    the benchmark gives it longer so that it finishes on a loaded machine."""
    if not Path(CHROMIUM).exists():
        raise ExportUnavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a pinned requirement
        raise ExportUnavailable("Playwright for Python is not installed.") from exc
    host = base_url.split("//", 1)[-1].split("/", 1)[0].split(":")[0]
    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        def local_only(route) -> None:
            url = route.request.url
            if url.startswith(("data:", "blob:")) or url.split("/")[2].split(":")[0] == host:
                route.continue_()
            else:
                route.abort()

        context.route("**/*", local_only)
        page = context.new_page()
        page.set_default_timeout(timeout_s * 1000)
        for number in range(1, len(deck.slides) + 1):
            url = base_url.rstrip("/") + deck.slide_url(number) + ("&theme=dark" if theme == "dark" else "")
            page.goto(url)
            page.wait_for_selector(READY)
            page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
            page.wait_for_timeout(1200)  # let Plotly finish its transitions
            shots.append(page.screenshot(full_page=False))
        browser.close()
    return shots


def pngs_to_pdf(pngs: list[bytes]) -> bytes:
    from PIL import Image

    images = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=144)
    return out.getvalue()


def pngs_to_zip(pngs: list[bytes], deck_id: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i, png in enumerate(pngs, start=1):
            zf.writestr(f"{deck_id}-slide-{i:02d}.png", png)
    return out.getvalue()


def export_from_running_app(deck: Deck, theme: str = "light") -> tuple[bytes, bytes]:
    """Render against this Streamlit server (localhost, its own port): (pdf, zip of PNGs)."""
    import streamlit as st

    port = st.get_option("server.port")
    pngs = render_slides(f"http://127.0.0.1:{port}", deck, theme)
    return pngs_to_pdf(pngs), pngs_to_zip(pngs, deck.deck_id)


@contextmanager
def private_server(db: str | None = None):
    """A Streamlit server for the export, on a free localhost port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, **({"KDEFENSE_DB": db} if db else {})}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=settings.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export a briefing deck to PDF and PNG.")
    parser.add_argument("deck", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="PDF file to write")
    parser.add_argument("--png-dir", type=Path, help="also write one PNG per slide here")
    parser.add_argument("--base-url", help="a running dashboard (default: start a private one)")
    parser.add_argument("--theme", choices=["light", "dark"], default="light")
    args = parser.parse_args(argv)
    deck = parse_deck(args.deck.read_text(encoding="utf-8"), args.deck.stem)
    if args.base_url:
        pngs = render_slides(args.base_url, deck, args.theme)
    else:
        with private_server() as url:
            pngs = render_slides(url, deck, args.theme)
    args.out.write_bytes(pngs_to_pdf(pngs))
    if args.png_dir:
        args.png_dir.mkdir(parents=True, exist_ok=True)
        for i, png in enumerate(pngs, start=1):
            (args.png_dir / f"{deck.deck_id}-slide-{i:02d}.png").write_bytes(png)
    print(f"wrote {args.out} ({len(pngs)} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The export's own document server (kdefense/deck_export.py): the head (with plotly.js) is sent before the slides
are built, plotly.js is cacheable under its version, and nothing else of the disk is served."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request

import pytest

from kdefense import deck_export


def get(port: int, path: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), b""


def test_head_is_sent_before_the_body_is_ready():
    with deck_export.DocumentServer("<html><head><script src='/p.js'></script></head>", 10) as server:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(f"GET {deck_export.DOCUMENT_PATH} HTTP/1.0\r\n\r\n".encode())
        first = b""
        while b"</head>" not in first:
            first += sock.recv(65536)
        assert b"no-store" in first and b"<body>" not in first  # the browser loads plotly.js meanwhile
        threading.Timer(0.2, server.provide, ["<body>slides</body></html>"]).start()
        rest = b""
        while chunk := sock.recv(65536):
            rest += chunk
        assert rest.endswith(b"<body>slides</body></html>")
        sock.close()


def test_plotly_is_cacheable_and_nothing_else_is_served():
    with deck_export.DocumentServer("", 1) as server:
        status, headers, body = get(server.port, deck_export.PLOTLY_PATH)
        assert status == 200 and "immutable" in headers["Cache-Control"]
        assert body == deck_export.PLOTLY_JS.read_bytes()
        for path in ("/plotly.min.js", "/static/topojson/../../kdefense/settings.py", "/etc/passwd", "/"):
            assert get(server.port, path)[0] == 404, path


@pytest.mark.parametrize("taken", [False, True])
def test_a_kept_profile_is_used_only_when_free(tmp_path, taken):
    kept = tmp_path / "profile"
    with deck_export.browser_profile(kept) as first:
        assert first == kept
        if taken:
            with deck_export.browser_profile(kept) as second:  # another export holds it: a fresh one
                assert second != kept and second.exists()
    with deck_export.browser_profile(kept) as again:
        assert again == kept

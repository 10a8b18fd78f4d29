"""Shared bench plumbing: the registered pages, process memory, a local Streamlit server, medians and tables."""

from __future__ import annotations

import ast
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_SCRIPT = ROOT / "dashboard.py"
BASELINE_SCRIPT = ROOT / "bench" / "baseline_app.py"
SOURCES = ROOT / "data" / "sources"
PORTS = range(8620, 8700)  # this suite's servers stay on these localhost ports
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    # Outside hosts do not resolve, so nothing leaves the machine even without request interception (which would
    # route every request through Playwright and switch the HTTP cache off, slowing what is measured).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


def is_external(url: str) -> bool:
    """A request to anything but this machine (data: and blob: URLs stay in the page)."""
    if url.startswith(("data:", "blob:", "about:")):
        return False
    host = url.split("/")[2].split(":")[0] if "://" in url else ""
    return host not in ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class PageSpec:
    """One page registered with st.navigation in dashboard.py."""

    script: str  # relative to the repository root, e.g. "pages/overview.py"
    url_path: str
    title: str
    default: bool = False

    @property
    def name(self) -> str:
        return Path(self.script).stem

    @property
    def url(self) -> str:
        """Path part of the page's URL ('' for the default page)."""
        return "" if self.default else self.url_path


def registered_pages(script: Path = APP_SCRIPT) -> list[PageSpec]:
    """The pages dashboard.py registers (`st.Page("pages/x.py", ..., url_path="x")`), in navigation order.

    Read from the source so that a page added by a colleague is benchmarked without touching this suite.
    """
    tree = ast.parse(script.read_text())
    pages: list[PageSpec] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page"):
            continue
        if not node.args or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
            continue
        path = node.args[0].value
        kw = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
        stem = Path(path).stem
        pages.append(
            PageSpec(path, str(kw.get("url_path", stem)), str(kw.get("title", stem)), bool(kw.get("default", False)))
        )
    if pages and not any(p.default for p in pages):
        first = pages[0]
        pages[0] = PageSpec(first.script, first.url_path, first.title, True)
    if not pages:  # no st.navigation: fall back to the files
        pages = [
            PageSpec(str(p.relative_to(ROOT)), p.stem, p.stem, i == 0)
            for i, p in enumerate(sorted((ROOT / "pages").glob("*.py")))
        ]
    return pages


# ---------------------------------------------------------------- memory (no psutil: /proc)


def proc_status_mb(pid: int, field: str = "VmRSS") -> float:
    """A memory line of /proc/<pid>/status in MiB (VmRSS: resident now; VmHWM: peak resident)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/<pid>/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PeakWatcher:
    """Polls a child's VmHWM until it exits, so the peak survives the process."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid, self.interval, self.peak_mb = pid, interval, 0.0

    def poll(self) -> None:
        with suppress(OSError, KeyError):  # the process may just have exited
            self.peak_mb = max(self.peak_mb, proc_status_mb(self.pid, "VmHWM"))


def run_measured(
    cmd: Sequence[str], env: dict[str, str] | None = None, timeout: float = 3600, max_rss_mb: float | None = None
) -> dict:
    """Run a command; return its wall time, peak RSS, exit code and output tail.

    With max_rss_mb the command is killed once its resident memory passes the limit (the bench machine is shared;
    the result then says so instead of letting the kernel's OOM killer pick a victim).
    """
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watcher = PeakWatcher(proc.pid)
    out_chunks: list[str] = []
    reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True)
    reader.start()
    deadline = started + timeout
    killed = ""
    while proc.poll() is None:
        watcher.poll()
        if time.perf_counter() > deadline:
            killed = f"killed after the {timeout:.0f} s time limit"
        elif max_rss_mb and watcher.peak_mb > max_rss_mb:
            killed = f"killed at {watcher.peak_mb:,.0f} MB resident (limit {max_rss_mb:,.0f} MB)"
        if killed:
            proc.kill()
            proc.wait()
            break
        time.sleep(watcher.interval)
    reader.join(5)
    return {
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": watcher.peak_mb,
        "returncode": proc.returncode,
        "killed": killed,
        "output": "".join(out_chunks),
    }


# ---------------------------------------------------------------- server


def free_port() -> int:
    """A free localhost port in this suite's range (8620-8699)."""
    ports = list(PORTS)
    random.shuffle(ports)
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8620-8699")


@dataclass
class Server:
    url: str
    port: int
    proc: subprocess.Popen
    log: Path
    db: Path

    def rss_mb(self) -> float:
        return proc_status_mb(self.proc.pid)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def wait_healthy(url: str, timeout: float = 60) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


@contextmanager
def streamlit_server(
    db: Path,
    log: Path,
    script: Path = APP_SCRIPT,
    extra_env: dict[str, str] | None = None,
    port: int | None = None,
    cwd: Path = ROOT,
) -> Iterator[Server]:
    """`streamlit run <script>` on 127.0.0.1 with KDEFENSE_DB=<db>; stopped (by its own pid) on exit."""
    port = port or free_port()
    env = {**os.environ, "KDEFENSE_DB": str(db), **(extra_env or {})}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_healthy(url):
            raise RuntimeError(f"streamlit did not start on {url}; log: {log}")
        yield Server(url, port, proc, log, db)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# ---------------------------------------------------------------- numbers and tables


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: Sequence[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float | None) -> str:
    return "—" if seconds is None or seconds != seconds else f"{seconds * 1000:,.0f} ms"


def secs(seconds: float | None) -> str:
    return "—" if seconds is None or seconds != seconds else f"{seconds:,.2f} s"


def mb(value: float | None) -> str:
    return "—" if value is None or value != value else f"{value:,.0f} MB"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str | None = None) -> str:
    """A Markdown table (readable in a terminal and pasteable into bench/README.md)."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |"

    out = [f"\n### {title}\n"] if title else []
    out.append(line(cells[0]))
    out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    out.extend(line(r) for r in cells[1:])
    return "\n".join(out)


def verdict(value: float | None, limit: float) -> str:
    if value is None or value != value:
        return "—"
    return "ok" if value <= limit else "MISSED"

"""The SQL page's queries run in worker processes: lowered in priority when long, interrupted at the time limit,
killed soon after.

Why not in the server: a user's query is up to `seconds` of CPU-bound work. Run on the session's script thread, it
competed at the server's own priority with the event loop (which answers /_stcore/health and every session's
websocket) and with the other sessions' script threads; on 2 busy cores another session waited 2-4 s for its
page. In a worker process it cannot hold the server's GIL or memory, and it can be killed outright when DuckDB's
own interrupt does not stop it in time (a busy parser, an operator that never checks for interrupts).

Priority: each query runs on its own thread of the worker, which starts at the server's priority and is lowered
to nice 19 (KDEFENSE_SQL_NICE) once the query has run for `DEMOTE_AFTER` s. Short queries, nearly all of them,
answer at once even on a busy machine; a long one gets only the CPU that nothing else wants. (A whole worker at
nice 19 made every query, the 10 ms ones too, wait behind other programs' work: 1-2 s at load 3.) The worker's
start-up (imports, opening the file) also runs on a niced thread.

- `Pool`: at most `size` workers (KDEFENSE_SQL_WORKERS, default 2), each running one query at a time; a session
  waits for a free worker for at most `wait` seconds, then gets a "busy" message, so one user's queries can hold
  at most the pool, never the server. A killed worker is replaced at once, so the next query finds one warm; a
  query takes a worker that has finished starting before one still starting.
- The worker (`python -m kdefense.sqlworker`): reads one JSON request per line on stdin, answers with a JSON
  header line on stdout followed by the result as an Arrow IPC stream of `size` bytes. It keeps one locked-down
  engine (kdefense.sqlpage.connect) per database file version and exits when stdin closes (the server stopped).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kdefense import settings  # the worker imports duckdb, pandas and pyarrow on a niced thread (start-up)

if TYPE_CHECKING:
    from kdefense import sqlpage

READY = b"ready\n"
STARTUP_SECONDS = 60.0  # a cold worker on a loaded machine (imports duckdb, pandas, pyarrow at nice 19)
DEMOTE_AFTER = 0.2  # seconds a query runs at the server's priority before its thread is lowered to nice 19
KILL_GRACE_SECONDS = 2.0  # after the time limit, DuckDB's interrupt gets this long before the worker is killed


class WorkerLost(RuntimeError):
    """The worker died, or its answer could not be read; it has been killed."""


class WorkerLate(WorkerLost):
    """The worker did not answer in time; it has been killed."""


@dataclass(frozen=True)
class Request:
    sql: str
    path: str
    version: tuple[int, int]  # inode, mtime: a rebuilt file gets a fresh engine
    seconds: float
    rows: int
    chars: int
    memory: str
    max_bytes: int


# ---------------------------------------------------------------- the worker process


def _die_with_parent() -> None:
    """End this worker as soon as the server process is gone, even mid-query or after a SIGKILL of the server.

    (Not prctl(PR_SET_PDEATHSIG): that fires when the *thread* that started the worker ends, and workers are
    started from sessions' script threads, which end after every run.)
    """
    server = os.getppid()

    def watch() -> None:
        while os.getppid() == server:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="kdefense-sqlworker-parent-watch").start()


def _answer(out, result: sqlpage.Result, max_bytes: int) -> None:
    import pyarrow as pa

    from kdefense import sqlpage

    payload = b""
    if result.error is None and result.table is not None:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, result.table.schema) as writer:
            writer.write_table(result.table)
        payload = sink.getvalue().to_pybytes()
        if len(payload) > max_bytes:
            result, payload = sqlpage.Result(error=sqlpage.too_large(max_bytes), seconds=result.seconds), b""
    header = {"error": result.error, "truncated": result.truncated, "seconds": result.seconds, "size": len(payload)}
    out.write(json.dumps(header).encode() + b"\n" + payload)
    out.flush()


def _on_thread(work, demote_after: float | None, nice: int):
    """`work()` on a new thread, lowered to `nice` (that thread only) after `demote_after` s; its result."""
    box: dict = {}
    started = threading.Event()

    def target() -> None:
        box["tid"] = threading.get_native_id()
        started.set()
        box["result"] = work()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    started.wait()
    if demote_after is not None:
        thread.join(demote_after)
    if thread.is_alive():
        with contextlib.suppress(OSError):  # the thread may just have ended
            os.setpriority(os.PRIO_PROCESS, box["tid"], nice)
    thread.join()
    return box.get("result")


class Engines:
    """The worker's locked-down DuckDB instance for the current file version (a rebuilt file gets a fresh one)."""

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.engine: tuple | None = None

    def get(self, path: str, version: tuple[int, int], memory: str) -> tuple:
        from kdefense import sqlpage

        if self.key != (path, version, memory):
            if self.engine:
                self.engine[0].close()
            self.key = self.engine = None
            con = sqlpage.connect(path, memory)
            self.engine, self.key = (con, sqlpage.public_views(), sqlpage.catalog_names(con)), (path, version, memory)
        return self.engine

    def prepare(self) -> None:
        """Open the app's current file now, so the first query does not wait for it."""
        path = settings.db_path()
        with contextlib.suppress(Exception):
            stat = os.stat(path)
            self.get(path, (stat.st_ino, stat.st_mtime_ns), str(settings.sql_limits()["memory"]))


def _start_up(engines: Engines) -> None:
    import pyarrow.ipc  # noqa: F401

    from kdefense import sqlpage  # noqa: F401 — duckdb, pandas, pyarrow

    engines.prepare()


def _one(engines: Engines, req: Request) -> sqlpage.Result:
    from kdefense import sqlpage

    try:
        con, public, existing = engines.get(req.path, req.version, req.memory)
    except Exception as exc:  # noqa: BLE001 — a message for the page, never a traceback
        return sqlpage.Result(error=f"The database cannot be opened for SQL: {sqlpage.first_line(exc)}")
    return sqlpage.run(con, req.sql, public, existing, req.seconds, req.rows, req.chars, frame=False)


def serve(inp=None, out=None) -> None:
    """The worker's loop: one request in, one answer out, until stdin closes."""
    inp, out = inp or sys.stdin.buffer, out or sys.stdout.buffer
    nice = int(settings.sql_limits()["nice"])
    _die_with_parent()
    engines = Engines()
    _on_thread(lambda: _start_up(engines), None, nice)
    out.write(READY)
    out.flush()
    for line in inp:
        req = Request(**{k: tuple(v) if k == "version" else v for k, v in json.loads(line).items()})
        result = _on_thread(lambda r=req: _one(engines, r), DEMOTE_AFTER, nice)
        _answer(out, result, req.max_bytes)


# ---------------------------------------------------------------- the server side


class Worker:
    """One worker process and the buffered reading of its answers, each with a deadline."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kdefense.sqlworker"], cwd=settings.ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(settings.ROOT)},
        )
        # bytearray: appending a pipe's 64 KB reads to bytes copied the whole answer each time (quadratic), and
        # held the server's GIL for seconds on a result near the size cap (2.8 s of CPU for 20 MB)
        self.buffer = bytearray()
        self.ready = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        fd = self.proc.stdout.fileno()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise WorkerLate("no answer in time")
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise WorkerLost("the worker ended")
        self.buffer += chunk

    def _line(self, deadline: float) -> bytes:
        while b"\n" not in self.buffer:
            self._fill(deadline)
        end = self.buffer.index(b"\n")
        line = bytes(self.buffer[:end])
        del self.buffer[:end + 1]
        return line

    def _bytes(self, size: int, deadline: float) -> bytes:
        while len(self.buffer) < size:
            self._fill(deadline)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def wait_ready(self) -> None:
        if not self.ready:
            if self._line(time.monotonic() + STARTUP_SECONDS) + b"\n" != READY:
                raise WorkerLost("the worker did not start")
            self.ready = True

    def started(self) -> bool:
        """Whether the worker has finished starting (its "ready" line has come), without waiting for it."""
        if not self.ready and self.alive():
            fd = self.proc.stdout.fileno()
            if READY in self.buffer or select.select([fd], [], [], 0)[0]:
                try:
                    self.wait_ready()
                except (WorkerLost, OSError, ValueError):
                    self.kill()  # it died or spoke garbage: dropped by the pool
        return self.ready

    def ask(self, request: Request, kill_after: float) -> sqlpage.Result:
        """The worker's answer to `request`; WorkerLost (and the worker killed) if none within `kill_after` s."""
        import pyarrow as pa

        from kdefense import sqlpage

        try:
            self.wait_ready()
            deadline = time.monotonic() + kill_after
            self.proc.stdin.write(json.dumps(request.__dict__).encode() + b"\n")
            self.proc.stdin.flush()
            header = json.loads(self._line(deadline))
            payload = self._bytes(int(header["size"]), deadline)
        except WorkerLost:
            self.kill()
            raise
        except (OSError, ValueError) as exc:  # a broken pipe, a garbled answer
            self.kill()
            raise WorkerLost(str(exc)) from exc
        result = sqlpage.Result(error=header["error"], truncated=bool(header["truncated"]),
                                seconds=float(header["seconds"]))
        if payload:
            try:
                result.table = pa.ipc.open_stream(payload).read_all()
                result.frame = sqlpage.to_frame(result.table)
            except (pa.ArrowException, ValueError, TypeError) as exc:
                return sqlpage.Result(error=f"The result cannot be shown: {sqlpage.first_line(exc)}")
        return result

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                pipe.close()


class Pool:
    """At most `size` workers; a query takes an idle one (or a new one), a killed one is replaced at once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.slots = threading.BoundedSemaphore(size)
        self.idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        self.lock = threading.Lock()
        self.workers: list[Worker] = []

    def warm(self) -> None:
        """Start the workers now (their imports run at low priority while the page is read)."""
        with self.lock:
            self.workers = [w for w in self.workers if w.alive()]
            while len(self.workers) < self.size:
                self.idle.put(self._new())

    def _new(self) -> Worker:
        worker = Worker()
        self.workers.append(worker)
        return worker

    def _forget(self, worker: Worker) -> None:
        with self.lock:
            self.workers = [w for w in self.workers if w is not worker]

    def _take(self) -> Worker:
        """An idle worker that has started, else one still starting, else a new one (a slot is held, so at most
        `size` are busy). A started one first: a replacement starts at nice 19, and on a busy machine its imports
        take seconds, which a query that finds it on top of the idle stack would wait for."""
        with self.lock:
            idle: list[Worker] = []
            while True:
                try:
                    idle.append(self.idle.get_nowait())
                except queue.Empty:
                    break
            live = [w for w in idle if w.alive()]
            self.workers = [w for w in self.workers if w in live or w not in idle]
            chosen = next((w for w in live if w.started()), live[0] if live else None)
            for worker in reversed(live):  # the rest back, in their order (most recently used on top)
                if worker is not chosen and worker.alive():
                    self.idle.put(worker)
            return chosen if chosen is not None and chosen.alive() else self._new()

    def run(self, request: Request, wait: float, kill_after: float | None = None) -> sqlpage.Result:
        """`request` on a worker; a message (never an exception) when the pool stays busy or the worker is killed."""
        from kdefense import sqlpage

        started = time.perf_counter()
        if not self.slots.acquire(timeout=wait):
            return sqlpage.Result(error=sqlpage.busy(self.size), seconds=time.perf_counter() - started, retry=True)
        try:
            worker = self._take()
            try:
                result = worker.ask(request, request.seconds + KILL_GRACE_SECONDS if kill_after is None
                                    else kill_after)
            except WorkerLost as exc:
                self._forget(worker)
                with self.lock:
                    self.idle.put(self._new())  # warm a replacement now, not when the next user is waiting
                late = isinstance(exc, WorkerLate)
                return sqlpage.Result(error=sqlpage.stopped(request.seconds) if late else sqlpage.lost(),
                                      seconds=time.perf_counter() - started, retry=not late)
            self.idle.put(worker)
            return result
        finally:
            self.slots.release()

    def close(self) -> None:
        with self.lock:
            for worker in self.workers:
                worker.kill()
            self.workers = []


_POOL: Pool | None = None
_POOL_LOCK = threading.Lock()


def pool() -> Pool:
    """The server's one pool (created on first use; its workers end with the server)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = Pool(int(settings.sql_limits()["workers"]))
            atexit.register(_POOL.close)
        return _POOL


if __name__ == "__main__":
    serve()

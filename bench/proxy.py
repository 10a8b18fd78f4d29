"""A minimal TCP load balancer for tests: round robin per connection over several local replicas.

Balancing whole TCP connections keeps each Streamlit websocket (one session) on one replica for its lifetime,
which is the session affinity a real balancer gives with sticky sessions. Stopping a replica closes its
connections; the browser then reconnects through the proxy and lands on a replica that is still up.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections import Counter


class RoundRobinProxy:
    """Listens on 127.0.0.1:<port> and forwards each new connection to the next backend that accepts it."""

    def __init__(self, port: int, backends: list[int]) -> None:
        self.port, self.backends = port, backends
        self.active: Counter[int] = Counter()  # open connections per backend port
        self.served: Counter[int] = Counter()  # connections ever forwarded per backend port
        self.sessions: Counter[int] = Counter()  # open Streamlit websockets (/_stcore/stream) per backend port
        self._cycle = itertools.cycle(backends)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="proxy", daemon=True)

    def __enter__(self) -> RoundRobinProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("proxy did not start")
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            self._loop.set_exception_handler(lambda loop, context: None)  # cancelled pipes at shutdown are expected
            tasks = asyncio.all_tasks(self._loop)
            for task in tasks:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = await reader.read(65536)
        websocket = b"/_stcore/stream" in first.split(b"\r\n", 1)[0]
        for _ in range(len(self.backends)):
            port = next(self._cycle)
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue  # that replica is down: try the next one
            break
        else:
            writer.close()
            return
        self.active[port] += 1
        self.served[port] += 1
        self.sessions[port] += websocket
        try:
            up_writer.write(first)
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self.active[port] -= 1
            self.sessions[port] -= websocket


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(RuntimeError):  # the loop may be closing
            writer.close()

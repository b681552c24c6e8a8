"""A loopback TCP proxy that injects faults between laptops and the hub: connection resets
before a request reaches the hub, delayed answers, and answers dropped after the hub acted."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import threading
from dataclasses import dataclass, field


@dataclass
class FaultStats:
    connections: int = 0
    resets: int = 0
    delays: int = 0
    drops: int = 0
    errors: int = 0


@dataclass
class Faults:
    reset: float = 0.05  # per client->hub chunk: reset both sides before forwarding it
    drop: float = 0.08  # per hub->client chunk: reset instead of delivering the answer
    delay: float = 0.15  # per hub->client chunk: hold it up to max_delay_s
    max_delay_s: float = 0.15
    error503: float = 0.0  # per client->hub chunk: answer 503 without asking the hub


@dataclass
class FaultProxy:
    upstream_port: int
    seed: int = 0
    faults: Faults = field(default_factory=Faults)
    enabled: bool = True
    stats: FaultStats = field(default_factory=FaultStats)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self.port = 0

    # --- lifecycle ---

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the fault proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=30)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()

        async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            try:
                await self._handle(reader, writer)
            finally:
                tasks.discard(task)

        self._server = await asyncio.start_server(on_client, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        self._ready.set()
        async with self._server:
            await self._stop.wait()
            self._server.close()
            for t in list(tasks):
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    # --- faults ---

    def _roll(self, p: float) -> bool:
        return self.enabled and self._rng.random() < p

    @staticmethod
    def _reset(*writers: asyncio.StreamWriter) -> None:
        for w in writers:
            sock = w.get_extra_info("socket")
            if sock is not None:
                # SO_LINGER 0: close() sends RST, the peer sees "connection reset".
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            w.transport.abort()

    async def _handle(self, c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        try:
            u_reader, u_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            self._reset(c_writer)
            return

        async def up() -> None:
            while data := await c_reader.read(65536):
                if self._roll(self.faults.reset):
                    self.stats.resets += 1
                    self._reset(c_writer, u_writer)
                    return
                if self._roll(self.faults.error503):
                    self.stats.errors += 1
                    c_writer.write(
                        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                        b"Connection: close\r\n\r\n"
                    )
                    await c_writer.drain()
                    self._reset(u_writer)
                    c_writer.close()
                    return
                u_writer.write(data)
                await u_writer.drain()
            u_writer.close()

        async def down() -> None:
            while data := await u_reader.read(65536):
                if self._roll(self.faults.drop):
                    self.stats.drops += 1
                    self._reset(c_writer, u_writer)
                    return
                if self._roll(self.faults.delay):
                    self.stats.delays += 1
                    await asyncio.sleep(self._rng.uniform(0, self.faults.max_delay_s))
                c_writer.write(data)
                await c_writer.drain()
            c_writer.close()

        try:
            await asyncio.gather(up(), down())
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            self._reset(c_writer, u_writer)
        finally:
            for w in (c_writer, u_writer):
                if not w.is_closing():
                    w.close()

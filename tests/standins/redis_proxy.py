"""A TCP proxy in front of the real Redis that fails a chosen write the way a network does.

A transaction is one client write (MULTI, its commands and EXEC), so markers such as
(b"MULTI", b":ticket:open") pick out the write that commits a ticket (a write holding them all):
- `cut_at(markers, times)`: that write is not forwarded and the connection closes, `times` times
  (None: every time until `heal`), as when the network fails before Redis commits;
- `lose_reply_to(markers)`: that write reaches Redis, which commits it, but the connection closes
  before the reply comes back, as when the network fails after the commit.
Everything else passes through unchanged, and `writes` counts what the client sent: one write per
round trip, since redis-py sends a command or a whole pipeline at once and waits for the reply."""

from __future__ import annotations

import asyncio
import contextlib


class RedisFaultProxy:
    def __init__(self, upstream_port: int = 6379) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self.cuts = 0
        self.writes = 0
        self.lost_replies = 0
        self._cut: tuple[bytes, ...] | None = None
        self._cuts_left: int | None = 0
        self._lose: tuple[bytes, ...] | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def cut_at(self, markers: tuple[bytes, ...], times: int | None = 1) -> None:
        self._cut, self._cuts_left = markers, times

    def lose_reply_to(self, markers: tuple[bytes, ...]) -> None:
        self._lose = markers

    def heal(self) -> None:
        self._cut = self._lose = None

    async def start(self) -> RedisFaultProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        # Connections first: since Python 3.12 a server's wait_closed() waits for them too.
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        reply_lost = asyncio.Event()
        upward = asyncio.create_task(self._up(reader, up_writer, reply_lost))
        downward = asyncio.create_task(self._down(up_reader, writer, reply_lost))
        self._tasks |= {upward, downward}
        await asyncio.wait({upward, downward}, return_when=asyncio.FIRST_COMPLETED)
        for task in (upward, downward):
            task.cancel()
        for stream in (writer, up_writer):
            stream.close()
            with contextlib.suppress(Exception):
                await stream.wait_closed()
        self._tasks -= {upward, downward}

    async def _up(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, reply_lost: asyncio.Event
    ) -> None:
        while data := await reader.read(65536):
            if self._cut is not None and all(m in data for m in self._cut):
                self.cuts += 1
                if self._cuts_left is not None:
                    self._cuts_left -= 1
                    if self._cuts_left <= 0:
                        self._cut = None
                return  # dropped, and the connection closes
            self.writes += 1
            if self._lose is not None and all(m in data for m in self._lose):
                self._lose = None
                reply_lost.set()
            writer.write(data)
            await writer.drain()

    async def _down(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, reply_lost: asyncio.Event
    ) -> None:
        while data := await reader.read(65536):
            if reply_lost.is_set():
                self.lost_replies += 1
                return  # Redis committed; the client never hears of it
            writer.write(data)
            await writer.drain()

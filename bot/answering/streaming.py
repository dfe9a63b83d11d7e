"""Answers that reach the customer as they are written, without giving up any safety check.

The answerer releases text only in whole words that the output guard has passed (`Release`);
the engine hands them to the platform through an `AnswerStream` that it opens at the first
released words, and closes it with the final reply: `finish` when the streamed answer stands,
`abandon` when something else must be said instead (a hand-off, the extractive answer after an
outage, or an answer the guard refused once whole). Platforms that cannot stream get the whole
reply, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from bot.core.models import Reply
from bot.safety.guard import OutputGuard, UnsafeAnswer
from faq.models import FaqEntry

log = logging.getLogger(__name__)


class AnswerStream(Protocol):
    """One message on a platform that grows as the answer is written. `interval` is the fewest
    seconds between two appends the platform takes kindly (its rate limits)."""

    interval: float

    async def append(self, text: str) -> None: ...

    async def finish(self, reply: Reply) -> None:
        """The streamed answer stands: complete the message with `reply` (sources, buttons)."""
        ...

    async def abandon(self, replacement: Reply) -> None:
        """The streamed text must not stand: the message becomes `replacement`."""
        ...


# What the answerer hands out: the next guarded piece of the answer.
TextSink = Callable[[str], Awaitable[None]]


class StreamOpener:
    """How an adapter lets the core open a stream for one message (`IncomingMessage.open_stream`).

    It remembers the stream it opened, so the adapter knows the reply went out through it."""

    def __init__(self, open_stream: Callable[[], Awaitable[AnswerStream]]) -> None:
        self._open = open_stream
        self.stream: AnswerStream | None = None

    async def __call__(self) -> AnswerStream:
        self.stream = await self._open()
        return self.stream


class ReplyStream:
    """The engine's side of a stream: opened on the platform with the first released words, which
    go out at once; what follows is sent in batches, one every `interval` of the platform's.

    A platform error while streaming stops the appends, never the answer: the final reply still
    goes out through `finish` or `abandon`, which complete the message, or whole when no stream
    could be opened."""

    def __init__(
        self,
        opener: Callable[[], Awaitable[AnswerStream]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._opener = opener
        self._clock = clock
        self._stream: AnswerStream | None = None
        self._failed = False
        self._pending = ""
        self._sent_at = 0.0
        self._batch: asyncio.Task[None] | None = None
        self._sending = False
        self._closing = False

    @property
    def opened(self) -> bool:
        return self._stream is not None

    async def release(self, text: str) -> None:
        if self._failed or not text:
            return
        self._pending += text
        if self._stream is None:
            try:
                self._stream = await self._opener()
            except Exception:
                log.exception("could not start streaming the answer; it is sent whole")
                self._failed = True
                return
            await self._send()
        elif self._batch is None or self._batch.done():
            self._batch = asyncio.create_task(self._send_in_turn())

    async def _send_in_turn(self) -> None:
        assert self._stream is not None
        # Text released while a batch was on its way goes in the next one, unless the final
        # reply is about to say it all.
        while self._pending and not self._failed and not self._closing:
            await asyncio.sleep(max(0.0, self._sent_at + self._stream.interval - self._clock()))
            await self._send()

    async def _send(self) -> None:
        if self._stream is None or self._failed or not self._pending:
            return
        text, self._pending = self._pending, ""
        self._sending = True
        try:
            await self._stream.append(text)
        except Exception:
            log.exception("streaming the answer failed; the rest is sent whole")
            self._failed = True
        finally:
            self._sending = False
            self._sent_at = self._clock()

    async def close(self, reply: Reply, *, stands: bool) -> None:
        if self._stream is None:
            return
        self._closing = True
        batch = self._batch
        if batch is not None and not batch.done():
            # A batch on its way is let through (the platform has it or will); one still
            # waiting for its turn is dropped, its text being part of the final reply.
            if not self._sending:
                batch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await batch
        if stands:
            await self._stream.finish(reply)
        else:
            await self._stream.abandon(reply)


# What is released: whole words only (never half of a link, a number or an address), the first
# as soon as one is written, then at least this many characters more at a time, since each
# release runs the guard over the answer so far.
RELEASE_STEP_CHARS = 40


def whole_words(text: str) -> str:
    """`text` up to the end of its last complete word ("" while the first is being written)."""
    end = max(text.rfind(" "), text.rfind("\n"))
    return text[:end].rstrip() if end > 0 else ""


class Release:
    """Guards an answer as it is written and hands out what may be shown.

    Each time the answer so far has grown by enough whole words, everything up to them is checked
    by the output guard against the cited entries; only text that passed is handed out. A prefix
    the guard refuses is held (it may be a half-written list marker that the next words make
    harmless); the whole answer is checked again at the end, and refused then, the streamed text
    is replaced. When the guard's cleaning of a longer prefix rewrites text already handed out
    (a link completed by its last words), nothing more is streamed and the final reply puts it
    right."""

    def __init__(self, guard: OutputGuard, sink: TextSink) -> None:
        self.guard = guard
        self.sink = sink
        self.released = ""
        self._checked = ""
        self._diverged = False

    async def offer(self, answer_so_far: str, cited: Iterable[FaqEntry]) -> None:
        prefix = whole_words(answer_so_far)
        step = RELEASE_STEP_CHARS if self.released else 1
        if self._diverged or len(prefix) - len(self._checked) < step:
            return
        self._checked = prefix
        try:
            passed = self.guard.check(prefix, cited)
        except UnsafeAnswer as exc:
            log.info("held streamed text the guard refused: %s", exc)
            return
        if not passed.startswith(self.released):
            self._diverged = True
            return
        new = passed[len(self.released) :]
        if new:
            self.released = passed
            await self.sink(new)

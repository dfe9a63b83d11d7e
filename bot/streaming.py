"""Answers that reach the customer as they are written, without giving up any safety check.

The answerer releases text only in whole sentences that the output guard has passed (`Release`);
the engine hands them to the platform through an `AnswerStream` that it opens at the first
released words, and closes it with the final reply: `finish` when the streamed answer stands,
`abandon` when something else must be said instead (a hand-off, the extractive answer after an
outage, or an answer the guard refused once whole). Platforms that cannot stream get the whole
reply, as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from bot.guard import OutputGuard, UnsafeAnswer
from bot.models import Reply
from faq.models import FaqEntry

log = logging.getLogger(__name__)


class AnswerStream(Protocol):
    """One message on a platform that grows as the answer is written."""

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
    """The engine's side of a stream: opened on the platform at the first released words.

    A platform error while streaming stops the appends, never the answer: the final reply still
    goes out through `finish` or `abandon`, which complete the message, or whole when no stream
    could be opened."""

    def __init__(self, opener: Callable[[], Awaitable[AnswerStream]]) -> None:
        self._opener = opener
        self._stream: AnswerStream | None = None
        self._failed = False

    @property
    def opened(self) -> bool:
        return self._stream is not None

    async def release(self, text: str) -> None:
        if self._failed or not text:
            return
        try:
            if self._stream is None:
                self._stream = await self._opener()
            await self._stream.append(text)
        except Exception:
            log.exception("streaming the answer failed; the rest is sent whole")
            self._failed = True

    async def close(self, reply: Reply, *, stands: bool) -> None:
        if self._stream is None:
            return
        if stands:
            await self._stream.finish(reply)
        else:
            await self._stream.abandon(reply)


# Where a sentence may end: after . ! ? or … (and any closing quote, bracket or emphasis)
# followed by white space, or at a line break.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]*_]*(?=\s)|\n")
# "1. " opens a list item rather than ending a sentence.
_NUMBER_BEFORE = re.compile(r"(?:^|\s)\(?\d+$")


def complete_sentences(text: str) -> str:
    """`text` up to the end of its last complete sentence ("" when none is complete yet)."""
    end = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group() != "\n" and _NUMBER_BEFORE.search(text[: match.start()]):
            continue
        end = match.end()
    return text[:end].rstrip()


class Release:
    """Guards an answer as it is written and hands out what may be shown, sentence by sentence.

    Each time the answer so far has a new complete sentence, everything up to it is checked by the
    output guard against the cited entries; only text that passed is handed out. A prefix the
    guard refuses is held (it may be a half-written list marker that the next words make
    harmless); the whole answer is checked again at the end, and refused then, the streamed text
    is replaced. When the guard's cleaning of a longer prefix rewrites text already handed out,
    nothing more is streamed and the final reply puts it right."""

    def __init__(self, guard: OutputGuard, sink: TextSink) -> None:
        self.guard = guard
        self.sink = sink
        self.released = ""
        self._checked = ""
        self._diverged = False

    async def offer(self, answer_so_far: str, cited: Iterable[FaqEntry]) -> None:
        prefix = complete_sentences(answer_so_far)
        if self._diverged or len(prefix) <= len(self._checked):
            return
        self._checked = prefix
        try:
            passed = self.guard.check(prefix, cited)
        except UnsafeAnswer as exc:
            log.info("held a streamed sentence the guard refused: %s", exc)
            return
        if not passed.startswith(self.released):
            self._diverged = True
            return
        new = passed[len(self.released) :]
        if new:
            self.released = passed
            await self.sink(new)

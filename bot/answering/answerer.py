"""Turning retrieved FAQ entries into an answer: the extractive answerer, and the fallback rule."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.answering.streaming import TextSink
from bot.core.models import Turn
from faq.index import FaqIndex, Hit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerRequest:
    question: str
    language: str
    hits: list[Hit]
    history: Sequence[Turn]
    index: FaqIndex
    # Who asked: "customer", or "other" for someone else in the customer's thread.
    speaker: str = "customer"
    # Where an answerer that writes as it goes hands out the guarded text
    # (bot/answering/streaming.py); None: the answer is only needed whole.
    stream: TextSink | None = None


@dataclass(frozen=True)
class Usage:
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float = 0.0

    def as_counts(self) -> dict[str, float]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "cost_usd": self.cost_usd,
        }


@dataclass(frozen=True)
class Answer:
    """`answered` False means the FAQ does not answer the question: the core escalates."""

    text: str
    sources: tuple[str, ...]
    answered: bool
    mode: str
    usage: Usage | None = None
    fallback_reason: str | None = field(default=None)


class Answerer(Protocol):
    mode: str

    async def answer(self, request: AnswerRequest) -> Answer: ...


class AnswererUnavailable(Exception):
    """The answerer could not produce an answer this time (an LLM outage, a timeout, an answer
    that may not be sent). `usage` is what the attempt cost, when it got that far."""

    def __init__(self, reason: str, usage: Usage | None = None) -> None:
        super().__init__(reason)
        self.usage = usage


@dataclass
class ExtractiveAnswerer:
    """Replies with the best entry's answer, word for word, when retrieval is confident enough."""

    mode = "extractive"

    # None: the one calibrated with the index's search mode.
    threshold: float | None

    async def answer(self, request: AnswerRequest) -> Answer:
        threshold = (
            request.index.calibration_in(request.language).threshold
            if self.threshold is None
            else self.threshold
        )
        if not request.hits or request.hits[0].confidence < threshold:
            return Answer("", (), answered=False, mode=self.mode)
        best = request.hits[0].entry
        return Answer(best.answer, (best.id,), answered=True, mode=self.mode)


class FallbackAnswerer:
    """Uses `primary`; when it is unavailable, `fallback`, so the customer always gets a reply."""

    def __init__(self, primary: Answerer, fallback: Answerer) -> None:
        self.primary = primary
        self.fallback = fallback
        self.mode = primary.mode

    async def answer(self, request: AnswerRequest) -> Answer:
        try:
            return await self.primary.answer(request)
        except AnswererUnavailable as exc:
            log.warning("%s answerer unavailable (%s); answering extractively", self.mode, exc)
            answer = await self.fallback.answer(request)
            return Answer(
                answer.text,
                answer.sources,
                answer.answered,
                answer.mode,
                answer.usage or exc.usage,
                fallback_reason=str(exc),
            )

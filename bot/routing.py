"""The decision a question gets: small talk, a person, a clarifying choice, an answer, or none.

It is pure: no state is read or written, so `faqbot eval`, the pre-reload regression check and
the conversation engine all take exactly the same decision for the same question.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum

from bot.answerer import Answer, Answerer, AnswerRequest
from bot.intents import asks_for_human, small_talk
from bot.metrics import EXTRACTIVE, LLM, RETRIEVAL
from bot.store import Turn
from faq.index import FaqIndex, Hit


class RouteKind(StrEnum):
    SMALL_TALK = "small_talk"
    HUMAN = "human"
    CLARIFY = "clarify"
    ANSWER = "answer"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class RouterConfig:
    # None: the one calibrated with the index's search mode.
    threshold: float | None
    ambiguity_margin: float
    top_k: int


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    hits: tuple[Hit, ...] = ()
    answer: Answer | None = None
    talk: str | None = None
    # Seconds spent per stage ("retrieval", then "llm" or "extractive"), for metrics and eval.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def confidence(self) -> float:
        return self.hits[0].confidence if self.hits else 0.0

    @property
    def entry_ids(self) -> tuple[str, ...]:
        """The entries this route puts before the customer, most relevant first."""
        if self.kind is RouteKind.ANSWER and self.answer is not None:
            cited = self.answer.sources
            return cited + tuple(h.entry.id for h in self.hits if h.entry.id not in cited)
        if self.kind is RouteKind.CLARIFY:
            return tuple(h.entry.id for h in self.hits)
        return ()


class Router:
    """`fallback` answers without the LLM when `llm_allowed` is False (a spent budget)."""

    def __init__(self, answerer: Answerer, config: RouterConfig, fallback: Answerer) -> None:
        self.answerer = answerer
        self.config = config
        self.fallback = fallback

    def answerer_for(self, llm_allowed: bool) -> Answerer:
        return self.answerer if llm_allowed else self.fallback

    async def route(
        self,
        index: FaqIndex,
        text: str,
        language: str,
        history: list[Turn],
        *,
        llm_allowed: bool = True,
        speaker: str = "customer",
    ) -> Route:
        talk = small_talk(text)
        if talk is not None:
            return Route(RouteKind.SMALL_TALK, talk=talk)
        if asks_for_human(text):
            return Route(RouteKind.HUMAN)
        start = time.perf_counter()
        hits = tuple(index.search(text, self.config.top_k))
        timings = {RETRIEVAL: time.perf_counter() - start}
        if self._ambiguous(
            hits, index.threshold if self.config.threshold is None else self.config.threshold
        ):
            return Route(RouteKind.CLARIFY, hits[:2], timings=timings)
        answerer = self.answerer_for(llm_allowed)
        start = time.perf_counter()
        answer = await answerer.answer(
            AnswerRequest(text, language, list(hits), history, index, speaker)
        )
        timings[EXTRACTIVE if answerer.mode == EXTRACTIVE else LLM] = time.perf_counter() - start
        kind = RouteKind.ANSWER if answer.answered else RouteKind.ESCALATE
        return Route(kind, hits, answer, timings=timings)

    def _ambiguous(self, hits: tuple[Hit, ...], threshold: float) -> bool:
        if len(hits) < 2:
            return False
        first, second = hits[0], hits[1]
        margin = self.config.ambiguity_margin
        return (
            first.confidence >= threshold
            and second.confidence >= threshold
            and first.confidence - second.confidence <= margin
            and second.score >= first.score * (1 - margin)
        )

"""The decision a question gets: small talk, a person, a clarifying choice, an answer, or none.

It is pure: no state is read or written, so `faqbot eval`, the pre-reload regression check and
the conversation engine all take exactly the same decision for the same question.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.answering.answerer import Answer, Answerer, AnswerRequest
from bot.answering.streaming import TextSink
from bot.core.decisions import last_customer_question
from bot.core.handoff import asks_for_person
from bot.core.intents import (
    REACTION,
    announces_question,
    is_follow_up,
    names_a_person,
    small_talk,
)
from bot.core.language import SUPPORTED, detect_language, phrase
from bot.core.models import Turn
from bot.core.reactions import only_reacts
from faq.index import FaqIndex, Hit
from faq.models import FaqEntry

# Stages of a decision, timed for the latency histogram and `faqbot eval`.
RETRIEVAL = "retrieval"
LLM = "llm"
EXTRACTIVE = "extractive"
# At most this many entries suggested with a miss.
_SUGGESTED = 2
# An answer that a follow-up finds only with the message before it must hold this share of what
# the follow-up names itself: "and is there a pool?" after a question on towels names a pool,
# which the towels entry never mentions. Chosen on evals/dev's follow-ups (three batches, 270
# conversations, the three search modes together) as the bar that avoids the most wrong answers
# net of the right ones it costs: at 0.1, 20 right answers lost and 26 wrong ones avoided; at 0.2,
# 20 and 29; at 0.3, 25 and 29; at 0.4, 31 and 39. Paraphrases that share few words with the
# entry ("and if I pay for the whole year upfront?") are what any bar loses.
_FOLLOW_UP_HELD = 0.2


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
    # Without an LLM, the confidence from which an entry the bot is not sure enough to answer
    # with is suggested with its miss ("Maybe one of these helps"); above 1: never. None: the
    # one calibrated with the index's search mode.
    suggestion_threshold: float | None = None


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    hits: tuple[Hit, ...] = ()
    answer: Answer | None = None
    talk: str | None = None
    # A miss's entries worth suggesting, most likely first.
    suggestions: tuple[Hit, ...] = ()
    # Seconds spent per stage ("retrieval", then "llm" or "extractive"), for metrics and eval.
    timings: dict[str, float] = field(default_factory=dict)
    # A miss that announced a question rather than asked one ("I have a question about my
    # subscription"): the bot invites the question; it is no miss of the customer's, nor a gap.
    announced: bool = False

    @property
    def unanswered(self) -> bool:
        """A request for a person read from the message's meaning (bot/core/handoff.py) once the
        FAQ had no answer, which it carries; the patterns' requests are decided before any
        answer. It is still a gap in the FAQ."""
        return self.kind is RouteKind.HUMAN and self.answer is not None

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


@dataclass
class Router:
    """`fallback` answers without the LLM when `llm_allowed` is False (a spent budget)."""

    answerer: Answerer
    config: RouterConfig
    fallback: Answerer

    def answerer_for(self, llm_allowed: bool) -> Answerer:
        return self.answerer if llm_allowed else self.fallback

    async def route(
        self,
        index: FaqIndex,
        text: str,
        language: str,
        history: Sequence[Turn],
        *,
        llm_allowed: bool = True,
        after_answer: bool = False,
        speaker: str = "customer",
        writing: Callable[[], Awaitable[None]] | None = None,
        stream: TextSink | None = None,
    ) -> Route:
        """`writing` is awaited just before the LLM is asked to write the answer.
        `after_answer`: the message may only react to an answer just given (see
        `ConversationState.after_answer`; bot/core/reactions.py)."""
        talk = small_talk(text)
        if talk is not None:
            return Route(RouteKind.SMALL_TALK, talk=talk)
        if names_a_person(text):
            return Route(RouteKind.HUMAN)
        calibrated = index.calibration_in(language)
        threshold = calibrated.threshold if self.config.threshold is None else self.config.threshold
        answerer = self.answerer_for(llm_allowed)
        start = time.perf_counter()
        hits = self._search(
            index, text, language, history, threshold, extractive=answerer.mode == EXTRACTIVE
        )
        timings = {RETRIEVAL: time.perf_counter() - start}
        # The model reads the candidates itself and may ask the customer which one they mean,
        # in its own words; asking offline first would keep questions it can answer from it.
        if answerer.mode == EXTRACTIVE and self._ambiguous(hits, threshold):
            return Route(RouteKind.CLARIFY, hits[:2], timings=timings)
        if writing is not None and answerer.mode != EXTRACTIVE:
            await writing()
        start = time.perf_counter()
        answer = await answerer.answer(
            AnswerRequest(text, language, list(hits), history, index, speaker, stream)
        )
        timings[EXTRACTIVE if answerer.mode == EXTRACTIVE else LLM] = time.perf_counter() - start
        if answer.answered:
            # The answer just given, again, for words that tell how following it goes ("ok
            # scanning the QR code now" repeats the entry's words) would only repeat it. (The
            # history is read last: most messages ask something, which `only_reacts` sees first.)
            if after_answer and only_reacts(text, index.encoders) and _repeated(answer, history):
                return Route(RouteKind.SMALL_TALK, hits, answer, talk=REACTION, timings=timings)
            return Route(RouteKind.ANSWER, hits, answer, timings=timings)
        # A model that read the entries and found no answer in them is not second-guessed.
        likely = hits[:_SUGGESTED] if answer.mode == EXTRACTIVE else ()
        configured = self.config.suggestion_threshold
        bar = calibrated.suggestion if configured is None else configured
        suggestions = tuple(h for h in likely if h.confidence >= bar)
        # "I have a question about my subscription" has not asked yet: the bot invites the
        # question (with the entries its topic may be about) instead of reporting a miss. Not
        # twice in a row: another topic announced after an invitation is the miss it reads as,
        # and a reaction to an answer just given ("ok I'm having trouble with the settings page
        # now") is one.
        if (
            announces_question(text)
            and not _invited(history)
            and not (after_answer and only_reacts(text, index.encoders))
        ):
            return Route(
                RouteKind.ESCALATE,
                hits,
                answer,
                suggestions=suggestions,
                timings=timings,
                announced=True,
            )
        # Words no pattern knows may still ask for a person; with no answer to give, the bot
        # takes them at their meaning rather than offering one.
        if asks_for_person(text, index.encoders):
            return Route(RouteKind.HUMAN, hits, answer, timings=timings)
        # Nor is every miss a question: "ok I'm on the settings page now" only reacts.
        if after_answer and only_reacts(text, index.encoders):
            return Route(RouteKind.SMALL_TALK, hits, answer, talk=REACTION, timings=timings)
        return Route(RouteKind.ESCALATE, hits, answer, suggestions=suggestions, timings=timings)

    def _search(
        self,
        index: FaqIndex,
        text: str,
        language: str,
        history: Sequence[Turn],
        threshold: float,
        *,
        extractive: bool,
    ) -> tuple[Hit, ...]:
        """The hits for the question, read with the previous question when it is a follow-up
        ("and how long does that take?") that says too little on its own, or that its own
        words seem sure of only by its phrasing: after a question on refunds, "and how do I ask
        for it?" alone reads like "how do I turn on 2FA?", and read with it, it asks about
        refunds. The surer reading wins.

        Read together, the previous question's words can outweigh the follow-up's and bring
        back the entry it was answered with, whatever the follow-up moves on to. Without an LLM
        that entry answers only if it holds what the follow-up itself names; the model reads
        the whole conversation and decides for itself."""
        hits = tuple(index.search(text, self.config.top_k, language))
        if not is_follow_up(text):
            return hits
        # What it leans on is the last thing asked: "thanks!" or "ok" in between says nothing.
        previous = last_customer_question(history)
        if not previous:
            return hits
        joined = tuple(index.search(f"{previous} {text}", self.config.top_k, language))
        if not joined or joined[0].confidence <= (hits[0].confidence if hits else 0.0):
            return hits
        best = joined[0].entry
        # Words cannot say what an entry in another language holds: the search's reading stands.
        if extractive and joined[0].confidence >= threshold and _same_language(best, language):
            held = index.named_share(text, best)
            if held is not None and held < _FOLLOW_UP_HELD:
                return hits
        return joined

    def _ambiguous(self, hits: tuple[Hit, ...], threshold: float) -> bool:
        """Both plausible, and neither much likelier than the other. Closeness is measured in
        log-odds: near certainty, 0.999 against 0.99 is a clear preference, 0.6 against 0.59
        is not."""
        if len(hits) < 2:
            return False
        first, second = hits[0], hits[1]
        return (
            second.confidence >= threshold
            and _log_odds(first.confidence) - _log_odds(second.confidence)
            <= self.config.ambiguity_margin
        )


# How far back an answer counts as just given: a few exchanges of reactions.
_RECENT_TURNS = 8


def _repeated(answer: Answer, history: Sequence[Turn]) -> bool:
    """Whether the answer is word for word one of the bot's last few messages (reactions'
    replies may have come since)."""
    said = [turn.text for turn in history[-_RECENT_TURNS:] if turn.role == "bot"]
    return answer.text in said


def _invited(history: Sequence[Turn]) -> bool:
    """Whether the bot's last message invited the customer's question."""
    said = next((turn.text for turn in reversed(history) if turn.role == "bot"), "")
    return said.startswith(_INVITATIONS)


_INVITATIONS = tuple(phrase("announced", language) for language in SUPPORTED)


def _same_language(entry: FaqEntry, language: str) -> bool:
    return not language or detect_language(entry.answer, language) == language


def _log_odds(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))

"""What the bot says and remembers once a customer's words are understood: pure functions from a
route's result to a `Decision` (the reply, the conversation's state changes, the counters to
count), which the engine applies in the message's one commit (bot/engine/conversation.py).

Nothing here reads or writes anything, so each decision is tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.language import phrase
from bot.core.models import Action, MessageKind, Reply, Source
from bot.core.state import StateField, StateValue
from faq.index import FaqIndex, Hit


@dataclass(frozen=True)
class Decision:
    reply: Reply
    changes: Mapping[StateField, StateValue] = field(default_factory=dict)
    cleared: tuple[StateField, ...] = ()
    counters: tuple[str, ...] = ()  # the day's counters to count one more of
    answered_from: tuple[str, ...] = ()  # the FAQ entries an answer came from, counted apiece


def answer(
    index: FaqIndex, text: str, source_ids: tuple[str, ...], confidence: float, language: str
) -> Decision:
    """An answer from the FAQ, with its sources and the buttons to rate it or ask for a person.
    An answer ends a run of misses and any pending choice."""
    reply = Reply(
        text,
        sources=sources(index, source_ids),
        confidence=confidence,
        actions=(
            Action(MessageKind.FEEDBACK, "helpful", phrase("helpful", language)),
            Action(MessageKind.FEEDBACK, "not_helpful", phrase("not_helpful", language)),
            person_button(language),
        ),
    )
    return Decision(
        reply,
        cleared=(StateField.CHOICES, StateField.MISSED),
        counters=("answered",),
        answered_from=source_ids,
    )


def clarification(hits: list[Hit], language: str) -> Decision:
    """ "Which of these do you mean?" between entries that are each plausible; the numbers typed
    next pick from them (`pending_choice`)."""
    options = [hit.entry for hit in hits]
    lines = [phrase("clarify", language)]
    lines += [f"{n}. {entry.question}" for n, entry in enumerate(options, start=1)]
    reply = Reply(
        "\n".join(lines),
        sources=tuple(Source(e.id, e.question, e.links) for e in options),
        confidence=hits[0].confidence,
        actions=tuple(Action(MessageKind.CHOICE, e.id, e.question) for e in options),
    )
    return Decision(reply, changes={StateField.CHOICES: tuple(e.id for e in options)})


def no_answer(language: str, confidence: float) -> Decision:
    """The FAQ has no answer: say so and offer a person (a button, or typing yes); the customer
    may rephrase instead."""
    reply = Reply(
        phrase("no_answer", language),
        confidence=confidence,
        escalated=True,
        actions=(person_button(language),),
    )
    return Decision(reply)


def pending_choice(text: str, choices: tuple[str, ...]) -> str | None:
    """The entry id a customer picked by typing its number ("2", "2." or "2)") after a
    clarification, if that is what they typed."""
    typed = text.strip().rstrip(".)")
    if typed in {str(n) for n in range(1, len(choices) + 1)}:
        return choices[int(typed) - 1]
    return None


def sources(index: FaqIndex, ids: tuple[str, ...]) -> tuple[Source, ...]:
    """The entries an answer names, as the reply lists them (ids no longer in the FAQ left out)."""
    by_id = index.by_id
    return tuple(Source(i, by_id[i].question, by_id[i].links) for i in ids if i in by_id)


def person_button(language: str) -> Action:
    return Action(MessageKind.HUMAN, "human", phrase("human", language))

"""The engine's decisions as pure functions: what becomes of a message (`next_step`), what the
bot says and remembers once a question is routed (a `Decision`: the reply, the conversation's
state changes, the counters to count, which the engine applies in the message's one commit,
bot/engine/conversation.py), the ticket a hand-off opens, and whether a Yes or No to an offered
answer counts.

Nothing here reads or writes anything, so each decision is tested on its own.
"""

from __future__ import annotations

import enum
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field

from bot.core import intents
from bot.core.hours import BusinessHours
from bot.core.intents import DECLINE, GOODBYE, REACTION, accepts_offer
from bot.core.language import phrase, weekday
from bot.core.models import (
    Action,
    EscalationReason,
    IncomingMessage,
    MessageKind,
    Reply,
    Source,
    Ticket,
    TicketStatus,
    Turn,
)
from bot.core.state import ConversationState, StateField, StateValue
from faq.index import FaqIndex, Hit
from faq.models import FaqEntry


class Step(enum.StrEnum):
    """What becomes of a customer's message in a conversation the bot takes part in."""

    TOO_LONG = "too_long"  # refused whole rather than cut: the customer knows
    EMPTY = "empty"
    TO_AGENTS = "to_agents"  # a person handles the conversation: their words are passed on
    TO_HELD_TICKET = "to_held_ticket"  # the same, for a ticket that waits for Redis
    FEEDBACK = "feedback"
    PERSON = "person"  # a ticket opens
    PICK = "pick"  # the entry the customer picked is answered
    NO_SUCH_PICK = "no_such_pick"  # "the second one" with no second option in view
    ASK = "ask"  # the FAQ is searched


@dataclass(frozen=True)
class Next:
    step: Step
    entry_id: str = ""  # for PICK
    reason: EscalationReason = EscalationReason.ASKED  # for PERSON
    # The customer wrote in words (not a button): the language they wrote in is remembered.
    wrote: bool = False


def next_step(
    kind: MessageKind,
    text: str,
    state: ConversationState,
    *,
    held: bool,
    max_chars: int,
    entries: Container[str],
) -> Next:
    """The step for a question, a button or a rating, given the conversation's state (`ticket`:
    one a person handles now) and whether a ticket of it waits for Redis (`held`)."""
    if kind in (MessageKind.QUESTION, MessageKind.CHOICE) and text and (state.ticket or held):
        if len(text) > max_chars:
            return Next(Step.TOO_LONG)
        return Next(Step.TO_AGENTS if state.ticket else Step.TO_HELD_TICKET)
    if kind is MessageKind.FEEDBACK:
        return Next(Step.FEEDBACK)
    if kind is MessageKind.HUMAN:
        # After a miss, the button accepts the offer: the ticket is about the missing answer.
        return Next(Step.PERSON, reason=_after_miss(state))
    if kind is MessageKind.CHOICE and text in entries:
        return Next(Step.PICK, entry_id=text)
    if not text:
        return Next(Step.EMPTY)
    if len(text) > max_chars:
        return Next(Step.TOO_LONG)
    number = intents.picked_number(text)
    if number is not None:
        typed = _nth(state.choices, number)
        if typed is not None and typed in entries:
            return Next(Step.PICK, entry_id=typed, wrote=True)
        # Searched, "the second one" was a miss, a second one a ticket about it.
        return Next(Step.NO_SUCH_PICK, wrote=True)
    if state.missed and accepts_offer(text):
        # Like pressing the offer's button: the ticket is about the unanswered question.
        return Next(Step.PERSON, reason=EscalationReason.NO_ANSWER, wrote=True)
    return Next(Step.ASK, wrote=True)


def _after_miss(state: ConversationState) -> EscalationReason:
    return EscalationReason.NO_ANSWER if state.missed else EscalationReason.ASKED


@dataclass(frozen=True)
class Decision:
    reply: Reply
    changes: Mapping[StateField, StateValue] = field(default_factory=dict)
    cleared: tuple[StateField, ...] = ()
    counters: tuple[str, ...] = ()  # the day's counters to count one more of
    answered_from: tuple[str, ...] = ()  # the FAQ entries an answer came from, counted apiece


def answer(
    index: FaqIndex,
    question: str,
    text: str,
    source_ids: tuple[str, ...],
    confidence: float,
    language: str,
) -> Decision:
    """An answer from the FAQ to `question` ("" when the conversation's customer did not ask it),
    with its sources and the buttons to rate it or ask for a person. An answer ends any pending
    choice, and the customer's run of misses when it is theirs."""
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
        changes={StateField.ANSWERED: question} if question else {},
        cleared=(StateField.CHOICES, StateField.MISSED) if question else (StateField.CHOICES,),
        counters=("answered",),
        answered_from=source_ids,
    )


def clarification(hits: list[Hit], language: str) -> Decision:
    """ "Which of these do you mean?" between entries that are each plausible; the numbers typed
    next pick from them (`pending_choice`)."""
    options = [hit.entry for hit in hits]
    lines, choices = _numbered(options)
    reply = Reply(
        "\n".join([phrase("clarify", language), *lines]),
        sources=tuple(Source(e.id, e.question, e.links) for e in options),
        confidence=hits[0].confidence,
        actions=choices,
    )
    return Decision(
        reply,
        changes={StateField.CHOICES: tuple(e.id for e in options)},
        cleared=(StateField.ANSWERED,),
    )


def no_answer(
    language: str, confidence: float, suggestions: Sequence[Hit] = (), *, by_customer: bool = True
) -> Decision:
    """The FAQ has no answer: say so and offer a person (a button, or typing yes); the customer
    may rephrase instead, or pick one of the entries it may be about (a button, or its number),
    which is not an answer: the bot is not sure enough of them to say so. The question the
    customer was last answered is forgotten only when they are the one who was not answered."""
    forgotten = (StateField.ANSWERED,) if by_customer else ()
    if not suggestions:
        return _offering([phrase("no_answer", language)], (), [], language, confidence, forgotten)
    intro = "no_answer_suggest_one" if len(suggestions) == 1 else "no_answer_suggest"
    return _offering(
        [phrase(intro, language)],
        suggestions,
        [phrase("no_answer_else", language)],
        language,
        confidence,
        forgotten,
    )


def invitation(
    language: str, confidence: float, suggestions: Sequence[Hit] = (), *, by_customer: bool = True
) -> Decision:
    """A question announced with its topic and no sure answer for it ("I have a question about
    my subscription"): the bot asks for the question, with the entries the topic may be about
    to pick and a person a click away. It is no miss: the customer has not asked yet, and when
    they are the one announcing, a run of misses before it ends (and with it a "yes" to the
    offer it made: the person is a click away)."""
    said = [phrase("announced", language)]
    if suggestions:
        intro = "announced_suggest_one" if len(suggestions) == 1 else "announced_suggest"
        said.append(phrase(intro, language))
    ended = (StateField.MISSED,) if by_customer else ()
    return _offering(said, suggestions, [], language, confidence, ended)


def _offering(
    before: list[str],
    suggestions: Sequence[Hit],
    after: list[str],
    language: str,
    confidence: float,
    forgotten: tuple[StateField, ...],
) -> Decision:
    """A reply that does not answer: the suggested entries numbered between `before` and
    `after`, to pick, and the way to a person."""
    options = [hit.entry for hit in suggestions]
    lines, choices = _numbered(options)
    said = "\n".join([*before, *lines, *after])
    reply = Reply(
        said,
        confidence=confidence,
        escalated=True,
        actions=(*choices, person_button(language)),
    )
    if not options:
        # Numbers typed next are a new question, not a pick from a list no longer in view.
        return Decision(reply, cleared=(StateField.CHOICES, *forgotten))
    return Decision(
        reply, changes={StateField.CHOICES: tuple(e.id for e in options)}, cleared=forgotten
    )


def unhelpful(language: str) -> Reply:
    """The apology for a reply that did not help, with the way to a person."""
    return Reply(phrase(intents.UNHELPFUL, language), actions=(person_button(language),))


def small_talk(talk: str, language: str) -> Decision:
    """Chat answered as chat. A decline ("no", "non merci") or a goodbye ("no thanks", "bye")
    turns down what the bot offered: the offer of a person, and entries to pick. A reaction
    (bot/core/reactions.py) leaves the customer's run of misses as it was."""
    cleared = (StateField.MISSED, StateField.CHOICES) if talk in (DECLINE, GOODBYE) else ()
    # A reaction the model read may yet be a problem it took for one: a person is a click away.
    actions = (person_button(language),) if talk == REACTION else ()
    return Decision(Reply(phrase(talk, language), actions=actions), cleared=cleared)


def _numbered(options: Sequence[FaqEntry]) -> tuple[list[str], tuple[Action, ...]]:
    """Entries to pick from: as numbered lines (a number typed picks one) and as buttons."""
    lines = [f"{n}. {entry.question}" for n, entry in enumerate(options, start=1)]
    return lines, tuple(Action(MessageKind.CHOICE, e.id, e.question) for e in options)


def ticket_opened(ticket: Ticket, language: str, hours: BusinessHours | None, now: float) -> Reply:
    """The ticket's number, and outside business hours when a person will be back."""
    said = phrase("ticket_opened", language, ticket=ticket.id)
    if hours is not None and not hours.is_open(now):
        back = hours.next_opening(now)
        said += " " + phrase(
            "out_of_hours",
            language,
            day=weekday(back.weekday(), language),
            time=back.strftime("%H:%M"),
            zone=str(hours.timezone),
        )
    return Reply(said, escalated=True, ticket=ticket)


def new_ticket(
    message: IncomingMessage,
    text: str,
    history: Sequence[Turn],
    *,
    user_name: str,
    reason: EscalationReason,
    language: str,
    now: float,
) -> Ticket:
    """The ticket a hand-off opens (its id still to be given): the conversation so far and the
    words that asked for it, about `text` or else the customer's last question."""
    transcript = tuple((turn.role, turn.text) for turn in history)
    authors = tuple(turn.author for turn in history)
    if text:
        transcript += (("customer", text),)
        authors += (message.user_id,)
    return Ticket(
        id="",
        key=message.key,
        user_id=message.user_id,
        user_name=user_name,
        # Words that only react ("that's not what I asked") are not what the ticket is about.
        question=text
        if text and intents.small_talk(text) is None
        else last_customer_question(history),
        transcript=transcript,
        authors=authors,
        reason=reason.description,
        language=language,
        created_at=now,
        updated_at=now,
    )


def last_customer_question(history: Sequence[Turn]) -> str:
    """The customer's last message that was not small talk: "cool, thanks" typed between the
    offer of a person and the yes is not what the ticket is about."""
    said = [turn.text for turn in history if turn.role == "customer"]
    questions = (text for text in reversed(said) if intents.small_talk(text) is None)
    return next(questions, said[-1] if said else "")


def offer_refusal(
    answer: str, ticket: Ticket, message: IncomingMessage, *, offered: str | None
) -> str | None:
    """Why a Yes or No to an answer offered for `ticket` does not count (the phrase that says
    so), or None when it does: only its customer, in its conversation, while the offer stands."""
    if ticket.key != message.key or ticket.user_id != message.user_id:
        return "offer_not_yours"
    if (
        answer not in ("yes", "no")
        or offered != ticket.id
        or ticket.status is TicketStatus.RESOLVED
    ):
        return "offer_closed"
    return None


def pending_choice(text: str, choices: tuple[str, ...]) -> str | None:
    """The entry id a customer picked by typing its number ("2", "2." or "2)") or saying which
    ("the second one", "option 2", "la deuxième") after a clarification or a miss's
    suggestions, if that is what they typed."""
    number = intents.picked_number(text)
    return None if number is None else _nth(choices, number)


def _nth(choices: tuple[str, ...], number: int) -> str | None:
    return choices[number - 1] if number <= len(choices) else None


def sources(index: FaqIndex, ids: tuple[str, ...]) -> tuple[Source, ...]:
    """The entries an answer names, as the reply lists them (ids no longer in the FAQ left out)."""
    by_id = index.by_id
    return tuple(Source(i, by_id[i].question, by_id[i].links) for i in ids if i in by_id)


def person_button(language: str) -> Action:
    return Action(MessageKind.HUMAN, "human", phrase("human", language))

"""A conversation's state between messages: what the engine remembers about it, typed.

It is stored as a Redis hash of text fields (bot/state/store.py). Scripts name some fields
themselves: the ticket scripts in bot/state/tickets.py `ticket`, `opened_by` and `missed`, since
opening a ticket marks its conversation in the same step, and a message's load `customer`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal


class StateField(enum.StrEnum):
    TICKET = "ticket"  # the unresolved ticket a person handles in the conversation
    OPENED_BY = "opened_by"  # the request that opened it: a retried open finds its own ticket
    MISSED = "missed"  # questions left unanswered in a row
    NEGATIVES = "negatives"  # "not helpful" presses since the last ticket
    CHOICES = "choices"  # the entries last offered by "Which of these do you mean?"
    LANGUAGE = "language"  # the language the customer last wrote in
    CUSTOMER = "customer"  # the user id of whoever spoke first
    FORUM = "forum"  # the conversation is a support-forum post
    TITLED = "titled"  # the conversation has been given a title
    OFFER = "offer"  # the ticket whose answer, offered after a reload, awaits Yes or No
    # The question the bot's last reply answered from the FAQ: a typed "that's wrong" rates it.
    ANSWERED = "answered"


# What a field may be set to: text, a count, a flag or a list of ids.
StateValue = str | int | bool | tuple[str, ...]
# The fields counted one at a time, at once (`Store.bump_state`).
Counted = Literal[StateField.MISSED, StateField.NEGATIVES]


@dataclass(frozen=True)
class ConversationState:
    ticket: str | None = None
    missed: int = 0
    negatives: int = 0
    choices: tuple[str, ...] = ()
    language: str | None = None
    customer: str | None = None
    forum: bool = False
    titled: bool = False
    offer: str | None = None
    answered: str | None = None

    @property
    def after_answer(self) -> bool:
        """The customer was answered from the FAQ, and has not missed, been asked to choose or
        handed to a person since: what they say next may only react to that answer."""
        return bool(self.answered) and not self.missed and not self.choices

    @classmethod
    def read(cls, fields: Mapping[str, str]) -> ConversationState:
        """The state a hash holds; a field it lacks, or cannot parse, has its default."""
        choices = fields.get(StateField.CHOICES, "")
        return cls(
            ticket=fields.get(StateField.TICKET) or None,
            missed=_count(fields.get(StateField.MISSED)),
            negatives=_count(fields.get(StateField.NEGATIVES)),
            choices=tuple(i for i in choices.split(",") if i),
            language=fields.get(StateField.LANGUAGE) or None,
            customer=fields.get(StateField.CUSTOMER) or None,
            forum=fields.get(StateField.FORUM) == _TRUE,
            titled=fields.get(StateField.TITLED) == _TRUE,
            offer=fields.get(StateField.OFFER) or None,
            answered=fields.get(StateField.ANSWERED) or None,
        )


def state_fields(changes: Mapping[StateField, StateValue]) -> dict[str, str]:
    """Changes as the hash's text fields: lists comma-joined (FAQ ids hold no comma), flags 1/0."""
    return {field.value: _text(value) for field, value in changes.items()}


_TRUE = "1"


def _text(value: StateValue) -> str:
    if isinstance(value, bool):
        return _TRUE if value else "0"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def _count(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0

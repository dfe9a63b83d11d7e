"""The core's vocabulary: what adapters hand in, what the core hands back, and tickets."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.answering.streaming import AnswerStream

# Platforms whose users are customers; the terminal and `faqbot ask` are run by the operator.
CUSTOMER_PLATFORMS = ("slack", "discord")
ALL_PLATFORMS = (*CUSTOMER_PLATFORMS, "terminal", "cli")


@dataclass(frozen=True)
class ConversationKey:
    """A DM, a channel thread or a terminal session. `thread_id` is None outside threads."""

    platform: str
    workspace_id: str
    channel_id: str
    thread_id: str | None = None

    @cached_property
    def redis_key(self) -> str:
        return ":".join([self.platform, self.workspace_id, self.channel_id, self.thread_id or "-"])

    @classmethod
    def from_redis_key(cls, value: str) -> ConversationKey:
        platform, workspace_id, channel_id, thread_id = value.split(":", 3)
        return cls(platform, workspace_id, channel_id, None if thread_id == "-" else thread_id)


class MessageKind(enum.StrEnum):
    QUESTION = "question"
    FEEDBACK = "feedback"  # text is "helpful" or "not_helpful"
    CHOICE = "choice"  # text is the FAQ id the customer picked from a clarification
    HUMAN = "human"  # the "Talk to a person" button
    COMMAND = "command"  # an admin command, e.g. "reload" or "tickets"
    # The customer's answer to an answer offered for a waiting ticket: "yes:T-12" or "no:T-12".
    CONFIRM = "confirm"


@dataclass(frozen=True)
class Attachment:
    """A file that came with a message: its name, the size the platform reports, and a way to
    download it. `fetch(limit)` returns at most `limit + 1` bytes, so the core can tell a file
    over its limit without reading all of it."""

    name: str
    size: int | None
    fetch: Callable[[int], Awaitable[bytes]]


@dataclass(frozen=True)
class IncomingMessage:
    """One message as the core sees it: mentions stripped, markup normalised by the adapter.

    Adapters report platform facts (`mentioned`, `user_roles`, `platform_admin`); the core decides
    what they mean.
    """

    key: ConversationKey
    message_id: str
    user_id: str
    text: str
    user_name: str = ""
    is_direct: bool = False
    mentioned: bool = False
    kind: MessageKind = MessageKind.QUESTION
    user_roles: tuple[str, ...] = ()
    platform_admin: bool = False
    # Where a thread is a channel of its own (Discord), the channel it was started in.
    parent_channel_id: str | None = None
    # The platform names this conversation after its first question (a Slack assistant thread,
    # a Discord thread the bot starts): only then does the core give the reply a title.
    named: bool = False
    attachments: tuple[Attachment, ...] = ()
    # Called by the core just before the LLM writes the answer, the one slow part, so that the
    # platform shows it is at work (a status line, a reaction, Discord's typing indicator). An
    # answer from the FAQ is ready within milliseconds: showing work first would only delay it by
    # a platform call (and spend Slack's reactions.add rate limit).
    working: Callable[[], Awaitable[None]] | None = None
    # Asked by the core only when it needs the writer's name (a ticket, an agent's line), so
    # that a question answered from the FAQ waits on no profile lookup (Slack's users.info).
    lookup_name: Callable[[], Awaitable[str]] | None = None
    # Set by adapters that can show an answer as it is written: opens one growing message for
    # the reply to this message (bot/answering/streaming.py). The core opens it only for an LLM
    # answer.
    open_stream: Callable[[], Awaitable[AnswerStream]] | None = None


class DeskOp(enum.StrEnum):
    CLAIM = "claim"
    RESOLVE = "resolve"


@dataclass(frozen=True)
class DeskClick:
    """A Claim or Resolve click on a ticket's desk card, with what the platform knows of the one
    who clicked: where the click came from and whether they work in the desk channel (a member of
    it on Slack; able to read and write in it on Discord). The core decides what that allows."""

    op: DeskOp
    ticket_id: str
    platform: str
    user_id: str
    user_name: str
    channel_id: str
    in_desk: bool
    user_roles: tuple[str, ...] = ()
    platform_admin: bool = False


@dataclass(frozen=True)
class Action:
    """A button. Clicking it sends the core an IncomingMessage of `kind` with `value` as text."""

    kind: MessageKind
    value: str
    label: str


class TicketStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


class EscalationReason(enum.StrEnum):
    """Why a conversation went to a person: the value is the metric label, the description is
    what a ticket says."""

    NO_ANSWER = "no_answer"
    ASKED = "asked_for_person"
    FEEDBACK = "negative_feedback"

    @property
    def description(self) -> str:
        return _REASON_DESCRIPTIONS[self]


_REASON_DESCRIPTIONS = {
    EscalationReason.NO_ANSWER: "the FAQ has no answer",
    EscalationReason.ASKED: "the customer asked for a person",
    EscalationReason.FEEDBACK: "repeated negative feedback",
}


@dataclass(frozen=True)
class DeskRef:
    """Where a ticket's card lives in the desk; replies in its thread belong to the ticket."""

    key: ConversationKey
    message_id: str


@dataclass(frozen=True)
class Ticket:
    id: str
    key: ConversationKey
    user_id: str
    user_name: str
    question: str
    transcript: tuple[tuple[str, str], ...]  # (role, text), oldest first
    reason: str
    language: str
    status: TicketStatus = TicketStatus.OPEN
    claimed_by: str | None = None
    desk_ref: DeskRef | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    # Who wrote each transcript line, by position, so that erasing a person finds their words in
    # other people's tickets: a platform user id, "" for the bot, agents and older lines.
    authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """A FAQ entry an answer rests on, with what an adapter needs to show it."""

    id: str
    title: str
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    """What to say. An empty text with no actions means: say nothing."""

    text: str = ""
    sources: tuple[Source, ...] = ()
    confidence: float = 0.0
    escalated: bool = False
    ticket: Ticket | None = None
    actions: tuple[Action, ...] = ()
    # A short name for the conversation, given with the reply to its first question (redacted,
    # without mentions): where the platform names threads, this is the name.
    title: str = ""
    # The customer's question is settled (Helpful pressed, their ticket resolved) in a
    # conversation that is marked when settled (a Discord support-forum post).
    solved: bool = False

    @property
    def source_ids(self) -> list[str]:
        return [source.id for source in self.sources]

    @property
    def is_empty(self) -> bool:
        return not self.text and not self.actions


@dataclass(frozen=True)
class Turn:
    """One line of a conversation's history."""

    role: str  # "customer", "bot", "agent" or "other" (someone else in a shared thread)
    text: str
    at: float
    # The platform user who wrote a customer's or other participant's turn, so that erasing one
    # person in a shared thread removes their words only; "" for the bot and agents.
    author: str = ""

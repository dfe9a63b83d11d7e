"""The core's outbound side: sending to a conversation on its own, and the agents' desk.

Inbound (IncomingMessage -> Reply) and outbound are separate so that an agent's answer typed in the
Slack desk can reach a customer on Discord: the core looks up the output channel by platform.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.core.models import ConversationKey, DeskRef, Reply, Ticket


class OutputChannel(Protocol):
    platform: str

    async def send(self, key: ConversationKey, reply: Reply) -> None: ...


@runtime_checkable
class ScopedChannel(Protocol):
    """An output channel that reaches only some conversations of its platform: `faqbot chat`
    speaks in its own terminal session, not in every terminal's."""

    def reaches(self, key: ConversationKey) -> bool: ...


class Relay(Protocol):
    """Where a ticket change goes when this process cannot tell the customer or the desk card
    itself: to the running process that can (bot/desk/relay.py)."""

    async def publish(
        self, event: str, ticket: Ticket, reply: Reply | None, *, desk: bool
    ) -> None: ...


class Desk(Protocol):
    """Where tickets reach people: a Slack or Discord channel."""

    async def post_ticket(self, ticket: Ticket) -> DeskRef: ...

    async def post_customer_message(self, ticket: Ticket, text: str) -> None: ...

    async def ticket_changed(self, ticket: Ticket) -> None: ...

    async def post_note(self, ticket: Ticket, text: str) -> None:
        """Tell the desk something about a ticket (a reminder) where agents will see it."""
        ...


class CollectingOutputChannel:
    """Keeps what it is sent: the terminal's outbound side, and a fake for tests."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.sent: list[tuple[ConversationKey, Reply]] = []

    async def send(self, key: ConversationKey, reply: Reply) -> None:
        self.sent.append((key, reply))

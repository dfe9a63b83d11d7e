"""People who talk to the bot in tests: a customer in a conversation, an agent in the desk."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.core.models import ConversationKey, IncomingMessage, MessageKind, Reply
from bot.engine.conversation import ConversationEngine

_ids = itertools.count(1)


@dataclass
class Customer:
    engine: ConversationEngine
    key: ConversationKey = field(
        default_factory=lambda: ConversationKey("terminal", "local", f"c{next(_ids)}")
    )
    user_id: str = "U-alice"
    user_name: str = "Alice"
    is_direct: bool = True
    mentioned: bool = False
    # Writing where the platform names the conversation after its first question.
    named: bool = False

    async def send(self, text: str, kind: MessageKind = MessageKind.QUESTION) -> Reply:
        return await self.engine.handle(
            IncomingMessage(
                key=self.key,
                message_id=f"m{next(_ids)}",
                user_id=self.user_id,
                user_name=self.user_name,
                text=text,
                is_direct=self.is_direct,
                mentioned=self.mentioned,
                named=self.named,
                kind=kind,
            )
        )

    async def say(self, text: str) -> Reply:
        return await self.send(text)

    async def press(self, reply: Reply, value: str) -> Reply:
        """Click the button of `reply` whose value is `value`."""
        action = next(a for a in reply.actions if a.value == value)
        return await self.send(action.value, action.kind)

    async def miss(self, question: str) -> Reply:
        """Ask what the FAQ cannot answer: the bot says so and offers a person, no ticket yet
        (and may suggest entries it is unsure of)."""
        offer = await self.say(question)
        assert offer.escalated and offer.ticket is None, f"expected the offer of a person: {offer}"
        assert offer.sources == (), offer
        *suggested, person = [(a.kind, a.value) for a in offer.actions]
        assert person == (MessageKind.HUMAN, "human"), offer
        assert all(kind is MessageKind.CHOICE for kind, _ in suggested), offer
        return offer

    async def ask_for_a_person_after(self, question: str) -> Reply:
        """Ask what the FAQ cannot answer, then press "Talk to a person" on the bot's offer: the
        reply that opens the ticket for that question."""
        offer = await self.miss(question)
        return await self.press(offer, "human")


@dataclass
class Agent:
    """Someone in the desk who answers in a ticket's card thread."""

    engine: ConversationEngine
    user_id: str = "U-bob"
    user_name: str = "Bob"

    async def answer(self, ticket_id: str, text: str) -> Reply:
        ticket = await self.engine.tickets.get(ticket_id)
        assert ticket.desk_ref is not None, "the ticket has no card in the desk"
        return await self.engine.handle(
            IncomingMessage(
                key=ticket.desk_ref.key,
                message_id=f"a{next(_ids)}",
                user_id=self.user_id,
                user_name=self.user_name,
                text=text,
            )
        )

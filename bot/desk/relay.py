"""Ticket changes that the process making them cannot deliver, delivered by one that can.

A ticket resolved with `faqbot tickets resolve` from a shell, or claimed or answered by a replica
that does not run the customer's platform, cannot tell the customer (or update the desk card)
itself. The engine delivers what it reaches and hands the rest here: the change is announced on the
pub/sub channel `<prefix>:ticket-relay`, which every running bot follows (as it follows FAQ
versions, bot/knowledge/publishing.py). A process that reaches the conversation (or runs the desk
holding the card) claims the job with SET NX on a key per ticket, change and job, kept
`CLAIM_TTL_SECONDS`, and only the winner delivers: several replicas running the platform tell the
customer once.

Pub/sub keeps nothing: a change announced while no running process reaches the conversation is
not delivered later (the customer's conversation is still handed back to the bot, as the state is
in Redis). Without a shared Redis there is no relay and nothing changes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.core.models import Action, ConversationKey, MessageKind, Reply, Source, Ticket
from bot.engine.conversation import ConversationEngine
from bot.knowledge.subscription import follow_channel
from bot.state.store import text as as_text
from bot.state.tickets import TicketError

log = logging.getLogger(__name__)

# Long enough that every follower has seen the announcement; a claim only has to outlive that.
CLAIM_TTL_SECONDS = 24 * 3600
CUSTOMER = "customer"
DESK = "desk"


@dataclass(frozen=True)
class TicketChange:
    """One announced change: what the customer is told, and whether a desk card needs updating."""

    id: str  # unique per announcement
    event: str  # a TicketEvent value, or AGENT_REPLIED
    ticket_id: str
    key: ConversationKey  # the customer's conversation
    reply: Reply | None  # what the customer is told, if anything
    desk_key: ConversationKey | None  # where the card to update lives, if it needs one

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "event": self.event,
                "ticket": self.ticket_id,
                "key": self.key.redis_key,
                "reply": _reply_to_dict(self.reply) if self.reply is not None else None,
                "desk_key": self.desk_key.redis_key if self.desk_key is not None else None,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str) -> TicketChange:
        """Raises ValueError (or KeyError, TypeError) on a payload that is not a change."""
        data: dict[str, Any] = json.loads(raw)
        reply, desk_key = data["reply"], data["desk_key"]
        return cls(
            id=str(data["id"]),
            event=str(data["event"]),
            ticket_id=str(data["ticket"]),
            key=ConversationKey.from_redis_key(data["key"]),
            reply=_reply_from_dict(reply) if reply is not None else None,
            desk_key=ConversationKey.from_redis_key(desk_key) if desk_key is not None else None,
        )


@dataclass
class TicketRelay:
    """Announces the changes its engine cannot deliver, and delivers those it can."""

    engine: ConversationEngine
    redis: Redis
    prefix: str

    @property
    def channel(self) -> str:
        return f"{self.prefix}:ticket-relay"

    def _claim_key(self, change: TicketChange, job: str) -> str:
        return ":".join([self.prefix, "ticket-relay", change.ticket_id, change.id, job])

    # ---- the process that made the change

    async def publish(self, event: str, ticket: Ticket, reply: Reply | None, *, desk: bool) -> None:
        """Announce a change: `reply` for the customer, and with `desk` a card to update. A
        failure is logged; the change itself is already stored."""
        change = TicketChange(
            id=uuid.uuid4().hex,
            event=event,
            ticket_id=ticket.id,
            key=ticket.key,
            reply=reply,
            desk_key=ticket.desk_ref.key if desk and ticket.desk_ref is not None else None,
        )
        try:
            followers = await self.redis.publish(self.channel, change.to_json())
        except RedisError as exc:
            log.warning(
                "could not relay %s of %s (%s): the customer is not told",
                event,
                ticket.id,
                type(exc).__name__,
            )
            return
        if followers:
            log.info("%s of %s relayed to %d running bot(s)", event, ticket.id, followers)
        else:
            log.warning(
                "%s of %s: no running bot follows this Redis, so %s is not told",
                event,
                ticket.id,
                "the customer" if reply is not None else "the desk",
            )

    # ---- every running process

    async def follow(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Deliver announced changes until `stop` is set, reconnecting after Redis errors;
        `ready` is set once subscribed."""

        async def subscribed() -> None:
            if ready is not None:
                ready.set()

        await follow_channel(
            self.redis,
            self.channel,
            on_subscribed=subscribed,
            on_message=self._received,
            stop=stop,
            what="ticket relay channel",
        )

    async def _received(self, data: object) -> None:
        try:
            if not isinstance(data, bytes | str):
                raise TypeError(type(data).__name__)
            change = TicketChange.from_json(as_text(data))
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed ticket relay message: %.200r", data)
            return
        try:
            await self.deliver(change)
        except Exception:
            # One failed delivery never stops the follower.
            log.exception("could not deliver %s of %s", change.event, change.ticket_id)

    async def deliver(self, change: TicketChange) -> None:
        """Do the jobs of `change` this process can do, if no other process took them first."""
        engine = self.engine
        if (
            change.reply is not None
            and engine.reaches(change.key)
            and await self._claim(change, CUSTOMER)
        ):
            await engine.send(change.key, change.reply)
            log.info("told the customer of %s about %s", change.ticket_id, change.event)
        if (
            change.desk_key is not None
            and engine.desk is not None
            and engine.reaches(change.desk_key)
            and await self._claim(change, DESK)
        ):
            try:
                ticket = await engine.tickets.get(change.ticket_id)
            except TicketError:
                return  # erased since
            await engine.desk_changed(ticket)

    async def _claim(self, change: TicketChange, job: str) -> bool:
        """True for the one process that does this job; when Redis cannot say, this one does it
        (a rare double message beats silence)."""
        try:
            return bool(
                await self.redis.set(
                    self._claim_key(change, job), "1", nx=True, ex=CLAIM_TTL_SECONDS
                )
            )
        except RedisError as exc:
            log.warning(
                "could not claim %s of %s (%s); delivering anyway",
                job,
                change.ticket_id,
                type(exc).__name__,
            )
            return True


def _reply_to_dict(reply: Reply) -> dict[str, object]:
    return {
        "text": reply.text,
        "sources": [[s.id, s.title, list(s.links)] for s in reply.sources],
        "confidence": reply.confidence,
        "escalated": reply.escalated,
        "actions": [[a.kind.value, a.value, a.label] for a in reply.actions],
        "solved": reply.solved,
    }


def _reply_from_dict(data: dict[str, Any]) -> Reply:
    return Reply(
        text=str(data["text"]),
        sources=tuple(Source(i, title, tuple(links)) for i, title, links in data["sources"]),
        confidence=float(data["confidence"]),
        escalated=bool(data["escalated"]),
        actions=tuple(Action(MessageKind(k), v, label) for k, v, label in data["actions"]),
        # Absent from changes published by a process that predates it.
        solved=bool(data.get("solved", False)),
    )

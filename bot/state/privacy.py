"""What the bot tells a person about itself, and how it erases them on request.

Erasure reads the person's index (bot/state/user_index.py) instead of scanning the keyspace. The
index expires with the longest retention, and open tickets never expire, so erasure also looks
through the (short) list of unresolved tickets. What others wrote stays: in a thread or ticket
someone else shares, only the person's own words (and the bot's replies to them) go.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.core.language import phrase
from bot.core.models import CUSTOMER_PLATFORMS, ConversationKey, IncomingMessage
from bot.knowledge.drafts import DraftStore
from bot.knowledge.gaps import GapLog
from bot.state.store import SEEN, Forgotten, Store, current_unit, text, write
from bot.state.tickets import TicketError, TicketStore
from bot.state.user_index import UserIndex


@dataclass
class Erasure:
    platform: str
    user_id: str
    conversations: list[str] = field(default_factory=list)  # deleted whole
    tickets: list[str] = field(default_factory=list)  # theirs, deleted
    # Where others wrote too: only their turns (and the bot's replies to them) were removed.
    shared_conversations: list[str] = field(default_factory=list)
    others_tickets: list[str] = field(default_factory=list)
    gaps: int = 0  # the FAQ-gap log's records of their questions
    drafts: list[str] = field(default_factory=list)  # undecided FAQ drafts from their tickets
    known: bool = False  # the bot had met this person (their index existed)

    @property
    def found(self) -> bool:
        return bool(
            self.known
            or self.conversations
            or self.tickets
            or self.shared_conversations
            or self.others_tickets
        )

    def removed(self) -> list[str]:
        """What was removed, one phrase per kind of record, for the CLI and the dashboard."""
        parts = [
            f"{len(self.conversations)} conversation(s)",
            f"{len(self.tickets)} ticket(s)"
            + (f" ({', '.join(self.tickets)})" if self.tickets else ""),
        ]
        if self.shared_conversations or self.others_tickets:
            parts.append(
                f"their messages in {len(self.shared_conversations)} shared "
                f"conversation(s) and {len(self.others_tickets)} other ticket(s)"
                + (f" ({', '.join(self.others_tickets)})" if self.others_tickets else "")
            )
        if self.gaps:
            parts.append(f"{self.gaps} FAQ-gap record(s)")
        if self.drafts:
            parts.append(f"draft(s) {', '.join(self.drafts)}")
        return parts


@dataclass
class Privacy:
    redis: Redis
    _: KW_ONLY
    index: UserIndex
    store: Store
    tickets: TicketStore
    gaps: GapLog
    drafts: DraftStore
    notice_text: str  # PRIVACY_NOTICE: "auto", a text of the operator's, or "" for none
    ai_provider: str | None  # the LLM's provider, named by the built-in notice

    def notice(self, language: str) -> str:
        """The first-contact notice: the built-in one in `language` ("auto"), or the set text."""
        if self.notice_text != "auto":
            return self.notice_text
        if self.ai_provider is None:
            return phrase("privacy_notice_bot", language)
        return phrase("privacy_notice_ai", language, provider=self.ai_provider)

    def seen_name(self, platform: str, user_id: str) -> str:
        """Where the bot records having met this person, for `Store.load`."""
        return self.index.key(platform, user_id)

    async def first_contact(self, message: IncomingMessage) -> bool:
        """Record that this person takes part in this conversation; True the first time the bot
        meets them (or the first time since everything about them expired)."""
        platform, user_id = message.key.platform, message.user_id

        def queue(pipe: Pipeline) -> None:
            pipe.sadd(self.index.key(platform, user_id), SEEN)
            self.index.add(pipe, platform, user_id, f"conv:{message.key.redis_key}")

        unit = current_unit()
        if unit is not None and (platform, user_id) in unit.seen:
            first = not unit.seen[(platform, user_id)]
            unit.seen[(platform, user_id)] = True
            await write(self.redis, queue)
        else:
            async with self.redis.pipeline(transaction=True) as pipe:
                queue(pipe)
                added, *_ = await pipe.execute()
            first = bool(added)
        return platform in CUSTOMER_PLATFORMS and first

    async def took_part(self, message: IncomingMessage) -> None:
        """Record that this person wrote in this conversation while the bot stayed quiet (a ticket
        was open): erasing them must find their words there even once the ticket is gone."""
        platform, user_id = message.key.platform, message.user_id
        await write(
            self.redis,
            lambda pipe: self.index.add(pipe, platform, user_id, f"conv:{message.key.redis_key}"),
        )

    async def erase(self, user_id: str, platform: str) -> Erasure:
        """Delete this person's conversations (history, state, usage), tickets, FAQ-gap records,
        undecided FAQ drafts from their tickets, and index; remove their words from conversations
        and tickets they share with others."""
        erasure = Erasure(platform, user_id)
        name = self.index.key(platform, user_id)
        members = [text(m) for m in await self.redis.smembers(name)]
        conversations = {m.removeprefix("conv:") for m in members if m.startswith("conv:")}
        ticket_ids = {m.removeprefix("ticket:") for m in members if m.startswith("ticket:")}
        for unresolved in await self.tickets.list():
            if unresolved.key.platform == platform and user_id in (
                unresolved.user_id,
                *unresolved.authors,
            ):
                ticket_ids.add(unresolved.id)
        others: set[str] = set()  # tickets of other people they wrote in
        for ticket_id in sorted(ticket_ids, key=_ticket_order):
            try:
                ticket = await self.tickets.get(ticket_id)
            except TicketError:
                continue  # resolved and expired since
            conversations.add(ticket.key.redis_key)
            if ticket.user_id == user_id:
                await self.tickets.delete(ticket.id)
                erasure.tickets.append(ticket.id)
                continue
            others.add(ticket.id)
            if await self.tickets.forget_author(ticket.id, user_id):
                erasure.others_tickets.append(ticket.id)
        keys = [ConversationKey.from_redis_key(c) for c in sorted(conversations)]
        for key in keys:
            forgotten = await self.store.forget_person(key, user_id)
            if forgotten is Forgotten.WHOLE:
                erasure.conversations.append(key.redis_key)
            elif forgotten is Forgotten.THEIR_WORDS:
                erasure.shared_conversations.append(key.redis_key)
        erasure.gaps = await self.gaps.forget(keys)
        erasure.drafts = await self.drafts.forget_customer(platform, user_id, ticket_ids - others)
        erasure.known = bool(await self.redis.delete(name))
        return erasure


def _ticket_order(ticket_id: str) -> tuple[int, str]:
    number = ticket_id.removeprefix("T-")
    return (int(number), "") if number.isdigit() else (0, ticket_id)

"""Tickets in Redis. Ids come from a Redis counter and changes are optimistic transactions, so
several bot processes sharing one server never hand out the same id or both claim a ticket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import KW_ONLY, asdict, dataclass, replace
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import ClusterDownError, ConnectionError, TimeoutError, TryAgainError

from bot.core.models import ConversationKey, DeskRef, Ticket, TicketStatus
from bot.state.store import (
    Store,
    kept_without,
    on_cluster,
    send,
    tag,
    text,
    update_watched,
    write,
)
from bot.state.user_index import UserIndex

T = TypeVar("T")
log = logging.getLogger(__name__)

_MONTH = 31 * 24 * 3600
# A stored ticket keeps its most recent lines: the desk thread has every message, and the ticket,
# rewritten on every change, listed, shown and sent to webhooks, stays small however long the
# conversation runs (with lines of at most MAX_MESSAGE_CHARS).
TRANSCRIPT_MAX_LINES = 100
# The pause before the first retry of a step of opening a ticket while the connection drops or a
# cluster says it is down (doubled each time, within TicketStore.retry_seconds).
_FIRST_RETRY_SECONDS = 0.25
_TRANSIENT = (ConnectionError, TimeoutError, ClusterDownError, TryAgainError)

# On one server, opening a ticket is one script: unless the conversation (KEYS[1]) holds a
# ticket, number it (KEYS[2]), store it (ARGV[2] id ARGV[3], under the prefix KEYS[5]), list it
# (KEYS[3], KEYS[4]), name it in its people's indexes (KEYS[6..], kept ARGV[5] seconds) and mark
# the conversation (kept ARGV[4] seconds). ARGV[1], the request's token, makes a retried request
# find the ticket it opened. Returns the ticket's id and 1 if this request opened it. (The key
# built inside keeps it off a cluster, which takes the steps of `TicketStore.open` instead.)
_OPEN = """
local held = redis.call('HGET', KEYS[1], 'ticket')
if held then
  return {held, redis.call('HGET', KEYS[1], 'opened_by') == ARGV[1] and 1 or 0}
end
local number = redis.call('INCR', KEYS[2])
local id = 'T-' .. number
redis.call('SET', KEYS[5] .. id, ARGV[2] .. cjson.encode(id) .. ARGV[3])
redis.call('ZADD', KEYS[3], number, id)
redis.call('ZADD', KEYS[4], number, id)
for i = 6, #KEYS do
  redis.call('SADD', KEYS[i], 'ticket:' .. id)
  redis.call('EXPIRE', KEYS[i], ARGV[5])
end
redis.call('HSET', KEYS[1], 'ticket', id, 'opened_by', ARGV[1])
redis.call('HDEL', KEYS[1], 'missed')
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {id, 1}
"""

# The atomic decision of opening a ticket, on the conversation's hash (KEYS[1]) alone so that it
# stays within one slot of a cluster: unless the conversation holds a ticket, it now holds
# ARGV[2] (kept ARGV[3] seconds), opened by the request whose token is ARGV[1]; a retried request
# finds the ticket it opened by that token. Returns the held ticket's id and 1 if this request
# opened it.
_DECIDE = """
local held = redis.call('HGET', KEYS[1], 'ticket')
if held then
  return {held, redis.call('HGET', KEYS[1], 'opened_by') == ARGV[1] and 1 or 0}
end
redis.call('HSET', KEYS[1], 'ticket', ARGV[2], 'opened_by', ARGV[1])
redis.call('HDEL', KEYS[1], 'missed')
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {ARGV[2], 1}
"""

# Put the desk card's place (ARGV[2] for ARGV[1]) in the stored ticket (KEYS[1]), keeping its
# expiry and the lines added meanwhile.
_ATTACH_DESK = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local at, after = string.find(raw, ARGV[1], 1, true)
if at then
  local changed = string.sub(raw, 1, at - 1) .. ARGV[2] .. string.sub(raw, after + 1)
  redis.call('SET', KEYS[1], changed, 'KEEPTTL')
end
return 1
"""


class TicketError(Exception):
    """A ticket operation that cannot be done (unknown id, already resolved, ...)."""


def ticket_to_json(ticket: Ticket) -> str:
    data = asdict(ticket)
    data["key"] = ticket.key.redis_key
    data["desk_ref"] = _desk_ref_json(ticket.desk_ref) if ticket.desk_ref else None
    return json.dumps(data, ensure_ascii=False)


def _desk_ref_json(ref: DeskRef) -> dict[str, str]:
    return {"key": ref.key.redis_key, "message_id": ref.message_id}


def _json_field(name: str, value: object) -> str:
    """`"name": value` as `ticket_to_json` writes it. Inside a JSON string every quote is
    escaped, so this text is found in a stored ticket only as the field itself."""
    return json.dumps({name: value}, ensure_ascii=False)[1:-1]


def ticket_from_json(raw: str) -> Ticket:
    data: dict[str, Any] = json.loads(raw)
    desk = data.pop("desk_ref")
    return Ticket(
        **{
            **data,
            "key": ConversationKey.from_redis_key(data["key"]),
            "transcript": tuple((role, text) for role, text in data["transcript"]),
            "authors": tuple(data.get("authors", ())),
            "status": TicketStatus(data["status"]),
            "desk_ref": DeskRef(ConversationKey.from_redis_key(desk["key"]), desk["message_id"])
            if desk
            else None,
        }
    )


def transcript_lines(ticket: Ticket) -> list[tuple[str, str, str]]:
    """(role, text, author) for each line of the transcript; see `Ticket.authors`."""
    count = len(ticket.transcript)
    authors = (ticket.authors + ("",) * count)[:count]
    return [
        (role, said, author)
        for (role, said), author in zip(ticket.transcript, authors, strict=True)
    ]


def with_lines(ticket: Ticket, lines: Sequence[tuple[str, str, str]]) -> Ticket:
    """`ticket` with these (role, text, author) lines as its transcript, the most recent
    TRANSCRIPT_MAX_LINES of them."""
    kept = lines[-TRANSCRIPT_MAX_LINES:]
    return replace(
        ticket,
        transcript=tuple((role, said) for role, said, _ in kept),
        authors=tuple(author for _, _, author in kept),
    )


def with_line(ticket: Ticket, role: str, said: str, author: str) -> Ticket:
    return with_lines(ticket, [*transcript_lines(ticket), (role, said, author)])


@dataclass(eq=False)
class TicketStore:
    """`resolved_ttl` (seconds): how long a resolved ticket is kept; None keeps it for good.
    `user_index`, when given, records each ticket under its customer for erasure requests.
    `retry_seconds`: how long each step of opening a ticket pauses, in all, between retries of a
    Redis that drops the connection (one failing over answers again within seconds) before the
    engine holds the ticket itself."""

    redis: Redis
    prefix: str
    _: KW_ONLY
    resolved_ttl: int | None = None
    user_index: UserIndex | None = None
    clock: Callable[[], float] = time.time
    retry_seconds: float = 3.75

    def _key(self, *parts: str) -> str:
        return ":".join([self.prefix, "ticket", *parts])

    async def insert(self, new: Ticket) -> Ticket:
        """Store a new ticket under the next id (whatever id it had), with its desk card if any."""
        ticket = await self._numbered(new)
        await self._store_new(ticket)
        return ticket

    async def open(self, new: Ticket, conversations: Store) -> Ticket | str:
        """Store `new` under the next id and mark its conversation as holding it, unless the
        conversation holds a ticket already: then nothing stays stored and that ticket's id
        comes back. So concurrent hand-offs in one conversation, on any replica, open one
        ticket.

        On a cluster the conversation, the id counter, the ticket and its lists live in
        different slots, so no single script can do it all. The conversation's slot decides:
        take a number, then in one pipelined round trip mark the conversation as holding that
        ticket (atomically, unless it holds one; a request retried after its reply was lost
        finds its own ticket by its token) and store and list the ticket, which a lost race
        takes back. Every step is safe to repeat, and is repeated while the connection drops
        (a failing-over cluster answers again within seconds). A number taken by a request
        that lost the race is never used: a gap in the ids, never a second ticket."""
        stamped = with_lines(replace(new, updated_at=self.clock()), transcript_lines(new))
        token = uuid.uuid4().hex
        if not on_cluster(self.redis):
            return await self._open_in_one_step(stamped, conversations, token)
        number = await self._retried(lambda: self.redis.incr(self._key("seq")))
        ticket = replace(stamped, id=f"T-{number}")
        state = conversations.state_name(new.key)

        async def decide_and_store() -> tuple[str, int]:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.eval(_DECIDE, 1, state, token, ticket.id, conversations.history_ttl)
                self._queue_new(pipe, ticket)
                (held, ours), *_ = await pipe.execute()
            return text(held), int(ours)

        try:
            held, ours = await self._retried(decide_and_store)
        except _TRANSIENT:
            # The engine holds the ticket until Redis is back; what this number stored goes.
            with contextlib.suppress(*_TRANSIENT):
                await self._unstore(ticket)
            raise
        if not ours:
            try:
                await self._retried(lambda: self._unstore(ticket))
            except _TRANSIENT as exc:
                # The conversation's ticket stands: a leftover listing of this number is less
                # harm than raising, which would make the engine hold a second ticket.
                log.warning("ticket %s lost a race; taking it back failed (%s)", ticket.id, exc)
            return held
        return ticket

    async def _open_in_one_step(
        self, stamped: Ticket, conversations: Store, token: str
    ) -> Ticket | str:
        """`open` on one server: one script, so a failed or interrupted step stores nothing
        and the ids have no gaps."""
        # The id is numbered inside the script: the ticket goes in as JSON around a placeholder.
        placeholder = json.dumps(f"id-{uuid.uuid4().hex}")
        head, tail = ticket_to_json(replace(stamped, id=placeholder[1:-1])).split(placeholder)
        people = sorted({stamped.user_id, *stamped.authors} - {""}) if self.user_index else []
        keys = [
            conversations.state_name(stamped.key),
            self._key("seq"),
            self._key("all"),
            self._key("open"),
            self._key(""),
            *(self.user_index.key(stamped.key.platform, p) for p in people if self.user_index),
        ]
        ttl = self.user_index.ttl if self.user_index else 0
        args: list[str | int] = [token, head, tail, conversations.history_ttl, ttl]
        # Whether or not a dropped call ran, running it again with the same token is safe.
        ticket_id, ours = await self._retried(
            lambda: self.redis.eval(_OPEN, len(keys), *keys, *args)
        )
        return replace(stamped, id=text(ticket_id)) if int(ours) else text(ticket_id)

    async def _numbered(self, new: Ticket) -> Ticket:
        number = await self.redis.incr(self._key("seq"))
        capped = with_lines(new, transcript_lines(new))
        return replace(capped, id=f"T-{number}", updated_at=self.clock())

    async def _store_new(self, ticket: Ticket) -> None:
        await send(self.redis, [(None, lambda pipe: self._queue_new(pipe, ticket))])

    def _queue_new(self, pipe: Pipeline, ticket: Ticket) -> None:
        """Queue: store a numbered ticket, list it and index it; repeating it changes nothing."""
        number = int(ticket.id.removeprefix("T-"))
        pipe.set(self._key(ticket.id), ticket_to_json(ticket), nx=True)
        pipe.zadd(self._key("all"), {ticket.id: number})
        pipe.zadd(self._key("open"), {ticket.id: number})
        if ticket.desk_ref is not None:
            pipe.set(self.desk_name(ticket.desk_ref.key), ticket.id)
        self._index(pipe, ticket)

    async def _unstore(self, ticket: Ticket) -> None:
        """Take back what `_queue_new` stored for a number that did not become the ticket."""

        def queue(pipe: Pipeline) -> None:
            pipe.delete(self._key(ticket.id))
            pipe.zrem(self._key("all"), ticket.id)
            pipe.zrem(self._key("open"), ticket.id)
            if self.user_index is not None:
                for person in sorted({ticket.user_id, *ticket.authors} - {""}):
                    pipe.srem(
                        self.user_index.key(ticket.key.platform, person), f"ticket:{ticket.id}"
                    )

        await send(self.redis, [(None, queue)])

    def _index(self, pipe: Pipeline, ticket: Ticket) -> None:
        """Queue on `pipe`: name the ticket in the index of its customer and of everyone else
        whose words it carries. Open tickets never expire (erasure lists them); a resolved one
        is indexed again for as long as it is kept."""
        if self.user_index is None:
            return
        for person in sorted({ticket.user_id, *ticket.authors} - {""}):
            self.user_index.add(pipe, ticket.key.platform, person, f"ticket:{ticket.id}")

    async def get(self, ticket_id: str) -> Ticket:
        raw = await self.redis.get(self._key(ticket_id.upper()))
        if raw is None:
            raise TicketError(f"no ticket {ticket_id}")
        return ticket_from_json(text(raw))

    async def list(self, *, include_resolved: bool = False) -> list[Ticket]:
        """Unresolved tickets (or all of them), oldest first."""
        scope = self._key("all" if include_resolved else "open")
        ids = [str(i) for i in await self.redis.zrange(scope, 0, -1)]
        if not ids:
            return []
        # One GET each, pipelined: on a cluster the tickets live on different nodes.
        async with self.redis.pipeline(transaction=False) as pipe:
            for ticket_id in ids:
                pipe.get(self._key(ticket_id))
            raws = await pipe.execute()
        # Resolved tickets expire on their own; their index entries are dropped when seen.
        expired = [i for i, raw in zip(ids, raws, strict=True) if raw is None]
        if expired:
            await self.redis.zrem(self._key("all"), *expired)
            await self.redis.zrem(self._key("open"), *expired)
        return [ticket_from_json(text(raw)) for raw in raws if raw is not None]

    async def delete(self, ticket_id: str) -> Ticket | None:
        """Remove a ticket and every index entry naming it; None when there was no such ticket."""
        name = self._key(ticket_id.upper())
        raw = await self.redis.get(name)
        ticket = ticket_from_json(text(raw)) if raw is not None else None

        def queue(pipe: Pipeline) -> None:
            pipe.delete(name)
            pipe.zrem(self._key("all"), ticket_id.upper())
            pipe.zrem(self._key("open"), ticket_id.upper())
            pipe.delete(self._key("reminded", ticket_id.upper()))
            if ticket is not None and ticket.desk_ref is not None:
                pipe.delete(self.desk_name(ticket.desk_ref.key))

        await send(self.redis, [(None, queue)])
        return ticket

    async def update(self, ticket_id: str, change: Callable[[Ticket], Ticket]) -> Ticket:
        """Apply `change` atomically; it may raise TicketError to refuse."""

        def write(raw: str | None, pipe: Pipeline) -> Ticket:
            if raw is None:
                raise TicketError(f"no ticket {ticket_id}")
            ticket = replace(change(ticket_from_json(raw)), updated_at=self.clock())
            resolved = ticket.status is TicketStatus.RESOLVED
            pipe.set(name, ticket_to_json(ticket), ex=self.resolved_ttl if resolved else None)
            return ticket

        def after(ticket: Ticket, pipe: Pipeline) -> None:
            """A resolved ticket leaves the open list; its desk mapping and its people's
            indexes last as long as it is kept."""
            if ticket.status is not TicketStatus.RESOLVED:
                return
            pipe.zrem(self._key("open"), ticket.id)
            if self.resolved_ttl is not None and ticket.desk_ref is not None:
                pipe.expire(self.desk_name(ticket.desk_ref.key), self.resolved_ttl)
            self._index(pipe, ticket)

        name = self._key(ticket_id.upper())
        return await update_watched(self.redis, name, write, after)

    async def claim(self, ticket_id: str, agent: str) -> Ticket:
        def change(ticket: Ticket) -> Ticket:
            if ticket.status is TicketStatus.RESOLVED:
                raise TicketError(f"{ticket.id} is already resolved")
            if ticket.status is TicketStatus.CLAIMED and ticket.claimed_by != agent:
                raise TicketError(f"{ticket.id} is already claimed by {ticket.claimed_by}")
            return replace(ticket, status=TicketStatus.CLAIMED, claimed_by=agent)

        return await self.update(ticket_id, change)

    async def resolve(self, ticket_id: str, agent: str) -> Ticket:
        def change(ticket: Ticket) -> Ticket:
            if ticket.status is TicketStatus.RESOLVED:
                raise TicketError(f"{ticket.id} is already resolved")
            return replace(
                ticket, status=TicketStatus.RESOLVED, claimed_by=ticket.claimed_by or agent
            )

        return await self.update(ticket_id, change)

    async def add_to_transcript(
        self, ticket_id: str, role: str, text: str, author: str = ""
    ) -> Ticket:
        """`author`: the platform user who wrote a customer's or participant's line."""
        return await self.update(ticket_id, lambda t: with_line(t, role, text, author))

    async def forget_author(self, ticket_id: str, user_id: str) -> bool:
        """Remove what this person wrote in someone else's ticket, and the bot's replies to it;
        the ticket keeps its status and retention. False when they wrote nothing there."""
        name = self._key(ticket_id.upper())

        def write(raw: str | None, pipe: Pipeline) -> bool:
            if raw is None:
                return False
            ticket = ticket_from_json(raw)
            lines = transcript_lines(ticket)
            kept = kept_without(((role, author) for role, _, author in lines), user_id)
            if all(kept):
                return False
            remaining = [line for line, keep in zip(lines, kept, strict=True) if keep]
            pipe.set(name, ticket_to_json(with_lines(ticket, remaining)), keepttl=True)
            return True

        return await update_watched(self.redis, name, write)

    async def attach_desk(self, ticket: Ticket, ref: DeskRef) -> Ticket:
        """Map the card's thread to `ticket` and name the card in the stored ticket (keeping
        lines added meanwhile): two writes in two slots, both safe to repeat."""
        desk, name = self.desk_name(ref.key), self._key(ticket.id)
        absent, present = (
            _json_field("desk_ref", None),
            _json_field("desk_ref", _desk_ref_json(ref)),
        )

        def queue(pipe: Pipeline) -> None:
            pipe.set(desk, ticket.id)
            pipe.eval(_ATTACH_DESK, 1, name, absent, present)

        # At once, not with the message's commit: if that commit failed, the agents' replies in
        # the card's thread would reach nobody and the card could never be updated.
        await write(self.redis, queue, deferred=False)
        return replace(ticket, desk_ref=ref)

    async def mark_reminded(self, ticket_id: str) -> bool:
        """True the first time for a ticket, so only one process reminds the desk of it."""
        return bool(await self.redis.set(self._key("reminded", ticket_id), "1", nx=True, ex=_MONTH))

    async def unmark_reminded(self, ticket_id: str) -> None:
        await self.redis.delete(self._key("reminded", ticket_id))

    async def _retried(self, step: Callable[[], Awaitable[T]]) -> T:
        """Run a step that is safe to repeat, again while the connection drops, pausing at most
        `retry_seconds` in all."""
        pause, paused = _FIRST_RETRY_SECONDS, 0.0
        while True:
            try:
                return await step()
            except _TRANSIENT:
                left = self.retry_seconds - paused
                if left <= 0:
                    raise
            await asyncio.sleep(min(pause, left))
            paused, pause = paused + min(pause, left), pause * 2

    def desk_name(self, key: ConversationKey) -> str:
        """Where the ticket whose desk card thread is `key` is named, for `Store.load`: in
        that thread's slot, which the load's first step reads with its dedupe mark."""
        return self._key("desk", tag(key))

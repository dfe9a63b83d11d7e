"""Conversation state in Redis: history, per-conversation flags, event dedupe, counters, usage.

Every key starts with the configured prefix, so several bots (or a test) can share one server.
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from bot.models import ConversationKey

T = TypeVar("T")


async def update_watched(redis: Redis, name: str, write: Callable[[str | None, Pipeline], T]) -> T:
    """Read `name`, let `write` queue the new state on the transaction, and commit; start over
    when another process changed `name` in between, so concurrent updates never interleave.

    `write` gets the current value (None when missing) and may raise to refuse the change."""
    async with redis.pipeline(transaction=True) as pipe:
        while True:
            try:
                await pipe.watch(name)
                raw = await pipe.get(name)
                pipe.multi()  # type: ignore[no-untyped-call]
                result = write(None if raw is None else text(raw), pipe)
                await pipe.execute()
                return result
            except WatchError:
                continue


def text(value: bytes | str) -> str:
    """Redis values as text (clients are built with decode_responses, so this is for typing)."""
    return value.decode() if isinstance(value, bytes) else value


@dataclass(frozen=True)
class Turn:
    role: str  # "customer", "bot", "agent" or "other" (someone else in a shared thread)
    text: str
    at: float
    # The platform user who wrote a customer's or other participant's turn, so that erasing one
    # person in a shared thread removes their words only; "" for the bot and agents.
    author: str = ""


class Forgotten(enum.Enum):
    """What erasing a person did to one conversation."""

    NOTHING = "nothing"
    WHOLE = "whole"  # nobody else wrote there: history, state and usage deleted
    THEIR_WORDS = "their words"  # shared: their turns (and the bot's replies to them) removed


def kept_without(lines: Iterable[tuple[str, str]], user_id: str) -> list[bool]:
    """Which (role, author) lines stay when `user_id` is erased: not theirs, and not the bot's
    replies to them (a reply may repeat what they said)."""
    kept: list[bool] = []
    after_them = False
    for role, author in lines:
        after_them = author == user_id or (after_them and role == "bot")
        kept.append(not after_them)
    return kept


class Store:
    def __init__(
        self,
        redis: Redis,
        prefix: str,
        *,
        history_ttl: int,
        max_turns: int,
        dedupe_ttl: int,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self._history_ttl = history_ttl
        self._max_turns = max_turns
        self._dedupe_ttl = dedupe_ttl

    def key(self, *parts: str) -> str:
        return ":".join([self.prefix, *parts])

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    async def first_delivery(self, platform: str, event_id: str) -> bool:
        """True for the first process to see this event; redeliveries and replicas get False."""
        created = await self.redis.set(
            self.key("dedupe", platform, event_id), "1", nx=True, ex=self._dedupe_ttl
        )
        return bool(created)

    async def history(self, key: ConversationKey) -> list[Turn]:
        raw = await self.redis.lrange(self.key("hist", key.redis_key), 0, -1)
        return [Turn(**json.loads(item)) for item in raw]

    async def append(self, key: ConversationKey, *turns: tuple[str, str, str]) -> None:
        """Add (role, text, author) turns; see `Turn.author`."""
        name = self.key("hist", key.redis_key)
        now = time.time()
        async with self.redis.pipeline(transaction=True) as pipe:
            for role, said, author in turns:
                pipe.rpush(name, _dump(Turn(role, said, now, author)))
            pipe.ltrim(name, -self._max_turns, -1)
            pipe.expire(name, self._history_ttl)
            await pipe.execute()

    def state_name(self, key: ConversationKey) -> str:
        """The Redis hash of a conversation's state, for transactions that watch it."""
        return self.key("conv", key.redis_key)

    def mark_ticket(self, pipe: Pipeline, key: ConversationKey, ticket_id: str) -> None:
        """Queue on `pipe`: the conversation holds this ticket, and its run of misses ends."""
        name = self.state_name(key)
        pipe.hset(name, "ticket", ticket_id)
        pipe.hdel(name, "missed")
        pipe.expire(name, self._history_ttl)

    async def state(self, key: ConversationKey) -> dict[str, str]:
        raw = await self.redis.hgetall(self.key("conv", key.redis_key))
        return {text(name): text(value) for name, value in raw.items()}

    async def set_state(self, key: ConversationKey, values: Mapping[str, str | int]) -> None:
        name = self.key("conv", key.redis_key)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(name, mapping={k: str(v) for k, v in values.items()})
            pipe.expire(name, self._history_ttl)
            await pipe.execute()

    async def clear_state(self, key: ConversationKey, *fields: str) -> None:
        await self.redis.hdel(self.key("conv", key.redis_key), *fields)

    async def bump_state(self, key: ConversationKey, field: str) -> int:
        name = self.key("conv", key.redis_key)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(name, field, 1)
            pipe.expire(name, self._history_ttl)
            count, _ = await pipe.execute()
        return int(count)

    async def participant(self, key: ConversationKey, user_id: str) -> str:
        """The role of `user_id` here: "customer" for whoever spoke first, else "other"."""
        name = self.key("conv", key.redis_key)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(name, "customer", user_id)
            pipe.hget(name, "customer")
            pipe.expire(name, self._history_ttl)
            _, customer, _ = await pipe.execute()
        return "customer" if customer is None or text(customer) == user_id else "other"

    async def forget_person(self, key: ConversationKey, user_id: str) -> Forgotten:
        """Erase one person from a conversation: all of it when nobody else wrote there, else
        only their turns and the bot's replies to them, so the others' history, state and open
        ticket stay linked."""
        hist, conv = self.key("hist", key.redis_key), self.key("conv", key.redis_key)
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(hist, conv)
                    turns = [Turn(**json.loads(item)) for item in await pipe.lrange(hist, 0, -1)]
                    first = await pipe.hget(conv, "customer")
                    ttl = await pipe.pttl(hist)
                    customer = None if first is None else text(first)
                    people = {turn.author for turn in turns} | {customer or ""}
                    if not people - {"", user_id}:
                        pipe.multi()  # type: ignore[no-untyped-call]
                        pipe.delete(hist, conv, self.key("usage", key.redis_key))
                        (deleted,) = await pipe.execute()
                        return Forgotten.WHOLE if deleted else Forgotten.NOTHING
                    kept = kept_without(((t.role, t.author) for t in turns), user_id)
                    if all(kept) and customer != user_id:
                        return Forgotten.NOTHING
                    pipe.multi()  # type: ignore[no-untyped-call]
                    if customer == user_id:
                        # Whoever speaks next becomes the conversation's customer.
                        pipe.hdel(conv, "customer")
                    pipe.delete(hist)
                    remaining = [
                        _dump(turn) for turn, keep in zip(turns, kept, strict=True) if keep
                    ]
                    if remaining:
                        pipe.rpush(hist, *remaining)
                        pipe.pexpire(hist, ttl if ttl > 0 else self._history_ttl * 1000)
                    await pipe.execute()
                    return Forgotten.THEIR_WORDS
                except WatchError:
                    continue

    async def known(self, key: ConversationKey) -> bool:
        """Has the bot spoken in this conversation (so a follow-up needs no new mention)?"""
        return bool(await self.redis.exists(self.key("hist", key.redis_key)))

    async def count(self, name: str, amount: int = 1) -> None:
        await self.redis.hincrby(self.key("counters"), name, amount)

    async def counters(self) -> dict[str, int]:
        raw = await self.redis.hgetall(self.key("counters"))
        return {text(name): int(value) for name, value in raw.items()}

    async def add_usage(self, key: ConversationKey, usage: Mapping[str, float]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for scope in (self.key("usage", "total"), self.key("usage", key.redis_key)):
                for name, value in usage.items():
                    pipe.hincrbyfloat(scope, name, value)
            pipe.expire(self.key("usage", key.redis_key), self._history_ttl)
            await pipe.execute()

    async def usage(self, key: ConversationKey | None = None) -> dict[str, float]:
        scope = self.key("usage", key.redis_key if key else "total")
        raw = await self.redis.hgetall(scope)
        return {text(name): float(value) for name, value in raw.items()}


def _dump(turn: Turn) -> str:
    return json.dumps(asdict(turn))

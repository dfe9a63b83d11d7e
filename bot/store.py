"""Conversation state in Redis: history, per-conversation flags, event dedupe, counters, usage.

Every key starts with the configured prefix, so several bots (or a test) can share one server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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

    async def append(self, key: ConversationKey, *turns: tuple[str, str]) -> None:
        name = self.key("hist", key.redis_key)
        now = time.time()
        async with self.redis.pipeline(transaction=True) as pipe:
            for role, said in turns:
                pipe.rpush(name, json.dumps({"role": role, "text": said, "at": now}))
            pipe.ltrim(name, -self._max_turns, -1)
            pipe.expire(name, self._history_ttl)
            await pipe.execute()

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

    async def forget(self, key: ConversationKey) -> bool:
        """Delete a conversation's history, state and usage; False when nothing was stored."""
        names = [self.key(kind, key.redis_key) for kind in ("hist", "conv", "usage")]
        return bool(await self.redis.delete(*names))

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

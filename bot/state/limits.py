"""Rate limits per user and per channel, and a daily LLM budget per channel, counted in Redis.

Counters live in Redis so that every replica shares them. A "channel" is where a team talks to the
bot: a Slack channel, a Discord server (its guild id); Discord DMs count per DM channel.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from redis.asyncio import Redis

from bot.core.models import ConversationKey

WINDOW_SECONDS = 60
DAY_SECONDS = 24 * 3600


def channel_scope(key: ConversationKey) -> str:
    """The channel a rate limit or a budget counts for."""
    if key.platform == "discord" and key.workspace_id != "dm":
        return f"discord:{key.workspace_id}"
    return f"{key.platform}:{key.workspace_id}:{key.channel_id}"


class Verdict(StrEnum):
    ALLOWED = "allowed"
    # Over a limit: the first message of the window gets a polite notice, later ones silence.
    NOTIFY = "notify"
    SILENT = "silent"


@dataclass(frozen=True)
class RateLimits:
    user_per_minute: int
    channel_per_minute: int


@dataclass(eq=False)
class RateLimiter:
    """Fixed one-minute windows: one counter per scope and window, kept two windows."""

    redis: Redis
    prefix: str
    limits: RateLimits
    clock: Callable[[], float] = time.time

    @property
    def enabled(self) -> bool:
        return bool(self.limits.user_per_minute or self.limits.channel_per_minute)

    async def check(self, key: ConversationKey, user_id: str) -> tuple[Verdict, str | None]:
        """The verdict for one more message, and which scope ("user", "channel") was exceeded."""
        if not self.enabled:
            return Verdict.ALLOWED, None
        window = int(self.clock()) // WINDOW_SECONDS
        user = f"{key.platform}:{key.workspace_id}:{user_id}"
        scopes = [
            (name, limit, f"{self.prefix}:rate:{name}:{who}:{window}")
            for name, limit, who in (
                ("user", self.limits.user_per_minute, user),
                ("channel", self.limits.channel_per_minute, channel_scope(key)),
            )
            if limit
        ]
        # Pipelined, not one transaction: the user's and the channel's counters may live on
        # different nodes of a cluster. Each counter is created with its expiry before it is
        # counted, so none is left without one whatever fails in between.
        async with self.redis.pipeline(transaction=False) as pipe:
            for _, _, counter in scopes:
                pipe.set(counter, 0, nx=True, ex=2 * WINDOW_SECONDS)
                pipe.incr(counter)
            results = await pipe.execute()
        exceeded = next(
            (
                name
                for (name, limit, _), count in zip(scopes, results[1::2], strict=True)
                if int(count) > limit
            ),
            None,
        )
        if exceeded is None:
            return Verdict.ALLOWED, None
        notice = f"{self.prefix}:rate:notice:{user}:{window}"
        first = await self.redis.set(notice, "1", nx=True, ex=2 * WINDOW_SECONDS)
        return (Verdict.NOTIFY if first else Verdict.SILENT), exceeded


@dataclass(frozen=True)
class Reservation:
    """An LLM request's estimated cost, counted as spent from the day's `counter` until settled.

    `counter` is empty when nothing was counted (no budget set, or Redis was unavailable)."""

    counter: str = ""
    usd: float = 0.0


UNCOUNTED = Reservation()

# Check the day's spend and count one request's estimate in one step, so that concurrent questions
# cannot all see money left and all spend it: only the reservation that crosses the budget can
# overspend it, by at most one request.
_RESERVE = """
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
if spent >= tonumber(ARGV[1]) then return 0 end
redis.call('INCRBYFLOAT', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


class LlmBudget:
    """Estimated LLM spend per channel and UTC day, against a daily budget in US dollars.

    A request reserves `per_request_usd` (an upper estimate of one call) before the call and
    settles the real cost after it."""

    def __init__(
        self,
        redis: Redis,
        prefix: str,
        daily_usd: float,
        per_request_usd: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.daily_usd = daily_usd
        self.per_request_usd = per_request_usd
        self.clock = clock
        self._reserve = redis.register_script(_RESERVE)

    def _key(self, key: ConversationKey) -> str:
        day = datetime.fromtimestamp(self.clock(), UTC).date().isoformat()
        return f"{self.prefix}:spend:{channel_scope(key)}:{day}"

    async def reserve(self, key: ConversationKey) -> Reservation | None:
        """None when the channel's budget for the day is spent."""
        if not self.daily_usd:
            return UNCOUNTED
        counter = self._key(key)
        allowed = await self._reserve(
            keys=[counter], args=[self.daily_usd, self.per_request_usd, 2 * DAY_SECONDS]
        )
        return Reservation(counter, self.per_request_usd) if int(allowed) else None

    async def settle(self, reservation: Reservation, usd: float) -> None:
        """Replace the estimate with what the request cost (0 when it made no LLM call)."""
        if not reservation.counter or usd == reservation.usd:
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incrbyfloat(reservation.counter, usd - reservation.usd)
            pipe.expire(reservation.counter, 2 * DAY_SECONDS)
            await pipe.execute()


@dataclass(frozen=True)
class Limits:
    """What the engine consults before answering a customer."""

    rate: RateLimiter
    budget: LlmBudget

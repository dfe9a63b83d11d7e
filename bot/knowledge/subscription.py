"""Following a Redis pub/sub channel for as long as the process runs, through Redis outages.

FAQ version announcements and the ticket relay both need the same loop: subscribe, act on each
message, and after a Redis error wait (longer each time) and subscribe again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.state.cluster import ClusterClient

log = logging.getLogger(__name__)

RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)
FOLLOW_POLL_SECONDS = 0.2


async def follow_channel(
    redis: Redis,
    channel: str,
    *,
    on_subscribed: Callable[[], Awaitable[None]],
    on_message: Callable[[object], Awaitable[None]],
    stop: asyncio.Event,
    what: str,
) -> None:
    """Call `on_subscribed` after each (re)subscription and `on_message` with each message's
    data, until `stop` is set.

    It polls with a short read timeout instead of being cancelled: redis-py can swallow a
    cancellation that lands inside a blocking pub/sub read."""
    failures = 0
    while not stop.is_set():
        try:
            async with redis.pubsub() as pubsub:
                await pubsub.subscribe(channel)
                await on_subscribed()
                failures = 0
                while not stop.is_set():
                    message = await pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=FOLLOW_POLL_SECONDS
                    )
                    if message is not None:
                        await on_message(message.get("data"))
        except (RedisError, OSError) as exc:
            delay = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
            failures += 1
            log.warning("lost the %s (%s); retrying in %.1f s", what, type(exc).__name__, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            if isinstance(redis, ClusterClient):
                # The channel's node may have failed over: subscribe where its slot is now.
                with contextlib.suppress(RedisError, OSError):
                    await redis.rediscover()

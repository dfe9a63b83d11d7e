"""Keys written before Redis Cluster support, carried over once.

Cluster support (docs/scaling.md) gave a conversation's keys the hash tag `{<conversation>}` and
moved the FAQ's version list and history under `faq:{versions}`. What must survive the renaming
is carried over the first time an upgraded bot starts: the version list and history, and for
every open ticket its desk thread's mapping and, while it still names the ticket, its
conversation's state (the mark, the customer, an offer), so that the customer's words still
reach the agents and the agents' replies the customer. Conversations' history and other state
under the old names are left to expire with their TTLs. The old version list is the sign
that this has not run yet; it is deleted last, so an interrupted run is done again.
"""

from __future__ import annotations

import logging
from typing import cast

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.core.state import StateField
from bot.state.store import Store, send, tag, text
from bot.state.tickets import TicketStore

log = logging.getLogger(__name__)


async def carry_over(redis: Redis, prefix: str, tickets: TicketStore, store: Store) -> bool:
    """True when old keys were found and carried over."""
    old_versions, old_history = f"{prefix}:faq:versions", f"{prefix}:faq:history"
    if not await redis.exists(old_versions):
        return False
    versions = cast(
        list[tuple[str, float]], await redis.zrange(old_versions, 0, -1, withscores=True)
    )
    history = await redis.lrange(old_history, 0, -1)
    if versions:
        await redis.zadd(f"{prefix}:faq:{{versions}}", dict(versions), nx=True)
    if history and not await redis.exists(f"{prefix}:faq:{{versions}}:history"):
        await redis.rpush(f"{prefix}:faq:{{versions}}:history", *history)
    linked = 0
    for ticket in await tickets.list():
        if ticket.desk_ref is not None:
            await redis.set(tickets.desk_name(ticket.desk_ref.key), ticket.id)
        # The conversation's flags as the old version left them (its customer, an offer), but
        # only while they still name this ticket: a mark that expired stays expired.
        old = {
            text(field): text(value)
            for field, value in (
                await redis.hgetall(f"{prefix}:conv:{ticket.key.redis_key}")
            ).items()
        }
        if old.get(StateField.TICKET) != ticket.id:
            continue

        def queue(
            pipe: Pipeline, fields: dict[str, str] = old, name: str = store.state_name(ticket.key)
        ) -> None:
            for field, value in fields.items():
                pipe.hsetnx(name, field, value)
            pipe.expire(name, store.history_ttl)

        await send(redis, [(tag(ticket.key), queue)])
        linked += 1
    await redis.delete(old_versions, old_history)
    log.info(
        "carried over keys from before cluster support: %d FAQ version(s), %d open ticket(s)",
        len(versions),
        linked,
    )
    return True

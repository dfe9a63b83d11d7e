"""Tickets opened while Redis was unreachable: posted to the desk at once under a provisional id,
held in this process, and stored under a real id (the desk card updated) when Redis answers again.

No ticket is lost to a Redis outage as long as the process lives; the desk card is the durable
record meanwhile, and it says the ticket is not stored yet.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from redis.exceptions import RedisError

from bot.core.channels import Desk
from bot.core.models import ConversationKey, Ticket
from bot.core.state import StateField
from bot.state.store import Store
from bot.state.tickets import TicketStore, with_line

log = logging.getLogger(__name__)

PROVISIONAL_PREFIX = "P-"


def provisional_id() -> str:
    return PROVISIONAL_PREFIX + uuid.uuid4().hex[:8].upper()


class TicketOutbox:
    def __init__(self, tickets: TicketStore, store: Store) -> None:
        self.tickets = tickets
        self.store = store
        self._held: list[Ticket] = []
        self._lock = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._held)

    @property
    def held(self) -> tuple[Ticket, ...]:
        return tuple(self._held)

    def hold(self, ticket: Ticket) -> None:
        self._held.append(ticket)

    def held_for(self, key: ConversationKey) -> Ticket | None:
        return next((ticket for ticket in self._held if ticket.key == key), None)

    def add_to_transcript(self, ticket_id: str, role: str, said: str, author: str) -> Ticket:
        index = next(n for n, ticket in enumerate(self._held) if ticket.id == ticket_id)
        self._held[index] = with_line(self._held[index], role, said, author)
        return self._held[index]

    async def flush(self, desk: Desk | None) -> list[tuple[str, Ticket]]:
        """Store every held ticket; stops at the first Redis error and keeps the rest for later.

        Returns (provisional id, stored ticket) pairs."""
        stored: list[tuple[str, Ticket]] = []
        async with self._lock:
            while self._held:
                held = self._held[0]
                try:
                    ticket = await self.tickets.insert(held)
                except RedisError as exc:
                    log.warning("%d held ticket(s) wait for Redis (%s)", len(self), exc)
                    break
                self._held.pop(0)
                stored.append((held.id, ticket))
                log.info("held ticket %s stored as %s", held.id, ticket.id)
                try:
                    await self.store.set_state(ticket.key, {StateField.TICKET: ticket.id})
                except RedisError:
                    log.warning("ticket %s stored; its conversation is not marked yet", ticket.id)
                if desk is not None and ticket.desk_ref is not None:
                    try:
                        await desk.ticket_changed(ticket)
                    except Exception:
                        log.exception("could not show ticket %s's real id in the desk", ticket.id)
        return stored

"""Reminders in the desk for tickets nobody has claimed after `TICKET_REMINDER_MINUTES`, and the
periodic housekeeping `faqbot serve` runs: reminders, and storing tickets held in an outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from redis.exceptions import RedisError

from bot.core.channels import Desk
from bot.core.models import Ticket, TicketStatus
from bot.engine.conversation import ConversationEngine
from bot.state.tickets import TicketStore

log = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 30.0


def reminder_text(ticket: Ticket, waited_minutes: int) -> str:
    who = ticket.user_name or ticket.user_id
    return (
        f"Reminder: ticket {ticket.id} from {who} has waited {waited_minutes} minutes "
        "and nobody has claimed it yet."
    )


class TicketReminders:
    def __init__(
        self, tickets: TicketStore, *, after_minutes: int, clock: Callable[[], float]
    ) -> None:
        self.tickets = tickets
        self.after_seconds = after_minutes * 60
        self.clock = clock

    async def scan(self, desk: Desk | None) -> list[Ticket]:
        """Remind the desk, once per ticket (across replicas), of open tickets waiting too long."""
        if desk is None or self.after_seconds <= 0:
            return []
        now = self.clock()
        reminded: list[Ticket] = []
        for ticket in await self.tickets.list():
            waited = now - ticket.created_at
            if ticket.status is not TicketStatus.OPEN or waited < self.after_seconds:
                continue
            if not await self.tickets.mark_reminded(ticket.id):
                continue
            try:
                await desk.post_note(ticket, reminder_text(ticket, int(waited // 60)))
            except Exception:
                # Unmarked, so the next scan tries again.
                log.exception("could not post the reminder of ticket %s", ticket.id)
                await self.tickets.unmark_reminded(ticket.id)
                continue
            reminded.append(ticket)
        return reminded


async def run_housekeeping(
    engine: ConversationEngine,
    reminders: TicketReminders,
    stop: asyncio.Event,
    interval: float = HOUSEKEEPING_SECONDS,
) -> None:
    """Until `stop` is set: store held tickets once Redis answers, and post due reminders."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
        if stop.is_set():
            return
        try:
            if engine.outbox:
                await engine.flush_outbox()
            await reminders.scan(engine.desk)
        except RedisError as exc:
            log.warning("housekeeping waits for Redis (%s)", type(exc).__name__)
        except Exception:
            log.exception("housekeeping failed; trying again in %.0fs", interval)

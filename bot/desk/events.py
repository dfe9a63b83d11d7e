"""Who hears that a ticket was opened, claimed or resolved (an outgoing webhook, for one).

Listeners are told synchronously and must not block: one that does slow work (an HTTP call)
schedules it in the background. A failing listener never stops a ticket change.
"""

from __future__ import annotations

import enum
import logging
from typing import Protocol

from bot.core.models import Ticket

log = logging.getLogger(__name__)


class TicketEvent(enum.StrEnum):
    OPENED = "ticket.opened"
    CLAIMED = "ticket.claimed"
    RESOLVED = "ticket.resolved"


class TicketListener(Protocol):
    def ticket_event(self, event: TicketEvent, ticket: Ticket) -> None: ...


class TicketEvents:
    def __init__(self) -> None:
        self._listeners: list[TicketListener] = []

    def add(self, listener: TicketListener) -> None:
        self._listeners.append(listener)

    def emit(self, event: TicketEvent, ticket: Ticket) -> None:
        for listener in self._listeners:
            try:
                listener.ticket_event(event, ticket)
            except Exception:
                log.exception("ticket listener %r failed on %s", listener, event)

"""Tickets shared by several bot processes on one Redis: unique ids, one claim wins."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.app import App
from bot.models import ConversationKey, Ticket
from bot.tickets import TicketError
from tests.conftest import MakeApp


async def new_ticket(app: App, n: int) -> Ticket:
    return await app.tickets.insert(
        Ticket(
            id="",
            key=ConversationKey("slack", "T1", f"C{n}"),
            user_id=f"U{n}",
            user_name=f"user {n}",
            question=f"question {n}",
            transcript=(("customer", f"question {n}"),),
            reason="the FAQ has no answer",
            language="en",
            created_at=time.time(),
            updated_at=time.time(),
        )
    )


async def test_two_replicas_opening_tickets_at_once_never_share_an_id(make_app: MakeApp) -> None:
    first, second = make_app(), make_app()
    tickets = await asyncio.gather(
        *(new_ticket(app, n) for n in range(40) for app in (first, second))
    )
    assert len({t.id for t in tickets}) == 80
    assert len(await first.tickets.list()) == 80


async def test_only_one_of_two_agents_claiming_at_once_wins(make_app: MakeApp) -> None:
    first, second = make_app(), make_app()
    ticket = await new_ticket(first, 1)
    results = await asyncio.gather(
        first.tickets.claim(ticket.id, "ana"),
        second.tickets.claim(ticket.id, "ben"),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, TicketError)]
    assert len(winners) == 1 and len(losers) == 1
    assert "already claimed" in str(losers[0])
    assert (await second.tickets.get(ticket.id)).claimed_by == winners[0].claimed_by


async def test_resolved_tickets_leave_the_open_list_but_stay_readable(make_app: MakeApp) -> None:
    app = make_app()
    ticket = await new_ticket(app, 1)
    await app.tickets.resolve(ticket.id, "ana")
    assert await app.tickets.list() == []
    assert [t.id for t in await app.tickets.list(include_resolved=True)] == [ticket.id]
    with pytest.raises(TicketError, match="already resolved"):
        await app.tickets.resolve(ticket.id, "ana")
    with pytest.raises(TicketError, match="no ticket T-999"):
        await app.tickets.get("T-999")

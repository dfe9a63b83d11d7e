"""Tickets shared by several bot processes on one Redis: unique ids, one claim wins, and a size
that stays bounded however much is written into them."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis

from bot.core.channels import CollectingOutputChannel
from bot.core.models import ConversationKey, DeskRef, Ticket, TicketStatus
from bot.runtime.app import App
from bot.state.tickets import TRANSCRIPT_MAX_LINES, TicketError
from tests.conftest import MakeApp
from tests.people import Agent, Customer
from tests.test_conversation import RecordingDesk


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


async def test_a_desk_card_attached_late_keeps_what_the_customer_said_meanwhile(
    make_app: MakeApp,
) -> None:
    app = make_app()
    ticket = await new_ticket(app, 1)
    # The customer writes again while the card is being posted; a tricky line, quoting the field.
    said = 'and "desk_ref": null, "status": "resolved"'
    await app.tickets.add_to_transcript(ticket.id, "customer", said, "U1")
    card = DeskRef(ConversationKey("desk", "W1", "DESK", "card-1"), "card-1")
    await app.tickets.attach_desk(ticket, card)
    stored = await app.tickets.get(ticket.id)
    assert stored.desk_ref == card and stored.status is TicketStatus.OPEN
    assert stored.transcript[-1] == ("customer", said)
    # A reply in the card's thread finds the ticket.
    assert await app.redis.get(app.tickets.desk_name(card.key)) == ticket.id


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


async def test_a_ticket_keeps_its_most_recent_messages_however_many_arrive(
    make_app: MakeApp,
) -> None:
    app = make_app()
    app.engine.set_desk(RecordingDesk())
    customer = Customer(app.engine)
    ticket = (await customer.say("I want to talk to a human")).ticket
    assert ticket is not None
    longest = "x" * (app.settings.MAX_MESSAGE_CHARS - 4)
    for n in range(TRANSCRIPT_MAX_LINES + 50):
        assert (await customer.say(f"{n:03} {longest}")).is_empty  # passed on, bot quiet
    kept = (await app.tickets.get(ticket.id)).transcript
    assert len(kept) == TRANSCRIPT_MAX_LINES
    assert kept[0] == ("customer", f"050 {longest}") and kept[-1][1].startswith("149 ")
    raw = await app.redis.get(f"{app.settings.REDIS_PREFIX}:ticket:{ticket.id}")
    assert len(raw) < TRANSCRIPT_MAX_LINES * (app.settings.MAX_MESSAGE_CHARS + 100)


async def test_a_message_too_long_for_a_ticket_is_refused_with_a_clear_answer_and_kept_nowhere(
    make_app: MakeApp,
) -> None:
    app = make_app()
    desk = RecordingDesk()
    app.engine.set_desk(desk)
    customers = CollectingOutputChannel("terminal")
    app.engine.register_channel(customers)
    customer = Customer(app.engine)
    ticket = (await customer.say("I want to talk to a human")).ticket
    assert ticket is not None
    before = await app.tickets.get(ticket.id)

    pasted = "0123456789" * 4000
    refused = await customer.say(pasted)
    assert refused.text == (
        "That message is too long for me (40,000 characters). Please send your question in "
        "under 4,000 characters."
    )
    refused = await Agent(app.engine, user_name="Ana").answer(ticket.id, pasted)
    assert refused.text == (
        "This message is too long (40,000 characters; the limit is 4,000); "
        "it was not sent to the customer."
    )
    assert (await app.tickets.get(ticket.id)).transcript == before.transcript
    assert desk.customer_messages == [] and customers.sent == []
    assert not any(pasted in turn.text for turn in await app.store.history(customer.key))
    # Shorter, both get through.
    assert (await customer.say("The logs say error 42.")).is_empty
    await Agent(app.engine, user_name="Ana").answer(ticket.id, "Thanks, looking at error 42.")
    assert (await app.tickets.get(ticket.id)).transcript[-2:] == (
        ("customer", "The logs say error 42."),
        ("agent", "Thanks, looking at error 42."),
    )


@pytest.mark.parametrize(("budget", "tries"), [(0, 1), (0.3, 3), (1.0, 4)])
async def test_a_dropped_connection_is_retried_for_redis_retry_seconds_of_pauses_then_given_up(
    make_app: MakeApp, budget: float, tries: int
) -> None:
    app = make_app(REDIS_RETRY_SECONDS=budget)
    attempts = 0

    async def step() -> None:
        nonlocal attempts
        attempts += 1
        if budget < 1 or attempts < tries:
            raise redis.exceptions.ConnectionError("connection dropped")

    if budget < 1:
        with pytest.raises(redis.exceptions.ConnectionError):
            await app.tickets._retried(step)
    else:  # back on the last try the pauses allow: 0.25 + 0.5 + the 0.25 s left
        await app.tickets._retried(step)
    assert attempts == tries

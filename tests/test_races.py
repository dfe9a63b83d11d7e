"""Messages of one conversation that arrive together, and faults between deciding and committing:
the outcome is what one message at a time would give, and nothing is half-written."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.core.models import Reply
from bot.runtime.app import App
from tests.conftest import MakeApp
from tests.people import Customer
from tests.standins.redis_proxy import RedisFaultProxy
from tests.test_conversation import RecordingDesk

HUMAN = "I want to talk to a human"
# The write that stores a new ticket (the script opening it, or a held one stored later):
# it adds it to the open tickets.
COMMIT = (b"ZADD", b":ticket:open")


@pytest.fixture
async def flaky_redis() -> AsyncIterator[RedisFaultProxy]:
    proxy = await RedisFaultProxy().start()
    yield proxy
    await proxy.close()


def behind(proxy: RedisFaultProxy, make_app: MakeApp, **settings: Any) -> tuple[App, RecordingDesk]:
    """A bot whose Redis is reached through `proxy`, with a desk that records its cards."""
    app = make_app(REDIS_URL=proxy.url, **settings)
    desk = RecordingDesk()
    app.engine.set_desk(desk)
    return app, desk


def tickets_in(replies: list[Reply]) -> set[str]:
    return {reply.ticket.id for reply in replies if reply.ticket is not None}


async def test_two_hand_off_requests_arriving_together_open_one_ticket(make_app: MakeApp) -> None:
    app = make_app()
    desk = RecordingDesk()
    app.engine.set_desk(desk)
    for _ in range(10):
        alice = Customer(app.engine)
        replies = await asyncio.gather(alice.say(HUMAN), alice.say("get me a person please"))
        [ticket_id] = tickets_in(replies)
        opened, other = sorted(replies, key=lambda reply: reply.ticket is None)
        assert opened.escalated and ticket_id in opened.text
        # Read together, the other request is told of the same ticket; read once the first was
        # committed (a loaded machine can delay its read that long), it goes to the agents of the
        # open ticket, the bot quiet, as it would one message at a time.
        assert (other.escalated and ticket_id in other.text) or other == Reply()
    assert len(desk.cards) == 10
    assert len(await app.tickets.list()) == 10


async def test_two_replicas_sharing_redis_open_one_ticket_for_one_conversation(
    make_app: MakeApp,
) -> None:
    first, second = make_app(), make_app()
    for _ in range(10):
        alice = Customer(first.engine)
        twin = Customer(second.engine, key=alice.key)
        replies = await asyncio.gather(alice.say(HUMAN), twin.say(HUMAN))
        assert len(tickets_in(replies)) == 1
    assert len(await first.tickets.list()) == 10


async def test_a_commit_cut_once_is_retried_and_stores_one_ticket(
    make_app: MakeApp, flaky_redis: RedisFaultProxy
) -> None:
    app, desk = behind(flaky_redis, make_app)
    flaky_redis.cut_at(COMMIT)
    opened = await Customer(app.engine).say(HUMAN)
    assert flaky_redis.cuts == 1
    assert opened.ticket is not None and [t.id for t in await app.tickets.list()] == [
        opened.ticket.id
    ]
    assert [card.id for card in desk.cards] == [opened.ticket.id]


async def test_a_commit_whose_reply_is_lost_is_not_committed_twice(
    make_app: MakeApp, flaky_redis: RedisFaultProxy
) -> None:
    app, desk = behind(flaky_redis, make_app)
    flaky_redis.lose_reply_to(COMMIT)
    alice = Customer(app.engine)
    opened = await alice.say(HUMAN)
    assert flaky_redis.lost_replies == 1
    assert opened.ticket is not None and [t.id for t in await app.tickets.list()] == [
        opened.ticket.id
    ]
    assert [card.id for card in desk.cards] == [opened.ticket.id]
    # Her next words go to the agents on that ticket: no second one.
    again = await alice.say(HUMAN)
    assert again.ticket is None and len(await app.tickets.list()) == 1
    assert desk.customer_messages == [(opened.ticket.id, HUMAN)]


async def test_while_commits_keep_failing_the_ticket_is_held_once_and_stored_once(
    make_app: MakeApp, flaky_redis: RedisFaultProxy
) -> None:
    # Retrying a Redis that never heals only delays the hold.
    app, desk = behind(flaky_redis, make_app, REDIS_RETRY_SECONDS=0)
    alice = Customer(app.engine)
    flaky_redis.cut_at(COMMIT, times=None)
    opened = await alice.say(HUMAN)
    # The desk has the ticket at once under a provisional id; the store has nothing half-written.
    assert opened.ticket is not None and opened.ticket.id.startswith("P-")
    assert await app.tickets.list() == []
    assert [card.id for card in desk.cards] == [opened.ticket.id]
    # Asking again while the ticket waits for Redis opens nothing new: it joins the held one.
    again = await alice.say(HUMAN)
    assert again.ticket is None and [t.id for t in app.engine.outbox.held] == [opened.ticket.id]
    flaky_redis.heal()
    stored = await app.engine.outbox.flush(app.engine.desk)
    assert [held for held, _ in stored] == [opened.ticket.id]
    [ticket] = await app.tickets.list()
    assert ticket.key == alice.key
    assert [line for line in ticket.transcript if line == ("customer", HUMAN)] == [
        ("customer", HUMAN)
    ] * 2
    # Once stored, the conversation knows its ticket: a third request opens nothing new.
    third = await alice.say(HUMAN)
    assert third.ticket is None
    assert len(await app.tickets.list()) == 1 and len(desk.cards) == 1


async def test_a_ticket_resolved_elsewhere_does_not_stop_the_customer_getting_a_new_one(
    make_app: MakeApp,
) -> None:
    first, other_replica = make_app(), make_app()
    alice = Customer(first.engine)
    opened = await alice.say(HUMAN)
    assert opened.ticket is not None
    # Resolved from the CLI or another replica: this conversation still names the ticket.
    await other_replica.tickets.resolve(opened.ticket.id, "cli")
    again = await alice.say(HUMAN)
    assert again.ticket is not None and again.ticket.id != opened.ticket.id
    assert [t.id for t in await first.tickets.list()] == [again.ticket.id]


async def test_a_message_that_finds_every_redis_connection_busy_waits_and_loses_nothing(
    make_app: MakeApp,
) -> None:
    # As when hundreds of conversations at once hold the process's connections: the message
    # waits for one, however long, rather than giving up on its history and state.
    app = make_app()
    pool = app.redis.connection_pool
    assert pool.timeout is None
    busy = [await pool.get_connection() for _ in range(pool.max_connections)]
    alice = Customer(app.engine)
    asked = asyncio.create_task(alice.say("How do I reset my password?"))
    await asyncio.sleep(0.3)
    assert not asked.done()
    for connection in busy:
        await pool.release(connection)
    reply = await asyncio.wait_for(asked, 10)
    assert reply.sources and not reply.escalated
    history = await app.store.history(alice.key)
    assert history[0].text == "How do I reset my password?"
    assert app.metrics.registry.get_sample_value("faqbot_errors_total", {"kind": "commit"}) is None

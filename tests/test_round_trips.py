"""What a message costs in Redis round trips, counted on the wire: its conversation is read in
one and its writes are committed in one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.core.models import IncomingMessage
from bot.state.store import send
from tests.conftest import MakeApp
from tests.people import Customer
from tests.standins.redis_proxy import RedisFaultProxy
from tests.test_conversation import RecordingDesk


@pytest.fixture
async def wire() -> AsyncIterator[RedisFaultProxy]:
    proxy = await RedisFaultProxy().start()
    yield proxy
    await proxy.close()


async def test_an_answered_question_costs_two_round_trips(
    make_app: MakeApp, wire: RedisFaultProxy
) -> None:
    app = make_app(REDIS_URL=wire.url)
    alice = Customer(app.engine)
    await alice.say("hello")  # first contact
    for question in ("How can I reset my password?", "How do I reset my password? I forgot it"):
        before = wire.writes
        reply = await alice.say(question)
        assert reply.source_ids == ["reset-password"]
        assert wire.writes - before == 2  # load, commit
    # The writes all landed: the history holds both questions and both answers.
    history = await app.store.history(alice.key)
    assert [turn.role for turn in history][-4:] == ["customer", "bot", "customer", "bot"]


async def test_a_new_conversations_first_question_also_costs_two_round_trips(
    make_app: MakeApp, wire: RedisFaultProxy
) -> None:
    app = make_app(REDIS_URL=wire.url)
    await app.redis.ping()  # the connection is set up: what follows is the message's cost
    for n in range(2):
        newcomer = Customer(app.engine, user_id=f"U-new-{n}")
        before = wire.writes
        reply = await newcomer.say("How can I reset my password?")
        assert reply.source_ids == ["reset-password"]
        # Loading the message settled who the conversation's customer is: no third trip.
        assert wire.writes - before == 2
        assert (await app.store.state(newcomer.key)).customer == f"U-new-{n}"


async def test_chatter_the_bot_is_not_part_of_costs_one_read_and_no_write(
    make_app: MakeApp, wire: RedisFaultProxy, prefix: str
) -> None:
    app = make_app(REDIS_URL=wire.url)
    bystander = Customer(app.engine, is_direct=False)
    await app.redis.ping()  # the connection is set up: what follows is the message's cost
    before = wire.writes
    assert (await bystander.say("anyone up for lunch?")).is_empty
    assert wire.writes - before == 1
    assert [k async for k in app.redis.scan_iter(f"{prefix}:dedupe:*")] == []


async def test_an_escalation_to_the_desk_costs_four_round_trips(
    make_app: MakeApp, wire: RedisFaultProxy
) -> None:
    app = make_app(REDIS_URL=wire.url)
    app.engine.set_desk(RecordingDesk())
    alice = Customer(app.engine)
    await alice.say("hello")
    before = wire.writes
    reply = await alice.say("I want to talk to a human")
    assert reply.ticket is not None
    # Load; the ticket (numbered, stored, marked); the desk card's place; the message's commit.
    assert wire.writes - before == 4


async def test_without_redis_the_in_process_store_loads_and_commits_the_same_way(
    make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(REDIS_URL="")
    alice = Customer(app.engine)
    await alice.say("How can I reset my password?")
    await alice.say("I want to talk to a human")
    assert "state unavailable" not in caplog.text
    history = await app.store.history(alice.key)
    assert [turn.role for turn in history] == ["customer", "bot", "customer", "bot"]
    assert (await app.store.state(alice.key)).ticket == "T-1"


async def test_a_task_a_message_started_still_stores_what_it_writes_after_the_commit(
    make_app: MakeApp,
) -> None:
    app = make_app()
    alice = Customer(app.engine)
    later = asyncio.Event()
    counted = asyncio.Event()

    async def background() -> None:
        # Started while the message is decided, so it inherits the message's context.
        await later.wait()
        await app.store.count("late")
        counted.set()

    async def name() -> str:
        asyncio.get_running_loop().create_task(background())
        return "Alice"

    await app.engine.handle(
        IncomingMessage(
            key=alice.key,
            message_id="m-late",
            user_id=alice.user_id,
            # A ticket: the core asks for the writer's name while it decides.
            text="I want to talk to a human",
            is_direct=True,
            lookup_name=name,
        )
    )
    later.set()
    await asyncio.wait_for(counted.wait(), 10)
    assert (await app.store.counters()).get("late") == 1


async def test_a_write_too_long_for_one_script_is_still_committed(
    make_app: MakeApp, prefix: str
) -> None:
    """Lua's unpack takes fewer than 8,000 values: a longer command goes in a MULTI instead."""
    app = make_app()
    name = f"{prefix}:long-list"
    items = [f"line {n}" for n in range(8_000)]
    await send(
        app.redis,
        [(None, lambda pipe: pipe.rpush(name, *items)), (None, lambda pipe: pipe.expire(name, 60))],
    )
    assert await app.redis.llen(name) == 8_000
    assert 0 < await app.redis.ttl(name) <= 60

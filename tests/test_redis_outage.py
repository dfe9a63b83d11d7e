"""A Redis server of the test's own is stopped and restarted while customers keep writing: answers
keep coming, a ticket opened meanwhile reaches the desk at once and is stored when Redis is back,
and the bot recovers without a restart."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from bot.core.channels import CollectingOutputChannel
from bot.desk.reminders import run_housekeeping
from bot.knowledge.subscription import follow_channel
from bot.state.connections import ReportingConnection
from tests.conftest import MakeApp
from tests.people import Customer
from tests.redis_server import free_port, own_redis_server
from tests.test_conversation import RecordingDesk, assert_nothing_rated

PASSWORD = "How do I reset my password? I forgot it"
TWO_FACTOR = "How do I turn on two-factor authentication?"


class RestartableRedis:
    """A redis-server on a fixed port of its own that the test stops and starts again."""

    def __init__(self, folder: str) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._folder = folder
        self._running: contextlib.ExitStack | None = None

    def start(self) -> None:
        stack = contextlib.ExitStack()
        stack.enter_context(own_redis_server(self.port, self._folder))
        self._running = stack

    def stop(self, *, keep_data: bool = False) -> None:
        """Stop the server, losing what it held; `keep_data`: saved, the next start has it,
        as after a failover to a replica or a cut in the network."""
        if self._running is None:
            return
        if keep_data:
            redis.Redis.from_url(self.url).shutdown(save=True)
        self._running.close()
        self._running = None
        if not keep_data:  # nor what an earlier stop saved
            (Path(self._folder) / "dump.rdb").unlink(missing_ok=True)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RestartableRedis]:
    server = RestartableRedis(str(tmp_path))
    server.start()
    yield server
    server.stop()


async def test_answers_keep_coming_and_no_ticket_is_lost_while_redis_restarts(
    make_app: MakeApp, redis_server: RestartableRedis
) -> None:
    # Redis stays down longer than a failover: no retry waits for it.
    app = make_app(REDIS_URL=redis_server.url, REDIS_RETRY_SECONDS=0)
    desk = RecordingDesk()
    app.engine.set_desk(desk)
    customers_side = CollectingOutputChannel("terminal")
    app.engine.register_channel(customers_side)
    alice, bob = Customer(app.engine), Customer(app.engine)
    assert (await alice.say(PASSWORD)).source_ids == ["reset-password"]

    redis_server.stop()
    assert (await alice.say(TWO_FACTOR)).source_ids == ["enable-two-factor-auth"]
    held = await bob.say("I want to talk to a human")
    assert held.escalated and held.ticket is not None
    provisional = held.ticket.id
    assert provisional.startswith("P-") and f"ticket {provisional}" in held.text
    # The desk has the ticket already, with the customer and the question.
    assert [card.id for card in desk.cards] == [provisional]
    # Bob's next words go to the ticket's desk thread, as with any open ticket.
    assert (await bob.say("It is about my invoice")).is_empty
    assert desk.customer_messages == [(provisional, "It is about my invoice")]
    assert len(desk.cards) == 1

    redis_server.start()
    # The next message, whoever sends it, finds Redis back: the held ticket is stored.
    assert (await alice.say(PASSWORD)).source_ids == ["reset-password"]
    [stored] = await app.tickets.list()
    assert stored.id.startswith("T-") and stored.user_name == "Alice"
    assert stored.question == "I want to talk to a human"
    assert stored.transcript[-1] == ("customer", "It is about my invoice")
    assert stored.desk_ref is not None and stored.desk_ref.message_id == f"card-{provisional}"
    assert [change.id for change in desk.changes] == [stored.id]  # the card shows the real id
    assert len(app.engine.outbox) == 0
    # Bob is told the lasting id.
    [(told, notice)] = customers_side.sent
    assert told == bob.key and f"{provisional} is now ticket {stored.id}" in notice.text
    # The ticket is linked both ways: agents' replies in its thread reach Bob, Bob's reach them.
    assert await app.redis.get(app.tickets.desk_name(stored.desk_ref.key)) == stored.id
    assert (await bob.say("are you there?")).is_empty
    assert desk.customer_messages[-1] == (stored.id, "are you there?")


async def test_a_held_ticket_is_stored_by_housekeeping_without_new_messages(
    make_app: MakeApp, redis_server: RestartableRedis
) -> None:
    app = make_app(REDIS_URL=redis_server.url, REDIS_RETRY_SECONDS=0)
    redis_server.stop()
    held = await Customer(app.engine).say("I want to talk to a human")
    assert held.ticket is not None and held.ticket.id.startswith("P-")
    redis_server.start()
    stop = asyncio.Event()
    assert app.reminders is not None
    loop = asyncio.create_task(run_housekeeping(app.engine, app.reminders, stop, interval=0.02))

    async def stored() -> None:
        while True:
            if await app.tickets.list():
                return
            await asyncio.sleep(0.02)

    await asyncio.wait_for(stored(), 10)
    stop.set()
    await loop
    [ticket] = await app.tickets.list()
    assert ticket.id.startswith("T-") and ticket.question == "I want to talk to a human"


async def test_once_a_ticket_held_while_redis_was_down_is_resolved_nothing_before_it_is_rated(
    make_app: MakeApp, redis_server: RestartableRedis
) -> None:
    """Opened while Redis was down, the ticket could not clear what the conversation remembered
    of the answer before it; its resolution does, so "that's wrong" rates no answer the agent
    has since handled."""
    app = make_app(REDIS_URL=redis_server.url, REDIS_RETRY_SECONDS=0)
    alice = Customer(app.engine)
    assert (await alice.say(PASSWORD)).source_ids == ["reset-password"]
    redis_server.stop(keep_data=True)
    held = await alice.say("I want to talk to a human")
    assert held.ticket is not None and held.ticket.id.startswith("P-")
    redis_server.start()
    # Stored as housekeeping stores it, with no message of the conversation's.
    [stored] = await app.engine.flush_outbox()
    await app.engine.resolve(stored.id, "Bob")
    await assert_nothing_rated(app, await alice.say("that's wrong"))


async def test_a_ticket_asked_for_while_redis_fails_over_in_seconds_gets_its_lasting_id(
    make_app: MakeApp, redis_server: RestartableRedis
) -> None:
    app = make_app(REDIS_URL=redis_server.url)  # REDIS_RETRY_SECONDS: its default, 3.75
    desk = RecordingDesk()
    app.engine.set_desk(desk)
    redis_server.stop()
    back = asyncio.get_running_loop().call_later(0.3, redis_server.start)
    try:
        opened = await Customer(app.engine).say("I want to talk to a human")
    finally:
        back.cancel()
    assert opened.ticket is not None and opened.ticket.id == "T-1"
    assert [card.id for card in desk.cards] == ["T-1"] and len(app.engine.outbox) == 0
    [stored] = await app.tickets.list()
    assert stored.question == "I want to talk to a human"


class ClosedUnderTheSubscriber(ReportingConnection):
    """The bot's connection (bot/runtime/app.py), whose first SUBSCRIBE meets a socket closed
    under it: by another task (a cluster client's refresh closes the connections of the nodes it
    replaces), or by the peer (a restart, a failover, a proxy dropping idle connections), which
    Python 3.12 and later report from inside asyncio as a TypeError or an AttributeError
    (redis/redis-py#4287; Python 3.11 reports it as an OSError, and redis-py as a
    ConnectionError, so there the case passes either way)."""

    how = "by another task"
    closed = 0

    async def _send_packed_command(self, command: Any) -> None:
        parts = list(command)
        kind = type(self)
        if not kind.closed and b"SUBSCRIBE" in b"".join(parts):
            kind.closed += 1
            if kind.how == "by the peer":
                self._writer.transport.abort()
                await asyncio.sleep(0)  # the loop tears the transport down
            else:  # as redis-py's disconnect() does
                self._writer.close()
                self._writer = None
        await super()._send_packed_command(parts)


CLOSED_UNDER_IT = ["by another task", "by the peer"]


def closing(how: str) -> type[ClosedUnderTheSubscriber]:
    return type("Closing", (ClosedUnderTheSubscriber,), {"how": how, "closed": 0})


async def a_subscription_lives_on(client: Redis, publisher: Redis, channel: str) -> None:
    """`follow_channel` on `client` gets a message published after its socket was closed."""
    subscribed, stop = asyncio.Event(), asyncio.Event()
    said: asyncio.Queue[object] = asyncio.Queue()

    async def on_subscribed() -> None:
        subscribed.set()

    following = asyncio.create_task(
        follow_channel(
            client,
            channel,
            on_subscribed=on_subscribed,
            on_message=said.put,
            stop=stop,
            what="news",
        )
    )
    try:
        await asyncio.wait_for(subscribed.wait(), 10)
        await publisher.publish(channel, "hello")
        assert await asyncio.wait_for(said.get(), 10) == "hello"
    finally:
        stop.set()
        await asyncio.wait_for(following, 10)


@pytest.mark.parametrize("how", CLOSED_UNDER_IT)
async def test_a_subscription_whose_socket_was_closed_under_it_subscribes_again(
    redis_url: str, prefix: str, how: str
) -> None:
    fault = closing(how)
    pool = ConnectionPool.from_url(redis_url, connection_class=fault, decode_responses=True)
    client, publisher = Redis(connection_pool=pool), Redis.from_url(redis_url)
    try:
        await a_subscription_lives_on(client, publisher, f"{prefix}:news")
        assert fault.closed == 1
    finally:
        await client.aclose()
        await pool.aclose()
        await publisher.aclose()


async def test_the_bot_reads_a_socket_closed_under_a_write_as_redis_unreachable(
    make_app: MakeApp, redis_url: str
) -> None:
    app = make_app(REDIS_URL=redis_url)
    assert app.redis.connection_pool.connection_class is ReportingConnection


async def test_a_redis_that_stops_reading_fails_a_write_after_the_socket_timeout() -> None:
    """The bot's connections send what the socket's buffer takes at once without a timer
    (bot/state/connections.py); a write it cannot take still fails in time, never hangs."""
    with own_redis_server() as (url, server):
        pool = ConnectionPool.from_url(
            url,
            connection_class=ReportingConnection,
            socket_timeout=0.5,
            retry=Retry(NoBackoff(), 0),
        )
        client = Redis(connection_pool=pool)
        try:
            assert await client.ping()
            server.send_signal(signal.SIGSTOP)
            try:
                # More than the kernel's buffers on both ends hold: the write waits on a drain
                # and times out. (On Python 3.12.0-3.12.2 the stream's writelines never waits:
                # the write is buffered whole, and the reply's read times out instead.)
                with pytest.raises(redis.TimeoutError):
                    await asyncio.wait_for(client.set("big", "x" * 64 * 2**20), 10)
                # A small one goes out at once; its reply never comes.
                with pytest.raises(redis.TimeoutError, match="reading"):
                    await asyncio.wait_for(client.get("big"), 10)
            finally:
                server.send_signal(signal.SIGCONT)
        finally:
            await client.aclose()
            await pool.aclose()

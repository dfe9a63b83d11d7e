"""The replica stories on a Redis Cluster (REDIS_CLUSTER): three masters and three replicas the
suite starts (tests/redis_cluster.py), and bots built against it exactly as against one server.

Most stories are the single-server suite's own tests, collected again here: this module's
`make_app`, `prefix` and `redis` fixtures point them at the cluster. Then a master is killed
mid-traffic, and two `faqbot serve` replicas get the same Slack events and live through a
failover; each killed master is started again (as a replica) afterwards."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from bot.core.models import ConversationKey, IncomingMessage, Reply
from bot.runtime.app import App, build_app
from bot.state.cluster import ClusterClient
from bot.state.connections import ReportingConnection
from bot.state.tickets import TicketStore
from tests.conftest import MakeApp, make_settings
from tests.people import Customer
from tests.redis_cluster import LocalCluster
from tests.standins.slack_api import SlackStandIn
from tests.test_conversation import (
    RecordingDesk,
    test_a_redelivered_event_is_answered_once_even_by_another_replica,
)
from tests.test_limits import (
    test_a_burst_of_questions_against_a_tiny_budget_overspends_by_at_most_one_request,
    test_a_request_holds_its_estimate_until_its_real_cost_is_known,
    test_two_replicas_share_one_discord_servers_limit,
)
from tests.test_privacy import (
    test_an_open_ticket_is_erased_even_after_the_index_expired,
    test_bob_who_only_wrote_into_alices_discord_ticket_is_found_after_she_was_erased,
    test_erasing_a_person_removes_their_conversations_tickets_and_feedback,
    test_erasure_also_takes_their_faq_gap_records_and_undecided_drafts,
)
from tests.test_races import (
    test_a_ticket_resolved_elsewhere_does_not_stop_the_customer_getting_a_new_one,
    test_two_replicas_sharing_redis_open_one_ticket_for_one_conversation,
)
from tests.test_redis_outage import CLOSED_UNDER_IT, a_subscription_lives_on, closing
from tests.test_serve import start_serve
from tests.test_slack import SECRET, event_envelope, message, signed_headers, standin
from tests.test_tickets import (
    test_only_one_of_two_agents_claiming_at_once_wins,
    test_two_replicas_opening_tickets_at_once_never_share_an_id,
)
from tests.test_versions import (
    eventually,
    faq_dir,
    test_a_reload_on_one_replica_is_served_by_the_other_and_by_one_started_later,
    test_rollback_returns_every_replica_to_the_previous_version,
)

pytestmark = pytest.mark.cluster

STORIES = [
    test_a_redelivered_event_is_answered_once_even_by_another_replica,
    # (Not `test_two_hand_off_requests_arriving_together_open_one_ticket`: it also expects both
    # messages to be read before either is committed, which a cluster's per-node round trips do
    # not promise; the second then goes to the agents of the one ticket, as it should.)
    test_two_replicas_sharing_redis_open_one_ticket_for_one_conversation,
    test_a_ticket_resolved_elsewhere_does_not_stop_the_customer_getting_a_new_one,
    test_two_replicas_opening_tickets_at_once_never_share_an_id,
    test_only_one_of_two_agents_claiming_at_once_wins,
    test_a_reload_on_one_replica_is_served_by_the_other_and_by_one_started_later,
    test_rollback_returns_every_replica_to_the_previous_version,
    test_two_replicas_share_one_discord_servers_limit,
    test_a_request_holds_its_estimate_until_its_real_cost_is_known,
    test_a_burst_of_questions_against_a_tiny_budget_overspends_by_at_most_one_request,
    test_erasing_a_person_removes_their_conversations_tickets_and_feedback,
    test_an_open_ticket_is_erased_even_after_the_index_expired,
    test_erasure_also_takes_their_faq_gap_records_and_undecided_drafts,
    test_bob_who_only_wrote_into_alices_discord_ticket_is_found_after_she_was_erased,
]
__all__ = ["faq_dir", "standin", *(story.__name__ for story in STORIES)]


def cluster_client(cluster: LocalCluster) -> Redis:
    # The cluster client answers the single-server client's commands (bot/runtime/app.py).
    return RedisCluster.from_url(cluster.url, decode_responses=True)  # type: ignore[return-value]


@pytest.fixture
async def prefix(redis_cluster: LocalCluster, prefix: str) -> AsyncIterator[str]:
    """The suite's per-test prefix, its keys deleted from every master of the cluster."""
    yield prefix
    client = cluster_client(redis_cluster)
    keys = [key async for key in client.scan_iter(f"{prefix}:*", count=500)]
    for key in keys:
        await client.delete(key)
    await client.aclose()


@pytest.fixture
async def redis(redis_cluster: LocalCluster) -> AsyncIterator[Redis]:
    client = cluster_client(redis_cluster)
    yield client
    await client.aclose()


@pytest.fixture
async def make_app(redis_cluster: LocalCluster, prefix: str) -> AsyncIterator[MakeApp]:
    """Bots on the cluster under this test's prefix; several calls make replicas."""
    apps: list[App] = []

    def make(faq_path: Path | None = None, **values: Any) -> App:
        values = {
            "REDIS_URL": redis_cluster.url,
            "REDIS_CLUSTER": True,
            "REDIS_PREFIX": prefix,
            "PRIVACY_NOTICE": "",
            **values,
        }
        app = build_app(make_settings(**values), faq_path=faq_path)
        apps.append(app)
        return app

    yield make
    for app in apps:
        await app.close()


async def test_a_conversations_state_history_and_marks_share_one_slot_and_spread_over_nodes(
    make_app: MakeApp, redis_cluster: LocalCluster, prefix: str
) -> None:
    app = make_app()
    keys = [ConversationKey("slack", "T1", f"D{n}") for n in range(12)]
    for key in keys:
        reply = await app.engine.handle(
            IncomingMessage(
                key=key,
                message_id=f"e-{key.channel_id}",
                user_id="U1",
                text="How can I reset my password?",
                is_direct=True,
            )
        )
        assert reply.source_ids == ["reset-password"]
    masters = set()
    for key in keys:
        names = [
            app.store.state_name(key),
            f"{prefix}:hist:{{{key.redis_key}}}",
            f"{prefix}:dedupe:{{{key.redis_key}}}:e-{key.channel_id}",
            app.tickets.desk_name(key),
        ]
        assert len({redis_cluster.master_of(name) for name in names}) == 1
        assert await app.redis.exists(*names[:3]) == 3
        masters.add(redis_cluster.master_of(names[0]))
    # Twelve conversations land on more than one shard: the state is spread, not piled up.
    assert len(masters) > 1


HUMAN = "I want to talk to a human"
PASSWORD = "How can I reset my password?"


@pytest.mark.parametrize("how", CLOSED_UNDER_IT)
async def test_a_subscription_whose_socket_was_closed_under_it_subscribes_again(
    redis_cluster: LocalCluster, prefix: str, redis: Redis, how: str
) -> None:
    fault = closing(how)
    client = ClusterClient.from_url(redis_cluster.url, decode_responses=True)
    # (The cluster client takes no connection class: its nodes get theirs from here.)
    client.nodes_manager.connection_kwargs["connection_class"] = fault
    await client.initialize()
    try:
        await a_subscription_lives_on(client, redis, f"{prefix}:news")
        assert fault.closed == 1
    finally:
        await client.aclose()


async def test_the_bot_reads_a_socket_closed_under_a_write_as_the_cluster_unreachable(
    make_app: MakeApp,
) -> None:
    nodes = make_app().redis.nodes_manager  # type: ignore[attr-defined]
    # The nodes it starts from, and those it learns of later.
    assert {node.connection_class for node in nodes.startup_nodes.values()} == {ReportingConnection}
    assert nodes.connection_kwargs["connection_class"] is ReportingConnection


async def test_a_master_killed_mid_traffic_loses_no_ticket_and_every_message_is_answered(
    make_app: MakeApp, redis_cluster: LocalCluster, prefix: str
) -> None:
    replicas = [make_app(), make_app()]
    for app in replicas:
        app.engine.set_desk(RecordingDesk())
    # The master of the ticket counter: every new ticket needs it while it is gone.
    victim = redis_cluster.master_of(f"{prefix}:ticket:seq")
    asked: list[tuple[Customer, Reply]] = []
    escalated: list[tuple[Customer, Reply]] = []
    stop = asyncio.Event()
    rounds = 0

    async def traffic() -> None:
        """Each round, on alternating replicas: regulars ask the FAQ again, newcomers ask for
        a person (once: what they say next goes to the agents, unanswered by the bot)."""
        nonlocal rounds
        regulars = [Customer(replicas[n % 2].engine, user_id=f"U-r{n}") for n in range(6)]
        while not stop.is_set():
            newcomers = [
                Customer(replicas[(rounds + n) % 2].engine, user_id=f"U-{rounds}-{n}")
                for n in range(3)
            ]
            questions = [(c, c.say(PASSWORD)) for c in regulars]
            hand_offs = [(c, c.say(HUMAN)) for c in newcomers]
            replies = await asyncio.gather(*(say for _, say in questions + hand_offs))
            asked.extend(zip(regulars, replies[: len(regulars)], strict=True))
            escalated.extend(zip(newcomers, replies[len(regulars) :], strict=True))
            rounds += 1
            await asyncio.sleep(0.05)

    running = asyncio.create_task(traffic())
    await eventually(lambda: rounds >= 3, "traffic before the failure")
    redis_cluster.kill(victim)
    await asyncio.to_thread(redis_cluster.wait_ok)  # its replica took over
    after = rounds
    await eventually(lambda: rounds >= after + 3, "traffic after the failover")
    stop.set()
    await running

    # Every question was answered, during the failure too (from the FAQ, state or not).
    unanswered = [reply for _, reply in asked if reply.source_ids != ["reset-password"]]
    assert asked and not unanswered
    # Every hand-off got a ticket: stored at once, or held while the master was gone.
    assert all(reply.ticket is not None and "ticket" in reply.text for _, reply in escalated)
    told = {customer.key: reply.ticket.id for customer, reply in escalated if reply.ticket}
    stored_as: dict[str, str] = {}
    for app in replicas:
        await _flushed(app, stored_as)
    tickets = await replicas[0].tickets.list()
    by_conversation = {ticket.key: ticket.id for ticket in tickets}
    # One stored ticket per conversation that was told of one, under the id it was told (or
    # the lasting id its held ticket got): none lost, none twice.
    assert len(tickets) == len(by_conversation) == len(told)
    assert by_conversation == {key: stored_as.get(said, said) for key, said in told.items()}
    # The bots reconnected on their own: they answer and open tickets as before.
    late = Customer(replicas[1].engine, user_id="U-late")
    assert (await late.say(PASSWORD)).source_ids == ["reset-password"]
    opened = (await Customer(replicas[0].engine, user_id="U-last").say(HUMAN)).ticket
    assert opened is not None and opened.id.startswith("T-")
    assert (await replicas[1].tickets.get(opened.id)).user_id == "U-last"
    redis_cluster.restart(victim)


async def _flushed(app: App, stored_as: dict[str, str]) -> None:
    """Store what `app` held while the master was gone, recording held id -> lasting id."""
    held = {ticket.key: ticket.id for ticket in app.engine.outbox.held}
    for ticket in await app.engine.flush_outbox():
        stored_as[held[ticket.key]] = ticket.id
    assert not app.engine.outbox.held


async def test_two_serve_replicas_answer_an_event_once_and_keep_going_through_a_failover(
    tmp_path: Path, redis_cluster: LocalCluster, prefix: str, standin: SlackStandIn
) -> None:
    settings = {
        "REDIS_URL": redis_cluster.url,
        "REDIS_CLUSTER": "true",
        "REDIS_PREFIX": prefix,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": standin.api_url,
        "SEMANTIC_SEARCH": "off",
        "PRIVACY_NOTICE": "",
    }
    replicas = await asyncio.gather(
        asyncio.to_thread(start_serve, tmp_path, **settings),
        asyncio.to_thread(start_serve, tmp_path, **settings),
    )
    first_url, second_url = (base for _, base in replicas)
    outputs: list[str] = []
    try:
        async with aiohttp.ClientSession() as session:

            async def post(base: str, envelope: dict[str, object]) -> None:
                body = json.dumps(envelope)
                headers = {"Content-Type": "application/json", **signed_headers(body)}
                async with session.post(f"{base}/slack/events", data=body, headers=headers) as r:
                    assert r.status == 200

            def said(channel: str) -> list[str]:
                return [
                    call["text"] for call in standin.called("chat.postMessage", channel=channel)
                ]

            # Slack delivers each event to one replica; a redelivery may land on the other.
            for channel, text in (("D1", PASSWORD), ("D2", HUMAN)):
                event = event_envelope(message(text, channel=channel, channel_type="im"))
                await asyncio.gather(post(first_url, event), post(second_url, event))
            await standin.wait_for(lambda: said("D1") and said("D2"))
            victim = redis_cluster.master_of(f"{prefix}:ticket:seq")
            redis_cluster.kill(victim)
            await asyncio.to_thread(redis_cluster.wait_ok)
            await post(
                second_url, event_envelope(message(PASSWORD, channel="D3", channel_type="im"))
            )
            await post(first_url, event_envelope(message(HUMAN, channel="D4", channel_type="im")))
            await standin.wait_for(lambda: said("D3") and said("D4"), timeout=30)
    finally:
        for process, _ in replicas:
            process.send_signal(signal.SIGTERM)
        for process, _ in replicas:
            outputs.append((await asyncio.to_thread(process.communicate, timeout=30))[0])
    # Both replicas have finished everything they took: each event was answered once.
    assert [len(said(channel)) for channel in ("D1", "D2", "D3", "D4")] == [1, 1, 1, 1]
    assert "reset" in said("D1")[0].lower() and "reset" in said("D3")[0].lower()
    client = cluster_client(redis_cluster)
    try:
        tickets = await TicketStore(client, prefix).list()
    finally:
        await client.aclose()
    assert sorted(ticket.key.channel_id for ticket in tickets) == ["D2", "D4"]
    for ticket in tickets:
        assert ticket.id in said(ticket.key.channel_id)[0]
    assert all("Traceback" not in output for output in outputs), outputs
    redis_cluster.restart(victim)

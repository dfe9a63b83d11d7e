"""Ticket changes made where the customer is out of reach (a shell, a replica without their
platform) reach them through the process that runs it, once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from redis.asyncio import Redis

from bot.core.channels import CollectingOutputChannel
from bot.core.models import ConversationKey, DeskRef, Reply, Ticket
from bot.core.state import StateField
from bot.desk.relay import TicketChange, TicketRelay
from bot.runtime.app import App, build_app
from tests.conftest import MakeApp, make_settings
from tests.people import Agent
from tests.test_cli import faqbot
from tests.test_conversation import RecordingDesk
from tests.test_versions import eventually

_numbers = iter(range(1, 10_000))


async def open_ticket(app: App, platform: str, *, card: bool = True) -> Ticket:
    """A waiting ticket of a customer on `platform`, with a card in the desk (platform "desk")."""
    n = next(_numbers)
    ticket = await app.tickets.insert(
        Ticket(
            id="",
            key=ConversationKey(platform, "W1", f"C{n}"),
            user_id=f"U{n}",
            user_name=f"customer {n}",
            question="where is my parcel?",
            transcript=(("customer", "where is my parcel?"),),
            reason="the customer asked for a person",
            language="en",
            created_at=time.time(),
            updated_at=time.time(),
        )
    )
    await app.store.set_state(ticket.key, {StateField.TICKET: ticket.id})
    if not card:
        return ticket
    return await app.tickets.attach_desk(
        ticket, DeskRef(ConversationKey("desk", "W1", "DESK", f"card-{n}"), f"card-{n}")
    )


class Replica:
    """A running bot (`faqbot serve`) with some platforms' adapters and maybe the desk."""

    def __init__(self, app: App, platforms: tuple[str, ...], desk: bool) -> None:
        self.app = app
        self.out = {p: CollectingOutputChannel(p) for p in platforms}
        for channel in self.out.values():
            app.engine.register_channel(channel)
        self.desk = RecordingDesk() if desk else None
        if self.desk is not None:
            app.engine.register_channel(CollectingOutputChannel("desk"))
            app.engine.set_desk(self.desk)

    def said(self, platform: str) -> list[str]:
        return [reply.text for _, reply in self.out[platform].sent]


async def replica(make_app: MakeApp, *platforms: str, desk: bool = False) -> Replica:
    running = Replica(make_app(), platforms, desk)
    await running.app.start()
    return running


async def settled(shell: App, *replicas: Replica) -> None:
    """Each replica has handled every announcement made so far: each is sent a probe that only it
    reaches, announced after them, and announcements arrive in order."""
    assert shell.relay is not None
    for n, running in enumerate(replicas):
        platform = f"probe-{n}"
        probe = CollectingOutputChannel(platform)
        running.app.engine.register_channel(probe)
        key = ConversationKey(platform, "W", "C")
        ticket = Ticket("P-0", key, "U", "U", "", (), "", "en")
        await shell.relay.publish("probe", ticket, Reply("probe"), desk=False)
        await eventually(lambda probe=probe: bool(probe.sent), f"replica {n} got its probe")


async def test_two_replicas_running_the_platform_tell_the_customer_once(make_app: MakeApp) -> None:
    first = await replica(make_app, "slack", desk=True)
    second = await replica(make_app, "slack", desk=True)
    shell = make_app()  # `faqbot tickets resolve`: no platform, no desk
    ticket = await open_ticket(shell, "slack")

    await shell.engine.resolve(ticket.id, "ana")

    told = f"Ticket {ticket.id} has been resolved. If you need anything else, just ask."
    await eventually(lambda: first.said("slack") + second.said("slack") == [told], "told once")
    assert first.desk is not None and second.desk is not None
    await eventually(lambda: len(first.desk.changes + second.desk.changes) == 1, "card updated")
    await settled(shell, first, second)
    assert first.said("slack") + second.said("slack") == [told]
    [changed] = first.desk.changes + second.desk.changes
    assert changed.id == ticket.id and changed.status == "resolved"
    # Told in the customer's own conversation; the bot has it back.
    sent_to = [key for r in (first, second) for key, _ in r.out["slack"].sent]
    assert sent_to == [ticket.key]
    assert (await shell.store.state(ticket.key)).ticket is None


async def test_a_support_forum_posts_ticket_resolved_from_a_shell_reaches_it_as_solved(
    make_app: MakeApp,
) -> None:
    running = await replica(make_app, "discord")
    shell = make_app()
    post = await open_ticket(shell, "discord", card=False)
    other = await open_ticket(shell, "discord", card=False)
    await shell.store.set_state(
        post.key, {StateField.FORUM: True}
    )  # as the post's first message left it

    await shell.engine.resolve(post.id, "ana")
    await shell.engine.resolve(other.id, "ana")

    await eventually(lambda: len(running.out["discord"].sent) == 2, "both customers told")
    solved = {key: reply.solved for key, reply in running.out["discord"].sent}
    assert solved == {post.key: True, other.key: False}


async def test_of_two_processes_delivering_one_change_at_once_only_one_does(
    make_app: MakeApp,
) -> None:
    first, second = Replica(make_app(), ("slack",), True), Replica(make_app(), ("slack",), True)
    ticket = await open_ticket(first.app, "slack")
    assert ticket.desk_ref is not None
    change = TicketChange(
        "c1", "ticket.resolved", ticket.id, ticket.key, Reply("resolved"), ticket.desk_ref.key
    )
    relays = [r.app.relay for r in (first, second)]
    assert all(isinstance(relay, TicketRelay) for relay in relays)
    await asyncio.gather(*(relay.deliver(change) for relay in relays if relay is not None))
    assert first.said("slack") + second.said("slack") == ["resolved"]
    assert first.desk is not None and second.desk is not None
    assert len(first.desk.changes + second.desk.changes) == 1
    # Delivered again (a late follower): still once.
    await asyncio.gather(*(relay.deliver(change) for relay in relays if relay is not None))
    assert first.said("slack") + second.said("slack") == ["resolved"]


async def test_a_process_that_reaches_the_customer_tells_them_itself_and_relays_nothing(
    make_app: MakeApp,
) -> None:
    resolver = await replica(make_app, "slack", desk=True)
    other = await replica(make_app, "slack", desk=True)
    shell = make_app()
    ticket = await open_ticket(resolver.app, "slack")

    await resolver.app.engine.resolve(ticket.id, "ana")

    assert resolver.said("slack") == [
        f"Ticket {ticket.id} has been resolved. If you need anything else, just ask."
    ]
    assert resolver.desk is not None and [t.status for t in resolver.desk.changes] == ["resolved"]
    await settled(shell, resolver, other)
    assert other.said("slack") == [] and other.desk is not None and other.desk.changes == []
    assert len(resolver.said("slack")) == 1


async def test_an_agents_reply_in_one_replicas_desk_reaches_a_customer_on_anothers_platform(
    make_app: MakeApp,
) -> None:
    desk_side = await replica(make_app, "slack", desk=True)  # runs Slack and the desk
    discord_side = await replica(make_app, "discord")  # runs Discord only
    ticket = await open_ticket(desk_side.app, "discord")

    assert (
        await Agent(desk_side.app.engine).answer(ticket.id, "It left our depot today.")
    ).is_empty

    await eventually(lambda: bool(discord_side.said("discord")), "the reply relayed")
    assert discord_side.said("discord") == ["Bob: It left our depot today."]
    assert desk_side.desk is not None and desk_side.desk.changes[-1].claimed_by == "Bob"
    stored = await desk_side.app.tickets.get(ticket.id)
    assert stored.transcript[-1] == ("agent", "It left our depot today.")
    await settled(desk_side.app, desk_side, discord_side)
    assert discord_side.said("discord") == ["Bob: It left our depot today."]


async def test_a_claim_from_the_cli_updates_the_card_where_the_desk_runs(make_app: MakeApp) -> None:
    desk_side = await replica(make_app, "slack", desk=True)
    shell = make_app()
    ticket = await open_ticket(shell, "slack")

    await shell.engine.claim(ticket.id, "ana")

    assert desk_side.desk is not None
    await eventually(lambda: bool(desk_side.desk.changes), "the card updated")
    [changed] = desk_side.desk.changes
    assert (changed.id, changed.status, changed.claimed_by) == (ticket.id, "claimed", "ana")
    assert desk_side.said("slack") == []  # a claim says nothing to the customer


async def test_a_malformed_announcement_is_ignored_and_the_relay_keeps_delivering(
    make_app: MakeApp, redis_url: str, prefix: str
) -> None:
    running = await replica(make_app, "slack")
    shell = make_app()
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        for junk in ("not json", '{"id": "x"}', "[1, 2]"):
            await client.publish(f"{prefix}:ticket-relay", junk)
    finally:
        await client.aclose()
    ticket = await open_ticket(shell, "slack", card=False)
    await shell.engine.resolve(ticket.id, "ana")
    await eventually(lambda: len(running.said("slack")) == 1, "the resolution relayed")


async def test_with_the_in_process_store_nothing_is_relayed(prefix: str) -> None:
    app = build_app(make_settings(REDIS_URL=None, REDIS_PREFIX=prefix, PRIVACY_NOTICE=""))
    try:
        assert app.relay is None and app.engine.relay is None
        await app.start()
        ticket = await open_ticket(app, "slack")
        resolved = await app.engine.resolve(ticket.id, "ana")  # no Slack here: dropped, as before
        assert resolved.status == "resolved"
    finally:
        await app.close()


class ChatProcess:
    """`faqbot chat` in a subprocess: type lines, wait for what it prints."""

    def __init__(self, cwd: Path, **env: str) -> None:
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "DISCORD_", "ANTHROPIC_", "REDIS_"))
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            # Lexical search: the encoders would take the process seconds to load, and what this
            # proves (one process reaching another's customer) does not depend on them.
            env={**base, "SEMANTIC_SEARCH": "off", **env},
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._changed = threading.Condition()
        for stream, into in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._pump, args=(stream, into), daemon=True).start()

    def _pump(self, stream: IO[str], into: list[str]) -> None:
        for line in stream:
            with self._changed:
                into.append(line)
                self._changed.notify_all()

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def wait_for(self, text: str, timeout: float = 90) -> str:
        """Everything printed so far, once `text` is in it."""
        with self._changed:
            printed = self._changed.wait_for(lambda: text in "".join(self.out), timeout)
        everything = "".join(self.out)
        assert printed, f"the chat never printed {text!r}:\n{everything}\n{''.join(self.err)}"
        return everything

    def __enter__(self) -> ChatProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.process.poll() is None:
            if kind is None:
                assert self.process.stdin is not None
                self.process.stdin.close()
                self.process.wait(timeout=60)
            else:
                self.process.kill()
                self.process.wait()


async def test_a_ticket_resolved_with_faqbot_tickets_resolve_reaches_the_customer_in_the_chat(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    env = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix}
    with ChatProcess(tmp_path, **env) as chat:
        chat.wait_for("faqbot: ask a question")
        chat.type("/human")
        chat.wait_for("(ticket T-1 is open; /agent TEXT answers as the agent, /resolve closes it)")
        chat.type("are you there?")
        chat.wait_for("(added to ticket T-1;")

        resolved = faqbot("tickets", "resolve", "T-1", "--agent", "ana", cwd=tmp_path, **env)
        assert resolved.returncode == 0 and resolved.stdout.strip() == "T-1 resolved"
        assert "no running bot" not in resolved.stderr  # the chat was listening

        printed = chat.wait_for("(ticket T-1 resolved)")
        told = "bot> Ticket T-1 has been resolved. If you need anything else, just ask."
        assert printed.count(told) == 1
        # The bot has the conversation back.
        chat.type("how do I reset my password")
        chat.wait_for("Sources: reset-password")
        chat.type("/quit")
    assert chat.process.returncode == 0
    transcript = faqbot("tickets", "show", "T-1", cwd=tmp_path, **env).stdout
    assert "[resolved]" in transcript and "customer: are you there?" in transcript


async def test_the_operator_answers_as_the_agent_in_a_chat_process(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    env = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix}
    with ChatProcess(tmp_path, **env) as chat:
        chat.type("/human")
        chat.wait_for("(ticket T-1 is open;")
        chat.type("/agent Your parcel left today.")
        chat.wait_for("bot> agent: Your parcel left today.")
        chat.type("/resolve")
        printed = chat.wait_for("(ticket T-1 resolved)")
        chat.type("/quit")
    assert printed.count("has been resolved") == 1
    shown = faqbot("tickets", "show", "T-1", cwd=tmp_path, **env).stdout
    assert "claimed by: agent" in shown and "agent: Your parcel left today." in shown

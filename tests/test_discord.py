"""User stories on Discord: the real discord.py client against a local stand-in of Discord."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import discord
import pytest

import faq
from bot.admin.registry import ADMIN_COMMANDS
from bot.core.models import Reply, TicketStatus
from bot.core.policy import DESK_REFUSAL
from bot.runtime.app import App
from bot.runtime.server import Connection, connect, serve
from handlers.discord import PERMISSIONS, DiscordAdapter, DiscordStream, invite_url, split_text
from tests.conftest import MakeApp
from tests.discord_payloads import system_messages, unnamed_event, unreadable
from tests.people import Customer
from tests.standins.anthropic_api import AnthropicStandIn, ToolReply
from tests.standins.discord_api import (
    ADMIN_ROLE,
    APP_ID,
    DESK,
    GENERAL,
    GUILD_ID,
    OTHER,
    TOKEN,
    DiscordStandIn,
    Recorded,
)

SAMPLE_FAQ = Path(faq.__file__).parent / "data" / "faq.yaml"
RESET = "How do I reset my password? I forgot it"
UNANSWERABLE = "What will the weather be like in Lisbon tomorrow?"
DM_CHANNEL = "700000000000000001"

Started = tuple[App, DiscordAdapter]
StartBot = Callable[..., Awaitable[Started]]


@pytest.fixture
async def start_bot(make_app: MakeApp, discord_standin: DiscordStandIn) -> AsyncIterator[StartBot]:
    adapters: list[DiscordAdapter] = []

    async def start(app: App | None = None, *, wait_ready: bool = True, **settings: Any) -> Started:
        if app is None:
            values: dict[str, Any] = {
                "DISCORD_TOKEN": TOKEN,
                "DISCORD_API_URL": discord_standin.url + "/api/v10",
                "DISCORD_GATEWAY_URL": discord_standin.ws_url,
                "DISCORD_ESCALATION_CHANNEL_ID": DESK,
                "DISCORD_ADMIN_ROLE_IDS": ADMIN_ROLE,
                "DISCORD_GUILD_ID": GUILD_ID,
                **settings,
            }
            app = make_app(values.pop("faq_path", None), **values)
        adapter = DiscordAdapter.from_app(app, guild_ready_timeout=0.05)
        adapters.append(adapter)
        connect(app, [adapter])
        await adapter.start()
        if wait_ready:
            await discord_standin.wait_for(
                lambda: adapter.ready.is_set() or adapter.failure, what="READY"
            )
            assert adapter.failure is None, adapter.failure
        return app, adapter

    yield start
    for adapter in adapters:
        await adapter.stop()


def texts(record: Recorded) -> str:
    return json.dumps(record.body)


def custom_ids(record: Recorded) -> list[str]:
    body = record.body or {}
    return [c["custom_id"] for row in body.get("components", []) for c in row["components"]]


async def ask_in_thread(
    discord_standin: DiscordStandIn, who: str, question: str
) -> tuple[str, Recorded]:
    """Mention the bot in #general; return the thread id and the bot's answer in it."""
    message = await discord_standin.say(who, question, mention_bot=True)
    thread_id = message["id"]
    answer = await discord_standin.wait_post(thread_id)
    return thread_id, answer


async def take_the_offer_of_a_person(discord_standin: DiscordStandIn, thread_id: str) -> None:
    """The FAQ has no answer: the bot says so in the thread, and the customer presses its
    Talk to a person button."""
    offer = await discord_standin.wait_post(thread_id, "couldn't find the answer")
    assert custom_ids(offer) == ["faqbot:human"]
    await discord_standin.click("Alice", offer.response, "faqbot:human")


async def test_a_mention_is_answered_in_a_thread_with_sources_and_buttons(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    await start_bot()
    rest_base = discord.http.Route.BASE
    assert rest_base == discord_standin.url + "/api/v10"
    thread_id, answer = await ask_in_thread(discord_standin, "Alice", RESET)

    assert discord_standin.sent("POST", rf"/channels/{GENERAL}/messages/{thread_id}/threads")
    # An answer from the FAQ is ready at once: no typing indicator delays it.
    assert not discord_standin.sent("POST", r"/channels/\d+/typing")
    assert "nimbus.example/reset" in answer.body["content"]
    assert answer.body["embeds"][0]["title"] == "Sources"
    assert "https://nimbus.example/reset" in answer.body["embeds"][0]["description"]
    assert custom_ids(answer) == [
        "faqbot:feedback:helpful",
        "faqbot:feedback:not_helpful",
        "faqbot:human",
    ]
    assert answer.body["allowed_mentions"] == {"parse": []}


async def test_a_follow_up_in_the_thread_needs_no_mention_but_the_channel_does(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    await start_bot()
    thread_id, _ = await ask_in_thread(discord_standin, "Alice", RESET)
    await discord_standin.say("Bob", "how do I turn on two-factor authentication")  # no mention
    before = len(discord_standin.requests)
    await discord_standin.say("Alice", "How do I turn on two-factor authentication?", thread_id)
    follow_up = await discord_standin.wait_post(thread_id, "Two-factor", after=before)
    assert follow_up.body["embeds"]
    # The unmentioned question in #general was not answered, and no second thread was opened.
    assert not discord_standin.posts(GENERAL)
    assert len(discord_standin.sent("POST", r"/channels/\d+/messages/\d+/threads")) == 1


async def test_a_dm_is_answered_directly(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    await start_bot()
    await discord_standin.say("Bob", RESET, DM_CHANNEL, dm=True)
    answer = await discord_standin.wait_post(DM_CHANNEL, "nimbus.example/reset")
    assert answer.body["allowed_mentions"] == {"parse": []}
    assert not discord_standin.sent("POST", r"/channels/\d+/messages/\d+/threads")


async def test_inline_replies_and_the_channel_allow_list(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    await start_bot(DISCORD_REPLY_IN_THREAD=False, DISCORD_ALLOWED_CHANNEL_IDS=GENERAL)
    await discord_standin.say("Alice", RESET, OTHER, mention_bot=True)  # outside the allow-list
    await discord_standin.say("Alice", RESET, mention_bot=True)
    await discord_standin.wait_post(GENERAL, "nimbus.example/reset")
    assert not discord_standin.posts(OTHER)
    assert not discord_standin.sent("POST", r"/channels/\d+/messages/\d+/threads")


async def test_bots_and_its_own_messages_are_ignored(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    await start_bot()
    await discord_standin.say("OtherBot", RESET, mention_bot=True)
    await discord_standin.say("FaqBot", RESET, mention_bot=True)
    await ask_in_thread(discord_standin, "Alice", RESET)
    assert len(discord_standin.posts()) == 1


async def test_helpful_and_not_helpful_buttons(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    await start_bot()
    thread_id, answer = await ask_in_thread(discord_standin, "Alice", RESET)
    message = answer.response

    interaction = await discord_standin.click("Alice", message, "faqbot:feedback:helpful")
    await discord_standin.wait_post(thread_id, "Thanks for the feedback")
    assert discord_standin.sent("POST", rf"/interactions/{interaction}/[^/]+/callback")

    await discord_standin.click("Alice", message, "faqbot:feedback:not_helpful")
    sorry = await discord_standin.wait_post(thread_id, "Sorry that didn")
    assert custom_ids(sorry) == ["faqbot:human"]


# Two entries that differ only in a detail the customer may not give (see test_conversation).
AMBIGUOUS_FAQ = (
    "- id: cancel-monthly\n  question: How do I cancel a monthly subscription?\n"
    "  answer: Open Billing and click Cancel; a monthly plan stops at the end of the month.\n"
    "- id: cancel-yearly\n  question: How do I cancel a yearly subscription?\n"
    "  answer: Open Billing and click Cancel; a yearly plan stops at the end of the year.\n"
    "- id: other\n  question: How do I change my avatar?\n  answer: Click your picture.\n"
)


async def test_a_clarification_choice_button(
    discord_standin: DiscordStandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(AMBIGUOUS_FAQ)
    # Lexical search, where the two entries are equally likely for this question.
    await start_bot(faq_path=path, SEMANTIC_SEARCH="off")
    message = await discord_standin.say(
        "Alice", "how do I cancel my subscription", mention_bot=True
    )
    thread_id = message["id"]
    question = await discord_standin.wait_post(thread_id)
    assert sorted(custom_ids(question)) == [
        "faqbot:choice:cancel-monthly",
        "faqbot:choice:cancel-yearly",
    ]
    before = len(discord_standin.requests)
    await discord_standin.click("Alice", question.response, "faqbot:choice:cancel-yearly")
    answer = await discord_standin.wait_post(thread_id, "end of the year", after=before)
    assert custom_ids(answer)[0] == "faqbot:feedback:helpful"


async def test_escalation_reaches_the_desk_and_replies_are_relayed_both_ways(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    app, _ = await start_bot()
    thread_id, answer = await ask_in_thread(discord_standin, "Alice", RESET)
    await discord_standin.click("Alice", answer.response, "faqbot:human")

    told = await discord_standin.wait_post(thread_id, "ticket")
    ticket = (await app.tickets.list())[0]
    assert ticket.id in told.body["content"]
    card = await discord_standin.wait_post(DESK, ticket.id)
    embed = card.body["embeds"][0]
    assert "Alice" in json.dumps(embed) and "password" in json.dumps(embed)
    assert custom_ids(card) == [f"faqbot:claim:{ticket.id}", f"faqbot:resolve:{ticket.id}"]
    desk_thread = card.response["id"]
    await discord_standin.wait_for(
        lambda: discord_standin.sent("POST", rf"/channels/{DESK}/messages/{desk_thread}/threads"),
        what="the card's thread",
    )

    # An agent answers in the card's thread: the customer gets it, the ticket is claimed.
    await discord_standin.say("Agent Ann", "Try the reset link in a private window", desk_thread)
    relayed = await discord_standin.wait_post(thread_id, "private window")
    assert "Agent Ann" in relayed.body["content"]
    await discord_standin.wait_for(
        lambda: discord_standin.sent("PATCH", rf"/channels/{DESK}/messages/{desk_thread}"),
        what="the card edited on claim",
    )

    # The customer answers in their thread: the agents see it in the desk thread.
    await discord_standin.say("Alice", "It worked, thanks @everyone", thread_id)
    forwarded = await discord_standin.wait_post(desk_thread, "It worked")
    assert forwarded.body["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in forwarded.body["content"]

    # Resolve from the card: the customer is told and the buttons go away.
    await discord_standin.click("Agent Ann", card.response, f"faqbot:resolve:{ticket.id}")
    await discord_standin.wait_post(thread_id, "resolved")
    edits = await discord_standin.wait_for(
        lambda: [
            r
            for r in discord_standin.sent("PATCH", rf"/channels/{DESK}/messages/{desk_thread}")
            if "resolved" in texts(r)
        ],
        what="the card edited on resolve",
    )
    assert edits[-1].body["components"] == []


async def test_claim_button_and_a_ticket_error_is_answered_ephemerally(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    app, _ = await start_bot()
    message = await discord_standin.say("Alice", UNANSWERABLE, mention_bot=True)
    await take_the_offer_of_a_person(discord_standin, message["id"])
    ticket = await discord_standin.wait_for(
        lambda: discord_standin.posts(DESK) and discord_standin.posts(DESK)[0], what="a desk card"
    )
    ticket_id = (await app.tickets.list())[0].id
    interaction = await discord_standin.click(
        "Agent Ann", ticket.response, f"faqbot:claim:{ticket_id}"
    )
    callback = await discord_standin.wait_for(
        lambda: discord_standin.sent("POST", rf"/interactions/{interaction}/[^/]+/callback"),
        what="the claim acknowledged",
    )
    assert "claimed" in texts(callback[0])
    assert callback[0].body["data"]["flags"] == 64  # ephemeral
    assert (await app.tickets.get(ticket_id)).claimed_by == "Agent Ann"

    # A second agent cannot take it over: a TicketError, answered to that agent only.
    other = await discord_standin.click("Manager Max", ticket.response, f"faqbot:claim:{ticket_id}")
    refused = await discord_standin.wait_for(
        lambda: discord_standin.sent("POST", rf"/interactions/{other}/[^/]+/callback"),
        what="the refusal",
    )
    assert "already claimed by Agent Ann" in texts(refused[0])
    assert refused[0].body["data"]["flags"] == 64


async def followup(discord_standin: DiscordStandIn, interaction: str) -> str:
    records = await discord_standin.wait_for(
        lambda: discord_standin.sent("POST", rf"/webhooks/{APP_ID}/tok-{interaction}"),
        what=f"the reply to interaction {interaction}",
    )
    return " ".join(r.body.get("content") or "" for r in records)


async def test_faq_reload_for_admins_with_a_good_and_a_broken_file(
    discord_standin: DiscordStandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    path = tmp_path / "faq.yaml"
    shutil.copy(SAMPLE_FAQ, path)
    await start_bot(faq_path=path)
    synced = discord_standin.sent("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    assert synced and synced[0].body[0]["name"] == "faq"

    path.write_text(
        path.read_text() + "\n- id: discord-server\n  question: Do you have a Discord server?\n"
        "  answer: Yes, join us at https://discord.example/nimbus.\n"
    )
    interaction = await discord_standin.slash("Agent Ann", "reload")
    report = await followup(discord_standin, interaction)
    assert "FAQ reloaded" in report and "discord-server" in report
    callback = discord_standin.sent("POST", rf"/interactions/{interaction}/[^/]+/callback")[0]
    assert callback.body["data"]["flags"] == 64  # ephemeral

    path.write_text(path.read_text() + "\n- id: broken\n  question: [unclosed\n")
    interaction = await discord_standin.slash("Manager Max", "reload")  # Manage Server
    report = await followup(discord_standin, interaction)
    assert "FAQ reload refused" in report and "faq.yaml:" in report

    interaction = await discord_standin.slash("Bob", "reload")
    assert "for admins only" in await followup(discord_standin, interaction)

    interaction = await discord_standin.slash("Bob", "help")
    assert "reload" in await followup(discord_standin, interaction)


async def test_everyone_in_a_question_is_never_pinged_back(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    await start_bot()
    message = await discord_standin.say(
        "Alice", f"@everyone {UNANSWERABLE} <@&{ADMIN_ROLE}>", mention_bot=True
    )
    await take_the_offer_of_a_person(discord_standin, message["id"])
    await discord_standin.wait_for(lambda: discord_standin.posts(DESK), what="the desk card")
    await discord_standin.wait_for(
        lambda: len(discord_standin.posts()) >= 2, what="the customer's reply"
    )
    for record in discord_standin.posts():
        assert record.body["allowed_mentions"] == {"parse": []}, record


async def test_a_rate_limit_is_waited_out(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    await start_bot()
    discord_standin.rate_limit_once.add("POST /channels/{id}/messages")
    message = await discord_standin.say("Alice", RESET, mention_bot=True)
    thread_id = message["id"]
    # The refused try, then the one that went through.
    await discord_standin.wait_for(
        lambda: [r.status for r in discord_standin.posts(thread_id)] == [429, 200], what="the retry"
    )
    assert discord_standin.rate_limited == ["POST /channels/{id}/messages"]


async def test_a_reminder_is_posted_in_the_desk_channel_without_pings(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    app, _ = await start_bot()
    ticket = (await Customer(app.engine).say("I want to talk to a human")).ticket
    assert ticket is not None and app.engine.desk is not None
    before = len(discord_standin.posts(DESK))
    await app.engine.desk.post_note(ticket, f"Reminder: {ticket.id} waits @everyone")
    note = discord_standin.posts(DESK)[before]
    assert ticket.id in note.body["content"] and note.body["allowed_mentions"] == {"parse": []}


async def test_a_storm_of_429s_drops_no_reply(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    await start_bot(DISCORD_REPLY_IN_THREAD=False)
    discord_standin.rate_limit_storm["POST /channels/{id}/messages"] = 6
    for name in ("Alice", "Bob"):
        await discord_standin.say(name, RESET, mention_bot=True)
    await discord_standin.wait_for(
        lambda: len([r for r in discord_standin.posts(GENERAL) if r.status == 200]) == 2,
        what="both replies",
    )
    assert discord_standin.rate_limited == ["POST /channels/{id}/messages"] * 6


async def test_a_dropped_gateway_connection_is_resumed(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    await start_bot()
    await ask_in_thread(discord_standin, "Alice", RESET)
    session, seq = discord_standin.session_id, discord_standin.seq
    await discord_standin.drop()
    await discord_standin.connected()
    assert discord_standin.resumes == [{"token": TOKEN, "session_id": session, "seq": seq}]
    assert discord_standin.identifies == 1
    await discord_standin.say("Bob", RESET, DM_CHANNEL, dm=True)
    await discord_standin.wait_post(DM_CHANNEL, "nimbus.example/reset")


async def test_buttons_on_old_messages_work_after_a_restart(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    app, adapter = await start_bot()
    thread_id, answer = await ask_in_thread(discord_standin, "Alice", RESET)
    await adapter.stop()

    await start_bot(app)
    assert discord_standin.identifies == 2
    await discord_standin.click("Alice", answer.response, "faqbot:feedback:helpful")
    await discord_standin.wait_post(thread_id, "Thanks for the feedback")


async def test_sharded_client(discord_standin: DiscordStandIn, start_bot: StartBot) -> None:
    _, adapter = await start_bot(DISCORD_SHARDED=True)
    assert isinstance(adapter.client, discord.AutoShardedClient)
    identify = next(p for p in discord_standin.gateway_received if p["op"] == 2)
    assert identify["d"]["shard"] == [0, 1]
    await ask_in_thread(discord_standin, "Alice", RESET)


async def test_a_bad_token_is_one_readable_line(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    discord_standin.reject_token = True
    _, adapter = await start_bot(wait_ready=False)
    failure = await discord_standin.wait_for(lambda: adapter.failure, what="the login failure")
    assert "DISCORD_TOKEN" in failure and "\n" not in failure


async def test_a_missing_privileged_intent_is_one_readable_line(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    discord_standin.refuse_intents = True
    _, adapter = await start_bot(wait_ready=False)
    failure = await discord_standin.wait_for(lambda: adapter.failure, what="the intents failure")
    assert "Message Content intent" in failure and "\n" not in failure


async def test_faqbot_serve_exits_1_when_discord_rejects_the_token(
    make_app: MakeApp, discord_standin: DiscordStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    discord_standin.reject_token = True
    app = make_app(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_URL=discord_standin.url + "/api/v10",
        DISCORD_GATEWAY_URL=discord_standin.ws_url,
        HTTP_HOST="127.0.0.1",
        HTTP_PORT=0,
    )
    assert await asyncio.wait_for(serve(app, asyncio.Event()), 10) == 1
    assert any("DISCORD_TOKEN" in r.message for r in caplog.records if r.levelname == "ERROR")


def test_long_text_is_split_on_paragraphs() -> None:
    paragraphs = [f"{n} " + "x" * 900 for n in range(5)]
    parts = split_text("\n\n".join(paragraphs))
    assert all(len(part) <= 2000 for part in parts)
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)
    assert split_text("y" * 4500) == ["y" * 2000, "y" * 2000, "y" * 500]


def test_the_readme_gives_the_invite_url_with_the_needed_permissions() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    url = invite_url("APP_ID")
    assert url in readme
    assert "scope=bot+applications.commands" in url
    needed = discord.Permissions(PERMISSIONS.value)
    assert needed.send_messages_in_threads and needed.create_public_threads and needed.embed_links


async def test_faqbot_serve_runs_discord_and_stops_cleanly(
    make_app: MakeApp, discord_standin: DiscordStandIn
) -> None:
    app = make_app(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_URL=discord_standin.url + "/api/v10",
        DISCORD_GATEWAY_URL=discord_standin.ws_url,
        HTTP_HOST="127.0.0.1",
        HTTP_PORT=0,
    )
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, stop))
    await discord_standin.connected()
    await discord_standin.say("Bob", RESET, DM_CHANNEL, dm=True)
    await discord_standin.wait_post(DM_CHANNEL, "nimbus.example/reset")
    stop.set()
    assert await asyncio.wait_for(server, 10) == 0
    assert discord_standin.identifies == 1


async def test_stopping_finishes_the_answer_in_flight_and_takes_no_new_message(
    discord_standin: DiscordStandIn, start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="handlers.inflight")
    _, adapter = await start_bot()
    # The answer's thread hangs in Discord until released: the message is in flight.
    release = discord_standin.hold["POST /channels/{id}/messages/{id}/threads"] = asyncio.Event()
    try:
        question = await discord_standin.say("Alice", RESET, mention_bot=True)
        await discord_standin.wait_for(lambda: discord_standin.held, what="the held thread")
        stopping = asyncio.create_task(adapter.stop())
        await discord_standin.wait_for(
            lambda: "takes no new messages" in caplog.text, what="the drain to start"
        )
        await discord_standin.say("Bob", UNANSWERABLE, mention_bot=True)
        await discord_standin.wait_for(
            lambda: "Discord message refused" in caplog.text, what="the late message refused"
        )
    finally:
        release.set()
    await stopping
    answer = await discord_standin.wait_post(question["id"])
    assert "nimbus.example/reset" in answer.body["content"]
    assert not any("ticket" in texts(post) for post in discord_standin.posts())


async def test_an_admin_publishes_an_attached_faq_lists_versions_and_rolls_back(
    discord_standin: DiscordStandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    path = tmp_path / "faq.yaml"
    shutil.copy(SAMPLE_FAQ, path)
    app, _ = await start_bot(faq_path=path)
    await app.start()
    first = app.faq.version
    synced = discord_standin.sent("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    subcommands = {c["name"]: c for c in synced[0].body[0]["options"]}
    # Every admin command the core has, described as the core describes it.
    assert {name: c["description"] for name, c in subcommands.items()} == {
        command.name: command.summary for command in ADMIN_COMMANDS
    }
    assert [(o["name"], o["type"]) for o in subcommands["reload"]["options"]] == [
        ("args", 3),
        ("file", 11),
    ]
    new_entry = (
        "\n- id: discord-server\n  question: Do you have a Discord server?\n"
        "  answer: Yes, join us at https://discord.example/nimbus.\n"
    )

    broken = discord_standin.upload("faq.yaml", b"- id: a\n  question: Half an entry\n")
    interaction = await discord_standin.slash("Agent Ann", "reload", file=broken)
    report = await followup(discord_standin, interaction)
    assert "faq.yaml:1: missing 'answer'" in report and f"{first} stays live" in report

    good = discord_standin.upload("faq.yaml", (SAMPLE_FAQ.read_text() + new_entry).encode())
    interaction = await discord_standin.slash("Agent Ann", "reload", args="--force", file=good)
    report = await followup(discord_standin, interaction)
    assert "FAQ reloaded" in report and "Added (1): discord-server" in report
    assert discord_standin.sent("GET", r"/attachments/.*/faq.yaml")
    assert "discord-server" in app.faq.index.by_id

    interaction = await discord_standin.slash("Agent Ann", "versions")
    assert "from attachment faq.yaml" in await followup(discord_standin, interaction)
    interaction = await discord_standin.slash("Bob", "rollback")
    assert "for admins only" in await followup(discord_standin, interaction)
    interaction = await discord_standin.slash("Agent Ann", "rollback", args=first[:8])
    assert f"FAQ rolled back: version {first}" in await followup(discord_standin, interaction)
    assert app.faq.version == first


# ---- hardening: system messages, unreadable dispatches, desk agents


async def test_system_messages_are_never_answered_where_a_persons_words_would_be(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    _, adapter = await start_bot()
    # A thread the bot is part of (it answers there without a mention), and a DM (always).
    thread_id, _ = await ask_in_thread(discord_standin, "Alice", RESET)
    replays = system_messages(discord_standin, thread_id, dm=False)
    replays += system_messages(discord_standin, DM_CHANNEL, dm=True)
    assert len(replays) >= 60
    before = len(discord_standin.requests)
    for replay in replays:
        await discord_standin.dispatch(replay.event, replay.data)

    # The next real question in the DM is answered, and it is the only thing said.
    await discord_standin.say("Alice", RESET, DM_CHANNEL, dm=True)
    await discord_standin.wait_post(DM_CHANNEL, "nimbus.example/reset", after=before)
    await adapter.in_flight.wait()
    since = discord_standin.requests[before:]
    assert not [r for r in since if r.path.startswith(f"/channels/{thread_id}/")], since
    assert len([r for r in since if r.path == f"/channels/{DM_CHANNEL}/messages"]) == 1
    assert adapter.failure is None


async def test_the_typing_indicator_shows_only_where_the_llm_writes_an_answer(
    discord_standin: DiscordStandIn, start_bot: StartBot, claude: AnthropicStandIn
) -> None:
    app, adapter = await start_bot(
        ANTHROPIC_API_KEY="sk-test-key", ANTHROPIC_BASE_URL=claude.url, LLM_FULL_FAQ_TOKENS=0
    )
    # Chatter the bot is not part of, and a customer's words relayed to an open ticket's desk:
    # the bot reads both and answers neither.
    await discord_standin.say("Bob", "anyone up for lunch?", OTHER)
    customer = Customer(app.engine, user_name="Carol")
    ticket = (await customer.say("I want to talk to a human")).ticket
    assert ticket is not None and ticket.desk_ref is not None
    desk_thread = ticket.desk_ref.key.channel_id
    await discord_standin.say("Agent Ann", "Looking into it now", desk_thread)
    # A question the model answers.
    await ask_in_thread(discord_standin, "Alice", RESET)
    await adapter.in_flight.wait()
    assert claude.requests

    typed = {r.path for r in discord_standin.sent("POST", r"/channels/\d+/typing")}
    assert typed == {f"/channels/{GENERAL}/typing"}


async def test_dispatches_discord_py_cannot_read_are_skipped_and_serve_keeps_answering(
    make_app: MakeApp, discord_standin: DiscordStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_URL=discord_standin.url + "/api/v10",
        DISCORD_GATEWAY_URL=discord_standin.ws_url,
        HTTP_HOST="127.0.0.1",
        HTTP_PORT=0,
    )
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, stop))
    try:
        await discord_standin.connected()
        await discord_standin.say("Bob", RESET, DM_CHANNEL, dm=True)
        await discord_standin.wait_post(DM_CHANNEL, "nimbus.example/reset")

        replays = unreadable(discord_standin, "700000000000000002")
        assert len(replays) >= 30
        for replay in replays:
            await discord_standin.dispatch(replay.event, replay.data)
        await discord_standin.send_frame(unnamed_event())

        before = len(discord_standin.requests)
        await discord_standin.say("Bob", RESET, DM_CHANNEL, dm=True)
        await discord_standin.wait_post(DM_CHANNEL, "nimbus.example/reset", after=before)
        assert not server.done()
    finally:
        stop.set()
    assert await asyncio.wait_for(server, 10) == 0
    skipped = [r.getMessage() for r in caplog.records if "event skipped" in r.getMessage()]
    assert any("MESSAGE_CREATE" in line for line in skipped), skipped
    assert any("INTERACTION_CREATE" in line for line in skipped), skipped
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # no traceback either
    assert discord_standin.identifies == 1


async def test_a_ready_discord_py_cannot_read_shows_as_failed_on_readiness(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    _, adapter = await start_bot()
    assert await adapter.connection() is Connection.CONNECTED
    await discord_standin.dispatch("READY", {"v": 10, "user": None, "guilds": "none"})
    await discord_standin.wait_for(lambda: adapter.failure, what="the READY to be refused")
    assert await adapter.connection() is Connection.FAILED


async def interaction_reply(discord_standin: DiscordStandIn, interaction: str) -> Recorded:
    records = await discord_standin.wait_for(
        lambda: discord_standin.sent("POST", rf"/interactions/{interaction}/[^/]+/callback"),
        what=f"the answer to interaction {interaction}",
    )
    record: Recorded = records[0]
    assert record.body["data"]["flags"] == 64  # ephemeral: only the one who clicked sees it
    return record


async def test_a_forged_resolve_click_from_outside_the_desk_resolves_nothing(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    app, _ = await start_bot()
    message = await discord_standin.say("Alice", UNANSWERABLE, mention_bot=True)
    thread_id = message["id"]
    await take_the_offer_of_a_person(discord_standin, thread_id)
    card = await discord_standin.wait_for(
        lambda: discord_standin.posts(DESK) and discord_standin.posts(DESK)[0], what="a desk card"
    )
    ticket_id = (await app.tickets.list())[0].id

    # Bob is in the server but cannot see the desk; he presses Resolve on the card anyway.
    bob = await discord_standin.click("Bob", card.response, f"faqbot:resolve:{ticket_id}")
    assert DESK_REFUSAL in texts(await interaction_reply(discord_standin, bob))
    # The card's buttons on a copy of it outside the desk (in the customer's thread).
    copy = {**card.response, "channel_id": thread_id}
    forged = await discord_standin.click("Agent Ann", copy, f"faqbot:resolve:{ticket_id}")
    assert DESK_REFUSAL in texts(await interaction_reply(discord_standin, forged))
    ticket = await app.tickets.get(ticket_id)
    assert ticket.status is TicketStatus.OPEN and ticket.claimed_by is None
    assert not [p for p in discord_standin.posts(thread_id) if "resolved" in texts(p)]

    # Agent Ann, who works in the desk, claims it and resolves it from the card.
    claim = await discord_standin.click("Agent Ann", card.response, f"faqbot:claim:{ticket_id}")
    assert f"You claimed {ticket_id}" in texts(await interaction_reply(discord_standin, claim))
    done = await discord_standin.click("Agent Ann", card.response, f"faqbot:resolve:{ticket_id}")
    assert f"{ticket_id} is resolved" in texts(await interaction_reply(discord_standin, done))
    assert (await app.tickets.get(ticket_id)).status is TicketStatus.RESOLVED
    await discord_standin.wait_post(thread_id, "resolved")


# ---- answers streamed as they are written

STREAMED = (
    "Click **Forgot password?** on the sign-in page. "
    "We'll send you a reset link that stays valid for 60 minutes. "
    "If the email doesn't arrive, check your spam folder."
)


async def test_an_llm_answer_is_edited_into_one_message_as_it_is_written(
    discord_standin: DiscordStandIn, start_bot: StartBot, claude: AnthropicStandIn
) -> None:
    await start_bot(
        ANTHROPIC_API_KEY="sk-test-key", ANTHROPIC_BASE_URL=claude.url, LLM_FULL_FAQ_TOKENS=0
    )
    claude.script.append(ToolReply(STREAMED, ["reset-password"], pause_after="spam"))
    question = await discord_standin.say("Alice", RESET, mention_bot=True)
    thread_id = question["id"]
    first = await discord_standin.wait_post(thread_id)
    assert STREAMED.startswith(first.body["content"])
    message_id = first.response["id"]
    # More of the answer is edited in while the model is still writing.
    [edit] = await discord_standin.wait_for(
        lambda: discord_standin.edits(message_id), what="an edit with more of the answer"
    )
    assert claude.finished == 0
    assert STREAMED.startswith(edit["content"])
    assert len(edit["content"]) > len(first.body["content"])
    assert "spam" not in edit["content"]
    claude.resume.set()
    final = await discord_standin.wait_for(
        lambda: [e for e in discord_standin.edits(message_id) if e.get("embeds")],
        what="the last edit",
    )
    assert final[-1]["content"] == STREAMED
    assert "https://nimbus.example/reset" in final[-1]["embeds"][0]["description"]
    assert [c["custom_id"] for row in final[-1]["components"] for c in row["components"]] == [
        "faqbot:feedback:helpful",
        "faqbot:feedback:not_helpful",
        "faqbot:human",
    ]
    assert len(discord_standin.posts(thread_id)) == 1  # one message, edited
    assert not discord_standin.rate_limited


async def test_edits_beyond_discords_rate_limit_wait_for_their_turn(
    discord_standin: DiscordStandIn, start_bot: StartBot
) -> None:
    _, adapter = await start_bot()
    discord_standin.edit_limit, discord_standin.edit_window = 1, 0.2
    stream = DiscordStream(adapter.client.get_partial_messageable(int(GENERAL)), interval=0)
    await stream.append("One.")
    await stream.append(" Two.")
    # The last edit comes too soon after that one: Discord says 429, and it waits its turn.
    await stream.finish(Reply("One. Two. Three."))
    assert stream.message is not None
    assert [e["content"] for e in discord_standin.edits(str(stream.message.id))] == [
        "One. Two.",
        "One. Two. Three.",
    ]
    assert "PATCH /channels/{id}/messages/{id}" in discord_standin.rate_limited

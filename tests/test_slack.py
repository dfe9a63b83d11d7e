"""The Slack adapter end to end: real slack-bolt, signed HTTP requests and a Socket Mode websocket,
against a local stand-in of Slack's Web API, on a real Redis."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
import yaml
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.admin.commands import REFUSAL
from bot.admin.registry import ADMIN_COMMANDS
from bot.core.channels import CollectingOutputChannel
from bot.core.language import phrase
from bot.core.models import Action, ConversationKey, MessageKind, Reply, Source
from bot.runtime.app import App
from bot.runtime.server import build_web_app, connect, platform_adapters, serve
from bot.runtime.settings import SettingsError
from handlers.slack import SlackAdapter
from handlers.slack_format import (
    MAX_BLOCKS,
    SECTION_LIMIT,
    markdown_to_mrkdwn,
    normalise_inbound,
    reply_blocks,
)
from tests.conftest import MakeApp
from tests.people import Customer
from tests.standins.anthropic_api import AnthropicStandIn, Broken, ToolReply
from tests.standins.slack_api import Call, SlackStandIn

ROOT = Path(__file__).resolve().parent.parent
SECRET = "secret"
PASSWORD_QUESTION = "How can I reset my password? I forgot it"
WEATHER = "What will the weather be like in Lisbon tomorrow?"
SEEN_METHODS: set[str] = set()  # every Web API method the suite saw the bot call
_ts = itertools.count(1)


def next_ts() -> str:
    n = next(_ts)
    return f"{1600000000 + n}.{n:06d}"


def signed_headers(
    body: str, *, timestamp: int | None = None, secret: str = SECRET
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class SlackRig:
    """One bot process in HTTP mode: its App, its adapter and its /slack/events URL."""

    standin: SlackStandIn
    app: App
    adapter: SlackAdapter
    url: str
    session: aiohttp.ClientSession

    async def post(
        self, body: str, content_type: str, *, retry: int | None = None, **sign: Any
    ) -> aiohttp.ClientResponse:
        headers = {"Content-Type": content_type, **signed_headers(body, **sign)}
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        async with self.session.post(self.url, data=body.encode(), headers=headers) as response:
            await response.read()
            return response

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None
    ) -> int:
        body = json.dumps(event_envelope(event, event_id))
        return (await self.post(body, "application/json", retry=retry)).status

    async def interact(self, payload: dict[str, Any]) -> int:
        body = urlencode({"payload": json.dumps(payload)})
        return (await self.post(body, "application/x-www-form-urlencoded")).status

    async def command(self, text: str, *, user: str = "UADMIN", channel: str = "C1") -> str:
        """Run `/faq text`; returns the hook its response_url answer is recorded under."""
        hook_url = self.standin.response_url()
        form = {
            "token": "x",
            "team_id": "T1",
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/faq",
            "text": text,
            "api_app_id": "A1",
            "response_url": hook_url,
            "trigger_id": f"trigger-{next_ts()}",
        }
        status = (await self.post(urlencode(form), "application/x-www-form-urlencoded")).status
        assert status == 200
        return hook_url.rsplit("/", 1)[1]


def event_envelope(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "x",
        "team_id": "T1",
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next_ts().replace('.', '')}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
    }


def mention(text: str, *, user: str = "UALICE", channel: str = "C1") -> dict[str, Any]:
    ts = next_ts()
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@UBOT> {text}",
        "ts": ts,
        "event_ts": ts,
        "channel": channel,
    }


def message(
    text: str,
    *,
    user: str = "UALICE",
    channel: str = "C1",
    channel_type: str = "channel",
    thread_ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    ts = next_ts()
    event = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel": channel,
        "channel_type": channel_type,
        **extra,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def button(posted: dict[str, Any], value: str) -> dict[str, Any]:
    for block in posted["blocks"]:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element.get("value") == value:
                return dict(element)
    raise AssertionError(f"no button {value!r} in {posted['blocks']}")


def click_payload(
    posted: dict[str, Any], posted_ts: str, value: str, *, user: str = "UALICE"
) -> dict[str, Any]:
    """A block_actions payload: `user` clicks the button of value `value` in a posted message."""
    element = button(posted, value)
    msg: dict[str, Any] = {
        "type": "message",
        "ts": posted_ts,
        "bot_id": "BBOT",
        "blocks": posted["blocks"],
    }
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": posted_ts,
        "channel_id": posted["channel"],
        "is_ephemeral": False,
    }
    if posted.get("thread_ts"):
        msg["thread_ts"] = container["thread_ts"] = posted["thread_ts"]
    return {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": "T1"},
        "api_app_id": "A1",
        "token": "x",
        "container": container,
        "channel": {"id": posted["channel"], "name": "general"},
        "message": msg,
        "trigger_id": f"trigger-{next_ts()}",
        "response_url": "http://127.0.0.1:9/unused",
        "actions": [
            {
                "type": "button",
                "action_id": element["action_id"],
                "block_id": "b",
                "value": value,
                "text": element["text"],
                "action_ts": next_ts(),
            }
        ],
    }


def block_text(posted: dict[str, Any]) -> str:
    parts = []
    for block in posted.get("blocks", []):
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if element.get("type") == "mrkdwn":
                parts.append(element["text"])
    return "\n".join(parts)


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    server = await SlackStandIn(names={"UAGENT": "Agent Smith", "UALICE": "Alice"}).start()
    yield server
    SEEN_METHODS.update(server.methods - {"response_url"})
    await server.stop()


RigFactory = Callable[..., Awaitable[SlackRig]]


@pytest.fixture
async def make_rig(make_app: MakeApp, standin: SlackStandIn) -> AsyncIterator[RigFactory]:
    rigs: list[tuple[SlackRig, web.AppRunner]] = []
    session = aiohttp.ClientSession()

    async def make(faq_path: Path | None = None, **values: Any) -> SlackRig:
        settings = {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": standin.api_url,
            "SLACK_ADMIN_USER_IDS": "UADMIN",
            "SLACK_ESCALATION_CHANNEL": "CDESK",
            **values,
        }
        app = make_app(faq_path=faq_path, **settings)
        adapters = platform_adapters(app)
        connect(app, adapters)
        runner = web.AppRunner(build_web_app(app, adapters))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        adapter = adapters[0]
        assert isinstance(adapter, SlackAdapter)
        rig = SlackRig(standin, app, adapter, f"http://127.0.0.1:{port}/slack/events", session)
        rigs.append((rig, runner))
        return rig

    yield make
    for rig, runner in rigs:
        await rig.adapter.stop()
        await runner.cleanup()
    await session.close()


@pytest.fixture
async def rig(make_rig: RigFactory) -> SlackRig:
    return await make_rig()


# ---- conversations


async def test_a_mention_gets_a_threaded_answer_with_its_sources(rig: SlackRig) -> None:
    event = mention(PASSWORD_QUESTION)
    assert await rig.event(event) == 200
    posted = await rig.standin.wait_call("chat.postMessage", channel="C1")
    assert posted["thread_ts"] == event["ts"]
    text = block_text(posted)
    assert "*Forgot password?*" in text  # the answer's Markdown became mrkdwn
    assert "https://nimbus.example/reset" in text
    assert "<https://nimbus.example/reset|How do I reset my password if I forgot it?>" in text
    assert {button(posted, v)["action_id"].split(":")[1] for v in ("helpful", "not_helpful")} == {
        "feedback"
    }
    assert button(posted, "human")["action_id"].startswith("faqbot:human:")
    # An answer from the FAQ is ready at once: no work-in-progress reaction delays it.
    assert not rig.standin.called("reactions.add")
    # The conversation is the mention's thread.
    history = await rig.app.store.history(ConversationKey("slack", "T1", "C1", event["ts"]))
    assert [t.role for t in history] == ["customer", "bot"]
    assert history[0].text == PASSWORD_QUESTION  # the mention was stripped


async def test_web_api_calls_reuse_one_connection(rig: SlackRig) -> None:
    # A new connection per call would mean a TCP and TLS handshake per call against Slack.
    for question in (PASSWORD_QUESTION, "How do I cancel my subscription?"):
        event = mention(question)
        await rig.event(event)
        await rig.standin.wait_call("chat.postMessage", thread_ts=event["ts"])
    calls = [c for c in rig.standin.calls if c.method != "auth.test"]  # Bolt's, before ours
    assert [c.method for c in calls] == ["chat.postMessage", "chat.postMessage"]
    assert len({c.connection for c in calls}) == 1


async def test_a_direct_message_is_answered_in_the_dm(rig: SlackRig) -> None:
    event = message(PASSWORD_QUESTION, channel="D1", channel_type="im")
    await rig.event(event)
    posted = await rig.standin.wait_call("chat.postMessage", channel="D1")
    assert "thread_ts" not in posted
    assert "Forgot password?" in posted["text"]


def assistant_thread_started(channel: str = "D1") -> dict[str, Any]:
    """A customer opened a new conversation in the bot's AI-app pane."""
    thread_ts = next_ts()
    return {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": "UALICE",
            "context": {"channel_id": "C1", "team_id": "T1", "enterprise_id": None},
            "channel_id": channel,
            "thread_ts": thread_ts,
        },
        "event_ts": next_ts(),
    }


def order_of(standin: SlackStandIn, *methods: str) -> list[str]:
    return [c.method for c in standin.calls if c.method in methods]


async def test_a_dm_in_an_assistant_thread_answered_from_the_faq_shows_no_status_or_reaction(
    rig: SlackRig,
) -> None:
    started = assistant_thread_started()
    thread_ts = started["assistant_thread"]["thread_ts"]
    await rig.event(started)
    event = message(PASSWORD_QUESTION, channel="D1", channel_type="im", thread_ts=thread_ts)
    await rig.event(event)
    posted = await rig.standin.wait_call("chat.postMessage", channel="D1")
    assert posted["thread_ts"] == thread_ts and "Forgot password?" in posted["text"]
    # The answer is ready within milliseconds: a status first would only delay it.
    assert not rig.standin.called("assistant.threads.setStatus")
    assert not rig.standin.called("reactions.add")


async def test_the_status_says_an_answer_is_being_written_when_the_llm_is_called(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude)
    thread_ts = next_ts()
    event = message(PASSWORD_QUESTION, channel="D1", channel_type="im", thread_ts=thread_ts)
    await rig.event(event)
    # In a thread the model's answer is streamed in.
    await rig.standin.wait_call("chat.stopStream", channel="D1")
    assert claude.requests
    [status] = rig.standin.called("assistant.threads.setStatus")
    assert status == {
        "channel_id": "D1",
        "thread_ts": thread_ts,
        "status": "is writing an answer...",
        "loading_messages": ["Writing an answer..."],
    }
    # Shown before the answer; Slack clears it when the reply lands in the thread.
    assert order_of(rig.standin, "assistant.threads.setStatus", "chat.startStream") == [
        "assistant.threads.setStatus",
        "chat.startStream",
    ]
    assert not rig.standin.called("reactions.add")


async def test_a_top_level_dm_has_its_status_cleared_after_the_answer(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude)
    event = message(PASSWORD_QUESTION, channel="D1", channel_type="im")
    await rig.event(event)
    await rig.standin.wait_call("chat.postMessage", channel="D1")
    await rig.adapter.drain()
    statuses = rig.standin.called("assistant.threads.setStatus", thread_ts=event["ts"])
    # The reply is not in the status's thread, so Slack would not clear it by itself.
    assert [s["status"] for s in statuses] == ["is writing an answer...", ""]
    assert order_of(rig.standin, "assistant.threads.setStatus", "chat.postMessage")[-1] == (
        "assistant.threads.setStatus"
    )


async def test_without_the_assistant_feature_a_dm_still_shows_the_reaction(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude)
    rig.standin.assistant_enabled = False  # an app installed from the manifest before it
    event = message(PASSWORD_QUESTION, channel="D1", channel_type="im", thread_ts=next_ts())
    await rig.event(event)
    await rig.standin.wait_call("chat.stopStream", channel="D1")
    assert rig.standin.called("reactions.add", channel="D1", timestamp=event["ts"])


async def test_a_channel_mention_the_llm_answers_shows_the_reaction_and_no_status(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude)
    event = mention(PASSWORD_QUESTION)
    await rig.event(event)
    await rig.standin.wait_call("chat.stopStream", channel="C1")
    assert rig.standin.called("reactions.add", timestamp=event["ts"], name="eyes")
    assert order_of(rig.standin, "reactions.add", "chat.startStream") == [
        "reactions.add",
        "chat.startStream",
    ]
    assert not rig.standin.called("assistant.threads.setStatus")
    assert not rig.standin.called("assistant.threads.setTitle")


async def test_a_new_assistant_thread_suggests_the_most_asked_questions(rig: SlackRig) -> None:
    faq = rig.app.faq.index
    # A new install has answered nothing yet: the FAQ's first questions.
    await rig.event(assistant_thread_started())
    first = await rig.standin.wait_call("assistant.threads.setSuggestedPrompts")
    assert [p["message"] for p in first["prompts"]] == [e.question for e in faq.entries[:4]]
    assert first["title"] == "Frequently asked"

    # Two-factor asked twice and cancelling once: they lead, the FAQ's order fills the rest.
    for question in (
        "How do I turn on two-factor authentication?",
        "how to enable 2FA on my account",
        "How do I cancel my subscription?",
    ):
        await rig.event(message(question, channel="D2", channel_type="im", thread_ts=next_ts()))
    await rig.standin.wait_for(lambda: len(rig.standin.called("chat.postMessage")) == 3)
    await rig.adapter.drain()
    started = assistant_thread_started()
    await rig.event(started)
    thread_ts = started["assistant_thread"]["thread_ts"]
    later = await rig.standin.wait_call(
        "assistant.threads.setSuggestedPrompts", thread_ts=thread_ts
    )
    messages = [p["message"] for p in later["prompts"]]
    assert messages[:2] == [
        faq.by_id["enable-two-factor-auth"].question,
        faq.by_id["cancel-subscription"].question,
    ]
    assert len(messages) == 4 and len(set(messages)) == 4
    assert all(len(p["title"]) <= 60 for p in later["prompts"])


async def test_an_assistant_thread_is_titled_from_its_first_question(rig: SlackRig) -> None:
    thread_ts = next_ts()
    question = (
        "Hi, I'm alice@example.com and <!here> I can't log in: how can I reset my password "
        "when I forgot it and the reset link never arrives?"
    )
    await rig.event(message(question, channel="D1", channel_type="im", thread_ts=thread_ts))
    title = await rig.standin.wait_call("assistant.threads.setTitle", thread_ts=thread_ts)
    assert title["channel_id"] == "D1"
    assert "alice@example.com" not in title["title"] and "here" not in title["title"]
    # Cut at a word, and marked as cut.
    assert title["title"].startswith("Hi, I'm") and title["title"].endswith("…")
    assert len(title["title"]) <= 60 and not title["title"][:-1].endswith(" ")
    # The next question in the same thread keeps the title.
    await rig.event(
        message(
            "How do I cancel my subscription?", channel="D1", channel_type="im", thread_ts=thread_ts
        )
    )
    await rig.standin.wait_for(lambda: len(rig.standin.called("chat.postMessage")) == 2)
    await rig.adapter.drain()
    assert len(rig.standin.called("assistant.threads.setTitle")) == 1


async def test_the_stand_in_refuses_assistant_calls_slack_would_refuse(
    standin: SlackStandIn,
) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=standin.api_url)
    where = {"channel_id": "D1", "thread_ts": next_ts()}
    too_many = [{"title": f"q{n}", "message": f"question {n}"} for n in range(5)]
    for call in (
        client.assistant_threads_setSuggestedPrompts(prompts=too_many, **where),
        client.assistant_threads_setSuggestedPrompts(prompts=[{"title": "t"}], **where),
        client.assistant_threads_setStatus(channel_id="C1", thread_ts=next_ts(), status="x"),
        client.assistant_threads_setStatus(status="x", loading_messages=["m"] * 11, **where),
        client.assistant_threads_setTitle(title=" ", **where),
    ):
        with pytest.raises(SlackApiError):
            await call
    assert (await client.assistant_threads_setTitle(title="Password reset", **where))["ok"]


async def test_a_follow_up_in_the_bots_thread_needs_no_mention(rig: SlackRig) -> None:
    first = mention(PASSWORD_QUESTION)
    await rig.event(first)
    await rig.standin.wait_call("chat.postMessage", thread_ts=first["ts"])
    await rig.event(message("thanks a lot!", thread_ts=first["ts"]))
    await rig.standin.wait_for(lambda: len(rig.standin.called("chat.postMessage")) == 2)
    follow_up = rig.standin.called("chat.postMessage")[-1]
    assert follow_up["thread_ts"] == first["ts"] and "welcome" in follow_up["text"]
    # A message in a thread the bot is not part of, without a mention, gets nothing.
    stranger = message("hello", channel="C1", thread_ts=next_ts())
    await rig.event(stranger)
    await rig.adapter.drain()
    assert not rig.standin.called("chat.postMessage", thread_ts=stranger["thread_ts"])


async def test_bots_edits_deletions_and_its_own_messages_are_ignored(rig: SlackRig) -> None:
    await rig.event(message("<@UBOT> hello", user="UOTHERBOT", bot_id="B2", channel_type="im"))
    await rig.event(message("hello", user="UBOT", channel="D1", channel_type="im"))
    edited = message("", channel="D1", channel_type="im", subtype="message_changed")
    edited["message"] = {"type": "message", "user": "UALICE", "text": "hello", "ts": "1.0"}
    del edited["user"]
    await rig.event(edited)
    deleted = message("", channel="D1", channel_type="im", subtype="message_deleted")
    del deleted["user"]
    await rig.event(deleted)
    await rig.adapter.drain()
    assert not rig.standin.called("chat.postMessage")
    # ...while a person's DM is answered, so the ones above were really ignored.
    await rig.event(message("hello", channel="D1", channel_type="im"))
    await rig.standin.wait_call("chat.postMessage", channel="D1")


async def test_the_channel_allow_list_limits_channel_answers_but_not_dms(
    make_rig: RigFactory,
) -> None:
    rig = await make_rig(SLACK_ALLOWED_CHANNELS="CALLOWED")
    await rig.event(mention(PASSWORD_QUESTION, channel="COTHER"))
    await rig.event(mention(PASSWORD_QUESTION, channel="CALLOWED"))
    await rig.event(message(PASSWORD_QUESTION, channel="D9", channel_type="im"))
    await rig.standin.wait_call("chat.postMessage", channel="CALLOWED")
    await rig.standin.wait_call("chat.postMessage", channel="D9")
    await rig.adapter.drain()
    assert not rig.standin.called("chat.postMessage", channel="COTHER")


# ---- buttons and the desk


async def test_feedback_buttons_reach_the_core(rig: SlackRig) -> None:
    event = mention(PASSWORD_QUESTION)
    await rig.event(event)
    call = (await rig.standin.wait_for(lambda: rig.standin.matching("chat.postMessage")))[0]
    assert await rig.interact(click_payload(call.params, call.response["ts"], "helpful")) == 200
    await rig.standin.wait_for(lambda: len(rig.standin.called("chat.postMessage")) == 2)
    thanks = rig.standin.called("chat.postMessage")[-1]
    assert thanks["thread_ts"] == event["ts"] and "Thanks" in thanks["text"]
    await rig.interact(click_payload(call.params, call.response["ts"], "not_helpful"))
    await rig.standin.wait_for(lambda: len(rig.standin.called("chat.postMessage")) == 3)
    sorry = rig.standin.called("chat.postMessage")[-1]
    assert sorry["thread_ts"] == event["ts"]
    assert button(sorry, "human")  # offers a person
    counters = await rig.app.store.counters()
    assert counters["feedback_helpful"] == 1 and counters["feedback_not_helpful"] == 1


async def test_a_customer_the_bot_is_unsure_of_clicks_the_suggested_entry_and_is_answered(
    rig: SlackRig,
) -> None:
    event = mention("is there a public API?")
    await rig.event(event)
    unsure = (await rig.standin.wait_for(lambda: rig.standin.matching("chat.postMessage")))[0]
    assert "couldn't find a sure answer" in unsure.params["text"]
    assert button(unsure.params, "human")
    clicked = click_payload(unsure.params, unsure.response["ts"], "api-keys")
    assert await rig.interact(clicked) == 200
    await rig.standin.wait_for(lambda: len(rig.standin.called("chat.postMessage")) == 2)
    answer = rig.standin.called("chat.postMessage")[-1]
    assert answer["thread_ts"] == event["ts"] and "API keys" in answer["text"]
    assert button(answer, "helpful")


async def test_talk_to_a_person_reaches_the_desk_and_the_agent_answers_there(
    rig: SlackRig,
) -> None:
    standin = rig.standin
    event = mention(PASSWORD_QUESTION)
    await rig.event(event)
    answer = (await standin.wait_for(lambda: standin.matching("chat.postMessage")))[0]
    # Answering from the FAQ needed no profile lookup; the ticket does, for her name.
    assert not standin.called("users.info")
    await rig.interact(click_payload(answer.params, answer.response["ts"], "human"))

    # The customer is told about the ticket; the desk gets a card with Claim and Resolve.
    told = await standin.wait_for(
        lambda: [
            p for p in standin.called("chat.postMessage", channel="C1") if "ticket" in p["text"]
        ]
    )
    (ticket,) = await rig.app.tickets.list()
    assert ticket.id in told[0]["text"] and told[0]["thread_ts"] == event["ts"]
    assert ticket.user_name == "Alice"
    card = (await standin.wait_for(lambda: standin.matching("chat.postMessage", channel="CDESK")))[
        0
    ]
    card_ts = card.response["ts"]
    assert "<@UALICE>" in block_text(card.params) and PASSWORD_QUESTION in block_text(card.params)
    assert button(card.params, ticket.id)["action_id"] == "faqbot-desk:claim"

    # The customer's next message reaches the card's thread, and the bot does not talk over it.
    await rig.event(message("it is urgent please", thread_ts=event["ts"]))
    relayed = await standin.wait_call("chat.postMessage", channel="CDESK", thread_ts=card_ts)
    assert "it is urgent please" in relayed["text"]

    # An agent's reply in the card's thread reaches the customer's thread, with the agent's name.
    await rig.event(
        message(
            "Hi, I sent you a fresh reset mail.", user="UAGENT", channel="CDESK", thread_ts=card_ts
        )
    )
    to_customer = await standin.wait_for(
        lambda: [
            p
            for p in standin.called("chat.postMessage", channel="C1")
            if "fresh reset mail" in p["text"]
        ]
    )
    assert to_customer[0]["thread_ts"] == event["ts"]
    assert to_customer[0]["text"].startswith("Agent Smith:")
    assert (await rig.app.tickets.get(ticket.id)).claimed_by == "Agent Smith"
    assert standin.called("chat.update", channel="CDESK", ts=card_ts)

    # Claiming it as someone else is refused, visibly to that person only.
    await rig.interact(click_payload(card.params, card_ts, ticket.id, user="UOTHER"))
    refusal = await standin.wait_call("chat.postEphemeral", user="UOTHER")
    assert "already claimed" in refusal["text"]

    # Resolve closes the ticket and tells the customer; the card loses its buttons.
    resolve = click_payload(card.params, card_ts, ticket.id, user="UAGENT")
    resolve["actions"][0]["action_id"] = "faqbot-desk:resolve"
    await rig.interact(resolve)
    resolved = await standin.wait_for(
        lambda: [
            p for p in standin.called("chat.postMessage", channel="C1") if "resolved" in p["text"]
        ]
    )
    assert resolved[0]["thread_ts"] == event["ts"]
    assert (await rig.app.tickets.get(ticket.id)).status == "resolved"
    last_update = await standin.wait_for(
        lambda: [
            p
            for p in standin.called("chat.update", ts=card_ts)
            if not any(b["type"] == "actions" for b in p["blocks"])
        ]
    )
    assert "resolved" in block_text(last_update[-1])


async def test_a_discord_customer_is_served_from_the_slack_desk(rig: SlackRig) -> None:
    """The relay goes through the core, so the customer's platform does not matter."""
    discord = CollectingOutputChannel("discord")
    rig.app.engine.register_channel(discord)
    customer = Customer(
        rig.app.engine,
        key=ConversationKey("discord", "G1", "C-discord", None),
        user_id="D-bob",
        user_name="Bob",
    )
    told = await customer.say("I want to talk to a human")
    assert told.ticket is not None
    card = (
        await rig.standin.wait_for(
            lambda: rig.standin.matching("chat.postMessage", channel="CDESK")
        )
    )[0]
    assert "Bob (discord)" in block_text(card.params)
    await rig.event(
        message(
            "Hello Bob, how can I help?",
            user="UAGENT",
            channel="CDESK",
            thread_ts=card.response["ts"],
        )
    )
    await rig.standin.wait_for(lambda: discord.sent)
    (key, reply), *_ = discord.sent
    assert key == customer.key and reply.text == "Agent Smith: Hello Bob, how can I help?"


# ---- /faq


FAQ_GOOD = """
- id: opening-hours
  question: When are you open?
  answer: Monday to Friday, 9 to 5.
"""
FAQ_MORE = (
    FAQ_GOOD
    + """
- id: refunds
  question: Can I get a refund?
  answer: Yes, within 30 days.
"""
)
FAQ_BROKEN = """
- id: opening-hours
  question: When are you open?
- id: opening-hours
  question: Duplicate
  answer: x
"""


async def test_faq_reload_by_an_admin_good_then_broken(
    make_rig: RigFactory, tmp_path: Path
) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(FAQ_GOOD)
    rig = await make_rig(faq_path=faq)
    faq.write_text(FAQ_MORE)
    hook = await rig.command("reload")
    answer = await rig.standin.wait_call("response_url", hook=hook)
    assert "FAQ reloaded" in answer["text"] and "refunds" in answer["text"]
    assert answer["response_type"] == "ephemeral"
    assert "refunds" in rig.app.faq.index.by_id

    faq.write_text(FAQ_BROKEN)
    hook = await rig.command("reload")
    refused = await rig.standin.wait_call("response_url", hook=hook)
    assert "refused" in refused["text"]
    assert "faq.yaml:" in refused["text"]  # errors are file:line
    assert "refunds" in rig.app.faq.index.by_id  # the old FAQ stays live


async def test_faq_commands_are_refused_politely_for_non_admins(rig: SlackRig) -> None:
    hook = await rig.command("reload", user="UALICE")
    answer = await rig.standin.wait_call("response_url", hook=hook)
    assert "admins only" in answer["text"]
    hook = await rig.command("status")
    status = await rig.standin.wait_call("response_url", hook=hook)
    assert "FAQ version" in status["text"]


# ---- HTTP protocol: redelivery, signatures, rate limits


async def test_a_redelivered_event_is_answered_once(rig: SlackRig) -> None:
    event = mention(PASSWORD_QUESTION)
    envelope_id = "EvSAME"
    assert await rig.event(event, event_id=envelope_id) == 200
    assert await rig.event(event, event_id=envelope_id, retry=1) == 200
    # The message event of the same message (Slack sends both) is the same message too.
    as_message = {**event, "type": "message", "channel_type": "channel"}
    assert await rig.event(as_message) == 200
    await rig.standin.wait_call("chat.postMessage", thread_ts=event["ts"])
    await rig.adapter.drain()
    assert len(rig.standin.called("chat.postMessage")) == 1


async def test_a_bad_signature_or_a_stale_timestamp_is_refused(rig: SlackRig) -> None:
    body = json.dumps(event_envelope(mention(PASSWORD_QUESTION)))
    bad = await rig.post(body, "application/json", secret="wrong")
    stale = await rig.post(body, "application/json", timestamp=int(time.time()) - 600)
    assert (bad.status, stale.status) == (401, 401)
    await rig.adapter.drain()
    assert not rig.standin.called("chat.postMessage")


async def test_a_429_from_slack_is_waited_out(rig: SlackRig) -> None:
    rig.standin.rate_limit_once["chat.postMessage"] = "0"
    event = mention(PASSWORD_QUESTION)
    await rig.event(event)
    posted = await rig.standin.wait_call("chat.postMessage", thread_ts=event["ts"])
    assert "Forgot password?" in posted["text"]
    assert [c.method for c in rig.standin.rate_limited] == ["chat.postMessage"]


async def test_a_reminder_shows_in_the_card_thread_and_the_desk_channel(rig: SlackRig) -> None:
    ticket = (await Customer(rig.app.engine).say("I want to talk to a human")).ticket
    assert ticket is not None and ticket.desk_ref is not None and rig.app.engine.desk is not None
    await rig.app.engine.desk.post_note(ticket, f"Reminder: {ticket.id} waits <!channel>")
    [note] = rig.standin.called("chat.postMessage", reply_broadcast=True)
    assert (note["channel"], note["thread_ts"]) == ("CDESK", ticket.desk_ref.message_id)
    assert ticket.id in note["text"] and "<!channel>" not in note["text"]


async def test_a_storm_of_429s_drops_no_reply(rig: SlackRig) -> None:
    # More 429s than one call would survive with only a few retries each.
    rig.standin.rate_limit_storm["chat.postMessage"] = 8
    questions = [mention(PASSWORD_QUESTION, channel=channel) for channel in ("C1", "C2")]
    for event in questions:
        assert await rig.event(event) == 200
    for event in questions:
        posted = await rig.standin.wait_call("chat.postMessage", 30, thread_ts=event["ts"])
        assert "Forgot password?" in posted["text"]
    assert len(rig.standin.rate_limited) == 8


async def test_a_failing_call_is_logged_and_the_listener_lives_on(
    make_rig: RigFactory, claude: AnthropicStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    rig = await llm_rig(make_rig, claude)  # the reaction shows while the model writes
    rig.standin.rate_limit_once["reactions.add"] = "0"
    # Four 429s in a row exceed the retries: reactions.add fails, the answer still arrives.
    original = rig.standin._answer

    def failing(method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "reactions.add":
            return {"ok": False, "error": "already_reacted"}
        return original(method, params)

    rig.standin._answer = failing  # type: ignore[method-assign]
    event = mention(PASSWORD_QUESTION)
    await rig.event(event)
    await rig.standin.wait_call("chat.stopStream", channel="C1")
    assert any(
        "reactions.add" in r.getMessage() and "already_reacted" in r.getMessage()
        for r in caplog.records
    )


async def test_the_event_is_acknowledged_before_the_work_is_done(rig: SlackRig) -> None:
    release = asyncio.Event()
    rig.standin.hold["chat.postMessage"] = release
    event = mention(PASSWORD_QUESTION)
    assert await rig.event(event) == 200  # answered while the reply cannot be posted yet
    assert not rig.standin.called("chat.postMessage")
    release.set()
    await rig.standin.wait_call("chat.postMessage", thread_ts=event["ts"])


async def test_a_click_without_a_channel_is_logged_and_the_bot_carries_on(
    rig: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    broken = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "UALICE"},
        "actions": [{"action_id": "faqbot:feedback:0", "value": "helpful", "action_ts": "1.2"}],
    }  # no container, no channel: no conversation to give the feedback to
    assert await rig.interact(broken) == 200
    await rig.adapter.drain()
    [warning] = [r for r in caplog.records if "faqbot:feedback:0" in r.getMessage()]
    assert "outside a conversation" in warning.getMessage() and warning.exc_info is None
    await rig.event(message("hello", channel="D3", channel_type="im"))
    await rig.standin.wait_call("chat.postMessage", channel="D3")


def test_http_mode_without_a_signing_secret_is_a_readable_settings_error(
    make_app: MakeApp,
) -> None:
    app = make_app(SLACK_BOT_TOKEN="xoxb-test")
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET"):
        SlackAdapter.from_app(app)


# ---- Socket Mode


async def test_socket_mode_answers_a_mention_and_acks_the_envelope(
    make_app: MakeApp, standin: SlackStandIn
) -> None:
    app = make_app(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=standin.api_url,
    )
    adapter = SlackAdapter.from_app(app)
    connect(app, [adapter])
    web_app = web.Application()
    adapter.add_routes(web_app)
    assert not any(
        r.resource and r.resource.canonical == "/slack/events" for r in web_app.router.routes()
    )
    await adapter.start()
    try:
        await standin.connected()
        assert standin.matching("apps.connections.open")[0].token == "xapp-test"
        event = mention(PASSWORD_QUESTION)
        envelope_id = await standin.push("events_api", event_envelope(event))
        await standin.wait_for(
            lambda: [a for a in standin.acks if a.get("envelope_id") == envelope_id]
        )
        posted = await standin.wait_call("chat.postMessage", thread_ts=event["ts"])
        assert "Forgot password?" in posted["text"]
        # A redelivery (retry_attempt 1) is not answered again.
        again = await standin.push("events_api", event_envelope(event), retry_attempt=1)
        await standin.wait_for(lambda: [a for a in standin.acks if a.get("envelope_id") == again])
        await adapter.drain()
        assert len(standin.called("chat.postMessage")) == 1
        # Slash commands come over the socket too; the answer goes to the response_url.
        hook_url = standin.response_url()
        command = {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "UALICE",
            "command": "/faq",
            "text": "reload",
            "response_url": hook_url,
            "trigger_id": "t1",
        }
        await standin.push("slash_commands", command)
        refusal = await standin.wait_call("response_url", hook=hook_url.rsplit("/", 1)[1])
        assert "admins only" in refusal["text"]
    finally:
        await adapter.stop()


async def test_faqbot_serve_runs_slack_in_socket_mode_and_stops_cleanly(
    make_app: MakeApp, standin: SlackStandIn
) -> None:
    app = make_app(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=standin.api_url,
        HTTP_HOST="127.0.0.1",
        HTTP_PORT=0,
    )
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, stop))
    await standin.connected()
    event = message(PASSWORD_QUESTION, channel="D7", channel_type="im")
    await standin.push("events_api", event_envelope(event))
    posted = await standin.wait_call("chat.postMessage", channel="D7")
    assert "Forgot password?" in posted["text"]
    stop.set()
    await asyncio.wait_for(server, 30)
    await standin.wait_for(lambda: not standin._sockets)  # the websocket was closed


# ---- several processes


async def test_two_processes_get_the_same_event_100_times_and_answer_each_once(
    make_rig: RigFactory,
) -> None:
    first = await make_rig()
    second = await make_rig()
    events = [message("hello", channel=f"D{i}", channel_type="im") for i in range(100)]

    async def deliver(event: dict[str, Any]) -> None:
        envelope = event_envelope(event)
        body = json.dumps(envelope)
        statuses = await asyncio.gather(
            first.post(body, "application/json"), second.post(body, "application/json", retry=1)
        )
        assert [s.status for s in statuses] == [200, 200]

    await asyncio.gather(*(deliver(e) for e in events))
    await first.standin.wait_for(lambda: len(first.standin.called("chat.postMessage")) >= 100)
    await first.adapter.drain()
    await second.adapter.drain()
    channels = [p["channel"] for p in first.standin.called("chat.postMessage")]
    assert sorted(channels) == sorted(f"D{i}" for i in range(100))


# ---- Block Kit


def test_long_answers_are_split_into_sections_within_slacks_limits() -> None:
    long = "\n\n".join(f"Paragraph {i}: " + "word " * 300 for i in range(200))
    reply = Reply(
        long,
        sources=(Source("a", "Entry A", ("https://a.example/x",)),),
        actions=(Action(MessageKind.CHOICE, "a", "x" * 200),),
    )
    blocks = reply_blocks(reply)
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks if b["type"] == "section")
    assert blocks[-2]["type"] == "context" and blocks[-1]["type"] == "actions"
    assert len(blocks[-1]["elements"][0]["text"]["text"]) <= 75


def test_markup_is_translated_both_ways() -> None:
    assert (
        normalise_inbound(
            "<@UBOT> hi <@U2|bob> <!here> see <http://x.example|the docs> &amp; <#C1|general>",
            "UBOT",
        )
        == "hi @bob @here see the docs & #general"
    )
    assert (
        markdown_to_mrkdwn("**Bold** and *it* and [docs](https://d.example) <@U1> & ## no")
        == "*Bold* and _it_ and <https://d.example|docs> &lt;@U1&gt; &amp; ## no"
    )


async def test_an_admin_publishes_a_faq_file_shared_with_a_mention(
    make_rig: RigFactory, tmp_path: Path
) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(FAQ_GOOD)
    rig = await make_rig(faq_path=faq)
    await rig.app.start()
    live = rig.app.faq.version

    broken = rig.standin.share_file("faq.yaml", FAQ_BROKEN.encode())
    await rig.event(mention("faq reload", user="UADMIN") | {"files": [broken]})
    refused = await rig.standin.wait_call("chat.postMessage", channel="C1")
    assert "faq.yaml:" in block_text(refused) and f"{live} stays live" in block_text(refused)

    shared = rig.standin.share_file("faq.yaml", FAQ_MORE.encode())
    event = mention("reload", user="UADMIN") | {"files": [shared]}
    # Slack sends the mention twice (app_mention and a file_share message): one reload.
    as_message = event | {"type": "message", "subtype": "file_share", "channel_type": "channel"}
    await rig.event(event)
    await rig.event(as_message)
    posted = await rig.standin.wait_for(
        lambda: [p for p in rig.standin.called("chat.postMessage") if "reloaded" in p["text"]]
    )
    assert len(posted) == 1 and "Added (1): refunds" in block_text(posted[0])
    assert "refunds" in rig.app.faq.index.by_id
    assert {d.token for d in rig.standin.downloads} == {"xoxb-test"}

    # Someone else sharing a file with "reload" only gets the polite refusal.
    other = rig.standin.share_file("faq.yaml", FAQ_GOOD.encode())
    await rig.event(mention("reload", user="UALICE") | {"files": [other]})
    await rig.standin.wait_call("chat.postMessage", channel="C1", text=REFUSAL)
    assert "refunds" in rig.app.faq.index.by_id


async def test_faq_versions_and_rollback_from_the_slash_command(
    make_rig: RigFactory, tmp_path: Path
) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(FAQ_GOOD)
    rig = await make_rig(faq_path=faq)
    await rig.app.start()
    first = rig.app.faq.version
    faq.write_text(FAQ_MORE)
    await rig.standin.wait_call("response_url", hook=await rig.command("reload --force"))
    versions = await rig.standin.wait_call("response_url", hook=await rig.command("versions"))
    assert "reload by slack:UADMIN" in versions["text"]
    back = await rig.standin.wait_call("response_url", hook=await rig.command("rollback"))
    assert f"FAQ rolled back: version {first}" in back["text"]
    assert "refunds" not in rig.app.faq.index.by_id


# ---- answers streamed as they are written

STREAMED = (
    "Click **Forgot password?** on the sign-in page. "
    "We'll send you a reset link that stays valid for 60 minutes. "
    "If the email doesn't arrive, check your spam folder."
)


async def llm_rig(make_rig: RigFactory, claude: AnthropicStandIn, **values: Any) -> SlackRig:
    return await make_rig(
        ANTHROPIC_API_KEY="sk-test-key",
        ANTHROPIC_BASE_URL=claude.url,
        LLM_MAX_RETRIES=0,
        LLM_FULL_FAQ_TOKENS=0,
        **values,
    )


def stream_calls(standin: SlackStandIn) -> list[Call]:
    return [c for c in standin.calls if c.method.endswith("Stream")]


def streamed_text(standin: SlackStandIn) -> str:
    return "".join(str(c.params.get("markdown_text") or "") for c in stream_calls(standin))


async def test_an_llm_answer_arrives_as_a_stream_before_the_model_has_finished(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude)
    claude.script.append(ToolReply(STREAMED, ["reset-password"], pause_after="60 minutes"))
    event = mention(PASSWORD_QUESTION)
    await rig.event(event)
    start = await rig.standin.wait_call("chat.startStream")
    assert start["thread_ts"] == event["ts"]
    assert (start["recipient_user_id"], start["recipient_team_id"]) == ("UALICE", "T1")
    await rig.standin.wait_for(lambda: "sign-in page." in streamed_text(rig.standin))
    # The first sentence is out while the model is still writing the next one.
    assert claude.finished == 0
    assert "60 minutes" not in streamed_text(rig.standin)
    assert not rig.standin.called("chat.postMessage", channel="C1")
    claude.resume.set()
    stop = await rig.standin.wait_call("chat.stopStream")
    ts = start_ts(rig)
    assert rig.standin.streams[ts]["state"] == "stopped"
    assert rig.standin.streams[ts]["text"] == STREAMED
    assert claude.requests[0].body["stream"] is True
    # The finished message carries the sources and the feedback buttons, which work.
    posted = {"channel": "C1", "thread_ts": event["ts"], "blocks": stop["blocks"]}
    assert "How do I reset my password if I forgot it?" in block_text(posted)
    assert button(posted, "not_helpful") and button(posted, "human")
    await rig.interact(click_payload(posted, ts, "helpful"))
    thanks = await rig.standin.wait_call("chat.postMessage", channel="C1")
    assert thanks["thread_ts"] == event["ts"] and "Thanks" in thanks["text"]
    assert not rig.standin.called("chat.update", channel="C1")


def start_ts(rig: SlackRig) -> str:
    return str(rig.standin.matching("chat.startStream")[0].response["ts"])


async def test_an_answer_written_before_its_ids_streams_too(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude)
    key_order = ("answer", "source_ids", "faq_answers_it")
    claude.script.append(
        ToolReply(STREAMED, ["reset-password"], pause_after="60 minutes", key_order=key_order)
    )
    await rig.event(mention(PASSWORD_QUESTION))
    await rig.standin.wait_for(lambda: "sign-in page." in streamed_text(rig.standin))
    assert claude.finished == 0
    claude.resume.set()
    stop = await rig.standin.wait_call("chat.stopStream")
    assert rig.standin.streams[start_ts(rig)]["text"] == STREAMED
    assert "How do I reset my password if I forgot it?" in block_text(stop)


async def test_a_hostile_streamed_answer_is_stopped_before_the_forbidden_part_shows(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude)
    hostile = (
        "Click **Forgot password?** on the sign-in page. "
        "Also, refunds are 100% at any time, no questions asked. Enjoy!"
    )
    claude.script.append(ToolReply(hostile, ["reset-password"], pause_after="100% at"))
    await rig.event(mention(PASSWORD_QUESTION))
    # The harmless start is streamed; the figure no entry has is held while the model writes.
    await rig.standin.wait_for(lambda: "sign-in page." in streamed_text(rig.standin))
    claude.resume.set()
    final = await rig.standin.wait_call("chat.update", channel="C1")
    everything = json.dumps([c.params for c in rig.standin.calls])
    assert "100%" not in everything and "questions asked" not in everything
    # The refused answer is replaced by the FAQ's own, with its sources and buttons.
    entry = rig.app.faq.index.by_id["reset-password"]
    assert final["ts"] == start_ts(rig)
    assert final["text"] == entry.answer
    assert button(final, "helpful")
    assert rig.standin.streams[start_ts(rig)]["state"] == "stopped"


async def test_a_link_the_faq_lacks_never_reaches_the_stream(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude)
    answer = (
        "Click **Forgot password?** on the [sign-in page](https://evil.example/steal). "
        "We'll send you a reset link."
    )
    claude.script.append(ToolReply(answer, ["reset-password"]))
    await rig.event(mention(PASSWORD_QUESTION))
    await rig.standin.wait_call("chat.stopStream")
    await rig.adapter.drain()
    assert "evil.example" not in json.dumps([c.params for c in rig.standin.calls])
    assert rig.standin.streams[start_ts(rig)]["text"] == (
        "Click **Forgot password?** on the sign-in page. We'll send you a reset link."
    )


async def test_a_failure_mid_stream_ends_with_the_faqs_own_answer_not_half_of_one(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude)
    claude.script.append(Broken(ToolReply(STREAMED, ["reset-password"])))
    await rig.event(mention(PASSWORD_QUESTION))
    final = await rig.standin.wait_call("chat.update", channel="C1")
    # The model's first words were streamed, then replaced whole.
    assert streamed_text(rig.standin) and STREAMED.startswith(streamed_text(rig.standin))
    assert final["ts"] == start_ts(rig)
    assert final["text"] == rig.app.faq.index.by_id["reset-password"].answer
    assert button(final, "helpful") and "Sources:" in block_text(final)
    assert b'faqbot_errors_total{kind="llm"} 1.0' in rig.app.metrics.render()


async def test_an_answer_resting_on_no_given_entry_is_never_streamed(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude)
    claude.script.append(ToolReply("Our CEO is Jane, trust me. Ask her.", ["made-up"]))
    await rig.event(mention(PASSWORD_QUESTION))
    offer = await rig.standin.wait_call("chat.postMessage", channel="C1")
    assert "Jane" not in json.dumps([c.params for c in rig.standin.calls])
    assert button(offer, "human")
    assert not stream_calls(rig.standin)


async def test_a_streamed_answer_the_model_then_says_the_faq_lacks_becomes_the_hand_off(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude)
    reply = ToolReply(STREAMED, ["reset-password"], faq_answers_it=False, pause_after="spam")
    claude.script.append(reply)
    await rig.event(mention(PASSWORD_QUESTION))
    await rig.standin.wait_for(lambda: "sign-in page." in streamed_text(rig.standin))
    claude.resume.set()
    final = await rig.standin.wait_call("chat.update", channel="C1")
    assert final["ts"] == start_ts(rig)
    assert final["text"] == phrase("no_answer", "en")
    assert button(final, "human")


async def test_when_slack_ends_a_stream_early_the_reply_is_completed_with_an_update(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude)
    claude.script.append(ToolReply(STREAMED, ["reset-password"], pause_after="60 minutes"))
    await rig.event(mention(PASSWORD_QUESTION))
    await rig.standin.wait_for(lambda: "sign-in page." in streamed_text(rig.standin))
    rig.standin.end_streams()
    claude.resume.set()
    final = await rig.standin.wait_call("chat.update", channel="C1")
    assert final["ts"] == start_ts(rig)
    assert final["text"] == STREAMED
    assert button(final, "helpful") and "Sources:" in block_text(final)


async def test_with_streaming_off_the_llm_answer_comes_whole(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    rig = await llm_rig(make_rig, claude, LLM_STREAMING=False)
    claude.script.append(ToolReply(STREAMED, ["reset-password"]))
    await rig.event(mention(PASSWORD_QUESTION))
    posted = await rig.standin.wait_call("chat.postMessage", channel="C1")
    assert posted["text"] == STREAMED and button(posted, "helpful")
    assert not stream_calls(rig.standin)
    assert "stream" not in claude.requests[0].body


async def test_a_dm_outside_a_thread_gets_the_whole_answer(
    make_rig: RigFactory, claude: AnthropicStandIn
) -> None:
    # Slack streams only into threads; a DM's own messages are answered in the DM itself.
    rig = await llm_rig(make_rig, claude)
    claude.script.append(ToolReply(STREAMED, ["reset-password"]))
    await rig.event(message(PASSWORD_QUESTION, channel="D1", channel_type="im"))
    posted = await rig.standin.wait_call("chat.postMessage", channel="D1")
    assert posted["text"] == STREAMED and "thread_ts" not in posted
    assert not stream_calls(rig.standin)


# ---- the manifest (keep last: it checks what the tests above saw)

METHOD_SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "apps.connections.open": None,  # app-level token (connections:write), not a bot scope
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.startStream": "chat:write",
    "chat.appendStream": "chat:write",
    "chat.stopStream": "chat:write",
    "reactions.add": "reactions:write",
    "users.info": "users:read",
    "conversations.replies": "channels:history",
    "conversations.members": "channels:read",  # groups:read for a private desk channel
    "assistant.threads.setStatus": "assistant:write",
    "assistant.threads.setSuggestedPrompts": "assistant:write",
    "assistant.threads.setTitle": "assistant:write",
}


async def test_the_manifest_covers_every_method_the_bot_called(rig: SlackRig) -> None:
    # Run alone, this test still drives the main story itself; in the module it also sees what
    # every test before it made the bot call.
    event = mention(PASSWORD_QUESTION)
    await rig.event(event)
    answer = (await rig.standin.wait_for(lambda: rig.standin.matching("chat.postMessage")))[0]
    await rig.interact(click_payload(answer.params, answer.response["ts"], "human"))
    card = (
        await rig.standin.wait_for(
            lambda: rig.standin.matching("chat.postMessage", channel="CDESK")
        )
    )[0]
    resolve = click_payload(
        card.params,
        card.response["ts"],
        card.params["blocks"][-1]["elements"][-1]["value"],
        user="UAGENT",
    )
    resolve["actions"][0]["action_id"] = "faqbot-desk:resolve"
    await rig.interact(resolve)
    await rig.standin.wait_call("chat.update", channel="CDESK")
    await rig.adapter.drain()
    seen = SEEN_METHODS | (rig.standin.methods - {"response_url"})

    manifest = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    unknown = seen - METHOD_SCOPES.keys()
    assert not unknown, f"add these methods to METHOD_SCOPES: {unknown}"
    needed = {METHOD_SCOPES[m] for m in seen} - {None}
    assert needed <= scopes, f"missing scopes: {needed - scopes}"
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "message.channels"} <= events
    assert {"assistant_thread_started", "assistant_thread_context_changed"} <= events
    assert "assistant_view" in manifest["features"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    [faq] = manifest["features"]["slash_commands"]
    assert faq["command"] == "/faq"
    # The hint Slack shows lists the admin commands the core has, as the core writes them.
    assert faq["usage_hint"] == " | ".join(command.usage for command in ADMIN_COMMANDS)


async def test_a_customers_first_message_carries_the_privacy_notice_once(
    make_rig: RigFactory,
) -> None:
    rig = await make_rig(PRIVACY_NOTICE="auto")

    async def ask() -> str:
        before = len(rig.standin.called("chat.postMessage", channel="D1"))
        await rig.event(message(PASSWORD_QUESTION, channel="D1", channel_type="im"))
        posts = await rig.standin.wait_for(
            lambda: rig.standin.called("chat.postMessage", channel="D1")[before:]
        )
        return block_text(posts[0])

    first = await ask()
    assert first.startswith("I'm an automated assistant, not a person")
    assert "Forgot password?" in first
    assert "automated assistant" not in await ask()

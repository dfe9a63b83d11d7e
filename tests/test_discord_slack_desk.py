"""A Discord customer served from the Slack desk: both real SDKs, both stand-ins, one core."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.server import build_web_app, connect
from handlers.discord import DiscordAdapter
from handlers.slack import SlackAdapter
from tests.conftest import MakeApp
from tests.standins.discord_api import TOKEN, DiscordStandIn
from tests.standins.slack_api import SlackStandIn
from tests.test_slack import SECRET, event_envelope, message, signed_headers


@pytest.fixture
async def slack_standin() -> AsyncIterator[SlackStandIn]:
    server = await SlackStandIn(names={"UAGENT": "Agent Smith"}).start()
    yield server
    await server.stop()


async def test_a_discord_customer_is_served_from_the_slack_desk(
    make_app: MakeApp, discord_standin: DiscordStandIn, slack_standin: SlackStandIn
) -> None:
    app = make_app(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_URL=discord_standin.url + "/api/v10",
        DISCORD_GATEWAY_URL=discord_standin.ws_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack_standin.api_url,
        SLACK_ESCALATION_CHANNEL="CDESK",
        DESK_PLATFORM="slack",
    )
    slack = SlackAdapter.from_app(app)
    on_discord = DiscordAdapter.from_app(app, guild_ready_timeout=0.05)
    assert on_discord.desk is None  # no Discord desk channel: the Slack desk takes tickets
    connect(app, [slack, on_discord])
    runner = web.AppRunner(build_web_app(app, [slack, on_discord]))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    await slack.start()
    await on_discord.start()
    try:
        await discord_standin.wait_for(lambda: on_discord.ready.is_set(), what="READY")
        question = await discord_standin.say("Alice", "I want to talk to a human", mention_bot=True)
        thread_id = question["id"]
        await discord_standin.wait_post(thread_id, "ticket")
        card = (
            await slack_standin.wait_for(
                lambda: slack_standin.matching("chat.postMessage", channel="CDESK")
            )
        )[0]

        # The agent answers in the Slack card's thread; the customer reads it on Discord.
        body = json.dumps(
            event_envelope(
                message(
                    "Hello Alice, how can I help?",
                    user="UAGENT",
                    channel="CDESK",
                    thread_ts=card.response["ts"],
                )
            )
        )
        headers = {"Content-Type": "application/json", **signed_headers(body)}
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers
            ) as response,
        ):
            assert response.status == 200
        relayed = await discord_standin.wait_post(thread_id, "how can I help")
        assert relayed.body["content"] == "Agent Smith: Hello Alice, how can I help?"
        assert relayed.body["allowed_mentions"] == {"parse": []}

        # The customer answers on Discord; the agent reads it in the Slack thread.
        await discord_standin.say("Alice", "My sync stopped yesterday", thread_id)
        await slack_standin.wait_for(
            lambda: [
                c
                for c in slack_standin.matching(
                    "chat.postMessage", channel="CDESK", thread_ts=card.response["ts"]
                )
                if "sync stopped" in json.dumps(c.params)
            ]
        )
    finally:
        await on_discord.stop()
        await slack.stop()
        await runner.cleanup()

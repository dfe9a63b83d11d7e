"""The desk across platforms: a Discord customer served from the Slack desk (both real SDKs,
both stand-ins, one core), and on Slack, only the desk's agents claim and resolve."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from bot.core.models import ConversationKey, DeskClick, DeskOp, TicketStatus
from bot.core.policy import DESK_REFUSAL, AdminPolicy, DeskPolicy
from bot.runtime.server import build_web_app, connect
from handlers.discord import DiscordAdapter
from handlers.slack import ChannelMembers, SlackAdapter, SlackApi, build_client
from tests.conftest import MakeApp
from tests.people import Customer
from tests.standins.discord_api import TOKEN, DiscordStandIn
from tests.standins.slack_api import SlackStandIn
from tests.test_slack import SECRET, click_payload, event_envelope, message, signed_headers


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


async def test_on_slack_only_the_desks_members_claim_and_resolve_from_the_desk(
    make_app: MakeApp, slack_standin: SlackStandIn
) -> None:
    app = make_app(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack_standin.api_url,
        SLACK_ESCALATION_CHANNEL="CDESK",
    )
    slack = SlackAdapter.from_app(app)
    connect(app, [slack])
    runner = web.AppRunner(build_web_app(app, [slack]))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def click(payload: dict[str, Any]) -> None:
        body = urlencode({"payload": json.dumps(payload)})
        headers = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(body)}
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers
            ) as response,
        ):
            assert response.status == 200

    async def answer_to(user: str) -> str:
        said = await slack_standin.wait_call("chat.postEphemeral", user=user)
        return str(said["text"])

    try:
        customer = Customer(
            app.engine,
            key=ConversationKey("slack", "T1", "C1", "1700000000.000001"),
            user_id="UALICE",
            is_direct=False,
            mentioned=True,
        )
        ticket = (await customer.say("I want to talk to a human")).ticket
        assert ticket is not None
        card = slack_standin.matching("chat.postMessage", channel="CDESK")[0]
        card_ts = card.response["ts"]

        # The customer, who is not in the desk channel, forges a Resolve click on the card.
        resolve = click_payload(card.params, card_ts, ticket.id, user="UALICE")
        resolve["actions"][0]["action_id"] = "faqbot-desk:resolve"
        await click(resolve)
        assert await answer_to("UALICE") == DESK_REFUSAL
        # An agent's click that claims to come from a channel other than the desk.
        elsewhere = click_payload(card.params, card_ts, ticket.id, user="UAGENT")
        elsewhere["container"]["channel_id"] = elsewhere["channel"]["id"] = "C1"
        await click(elsewhere)
        assert await answer_to("UAGENT") == DESK_REFUSAL
        await slack.drain()
        stored = await app.tickets.get(ticket.id)
        assert stored.status is TicketStatus.OPEN and stored.claimed_by is None
        assert not slack_standin.called("chat.update", channel="CDESK")

        # The agent, a member of the desk channel, claims from the card.
        await click(click_payload(card.params, card_ts, ticket.id, user="UAGENT"))
        claimed = await slack_standin.wait_for(
            lambda: [
                c["text"]
                for c in slack_standin.called("chat.postEphemeral", user="UAGENT")
                if "You claimed" in c["text"]
            ]
        )
        assert claimed == [f"You claimed {ticket.id}; reply in its thread to reach the customer."]
        assert (await app.tickets.get(ticket.id)).claimed_by == "Agent Smith"
        assert slack_standin.called("conversations.members", channel="CDESK")
    finally:
        await slack.stop()
        await runner.cleanup()


async def test_the_desks_members_are_read_page_by_page_and_forgotten_after_a_minute(
    slack_standin: SlackStandIn,
) -> None:
    slack_standin.members_page_size = 1
    now = [0.0]
    api = SlackApi(build_client(slack_standin.api_url, "xoxb-test"))
    members = ChannelMembers(api, ttl=60, clock=lambda: now[0])
    try:
        assert await members.includes("CDESK", "UOTHER")  # on the second page
        assert len(slack_standin.called("conversations.members", channel="CDESK")) == 2
        slack_standin.channel_members["CDESK"].remove("UOTHER")
        assert await members.includes("CDESK", "UOTHER")  # still remembered
        now[0] = 61.0
        assert not await members.includes("CDESK", "UOTHER")
        assert await members.includes("CDESK", "UAGENT")
        # A channel Slack does not know (a wrong SLACK_ESCALATION_CHANNEL): nobody is a member.
        assert not await members.includes("CGONE", "UAGENT")
    finally:
        await api.close()


POLICY = DeskPolicy(
    {"slack": "CDESK", "discord": "900"},
    AdminPolicy(slack_user_ids=frozenset({"UADMIN"}), discord_role_ids=frozenset({"R-ADMIN"})),
)


@pytest.mark.parametrize(
    ("story", "click", "allowed"),
    [
        (
            "a Slack desk member on the card",
            DeskClick(DeskOp.RESOLVE, "T-1", "slack", "U1", "Ann", "CDESK", True),
            True,
        ),
        (
            "a Slack outsider on the card",
            DeskClick(DeskOp.RESOLVE, "T-1", "slack", "U2", "Bob", "CDESK", False),
            False,
        ),
        (
            "a Slack admin outside the channel's members",
            DeskClick(DeskOp.CLAIM, "T-1", "slack", "UADMIN", "Al", "CDESK", False),
            True,
        ),
        (
            "a Slack desk member, click from another channel",
            DeskClick(DeskOp.RESOLVE, "T-1", "slack", "U1", "Ann", "C1", True),
            False,
        ),
        (
            "a Discord member who can work in the desk",
            DeskClick(DeskOp.CLAIM, "T-1", "discord", "1", "Ann", "900", True),
            True,
        ),
        (
            "a Discord member who cannot see the desk",
            DeskClick(DeskOp.RESOLVE, "T-1", "discord", "2", "Bob", "900", False),
            False,
        ),
        (
            "a Discord admin role",
            DeskClick(DeskOp.RESOLVE, "T-1", "discord", "3", "Al", "900", False, ("R-ADMIN",)),
            True,
        ),
        (
            "a Discord Manage Server member",
            DeskClick(DeskOp.RESOLVE, "T-1", "discord", "4", "Max", "900", False, (), True),
            True,
        ),
        (
            "a Discord admin, click from another channel",
            DeskClick(DeskOp.RESOLVE, "T-1", "discord", "3", "Al", "901", True, ("R-ADMIN",)),
            False,
        ),
        (
            "a platform without a desk channel",
            DeskClick(DeskOp.RESOLVE, "T-1", "teams", "1", "Ann", "900", True),
            False,
        ),
    ],
)
def test_who_may_act_from_a_desk_card(story: str, click: DeskClick, allowed: bool) -> None:
    assert POLICY.allows(click) is allowed, story

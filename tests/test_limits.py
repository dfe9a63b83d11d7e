"""Rate limits per user and per channel, and the daily LLM budget, counted in a shared Redis."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.core.channels import CollectingOutputChannel
from bot.core.language import phrase
from bot.core.models import ConversationKey, IncomingMessage, MessageKind
from bot.runtime.app import App
from bot.state.limits import LlmBudget, RateLimiter, RateLimits, Verdict
from tests.conftest import MakeApp
from tests.people import Customer
from tests.standins.anthropic_api import AnthropicStandIn
from tests.test_conversation import RecordingDesk

PASSWORD = "how do I reset my password"
SLOW_DOWN = phrase("slow_down", "en")


# 2026-01-01 12:00:30 UTC: mid-minute and mid-day.
NOW = 1_767_268_830.0


@pytest.fixture
def make_app(make_app: MakeApp) -> MakeApp:
    """The bots of tests/conftest.py on a clock stopped at NOW: a minute or a day turning over
    during a test would open a new window and let through a message the test expects held."""
    return functools.partial(make_app, clock=lambda: NOW)


def in_guild(guild: str, channel: str) -> ConversationKey:
    return ConversationKey("discord", guild, channel)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def test_a_customer_sending_too_fast_is_told_once_then_ignored(make_app: MakeApp) -> None:
    app = make_app(RATE_LIMIT_USER_PER_MINUTE=2)
    alice = Customer(app.engine)
    assert [(await alice.say(PASSWORD)).source_ids for _ in range(2)] == [["reset-password"]] * 2
    told = await alice.say(PASSWORD)
    assert told.text == SLOW_DOWN and not told.sources and not told.escalated
    assert (await alice.say(PASSWORD)).is_empty
    assert (await alice.say("I want to talk to a human")).is_empty
    # Someone else is not held back by Alice's pace.
    bob = Customer(app.engine, user_id="U-bob")
    assert (await bob.say(PASSWORD)).source_ids == ["reset-password"]
    metrics = app.metrics.render().decode()
    assert 'faqbot_rate_limited_total{platform="terminal",scope="user"} 3.0' in metrics


async def test_a_french_customer_is_asked_to_slow_down_in_french(make_app: MakeApp) -> None:
    app = make_app(RATE_LIMIT_USER_PER_MINUTE=1)
    claire = Customer(app.engine)
    await claire.say("Comment puis-je réinitialiser mon mot de passe ?")
    told = await claire.say("Comment puis-je réinitialiser mon mot de passe ?")
    assert told.text == phrase("slow_down", "fr")


async def test_two_replicas_share_one_discord_servers_limit(make_app: MakeApp) -> None:
    first, second = (
        make_app(RATE_LIMIT_CHANNEL_PER_MINUTE=3),
        make_app(RATE_LIMIT_CHANNEL_PER_MINUTE=3),
    )
    # Different people in different channels of one server, served by alternating replicas.
    people = [
        Customer(engine, in_guild("G1", f"chan{n}"), user_id=f"U{n}")
        for n, engine in enumerate([first.engine, second.engine] * 2)
    ]
    replies = [await person.say(PASSWORD) for person in people]
    assert [r.source_ids for r in replies[:3]] == [["reset-password"]] * 3
    assert replies[3].text == SLOW_DOWN
    # Another server has a window of its own.
    elsewhere = Customer(second.engine, in_guild("G2", "chan0"), user_id="U9")
    assert (await elsewhere.say(PASSWORD)).source_ids == ["reset-password"]


async def test_a_slack_channel_limit_counts_the_channel_not_the_workspace(
    make_app: MakeApp,
) -> None:
    app = make_app(RATE_LIMIT_CHANNEL_PER_MINUTE=1)
    general = ConversationKey("slack", "T1", "C1")
    random = ConversationKey("slack", "T1", "C2")
    assert not (await Customer(app.engine, general, user_id="U1").say(PASSWORD)).is_empty
    assert (await Customer(app.engine, general, user_id="U2").say(PASSWORD)).text == SLOW_DOWN
    assert (await Customer(app.engine, random, user_id="U3").say(PASSWORD)).source_ids == [
        "reset-password"
    ]


async def test_admins_and_agents_are_never_rate_limited(make_app: MakeApp) -> None:
    app = make_app(
        RATE_LIMIT_USER_PER_MINUTE=1, RATE_LIMIT_CHANNEL_PER_MINUTE=1, SLACK_ADMIN_USER_IDS="UADM"
    )
    desk = RecordingDesk()
    outbox = CollectingOutputChannel("terminal")
    app.engine.set_desk(desk)
    app.engine.register_channel(outbox)
    key = ConversationKey("slack", "T1", "C1")
    for n in range(3):
        status = await app.engine.handle(
            IncomingMessage(
                key=key,
                message_id=f"cmd{n}",
                user_id="UADM",
                text="status",
                kind=MessageKind.COMMAND,
            )
        )
        assert status.text and status.text != SLOW_DOWN
    ticket = (await Customer(app.engine).say("I want to talk to a human")).ticket
    assert ticket is not None and desk.cards
    stored = await app.tickets.get(ticket.id)
    assert stored.desk_ref is not None
    for n in range(3):
        agent = IncomingMessage(
            key=stored.desk_ref.key,
            message_id=f"agent{n}",
            user_id="U-bob",
            user_name="Bob",
            text=f"answer number {n}",
        )
        assert (await app.engine.handle(agent)).is_empty
    assert [reply.text for _, reply in outbox.sent] == [f"Bob: answer number {n}" for n in range(3)]


async def test_without_redis_the_limits_let_customers_through(make_app: MakeApp) -> None:
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0", RATE_LIMIT_USER_PER_MINUTE=1)
    alice = Customer(app.engine)
    for _ in range(3):
        assert (await alice.say(PASSWORD)).source_ids == ["reset-password"]


async def test_a_rate_limit_window_lasts_one_minute(redis: Redis, prefix: str) -> None:
    now = [1_000_020.0]
    limiter = RateLimiter(redis, prefix, RateLimits(1, 0), clock=lambda: now[0])
    key = ConversationKey("slack", "T1", "C1")
    assert await limiter.check(key, "U1") == (Verdict.ALLOWED, None)
    assert await limiter.check(key, "U1") == (Verdict.NOTIFY, "user")
    assert await limiter.check(key, "U1") == (Verdict.SILENT, "user")
    now[0] += 60
    assert await limiter.check(key, "U1") == (Verdict.ALLOWED, None)
    assert await limiter.check(key, "U1") == (Verdict.NOTIFY, "user")
    ttls = [await redis.ttl(k) async for k in redis.scan_iter(f"{prefix}:rate:*")]
    assert ttls and all(0 < ttl <= 120 for ttl in ttls)


async def test_the_budget_counts_per_utc_day(redis: Redis, prefix: str) -> None:
    now = [1_767_225_599.0]  # 2025-12-31 23:59:59 UTC
    budget = LlmBudget(redis, prefix, 0.01, per_request_usd=0.005, clock=lambda: now[0])
    key = in_guild("G1", "chan")
    held = await budget.reserve(key)
    assert held is not None
    await budget.settle(held, 0.02)
    assert await budget.reserve(key) is None
    assert await budget.reserve(in_guild("G2", "chan")) is not None
    now[0] += 1  # a new UTC day
    assert await budget.reserve(key) is not None


async def test_a_request_holds_its_estimate_until_its_real_cost_is_known(
    redis: Redis, prefix: str
) -> None:
    budget = LlmBudget(redis, prefix, 0.01, per_request_usd=0.006)
    key = in_guild("G1", "chan")
    first = await budget.reserve(key)
    second = await budget.reserve(key)
    # Two estimates are out: 0.012 counted, so a third must wait for one of them to settle.
    assert first is not None and second is not None
    assert await budget.reserve(key) is None
    await budget.settle(first, 0.001)
    await budget.settle(second, 0.0)  # it made no LLM call after all
    assert await budget.reserve(key) is not None
    assert float(await redis.get(first.counter) or 0) == pytest.approx(0.007)


async def test_a_burst_of_questions_against_a_tiny_budget_overspends_by_at_most_one_request(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    budget_usd = 0.01
    app = make_app(
        ANTHROPIC_API_KEY="sk-test-key",
        ANTHROPIC_BASE_URL=claude.url,
        ANTHROPIC_MODEL="claude-sonnet-5-5",
        LLM_MAX_RETRIES=0,
        LLM_DAILY_BUDGET_USD=budget_usd,
    )
    customers = [Customer(app.engine, in_guild("G1", f"c{n}"), user_id=f"U{n}") for n in range(60)]
    replies = await asyncio.gather(*(customer.say(PASSWORD) for customer in customers))
    assert all(reply.source_ids == ["reset-password"] for reply in replies)
    spent = _llm_cost(app)
    one_request = spent / len(claude.requests)
    assert claude.requests and spent <= budget_usd + one_request
    # Once the burst is over and its estimates are settled, the day's spend is what was spent.
    [counter] = [k async for k in app.redis.scan_iter(f"{app.settings.REDIS_PREFIX}:spend:*")]
    assert float(await app.redis.get(counter)) == pytest.approx(spent)


async def test_past_its_daily_budget_a_server_gets_extractive_answers_without_a_word_about_it(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = make_app(
        ANTHROPIC_API_KEY="sk-test-key",
        ANTHROPIC_BASE_URL=claude.url,
        ANTHROPIC_MODEL="claude-sonnet-5-5",
        LLM_MAX_RETRIES=0,
        LLM_DAILY_BUDGET_USD=0.000001,
    )
    alice = Customer(app.engine, in_guild("G1", "chan1"))
    first = await alice.say(PASSWORD)
    assert first.text.startswith("From the FAQ") and len(claude.requests) == 1
    later = [await Customer(app.engine, in_guild("G1", f"c{n}")).say(PASSWORD) for n in range(2)]
    assert len(claude.requests) == 1
    entry = app.faq.index.by_id["reset-password"]
    for reply in later:
        assert reply.text == entry.answer and reply.source_ids == ["reset-password"]
        assert "budget" not in reply.text.lower()
    # Picking an entry from a clarifying choice is held to the budget too.
    chosen = await Customer(app.engine, in_guild("G1", "c9")).send(
        "reset-password", MessageKind.CHOICE
    )
    assert chosen.text == entry.answer and len(claude.requests) == 1
    # Another server's budget is untouched.
    other = await Customer(app.engine, in_guild("G2", "chan1")).say(PASSWORD)
    assert other.text.startswith("From the FAQ") and len(claude.requests) == 2
    metrics = app.metrics.render().decode()
    assert 'faqbot_budget_limited_total{platform="discord"} 3.0' in metrics
    assert 'faqbot_stage_seconds_count{stage="llm"} 2.0' in metrics
    assert 'faqbot_stage_seconds_count{stage="extractive"} 2.0' in metrics


def _llm_cost(app: App) -> float:
    metrics = app.metrics.render().decode().splitlines()
    return sum(
        float(line.split()[-1]) for line in metrics if line.startswith("faqbot_llm_cost_usd_total{")
    )


def test_a_budget_on_a_model_without_a_price_is_flagged_at_start(
    make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    make_app(ANTHROPIC_MODEL="claude-unknown-9", LLM_DAILY_BUDGET_USD=1.0)
    assert "claude-unknown-9 has no price" in caplog.text
    caplog.clear()
    make_app(ANTHROPIC_MODEL="claude-sonnet-5-5", LLM_DAILY_BUDGET_USD=1.0)
    assert "has no price" not in caplog.text

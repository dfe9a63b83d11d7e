"""The composition root: settings in, a wired bot out. Nothing else builds clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

import fakeredis
from redis.asyncio import BlockingConnectionPool, Redis
from redis.driver_info import DriverInfo
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.admin.commands import AdminCommands
from bot.answering.answerer import Answerer, ExtractiveAnswerer, FallbackAnswerer
from bot.answering.llm import CHARS_PER_TOKEN, INSTRUCTIONS, REPLY_TOOL, AnthropicAnswerer
from bot.answering.pricing import PriceTable
from bot.answering.providers import PROVIDER_NAMES, build_llm
from bot.core.hours import BusinessHours
from bot.core.policy import AdminPolicy, ChannelAllowList, DeskPolicy, SupportForums
from bot.core.routing import Router, RouterConfig
from bot.desk.relay import TicketRelay
from bot.desk.reminders import TicketReminders
from bot.desk.webhook import WebhookNotifier
from bot.engine.conversation import ConversationEngine, EngineConfig
from bot.knowledge.autoresolve import AutoResolver
from bot.knowledge.drafts import DraftStore
from bot.knowledge.gaps import GapLog
from bot.knowledge.publishing import FaqPublisher, PublishListener
from bot.knowledge.regression import GoldenCheck
from bot.knowledge.sources import FaqSources
from bot.knowledge.versions import FaqVersions
from bot.runtime.metrics import Metrics
from bot.runtime.settings import Settings, SettingsError
from bot.safety.redact import Redactor
from bot.state.cluster import ClusterClient
from bot.state.connections import reporting
from bot.state.limits import Limits, LlmBudget, RateLimiter, RateLimits
from bot.state.privacy import Privacy
from bot.state.store import Store
from bot.state.tickets import TicketStore, ticket_to_json
from bot.state.upgrade import carry_over
from bot.state.user_index import UserIndex
from faq.repository import FaqRepository
from faq.semantic import Encoder, semantic_available, shared_encoders

if TYPE_CHECKING:
    from bot.answering.providers import LlmClient

log = logging.getLogger(__name__)

RELAY_READY_SECONDS = 5.0
REDIS_CHECK_SECONDS = 5.0


@dataclass
class App:
    settings: Settings
    redis: Redis
    store: Store
    tickets: TicketStore
    faq: FaqRepository
    metrics: Metrics
    engine: ConversationEngine
    llm: LlmClient | None
    gaps: GapLog
    drafts: DraftStore
    auto_resolver: AutoResolver
    privacy: Privacy
    publisher: FaqPublisher
    # The engine's admin commands, for `faqbot faq`, which runs them as the chat does.
    admin: AdminCommands
    reminders: TicketReminders | None = None
    notifier: WebhookNotifier | None = None
    # Ticket changes other processes could not deliver; None without a shared Redis.
    relay: TicketRelay | None = None
    _follower: asyncio.Task[None] | None = field(default=None, init=False)
    _relay_follower: asyncio.Task[None] | None = field(default=None, init=False)
    _stop_following: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    async def start(self, *, follow: bool = True) -> None:
        """Serve the live FAQ version from Redis and, with `follow`, every later one, and
        deliver the ticket changes other processes announce (bot/desk/relay.py)."""
        redis_answered = True
        try:
            await carry_over(self.redis, self.settings.REDIS_PREFIX, self.tickets, self.store)
        except RedisError as exc:
            redis_answered = not isinstance(exc, RedisConnectionError | RedisTimeoutError)
            log.warning("could not look for keys to carry over (%s)", type(exc).__name__)
        await self.publisher.start()
        if follow and self._follower is None:
            self._follower = asyncio.create_task(
                self.publisher.follow(self._stop_following), name="faq-versions"
            )
        if follow and self.relay is not None and self._relay_follower is None:
            subscribed = asyncio.Event()
            self._relay_follower = asyncio.create_task(
                self.relay.follow(self._stop_following, subscribed), name="ticket-relay"
            )
            # Listening before the first prompt, so a change made right after is not missed;
            # with Redis down the follower keeps retrying and the bot starts at once.
            if redis_answered:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(subscribed.wait(), RELAY_READY_SECONDS)

    async def close(self) -> None:
        self._stop_following.set()
        if self._follower is not None:
            await self._follower
            self._follower = None
        if self._relay_follower is not None:
            await self._relay_follower
            self._relay_follower = None
        await self.engine.flush_outbox()
        for held in self.engine.outbox.held:
            # The last copy of a ticket Redis never took: logged whole so it can be re-entered.
            log.error("ticket %s lost with this process: %s", held.id, ticket_to_json(held))
        if self.notifier is not None:
            await self.notifier.close()
        if self.llm is not None:
            await self.llm.close()
        await self.redis.aclose()


def build_redis(settings: Settings) -> Redis:
    if settings.REDIS_CLUSTER:
        if not settings.REDIS_URL:
            raise SettingsError(
                "invalid setting REDIS_CLUSTER: true needs REDIS_URL naming a node of the cluster"
            )
        # The cluster client finds the other nodes from this one, follows slots as they move
        # and a failed-over master's replica when it takes over. It answers the same commands
        # as the single-server client (bot/state keeps each transaction within one slot), so
        # the rest of the bot takes it as one.
        return cast(Redis, ClusterClient.from_url(settings.REDIS_URL, decode_responses=True))
    if settings.REDIS_URL:
        # The default pool raises once its 100 connections are busy, which under a burst of
        # conversations would drop history and dedupe marks; a blocking pool makes them wait,
        # for as long as it takes: by default it gave up after 20 s, and a process saturated by
        # 500 conversations at once (bench/core.py, with an LLM) lost 7-23 of 2,500 messages'
        # changes that way. A connection is held for one round trip only, never while another
        # is awaited, so one always comes back; a Redis that is down fails the commands
        # themselves at once.
        pool = BlockingConnectionPool.from_url(
            settings.REDIS_URL,
            decode_responses=True,
            max_connections=100,
            timeout=None,
            driver_info=_driver_info(),
        )
        # A socket closed under a write is then a ConnectionError (bot/state/connections.py).
        pool.connection_class = reporting(pool.connection_class)
        return Redis.from_pool(pool)
    log.warning("REDIS_URL is not set: using an in-process store; nothing persists after exit")
    return fakeredis.FakeAsyncRedis(decode_responses=True)


@cache
def _driver_info() -> DriverInfo:
    # What each connection tells the server it is (CLIENT SETINFO). Without one, redis-py reads
    # its own version from the installed package's metadata for every connection it opens.
    return DriverInfo()


class RedisUnreachable(Exception):
    """REDIS_URL is set and its server does not answer; the message is one line."""


async def check_redis(settings: Settings) -> None:
    """Raises RedisUnreachable unless REDIS_URL is unset or its server answers a PING.

    A command that needs the shared store asks this first, so an unreachable server is one line
    naming it (host and port, never the password) instead of a failure half-way through."""
    if not settings.REDIS_URL:
        return
    client = Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=REDIS_CHECK_SECONDS,
        socket_timeout=REDIS_CHECK_SECONDS,
        driver_info=_driver_info(),
    )
    kwargs = client.connection_pool.connection_kwargs
    where = kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}"
    try:
        await client.ping()
    except RedisError as exc:
        raise RedisUnreachable(f"cannot reach Redis at {where} (REDIS_URL): {exc}") from None
    finally:
        await client.aclose()


def build_encoders(settings: Settings) -> tuple[Encoder, ...]:
    """The multilingual encoder unless search is lexical only, and MiniLM with it when the
    `semantic` extra is installed."""
    if settings.SEMANTIC_SEARCH == "off":
        return ()
    if not semantic_available() and settings.SEMANTIC_SEARCH == "on":
        raise SettingsError(
            "invalid setting SEMANTIC_SEARCH: on needs the semantic extra "
            "(pip install 'faqbot[semantic]')"
        )
    return shared_encoders(
        with_minilm=settings.SEMANTIC_SEARCH != "multilingual" and semantic_available(),
        cache_folder=embedding_cache_folder(settings.EMBEDDING_CACHE),
    )


def embedding_cache_folder(setting: str) -> Path | None:
    """EMBEDDING_CACHE as a folder: `auto` (or left empty, as `EMBEDDING_CACHE=` in a .env) is
    faqbot's folder in the user's cache ($XDG_CACHE_HOME, else ~/.cache), `off` none."""
    setting = setting.strip()
    if setting == "off":
        return None
    if setting not in ("", "auto"):
        return Path(setting).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "faqbot"


def build_answerer(settings: Settings, llm: LlmClient | None) -> Answerer:
    extractive = ExtractiveAnswerer(settings.ANSWER_THRESHOLD)
    if llm is None:
        return extractive
    claude = AnthropicAnswerer(
        llm,
        model=settings.ANTHROPIC_MODEL,
        max_tokens=settings.LLM_MAX_TOKENS,
        history_turns=settings.LLM_HISTORY_TURNS,
        full_faq_tokens=settings.LLM_FULL_FAQ_TOKENS,
        prices=PriceTable(settings.LLM_PRICES),
        redactor=Redactor(),
    )
    return FallbackAnswerer(claude, extractive)


def build_router(settings: Settings, answerer: Answerer) -> Router:
    config = RouterConfig(
        threshold=settings.ANSWER_THRESHOLD,
        ambiguity_margin=settings.AMBIGUITY_MARGIN,
        top_k=settings.SEARCH_TOP_K,
        suggestion_threshold=settings.SUGGESTION_THRESHOLD,
    )
    return Router(answerer, config, fallback=ExtractiveAnswerer(settings.ANSWER_THRESHOLD))


def build_limits(settings: Settings, redis: Redis, clock: Callable[[], float]) -> Limits:
    rate = RateLimits(
        user_per_minute=settings.RATE_LIMIT_USER_PER_MINUTE,
        channel_per_minute=settings.RATE_LIMIT_CHANNEL_PER_MINUTE,
    )
    ceiling = request_ceiling_usd(settings) if settings.LLM_DAILY_BUDGET_USD else 0.0
    return Limits(
        rate=RateLimiter(redis, settings.REDIS_PREFIX, rate, clock=clock),
        budget=LlmBudget(
            redis,
            settings.REDIS_PREFIX,
            settings.LLM_DAILY_BUDGET_USD,
            per_request_usd=ceiling,
            clock=clock,
        ),
    )


def request_ceiling_usd(settings: Settings) -> float:
    """An upper estimate of one LLM request, held against the budget until its cost is known: the
    largest FAQ sent whole, the history and the question at their longest, all written to the
    prompt cache, and a full-length answer."""
    prices = PriceTable(settings.LLM_PRICES)
    if prices.price(settings.ANTHROPIC_MODEL) is None:
        log.warning(
            "LLM_DAILY_BUDGET_USD is set but %s has no price: its spend counts as 0 and the "
            "budget never binds; add the model to LLM_PRICES",
            settings.ANTHROPIC_MODEL,
        )
        return 0.0
    prompt_tokens = (
        settings.LLM_FULL_FAQ_TOKENS
        + (settings.LLM_HISTORY_TURNS + 1) * settings.MAX_MESSAGE_CHARS // CHARS_PER_TOKEN
        + (len(INSTRUCTIONS) + len(json.dumps(REPLY_TOOL))) // CHARS_PER_TOKEN
    )
    return prices.cost(
        settings.ANTHROPIC_MODEL,
        input_tokens=0,
        output_tokens=settings.LLM_MAX_TOKENS,
        cache_read=0,
        cache_write=prompt_tokens,
    )


def build_notifier(settings: Settings, clock: Callable[[], float]) -> WebhookNotifier | None:
    url = settings.TICKET_WEBHOOK_URL
    if not url:
        return None
    if not url.startswith(("https://", "http://")):
        raise SettingsError("invalid setting TICKET_WEBHOOK_URL: must be an http(s) URL")
    if settings.TICKET_WEBHOOK_SECRET is None:
        raise SettingsError(
            "invalid setting TICKET_WEBHOOK_SECRET: required when TICKET_WEBHOOK_URL is set"
        )
    return WebhookNotifier(
        url,
        settings.TICKET_WEBHOOK_SECRET.get_secret_value(),
        attempts=settings.TICKET_WEBHOOK_ATTEMPTS,
        clock=clock,
    )


@dataclass
class Evaluation:
    """What `faqbot eval` needs: the customer's decision path and nothing that keeps state."""

    faq: FaqRepository
    router: Router
    llm: LlmClient | None

    async def close(self) -> None:
        if self.llm is not None:
            await self.llm.close()


def build_evaluation(settings: Settings, faq_path: Path | None, *, use_llm: bool) -> Evaluation:
    """Like build_app without a store: the extractive answerer unless `use_llm` asks for Claude.

    Raises FaqLoadError and SettingsError like build_app, and SettingsError when `use_llm` is
    asked with no LLM configured.
    """
    if use_llm and settings.LLM_PROVIDER == "anthropic" and settings.ANTHROPIC_API_KEY is None:
        raise SettingsError("--llm needs an LLM: set ANTHROPIC_API_KEY or LLM_PROVIDER")
    faq = FaqRepository(faq_path or settings.FAQ_PATH, build_encoders(settings))
    llm = build_llm(settings) if use_llm else None
    return Evaluation(faq, build_router(settings, build_answerer(settings, llm)), llm)


def build_app(
    settings: Settings, *, faq_path: Path | None = None, clock: Callable[[], float] = time.time
) -> App:
    """Raises FaqLoadError when the FAQ is invalid and SettingsError for an unusable setting.

    `clock` (seconds since the epoch) is the bot's time: business hours, reminders, rate windows,
    budget days, stored timestamps and retention; tests pass one.
    """
    faq = FaqRepository(faq_path or settings.FAQ_PATH, build_encoders(settings))
    notifier = build_notifier(settings, clock)
    llm = build_llm(settings)
    redis = build_redis(settings)
    store = Store(
        redis,
        settings.REDIS_PREFIX,
        history_ttl=settings.HISTORY_TTL_SECONDS,
        max_turns=settings.HISTORY_MAX_TURNS,
        dedupe_ttl=settings.DEDUPE_TTL_SECONDS,
        clock=clock,
    )
    ticket_retention = settings.TICKET_RETENTION_DAYS * 24 * 3600
    user_index = UserIndex(
        settings.REDIS_PREFIX, max(settings.HISTORY_TTL_SECONDS, ticket_retention)
    )
    tickets = TicketStore(
        redis,
        settings.REDIS_PREFIX,
        resolved_ttl=ticket_retention,
        user_index=user_index,
        clock=clock,
        retry_seconds=settings.REDIS_RETRY_SECONDS,
    )
    metrics = Metrics()
    answerer = build_answerer(settings, llm)
    gaps = GapLog(
        redis,
        settings.REDIS_PREFIX,
        retention_days=settings.GAPS_RETENTION_DAYS,
        max_records=settings.GAPS_MAX_RECORDS,
        similarity=settings.GAPS_SIMILARITY,
        clock=clock,
    )
    drafts = DraftStore(redis, settings.REDIS_PREFIX, clock)
    # Filled below: the auto-resolver needs the engine, which needs the admin commands.
    publish_listeners: list[PublishListener] = []
    publisher = FaqPublisher(
        faq=faq,
        versions=FaqVersions(redis, settings.REDIS_PREFIX, keep=settings.FAQ_VERSIONS_KEEP),
        # The regression check routes offline: free, quick, and the same on every run.
        check=GoldenCheck(build_router(settings, ExtractiveAnswerer(settings.ANSWER_THRESHOLD))),
        drafts=drafts,
        listeners=publish_listeners,
        clock=clock,
    )
    admin = AdminCommands(
        policy=AdminPolicy(
            slack_user_ids=frozenset(settings.SLACK_ADMIN_USER_IDS),
            discord_user_ids=frozenset(settings.DISCORD_ADMIN_USER_IDS),
            discord_role_ids=frozenset(settings.DISCORD_ADMIN_ROLE_IDS),
        ),
        faq=faq,
        publisher=publisher,
        sources=FaqSources(
            max_bytes=settings.FAQ_UPLOAD_MAX_BYTES,
            timeout=settings.FAQ_URL_TIMEOUT_SECONDS,
            allow_loopback=settings.FAQ_URL_ALLOW_LOOPBACK,
        ),
        store=store,
        tickets=tickets,
        answer_mode=answerer.mode,
        gaps=gaps,
        drafts=drafts,
    )
    privacy = Privacy(
        redis,
        index=user_index,
        store=store,
        tickets=tickets,
        gaps=gaps,
        drafts=drafts,
        notice_text=settings.PRIVACY_NOTICE,
        ai_provider=PROVIDER_NAMES[settings.LLM_PROVIDER] if llm is not None else None,
    )
    engine = ConversationEngine(
        faq=faq,
        router=build_router(settings, answerer),
        store=store,
        tickets=tickets,
        metrics=metrics,
        admin=admin,
        limits=build_limits(settings, redis, clock),
        privacy=privacy,
        allow_list=ChannelAllowList(
            {
                "slack": frozenset(settings.SLACK_ALLOWED_CHANNELS),
                "discord": frozenset(settings.DISCORD_ALLOWED_CHANNEL_IDS),
            }
        ),
        forums=SupportForums({"discord": frozenset(settings.DISCORD_FORUM_CHANNEL_IDS)}),
        config=EngineConfig(
            negative_feedback_limit=settings.NEGATIVE_FEEDBACK_LIMIT,
            max_message_chars=settings.MAX_MESSAGE_CHARS,
            streaming=settings.LLM_STREAMING,
            business_hours=BusinessHours.parse(settings.BUSINESS_HOURS, settings.BUSINESS_TIMEZONE)
            if settings.BUSINESS_HOURS
            else None,
        ),
        clock=clock,
        gaps=gaps,
        drafts=drafts,
        desk_policy=DeskPolicy(
            {
                "slack": settings.SLACK_ESCALATION_CHANNEL or "",
                "discord": settings.DISCORD_ESCALATION_CHANNEL_ID or "",
            },
            admin.policy,
        ),
    )
    if notifier is not None:
        engine.ticket_events.add(notifier)
    reminders = TicketReminders(
        tickets, after_minutes=settings.TICKET_REMINDER_MINUTES, clock=clock
    )
    auto_resolver = AutoResolver(
        engine,
        redis,
        settings.REDIS_PREFIX,
        min_confidence=settings.AUTO_RESOLVE_CONFIDENCE,
        max_tickets=settings.AUTO_RESOLVE_MAX_TICKETS,
    )
    publish_listeners.append(auto_resolver)
    relay = TicketRelay(engine, redis, settings.REDIS_PREFIX) if settings.REDIS_URL else None
    if relay is not None:
        engine.set_relay(relay)
    return App(
        settings,
        redis,
        store,
        tickets,
        faq,
        metrics,
        engine,
        llm,
        gaps,
        drafts,
        auto_resolver,
        privacy,
        publisher,
        admin,
        reminders,
        notifier,
        relay,
    )

"""The composition root: settings in, a wired bot out. Nothing else builds clients."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import fakeredis
from redis.asyncio import Redis

from bot.admin import AdminCommands, AdminPolicy, ChannelAllowList
from bot.answerer import Answerer, ExtractiveAnswerer, FallbackAnswerer
from bot.conversation import ConversationEngine, EngineConfig
from bot.llm import AnthropicAnswerer
from bot.metrics import Metrics
from bot.pricing import PriceTable
from bot.providers import LlmClient, build_llm
from bot.routing import Router, RouterConfig
from bot.settings import Settings
from bot.store import Store
from bot.tickets import TicketStore
from faq.repository import FaqRepository

log = logging.getLogger(__name__)


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

    async def close(self) -> None:
        if self.llm is not None:
            await self.llm.close()
        await self.redis.aclose()


def build_redis(settings: Settings) -> Redis:
    if settings.REDIS_URL:
        return Redis.from_url(settings.REDIS_URL, decode_responses=True)
    log.warning("REDIS_URL is not set: using an in-process store; nothing persists after exit")
    return fakeredis.FakeAsyncRedis(decode_responses=True)


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
    )
    return FallbackAnswerer(claude, extractive)


def build_router(settings: Settings, answerer: Answerer) -> Router:
    config = RouterConfig(
        threshold=settings.ANSWER_THRESHOLD,
        ambiguity_margin=settings.AMBIGUITY_MARGIN,
        top_k=settings.SEARCH_TOP_K,
    )
    return Router(answerer, config)


def build_app(settings: Settings, *, faq_path: Path | None = None) -> App:
    """Raises FaqLoadError when the FAQ is invalid and SettingsError for an unusable setting."""
    faq = FaqRepository(faq_path or settings.FAQ_PATH)
    llm = build_llm(settings)
    redis = build_redis(settings)
    store = Store(
        redis,
        settings.REDIS_PREFIX,
        history_ttl=settings.HISTORY_TTL_SECONDS,
        max_turns=settings.HISTORY_MAX_TURNS,
        dedupe_ttl=settings.DEDUPE_TTL_SECONDS,
    )
    tickets = TicketStore(redis, settings.REDIS_PREFIX)
    metrics = Metrics()
    answerer = build_answerer(settings, llm)
    admin = AdminCommands(
        policy=AdminPolicy(
            slack_user_ids=frozenset(settings.SLACK_ADMIN_USER_IDS),
            discord_user_ids=frozenset(settings.DISCORD_ADMIN_USER_IDS),
            discord_role_ids=frozenset(settings.DISCORD_ADMIN_ROLE_IDS),
        ),
        faq=faq,
        store=store,
        tickets=tickets,
        answer_mode=answerer.mode,
    )
    engine = ConversationEngine(
        faq=faq,
        router=build_router(settings, answerer),
        store=store,
        tickets=tickets,
        metrics=metrics,
        admin=admin,
        allow_list=ChannelAllowList(
            {
                "slack": frozenset(settings.SLACK_ALLOWED_CHANNELS),
                "discord": frozenset(settings.DISCORD_ALLOWED_CHANNEL_IDS),
            }
        ),
        config=EngineConfig(
            negative_feedback_limit=settings.NEGATIVE_FEEDBACK_LIMIT,
            max_message_chars=settings.MAX_MESSAGE_CHARS,
        ),
    )
    return App(settings, redis, store, tickets, faq, metrics, engine, llm)

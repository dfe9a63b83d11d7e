"""Every setting faqbot reads, from the environment or `.env`.

The README's settings table and `.env.example` list the same names; a test keeps the three in step.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.answering.pricing import ModelPrice
from bot.core.hours import parse_windows, zone
from faq.loaders import MAX_FILE_BYTES

CommaList = Annotated[list[str], NoDecode]

# The one setting whose empty value means something (no notice) rather than "use the default".
EMPTY_IS_A_VALUE = frozenset({"PRIVACY_NOTICE"})


MIN_ADMIN_TOKEN_CHARS = 16


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    # State
    REDIS_URL: str | None = None
    # True: REDIS_URL names any node of a Redis Cluster (docs/scaling.md).
    REDIS_CLUSTER: bool = False
    REDIS_PREFIX: str = "faqbot"
    HISTORY_TTL_SECONDS: int = Field(default=7 * 24 * 3600, gt=0)
    HISTORY_MAX_TURNS: int = Field(default=20, gt=0)
    DEDUPE_TTL_SECONDS: int = Field(default=24 * 3600, gt=0)
    # How long opening a ticket retries a Redis that drops the connection before holding it.
    REDIS_RETRY_SECONDS: float = Field(default=3.75, ge=0, le=60)

    # Privacy
    TICKET_RETENTION_DAYS: int = Field(default=90, gt=0)
    PRIVACY_NOTICE: str = "auto"

    # Knowledge base and answering
    FAQ_PATH: Path | None = None
    # None: the search mode's own threshold, chosen with its calibration (faq/calibration.py).
    ANSWER_THRESHOLD: float | None = Field(default=None, ge=0, le=1)
    AMBIGUITY_MARGIN: float = Field(default=0.5, ge=0, le=10)
    # None: the search mode's own (faq/calibration.py).
    SUGGESTION_THRESHOLD: float | None = Field(default=None, ge=0, le=1.01)
    SEARCH_TOP_K: int = Field(default=5, ge=1, le=20)
    SEMANTIC_SEARCH: Literal["auto", "on", "multilingual", "off"] = "auto"
    # Where the FAQ texts' embeddings are kept for the next process: auto, off or a folder.
    EMBEDDING_CACHE: str = "auto"
    NEGATIVE_FEEDBACK_LIMIT: int = Field(default=2, ge=1)
    MAX_MESSAGE_CHARS: int = Field(default=4000, ge=100)

    # Keeping the FAQ current: gap report and answers offered to waiting tickets
    GAPS_RETENTION_DAYS: int = Field(default=90, ge=1)
    GAPS_MAX_RECORDS: int = Field(default=10000, ge=100)
    GAPS_SIMILARITY: float = Field(default=0.3, gt=0, le=1)
    AUTO_RESOLVE_CONFIDENCE: float = Field(default=0.9, ge=0, le=1)
    AUTO_RESOLVE_MAX_TICKETS: int = Field(default=100, ge=0)
    # FAQ versions and reloads
    FAQ_VERSIONS_KEEP: int = Field(default=50, ge=2)
    FAQ_UPLOAD_MAX_BYTES: int = Field(default=2_000_000, ge=1000, le=MAX_FILE_BYTES)
    FAQ_URL_TIMEOUT_SECONDS: float = Field(default=15.0, gt=0)
    FAQ_URL_ALLOW_LOOPBACK: bool = False

    # LLM
    LLM_PROVIDER: Literal["anthropic", "bedrock", "vertex"] = "anthropic"
    ANTHROPIC_API_KEY: SecretStr | None = None
    ANTHROPIC_BASE_URL: str | None = None
    ANTHROPIC_MODEL: str = "claude-sonnet-5-5"
    LLM_MAX_TOKENS: int = Field(default=1024, ge=64)
    LLM_TIMEOUT_SECONDS: float = Field(default=20.0, gt=0)
    LLM_MAX_RETRIES: int = Field(default=2, ge=0)
    LLM_HISTORY_TURNS: int = Field(default=6, ge=0)
    LLM_FULL_FAQ_TOKENS: int = Field(default=30000, ge=0)
    # Show the answer on Slack and Discord as the model writes it (false: the whole reply at once).
    LLM_STREAMING: bool = True
    LLM_PRICES: Annotated[dict[str, ModelPrice], NoDecode] = {}
    # Private deployments: Amazon Bedrock (LLM_PROVIDER=bedrock) and Google Vertex AI (vertex)
    AWS_REGION: str | None = None
    AWS_ACCESS_KEY_ID: SecretStr | None = None
    AWS_SECRET_ACCESS_KEY: SecretStr | None = None
    AWS_SESSION_TOKEN: SecretStr | None = None
    VERTEX_PROJECT_ID: str | None = None
    VERTEX_REGION: str | None = None
    VERTEX_ACCESS_TOKEN: SecretStr | None = None

    # Escalation desk: which platform's desk channel receives tickets when both are configured
    DESK_PLATFORM: Literal["auto", "slack", "discord"] = "auto"
    # Tickets beyond chat: reminders, business hours, an outgoing webhook
    TICKET_REMINDER_MINUTES: int = Field(default=30, ge=0)
    BUSINESS_HOURS: str | None = None
    BUSINESS_TIMEZONE: str = "UTC"
    TICKET_WEBHOOK_URL: str | None = None
    TICKET_WEBHOOK_SECRET: SecretStr | None = None
    TICKET_WEBHOOK_ATTEMPTS: int = Field(default=5, ge=1, le=20)

    # HTTP endpoints and logging
    HTTP_HOST: str = "0.0.0.0"
    HTTP_PORT: int = Field(default=8080, ge=0, le=65535)
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    LOG_FORMAT: Literal["text", "json"] = "text"
    SHUTDOWN_GRACE_SECONDS: float = Field(default=20.0, gt=0)
    # The /admin dashboard: off until a token is set; it signs people in and keys their sessions.
    ADMIN_TOKEN: SecretStr | None = None

    # Limits (0 turns a limit off); counters live in Redis, shared by every replica
    RATE_LIMIT_USER_PER_MINUTE: int = Field(default=0, ge=0)
    RATE_LIMIT_CHANNEL_PER_MINUTE: int = Field(default=0, ge=0)
    LLM_DAILY_BUDGET_USD: float = Field(default=0.0, ge=0)

    # Slack
    SLACK_BOT_TOKEN: SecretStr | None = None
    SLACK_APP_TOKEN: SecretStr | None = None
    SLACK_SIGNING_SECRET: SecretStr | None = None
    SLACK_API_URL: str = "https://slack.com/api/"
    SLACK_ADMIN_USER_IDS: CommaList = []
    SLACK_ESCALATION_CHANNEL: str | None = None
    SLACK_ALLOWED_CHANNELS: CommaList = []

    # Discord
    DISCORD_TOKEN: SecretStr | None = None
    DISCORD_API_URL: str = "https://discord.com/api/v10"
    DISCORD_GATEWAY_URL: str = "wss://gateway.discord.gg/"
    DISCORD_GUILD_ID: str | None = None
    DISCORD_ADMIN_ROLE_IDS: CommaList = []
    DISCORD_ADMIN_USER_IDS: CommaList = []
    DISCORD_ESCALATION_CHANNEL_ID: str | None = None
    DISCORD_ALLOWED_CHANNEL_IDS: CommaList = []
    DISCORD_REPLY_IN_THREAD: bool = True
    DISCORD_SHARDED: bool = False
    DISCORD_FORUM_CHANNEL_IDS: CommaList = []
    DISCORD_ARCHIVE_SOLVED: bool = False

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, values: object) -> object:
        # `KEY=` in .env or the environment reads as "not set", so a copied .env.example or a
        # compose file passing an empty variable never switches on a half-configured feature.
        if not isinstance(values, dict):
            return values
        return {
            name: value
            for name, value in values.items()
            if name in EMPTY_IS_A_VALUE or not (isinstance(value, str) and not value.strip())
        }

    @field_validator("REDIS_PREFIX")
    @classmethod
    def _redis_prefix(cls, value: str) -> str:
        # Keys carry hash tags ({<conversation>}); a brace in the prefix would make Redis Cluster
        # read the prefix as the tag, putting every key in one slot or a conversation's keys in
        # different ones.
        if "{" in value or "}" in value:
            raise ValueError("must not contain { or } (keys use them as Redis Cluster hash tags)")
        return value

    @field_validator("REDIS_URL")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None:
            # Imported here: `faqbot faq check` reads the settings and never talks to Redis.
            from redis.asyncio.connection import parse_url

            parse_url(value)  # the client's own parser: its ValueError names what is wrong
        return value

    @field_validator("LLM_PRICES", mode="before")
    @classmethod
    def _prices_json(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ValueError(f"not valid JSON ({exc})") from None

    @field_validator("ADMIN_TOKEN")
    @classmethod
    def _admin_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Anyone who guesses it runs the support desk and erases customers' data.
        if value is not None and len(value.get_secret_value()) < MIN_ADMIN_TOKEN_CHARS:
            raise ValueError(
                f"must be at least {MIN_ADMIN_TOKEN_CHARS} characters "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(24))'`)"
            )
        return value

    @field_validator("BUSINESS_HOURS")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None:
            parse_windows(value)
        return value

    @field_validator("BUSINESS_TIMEZONE")
    @classmethod
    def _timezone(cls, value: str) -> str:
        zone(value)
        return value

    @field_validator(
        "SLACK_ADMIN_USER_IDS",
        "SLACK_ALLOWED_CHANNELS",
        "DISCORD_ADMIN_ROLE_IDS",
        "DISCORD_ADMIN_USER_IDS",
        "DISCORD_ALLOWED_CHANNEL_IDS",
        "DISCORD_FORUM_CHANNEL_IDS",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value


class SettingsError(Exception):
    """A setting has a bad value; the message is one readable line per problem."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "settings"
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"invalid setting {name}: {message}")
        raise SettingsError("\n".join(lines)) from None

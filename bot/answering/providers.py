"""The Messages API client for `LLM_PROVIDER`: Anthropic's API, Amazon Bedrock or Google Vertex AI.

All three are the anthropic SDK's own clients, so the answerer sends the same request whichever
serves it; only the endpoint, the model id and the credentials differ.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, TypeAlias

from pydantic import SecretStr

from bot.runtime.settings import Settings, SettingsError

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic, AsyncAnthropicBedrock, AsyncAnthropicVertex

    LlmClient: TypeAlias = AsyncAnthropic | AsyncAnthropicBedrock | AsyncAnthropicVertex

# Who processes customers' messages, as the privacy notice names them.
PROVIDER_NAMES = {
    "anthropic": "Anthropic",
    "bedrock": "Amazon Bedrock",
    "vertex": "Google Vertex AI",
}


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _require(settings: Settings, *names: str) -> None:
    missing = [name for name in names if not getattr(settings, name)]
    if missing:
        raise SettingsError(
            "\n".join(
                f"invalid setting {name}: required with LLM_PROVIDER={settings.LLM_PROVIDER}"
                for name in missing
            )
        )


def _extra_installed(module: str, extra: str) -> None:
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a missing parent package ("google" for "google.auth")
        found = False
    if not found:
        raise SettingsError(
            f"invalid setting LLM_PROVIDER: {extra} needs the {module} package "
            f"(pip install 'faqbot[{extra}]')"
        )


def build_llm(settings: Settings) -> LlmClient | None:
    """The configured client, or None when no LLM is configured (answers are then extractive)."""
    if settings.LLM_PROVIDER == "anthropic" and settings.ANTHROPIC_API_KEY is None:
        return None
    # The SDK takes a process seconds to import: a bot without an LLM never does.
    from anthropic import AsyncAnthropic, AsyncAnthropicBedrock, AsyncAnthropicVertex

    base_url = settings.ANTHROPIC_BASE_URL
    timeout = settings.LLM_TIMEOUT_SECONDS
    retries = settings.LLM_MAX_RETRIES
    if settings.LLM_PROVIDER == "bedrock":
        _require(settings, "AWS_REGION")
        # The SDK signs requests with botocore (SigV4); it is only imported at the first request.
        _extra_installed("botocore", "bedrock")
        return AsyncAnthropicBedrock(
            aws_region=settings.AWS_REGION,
            # Unset keys leave boto3's own chain in charge (environment, profile, instance role).
            aws_access_key=_secret(settings.AWS_ACCESS_KEY_ID),
            aws_secret_key=_secret(settings.AWS_SECRET_ACCESS_KEY),
            aws_session_token=_secret(settings.AWS_SESSION_TOKEN),
            base_url=base_url,
            timeout=timeout,
            max_retries=retries,
        )
    if settings.LLM_PROVIDER == "vertex":
        _require(settings, "VERTEX_PROJECT_ID", "VERTEX_REGION")
        token = _secret(settings.VERTEX_ACCESS_TOKEN)
        if token is None:
            # Without a fixed token the SDK asks google-auth for application default credentials.
            _extra_installed("google.auth", "vertex")
        return AsyncAnthropicVertex(
            project_id=settings.VERTEX_PROJECT_ID or "",
            region=settings.VERTEX_REGION or "",
            access_token=token,
            base_url=base_url,
            timeout=timeout,
            max_retries=retries,
        )
    return AsyncAnthropic(
        api_key=_secret(settings.ANTHROPIC_API_KEY),
        base_url=base_url,
        timeout=timeout,
        max_retries=retries,
    )

"""Estimated LLM cost from token usage, per model."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from pydantic import BaseModel

log = logging.getLogger(__name__)


class ModelPrice(BaseModel):
    """US dollars per million tokens (a model of LLM_PRICES, the setting that overrides them)."""

    input: float
    output: float
    cache_write: float
    cache_read: float


# US dollars per million tokens (5-minute cache writes), from Anthropic's public price list as of
# November 2026; LLM_PRICES overrides or adds entries. Opus 5.5's cache prices follow the usual
# 1.25x (write) and 0.1x (read) of its input price.
DEFAULT_PRICES: dict[str, ModelPrice] = {
    "claude-fable-5-1": ModelPrice(input=10.0, output=50.0, cache_write=12.5, cache_read=0.25),
    "claude-opus-5-5": ModelPrice(input=4.0, output=20.0, cache_write=5.0, cache_read=0.40),
    "claude-opus-5": ModelPrice(input=5.0, output=25.0, cache_write=6.25, cache_read=0.50),
    "claude-opus-4": ModelPrice(input=5.0, output=25.0, cache_write=6.25, cache_read=0.50),
    "claude-opus-4-1": ModelPrice(input=15.0, output=75.0, cache_write=18.75, cache_read=1.50),
    "claude-sonnet-5-5": ModelPrice(input=2.0, output=10.0, cache_write=2.5, cache_read=0.10),
    "claude-sonnet-4": ModelPrice(input=3.0, output=15.0, cache_write=3.75, cache_read=0.30),
    "claude-haiku-5-5": ModelPrice(input=0.10, output=0.50, cache_write=0.125, cache_read=0.01),
    "claude-haiku-4-5": ModelPrice(input=1.0, output=5.0, cache_write=1.25, cache_read=0.10),
}


# Bedrock ids ("eu.anthropic.claude-sonnet-5-5-v1:0") and Vertex AI ids
# ("claude-sonnet-5-5@20261101") wrap the first-party name; the price is the same.
_PLATFORM_ID = re.compile(r"^(?:[a-z]{2,6}\.)?anthropic\.|-v\d+(?::\d+)?$|@.*$")


def first_party_name(model: str) -> str:
    return _PLATFORM_ID.sub("", model)


class PriceTable:
    def __init__(self, overrides: Mapping[str, ModelPrice]) -> None:
        self._prices = {**DEFAULT_PRICES, **overrides}
        self._unpriced: set[str] = set()

    def price(self, model: str) -> ModelPrice | None:
        """Exact name first, then the first-party name, then the longest known prefix (dated
        snapshots share a price)."""
        if model in self._prices:
            return self._prices[model]
        model = first_party_name(model)
        if model in self._prices:
            return self._prices[model]
        matches = [name for name in self._prices if model.startswith(name)]
        return self._prices[max(matches, key=len)] if matches else None

    def cost(
        self,
        model: str,
        *,
        input_tokens: int,
        output_tokens: int,
        cache_read: int,
        cache_write: int,
    ) -> float:
        price = self.price(model)
        if price is None:
            if model not in self._unpriced:
                self._unpriced.add(model)
                log.warning(
                    "no price known for model %s: add it to LLM_PRICES; cost counted as 0", model
                )
            return 0.0
        return (
            input_tokens * price.input
            + output_tokens * price.output
            + cache_read * price.cache_read
            + cache_write * price.cache_write
        ) / 1_000_000

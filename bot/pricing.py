"""Estimated LLM cost from token usage, per model."""

from __future__ import annotations

from collections.abc import Mapping

from bot.settings import ModelPrice

# US dollars per million tokens, from Anthropic's public price list; LLM_PRICES overrides or adds.
DEFAULT_PRICES: dict[str, ModelPrice] = {
    "claude-opus-4-5": ModelPrice(input=5.0, output=25.0, cache_write=6.25, cache_read=0.50),
    "claude-opus-4-1": ModelPrice(input=15.0, output=75.0, cache_write=18.75, cache_read=1.50),
    "claude-sonnet-4-5": ModelPrice(input=3.0, output=15.0, cache_write=3.75, cache_read=0.30),
    "claude-sonnet-4": ModelPrice(input=3.0, output=15.0, cache_write=3.75, cache_read=0.30),
    "claude-haiku-4-5": ModelPrice(input=1.0, output=5.0, cache_write=1.25, cache_read=0.10),
    "claude-3-5-haiku": ModelPrice(input=0.80, output=4.0, cache_write=1.0, cache_read=0.08),
}


class PriceTable:
    def __init__(self, overrides: Mapping[str, ModelPrice]) -> None:
        self._prices = {**DEFAULT_PRICES, **overrides}

    def price(self, model: str) -> ModelPrice | None:
        """Exact name first, then the longest known prefix (dated snapshots share a price)."""
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
            return 0.0
        return (
            input_tokens * price.input
            + output_tokens * price.output
            + cache_read * price.cache_read
            + cache_write * price.cache_write
        ) / 1_000_000

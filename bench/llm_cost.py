"""LLM input tokens and estimated cost per question: retrieval mode (the top FAQ entries in each
request) against whole-FAQ mode (the whole FAQ in a prompt-cached system block), through the real
engine, `AnthropicAnswerer` and anthropic SDK, against the Messages API stand-in, which derives
usage from each request's bytes and reports cache reads for a prefix it has seen.

    python -m bench.llm_cost [--model claude-sonnet-5-5] [--redis-url redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.core import Driver, delete_keys, settings
from bench.report import ratio, table, write_section
from bot.answering.pricing import PriceTable
from bot.runtime.app import build_app
from bot.runtime.settings import Settings
from faq.repository import BUNDLED_FAQ
from tests.standins.anthropic_api import AnthropicStandIn


@dataclass(frozen=True)
class Usage:
    """One question's LLM usage, as the bot recorded it."""

    input: int
    cache_write: int
    cache_read: int
    output: int
    cost: float

    @property
    def prompt(self) -> int:
        return self.input + self.cache_write + self.cache_read


def all_golden_questions(path: Path = BUNDLED_FAQ / "golden.yaml") -> list[str]:
    return [item["question"] for item in yaml.safe_load(path.read_text())]


async def usage_per_question(
    redis_url: str, prefix: str, llm_url: str, model: str, questions: list[str], **values: object
) -> list[Usage]:
    """Each question in a conversation of its own; questions that never reach the LLM (small
    talk, a request for a person, a clarification) are left out."""
    app = build_app(
        settings(
            redis_url,
            prefix,
            ANTHROPIC_API_KEY="bench-dummy-key",
            ANTHROPIC_BASE_URL=llm_url,
            ANTHROPIC_MODEL=model,
            **values,
        )
    )
    driver = Driver(app)
    usages = []
    try:
        for n, question in enumerate(questions):
            message = driver.message(f"q{n}", question)
            await app.engine.handle(message)
            used = await app.store.usage(message.key)
            if used:
                usages.append(
                    Usage(
                        int(used["input_tokens"]),
                        int(used["cache_write_tokens"]),
                        int(used["cache_read_tokens"]),
                        int(used["output_tokens"]),
                        used["cost_usd"],
                    )
                )
    finally:
        await app.close()
    return usages


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


async def measure(redis_url: str, model: str) -> tuple[list[Usage], list[Usage], int]:
    prefix = f"faqbot-bench-{uuid.uuid4().hex[:10]}"
    questions = all_golden_questions()
    standin = await AnthropicStandIn().start()
    try:
        retrieval = await usage_per_question(
            redis_url, prefix, standin.url, model, questions, LLM_FULL_FAQ_TOKENS=0
        )
        whole = await usage_per_question(redis_url, prefix, standin.url, model, questions)
    finally:
        await standin.stop()
        await delete_keys(redis_url, prefix)
    if not any(u.cache_write for u in whole):
        raise RuntimeError("whole-FAQ mode was not used: the FAQ exceeds LLM_FULL_FAQ_TOKENS")
    return retrieval, whole, len(questions)


def report(retrieval: list[Usage], whole: list[Usage], asked: int, model: str) -> str:
    prices = PriceTable({})

    def uncached(u: Usage) -> float:
        """The same request without prompt caching: every prompt token at the input price."""
        return prices.cost(
            model, input_tokens=u.prompt, output_tokens=u.output, cache_read=0, cache_write=0
        )

    first, following = whole[:1], whole[1:]
    writes = sum(1 for u in whole if u.cache_write)
    rows_spec = [
        ("retrieval (top entries per request)", retrieval, [u.cost for u in retrieval]),
        ("whole FAQ, cached: first question", first, [u.cost for u in first]),
        ("whole FAQ, cached: following questions", following, [u.cost for u in following]),
        ("whole FAQ, cached: all questions", whole, [u.cost for u in whole]),
        ("whole FAQ, without caching", whole, [uncached(u) for u in whole]),
    ]
    rows = []
    per_1000: dict[str, float] = {}
    for label, usages, costs in rows_spec:
        cost = mean(costs)
        per_1000[label] = cost * 1000
        rows.append(
            [
                label,
                len(usages),
                f"{mean([u.prompt for u in usages]):,.0f}",
                f"{mean([u.input for u in usages]):,.0f}",
                f"{mean([u.cache_write for u in usages]):,.0f}",
                f"{mean([u.cache_read for u in usages]):,.0f}",
                f"{mean([u.output for u in usages]):,.0f}",
                f"{cost:.5f}",
                f"{cost * 1000:.2f}",
            ]
        )
    headers = [
        "mode",
        "questions",
        "prompt tokens",
        "uncached input",
        "cache write",
        "cache read",
        "output",
        "$ per question",
        "$ per 1000 questions",
    ]
    result = table(headers, rows)
    cached, plain = (
        per_1000["whole FAQ, cached: all questions"],
        per_1000["whole FAQ, without caching"],
    )
    base = per_1000["retrieval (top entries per request)"]
    steady = per_1000["whole FAQ, cached: following questions"]
    prompt_ratio = ratio(mean([u.prompt for u in whole]), mean([u.prompt for u in retrieval]))
    ratios = table(
        ["comparison", "ratio"],
        [
            ["whole FAQ cached vs retrieval, cost per 1000 questions", ratio(cached, base)],
            ["whole FAQ cached (following questions only) vs retrieval, cost", ratio(steady, base)],
            ["whole FAQ vs retrieval, prompt tokens per question", prompt_ratio],
            ["whole FAQ cached vs without caching, cost per 1000 questions", ratio(cached, plain)],
            [
                "whole FAQ, a following question (cache read) vs the first (cache write), cost",
                ratio(steady, per_1000["whole FAQ, cached: first question"]),
            ],
        ],
    )
    print(result)
    print(ratios)
    price = prices.price(model)
    return f"""Input tokens and estimated cost per question for `{model}` (prices from
`bot/answering/pricing.py`, $ per million tokens: input {price.input if price else "?"}, output
{price.output if price else "?"}, cache write {price.cache_write if price else "?"}, cache read
{price.cache_read if price else "?"}). All {asked} golden questions of `faq/data/golden.yaml`
(bundled 52-entry FAQ) go through the real engine, `AnthropicAnswerer` and anthropic SDK, each in a
conversation of its own, once with `LLM_FULL_FAQ_TOKENS=0` (retrieval: the top `SEARCH_TOP_K`
entries in each request) and once with the default (the whole FAQ fits, so it is sent in a system
block marked `cache_control`). Questions that never reach the LLM (small talk, asking for a person,
a clarification between two entries) are not counted. Usage is what the bot recorded from the
Messages API stand-in (`tests/standins/anthropic_api.py`), which derives it from the request
itself: about 4 bytes of JSON a token, and for the tools and system blocks up to the
`cache_control` mark a cache write the first time it sees them and a cache read afterwards. The
instructions name the customer's language, so the first French question writes the cache again
({writes} cache writes in this run). Output tokens are the stand-in's short reply, the same in both
modes, so the comparison is about input. "Without caching" prices the same requests with every
prompt token at the input price. Real token counts differ (a tokenizer is not 4 bytes a token);
the ratios are the point.

{result}

{ratios}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=Settings.model_fields["ANTHROPIC_MODEL"].default)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    retrieval, whole, asked = asyncio.run(measure(args.redis_url, args.model))
    write_section(
        "llm_cost",
        "LLM cost: retrieval vs whole-FAQ with prompt caching (`python -m bench.llm_cost`)",
        report(retrieval, whole, asked, args.model),
    )


if __name__ == "__main__":
    main()

"""Time from a customer's Slack mention to the first visible words of the answer and to the whole
answer, streamed (`LLM_STREAMING=true`) against whole (`false`), with the Messages API stand-in
writing like a model: 600 ms to its first token, then 50 tokens a second. The bot runs in this
process in Slack HTTP mode on real Redis, against the Slack Web API stand-in
(tests/standins/slack_api.py), which notes when each call arrives. First words: the first
`chat.appendStream` of the answer (streamed) or its `chat.postMessage` (whole); complete: its
`chat.stopStream` (or the `chat.update` that completes it) or the same `chat.postMessage`.

    python -m bench.streaming [--questions 20] [--first-token-ms 600] [--tokens-per-second 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.core import delete_keys, golden_questions, settings
from bench.report import percentile, ratio, table, write_section
from bench.slack import SECRET, TOKEN, EventSource, signed
from bot.runtime.app import build_app
from bot.runtime.server import build_web_app, connect, platform_adapters
from tests.standins.anthropic_api import AnthropicStandIn
from tests.standins.loopback import serve_on_loopback
from tests.standins.slack_api import SlackStandIn

TARGET_FIRST_WORDS_S = 1.0


@dataclass
class TimedSlack(SlackStandIn):
    """The Slack stand-in, noting when each answer's first words and its end arrived, by thread."""

    first: dict[str, float] = field(default_factory=dict)
    done: dict[str, float] = field(default_factory=dict)
    _threads: dict[str, str] = field(default_factory=dict)  # stream ts -> thread ts
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        now = time.perf_counter()
        response = super()._answer(method, params)
        thread = str(params.get("thread_ts") or self._threads.get(str(params.get("ts")), ""))
        if method == "chat.startStream" and response.get("ok"):
            self._threads[str(response["ts"])] = thread
        elif method in ("chat.appendStream", "chat.postMessage"):
            self.first.setdefault(thread, now)
        if method in ("chat.stopStream", "chat.postMessage"):
            self.done[thread] = now
            self._changed.set()
        return response

    async def answered(self, thread: str) -> None:
        while thread not in self.done:
            await self._changed.wait()
            self._changed.clear()


@dataclass
class Mode:
    name: str
    first: list[float]
    done: list[float]


async def measure_mode(
    redis_url: str, claude: AnthropicStandIn, questions: list[str], *, streaming: bool
) -> Mode:
    slack = await TimedSlack().start()
    prefix = f"faqbot-bench-{uuid.uuid4().hex[:10]}"
    app = build_app(
        settings(
            redis_url,
            prefix,
            ANTHROPIC_API_KEY="bench-dummy-key",
            ANTHROPIC_BASE_URL=claude.url,
            LLM_STREAMING=streaming,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            # Each question is a new customer's: the first-contact notice would add a
            # chat.update to every streamed answer, which a returning customer never sees.
            PRIVACY_NOTICE="",
        )
    )
    adapters = platform_adapters(app)
    connect(app, adapters)
    runner, port = await serve_on_loopback(build_web_app(app, adapters))
    url = f"http://127.0.0.1:{port}/slack/events"
    source = EventSource(questions)
    mode = Mode("streamed" if streaming else "whole", [], [])
    try:
        async with aiohttp.ClientSession() as session:
            for number in range(len(questions) + 1):
                body = source.next()
                thread = json.loads(body)["event"]["ts"]
                sent = time.perf_counter()
                async with session.post(url, data=body, headers=signed(body)) as response:
                    response.raise_for_status()
                await asyncio.wait_for(slack.answered(thread), 30)
                if number == 0:
                    continue  # the first one warms up the encoder, the connections and Redis
                mode.first.append(slack.first[thread] - sent)
                mode.done.append(slack.done[thread] - sent)
                print(
                    f"{mode.name:8} first words {mode.first[-1] * 1000:6.0f} ms, "
                    f"complete {mode.done[-1] * 1000:6.0f} ms"
                )
    finally:
        for adapter in adapters:
            await adapter.stop()
        await runner.cleanup()
        await app.close()
        await slack.stop()
        await delete_keys(redis_url, prefix)
    return mode


async def measure(
    redis_url: str, count: int, first_token_s: float, tokens_per_second: float
) -> list[Mode]:
    claude = await AnthropicStandIn(
        first_token_seconds=first_token_s, tokens_per_second=tokens_per_second
    ).start()
    questions = golden_questions()[:count]
    try:
        return [
            await measure_mode(redis_url, claude, questions, streaming=streaming)
            for streaming in (False, True)
        ]
    finally:
        await claude.stop()


def report(modes: list[Mode], first_token_s: float, tokens_per_second: float) -> str:
    whole, streamed = modes
    rows = [
        [
            mode.name,
            len(mode.first),
            f"{percentile(mode.first, 50) * 1000:.0f}",
            f"{percentile(mode.first, 90) * 1000:.0f}",
            f"{percentile(mode.done, 50) * 1000:.0f}",
            f"{percentile(mode.done, 90) * 1000:.0f}",
        ]
        for mode in modes
    ]
    first_p50 = percentile(streamed.first, 50)
    verdict = "met" if first_p50 <= TARGET_FIRST_WORDS_S else "NOT met"
    return "\n".join(
        [
            f"The Messages API stand-in takes {first_token_s * 1000:.0f} ms to its first token "
            f"and writes {tokens_per_second:.0f} tokens a second; each question is sent once the "
            "previous one is fully answered (one at a time), after one warm-up question.",
            "",
            table(
                [
                    "mode",
                    "questions",
                    "first words p50 ms",
                    "p90 ms",
                    "complete p50 ms",
                    "p90 ms",
                ],
                rows,
            ),
            "",
            f"- streamed first words against whole, p50: "
            f"{ratio(first_p50, percentile(whole.first, 50))}",
            f"- streamed complete answer against whole, p50: "
            f"{ratio(percentile(streamed.done, 50), percentile(whole.done, 50))}",
            f"- target, first words <= {TARGET_FIRST_WORDS_S:.0f} s at p50 streamed: {verdict}",
            "",
            "Streamed, the first words wait for the model's first token, then for the FAQ ids "
            "the answer is written after (about 12 tokens: the guard checks the answer against "
            "the entries it cites), then for the first whole word; the rest is the bot's own "
            "work before it calls the model (retrieval, Redis) and two Slack calls. The whole "
            "answer takes about as long either way: the model writes at the same speed.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=20, help="questions per mode")
    parser.add_argument("--first-token-ms", type=float, default=600)
    parser.add_argument("--tokens-per-second", type=float, default=50)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    first_token_s = args.first_token_ms / 1000
    modes = asyncio.run(
        measure(args.redis_url, args.questions, first_token_s, args.tokens_per_second)
    )
    write_section(
        "streaming",
        "Streaming: time to first words and to the whole answer (`python -m bench.streaming`)",
        report(modes, first_token_s, args.tokens_per_second),
    )


if __name__ == "__main__":
    main()

"""Per-message overhead of the core: `ConversationEngine.handle` on the real Redis, with the LLM
replaced by the Messages API stand-in answering at once (in a process of its own), and without an
LLM (extractive) as the baseline, at several numbers of concurrent conversations.

    python -m bench.core [--messages 1000] [--redis-url redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from redis.asyncio import Redis

from bench.report import DOCS, percentile, ratio, table, write_section
from bench.standin import anthropic_standin_process
from bot.core.models import ConversationKey, IncomingMessage, MessageKind, Reply
from bot.runtime.app import App, build_app
from bot.runtime.settings import Settings
from faq.repository import BUNDLED_FAQ

CONCURRENCY = (1, 50, 500)
QUESTIONS_PER_CONVERSATION = 5
LABELS = {
    "extractive": "extractive (no LLM)",
    "lexical": "extractive, lexical search only",
    "llm": "LLM stand-in",
}
PLOT = DOCS / "bench-core-latency.png"


@dataclass(frozen=True)
class Run:
    mode: str
    concurrency: int
    latencies: list[float]  # seconds, one per message
    wall: float
    cpu: float  # CPU seconds this process spent (the bot's side; contention does not inflate it)
    fallbacks: int  # LLM calls that failed and were answered extractively instead
    standin_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000

    @property
    def cpu_ms(self) -> float:
        return self.cpu / len(self.latencies) * 1000


def golden_questions(path: Path = BUNDLED_FAQ / "golden.yaml") -> list[str]:
    """The golden questions that have an FAQ answer (the ones meant to escalate are left out)."""
    items = yaml.safe_load(path.read_text())
    return [item["question"] for item in items if item["expected"] != "escalate"]


def answered(reply: Reply) -> bool:
    clarifies = any(action.kind is MessageKind.CHOICE for action in reply.actions)
    return bool(reply.sources) and not reply.escalated and not clarifies


class Driver:
    """Sends questions into one App's engine as distinct conversations, timing each handle()."""

    def __init__(self, app: App, mode: str = "") -> None:
        self.app = app
        self.mode = mode
        self.run_id = uuid.uuid4().hex[:8]
        self._ids = itertools.count()

    def message(self, conversation: str, text: str) -> IncomingMessage:
        n = next(self._ids)
        return IncomingMessage(
            key=ConversationKey("bench", "W1", f"D-{self.run_id}-{conversation}"),
            message_id=f"{self.run_id}-{n}",
            user_id=f"U{conversation}",
            text=text,
            is_direct=True,
        )

    async def answered_questions(self, questions: list[str]) -> list[str]:
        """Questions this bot answers outright: an escalation would turn the rest of a
        conversation into ticket traffic, a different path from the one measured here."""
        kept = []
        for n, question in enumerate(questions):
            reply = await self.app.engine.handle(self.message(f"probe{n}", question))
            if answered(reply):
                kept.append(question)
        return kept

    async def run(self, questions: list[str], concurrency: int, total: int) -> Run:
        per_worker = max(QUESTIONS_PER_CONVERSATION, total // concurrency)
        latencies: list[float] = []
        cycle = itertools.cycle(questions)
        engine = self.app.engine

        async def worker(w: int) -> None:
            for n in range(per_worker):
                conversation = f"c{concurrency}-w{w}-{n // QUESTIONS_PER_CONVERSATION}"
                message = self.message(conversation, next(cycle))
                start = time.perf_counter()
                reply = await engine.handle(message)
                latencies.append(time.perf_counter() - start)
                if not answered(reply):
                    raise RuntimeError(f"{message.text!r} was not answered: {reply.text!r}")

        fallbacks = self.llm_failures()
        cpu = time.process_time()
        start = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        wall = time.perf_counter() - start
        return Run(
            self.mode,
            concurrency,
            latencies,
            wall,
            cpu=time.process_time() - cpu,
            fallbacks=int(self.llm_failures() - fallbacks),
        )

    def llm_failures(self) -> float:
        registry = self.app.metrics.registry
        return registry.get_sample_value("faqbot_errors_total", {"kind": "llm"}) or 0.0


def settings(redis_url: str, prefix: str, **values: object) -> Settings:
    return Settings(_env_file=None, REDIS_URL=redis_url, REDIS_PREFIX=prefix, **values)  # type: ignore[call-arg,arg-type]


async def measure(redis_url: str, total: int) -> list[Run]:
    prefix = f"faqbot-bench-{uuid.uuid4().hex[:10]}"
    runs: list[Run] = []
    try:
        with anthropic_standin_process() as standin:
            apps = {
                "extractive": build_app(settings(redis_url, prefix)),
                # The engine's own cost: the same answers without embedding the question.
                "lexical": build_app(settings(redis_url, prefix, SEMANTIC_SEARCH="off")),
                "llm": build_app(
                    settings(
                        redis_url,
                        prefix,
                        ANTHROPIC_API_KEY="bench-dummy-key",
                        ANTHROPIC_BASE_URL=standin.url,
                    )
                ),
            }
            try:
                # The same questions for every mode: those both extractive searches answer.
                questions = await Driver(apps["extractive"]).answered_questions(golden_questions())
                questions = await Driver(apps["lexical"]).answered_questions(questions)
                print(f"{len(questions)} golden questions answered without escalation")
                for concurrency in CONCURRENCY:
                    for mode, app in apps.items():
                        driver = Driver(app, mode)
                        await driver.run(questions, min(concurrency, 10), 20)  # warm-up
                        standin_cpu = standin.cpu_seconds()
                        run = await driver.run(questions, concurrency, total)
                        run = replace(run, standin_cpu=standin.cpu_seconds() - standin_cpu)
                        print(
                            f"{mode:10} x{concurrency:<4} {len(run.latencies)} messages: "
                            f"p50 {run.p(50):.1f} ms, p99 {run.p(99):.1f} ms, {run.rate:.0f}/s, "
                            f"{run.cpu_ms:.2f} CPU ms/message, {run.fallbacks} LLM fallbacks"
                        )
                        runs.append(run)
            finally:
                for app in apps.values():
                    await app.close()
    finally:
        await delete_keys(redis_url, prefix)
    return runs


async def delete_keys(redis_url: str, prefix: str) -> None:
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        batch: list[str] = []
        async for key in client.scan_iter(f"{prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                await client.delete(*batch)
                batch.clear()
        if batch:
            await client.delete(*batch)
    finally:
        await client.aclose()


def report(runs: list[Run], total: int) -> str:
    by = {(r.mode, r.concurrency): r for r in runs}
    rows = []
    for run in runs:
        base = by[("extractive", run.concurrency)]
        rows.append(
            [
                LABELS[run.mode],
                run.concurrency,
                len(run.latencies),
                f"{run.p(50):.2f}",
                f"{run.p(99):.2f}",
                f"{run.rate:.0f}",
                f"{run.cpu_ms:.2f}",
                ratio(run.p(50), base.p(50)),
                ratio(run.rate, base.rate),
                ratio(run.cpu_ms, base.cpu_ms),
                run.fallbacks if run.mode == "llm" else "",
            ]
        )
    headers = [
        "answerer",
        "concurrent conversations",
        "messages",
        "p50 ms",
        "p99 ms",
        "messages/s",
        "bot CPU ms/message",
        "p50 vs extractive",
        "rate vs extractive",
        "CPU vs extractive",
        "LLM fallbacks",
    ]
    result = table(headers, rows)
    print(result)
    llm = [r for r in runs if r.mode == "llm"]
    standin_ms = sum(r.standin_cpu for r in llm) / sum(len(r.latencies) for r in llm) * 1000
    return f"""What one customer message costs inside the core: `ConversationEngine.handle`,
built by `bot.runtime.app.build_app` from `Settings`, on the real Redis (a key prefix of its own,
deleted afterwards). Each concurrent conversation is a distinct `ConversationKey` asking golden
questions from `faq/data/golden.yaml` (only those the bot answers outright: a ticket or a
clarification would turn the rest of a conversation into a different path),
{QUESTIONS_PER_CONVERSATION} per
conversation, then the next conversation; about {total} messages per row (at least
{QUESTIONS_PER_CONVERSATION} per concurrent conversation), after a warm-up. The LLM rows go
through the real `AnthropicAnswerer` and anthropic SDK to the Messages API stand-in
(`tests/standins/anthropic_api.py`), which runs in a process of its own and answers at once; with
the bundled 52-entry FAQ the default `LLM_FULL_FAQ_TOKENS` puts the whole FAQ in every request
(see `bench.llm_cost`). Latency is measured around each `handle()` call, so at high concurrency it
is mostly waiting for the one event loop: messages/s and CPU per message say more about cost
there. "bot CPU ms/message" is the CPU time of the bot's process divided by messages (steadier
than wall time when other jobs share the machine); the stand-in used {standin_ms:.2f} CPU ms per
LLM request in its own process, not counted. "LLM fallbacks" counts LLM calls that failed
(timeouts under load) and were answered extractively instead. The "lexical search only" rows
(`SEMANTIC_SEARCH=off`) leave out embedding the question with the sentence encoders, which is
most of an extractive answer's cost: they show what the engine itself costs (loading, deciding,
committing, on the real Redis).

{result}

![latency against concurrency](bench-core-latency.png)
"""


def plot(runs: list[Run]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for mode, label, color in (
        ("extractive", "extractive", "tab:blue"),
        ("lexical", "lexical search only", "tab:green"),
        ("llm", "LLM stand-in", "tab:orange"),
    ):
        mine = [r for r in runs if r.mode == mode]
        xs = [r.concurrency for r in mine]
        ax.plot(xs, [r.p(50) for r in mine], "o-", color=color, label=f"{label} p50")
        ax.plot(xs, [r.p(99) for r in mine], "s--", color=color, label=f"{label} p99")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(list(CONCURRENCY), [str(c) for c in CONCURRENCY])
    ax.set_xlabel("concurrent conversations")
    ax.set_ylabel("latency per message (ms)")
    ax.set_title("ConversationEngine.handle latency (real Redis)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1000, help="messages per row (about)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    runs = asyncio.run(measure(args.redis_url, args.messages))
    body = report(runs, args.messages)
    DOCS.mkdir(exist_ok=True)
    plot(runs)
    write_section("core", "Core: per-message overhead (`python -m bench.core`)", body)


if __name__ == "__main__":
    main()

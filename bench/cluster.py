"""Messages/s with 1, 2 and 4 bot replicas on a Redis Cluster (three masters, three replicas)
against the same on one standalone Redis, in one run, and what one message costs Redis
(commands and bytes), the figures docs/scaling.md plans capacity from.

Each replica is a process of its own (`build_app` from Settings, as `faqbot serve` builds it)
answering golden questions as distinct conversations; both Redis set-ups are started by the
script on loopback (tests/redis_server.py, tests/redis_cluster.py).

    python -m bench.cluster [--messages 600] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection

import redis

from bench.core import answered, golden_questions
from bench.report import ratio, table, write_section
from bot.core.models import ConversationKey, IncomingMessage
from bot.runtime.app import build_app
from bot.runtime.settings import Settings
from tests.redis_cluster import own_redis_cluster
from tests.redis_server import own_redis_server

REPLICAS = (1, 2, 4)
QUESTIONS_PER_CONVERSATION = 5


@dataclass(frozen=True)
class Backend:
    name: str
    url: str
    cluster: bool
    nodes: tuple[int, ...]  # ports whose INFO counts the work (the masters)


@dataclass(frozen=True)
class Row:
    backend: str
    replicas: int
    messages: int
    wall: float
    cpu: float  # the replicas' CPU seconds, summed
    commands: int  # Redis commands processed by the masters
    net_bytes: int  # bytes in and out of the masters
    conversation_bytes: int  # MEMORY USAGE of one conversation's keys, after its questions

    @property
    def rate(self) -> float:
        return self.messages / self.wall


def settings(backend: Backend, prefix: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        REDIS_URL=backend.url,
        REDIS_CLUSTER=backend.cluster,
        REDIS_PREFIX=prefix,
        # Lexical search: the embeddings cost the same CPU whatever the store, and loading the
        # model in every replica would dominate the run; this measures the state's cost.
        SEMANTIC_SEARCH="off",
        PRIVACY_NOTICE="",
    )


@dataclass(frozen=True)
class Replica:
    """What one bot process is to do: answer `messages` questions from `concurrency`
    conversations at once, under `prefix`; `start` and `done` talk to the benchmark."""

    backend: Backend
    prefix: str
    name: str
    questions: list[str]
    messages: int
    concurrency: int
    start: Connection
    done: Connection


def replica(job: Replica) -> None:
    """One bot process: build, warm up, wait for the go, answer its questions."""
    asyncio.run(_replica(job))


async def _replica(job: Replica) -> None:
    name, concurrency, start, done = job.name, job.concurrency, job.start, job.done
    app = build_app(settings(job.backend, job.prefix))
    ids = itertools.count()
    cycle = itertools.cycle(job.questions)

    async def ask(conversation: str) -> None:
        n = next(ids)
        reply = await app.engine.handle(
            IncomingMessage(
                key=ConversationKey("bench", "W1", f"{name}-{conversation}"),
                message_id=f"{name}-{n}",
                user_id=f"U-{name}-{conversation}",
                text=next(cycle),
                is_direct=True,
            )
        )
        if not answered(reply):
            raise RuntimeError(f"not answered: {reply.text!r}")

    async def worker(w: int, count: int, tag: str) -> None:
        for n in range(count):
            await ask(f"{tag}{w}-{n // QUESTIONS_PER_CONVERSATION}")

    try:
        await asyncio.gather(*(worker(w, 3, "warm") for w in range(concurrency)))
        start.send("ready")
        start.recv()
        cpu = time.process_time()
        began = time.perf_counter()
        per_worker = max(1, job.messages // concurrency)
        await asyncio.gather(*(worker(w, per_worker, "run") for w in range(concurrency)))
        done.send((per_worker * concurrency, began, time.perf_counter(), time.process_time() - cpu))
    finally:
        await app.close()


def counters(backend: Backend) -> tuple[int, int]:
    """(commands, network bytes) summed over the backend's masters."""
    commands = net = 0
    for port in backend.nodes:
        stats = redis.Redis(host="127.0.0.1", port=port).info("stats")
        commands += int(stats["total_commands_processed"])
        net += int(stats["total_net_input_bytes"]) + int(stats["total_net_output_bytes"])
    return commands, net


def conversation_bytes(backend: Backend, prefix: str) -> int:
    """What one conversation of the run keeps in Redis: its keys (history, state, its events'
    dedupe marks; the bench may scan, the bot never does) by MEMORY USAGE."""
    tag = "{" + ConversationKey("bench", "W1", "r0-run0-0").redis_key + "}"
    total = 0
    for port in backend.nodes:
        client = redis.Redis(host="127.0.0.1", port=port)
        for key in client.scan_iter(f"{prefix}:*{tag}*", count=1000):
            total += int(client.memory_usage(key) or 0)
    return total


def measure(
    backend: Backend, questions: list[str], replicas: int, messages: int, concurrency: int
) -> Row:
    prefix = f"faqbot-bench-{uuid.uuid4().hex[:8]}"
    context = multiprocessing.get_context("spawn")
    pipes = [(context.Pipe(), context.Pipe()) for _ in range(replicas)]
    processes = [
        context.Process(
            target=replica,
            args=(
                Replica(
                    backend,
                    prefix,
                    f"r{n}",
                    questions,
                    messages // replicas,
                    concurrency,
                    start[1],
                    done[1],
                ),
            ),
        )
        for n, (start, done) in enumerate(pipes)
    ]
    for process in processes:
        process.start()
    for (start, _), _ in zip(pipes, processes, strict=True):
        start[0].recv()  # every replica built and warm
    before = counters(backend)
    for (start, _), _ in zip(pipes, processes, strict=True):
        start[0].send("go")
    results = [done[0].recv() for _, done in pipes]
    after = counters(backend)
    for process in processes:
        process.join()
    count = sum(r[0] for r in results)
    kept = conversation_bytes(backend, prefix)
    wall = max(r[2] for r in results) - min(r[1] for r in results)
    # The counters include the INFO calls themselves: negligible against thousands of messages.
    return Row(
        backend.name,
        replicas,
        count,
        wall,
        sum(r[3] for r in results),
        after[0] - before[0],
        after[1] - before[1],
        kept,
    )


@contextmanager
def backends() -> Iterator[list[Backend]]:
    with own_redis_server() as (url, _), own_redis_cluster() as cluster:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        yield [
            Backend("standalone", url, False, (port,)),
            Backend("cluster (3 masters)", cluster.url, True, tuple(cluster.masters())),
        ]


def report(rows: list[Row], concurrency: int) -> str:
    base = {r.replicas: r for r in rows if not r.backend.startswith("cluster")}
    lines = [
        "Each replica is a bot process of its own (`build_app`, as `faqbot serve` builds it) "
        f"answering golden questions from {concurrency} concurrent conversations of "
        f"{QUESTIONS_PER_CONVERSATION} questions, extractively and with lexical search "
        "(`SEMANTIC_SEARCH=off`: the embeddings cost the same CPU whatever the store, and this "
        "measures the state's cost). The standalone Redis and the cluster (three masters, three "
        "replicas) are started by the script on loopback; all replicas start together after a "
        "warm-up. Redis commands and network bytes are read from the masters' `INFO` before and "
        "after, and divided by the messages; a conversation's memory is the `MEMORY USAGE` of "
        f"its keys once its {QUESTIONS_PER_CONVERSATION} questions are answered.",
        "",
        table(
            [
                "Redis",
                "bot replicas",
                "messages",
                "messages/s",
                "rate vs standalone",
                "bot CPU ms/message",
                "Redis commands/message",
                "Redis bytes/message",
                "bytes/conversation",
            ],
            [
                (
                    r.backend,
                    r.replicas,
                    r.messages,
                    f"{r.rate:.0f}",
                    ratio(r.rate, base[r.replicas].rate) if r.replicas in base else "",
                    f"{r.cpu / r.messages * 1000:.2f}",
                    f"{r.commands / r.messages:.1f}",
                    f"{r.net_bytes / r.messages:.0f}",
                    r.conversation_bytes,
                )
                for r in rows
            ],
        ),
    ]
    return "\n".join(lines)


async def answerable(backend: Backend) -> list[str]:
    """The golden questions the bot answers outright: an escalation would turn the rest of a
    conversation into ticket traffic, a different path from the one measured here."""
    app = build_app(settings(backend, f"faqbot-bench-{uuid.uuid4().hex[:8]}"))
    kept = []
    try:
        for n, question in enumerate(golden_questions()):
            reply = await app.engine.handle(
                IncomingMessage(
                    key=ConversationKey("bench", "W1", f"probe-{n}"),
                    message_id=f"probe-{n}",
                    user_id="U-probe",
                    text=question,
                    is_direct=True,
                )
            )
            if answered(reply):
                kept.append(question)
    finally:
        await app.close()
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=600, help="messages per row (about)")
    parser.add_argument("--concurrency", type=int, default=20, help="conversations per replica")
    args = parser.parse_args()
    rows: list[Row] = []
    with backends() as found:
        questions = asyncio.run(answerable(found[0]))
        print(f"{len(questions)} golden questions answered without escalation")
        for replicas in REPLICAS:
            for backend in found:
                row = measure(backend, questions, replicas, args.messages, args.concurrency)
                print(
                    f"{row.backend:20} x{replicas}: {row.messages} messages, {row.rate:.0f}/s, "
                    f"{row.commands / row.messages:.1f} commands and "
                    f"{row.net_bytes / row.messages:.0f} bytes per message"
                )
                rows.append(row)
    write_section(
        "cluster",
        "Redis Cluster: replicas and shards (`python -m bench.cluster`)",
        report(rows, args.concurrency),
    )


if __name__ == "__main__":
    main()

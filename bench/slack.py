"""Signed Slack events per second through the whole bot in HTTP mode (`faqbot serve` with the
Slack adapter, extractive answers, real Redis) against a bare slack-bolt AsyncApp that posts a
fixed reply; both in processes of their own, driven from this one, which also runs the Slack Web
API stand-in (tests/standins/slack_api.py). An event counts when its `chat.postMessage` reached the
stand-in, not when it was acknowledged.

    python -m bench.slack [--events 2000] [--rounds 2] [--window 100] [--profile bot.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import os
import pstats
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.core import Driver, delete_keys, golden_questions, settings
from bench.report import ROOT, process_cpu_seconds, ratio, table, write_section
from bot.runtime.app import build_app
from tests.standins.slack_api import SlackStandIn

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
USERS = 50
CHANNELS = 10

# The faqbot server that embeds no question: what the adapter and the engine cost alone.
LEXICAL = "faqbot, lexical search only"


@dataclass
class CountingSlack(SlackStandIn):
    """The Slack stand-in, counting the replies it received as they arrive."""

    posted: int = 0
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage":
            self.posted += 1
            self._changed.set()
        return super()._answer(method, params)

    async def changed(self) -> None:
        await self._changed.wait()
        self._changed.clear()


@dataclass(frozen=True)
class Round:
    target: str
    events: int
    seconds: float
    cpu: float  # CPU seconds the server process used for these events

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.events * 1000


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


class EventSource:
    """Distinct app_mention events: each a new message (so a new thread) asking a question."""

    def __init__(self, questions: list[str]) -> None:
        self.questions = itertools.cycle(questions)
        self.n = itertools.count(1)
        self.run = uuid.uuid4().int % 10**6

    def next(self) -> bytes:
        n = next(self.n)
        ts = f"{1700000000 + self.run}.{n:06d}"
        event = {
            "type": "app_mention",
            "user": f"U{n % USERS:03d}",
            "text": f"<@UBOT> {next(self.questions)}",
            "ts": ts,
            "event_ts": ts,
            "channel": f"C{n % CHANNELS:02d}",
        }
        envelope = {
            "token": "x",
            "team_id": "T1",
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{self.run}{n}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        }
        return json.dumps(envelope).encode()


async def drive(
    url: str, slack: CountingSlack, source: EventSource, events: int, window: int
) -> float:
    """Send `events` events, at most `window` of them unanswered at a time; seconds until the
    last reply reached the stand-in."""
    target = slack.posted + events
    connector = aiohttp.TCPConnector(limit=window)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def post(body: bytes) -> None:
            async with session.post(url, data=body, headers=signed(body)) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"{url} answered {response.status}")

        start = time.perf_counter()
        sends: set[asyncio.Task[None]] = set()
        for sent in range(events):
            while sent - (slack.posted - (target - events)) >= window:
                await slack.changed()
            task = asyncio.create_task(post(source.next()))
            sends.add(task)
            task.add_done_callback(sends.discard)
        await asyncio.gather(*sends)
        while slack.posted < target:
            await asyncio.wait_for(slack.changed(), timeout=60)
        return time.perf_counter() - start


async def wait_listening(port: int, child: asyncio.subprocess.Process) -> None:
    for _ in range(300):
        if child.returncode is not None:
            raise RuntimeError(f"the server exited with {child.returncode} before listening")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await writer.wait_closed()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


@asynccontextmanager
async def server(command: list[str], env: dict[str, str], cwd: Path) -> AsyncIterator[Server]:
    """Run a server process on a free port (PORT / HTTP_PORT)."""
    port = free_port()
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    child = await asyncio.create_subprocess_exec(
        *command, env={**base, **env, "PORT": str(port), "HTTP_PORT": str(port)}, cwd=cwd
    )
    try:
        await wait_listening(port, child)
        yield Server(f"http://127.0.0.1:{port}/slack/events", child.pid)
    finally:
        child.terminate()
        try:
            await asyncio.wait_for(child.wait(), timeout=60)
        except TimeoutError:
            child.kill()
            await child.wait()


async def measure(
    redis_url: str, events: int, rounds: int, window: int, profile: Path | None
) -> list[Round]:
    prefix = f"faqbot-bench-{uuid.uuid4().hex[:10]}"
    slack = CountingSlack()
    await slack.start()
    results: list[Round] = []
    try:
        questions = golden_questions()
        # Questions both searches answer outright, so that both servers do the same work.
        for search in ("auto", "off"):
            probe = build_app(settings(redis_url, prefix, SEMANTIC_SEARCH=search))
            try:
                questions = await Driver(probe).answered_questions(questions)
            finally:
                await probe.close()
        source = EventSource(questions)
        slack_env = {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
        }
        bot_env = {
            **slack_env,
            "REDIS_URL": redis_url,
            "REDIS_PREFIX": prefix,
            "HTTP_HOST": "127.0.0.1",
        }
        profiler = ["-m", "cProfile", "-o", str(profile)] if profile else []
        commands = {
            "bare slack-bolt": ([sys.executable, "-m", "bench.bare_bolt"], slack_env, ROOT),
            # A folder of its own, so that no developer's .env is read.
            "faqbot": ([sys.executable, *profiler, "-m", "bot", "serve"], bot_env, None),
            LEXICAL: (
                [sys.executable, "-m", "bot", "serve"],
                {**bot_env, "SEMANTIC_SEARCH": "off"},
                None,
            ),
        }
        with tempfile.TemporaryDirectory() as empty:
            for round_number in range(rounds):
                for target, (command, env, cwd) in commands.items():
                    async with server(command, env, cwd or Path(empty)) as running:
                        await drive(running.url, slack, source, 50, window)  # warm-up
                        cpu = process_cpu_seconds(running.pid)
                        seconds = await drive(running.url, slack, source, events, window)
                        cpu = process_cpu_seconds(running.pid) - cpu
                    done = Round(target, events, seconds, cpu)
                    results.append(done)
                    print(
                        f"round {round_number + 1}: {target}: {done.rate:.0f} events/s, "
                        f"{done.cpu_ms:.2f} server CPU ms/event"
                    )
    finally:
        await slack.stop()
        await delete_keys(redis_url, prefix)
    return results


def report(rounds: list[Round], events: int, window: int) -> str:
    rate: dict[str, float] = {}
    cpu_ms: dict[str, float] = {}
    for target in ("faqbot", LEXICAL, "bare slack-bolt"):
        mine = [r for r in rounds if r.target == target]
        rate[target] = sum(r.events for r in mine) / sum(r.seconds for r in mine)
        cpu_ms[target] = sum(r.cpu for r in mine) / sum(r.events for r in mine) * 1000
    rows: list[list[object]] = [
        [r.target, n // 3 + 1, r.events, f"{r.seconds:.2f}", f"{r.rate:.0f}", f"{r.cpu_ms:.2f}"]
        for n, r in enumerate(rounds)
    ]
    rows += [
        [f"**{t}, all rounds**", "", "", "", f"**{rate[t]:.0f}**", f"**{cpu_ms[t]:.2f}**"]
        for t in rate
    ]
    result = table(
        ["server", "round", "events", "seconds", "events/s", "server CPU ms/event"], rows
    )
    bare = "bare slack-bolt"
    share = {t: ratio(rate[t], rate[bare]) for t in ("faqbot", LEXICAL)}
    per_cpu = {t: ratio(cpu_ms[bare], cpu_ms[t]) for t in ("faqbot", LEXICAL)}
    print(result)
    for t in share:
        print(f"{t} / {bare}: {share[t]} events/s, {per_cpu[t]} events per CPU second")
    return f"""Signed Events API requests (`app_mention`, each a new message in one of {CHANNELS}
channels from one of {USERS} users, asking a golden question the bot answers outright) posted to
`/slack/events` of three servers, each in a process of its own: **faqbot** (`faqbot serve` in HTTP
mode: the real Slack adapter in `handlers/slack.py` on slack-bolt, the core with extractive answers
on the real Redis, a key prefix of its own deleted afterwards; the default search, which embeds
each question with the multilingual encoder and, the `semantic` extra being installed here, with
MiniLM), **{LEXICAL}** (the same with `SEMANTIC_SEARCH=off`: no embedding) and **bare
slack-bolt** (an
`AsyncApp` with the same signing secret whose `app_mention`/`message` handler posts a fixed reply,
served by aiohttp the same way, `bench/bare_bolt.py`). Both call the same Slack Web API stand-in
(`tests/standins/slack_api.py`, in the benchmark's process, which also signs and sends the events).
An event counts when its `chat.postMessage` reached the stand-in, not when it was acknowledged;
at most {window} events are unanswered at a time; {events} events per round after 50 of warm-up,
the servers alternating. Per event faqbot also searches the FAQ and reads and writes the
conversation in Redis (one load, one commit; the user's name is looked up only for a ticket, which
these questions never open, and the :eyes: reaction is added only while an LLM writes); like the
bare app, it makes the one `chat.postMessage` call. "server CPU ms/event" is the server process's
CPU time over the round divided by events: on a machine shared with other work it is steadier
than events/s.

{result}

**faqbot / bare slack-bolt = {share["faqbot"]}** in events/s, **{per_cpu["faqbot"]}** in events
per CPU second of the server process (target: at least 0.3x with the semantic extra);
**{LEXICAL} / bare slack-bolt = {share[LEXICAL]}** in events/s, **{per_cpu[LEXICAL]}** in
events per CPU second (target: at least 0.6x).
"""


def print_profile(path: Path) -> None:
    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="events per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--window", type=int, default=100, help="unanswered events at most")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--profile", type=Path, help="run the bot under cProfile, write the stats here, print them"
    )
    args = parser.parse_args()
    rounds = asyncio.run(
        measure(args.redis_url, args.events, args.rounds, args.window, args.profile)
    )
    if args.profile:
        print_profile(args.profile)
        return  # a profiled run is slower than a real one: its numbers are not written down
    write_section(
        "slack",
        "Slack: events per second, faqbot vs bare slack-bolt (`python -m bench.slack`)",
        report(rounds, args.events, args.window),
    )


if __name__ == "__main__":
    main()

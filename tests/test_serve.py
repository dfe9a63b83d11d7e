"""`faqbot serve`: HTTP endpoints, readiness (per platform too), metrics, and a clean SIGTERM, also
while a platform is still connecting."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.runtime import server
from tests.conftest import MakeApp
from tests.redis_server import free_port
from tests.standins.discord_api import DiscordStandIn
from tests.standins.slack_api import SlackStandIn
from tests.test_discord import TOKEN as DISCORD_TOKEN
from tests.test_slack import (  # the Slack stand-in fixture too
    SECRET,
    event_envelope,
    message,
    signed_headers,
    standin,  # noqa: F401
)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def start_serve(cwd: Path, **settings: str) -> tuple[subprocess.Popen[str], str]:
    """Run `faqbot serve` on a free loopback port; return it and its base URL once it is alive.

    Search is lexical unless `settings` say otherwise: what a process proves (signals, readiness,
    the entry point) does not depend on it, and loading the sentence encoders takes a process
    seconds (tests/test_semantic_search.py covers them in process)."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DISCORD_", "ANTHROPIC_"))
    }
    env.update(HTTP_HOST="127.0.0.1", HTTP_PORT=str(port), SEMANTIC_SEARCH="off")
    env.update(settings)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if get(f"{base}/healthz")[0] == 200:
                return process, base
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"serve did not start: {process.communicate()[0]}")
        time.sleep(0.1)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process, base = start_serve(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    yield process, base
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_serve_answers_health_readiness_and_metrics_then_stops_on_sigterm(
    serve: tuple[subprocess.Popen[str], str],
) -> None:
    process, base = serve
    assert get(f"{base}/healthz") == (200, '{"status": "ok"}')
    # Its Redis (port 1) does not answer, so it is alive but not ready.
    status, body = get(f"{base}/readyz")
    assert status == 503 and '"redis": false' in body and '"faq": true' in body
    status, metrics = get(f"{base}/metrics")
    assert status == 200 and "# HELP faqbot_messages_total" in metrics
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert output.count("no platform is configured") == 1
    assert "shutting down" in output
    assert "Traceback" not in output


def test_serve_is_ready_with_a_live_redis(tmp_path: Path, redis_url: str, prefix: str) -> None:
    process, base = start_serve(tmp_path, REDIS_URL=redis_url, REDIS_PREFIX=prefix)
    try:
        status, body = get(f"{base}/readyz")
        assert status == 200 and '"ready": true' in body
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
        assert process.returncode == 0


def read_until(process: subprocess.Popen[str], text: str) -> list[str]:
    """The process's output lines up to and including the first one containing `text`."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if text in line:
            return lines
    pytest.fail(f"{text!r} never logged: {''.join(lines)}")


async def test_sigterm_finishes_the_answer_in_flight_and_refuses_new_messages(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    slack = await SlackStandIn().start()
    # The bot's answer hangs in Slack until released: it is in flight when SIGTERM arrives.
    release = slack.hold["chat.postMessage"] = asyncio.Event()
    process, base = await asyncio.to_thread(
        start_serve,
        tmp_path,
        REDIS_URL=redis_url,
        REDIS_PREFIX=prefix,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        SHUTDOWN_GRACE_SECONDS="60",
    )
    try:
        async with aiohttp.ClientSession() as session:

            async def post(event: dict[str, object]) -> int:
                body = json.dumps(event_envelope(event))
                headers = {"Content-Type": "application/json", **signed_headers(body)}
                async with session.post(f"{base}/slack/events", data=body, headers=headers) as r:
                    return r.status

            question = message("how do I reset my password", channel="D1", channel_type="im")
            assert await post(question) == 200
            await slack.wait_for(lambda: slack.held)
            process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(read_until, process, "takes no new messages")
            late = message("and how do I cancel?", channel="D2", channel_type="im")
            assert await post(late) == 503
            assert get(f"{base}/healthz")[0] == 200
        release.set()
        output, _ = await asyncio.to_thread(process.communicate, timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        await slack.stop()
    assert process.returncode == 0, output
    [answer] = slack.called("chat.postMessage", channel="D1")
    assert "password" in answer["text"].lower()
    assert not slack.called("chat.postMessage", channel="D2")
    assert "Traceback" not in output


# ---- platforms still connecting


async def readiness(
    port: int, until: Callable[[dict[str, object]], bool]
) -> tuple[int, dict[str, object]]:
    """Ask /readyz until its body satisfies `until` (a platform connects in the background)."""
    while True:
        with contextlib.suppress(OSError):  # not listening yet
            status, body = await asyncio.to_thread(get, f"http://127.0.0.1:{port}/readyz")
            if until(json.loads(body)):
                return status, json.loads(body)
        await asyncio.sleep(0.05)


async def test_sigterm_stops_serve_while_slack_is_unreachable(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    nothing_listens = free_port()
    process, base = await asyncio.to_thread(
        start_serve,
        tmp_path,
        REDIS_URL=redis_url,
        REDIS_PREFIX=prefix,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=f"http://127.0.0.1:{nothing_listens}/api/",
    )
    try:
        # Socket Mode retries apps.connections.open for as long as Slack cannot be reached.
        await asyncio.to_thread(read_until, process, "Failed to connect")
        status, body = get(f"{base}/readyz")
        assert status == 503
        assert json.loads(body) == {
            "ready": False,
            "faq": True,
            "redis": True,
            "slack": "connecting",
        }
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.to_thread(process.communicate, timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert "shutting down" in output


async def test_readyz_follows_the_slack_connection(
    make_app: MakeApp,
    standin: SlackStandIn,  # noqa: F811
) -> None:
    # Slack's answer to apps.connections.open waits: the bot is up, still connecting.
    connecting = standin.hold["apps.connections.open"] = asyncio.Event()
    port = free_port()
    app = make_app(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=standin.api_url,
        HTTP_HOST="127.0.0.1",
        HTTP_PORT=port,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(server.serve(app, stop))

    async def slack_state(expected: str) -> tuple[int, dict[str, object]]:
        return await readiness(port, lambda body: body.get("slack") == expected)

    try:
        await standin.wait_for(lambda: standin.held)
        status, body = await asyncio.wait_for(slack_state("connecting"), 30)
        assert status == 503 and body["ready"] is False and body["redis"] is True
        connecting.set()
        status, body = await asyncio.wait_for(slack_state("connected"), 30)
        assert (status, body) == (
            200,
            {"ready": True, "faq": True, "redis": True, "slack": "connected"},
        )
        # Slack drops the connection and is slow to give a new one: not ready until Socket Mode
        # has connected again.
        reconnecting = standin.hold["apps.connections.open"] = asyncio.Event()
        await (await standin.connected()).close()
        status, _ = await asyncio.wait_for(slack_state("connecting"), 30)
        assert status == 503
        reconnecting.set()
        status, _ = await asyncio.wait_for(slack_state("connected"), 60)
        assert status == 200
    finally:
        stop.set()
        assert await asyncio.wait_for(running, 30) == 0


async def test_readyz_names_every_configured_platform(
    make_app: MakeApp,
    standin: SlackStandIn,  # noqa: F811
    discord_standin: DiscordStandIn,
) -> None:
    port = free_port()
    app = make_app(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=standin.api_url,
        DISCORD_TOKEN=DISCORD_TOKEN,
        DISCORD_API_URL=discord_standin.url + "/api/v10",
        DISCORD_GATEWAY_URL=discord_standin.ws_url,
        HTTP_HOST="127.0.0.1",
        HTTP_PORT=port,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(server.serve(app, stop))
    try:
        status, body = await asyncio.wait_for(readiness(port, lambda body: body["ready"]), 30)
        assert (status, body) == (
            200,
            {
                "ready": True,
                "faq": True,
                "redis": True,
                "slack": "connected",
                "discord": "connected",
            },
        )
    finally:
        stop.set()
        assert await asyncio.wait_for(running, 30) == 0

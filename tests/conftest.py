"""Shared fixtures: a real Redis server, an isolated key prefix per test, and a wired bot."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
import redis

from bot.runtime.app import App, build_app, build_encoders
from bot.runtime.settings import Settings
from faq.repository import FaqRepository
from tests.redis_cluster import LocalCluster, own_redis_cluster
from tests.redis_server import INSTALL_HINT, answers, own_redis_server
from tests.standins.anthropic_api import AnthropicStandIn
from tests.standins.discord_api import DiscordStandIn

DEFAULT_URL = "redis://127.0.0.1:6379/0"
# Names the file the suite's controller writes once the bundled FAQ is embedded.
WARM_MARKER = "FAQBOT_TEST_EMBEDDED"


def pytest_configure(config: pytest.Config) -> None:
    """One embedding cache for every process of the run (the xdist workers and the bots they
    start inherit the variable), never the developer's own ~/.cache/faqbot."""
    if not os.environ.get("EMBEDDING_CACHE", "").strip():
        folder = tempfile.mkdtemp(prefix="faqbot-test-embeddings-")
        os.environ["EMBEDDING_CACHE"] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    workers = getattr(config.option, "numprocesses", None)  # None without pytest-xdist
    if not hasattr(config, "workerinput") and workers not in (None, 0, 1):
        # The bundled FAQ's vectors, embedded once here while the workers start and collect:
        # each worker's first bot would otherwise embed them all at the same moment as the
        # others. (One process, as with -n 0 on a single file, embeds them when it needs them.)
        signal_folder = tempfile.mkdtemp(prefix="faqbot-test-warm-")
        config.add_cleanup(lambda: shutil.rmtree(signal_folder, ignore_errors=True))
        marker = Path(signal_folder) / "embedded"
        os.environ[WARM_MARKER] = str(marker)

        def embed() -> None:
            try:
                settings = make_settings()
                FaqRepository(settings.FAQ_PATH, build_encoders(settings))
            finally:
                marker.touch()

        embedding = threading.Thread(target=embed, name="embed the bundled FAQ", daemon=True)
        embedding.start()
        # A run shorter than the embedding (a test or two) waits for it rather than exiting
        # while the thread runs in an encoder's native code (torch aborted the process so).
        config.add_cleanup(lambda: embedding.join(timeout=300))


@pytest.fixture(scope="session", autouse=True)
def bundled_faq_embedded() -> None:
    """A worker's tests start once the bundled FAQ's vectors are in the shared cache."""
    marker = os.environ.get(WARM_MARKER)
    deadline = time.monotonic() + 300
    while marker and not Path(marker).exists() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """REDIS_URL when given, else the local server on 6379, else one the suite starts itself."""
    given = os.environ.get("REDIS_URL")
    if given:
        if not answers(given):
            pytest.exit(f"REDIS_URL={given} does not answer", returncode=3)
        yield given
        return
    if answers(DEFAULT_URL):
        yield DEFAULT_URL
        return
    try:
        with own_redis_server() as (url, _):
            yield url
    except FileNotFoundError:
        pytest.exit(INSTALL_HINT, returncode=3)


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[LocalCluster]:
    """A Redis Cluster of the suite's own (three masters, three replicas on loopback), started
    once, the first time a cluster test (tests/test_cluster.py) asks for it."""
    try:
        with own_redis_cluster() as cluster:
            yield cluster
    except FileNotFoundError:
        pytest.exit(INSTALL_HINT, returncode=3)


@pytest.fixture(scope="session")
def cleaner(redis_url: str) -> Iterator[redis.Redis]:
    """One blocking client for the whole run, outside every test's event loop, that deletes
    what the tests wrote (a client per test cost a connection and its handshake each)."""
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def prefix(cleaner: redis.Redis) -> Iterator[str]:
    """A key prefix of this test's own; only its keys are deleted afterwards."""
    name = f"faqbot-test-{uuid.uuid4().hex[:10]}"
    yield name
    keys = list(cleaner.scan_iter(f"{name}:*", count=500))
    if keys:
        cleaner.delete(*keys)


def make_settings(**values: Any) -> Settings:
    """Settings from explicit values only: a developer's .env or environment never leaks in."""
    return Settings(_env_file=None, **values)


MakeApp = Callable[..., App]


@pytest.fixture
async def make_app(redis_url: str, prefix: str) -> AsyncIterator[MakeApp]:
    """Build bots on the real Redis under this test's prefix; several calls make replicas.

    `clock` (seconds since the epoch) is the bots' time (build_app says what it decides). The
    first-contact privacy notice is off unless a test sets PRIVACY_NOTICE, so that a customer's
    first reply reads like any other (tests/test_privacy.py covers the notice)."""
    apps: list[App] = []

    def make(
        faq_path: Path | None = None, clock: Callable[[], float] = time.time, **values: Any
    ) -> App:
        values = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix, "PRIVACY_NOTICE": "", **values}
        app = build_app(make_settings(**values), faq_path=faq_path, clock=clock)
        apps.append(app)
        return app

    yield make
    for app in apps:
        await app.close()


@pytest.fixture
async def discord_standin() -> AsyncIterator[DiscordStandIn]:
    """A local Discord; discord.py's process-wide URLs, which the adapter repoints, are restored."""
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    server = await DiscordStandIn().start()
    yield server
    await server.close()
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


@pytest.fixture
async def claude() -> AsyncIterator[AnthropicStandIn]:
    """A local Messages API; point ANTHROPIC_BASE_URL at `claude.url`."""
    standin = await AnthropicStandIn().start()
    yield standin
    await standin.stop()


def llm_app(make_app: MakeApp, standin: AnthropicStandIn, **values: object) -> App:
    settings = {
        "ANTHROPIC_API_KEY": "sk-test-key",
        "ANTHROPIC_BASE_URL": standin.url,
        "ANTHROPIC_MODEL": "claude-sonnet-5-5",
        "LLM_MAX_RETRIES": 1,
        "LLM_TIMEOUT_SECONDS": 5,
        **values,
    }
    return make_app(**settings)

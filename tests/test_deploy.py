"""What the Dockerfile and docker-compose.yml declare (this machine has no Docker engine), and the
image's health check run for real against the bot's /healthz."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from aiohttp import web

from bot.runtime.server import build_web_app
from bot.runtime.settings import Settings, load_settings
from tests.conftest import MakeApp
from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            instruction, _, arguments = line.strip().partition(" ")
            result.append((instruction.upper(), arguments.strip()))
    return result


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (name, _) in enumerate(steps) if name == "FROM")
    return steps[last_from:]


def healthcheck_command() -> list[str]:
    [arguments] = [args for name, args in final_stage() if name == "HEALTHCHECK"]
    command: list[str] = json.loads(arguments.split(" CMD ", 1)[1])
    return command


@pytest.fixture
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_the_image_is_built_in_stages_on_a_slim_python_and_runs_as_a_user() -> None:
    bases = [args.split()[0] for name, args in instructions() if name == "FROM"]
    assert len(bases) >= 2
    assert all(base.startswith("python:") and base.endswith("-slim") for base in bases)
    [user] = [args for name, args in final_stage() if name == "USER"]
    assert user not in ("root", "0") and not user.startswith("0:")
    users = [args for name, args in final_stage() if name == "RUN" and "useradd" in args]
    assert users and user in users[0]
    # The final stage starts the console script that pyproject installs.
    [cmd] = [json.loads(args) for name, args in final_stage() if name == "CMD"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert cmd == ["faqbot", "serve"] and "faqbot" in scripts


def test_the_image_exposes_the_http_port_and_checks_health_with_its_own_python() -> None:
    stage = final_stage()
    env = " ".join(args for name, args in stage if name == "ENV")
    port = re.search(r"HTTP_PORT=(\d+)", env)
    assert port is not None
    assert ("EXPOSE", port.group(1)) in stage
    command = healthcheck_command()
    # python:*-slim has python and no curl or wget: the probe must use python.
    assert command[:2] == ["python", "-c"] and "/healthz" in command[2]


async def test_the_health_check_passes_against_a_live_bot_and_fails_without_one(
    make_app: MakeApp,
) -> None:
    code = healthcheck_command()[2]
    runner = web.AppRunner(build_web_app(make_app(), []))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()

    def probe(port: int) -> int:
        env = {**os.environ, "HTTP_PORT": str(port)}
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True).returncode

    try:
        assert await asyncio.to_thread(probe, port) == 0
    finally:
        await runner.cleanup()
    assert await asyncio.to_thread(probe, free_port()) != 0


def test_compose_runs_the_bot_against_a_redis_that_persists_append_only(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert {"bot", "redis"} <= set(services)
    redis, bot = services["redis"], services["bot"]
    command = redis["command"]
    command = " ".join(command) if isinstance(command, list) else command
    assert re.search(r"--appendonly\s+yes", command)
    [volume] = redis["volumes"]
    name, mount = volume.split(":")[:2]
    assert mount == "/data" and name in compose["volumes"]
    assert "redis-cli" in " ".join(redis["healthcheck"]["test"])
    assert "redis" in bot["depends_on"]
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    url = urlparse(bot["environment"]["REDIS_URL"])
    assert url.scheme == "redis" and url.hostname == "redis"
    port = bot["environment"]["HTTP_PORT"]
    assert any(str(mapping).endswith(f":{port}") for mapping in bot["ports"])
    assert bot["build"] == "."


def test_compose_gives_the_bot_longer_to_stop_than_its_own_shutdown_grace(
    compose: dict[str, Any],
) -> None:
    grace = compose["services"]["bot"]["stop_grace_period"]
    seconds = int(grace.removesuffix("s"))
    assert seconds > Settings.model_fields["SHUTDOWN_GRACE_SECONDS"].default


def test_cp_env_example_then_compose_up_gives_a_bot_on_the_compose_redis_without_an_llm(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Compose hands the bot .env's lines as variables, `environment:` winning; an empty line
    would arrive as an empty variable, so .env.example has none uncommented."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    assigned = [line for line in lines if re.match(r"[A-Z][A-Z0-9_]*=", line)]
    assert assigned and all(line.partition("=")[2] for line in assigned)
    for name in list(os.environ):
        if name in Settings.model_fields:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    for line in assigned:
        name, _, value = line.partition("=")
        monkeypatch.setenv(name, value)
    for name, value in compose["services"]["bot"]["environment"].items():
        monkeypatch.setenv(name, str(value))
    settings = load_settings(_env_file=None)
    port = int(compose["services"]["bot"]["environment"]["HTTP_PORT"])
    served = settings.model_dump(include={"REDIS_URL", "HTTP_PORT"})
    assert served == {"REDIS_URL": "redis://redis:6379/0", "HTTP_PORT": port}
    # No FAQ_PATH= pointing at the working folder, no empty key switching on the LLM.
    assert settings.ANTHROPIC_API_KEY is None and settings.FAQ_PATH is None


def test_env_example_loads_where_the_system_has_no_time_zone_database(tmp_path: Path) -> None:
    """python:*-slim images may have no /usr/share/zoneinfo; an empty PYTHONTZPATH leaves this
    machine the same, so BUSINESS_TIMEZONE=UTC must resolve from the installed tzdata package."""
    env = {k: v for k, v in os.environ.items() if k not in Settings.model_fields}
    example = str(ROOT / ".env.example")
    code = f"from bot.runtime.settings import load_settings; load_settings(_env_file={example!r})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "PYTHONTZPATH": ""},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr

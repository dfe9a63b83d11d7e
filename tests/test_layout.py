"""The layout keeps its promises: the core decides without storage, settings or a platform,
nothing under bot/ knows Slack or Discord, and only the runtime plugs the adapters in."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
PLATFORMS = ("slack_bolt", "slack_sdk", "discord", "handlers")
# What the core must not load, even through another module: storage, settings, platforms, the
# LLM client, the HTTP server, and the parts of the bot built on them.
NOT_IN_CORE = (
    *PLATFORMS,
    "redis",
    "fakeredis",
    "pydantic_settings",
    "anthropic",
    "aiohttp",
    "bot.state",
    "bot.runtime",
    "bot.engine",
    "bot.desk",
    "bot.knowledge",
    "bot.admin",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_nothing_in_the_bot_package_imports_a_platform_and_only_the_runtime_an_adapter() -> None:
    offenders: dict[str, list[str]] = {}
    for path in BOT.rglob("*.py"):
        allowed = ("handlers",) if path.parent.name == "runtime" else ()
        names = [
            name
            for name in sorted(imported_modules(path))
            if name.split(".")[0] in PLATFORMS and name.split(".")[0] not in allowed
        ]
        if names:
            offenders[str(path.relative_to(BOT.parent))] = names
    assert offenders == {}


def test_the_core_loads_no_storage_settings_or_platform() -> None:
    core = sorted(
        f"bot.core.{path.stem}" for path in (BOT / "core").glob("*.py") if path.stem != "__init__"
    )
    assert "bot.core.routing" in core and "bot.core.models" in core
    code = (
        "import importlib, json, sys\n"
        f"for name in {core!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = json.loads(done.stdout)
    assert [m for m in loaded if m.startswith(NOT_IN_CORE)] == []

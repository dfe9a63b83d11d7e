"""Every setting is documented, and a bad value is one readable line, not a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.core.models import ConversationKey, IncomingMessage
from bot.runtime.app import build_app
from bot.runtime.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_settings_readme_and_env_example_list_the_same_names() -> None:
    in_code = set(Settings.model_fields)
    readme = (ROOT / "README.md").read_text()
    in_readme = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, re.MULTILINE))
    env_example = (ROOT / ".env.example").read_text()
    # A setting left empty is a commented-out line, still listed.
    in_env = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", env_example, re.MULTILINE))
    assert in_readme == in_code, f"README differs: {in_readme ^ in_code}"
    assert in_env == in_code, f".env.example differs: {in_env ^ in_code}"


def test_lists_are_comma_separated() -> None:
    settings = Settings(_env_file=None, SLACK_ADMIN_USER_IDS="U1, U2,,U3")  # type: ignore[arg-type]
    assert settings.SLACK_ADMIN_USER_IDS == ["U1", "U2", "U3"]


def test_a_bad_value_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "hello"],
        env={"HTTP_PORT": "eighty", "PATH": ""},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("invalid setting HTTP_PORT: Input should be a valid integer")


@pytest.fixture
def no_settings_in_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only the .env file under test speaks: no setting from the environment, no ./.env; but
    the suite's EMBEDDING_CACHE (tests/conftest.py), so that no developer's cache is written."""
    for name in list(os.environ):
        if name in Settings.model_fields and name != "EMBEDDING_CACHE":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


async def answers_from_the_faq(env_file: Path) -> None:
    app = build_app(load_settings(_env_file=env_file))
    try:
        await app.start()
        assert app.llm is None  # no key: no LLM path that could only fail
        reply = await app.engine.handle(
            IncomingMessage(
                key=ConversationKey("cli", "local", "new-user"),
                message_id="",
                user_id="new-user",
                user_name="new-user",
                text="How do I reset my password?",
                is_direct=True,
            )
        )
        assert reply.source_ids == ["reset-password"] and not reply.escalated
    finally:
        await app.close()


@pytest.mark.usefixtures("no_settings_in_env")
async def test_a_new_user_copies_env_example_as_it_is_and_the_bot_starts_and_answers() -> None:
    await answers_from_the_faq(ROOT / ".env.example")


@pytest.mark.usefixtures("no_settings_in_env")
async def test_an_env_with_every_setting_present_but_empty_means_the_defaults(
    tmp_path: Path,
) -> None:
    example = (ROOT / ".env.example").read_text()
    emptied = re.sub(r"^# ([A-Z][A-Z0-9_]+)=$", r"\1=", example, flags=re.MULTILINE)
    dotenv = tmp_path / ".env"
    dotenv.write_text(emptied)
    empty = re.findall(r"^([A-Z][A-Z0-9_]+)=$", emptied, re.MULTILINE)
    assert {"FAQ_PATH", "ANTHROPIC_API_KEY", "REDIS_URL", "ANSWER_THRESHOLD"} <= set(empty)
    settings = load_settings(_env_file=dotenv)
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    for name in empty:
        assert getattr(settings, name) == getattr(defaults, name), name
    await answers_from_the_faq(dotenv)


@pytest.mark.usefixtures("no_settings_in_env")
def test_an_empty_privacy_notice_still_means_no_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("PRIVACY_NOTICE=\n")
    assert load_settings(_env_file=dotenv).PRIVACY_NOTICE == ""
    # An empty variable in the environment (as docker compose passes one) is unset too.
    monkeypatch.setenv("ANTHROPIC_API_KEY", "")
    assert load_settings(_env_file=dotenv).ANTHROPIC_API_KEY is None


def test_a_redis_prefix_with_braces_is_refused_since_keys_use_them_as_hash_tags() -> None:
    with pytest.raises(ValidationError, match="must not contain"):
        Settings(_env_file=None, REDIS_PREFIX="bot{x")  # type: ignore[call-arg]

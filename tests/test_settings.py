"""Every setting is documented, and a bad value is one readable line, not a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_settings_readme_and_env_example_list_the_same_names() -> None:
    in_code = set(Settings.model_fields)
    readme = (ROOT / "README.md").read_text()
    in_readme = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, re.MULTILINE))
    env_example = (ROOT / ".env.example").read_text()
    in_env = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", env_example, re.MULTILINE))
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

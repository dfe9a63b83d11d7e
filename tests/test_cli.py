"""The faqbot command line, run as a user would: a subprocess, from a folder outside the repo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from faq.loaders import load_faq
from tests.conftest import MakeApp
from tests.test_versions import FAQ, GOLDEN, NEW_ENTRY, WORSE_FAQ, eventually


def faqbot(*args: str, cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DISCORD_", "ANTHROPIC_"))
    }
    base.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**base, **env},
        timeout=120,
    )


def test_ask_json_answers_with_sources_and_offers_a_person_out_of_scope(
    tmp_path: Path,
) -> None:
    result = faqbot(
        "ask",
        "--json",
        "How do I reset my password? I forgot it",
        "Who won the 1998 World Cup?",
        "I want to talk to a human",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    answered, missed, person = (json.loads(line) for line in result.stdout.splitlines())
    assert answered["sources"] == ["reset-password"] and not answered["escalated"]
    assert answered["ticket_id"] is None and 0 < answered["confidence"] <= 1
    assert set(answered) == {"question", "text", "sources", "escalated", "ticket_id", "confidence"}
    # Not answered from the FAQ: escalated, a person offered, no ticket until they accept.
    assert missed["escalated"] and missed["ticket_id"] is None and missed["sources"] == []
    assert person["escalated"] and person["ticket_id"] == "T-1"
    assert person["ticket_id"] in person["text"]
    # Without REDIS_URL the store is in-process, and the user is told once.
    assert result.stderr.count("REDIS_URL is not set") == 1


def test_ask_reads_one_question_per_stdin_line_and_user_keeps_one_conversation(
    tmp_path: Path,
) -> None:
    result = faqbot(
        "ask",
        "--json",
        "--user",
        "U7",
        cwd=tmp_path,
        stdin="I want to talk to a human\n\nhow do I reset my password\n",
    )
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["escalated"]
    # The same conversation: a person is handling it, so the bot stays quiet.
    assert second["text"] == "" and not second["escalated"]


def test_ask_with_another_faq(tmp_path: Path) -> None:
    faq = tmp_path / "my.csv"
    faq.write_text("question,answer,id\nWhere is the office?,In Lyon.,office\n")
    result = faqbot("ask", "--json", "--faq", str(faq), "where is your office", cwd=tmp_path)
    assert json.loads(result.stdout)["sources"] == ["office"]


def test_faq_check_lists_every_error_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: a\n  question: Q\n- id: a\n  question: Q\n  answer: A\n  extra: 1\n")
    result = faqbot("faq", "check", str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{bad}:1: missing 'answer'",
        f"{bad}:6: unknown key 'extra'; allowed: id, question, answer, alternates, tags, links",
    ]
    good = tmp_path / "good.yaml"
    good.write_text("- id: a\n  question: Q\n  answer: A\n")
    ok = faqbot("faq", "check", str(good), cwd=tmp_path)
    assert ok.returncode == 0 and "1 entries, no errors" in ok.stdout


def test_a_broken_faq_path_stops_the_bot_with_the_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("not: a list\n")
    result = faqbot("ask", "hello", cwd=tmp_path, FAQ_PATH=str(bad))
    assert result.returncode == 1
    assert f"{bad}:1: expected a list of entries" in result.stderr
    assert "Traceback" not in result.stderr


async def test_tickets_are_listed_shown_claimed_and_resolved_from_the_cli(
    tmp_path: Path, redis_url: str, prefix: str, make_app: MakeApp
) -> None:
    env = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix}
    asked = faqbot("ask", "--json", "--user", "U1", "Can I speak to a person?", cwd=tmp_path, **env)
    ticket_id = json.loads(asked.stdout)["ticket_id"]
    listing = faqbot("tickets", "list", cwd=tmp_path, **env)
    assert listing.stdout.startswith(f"{ticket_id}\topen\t-\tU1\tCan I speak to a person?")
    shown = faqbot("tickets", "show", ticket_id, cwd=tmp_path, **env)
    assert "reason: the customer asked for a person" in shown.stdout
    assert "customer: Can I speak to a person?" in shown.stdout
    claimed = faqbot("tickets", "claim", ticket_id, "--agent", "ana", cwd=tmp_path, **env)
    assert claimed.stdout.strip() == f"{ticket_id} claimed by ana"
    resolved = faqbot("tickets", "resolve", ticket_id, cwd=tmp_path, **env)
    assert resolved.returncode == 0
    assert faqbot("tickets", "list", cwd=tmp_path, **env).stdout.strip() == "no tickets"
    again = faqbot("tickets", "resolve", ticket_id, cwd=tmp_path, **env)
    assert again.returncode == 1 and "already resolved" in again.stderr
    # The state is the shared Redis one: a bot process sees the resolved ticket too.
    assert (await make_app().tickets.get(ticket_id)).status == "resolved"


def test_chat_in_the_terminal(tmp_path: Path) -> None:
    session = "\n".join(
        [
            "hello",
            "how do I reset my password",
            "/helpful",
            "/faq status",
            "what is the meaning of life?",
            "yes",
            "/quit",
        ]
    )
    result = faqbot("chat", cwd=tmp_path, stdin=session + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "bot> Hello!" in out
    assert "Sources: reset-password" in out and "[/helpful /not-helpful /human]" in out
    assert "Thanks for the feedback!" in out
    assert "FAQ version" in out
    assert "couldn't find the answer" in out and "[/human]" in out
    assert "opened ticket T-1" in out


async def test_an_operator_publishes_lists_rolls_back_and_exports_faq_versions_from_the_cli(
    tmp_path: Path, redis_url: str, prefix: str, make_app: MakeApp
) -> None:
    live_dir = tmp_path / "live"
    live_dir.mkdir()
    (live_dir / "faq.yaml").write_text(FAQ)
    (live_dir / "golden.yaml").write_text(GOLDEN)
    bot = make_app(live_dir)  # a running bot, sharing the Redis
    await bot.start()
    first = bot.faq.version
    env = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix, "FAQ_PATH": str(live_dir)}

    (live_dir / "faq.yaml").write_text(FAQ + NEW_ENTRY)
    published = faqbot("faq", "reload", cwd=tmp_path, **env)
    assert published.returncode == 0, published.stderr
    assert "FAQ reloaded" in published.stdout and "Added (1): parking" in published.stdout
    await eventually(lambda: "parking" in bot.faq.index.by_id, "the bot serves the new version")

    # A FAQ elsewhere is judged by the golden file next to it.
    worse = tmp_path / "worse"
    worse.mkdir()
    (worse / "golden.yaml").write_text(GOLDEN)
    (worse / "faq.yaml").write_text(WORSE_FAQ)
    refused = faqbot("faq", "reload", str(worse), cwd=tmp_path, **env)
    assert refused.returncode == 1 and "What broke (1):" in refused.stderr
    assert "expected office, was office, now escalate" in refused.stderr
    forced = faqbot("faq", "reload", str(worse), "--force", cwd=tmp_path, **env)
    assert forced.returncode == 0 and "skipped (--force)" in forced.stdout

    listing = faqbot("faq", "versions", cwd=tmp_path, **env).stdout.splitlines()
    assert [line.split(":")[1].split()[0] for line in listing[1:]] == ["reload"] * 2 + ["first"]
    assert "(live)" in listing[1] and "by cli:" in listing[1]
    back = faqbot("faq", "rollback", first, cwd=tmp_path, **env)
    assert back.returncode == 0 and f"version {first}" in back.stdout
    await eventually(lambda: bot.faq.version == first, "the bot back on the first version")

    exported = tmp_path / "export.yaml"
    result = faqbot("faq", "export", str(exported), cwd=tmp_path, **env)
    assert result.returncode == 0 and f"version {first}, 3 entries" in result.stdout
    assert load_faq(exported) == list(bot.faq.index.entries)


def test_faq_versions_need_the_shared_redis(tmp_path: Path) -> None:
    result = faqbot("faq", "versions", cwd=tmp_path)
    assert result.returncode == 2 and "REDIS_URL is not set" in result.stderr

"""`faqbot eval`: a FAQ owner measures routing on labelled questions, from the command line,
without opening tickets, touching Redis or calling the LLM unless asked to."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from redis.asyncio import Redis

from tests.standins.anthropic_api import AnthropicStandIn
from tests.test_cli import faqbot

LABELLED = """\
- question: "I forgot my password and can't sign in"
  expected: reset-password
- question: "where do I download last month's invoice?"
  expected: download-invoices
- question: "Who won the 1998 World Cup?"
  expected: escalate
- question: "Recommend a lasagna recipe"
  expected: escalate
"""


def labelled(tmp_path: Path, text: str = LABELLED, name: str = "cases.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_eval_prints_routing_accuracy_escalation_and_latency(tmp_path: Path) -> None:
    result = faqbot("eval", str(labelled(tmp_path)), cwd=tmp_path, SEMANTIC_SEARCH="off")
    assert result.returncode == 0, result.stderr
    table = result.stdout
    for metric in ("top-1 routing accuracy", "top-3 routing accuracy", "escalation recall"):
        assert metric in table
    assert "false escalation rate" in table and "latency p50" in table and "latency p99" in table
    assert "4 questions: 2 answerable, 2 to escalate" in table
    # Not a terminal: no progress bar in captured output.
    assert "[#" not in result.stderr


def test_eval_json_gives_the_summary_and_every_miss_with_its_line(tmp_path: Path) -> None:
    cases = labelled(
        tmp_path,
        LABELLED + '- question: "How do I reset my password?"\n  expected: download-invoices\n',
        name="cases.yml",
    )
    result = faqbot("eval", str(cases), "--json", cwd=tmp_path, SEMANTIC_SEARCH="off")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    summary = report["summary"]
    assert summary["questions"] == 5 and summary["answerable"] == 3
    assert summary["search"] == "lexical" and summary["answerer"] == "extractive"
    assert 0 < summary["threshold"] < 1
    for key in ("top1", "top3", "escalation_recall", "false_escalation_rate"):
        assert 0 <= summary[key] <= 1
    assert summary["latency_p99_ms"] >= summary["latency_p50_ms"] > 0
    [miss] = [m for m in report["misses"] if m["line"] == 9]
    assert miss["question"] == "How do I reset my password?"
    assert miss["expected"] == "download-invoices"
    assert miss["routed"] == "reset-password" and miss["ranked"][0] == "reset-password"
    # Confidently wrong: a mislabelled case or an entry that swallows another's questions.
    assert 0.5 < miss["confidence"] <= 1


OUTCOMES = """\
- question: "I forgot my password and can't sign in"
  expected: reset-password
- question: "Recommend a lasagna recipe"
  expected: escalate
- question: "I want to talk to a human"
  expected: human
- question: "thanks a lot!"
  expected: small_talk
- question: "hello there"
  expected: human
"""


def test_eval_measures_hand_offs_and_small_talk_and_lists_the_misses_under_the_table(
    tmp_path: Path,
) -> None:
    result = faqbot("eval", str(labelled(tmp_path, OUTCOMES)), cwd=tmp_path, SEMANTIC_SEARCH="off")
    assert result.returncode == 0, result.stderr
    table = result.stdout
    assert "5 questions: 1 answerable, 1 to escalate, 2 asking for a person, 1 small talk" in table
    assert re.search(r"^hand-off recall +50\.0% ", table, re.MULTILINE)
    assert re.search(r"^small talk recall +100\.0% ", table, re.MULTILINE)
    # The one miss, with what to look at: line, question, expected, got, confidence.
    _, listed = table.split("misses (1): line, question, expected, got, confidence\n")
    assert listed.splitlines() == ["  9: hello there | expected human | got small_talk | 0.00"]

    result = faqbot(
        "eval", str(labelled(tmp_path, OUTCOMES)), "--json", cwd=tmp_path, SEMANTIC_SEARCH="off"
    )
    report = json.loads(result.stdout)
    summary = report["summary"]
    assert (summary["hand_offs"], summary["small_talk"]) == (2, 1)
    assert (summary["hand_off_recall"], summary["small_talk_recall"]) == (0.5, 1.0)
    assert report["misses"] == [
        {
            "line": 9,
            "question": "hello there",
            "expected": "human",
            "routed": "small_talk",
            "ranked": [],
            "suggested": [],
            "confidence": 0.0,
        }
    ]


def test_a_miss_lists_the_entries_the_bot_suggested_instead_of_answering(tmp_path: Path) -> None:
    # Lexical search is not sure of this paraphrase: no answer, and a (here wrong) suggestion.
    cases = labelled(
        tmp_path, '- question: "is my stuff safe with you?"\n  expected: data-encryption\n'
    )
    result = faqbot("eval", str(cases), "--json", cwd=tmp_path, SEMANTIC_SEARCH="off")
    report = json.loads(result.stdout)
    [miss] = report["misses"]
    assert miss["routed"] == "escalate" and miss["suggested"] == ["recover-deleted-files"]
    assert report["summary"]["suggested_right"] == 0.0
    table = faqbot("eval", str(cases), cwd=tmp_path, SEMANTIC_SEARCH="off").stdout
    assert re.search(r"^suggested on a miss +0\.0% ", table, re.MULTILINE)
    assert "got escalate (suggested recover-deleted-files) |" in table


FOLLOW_UPS = """\
- after: "I forgot my password and can't sign in"
  question: "and how long is the link valid?"
  expected: reset-password
- question: "and how long is the link valid?"
  expected: reset-password
- after: "how do I turn on two-factor authentication?"
  question: "and if I lose my phone?"
  expected: lost-2fa-device
"""


def test_a_follow_up_is_read_after_the_message_before_it_and_its_miss_shows_that_message(
    tmp_path: Path,
) -> None:
    result = faqbot(
        "eval", str(labelled(tmp_path, FOLLOW_UPS)), "--json", cwd=tmp_path, SEMANTIC_SEARCH="off"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["questions"] == 3
    misses = {m["line"]: m for m in report["misses"]}
    # After the password question the follow-up is answered from the reset entry; alone, the
    # same words are not enough.
    assert 1 not in misses and misses[4]["routed"] == "escalate" and "after" not in misses[4]
    # The conversation repeats the 2FA set-up answer: a known miss, listed with what came before.
    assert misses[6]["after"] == "how do I turn on two-factor authentication?"
    assert misses[6]["routed"] == "enable-two-factor-auth"
    table = faqbot("eval", str(labelled(tmp_path, FOLLOW_UPS)), cwd=tmp_path, SEMANTIC_SEARCH="off")
    assert (
        "  6: (after 'how do I turn on two-factor authentication?') and if I lose my phone? | "
        "expected lost-2fa-device | got enable-two-factor-auth" in table.stdout
    )


def test_a_pick_from_what_the_message_before_suggested_answers_from_it(tmp_path: Path) -> None:
    """As in a conversation: the miss suggested one entry, and "the first one" picks it."""
    cases = labelled(
        tmp_path,
        '- after: "is my stuff safe with you?"\n  question: "the first one"\n'
        "  expected: recover-deleted-files\n"
        '- after: "is my stuff safe with you?"\n  question: "the second one"\n'
        "  expected: recover-deleted-files\n",
    )
    report = json.loads(
        faqbot("eval", str(cases), "--json", cwd=tmp_path, SEMANTIC_SEARCH="off").stdout
    )
    [miss] = report["misses"]
    assert miss["line"] == 4 and miss["routed"] == "escalate"


def test_an_after_that_is_not_a_message_is_reported_with_its_line(tmp_path: Path) -> None:
    cases = labelled(
        tmp_path,
        '- question: "and for a team?"\n  expected: escalate\n  after: [1]\n'
        '- question: "and for a team?"\n  expected: escalate\n  after: " "\n',
    )
    result = faqbot("eval", str(cases), cwd=tmp_path, SEMANTIC_SEARCH="off")
    assert result.returncode == 1
    for line in (1, 4):
        assert f"{cases}:{line}: `after` must be a non-empty string" in result.stderr


def test_eval_reads_jsonl_and_limit_keeps_the_first_questions(tmp_path: Path) -> None:
    rows = [
        {"question": "I forgot my password", "expected": "reset-password"},
        {"question": "What's the capital of Australia?", "expected": "escalate"},
        {"question": "download invoices", "expected": "download-invoices"},
    ]
    cases = labelled(tmp_path, "".join(json.dumps(r) + "\n" for r in rows), "cases.jsonl")
    result = faqbot(
        "eval", str(cases), "--json", "--limit", "2", cwd=tmp_path, SEMANTIC_SEARCH="off"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["questions"] == 2


def test_a_bad_dataset_is_reported_with_file_and_line(tmp_path: Path) -> None:
    broken = labelled(tmp_path, '- question: "hello there"\n- question: ""\n  expected: x\n')
    result = faqbot("eval", str(broken), cwd=tmp_path, SEMANTIC_SEARCH="off")
    assert result.returncode == 1
    assert (
        f"{broken}:1: `expected` must be an entry id, escalate, human or small_talk"
        in result.stderr
    )
    assert f"{broken}:2: `question` must be a non-empty string" in result.stderr
    assert result.stdout == ""


def test_an_expected_entry_missing_from_the_faq_is_an_error_not_a_miss(tmp_path: Path) -> None:
    cases = labelled(tmp_path, '- question: "reset password"\n  expected: reset-pasword\n')
    result = faqbot("eval", str(cases), cwd=tmp_path, SEMANTIC_SEARCH="off")
    assert result.returncode == 1
    assert f"{cases}:1: expected 'reset-pasword' is not an entry of this FAQ" in result.stderr


def test_a_broken_faq_is_reported_with_file_and_line(tmp_path: Path) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text("- id: a\n  question: q\n", encoding="utf-8")
    result = faqbot(
        "eval", str(labelled(tmp_path)), "--faq", str(faq), cwd=tmp_path, SEMANTIC_SEARCH="off"
    )
    assert result.returncode == 1
    assert f"{faq}:1:" in result.stderr and "answer" in result.stderr


async def eval_in_a_thread(*args: str, cwd: Path, **env: str) -> tuple[int, str, str]:
    """tests.test_cli.faqbot, leaving this event loop free to serve the LLM stand-in."""
    done = await asyncio.to_thread(faqbot, "eval", *args, cwd=cwd, **env)
    return done.returncode, done.stdout, done.stderr


async def test_eval_writes_nothing_to_redis_and_calls_the_llm_only_with_llm(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    claude = await AnthropicStandIn().start()
    env = {
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": prefix,
        "ANTHROPIC_API_KEY": "sk-test-dummy",
        "ANTHROPIC_BASE_URL": claude.url,
        "SEMANTIC_SEARCH": "off",
    }
    cases = str(labelled(tmp_path))
    try:
        code, out, err = await eval_in_a_thread(cases, "--json", cwd=tmp_path, **env)
        assert code == 0, err
        assert json.loads(out)["summary"]["answerer"] == "extractive"
        assert claude.requests == []

        code, out, err = await eval_in_a_thread(cases, "--json", "--llm", cwd=tmp_path, **env)
        assert code == 0, err
        assert json.loads(out)["summary"]["answerer"] != "extractive"
        assert claude.requests
    finally:
        await claude.stop()
    client = Redis.from_url(redis_url)
    assert [key async for key in client.scan_iter(f"{prefix}:*")] == []
    await client.aclose()


async def test_llm_without_an_api_key_is_refused(tmp_path: Path) -> None:
    code, _, err = await eval_in_a_thread(
        str(labelled(tmp_path)), "--llm", cwd=tmp_path, SEMANTIC_SEARCH="off"
    )
    assert code == 2 and "--llm needs an LLM" in err

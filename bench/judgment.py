"""Judgment on FAQs nobody here tuned on: routing per FAQ, per search mode.

    python -m bench.judgment evals/heldout [evals/dev ...] [--modes lexical,multilingual,semantic]

Each folder under the given ones holding a `faq.yaml` and a `questions.yaml` (`{question,
expected}`, expected an entry id, `escalate`, `human` or `small_talk`) is run through the same
decision path as a customer's question (`faqbot eval`, extractive, nothing stored), and the table
gives, per FAQ and mode: answerable questions answered from the right entry, answered from a
wrong one, not answered but with the right entry suggested, unrelated questions answered and
given a suggestion, requests for a person handed over, small talk taken as small talk.
A folder's own `messages.yaml` and `reactions.yaml` (`{text, label, lang}`, label `handoff`,
`small_talk` or `lookalike`: a FAQ question that only looks like either) give a second table: how
each kind of message is read, per language, before any FAQ is searched, then once the models of
requests and reactions (bot/core/handoff.py and bot/core/reactions.py, on the multilingual
encoder) have read it too, as they do a message the FAQ has no answer to.
A folder's `follow_ups.yaml` (`{after, after_expected, question, expected}`: a follow-up and the
message before it) gives a third table: follow-ups answered from the right entry, whether the
same entry as the message before or another one, answered from a wrong one, and follow-ups the
FAQ cannot answer that were answered anyway.
A folder's `announcements.yaml` (`{text, label, lang}`, label `announce`: a question announced
with its topic, "I have a question about my subscription", or `lookalike`: one that asks or tells
already, asks for a person or names no topic) gives a fourth table: how many of each are read as
a question announced, which the bot invites once the FAQ has no sure answer.
`evals/heldout` is for reporting only: nothing was tuned on it (see the README).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import yaml

from bench.report import write_section
from bot.core.handoff import asks_for_person
from bot.core.intents import announces_question, names_a_person, small_talk
from bot.core.reactions import only_reacts
from bot.knowledge.evaluation import OUTCOMES, EvalReport, evaluate, load_cases
from bot.runtime.app import build_evaluation
from bot.runtime.settings import Settings
from faq.semantic import Encoder, shared_encoders

SECTION = "judgment"
# Messages that are no FAQ questions, and the name of their rows (after the folder's).
MESSAGES = {"messages.yaml": "", "reactions.yaml": " reactions"}
FOLLOW_UPS = "follow_ups.yaml"
ANNOUNCEMENTS = "announcements.yaml"
_KINDS = {
    "handoff": "requests for a person",
    "small_talk": "small talk",
    "lookalike": "look-alikes",
}
_SEARCH = {"lexical": "off", "multilingual": "multilingual", "semantic": "on"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", help="folders of FAQ + questions")
    parser.add_argument("--modes", default="lexical,multilingual,semantic")
    parser.add_argument("--no-write", action="store_true", help="print only, keep the docs")
    args = parser.parse_args(argv)
    rows, follow_ups = [], []
    for folder in args.folders:
        for faq in sorted(folder.glob("**/faq.yaml")):
            questions = faq.with_name("questions.yaml")
            if not questions.exists():
                continue
            name = f"{faq.parent.parent.name}/{faq.parent.name}"
            conversations = faq.with_name(FOLLOW_UPS)
            items = yaml.safe_load(conversations.read_text()) if conversations.exists() else []
            for mode in args.modes.split(","):
                rows.append(row(name, mode, asyncio.run(run(faq, questions, mode))))
                if items:
                    report = asyncio.run(run(faq, conversations, mode))
                    follow_ups.append(follow_up_row(name, mode, report, items))
    body = render(rows)
    if follow_ups:
        body += "\n\n" + render_follow_ups(follow_ups)
    encoders = shared_encoders(with_minilm=False)
    messages = [
        row
        for folder in args.folders
        for file, suffix in MESSAGES.items()
        if (folder / file).exists()
        for row in message_rows(
            folder.name + suffix, yaml.safe_load((folder / file).read_text()), encoders
        )
    ]
    if messages:
        body += "\n\n" + render_messages(messages)
    announcements = [
        row
        for folder in args.folders
        if (folder / ANNOUNCEMENTS).exists()
        for row in announcement_rows(
            folder.name, yaml.safe_load((folder / ANNOUNCEMENTS).read_text())
        )
    ]
    if announcements:
        body += "\n\n" + render_announcements(announcements)
    print(body)
    if not args.no_write:
        write_section(SECTION, "Judgment on FAQs written apart from the search code", body)
    return 0


async def run(faq: Path, questions: Path, mode: str) -> EvalReport:
    # Only the search mode: a developer's environment or .env must not change the figures.
    values: dict[str, Any] = {"SEMANTIC_SEARCH": _SEARCH[mode]}
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    evaluation = build_evaluation(settings, faq, use_llm=False)
    try:
        return await evaluate(evaluation.router, evaluation.faq.index, load_cases(questions))
    finally:
        await evaluation.close()


def row(name: str, mode: str, report: EvalReport) -> list[str]:
    answerable = report.answerable
    wrong = [r for r in answerable if not r.escalated and not r.correct]
    return [
        name,
        mode,
        _pct(report.top1, len(answerable)),
        _pct(len(wrong) / max(len(answerable), 1), len(answerable)),
        _pct(report.suggested_right, len(answerable)),
        _pct(1 - report.escalation_recall, len(report.unanswerable)),
        _pct(report.unrelated_suggested, len(report.unanswerable)),
        _pct(report.hand_off_recall, len(report.hand_offs)),
        _pct(report.small_talk_recall, len(report.small_talk)),
    ]


def follow_up_row(
    name: str, mode: str, report: EvalReport, items: list[dict[str, str]]
) -> list[str]:
    """`items` are the file's rows, in the order of the report's results; "same" is the entry
    labelled for the message before, whatever the bot answered it with."""
    same, other, wrong = [], [], []
    for result, item in zip(report.results, items, strict=True):
        if item["question"].strip() != result.case.question:
            raise ValueError(f"{name}: {item['question']!r} is not the case read at that place")
        if result.case.expected in OUTCOMES:
            continue
        answered_wrong = not result.escalated and not result.correct
        wrong.append(answered_wrong)
        (same if item["after_expected"] == result.case.expected else other).append(result.correct)
    answerable = len(same) + len(other)
    return [
        name,
        mode,
        _pct(sum(same) / max(len(same), 1), len(same)),
        _pct(sum(other) / max(len(other), 1), len(other)),
        _pct(sum(wrong) / max(answerable, 1), answerable),
        _pct(1 - report.escalation_recall, len(report.unanswerable)),
    ]


def render_follow_ups(rows: list[list[str]]) -> str:
    head = (
        "| follow-ups | search | answered right, same entry as before | answered right, another "
        "entry | answered wrong | unanswerable ones answered |\n|---|---|---|---|---|---|\n"
    )
    return head + "\n".join("| " + " | ".join(r) + " |" for r in rows)


def read_as(text: str, encoders: tuple[Encoder, ...] = ()) -> str:
    """What the bot takes a message for before searching (small talk wins, as in routing), or,
    with `encoders`, once the models of requests and reactions have read it as they do a
    message the FAQ has no answer to, right after an answer."""
    if small_talk(text) is not None:
        return "small_talk"
    if names_a_person(text) or asks_for_person(text, encoders):
        return "handoff"
    return "small_talk" if only_reacts(text, encoders) else "lookalike"


def read_as_announced(text: str) -> bool:
    """Whether the bot takes a message for a question announced with its topic, once the FAQ
    has no sure answer for it (small talk and requests for a person are read first)."""
    return small_talk(text) is None and not names_a_person(text) and announces_question(text)


def announcement_rows(name: str, items: list[dict[str, str]]) -> list[list[str]]:
    rows = []
    for label, kind in (("announce", "announced questions"), ("lookalike", "look-alikes")):
        for language in ("en", "fr"):
            texts = [i["text"] for i in items if i["label"] == label and i["lang"] == language]
            if texts:
                read = sum(map(read_as_announced, texts)) / len(texts)
                rows.append([name, kind, language, _pct(read, len(texts))])
    return rows


def render_announcements(rows: list[list[str]]) -> str:
    head = "| announcements | kind | language | read as a question announced |\n|---|---|---|---|\n"
    return head + "\n".join("| " + " | ".join(r) + " |" for r in rows)


def message_rows(
    name: str, items: list[dict[str, str]], encoders: tuple[Encoder, ...]
) -> list[list[str]]:
    """Per kind and language, how many of its messages are read as that kind, by the patterns
    alone and with the models of requests and reactions."""
    rows = []
    for kind in _KINDS:
        for language in ("en", "fr"):
            texts = [i["text"] for i in items if i["label"] == kind and i["lang"] == language]
            if not texts:
                continue
            shares = [
                _pct(sum(read_as(t, e) == kind for t in texts) / max(len(texts), 1), len(texts))
                for e in ((), encoders)
            ]
            rows.append([name, _KINDS[kind], language, *shares])
    return rows


def render_messages(rows: list[list[str]]) -> str:
    head = (
        "| messages | kind | language | read as that kind | with the models of requests and "
        "reactions, unanswered after an answer |\n|---|---|---|---|---|\n"
    )
    return head + "\n".join("| " + " | ".join(r) + " |" for r in rows)


def render(rows: list[list[str]]) -> str:
    head = (
        "| FAQ | search | answered right | answered wrong | right one suggested | "
        "unrelated answered | unrelated given a suggestion | hand-offs handed over | "
        "small talk as small talk |\n|---|---|---|---|---|---|---|---|---|\n"
    )
    return head + "\n".join("| " + " | ".join(r) + " |" for r in rows)


def _pct(value: float, n: int) -> str:
    return "n/a" if value != value else f"{100 * value:.0f}% of {n}"


if __name__ == "__main__":
    sys.exit(main())

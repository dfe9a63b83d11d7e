"""Measuring routing on labelled questions: `faqbot eval`, the golden set, the reload check.

A case is `{question, expected}`, expected being an entry id, `escalate` (the FAQ cannot answer
it), `human` (a request for a person) or `small_talk` (greetings, thanks, acknowledgements), and
optionally `after`: the customer's message just before it in the same conversation, for a
follow-up ("and how long does that take?"). Each question takes the same decision path as a
customer's (`Router.route`), `after` first when given, on an index given explicitly, so a FAQ can
be judged before it goes live; nothing is stored and no ticket is opened.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core import decisions
from bot.core.language import detect_language
from bot.core.models import Turn
from bot.core.routing import Route, RouteKind, Router
from bot.core.state import ConversationState, state_fields
from faq.index import FaqIndex
from faq.loaders import compose_yaml
from faq.models import FaqError, FaqLoadError

ESCALATE = "escalate"
HUMAN = "human"
SMALL_TALK = "small_talk"
# Expectations that are not entry ids.
OUTCOMES = (ESCALATE, HUMAN, SMALL_TALK)
_ESCALATING = (RouteKind.ESCALATE, RouteKind.HUMAN)


@dataclass(frozen=True)
class Case:
    question: str
    expected: str
    line: int = 0
    # The customer's previous message in the conversation, for a follow-up; "" for none.
    after: str = ""


@dataclass(frozen=True)
class CaseResult:
    case: Case
    kind: RouteKind
    # Entry ids shown to the customer, best first; empty when the bot escalated or chatted.
    ranked: tuple[str, ...]
    seconds: float
    confidence: float = 0.0
    # Entries suggested with a miss ("Maybe one of these helps"), best first.
    suggested: tuple[str, ...] = ()

    @property
    def escalated(self) -> bool:
        return self.kind in _ESCALATING

    @property
    def routed(self) -> str:
        """What the customer got: the leading entry, `escalate`, `human` or `small_talk`."""
        if self.kind is RouteKind.HUMAN:
            return HUMAN
        if self.kind is RouteKind.SMALL_TALK:
            return SMALL_TALK
        if self.escalated:
            return ESCALATE
        return self.ranked[0] if self.ranked else self.kind.value

    @property
    def correct(self) -> bool:
        # An unanswerable question handed to a person because the customer also asked for one
        # is handled right.
        if self.case.expected == ESCALATE:
            return self.escalated
        return self.routed == self.case.expected

    @property
    def in_top3(self) -> bool:
        if self.case.expected == ESCALATE:
            return self.escalated
        return not self.escalated and self.case.expected in self.ranked[:3]


@dataclass(frozen=True)
class EvalReport:
    results: tuple[CaseResult, ...]

    @property
    def answerable(self) -> list[CaseResult]:
        return [r for r in self.results if r.case.expected not in OUTCOMES]

    @property
    def unanswerable(self) -> list[CaseResult]:
        return [r for r in self.results if r.case.expected == ESCALATE]

    @property
    def hand_offs(self) -> list[CaseResult]:
        return [r for r in self.results if r.case.expected == HUMAN]

    @property
    def small_talk(self) -> list[CaseResult]:
        return [r for r in self.results if r.case.expected == SMALL_TALK]

    @property
    def hand_off_recall(self) -> float:
        return _share(r.correct for r in self.hand_offs)

    @property
    def small_talk_recall(self) -> float:
        return _share(r.correct for r in self.small_talk)

    @property
    def accuracy(self) -> float:
        """Every case routed as labelled, escalations included."""
        return _share(r.correct for r in self.results)

    @property
    def top1(self) -> float:
        """Answerable questions whose first entry is the expected one (an escalation is wrong)."""
        return _share(r.correct for r in self.answerable)

    @property
    def top3(self) -> float:
        return _share(r.in_top3 for r in self.answerable)

    @property
    def suggested_right(self) -> float:
        """Answerable questions the bot did not answer but whose right entry it suggested, one
        click away."""
        return _share(r.escalated and r.case.expected in r.suggested for r in self.answerable)

    @property
    def unrelated_suggested(self) -> float:
        """Unanswerable questions the bot did not answer but suggested an entry for."""
        return _share(r.escalated and bool(r.suggested) for r in self.unanswerable)

    @property
    def escalation_recall(self) -> float:
        return _share(r.escalated for r in self.unanswerable)

    @property
    def false_escalation_rate(self) -> float:
        return _share(r.escalated for r in self.answerable)

    def latency(self, quantile: float) -> float:
        return _quantile(sorted(r.seconds for r in self.results), quantile)

    def misses(self) -> list[CaseResult]:
        return [r for r in self.results if not r.correct]

    def summary(self) -> dict[str, float | int]:
        return {
            "questions": len(self.results),
            "answerable": len(self.answerable),
            "unanswerable": len(self.unanswerable),
            "hand_offs": len(self.hand_offs),
            "small_talk": len(self.small_talk),
            "accuracy": self.accuracy,
            "top1": self.top1,
            "top3": self.top3,
            "suggested_right": self.suggested_right,
            "unrelated_suggested": self.unrelated_suggested,
            "escalation_recall": self.escalation_recall,
            "false_escalation_rate": self.false_escalation_rate,
            "hand_off_recall": self.hand_off_recall,
            "small_talk_recall": self.small_talk_recall,
            "latency_p50_ms": self.latency(0.5) * 1000,
            "latency_p99_ms": self.latency(0.99) * 1000,
        }


async def evaluate(
    router: Router,
    index: FaqIndex,
    cases: Sequence[Case],
    progress: Callable[[int], None] | None = None,
) -> EvalReport:
    results = []
    for done, case in enumerate(cases, start=1):
        before = await _conversation_before(router, index, case.after)
        # A pick from the entries the message before offered ("the first one") answers from it,
        # as in a conversation.
        picked = decisions.pending_choice(case.question, before.offered)
        if picked is not None:
            results.append(CaseResult(case, RouteKind.ANSWER, (picked,), 0.0, 1.0))
            continue
        start = time.perf_counter()
        route = await router.route(
            index,
            case.question,
            detect_language(case.question, before.language),
            before.history,
            after_answer=before.answered,
        )
        seconds = time.perf_counter() - start
        suggested = tuple(hit.entry.id for hit in route.suggestions)
        results.append(
            CaseResult(case, route.kind, route.entry_ids, seconds, route.confidence, suggested)
        )
        if progress is not None:
            progress(done)
    return EvalReport(tuple(results))


@dataclass(frozen=True)
class _Before:
    """The conversation a follow-up is read in: the message before it and the bot's reply,
    that message's language, whether the FAQ answered it, and the entries the reply offered
    to pick from."""

    history: list[Turn]
    language: str
    answered: bool = False
    offered: tuple[str, ...] = ()


async def _conversation_before(router: Router, index: FaqIndex, after: str) -> _Before:
    """The history a follow-up is read with, the previous message and the bot's reply to it in
    the words a customer sees (an LLM reads them), that message's language, which a follow-up
    of no telling words keeps, as in a conversation. The follow-up is read as the next
    question whatever the bot did with the message before: a hand-off is replied to as a miss,
    since no ticket opens here."""
    if not after:
        return _Before([], "en")
    language = detect_language(after)
    route = await router.route(index, after, language, [])
    offered: tuple[str, ...] = ()
    if route.kind is RouteKind.ANSWER and route.answer is not None:
        said = route.answer.text
    else:
        reply = _reply(route, language)
        said = reply.reply.text
        # The list the engine would remember, read back as its state holds it.
        offered = ConversationState.read(state_fields(reply.changes)).choices
    history = [Turn("customer", after, 0.0), Turn("bot", said, 0.0)]
    return _Before(history, language, route.kind is RouteKind.ANSWER, offered)


def _reply(route: Route, language: str) -> decisions.Decision:
    """What the engine decides for a route that is no answer."""
    if route.kind is RouteKind.SMALL_TALK:
        return decisions.small_talk(route.talk or "", language)
    if route.kind is RouteKind.CLARIFY:
        return decisions.clarification(list(route.hits), language)
    if route.announced:
        return decisions.invitation(language, route.confidence, route.suggestions)
    return decisions.no_answer(language, route.confidence, route.suggestions)


def load_cases(path: Path) -> list[Case]:
    """Cases from YAML (a list of mappings) or JSONL; every problem is reported as file:line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FaqLoadError([FaqError(str(path), 0, f"cannot read: {exc}")]) from exc
    rows = _jsonl_rows(text, path) if path.suffix == ".jsonl" else _yaml_rows(text, path)
    cases, errors = [], []
    for line, row in rows:
        question, expected, after = row.get("question"), row.get("expected"), row.get("after")
        if not isinstance(question, str) or not question.strip():
            errors.append(FaqError(str(path), line, "`question` must be a non-empty string"))
        elif not isinstance(expected, str) or not expected.strip():
            errors.append(
                FaqError(
                    str(path),
                    line,
                    "`expected` must be an entry id, escalate, human or small_talk",
                )
            )
        elif after is not None and (not isinstance(after, str) or not after.strip()):
            errors.append(FaqError(str(path), line, "`after` must be a non-empty string"))
        else:
            cases.append(Case(question.strip(), expected.strip(), line, (after or "").strip()))
    if errors:
        raise FaqLoadError(errors)
    return cases


def unknown_expectations(cases: Iterable[Case], index: FaqIndex, path: Path) -> list[FaqError]:
    """Cases expecting an entry the FAQ does not have: a typo in the dataset, or the wrong FAQ."""
    return [
        FaqError(str(path), case.line, f"expected {case.expected!r} is not an entry of this FAQ")
        for case in cases
        if case.expected not in OUTCOMES and case.expected not in index.by_id
    ]


def _yaml_rows(text: str, path: Path) -> list[tuple[int, dict[str, object]]]:
    root = compose_yaml(text, str(path))
    if not isinstance(root, yaml.SequenceNode):
        raise FaqLoadError([FaqError(str(path), 1, "expected a list of {question, expected}")])
    rows = []
    for node in root.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise FaqLoadError([FaqError(str(path), line, "expected {question, expected}")])
        rows.append((line, {k.value: v.value for k, v in node.value}))
    return rows


def _jsonl_rows(text: str, path: Path) -> list[tuple[int, dict[str, object]]]:
    rows = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise FaqLoadError([FaqError(str(path), line, f"invalid JSON: {exc.msg}")]) from exc
        except RecursionError:
            raise FaqLoadError(
                [FaqError(str(path), line, "invalid JSON: nested too deeply")]
            ) from None
        if not isinstance(row, dict):
            raise FaqLoadError([FaqError(str(path), line, "expected {question, expected}")])
        rows.append((line, row))
    return rows


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else math.nan


def _quantile(values: list[float], quantile: float) -> float:
    if not values:
        return math.nan
    return values[min(len(values) - 1, math.ceil(quantile * len(values)) - 1)]

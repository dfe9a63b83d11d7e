"""The regression check a new FAQ passes before it goes live, on the golden questions.

The golden file is `golden.yaml` (or `.yml`) inside the FAQ folder, or next to the FAQ file, in
the format `faqbot eval` reads. Both FAQs are judged by the same offline router (no LLM: the
check is free, quick and repeatable); the new one is refused when it routes fewer golden questions
as labelled, or when a question the old FAQ answered now escalates.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from bot.core.routing import Router
from bot.knowledge.evaluation import ESCALATE, EvalReport, evaluate, load_cases
from faq.index import FaqIndex
from faq.loaders import GOLDEN_NAMES


@dataclass(frozen=True)
class Regression:
    question: str
    expected: str
    before: str
    after: str


@dataclass(frozen=True)
class CheckResult:
    golden: Path | None  # None: no golden file, nothing was checked
    accuracy_before: float = 0.0
    accuracy_after: float = 0.0
    regressions: tuple[Regression, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.accuracy_after < self.accuracy_before and not self.regressions


def golden_path(faq_path: Path) -> Path | None:
    folder = faq_path if faq_path.is_dir() else faq_path.parent
    return next((folder / n for n in sorted(GOLDEN_NAMES) if (folder / n).is_file()), None)


@dataclass(eq=False)
class GoldenCheck:
    """`router` must be offline (the extractive answerer): the check runs in a worker thread, on
    an event loop of its own, so a client bound to the serving loop would not work there."""

    router: Router

    async def run(self, faq_path: Path, before: FaqIndex, after: FaqIndex) -> CheckResult:
        """Raises FaqLoadError when the golden file itself is broken."""
        golden = golden_path(faq_path)
        if golden is None:
            return CheckResult(None)
        # Hundreds of searches on a large FAQ take many seconds of CPU, which the serving loop
        # owes to its customers.
        return await asyncio.to_thread(asyncio.run, self._check(golden, before, after))

    async def _check(self, golden: Path, before: FaqIndex, after: FaqIndex) -> CheckResult:
        cases = load_cases(golden)
        old = await evaluate(self.router, before, cases)
        new = await evaluate(self.router, after, cases)
        return CheckResult(golden, old.accuracy, new.accuracy, regressions(old, new))


def regressions(before: EvalReport, after: EvalReport) -> tuple[Regression, ...]:
    """Questions routed right before and wrong now, and answered questions that now escalate."""
    broken = []
    for old, new in zip(before.results, after.results, strict=True):
        worse = old.correct and not new.correct
        newly_escalated = old.case.expected != ESCALATE and not old.escalated and new.escalated
        if worse or newly_escalated:
            broken.append(Regression(old.case.question, old.case.expected, old.routed, new.routed))
    return tuple(broken)

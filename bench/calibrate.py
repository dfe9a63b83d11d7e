"""Fit faq/calibration.py's constants and pick ANSWER_THRESHOLD, on FAQs shaped like a company's.

    python -m bench.calibrate evals/dev

Each folder under the given ones holding a `faq.yaml` and a `questions.yaml` (a list of
`{question, expected}`, expected an entry id, `escalate`, or `human` / `small_talk`, which are
skipped here) is one FAQ; the bundled sample FAQ is added with its alternates stripped (a FAQ as
companies write them: one question per entry) and its golden questions. For each search mode
(lexical, multilingual, and semantic when the extra is installed) every (question, nominated
entry) pair is a case, the right entry the only positive, and a logistic model of "this entry is
the right one" is fitted on their signals. The threshold printed is the lowest confidence at
which at most 10% of the unrelated questions get an answer. The held-out FAQs (evals/heldout) and
the public benchmarks' test splits are never read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from bench.convert import clinc150
from bot.core.language import detect_language
from bot.knowledge.evaluation import ESCALATE, Case, load_cases
from faq.calibration import Calibration, calibration_for
from faq.index import FaqIndex
from faq.loaders import load_faq
from faq.models import FaqEntry
from faq.repository import BUNDLED_FAQ
from faq.semantic import Encoder, semantic_available, shared_encoders

MAX_UNRELATED_ANSWERED = 0.10
RUNNER_UP_QUANTILE = 0.10
_CLINC_EVERY = 10
_L2 = 1e-2
# Expectations that are not about retrieval (the intents decide them before any search).
_NOT_RETRIEVAL = ("human", "small_talk")


@dataclass(frozen=True)
class LabelledFaq:
    name: str
    entries: list[FaqEntry]
    cases: list[Case]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", help="folders of FAQ + questions")
    parser.add_argument(
        "--clinc",
        type=Path,
        metavar="DATASETS",
        help="also fit on CLINC150's validation split (folder holding clinc150/)",
    )
    args = parser.parse_args(argv)
    faqs = [bundled_sample(), *labelled_faqs(args.folders)]
    company_faqs = len(faqs)
    if args.clinc is not None:
        faqs += clinc_validation(args.clinc)
    modes: dict[str, tuple[Encoder, ...]] = {
        "LEXICAL": (),
        "MULTILINGUAL": shared_encoders(with_minilm=False),
    }
    if semantic_available():
        modes["SEMANTIC"] = shared_encoders(with_minilm=True)
    for name, encoders in modes.items():
        found = evidence(faqs, encoders)
        fitted = fit(found, company_faqs)
        print(
            f"{name} = Calibration(\n    rank_weights={_tuple(fitted.rank_weights)},\n"
            f"    intercept={fitted.intercept:.3f},\n    weights={_tuple(fitted.weights)},\n"
            f"    threshold={fitted.threshold:.2f},\n"
            f"    runner_up_floor={fitted.runner_up_floor:.3f},\n)"
        )
        for faq, questions in zip(faqs, found, strict=True):
            print(f"  {faq.name}: {operating_point(questions, fitted)}")
    if semantic_available():
        vouching(faqs, modes["SEMANTIC"])
    return 0


def vouching(faqs: Sequence[LabelledFaq], encoders: tuple[Encoder, ...]) -> None:
    """How the bar at which the words alone vouch for the encoders' best entry (faq/index.py's
    _WORDS_VOUCH) trades answers: per bar, answerable questions answered from the right entry and
    unrelated ones answered, with the shipped calibration and thresholds."""
    bars = (None, 0.95, 0.9, 0.85, 0.8, 0.75)
    print("\nthe words' vouch, by bar (right answers, unrelated answered):")
    for faq in faqs:
        with_encoders, words_alone = FaqIndex(faq.entries, encoders), FaqIndex(faq.entries)
        counts = dict.fromkeys(bars, (0, 0))
        for case in faq.cases:
            language = detect_language(case.question)
            best = with_encoders.candidates(case.question, 1, language)
            if not best:
                continue
            calibration = calibration_for(
                tuple(e.name for e in encoders if not e.languages or language in e.languages)
            )
            entry = with_encoders.entries[best[0].position]
            confidence = calibration.confidence(*best[0].features)
            lexical = words_alone.search(case.question, 1, language)
            sure = lexical[0].confidence if lexical and lexical[0].entry.id == entry.id else 0.0
            for bar in bars:
                answered = confidence >= calibration.threshold or (bar is not None and sure >= bar)
                right, unrelated = counts[bar]
                counts[bar] = (
                    right + (answered and entry.id == case.expected),
                    unrelated + (answered and case.expected == ESCALATE),
                )
        print(f"  {faq.name}: " + ", ".join(f"{bar}: {r}/{u}" for bar, (r, u) in counts.items()))


def bundled_sample() -> LabelledFaq:
    entries = [replace(e, alternates=()) for e in load_faq(BUNDLED_FAQ)]
    return LabelledFaq("sample (no alternates)", entries, load_cases(BUNDLED_FAQ / "golden.yaml"))


def clinc_validation(datasets: Path) -> list[LabelledFaq]:
    """CLINC150's validation split against FAQs of all and of 10 training questions per intent
    (a FAQ with many phrasings per entry, and one with a few, whose answers say nothing), one
    in-scope question in _CLINC_EVERY so that they weigh about as much as the other FAQs."""
    found = []
    for shots in (None, 10):
        bench = clinc150(datasets, "val", shots=shots)
        cases = [
            c for n, c in enumerate(bench.cases) if c.expected == ESCALATE or n % _CLINC_EVERY == 0
        ]
        found.append(LabelledFaq(bench.name + f" K={shots or 'all'}", bench.entries, cases))
    return found


def labelled_faqs(folders: Sequence[Path]) -> list[LabelledFaq]:
    found = []
    for folder in folders:
        for faq in sorted(folder.glob("**/faq.yaml")):
            questions = faq.with_name("questions.yaml")
            if questions.exists():
                found.append(
                    LabelledFaq(
                        faq.parent.name, load_faq(faq), retrieval_cases(load_cases(questions))
                    )
                )
    return found


def retrieval_cases(cases: list[Case]) -> list[Case]:
    return [c for c in cases if c.expected not in _NOT_RETRIEVAL]


@dataclass(frozen=True)
class Question:
    """One question's evidence: every nominated entry's signals, how many of them rank it
    first and its coverage by meaning, and which entry is right (-1: none)."""

    signals: NDArray[np.float64]
    right: int
    agreement: NDArray[np.int64]
    covered: NDArray[np.float64]


def evidence(faqs: Sequence[LabelledFaq], encoders: tuple[Encoder, ...]) -> list[list[Question]]:
    """Per FAQ, the evidence of each of its questions."""
    found = []
    for faq in faqs:
        index = FaqIndex(faq.entries, encoders)
        questions = []
        for case in faq.cases:
            language = detect_language(case.question)
            # A question in a language one of the encoders does not read is searched without
            # it, so it belongs to the fit of the mode without that encoder.
            if any(e.languages and language not in e.languages for e in encoders):
                continue
            candidates = index.candidates(case.question, len(index), language)
            if not candidates:
                continue
            ids = [index.entries[c.position].id for c in candidates]
            signals = np.array([c.signals for c in candidates])
            right = ids.index(case.expected) if case.expected in ids else -1
            if case.expected != ESCALATE and right < 0:
                continue  # the right entry was not even nominated: nothing to learn from
            questions.append(
                Question(
                    signals,
                    right,
                    np.array([c.agreement for c in candidates]),
                    np.array([c.covered for c in candidates]),
                )
            )
        found.append(questions)
    return found


def fit(found: Sequence[Sequence[Question]], company_faqs: int) -> Calibration:
    """Weights from every FAQ; the threshold from the unrelated questions of the first
    `company_faqs`, the FAQs written like a company's, whose customers it is chosen for."""
    questions = [q for per_faq in found for q in per_faq]
    rank_weights = fit_ranking([q for q in questions if q.right >= 0])
    floor = runner_up_floor([q for per_faq in found[:company_faqs] for q in per_faq], rank_weights)
    tops = [top(q, rank_weights, floor) for q in questions]
    x = np.array([features for features, _ in tops])
    y = np.array([float(right) for _, right in tops])
    intercept, weights = fit_logistic(x, y)
    fitted = Calibration(
        tuple(rank_weights),
        intercept,
        (weights[0], weights[1], weights[2], weights[3]),
        runner_up_floor=floor,
    )
    unrelated = np.array(
        [
            fitted.confidence(*top(q, rank_weights, floor)[0])
            for per_faq in found[:company_faqs]
            for q in per_faq
            if q.right < 0
        ]
    )
    return replace(fitted, threshold=lowest_threshold(unrelated))


def runner_up_floor(questions: Sequence[Question], rank_weights: Sequence[float]) -> float:
    """The score the best other entry reaches for all but RUNNER_UP_QUANTILE of the questions
    on FAQs written like a company's (see faq/calibration.py's `runner_up_floor`)."""
    runners_up = [
        float(np.sort(q.signals @ np.asarray(rank_weights))[-2])
        for q in questions
        if len(q.signals) > 1
    ]
    return float(np.quantile(runners_up, RUNNER_UP_QUANTILE))


def top(
    question: Question, rank_weights: Sequence[float], floor: float
) -> tuple[tuple[float, float, int, float], bool]:
    """The first entry's (score, margin over the best other entry or the floor, agreement,
    coverage), and whether it is the right one."""
    scores = question.signals @ np.asarray(rank_weights)
    order = np.argsort(-scores, kind="stable")
    first = int(order[0])
    margin = scores[first] - max(scores[order[1]] if len(order) > 1 else 0.0, floor)
    features = (
        float(scores[first]),
        float(margin),
        int(question.agreement[first]),
        float(question.covered[first]),
    )
    return features, first == question.right


def fit_ranking(questions: Sequence[Question]) -> list[float]:
    """Conditional logit: weights under which the right entry outscores the others of its FAQ,
    kept non-negative (more evidence never ranks an entry lower)."""
    width = questions[0].signals.shape[1]

    def loss(w: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        total, gradient = _L2 * float(w @ w), 2 * _L2 * w
        for q in questions:
            z = q.signals @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            total -= float(np.log(p[q.right] + 1e-12))
            gradient = gradient - (q.signals[q.right] - p @ q.signals)
        return total, gradient

    result = minimize(loss, np.ones(width), jac=True, method="L-BFGS-B", bounds=[(0, None)] * width)
    return [float(w) for w in result.x]


def operating_point(questions: Sequence[Question], fitted: Calibration) -> str:
    right = wrong = answerable = unrelated = answered_unrelated = 0
    for question in questions:
        features, is_right = top(question, fitted.rank_weights, fitted.runner_up_floor)
        confident = fitted.confidence(*features) >= fitted.threshold
        if question.right < 0:
            unrelated += 1
            answered_unrelated += confident
            continue
        answerable += 1
        right += confident and is_right
        wrong += confident and not is_right
    return (
        f"answered right {right / max(answerable, 1):.1%}, answered wrong "
        f"{wrong / max(answerable, 1):.1%} of {answerable}; unrelated answered "
        f"{answered_unrelated / max(unrelated, 1):.1%} of {unrelated}"
    )


def fit_logistic(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, list[float]]:
    """Logistic regression whose confidence never falls when a signal rises.

    Signals overlap (n-gram and embedding cosines agree most of the time), so an unconstrained
    fit can give one a negative weight that only holds on this data: a French question that
    matches an entry's words but not its English embedding would then lose confidence for
    matching. A signal that gets a negative weight is left out and the rest refitted.
    """
    kept = list(range(x.shape[1]))
    while True:
        intercept, weights = _newton(x[:, kept], y)
        if min(weights) >= 0:
            full = [0.0] * x.shape[1]
            for column, weight in zip(kept, weights, strict=True):
                full[column] = weight
            return intercept, full
        kept.pop(int(np.argmin(weights)))


def _newton(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, list[float]]:
    """Maximum likelihood by Newton's method, with a touch of L2 to keep it well-posed."""
    design = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(design.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-design @ beta))
        gradient = design.T @ (y - p) - _L2 * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + _L2 * np.eye(len(beta))
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return float(beta[0]), [float(b) for b in beta[1:]]


def lowest_threshold(unrelated_confidences: NDArray[np.float64]) -> float:
    """Two decimals, rounded up, so that at most MAX_UNRELATED_ANSWERED of unrelated questions
    reach it."""
    ordered = np.sort(unrelated_confidences)[::-1]
    allowed = int(np.floor(MAX_UNRELATED_ANSWERED * len(ordered)))
    cut = ordered[allowed] if allowed < len(ordered) else 0.0
    return float(np.floor(cut * 100) / 100 + 0.01)


def _tuple(values: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.3f}" for v in values) + ")"


if __name__ == "__main__":
    sys.exit(main())

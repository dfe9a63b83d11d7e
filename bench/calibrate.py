"""Fit faq/calibration.py's constants and pick ANSWER_THRESHOLD, on CLINC150's validation split.

    python -m bench.calibrate DATASETS_DIR

For each mode (lexical, and semantic when the extra is installed) it takes the top entry for
every validation question (in-scope and out-of-scope) against two FAQs, one with every training
question of an intent as alternates and one with 10 of them (a FAQ's usual size: cosines to the
nearest question run lower when an entry has fewer, and one threshold must suit both), fits a
logistic model of "this entry is
the right one" on its signals, and prints the constants to paste into faq/calibration.py, with
the highest threshold that hands at most 10% of answerable validation questions to a person.
The test split is never read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bench.convert import clinc150
from faq.calibration import Calibration
from faq.index import FaqIndex
from faq.semantic import MiniLmEncoder, semantic_available

MAX_FALSE_ESCALATION = 0.10
_L2 = 1e-3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", type=Path, help="folder holding banking77/ and clinc150/")
    args = parser.parse_args(argv)
    benches = [clinc150(args.datasets, "val"), clinc150(args.datasets, "val", shots=10)]
    modes = {"LEXICAL": None}
    if semantic_available():
        modes["SEMANTIC"] = MiniLmEncoder()
    for name, encoder in modes.items():
        signals, right, answerable = [], [], []
        for bench in benches:
            index = FaqIndex(bench.entries, encoder)
            for case in bench.cases:
                # A question of stopwords only finds nothing: no signal at all, and escalated.
                top = index.candidates(case.question, 1)
                width = len(index.calibration.weights)
                signals.append(top[0].signals if top else (0.0,) * width)
                right.append(bool(top) and index.entries[top[0].position].id == case.expected)
                answerable.append(case.expected != "escalate")
        x, y = np.array(signals), np.array(right, dtype=np.float64)
        intercept, weights = fit_logistic(x, y)
        fitted = Calibration(intercept, tuple(weights))
        confidences = np.array([fitted.confidence(s) for s in signals])
        mask = np.array(answerable)
        threshold = highest_threshold(confidences[mask])
        print(
            f"{name} = Calibration(intercept={intercept:.3f}, weights={_tuple(weights)}, "
            f"threshold={threshold:.2f})"
        )
        half = len(signals) // 2
        for label, part in (("K=all", slice(0, half)), ("K=10", slice(half, None))):
            point = _operating_point(confidences[part], y[part], mask[part], threshold)
            print(f"  {label}: {point}")
    return 0


def fit_logistic(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, list[float]]:
    """Logistic regression whose confidence never falls when a signal rises.

    Signals overlap (n-gram and embedding cosines agree most of the time), so an unconstrained
    fit can give one a negative weight that only holds on this dataset: a French question that
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
    for _ in range(50):
        p = 1 / (1 + np.exp(-design @ beta))
        gradient = design.T @ (y - p) - _L2 * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + _L2 * np.eye(len(beta))
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return float(beta[0]), [float(b) for b in beta[1:]]


def highest_threshold(answerable_confidences: NDArray[np.float64]) -> float:
    """Two decimals, rounded down, so that at most 10% of answerable questions fall below."""
    ordered = np.sort(answerable_confidences)
    cut = ordered[int(np.floor(MAX_FALSE_ESCALATION * len(ordered)))]
    return float(np.floor(cut * 100) / 100)


def _operating_point(
    confidences: NDArray[np.float64],
    right: NDArray[np.float64],
    answerable: NDArray[np.bool_],
    threshold: float,
) -> str:
    answered = confidences >= threshold
    in_scope = float(np.mean(answered[answerable] & (right[answerable] == 1)))
    false_escalation = float(np.mean(~answered[answerable]))
    oos_recall = float(np.mean(~answered[~answerable]))
    return (
        f"threshold {threshold:.2f}: in-scope accuracy {in_scope:.1%}, "
        f"out-of-scope recall {oos_recall:.1%}, false escalation {false_escalation:.1%}"
    )


def _tuple(values: list[float]) -> str:
    return "(" + ", ".join(f"{v:.3f}" for v in values) + ")"


if __name__ == "__main__":
    sys.exit(main())

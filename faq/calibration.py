"""Turning retrieval signals into a confidence: the probability that an entry is the right one.

A logistic model over the signals of one candidate entry, fitted on CLINC150's validation split
(150 intents as FAQ entries with all, then 10, of their training questions as alternates, plus
out-of-scope questions) by `bench/calibrate.py`, which prints these constants. Because the
signals are absolute (word coverage, cosines) rather than relative to the other entries of one
FAQ (ranks, margins, agreement between rankers all depend on how many entries there are), one
ANSWER_THRESHOLD means the same thing whatever the FAQ.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    intercept: float
    weights: tuple[float, ...]
    # The default ANSWER_THRESHOLD in this mode: the highest confidence that escalates at most
    # 10% of CLINC150's answerable validation questions (both FAQ sizes pooled).
    threshold: float = 0.5

    def confidence(self, signals: Sequence[float]) -> float:
        z = self.intercept + sum(w * x for w, x in zip(self.weights, signals, strict=True))
        return 1.0 / (1.0 + math.exp(-z))


# Signals: word coverage, best character n-gram cosine.
LEXICAL = Calibration(intercept=-2.258, weights=(1.540, 3.585), threshold=0.44)
# The same, then the best sentence-embedding cosine, which says most of what the others would.
SEMANTIC = Calibration(intercept=-4.223, weights=(0.298, 0.251, 8.214), threshold=0.54)

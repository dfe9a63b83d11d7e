"""Turning retrieval signals into a ranking and a confidence, fitted on FAQs shaped like a
company's.

Two small models, both fitted by `bench/calibrate.py` on FAQs with one question per entry and no
alternates, with customer questions written apart from them (see the README's Quality section):
- the *ranking* weights: a conditional logit over the entries of one FAQ, so that the right entry
  scores highest (word coverage, n-gram and embedding cosines, each weighted);
- the *confidence*: a logistic model of "the entry ranked here is the right one" from that score,
  its margin over the best other entry, and how many of the signals rank the entry first.
Every input is absolute (coverages, cosines, differences of them) rather than a rank among the
entries, so one ANSWER_THRESHOLD means the same thing whatever the size of the FAQ. Each search
mode (which encoders are on) has its own fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    # Per signal: word coverage, best character n-gram cosine, then per encoder the best
    # question cosine and the answer cosine.
    rank_weights: tuple[float, ...]
    # Confidence from (score, margin over the best other entry, signals ranking it first).
    intercept: float
    weights: tuple[float, float, float]
    # The default ANSWER_THRESHOLD in this mode, chosen on the fitting data (bench/calibrate.py).
    threshold: float = 0.5

    def confidence(self, score: float, margin: float, agreement: int) -> float:
        z = self.intercept + sum(
            w * x for w, x in zip(self.weights, (score, margin, agreement), strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))


LEXICAL = Calibration(
    rank_weights=(8.540, 6.166),
    intercept=-2.968,
    weights=(0.267, 0.424, 0.118),
    threshold=0.57,
)
MULTILINGUAL = Calibration(
    rank_weights=(4.887, 0.136, 10.201, 18.226),
    intercept=-2.675,
    weights=(0.060, 0.531, 0.347),
    threshold=0.60,
)
SEMANTIC = Calibration(
    rank_weights=(3.370, 0.000, 4.552, 11.156, 5.456, 9.796),
    intercept=-3.235,
    weights=(0.123, 0.391, 0.149),
    threshold=0.65,
)

_BY_ENCODERS = {
    (): LEXICAL,
    ("USE-multilingual-v3",): MULTILINGUAL,
    ("USE-multilingual-v3", "all-MiniLM-L6-v2"): SEMANTIC,
}


def calibration_for(encoder_names: tuple[str, ...]) -> Calibration:
    """The fit for a set of encoders; an unknown set (a test's own encoder) borrows the fit of
    the known set with as many encoders, whose signals line up with its own."""
    known = _BY_ENCODERS.get(encoder_names)
    if known is not None:
        return known
    return next(c for names, c in _BY_ENCODERS.items() if len(names) == len(encoder_names))

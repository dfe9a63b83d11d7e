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
    rank_weights=(8.575, 6.185),
    intercept=-2.943,
    weights=(0.264, 0.430, 0.104),
    threshold=0.57,
)
MULTILINGUAL = Calibration(
    rank_weights=(4.906, 0.138, 10.131, 18.276),
    intercept=-2.686,
    weights=(0.062, 0.530, 0.341),
    threshold=0.59,
)
SEMANTIC = Calibration(
    rank_weights=(3.371, 0.000, 4.540, 11.154, 5.471, 9.789),
    intercept=-3.237,
    weights=(0.124, 0.392, 0.147),
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

"""Turning retrieval signals into a ranking and a confidence, fitted on FAQs shaped like a
company's.

Two small models, both fitted by `bench/calibrate.py` on FAQs with one question per entry and no
alternates, with customer questions written apart from them (see the README's Quality section):
- the *ranking* weights: a conditional logit over the entries of one FAQ, so that the right entry
  scores highest (word coverage, coverage by meaning, n-gram and embedding cosines, each
  weighted);
- the *confidence*: a logistic model of "the entry ranked here is the right one" from that score,
  its margin over the best other entry, how many of the signals rank the entry first, and how
  much of the question's information the entry covers by meaning (where encoders read the
  question): a near miss that shares one rare word covers little of the rest. With the words
  alone, that coverage (by words) already weighs in the score, and as an input of its own it made
  follow-ups answer wrong more often on the tuning data.
Every input is absolute (coverages, cosines, differences of them) rather than a rank among the
entries, so one ANSWER_THRESHOLD means the same thing whatever the size of the FAQ. Each search
mode (which encoders are on) has its own fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    # Per signal: word coverage, with encoders the coverage by meaning, the best character
    # n-gram cosine, then per encoder the best question cosine and the answer cosine.
    rank_weights: tuple[float, ...]
    # Confidence from (score, margin over the best other entry, signals ranking it first,
    # coverage by meaning).
    intercept: float
    weights: tuple[float, float, float, float]
    # The default ANSWER_THRESHOLD in this mode, chosen on the fitting data (bench/calibrate.py).
    threshold: float = 0.5
    # The margin is taken over the best other entry's score or this one, whichever is higher:
    # the score some other entry reaches for 90% of the questions on the tuning FAQs. A FAQ of
    # a few entries has no near neighbour for its best one, and its margins alone made it sure
    # of entries that merely touch the question ("Can I pay with PayPal?": the refund policy).
    runner_up_floor: float = 0.0
    # Without an LLM, the default confidence from which a miss suggests the entries found
    # (SUGGESTION_THRESHOLD). With the multilingual encoder's weighting (faq/metric.py) the tuning
    # FAQs' wrong entries and right ones both scored lower: 0.25 is the lowest bar at which their
    # unrelated questions get no more suggestions than at 0.3 before it (17 of 75 in both modes,
    # 27 at 0.2). Lexical search, which the weighting does not touch, keeps 0.3.
    suggestion: float = 0.3

    def confidence(self, score: float, margin: float, agreement: int, covered: float) -> float:
        z = self.intercept + sum(
            w * x for w, x in zip(self.weights, (score, margin, agreement, covered), strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))


LEXICAL = Calibration(
    rank_weights=(8.540, 6.166),
    intercept=-2.855,
    weights=(0.250, 0.460, 0.099, 0.000),
    threshold=0.57,
    runner_up_floor=2.119,
)
MULTILINGUAL = Calibration(
    rank_weights=(1.271, 5.962, 0.000, 10.661, 17.655),
    intercept=-4.481,
    weights=(0.056, 0.469, 0.302, 3.116),
    threshold=0.66,
    runner_up_floor=9.012,
    suggestion=0.25,
)
SEMANTIC = Calibration(
    rank_weights=(0.650, 4.781, 0.000, 4.069, 8.459, 6.654, 10.977),
    intercept=-5.262,
    weights=(0.167, 0.355, 0.091, 2.330),
    threshold=0.57,
    runner_up_floor=8.143,
    suggestion=0.25,
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

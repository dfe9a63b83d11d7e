"""Fit bot/core/meaning.py's two readings of an unanswered message, on the tuning set only.

    python -m bench.meaning evals/dev --datasets PATH/TO/datasets

Each is a logistic model over the multilingual encoder's vectors, L2-regularised, each class
weighing as much as the other:
- a request for a person: the requests in each folder's `messages.yaml` against its small talk
  and look-alikes, the questions of each folder's FAQs (`**/questions.yaml`, those not labelled
  `human`), and Banking77's and CLINC150's training questions, which ask for many things but
  never for a person;
- small talk: the small talk in `messages.yaml` and the FAQs' questions labelled `small_talk`,
  against the rest of both and Banking77's training questions and CLINC150's out-of-scope ones
  (CLINC150's own intents include greetings and thanks).
For each it prints the constants to paste into bot/core/meaning.py (its bar is chosen, not
fitted), then what each bar adds to
the patterns of bot/core/intents.py when each fifth of the messages (drawn at random) is read by
a model fitted without it, and how many of the public test questions each bar takes. The
patterns were written after reading these very messages, so that check shows what a bar costs
more than what it adds; what it adds on words the patterns do not know yet was read when the
last tuning batches came in (a model fitted on the batches before each, against the patterns of
the time; see the bars in bot/core/meaning.py). `evals/heldout` is never read.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from numpy.typing import NDArray
from scipy.optimize import minimize

from bot.core.intents import names_a_person, small_talk
from faq.semantic import shared_use_encoder

BARS = (0.8, 0.9, 0.95, 0.98)
HANDOFF, SMALL_TALK = "handoff", "small_talk"
FOLDS = 5
# The inverse of the L2 penalty (scikit-learn's default); 0.3 and 3 read the held-back tuning
# batches about the same.
_C = 1.0


@dataclass(frozen=True)
class Message:
    text: str
    label: str  # handoff, small_talk or lookalike
    language: str


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", help="tuning folders")
    parser.add_argument("--datasets", type=Path, required=True, help="folder of banking77/ …")
    args = parser.parse_args(argv)
    messages = [m for folder in args.folders for m in load_messages(folder / "messages.yaml")]
    cases = [c for folder in args.folders for c in faq_cases(folder)]
    banking, clinc, clinc_out_of_scope, public_test = public_questions(args.datasets)
    encoder = shared_use_encoder()
    vectors = encoder.embed_documents([m.text for m in messages])
    test_vectors = encoder.embed_documents(public_test)
    # Per reading: the messages' label, the FAQs' expectation read as it (None: those cases are
    # left out), and the public questions that are all something else.
    readings = {
        "REQUEST": (HANDOFF, None, banking + clinc + clinc_out_of_scope),
        "SMALL_TALK": (SMALL_TALK, SMALL_TALK, banking + clinc_out_of_scope),
    }
    for name, (label, expected, public) in readings.items():
        kept_cases = [(q, e) for q, e in cases if expected is not None or e != "human"]
        others = encoder.embed_documents([q for q, _ in kept_cases] + public)
        other_labels = _labels(np.array([e == expected for _, e in kept_cases]), len(public))
        positive = np.array([m.label == label for m in messages])
        weights, bias = fit(np.vstack([vectors, others]), np.concatenate([positive, other_labels]))
        packed = base64.b64encode(weights.astype("<f4").tobytes()).decode()
        lines = "".join(f'        "{packed[i : i + 84]}"\n' for i in range(0, len(packed), 84))
        print(f"{name} = Reading(\n    bias={bias:.6f},\n    weights=(\n{lines}    ),\n)")
        folds = np.array_split(np.random.default_rng(0).permutation(len(messages)), FOLDS)
        probabilities = np.zeros(len(messages))
        for fold in folds:
            kept = np.setdiff1d(np.arange(len(messages)), fold)
            w, b = fit(
                np.vstack([vectors[kept], others]), np.concatenate([positive[kept], other_labels])
            )
            probabilities[fold] = _sigmoid(vectors[fold] @ w + b)
        public_probabilities = _sigmoid(test_vectors @ weights + bias)
        print("  bar: what it adds to the patterns, a fifth at a time, fitted without it")
        for bar in BARS:
            print(
                f"  {bar}: {added(messages, probabilities, bar)}; public test questions "
                f"taken {taken(public_test, public_probabilities, bar)} of {len(public_test)}"
            )
    return 0


def added(messages: Sequence[Message], probabilities: NDArray[np.float64], bar: float) -> str:
    """Per kind and language, messages the patterns read as neither a request nor small talk
    that the model takes for its reading."""
    counts: dict[tuple[str, str], list[int]] = {}
    for message, probability in zip(messages, probabilities, strict=True):
        count = counts.setdefault((message.label, message.language), [0, 0])
        count[0] += 1
        count[1] += bool(probability >= bar and not _patterns_read(message.text))
    return ", ".join(f"{k}/{lang} +{n} of {total}" for (k, lang), (total, n) in counts.items())


def taken(texts: Sequence[str], probabilities: NDArray[np.float64], bar: float) -> int:
    return sum(
        1
        for text, probability in zip(texts, probabilities, strict=True)
        if probability >= bar and not _patterns_read(text)
    )


def _patterns_read(text: str) -> bool:
    """The patterns decide such a message before any search; the models never see it."""
    return small_talk(text) is not None or names_a_person(text)


def fit(x: NDArray[np.float32], y: NDArray[np.bool_]) -> tuple[NDArray[np.float64], float]:
    """Weights and bias minimising ||w||²/2 + C · Σ balanced log-loss (the bias unpenalised)."""
    data = x.astype(np.float64)
    sample = np.where(y, len(y) / (2 * y.sum()), len(y) / (2 * (~y).sum()))
    target = y.astype(np.float64)

    def loss(params: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        w, b = params[:-1], params[-1]
        z = data @ w + b
        # log(1 + e^z) - y·z, computed without overflow.
        log_loss = np.logaddexp(0.0, z) - target * z
        residual = sample * (_sigmoid(z) - target) * _C
        gradient = np.concatenate([w + data.T @ residual, [residual.sum()]])
        return float(0.5 * w @ w + _C * (sample * log_loss).sum()), gradient

    start = np.zeros(data.shape[1] + 1)
    result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 5000})
    if not result.success:
        raise RuntimeError(f"the fit did not converge: {result.message}")
    return result.x[:-1], float(result.x[-1])


def _sigmoid(z: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)


def _labels(positive: NDArray[np.bool_], negatives: int) -> NDArray[np.bool_]:
    return np.concatenate([positive, np.zeros(negatives, dtype=bool)])


def load_messages(path: Path) -> list[Message]:
    items = yaml.safe_load(path.read_text("utf-8"))
    return [Message(i["text"], i["label"], i["lang"]) for i in items]


def faq_cases(folder: Path) -> list[tuple[str, str]]:
    """Each FAQ's labelled questions: (question, expected)."""
    return [
        (case["question"], case["expected"])
        for path in sorted(folder.glob("**/questions.yaml"))
        for case in yaml.safe_load(path.read_text("utf-8"))
    ]


def public_questions(datasets: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """Banking77's training questions, CLINC150's in-scope and out-of-scope ones, then both
    benchmarks' test questions (CLINC150's validation split with them)."""

    def banking(split: str) -> list[str]:
        with (datasets / "banking77" / f"{split}.csv").open(encoding="utf-8", newline="") as f:
            return [row["text"] for row in csv.DictReader(f)]

    clinc = json.loads((datasets / "clinc150" / "data_full.json").read_text("utf-8"))

    def clinc_split(*names: str) -> list[str]:
        return [text for name in names for text, _ in clinc[name]]

    return (
        banking("train"),
        clinc_split("train"),
        clinc_split("oos_train"),
        banking("test") + clinc_split("val", "oos_val", "test", "oos_test"),
    )


if __name__ == "__main__":
    sys.exit(main())

"""Fit bot/core/handoff.py's model of requests for a person, on the tuning set only.

    python -m bench.handoff evals/dev --datasets PATH/TO/datasets

Positives: the requests for a person in each folder's `messages.yaml`. Negatives: its small talk
and look-alikes, the questions of each folder's FAQs (`**/questions.yaml`, the ones not labelled
`human`), and Banking77's and CLINC150's training questions, which ask for many things but never
for a person. A logistic model over the multilingual encoder's vectors, L2-regularised, each
class weighing as much as the other. It prints the constants to paste into bot/core/handoff.py,
then what each bar adds to the patterns of bot/core/intents.py when each fifth of the messages
(drawn at random) is read by a model fitted without it, and how many of the public test
questions each bar takes for requests. The patterns were written after reading these very
messages, so that check shows what a bar costs more than what it adds; what it adds on words the
patterns do not know yet was read when the last two tuning batches came in (a model fitted on
the batches before each, against the patterns of the time; see BAR in bot/core/handoff.py).
`evals/heldout` is never read.
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
    questions = [q for folder in args.folders for q in faq_questions(folder)]
    public_train, public_test = public_questions(args.datasets)
    encoder = shared_use_encoder()
    vectors = encoder.embed_documents([m.text for m in messages])
    negatives = encoder.embed_documents(questions + public_train)
    is_request = np.array([m.label == "handoff" for m in messages])

    weights, bias = fit(np.vstack([vectors, negatives]), _labels(is_request, len(negatives)))
    packed = base64.b64encode(weights.astype("<f4").tobytes()).decode()
    print(f"_BIAS = {bias:.6f}")
    lines = "".join(f'    "{packed[i : i + 88]}"\n' for i in range(0, len(packed), 88))
    print(f"_WEIGHTS = (\n{lines})")

    print("\nbar: what the model adds to the patterns, a fifth at a time, fitted without it")
    folds = np.array_split(np.random.default_rng(0).permutation(len(messages)), FOLDS)
    probabilities = np.zeros(len(messages))
    for fold in folds:
        kept = np.setdiff1d(np.arange(len(messages)), fold)
        w, b = fit(np.vstack([vectors[kept], negatives]), _labels(is_request[kept], len(negatives)))
        probabilities[fold] = sigmoid(vectors[fold] @ w + b)
    test_vectors = encoder.embed_documents(public_test)
    public_probabilities = sigmoid(test_vectors @ weights + bias)
    for bar in BARS:
        print(
            f"  {bar}: {added(messages, probabilities, bar)}; public test questions taken for "
            f"requests {taken(public_test, public_probabilities, bar)} of {len(public_test)}"
        )
    return 0


def added(messages: Sequence[Message], probabilities: NDArray[np.float64], bar: float) -> str:
    """Per kind and language, messages the patterns do not read as requests that the model
    does."""
    counts: dict[tuple[str, str], list[int]] = {}
    for message, probability in zip(messages, probabilities, strict=True):
        count = counts.setdefault((message.label, message.language), [0, 0])
        count[0] += 1
        count[1] += bool(probability >= bar and not _patterns_read_request(message.text))
    return ", ".join(f"{k}/{lang} +{n} of {total}" for (k, lang), (total, n) in counts.items())


def taken(texts: Sequence[str], probabilities: NDArray[np.float64], bar: float) -> int:
    return sum(
        1
        for text, probability in zip(texts, probabilities, strict=True)
        if probability >= bar and not _patterns_read_request(text)
    )


def _patterns_read_request(text: str) -> bool:
    # Small talk wins over any reading as a request, as in routing.
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
        residual = sample * (sigmoid(z) - target) * _C
        gradient = np.concatenate([w + data.T @ residual, [residual.sum()]])
        return float(0.5 * w @ w + _C * (sample * log_loss).sum()), gradient

    start = np.zeros(data.shape[1] + 1)
    result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 5000})
    if not result.success:
        raise RuntimeError(f"the fit did not converge: {result.message}")
    return result.x[:-1], float(result.x[-1])


def sigmoid(z: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)


def _labels(is_request: NDArray[np.bool_], negatives: int) -> NDArray[np.bool_]:
    return np.concatenate([is_request, np.zeros(negatives, dtype=bool)])


def load_messages(path: Path) -> list[Message]:
    items = yaml.safe_load(path.read_text("utf-8"))
    return [Message(i["text"], i["label"], i["lang"]) for i in items]


def faq_questions(folder: Path) -> list[str]:
    return [
        case["question"]
        for path in sorted(folder.glob("**/questions.yaml"))
        for case in yaml.safe_load(path.read_text("utf-8"))
        if case["expected"] != "human"
    ]


def public_questions(
    datasets: Path, leaving_out: frozenset[str] = frozenset()
) -> tuple[list[str], list[str]]:
    """Banking77's and CLINC150's training questions, then their test ones (CLINC150's
    validation split with them), out-of-scope ones included, but for CLINC150's intents
    `leaving_out`."""

    def banking(split: str) -> list[str]:
        with (datasets / "banking77" / f"{split}.csv").open(encoding="utf-8", newline="") as f:
            return [row["text"] for row in csv.DictReader(f)]

    clinc = json.loads((datasets / "clinc150" / "data_full.json").read_text("utf-8"))

    def clinc_split(*names: str) -> list[str]:
        return [text for name in names for text, intent in clinc[name] if intent not in leaving_out]

    return (
        banking("train") + clinc_split("train", "oos_train"),
        banking("test") + clinc_split("val", "oos_val", "test", "oos_test"),
    )


if __name__ == "__main__":
    sys.exit(main())

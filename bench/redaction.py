"""Redaction measured on the written corpora under tests/data/: the share of variants fully
redacted and the share of look-alikes left intact, per kind, on the cases the redactor was tuned
on and on the held-out ones it never was, plus how long a 40,000-character message takes.

    python -m bench.redaction [--misses]

A variant counts only when every marked part is replaced by its kind's placeholder and nothing
else changes.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.report import ratio, table, write_section
from bot.safety.redact import PLACEHOLDERS, Redactor

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
TUNING = DATA / "redaction_tuning.txt"
HELD_OUT = DATA / "redaction_heldout.txt"
_MARK = re.compile(r"⟦(?P<kind>[\w-]+):(?P<value>.*?)⟧", re.DOTALL)


@dataclass(frozen=True)
class Case:
    line: int
    text: str
    expected: str
    kinds: tuple[str, ...]  # empty for a look-alike

    @property
    def is_variant(self) -> bool:
        return bool(self.kinds)


def load(path: Path) -> list[Case]:
    """The cases of one corpus file; a malformed line is a ValueError naming it."""
    cases = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        sign, body = raw[:2], raw[2:].replace("\\n", "\n")
        kinds = tuple(m.group("kind") for m in _MARK.finditer(body))
        unknown = [kind for kind in kinds if kind not in PLACEHOLDERS]
        if sign not in ("+ ", "- ") or unknown or (sign == "+ ") != bool(kinds):
            raise ValueError(f"{path}:{number}: not a case: {raw!r}")
        text = _MARK.sub(lambda m: m.group("value"), body)
        expected = _MARK.sub(lambda m: PLACEHOLDERS[m.group("kind")], body)
        cases.append(Case(number, text, expected, kinds))
    return cases


@dataclass(frozen=True)
class Score:
    variants: int
    redacted: int
    look_alikes: int
    intact: int
    misses: list[tuple[Case, str]]

    @property
    def redacted_rate(self) -> float:
        return self.redacted / self.variants if self.variants else 1.0

    @property
    def intact_rate(self) -> float:
        return self.intact / self.look_alikes if self.look_alikes else 1.0


def score(cases: list[Case], redactor: Redactor) -> Score:
    misses = []
    for case in cases:
        got = redactor.redact(case.text)
        if got != case.expected:
            misses.append((case, got))
    variants = sum(case.is_variant for case in cases)
    missed_variants = sum(case.is_variant for case, _ in misses)
    return Score(
        variants,
        variants - missed_variants,
        len(cases) - variants,
        len(cases) - variants - (len(misses) - missed_variants),
        misses,
    )


def describe(misses: list[tuple[Case, str]]) -> str:
    return "\n".join(f"  line {case.line}: {case.text!r} -> {got!r}" for case, got in misses)


def _per_kind(cases: list[Case], result: Score) -> list[list[object]]:
    missed = {case.line for case, _ in result.misses}
    totals: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    for case in cases:
        for kind in set(case.kinds):
            totals[kind] += 1
            caught[kind] += case.line not in missed
    return [[kind, f"{caught[kind]}/{totals[kind]}"] for kind in PLACEHOLDERS if totals[kind]]


def _long_message_seconds(redactor: Redactor) -> tuple[float, float]:
    """Seconds to redact 40,000 characters of ordinary prose with personal data in it, and of
    plain prose alone (the baseline, measured in the same run)."""
    prose = "Hello, my order from 2024-05-12 (ticket T-12) costs €1,234.56 and version 2.4.1. "
    personal = "Call +33 6 12 34 56 78 or jane.doe@gmail.com, card 4111 1111 1111 1111. "
    mixed = (prose + personal) * (40_000 // len(prose + personal) + 1)
    plain = prose * (40_000 // len(prose) + 1)
    timings = []
    for text in (mixed[:40_000], plain[:40_000]):
        started = time.perf_counter()
        redactor.redact(text)
        timings.append(time.perf_counter() - started)
    return timings[0], timings[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every case that failed")
    args = parser.parse_args()
    redactor = Redactor()
    rows, kinds = [], []
    for name, path in (("tuning", TUNING), ("held out", HELD_OUT)):
        cases = load(path)
        result = score(cases, redactor)
        rows.append(
            [
                name,
                f"{result.redacted}/{result.variants} ({result.redacted_rate:.1%})",
                f"{result.intact}/{result.look_alikes} ({result.intact_rate:.1%})",
            ]
        )
        kinds.append((name, _per_kind(cases, result)))
        if args.misses and result.misses:
            print(f"{name} misses:\n{describe(result.misses)}")
    mixed, plain = _long_message_seconds(redactor)
    body = "\n\n".join(
        [
            "Written cases, English and French, in `tests/data/redaction_tuning.txt` (the redactor "
            "was tuned on them) and `tests/data/redaction_heldout.txt` (written before the rework, "
            "never tuned on). A variant counts only when every marked part is replaced by its "
            "placeholder and nothing else changes.",
            table(["corpus", "variants redacted", "look-alikes intact"], rows),
            *(table([f"kind ({name})", "variants redacted"], per) for name, per in kinds),
            f"A 40,000-character message with personal data in it: {mixed * 1000:.0f} ms "
            f"({ratio(mixed, plain)} the same length of plain prose, {plain * 1000:.0f} ms).",
        ]
    )
    print(body)
    write_section("redaction", "Redaction (`python -m bench.redaction`)", body)


if __name__ == "__main__":
    main()

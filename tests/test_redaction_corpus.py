"""Redaction measured on written corpora, English and French: at least 95% of the variants a
customer really writes (passwords in prose, obfuscated e-mails, oddly grouped cards, IBANs with
dots, phones with Unicode hyphens, French social-security numbers...) are redacted, and at least
95% of the look-alikes (order numbers, prices, dates, versions, "the password reset page") come
out untouched. The held-out corpus was written before the redactor was reworked and never tuned
on."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.redaction import HELD_OUT, TUNING, Case, describe, load, score
from bot.safety.redact import Redactor

TARGET = 0.95


@pytest.mark.parametrize("path", [TUNING, HELD_OUT], ids=["tuning", "held-out"])
def test_the_corpus_is_large_enough_to_measure(path: Path) -> None:
    cases = load(path)
    minimum = 150 if path == TUNING else 50
    assert sum(case.is_variant for case in cases) >= minimum
    assert sum(not case.is_variant for case in cases) >= minimum
    kinds = {kind for case in cases for kind in case.kinds}
    assert kinds == {"email", "phone", "card", "iban", "national-id", "secret"}


@pytest.mark.parametrize("path", [TUNING, HELD_OUT], ids=["tuning", "held-out"])
def test_most_variants_are_redacted_and_most_look_alikes_kept(path: Path) -> None:
    result = score(load(path), Redactor())
    missed_variants = [(case, got) for case, got in result.misses if case.is_variant]
    touched_look_alikes = [(case, got) for case, got in result.misses if not case.is_variant]
    assert result.redacted_rate >= TARGET, (
        f"{result.redacted}/{result.variants} variants redacted; missed:\n"
        + describe(missed_variants)
    )
    assert result.intact_rate >= TARGET, (
        f"{result.intact}/{result.look_alikes} look-alikes intact; changed:\n"
        + describe(touched_look_alikes)
    )


def test_a_malformed_corpus_line_is_named(tmp_path: Path) -> None:
    corpus = tmp_path / "cases.txt"
    corpus.write_text("+ ⟦email:a@b.fr⟧\n+ a variant that marks nothing\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"cases.txt:2: not a case"):
        load(corpus)


def test_a_variant_half_redacted_counts_as_missed() -> None:
    # The card is found but its security code is not: the customer's code still leaks.
    case = Case(1, "card 4111 1111 1111 1111 code 123", "card [card] code [card]", ("card",))
    result = score([case], Redactor())
    assert result.redacted == 0 and describe(result.misses).endswith("'card [card] code 123'")


def test_a_long_message_is_redacted_whole() -> None:
    # Speed is bench.redaction's to report; this checks that 40,000 characters of every shape at
    # once come back redacted, so the bounded patterns do not lose what they must find.
    chunk = (
        "my password is hunter2, PIN 4821, jane dot doe at gmail dot com, "
        "card: 4111-1111-1111-1111 exp 08/27 cvv 123, IBAN DE89.3704.0044.0532.0130.00, "
        "06\u201112\u201134\u201156\u201178, NIR 2 00 04 64 614 365 15; "
        "order 123456, v2.4.1, €1,234.56. "
    )
    text = chunk * (40_000 // len(chunk) + 1)
    redacted = Redactor().redact(text)
    for leaked in ("hunter2", "4821", "jane", "4111", "08/27", "3704", "12\u201134", "614"):
        assert leaked not in redacted
    assert redacted.count("order 123456, v2.4.1, €1,234.56.") == text.count("order 123456")

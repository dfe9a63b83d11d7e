"""Finding the right FAQ entry: accents, stemming, typos, and a confidence that means something."""

from __future__ import annotations

import pytest

from faq.index import FaqIndex
from faq.models import FaqEntry
from faq.repository import FaqRepository


@pytest.fixture(scope="module")
def sample() -> FaqIndex:
    return FaqRepository().index


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("RESET PASSWORD", "reset-password"),
        ("how do i resett my pasword", "reset-password"),
        ("invocie download", "download-invoices"),
        ("facture TVA", "vat-invoice-fr"),
        ("factures avec TVA intracommunautaire", "vat-invoice-fr"),
        ("Paiement par cheque", "cheque-payment-fr"),
        ("enabling two factor authentication", "enable-two-factor-auth"),
    ],
)
def test_case_accents_stems_and_typos_still_find_the_entry(
    sample: FaqIndex, question: str, expected: str
) -> None:
    hits = sample.search(question)
    assert hits[0].entry.id == expected
    assert hits[0].confidence >= 0.48


@pytest.mark.parametrize(
    "question",
    [
        "What's the capital of Australia?",
        "Recommend a lasagna recipe",
        "Qui a gagné le match hier soir ?",
    ],
)
def test_unrelated_questions_score_below_the_default_threshold(
    sample: FaqIndex, question: str
) -> None:
    hits = sample.search(question)
    assert not hits or hits[0].confidence < 0.48


def test_confidence_is_absolute_not_relative_to_the_other_hits() -> None:
    # A per-query min-max would give the best of two unrelated entries a confidence of 1.
    index = FaqIndex(
        [
            FaqEntry("a", "How do I export my data?", "Settings > Export."),
            FaqEntry("b", "How do I delete my account?", "Settings > Delete."),
        ]
    )
    [hit, *_] = index.search("export data") or [None]
    assert hit is not None and hit.entry.id == "a" and hit.confidence > 0.9
    unrelated = index.search("best pizza in account town")
    assert unrelated and unrelated[0].confidence < 0.48
    assert all(0 <= h.confidence <= 1 for h in unrelated)


def test_a_question_with_no_known_word_finds_nothing(sample: FaqIndex) -> None:
    assert sample.search("zxqv wplk") == []
    assert sample.search("") == []


def test_a_faq_of_5000_entries_loads_and_answers() -> None:
    entries = [
        FaqEntry(f"e{n}", f"How do I configure widget {n} number{n}?", f"Open widget {n} settings.")
        for n in range(5000)
    ]
    index = FaqIndex(entries)
    assert len(index) == 5000
    [best, *_] = index.search("configure widget number4321")
    assert best.entry.id == "e4321"

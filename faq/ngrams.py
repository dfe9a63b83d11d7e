"""Character n-gram TF-IDF over FAQ question texts, compared by cosine.

Words stemmed differently, compounds ("signin" and "sign in"), typos the word-level correction
misses, and French words sharing roots with the English ones still share most of their 3- to
5-letter pieces, so this catches what whole-word BM25 cannot.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from faq.text import words

_SIZES = (3, 4, 5)


def char_ngrams(text: str) -> Counter[str]:
    """N-grams of each content word padded with spaces, so word starts and ends count."""
    grams: Counter[str] = Counter()
    for word in words(text):
        padded = f" {word} "
        for size in _SIZES:
            grams.update(padded[i : i + size] for i in range(max(1, len(padded) - size + 1)))
    return grams


class NgramIndex:
    def __init__(self, texts: Sequence[str]) -> None:
        counts = [char_ngrams(text) for text in texts]
        self._columns: dict[str, int] = {}
        df: Counter[str] = Counter()
        for grams in counts:
            df.update(grams.keys())
        for gram in df:
            self._columns[gram] = len(self._columns)
        n = len(texts)
        self._idf = np.array(
            [math.log((1 + n) / (1 + df[g])) + 1 for g in self._columns], dtype=np.float64
        )
        self._matrix = self._vectors(counts).T.tocsr()

    def cosines(self, text: str) -> NDArray[np.float64]:
        """Cosine between the text and every indexed text, in index order."""
        query = self._vectors([char_ngrams(text)])
        return np.asarray((query @ self._matrix).toarray()[0], dtype=np.float64)

    def _vectors(self, counts: Sequence[Counter[str]]) -> csr_matrix:
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for row, grams in enumerate(counts):
            known = [(self._columns[g], c) for g, c in grams.items() if g in self._columns]
            if not known:
                continue
            weights = np.array([(1 + math.log(c)) * self._idf[col] for col, c in known])
            weights /= np.linalg.norm(weights)
            rows.extend([row] * len(known))
            cols.extend(col for col, _ in known)
            values.extend(weights.tolist())
        return csr_matrix((values, (rows, cols)), shape=(len(counts), len(self._columns)))

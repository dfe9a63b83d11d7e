"""Character n-gram TF-IDF over FAQ question texts, compared by cosine.

Words stemmed differently, compounds ("signin" and "sign in"), typos the word-level correction
misses, and French words sharing roots with the English ones still share most of their 3- to
5-letter pieces, so this catches what whole-word BM25 cannot.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import partial

import numpy as np
from numpy.typing import NDArray

from faq.postings import Postings, postings_of
from faq.text import remembered, words

_SIZES = (3, 4, 5)


def word_ngrams(word: str) -> list[str]:
    """N-grams of a content word padded with spaces, so word starts and ends count."""
    padded = f" {word} "
    return [padded[i : i + size] for size in _SIZES for i in range(max(1, len(padded) - size + 1))]


class NgramIndex:
    def __init__(self, texts: Sequence[Sequence[str]]) -> None:
        """`texts`: each text's content words (`faq.text.words`)."""
        # Words repeat across a FAQ far more than texts do, so each distinct word is cut into
        # n-grams once, and its occurrences are spread into (row, column) pairs in numpy.
        self._columns: dict[str, int] = {}
        word_ids: dict[str, int] = {}
        occurrences = [word_ids.setdefault(word, len(word_ids)) for text in texts for word in text]
        grams = [
            [self._columns.setdefault(gram, len(self._columns)) for gram in word_ngrams(word)]
            for word in word_ids
        ]
        n, width = len(texts), len(self._columns)
        word_cols = np.fromiter(itertools.chain.from_iterable(grams), dtype=np.int64)
        word_sizes = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        word_firsts = np.cumsum(word_sizes) - word_sizes
        occurring = np.array(occurrences, dtype=np.int64)
        sizes = word_sizes[occurring]
        ends = np.cumsum(sizes)
        # Where each occurrence's n-grams lie in `word_cols`, built in place: a large FAQ's
        # occurrences hold ten million n-grams, and each array of them is 80 MB.
        at = np.repeat(word_firsts[occurring] - ends + sizes, sizes)
        at += np.arange(len(at))
        columns = word_cols[at]
        del at
        text_of = np.repeat(np.arange(n, dtype=np.int64), [len(text) for text in texts])
        col, row, counts, df = postings_of(np.repeat(text_of, sizes), columns, width, n)
        self._idf = np.log((1 + n) / (1 + df)) + 1
        weights = (1 + np.log(counts)) * self._idf[col]
        norms = np.sqrt(np.bincount(row, weights * weights, minlength=n))
        self._postings = Postings(row, weights / norms[row], df, n)
        # Bound to the columns, not to the index: no cycle keeps a replaced index alive.
        self._known_columns = remembered(partial(_known_columns, self._columns))

    def cosines(self, text: str) -> NDArray[np.float64]:
        """Cosine between the text and every indexed text, in index order."""
        # Distinct n-grams are distinct columns: counting columns counts the known n-grams.
        counts = Counter(itertools.chain.from_iterable(map(self._known_columns, words(text))))
        if not counts:
            return np.zeros(self._postings.size)
        cols = list(counts)
        weights = (1 + np.log(list(counts.values()))) * self._idf[cols]
        return self._postings.scores(cols, weights / np.linalg.norm(weights))


def _known_columns(columns: Mapping[str, int], word: str) -> tuple[int, ...]:
    """The columns of the word's n-grams that the index holds, one per occurrence."""
    return tuple(columns[gram] for gram in word_ngrams(word) if gram in columns)

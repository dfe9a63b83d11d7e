"""Inverted lists: for each term, the entries that hold it and a weight per entry.

Stored as three flat arrays (the postings of term t are `starts[t]:starts[t + 1]`), so a query
reads only its own terms' lists and sums them with one `bincount`, with none of a sparse matrix's
per-call set-up.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


class Postings:
    def __init__(
        self,
        entries: NDArray[np.int64],
        weights: NDArray[np.float64],
        df: NDArray[np.int64],
        size: int,
    ) -> None:
        """One (entry, weight) pair per posting, sorted by term then entry; `df`: how many
        entries hold each term, so term t's postings are the df[t] after those of terms < t."""
        self.size = size
        self._entries = entries
        self._weights = weights.astype(np.float32)
        self.df = df
        self._starts = np.concatenate(([0], np.cumsum(self.df)))

    def gather(self, terms: Sequence[int]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The positions of the terms' postings, term after term, and how many each term has:
        gathered at once, since a query has a hundred n-grams and a slice per term cost more
        than the sum."""
        ids = np.asarray(terms, dtype=np.int64)
        firsts, counts = self._starts[ids], self.df[ids]
        ends = np.cumsum(counts)
        total = int(ends[-1]) if len(ends) else 0
        return np.arange(total) + np.repeat(firsts - ends + counts, counts), counts

    def entries_at(self, at: NDArray[np.int64]) -> NDArray[np.int64]:
        return self._entries[at]

    def scores(
        self, terms: Sequence[int], query_weights: Sequence[float] | None = None
    ) -> NDArray[np.float64]:
        """Per entry, the sum over the query's terms of its weight for each (times the query's
        own weight of the term, when given); a repeated term counts again."""
        if not terms:
            return np.zeros(self.size)
        at, counts = self.gather(terms)
        weights = self._weights[at].astype(np.float64)
        if query_weights is not None:
            weights *= np.repeat(query_weights, counts)
        return np.asarray(
            np.bincount(self._entries[at], weights, minlength=self.size), dtype=np.float64
        )


def postings_of(
    rows: NDArray[np.int64], columns: NDArray[np.int64], width: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """From one (row, column) pair per occurrence: the distinct pairs, sorted by column then
    row, as (columns, rows, counts), and how many rows hold each of the `width` columns."""
    pairs, counts = np.unique((columns << 32) | rows, return_counts=True)
    columns = pairs >> 32
    return columns, pairs & 0xFFFFFFFF, counts, np.bincount(columns, minlength=width)

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

    def holding(self, term: int) -> NDArray[np.int64]:
        """The entries that hold the term, in index order."""
        return self._entries[self._starts[term] : self._starts[term + 1]]

    def scores(
        self, terms: Sequence[int], query_weights: Sequence[float] | None = None
    ) -> NDArray[np.float64]:
        """Per entry, the sum over the query's terms of its weight for each (times the query's
        own weight of the term, when given); a repeated term counts again."""
        if not terms:
            return np.zeros(self.size)
        spans = [slice(self._starts[t], self._starts[t + 1]) for t in terms]
        entries = np.concatenate([self._entries[s] for s in spans])
        weights = np.concatenate([self._weights[s] for s in spans]).astype(np.float64)
        if query_weights is not None:
            weights *= np.repeat(query_weights, [s.stop - s.start for s in spans])
        return np.asarray(np.bincount(entries, weights, minlength=self.size), dtype=np.float64)


def postings_of(
    rows: NDArray[np.int64], columns: NDArray[np.int64], width: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """From one (row, column) pair per occurrence: the distinct pairs, sorted by column then
    row, as (columns, rows, counts), and how many rows hold each of the `width` columns."""
    pairs, counts = np.unique((columns << 32) | rows, return_counts=True)
    columns = pairs >> 32
    return columns, pairs & 0xFFFFFFFF, counts, np.bincount(columns, minlength=width)

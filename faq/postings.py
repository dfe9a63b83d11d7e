"""Inverted lists: for each term, the entries that hold it and a weight per entry.

Stored as three flat arrays (the postings of term t are `starts[t]:starts[t + 1]`), so a query
reads only its own terms' lists and sums them with one `bincount`, with none of a sparse matrix's
per-call set-up.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

# Postings per query term from which slicing each term's list beats gathering every posting
# (bench/index.py: a 100,000-entry FAQ's lists are long, the sample FAQ's a few entries).
_SLICED_FROM = 512
_KEYS_32 = 2**32


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

    def gathered(
        self, terms: Sequence[int]
    ) -> tuple[NDArray[np.int64], NDArray[np.float32], NDArray[np.int64]]:
        """The postings of each term in turn (a repeated term's again): their entries and
        weights, and how many there are of each term."""
        ids = np.asarray(terms, dtype=np.int64)
        firsts, counts = self._starts[ids], self.df[ids]
        ends = np.cumsum(counts)
        if ends[-1] > _SLICED_FROM * len(ids):
            # Long lists (a large FAQ): copying each term's slice beats indexing each posting.
            spans = [
                slice(first, first + count) for first, count in zip(firsts, counts, strict=True)
            ]
            entries = np.concatenate([self._entries[span] for span in spans])
            weights = np.concatenate([self._weights[span] for span in spans])
        else:
            # Short lists: every posting's position at once, where a query's hundred n-grams
            # sliced one by one cost more than the sum.
            at = np.arange(ends[-1]) + np.repeat(firsts - ends + counts, counts)
            entries, weights = self._entries[at], self._weights[at]
        return entries, weights, counts

    def scores(
        self, terms: Sequence[int], query_weights: Sequence[float] | None = None
    ) -> NDArray[np.float64]:
        """Per entry, the sum over the query's terms of its weight for each (times the query's
        own weight of the term, when given); a repeated term counts again."""
        if not terms:
            return np.zeros(self.size)
        entries, weights, counts = self.gathered(terms)
        scaled = weights.astype(np.float64)
        if query_weights is not None:
            scaled *= np.repeat(query_weights, counts)
        return np.asarray(np.bincount(entries, scaled, minlength=self.size), dtype=np.float64)


def postings_of(
    rows: NDArray[np.int64], columns: NDArray[np.int64], width: int, height: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """From one (row, column) pair per occurrence, rows below `height`: the distinct pairs, sorted
    by column then row, as (columns, rows, counts), and how many rows hold each of the `width`
    columns."""
    shift = max(1, (height - 1).bit_length())
    keys = (columns << shift) | rows
    # Sorting 32-bit keys takes two thirds of the time 64-bit ones do, and a large FAQ's n-grams
    # are ten million pairs (bench/index.py).
    found, counts = np.unique(
        keys.astype(np.uint32) if (width << shift) <= _KEYS_32 else keys, return_counts=True
    )
    pairs = found.astype(np.int64)
    columns, rows = pairs >> shift, pairs & ((1 << shift) - 1)
    return columns, rows, counts, np.bincount(columns, minlength=width)

"""Reciprocal-rank fusion: rankers whose scores live on different scales vote with ranks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

# The constant from Cormack et al. (2009): it damps the difference between the first few ranks.
RRF_K = 60
# Past this rank a ranker's vote (under 1/1060) cannot lift an entry into the top few, and sorting
# only the leaders keeps a query on a 100,000-entry FAQ from sorting every entry per ranker.
RANK_DEPTH = 1000


def ranks(scores: NDArray[np.float64], depth: int = RANK_DEPTH) -> NDArray[np.float64]:
    """1 for the best score, 2 for the next... down to `depth`; items past it or scoring 0 or
    less are unranked (inf)."""
    result = np.full(len(scores), np.inf)
    ranked = np.flatnonzero(scores > 0)
    if len(ranked) > depth:
        ranked = np.sort(ranked[np.argpartition(-scores[ranked], depth - 1)[:depth]])
    order = ranked[np.argsort(-scores[ranked], kind="stable")]
    result[order] = np.arange(1, len(order) + 1)
    return result


def reciprocal_rank_fusion(
    rankings: Sequence[NDArray[np.float64]], weights: Sequence[float]
) -> NDArray[np.float64]:
    """Weighted sum of 1 / (RRF_K + rank) over the rankers; 0 for an item no ranker ranked."""
    fused: NDArray[np.float64] = np.sum(
        [w / (RRF_K + r) for r, w in zip(rankings, weights, strict=True)], axis=0
    )
    return fused

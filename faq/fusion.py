"""Reciprocal-rank fusion: rankers whose scores live on different scales vote with ranks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

# The constant from Cormack et al. (2009): it damps the difference between the first few ranks.
RRF_K = 60


def ranks(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """1 for the best score, 2 for the next...; items scoring 0 or less are unranked (inf)."""
    order = np.argsort(-scores, kind="stable")
    result = np.empty(len(scores), dtype=np.float64)
    result[order] = np.arange(1, len(scores) + 1)
    result[scores <= 0] = np.inf
    return result


def reciprocal_rank_fusion(
    rankings: Sequence[NDArray[np.float64]], weights: Sequence[float]
) -> NDArray[np.float64]:
    """Weighted sum of 1 / (RRF_K + rank) over the rankers; 0 for an item no ranker ranked."""
    fused: NDArray[np.float64] = np.sum(
        [w / (RRF_K + r) for r, w in zip(rankings, weights, strict=True)], axis=0
    )
    return fused

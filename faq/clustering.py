"""Group questions that say the same thing, so a gap report counts paraphrases together.

Questions become sparse vectors (TF-IDF over word stems, plus character 3-grams of the words so
a typo still lands near its word) and are clustered greedily: each question, most frequent first,
joins the closest cluster whose centroid it resembles enough, or starts a new one. The vectoriser
is a plain function so that a semantic encoder can replace it without touching the clustering.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from faq.text import fold, terms, words

Vector = dict[str, float]
# Texts in, one L2-normalised vector per text out (a dense encoder keys its dimensions "0", "1"...).
Vectoriser = Callable[[Sequence[str]], list[Vector]]

# Character n-grams catch typos and word forms the stemmers miss; they count less than whole stems.
_NGRAM = 3
_NGRAM_WEIGHT = 0.5


def _features(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for word in words(text):
        for term in terms(word):
            found["w:" + term] += 1
        padded = f"#{word}#"
        for start in range(len(padded) - _NGRAM + 1):
            found["c:" + padded[start : start + _NGRAM]] += 1
    return found


def tfidf_vectors(texts: Sequence[str]) -> list[Vector]:
    counts = [_features(text) for text in texts]
    df: Counter[str] = Counter(feature for found in counts for feature in found)
    n = len(texts)
    vectors = []
    for found in counts:
        vector = {
            feature: (1 + math.log(count))
            * (math.log((1 + n) / (1 + df[feature])) + 1)
            * (_NGRAM_WEIGHT if feature.startswith("c:") else 1.0)
            for feature, count in found.items()
        }
        vectors.append(_normalised(vector))
    return vectors


def _normalised(vector: Vector) -> Vector:
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {k: v / norm for k, v in vector.items()} if norm else {}


def _dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(value * b.get(feature, 0.0) for feature, value in a.items())


@dataclass(frozen=True)
class Cluster:
    """Questions that say the same thing; `example` is the one closest to the cluster's centre."""

    example: str
    count: int
    members: tuple[int, ...]  # indexes into the questions given to `cluster_questions`


def same_question(text: str) -> str:
    """The form under which two questions count as the same string."""
    return " ".join(fold(text).split()).rstrip("?!. ")


def cluster_questions(
    questions: Sequence[str],
    threshold: float,
    vectorise: Vectoriser = tfidf_vectors,
) -> list[Cluster]:
    """Clusters, most frequent first (ties: the one first seen first)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for position, question in enumerate(questions):
        groups[same_question(question)].append(position)
    distinct = sorted(groups.values(), key=lambda members: (-len(members), members[0]))
    vectors = vectorise([questions[members[0]] for members in distinct])
    sums: list[Vector] = []
    norms: list[float] = []
    assigned: list[list[int]] = []
    # Which clusters hold a feature: a question is compared only with clusters sharing one.
    holders: dict[str, set[int]] = defaultdict(set)
    for group, vector in enumerate(vectors):
        dots: dict[int, float] = defaultdict(float)
        for feature, value in vector.items():
            for cluster in holders[feature]:
                dots[cluster] += value * sums[cluster][feature]
        best, best_similarity = -1, threshold
        for cluster in sorted(dots):
            similarity = dots[cluster] / norms[cluster]
            if similarity >= best_similarity:
                best, best_similarity = cluster, similarity
        if best < 0:
            best = len(sums)
            sums.append({})
            norms.append(0.0)
            assigned.append([])
        weight = len(distinct[group])
        centre = sums[best]
        for feature, value in vector.items():
            centre[feature] = centre.get(feature, 0.0) + value * weight
            holders[feature].add(best)
        norms[best] = math.sqrt(sum(value * value for value in centre.values()))
        assigned[best].append(group)
    clusters = []
    for cluster, groups_in in enumerate(assigned):
        centre = _normalised(sums[cluster])
        central = max(
            groups_in, key=lambda g: (_dot(vectors[g], centre), len(distinct[g]), -distinct[g][0])
        )
        members = tuple(sorted(i for g in groups_in for i in distinct[g]))
        clusters.append(Cluster(questions[distinct[central][0]], len(members), members))
    return sorted(clusters, key=lambda c: (-c.count, c.members[0]))

"""An immutable BM25 index over FAQ entries, with a confidence that means something on its own.

BM25 ranks the entries. Its raw scores are not comparable between queries, so the confidence
reported with a hit is the share of the query's information (IDF-weighted content words) that the
entry covers: an unrelated question, whose words the FAQ never uses, scores near 0 whatever the
ranking says; a question fully covered by one entry scores near 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

from faq.models import FaqEntry
from faq.text import terms, words

# A corrected typo counts a little less than the word the customer typed correctly.
_TYPO_WEIGHT = 0.8
_MIN_TYPO_LENGTH = 4
# Zipf frequency (log10 per billion words) under which a word is treated as a possible typo:
# "weather" (4.9) is a real word the FAQ lacks, not a misspelt "whether".
_REAL_WORD_ZIPF = 2.5
_MISSING_CAP_WORDS = 2


@dataclass(frozen=True)
class Hit:
    entry: FaqEntry
    score: float
    confidence: float


class FaqIndex:
    """Build once, query many times; a reload builds a new index instead of changing this one."""

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        self.entries: tuple[FaqEntry, ...] = tuple(entries)
        self.by_id = {entry.id: entry for entry in self.entries}
        docs = [_document_terms(entry) for entry in self.entries]
        self._doc_terms = [frozenset(doc) for doc in docs]
        self._bm25 = bm25s.BM25()
        self._bm25.index(docs, show_progress=False)
        self._vocab: dict[str, int] = dict(self._bm25.vocab_dict)
        self._df: dict[str, int] = {}
        for doc in self._doc_terms:
            for term in doc:
                self._df[term] = self._df.get(term, 0) + 1
        self._words = sorted({w for entry in self.entries for w in words(_entry_text(entry))})

    def __len__(self) -> int:
        return len(self.entries)

    def search(self, query: str, k: int = 3) -> list[Hit]:
        query_words = [self._correct(word) for word in dict.fromkeys(words(query))]
        query_terms = [t for word, _ in query_words for t in terms(word) if t in self._vocab]
        if not query_terms or not self.entries:
            return []
        scores = np.asarray(self._bm25.get_scores(query_terms), dtype=float)
        k = min(k, len(self.entries))
        top = np.argpartition(-scores, k - 1)[:k]
        ranked = sorted(top.tolist(), key=lambda i: (-scores[i], i))
        return [
            Hit(self.entries[i], float(scores[i]), self._coverage(query_words, self._doc_terms[i]))
            for i in ranked
            if scores[i] > 0
        ]

    def _idf(self, term: str) -> float:
        return self._idf_of(max(self._df.get(term, 0), 1))

    def _idf_of(self, df: int) -> float:
        n = len(self.entries)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _coverage(self, query_words: list[tuple[str, float]], doc: frozenset[str]) -> float:
        """Matched information over matched plus missing information, the missing part capped.

        Unknown words weigh as much as the rarest known word: they are what the FAQ lacks. The
        cap (two rare words) keeps a long, chatty question that clearly names an entry's topic
        from being drowned by its filler words, while a short unrelated question, whose topic
        words are all missing, stays near 0.
        """
        matched = missing = 0.0
        for word, weight in query_words:
            word_terms = terms(word)
            info = max(self._idf(t) for t in word_terms)
            if any(t in doc for t in word_terms):
                matched += info * weight
                missing += info * (1 - weight)
            else:
                missing += info
        missing = min(missing, _MISSING_CAP_WORDS * self._idf_of(1))
        return matched / (matched + missing) if matched else 0.0

    def _correct(self, word: str) -> tuple[str, float]:
        """Map a word the FAQ never uses to its closest FAQ word, when one is a typo away."""
        if (
            any(t in self._df for t in terms(word))
            or len(word) < _MIN_TYPO_LENGTH
            or word.isdigit()
        ):
            return word, 1.0
        max_distance = 1 if len(word) < 7 else 2
        match = process.extractOne(
            word, self._words, scorer=Levenshtein.distance, score_cutoff=max_distance
        )
        if match is None:
            return word, 1.0
        return str(match[0]), _TYPO_WEIGHT


def _is_real_word(word: str) -> bool:
    return max(zipf_frequency(word, "en"), zipf_frequency(word, "fr")) >= _REAL_WORD_ZIPF


def _entry_text(entry: FaqEntry) -> str:
    return " ".join([entry.question, *entry.alternates, entry.answer, *entry.tags])


def _document_terms(entry: FaqEntry) -> list[str]:
    # Questions say what an entry is about better than its answer does, so they count twice.
    questions = " ".join([entry.question, *entry.alternates])
    text = " ".join([questions, questions, entry.answer, " ".join(entry.tags)])
    return [t for word in words(text) for t in terms(word)] or [""]

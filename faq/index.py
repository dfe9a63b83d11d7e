"""An immutable FAQ index: word BM25, character n-grams and, with the `semantic` extra, sentence
embeddings, fused by reciprocal rank, with a calibrated confidence per hit.

Each ranker answers "which entry is this question about" in its own way: BM25 over an entry's
words (questions count twice, the answer and tags once), the best character n-gram cosine
between the question and any of an entry's questions, and the best embedding cosine between
them (nearest question). Their scores live on different scales, so they are fused by rank. The
confidence reported with a hit is not that fused score but a calibrated probability that the
entry is the right one (faq/calibration.py), from absolute signals, so it can be compared with
one threshold whatever the FAQ.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
from numpy.typing import NDArray
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

from faq.calibration import LEXICAL, SEMANTIC, Calibration
from faq.fusion import ranks, reciprocal_rank_fusion
from faq.models import FaqEntry
from faq.ngrams import NgramIndex
from faq.semantic import Encoder
from faq.text import terms, words

# A corrected typo counts a little less than the word the customer typed correctly.
_TYPO_WEIGHT = 0.8
_MIN_TYPO_LENGTH = 4
# Zipf frequency (log10 per billion words) from which a word is real, not a typo to correct:
# "weather" (4.9) is a word the FAQ lacks, not a misspelt "whether".
_REAL_WORD_ZIPF = 2.5
_MISSING_CAP_WORDS = 2
# Votes of BM25, character n-grams and sentence embeddings in the fusion, chosen on CLINC150's
# validation split (bench/calibrate.py): embeddings alone beat the lexical rankers there, and
# n-grams mostly repeat what BM25 already found.
_WEIGHTS = (1.0, 0.5, 3.0)

Scores = NDArray[np.float64]


@dataclass(frozen=True)
class Hit:
    entry: FaqEntry
    # The reciprocal-rank fusion score: orders hits of one question, means nothing across them.
    score: float
    confidence: float


@dataclass(frozen=True)
class Candidate:
    """One ranked entry with the signals its confidence is computed from."""

    position: int
    score: float
    signals: tuple[float, ...]


class FaqIndex:
    """Build once, query many times; a reload builds a new index instead of changing this one."""

    def __init__(self, entries: Sequence[FaqEntry], encoder: Encoder | None = None) -> None:
        self.entries: tuple[FaqEntry, ...] = tuple(entries)
        self.by_id = {entry.id: entry for entry in self.entries}
        self.encoder = encoder
        self.calibration: Calibration = SEMANTIC if encoder is not None else LEXICAL
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
        questions = [[entry.question, *entry.alternates] for entry in self.entries]
        texts = [text for group in questions for text in group]
        # Where each entry's questions start among `texts`, to take the best one per entry.
        self._starts = np.cumsum([0] + [len(group) for group in questions[:-1]])
        self._ngrams = NgramIndex(texts)
        self._embeddings = encoder.embed_documents(texts) if encoder is not None else None

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def threshold(self) -> float:
        """The confidence under which to escalate by default, calibrated with this mode."""
        return self.calibration.threshold

    @property
    def mode(self) -> str:
        return "lexical" if self.encoder is None else f"semantic ({self.encoder.name})"

    def search(self, query: str, k: int = 3) -> list[Hit]:
        return [
            Hit(self.entries[c.position], c.score, self.calibration.confidence(c.signals))
            for c in self.candidates(query, k)
        ]

    def candidates(self, query: str, k: int = 3) -> list[Candidate]:
        """The k best entries with their signals, best first; none for a question of no words."""
        query_words = [self._correct(word) for word in dict.fromkeys(words(query))]
        if not query_words or not self.entries:
            return []
        query_terms = [t for word, _ in query_words for t in terms(word) if t in self._vocab]
        bm25 = (
            np.asarray(self._bm25.get_scores(query_terms), dtype=np.float64)
            if query_terms
            else np.zeros(len(self.entries))
        )
        per_ranker = [bm25, self._best_per_entry(self._ngrams.cosines(query))]
        if self._embeddings is not None and self.encoder is not None:
            cosines = self._embeddings @ self.encoder.embed_query(query)
            per_ranker.append(self._best_per_entry(np.asarray(cosines, dtype=np.float64)))
        rankings = [ranks(scores) for scores in per_ranker]
        fused = reciprocal_rank_fusion(rankings, _WEIGHTS[: len(rankings)])
        k = min(k, len(self.entries))
        top = np.argpartition(-fused, k - 1)[:k]
        ordered = sorted(top.tolist(), key=lambda i: (-fused[i], i))
        return [
            Candidate(
                i,
                float(fused[i]),
                (
                    self._coverage(query_words, self._doc_terms[i]),
                    float(per_ranker[1][i]),
                    *(float(max(s[i], 0.0)) for s in per_ranker[2:]),
                ),
            )
            for i in ordered
            if fused[i] > 0
        ]

    def _best_per_entry(self, per_question: Scores) -> Scores:
        return np.maximum.reduceat(per_question, self._starts)

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
        """Map a misspelt word the FAQ never uses to its closest FAQ word, a typo away."""
        if (
            any(t in self._df for t in terms(word))
            or len(word) < _MIN_TYPO_LENGTH
            or word.isdigit()
            or _is_real_word(word)
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

"""An immutable FAQ index: entries ranked by their word, character and sentence-embedding
evidence, the best ones with a calibrated probability that they answer the question.

The evidence per entry (its *signals*) is absolute, not relative to the other entries of one FAQ:
- word coverage: the share of the question's information (IDF-weighted words) found in the
  entry's questions, answer or tags, so a word that only the answer carries ("SLA") counts;
- with encoders, coverage by meaning: the same share, a question word the entry lacks counting
  for how close the entry's closest word is (each embedded alone), so "payment" is mostly found
  in "billing" while "sell" is not found in an entry about DNS records that shares "domain";
- the best character n-gram cosine between the question and the entry's questions (typos,
  compounds, shared roots);
- per sentence encoder: the best cosine between the question and the entry's questions, and the
  cosine between the question and the entry's answer.
A weighted sum of them ranks the entries, and a logistic model over that score, its margin over
the next entry, how many signals put the entry first and its coverage by meaning (where
encoders read the question) gives the confidence reported (faq/calibration.py), so one
threshold means the same thing on any FAQ.

BM25, the n-grams and each embedding ranker each nominate their best entries first, and only
those are scored: a question on a 100,000-entry FAQ scores a few hundred entries, not all.

With encoders, the words still have a say of their own: when the lexical model alone (its own
calibration) is all but sure of the same best entry, from two words of the question at least,
that certainty stands. The encoders, fitted
to weigh meaning, discount a question that repeats an entry's rare words ("2fa setup?" against
"2FA setup authenticator app QR code") as much as one that merely shares them.
"""

from __future__ import annotations

import gc
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import chain

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

from faq.bm25 import bm25
from faq.calibration import Calibration, calibration_for
from faq.metric import reweighed
from faq.models import FaqEntry
from faq.ngrams import NgramIndex
from faq.semantic import Encoder, Vectors
from faq.text import fold, remembered, spelled_words, terms, words

# A corrected typo counts a little less than the word the customer typed correctly.
_TYPO_WEIGHT = 0.8
_MIN_TYPO_LENGTH = 4
# Zipf frequency (log10 per billion words) from which a word is real, not a typo to correct:
# "weather" (4.9) is a word the FAQ lacks, not a misspelt "whether".
_REAL_WORD_ZIPF = 2.5
# From this Zipf frequency on, a word is an everyday one ("long", "much", "take", "come"): a
# question made only of them names nothing of its own ("how much is that?").
_EVERYDAY_ZIPF = 5.5
# E-mail addresses and links: they say who or where, not what a question is about ("does that
# work for bob.stone@example.com too?").
_ADDRESS_RE = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+", re.IGNORECASE)
_MISSING_CAP_WORDS = 2
# How many entries each ranker nominates for scoring.
_NOMINATED = 50
# The lexical confidence at which the words alone vouch for the encoders' best entry. Chosen on
# the tuning data (bench/calibrate.py's FAQs and CLINC150's validation split; it prints the
# trade per bar): at 0.85 no unrelated question more is answered there, at 0.80 CLINC150's
# out-of-scope ones begin to be.
_WORDS_VOUCH = 0.85
# How many of the question's words the entry must hold for the words to vouch for it. With one,
# "that's correct" got the bug-report entry ("not working correctly") at 0.99 where the encoders
# said 0.62; on the tuning FAQs two changed one answer (a wrong one, now not given).
_VOUCHING_WORDS = 2
# The cosine of two unrelated words each embedded alone ("sell" and "domain", "options" and
# "days": 0.3 with USE; "payment" and "billing" 0.74): no credit for a question word below it.
# On the tuning data 0, 0.3 and 0.4 ranked and answered alike; 0.3 keeps a FAQ of two entries
# from finding every word of a question half covered.
_UNRELATED_WORDS = 0.3
# Bounds on the words compared by meaning, so that a long message or an entry as long as an
# article costs about what a question and a FAQ entry do: a question's words that name
# something, most informative first (no tuning or held-out question has more than 15 words),
# and of an entry's answer and tags, the rarest words in the FAQ (no answer of those FAQs has
# more than 47 distinct ones).
_MEANING_WORDS = 24
_ANSWER_WORDS = 64
# Below one in this many of the FAQ's words, `_WordMeanings.closest` compares only those.
_GATHERED_SHARE = 4
# Where entries have alternates, the share of an entry's question signal that is the cosine to
# the mean of its phrasings, the rest being its closest phrasing's. Chosen on Banking77's
# training split (eight questions per intent held out, the rest or ten of them as alternates)
# and CLINC150's validation split, among 0, 0.3, 0.5, 0.7 and 1: at 0.5, with both encoders,
# 1.8 points more of Banking77's ten-alternate questions answered right, 0.3 more with every
# alternate, and CLINC150 2.5 points more in scope at 1.1 fewer false escalations. A FAQ
# without alternates is searched as before.
_CENTRAL_SHARE = 0.5

Scores = NDArray[np.float64]


@dataclass(frozen=True)
class _QueryWord:
    """What the index makes of one word of a question."""

    word: str  # as read: a typo corrected to the FAQ word
    weight: float  # 1, or less for a typo corrected to a FAQ word
    term_ids: tuple[int, ...]  # the (corrected) word's terms that the FAQ holds
    # Its information: its rarest term's IDF, a term the FAQ lacks weighing as the rarest known
    # (what the FAQ lacks is what the question is about).
    info: float
    # Whether it names something: a real word, or a typo of a FAQ word, that is not an everyday
    # one ("pool", "pin"; not "much", "take", a number or a typo of nothing the FAQ has).
    names: bool


@dataclass(frozen=True)
class _LexicalEvidence:
    query_words: list[_QueryWord]
    bm25: Scores
    ngrams: Scores


@dataclass(frozen=True)
class Hit:
    entry: FaqEntry
    # The calibrated probability that this entry answers the question; hits are ordered by it.
    confidence: float


@dataclass(frozen=True)
class Candidate:
    """One nominated entry: its signals, ranking score, margin over the best other nominated
    entry (negative below the first), how many signals rank it first and how much of the
    question it covers by meaning (0 when searched without encoders)."""

    position: int
    signals: tuple[float, ...]
    score: float
    margin: float
    agreement: int
    covered: float

    @property
    def features(self) -> tuple[float, float, int, float]:
        """What the calibration's confidence reads."""
        return self.score, self.margin, self.agreement, self.covered


def _best_per_entry(per_question: Scores, starts: NDArray[np.int64]) -> Scores:
    """Each entry's best score among its phrasings (they start at `starts`)."""
    return np.maximum.reduceat(per_question, starts)


class _Embedded:
    """One encoder's view of the FAQ: each question's and each answer's embedding, and where
    entries have alternates, the mean direction of each entry's phrasings; all of them, and the
    query's, under the encoder's weighting (faq/metric.py)."""

    def __init__(
        self,
        encoder: Encoder,
        questions: list[str],
        answers: list[str],
        starts: NDArray[np.int64],
    ) -> None:
        self.encoder = encoder
        self.questions = reweighed(encoder.name, encoder.embed_documents(questions))
        self.answers = reweighed(encoder.name, encoder.embed_documents(answers))
        self._starts = starts
        self._centroids: Vectors | None = None
        if len(questions) > len(answers):
            sums = np.add.reduceat(self.questions, starts, axis=0)
            self._centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)

    def question_cosines(self, vector: Vectors) -> Scores:
        """Per entry, how close its questions come to the query's `vector`: the closest
        phrasing's cosine, averaged, where entries have alternates, with the cosine to their
        mean direction. One odd alternate that happens to sit near the query then counts for
        less than all of an entry's phrasings leaning its way."""
        closest = _best_per_entry(
            np.asarray(self.questions @ vector, dtype=np.float64), self._starts
        )
        if self._centroids is None:
            return closest
        central = np.asarray(self._centroids @ vector, dtype=np.float64)
        return (1 - _CENTRAL_SHARE) * closest + _CENTRAL_SHARE * central

    def query(self, text: str) -> Vectors:
        return reweighed(self.encoder.name, self.encoder.embed_query(text))


class _WordMeanings:
    """Each distinct word of the FAQ embedded alone, and which of them each entry holds."""

    def __init__(self, encoder: Encoder, words: list[str], per_entry: list[list[int]]) -> None:
        self.encoder = encoder
        self.vectors = encoder.embed_vocabulary(words)
        self.starts = np.cumsum([0] + [len(held) for held in per_entry[:-1]])
        self.lengths = np.array([len(held) for held in per_entry])
        self.held = np.array([w for held in per_entry for w in held], dtype=np.int32)

    def closest(self, query_words: list[_QueryWord], nominated: NDArray[np.int64]) -> Scores:
        """Per query word (rows) and nominated entry, how close the closest of the entry's words
        is: its cosine with the word, rescaled so that unrelated words ("sell", "domain": 0.3)
        are 0 and the same word 1. Of a long message, only the _MEANING_WORDS words that name
        something most are compared; the others stay 0."""
        found = np.zeros((len(query_words), len(nominated)))
        lengths = self.lengths[nominated]
        compared = sorted(
            range(len(query_words)),
            key=lambda i: (not query_words[i].names, -query_words[i].info),
        )[:_MEANING_WORDS]
        if not compared or not lengths.sum():
            return found
        columns = np.concatenate(
            [self.held[s : s + n] for s, n in zip(self.starts[nominated], lengths, strict=True)]
        )
        # Only the words the nominated entries hold when they are few of the FAQ's (a large FAQ
        # has tens of thousands), found with a mask rather than a sort: Banking77's entries hold
        # hundreds each. When they are many, copying their rows out costs more than comparing
        # every word.
        mask = np.zeros(len(self.vectors), dtype=bool)
        mask[columns] = True
        used = np.flatnonzero(mask)
        if len(used) * _GATHERED_SHARE < len(self.vectors):
            table, rows = self.vectors[used], (np.cumsum(mask) - 1)[columns]
        else:
            table, rows = self.vectors, columns
        words = [query_words[i].word for i in compared]
        per_column = (table @ self.encoder.embed_words(words).T)[rows]
        holding = lengths > 0
        at = np.cumsum(np.concatenate([[0], lengths[holding][:-1]]))
        found[np.ix_(np.array(compared), holding)] = np.maximum.reduceat(per_column, at, axis=0).T
        return np.clip((found - _UNRELATED_WORDS) / (1 - _UNRELATED_WORDS), 0.0, 1.0)


class FaqIndex:
    """Build once, query many times; a reload builds a new index instead of changing this one."""

    def __init__(self, entries: Sequence[FaqEntry], encoders: Sequence[Encoder] = ()) -> None:
        # The words' indexes allocate millions of small lists and strings, none in a cycle: the
        # collector's passes over them cost a tenth of a large FAQ's build and free nothing.
        # (Paused for the whole process, a reload's thread included: for seconds at most.)
        with _collector_paused():
            self.entries: tuple[FaqEntry, ...] = tuple(entries)
            self.by_id = {entry.id: entry for entry in self.entries}
            # Where each id's entry is; of identical ids, the first listed (as it answers).
            self._positions = {e.id: n for n, e in reversed(list(enumerate(self.entries)))}
            self.encoders = tuple(encoders)
            self.calibration: Calibration = calibration_for(tuple(e.name for e in self.encoders))
            questions = [[entry.question, *entry.alternates] for entry in self.entries]
            texts = [text for group in questions for text in group]
            # Where each entry's questions start among `texts`, to take the best one per entry.
            self._starts = np.cumsum([0] + [len(group) for group in questions[:-1]])
            # Each text is cut into words once; every structure below is built from these.
            text_words = [words(text) for text in texts]
            question_words = [
                [w for ws in text_words[start : start + len(group)] for w in ws]
                for start, group in zip(self._starts, questions, strict=True)
            ]
            other_words = [words(" ".join([entry.answer, *entry.tags])) for entry in self.entries]
            self._words = sorted({w for ws in (*question_words, *other_words) for w in ws})
            # Each distinct word is stemmed once: a FAQ repeats its words far more than it adds new.
            self._vocab: dict[str, int] = {}
            ids_of = {
                w: [self._vocab.setdefault(t, len(self._vocab)) for t in terms(w)]
                for w in self._words
            }
            # Questions say what an entry is about better than its answer does, so they count twice.
            ids = ids_of.__getitem__
            docs = [
                list(chain.from_iterable(map(ids, (*q, *q, *other))))
                or [self._vocab.setdefault("", len(self._vocab))]
                for q, other in zip(question_words, other_words, strict=True)
            ]
            self._bm25 = bm25(docs, len(self._vocab))
            # Bound to what it reads, not to the index: no cycle keeps a replaced index alive.
            self._read = remembered(
                partial(_read_word, self._vocab, self._words, self._bm25.df, len(self.entries))
            )
            self._ngrams = NgramIndex(text_words)
            answers = [entry.answer for entry in self.entries]
            # An answer several entries share ("See our help centre.") says nothing about any of
            # them: such an entry's answer signal is its question signal instead.
            shared = Counter(answers)
            self._answer_informs = np.array([shared[a] == 1 for a in answers])
        self._embedded = [
            _Embedded(encoder, texts, answers, self._starts) for encoder in self.encoders
        ]
        # Words by meaning come from an encoder that reads every language where there is one
        # (the one the calibration was fitted with), and serve every question searched with
        # encoders, whose calibration expects the signal.
        self._meanings = (
            _WordMeanings(
                next((e for e in self.encoders if not e.languages), self.encoders[0]),
                self._words,
                self._words_held(question_words, other_words),
            )
            if self.encoders
            else None
        )

    def _words_held(
        self, question_words: list[list[str]], other_words: list[list[str]]
    ) -> list[list[int]]:
        """Per entry, where each of its distinct words is in `self._words`: every word of its
        questions, and the _ANSWER_WORDS rarest of its answer and tags."""
        where = {w: n for n, w in enumerate(self._words)}
        distinct = [
            set(q) | set(other) for q, other in zip(question_words, other_words, strict=True)
        ]
        entries_with = Counter(w for held in distinct for w in held)
        found = []
        for q, other in zip(question_words, other_words, strict=True):
            answer_only = sorted(set(other) - set(q), key=lambda w: (entries_with[w], w))
            found.append(sorted({where[w] for w in (*q, *answer_only[:_ANSWER_WORDS])}))
        return found

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def threshold(self) -> float:
        """The confidence under which to escalate by default, calibrated with this mode."""
        return self.calibration.threshold

    def calibration_in(self, language: str) -> Calibration:
        """The calibration a question in `language` is read with, and its default thresholds:
        without the encoders that do not read that language (see `search`)."""
        return _calibration_of(self._embedded_in(language))

    @property
    def mode(self) -> str:
        if not self.encoders:
            return "lexical"
        return "semantic (" + ", ".join(e.name for e in self.encoders) + ")"

    def search(self, query: str, k: int = 3, language: str = "") -> list[Hit]:
        """`language` (a code such as "en"), when known, leaves out the encoders that do not
        understand it, and the confidence is then the one calibrated without them."""
        embedded = self._embedded_in(language)
        calibration = _calibration_of(embedded)
        lexical = self._lexical_evidence(query)
        hits = [
            Hit(
                self.entries[c.position],
                calibration.confidence(*c.features),
            )
            for c in self._candidates(query, k, embedded, calibration, lexical)
        ]
        # The score ranks; agreement can still make a runner-up the likelier one.
        hits.sort(key=lambda hit: -hit.confidence)
        if embedded and hits:
            hits[0] = self._vouched(query, hits[0], lexical)
        return hits

    def _vouched(self, query: str, best: Hit, evidence: _LexicalEvidence) -> Hit:
        """`best`, as sure as the words alone are of it when they are all but certain from
        _VOUCHING_WORDS of the question's words it holds: one word an entry happens to share
        ("I'm not following" and the dark-mode entry's "follows your system") is no match."""
        lexical = calibration_for(())
        found = self._candidates(query, 1, [], lexical, evidence)
        if not found or self.entries[found[0].position] is not best.entry:
            return best
        position = np.array([found[0].position], dtype=np.int64)
        if int(self._held(evidence.query_words, position).sum()) < _VOUCHING_WORDS:
            return best
        words_alone = lexical.confidence(*found[0].features)
        if words_alone < _WORDS_VOUCH or words_alone <= best.confidence:
            return best
        return Hit(best.entry, words_alone)

    def _embedded_in(self, language: str) -> list[_Embedded]:
        return [
            e
            for e in self._embedded
            if not language or not e.encoder.languages or language in e.encoder.languages
        ]

    def candidates(self, query: str, k: int = 3, language: str = "") -> list[Candidate]:
        """The k best entries with their evidence, best first; none for a question of no
        words."""
        embedded = self._embedded_in(language)
        calibration = _calibration_of(embedded)
        return self._candidates(query, k, embedded, calibration, self._lexical_evidence(query))

    def named_share(self, query: str, entry: FaqEntry) -> float | None:
        """The share of what `query` names (its words that are not everyday ones, weighed by
        their information) that `entry` holds in its questions, answer or tags; None when the
        query names nothing of its own."""
        read = map(self._read, dict.fromkeys(spelled_words(_ADDRESS_RE.sub(" ", query))))
        named = [word for word in read if word.names]
        if not named:
            return None
        position = np.array([self._positions[entry.id]], dtype=np.int64)
        return float(self._coverages(named, self._held(named, position))[0])

    def _lexical_evidence(self, query: str) -> _LexicalEvidence:
        """The query's words (typos corrected) and its BM25 and n-gram scores over every entry:
        computed once, for the ranking with encoders and for the words' own."""
        query_words = [self._read(word) for word in dict.fromkeys(spelled_words(query))]
        if not query_words or not self.entries:
            return _LexicalEvidence(query_words, np.zeros(0), np.zeros(0))
        bm25 = self._bm25.scores([i for word in query_words for i in word.term_ids])
        ngrams = _best_per_entry(self._ngrams.cosines(query), self._starts)
        return _LexicalEvidence(query_words, bm25, ngrams)

    def _candidates(
        self,
        query: str,
        k: int,
        embedded: list[_Embedded],
        calibration: Calibration,
        lexical: _LexicalEvidence,
    ) -> list[Candidate]:
        query_words, bm25, ngrams = lexical.query_words, lexical.bm25, lexical.ngrams
        if not query_words or not self.entries:
            return []
        per_signal = [ngrams]
        for encoded in embedded:
            vector = encoded.query(query)
            question_cosines = encoded.question_cosines(vector)
            answer_cosines = np.asarray(encoded.answers @ vector, dtype=np.float64)
            per_signal.append(question_cosines)
            per_signal.append(np.where(self._answer_informs, answer_cosines, question_cosines))
        nominated = _nominate([bm25, *per_signal])
        if not len(nominated):
            return []
        held = self._held(query_words, nominated)
        # Searched with encoders, the calibration expects coverage by meaning; without, none.
        by_meaning = (
            [_meaning_coverages(query_words, held, self._meanings.closest(query_words, nominated))]
            if self._meanings is not None and embedded
            else []
        )
        signals = np.column_stack(
            [
                self._coverages(query_words, held),
                *by_meaning,
                *(np.maximum(s[nominated], 0.0) for s in per_signal),
            ]
        )
        covered = by_meaning[0] if by_meaning else np.zeros(len(nominated))
        scores = signals @ np.asarray(calibration.rank_weights)
        firsts = np.argmax(signals, axis=0)
        order = np.lexsort((nominated, -scores))
        best = scores[order[0]]
        runner_up = max(scores[order[1]] if len(order) > 1 else 0.0, calibration.runner_up_floor)
        # How many signals put each nominated entry first (a signal all zero puts none first).
        agreement = np.bincount(firsts[signals.max(axis=0) > 0], minlength=len(nominated))
        return [
            Candidate(
                int(nominated[r]),
                tuple(signals[r].tolist()),
                float(scores[r]),
                float(scores[r] - (runner_up if r == order[0] else best)),
                int(agreement[r]),
                float(covered[r]),
            )
            for r in order[:k]
        ]

    def _held(
        self, query_words: list[_QueryWord], nominated: NDArray[np.int64]
    ) -> NDArray[np.bool_]:
        """Which nominated entries hold each query word (one row per word), from the entries
        holding each of its terms: on a large FAQ a term's list holds thousands, few of them
        nominated."""
        held = np.zeros((len(query_words), len(nominated)), dtype=bool)
        term_rows = [(term, row) for row, word in enumerate(query_words) for term in word.term_ids]
        if term_rows:
            terms, of_rows = zip(*term_rows, strict=True)
            entries, _, counts = self._bm25.gathered(terms)
            rows = np.repeat(of_rows, counts)
            at = np.minimum(np.searchsorted(nominated, entries), len(nominated) - 1)
            found = nominated[at] == entries
            held[rows[found], at[found]] = True
        return held

    def _coverages(self, query_words: list[_QueryWord], held: NDArray[np.bool_]) -> Scores:
        """Per nominated entry, matched information over matched plus missing information, the
        missing part capped.

        The cap (two rare words) keeps a long, chatty question that clearly names an entry's
        topic from being drowned by its filler words, while a short unrelated question, whose
        topic words are all missing, stays near 0.
        """
        info = np.array([word.info for word in query_words])
        weighed = info * [word.weight for word in query_words]
        # Summed row by row, not by a matrix product: entries holding the same words must
        # score exactly alike (the first listed answers), and BLAS rounds each column its way.
        matched = np.where(held, weighed[:, None], 0.0).sum(axis=0)
        # What is not matched is missing, a corrected typo's discount included.
        unmatched = np.maximum(info.sum() - matched, 0.0)  # never below 0 by rounding
        missing = np.minimum(unmatched, _MISSING_CAP_WORDS * _idf(len(self.entries), 1))
        covered: Scores = np.zeros(len(matched))
        np.divide(matched, matched + missing, out=covered, where=matched > 0)
        return covered


def _meaning_coverages(
    query_words: list[_QueryWord], held: NDArray[np.bool_], closest: Scores
) -> Scores:
    """Per nominated entry, the share of the question's information it holds, a word it lacks
    counting for how close the closest word it has is (`closest`)."""
    info = np.array([word.info for word in query_words])[:, None]
    weight = np.array([word.weight for word in query_words])[:, None]
    # A corrected typo counts a little less however it is found.
    found = weight * np.where(held, 1.0, closest)
    return np.asarray((info * found).sum(axis=0) / info.sum(), dtype=np.float64)


def _read_word(
    vocab: dict[str, int], faq_words: list[str], df: NDArray[np.int64], entries: int, spelled: str
) -> _QueryWord:
    """A question's word as the index reads it, from its spelling as typed: a misspelt word the
    FAQ never uses becomes its closest FAQ word, a typo away; a word typed with its accents is
    as common as that spelling ("échéance" is a word, where "echeance" may be a typo)."""
    word = fold(spelled)
    zipf = _zipf(word, spelled)
    weight = 1.0
    if not (
        any(t in vocab for t in terms(word))
        or len(word) < _MIN_TYPO_LENGTH
        or word.isdigit()
        or zipf >= _REAL_WORD_ZIPF
    ):
        max_distance = 1 if len(word) < 7 else 2
        match = process.extractOne(
            word, faq_words, scorer=Levenshtein.distance, score_cutoff=max_distance
        )
        if match is not None:
            word, weight = str(match[0]), _TYPO_WEIGHT
            zipf = _zipf(word, word)
    word_terms = terms(word)
    known = tuple(vocab[t] for t in word_terms if t in vocab)
    rarest = min(max(int(df[vocab[t]]), 1) if t in vocab else 1 for t in word_terms)
    # (A FAQ's own words name something however rare: "Ledgerly" is in no word list.)
    names = (
        not word.isdigit() and zipf < _EVERYDAY_ZIPF and (bool(known) or zipf >= _REAL_WORD_ZIPF)
    )
    return _QueryWord(word, weight, known, _idf(entries, rarest), names)


def _idf(entries: int, df: int) -> float:
    return math.log(1 + (entries - df + 0.5) / (df + 0.5))


def _nominate(rankers: list[Scores]) -> NDArray[np.int64]:
    """The union of each ranker's best entries that score above zero, in index order."""
    # A mask over the entries, where sorting the union cost more on a FAQ of a few dozen.
    chosen = np.zeros(len(rankers[0]), dtype=bool)
    for scores in rankers:
        positive = np.flatnonzero(scores > 0)
        if len(positive) > _NOMINATED:
            positive = positive[np.argpartition(-scores[positive], _NOMINATED - 1)[:_NOMINATED]]
        chosen[positive] = True
    return np.flatnonzero(chosen).astype(np.int64, copy=False)


def _zipf(word: str, spelled: str) -> float:
    """How common a word is in English or French, folded or as typed."""
    return max(zipf_frequency(w, language) for w in {word, spelled} for language in ("en", "fr"))


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _calibration_of(embedded: Sequence[_Embedded]) -> Calibration:
    """The fit for the encoders a question is searched with."""
    return calibration_for(tuple(e.encoder.name for e in embedded))

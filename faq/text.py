"""Text folding and tokenising shared by the index and its queries.

Each word becomes a set of terms: its English and French Snowball stems. Using both instead of
guessing a language per text keeps short queries (where language detection is unreliable)
matching entries in either language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

import Stemmer

_WORD_RE = re.compile(r"[a-z0-9]+")
# For ASCII text, the same split as _WORD_RE: every other character becomes a space.
_ASCII_WORDS = str.maketrans(
    {c: c if c.isascii() and (c.islower() or c.isdigit()) else " " for c in map(chr, range(128))}
)

STOPWORDS = frozenset(
    """
    a about above after again all am an and any are as at be because been being below between both
    but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will
    with would you your yours yourself yourselves im ive id dont cant wont isnt doesnt didnt please
    hi hello hey thanks thank want need get got would like know tell let s t ll re ve d m
    don doesn didn isn aren wasn weren won wouldn couldn shouldn haven hasn hadn
    au aux avec ce ces cet cette dans de des du elle elles en est et etre eux il ils je la le les
    leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se
    ses son sur ta te tes toi ton tu un une vos votre vous c j l n y est sont suis ai as avons avez
    ont etais etait faire fait peux peut puis comment quoi quel quelle quels quelles bonjour merci
    svp stp est-ce si plus tres aussi deja combien pourquoi quand lequel laquelle lesquels
    lesquelles dois doit devez devons doivent devrais devrait besoin
    pouvez pourriez pourrais pourrait pouvons pouvoir veux voudrais voulez veut voudrait vouloir
    aimerais aimerait souhaite souhaiterais souhaitez savoir sais dire
    """.split()
)

_english = Stemmer.Stemmer("english")
_french = Stemmer.Stemmer("french")


def fold(text: str) -> str:
    """Lower case without accents: 'Résiliation' and 'resiliation' are the same word."""
    folded = text.casefold()
    if folded.isascii():  # most text: nothing to strip, and the loop below is the slow part
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Content words of a text, folded, stopwords removed, in order."""
    folded = fold(text)
    # translate and split beat the regex by a quarter on a large FAQ's build.
    found = folded.translate(_ASCII_WORDS).split() if folded.isascii() else _WORD_RE.findall(folded)
    return [w for w in found if w not in STOPWORDS]


# A run of letters or digits as typed (an accent or a ligature is part of its word).
_TYPED_RE = re.compile(r"[^\W_]+")


def spelled_words(text: str) -> list[str]:
    """The content words `words` gives, each as typed (lower case, accents kept) where the text
    spells it with accents: typed so, "crèche" is a word, where "creche" may be a typo."""
    found = words(text)
    lowered = unicodedata.normalize("NFC", text.casefold())
    if lowered.isascii():
        return found
    accented = {fold(token): token for token in _TYPED_RE.findall(lowered) if not token.isascii()}
    return [accented.get(word, word) for word in found]


# Distinct question words an index remembers its reading of (typo correction, terms, n-grams):
# customers' words repeat from one question to the next. Words longer than any real one are
# read again each time, so that a flood of made-up ones (a message may be thousands of letters
# of one "word") keeps the memory to a few megabytes.
WORDS_REMEMBERED = 16384
LONGEST_REMEMBERED = 40

T = TypeVar("T")


def remembered(read: Callable[[str], T], size: int = WORDS_REMEMBERED) -> Callable[[str], T]:
    """`read`, its result for each of the last `size` words of a real word's length kept."""
    cached = lru_cache(maxsize=size)(read)

    def read_word(word: str) -> T:
        return cached(word) if len(word) <= LONGEST_REMEMBERED else read(word)

    return read_word


def _terms(word: str) -> tuple[str, ...]:
    en = _english.stemWord(word)
    fr = _french.stemWord(word)
    return (en,) if en == fr else (en, fr)


# The index terms of one folded word. Shared by every index: a large FAQ's build stems tens of
# thousands of distinct words.
terms = remembered(_terms, size=65536)


def text_terms(text: str) -> list[str]:
    return [term for word in words(text) for term in terms(word)]

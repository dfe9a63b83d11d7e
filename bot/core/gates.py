"""A long alternation of regexes searched only with the alternatives a text could match, each
compiled when first needed.

Python's `re` has no subroutines, so the request patterns of bot/core/intents.py spell out their
nouns for staff some fifty times: 260 KB that took 0.8 s to compile in every process before its
first message, and searching all of them cost 0.08 ms a clause. Yet most alternatives cannot
match most messages: "talk to a human" needs one of the verbs it starts with. An alternative's
gate is the whole words one of which any match must hold (or, where a word may be cut, pieces
of text), derived from the pattern itself (`derive`). Deriving costs as much as compiling, so the
gates are kept in bot/core/request_gates.py, written by `python -m bot.core.gates`; the tests
derive them again and fail when the table is stale. An alternative missing from the table is
searched for every text, as it was before.

Each text is searched as one alternation would search it: `bool(search)` of
`template.format("alt1|alt2|...")` equals any alternative's own search, and an alternative
whose gate the text misses cannot match it.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from re import _parser  # type: ignore[attr-defined]
from typing import Any

# A gate as the table stores it: (whole words, pieces of the text padded with a space each side).
GateRow = tuple[tuple[str, ...], tuple[str, ...]]

TABLE = Path(__file__).with_name("request_gates.py")


@dataclass(frozen=True)
class Gate:
    """One of `words` is a word of the text, or one of `pieces` is in it (padded with a space
    each side), whenever the alternative matches."""

    words: frozenset[str]
    pieces: tuple[str, ...]


def digest(pattern: str) -> str:
    """The table's key for an alternative: a changed pattern has no gate until it is derived."""
    return hashlib.blake2b(pattern.encode(), digest_size=8).hexdigest()


class GatedAlternation:
    """`search(text)` is `bool(re.search(template.format("|".join(alternatives)), text))` for a
    text of words separated by single spaces, with no other whitespace (as bot/core/intents.py
    normalises a message), and alternatives without capturing groups."""

    def __init__(
        self, alternatives: Sequence[str], template: str, table: Mapping[str, GateRow]
    ) -> None:
        self._alternatives = list(alternatives)
        self._template = template
        self._patterns: list[re.Pattern[str] | None] = [None] * len(self._alternatives)
        self._ungated: set[int] = set()
        self._by_word: dict[str, list[int]] = {}
        by_piece: dict[str, list[int]] = {}
        for number, alternative in enumerate(self._alternatives):
            row = table.get(digest(alternative))
            if row is None:
                self._ungated.add(number)
                continue
            words, pieces = row
            for word in words:
                self._by_word.setdefault(word, []).append(number)
            for piece in pieces:
                by_piece.setdefault(piece, []).append(number)
        self._by_piece = list(by_piece.items())

    def search(self, text: str) -> bool:
        return any(self._pattern(number).search(text) for number in sorted(self._live(text)))

    def _live(self, text: str) -> set[int]:
        """The alternatives whose gates the text passes."""
        live = set(self._ungated)
        for word in set(text.split()):
            live.update(self._by_word.get(word, ()))
        padded = f" {text} "
        for piece, numbers in self._by_piece:
            if piece in padded:
                live.update(numbers)
        return live

    def _pattern(self, number: int) -> re.Pattern[str]:
        pattern = self._patterns[number]
        if pattern is None:
            pattern = re.compile(self._template.format(self._alternatives[number]))
            if pattern.groups:
                # Its groups would be numbered otherwise in the one alternation it stands for.
                raise ValueError(f"an alternative with groups: {self._alternatives[number]!r}")
            self._patterns[number] = pattern
        return pattern


# --- Deriving a gate from a pattern --------------------------------------------------------------
#
# Any match of a regex holds one of a set of strings: a literal holds itself; a sequence holds
# what any of its parts holds (the rarest is kept) or, while its parts spell few enough strings
# exactly, one of those spelled out; a branch holds one of what its arms hold; an optional part
# or a lookaround holds nothing. Anything else (\w, ., a negated class) holds nothing. The
# alternative is read between two spaces, as the template's boundaries stand in a padded text,
# so a string's words between its spaces are whole words of the text.

# How many strings a part may spell before only what it holds is kept.
_SPELLED = 2048
_SPACE = frozenset({" "})
_ONLY_SPACES = 1e30
_EMPTY_STRING = frozenset({""})


@dataclass(frozen=True)
class _Read:
    spelled: frozenset[str] | None  # every string the part matches, when few
    holds: frozenset[str] | None  # strings one of which every match holds; None: nothing known

    def held(self) -> frozenset[str] | None:
        if self.spelled is not None:
            return None if "" in self.spelled else self.spelled
        return self.holds


_ANYTHING = _Read(None, None)
_EMPTY = _Read(_EMPTY_STRING, None)


def derive(pattern: str) -> Gate | None:
    """The gate of `pattern` as searched between word boundaries in a padded text; None when
    nothing is known that every match holds."""
    held = _sequence(_parser.parse(f" (?:{pattern}) ")).held()
    if held is None:
        return None
    words: set[str] = set()
    pieces: set[str] = set()
    for string in held:
        inner = _inner_words(string)
        if inner:
            words.add(min(inner, key=_frequency))
        elif string.strip():
            pieces.add(_piece(string))
        else:
            return None  # a space holds nothing of its own
    # A piece that holds another is passed whenever the other is.
    kept = tuple(sorted(p for p in pieces if not any(q != p and q in p for q in pieces)))
    return Gate(frozenset(words), kept)


def _inner_words(string: str) -> list[str]:
    """The words of `string` bounded by spaces on both sides within it."""
    return [word for word in string.split(" ")[1:-1] if word]


def _piece(string: str) -> str:
    """The rarest edge of a string with no whole word, keeping the space that bounds it."""
    parts = string.split(" ")
    if len(parts) == 1:
        return string
    edges = [e for e in (parts[0] + " ", " " + parts[-1]) if len(e.strip()) >= 3]
    return min(edges, key=lambda edge: _frequency(edge.strip())) if edges else string


@cache
def _frequency(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(10 ** max(zipf_frequency(word, "en"), zipf_frequency(word, "fr"), 1.0))


def _cost(held: frozenset[str] | None) -> float:
    """How often a text would pass, roughly: the sum of each string's rarest word's frequency."""
    if held is None:
        return float("inf")
    total = 0.0
    for string in held:
        inner = _inner_words(string)
        if inner:
            total += min(map(_frequency, inner))
            continue
        parts = [p for p in string.split(" ") if p]
        long_parts = [p for p in parts if len(p) >= 3]
        if long_parts:
            # An edge may be a piece of a longer word: counted as often as three words.
            total += 3 * min(map(_frequency, long_parts))
        elif parts:
            # ("on ", "t"): in word after word.
            total += 100 * min(map(_frequency, parts))
        else:
            return _ONLY_SPACES  # a space, in every text
    return total


def _rarer(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    return a if _cost(a) <= _cost(b) else b


def _sequence(items: Any) -> _Read:
    holds: frozenset[str] | None = None
    tail = _EMPTY_STRING  # the strings spelled since the sequence began, or since what it holds
    exact = True  # whether `tail` is all the sequence can match
    for op, av in items:
        part = _part(op, av)
        if (
            part.spelled is not None
            and len(tail) * len(part.spelled) > _SPELLED
            and "" not in tail
            and "" not in part.spelled
        ):
            # Where every string so far, or every string of this part, ends or starts between
            # words, the words so far are whole: keep what they hold and spell on from there.
            if all(s.endswith(" ") for s in tail):
                holds, tail, exact = _rarer(holds, tail), _SPACE, False
            elif all(s.startswith(" ") for s in part.spelled):
                holds = _rarer(holds, frozenset(s + " " for s in tail))
                tail, exact = _EMPTY_STRING, False
        if part.spelled is not None and len(tail) * len(part.spelled) <= _SPELLED:
            tail = frozenset(a + b for a in tail for b in part.spelled)
            continue
        holds, exact = _rarer(holds, None if "" in tail else tail), False
        if part.spelled is not None:
            tail = part.spelled
        else:
            holds, tail = _rarer(holds, part.holds), _EMPTY_STRING
    if exact:
        return _Read(tail, None)
    return _Read(None, _rarer(holds, None if "" in tail else tail))


def _part(op: Any, av: Any) -> _Read:
    if op is _parser.LITERAL:
        return _Read(frozenset({chr(av)}), None)
    if op is _parser.IN:
        return _character_class(av)
    if op is _parser.BRANCH:
        arms = [_sequence(arm) for arm in av[1]]
        if all(arm.spelled is not None for arm in arms):
            spelled = frozenset().union(*(arm.spelled or () for arm in arms))
            if len(spelled) <= _SPELLED:
                return _Read(spelled, None)
        held = [arm.held() for arm in arms]
        if any(h is None for h in held):
            return _ANYTHING
        return _Read(None, frozenset().union(*(h or () for h in held)))
    if op is _parser.SUBPATTERN:
        # (A part read case-blind is not spelled as written.)
        return _ANYTHING if av[1] & re.IGNORECASE else _sequence(av[3])
    if op is _parser.ATOMIC_GROUP:
        return _sequence(av)
    if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT):
        least, most, inner = av
        read = _sequence(inner)
        if most == 1 and read.spelled is not None:
            return _Read(read.spelled | (_EMPTY_STRING if least == 0 else frozenset()), None)
        # Repeated, what the part spells is unknown; it holds what one repetition holds, when
        # there must be one.
        return _ANYTHING if least == 0 else _Read(None, read.held())
    if op in (_parser.AT, _parser.ASSERT, _parser.ASSERT_NOT):
        return _EMPTY
    return _ANYTHING


def _character_class(items: Any) -> _Read:
    """A class of a few letters is spelled out ("[ae]"); any other reads as anything."""
    letters: list[str] = []
    for op, av in items:
        if op is _parser.LITERAL:
            letters.append(chr(av))
        elif op is _parser.RANGE and av[1] - av[0] < 10:
            letters.extend(map(chr, range(av[0], av[1] + 1)))
        else:
            return _ANYTHING
    return _Read(frozenset(letters), None) if len(letters) <= 10 else _ANYTHING


def derive_table(alternatives: Sequence[str]) -> dict[str, GateRow]:
    """The gates of these alternatives, as bot/core/request_gates.py keeps them."""
    table = {}
    for alternative in alternatives:
        gate = derive(alternative)
        if gate is not None:
            table[digest(alternative)] = (tuple(sorted(gate.words)), gate.pieces)
    return table


def table_source(alternatives: Sequence[str]) -> str:
    """bot/core/request_gates.py for these alternatives."""
    rows = "".join(f"    {key!r}: {row!r},\n" for key, row in derive_table(alternatives).items())
    return (
        '"""Gates of the request patterns of bot/core/intents.py (bot/core/gates.py). Written by\n'
        '`python -m bot.core.gates`: do not edit by hand."""\n\n'
        "REQUEST_GATES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {\n"
        f"{rows}}}\n"
    )


def main() -> int:
    from bot.core.intents import REQUEST_ALTERNATIVES

    TABLE.write_text(table_source(REQUEST_ALTERNATIVES))
    print(f"wrote {TABLE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

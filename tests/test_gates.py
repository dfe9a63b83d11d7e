"""A long alternation searched only with the alternatives whose gates a text passes finds what
the whole alternation finds: a gate derived from a pattern never turns away a text it matches."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.gates import GatedAlternation, GateRow, derive, digest

TEMPLATE = r"(?:^| )(?:{})(?= |$)"
WORDS = ["talk", "to", "a", "human", "agent", "me", "call", "please"]


def patterns() -> st.SearchStrategy[str]:
    word = st.sampled_from(WORDS)
    # Pieces of words too, so that a word may be spelled across parts ("ag" "(?:\w+)?" "ent").
    piece = st.sampled_from(["ag", "ent", "hu", "man", "ca", "ll", "s"])
    # Branches too wide to spell out after one another (bot/core/gates.py keeps what the words
    # so far hold and spells on), one of them with every arm starting between words.
    wide = [*WORDS, *(f"w{n}" for n in range(50))]
    base = st.one_of(
        word,
        piece,
        st.just(r"\w+"),
        st.just("[a-z]+"),
        st.just("(?:ag|hu)[a-z]*"),
        st.just(f"(?:{'|'.join(wide)})"),
        st.just(f"(?:(?! w0) {'| '.join(wide)})"),
    )

    # Phrases of words with single spaces between them, as texts are, and words in pieces.
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        pair = st.tuples(inner, inner)
        return st.one_of(
            pair.map(lambda ab: f"{ab[0]} {ab[1]}"),
            pair.map(lambda ab: f"{ab[0]}{ab[1]}"),
            pair.map(lambda ab: f"{ab[0]}(?:{ab[1]})?"),
            pair.map(lambda ab: f"{ab[0]}(?:{ab[1]})*"),
            pair.map(lambda ab: f"(?:{ab[0]}|{ab[1]})"),
            pair.map(lambda ab: f"(?:{ab[0]} )?{ab[1]}"),
            pair.map(lambda ab: f"{ab[0]}(?: {ab[1]})?"),
            pair.map(lambda ab: f"(?:{ab[0]} ){{0,2}}{ab[1]}"),
            pair.map(lambda ab: f"(?:{ab[0]} )+{ab[1]}"),
            st.tuples(word, inner).map(lambda wa: f"(?<!{wa[0]} ){wa[1]}"),
            st.tuples(inner, word).map(lambda aw: f"{aw[0]}(?! {aw[1]})"),
            inner.map(lambda a: f"(?:{a}|{a}s)"),
        )

    return st.recursive(base, extend, max_leaves=8)


def table(alternatives: list[str]) -> dict[str, GateRow]:
    rows = {}
    for alternative in alternatives:
        gate = derive(alternative)
        if gate is not None:
            rows[digest(alternative)] = (tuple(sorted(gate.words)), gate.pieces)
    return rows


@settings(max_examples=300, deadline=None)
@given(
    alternatives=st.lists(patterns(), min_size=1, max_size=4),
    texts=st.lists(st.lists(st.sampled_from([*WORDS, "agents", "hi"]), max_size=6), max_size=12),
)
def test_a_gated_alternation_finds_what_the_whole_alternation_finds(
    alternatives: list[str], texts: list[list[str]]
) -> None:
    whole = re.compile(TEMPLATE.format("|".join(alternatives)))
    gated = GatedAlternation(alternatives, TEMPLATE, table(alternatives))
    for words in texts:
        text = " ".join(words)
        assert gated.search(text) == bool(whole.search(text)), text


def test_a_gate_holds_the_words_a_match_needs_and_none_it_may_skip() -> None:
    gate = derive(r"(?:please )?(?:talk|speak) to (?:a |an )?(?:human|agent)")
    assert gate is not None
    assert gate.words and gate.words <= {"talk", "speak", "human", "agent"}
    # What nothing in a pattern requires has no gate.
    assert derive(r"\w+") is None
    assert derive(r"(?:talk )?\w+") is None

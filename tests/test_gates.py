"""A long alternation searched only with the alternatives whose gates a text passes finds what
the whole alternation finds: a gate derived from a pattern never turns away a text it matches."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.gates import GatedAlternation, derive, derive_table

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


@settings(max_examples=300, deadline=None)
@given(
    alternatives=st.lists(patterns(), min_size=1, max_size=4),
    texts=st.lists(st.lists(st.sampled_from([*WORDS, "agents", "hi"]), max_size=6), max_size=12),
)
def test_a_gated_alternation_finds_what_the_whole_alternation_finds(
    alternatives: list[str], texts: list[list[str]]
) -> None:
    whole = re.compile(TEMPLATE.format("|".join(alternatives)))
    gated = GatedAlternation(alternatives, TEMPLATE, derive_table(alternatives))
    for words in texts:
        text = " ".join(words)
        assert gated.search(text) == bool(whole.search(text)), text


def test_each_pattern_is_searched_only_for_texts_holding_the_words_it_needs() -> None:
    # Each match of the first holds a verb and a noun: the gate is some of them, not "to" or
    # "a", which every other message holds; "help" and "pls" are optional in the second.
    alternatives = [r"(?:talk|speak) to (?:a |an )?(?:human|agent)", r"(?:help )?escalate(?: pls)?"]
    talk, escalate = derive(alternatives[0]), derive(alternatives[1])
    assert talk is not None and escalate is not None
    assert talk.words and talk.words <= {"talk", "speak", "human", "agent"}
    assert escalate.words == {"escalate"}
    requests = GatedAlternation(alternatives, TEMPLATE, derive_table(alternatives))
    assert requests.search("can i talk to an agent")
    assert requests.search("please escalate pls")
    assert not requests.search("how do i add an agent to my team")
    # What nothing in the pattern requires has no gate, and is always searched.
    assert derive(r"\w+") is None
    # Nor is a pattern missing from the table (changed since the gates were derived) skipped.
    ungated = GatedAlternation([r"\w+ me"], TEMPLATE, {})
    assert ungated.search("call me")


def test_an_alternative_with_groups_is_refused_when_first_searched() -> None:
    # Joined into one alternation its groups would be numbered otherwise: "(b)y\1" after "(a)x\1".
    with pytest.raises(ValueError, match="groups"):
        GatedAlternation([r"(a)x\1"], TEMPLATE, {}).search("axa")

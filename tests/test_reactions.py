"""What the model of reactions (bot/core/reactions.py) is never asked about: a message that asks
in its form, or tells of a problem, stays one the FAQ may not answer, however it reads."""

from __future__ import annotations

import pytest

from bot.core.reactions import asks, only_reacts, tells_of_a_problem
from faq.semantic import shared_encoders

ASKING = [
    "is the induction free",
    "Do you deliver on Sundays",
    "can I pay in instalments",
    "how long does shipping take",
    "what a pain, where is my order",
    "anyone there?",
    "c'est possible ?",
    "est-ce que la livraison est gratuite",
    "combien coûte l'abonnement",
    "où est mon colis",
    "quel est le délai de livraison",
]
PROBLEMS = [
    "my order is missing a chair",
    "mon epub est incomplet, il manque des chapitres",
    "the sofa arrived damaged",
    "I still haven't received the code",
    "toujours rien dans ma boîte mail",
    "le colis est arrivé vide",
]
TELLING = [
    "ok I'm on the settings page now",
    "screws are in, moving on to the drawers",
    "j'attends le sms",
    "ok back",
]


@pytest.mark.parametrize("text", ASKING)
def test_a_message_that_asks_in_its_form_is_a_question(text: str) -> None:
    assert asks(text)
    assert not only_reacts(text, shared_encoders(with_minilm=False))


@pytest.mark.parametrize("text", PROBLEMS)
def test_a_problem_told_as_a_statement_is_no_reaction(text: str) -> None:
    assert tells_of_a_problem(text) and not asks(text)
    assert not only_reacts(text, shared_encoders(with_minilm=False))


@pytest.mark.parametrize("text", TELLING)
def test_what_only_tells_how_it_goes_neither_asks_nor_tells_of_a_problem(text: str) -> None:
    assert not asks(text) and not tells_of_a_problem(text)


def test_without_the_multilingual_encoder_nothing_is_read_as_a_reaction() -> None:
    assert not only_reacts("ok I'm on the settings page now", ())

"""What the model of reactions (bot/core/reactions.py) is never asked about: a message that asks
in its form, or tells of a problem, stays one the FAQ may not answer, however it reads."""

from __future__ import annotations

import pytest

from bot.core.reactions import asked_about, asks, only_reacts, tells_of_a_problem
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
    # Found by a review: an opener before what is asked, a question word last.
    "ok is it free",
    "merci, c'est payant",
    "je fais comment",
    "et maintenant je fais quoi",
    "refund?!",
    "ok et ensuite",
    "c'est o\u0300u",  # "où" with a combining accent, as some keyboards type it
    # A follow-up's opening, found by the held-out probe of messages after an answer.
    "and on iPad",
    "ok and on iPad",
    "et le week end",
]
PROBLEMS = [
    "my order is missing a chair",
    "mon epub est incomplet, il manque des chapitres",
    "the sofa arrived damaged",
    "I still haven't received the code",
    "toujours rien dans ma boîte mail",
    "le colis est arrivé vide",
    # Found by a review.
    "isnt working",
    "the page is blank",
    "the code expired",
    "l'appli plante",
    "le site est lent",
    "j'ai reçu le mauvais article",
    "the page keeps refreshing",
    "la box clignote en rouge",
    "thanks but I already did that",
    "still waiting",
    "it's been 3 weeks",
    "my internet is down",
    "personne n'a répondu",
]
TELLING = [
    # Found by a review: what, when or will in a statement, "already" or "down" in a report.
    "ok I will try it when I get home",
    "ok je le fais quand je rentre",
    "ok will do it tonight",
    "ok scrolling down now",
    "ok I'm already on the settings page",
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


def test_a_correction_a_command_or_a_keyword_is_never_asked_about() -> None:
    for text in ("*password", "/faq reload", "shipping", "returns policy"):
        assert not asked_about(text), text


def test_without_the_multilingual_encoder_nothing_is_read_as_a_reaction() -> None:
    assert not only_reacts("ok I'm on the settings page now", ())

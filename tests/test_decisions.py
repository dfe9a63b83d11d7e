"""What the bot says and remembers once a question is routed, decided without Redis, a platform
or an engine: each decision is data."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core import decisions
from bot.core.decisions import Step, next_step
from bot.core.language import phrase
from bot.core.models import (
    ConversationKey,
    EscalationReason,
    IncomingMessage,
    MessageKind,
    TicketStatus,
    Turn,
)
from bot.core.state import ConversationState, StateField, state_fields
from faq.index import FaqIndex, Hit
from faq.models import FaqEntry

REFUND = FaqEntry("refund", "How do I get a refund?", "Open Billing and press Refund.")
PRICES = FaqEntry("prices", "How much are the plans?", "From 5 EUR a month.")
STORAGE = FaqEntry("storage", "How much storage do I get?", "50 GB per seat.")
INDEX = FaqIndex([REFUND, PRICES, STORAGE])


def test_an_answer_names_its_sources_and_offers_a_rating_and_a_person() -> None:
    decided = decisions.answer(INDEX, "Can I get a refund?", REFUND.answer, ("refund",), 0.91, "en")

    assert decided.reply.text == REFUND.answer
    assert decided.reply.source_ids == ["refund"]
    assert decided.reply.sources[0].title == REFUND.question
    assert decided.reply.confidence == 0.91
    assert [(a.kind, a.value) for a in decided.reply.actions] == [
        (MessageKind.FEEDBACK, "helpful"),
        (MessageKind.FEEDBACK, "not_helpful"),
        (MessageKind.HUMAN, "human"),
    ]
    assert not decided.reply.escalated
    # It is counted, apiece for its entries, and ends a run of misses and any pending choice.
    assert decided.counters == ("answered",)
    assert decided.answered_from == ("refund",)
    assert set(decided.cleared) == {StateField.MISSED, StateField.CHOICES}
    # The question it answered is remembered: a typed "that's wrong" rates it.
    assert decided.changes == {StateField.ANSWERED: "Can I get a refund?"}


def test_an_answer_lists_only_the_sources_still_in_the_faq() -> None:
    decided = decisions.answer(
        INDEX, "refund?", "An LLM's answer.", ("refund", "gone-entry"), 0.8, "en"
    )
    assert decided.reply.source_ids == ["refund"]
    assert decided.answered_from == ("refund", "gone-entry")


def test_an_answer_in_french_has_french_buttons() -> None:
    decided = decisions.answer(INDEX, "remboursement ?", REFUND.answer, ("refund",), 0.9, "fr")
    assert [a.label for a in decided.reply.actions] == [
        phrase("helpful", "fr"),
        phrase("not_helpful", "fr"),
        phrase("human", "fr"),
    ]


def test_a_clarification_numbers_the_candidates_and_remembers_them_for_the_next_message() -> None:
    hits = [Hit(PRICES, 0.48), Hit(STORAGE, 0.46)]

    decided = decisions.clarification(hits, "en")

    assert decided.reply.text.splitlines() == [
        phrase("clarify", "en"),
        f"1. {PRICES.question}",
        f"2. {STORAGE.question}",
    ]
    assert [(a.kind, a.value) for a in decided.reply.actions] == [
        (MessageKind.CHOICE, "prices"),
        (MessageKind.CHOICE, "storage"),
    ]
    assert decided.reply.confidence == 0.48
    # Stored as the conversation's state holds it, and read back as typed state.
    stored = state_fields(decided.changes)
    assert ConversationState.read(stored).choices == ("prices", "storage")


def test_typing_a_number_after_a_clarification_picks_that_entry() -> None:
    offered = ("prices", "storage")
    assert decisions.pending_choice("2", offered) == "storage"
    assert decisions.pending_choice(" 1. ", offered) == "prices"
    assert decisions.pending_choice("1)", offered) == "prices"
    # Anything else is a new question.
    assert decisions.pending_choice("3", offered) is None
    assert decisions.pending_choice("0", offered) is None
    assert decisions.pending_choice("2 more seats please", offered) is None
    assert decisions.pending_choice("1", ()) is None


@pytest.mark.parametrize(
    ("said", "picked"),
    [
        ("the second one", "storage"),
        ("option 2", "storage"),
        ("#2", "storage"),
        ("first please", "prices"),
        ("la deuxième", "storage"),
        ("le premier svp", "prices"),
        ("ok the 1st one", "prices"),
        ("yes the second one thx", "storage"),
        ("la seconde", "storage"),
    ],
)
def test_saying_which_after_a_clarification_picks_that_entry(said: str, picked: str) -> None:
    """Found by a review: "the second one" was searched as a question, the list still pending."""
    assert decisions.pending_choice(said, ("prices", "storage")) == picked


@pytest.mark.parametrize(
    "said", ["the third one", "second hand phones", "I want the second one", "seconde"]
)
def test_what_is_no_pick_of_the_list_is_a_new_question(said: str) -> None:
    assert decisions.pending_choice(said, ("prices", "storage")) is None


def test_a_miss_says_so_in_the_customers_language_and_offers_a_person() -> None:
    decided = decisions.no_answer("fr", 0.21)

    assert decided.reply.text == phrase("no_answer", "fr")
    assert decided.reply.escalated
    assert decided.reply.confidence == 0.21
    assert [(a.kind, a.value) for a in decided.reply.actions] == [(MessageKind.HUMAN, "human")]
    # The engine counts misses at once; the decision only forgets a list no longer in view.
    assert not decided.changes and not decided.counters
    assert decided.cleared == (StateField.CHOICES, StateField.ANSWERED)


def test_a_miss_suggests_the_entries_it_may_be_about_as_choices_not_as_sources() -> None:
    unsure = [Hit(PRICES, 0.5), Hit(STORAGE, 0.4)]
    decided = decisions.no_answer("fr", 0.5, unsure)

    lines = decided.reply.text.split("\n")
    assert lines[0] == phrase("no_answer_suggest", "fr") and lines[-1] == phrase(
        "no_answer_else", "fr"
    )
    assert lines[1:3] == [f"1. {PRICES.question}", f"2. {STORAGE.question}"]
    assert decided.reply.escalated and decided.reply.sources == ()
    assert [(a.kind, a.value) for a in decided.reply.actions] == [
        (MessageKind.CHOICE, PRICES.id),
        (MessageKind.CHOICE, STORAGE.id),
        (MessageKind.HUMAN, "human"),
    ]
    # Their numbers pick them next, as after "Which of these do you mean?".
    assert decided.changes == {StateField.CHOICES: (PRICES.id, STORAGE.id)}


def test_conversation_state_reads_what_is_stored_and_survives_damaged_fields() -> None:
    stored = state_fields(
        {
            StateField.TICKET: "T-7",
            StateField.MISSED: 2,
            StateField.FORUM: True,
            StateField.TITLED: False,
            StateField.LANGUAGE: "fr",
        }
    )
    assert stored == {
        "ticket": "T-7",
        "missed": "2",
        "forum": "1",
        "titled": "0",
        "language": "fr",
    }
    state = ConversationState.read(stored)
    assert state == ConversationState(ticket="T-7", missed=2, forum=True, language="fr")
    # A hash written by hand or by an older version never breaks a conversation.
    assert ConversationState.read({"missed": "many", "choices": ",a,,b"}) == ConversationState(
        choices=("a", "b")
    )


def step(kind: MessageKind, text: str, state: ConversationState, held: bool = False) -> Step:
    return next_step(kind, text, state, held=held, max_chars=50, entries=INDEX.by_id).step


def test_while_a_person_handles_the_ticket_the_customers_words_go_to_them() -> None:
    with_agents = ConversationState(ticket="T-3")
    assert step(MessageKind.QUESTION, "any news?", with_agents) is Step.TO_AGENTS
    assert step(MessageKind.CHOICE, "refund", with_agents) is Step.TO_AGENTS
    assert step(MessageKind.QUESTION, "any news?", ConversationState(), held=True) is (
        Step.TO_HELD_TICKET
    )
    # Refused whole, not cut, so the ticket stays bounded and the customer knows.
    assert step(MessageKind.QUESTION, "x" * 51, with_agents) is Step.TOO_LONG
    # Buttons still work: a rating is a rating, and asking for a person says the ticket exists.
    assert step(MessageKind.FEEDBACK, "helpful", with_agents) is Step.FEEDBACK
    assert step(MessageKind.HUMAN, "human", with_agents) is Step.PERSON


def test_after_a_miss_the_person_button_or_a_yes_opens_a_ticket_about_the_missing_answer() -> None:
    after_miss = ConversationState(missed=1)
    pressed = next_step(
        MessageKind.HUMAN, "human", after_miss, held=False, max_chars=50, entries=INDEX.by_id
    )
    assert (pressed.step, pressed.reason) == (Step.PERSON, EscalationReason.NO_ANSWER)
    typed = next_step(
        MessageKind.QUESTION, "yes please", after_miss, held=False, max_chars=50, entries=()
    )
    assert (typed.step, typed.reason, typed.wrote) == (
        Step.PERSON,
        EscalationReason.NO_ANSWER,
        True,
    )
    # Without a miss, the button is a plain request and "yes please" is just words to search.
    plain = next_step(
        MessageKind.HUMAN, "human", ConversationState(), held=False, max_chars=50, entries=()
    )
    assert plain.reason is EscalationReason.ASKED
    assert step(MessageKind.QUESTION, "yes please", ConversationState()) is Step.ASK


def test_a_picked_entry_is_answered_and_a_button_for_a_removed_entry_is_read_as_a_question() -> (
    None
):
    clicked = next_step(
        MessageKind.CHOICE,
        "storage",
        ConversationState(),
        held=False,
        max_chars=50,
        entries=INDEX.by_id,
    )
    assert (clicked.step, clicked.entry_id, clicked.wrote) == (Step.PICK, "storage", False)
    offered = ConversationState(choices=("prices", "storage"))
    typed = next_step(
        MessageKind.QUESTION, "1", offered, held=False, max_chars=50, entries=INDEX.by_id
    )
    assert (typed.step, typed.entry_id, typed.wrote) == (Step.PICK, "prices", True)
    # An entry a reload removed since the buttons were shown.
    assert step(MessageKind.CHOICE, "old-entry", ConversationState()) is Step.ASK
    assert step(MessageKind.QUESTION, "", ConversationState()) is Step.EMPTY
    assert step(MessageKind.QUESTION, "y" * 51, ConversationState()) is Step.TOO_LONG


KEY = ConversationKey("slack", "T1", "D-ana")


def test_a_ticket_carries_the_whole_conversation_and_the_words_that_asked_for_it() -> None:
    history = [
        Turn("customer", "how much are the plans?", 1.0, "U-ana"),
        Turn("bot", PRICES.answer, 2.0, ""),
    ]
    asking = IncomingMessage(KEY, "m3", "U-ana", "I need a person, please")

    ticket = decisions.new_ticket(
        asking,
        asking.text,
        history,
        user_name="Ana",
        reason=EscalationReason.ASKED,
        language="en",
        now=3.0,
    )

    assert ticket.transcript == (
        ("customer", "how much are the plans?"),
        ("bot", PRICES.answer),
        ("customer", "I need a person, please"),
    )
    assert ticket.authors == ("U-ana", "", "U-ana")
    assert ticket.question == "I need a person, please"
    assert (ticket.key, ticket.user_id, ticket.user_name) == (KEY, "U-ana", "Ana")
    assert ticket.reason == EscalationReason.ASKED.description
    assert ticket.created_at == ticket.updated_at == 3.0
    # The person button says no words: the ticket is about the customer's last question.
    pressed = decisions.new_ticket(
        replace(asking, text="human", kind=MessageKind.HUMAN),
        "",
        history,
        user_name="Ana",
        reason=EscalationReason.NO_ANSWER,
        language="en",
        now=3.0,
    )
    assert pressed.question == "how much are the plans?"
    assert len(pressed.transcript) == 2


def test_only_the_tickets_customer_answers_an_offer_and_only_while_it_stands() -> None:
    ticket = decisions.new_ticket(
        IncomingMessage(KEY, "m1", "U-ana", "help"),
        "help",
        [],
        user_name="Ana",
        reason=EscalationReason.ASKED,
        language="en",
        now=1.0,
    )
    ticket = replace(ticket, id="T-4")
    yes = IncomingMessage(KEY, "m2", "U-ana", "yes:T-4", kind=MessageKind.CONFIRM)
    assert decisions.offer_refusal("yes", ticket, yes, offered="T-4") is None
    assert decisions.offer_refusal("no", ticket, yes, offered="T-4") is None
    someone_else = replace(yes, user_id="U-bob")
    assert decisions.offer_refusal("yes", ticket, someone_else, offered="T-4") == (
        "offer_not_yours"
    )
    elsewhere = replace(yes, key=ConversationKey("slack", "T1", "C-general"))
    assert decisions.offer_refusal("yes", ticket, elsewhere, offered="T-4") == "offer_not_yours"
    assert decisions.offer_refusal("yes", ticket, yes, offered=None) == "offer_closed"
    assert decisions.offer_refusal("maybe", ticket, yes, offered="T-4") == "offer_closed"
    resolved = replace(ticket, status=TicketStatus.RESOLVED)
    assert decisions.offer_refusal("yes", resolved, yes, offered="T-4") == "offer_closed"

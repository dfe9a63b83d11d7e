"""The conversation core as customers and agents experience it, on a real Redis."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.core.channels import CollectingOutputChannel
from bot.core.language import phrase
from bot.core.models import ConversationKey, DeskRef, IncomingMessage, MessageKind, Reply, Ticket
from bot.runtime.app import App
from bot.state.store import tag
from faq.repository import BUNDLED_FAQ
from faq.semantic import semantic_available
from tests.conftest import MakeApp
from tests.people import Customer


class RecordingDesk:
    """A desk that remembers the cards and messages it was given."""

    def __init__(self) -> None:
        self.cards: list[Ticket] = []
        self.customer_messages: list[tuple[str, str]] = []
        self.changes: list[Ticket] = []
        self.notes: list[tuple[str, str]] = []

    async def post_ticket(self, ticket: Ticket) -> DeskRef:
        self.cards.append(ticket)
        return DeskRef(
            ConversationKey("desk", "w", "DESK", f"card-{ticket.id}"), f"card-{ticket.id}"
        )

    async def post_customer_message(self, ticket: Ticket, text: str) -> None:
        self.customer_messages.append((ticket.id, text))

    async def ticket_changed(self, ticket: Ticket) -> None:
        self.changes.append(ticket)

    async def post_note(self, ticket: Ticket, text: str) -> None:
        self.notes.append((ticket.id, text))


async def test_a_question_gets_the_faq_answer_word_for_word_with_its_source(
    make_app: MakeApp,
) -> None:
    app = make_app()
    reply = await Customer(app.engine).say("How can I reset my password? I forgot it")
    entry = app.faq.index.by_id["reset-password"]
    assert reply.text == entry.answer
    assert reply.source_ids == ["reset-password"]
    assert reply.sources[0].title == entry.question
    assert 0.5 <= reply.confidence <= 1
    assert {a.value for a in reply.actions} == {"helpful", "not_helpful", "human"}
    assert not reply.escalated


async def test_the_conversation_is_remembered_in_redis(make_app: MakeApp) -> None:
    app = make_app()
    customer = Customer(app.engine)
    await customer.say("how do I reset my password")
    await customer.say("thanks!")
    history = await app.store.history(customer.key)
    assert [t.role for t in history] == ["customer", "bot", "customer", "bot"]
    assert history[0].text == "how do I reset my password"
    # A second bot process sharing the Redis sees the same conversation.
    replica = make_app()
    assert [t.text for t in await replica.store.history(customer.key)] == [t.text for t in history]


async def test_a_customer_s_words_are_remembered_exactly_as_written(make_app: MakeApp) -> None:
    app = make_app()
    customer = Customer(app.engine)
    said = 'Réinitialiser mon « mot de passe » 🙂 \\ "vite" 日本'
    await customer.say(said)
    history = await make_app().store.history(customer.key)
    assert history[0].text == said


async def test_a_damaged_counter_loses_only_its_count_not_the_conversation(
    make_app: MakeApp,
) -> None:
    app = make_app()
    # Someone overwrote the running counters by hand: every message's count now fails.
    await app.redis.set(app.store.key("counters"), "oops")
    customer = Customer(app.engine)

    reply = await customer.say("How can I reset my password? I forgot it")

    assert reply.source_ids == ["reset-password"]
    history = await app.store.history(customer.key)
    assert [t.role for t in history] == ["customer", "bot"]
    assert (await app.store.state(customer.key)).language == "en"
    failed = app.metrics.registry.get_sample_value("faqbot_errors_total", {"kind": "commit"})
    assert failed == 1


async def test_history_is_capped_and_expires(make_app: MakeApp) -> None:
    app = make_app(HISTORY_MAX_TURNS=4, HISTORY_TTL_SECONDS=120)
    customer = Customer(app.engine)
    for question in ("hello", "thanks", "hi", "merci"):
        await customer.say(question)
    history = await app.store.history(customer.key)
    assert history[0].text == "hi"
    assert len(history) == 4
    ttl = await app.redis.ttl(app.store.key("hist", tag(customer.key)))
    assert 0 < ttl <= 120


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello!", "Hello"),
        ("thank you so much", "welcome"),
        ("Bonjour", "Bonjour"),
        ("merci", "plaisir"),
    ],
)
async def test_small_talk_gets_a_short_reply_and_never_a_ticket(
    make_app: MakeApp, text: str, expected: str
) -> None:
    app = make_app()
    reply = await Customer(app.engine).say(text)
    assert expected in reply.text
    assert not reply.escalated
    assert await app.tickets.list() == []


async def test_saying_the_answer_worked_gets_thanks_back_not_the_answer_again(
    make_app: MakeApp,
) -> None:
    app = make_app()
    customer = Customer(app.engine)
    answer = await customer.say("How do I reset my password?")
    assert answer.sources
    reply = await customer.say("the password reset worked, thanks!")
    assert "welcome" in reply.text and not reply.sources and not reply.escalated
    assert await app.tickets.list() == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("is that right?", "what our FAQ says"), ("c'est vrai ?", "notre FAQ")],
)
async def test_asking_whether_the_answer_is_right_stands_by_the_faq_and_offers_a_person(
    make_app: MakeApp, text: str, expected: str
) -> None:
    """The FAQ holds entries that say "right now" or "working correctly": a customer who asks
    whether the answer is right must not get one of them as the answer."""
    app = make_app()
    customer = Customer(app.engine)
    assert (await customer.say("How do I reset my password?")).sources
    reply = await customer.say(text)
    assert expected in reply.text and "person" in reply.text.replace("personne", "person")
    assert not reply.sources and not reply.escalated
    assert await app.tickets.list() == []


@pytest.mark.parametrize(
    "text",
    [
        "I want to talk to a human",
        "can I speak with a real person please",
        "Je voudrais parler à un conseiller",
    ],
)
async def test_asking_for_a_person_opens_a_ticket(make_app: MakeApp, text: str) -> None:
    app = make_app()
    reply = await Customer(app.engine).say(text)
    assert reply.escalated and reply.ticket is not None
    assert reply.ticket.id in reply.text
    assert reply.ticket.reason == "the customer asked for a person"
    assert ("J'ai ouvert le ticket" in reply.text) == text.startswith("Je")


# Asks for a person in words none of bot/core/intents.py's patterns know (written for this test;
# in no tuning set).
UNPATTERNED_REQUEST = "I'd like a living, breathing member of your crew to read this"


async def test_a_request_for_a_person_in_words_no_pattern_knows_opens_a_ticket_at_once(
    make_app: MakeApp,
) -> None:
    # The FAQ has no answer, and the message's meaning reads as asking for a person: the ticket
    # opens without an offer first. The FAQ did fail, so the question is still a gap.
    app = make_app(SEMANTIC_SEARCH="multilingual")
    reply = await Customer(app.engine).say(UNPATTERNED_REQUEST)
    assert reply.ticket is not None and reply.ticket.id in reply.text
    assert reply.ticket.reason == "the FAQ has no answer"
    assert [(g.question, g.reason) for g in await app.gaps.since(1)] == [
        (UNPATTERNED_REQUEST, "no_answer")
    ]


async def test_without_embeddings_the_same_words_get_the_offer_of_a_person(
    make_app: MakeApp,
) -> None:
    app = make_app(SEMANTIC_SEARCH="off")
    reply = await Customer(app.engine).say(UNPATTERNED_REQUEST)
    assert reply.text == phrase("no_answer", "en")
    assert reply.escalated and reply.ticket is None


async def test_a_question_the_faq_answers_is_answered_even_if_it_reads_like_a_request(
    make_app: MakeApp,
) -> None:
    # The model of requests reads "support hours contact" as one (0.99): the FAQ's answer wins.
    app = make_app(SEMANTIC_SEARCH="multilingual")
    reply = await Customer(app.engine).say("support hours contact")
    assert not reply.escalated and [s.id for s in reply.sources] == ["support-contact"]


WEATHER = "What will the weather be like in Lisbon tomorrow?"


async def test_an_unrelated_question_gets_the_offer_of_a_person_and_a_yes_opens_the_ticket(
    make_app: MakeApp,
) -> None:
    app = make_app()
    customer = Customer(app.engine)
    await customer.say("hi")
    # No dead end: the bot says the FAQ has no answer and offers a person; no ticket yet.
    offer = await customer.say(WEATHER)
    assert offer.text == phrase("no_answer", "en")
    assert offer.escalated and offer.ticket is None
    assert [(a.kind, a.value, a.label) for a in offer.actions] == [
        (MessageKind.HUMAN, "human", "Talk to a person")
    ]
    assert await app.tickets.list() == []
    # The question is a gap in the FAQ from the first miss on.
    assert [(g.question, g.reason) for g in await app.gaps.since(1)] == [(WEATHER, "no_answer")]
    # The customer accepts by typing yes: the ticket they are told about is about the question.
    reply = await customer.say("yes")
    assert reply.escalated
    assert reply.ticket is not None and f"ticket {reply.ticket.id}" in reply.text
    stored = await app.tickets.get(reply.ticket.id)
    assert stored.question == WEATHER
    assert stored.reason == "the FAQ has no answer"
    assert stored.status == "open"
    assert [role for role, _ in stored.transcript][:4] == ["customer", "bot", "customer", "bot"]
    assert ("customer", WEATHER) in stored.transcript
    assert stored.user_name == "Alice" and stored.key == customer.key
    # Accepting is not a second gap.
    assert len(await app.gaps.since(1)) == 1


async def test_a_yes_after_small_talk_opens_the_ticket_about_the_question_not_the_small_talk(
    make_app: MakeApp,
) -> None:
    app = make_app()
    customer = Customer(app.engine)
    await customer.miss(WEATHER)
    await customer.say("cool thanks")
    reply = await customer.say("yes")
    assert reply.ticket is not None
    assert (await app.tickets.get(reply.ticket.id)).question == WEATHER


async def test_a_question_the_bot_is_unsure_of_suggests_the_likely_entry_one_click_away(
    make_app: MakeApp,
) -> None:
    app = make_app()
    customer = Customer(app.engine)
    # Not sure enough to answer: a miss all the same (no sources, a gap), with the entry it may
    # be about suggested beside the offer of a person.
    unsure = await customer.say("is there a public API?")
    assert unsure.escalated and unsure.ticket is None and unsure.source_ids == []
    assert unsure.text.startswith(phrase("no_answer_suggest_one", "en"))
    assert "\n1. How do I create an API key?\n" in unsure.text
    assert [(a.kind, a.value) for a in unsure.actions] == [
        (MessageKind.CHOICE, "api-keys"),
        (MessageKind.HUMAN, "human"),
    ]
    assert [g.question for g in await app.gaps.since(1)] == ["is there a public API?"]
    # Typing its number or saying which (or pressing it) answers from it, and ends the run of
    # misses.
    picked = await customer.say("the first one")
    assert picked.source_ids == ["api-keys"] and not picked.escalated
    await customer.miss(WEATHER)
    assert await app.tickets.list() == []


async def test_a_question_announced_with_its_topic_is_invited_not_counted_as_a_miss(
    make_app: MakeApp,
) -> None:
    app = make_app()
    customer = Customer(app.engine)
    # Nothing is asked yet: the bot asks for the question, with the entry the topic may be about
    # one click away and a person too, and records no gap.
    invited = await customer.say("hey there, I have a question about my subscription")
    assert invited.text.startswith(phrase("announced", "en") + "\n")
    assert invited.escalated and invited.ticket is None and invited.source_ids == []
    assert [(a.kind, a.value) for a in invited.actions] == [
        (MessageKind.CHOICE, "cancel-subscription"),
        (MessageKind.HUMAN, "human"),
    ]
    assert await app.gaps.since(1) == []
    # The question that follows, unanswered, is the run's first miss: no ticket yet.
    await customer.miss(WEATHER)
    assert await app.tickets.list() == []


async def test_a_topic_announced_again_after_an_invitation_is_a_miss(make_app: MakeApp) -> None:
    app = make_app()
    customer = Customer(app.engine)
    await customer.say("I have a question about my garden")
    # Invited once; announced again, it is the miss it reads as, and the run goes on from it.
    again = await customer.miss("I have a question about pizza")
    assert not again.text.startswith(phrase("announced", "en"))
    assert (await customer.say("Who won the football match last night?")).ticket is not None


async def test_an_announced_question_ends_the_run_of_misses_before_it(make_app: MakeApp) -> None:
    app = make_app()
    customer = Customer(app.engine, user_id="U-benoit")
    await customer.miss("Il fait quel temps à Paris ?")
    # Starting over: the offer made for the miss is gone ("oui" accepts nothing), and the
    # question that follows is the run's first miss.
    invited = await customer.say("Bonjour, j'ai une question sur mon abonnement")
    assert invited.text.startswith(phrase("announced", "fr"))
    assert (await customer.say("oui")).ticket is None
    await customer.miss("Vous vendez des vélos ?")
    assert await app.tickets.list() == []


async def test_a_question_announced_with_what_it_asks_is_a_question(make_app: MakeApp) -> None:
    app = make_app()
    customer = Customer(app.engine)
    # "about how refunds work" asks: searched and answered as any question is.
    answered = await customer.say("I have a question about how refunds work")
    assert answered.source_ids == ["refund-policy"]
    # And a topic the FAQ answers for sure is answered, not invited.
    sure = await customer.say("quick question about two-factor authentication")
    assert sure.source_ids == ["enable-two-factor-auth"]


async def test_the_bar_for_a_suggestion_is_the_search_modes_own_unless_one_is_set(
    make_app: MakeApp,
) -> None:
    # The encoders' scores and the words' alone are calibrated apart, and so is the bar.
    with_encoders = make_app().faq.index
    words_alone = make_app(SEMANTIC_SEARCH="off").faq.index
    assert (
        with_encoders.calibration_in("en").suggestion < words_alone.calibration_in("en").suggestion
    )
    # Set, it holds in every mode: above 1, the unsure question is a plain miss.
    never = make_app(SUGGESTION_THRESHOLD=1.01)
    unsure = await Customer(never.engine).say("is there a public API?")
    assert unsure.escalated and unsure.source_ids == []
    assert [a.kind for a in unsure.actions] == [MessageKind.HUMAN]


async def test_the_talk_to_a_person_button_on_the_offer_opens_the_ticket_for_the_question(
    make_app: MakeApp,
) -> None:
    app = make_app()
    customer = Customer(app.engine)
    reply = await customer.ask_for_a_person_after(WEATHER)
    assert reply.escalated and reply.ticket is not None and reply.ticket.id in reply.text
    stored = await app.tickets.get(reply.ticket.id)
    assert stored.question == WEATHER and stored.status == "open"
    # Pressing it again does not open a second ticket.
    assert (await customer.send("human", MessageKind.HUMAN)).ticket is None
    assert len(await app.tickets.list()) == 1


async def test_a_second_miss_in_a_row_opens_a_ticket_and_an_answer_in_between_resets_the_count(
    make_app: MakeApp,
) -> None:
    app = make_app()
    customer = Customer(app.engine)
    await customer.miss(WEATHER)
    answered = await customer.say("how do I reset my password")
    assert answered.source_ids == ["reset-password"]
    await customer.miss("Can you recommend a good pizza place in Rome?")
    assert await app.tickets.list() == []
    second = await customer.say("Who won the football match last night?")
    assert second.escalated and second.ticket is not None
    stored = await app.tickets.get(second.ticket.id)
    assert stored.question == "Who won the football match last night?"
    assert stored.reason == "the FAQ has no answer"


@pytest.mark.parametrize("no", ["no thanks", "no", "nope", "non"])
async def test_a_no_to_the_offer_is_not_a_yes(make_app: MakeApp, no: str) -> None:
    app = make_app()
    customer = Customer(app.engine)
    await customer.miss(WEATHER)
    declined = await customer.say(no)
    assert declined.ticket is None and declined.sources == ()
    assert await app.tickets.list() == []


@pytest.mark.parametrize(("no", "kind"), [("no", "decline"), ("no thanks", "goodbye")])
async def test_an_offer_turned_down_stays_turned_down(
    make_app: MakeApp, no: str, kind: str
) -> None:
    app = make_app()
    customer = Customer(app.engine)
    await customer.miss(WEATHER)
    assert (await customer.say(no)).text == phrase(kind, "en")
    # "ok" acknowledges the bot's reply; it is no longer a yes to the offer refused.
    assert (await customer.say("ok")).ticket is None
    # Nor is the next miss the second in a row.
    await customer.miss("Can you recommend a good pizza place in Rome?")
    assert await app.tickets.list() == []


# Once an English embedding model matched any unrelated French question to a French entry; the
# multilingual encoder now judges French questions.
async def test_a_french_customer_gets_the_bots_own_messages_in_french(make_app: MakeApp) -> None:
    app = make_app()
    customer = Customer(app.engine)
    offer = await customer.say("Quelle est la météo à Lyon demain ?")
    assert offer.escalated and offer.ticket is None
    assert offer.text == phrase("no_answer", "fr")
    assert [a.label for a in offer.actions][-1] == "Parler à une personne"
    reply = await customer.say("oui")
    assert reply.ticket is not None and "J'ai ouvert le ticket" in reply.text
    assert [a.label for a in reply.actions] == []
    answered = await Customer(app.engine).say("Comment payer par virement SEPA ?")
    assert [a.label for a in answered.actions] == ["Utile", "Pas utile", "Parler à une personne"]


async def test_a_french_texters_nod_or_laugh_gets_a_french_reply(make_app: MakeApp) -> None:
    """Words only French chat uses ("mdr", "slt", "dac") tell the language of a message too short
    for any other word to."""
    app = make_app()
    for text, kind in (("mdr", "ack"), ("slt", "greeting"), ("dac", "ack"), ("cimer", "thanks")):
        reply = await Customer(app.engine).say(text)
        assert reply.text == phrase(kind, "fr"), text
    assert (await Customer(app.engine).say("lol")).text == phrase("ack", "en")


# Two entries that differ only in a detail the customer did not give: either could be meant.
CANCEL_FAQ = (
    "- id: cancel-monthly\n  question: How do I cancel a monthly subscription?\n"
    "  answer: Open Billing and click Cancel; a monthly plan stops at the end of the month.\n"
    "- id: cancel-yearly\n  question: How do I cancel a yearly subscription?\n"
    "  answer: Open Billing and click Cancel; a yearly plan stops at the end of the year.\n"
    "- id: other\n  question: How do I change my avatar?\n  answer: Click your picture.\n"
)


async def test_two_equally_likely_entries_make_the_bot_ask_which_one(
    make_app: MakeApp, tmp_path: Path
) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(CANCEL_FAQ)
    # Lexical search, where these two entries are equally likely (the embeddings' case is below).
    app = make_app(faq_path=faq, SEMANTIC_SEARCH="off")
    customer = Customer(app.engine)
    reply = await customer.say("how do I cancel my subscription")
    assert not reply.escalated
    assert sorted(a.value for a in reply.actions) == ["cancel-monthly", "cancel-yearly"]
    assert all(a.kind is MessageKind.CHOICE for a in reply.actions)
    assert "1." in reply.text and "2." in reply.text
    # Typing the number picks the option, like pressing its button would.
    chosen = await customer.say("2")
    assert chosen.source_ids == [reply.actions[1].value]
    pressed = await customer.press(reply, "cancel-monthly")
    assert pressed.text == app.faq.index.by_id["cancel-monthly"].answer


@pytest.mark.skipif(not semantic_available(), reason="needs the semantic extra (MiniLM)")
@pytest.mark.xfail(
    strict=True,
    reason="with both sentence encoders the entry ranked first takes most signals' votes and the "
    "margin, so two entries that differ only in a detail the customer did not give are never "
    "within AMBIGUITY_MARGIN (0.97 against 0.84 here): the bot answers one instead of asking",
)
async def test_with_sentence_embeddings_too_two_equally_likely_entries_make_the_bot_ask(
    make_app: MakeApp, tmp_path: Path
) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(CANCEL_FAQ)
    app = make_app(faq_path=faq, SEMANTIC_SEARCH="on")
    reply = await Customer(app.engine).say("how do I cancel my subscription")
    assert sorted(a.value for a in reply.actions) == ["cancel-monthly", "cancel-yearly"]


async def test_feedback_is_counted_and_repeated_negative_feedback_escalates(
    make_app: MakeApp,
) -> None:
    app = make_app(NEGATIVE_FEEDBACK_LIMIT=2)
    customer = Customer(app.engine)
    answer = await customer.say("How do I enable two-factor authentication?")
    thanks = await customer.press(answer, "helpful")
    assert "Thanks" in thanks.text
    sorry = await customer.press(answer, "not_helpful")
    assert not sorry.escalated and [a.kind for a in sorry.actions] == [MessageKind.HUMAN]
    escalated = await customer.press(answer, "not_helpful")
    assert escalated.escalated and escalated.ticket is not None
    assert escalated.ticket.reason == "repeated negative feedback"
    assert escalated.ticket.question == "How do I enable two-factor authentication?"
    counters = await app.store.counters()
    assert counters["feedback_helpful"] == 1 and counters["feedback_not_helpful"] == 2


async def test_saying_the_answer_is_wrong_is_a_not_helpful_typed(make_app: MakeApp) -> None:
    """Searched, "no that's wrong" found the locked-account entry (its "wrong password"), and
    "ça ne marche toujours pas" nothing: the customer is telling the bot its answer failed."""
    app = make_app(NEGATIVE_FEEDBACK_LIMIT=2)
    customer = Customer(app.engine)
    assert (await customer.say("How do I enable two-factor authentication?")).sources
    sorry = await customer.say("no that's wrong")
    assert "Sorry that didn't help" in sorry.text and not sorry.sources and not sorry.escalated
    assert [a.kind for a in sorry.actions] == [MessageKind.HUMAN]
    said = [(turn.role, turn.text) for turn in await app.store.history(customer.key)]
    assert said[-2:] == [("customer", "no that's wrong"), ("bot", sorry.text)]
    gaps = await app.gaps.since(1)
    assert [(g.question, g.reason) for g in gaps] == [
        ("How do I enable two-factor authentication?", "not_helpful")
    ]
    escalated = await customer.say("ça ne marche toujours pas")
    assert escalated.ticket is not None and escalated.ticket.reason == "repeated negative feedback"
    assert escalated.ticket.question == "How do I enable two-factor authentication?"
    assert (await app.store.counters())["feedback_not_helpful"] == 2


async def answered(app: App, question: str) -> Customer:
    """A customer whose question the FAQ has just answered."""
    customer = Customer(app.engine)
    assert (await customer.say(question)).sources, question
    return customer


async def test_reporting_progress_after_an_answer_is_no_miss_and_opens_no_ticket(
    make_app: MakeApp,
) -> None:
    """Searched, "ok I'm on the settings page now" found nothing sure: the bot offered a person
    for it, and the next message it could not answer opened a ticket as the second miss."""
    app = make_app()
    customer = await answered(app, "How do I enable two-factor authentication?")
    for said in ("ok I'm on the settings page now", "wow that's a lot of steps"):
        reply = await customer.say(said)
        assert reply.text == phrase("reaction", "en") and not reply.escalated
        assert not reply.sources and reply.ticket is None
        assert [a.kind for a in reply.actions] == [MessageKind.HUMAN]
    # Neither counted as a miss, nor as a gap in the FAQ: this is the first miss.
    await customer.miss("Do you sell garden furniture?")
    assert [g.question for g in await app.gaps.since(1)] == ["Do you sell garden furniture?"]
    # A problem told as a statement, and a question not asked with a question mark, are misses.
    ticket = (await customer.say("my order is missing a chair")).ticket
    assert ticket is not None and ticket.question == "my order is missing a chair"
    await Customer(app.engine).miss("is the induction free")
    await Customer(app.engine).miss("/faq reload")
    # With no answer before it there is nothing to react to; after a miss the model is not
    # asked ("that would be great" may accept the offer of a person): a second miss, a ticket.
    await Customer(app.engine).miss("ok I'm on the settings page now")
    accepting = Customer(app.engine)
    await accepting.miss("Do you sell garden furniture?")
    assert (await accepting.say("ok I'm on the settings page now")).ticket is not None


async def test_telling_how_following_the_answer_goes_does_not_get_it_again(
    make_app: MakeApp,
) -> None:
    """ "ok scanning the QR code now" repeats the 2FA entry's words: it got the answer again."""
    app = make_app()
    customer = await answered(app, "How do I enable two-factor authentication?")
    reply = await customer.say("ok scanning the QR code now")
    assert reply.text == phrase("reaction", "en") and not reply.sources
    # Asked for again, it is given again.
    again = await customer.say("how do I enable 2FA?")
    assert again.source_ids == ["enable-two-factor-auth"]


async def test_a_run_of_progress_reports_never_gets_the_answer_again(make_app: MakeApp) -> None:
    """Found by a review: after one reaction's reply, the same report got the whole answer."""
    app = make_app()
    customer = await answered(app, "How do I enable two-factor authentication?")
    for said in ("ok scanning the QR code now", "ok I'm on the settings page now") * 2:
        assert (await customer.say(said)).text == phrase("reaction", "en"), said


async def test_a_pick_with_no_such_option_is_said_so_and_is_no_miss(make_app: MakeApp) -> None:
    """Searched, "the second one" was a miss, so the next miss opened a ticket about it."""
    app = make_app()
    customer = Customer(app.engine)
    for said in ("the second one", "2"):
        reply = await customer.say(said)
        assert reply.text == phrase("no_such_pick", "en") and not reply.escalated
    await customer.miss("Do you sell garden furniture?")
    reply = await customer.say("the fourth one")
    assert reply.text == phrase("no_such_pick", "en") and reply.ticket is None
    ticket = (await customer.say("Can I bring my dog to your office?")).ticket
    assert ticket is not None and ticket.question == "Can I bring my dog to your office?"


async def test_a_list_shown_before_a_ticket_is_no_longer_picked_from_after_it(
    make_app: MakeApp,
) -> None:
    app = make_app()
    customer = Customer(app.engine)
    offer = await customer.miss("is there a public API?")
    assert any(a.kind is MessageKind.CHOICE for a in offer.actions)
    opened = await customer.say("yes")
    assert opened.ticket is not None
    await app.engine.resolve(opened.ticket.id, "Bob")
    assert (await customer.say("the first one")).text == phrase("no_such_pick", "en")


async def assert_nothing_rated(app: App, reply: Reply) -> None:
    """No answer of the bot's was there to rate: the miss's offer of a person, nothing counted."""
    assert reply.escalated and reply.ticket is None and "Sorry that didn't help" not in reply.text
    assert "feedback_not_helpful" not in await app.store.counters()


async def test_saying_it_is_wrong_before_any_question_gets_the_offer_and_rates_nothing(
    make_app: MakeApp,
) -> None:
    """Searched, "no that's wrong" found the locked-account entry at 0.99."""
    app = make_app()
    reply = await Customer(app.engine, named=True).say("no that's wrong")
    await assert_nothing_rated(app, reply)
    assert not reply.sources and await app.gaps.since(1) == []
    # The conversation's first words on its problem, so they title it as a question would.
    assert reply.title == "no that's wrong"


async def test_only_a_conversation_its_platform_names_gets_a_title(make_app: MakeApp) -> None:
    """A Slack channel thread or a terminal has nowhere to show one: nothing is worked out or
    stored for it."""
    app = make_app()
    unnamed, named = Customer(app.engine), Customer(app.engine, named=True)
    question = "How do I reset my password? mail me at alice@example.com"
    assert (await unnamed.say(question)).title == ""
    assert "titled" not in await app.store.redis.hgetall(app.store.state_name(unnamed.key))
    titled = await named.say(question)
    assert titled.title.startswith("How do I reset my password?")
    assert "alice@example.com" not in titled.title
    # Titled once: the next question keeps the first one's.
    assert (await named.say("and how do I turn on 2FA?")).title == ""


async def test_after_a_miss_saying_it_is_wrong_hands_the_missed_question_to_a_person(
    make_app: MakeApp,
) -> None:
    """There was no answer to rate: it is the second miss in a row."""
    app = make_app()
    customer = Customer(app.engine)
    await customer.miss(WEATHER)
    reply = await customer.say("that's not what I asked")
    assert reply.ticket is not None and reply.ticket.question == WEATHER
    assert reply.ticket.reason == "the FAQ has no answer"
    assert reply.ticket.transcript[-1] == ("customer", "that's not what I asked")
    assert "feedback_not_helpful" not in await app.store.counters()


async def test_saying_it_is_wrong_after_a_ticket_rates_nothing_the_agents_handled(
    make_app: MakeApp,
) -> None:
    """The customer's last words went to the agent, not to the FAQ."""
    app = make_app()
    customer = Customer(app.engine)
    assert (await customer.say("How do I reset my password?")).sources
    opened = await customer.say("I want to talk to a human")
    assert opened.ticket is not None
    await customer.say("I am flying to Lisbon for a conference")
    await app.engine.resolve(opened.ticket.id, "Bob")
    await assert_nothing_rated(app, await customer.say("that's wrong"))


async def test_saying_not_that_to_which_of_these_do_you_mean_rates_nothing(
    make_app: MakeApp, tmp_path: Path
) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(CANCEL_FAQ)
    app = make_app(faq_path=faq, SEMANTIC_SEARCH="off")
    customer = Customer(app.engine)
    assert (await customer.say("How do I change my avatar?")).sources
    assert len((await customer.say("how do I cancel my subscription")).actions) == 2
    await assert_nothing_rated(app, await customer.say("not that"))


async def test_a_problem_said_after_a_greeting_gets_the_offer_of_a_person_not_an_apology(
    make_app: MakeApp,
) -> None:
    app = make_app()
    customer = Customer(app.engine)
    await customer.say("Bonjour")
    reply = await customer.say("ça ne marche pas")
    await assert_nothing_rated(app, reply)
    assert reply.text.startswith("Je n'ai pas trouvé") and await app.gaps.since(1) == []


def shared_thread(app: App) -> tuple[Customer, Customer]:
    """Alice, who opened the thread, and Bob, who joined it."""
    alice = Customer(app.engine)
    return alice, Customer(app.engine, key=alice.key, user_id="U-bob", user_name="Bob")


async def test_another_member_of_a_shared_thread_saying_same_problem_rates_nothing(
    make_app: MakeApp,
) -> None:
    """Bob's "me too" is not Alice's rating of her answer, and opens no ticket in his name."""
    app = make_app(NEGATIVE_FEEDBACK_LIMIT=1)
    alice, bob = shared_thread(app)
    assert (await alice.say("How do I reset my password?")).sources
    reply = await bob.say("same problem")
    assert reply.ticket is None and not reply.escalated
    assert "feedback_not_helpful" not in await app.store.counters()
    # Nor is it a miss of Alice's, and Bob's own answered question is not what she rates.
    assert (await bob.say("How do I enable two-factor authentication?")).sources
    rated = await alice.say("that's wrong")
    [gap] = await app.gaps.since(1)
    assert (gap.question, gap.reason) == ("How do I reset my password?", "not_helpful")
    assert rated.ticket is not None and rated.ticket.user_id == "U-alice"
    assert rated.ticket.reason == "repeated negative feedback"
    assert rated.ticket.question == "How do I reset my password?"
    assert rated.ticket.transcript[-1] == ("customer", "that's wrong")


async def test_in_a_shared_thread_another_members_misses_are_not_the_customers(
    make_app: MakeApp,
) -> None:
    """Bob's unanswered question made Alice's first miss her "second in a row" (a ticket), and
    made her "that's wrong" about her answer a miss of its own."""
    app = make_app()
    alice, bob = shared_thread(app)
    assert (await alice.say("How do I reset my password?")).sources
    await bob.miss(WEATHER)
    rated = await alice.say("that's wrong")
    assert "Sorry that didn't help" in rated.text and rated.ticket is None
    rated_gaps = [g.question for g in await app.gaps.since(1) if g.reason == "not_helpful"]
    assert rated_gaps == ["How do I reset my password?"]
    await bob.miss(WEATHER)
    assert (await bob.say("How do I enable two-factor authentication?")).sources
    await alice.miss("Do you sell garden furniture?")
    await bob.miss(WEATHER)
    ticket = (await alice.say("Can I bring my dog to your office?")).ticket
    assert ticket is not None and ticket.question == "Can I bring my dog to your office?"


async def test_not_helpful_pressed_in_a_shared_thread_rates_the_answer_its_customer_got(
    make_app: MakeApp,
) -> None:
    """Bob's question, answered after Alice's, is not what her press rates, nor her ticket."""
    app = make_app(NEGATIVE_FEEDBACK_LIMIT=2)
    alice, bob = shared_thread(app)
    answer = await alice.say("How do I reset my password?")
    assert (await bob.say("How do I enable two-factor authentication?")).sources
    await alice.press(answer, "not_helpful")
    escalated = await alice.press(answer, "not_helpful")
    assert {g.question for g in await app.gaps.since(1)} == {"How do I reset my password?"}
    assert escalated.ticket is not None
    assert escalated.ticket.question == "How do I reset my password?"


async def test_the_talk_to_a_person_button_escalates_the_last_question(make_app: MakeApp) -> None:
    app = make_app()
    customer = Customer(app.engine)
    answer = await customer.say("What are the storage limits of each plan?")
    reply = await customer.press(answer, "human")
    assert (
        reply.ticket is not None
        and reply.ticket.question == "What are the storage limits of each plan?"
    )
    again = await customer.press(answer, "human")
    assert reply.ticket.id in again.text and again.ticket is None


async def test_a_ticket_reaches_the_desk_and_agent_replies_reach_the_customer(
    make_app: MakeApp,
) -> None:
    app = make_app()
    desk = RecordingDesk()
    outbox = CollectingOutputChannel("terminal")
    app.engine.set_desk(desk)
    app.engine.register_channel(outbox)
    customer = Customer(app.engine)
    reply = await customer.ask_for_a_person_after("Can you recommend a good pizza place in Rome?")
    assert reply.ticket is not None
    assert [card.id for card in desk.cards] == [reply.ticket.id]
    ticket = await app.tickets.get(reply.ticket.id)
    assert ticket.desk_ref is not None
    # The agent answers in the card's thread: the core relays it to the customer and claims it.
    agent = IncomingMessage(
        key=ticket.desk_ref.key,
        message_id="a1",
        user_id="U-bob",
        user_name="Bob",
        text="Hi Alice, yes: our sales team will call you @everyone",
    )
    assert (await app.engine.handle(agent)).is_empty
    [(key, relayed)] = outbox.sent
    assert key == customer.key
    assert relayed.text.startswith("Bob: Hi Alice")
    assert "@everyone" not in relayed.text
    assert (await app.tickets.get(ticket.id)).claimed_by == "Bob"
    # While a person handles it, the bot stays quiet and passes the customer's words on.
    quiet = await customer.say("Great, what number will you call?")
    assert quiet.is_empty
    assert desk.customer_messages == [(ticket.id, "Great, what number will you call?")]
    # Resolving closes the ticket, tells the customer, and the bot answers again.
    resolved = await app.engine.resolve(ticket.id, "Bob")
    assert resolved.status == "resolved"
    assert "resolved" in outbox.sent[-1][1].text
    assert desk.changes[-1].status == "resolved"
    assert not (await customer.say("how do I reset my password")).is_empty
    transcript = (await app.tickets.get(ticket.id)).transcript
    assert ("agent", "Hi Alice, yes: our sales team will call you @everyone") in transcript
    assert ("customer", "Great, what number will you call?") in transcript


class DownDesk(RecordingDesk):
    """A desk whose platform refuses every post after the ticket's card."""

    async def post_customer_message(self, ticket: Ticket, text: str) -> None:
        raise ConnectionError("the desk's platform is down")

    async def post_note(self, ticket: Ticket, text: str) -> None:
        raise ConnectionError("the desk's platform is down")


async def test_a_desk_outage_while_the_customer_writes_to_their_ticket_loses_nothing(
    make_app: MakeApp,
) -> None:
    app = make_app()
    app.engine.set_desk(DownDesk())
    customer = Customer(app.engine)
    reply = await customer.say("I want to talk to a human")
    assert reply.ticket is not None

    quiet = await customer.say("My order number is 4417")

    assert quiet.is_empty
    ticket = await app.tickets.get(reply.ticket.id)
    assert ("customer", "My order number is 4417") in ticket.transcript
    history = await app.store.history(customer.key)
    assert history[-1].text == "My order number is 4417"
    errors = app.metrics.registry.get_sample_value("faqbot_errors_total", {"kind": "desk"})
    assert errors == 1


async def test_an_agent_message_on_a_resolved_ticket_is_not_relayed(make_app: MakeApp) -> None:
    app = make_app()
    desk = RecordingDesk()
    outbox = CollectingOutputChannel("terminal")
    app.engine.set_desk(desk)
    app.engine.register_channel(outbox)
    reply = await Customer(app.engine).say("I want to talk to a human")
    assert reply.ticket is not None
    await app.engine.resolve(reply.ticket.id, "Bob")
    sent_before = len(outbox.sent)
    ticket = await app.tickets.get(reply.ticket.id)
    assert ticket.desk_ref is not None
    late = await app.engine.handle(
        IncomingMessage(
            key=ticket.desk_ref.key, message_id="late", user_id="U-bob", text="one more thing"
        )
    )
    assert "resolved" in late.text
    assert len(outbox.sent) == sent_before


async def test_in_a_channel_the_bot_answers_only_when_mentioned_then_follows_its_thread(
    make_app: MakeApp,
) -> None:
    app = make_app()
    key = ConversationKey("slack", "T1", "C-general", "1700000000.0001")
    bystander = Customer(app.engine, key=key, is_direct=False, mentioned=False)
    assert (await bystander.say("how do I reset my password")).is_empty
    asker = Customer(app.engine, key=key, is_direct=False, mentioned=True)
    assert (await asker.say("how do I reset my password")).source_ids == ["reset-password"]
    follow_up = await bystander.say("and how do I turn on two-factor authentication?")
    assert follow_up.source_ids == ["enable-two-factor-auth"]


async def test_a_redelivered_event_is_answered_once_even_by_another_replica(
    make_app: MakeApp,
) -> None:
    first, second = make_app(), make_app()
    message = IncomingMessage(
        key=ConversationKey("slack", "T1", "D1"),
        message_id="Ev-42",
        user_id="U1",
        text="how do I reset my password",
        is_direct=True,
    )
    replies = [await first.engine.handle(message), await second.engine.handle(message)]
    assert [r.is_empty for r in replies] == [False, True]


@pytest.mark.parametrize(
    ("text", "expected"), [("", "didn't catch"), ("   \u200b\u200b  ", "didn't catch")]
)
async def test_an_empty_message_gets_a_polite_prompt(
    make_app: MakeApp, text: str, expected: str
) -> None:
    app = make_app()
    reply = await Customer(app.engine).say(text)
    assert expected in reply.text and not reply.escalated


async def test_a_20000_character_message_gets_a_clear_reply_and_no_ticket(
    make_app: MakeApp,
) -> None:
    app = make_app()
    reply = await Customer(app.engine).say("password " * 2500)
    assert "too long" in reply.text and "4,000" in reply.text
    assert await app.tickets.list() == []


async def test_control_and_zero_width_characters_do_not_break_matching(make_app: MakeApp) -> None:
    app = make_app()
    reply = await Customer(app.engine).say("how do I re\u200bset my pass\u0000word\u202e?")
    assert reply.source_ids == ["reset-password"]


async def test_text_meant_to_ping_everyone_is_defused_in_the_ticket_card(make_app: MakeApp) -> None:
    app = make_app()
    desk = RecordingDesk()
    app.engine.set_desk(desk)
    outbox = CollectingOutputChannel("terminal")
    app.engine.register_channel(outbox)
    customer = Customer(app.engine)
    reply = await customer.say("@everyone @here <!channel> talk to a human now")
    assert reply.ticket is not None
    assert "@everyone" not in reply.text and "<!channel>" not in reply.text
    await customer.say("hello <!here> @channel")
    assert desk.customer_messages and "@channel" not in desk.customer_messages[0][1]
    assert "<!here>" not in desk.customer_messages[0][1]


async def test_the_bot_keeps_answering_when_redis_is_down(make_app: MakeApp) -> None:
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0", REDIS_RETRY_SECONDS=0)
    reply = await Customer(app.engine).say("how do I reset my password")
    assert reply.source_ids == ["reset-password"]
    # The ticket is held in the process under a provisional id until Redis is back.
    held = await Customer(app.engine).say("I want to talk to a human")
    assert held.escalated and held.ticket is not None and held.ticket.id.startswith("P-")
    assert f"ticket {held.ticket.id}" in held.text and len(app.engine.outbox) == 1


async def test_the_bundled_faq_is_the_default(make_app: MakeApp) -> None:
    app = make_app()
    assert app.faq.path == BUNDLED_FAQ
    assert len(app.faq.index) >= 40


def _texts(replies: list[Reply]) -> list[str]:
    return [r.text for r in replies]


async def test_a_ticket_closed_by_another_process_hands_the_conversation_back(
    make_app: MakeApp,
) -> None:
    bot, other = make_app(), make_app()
    customer = Customer(bot.engine)
    reply = await customer.say("I want to talk to a human")
    assert reply.ticket is not None
    assert (await customer.say("hello?")).is_empty
    await other.tickets.resolve(reply.ticket.id, "ana")
    assert (await customer.say("how do I reset my password")).source_ids == ["reset-password"]


async def test_the_channel_allow_list_limits_channels_but_never_dms(make_app: MakeApp) -> None:
    app = make_app(SLACK_ALLOWED_CHANNELS="C-help", DISCORD_ALLOWED_CHANNEL_IDS="900")
    question = "how do I reset my password"

    async def ask(key: ConversationKey, **facts: object) -> Reply:
        return await app.engine.handle(
            IncomingMessage(key=key, message_id="", user_id="U1", text=question, **facts)  # type: ignore[arg-type]
        )

    assert (await ask(ConversationKey("slack", "T", "C-random", "1.0"), mentioned=True)).is_empty
    assert not (await ask(ConversationKey("slack", "T", "C-help", "2.0"), mentioned=True)).is_empty
    assert not (await ask(ConversationKey("slack", "T", "D-1"), is_direct=True)).is_empty
    # A Discord thread is a channel of its own: its parent decides.
    thread = ConversationKey("discord", "G", "777")
    assert not (await ask(thread, mentioned=True, parent_channel_id="900")).is_empty
    assert (await ask(ConversationKey("discord", "G", "778"), mentioned=True)).is_empty


async def test_channel_chatter_the_bot_is_not_part_of_leaves_nothing_in_redis(
    make_app: MakeApp,
) -> None:
    app = make_app()
    key = ConversationKey("slack", "T1", "C-general", "1700000000.0002")
    await Customer(app.engine, key=key, is_direct=False).say("lunch at noon, anyone?")
    assert [k async for k in app.redis.scan_iter(f"{app.store.prefix}:*")] == []


async def test_a_burst_of_more_conversations_than_redis_connections_keeps_every_ones_state(
    make_app: MakeApp,
) -> None:
    # More customers at once than the client's connection pool holds (100): they wait their turn
    # for a connection instead of losing their history and dedupe marks.
    app = make_app()
    # 150: half again the pool; more only makes the last ones wait past the pool's 20 s on a
    # loaded 2-core machine, which tests the machine, not the waiting.
    customers = [Customer(app.engine) for _ in range(150)]
    replies = await asyncio.gather(*(c.say("how do I reset my password") for c in customers))
    assert all(reply.source_ids == ["reset-password"] for reply in replies)
    histories = await asyncio.gather(*(app.store.history(c.key) for c in customers))
    assert all([t.role for t in history] == ["customer", "bot"] for history in histories)
    assert app.metrics.registry.get_sample_value("faqbot_errors_total", {"kind": "redis"}) is None

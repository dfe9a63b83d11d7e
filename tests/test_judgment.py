"""The bot's judgment as customers meet it: on a FAQ written like a company's (one question per
entry, no alternates), in English and French, it answers what it can, never leaves a customer at
a dead end, reads follow-ups in context, and with an LLM lets the model decide."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.models import Reply
from faq.index import FaqIndex
from faq.models import FaqEntry
from faq.repository import FaqRepository
from faq.semantic import shared_encoders
from tests.conftest import MakeApp, llm_app
from tests.people import Customer
from tests.standins.anthropic_api import AnthropicStandIn
from tests.test_cli import faqbot

# A hosting company's FAQ as such companies write them: one question each, key terms in answers.
HOSTING_FAQ = """\
- id: uptime
  question: How reliable is your hosting?
  answer: Every plan includes a 99.9% uptime SLA. If we miss it, you get service credits of 10% of
    the monthly fee for each hour of downtime, up to 50%.
- id: refunds
  question: Can I get my money back?
  answer: We refund any plan in full within 30 days of purchase. Refunds reach your card within 5
    to 10 business days.
- id: payment-methods
  question: What payment methods do you accept?
  answer: We accept Visa, Mastercard, American Express, PayPal and SEPA direct debit.
- id: invoices
  question: Where can I find my invoices?
  answer: Every invoice is in Billing > Invoices, where you can download it as a PDF.
- id: dns
  question: How do I point my domain to my site?
  answer: Create an A record at your registrar pointing to your server's IP address; DNS changes
    take up to 24 hours to spread.
- id: backups
  question: Do you back up my data?
  answer: We take a full backup every night and keep 14 days of them. Restore one from Panel >
    Backups.
- id: cancel
  question: How do I cancel my plan?
  answer: Go to Billing > Plan and choose Cancel. Your site stays online until the end of the
    paid period.
- id: ssl
  question: Do you provide SSL certificates?
  answer: Every site gets a free Let's Encrypt certificate, renewed automatically every 90 days.
"""


@pytest.fixture
def hosting(tmp_path: Path) -> Path:
    path = tmp_path / "faq.yaml"
    path.write_text(HOSTING_FAQ, encoding="utf-8")
    return path


async def test_a_term_only_the_answer_carries_finds_the_entry(
    make_app: MakeApp, hosting: Path
) -> None:
    app = make_app(faq_path=hosting)
    reply = await Customer(app.engine).say("what is your SLA?")
    assert reply.source_ids == ["uptime"] and not reply.escalated


async def test_a_french_question_finds_an_english_entry_without_the_semantic_extra(
    make_app: MakeApp, hosting: Path
) -> None:
    app = make_app(faq_path=hosting, SEMANTIC_SEARCH="multilingual")
    reply = await Customer(app.engine).say("Comment annuler mon abonnement ?")
    assert reply.source_ids == ["cancel"]
    # The bot's own words follow the customer's language; the FAQ's answer is quoted as written.
    assert next(a.label for a in reply.actions) == "Utile"


async def test_an_unanswerable_question_is_offered_a_person_then_a_yes_opens_the_ticket(
    make_app: MakeApp, hosting: Path
) -> None:
    app = make_app(faq_path=hosting)
    customer = Customer(app.engine)
    offer = await customer.miss("Can you recommend a good pizza place in Naples?")
    assert "rephrase" in offer.text and "person" in offer.text
    assert await app.tickets.list(include_resolved=True) == []
    gaps = await app.engine.gaps.clusters(7)
    assert [c.example for c in gaps] == ["Can you recommend a good pizza place in Naples?"]
    ticket = await customer.say("yes please")
    assert ticket.ticket is not None and ticket.ticket.id in ticket.text
    assert ticket.ticket.question == "Can you recommend a good pizza place in Naples?"
    assert ticket.ticket.reason == "the FAQ has no answer"


async def test_a_second_miss_in_a_row_opens_a_ticket_and_an_answer_in_between_resets(
    make_app: MakeApp, hosting: Path
) -> None:
    app = make_app(faq_path=hosting)
    customer = Customer(app.engine)
    await customer.miss("Can you recommend a good pizza place in Naples?")
    answered = await customer.say("Which payment methods do you take?")
    assert answered.source_ids == ["payment-methods"]
    await customer.miss("Who won the football match last night?")
    second = await customer.say("What is the capital of Peru?")
    assert second.ticket is not None
    assert second.ticket.question == "What is the capital of Peru?"


async def test_small_talk_after_an_offer_does_not_open_a_ticket(
    make_app: MakeApp, hosting: Path
) -> None:
    app = make_app(faq_path=hosting)
    customer = Customer(app.engine)
    await customer.miss("Can you recommend a good pizza place in Naples?")
    thanks = await customer.say("thanks anyway")
    assert thanks.ticket is None and not thanks.sources


async def test_a_follow_up_is_searched_with_the_question_before_it(
    make_app: MakeApp, hosting: Path
) -> None:
    app = make_app(faq_path=hosting)
    customer = Customer(app.engine)
    first = await customer.say("I'd like a refund please")
    assert first.source_ids == ["refunds"]
    follow_up = await customer.say("and how long does that take?")
    assert follow_up.source_ids == ["refunds"]
    # Alone, in a new conversation, the same words say too little to answer from the FAQ.
    alone = await Customer(app.engine).say("and how long does that take?")
    assert alone.escalated and not alone.sources


async def test_a_follow_up_after_thanks_leans_on_the_question_before_the_thanks(
    make_app: MakeApp, hosting: Path
) -> None:
    app = make_app(faq_path=hosting)
    customer = Customer(app.engine)
    assert (await customer.say("I'd like a refund please")).source_ids == ["refunds"]
    assert not (await customer.say("great, thanks a lot!")).sources
    # The thanks said nothing a follow-up could lean on; the refund question did.
    follow_up = await customer.say("and how long does that take?")
    assert follow_up.source_ids == ["refunds"]


async def test_a_follow_up_that_alone_reads_like_another_entry_is_read_with_the_question_before_it(
    make_app: MakeApp,
) -> None:
    app = make_app()
    customer = Customer(app.engine)
    assert (await customer.say("how do I get a refund?")).source_ids == ["refund-policy"]
    # "it" is the refund: the refund entry says how to request one.
    asked = await customer.say("and how do I ask for it?")
    assert asked.source_ids == ["refund-policy"]
    # Alone, its phrasing is all there is to go by, and it reads like another entry's question.
    alone = await Customer(app.engine).say("and how do I ask for it?")
    assert alone.source_ids != ["refund-policy"]


async def test_a_follow_up_that_moves_on_is_not_given_the_previous_answer_again(
    make_app: MakeApp, hosting: Path
) -> None:
    app = make_app(faq_path=hosting)

    async def after_backups(follow_up: str) -> Reply:
        customer = Customer(app.engine)
        assert (await customer.say("Do you back up my data?")).source_ids == ["backups"]
        return await customer.say(follow_up)

    # Read with the question before it, the backups entry comes first; but it says nothing of
    # emails, so it is not given again as if it answered them.
    moved_on = await after_backups("and what about my emails?")
    assert moved_on.escalated and not moved_on.sources
    # A follow-up that names nothing of its own (a typo of nothing the FAQ has is not a name)
    # leans on the conversation, and is answered from it.
    assert (await after_backups("and how lnog do you keep them?")).source_ids == ["backups"]
    # Nor are French words held against an English entry: what it holds cannot be read so.
    kept = await after_backups("et combien de temps vous les gardez ?")
    assert kept.source_ids == ["backups"]


def test_what_a_follow_up_names_is_measured_against_what_an_entry_holds(hosting: Path) -> None:
    index = FaqRepository(hosting, ()).index
    backups = index.by_id["backups"]
    assert index.named_share("and can I restore one?", backups) == 1.0
    assert index.named_share("and what about my emails?", backups) == 0.0
    # A word the FAQ lacks is a word, not a typo, when it is written with its accents: folded,
    # "crèche" is rarer than a typo's threshold, as "crèche" it is not.
    assert index.named_share("and is there a crèche?", backups) == 0.0
    assert index.named_share("et pour l'échéance ?", backups) == 0.0
    # Everyday words, numbers, addresses and typos of nothing the FAQ has name nothing.
    for says_nothing in (
        "how much is that?",
        "and how lnog do you keep them?",
        "and 14?",
        "does that work for bob.stone@example.com too?",
    ):
        assert index.named_share(says_nothing, backups) is None


async def test_with_an_llm_every_question_reaches_the_model_with_its_entry(
    make_app: MakeApp, claude: AnthropicStandIn, hosting: Path
) -> None:
    app = llm_app(make_app, claude, FAQ_PATH=str(hosting), LLM_FULL_FAQ_TOKENS=0)
    # Two near-identical entries would make the offline bot ask which one is meant; the model
    # is asked instead, with both in its context.
    questions = {
        "where do I get my invoice as a PDF": "invoices",
        "do you back up my files?": "backups",
        "Comment annuler mon abonnement ?": "cancel",
    }
    for question, expected in questions.items():
        await Customer(app.engine).say(question)
        prompt = json.dumps(claude.requests[-1].body["messages"][-1]["content"])
        assert f'id=\\"{expected}\\"' in prompt, question
    assert len(claude.requests) == len(questions)


async def test_small_talk_and_hand_offs_never_reach_the_model(
    make_app: MakeApp, claude: AnthropicStandIn, hosting: Path
) -> None:
    app = llm_app(make_app, claude, FAQ_PATH=str(hosting))
    chat = await Customer(app.engine).say("Hi! quick question")
    assert not chat.escalated and not chat.sources
    person = await Customer(app.engine).say("this bot is useless, get me someone from support")
    assert person.ticket is not None
    assert claude.requests == []


def test_confidence_means_the_same_on_a_small_and_a_large_faq() -> None:
    """A question matched exactly keeps its confidence when unrelated entries are added."""
    base = [
        FaqEntry("cancel", "How do I cancel my plan?", "Billing > Plan > Cancel."),
        FaqEntry("ssl", "Do you provide SSL certificates?", "Free Let's Encrypt certificates."),
    ]
    filler = [
        FaqEntry(f"f{n}", f"How do I configure widget number {n}?", f"Widget {n} settings.")
        for n in range(40)
    ]
    encoders = shared_encoders(with_minilm=False)
    small = FaqIndex(base, encoders).search("how can I cancel my plan", 1, "en")[0]
    large = FaqIndex(base + filler, encoders).search("how can I cancel my plan", 1, "en")[0]
    assert small.entry.id == large.entry.id == "cancel"
    assert abs(small.confidence - large.confidence) < 0.1


def test_eval_lists_each_miss_with_what_was_expected_and_what_came(
    hosting: Path, tmp_path: Path
) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        '- {question: "what is your SLA?", expected: uptime}\n'
        '- {question: "Who won the football match last night?", expected: escalate}\n'
        '- {question: "talk to a human please", expected: human}\n'
        '- {question: "thanks!", expected: small_talk}\n'
        '- {question: "Do you provide SSL certificates?", expected: backups}\n',
        encoding="utf-8",
    )
    result = faqbot("eval", str(cases), "--faq", str(hosting), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "hand-off recall" in result.stdout and "small talk recall" in result.stdout
    assert "misses (1)" in result.stdout
    [miss] = [line for line in result.stdout.splitlines() if line.startswith("  5:")]
    assert "Do you provide SSL certificates?" in miss
    assert "expected backups" in miss and "got ssl" in miss


def test_a_miss_is_escalated_without_a_ticket_in_ask_json(hosting: Path, tmp_path: Path) -> None:
    """`faqbot ask --json`: a miss is escalated with no ticket; asking for a person gets one."""
    result = faqbot(
        "ask",
        "--json",
        "--faq",
        str(hosting),
        "Who won the football match last night?",
        "connect me with a support engineer",
        "ok",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    miss, person, ack = (json.loads(line) for line in result.stdout.splitlines())
    assert miss["escalated"] and miss["ticket_id"] is None and miss["sources"] == []
    assert person["escalated"] and person["ticket_id"]
    assert not ack["escalated"] and ack["ticket_id"] is None and ack["sources"] == []

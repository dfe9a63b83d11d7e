"""After a reload, customers whose tickets wait are offered the answer the FAQ has gained."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from bot.core.channels import CollectingOutputChannel
from bot.core.models import Action, ConversationKey, MessageKind, Reply
from bot.core.routing import RouteKind
from bot.engine.conversation import AUTO_AGENT, offer_note
from bot.runtime.app import App
from bot.state.limits import UNCOUNTED
from handlers.terminal import render, to_message
from tests.conftest import MakeApp
from tests.people import Agent, Customer
from tests.standins.anthropic_api import AnthropicStandIn, ToolReply
from tests.standins.discord_api import DESK, DiscordStandIn
from tests.test_conversation import RecordingDesk
from tests.test_discord import (  # the Discord bot's fixture, for the story through the adapter
    StartBot,
    custom_ids,
    start_bot,  # noqa: F401
)
from tests.test_drafts import admin
from tests.test_gaps import FAQ
from tests.test_slack import (  # the Slack rig's fixtures, for the story through the adapter
    RigFactory,
    button,
    click_payload,
    make_rig,  # noqa: F401
    mention,
    standin,  # noqa: F401
)

PAYPAL = (
    "- id: paypal\n  question: Can I pay with PayPal?\n"
    "  answer: Yes, PayPal is accepted at checkout.\n"
)
MARS = "- id: mars\n  question: Do you ship to Mars?\n  answer: We ship to Mars twice a year.\n"


@dataclass
class Replica:
    app: App
    desk: RecordingDesk
    outbox: CollectingOutputChannel

    def offers(self) -> list[Reply]:
        return [reply for _, reply in self.outbox.sent if "Does this answer" in reply.text]


def replica(make_app: MakeApp, path: Path, **settings: object) -> Replica:
    app = make_app(faq_path=path, SLACK_ADMIN_USER_IDS="UADMIN", **settings)
    desk, outbox = RecordingDesk(), CollectingOutputChannel("terminal")
    app.engine.set_desk(desk)
    app.engine.register_channel(outbox)
    return Replica(app, desk, outbox)


def faq_file(tmp_path: Path) -> Path:
    path = tmp_path / "faq.yaml"
    path.write_text(FAQ)
    return path


async def test_a_ticket_opened_on_one_replica_is_resolved_by_a_yes_after_anothers_reload(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = faq_file(tmp_path)
    first, second = replica(make_app, path), replica(make_app, path)
    customer = Customer(first.app.engine)
    opened = await customer.ask_for_a_person_after("Can I pay with PayPal?")
    assert opened.ticket is not None
    ticket_id = opened.ticket.id

    path.write_text(FAQ + PAYPAL)
    assert "Added (1): paypal" in (await second.app.engine.handle(admin("reload"))).text
    [(key, offer)] = second.outbox.sent
    assert key == customer.key
    assert offer.text == (
        f"While ticket {ticket_id} waits for our team: our FAQ now has an answer that may help."
        "\n\nYes, PayPal is accepted at checkout.\n\nDoes this answer your question?"
    )
    assert offer.source_ids == ["paypal"]
    assert [(a.value, a.label) for a in offer.actions] == [
        (f"yes:{ticket_id}", "Yes"),
        (f"no:{ticket_id}", "No"),
    ]

    thanks = await customer.press(offer, f"yes:{ticket_id}")
    assert (
        thanks.text
        == f"Great! I've closed ticket {ticket_id}. If you need anything else, just ask."
    )
    ticket = await second.app.tickets.get(ticket_id)
    assert ticket.status == "resolved" and ticket.claimed_by == AUTO_AGENT
    assert ticket.transcript[-2:] == (("bot", offer.text), ("customer", "Yes"))
    # The desk the ticket lives in hears it from the replica that took the click.
    assert first.desk.notes == [(ticket_id, offer_note(ticket, accepted=True))]
    assert first.desk.notes[0][1].startswith(f"{ticket_id}: Alice answered Yes")
    assert first.desk.changes[-1].status == "resolved"
    # The bot has the conversation back; an agent's resolution makes no draft from it.
    assert not (await customer.say("how do I get a refund")).is_empty
    assert await first.app.drafts.find() == []
    assert (await first.app.store.counters())["offers_accepted"] == 1
    again = await customer.press(offer, f"yes:{ticket_id}")
    assert again.text == "That suggestion has already been answered or its ticket is closed."


async def test_saying_an_accepted_answer_is_wrong_rates_it(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = faq_file(tmp_path)
    bot = replica(make_app, path)
    customer = Customer(bot.app.engine)
    opened = await customer.ask_for_a_person_after("Can I pay with PayPal?")
    assert opened.ticket is not None
    path.write_text(FAQ + PAYPAL)
    await bot.app.engine.handle(admin("reload"))
    [offer] = bot.offers()
    await customer.press(offer, f"yes:{opened.ticket.id}")
    sorry = await customer.say("that's wrong")
    assert "Sorry that didn't help" in sorry.text
    gaps = await bot.app.gaps.since(1)
    assert (gaps[-1].question, gaps[-1].reason) == ("Can I pay with PayPal?", "not_helpful")


async def test_a_no_leaves_the_ticket_with_the_agents(make_app: MakeApp, tmp_path: Path) -> None:
    path = faq_file(tmp_path)
    first, second = replica(make_app, path), replica(make_app, path)
    customer = Customer(first.app.engine)
    ticket = (await customer.ask_for_a_person_after("Do you ship to Mars?")).ticket
    assert ticket is not None
    ticket_id = ticket.id
    path.write_text(FAQ + MARS)
    await second.app.engine.handle(admin("reload"))
    [offer] = second.offers()

    declined = await customer.press(offer, f"no:{ticket_id}")
    assert declined.text == (
        f"Thanks for telling me. Ticket {ticket_id} stays open and a person will reply here."
    )
    ticket = await first.app.tickets.get(ticket_id)
    assert ticket.status == "open" and ticket.transcript[-1] == ("customer", "No")
    assert first.desk.notes == [(ticket_id, offer_note(ticket, accepted=False))]
    assert "Alice answered No" in first.desk.notes[0][1]
    # The agents still have it: the customer's next words go to them, not to the bot.
    assert (await customer.say("I need it by next week")).is_empty
    assert first.desk.customer_messages[-1] == (ticket_id, "I need it by next week")
    # A declined answer is a gap the FAQ still has.
    assert [gap.reason for gap in await first.app.gaps.since(1)] == ["no_answer", "not_helpful"]
    # The same answer is not offered again by a later reload.
    await first.app.engine.handle(admin("reload"))
    assert first.offers() == []
    await Agent(first.app.engine).answer(ticket_id, "Mars deliveries take a year, sorry.")
    await first.app.engine.resolve(ticket_id, "Bob")
    assert (await first.app.tickets.get(ticket_id)).claimed_by == "Bob"


async def test_an_answer_is_offered_once_per_ticket_and_only_when_confident(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = faq_file(tmp_path)
    # The bot answers from a confidence of 0.5, the auto-resolver offers answers from 0.9 only.
    bot = replica(make_app, path, ANSWER_THRESHOLD=0.5, AUTO_RESOLVE_CONFIDENCE=0.9)
    exact = await Customer(bot.app.engine).ask_for_a_person_after("Can I pay with PayPal?")
    vague_question = "can I check out with a wallet app?"
    vague = await Customer(bot.app.engine).ask_for_a_person_after(vague_question)
    answered = await Customer(bot.app.engine).ask_for_a_person_after("Do you accept PayPal?")
    await Agent(bot.app.engine).answer(answered.ticket.id, "Yes we do.")  # type: ignore[union-attr]
    unanswerable = await Customer(bot.app.engine).ask_for_a_person_after("Do you ship to Mars?")
    assert all(r.ticket for r in (exact, vague, answered, unanswerable))

    path.write_text(FAQ + PAYPAL)
    assert (await bot.app.publisher.reload("test")).ok  # tells the auto-resolver once
    for _ in range(2):
        await bot.app.auto_resolver.faq_published(bot.app.faq.index)
    # The vague question is answered, but not confidently enough to offer the answer.
    route = await bot.app.engine.router.route(bot.app.faq.index, vague_question, "en", [])
    assert route.kind is RouteKind.ANSWER
    assert route.confidence < bot.app.settings.AUTO_RESOLVE_CONFIDENCE
    # Only the exact question's ticket: the agent-answered and unanswerable ones are left alone.
    [offer] = bot.offers()
    assert offer.actions[0].value == f"yes:{exact.ticket.id}"  # type: ignore[union-attr]


async def test_a_conversation_this_process_cannot_reach_keeps_its_offer_for_later(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = faq_file(tmp_path)
    bot = replica(make_app, path)
    elsewhere = Customer(bot.app.engine, key=ConversationKey("discord", "G1", "C9"))
    opened = await elsewhere.ask_for_a_person_after("Can I pay with PayPal?")
    ticket_id = opened.ticket.id  # type: ignore[union-attr]
    path.write_text(FAQ + PAYPAL)
    await bot.app.engine.handle(admin("reload"))
    assert bot.offers() == []  # no Discord adapter in this process
    discord = CollectingOutputChannel("discord")
    bot.app.engine.register_channel(discord)
    await bot.app.auto_resolver.faq_published(bot.app.faq.index)
    [(key, offer)] = discord.sent
    assert key == elsewhere.key and offer.actions[0].value == f"yes:{ticket_id}"


async def test_only_the_customer_who_asked_can_answer_the_offer(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = faq_file(tmp_path)
    bot = replica(make_app, path)
    customer = Customer(bot.app.engine, is_direct=False, mentioned=True)
    opened = await customer.ask_for_a_person_after("Can I pay with PayPal?")
    ticket_id = opened.ticket.id  # type: ignore[union-attr]
    path.write_text(FAQ + PAYPAL)
    await bot.app.engine.handle(admin("reload"))
    [offer] = bot.offers()
    bystander = replace(customer, user_id="U-mallory", user_name="Mallory")
    refused = await bystander.press(offer, f"yes:{ticket_id}")
    assert refused.text == "Only the person who asked can answer that suggestion."
    elsewhere = Customer(bot.app.engine)
    assert "Only the person" in (await elsewhere.press(offer, f"yes:{ticket_id}")).text
    assert (await bot.app.tickets.get(ticket_id)).status == "open"
    forged_button = replace(offer.actions[0], value="yes:T-999")
    forged = await customer.press(replace(offer, actions=(forged_button,)), "yes:T-999")
    assert forged.text == "That suggestion has already been answered or its ticket is closed."


async def test_offers_can_be_turned_off(make_app: MakeApp, tmp_path: Path) -> None:
    path = faq_file(tmp_path)
    bot = replica(make_app, path, AUTO_RESOLVE_MAX_TICKETS=0)
    assert (await Customer(bot.app.engine).ask_for_a_person_after("Can I pay with PayPal?")).ticket
    path.write_text(FAQ + PAYPAL)
    await bot.app.engine.handle(admin("reload"))
    assert bot.offers() == []


async def test_a_slack_customer_clicks_yes_and_the_ticket_closes(
    make_rig: RigFactory,  # noqa: F811
    tmp_path: Path,
) -> None:
    path = faq_file(tmp_path)
    rig = await make_rig(faq_path=path)
    slack = rig.standin
    event = mention("Can I pay with PayPal?")
    await rig.event(event)
    # The FAQ has no answer yet: the customer takes the bot's offer of a person.
    no_answer = await slack.wait_for(
        lambda: [
            call
            for call in slack.matching("chat.postMessage", channel="C1")
            if "couldn't find" in call.params["text"]
        ]
    )
    assert button(no_answer[0].params, "human")
    await rig.interact(click_payload(no_answer[0].params, no_answer[0].response["ts"], "human"))
    await slack.wait_for(lambda: slack.matching("chat.postMessage", channel="CDESK"))
    (ticket,) = await rig.app.tickets.list()

    path.write_text(FAQ + PAYPAL)
    await rig.command("reload")
    offer = await slack.wait_for(
        lambda: [
            call
            for call in slack.matching("chat.postMessage", channel="C1")
            if "Does this answer" in call.params["text"]
        ]
    )
    posted = offer[0]
    assert posted.params["thread_ts"] == event["ts"]
    assert button(posted.params, f"no:{ticket.id}")
    await rig.interact(click_payload(posted.params, posted.response["ts"], f"yes:{ticket.id}"))
    closed = await slack.wait_for(
        lambda: [
            p
            for p in slack.called("chat.postMessage", channel="C1")
            if "closed ticket" in p["text"]
        ]
    )
    assert closed[0]["thread_ts"] == event["ts"]
    assert (await rig.app.tickets.get(ticket.id)).status == "resolved"
    note = await slack.wait_for(
        lambda: [p for p in slack.called("chat.postMessage", channel="CDESK") if "Yes" in p["text"]]
    )
    assert "resolved automatically" in note[0]["text"]


async def test_a_discord_customer_clicks_yes_and_the_ticket_closes(
    discord_standin: DiscordStandIn,
    start_bot: StartBot,  # noqa: F811
    tmp_path: Path,
) -> None:
    path = faq_file(tmp_path)
    app, _ = await start_bot(faq_path=path)
    message = await discord_standin.say("Alice", "Can I pay with PayPal?", mention_bot=True)
    thread_id = message["id"]
    # The FAQ has no answer yet: the customer takes the bot's offer of a person.
    no_answer = await discord_standin.wait_post(thread_id, "couldn't find")
    assert custom_ids(no_answer)[-1] == "faqbot:human"
    await discord_standin.click("Alice", no_answer.response, "faqbot:human")
    await discord_standin.wait_post(thread_id, "ticket")
    (ticket,) = await app.tickets.list()
    card = await discord_standin.wait_post(DESK, ticket.id)

    path.write_text(FAQ + PAYPAL)
    assert (await app.publisher.reload("test")).ok  # the auto-resolver hears of it
    offer = await discord_standin.wait_post(thread_id, "Does this answer your question?")
    assert custom_ids(offer) == [
        f"faqbot:confirm:yes:{ticket.id}",
        f"faqbot:confirm:no:{ticket.id}",
    ]
    await discord_standin.click("Alice", offer.response, f"faqbot:confirm:yes:{ticket.id}")
    await discord_standin.wait_post(thread_id, f"closed ticket {ticket.id}")
    assert (await app.tickets.get(ticket.id)).status == "resolved"
    note = await discord_standin.wait_post(DESK, "resolved automatically")
    assert note.body["content"].startswith(f"{ticket.id}: Alice answered Yes")
    edited = await discord_standin.wait_for(
        lambda: [
            r
            for r in discord_standin.sent(
                "PATCH", rf"/channels/{DESK}/messages/{card.response['id']}"
            )
            if "faqbot (auto)" in json.dumps(r.body)
        ],
        what="the card edited on resolve",
    )
    assert edited


def test_the_terminal_shows_yes_and_no_and_reads_them_back() -> None:
    offer = Reply(
        "Does this answer your question?",
        actions=(
            Action(MessageKind.CONFIRM, "yes:T-4", "Yes"),
            Action(MessageKind.CONFIRM, "no:T-4", "No"),
        ),
    )
    assert render(offer).endswith("[/yes:T-4 /no:T-4]")
    key = ConversationKey("terminal", "local", "c1")
    clicked = to_message("/no:T-4", key, "you")
    assert clicked is not None
    assert (clicked.kind, clicked.text) == (MessageKind.CONFIRM, "no:T-4")
    typed = to_message("/yes:anything", key, "you")
    assert typed is not None and typed.kind is MessageKind.QUESTION


async def test_an_offer_after_a_reload_keeps_to_the_conversations_llm_budget(
    make_app: MakeApp, tmp_path: Path, claude: AnthropicStandIn
) -> None:
    path = faq_file(tmp_path)
    first = replica(
        make_app,
        path,
        ANTHROPIC_API_KEY="sk-test-key",
        ANTHROPIC_BASE_URL=claude.url,
        LLM_MAX_RETRIES=0,
        LLM_DAILY_BUDGET_USD=0.01,
    )
    customer = Customer(first.app.engine)
    claude.script.append(ToolReply("A person will help.", [], faq_answers_it=False))
    opened = await customer.ask_for_a_person_after("Do you ship to Mars?")
    ticket_id = opened.ticket.id  # type: ignore[union-attr]
    budget = first.app.engine.limits.budget
    await budget.settle(await budget.reserve(customer.key) or UNCOUNTED, 1.0)  # the day is spent
    calls = len(claude.requests)

    path.write_text(FAQ + MARS)
    await first.app.engine.handle(admin("reload"))

    [offer] = first.offers()
    assert "We ship to Mars twice a year." in offer.text and f"yes:{ticket_id}" in str(offer)
    assert len(claude.requests) == calls

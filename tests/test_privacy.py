"""Privacy: what reaches the LLM, how long things are kept, erasure on request, the notice."""

from __future__ import annotations

import json
from pathlib import Path

from bot.core.channels import CollectingOutputChannel
from bot.core.models import ConversationKey, TicketStatus
from bot.engine.conversation import ConversationEngine
from tests.conftest import MakeApp, llm_app
from tests.people import Agent, Customer
from tests.standins.anthropic_api import AnthropicStandIn, ToolReply
from tests.test_cli import faqbot
from tests.test_conversation import RecordingDesk


def slack_dm(engine: ConversationEngine, user: str) -> Customer:
    return Customer(
        engine,
        key=ConversationKey("slack", "T1", f"D-{user}"),
        user_id=user,
        user_name=user.title(),
    )


async def test_a_card_number_and_email_typed_by_a_customer_never_reach_the_llm(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = llm_app(make_app, claude)
    customer = slack_dm(app.engine, "alice")
    await customer.say("I was charged twice on card 4111 1111 1111 1111, can I get a refund?")
    claude.script.append(ToolReply("Email billing@nimbus.example.", ["refund-policy"]))
    await customer.say("Reply to alice.martin@example.com or +33 6 12 34 56 78 please")
    sent = "\n".join(request.prompt for request in claude.requests)
    for private in ("4111", "alice.martin@example.com", "12 34 56 78"):
        assert private not in sent
    last = claude.requests[-1].body["messages"]
    assert "card [card], can I get a refund?" in last[0]["content"]  # the earlier turn
    assert "Reply to [email] or [phone] please" in last[-1]["content"]
    # The support team still sees what the customer wrote.
    history = await app.store.history(customer.key)
    assert "4111 1111 1111 1111" in history[0].text


async def test_a_resolved_ticket_expires_after_the_retention_and_leaves_the_lists(
    make_app: MakeApp,
) -> None:
    app = make_app(TICKET_RETENTION_DAYS=30)
    open_one = (await Customer(app.engine).say("I want to talk to a human")).ticket
    resolved = (await Customer(app.engine).say("Can I speak to a person?")).ticket
    assert open_one is not None and resolved is not None
    await app.engine.resolve(resolved.id, "ana")
    ttl = await app.redis.ttl(f"{app.settings.REDIS_PREFIX}:ticket:{resolved.id}")
    assert 29 * 24 * 3600 < ttl <= 30 * 24 * 3600
    assert await app.redis.ttl(f"{app.settings.REDIS_PREFIX}:ticket:{open_one.id}") == -1
    # The day it expires (deleted here rather than waiting 30 days), the listing drops it.
    await app.redis.delete(f"{app.settings.REDIS_PREFIX}:ticket:{resolved.id}")
    assert [t.id for t in await app.tickets.list(include_resolved=True)] == [open_one.id]
    assert await app.redis.zrange(f"{app.settings.REDIS_PREFIX}:ticket:all", 0, -1) == [open_one.id]


async def test_conversations_expire_with_the_history_ttl_and_the_index_with_the_longest(
    make_app: MakeApp,
) -> None:
    app = make_app(HISTORY_TTL_SECONDS=3600, TICKET_RETENTION_DAYS=2)
    customer = slack_dm(app.engine, "bob")
    await customer.say("How do I reset my password?")
    await customer.press(await customer.say("how do I reset my password"), "not_helpful")
    prefix = app.settings.REDIS_PREFIX
    for kind in ("hist", "conv"):
        assert 0 < await app.redis.ttl(f"{prefix}:{kind}:{{{customer.key.redis_key}}}") <= 3600
    index_ttl = await app.redis.ttl(f"{prefix}:user:slack:bob")
    assert 3600 < index_ttl <= 2 * 24 * 3600


async def test_erasing_a_person_removes_their_conversations_tickets_and_feedback(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = llm_app(make_app, claude)
    alice, bob = slack_dm(app.engine, "alice"), slack_dm(app.engine, "bob")
    answered = await alice.say("How do I reset my password?")
    await alice.press(answered, "not_helpful")
    first = (await alice.say("I want to talk to a human")).ticket
    assert first is not None
    await app.engine.resolve(first.id, "ana")
    thread = ConversationKey("discord", "G1", "C1", "TH1")
    in_thread = Customer(app.engine, key=thread, user_id="alice", is_direct=False, mentioned=True)
    second = (await in_thread.say("Can I speak to a person?")).ticket
    assert second is not None
    await bob.say("How do I reset my password?")
    bob_ticket = (await bob.say("talk to a human please")).ticket
    assert bob_ticket is not None

    erased = await app.privacy.erase("alice", "slack")
    assert erased.conversations == [alice.key.redis_key] and erased.tickets == [first.id]
    prefix = app.settings.REDIS_PREFIX
    for kind in ("hist", "conv", "usage"):
        assert not await app.redis.exists(f"{prefix}:{kind}:{{{alice.key.redis_key}}}")
    assert not await app.redis.exists(f"{prefix}:user:slack:alice")
    assert [t.id for t in await app.tickets.list(include_resolved=True)] == [
        second.id,
        bob_ticket.id,
    ]
    # Another platform's "alice" is another person; Bob is untouched.
    assert await app.store.history(thread) and await app.store.history(bob.key)
    erased = await app.privacy.erase("alice", "discord")
    assert erased.tickets == [second.id] and erased.conversations == [thread.redis_key]
    assert [t.id for t in await app.tickets.list(include_resolved=True)] == [bob_ticket.id]
    assert not (await app.privacy.erase("alice", "slack")).found


async def test_an_open_ticket_is_erased_even_after_the_index_expired(make_app: MakeApp) -> None:
    app = make_app()
    customer = slack_dm(app.engine, "carol")
    ticket = (await customer.say("I want to talk to a human")).ticket
    assert ticket is not None
    await app.redis.delete(f"{app.settings.REDIS_PREFIX}:user:slack:carol")
    erased = await app.privacy.erase("carol", "slack")
    assert erased.tickets == [ticket.id]
    assert await app.tickets.list(include_resolved=True) == []


async def test_privacy_erase_from_the_cli_says_what_it_removed(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    env = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix}
    asked = faqbot("ask", "--json", "--user", "U9", "Can I speak to a person?", cwd=tmp_path, **env)
    ticket_id = json.loads(asked.stdout)["ticket_id"]
    erased = faqbot("privacy", "erase", "U9", "--platform", "cli", cwd=tmp_path, **env)
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout.strip() == (
        f"erased cli user U9: 1 conversation(s), 1 ticket(s) ({ticket_id})"
    )
    assert faqbot("tickets", "show", ticket_id, cwd=tmp_path, **env).returncode == 1
    again = faqbot("privacy", "erase", "U9", cwd=tmp_path, **env)
    assert again.returncode == 0 and again.stdout.strip() == "nothing stored for U9"
    bad = faqbot("privacy", "erase", "U9", "--platform", "myspace", cwd=tmp_path, **env)
    assert bad.returncode == 2 and "invalid choice: 'myspace'" in bad.stderr


async def test_the_first_message_ever_gets_the_notice_once_per_person(make_app: MakeApp) -> None:
    app = make_app(PRIVACY_NOTICE="auto")
    alice, bob = slack_dm(app.engine, "alice"), slack_dm(app.engine, "bob")
    first = await alice.say("How do I reset my password?")
    assert first.text.startswith("I'm an automated assistant, not a person: I answer from our FAQ.")
    assert "AI provider" not in first.text  # no LLM is configured
    assert "Forgot password" in first.text
    second = await alice.say("How do I reset my password?")
    assert "automated assistant" not in second.text
    assert "automated assistant" in (await bob.say("hello")).text
    # A new conversation (a channel thread) with Alice does not repeat it.
    thread = Customer(
        app.engine,
        key=ConversationKey("slack", "T1", "C1", "1.2"),
        user_id="alice",
        is_direct=False,
        mentioned=True,
    )
    assert "automated assistant" not in (await thread.say("hello")).text
    # The history keeps the answer without the notice, so it is never sent to the LLM.
    assert (await app.store.history(alice.key))[1].text == first.text.split("\n\n", 1)[1]


async def test_the_notice_says_messages_go_to_an_ai_provider_in_the_customers_language(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = llm_app(make_app, claude, PRIVACY_NOTICE="auto")
    reply = await slack_dm(app.engine, "zoe").say("Bonjour, comment payer par virement SEPA ?")
    assert reply.text.startswith("Je suis un assistant automatique")
    assert "fournisseur d'IA (Anthropic)" in reply.text


async def test_the_notice_can_be_replaced_or_turned_off(make_app: MakeApp) -> None:
    custom = make_app(PRIVACY_NOTICE="Hi! I am Nimbus's bot. Privacy: nimbus.example/privacy")
    reply = await slack_dm(custom.engine, "ann").say("hello")
    assert reply.text.startswith("Hi! I am Nimbus's bot. Privacy: nimbus.example/privacy\n\n")
    silent = make_app(PRIVACY_NOTICE="")
    reply = await slack_dm(silent.engine, "ben").say("hello")
    assert reply.text.startswith("Hello!")


async def test_erasure_also_takes_their_faq_gap_records_and_undecided_drafts(
    make_app: MakeApp,
) -> None:
    app = make_app()
    app.engine.set_desk(RecordingDesk())
    app.engine.register_channel(CollectingOutputChannel("slack"))
    alice, bob = slack_dm(app.engine, "alice"), slack_dm(app.engine, "bob")
    asked = await alice.ask_for_a_person_after(
        "Do you sponsor hackathons? Mail me at alice@example.com"
    )
    ticket = asked.ticket
    assert ticket is not None
    await Agent(app.engine, user_name="Ana").answer(ticket.id, "No, we don't sponsor events.")
    await app.engine.resolve(ticket.id, "Ana")
    assert (await bob.say("Who won the chess world championship?")).escalated
    # The gap log, which admins read, never held the address.
    assert [gap.question for gap in await app.gaps.since(1)] == [
        "Do you sponsor hackathons? Mail me at [email]",
        "Who won the chess world championship?",
    ]
    [draft] = await app.drafts.find()

    erased = await app.privacy.erase("alice", "slack")
    assert erased.gaps == 1 and erased.drafts == [draft.id]
    assert [gap.question for gap in await app.gaps.since(1)] == [
        "Who won the chess world championship?"
    ]
    assert await app.drafts.find() == []


SLACK_THREAD = ConversationKey("slack", "T1", "C1", "1700000000.000100")


def in_thread(
    engine: ConversationEngine,
    user: str,
    *,
    mentioned: bool = False,
    thread: ConversationKey = SLACK_THREAD,
) -> Customer:
    """Someone writing in the channel thread that Alice started with the bot."""
    return Customer(
        engine,
        key=thread,
        user_id=user,
        user_name=user.title(),
        is_direct=False,
        mentioned=mentioned,
    )


async def test_bob_replies_in_alices_thread_and_erasing_him_leaves_her_open_ticket_in_place(
    make_app: MakeApp,
) -> None:
    app = make_app()
    app.engine.set_desk(RecordingDesk())
    app.engine.register_channel(CollectingOutputChannel("slack"))
    alice, bob = in_thread(app.engine, "alice", mentioned=True), in_thread(app.engine, "bob")
    await alice.say("How do I reset my password?")
    await bob.say("Does that work for bob.stone@example.com too?")
    ticket = (await alice.say("I want to talk to a human")).ticket
    assert ticket is not None
    assert (await bob.say("Same problem here, Bob Stone, +33 6 12 34 56 78")).is_empty
    await Agent(app.engine, user_name="Ana").answer(ticket.id, "Looking into it.")

    erased = await app.privacy.erase("bob", "slack")
    assert erased.found and erased.tickets == [] and erased.conversations == []
    assert erased.shared_conversations == [alice.key.redis_key]
    assert erased.others_tickets == [ticket.id]
    history = await app.store.history(alice.key)
    assert [(turn.role, turn.author) for turn in history] == [
        ("customer", "alice"),
        ("bot", ""),  # the answer to Alice; the bot's reply to Bob went with his words
        ("customer", "alice"),
        ("bot", ""),
        ("agent", ""),
    ]
    stored = await app.tickets.get(ticket.id)
    assert stored.status is TicketStatus.CLAIMED and stored.user_id == "alice"
    assert "Bob" not in repr(stored.transcript) and "bob.stone" not in repr(stored.transcript)
    assert stored.transcript[-1] == ("agent", "Looking into it.")
    # Still Alice's ticket: what she writes next goes to the agents, not to the bot.
    assert (await alice.say("Any news?")).is_empty
    assert (await app.tickets.get(ticket.id)).transcript[-1] == ("customer", "Any news?")
    assert not await app.redis.exists(f"{app.settings.REDIS_PREFIX}:user:slack:bob")
    assert not (await app.privacy.erase("bob", "slack")).found


async def test_erasing_alice_leaves_the_open_ticket_bob_opened_in_her_thread_and_drops_her_words(
    make_app: MakeApp,
) -> None:
    app = make_app()
    app.engine.set_desk(RecordingDesk())
    alice, bob = in_thread(app.engine, "alice", mentioned=True), in_thread(app.engine, "bob")
    await alice.say("Alice Martin here: how do I reset my password? I forgot it")
    ticket = (await bob.say("Can I speak to a person about my invoice?")).ticket
    assert ticket is not None and ticket.user_id == "bob"
    assert "Alice Martin" in repr(ticket.transcript)  # the thread so far came with it
    in_dm = slack_dm(app.engine, "alice")
    await in_dm.say("How do I reset my password?")

    erased = await app.privacy.erase("alice", "slack")
    assert erased.conversations == [in_dm.key.redis_key]
    assert erased.shared_conversations == [alice.key.redis_key]
    assert erased.tickets == [] and erased.others_tickets == [ticket.id]
    stored = await app.tickets.get(ticket.id)
    assert stored.status is TicketStatus.OPEN
    assert "Alice" not in repr(stored.transcript)
    assert stored.transcript == (("customer", "Can I speak to a person about my invoice?"),)
    assert "Alice" not in repr(await app.store.history(alice.key))
    # Bob's ticket is still linked to the thread: his next message reaches the agents.
    assert (await bob.say("It is invoice 2024-118.")).is_empty
    assert (await app.tickets.get(ticket.id)).transcript[-1][1] == "It is invoice 2024-118."


async def test_erasing_alice_drops_her_answered_question_from_the_threads_state(
    make_app: MakeApp,
) -> None:
    """The question last answered is kept for a typed "that's wrong" to rate; in her words."""
    app = make_app()
    alice, bob = in_thread(app.engine, "alice", mentioned=True), in_thread(app.engine, "bob")
    assert (await alice.say("How do I reset my password?")).sources
    await bob.say("thanks")
    assert (await app.store.state(alice.key)).answered == "How do I reset my password?"
    await app.privacy.erase("alice", "slack")
    assert (await app.store.state(alice.key)).answered is None


async def test_bobs_words_in_a_ticket_resolved_since_are_found_and_removed(
    make_app: MakeApp,
) -> None:
    app = make_app(TICKET_RETENTION_DAYS=30)
    app.engine.set_desk(RecordingDesk())
    app.engine.register_channel(CollectingOutputChannel("slack"))
    alice, bob = in_thread(app.engine, "alice", mentioned=True), in_thread(app.engine, "bob")
    ticket = (await alice.say("I want to talk to a human")).ticket
    assert ticket is not None
    await bob.say("Me too, my order number is 88231 and I live at 4 Elm Street")
    await app.engine.resolve(ticket.id, "Ana")
    assert await app.tickets.list() == []  # no longer among the open tickets erasure looks at
    name = f"{app.settings.REDIS_PREFIX}:ticket:{ticket.id}"

    erased = await app.privacy.erase("bob", "slack")
    assert erased.others_tickets == [ticket.id]
    stored = await app.tickets.get(ticket.id)
    assert "Elm Street" not in repr(stored.transcript) and stored.user_id == "alice"
    assert 29 * 24 * 3600 < await app.redis.ttl(name) <= 30 * 24 * 3600  # retention unchanged


async def test_a_draft_with_alices_question_is_erased_with_her_even_after_her_ticket_expired(
    make_app: MakeApp,
) -> None:
    app = make_app()
    app.engine.set_desk(RecordingDesk())
    app.engine.register_channel(CollectingOutputChannel("slack"))
    alice, bob = in_thread(app.engine, "alice", mentioned=True), in_thread(app.engine, "bob")
    ticket = (await alice.ask_for_a_person_after("Do you sponsor hackathons in Lyon?")).ticket
    assert ticket is not None
    await bob.say("I would like to know too")
    await Agent(app.engine, user_name="Ana").answer(ticket.id, "No, we don't sponsor events.")
    await app.engine.resolve(ticket.id, "Ana")
    [draft] = await app.drafts.find()
    assert draft.question == "Do you sponsor hackathons in Lyon?"
    # Bob wrote in the ticket, but the draft carries Alice's question, not his words.
    assert (await app.privacy.erase("bob", "slack")).drafts == []
    # Months later the ticket and Alice's index have expired; the draft has not.
    prefix = app.settings.REDIS_PREFIX
    await app.redis.delete(f"{prefix}:ticket:{ticket.id}", f"{prefix}:user:slack:alice")

    erased = await app.privacy.erase("alice", "slack")
    assert erased.drafts == [draft.id] and await app.drafts.find() == []


async def test_the_cli_says_where_only_bobs_messages_were_removed(
    make_app: MakeApp, tmp_path: Path, redis_url: str, prefix: str
) -> None:
    app = make_app()
    app.engine.set_desk(RecordingDesk())
    alice, bob = in_thread(app.engine, "alice", mentioned=True), in_thread(app.engine, "bob")
    ticket = (await alice.say("I want to talk to a human")).ticket
    assert ticket is not None
    await bob.say("Same here")
    env = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix}
    erased = faqbot("privacy", "erase", "bob", "--platform", "slack", cwd=tmp_path, **env)
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout.strip() == (
        "erased slack user bob: 0 conversation(s), 0 ticket(s), their messages in 1 shared "
        f"conversation(s) and 1 other ticket(s) ({ticket.id})"
    )
    assert "Same here" not in repr((await app.tickets.get(ticket.id)).transcript)


async def test_bob_who_only_wrote_into_alices_discord_ticket_is_found_after_she_was_erased(
    make_app: MakeApp,
) -> None:
    app = make_app()
    app.engine.set_desk(RecordingDesk())
    thread = ConversationKey("discord", "G1", "C1", "TH7")
    alice = in_thread(app.engine, "alice", mentioned=True, thread=thread)
    bob = in_thread(app.engine, "bob", thread=thread)
    ticket = (await alice.say("I want to talk to a human")).ticket
    assert ticket is not None
    assert (await bob.say("Bob Stone here, I have the same issue")).is_empty  # the bot is quiet

    erased = await app.privacy.erase("alice", "discord")
    assert erased.tickets == [ticket.id] and erased.shared_conversations == [thread.redis_key]
    assert [turn.author for turn in await app.store.history(thread)] == ["bob"]

    erased = await app.privacy.erase("bob", "discord")
    assert erased.conversations == [thread.redis_key]  # nobody else's words were left in it
    assert not await app.store.history(thread)


async def test_erasing_a_person_whose_only_message_was_refused_leaves_nothing_of_them(
    make_app: MakeApp,
) -> None:
    app = make_app(MAX_MESSAGE_CHARS=100)
    dora = slack_dm(app.engine, "dora")
    refused = await dora.say("My order 4417 never came, " + "and it is still not here. " * 5)
    assert "too long" in refused.text
    # The message made Dora the conversation's customer: her id is in its state.
    assert (await app.store.state(dora.key)).customer == "dora"

    erased = await app.privacy.erase("dora", "slack")

    assert erased.conversations == [dora.key.redis_key]
    prefix = app.settings.REDIS_PREFIX
    assert not await app.redis.exists(f"{prefix}:conv:{{{dora.key.redis_key}}}")

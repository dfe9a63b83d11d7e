"""Agents' answers become draft FAQ entries that an admin approves into the next version."""

from __future__ import annotations

from pathlib import Path

from bot.core.channels import CollectingOutputChannel
from bot.core.models import ConversationKey, IncomingMessage, MessageKind
from bot.runtime.app import App
from tests.conftest import MakeApp
from tests.people import Agent, Customer
from tests.test_cli import faqbot
from tests.test_conversation import RecordingDesk
from tests.test_gaps import FAQ

PAYPAL_ANSWER = "Yes: PayPal is offered at checkout for every plan."


def admin(text: str, user: str = "UADMIN") -> IncomingMessage:
    return IncomingMessage(
        key=ConversationKey("slack", "W", "CADMIN"),
        message_id="",
        user_id=user,
        text=text,
        kind=MessageKind.COMMAND,
    )


def replica(make_app: MakeApp, path: Path) -> App:
    app = make_app(faq_path=path, SLACK_ADMIN_USER_IDS="UADMIN")
    app.engine.set_desk(RecordingDesk())
    app.engine.register_channel(CollectingOutputChannel("terminal"))
    return app


async def resolved_with_an_answer(app: App, question: str, *answers: str) -> str:
    """A customer's question gets no answer, they ask for a person, an agent answers it in the
    desk, and resolves it."""
    reply = await Customer(app.engine).ask_for_a_person_after(question)
    assert reply.ticket is not None
    agent = Agent(app.engine, user_name="Agent Smith")
    for text in answers:
        await agent.answer(reply.ticket.id, text)
    await app.engine.resolve(reply.ticket.id, "Agent Smith")
    return reply.ticket.id


async def test_a_resolved_tickets_answer_is_approved_into_the_next_reload(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(FAQ)
    first, second = replica(make_app, path), replica(make_app, path)
    ticket_id = await resolved_with_an_answer(first, "Can I pay with PayPal?", PAYPAL_ANSWER)

    listing = (await second.engine.handle(admin("drafts"))).text
    assert listing.splitlines()[0] == "1 draft(s):"
    assert f"• D-1 [pending] from {ticket_id} by Agent Smith: Can I pay with PayPal?" in listing
    assert f"→ {PAYPAL_ANSWER}" in listing
    # Pending drafts are not answers yet.
    assert (await Customer(second.engine).say("Do you accept PayPal?")).escalated

    approved = (await second.engine.handle(admin("drafts approve d-1"))).text
    assert approved == (
        "D-1 approved: it joins the FAQ at the next reload as draft-1-can-i-pay-with-paypal."
    )
    assert "[approved]" in (await first.engine.handle(admin("drafts"))).text
    reloaded = (await first.engine.handle(admin("reload"))).text
    assert "Added (1): draft-1-can-i-pay-with-paypal" in reloaded
    answer = await Customer(first.engine).say("Do you accept PayPal?")
    assert answer.text == PAYPAL_ANSWER and answer.source_ids == ["draft-1-can-i-pay-with-paypal"]

    # Published, it leaves the waiting list, and later reloads keep it in the FAQ.
    listing = (await second.engine.handle(admin("drafts"))).text
    assert listing.splitlines()[0].startswith("No drafts waiting")
    assert "1 published draft(s) are in the FAQ" in listing
    assert "FAQ unchanged" in (await first.engine.handle(admin("reload"))).text
    assert "draft-1-can-i-pay-with-paypal" in first.faq.index.by_id


async def test_a_dropped_draft_stays_out_and_dropping_a_published_one_retires_it(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(FAQ)
    app = replica(make_app, path)
    await resolved_with_an_answer(app, "Do you ship to Mars?", "Not yet, ", "sorry!")
    await resolved_with_an_answer(app, "Can I pay with PayPal?", PAYPAL_ANSWER)
    assert (await app.drafts.get("D-1")).answer == "Not yet,\n\nsorry!"  # every agent turn

    assert (await app.engine.handle(admin("drafts drop D-1"))).text == (
        "D-1 dropped: it will not be in the next FAQ version."
    )
    await app.engine.handle(admin("drafts approve D-2"))
    assert (
        "Added (1): draft-2-can-i-pay-with-paypal"
        in (await app.engine.handle(admin("reload"))).text
    )
    assert not any(e.id.startswith("draft-1") for e in app.faq.index.entries)

    await app.engine.handle(admin("drafts drop D-2"))
    assert (
        "Removed (1): draft-2-can-i-pay-with-paypal"
        in (await app.engine.handle(admin("reload"))).text
    )


async def test_only_tickets_an_agent_answered_make_drafts(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(FAQ)
    app = replica(make_app, path)
    reply = await Customer(app.engine).ask_for_a_person_after("Do you ship to Mars?")
    assert reply.ticket is not None
    await app.engine.resolve(reply.ticket.id, "Agent Smith")
    assert await app.drafts.find() == []


async def test_bad_draft_commands_get_clear_answers_and_change_nothing(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(FAQ)
    app = replica(make_app, path)
    await resolved_with_an_answer(app, "Can I pay with PayPal?", "Ask @everyone <@U123>")
    listing = (await app.engine.handle(admin("drafts"))).text
    assert "@everyone" not in listing and "<@U123>" not in listing  # echoed text pings nobody

    async def run(text: str, user: str = "UADMIN") -> str:
        return (await app.engine.handle(admin(text, user))).text

    assert "for admins only" in await run("drafts approve D-1", user="UCUSTOMER")
    assert "for admins only" in await run("drafts", user="UCUSTOMER")
    assert await run("drafts approve X-1") == "'X-1' is not a draft id (like D-3)"
    assert await run("drafts approve D-9") == "no draft D-9"
    usage = "Usage: drafts, drafts show ID, drafts approve ID or drafts drop ID (ID like D-3)."
    assert await run("drafts publish D-1") == usage
    assert await run("drafts approve") == usage
    assert (await app.drafts.get("D-1")).status == "pending"
    await run("drafts drop D-1")
    assert await run("drafts approve D-1") == "D-1 is already dropped"
    assert await run("drafts drop D-1") == "D-1 is already dropped"


async def test_a_draft_whose_id_a_faq_entry_took_is_refused_at_reload(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(FAQ)
    app = replica(make_app, path)
    await resolved_with_an_answer(app, "Can I pay with PayPal?", PAYPAL_ANSWER)
    await app.engine.handle(admin("drafts approve D-1"))
    path.write_text(
        FAQ + "- id: draft-1-can-i-pay-with-paypal\n  question: PayPal?\n  answer: Sure.\n"
    )
    refused = (await app.engine.handle(admin("reload"))).text
    assert refused.startswith("FAQ reload refused")
    assert "draft 'draft-1-can-i-pay-with-paypal' has the same id as the entry at" in refused
    assert (await app.drafts.get("D-1")).status == "approved"  # nothing lost


async def test_operators_list_and_decide_drafts_from_the_cli(
    make_app: MakeApp, tmp_path: Path, redis_url: str, prefix: str
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(FAQ)
    app = replica(make_app, path)
    await resolved_with_an_answer(app, "Can I pay with PayPal?", PAYPAL_ANSWER)
    env = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix, "FAQ_PATH": str(path)}
    listing = faqbot("faq", "drafts", cwd=tmp_path, **env)
    assert listing.returncode == 0, listing.stderr
    assert "D-1 [pending]" in listing.stdout
    shown = faqbot("faq", "drafts", "show", "D-1", cwd=tmp_path, **env)
    assert shown.stdout.strip() == (await app.engine.handle(admin("drafts show D-1"))).text
    approved = faqbot("faq", "drafts", "approve", "D-1", "--by", "ops", cwd=tmp_path, **env)
    assert approved.stdout.strip() == (
        "D-1 approved: it joins the FAQ at the next reload as draft-1-can-i-pay-with-paypal."
    )
    draft = await app.drafts.get("D-1")
    assert draft.status == "approved" and draft.decided_by == "cli:ops"
    again = faqbot("faq", "drafts", "approve", "D-1", cwd=tmp_path, **env)
    assert again.returncode == 1 and again.stderr.strip() == "D-1 is already approved"

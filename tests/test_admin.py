"""Admin commands are written once in the core; the policy decides who may run them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.admin.commands import Outcome
from bot.core.models import ConversationKey, IncomingMessage, MessageKind
from tests.conftest import MakeApp

GOOD = (
    "- id: a\n  question: Apples?\n  answer: Red.\n"
    "- id: b\n  question: Bananas?\n  answer: Yellow.\n"
)


def command(
    text: str, *, platform: str = "slack", user: str = "UADMIN", **facts: object
) -> IncomingMessage:
    return IncomingMessage(
        key=ConversationKey(platform, "W", "C1"),
        message_id="",
        user_id=user,
        text=text,
        kind=MessageKind.COMMAND,
        **facts,  # type: ignore[arg-type]
    )


async def test_an_admin_reloads_the_faq_and_sees_what_changed(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(GOOD)
    app = make_app(faq_path=path, SLACK_ADMIN_USER_IDS="UADMIN")
    path.write_text(
        GOOD.replace("Yellow", "Green") + "- id: c\n  question: Cherries?\n  answer: Dark.\n"
    )
    reply = await app.engine.handle(command("reload"))
    assert "FAQ reloaded" in reply.text and "3 entries" in reply.text
    assert "Added (1): c" in reply.text and "Changed (1): b" in reply.text


async def test_a_broken_faq_is_refused_with_its_errors_and_the_old_one_stays(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(GOOD)
    app = make_app(faq_path=path, SLACK_ADMIN_USER_IDS="UADMIN")
    path.write_text("- id: a\n  question: Apples?\n")
    reply = await app.engine.handle(command("reload"))
    assert "refused" in reply.text and f"{path}:1: missing 'answer'" in reply.text
    assert sorted(app.faq.index.by_id) == ["a", "b"]


@pytest.mark.parametrize("platform", ["slack", "discord", "terminal"])
async def test_no_chat_message_makes_the_bot_read_a_file_of_its_machine(
    make_app: MakeApp, tmp_path: Path, platform: str
) -> None:
    """Only `faqbot faq reload PATH` publishes a local path: it hands the path over itself, never
    in a message's words, and a chat message cannot carry one."""
    path = tmp_path / "faq.yaml"
    path.write_text(GOOD)
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(GOOD + "- id: c\n  question: Cherries?\n  answer: Dark.\n")
    app = make_app(faq_path=path, SLACK_ADMIN_USER_IDS="UADMIN", DISCORD_ADMIN_USER_IDS="UADMIN")
    reply = await app.engine.handle(command(f"reload {elsewhere}", platform=platform))
    assert reply.text.startswith("Usage: reload")
    assert sorted(app.faq.index.by_id) == ["a", "b"]
    if platform != "terminal":
        with pytest.raises(ValueError, match="never read"):
            await app.admin.execute(command("reload", platform=platform), local_path=path)
    cli = await app.admin.execute(command("reload", platform="cli"), local_path=elsewhere)
    assert cli.outcome is Outcome.DONE and sorted(app.faq.index.by_id) == ["a", "b", "c"]


async def test_someone_who_is_not_an_admin_gets_a_polite_refusal(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(GOOD)
    app = make_app(faq_path=path, SLACK_ADMIN_USER_IDS="UADMIN", DISCORD_ADMIN_ROLE_IDS="R1")
    path.write_text(GOOD + "- id: c\n  question: Cherries?\n  answer: Dark.\n")
    for message in (
        command("reload", user="USOMEONE"),
        command("reload", platform="discord", user="D1", user_roles=("R2",)),
    ):
        reply = await app.engine.handle(message)
        assert "for admins only" in reply.text
    assert "c" not in app.faq.index.by_id
    # Discord: an admin role, or the platform's own "manages the server" fact, is enough.
    for message in (
        command("status", platform="discord", user="D1", user_roles=("R1",)),
        command("status", platform="discord", user="D2", platform_admin=True),
    ):
        assert "FAQ version" in (await app.engine.handle(message)).text


async def test_an_empty_admin_list_means_nobody_is_an_admin(make_app: MakeApp) -> None:
    app = make_app()
    assert "for admins only" in (await app.engine.handle(command("status"))).text
    assert "Admin commands" in (await app.engine.handle(command("help"))).text


async def test_status_and_tickets_report_the_live_state(make_app: MakeApp) -> None:
    app = make_app(SLACK_ADMIN_USER_IDS="UADMIN")
    customer = IncomingMessage(
        key=ConversationKey("slack", "W", "D9"),
        message_id="",
        user_id="U9",
        user_name="Zoe",
        text="I want to talk to a human",
        is_direct=True,
    )
    ticket = (await app.engine.handle(customer)).ticket
    assert ticket is not None
    status = (await app.engine.handle(command("status"))).text
    assert f"{len(app.faq.index)} entries" in status and "Answer mode: extractive" in status
    assert "escalated 1" in status
    tickets = (await app.engine.handle(command("tickets"))).text
    assert f"{ticket.id} [open] Zoe: I want to talk to a human" in tickets


async def test_a_bot_whose_faq_path_is_not_the_live_version_says_which_it_serves(
    make_app: MakeApp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first, edited = tmp_path / "first.yaml", tmp_path / "edited.yaml"
    first.write_text(GOOD)
    edited.write_text(GOOD.replace("Yellow", "Green"))
    await make_app(faq_path=first).start()  # a fresh Redis: first.yaml becomes the live version
    restarted = make_app(faq_path=edited, SLACK_ADMIN_USER_IDS="UADMIN")
    with caplog.at_level(logging.INFO, logger="bot.knowledge.publishing"):
        await restarted.start()
    live = restarted.faq.version
    [said] = [r.getMessage() for r in caplog.records if "serving the live FAQ version" in r.message]
    assert f"version {live} (from {first})" in said and f"not FAQ_PATH {edited}" in said
    assert "faqbot faq reload" in said
    status = (await restarted.engine.handle(command("status"))).text
    assert f"FAQ version {live}: 2 entries from {first}, published by startup on " in status
    assert str(edited) not in status

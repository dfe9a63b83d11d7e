"""The dashboard in a real browser: the system's headless Chromium, driven by Playwright, against
a bot whose Slack is the local stand-in.

Set FAQBOT_SCREENSHOTS to a folder to save the pages' screenshots there (the README's come from
this run: `FAQBOT_SCREENSHOTS=docs python -m pytest tests/test_dashboard_browser.py`).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from bot.core.models import ConversationKey, TicketStatus
from tests.conftest import MakeApp
from tests.people import Customer
from tests.test_dashboard import TOKEN, faq_folder
from tests.test_slack import (  # noqa: F401 (fixtures)
    RigFactory,
    SlackRig,
    make_rig,
    mention,
    standin,
)
from tests.test_versions import FAQ

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no {CHROMIUM}: install Debian's chromium (apt-get install chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


async def shoot(page: Page, name: str) -> None:
    folder = os.environ.get("FAQBOT_SCREENSHOTS")
    if folder:
        await page.screenshot(path=str(Path(folder) / f"dashboard-{name}.png"))


async def dashboard_rig(make_rig: RigFactory, tmp_path: Path) -> tuple[SlackRig, str]:  # noqa: F811
    rig = await make_rig(faq_folder(tmp_path), ADMIN_TOKEN=TOKEN, SEMANTIC_SEARCH="off")
    await rig.app.start(follow=False)
    return rig, rig.url.removesuffix("/slack/events")


async def signed_in(browser: Browser, base: str, name: str = "Dana") -> tuple[BrowserContext, Page]:
    """Signs in with the keyboard only: the token field has the focus, Enter submits."""
    context = await browser.new_context(viewport=LAPTOP)
    page = await context.new_page()
    await page.goto(base + "/admin/tickets")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.get_by_label("Admin token")).to_be_focused()
    await page.keyboard.type(TOKEN)
    await page.keyboard.press("Tab")
    await page.keyboard.press("Control+A")
    await page.keyboard.type(name)
    await page.keyboard.press("Enter")
    # Back where the sign-in form was asked for.
    await expect(page.get_by_role("heading", name="Tickets")).to_be_visible()
    return context, page


async def test_an_agent_signs_in_claims_and_replies_and_the_slack_customer_reads_it(
    browser: Browser,
    make_rig: RigFactory,  # noqa: F811
    tmp_path: Path,
) -> None:
    rig, base = await dashboard_rig(make_rig, tmp_path)
    # Earlier today, two customers got their answer from the FAQ and one said it helped.
    for channel, asked in (("C7", "How do I reset my password?"), ("C8", "Can I get a refund?")):
        customer = Customer(rig.app.engine, key=ConversationKey("slack", "T1", channel))
        answer = await customer.say(asked)
    await customer.press(answer, "helpful")
    slack = rig.standin
    question = mention("I want to talk to a human")
    await rig.event(question)
    told = await slack.wait_for(
        lambda: [p for p in slack.called("chat.postMessage", channel="C1") if "ticket" in p["text"]]
    )
    (ticket,) = await rig.app.tickets.list()
    assert ticket.id in told[0]["text"]

    _, page = await signed_in(browser, base)
    await shoot(page, "tickets")
    await page.get_by_role("link", name="Overview").click()
    figures = page.get_by_role("table", name="Last 7 days")
    await expect(figures.get_by_role("row", name="Deflection")).to_contain_text("2 (67%)")
    await expect(figures.get_by_role("row", name="Helpful / Not helpful")).to_contain_text("1 / 0")
    await expect(figures.get_by_role("row", name="Tickets waiting now")).to_contain_text("1 / 0")
    await shoot(page, "overview")
    await page.get_by_role("link", name="Tickets", exact=True).click()
    await page.get_by_role("link", name=ticket.id).click()
    await expect(page.get_by_role("heading", name=f"Ticket {ticket.id}")).to_be_visible()
    await page.get_by_role("button", name="Claim as Dana").click()
    await expect(page.get_by_role("status")).to_have_text("You claimed the ticket.")
    await page.get_by_label("Reply to the customer").fill("Hi! I have reset your sync token.")
    await shoot(page, "ticket")
    await page.get_by_role("button", name="Send reply").click()
    await expect(page.get_by_role("status")).to_have_text("Your reply was sent to the customer.")

    # The reply reaches the customer's Slack thread, through the core, with the agent's name.
    relayed = await slack.wait_for(
        lambda: [
            p for p in slack.called("chat.postMessage", channel="C1") if "sync token" in p["text"]
        ]
    )
    assert relayed[0]["text"] == "Dana: Hi! I have reset your sync token."
    assert relayed[0]["thread_ts"] == question["ts"]
    await expect(page.locator(".transcript")).to_contain_text("Hi! I have reset your sync token.")

    await page.get_by_role("button", name="Resolve").click()
    await expect(page.get_by_role("status")).to_contain_text("The ticket is resolved")
    await slack.wait_for(
        lambda: [
            p for p in slack.called("chat.postMessage", channel="C1") if "resolved" in p["text"]
        ]
    )
    assert (await rig.app.tickets.get(ticket.id)).status is TicketStatus.RESOLVED


async def test_a_rollback_from_the_page_changes_what_the_bot_answers(
    browser: Browser,
    make_rig: RigFactory,  # noqa: F811
    make_app: MakeApp,
    tmp_path: Path,
) -> None:
    rig, base = await dashboard_rig(make_rig, tmp_path)
    first = rig.app.faq.version
    folder = tmp_path / "faq"
    (folder / "faq.yaml").write_text(
        FAQ.replace("Our office is in Lyon.", "Our office is in Paris.")
    )
    assert (await rig.app.publisher.reload("ops")).ok
    asker = Customer(rig.app.engine)
    assert "Paris" in (await asker.say("Where is your office?")).text

    _, page = await signed_in(browser, base)
    await page.get_by_role("link", name="Knowledge").click()
    await page.get_by_label("A customer's question").fill("Where is your office?")
    await page.get_by_role("button", name="See what the bot would answer").click()
    await expect(page.locator("section.card")).to_contain_text("Our office is in Paris.")
    await shoot(page, "knowledge")
    await page.get_by_role("button", name=f"Roll back to {first}").click()
    await expect(page.get_by_role("heading", name="Rollback: done")).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text(f"FAQ rolled back: version {first}")

    assert "Lyon" in (await Customer(rig.app.engine).say("Where is your office?")).text
    # Like `faqbot ask`: a new process serves the version live in Redis.
    other = make_app(faq_path=folder, SEMANTIC_SEARCH="off")
    await other.start(follow=False)
    assert "Lyon" in (await Customer(other.engine).say("Where is your office?")).text


async def test_actions_without_the_cookie_or_with_a_wrong_csrf_token_are_refused(
    browser: Browser,
    make_rig: RigFactory,  # noqa: F811
    tmp_path: Path,
) -> None:
    rig, base = await dashboard_rig(make_rig, tmp_path)
    await rig.event(mention("I want to talk to a human"))
    await rig.standin.wait_for(lambda: rig.standin.called("chat.postMessage", channel="CDESK"))
    (ticket,) = await rig.app.tickets.list()
    resolve = f"{base}/admin/tickets/{ticket.id}/resolve"

    stranger = await browser.new_context(viewport=LAPTOP)
    page = await stranger.new_page()
    await page.goto(base + "/admin")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    refused = await stranger.request.post(resolve, form={"csrf": "anything"})
    assert refused.status == 401

    agent, page = await signed_in(browser, base)
    await page.goto(f"{base}/admin/tickets/{ticket.id}")
    forged = await agent.request.post(resolve, form={"csrf": "forged"})
    assert forged.status == 403 and "CSRF" in await forged.text()
    assert (await rig.app.tickets.get(ticket.id)).status is TicketStatus.OPEN
    # The page's own form, with its token, does it.
    await page.get_by_role("button", name="Resolve").click()
    await expect(page.get_by_role("status")).to_contain_text("The ticket is resolved")

"""An existing helpdesk follows tickets through a signed, retried webhook, and a slow one never
delays the customer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.runtime.settings import SettingsError
from tests.conftest import MakeApp
from tests.people import Customer
from tests.standins.webhook_receiver import WebhookReceiver
from tests.test_conversation import RecordingDesk

SECRET = "whsec-test-secret"


@pytest.fixture
async def helpdesk() -> AsyncIterator[WebhookReceiver]:
    receiver = await WebhookReceiver(SECRET).start()
    yield receiver
    await receiver.stop()


async def test_the_helpdesk_hears_a_ticket_opened_claimed_and_resolved_signed_and_retried(
    make_app: MakeApp, helpdesk: WebhookReceiver
) -> None:
    app = make_app(TICKET_WEBHOOK_URL=helpdesk.url, TICKET_WEBHOOK_SECRET=SECRET)
    app.engine.set_desk(RecordingDesk())
    helpdesk.statuses = [503]  # the helpdesk is briefly unavailable
    reply = await Customer(app.engine).say("I want to talk to a human")
    assert reply.ticket is not None
    await app.engine.claim(reply.ticket.id, "Ann")
    await app.engine.resolve(reply.ticket.id, "Ann")
    assert app.notifier is not None
    await app.notifier.drain()

    assert all(r.signature_ok for r in helpdesk.received)
    first, retry = helpdesk.received[:2]
    assert (first.status, retry.status) == (503, 204)
    assert first.headers["X-Faqbot-Delivery"] == retry.headers["X-Faqbot-Delivery"]
    events = [(r.body["event"], r.body["ticket"]["status"]) for r in helpdesk.delivered]
    assert events == [
        ("ticket.opened", "open"),
        ("ticket.claimed", "claimed"),
        ("ticket.resolved", "resolved"),
    ]
    opened = helpdesk.delivered[0].body["ticket"]
    assert opened["id"] == reply.ticket.id and opened["question"] == "I want to talk to a human"
    assert opened["user_name"] == "Alice" and opened["platform"] == "terminal"
    assert helpdesk.delivered[1].body["ticket"]["claimed_by"] == "Ann"


async def test_a_slow_helpdesk_never_delays_the_customers_reply(
    make_app: MakeApp, helpdesk: WebhookReceiver
) -> None:
    app = make_app(TICKET_WEBHOOK_URL=helpdesk.url, TICKET_WEBHOOK_SECRET=SECRET)
    helpdesk.hold = asyncio.Event()
    reply = await Customer(app.engine).say("I want to talk to a human")
    # The customer has the ticket while the helpdesk has not even answered.
    assert reply.ticket is not None and not helpdesk.received
    helpdesk.hold.set()
    assert app.notifier is not None
    await app.notifier.drain()
    assert [r.body["ticket"]["id"] for r in helpdesk.delivered] == [reply.ticket.id]


async def test_a_refused_event_is_not_retried_and_retries_are_bounded(
    make_app: MakeApp, helpdesk: WebhookReceiver
) -> None:
    app = make_app(
        TICKET_WEBHOOK_URL=helpdesk.url, TICKET_WEBHOOK_SECRET=SECRET, TICKET_WEBHOOK_ATTEMPTS=2
    )
    helpdesk.statuses = [400, 500, 500]
    first = (await Customer(app.engine).say("I want to talk to a human")).ticket
    second = (await Customer(app.engine).say("I want to talk to a human")).ticket
    assert first is not None and second is not None and app.notifier is not None
    await app.notifier.drain()
    # 400: the payload was refused, no retry; 500 twice: the two attempts allowed, then given up.
    assert [r.status for r in helpdesk.received] == [400, 500, 500]
    assert [r.body["ticket"]["id"] for r in helpdesk.received] == [first.id, second.id, second.id]
    assert app.notifier.failed == 2


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"TICKET_WEBHOOK_URL": "https://helpdesk.example/hook"}, "TICKET_WEBHOOK_SECRET"),
        (
            {"TICKET_WEBHOOK_URL": "file:///etc/passwd", "TICKET_WEBHOOK_SECRET": "s"},
            "TICKET_WEBHOOK_URL",
        ),
    ],
)
def test_an_unsigned_or_odd_webhook_is_refused_at_start(
    make_app: MakeApp, settings: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError, match=f"invalid setting {named}"):
        make_app(**settings)

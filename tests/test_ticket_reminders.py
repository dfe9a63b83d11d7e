"""Tickets nobody claims are brought back to the desk's attention, once; customers who write out of
business hours are told when people are back. Time is a clock the test moves."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.hours import BusinessHours, parse_windows
from bot.runtime.settings import SettingsError, load_settings
from tests.conftest import MakeApp
from tests.people import Customer
from tests.test_conversation import RecordingDesk

PARIS = ZoneInfo("Europe/Paris")


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in the week of Monday 23 November 2026, in Paris."""
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS)


async def test_an_unclaimed_ticket_is_recalled_to_the_desk_once(make_app: MakeApp) -> None:
    clock = Clock(paris(25, 10))
    app = make_app(clock=clock, TICKET_REMINDER_MINUTES=30)
    desk = RecordingDesk()
    app.engine.set_desk(desk)
    waiting = (await Customer(app.engine).say("I want to talk to a human")).ticket
    taken = (await Customer(app.engine, user_name="Bob").say("talk to a human")).ticket
    assert waiting is not None and taken is not None and app.reminders is not None
    await app.engine.claim(taken.id, "Ann")

    clock.advance(29)
    assert await app.reminders.scan(app.engine.desk) == []
    clock.advance(2)
    [reminded] = await app.reminders.scan(app.engine.desk)
    assert reminded.id == waiting.id
    assert desk.notes == [
        (
            waiting.id,
            f"Reminder: ticket {waiting.id} from Alice has waited 31 minutes "
            "and nobody has claimed it yet.",
        )
    ]
    # Once per ticket, also for another replica sharing the Redis.
    clock.advance(60)
    replica = make_app(clock=clock, TICKET_REMINDER_MINUTES=30)
    assert replica.reminders is not None
    assert await app.reminders.scan(app.engine.desk) == []
    assert await replica.reminders.scan(app.engine.desk) == []
    assert len(desk.notes) == 1


async def test_reminders_can_be_turned_off(make_app: MakeApp) -> None:
    clock = Clock(paris(25, 10))
    app = make_app(clock=clock, TICKET_REMINDER_MINUTES=0)
    desk = RecordingDesk()
    app.engine.set_desk(desk)
    await Customer(app.engine).say("I want to talk to a human")
    clock.advance(24 * 60)
    assert app.reminders is not None and await app.reminders.scan(desk) == []


@pytest.mark.parametrize(
    ("when", "question", "notice"),
    [
        (
            paris(28, 12),  # Saturday
            "I want to talk to a human",
            "they are back on Monday at 09:00 (Europe/Paris)",
        ),
        (
            paris(25, 18, 30),  # Wednesday evening
            "Je voudrais parler à un conseiller",
            "elle revient jeudi à 09:00 (Europe/Paris)",
        ),
    ],
)
async def test_a_ticket_opened_out_of_hours_says_when_people_are_back(
    make_app: MakeApp, when: datetime, question: str, notice: str
) -> None:
    app = make_app(
        clock=Clock(when), BUSINESS_HOURS="Mon-Fri 09:00-17:00", BUSINESS_TIMEZONE="Europe/Paris"
    )
    reply = await Customer(app.engine).say(question)
    assert reply.ticket is not None and reply.ticket.id in reply.text
    assert notice in reply.text


async def test_a_ticket_opened_in_hours_has_no_notice(make_app: MakeApp) -> None:
    app = make_app(
        clock=Clock(paris(25, 10)),
        BUSINESS_HOURS="Mon-Fri 09:00-17:00",
        BUSINESS_TIMEZONE="Europe/Paris",
    )
    reply = await Customer(app.engine).say("I want to talk to a human")
    assert reply.ticket is not None and "back" not in reply.text


def test_business_hours_wrap_around_the_week_and_reopen_the_same_day() -> None:
    hours = BusinessHours.parse("Sun-Thu 08:00-16:00, Sat 10:00-12:00", "Europe/Paris")
    assert hours.is_open(paris(29, 9).timestamp())  # Sunday
    assert not hours.is_open(paris(27, 9).timestamp())  # Friday
    assert hours.next_opening(paris(27, 9).timestamp()) == paris(28, 10)
    assert hours.next_opening(paris(23, 7).timestamp()) == paris(23, 8)  # Monday, early
    assert not hours.is_open(paris(23, 16).timestamp())  # closing time is closed


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("Mon-Fri 9-17", "is not like"),
        ("Mon-Fry 09:00-17:00", "is not like"),
        ("Mon 17:00-09:00", "closes before it opens"),
        ("Mon 24:00-25:00", "is not a time of day"),
    ],
)
def test_bad_business_hours_are_refused_saying_why(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_windows(spec)


def test_a_bad_time_zone_stops_the_bot_with_one_line() -> None:
    with pytest.raises(SettingsError, match=r"invalid setting BUSINESS_TIMEZONE: .*Mars/Olympus"):
        load_settings(_env_file=None, BUSINESS_TIMEZONE="Mars/Olympus")

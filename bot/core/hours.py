"""Business hours ("Mon-Fri 09:00-17:00, Sat 10:00-13:00" in a time zone): are people at the desk
now, and when are they back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
    r"(?P<open>\d{1,2}:\d{2})-(?P<close>\d{1,2}:\d{2})$"
)

Window = tuple[int, time, time]  # weekday (Monday 0), opening, closing


def _clock_time(value: str, spec: str) -> time:
    hours, minutes = (int(part) for part in value.split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(f"{value} in {spec!r} is not a time of day")
    return time(hours, minutes)


def parse_windows(spec: str) -> tuple[Window, ...]:
    """Comma-separated `Day[-Day] HH:MM-HH:MM` windows; a ValueError says what is wrong."""
    windows: list[Window] = []
    for part in (p.strip().lower() for p in spec.split(",")):
        match = _WINDOW.match(part)
        if match is None or match["first"] not in DAYS or (match["last"] or "mon") not in DAYS:
            raise ValueError(f"{part!r} is not like 'Mon-Fri 09:00-17:00'")
        opening, closing = _clock_time(match["open"], part), _clock_time(match["close"], part)
        if closing <= opening:
            raise ValueError(f"{part!r} closes before it opens")
        first = DAYS.index(match["first"])
        last = DAYS.index(match["last"] or match["first"])
        span = (last - first) % 7  # "Sun-Thu" wraps around the week
        windows += [((first + n) % 7, opening, closing) for n in range(span + 1)]
    return tuple(windows)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a known time zone (e.g. Europe/Paris)") from None


@dataclass(frozen=True)
class BusinessHours:
    windows: tuple[Window, ...]
    timezone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, timezone: str) -> BusinessHours:
        return cls(parse_windows(spec), zone(timezone))

    def _local(self, at: float) -> datetime:
        return datetime.fromtimestamp(at, self.timezone)

    def is_open(self, at: float) -> bool:
        now = self._local(at)
        return any(
            day == now.weekday() and opening <= now.time() < closing
            for day, opening, closing in self.windows
        )

    def next_opening(self, at: float) -> datetime:
        """The next time the desk opens after `at`, in the business time zone."""
        now = self._local(at)
        candidates = [
            datetime.combine(now.date() + timedelta(days=ahead), opening, self.timezone)
            for ahead in range(8)
            for day, opening, _ in self.windows
            if day == (now.weekday() + ahead) % 7
        ]
        return min(c for c in candidates if c > now)

"""The team's welcome rule: « the first Tuesday of each month at 12:30, 30 minutes », kept announced forever.

A rule names its dates; the bot keeps the next ``ahead`` of them announced. The window of a rule is the first
``ahead`` dates whose session has not ended yet; it opens ``announce_days`` before its first date, and moves on when
that session ends (held or skipped alike, so a skipped date keeps its place and the cadence never changes). Each
date is a key: a session made for it is never made again, even if it was moved or cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.schedule import monthly_occurrences
from bot.errors import InvalidInput

ORDINALS = (1, 2, 3, 4, -1)  # -1: the last one of the month
MIN_MINUTES = 15
MAX_MINUTES = 120
MAX_AHEAD = 12
MAX_CAPACITY = 100  # Zoom's own limit


@dataclass(frozen=True)
class WelcomeRule:
    weekday: int  # 0 is Monday
    ordinal: int  # 1 to 4, or -1 for the last one of the month
    at: time  # in the guild's time zone
    duration_minutes: int = 30
    capacity: int = 0  # 0: Zoom's limit
    ahead: int = 1  # how many sessions are kept announced
    zoom_url: str | None = None  # None: Zoom makes the meeting, or the team gives the link session by session

    def validated(self) -> WelcomeRule:
        """Every value in range, or a refusal naming the one that is not (the command's choices can be bypassed)."""
        if not 0 <= self.weekday <= 6:
            raise InvalidInput("error.welcome.weekday")
        if self.ordinal not in ORDINALS:
            raise InvalidInput("error.welcome.rank")
        if not MIN_MINUTES <= self.duration_minutes <= MAX_MINUTES:
            raise InvalidInput("error.welcome.duration", minimum=MIN_MINUTES, maximum=MAX_MINUTES)
        if not 0 <= self.capacity <= MAX_CAPACITY:
            raise InvalidInput("error.welcome.capacity", maximum=MAX_CAPACITY)
        if not 1 <= self.ahead <= MAX_AHEAD:
            raise InvalidInput("error.input.count", maximum=MAX_AHEAD)
        return self

    def changed(self, before: WelcomeRule | None) -> list[str]:
        """The names of the fields that differ from ``before`` (all of them for a first rule)."""
        return [f.name for f in fields(self) if before is None or getattr(self, f.name) != getattr(before, f.name)]

    def with_changes(self, **changes: object) -> WelcomeRule:
        """This rule with the values the team gave (None: keep the current one)."""
        return replace(self, **{name: value for name, value in changes.items() if value is not None})


@dataclass(frozen=True)
class Window:
    """The dates the rule keeps announced at one moment, and when it opens (their first date − announce_days)."""

    dates: tuple[datetime, ...]
    opens_at: datetime
    duration: timedelta

    def is_open(self, now: datetime) -> bool:
        return now >= self.opens_at

    def to_make(self, now: datetime, existing: set[datetime]) -> list[datetime]:
        """The dates that still need their session: none before the window opens, and none already started."""
        if not self.is_open(now):
            return []
        return [date for date in self.dates if date not in existing and date > now]

    def next_change(self, now: datetime) -> datetime:
        """When to look again: the window opens, or (open already) it moves on when its first session ends."""
        return self.opens_at if not self.is_open(now) else self.dates[0] + self.duration


def month_after(moment: datetime, tz: ZoneInfo) -> datetime:
    """The start (aware UTC) of the local month after ``moment``'s: a replaced rule's dates begin there when a
    session of the month is already announced, so a month never gets two welcome sessions."""
    local = moment.astimezone(tz)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime(year, month, 1, tzinfo=tz).astimezone(UTC)


def window(rule: WelcomeRule, tz: ZoneInfo, *, since: datetime, now: datetime, announce_days: int) -> Window:
    """The rule's window at ``now``: its first ``ahead`` dates after ``since`` whose session has not ended.

    Dates are read in ``tz``, so 12:30 stays 12:30 on both sides of a DST change; a time in the spring-forward gap
    lands after it (02:30 becomes 03:30), an ambiguous one takes the first (summer) hour.
    """
    duration = timedelta(minutes=rule.duration_minutes)
    after = max(since, now - duration)
    dates = tuple(monthly_occurrences(rule.weekday, rule.ordinal, rule.at, tz, after, rule.ahead))
    return Window(dates, dates[0] - timedelta(days=announce_days), duration)

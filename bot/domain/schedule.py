"""Time rules: reading a local date typed by a person, slot overlap, booking rules and monthly recurrences.

Everything is aware UTC inside; the guild's time zone is used only to read what people type and to show dates.
A local time that does not exist (the spring-forward gap) is refused rather than guessed; an ambiguous one (the
autumn fall-back hour) is read as the first occurrence, which is what a calendar shows first.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.proposal import Parcours
from bot.errors import InvalidInput, InvalidState

MIN_SLOT_MINUTES = 30
MAX_SLOT_MINUTES = 8 * 60


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def overlaps(self, other: Interval, buffer: timedelta) -> bool:
        """True when the two cannot both happen on one Zoom account, counting the changeover buffer."""
        return self.start < other.end + buffer and other.start < self.end + buffer


def parse_local(date_text: str, time_text: str, tz: ZoneInfo) -> datetime:
    """Read « JJ/MM/AAAA » and « HH:MM » typed in the guild's zone into aware UTC."""
    day = _parse_date(date_text)
    clock = parse_time(time_text)
    local = datetime.combine(day, clock, tzinfo=tz)
    # A time in the spring-forward gap does not survive a round trip through UTC.
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise InvalidInput("error.input.nonexistent_time", date=date_text.strip(), time=time_text.strip())
    return local.astimezone(UTC)


def _parse_date(text: str) -> date:
    parts = text.strip().replace("-", "/").replace(".", "/").split("/")
    try:
        day, month, year = (int(part) for part in parts)
        return date(year, month, day)
    except ValueError:
        raise InvalidInput("error.input.date", value=text.strip()[:20]) from None


def parse_time(text: str) -> time:
    """« 14:00 », « 14h », « 14h30 » → a time of day; anything else is refused with the value shown back."""
    cleaned = text.strip().lower().replace("h", ":")
    if cleaned.endswith(":"):
        cleaned += "00"
    try:
        hours, minutes = (int(part) for part in cleaned.split(":"))
        return time(hours, minutes)
    except ValueError:
        raise InvalidInput("error.input.time", value=text.strip()[:20]) from None


def new_slot(start: datetime, minutes: int, now: datetime, *, own_length: bool = False) -> Interval:
    """A slot the team offers: in the future and of a sensible length — unless it is made for a session moved to
    a date (``own_length``: the session's length, checked when it was proposed or set by the welcome rule)."""
    if not own_length and not MIN_SLOT_MINUTES <= minutes <= MAX_SLOT_MINUTES:
        raise InvalidInput("error.input.slot_length", minimum=MIN_SLOT_MINUTES, maximum=MAX_SLOT_MINUTES)
    if start <= now:
        raise InvalidInput("error.input.past")
    return Interval(start, start + timedelta(minutes=minutes))


def first_conflict(candidate: Interval, existing: Iterable[tuple[int, Interval]], buffer: timedelta) -> int | None:
    """The number of the first existing slot that ``candidate`` would overlap, if any."""
    for number, interval in sorted(existing, key=lambda item: item[1].start):
        if candidate.overlaps(interval, buffer):
            return number
    return None


def check_bookable(
    slot: Interval,
    duration_minutes: int,
    parcours: Parcours,
    now: datetime,
    lead_days: dict[Parcours, int],
    *,
    forcible: bool = False,
) -> None:
    """A slot fits a Fabrique if it is long enough and leaves the preparation time its parcours needs.

    ``forcible``: the team is moving the session and may override the lead time, so the refusal tells it how.
    """
    if slot.start <= now:
        raise InvalidState("error.slot.past")
    if slot.minutes < duration_minutes:
        raise InvalidInput("error.slot.too_short", slot_minutes=slot.minutes, needed=duration_minutes)
    lead = lead_days[parcours]
    if slot.start < now + timedelta(days=lead):
        key = "error.move.too_soon" if forcible else "error.slot.too_soon"
        raise InvalidInput(key, days=lead, parcours=parcours)


def monthly_occurrences(
    weekday: int, ordinal: int, at: time, tz: ZoneInfo, after: datetime, count: int
) -> list[datetime]:
    """The next ``count`` dates (aware UTC) of e.g. « the first Tuesday of each month at 12:30 » in ``tz``.

    ``weekday`` is 0 for Monday; ``ordinal`` is 1 to 4, or -1 for the last one of the month.
    """
    local_after = after.astimezone(tz)
    year, month = local_after.year, local_after.month
    found: list[datetime] = []
    while len(found) < count:
        days = [
            d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month and d.weekday() == weekday
        ]
        day = days[ordinal - 1] if ordinal > 0 else days[-1]
        moment = datetime.combine(day, at, tzinfo=tz).astimezone(UTC)
        if moment > after:
            found.append(moment)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found

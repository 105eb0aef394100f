"""The team's year at a glance (``/equipe bilan``): what a period's held sessions add up to.

Everything here is a pure function of the sessions read once from the database, so the image, the text under it
and the spreadsheet always tell the same figures. A session is one row: a series of three dates counts three
sessions (and one series); welcome sessions (« 30 min chrono ») are counted apart, as they owe no documentation
and are not the members' Fabriques.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.domain.lifecycle import State
from bot.domain.proposal import FabriqueKind, Format, Parcours
from bot.domain.registration import Status
from bot.errors import InvalidInput

# A session counts once it took place, whatever became of its documentation since.
HELD_STATES = frozenset({State.HELD, State.DOCUMENTATION_DUE, State.DOCUMENTING, State.DOCUMENTED})
_DAY = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*")


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included, in the guild's time zone."""

    start: date
    end: date

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as aware instants: local midnight of ``start``, local midnight after ``end`` (excluded)."""
        return (
            datetime.combine(self.start, time(), tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time(), tzinfo=tz),
        )

    def months(self) -> list[tuple[int, int]]:
        """Every (year, month) the period touches, in order: the chart's x axis."""
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


def year_of(today: date) -> Period:
    """The default period: the current calendar year (SPEC §5)."""
    return Period(date(today.year, 1, 1), date(today.year, 12, 31))


def month_of(day: date) -> Period:
    """The calendar month ``day`` is in: what a monthly post shows."""
    first = day.replace(day=1)
    following = date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
    return Period(first, following - timedelta(days=1))


def period_of(debut: str | None, fin: str | None, today: date) -> Period:
    """The period typed in ``/equipe bilan``: both dates (JJ/MM/AAAA) or neither (the current year)."""
    if debut is None and fin is None:
        return year_of(today)
    if debut is None or fin is None:
        raise InvalidInput("error.bilan.both_dates")
    start, end = _day(debut), _day(fin)
    if end < start:
        raise InvalidInput("error.bilan.order", debut=start.strftime("%d/%m/%Y"), fin=end.strftime("%d/%m/%Y"))
    return Period(start, end)


def _day(text: str) -> date:
    match = _DAY.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise InvalidInput("error.bilan.date", value=text.strip()[:20]) from None


class HeldSession(NamedTuple):
    """A held session's own columns, as the database gives them (plain values: they cross to the process that
    makes the bilan's files, ``bot.reports``)."""

    id: int
    series_id: int | None
    series_rank: int
    series_size: int
    kind: FabriqueKind
    title: str
    format: Format
    parcours: Parcours
    organizer_id: int
    starts_at: datetime
    duration_minutes: int
    capacity: int
    zoom_participants: int | None


@dataclass(frozen=True)
class SessionLine:
    """One held session as the bilan reads it (registrations of a series are its first session's: people register
    for the cycle)."""

    id: int
    series_id: int | None
    series_rank: int
    series_size: int
    kind: FabriqueKind
    title: str
    format: Format
    parcours: Parcours
    organizers: str  # display names, as stored
    starts_at: datetime
    duration_minutes: int
    capacity: int  # 0: no limit
    seated: int
    waitlisted: int
    attended: int | None  # from Zoom, when it told the bot
    documented_at: datetime | None
    article_link: str | None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_welcome(self) -> bool:
        return self.kind is FabriqueKind.WELCOME

    @property
    def is_series(self) -> bool:
        return self.series_id is not None


@dataclass(frozen=True)
class Spread:
    """A distribution summed up for a report: its median and quartiles."""

    median: float
    low: float  # first quartile
    high: float  # third quartile
    count: int

    @classmethod
    def of(cls, values: list[float]) -> Spread | None:
        if not values:
            return None
        if len(values) == 1:
            return cls(values[0], values[0], values[0], 1)
        low, median, high = statistics.quantiles(values, n=4, method="inclusive")
        return cls(median, low, high, len(values))


@dataclass(frozen=True)
class Figures:
    """The period's figures. Fabriques only (welcome sessions apart) unless a name says otherwise."""

    period: Period
    months: list[tuple[int, int]]
    held_by_month: dict[Format, list[int]]  # format → sessions held per month of ``months``
    held: int
    welcome: int
    series_sessions: int
    single_sessions: int
    series: int  # distinct series with at least one session held in the period
    seated: int
    places: int  # places offered by sessions with a limit
    seated_limited: int  # seated on those sessions: the fill rate's numerator
    waitlisted: int
    attended: int  # participants Zoom counted…
    seated_with_attendance: int  # …of sessions where it counted them
    delays: list[float]  # days from the end to the published article, per documented session
    delay: Spread | None
    documented: int
    documented_in_time: int
    deadline_days: int

    @property
    def fill_rate(self) -> float | None:
        return self.seated_limited / self.places if self.places else None

    @property
    def attendance_rate(self) -> float | None:
        return self.attended / self.seated_with_attendance if self.seated_with_attendance else None

    @property
    def in_time_share(self) -> float | None:
        return self.documented_in_time / self.held if self.held else None


def figures(lines: list[SessionLine], period: Period, tz: ZoneInfo, deadline_days: int) -> Figures:
    """Sum up the held sessions of ``period`` (``lines`` may be wider: what falls outside is left out)."""
    start, end = period.bounds(tz)
    inside = [line for line in lines if start <= line.starts_at < end]
    fabriques = [line for line in inside if not line.is_welcome]
    months = period.months()
    index = {month: i for i, month in enumerate(months)}
    by_month = {fmt: [0] * len(months) for fmt in Format}
    for line in fabriques:
        local = line.starts_at.astimezone(tz)
        by_month[line.format][index[(local.year, local.month)]] += 1
    limited = [line for line in fabriques if line.capacity > 0]
    counted = [line for line in fabriques if line.attended is not None]
    delays = [
        (line.documented_at - line.ends_at).total_seconds() / 86400
        for line in fabriques
        if line.documented_at is not None
    ]
    return Figures(
        period=period,
        months=months,
        held_by_month=by_month,
        held=len(fabriques),
        welcome=len(inside) - len(fabriques),
        series_sessions=sum(line.is_series for line in fabriques),
        single_sessions=sum(not line.is_series for line in fabriques),
        series=len({line.series_id for line in fabriques if line.series_id is not None}),
        seated=sum(line.seated for line in fabriques),
        places=sum(line.capacity for line in limited),
        seated_limited=sum(min(line.seated, line.capacity) for line in limited),
        waitlisted=sum(line.waitlisted for line in fabriques),
        attended=sum(line.attended or 0 for line in counted),
        seated_with_attendance=sum(line.seated for line in counted),
        delays=delays,
        delay=Spread.of(delays),
        documented=len(delays),
        documented_in_time=sum(delay <= deadline_days for delay in delays),
        deadline_days=deadline_days,
    )


@dataclass(frozen=True)
class BilanRead:
    """What the database gives for a period, as plain values (they cross to the child process that makes the
    bilan's files): its held sessions, oldest first, and by session or series home what their lines need."""

    sessions: list[HeldSession]
    coorganizers: dict[int, list[int]]  # session id → co-organizers, in the order they were added
    registrations: dict[int, dict[Status, int]]  # home id → status → count
    absences: dict[int, int]  # session id → registrants who said they would miss it
    documented: dict[int, tuple[datetime, str | None]]  # session id → documented at, article link
    places: dict[int, int]  # series home id → places (a series' places are its first session's)
    names: dict[int, str]  # user id → the display name stored when they last acted
    unknown: str  # the name of someone never seen

    def people(self, session: HeldSession) -> tuple[int, ...]:
        return (session.organizer_id, *self.coorganizers.get(session.id, ()))


@dataclass(frozen=True)
class BilanFiles:
    """What the child process sends back: the figures, the PNG, and the spreadsheets when asked for."""

    figures: Figures
    image: bytes
    xlsx: bytes | None
    csv: bytes | None


def lines(read: BilanRead) -> list[SessionLine]:
    """One line per held session: a series' places and registrations are its first session's, less this date's
    absences."""
    return [_line(read, session) for session in read.sessions]


def _line(read: BilanRead, session: HeldSession) -> SessionLine:
    home = session.series_id or session.id
    counts = read.registrations.get(home, {})
    documented_at, link = read.documented.get(session.id, (None, None))
    return SessionLine(
        id=session.id,
        series_id=session.series_id,
        series_rank=session.series_rank,
        series_size=session.series_size,
        kind=session.kind,
        title=session.title,
        format=session.format,
        parcours=session.parcours,
        organizers=", ".join(read.names.get(person, read.unknown) for person in read.people(session)),
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
        capacity=read.places.get(home, session.capacity),
        seated=max(counts.get(Status.CONFIRMED, 0) - read.absences.get(session.id, 0), 0),
        waitlisted=counts.get(Status.WAITLISTED, 0),
        attended=session.zoom_participants,
        documented_at=documented_at,
        article_link=link,
    )

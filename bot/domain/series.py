"""A Fabrique as a series: « des rendez-vous unique ou en série » (seed), e.g. a cycle of four writing sessions.

One proposal, moderated once, then 2–12 sessions. Each session is a Fabrique row of its own — its date, its Zoom
meeting, its scheduled event, its reminders, its documentation — so that booking, moving, cancelling and documenting
one session are exactly what they are for a single Fabrique. The first session (rank 1) is the series' home: its
number is the one people know (« n°12 »), and it holds the card, the announcement and the registrations, because
people register for the cycle, not for one date. The later sessions carry ``series_id`` = the home's number and
their rank. Dates follow ranks (session 2 after session 1): « séance 2 » always means the second date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import InvalidInput

SERIES_MAX = 12  # the seed's cycles are short; the config may lower it


@dataclass(frozen=True)
class SessionNumber:
    """How people name one session of a series: the Fabrique's number (its first session's) and the rank, shown
    « n°12 · séance 2/3 » (bot.i18n renders it wherever a message says ``{number}``). A single session is named
    by its own number, a plain int."""

    home_id: int
    rank: int
    size: int

    def __str__(self) -> str:  # logs and stored failure parameters, where no catalogue applies
        return f"{self.home_id} · {self.rank}/{self.size}"

    @classmethod
    def of(cls, fabrique_id: int, series_id: int | None, rank: int, size: int) -> int | SessionNumber:
        return fabrique_id if series_id is None else cls(series_id, rank, size)


@dataclass(frozen=True)
class Dated:
    """A session of a series as the ordering rule sees it: its rank and its date, if booked."""

    rank: int
    starts_at: datetime | None


def validated_size(sessions: int, maximum: int) -> int:
    """1 for a single session, 2 to ``maximum`` for a series."""
    if not 1 <= sessions <= maximum:
        raise InvalidInput("error.series.size", maximum=maximum)
    return sessions


def next_unbooked(sessions: list[Dated]) -> int | None:
    """The rank the organizer books next: the first without a date."""
    return next((s.rank for s in sorted(sessions, key=lambda s: s.rank) if s.starts_at is None), None)


def check_order(rank: int, start: datetime, sessions: list[Dated]) -> None:
    """Dates follow ranks: ``rank`` at ``start`` must come after every earlier booked session and before every later
    one. The refusal names the neighbour in the way, so the person knows which session to move first."""
    for other in sessions:
        if other.starts_at is None or other.rank == rank:
            continue
        if other.rank < rank and other.starts_at >= start:
            raise InvalidInput("error.series.before", rank=rank, other=other.rank, date=other.starts_at)
        if other.rank > rank and other.starts_at <= start:
            raise InvalidInput("error.series.after", rank=rank, other=other.rank, date=other.starts_at)

"""Missing one date of a series (« Absent·e le 12/03 »): what the calls return, and which sessions one can say so for.

The registration to the series stays (the seat, the place in line): only that date's reminders and link are not
sent, and the organizers see how many will come on each date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.models import FabriqueRow
from bot.domain.lifecycle import State
from bot.errors import DomainError, InvalidState
from bot.services.records import FabriqueRecord, RegistrationRecord


@dataclass(frozen=True)
class AbsenceOutcome:
    session: FabriqueRecord  # the date concerned (its rank, its date)
    home: FabriqueRecord  # the series, as people know it (its number, its title)
    absent: bool  # the person's situation for that date now
    changed: bool  # False: it was already so (marking twice is harmless)


@dataclass(frozen=True)
class DateAttendance:
    """One session of a series as the organizers follow it: who said they will miss it, how many come."""

    session: FabriqueRecord
    absent_ids: frozenset[int]
    coming: int  # seated registrants not absent from it


@dataclass(frozen=True)
class Listing:
    """``/fabrique inscrits``: the Fabrique (a series: its home), its registrants in arrival order, and for a series
    each date's attendance (empty for a single session)."""

    fabrique: FabriqueRecord
    registrations: tuple[RegistrationRecord, ...]
    dates: tuple[DateAttendance, ...] = ()


def absence_refusal(session: FabriqueRow, now: datetime) -> DomainError | None:
    """Why nobody can say they will miss (or after all attend) ``session`` now; None when they can."""
    if State(session.state) is State.CANCELLED:
        return InvalidState("error.absence.cancelled", rank=session.series_rank)
    if session.starts_at is None:
        return InvalidState("error.absence.no_date", rank=session.series_rank)
    if session.starts_at <= now:
        return InvalidState("error.absence.past", rank=session.series_rank, date=session.starts_at)
    return None

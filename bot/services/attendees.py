"""Who attends each session of a series: the registrations live on its home (people register for the cycle), the
absences on each session (« Absent·e le 12/03 »). Helpers that run inside the caller's unit of work.

A single Fabrique is its own home and has no absences: every helper reads exactly what it read before series
existed (no extra statement), so the single-session path keeps its cost.
"""

from __future__ import annotations

from datetime import datetime

from bot.db.models import FabriqueRow, RegistrationRow
from bot.db.uow import UnitOfWork
from bot.domain.lifecycle import State
from bot.domain.registration import Status
from bot.errors import InvalidState
from bot.services.series import home_of


async def registrations_for(uow: UnitOfWork, row: FabriqueRow) -> list[RegistrationRow]:
    """Everyone registered for the session ``row`` (seated or waiting, arrival order): its home's registrants."""
    return await uow.registrations.all(home_of(row))


async def seated_for(
    uow: UnitOfWork, row: FabriqueRow, registrations: list[RegistrationRow] | None = None
) -> list[int]:
    """Those who hold a seat for the session ``row`` and did not say they will miss it: who gets its reminders and
    link. ``registrations``: the home's, when the caller already read them."""
    rows = registrations if registrations is not None else await registrations_for(uow, row)
    seated = [r.user_id for r in rows if r.status == Status.CONFIRMED.value]
    if row.series_id is None:
        return seated
    absent = await uow.absences.user_ids(row.id)
    return [user_id for user_id in seated if user_id not in absent]


def require_open(row: FabriqueRow, now: datetime) -> None:
    """Registrations are open on an announced session until it starts; otherwise InvalidState says why."""
    if State(row.state) is not State.ANNOUNCED:
        raise InvalidState("error.register.closed", number=row.id, state=State(row.state))
    if row.starts_at is None or row.starts_at <= now:
        raise InvalidState("error.register.started", number=row.id)


def session_open(row: FabriqueRow, now: datetime) -> bool:
    """Announced and not started: the session can still be registered for and reminded."""
    return State(row.state) is State.ANNOUNCED and row.starts_at is not None and row.starts_at > now


async def series_open(uow: UnitOfWork, home: FabriqueRow, now: datetime) -> bool:
    """A single session is open while announced and to come; a series while one of its sessions is."""
    if home.series_id is None:
        return session_open(home, now)
    return any(session_open(session, now) for session in await uow.fabriques.series(home.id))


async def require_series_open(uow: UnitOfWork, home: FabriqueRow, now: datetime) -> None:
    """Registrations to ``home``'s Fabrique are open, or InvalidState says why (for a single session, exactly the
    refusals it always had)."""
    if home.series_id is None:
        require_open(home, now)
    elif not await series_open(uow, home, now):
        raise InvalidState("error.register.series_closed", number=home.id)

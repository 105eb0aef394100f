"""The sessions of a series as rows (see bot.domain.series): made at approval, found by rank, kept alike.

Helpers that run inside the caller's unit of work, so that approving a series and making its sessions, or
correcting it and every session, commit together.
"""

from __future__ import annotations

from datetime import datetime

from bot.db.models import CoorganizerRow, FabriqueRow
from bot.db.uow import UnitOfWork
from bot.domain.lifecycle import State
from bot.domain.series import Dated
from bot.errors import NotFound

# A session still to come: booked, or waiting for its date. A series' message and website post stay while one is.
PENDING = frozenset({State.APPROVED, State.SCHEDULED, State.ANNOUNCED})

# What every session of a series shares with the first: the proposal as moderated, and who runs it.
SHARED_FIELDS = ("organizer_id", "format", "parcours", "duration_minutes", "title", "description", "speaker", "needs")


def home_of(row: FabriqueRow) -> int:
    """The row holding the Fabrique's registrations, card and announcement."""
    return row.series_id or row.id


async def spawn_sessions(uow: UnitOfWork, home: FabriqueRow, now: datetime) -> list[FabriqueRow]:
    """At approval: the sessions 2…n of a series, approved with it, waiting for their dates. The first session is
    ``home`` itself. A series approved again (after a change of mind) makes none twice."""
    if home.series_size <= 1:
        return []
    home.series_id = home.id
    existing = {row.series_rank for row in await uow.fabriques.series(home.id)}
    made = []
    for rank in range(2, home.series_size + 1):
        if rank in existing:
            continue
        row = FabriqueRow(
            guild_id=home.guild_id,
            state=State.APPROVED,
            revision=1,
            created_at=now,
            updated_at=now,
            kind=home.kind,
            capacity=home.capacity,
            series_id=home.id,
            series_rank=rank,
            series_size=home.series_size,
            series_rhythm=home.series_rhythm,
            coorganizers=[CoorganizerRow(user_id=user_id) for user_id in home.coorganizer_ids],
            **{name: getattr(home, name) for name in SHARED_FIELDS},
        )
        uow.fabriques.add(row)
        made.append(row)
    await uow.flush()
    return made


async def copy_to_sessions(uow: UnitOfWork, home: FabriqueRow, now: datetime) -> list[FabriqueRow]:
    """After a correction of the series (its first session): every other session says the same again."""
    if home.series_id is None:
        return []
    others = [row for row in await uow.fabriques.series(home.id, lock=True) if row.id != home.id]
    for row in others:
        for name in SHARED_FIELDS:
            setattr(row, name, getattr(home, name))
        if set(row.coorganizer_ids) != set(home.coorganizer_ids):
            row.coorganizers = [CoorganizerRow(user_id=user_id) for user_id in home.coorganizer_ids]
        row.updated_at = now
    return others


async def session_of(uow: UnitOfWork, row: FabriqueRow, rank: int | None, *, lock: bool = False) -> FabriqueRow:
    """The session ``rank`` of the Fabrique ``row`` (its first session's number, as people know it); the row itself
    when no rank is given, or for a single session's rank 1."""
    if rank is None or (row.series_id is None and rank == 1):
        return row
    if row.series_id is not None:
        for session in await uow.fabriques.series(row.series_id, lock=lock):
            if session.series_rank == rank:
                return session
    raise NotFound("error.series.no_session", number=home_of(row), rank=rank, size=row.series_size)


def dated(rows: list[FabriqueRow]) -> list[Dated]:
    """The series as the ordering rule sees it (cancelled sessions have no date left to keep in order)."""
    return [Dated(row.series_rank, None if row.state == State.CANCELLED else row.starts_at) for row in rows]

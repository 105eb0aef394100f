"""The sessions of a series as rows (see bot.domain.series): made at approval, found by rank, kept alike.

Helpers that run inside the caller's unit of work, so that approving a series and making its sessions, or
correcting it and every session, commit together; and ``SeriesService``, which tells the commands which session a
person means (the number they know, and ``seance`` or the command's default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.clock import Clock
from bot.db.models import CoorganizerRow, FabriqueRow
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.lifecycle import BOOKED, Action, Actor, State, next_state
from bot.domain.series import Dated, check_order, next_unbooked
from bot.errors import InvalidState, NotFound
from bot.services._common import check, organizers, require_fabrique

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


def once_per_series(rows: list[FabriqueRow]) -> list[FabriqueRow]:
    """``rows`` with each series once: by its first session when it is there, else by its first session listed
    (a series whose first date is past still has sessions to book or move). What autocomplete offers."""
    listed = {row.id for row in rows}
    seen: set[int] = set()
    kept = []
    for row in rows:
        home = home_of(row)
        if home in seen or (home != row.id and home in listed):
            continue
        seen.add(home)
        kept.append(row)
    return kept


async def home_row(uow: UnitOfWork, row: FabriqueRow, *, lock: bool = False) -> FabriqueRow:
    """The first session of ``row``'s series (``row`` itself for a single Fabrique or the home): where the proposal,
    the card and the corrections live, whatever session number a person typed."""
    if row.series_id is None or row.series_id == row.id:
        return row
    home = await uow.fabriques.by_id(row.series_id, lock=lock)
    if home is None:  # the foreign key forbids it; a clear error rather than acting on the wrong row
        raise NotFound("error.unknown_fabrique", number=row.series_id)
    return home


async def require_home(uow: UnitOfWork, guild_id: int, fabrique_id: int, *, lock: bool = False) -> FabriqueRow:
    """The Fabrique a person named, as its series' first session when they typed a later session's number."""
    row = await require_fabrique(uow, guild_id, fabrique_id)
    if row.series_id is not None and row.series_id != row.id:
        return await home_row(uow, row, lock=lock)
    return await require_fabrique(uow, guild_id, fabrique_id, lock=True) if lock else row


async def check_steering(uow: UnitOfWork, home: FabriqueRow, action: Action, actor: Actor) -> State:
    """``check`` for a correction of the Fabrique ``home`` (its first session). A series is corrected while any of
    its sessions may be: its first session cancelled or held, the later ones still to come, the series lives on.
    Returns the first session's own next state (a correction never moves the other sessions)."""
    try:
        return check(home, action, actor)
    except InvalidState:
        if home.series_id is None:
            raise
        for session in await uow.fabriques.series(home.id):
            try:
                next_state(State(session.state), action, actor, organizers(home))
            except InvalidState:
                continue
            return State(home.state)
        raise


async def keep_in_order(uow: UnitOfWork, row: FabriqueRow, start: datetime) -> None:
    """Refuse a date for ``row`` that would put its series out of rank order (see ``check_order``).

    The home is locked first: two sessions of one series booked at the same instant are settled one after the other,
    so neither can slip past the other's new date."""
    if row.series_id is None:
        return
    if row.id != row.series_id:
        await uow.fabriques.by_id(row.series_id, lock=True)
    check_order(row.series_rank, start, dated(await uow.fabriques.series(row.series_id)))


class Default(StrEnum):
    """Which session a command means when the person names the series without ``seance``."""

    NEXT_UNBOOKED = "next_unbooked"  # /fabrique reserver: the organizer books the sessions one after the other
    NEXT_TO_COME = "next_to_come"  # lien, annoncer, lien-zoom: the session people are about to attend
    OWING = "owing"  # documenter: the earliest session whose documentation is still owed
    HOME = "home"  # everything else: the series as a whole lives on its first session


TO_COME = frozenset({State.APPROVED, *BOOKED})
OWED = frozenset({State.HELD, State.DOCUMENTATION_DUE, State.DOCUMENTING})


@dataclass(frozen=True)
class Session:
    """One session of a series as the card and « Mes Fabriques » list it."""

    number: int
    rank: int
    state: State
    starts_at: datetime | None

    @property
    def programmed(self) -> bool:
        """It has its date (booked, announced, held or documented), and was not cancelled."""
        return self.starts_at is not None and self.state is not State.CANCELLED


@dataclass(frozen=True)
class SeriesProgress:
    """A series as people follow it: « 2 sur 4 programmées », each session's date. ``sessions`` is empty before
    approval (only the first session exists until then)."""

    size: int
    rhythm: str
    sessions: tuple[Session, ...] = ()

    @property
    def programmed(self) -> int:
        return sum(1 for session in self.sessions if session.programmed)


def progress_of(home: FabriqueRow, rows: list[FabriqueRow]) -> SeriesProgress:
    sessions = tuple(Session(row.id, row.series_rank, State(row.state), row.starts_at) for row in rows)
    return SeriesProgress(home.series_size, home.series_rhythm, sessions)


class SeriesService:
    """Which session of a series a command acts on: people name the Fabrique by the number they know (its first
    session's) and, when they mean one date, its rank (``seance``); otherwise the command's own default applies."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def resolve(self, guild_id: int, fabrique_id: int, seance: int | None, default: Default) -> int:
        """The number of the session meant. A single Fabrique only has session 1; a later session's own number
        is taken as it is (autocomplete offered it, or a person copied it from a message)."""
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id)
            if seance is not None:
                if seance < 1:
                    raise NotFound("error.series.no_session", number=home_of(row), rank=seance, size=row.series_size)
                return (await session_of(uow, row, seance)).id
            if row.series_id is None or row.id != row.series_id:
                return row.id
            rows = await uow.fabriques.series(row.id)
            return _by_default(rows, default, self._clock(), row).id

    async def progress(self, guild_id: int, fabrique_id: int) -> SeriesProgress | None:
        """The series the Fabrique belongs to, as its card shows it; None for a single Fabrique."""
        async with self._uow() as uow:
            home = await require_home(uow, guild_id, fabrique_id)
            if home.series_size <= 1:
                return None
            return progress_of(home, await uow.fabriques.series(home.id))

    async def to_cancel(self, guild_id: int, fabrique_id: int, seance: int | None) -> CancelPlan:
        """What ``/equipe annuler`` cancels: the session named, or — a series named by the number people know
        (its first session's) without ``seance`` — the whole series (``AnnouncementService.cancel_series``). A later
        session's own number names that session alone: cancelling more than was typed is never the safe guess."""
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id)
            if seance is not None or row.series_id != row.id:
                return CancelPlan((await session_of(uow, row, seance)).id, whole=False)
            return CancelPlan(row.id, whole=True)


@dataclass(frozen=True)
class CancelPlan:
    """``number``: the session to cancel, or the series' first session when ``whole``."""

    number: int
    whole: bool


def _by_default(rows: list[FabriqueRow], default: Default, now: datetime, home: FabriqueRow) -> FabriqueRow:
    live = [row for row in rows if State(row.state) is not State.CANCELLED]
    if default is Default.NEXT_UNBOOKED:
        rank = next_unbooked([Dated(row.series_rank, row.starts_at) for row in live])
        if rank is None:
            raise InvalidState("error.series.all_booked", number=home.id, size=home.series_size)
        return next(row for row in live if row.series_rank == rank)
    if default is Default.NEXT_TO_COME:
        # A session running now is still the one people are about to attend (a late arrival asks for its link).
        to_come = [row for row in live if State(row.state) in TO_COME and (row.ends_at or now) >= now]
        dated_first = [row for row in to_come if row.starts_at is not None] or to_come
        return dated_first[0] if dated_first else home
    if default is Default.OWING:
        return next((row for row in live if State(row.state) in OWED), home)
    return home

"""Queries. Repositories never commit: the unit of work decides when a change is complete."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AbsenceRow,
    AuditRow,
    BilanOwedRow,
    BilanPostRow,
    CoorganizerRow,
    CopyRow,
    DepartureRow,
    DocumentationRow,
    DueWorkRow,
    EditRow,
    FabriqueRow,
    GuildConfigRow,
    MemberNameRow,
    OutsideRegistrantRow,
    RegistrationRow,
    SlotRow,
    UploadTokenRow,
    WelcomeRuleRow,
    ZoomRecordingRow,
)
from bot.domain.bilan import HELD_STATES, HeldSession
from bot.domain.documentation import JobStatus
from bot.domain.lifecycle import State
from bot.domain.outreach import CopyStatus
from bot.domain.proposal import FabriqueKind
from bot.domain.registration import Source, Status
from bot.domain.timeline import DueStatus, Work


class FabriqueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def drawn_of(self, fabrique_ids: Sequence[int]) -> dict[int, str | None]:
        """What each announcement showed when last drawn (``announcement_drawn``), for many sessions at once."""
        found: dict[int, str | None] = {}
        for chunk in _chunks(fabrique_ids):
            statement = select(FabriqueRow.id, FabriqueRow.announcement_drawn).where(FabriqueRow.id.in_(chunk))
            found |= dict((await self._session.execute(statement)).tuples().all())
        return found

    def add(self, row: FabriqueRow) -> None:
        self._session.add(row)

    async def get(self, fabrique_id: int, guild_id: int) -> FabriqueRow | None:
        """The Fabrique if it belongs to this guild; a number from another guild is treated as unknown."""
        row = await self._session.get(FabriqueRow, fabrique_id)
        return row if row is not None and row.guild_id == guild_id else None

    async def by_id(self, fabrique_id: int, *, lock: bool = False) -> FabriqueRow | None:
        """By number alone, whatever the guild: for work that starts from a stored id (a due item, a job), never
        from what a person typed. ``lock`` holds the row (PostgreSQL) until the transaction ends."""
        return await self._session.get(FabriqueRow, fabrique_id, with_for_update=lock or None)

    async def get_for_update(self, fabrique_id: int, guild_id: int) -> FabriqueRow | None:
        """Like ``get`` but locks the row (PostgreSQL) so two moderators cannot decide at the same time."""
        statement = (
            select(FabriqueRow)
            .where(FabriqueRow.id == fabrique_id, FabriqueRow.guild_id == guild_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self._session.execute(statement)).scalar_one_or_none()

    async def list_for_member(self, guild_id: int, user_id: int) -> list[FabriqueRow]:
        statement = (
            select(FabriqueRow)
            .where(
                FabriqueRow.guild_id == guild_id,
                _organized_by(user_id),
            )
            .order_by(FabriqueRow.id.desc())
        )
        return list((await self._session.execute(statement)).scalars())

    async def search_for_member(self, guild_id: int, user_id: int, states: set[str]) -> list[FabriqueRow]:
        """The member's Fabriques in ``states``, newest first: what autocomplete offers."""
        statement = (
            select(FabriqueRow)
            .where(
                FabriqueRow.guild_id == guild_id,
                _organized_by(user_id),
                FabriqueRow.state.in_(states),
            )
            .order_by(FabriqueRow.id.desc())
            .limit(25)
        )
        return list((await self._session.execute(statement)).scalars())

    async def holding_slots(self, slot_ids: list[int]) -> dict[int, int]:
        """slot id → number of the Fabrique that booked it."""
        if not slot_ids:
            return {}
        statement = select(FabriqueRow.slot_id, FabriqueRow.id).where(FabriqueRow.slot_id.in_(slot_ids))
        return {slot_id: fabrique_id for slot_id, fabrique_id in (await self._session.execute(statement)).all()}

    async def by_scheduled_event(self, event_id: int) -> FabriqueRow | None:
        statement = select(FabriqueRow).where(FabriqueRow.scheduled_event_id == event_id)
        return (await self._session.execute(statement)).scalars().first()

    async def by_announcement(self, message_id: int) -> FabriqueRow | None:
        """The session announced by ``message_id``; a series' sessions may all name their home's one message, and
        the home, made first, comes first."""
        statement = select(FabriqueRow).where(FabriqueRow.announcement_message_id == message_id)
        return (await self._session.execute(statement.order_by(FabriqueRow.id).limit(1))).scalar_one_or_none()

    async def in_states(
        self, guild_id: int | None, states: set[str], *, starting_after: datetime | None = None
    ) -> list[FabriqueRow]:
        """Sessions in ``states`` (of one guild, or all), soonest first; optionally only those still to come."""
        statement = self._in_states(guild_id, states, starting_after)
        return list((await self._session.execute(statement)).scalars())

    async def in_states_by_batch(
        self, guild_id: int | None, states: set[str], *, starting_after: datetime
    ) -> AsyncIterator[list[FabriqueRow]]:
        """``in_states``, a batch at a time: the agenda's thousand sessions to come are loaded without holding the
        event loop for all of them at once (it runs between two batches)."""
        statement = self._in_states(guild_id, states, starting_after).execution_options(yield_per=AGENDA_BATCH)
        result = await self._session.stream_scalars(statement)
        async for batch in result.partitions():
            yield list(batch)

    @staticmethod
    def _in_states(
        guild_id: int | None, states: set[str], starting_after: datetime | None
    ) -> Select[tuple[FabriqueRow]]:
        statement = select(FabriqueRow).where(FabriqueRow.state.in_(states))
        if guild_id is not None:
            statement = statement.where(FabriqueRow.guild_id == guild_id)
        if starting_after is not None:
            statement = statement.where(FabriqueRow.starts_at > starting_after)
        return statement.order_by(FabriqueRow.starts_at, FabriqueRow.id)

    async def with_attendance(self, guild_id: int, limit: int) -> list[FabriqueRow]:
        """The latest sessions whose Zoom attendance is known, most recent first."""
        statement = (
            select(FabriqueRow)
            .where(FabriqueRow.guild_id == guild_id, FabriqueRow.zoom_participants.is_not(None))
            .order_by(FabriqueRow.starts_at.desc(), FabriqueRow.id.desc())
            .limit(limit)
        )
        return list((await self._session.execute(statement)).scalars())

    async def series(self, home_id: int, *, lock: bool = False) -> list[FabriqueRow]:
        """Every session of the series whose first session is ``home_id``, in rank order (empty for a single one)."""
        statement = select(FabriqueRow).where(FabriqueRow.series_id == home_id).order_by(FabriqueRow.series_rank)
        if lock:
            statement = statement.with_for_update()
        return list((await self._session.scalars(statement)).all())

    async def count_by_state(self, guild_id: int) -> dict[State, int]:
        statement = (
            select(FabriqueRow.state, func.count())
            .where(FabriqueRow.guild_id == guild_id, FabriqueRow.kind == FabriqueKind.FABRIQUE)
            .group_by(FabriqueRow.state)
        )
        return {state: count for state, count in (await self._session.execute(statement)).all()}

    # --- reads whose cost does not grow with history (issue 17): a fixed number of statements, index order ---

    async def agenda_keys(self, guild_id: int | None, now: datetime) -> list[tuple[object, ...]]:
        """What tells whether the agenda (announced sessions to come) changed: per session its number, title, date,
        rank and when it was last changed — a few small columns, so it is cheap to ask at every interaction."""
        statement = select(
            FabriqueRow.id,
            FabriqueRow.title,
            # Compared, never read as dates: as the database gives them, without parsing a thousand of them.
            type_coerce(FabriqueRow.starts_at, String),
            type_coerce(FabriqueRow.updated_at, String),
            FabriqueRow.revision,
            FabriqueRow.series_rank,
            FabriqueRow.series_size,
        ).where(FabriqueRow.state == State.ANNOUNCED, FabriqueRow.starts_at > now)
        if guild_id is not None:
            statement = statement.where(FabriqueRow.guild_id == guild_id)
        rows = await self._session.execute(statement.order_by(FabriqueRow.starts_at, FabriqueRow.id))
        return [tuple(row) for row in rows.all()]

    async def first_in_states(
        self, guild_id: int, states: set[str], starting_after: datetime, limit: int
    ) -> list[FabriqueRow]:
        """The ``limit`` soonest sessions of the guild in ``states`` still to come: what a dashboard shows. The
        numbers are chosen in the index alone (guild, state, start), then only those rows are read."""
        chosen = (
            select(FabriqueRow.id)
            .where(
                FabriqueRow.guild_id == guild_id, FabriqueRow.state.in_(states), FabriqueRow.starts_at > starting_after
            )
            .order_by(FabriqueRow.starts_at, FabriqueRow.id)
            .limit(limit)
        )
        return await self._rows_in(chosen, FabriqueRow.starts_at, FabriqueRow.id)

    async def owing(self, guild_id: int, states: set[str], limit: int) -> list[FabriqueRow]:
        """The ``limit`` Fabriques of the guild in ``states`` (welcome sessions aside) that ended longest ago.

        Read state by state, each in ``ix_fabrique_guild_state_kind_end`` order and cut at ``limit``, then the
        few found sorted: sessions never documented pile up over the years, and sorting them all would make the
        team's dashboard slower every year."""
        per_state = [
            select(FabriqueRow.id, FabriqueRow.ends_at)
            .where(
                FabriqueRow.guild_id == guild_id,
                FabriqueRow.state == state,
                FabriqueRow.kind == FabriqueKind.FABRIQUE,
                FabriqueRow.ends_at.is_not(None),
            )
            .order_by(FabriqueRow.ends_at, FabriqueRow.id)
            .limit(limit)
            .subquery()
            .select()
            for state in sorted(states)
        ]
        found = union_all(*per_state).subquery()
        chosen = select(found.c.id).order_by(found.c.ends_at, found.c.id).limit(limit)
        return await self._rows_in(chosen, FabriqueRow.ends_at, FabriqueRow.id)

    async def _rows_in(self, chosen: Select[tuple[int]], *order: ColumnElement[Any]) -> list[FabriqueRow]:
        """The Fabriques whose numbers ``chosen`` selects, in ``order``: a sort and a limit over numbers, not over
        whole rows."""
        statement = select(FabriqueRow).where(FabriqueRow.id.in_(chosen)).order_by(*order)
        return list((await self._session.scalars(statement)).all())

    async def once_per_series_in_states(self, guild_id: int, states: set[str], limit: int) -> list[FabriqueRow]:
        """The guild's Fabriques in ``states``, soonest first, a series once (its first session when it is among
        them, else its soonest): ``in_states`` followed by ``once_per_series``, with the limit applied in the
        database rather than after reading every row."""
        home = func.coalesce(FabriqueRow.series_id, FabriqueRow.id)
        rank = (
            func.row_number()
            .over(
                partition_by=home,
                order_by=(case((FabriqueRow.id == home, 0), else_=1), FabriqueRow.starts_at, FabriqueRow.id),
            )
            .label("rank")
        )
        ranked = (
            select(FabriqueRow.id, rank)
            .where(FabriqueRow.guild_id == guild_id, FabriqueRow.state.in_(states))
            .subquery()
        )
        statement = (
            select(FabriqueRow)
            .join(ranked, ranked.c.id == FabriqueRow.id)
            .where(ranked.c.rank == 1)
            .order_by(FabriqueRow.starts_at, FabriqueRow.id)
            .limit(limit)
        )
        return list((await self._session.scalars(statement)).all())

    async def series_of(self, home_ids: Iterable[int]) -> dict[int, list[FabriqueRow]]:
        """home id → every session of that series in rank order: ``series`` for many homes in one statement."""
        wanted = list(home_ids)
        if not wanted:
            return {}
        statement = (
            select(FabriqueRow)
            .where(FabriqueRow.series_id.in_(wanted))
            .order_by(FabriqueRow.series_id, FabriqueRow.series_rank)
        )
        found: dict[int, list[FabriqueRow]] = {home: [] for home in wanted}
        for row in (await self._session.scalars(statement)).all():
            found[row.series_id or row.id].append(row)
        return found


def _organized_by(user_id: int) -> ColumnElement[bool]:
    """The Fabriques this member organizes or co-organizes. One list of numbers read from the two indexes by user
    (an ``OR`` of both conditions would make the database read every Fabrique of the guild)."""
    organized = select(FabriqueRow.id).where(FabriqueRow.organizer_id == user_id)
    coorganized = select(CoorganizerRow.fabrique_id).where(CoorganizerRow.user_id == user_id)
    return FabriqueRow.id.in_(union_all(organized, coorganized))


class EditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: EditRow) -> None:
        self._session.add(row)

    async def get(self, fabrique_id: int, version: int) -> EditRow | None:
        statement = select(EditRow).where(EditRow.fabrique_id == fabrique_id, EditRow.version == version)
        return (await self._session.execute(statement)).scalar_one_or_none()

    async def latest(self, fabrique_id: int, limit: int) -> list[EditRow]:
        """The most recent corrections of a Fabrique, oldest first: what its card shows."""
        statement = (
            select(EditRow).where(EditRow.fabrique_id == fabrique_id).order_by(EditRow.version.desc()).limit(limit)
        )
        return list(reversed((await self._session.execute(statement)).scalars().all()))


class SlotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: SlotRow) -> None:
        self._session.add(row)

    async def get(self, slot_id: int, guild_id: int, *, lock: bool = False) -> SlotRow | None:
        """The slot of this guild; ``lock`` holds it (PostgreSQL) so a removal and a booking cannot cross."""
        row = await self._session.get(SlotRow, slot_id, with_for_update=lock or None)
        return row if row is not None and row.guild_id == guild_id else None

    async def lock_guild(self, guild_id: int) -> None:
        """Serialise slot creation per guild. A row lock cannot stop a concurrent insert that would overlap;
        PostgreSQL gets a transaction-scoped advisory lock, SQLite already took its write lock at BEGIN."""
        if self._session.bind.dialect.name == "postgresql":
            await self._session.execute(select(func.pg_advisory_xact_lock(guild_id % (2**63))))

    async def ending_after(self, guild_id: int, moment: datetime) -> list[SlotRow]:
        statement = (
            select(SlotRow)
            .where(SlotRow.guild_id == guild_id, SlotRow.ends_at > moment)
            .order_by(SlotRow.starts_at)
            .with_for_update()  # PostgreSQL: two team members adding slots at once see each other's
        )
        return list((await self._session.execute(statement)).scalars())

    async def delete(self, row: SlotRow) -> None:
        await self._session.delete(row)

    async def to_come_with_holders(
        self, guild_id: int, now: datetime, *, free_only: bool, limit: int | None = None
    ) -> list[tuple[int, datetime, datetime, int | None]]:
        """(id, start, end, number of the Fabrique that booked it or None) of each slot starting after ``now``,
        soonest first; ``free_only``: those nobody booked; ``limit``: only the soonest. One statement, plain
        columns, no lock: what autocomplete and the planning show."""
        statement = (
            select(SlotRow.id, SlotRow.starts_at, SlotRow.ends_at, FabriqueRow.id)
            .outerjoin(FabriqueRow, FabriqueRow.slot_id == SlotRow.id)
            .where(SlotRow.guild_id == guild_id, SlotRow.starts_at > now)
            .order_by(SlotRow.starts_at, SlotRow.id)
        )
        if free_only:
            statement = statement.where(FabriqueRow.id.is_(None))
        if limit is not None:
            statement = statement.limit(limit)
        return [
            (slot_id, start, end, holder)
            for slot_id, start, end, holder in (await self._session.execute(statement)).all()
        ]


class RegistrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: RegistrationRow) -> None:
        self._session.add(row)

    async def get(self, fabrique_id: int, user_id: int) -> RegistrationRow | None:
        statement = select(RegistrationRow).where(
            RegistrationRow.fabrique_id == fabrique_id, RegistrationRow.user_id == user_id
        )
        return (await self._session.execute(statement)).scalar_one_or_none()

    async def all(self, fabrique_id: int) -> list[RegistrationRow]:
        """Everyone on the session, in arrival order (which is also the waitlist order)."""
        statement = select(RegistrationRow).where(RegistrationRow.fabrique_id == fabrique_id)
        return list((await self._session.execute(statement.order_by(RegistrationRow.id))).scalars())

    async def count_by_status(self, fabrique_id: int) -> dict[Status, int]:
        statement = (
            select(RegistrationRow.status, func.count())
            .where(RegistrationRow.fabrique_id == fabrique_id)
            .group_by(RegistrationRow.status)
        )
        return {status: count for status, count in (await self._session.execute(statement)).all()}

    async def waitlist(self, fabrique_id: int) -> list[RegistrationRow]:
        statement = (
            select(RegistrationRow)
            .where(RegistrationRow.fabrique_id == fabrique_id, RegistrationRow.status == Status.WAITLISTED)
            .order_by(RegistrationRow.id)
        )
        return list((await self._session.execute(statement)).scalars())

    async def delete(self, row: RegistrationRow) -> None:
        await self._session.delete(row)

    async def delete_all(self, fabrique_id: int) -> None:
        await self._session.execute(delete(RegistrationRow).where(RegistrationRow.fabrique_id == fabrique_id))

    async def sources_of(self, fabrique_ids: Sequence[int]) -> dict[int, dict[int, Source]]:
        """Each session's registrants and how each registered: the start-up's one read for every announcement."""
        found: dict[int, dict[int, Source]] = {fabrique_id: {} for fabrique_id in fabrique_ids}
        for chunk in _chunks(fabrique_ids):
            columns = (RegistrationRow.fabrique_id, RegistrationRow.user_id, RegistrationRow.source)
            statement = select(*columns).where(RegistrationRow.fabrique_id.in_(chunk))
            for fabrique_id, user_id, source in await self._session.execute(statement):
                found[fabrique_id][user_id] = Source(source)
        return found

    async def add_many(self, rows: list[RegistrationRow]) -> None:
        """Insert ``rows`` in one statement, in their order (their ids, the arrival order, follow it): a batch of
        newcomers costs one round trip, not one per person. They are not attached to the session: read them back."""
        if rows:
            columns = [column.key for column in RegistrationRow.__table__.columns if column.key != "id"]
            await self._session.execute(
                insert(RegistrationRow), [{key: getattr(row, key) for key in columns} for row in rows]
            )


class OutsideRegistrantRepository:
    """People registered by the team by name and e-mail (``bot.domain.outside``)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: OutsideRegistrantRow) -> None:
        self._session.add(row)

    async def by_email(self, guild_id: int, email: str) -> OutsideRegistrantRow | None:
        statement = select(OutsideRegistrantRow).where(
            OutsideRegistrantRow.guild_id == guild_id, OutsideRegistrantRow.email == email
        )
        return (await self._session.execute(statement)).scalar_one_or_none()

    async def by_ids(self, ids: set[int]) -> dict[int, OutsideRegistrantRow]:
        if not ids:
            return {}
        statement = select(OutsideRegistrantRow).where(OutsideRegistrantRow.id.in_(ids))
        return {row.id: row for row in (await self._session.execute(statement)).scalars()}


class DepartureRepository:
    """People who left a session by button or command, while their ✅ may still be on the announcement."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, fabrique_id: int, user_id: int, now: datetime) -> None:
        """Remember the departure (once per person and session: leaving twice keeps the first row)."""
        existing = await self._session.execute(
            select(DepartureRow.id).where(DepartureRow.fabrique_id == fabrique_id, DepartureRow.user_id == user_id)
        )
        if existing.first() is None:
            self._session.add(DepartureRow(fabrique_id=fabrique_id, user_id=user_id, at=now))

    async def forget(self, fabrique_id: int, user_ids: set[int]) -> None:
        """They registered again, or their ✅ is gone: a later ✅ of theirs is a new registration."""
        if user_ids:  # departure rows are never loaded as objects: nothing in the session to synchronise
            statement = delete(DepartureRow).where(
                DepartureRow.fabrique_id == fabrique_id, DepartureRow.user_id.in_(user_ids)
            )
            await self._session.execute(statement.execution_options(synchronize_session=False))

    async def user_ids(self, fabrique_id: int) -> set[int]:
        statement = select(DepartureRow.user_id).where(DepartureRow.fabrique_id == fabrique_id)
        return set((await self._session.execute(statement)).scalars())

    async def user_ids_of(self, fabrique_ids: Sequence[int]) -> dict[int, set[int]]:
        """``user_ids`` of many sessions at once."""
        found: dict[int, set[int]] = {fabrique_id: set() for fabrique_id in fabrique_ids}
        for chunk in _chunks(fabrique_ids):
            statement = select(DepartureRow.fabrique_id, DepartureRow.user_id).where(
                DepartureRow.fabrique_id.in_(chunk)
            )
            for fabrique_id, user_id in await self._session.execute(statement):
                found[fabrique_id].add(user_id)
        return found


class AbsenceRepository:
    """Registrants of a series who will miss one of its dates."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def mark(self, fabrique_id: int, user_id: int, now: datetime) -> bool:
        """True when it is new (marking twice changes nothing)."""
        existing = await self._session.scalar(
            select(AbsenceRow.id).where(AbsenceRow.fabrique_id == fabrique_id, AbsenceRow.user_id == user_id)
        )
        if existing is not None:
            return False
        self._session.add(AbsenceRow(fabrique_id=fabrique_id, user_id=user_id, at=now))
        return True

    async def unmark(self, fabrique_id: int, user_id: int) -> bool:
        """True when there was one to take back."""
        result = await self._session.execute(
            delete(AbsenceRow).where(AbsenceRow.fabrique_id == fabrique_id, AbsenceRow.user_id == user_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def forget(self, fabrique_ids: Iterable[int], user_id: int) -> None:
        """Someone who leaves a series: the dates they said they would miss are no one's business any more."""
        await self._session.execute(
            delete(AbsenceRow).where(AbsenceRow.fabrique_id.in_(list(fabrique_ids)), AbsenceRow.user_id == user_id)
        )

    async def user_ids(self, fabrique_id: int) -> set[int]:
        statement = select(AbsenceRow.user_id).where(AbsenceRow.fabrique_id == fabrique_id)
        return set((await self._session.scalars(statement)).all())

    async def counts(self, fabrique_ids: Iterable[int]) -> dict[int, int]:
        """How many said they will miss each session (sessions nobody will miss are left out)."""
        statement = (
            select(AbsenceRow.fabrique_id, func.count())
            .where(AbsenceRow.fabrique_id.in_(list(fabrique_ids)))
            .group_by(AbsenceRow.fabrique_id)
        )
        return {fabrique_id: count for fabrique_id, count in (await self._session.execute(statement)).all()}


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: AuditRow) -> None:
        self._session.add(row)

    async def for_fabrique(self, fabrique_id: int) -> list[AuditRow]:
        statement = select(AuditRow).where(AuditRow.fabrique_id == fabrique_id).order_by(AuditRow.id)
        return list((await self._session.execute(statement)).scalars())


class GuildConfigRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, guild_id: int) -> GuildConfigRow | None:
        return await self._session.get(GuildConfigRow, guild_id)

    def add(self, row: GuildConfigRow) -> None:
        self._session.add(row)


class DueWorkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def keys_of(self, fabrique_id: int) -> dict[str, DueStatus]:
        """key → status of every row of a session, done ones included (so nothing is planned twice)."""
        statement = select(DueWorkRow.key, DueWorkRow.status).where(DueWorkRow.fabrique_id == fabrique_id)
        return {key: status for key, status in (await self._session.execute(statement)).all()}

    async def reminded(self, fabrique_id: int, key_prefix: str) -> set[int]:
        """Who was sent (or was being sent) a reminder whose key starts with ``key_prefix``."""
        statement = select(DueWorkRow.user_id).where(
            DueWorkRow.fabrique_id == fabrique_id,
            DueWorkRow.kind == Work.REMINDER,
            DueWorkRow.status.in_([DueStatus.DONE, DueStatus.UNCERTAIN, DueStatus.CLAIMED]),
            DueWorkRow.key.startswith(key_prefix, autoescape=True),
        )
        return {user_id for (user_id,) in (await self._session.execute(statement)).all() if user_id is not None}

    async def delete_pending(self, fabrique_id: int, keys: set[str]) -> None:
        if keys:
            await self._session.execute(
                delete(DueWorkRow).where(
                    DueWorkRow.fabrique_id == fabrique_id,
                    DueWorkRow.status == DueStatus.PENDING,
                    DueWorkRow.key.in_(keys),
                )
            )

    async def add_many(self, rows: list[DueWorkRow]) -> None:
        """Insert ``rows`` in one statement: re-planning a session for hundreds of newcomers costs one round trip,
        not one per reminder. They are not attached to the session: read them back."""
        if rows:
            columns = [column.key for column in DueWorkRow.__table__.columns if column.key != "id"]
            values = [{key: getattr(row, key) for key in columns} for row in rows]
            await self._session.execute(insert(DueWorkRow), values)

    async def claim_due(self, moment: datetime, limit: int) -> list[DueWorkRow]:
        statement = (
            select(DueWorkRow)
            .where(DueWorkRow.status == DueStatus.PENDING, DueWorkRow.due_at <= moment)
            .order_by(DueWorkRow.due_at, DueWorkRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self._session.execute(statement)).scalars())

    async def get(self, row_id: int) -> DueWorkRow | None:
        return await self._session.get(DueWorkRow, row_id)

    async def next_due(self) -> datetime | None:
        statement = select(func.min(DueWorkRow.due_at)).where(DueWorkRow.status == DueStatus.PENDING)
        return (await self._session.execute(statement)).scalar_one_or_none()

    async def close(self, row_id: int, status: DueStatus, now: datetime) -> None:
        await self._session.execute(
            update(DueWorkRow).where(DueWorkRow.id == row_id).values(status=status, done_at=now)
        )

    async def retry_or_fail(self, row_id: int, retry_at: datetime, max_attempts: int, now: datetime) -> None:
        exhausted = DueWorkRow.attempts >= max_attempts
        await self._session.execute(
            update(DueWorkRow)
            .where(DueWorkRow.id == row_id)
            .values(
                status=case((exhausted, DueStatus.FAILED.value), else_=DueStatus.PENDING.value),
                due_at=case((exhausted, DueWorkRow.due_at), else_=retry_at),
                done_at=case((exhausted, now), else_=None),
            )
        )

    async def claimed(self) -> list[DueWorkRow]:
        """Rows a dispatcher had claimed but not finished, batch by batch, in the order it sends them."""
        statement = (
            select(DueWorkRow)
            .where(DueWorkRow.status == DueStatus.CLAIMED)
            .order_by(DueWorkRow.claimed_at, DueWorkRow.due_at, DueWorkRow.id)
        )
        return list((await self._session.execute(statement)).scalars())


class DocumentationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, fabrique_id: int) -> DocumentationRow | None:
        statement = select(DocumentationRow).where(DocumentationRow.fabrique_id == fabrique_id)
        return (await self._session.execute(statement)).scalar_one_or_none()

    def add(self, row: DocumentationRow) -> None:
        self._session.add(row)

    async def claim(self, fabrique_id: int, claimable: set[JobStatus], stale_before: datetime, now: datetime) -> bool:
        """Atomically mark the job "publishing" if it is in ``claimable``, or publishing but silent since
        ``stale_before`` (a crash); False when someone else is publishing it right now."""
        result = await self._session.execute(
            update(DocumentationRow)
            .where(
                DocumentationRow.fabrique_id == fabrique_id,
                or_(
                    DocumentationRow.status.in_(claimable),
                    (DocumentationRow.status == JobStatus.PUBLISHING) & (DocumentationRow.updated_at < stale_before),
                ),
            )
            .values(status=JobStatus.PUBLISHING, updated_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def in_statuses(self, statuses: set[JobStatus]) -> list[DocumentationRow]:
        statement = select(DocumentationRow).where(DocumentationRow.status.in_(statuses)).order_by(DocumentationRow.id)
        return list((await self._session.execute(statement)).scalars())

    async def audio_names(self) -> set[str]:
        """Every MP3 (recording or teaser) a documentation points to, whatever its status."""
        statement = select(DocumentationRow.audio_name, DocumentationRow.teaser_name)
        return {name for row in (await self._session.execute(statement)) for name in row if name}


class CopyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, fabrique_id: int, target: str) -> CopyRow | None:
        statement = select(CopyRow).where(CopyRow.fabrique_id == fabrique_id, CopyRow.target == target)
        return (await self._session.execute(statement)).scalar_one_or_none()

    def add(self, row: CopyRow) -> None:
        self._session.add(row)

    async def of(self, fabrique_id: int) -> list[CopyRow]:
        statement = select(CopyRow).where(CopyRow.fabrique_id == fabrique_id).order_by(CopyRow.id)
        return list((await self._session.execute(statement)).scalars())

    async def due_for_retry(self, moment: datetime) -> list[CopyRow]:
        statement = (
            select(CopyRow).where(CopyRow.status == CopyStatus.FAILED, CopyRow.retry_at <= moment).order_by(CopyRow.id)
        )
        return list((await self._session.execute(statement)).scalars())

    async def of_many(self, fabrique_ids: Iterable[int]) -> dict[int, list[CopyRow]]:
        """fabrique id → its copies in creation order (``of`` for many sessions in one statement)."""
        wanted = list(fabrique_ids)
        if not wanted:
            return {}
        statement = select(CopyRow).where(CopyRow.fabrique_id.in_(wanted)).order_by(CopyRow.fabrique_id, CopyRow.id)
        found: dict[int, list[CopyRow]] = {fabrique_id: [] for fabrique_id in wanted}
        for row in (await self._session.scalars(statement)).all():
            found[row.fabrique_id].append(row)
        return found

    async def failing_sessions(
        self, guild_id: int, states: set[str], starting_after: datetime, limit: int
    ) -> list[int]:
        """The soonest sessions of the guild in ``states`` still to come that have a failed copy, at most
        ``limit``: those the team may retry, found without reading every session's copies."""
        failing = select(CopyRow.fabrique_id).where(CopyRow.status == CopyStatus.FAILED)
        statement = (
            select(FabriqueRow.id)
            .where(
                FabriqueRow.guild_id == guild_id,
                FabriqueRow.state.in_(states),
                FabriqueRow.starts_at > starting_after,
                FabriqueRow.id.in_(failing),
            )
            .order_by(FabriqueRow.starts_at, FabriqueRow.id)
            .limit(limit)
        )
        return list((await self._session.scalars(statement)).all())


class MemberNameRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, guild_id: int, user_id: int, display_name: str, now: datetime) -> None:
        """One statement, so two interactions of the same newcomer at once cannot collide on the primary key."""
        insert = postgresql.insert if self._session.bind.dialect.name == "postgresql" else sqlite.insert
        statement = insert(MemberNameRow).values(
            guild_id=guild_id, user_id=user_id, display_name=display_name, updated_at=now
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[MemberNameRow.guild_id, MemberNameRow.user_id],
                set_={"display_name": statement.excluded.display_name, "updated_at": statement.excluded.updated_at},
            )
        )

    async def of(self, guild_id: int, user_ids: set[int]) -> dict[int, str]:
        """user id → the last display name stored, for those the bot has seen."""
        if not user_ids:
            return {}
        statement = select(MemberNameRow.user_id, MemberNameRow.display_name).where(
            MemberNameRow.guild_id == guild_id, MemberNameRow.user_id.in_(user_ids)
        )
        return {user_id: name for user_id, name in (await self._session.execute(statement)).all()}


class ZoomRecordingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, fabrique_id: int) -> ZoomRecordingRow | None:
        statement = select(ZoomRecordingRow).where(ZoomRecordingRow.fabrique_id == fabrique_id)
        return (await self._session.execute(statement)).scalar_one_or_none()

    def add(self, row: ZoomRecordingRow) -> None:
        self._session.add(row)


class UploadTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: UploadTokenRow) -> None:
        self._session.add(row)

    async def by_hash(self, token_hash: str) -> UploadTokenRow | None:
        statement = select(UploadTokenRow).where(UploadTokenRow.token_hash == token_hash)
        return (await self._session.execute(statement)).scalar_one_or_none()

    async def consume(self, row_id: int, now: datetime) -> bool:
        """Use the link up, atomically: False when it was used or expired in the meantime."""
        result = await self._session.execute(
            update(UploadTokenRow)
            .where(UploadTokenRow.id == row_id, UploadTokenRow.used_at.is_(None), UploadTokenRow.expires_at > now)
            .values(used_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release(self, row_id: int) -> None:
        """The upload that used the link up was refused after all: the link serves again."""
        await self._session.execute(update(UploadTokenRow).where(UploadTokenRow.id == row_id).values(used_at=None))

    async def revoke_unless_held_by(self, fabrique_id: int, user_ids: Iterable[int]) -> None:
        """The Fabrique changed hands: its unused links given to anyone else no longer open (a new one is asked for
        with ``/fabrique documenter``)."""
        await self._session.execute(
            delete(UploadTokenRow).where(
                UploadTokenRow.fabrique_id == fabrique_id,
                UploadTokenRow.used_at.is_(None),
                UploadTokenRow.issued_by.not_in(list(user_ids)),
            )
        )

    async def purge(self, expired_before: datetime) -> None:
        """Forget links expired long ago (a used or expired link is answered as unknown afterwards)."""
        await self._session.execute(delete(UploadTokenRow).where(UploadTokenRow.expires_at < expired_before))


class WelcomeRuleRepository:
    """The team's welcome rule of each guild, and the sessions it made (by the date each was made for)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: WelcomeRuleRow) -> None:
        self._session.add(row)

    async def of_guild(self, guild_id: int, *, lock: bool = False) -> WelcomeRuleRow | None:
        statement = select(WelcomeRuleRow).where(WelcomeRuleRow.guild_id == guild_id)
        if lock:
            statement = statement.with_for_update()
        return (await self._session.execute(statement)).scalar_one_or_none()

    async def get(self, rule_id: int, *, lock: bool = False) -> WelcomeRuleRow | None:
        statement = select(WelcomeRuleRow).where(WelcomeRuleRow.id == rule_id)
        if lock:
            statement = statement.with_for_update()
        return (await self._session.execute(statement)).scalar_one_or_none()

    async def active(self) -> list[WelcomeRuleRow]:
        statement = select(WelcomeRuleRow).where(WelcomeRuleRow.active.is_(True)).order_by(WelcomeRuleRow.id)
        return list((await self._session.execute(statement)).scalars())

    async def occurrences(self, rule_id: int) -> set[datetime]:
        """The dates that already have their session, whatever became of it (held, moved, cancelled)."""
        statement = select(FabriqueRow.welcome_occurrence).where(FabriqueRow.welcome_rule_id == rule_id)
        return {moment for moment in (await self._session.execute(statement)).scalars() if moment is not None}

    async def sessions_to_come(self, rule_id: int, states: set[str], now: datetime) -> list[FabriqueRow]:
        """The rule's sessions in ``states`` that have not started, soonest first."""
        statement = (
            select(FabriqueRow)
            .where(
                FabriqueRow.welcome_rule_id == rule_id,
                FabriqueRow.state.in_(states),
                FabriqueRow.starts_at > now,
            )
            .order_by(FabriqueRow.starts_at, FabriqueRow.id)
        )
        return list((await self._session.execute(statement)).scalars())


class BilanRepository:
    """What ``/equipe bilan`` reads: a period's held sessions and what they need, in a fixed number of statements
    whatever the number of sessions (the sessions, their co-organizers, registrations, documentation dates and
    articles), and the monthly posts already made."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def held(self, guild_id: int, start: datetime, end: datetime) -> AsyncIterator[list[HeldSession]]:
        """Held sessions starting in [start, end), oldest first, as plain columns and a batch at a time: years of
        sessions are read without holding the event loop for the whole result (it runs between two batches)."""
        statement = (
            select(*HELD_COLUMNS)
            .where(*self._held_in(guild_id, start, end))
            .order_by(FabriqueRow.starts_at, FabriqueRow.id)
            .execution_options(yield_per=HELD_BATCH)
        )
        result = await self._session.stream(statement)
        async for batch in result.partitions():
            yield [HeldSession(*row) for row in batch]

    async def coorganizers(self, guild_id: int, start: datetime, end: datetime) -> dict[int, list[int]]:
        """session id → its co-organizers in the order they were added, for the period's held sessions."""
        sessions = select(FabriqueRow.id).where(*self._held_in(guild_id, start, end))
        statement = (
            select(CoorganizerRow.fabrique_id, CoorganizerRow.user_id)
            .where(CoorganizerRow.fabrique_id.in_(sessions))
            .order_by(CoorganizerRow.id)
        )
        found: dict[int, list[int]] = {}
        for fabrique_id, user_id in (await self._session.execute(statement)).all():
            found.setdefault(fabrique_id, []).append(user_id)
        return found

    async def registrations(self, guild_id: int, start: datetime, end: datetime) -> dict[int, dict[Status, int]]:
        """home id → status → count, for the homes of the period's held sessions (a series registers on its
        first session, which may lie outside the period)."""
        homes = select(func.coalesce(FabriqueRow.series_id, FabriqueRow.id)).where(*self._held_in(guild_id, start, end))
        statement = (
            select(RegistrationRow.fabrique_id, RegistrationRow.status, func.count())
            .where(RegistrationRow.fabrique_id.in_(homes))
            .group_by(RegistrationRow.fabrique_id, RegistrationRow.status)
        )
        counts: dict[int, dict[Status, int]] = {}
        for fabrique_id, status, count in (await self._session.execute(statement)).all():
            counts.setdefault(fabrique_id, {})[Status(status)] = count
        return counts

    async def absences(self, guild_id: int, start: datetime, end: datetime) -> dict[int, int]:
        """session id → how many registrants of its series said they would miss it."""
        sessions = select(FabriqueRow.id).where(*self._held_in(guild_id, start, end))
        statement = (
            select(AbsenceRow.fabrique_id, func.count())
            .where(AbsenceRow.fabrique_id.in_(sessions))
            .group_by(AbsenceRow.fabrique_id)
        )
        return {fabrique_id: count for fabrique_id, count in (await self._session.execute(statement)).all()}

    async def documented(self, guild_id: int, start: datetime, end: datetime) -> dict[int, tuple[datetime, str | None]]:
        """session id → when it became documented (its first « documented » transition) and its article's link."""
        sessions = select(FabriqueRow.id).where(*self._held_in(guild_id, start, end))
        first = (
            select(AuditRow.fabrique_id, func.min(AuditRow.at).label("at"))
            .where(AuditRow.fabrique_id.in_(sessions), AuditRow.to_state == State.DOCUMENTED)
            .group_by(AuditRow.fabrique_id)
            .subquery()
        )
        statement = select(first.c.fabrique_id, first.c.at, DocumentationRow.wp_post_link).outerjoin(
            DocumentationRow, DocumentationRow.fabrique_id == first.c.fabrique_id
        )
        return {
            fabrique_id: (_aware(at), link) for fabrique_id, at, link in (await self._session.execute(statement)).all()
        }

    async def guilds_with_held(self, start: datetime, end: datetime) -> list[int]:
        """The guilds that held at least one session in [start, end): those the monthly post concerns."""
        statement = (
            select(FabriqueRow.guild_id)
            .where(FabriqueRow.state.in_(HELD_STATES), FabriqueRow.starts_at >= start, FabriqueRow.starts_at < end)
            .distinct()
            .order_by(FabriqueRow.guild_id)
        )
        return list((await self._session.scalars(statement)).all())

    async def claim_post(self, guild_id: int, month: str, now: datetime) -> bool:
        """Record the month's post before it is made; False when it was already made (or is being made)."""
        insert = postgresql.insert if self._session.bind.dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(BilanPostRow)
            .values(guild_id=guild_id, month=month, posted_at=now)
            .on_conflict_do_nothing(index_elements=[BilanPostRow.guild_id, BilanPostRow.month])
        )
        result = await self._session.execute(statement)
        return bool(getattr(result, "rowcount", 0))

    async def series_places(self, guild_id: int, start: datetime, end: datetime) -> dict[int, int]:
        """home id → places, for the series of the period's held sessions: a series' places are its first
        session's (bot.services.slots), the later sessions' own column is not used."""
        held = self._held_in(guild_id, start, end)
        homes = select(FabriqueRow.series_id).where(*held, FabriqueRow.series_id.is_not(None))
        statement = select(FabriqueRow.id, FabriqueRow.capacity).where(FabriqueRow.id.in_(homes))
        return {home: capacity for home, capacity in (await self._session.execute(statement)).all()}

    async def owe(self, month: str, due_at: datetime) -> None:
        """Note that ``month``'s bilan is owed from ``due_at`` (nothing changes if it already is)."""
        insert = postgresql.insert if self._session.bind.dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(BilanOwedRow)
            .values(month=month, due_at=due_at)
            .on_conflict_do_nothing(index_elements=[BilanOwedRow.month])
        )
        await self._session.execute(statement)

    async def owed(self, now: datetime) -> list[str]:
        """The months whose bilan is due by ``now`` and not yet posted, oldest first."""
        statement = select(BilanOwedRow.month).where(BilanOwedRow.due_at <= now).order_by(BilanOwedRow.month)
        return list((await self._session.scalars(statement)).all())

    async def paid(self, month: str) -> None:
        """``month``'s bilan has been posted (or claimed) in every guild it concerns: no longer owed."""
        await self._session.execute(delete(BilanOwedRow).where(BilanOwedRow.month == month))

    @staticmethod
    def _held_in(guild_id: int, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
        return [
            FabriqueRow.guild_id == guild_id,
            FabriqueRow.state.in_(HELD_STATES),
            FabriqueRow.starts_at >= start,
            FabriqueRow.starts_at < end,
        ]


# What the bilan reads of a held session (``HeldSession``'s fields, in order), and how many rows at a time.
HELD_COLUMNS = (
    FabriqueRow.id,
    FabriqueRow.series_id,
    FabriqueRow.series_rank,
    FabriqueRow.series_size,
    FabriqueRow.kind,
    FabriqueRow.title,
    FabriqueRow.format,
    FabriqueRow.parcours,
    FabriqueRow.organizer_id,
    FabriqueRow.starts_at,
    FabriqueRow.duration_minutes,
    FabriqueRow.capacity,
    FabriqueRow.zoom_participants,
)
HELD_BATCH = 200
AGENDA_BATCH = 100  # whole sessions (and their co-organizers): about 10 ms of the event loop each

# Bound parameters per IN (...) list: far below SQLite's and asyncpg's limits, so a thousand sessions are two reads.
IN_CHUNK = 500


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


def _aware(moment: datetime) -> datetime:
    """An aggregate (``min``) bypasses the column type: SQLite hands back a naive UTC value."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

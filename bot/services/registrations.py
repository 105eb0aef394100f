"""Registrations: seats, the waitlist, promotions, and the Zoom link for those who hold a seat.

Registrations for one session are serialised: an in-process lock per session (the bot is one process) and, on
PostgreSQL, a row lock on the session, so a burst of clicks never seats more people than the capacity.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.clock import Clock
from bot.db.models import FabriqueRow, RegistrationRow
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.lifecycle import Actor, State
from bot.domain.registration import Source, Status, promotions, status_for_newcomer
from bot.errors import DomainError, Forbidden, InvalidState
from bot.services._common import organizers, require_fabrique
from bot.services.records import Attendance, FabriqueRecord, RegistrationRecord
from bot.services.timeline import Planner


@dataclass(frozen=True)
class RegistrationOutcome:
    fabrique: FabriqueRecord
    user_id: int
    status: Status | None  # the person's status now; None once unregistered
    changed: bool  # False: they were already in that situation, nothing was written
    waitlist_position: int | None = None
    promoted: tuple[int, ...] = ()  # people who just got a seat because this one left


@dataclass(frozen=True)
class Reconciliation:
    added: tuple[RegistrationOutcome, ...]
    removed: tuple[RegistrationOutcome, ...]


class RegistrationService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, planner: Planner) -> None:
        self._uow = uow
        self._clock = clock
        self._planner = planner
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def register(self, guild_id: int, fabrique_id: int, actor: Actor, source: Source) -> RegistrationOutcome:
        (outcome,) = await self.register_many(guild_id, fabrique_id, [actor], source)
        if isinstance(outcome, DomainError):
            raise outcome
        return outcome

    async def register_many(
        self, guild_id: int, fabrique_id: int, actors: Sequence[Actor], source: Source
    ) -> list[RegistrationOutcome | DomainError]:
        """Register people in the order given, in one transaction: a burst of reactions costs one commit.

        Each person gets an outcome or the refusal that concerns only them (not a member); a closed session
        refuses everyone at once.
        """
        async with self._locks[fabrique_id], self._uow() as uow:
            row = await self._open_session(uow, guild_id, fabrique_id)
            record = FabriqueRecord.of(row)
            current = {r.user_id: r for r in await uow.registrations.all(fabrique_id)}  # arrival order
            waiting = [user for user, r in current.items() if r.status == Status.WAITLISTED.value]
            positions = {user: index for index, user in enumerate(waiting, start=1)}
            confirmed = len(current) - len(waiting)
            results: list[RegistrationOutcome | DomainError] = []
            for actor in actors:
                existing = current.get(actor.user_id)
                if not actor.is_member:
                    results.append(Forbidden("error.members_only"))
                    continue
                if existing is not None:
                    status = Status(existing.status)
                    results.append(
                        RegistrationOutcome(record, actor.user_id, status, False, positions.get(actor.user_id))
                    )
                    continue
                status = status_for_newcomer(row.capacity, confirmed)
                if status is Status.CONFIRMED:
                    confirmed += 1
                else:
                    positions[actor.user_id] = len(positions) + 1
                current[actor.user_id] = RegistrationRow(
                    fabrique_id=fabrique_id,
                    user_id=actor.user_id,
                    status=status.value,
                    source=source.value,
                    created_at=self._clock(),
                    dm_failed=False,
                )
                uow.registrations.add(current[actor.user_id])
                results.append(RegistrationOutcome(record, actor.user_id, status, True, positions.get(actor.user_id)))
            # Registered again, by whatever path: a ✅ of theirs counts again at the next reconciliation.
            await uow.departures.forget(fabrique_id, {actor.user_id for actor in actors if actor.is_member})
            await self._planner(uow, row)  # the newly seated get their reminders in the same transaction
            await uow.commit()
            return results

    async def unregister(
        self, guild_id: int, fabrique_id: int, user_id: int, *, by_reaction: bool = False
    ) -> RegistrationOutcome:
        """Leave a session. By button or command the person's ✅ may stay on the announcement: the departure is
        remembered so that reconciliation at start does not take that old ✅ for a new registration."""
        async with self._locks[fabrique_id], self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
            if by_reaction:  # their ✅ is gone: a later one is a new registration
                await uow.departures.forget(fabrique_id, {user_id})
            existing = await uow.registrations.get(fabrique_id, user_id)
            if existing is None:
                await uow.commit()
                return RegistrationOutcome(FabriqueRecord.of(row), user_id, None, False)
            if not by_reaction:
                await uow.departures.record(fabrique_id, user_id, self._clock())
            still_open = (
                State(row.state) is State.ANNOUNCED and row.starts_at is not None and row.starts_at > self._clock()
            )
            # Nobody is promoted into a session that is cancelled or already running.
            promoted = await self._remove(uow, row, existing, promote=still_open)
            await self._planner(uow, row)  # the leaver's reminders go, the promoted get theirs
            await uow.commit()
            return RegistrationOutcome(FabriqueRecord.of(row), user_id, None, True, promoted=promoted)

    async def reconcile(self, guild_id: int, fabrique_id: int, reacted: dict[int, Actor]) -> Reconciliation:
        """Apply what changed on the announcement's ✅ while the bot was away (both ways); idempotent.

        A ✅ whose author left by button or command since putting it there is not new: it is skipped.
        """
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id)
            current = {r.user_id: Source(r.source) for r in await uow.registrations.all(fabrique_id)}
            if State(row.state) is not State.ANNOUNCED or row.starts_at is None or row.starts_at <= self._clock():
                return Reconciliation((), ())
            departed = await uow.departures.user_ids(fabrique_id)
            await uow.departures.forget(fabrique_id, departed - reacted.keys())  # their ✅ went while we were away
            await uow.commit()
        added = [
            await self.register(guild_id, fabrique_id, actor, Source.REACTION)
            for user_id, actor in reacted.items()
            if user_id not in current and user_id not in departed and actor.is_member
        ]
        removed = [
            await self.unregister(guild_id, fabrique_id, user_id, by_reaction=True)
            for user_id, source in current.items()
            if source is Source.REACTION and user_id not in reacted
        ]
        return Reconciliation(tuple(added), tuple(removed))

    async def session_for_message(self, message_id: int) -> FabriqueRecord | None:
        """The session announced by ``message_id``: how a ✅ reaction finds its session."""
        async with self._uow() as uow:
            row = await uow.fabriques.by_announcement(message_id)
            return FabriqueRecord.of(row) if row is not None else None

    async def attendance(self, fabrique_id: int) -> Attendance:
        async with self._uow() as uow:
            counts = await uow.registrations.count_by_status(fabrique_id)
            row = await uow.session.get(FabriqueRow, fabrique_id)
            capacity = row.capacity if row is not None else 0
        return Attendance(counts.get(Status.CONFIRMED.value, 0), counts.get(Status.WAITLISTED.value, 0), capacity)

    async def registrants(
        self, guild_id: int, fabrique_id: int, actor: Actor
    ) -> tuple[FabriqueRecord, list[RegistrationRecord]]:
        """The list the organizer and the team follow; nobody else sees who registered."""
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id)
            if not (actor.is_team or actor.user_id in organizers(row)):
                raise Forbidden("error.not_organizer_or_team")
            return FabriqueRecord.of(row), [RegistrationRecord.of(r) for r in await uow.registrations.all(fabrique_id)]

    async def zoom_link(self, guild_id: int, fabrique_id: int, actor: Actor) -> tuple[FabriqueRecord, str]:
        """The link, only for a seated registrant, an organizer or the team."""
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id)
            registration = await uow.registrations.get(fabrique_id, actor.user_id)
            allowed = actor.is_team or actor.user_id in organizers(row)
            if not allowed and (registration is None or registration.status != Status.CONFIRMED.value):
                key = "error.link.waitlisted" if registration is not None else "error.link.not_registered"
                raise Forbidden(key, number=fabrique_id)
            if not row.zoom_url:
                raise InvalidState("error.link.missing", number=fabrique_id)
            return FabriqueRecord.of(row), row.zoom_url

    async def record_dm_failure(self, fabrique_id: int, user_id: int) -> None:
        """Closed DMs are a normal situation; the team sees them in the registrant list."""
        async with self._uow() as uow:
            registration = await uow.registrations.get(fabrique_id, user_id)
            if registration is not None:
                registration.dm_failed = True
                await uow.commit()

    async def _open_session(self, uow: UnitOfWork, guild_id: int, fabrique_id: int) -> FabriqueRow:
        row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
        if State(row.state) is not State.ANNOUNCED:
            raise InvalidState("error.register.closed", number=fabrique_id, state=State(row.state))
        if row.starts_at is None or row.starts_at <= self._clock():
            raise InvalidState("error.register.started", number=fabrique_id)
        return row

    async def _remove(
        self, uow: UnitOfWork, row: FabriqueRow, registration: RegistrationRow, *, promote: bool
    ) -> tuple[int, ...]:
        await uow.registrations.delete(registration)
        await uow.flush()
        if registration.status != Status.CONFIRMED.value or not promote:
            return ()
        return await seat_waitlist(uow, row)


async def seat_waitlist(uow: UnitOfWork, row: FabriqueRow) -> tuple[int, ...]:
    """Give the session's free seats to the waitlist, in arrival order; returns who got one.

    Called whenever seats may have freed up: someone left, or the team or the organizer raised the places.
    """
    counts = await uow.registrations.count_by_status(row.id)
    waiting = await uow.registrations.waitlist(row.id)
    chosen = set(promotions(row.capacity, counts.get(Status.CONFIRMED.value, 0), [w.id for w in waiting]))
    promoted = [w for w in waiting if w.id in chosen]
    for waiting_row in promoted:
        waiting_row.status = Status.CONFIRMED.value
    return tuple(w.user_id for w in promoted)

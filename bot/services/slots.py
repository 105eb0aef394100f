"""The team's slots and the organizers' bookings.

The community has one Zoom account that hosts one meeting at a time, so slots never overlap (buffer included).
Two organizers booking the same slot at the same instant are settled by the database: ``fabrique.slot_id`` is
unique, so the second commit fails and that organizer is told the slot was just taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import SessionSettings
from bot.db.models import FabriqueRow, SlotRow
from bot.db.uow import Conflict, UnitOfWork, UnitOfWorkFactory
from bot.domain.lifecycle import BOOKED, Action, Actor, State
from bot.domain.proposal import FabriqueKind, Parcours
from bot.domain.schedule import Interval, check_bookable, first_conflict, new_slot, parse_local
from bot.errors import Forbidden, InvalidInput, InvalidState, NotFound
from bot.services._common import check, require_fabrique, transition
from bot.services.attendees import registrations_for
from bot.services.records import FabriqueRecord, SlotRecord
from bot.services.registrations import seat_waitlist
from bot.services.series import home_row, keep_in_order, once_per_series
from bot.services.timeline import Planner

SUGGESTED = 25  # Discord shows at most 25 autocomplete choices


@dataclass(frozen=True)
class MoveTarget:
    """Where the team moves a session: a slot (``slot_id``) or a date and time typed in the guild's zone, never
    both; ``force`` overrides the lead time."""

    slot_id: int | None = None
    date_text: str | None = None
    time_text: str | None = None
    force: bool = False

    def start(self, tz: ZoneInfo) -> datetime | None:
        """The typed date and time in UTC, None for a slot; a refusal unless exactly one target is given."""
        typed = (self.date_text, self.time_text)
        if self.slot_id is not None and typed == (None, None):
            return None
        if self.slot_id is None and None not in typed:
            return parse_local(self.date_text or "", self.time_text or "", tz)
        raise InvalidInput("error.move.target")


@dataclass(frozen=True)
class Booking:
    """A booking, a move or a release: the Fabrique now, where it was before, and who must hear about it."""

    fabrique: FabriqueRecord
    previous: FabriqueRecord
    registrant_ids: tuple[int, ...] = ()
    promoted: tuple[int, ...] = ()  # seated from the waitlist because the places were raised


class SlotService:
    def __init__(
        self, uow: UnitOfWorkFactory, sessions: SessionSettings, tz: ZoneInfo, clock: Clock, planner: Planner
    ) -> None:
        self._uow = uow
        self._planner = planner
        self._sessions = sessions
        self._tz = tz
        self._clock = clock
        self._buffer = timedelta(minutes=sessions.buffer_minutes)
        self._lead_days = {
            Parcours.CLASSIQUE: sessions.min_lead_days_classique,
            Parcours.EXPRESS: sessions.min_lead_days_express,
        }

    async def add(self, guild_id: int, actor: Actor, date_text: str, time_text: str, minutes: int) -> SlotRecord:
        if not actor.is_team:
            raise Forbidden("error.team_only")
        interval = new_slot(parse_local(date_text, time_text, self._tz), minutes, self._clock())
        async with self._uow() as uow:
            row = await insert_slot(uow, guild_id, actor, interval, self._buffer, self._clock())
            await uow.commit()
            return SlotRecord.of(row, None)

    async def remove(self, guild_id: int, actor: Actor, slot_id: int) -> SlotRecord:
        if not actor.is_team:
            raise Forbidden("error.team_only")
        async with self._uow() as uow:
            row = await uow.slots.get(slot_id, guild_id, lock=True)
            if row is None:
                raise NotFound("error.unknown_slot", number=slot_id)
            holder = (await uow.fabriques.holding_slots([row.id])).get(row.id)
            if holder is not None:
                raise InvalidState("error.slot.booked", number=slot_id, fabrique=holder)
            record = SlotRecord.of(row, None)
            await uow.slots.delete(row)
            await uow.commit()
            return record

    async def upcoming(self, guild_id: int, *, free_only: bool, limit: int | None = None) -> list[SlotRecord]:
        """Slots still to come, soonest first, with the Fabrique that booked each one; ``limit``: only the soonest
        (autocomplete shows 25, and years of planned slots must not cost it more)."""
        async with self._uow() as uow:
            slots = await uow.slots.to_come_with_holders(guild_id, self._clock(), free_only=free_only, limit=limit)
        return [SlotRecord(slot_id, start, end, holder) for slot_id, start, end, holder in slots]

    async def team_planning(self, guild_id: int, actor: Actor) -> list[SlotRecord]:
        """Every slot to come and which Fabrique booked it: the team's planning, not for members."""
        if not actor.is_team:
            raise Forbidden("error.team_only")
        return await self.upcoming(guild_id, free_only=False)

    async def book(
        self, guild_id: int, fabrique_id: int, slot_id: int, actor: Actor, capacity: int | None = None
    ) -> Booking:
        """Book ``slot_id`` for an approved Fabrique, or move an already booked one there.

        ``capacity`` (places) defaults to ``[sessions] default_capacity``; 0 means Zoom's own limit. A Fabrique
        whose slot was released keeps its places, registrations and waitlist: they come along to the new date.
        """
        try:
            async with self._uow() as uow:
                row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
                previous = FabriqueRecord.of(row)
                action = Action.MOVE if State(row.state) in BOOKED else Action.BOOK
                check(row, action, actor)
                slot = await self._free_slot(uow, guild_id, slot_id, row)
                now = self._clock()
                check_bookable(
                    Interval(slot.starts_at, slot.ends_at),
                    row.duration_minutes,
                    Parcours(row.parcours),
                    now,
                    self._lead_days,
                )
                await keep_in_order(uow, row, slot.starts_at)  # a series' dates follow its ranks
                transition(uow, row, action, actor, now, reason=f"slot {slot.id}")
                promoted = await self._set_places(uow, row, action, capacity)
                welcome = row.kind == FabriqueKind.WELCOME  # the team's own sessions: nobody to confirm with
                if action is Action.BOOK and self._sessions.confirm_before_announce and not welcome:
                    row.confirm_by = min(now + timedelta(days=self._sessions.hold_days), slot.starts_at)
                booking = await self._place(uow, row, slot, previous, promoted)
                await uow.commit()
                return booking
        except Conflict:
            raise InvalidState("error.slot.taken", number=slot_id) from None

    async def _set_places(
        self, uow: UnitOfWork, row: FabriqueRow, action: Action, capacity: int | None
    ) -> tuple[int, ...]:
        """The places a booking sets (the default at a first booking), and who the waitlist seats because of them.
        A series' places are its first session's, where its registrations are: a later session sets them there."""
        places = await home_row(uow, row, lock=True)
        if capacity is not None:
            if capacity < 0:
                raise InvalidInput("error.input.capacity")
            places.capacity = capacity
            return await seat_waitlist(uow, places)  # more places: those waiting get them, in order
        if action is not Action.BOOK:
            return ()
        if places.announcement_message_id is None:  # a first booking, not one after a release
            if places.series_id is None or not any(s.starts_at for s in await uow.fabriques.series(places.id)):
                places.capacity = self._sessions.default_capacity  # a series: whichever session is booked first
            return ()
        if places is not row:
            return ()
        return await seat_waitlist(uow, row)  # after a release: seats freed meanwhile go to those waiting

    async def move(self, guild_id: int, fabrique_id: int, actor: Actor, target: MoveTarget) -> Booking:
        """The team moves a booked session to a free slot, or to a date and time for which a slot is made now
        with the session's length (the no-overlap rule still holds). ``force`` overrides the lead time, for the
        team only: organizers move through ``book``, always under the lead time."""
        if not actor.is_team:
            raise Forbidden("error.team_only")
        start = target.start(self._tz)
        try:
            async with self._uow() as uow:
                row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
                previous = FabriqueRecord.of(row)
                check(row, Action.MOVE, actor)
                now = self._clock()
                if start is None:
                    slot = await self._free_slot(uow, guild_id, target.slot_id or 0, row)
                else:  # the session's own slot is left behind, so it does not count as an overlap
                    made = new_slot(start, row.duration_minutes, now, own_length=True)
                    slot = await insert_slot(uow, guild_id, actor, made, self._buffer, now, ignoring=row.slot_id)
                interval = Interval(slot.starts_at, slot.ends_at)
                await keep_in_order(uow, row, slot.starts_at)  # a series' dates follow its ranks
                lead_days = dict.fromkeys(Parcours, 0) if target.force else self._lead_days
                check_bookable(interval, row.duration_minutes, Parcours(row.parcours), now, lead_days, forcible=True)
                reason = f"slot {slot.id}" + (" (force)" if target.force else "")
                transition(uow, row, Action.MOVE, actor, now, reason=reason)
                old_slot_id = row.slot_id
                booking = await self._place(uow, row, slot, previous, ())
                await self._drop_overlapped(uow, guild_id, old_slot_id, interval)
                await uow.commit()
                return booking
        except Conflict:
            raise InvalidState("error.slot.taken", number=target.slot_id or 0) from None

    async def _free_slot(self, uow: UnitOfWork, guild_id: int, slot_id: int, row: FabriqueRow) -> SlotRow:
        """The slot ``slot_id``, locked, if it exists, is not already this Fabrique's and nobody holds it."""
        slot = await uow.slots.get(slot_id, guild_id, lock=True)
        if slot is None:
            raise NotFound("error.unknown_slot", number=slot_id)
        if row.slot_id == slot.id:
            raise InvalidState("error.slot.already_yours", number=slot_id)
        holder = (await uow.fabriques.holding_slots([slot.id])).get(slot.id)
        if holder is not None:
            raise InvalidState("error.slot.taken", number=slot_id)
        return slot

    async def _place(
        self,
        uow: UnitOfWork,
        row: FabriqueRow,
        slot: SlotRow,
        previous: FabriqueRecord,
        promoted: tuple[int, ...],
    ) -> Booking:
        """Put the Fabrique on ``slot``: its date, and every reminder re-planned for it (registrations stay)."""
        row.slot_id = slot.id
        row.starts_at = slot.starts_at
        row.ends_at = slot.starts_at + timedelta(minutes=row.duration_minutes)
        if row.confirm_by is not None:  # a held booking moved earlier is released before it starts, at the latest
            row.confirm_by = min(row.confirm_by, slot.starts_at)
        registrants = tuple(r.user_id for r in await registrations_for(uow, row))  # a series: its home's
        await self._planner(uow, row)  # a move re-plans every reminder for the new date
        return Booking(FabriqueRecord.of(row), previous, registrants, promoted)

    async def _drop_overlapped(self, uow: UnitOfWork, guild_id: int, slot_id: int | None, interval: Interval) -> None:
        """A session moved close to its own old slot: that slot goes, or two slots would overlap (buffer included)."""
        old = await uow.slots.get(slot_id, guild_id, lock=True) if slot_id is not None else None
        if old is not None and Interval(old.starts_at, old.ends_at).overlaps(interval, self._buffer):
            await uow.flush()
            await uow.slots.delete(old)

    async def release(self, guild_id: int, fabrique_id: int, actor: Actor) -> Booking:
        """Give the slot back: the Fabrique is approved again, waiting for a new date. Its registrations, places
        and waitlist stay, and its announcement stays where it is (it says the date is to be set again): the next
        booking brings them all along."""
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
            return await self._release(uow, row, actor)

    async def release_unconfirmed(self, fabrique_id: int, bot_actor: Actor) -> Booking | None:
        """The hold's deadline passed without « Annoncer »: the slot goes back to the team's list. None when it
        was confirmed, released or moved on meanwhile (the due work raced a person: under the same lock, the
        person won)."""
        async with self._uow() as uow:
            row = await uow.fabriques.by_id(fabrique_id, lock=True)
            if row is None or row.confirm_by is None or row.confirm_by > self._clock():
                return None
            return await self._release(uow, row, bot_actor)

    async def _release(self, uow: UnitOfWork, row: FabriqueRow, actor: Actor) -> Booking:
        previous = FabriqueRecord.of(row)
        transition(uow, row, Action.RELEASE, actor, self._clock())
        registrants = tuple(r.user_id for r in await registrations_for(uow, row))  # a series: its home's
        row.slot_id = None
        row.starts_at = None
        row.ends_at = None
        row.scheduled_event_id = None  # Discord's event is cancelled: the next announcement makes a new one
        row.confirm_by = None
        await self._planner(uow, row)
        await uow.commit()
        return Booking(FabriqueRecord.of(row), previous, registrants)

    async def suggest_fabriques(self, guild_id: int, actor: Actor) -> list[FabriqueRecord]:
        """Fabriques this person may book or move: their own, or every one for the team."""
        states = {State.APPROVED.value, *(s.value for s in BOOKED)}
        async with self._uow() as uow:
            # A series is offered once, by the number people know (its later sessions are reached with ``seance``).
            if actor.is_team:
                rows = await uow.fabriques.once_per_series_in_states(guild_id, states, SUGGESTED)
            else:
                rows = once_per_series(await uow.fabriques.search_for_member(guild_id, actor.user_id, states))
            return [FabriqueRecord.of(row) for row in rows][:SUGGESTED]


async def insert_slot(
    uow: UnitOfWork,
    guild_id: int,
    actor: Actor,
    interval: Interval,
    buffer: timedelta,
    now: datetime,
    *,
    ignoring: int | None = None,
) -> SlotRow:
    """Add a slot unless it overlaps another one (buffer included); the error names the one in the way.

    ``ignoring``: the slot of the session being moved, which it is leaving.
    """
    await uow.slots.lock_guild(guild_id)
    existing = [s for s in await uow.slots.ending_after(guild_id, interval.start - buffer) if s.id != ignoring]
    conflict = first_conflict(interval, [(s.id, Interval(s.starts_at, s.ends_at)) for s in existing], buffer)
    if conflict is not None:
        other = next(s for s in existing if s.id == conflict)
        raise InvalidInput(
            "error.slot.overlap", number=conflict, start=other.starts_at, buffer=int(buffer.total_seconds() // 60)
        )
    row = SlotRow(
        guild_id=guild_id, starts_at=interval.start, ends_at=interval.end, created_by=actor.user_id, created_at=now
    )
    uow.slots.add(row)
    await uow.flush()
    return row

"""Booked sessions: the Zoom link, the announcement, cancellation, the agenda and the team's welcome sessions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import SessionSettings
from bot.db.models import FabriqueRow
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.lifecycle import BOOKED, Action, Actor, State
from bot.domain.proposal import FabriqueKind, Format, Parcours, validated_reason
from bot.domain.registration import effective_capacity
from bot.domain.schedule import Interval
from bot.domain.welcome import WelcomeRule
from bot.errors import Forbidden, InvalidInput, InvalidState, NotFound
from bot.i18n import I18n
from bot.services._common import check, organizers, record_audit, require_fabrique, transition
from bot.services.attendees import registrations_for
from bot.services.calendars import session_calendar
from bot.services.records import FabriqueRecord
from bot.services.series import PENDING, home_of
from bot.services.slots import insert_slot
from bot.services.timeline import Planner

URL_MAX = 500


@dataclass(frozen=True)
class Cancellation:
    fabrique: FabriqueRecord
    previous: FabriqueRecord
    registrant_ids: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class SeriesCancellation:
    """A series cancelled whole: its sessions that were still to come, as they were, and everyone registered."""

    home: FabriqueRecord
    previous: tuple[FabriqueRecord, ...]
    registrant_ids: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class AgendaFile:
    """``/fabrique agenda``: the announced sessions to come, soonest first, and their calendar file."""

    records: tuple[FabriqueRecord, ...]
    ics: bytes


@dataclass
class _Agenda:
    """One guild's agenda as last read, with the calendar files already built from it (by refresh interval)."""

    key: list[tuple[object, ...]]
    records: tuple[FabriqueRecord, ...]
    files: dict[timedelta | None, bytes] = field(default_factory=dict)


class SessionService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        sessions: SessionSettings,
        tz: ZoneInfo,
        clock: Clock,
        planner: Planner,
        *,
        i18n: I18n,
    ) -> None:
        self._uow = uow
        self._sessions = sessions
        self._tz = tz
        self._clock = clock
        self._planner = planner
        self._i18n = i18n
        self._agendas: dict[int | None, _Agenda] = {}  # guild id (None: every guild) → its agenda as last read

    async def set_zoom_link(self, guild_id: int, fabrique_id: int, actor: Actor, url: str) -> FabriqueRecord:
        """Set or replace the link; the caller announces the session if it was only waiting for it. A replaced link
        reaches at once, in the same transaction's due work, the registrants already reminded with the old one."""
        if not actor.is_team:
            raise Forbidden("error.team_only")
        clean = validated_link(url)
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
            if State(row.state) not in {State.APPROVED, *BOOKED}:
                raise InvalidState("error.link.state", number=fabrique_id, state=State(row.state))
            replaced = row.zoom_url is not None and row.zoom_url != clean
            row.zoom_url = clean
            row.updated_at = self._clock()
            if replaced:
                row.link_changes += 1
                await self._planner.link_changed(uow, row)
            await uow.commit()
            return FabriqueRecord.of(row)

    async def confirm_hold(self, guild_id: int, fabrique_id: int, actor: Actor) -> FabriqueRecord:
        """« Annoncer »: the organizer (or the team) confirms a held booking; the caller then publishes it."""
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
            if not (actor.is_team or actor.user_id in organizers(row)):
                raise Forbidden("error.not_organizer_or_team")
            if State(row.state) is not State.SCHEDULED or row.confirm_by is None:
                raise InvalidState("error.hold.nothing_held", number=fabrique_id, state=State(row.state))
            row.confirm_by = None
            row.updated_at = self._clock()
            await self._planner(uow, row)  # the hold's reminder and release are no longer owed
            await uow.commit()
            return FabriqueRecord.of(row)

    async def get(self, guild_id: int, fabrique_id: int) -> FabriqueRecord:
        async with self._uow() as uow:
            return FabriqueRecord.of(await require_fabrique(uow, guild_id, fabrique_id))

    async def get_any(self, fabrique_id: int) -> FabriqueRecord:
        """By number alone, for work that starts from a stored id (announcement refreshes), not from a person."""
        async with self._uow() as uow:
            row = await uow.fabriques.by_id(fabrique_id)
            if row is None:
                raise NotFound("error.unknown_fabrique", number=fabrique_id)
            return FabriqueRecord.of(row)

    async def mark_announced(
        self, guild_id: int, fabrique_id: int, bot_actor: Actor, channel_id: int, message_id: int, event_id: int | None
    ) -> FabriqueRecord:
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
            if State(row.state) is State.SCHEDULED:
                transition(uow, row, Action.ANNOUNCE, bot_actor, self._clock())
            # The message is the Fabrique's (the first session of a series holds it); the event is the session's.
            home = row if home_of(row) == row.id else await require_fabrique(uow, guild_id, home_of(row), lock=True)
            home.announcement_channel_id = channel_id
            home.announcement_message_id = message_id
            row.scheduled_event_id = event_id
            await self._planner(uow, row)
            await uow.commit()
            return FabriqueRecord.of(row)

    async def cancel(self, guild_id: int, fabrique_id: int, actor: Actor, reason: str) -> Cancellation:
        """The team cancels a booked session: the slot is free again and everyone registered must hear of it."""
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
            previous = FabriqueRecord.of(row)
            if row.series_id is not None and State(row.state) is State.APPROVED:  # a date of a series never booked
                if not actor.is_team:
                    raise Forbidden("error.team_only")
                clean = validated_reason(reason)
                _cancel_outside_lifecycle(uow, row, actor, clean, self._clock())
            else:
                check(row, Action.CANCEL, actor)  # who and from which state first, then what they typed
                clean = validated_reason(reason)
                transition(uow, row, Action.CANCEL, actor, self._clock(), clean)
            row.last_reason = clean
            row.slot_id = None  # the slot stays, free for someone else
            registrants = tuple(r.user_id for r in await registrations_for(uow, row))  # a series: its home's
            await self._planner(uow, row)  # nothing is owed for a cancelled session: pending work goes
            await uow.commit()
            return Cancellation(FabriqueRecord.of(row), previous, registrants, clean)

    async def cancel_series(self, guild_id: int, fabrique_id: int, actor: Actor, reason: str) -> SeriesCancellation:
        """The team cancels a series whole: every session still to come, booked or still without a date, is
        cancelled in one transaction (a series cancelled whole leaves no date to book); held ones stay as they are.
        A single Fabrique is cancelled as by ``cancel``."""
        now = self._clock()
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
            if not actor.is_team:
                raise Forbidden("error.team_only")
            rows = await uow.fabriques.series(home_of(row), lock=True) or [row]
            pending = [r for r in rows if State(r.state) in (PENDING if r.series_id is not None else BOOKED)]
            if not pending:
                raise InvalidState("error.state.cancel", state=State(row.state))
            clean = validated_reason(reason)
            previous = tuple(FabriqueRecord.of(r) for r in pending)
            for session in pending:
                _cancel_outside_lifecycle(uow, session, actor, clean, now)
                session.last_reason = clean
                session.slot_id = None  # the slot stays, free for someone else
                await self._planner(uow, session)
            home = next((r for r in rows if r.id == home_of(row)), row)
            registrants = tuple(r.user_id for r in await uow.registrations.all(home.id))
            await uow.commit()
            return SeriesCancellation(FabriqueRecord.of(home), previous, registrants, clean)

    async def series(self, fabrique_id: int) -> list[FabriqueRecord]:
        """Every session of the series ``fabrique_id`` belongs to, in rank order; empty for a single Fabrique."""
        async with self._uow() as uow:
            row = await uow.fabriques.by_id(fabrique_id)
            if row is None or row.series_id is None:
                return []
            return [FabriqueRecord.of(session) for session in await uow.fabriques.series(row.series_id)]

    async def series_pending(self, fabrique_id: int) -> bool:
        """Whether the series still has a session to come (booked or waiting for its date): its message stays."""
        return any(session.state in PENDING for session in await self.series(fabrique_id))

    async def agenda(self, guild_id: int) -> list[FabriqueRecord]:
        """Announced sessions still to come, soonest first, as the agenda and its autocomplete show them (number,
        title, dates, rank: what ``_agenda`` watches)."""
        return list((await self._agenda(guild_id)).records)

    async def agenda_file(self, guild_id: int) -> AgendaFile:
        """The agenda and its calendar file (.ics), as ``/fabrique agenda`` attaches it."""
        agenda = await self._agenda(guild_id)
        return AgendaFile(agenda.records, await self._calendar(agenda, None))

    async def agenda_calendar(self, guild_id: int | None, *, refresh: timedelta | None = None) -> bytes:
        """The calendar file of the announced sessions to come of one guild (None: every guild), telling
        subscribed calendars to fetch it again every ``refresh``: what the web door's ``/agenda.ics`` serves."""
        return await self._calendar(await self._agenda(guild_id), refresh)

    async def _agenda(self, guild_id: int | None) -> _Agenda:
        """The agenda, read again only when it changed. A few small columns of each announced session to come (its
        number, title, start, rank, revision and last change) tell whether it did; the sessions themselves, and the
        calendar files made from them, are read and built once per change instead of at every interaction and
        autocomplete keystroke. A session that starts, or one whose date, text or state changes, changes the key."""
        now = self._clock()
        async with self._uow() as uow:
            key = await uow.fabriques.agenda_keys(guild_id, now)
            cached = self._agendas.get(guild_id)
            if cached is not None and cached.key == key:
                return cached
            batches = uow.fabriques.in_states_by_batch(guild_id, {State.ANNOUNCED.value}, starting_after=now)
            agenda = _Agenda(key, tuple([FabriqueRecord.of(row) async for batch in batches for row in batch]))
        self._agendas[guild_id] = agenda
        return agenda

    async def _calendar(self, agenda: _Agenda, refresh: timedelta | None) -> bytes:
        """The agenda's calendar file, built once per change in a worker thread: a thousand sessions take a fifth
        of a second to write, which the event loop (Discord's heartbeat, every interaction) must not wait for."""
        if refresh not in agenda.files:
            now = self._clock()
            agenda.files[refresh] = await asyncio.to_thread(
                session_calendar, agenda.records, self._i18n, now, refresh=refresh
            )
        return agenda.files[refresh]

    async def announcements_to_come(self) -> list[FabriqueRecord]:
        """The Fabriques whose announcement people may still react to, all guilds: each announced single session
        to come, and the first session of each series with an announced session to come (its message holds the ✅
        of the whole series). What reconciliation at start reads."""
        async with self._uow() as uow:
            rows = await uow.fabriques.in_states(None, {State.ANNOUNCED.value}, starting_after=self._clock())
            homes: dict[int, FabriqueRecord] = {}
            for row in rows:
                if home_of(row) not in homes:
                    home = row if home_of(row) == row.id else await uow.fabriques.by_id(home_of(row))
                    homes[home_of(row)] = FabriqueRecord.of(home or row)
            return list(homes.values())

    async def scheduled_to_come(self) -> list[FabriqueRecord]:
        """Every booked session not announced yet and still to come, all guilds: held, waiting for its link, or
        cut short by a stop between its booking (or « Annoncer ») and its announcement."""
        async with self._uow() as uow:
            rows = await uow.fabriques.in_states(None, {State.SCHEDULED.value}, starting_after=self._clock())
            return [FabriqueRecord.of(row) for row in rows]

    async def create_welcome(
        self,
        guild_id: int,
        actor: Actor,
        rule: WelcomeRule,
        start: datetime,
        *,
        title: str,
        description: str,
        rule_id: int | None = None,
    ) -> FabriqueRecord:
        """A « 30 min chrono » session of the team on its own slot, ready to announce; made for the date ``start``
        of the rule ``rule_id`` (the database refuses a second session for the same date with ``Conflict``)."""
        if not actor.is_team:
            raise Forbidden("error.team_only")
        link = validated_link(rule.zoom_url) if rule.zoom_url else None
        now = self._clock()
        buffer = timedelta(minutes=self._sessions.buffer_minutes)
        async with self._uow() as uow:
            interval = Interval(start, start + timedelta(minutes=rule.duration_minutes))
            slot = await insert_slot(uow, guild_id, actor, interval, buffer, now)
            row = FabriqueRow(
                guild_id=guild_id,
                organizer_id=actor.user_id,
                coorganizers=[],
                format=Format.AUTRE,
                parcours=Parcours.EXPRESS,
                duration_minutes=rule.duration_minutes,
                title=title,
                description=description,
                speaker="",
                needs="",
                state=State.SCHEDULED,
                revision=1,
                created_at=now,
                updated_at=now,
                kind=FabriqueKind.WELCOME,
                slot_id=slot.id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                capacity=effective_capacity(rule.capacity),
                zoom_url=link,
                welcome_rule_id=rule_id,
                welcome_occurrence=start if rule_id is not None else None,
            )
            uow.fabriques.add(row)
            await uow.flush()
            record_audit(uow, row, actor, Action.BOOK, now)
            await uow.commit()
            return FabriqueRecord.of(row)


def _cancel_outside_lifecycle(uow: UnitOfWork, session: FabriqueRow, actor: Actor, reason: str, now: datetime) -> None:
    """A session of a series cancelled by the team, whatever its state among those to come: a date never booked goes
    too, so a cycle cut short leaves nothing waiting. The lifecycle's CANCEL takes booked sessions only, which keeps
    an approved single Fabrique to its organizer's withdrawal."""
    before = State(session.state)
    session.state = State.CANCELLED
    session.updated_at = now
    record_audit(uow, session, actor, Action.CANCEL, now, reason, before)


def validated_link(url: str) -> str:
    """An https link with a host; anything else (javascript:, plain text, http) is refused."""
    clean = url.strip()
    parts = urlsplit(clean)
    if len(clean) > URL_MAX or parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in clean):
        raise InvalidInput("error.input.link")
    return clean

"""Registrations: seats, the waitlist, promotions, and the Zoom link for those who hold a seat.

Each way in is one call: ``react``/``unreact`` for the ✅ on an announcement, ``interested``/``uninterested`` for
« Intéressé » on its scheduled event, ``join``/``leave`` for the buttons and commands, ``reconcile_announcement`` at
start. The call decides, writes in one transaction, then does what it owes people (``notices``: a DM, or an e-mail
for someone outside Discord) and asks the port for the announcement's count.

A series (``bot.domain.series``) is registered for as a whole: every way in acts on its home (the first session),
whichever session's announcement, event or number it came through; it is open while one of its sessions is announced
and to come, and capacity and waitlist are the home's. A registrant may miss one date (``absence``): no reminder nor
link for that date, the seat in the series kept.

Registrations for one session are serialised: an in-process lock per session (the bot is one process) and, on
PostgreSQL, a row lock on the session, so a burst of clicks never seats more people than the capacity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace

from bot.clock import Clock
from bot.config import DiscordSettings
from bot.db.models import FabriqueRow, RegistrationRow
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.lifecycle import Actor
from bot.domain.membership import configured_id
from bot.domain.outside import is_outsider, person_id
from bot.domain.registration import Source, Status, status_for_newcomer
from bot.errors import DomainError, Forbidden, InvalidState, NotFound
from bot.i18n import I18n
from bot.services._common import organizers, require_fabrique
from bot.services.attendees import require_series_open, series_open
from bot.services.ports import Messenger, Noticeboard
from bot.services.records import Attendance, Drawing, FabriqueRecord, RegistrationRecord
from bot.services.registrations._absences import AbsenceOutcome, DateAttendance, Listing, absence_refusal
from bot.services.registrations._catch_up import Marks, Stored, changed
from bot.services.registrations._letters import OutsideLetters
from bot.services.registrations._notices import Notices
from bot.services.registrations._values import (
    Reactor,
    Reconciliation,
    RegistrationOutcome,
    Roles,
    SessionLock,
    Spawn,
    T,
    seat_waitlist,
)
from bot.services.series import home_of, home_row, require_home, session_of
from bot.services.timeline import Planner


class RegistrationService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        planner: Planner,
        *,
        guild_defaults: DiscordSettings,
        board: Noticeboard,
        messenger: Messenger,
        i18n: I18n,
        spawn: Spawn,
        letters: OutsideLetters | None = None,
    ) -> None:
        """``letters`` mails registrants outside Discord; None when the mailing integration is off."""
        self._uow = uow
        self._clock = clock
        self._planner = planner
        self._guild_defaults = guild_defaults
        self._board = board
        self._i18n = i18n
        self._spawn = spawn
        self.notices = Notices(uow, clock, messenger=messenger, i18n=i18n, letters=letters)
        self._locks: defaultdict[int, SessionLock] = defaultdict(SessionLock)

    # --- the use cases ------------------------------------------------------------------------------------

    async def react(self, guild_id: int, message_id: int, reactors: Sequence[Reactor]) -> None:
        """✅ put on an announcement, in the order Discord delivered them (which is the waitlist order).

        One transaction for the whole batch: roles read, display names stored, people registered. Everyone hears
        back by DM in the background, so that the next reactions do not wait behind Discord's rate limits.
        """
        if not reactors:
            return
        find = _announced_by(message_id)
        await self._answer(guild_id, find, lambda uow, row: self._react_in(uow, row, reactors, Source.REACTION))

    async def unreact(self, guild_id: int, message_id: int, user_ids: Sequence[int]) -> None:
        """✅ taken off an announcement: those registered leave (in one transaction), hear it, and seats freed go
        to the waitlist."""
        if not user_ids:
            return
        await self._leave_by(guild_id, _announced_by(message_id), user_ids, by_reaction=True)

    async def interested(self, guild_id: int, event_id: int, reactor: Reactor) -> None:
        """« Intéressé » on a session's scheduled event registers, like a ✅: same rules, same DMs."""
        find = _scheduled_by(event_id)
        await self._answer(guild_id, find, lambda uow, row: self._react_in(uow, row, [reactor], Source.EVENT))

    async def uninterested(self, guild_id: int, event_id: int, user_id: int) -> None:
        """« Intéressé » taken off: the person leaves, like by button (a ✅ of theirs left behind stays inert). A
        series has one event per date: taking it off one of them ends a registration made by « Intéressé » only; one
        made by ✅, button or command is for the cycle (a date one cannot attend is an absence)."""
        await self._leave_by(guild_id, _scheduled_by(event_id), [user_id], by_reaction=False, by_event=True)

    async def join(self, guild_id: int, fabrique_id: int, actor: Actor, source: Source) -> RegistrationOutcome:
        """By button or command; the caller renders the outcome (or the DomainError) as its reply."""
        outcome = await self.register(guild_id, fabrique_id, actor, source)
        if outcome.changed:
            self._board.refresh(fabrique_id)
        return outcome

    async def leave(self, guild_id: int, fabrique_id: int, user_id: int) -> RegistrationOutcome:
        """By button or command: the seat freed goes to the first waiting, who hears it by DM."""
        outcome = await self.unregister(guild_id, fabrique_id, user_id)
        await self._after_leaving(outcome)
        return outcome

    async def reconcile_announcement(
        self, record: FabriqueRecord, reacted: Sequence[Reactor], interested: Sequence[Reactor] | None = None
    ) -> None:
        """At start: the ✅ found on the announcement and the « Intéressé » of its scheduled event (None: no event
        to read) become registrations, or their absence ends some, in one transaction for the session; those
        registered or promoted hear it once it is committed. The announcement is redrawn (an unchanged one is
        not edited: see the Noticeboard)."""
        marks = [(Source.REACTION, reacted)] + ([(Source.EVENT, interested)] if interested is not None else [])

        marked = {reactor.user_id for _, people in marks for reactor in people}

        async def apply(uow: UnitOfWork, row: FabriqueRow) -> list[Reconciliation]:
            roles = await self._roles(uow, row.guild_id)
            return [
                await self._reconcile_in(uow, row, {r.user_id: roles.actor(r) for r in people}, source, marked)
                for source, people in marks
            ]

        results = await self._on_session(record.guild_id, _numbered(record.home_id), apply) or []
        for result in results:
            for outcome in result.added:
                await self.notices.confirm(outcome)
            for outcome in result.removed:
                await self._after_leaving(outcome)
        await self._board.redraw(record.home_id)  # a series: its one announcement, on its home

    async def to_reconcile(self, found: Sequence[Marks]) -> list[Marks]:
        """At start, of the announcements to come and the marks Discord shows on them, those whose reconciliation
        could change something (``_catch_up``): one read for all, so a quiet night costs nothing per session."""
        homes = [marks.record.home_id for marks in found]
        async with self._uow() as uow:
            registered = await uow.registrations.sources_of(homes)
            departed = await uow.departures.user_ids_of(homes)
            drawn = await uow.fabriques.drawn_of(homes)
        return [
            marks
            for marks, home in zip(found, homes, strict=True)
            if changed(marks, Stored(registered[home], departed[home], drawn.get(home)))
        ]

    async def tell_promoted(self, record: FabriqueRecord, user_ids: Iterable[int]) -> None:
        """Each person who just got a seat from the waitlist hears it (by DM, or by e-mail outside Discord)."""
        await self.notices.promoted(record, user_ids)

    # --- the steps ----------------------------------------------------------------------------------------

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
            row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
            home_id = home_of(row)
            if home_id == row.id:
                results = await self._register_in(uow, row, actors, source)
                await uow.commit()
                return results
        return await self.register_many(guild_id, home_id, actors, source)  # a later session: its series' home

    async def unregister(
        self, guild_id: int, fabrique_id: int, user_id: int, *, by_reaction: bool = False
    ) -> RegistrationOutcome:
        """Leave a session. By button or command the person's ✅ may stay on the announcement: the departure is
        remembered so that reconciliation at start does not take that old ✅ for a new registration."""
        async with self._locks[fabrique_id], self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
            home_id = home_of(row)
            if home_id == row.id:
                (outcome,) = await self._unregister_in(uow, row, [user_id], by_reaction=by_reaction)
                await uow.commit()
                return outcome
        return await self.unregister(guild_id, home_id, user_id, by_reaction=by_reaction)

    async def reconcile(
        self, guild_id: int, fabrique_id: int, reacted: dict[int, Actor], source: Source = Source.REACTION
    ) -> Reconciliation:
        """Apply what changed on the announcement's ✅ (or the event's « Intéressé »: ``source``) while the bot was
        away (both ways), in one transaction; idempotent. See ``_reconcile_in``."""
        found = await self._on_session(
            guild_id,
            _numbered(fabrique_id),
            lambda uow, row: self._reconcile_in(uow, row, reacted, source, set(reacted)),
        )
        if found is None:
            raise NotFound("error.unknown_fabrique", number=fabrique_id)
        return found

    async def session_for_message(self, message_id: int) -> FabriqueRecord | None:
        """The session announced by ``message_id``: how a ✅ reaction finds its session."""
        async with self._uow() as uow:
            row = await uow.fabriques.by_announcement(message_id)
            return FabriqueRecord.of(row) if row is not None else None

    async def registrant_ids(self, fabrique_id: int) -> tuple[int, ...]:
        """Everyone registered (seated or waiting), in arrival order: who hears of a new date (of any session of a
        series: its home's registrants)."""
        async with self._uow() as uow:
            row = await uow.fabriques.by_id(fabrique_id)
            home_id = home_of(row) if row is not None else fabrique_id
            return tuple(r.user_id for r in await uow.registrations.all(home_id))

    async def attendance(self, fabrique_id: int) -> Attendance:
        return (await self.as_announced(fabrique_id))[1]

    async def as_announced(self, fabrique_id: int) -> tuple[FabriqueRecord, Attendance]:
        """The session and its counts, read together: what its announcement shows (one read per edit)."""
        async with self._uow() as uow:
            row = await uow.fabriques.by_id(fabrique_id)
            if row is None:
                raise NotFound("error.unknown_fabrique", number=fabrique_id)
            counts = await uow.registrations.count_by_status(home_of(row))  # a series counts on its home
            attendance = Attendance(counts.get(Status.CONFIRMED, 0), counts.get(Status.WAITLISTED, 0), row.capacity)
            return FabriqueRecord.of(row), attendance

    async def drawing(self, fabrique_id: int) -> Drawing:
        """What the announcement of ``fabrique_id`` (its series' home's) shows now and what it showed when last
        drawn, read together: one read per redraw."""
        async with self._uow() as uow:
            row = await uow.fabriques.by_id(fabrique_id)
            home = await home_row(uow, row) if row is not None else None
            if home is None:
                raise NotFound("error.unknown_fabrique", number=fabrique_id)
            counts = await uow.registrations.count_by_status(home.id)
            attendance = Attendance(counts.get(Status.CONFIRMED, 0), counts.get(Status.WAITLISTED, 0), home.capacity)
            return Drawing(FabriqueRecord.of(home), attendance, home.announcement_drawn)

    async def drawn(self, fabrique_id: int, digest: str | None, shown: Attendance | None = None) -> None:
        """The announcement of ``fabrique_id`` now shows what ``digest`` sums up (None: something else). With
        ``shown`` (the counts drawn), the digest is kept only if the counts are still those: a registration made
        while the edit was on its way leaves the drawing unknown, so a stop before its own edit is redrawn at the
        next start."""
        async with self._uow() as uow:
            row = await uow.fabriques.by_id(fabrique_id)
            if row is not None and shown is not None and digest is not None:
                counts = await uow.registrations.count_by_status(row.id)
                if (counts.get(Status.CONFIRMED, 0), counts.get(Status.WAITLISTED, 0)) != (
                    shown.confirmed,
                    shown.waitlisted,
                ):
                    digest = None
            if row is not None and row.announcement_drawn != digest:
                row.announcement_drawn = digest
                await uow.commit()

    async def listing(self, guild_id: int, fabrique_id: int, actor: Actor) -> Listing:
        """``/fabrique inscrits``: who registered and, for a series, how many come on each date. Nobody but the
        organizers and the team sees who registered, and only the team sees the addresses of people outside
        Discord."""
        async with self._uow() as uow:
            row = await require_home(uow, guild_id, fabrique_id)
            if not (actor.is_team or actor.user_id in organizers(row)):
                raise Forbidden("error.not_organizer_or_team")
            rows = await uow.registrations.all(row.id)
            people = await uow.outsiders.by_ids({person_id(r.user_id) for r in rows if is_outsider(r.user_id)})
            registrations = tuple(
                RegistrationRecord.of(r, people.get(person_id(r.user_id)), with_email=actor.is_team) for r in rows
            )
            dates = await self._dates(uow, row, rows) if row.series_id is not None else ()
            return Listing(FabriqueRecord.of(row), registrations, dates)

    async def zoom_link(self, guild_id: int, fabrique_id: int, actor: Actor) -> tuple[FabriqueRecord, str]:
        """The link, only for a seated registrant, an organizer or the team."""
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id)
            registration = await uow.registrations.get(home_of(row), actor.user_id)  # a series: its home's
            allowed = actor.is_team or actor.user_id in organizers(row)
            if not allowed and (registration is None or registration.status != Status.CONFIRMED.value):
                key = "error.link.waitlisted" if registration is not None else "error.link.not_registered"
                raise Forbidden(key, number=fabrique_id)
            if not row.zoom_url:
                raise InvalidState("error.link.missing", number=fabrique_id)
            return FabriqueRecord.of(row), row.zoom_url

    async def absence(
        self, guild_id: int, fabrique_id: int, rank: int, actor: Actor, *, back: bool = False
    ) -> AbsenceOutcome:
        """``/fabrique absence``: a registrant of the series ``fabrique_id`` (the number people know) will miss its
        session ``rank`` (``back``: will come after all). Only that date's reminders and link change."""
        async with self._uow() as uow:
            home = await require_home(uow, guild_id, fabrique_id)
            if home.series_id is None:
                raise InvalidState("error.absence.single", number=home.id)
            session_id = (await session_of(uow, home, rank)).id
        return await self._mark_absence(session_id, actor.user_id, back=back)

    async def absent_by_button(self, session_id: int, user_id: int) -> AbsenceOutcome:
        """« Absent·e le JJ/MM » under a reminder: pressed in a DM, so the session is known by its number alone."""
        return await self._mark_absence(session_id, user_id, back=False)

    async def _mark_absence(self, session_id: int, user_id: int, *, back: bool) -> AbsenceOutcome:
        async with self._uow() as uow:
            found = await uow.fabriques.by_id(session_id)
            if found is None or found.series_id is None:
                raise NotFound("error.unknown_fabrique", number=session_id)
            home_id = home_of(found)
        # Under the series' lock: a registration re-plans every session of the series, this session's too.
        async with self._locks[home_id], self._uow() as uow:
            session = await uow.fabriques.by_id(session_id, lock=True)
            assert session is not None  # sessions are never deleted
            home = await home_row(uow, session)
            if await uow.registrations.get(home.id, user_id) is None:
                raise Forbidden("error.absence.not_registered", number=home.id)
            if (refusal := absence_refusal(session, self._clock())) is not None:
                raise refusal
            if back:
                changed = await uow.absences.unmark(session.id, user_id)
            else:
                changed = await uow.absences.mark(session.id, user_id, self._clock())
            if changed:
                await self._planner(uow, session)  # that date's reminders go (or come back)
            await uow.commit()
            return AbsenceOutcome(FabriqueRecord.of(session), FabriqueRecord.of(home), not back, changed)

    @staticmethod
    async def _dates(
        uow: UnitOfWork, home: FabriqueRow, registrations: list[RegistrationRow]
    ) -> tuple[DateAttendance, ...]:
        """Per session of the series ``home``, who will miss it and how many of the seated come."""
        seated = {r.user_id for r in registrations if r.status == Status.CONFIRMED.value}
        result = []
        for session in await uow.fabriques.series(home.id):
            absent = frozenset(await uow.absences.user_ids(session.id))
            result.append(DateAttendance(FabriqueRecord.of(session), absent, len(seated - absent)))
        return tuple(result)

    async def record_dm_failure(self, fabrique_id: int, user_id: int) -> None:
        """Closed DMs are a normal situation; the team sees them in the registrant list (see ``Notices``)."""
        await self.notices.dm_failed(fabrique_id, user_id)

    # --- inside the transaction ---------------------------------------------------------------------------

    async def _answer(self, guild_id: int, find: Finder, work: Work[Answered]) -> None:
        """Register people on the session ``find`` gives; they hear back in the background, so that the next
        reactions do not wait behind Discord's rate limits."""
        answered = await self._on_session(guild_id, find, work)
        if answered is None:
            return
        record, results = answered
        self._spawn(self.notices.answer_reactors(record, results))
        self._board.refresh(record.id)

    async def _leave_by(
        self, guild_id: int, find: Finder, user_ids: Sequence[int], *, by_reaction: bool, by_event: bool = False
    ) -> None:
        async def leave(uow: UnitOfWork, row: FabriqueRow) -> list[RegistrationOutcome]:
            leaving = list(user_ids)
            if by_event and row.series_id is not None:  # one date's event: only who registered through an event
                rows = [await uow.registrations.get(row.id, user_id) for user_id in leaving]
                leaving = [r.user_id for r in rows if r is not None and Source(r.source) is Source.EVENT]
            return await self._unregister_in(uow, row, leaving, by_reaction=by_reaction)

        outcomes = await self._on_session(guild_id, find, leave)
        for outcome in outcomes or ():
            if outcome.changed:
                await self.notices.unregistered(outcome)
            await self._after_leaving(outcome)

    async def _on_session(self, guild_id: int, find: Finder, work: Work[T]) -> T | None:
        """Run ``work`` on the session ``find`` gives (by its announcement, by its scheduled event), under the
        session's lock, and commit: one transaction. None when that is no session of this guild."""
        async with self._uow() as uow:
            found = await find(uow)
            if found is None or found.guild_id != guild_id:
                return None
            fabrique_id = home_of(found)  # a later session's event registers for its series
            lock = self._locks[fabrique_id]
            if lock.free:  # taken at once: nothing is awaited while this transaction holds SQLite's write lock
                async with lock:
                    return await self._locked_work(uow, guild_id, fabrique_id, work)
        # Someone registers to this session right now. Waiting for them inside this transaction would deadlock on
        # SQLite (it holds the write lock they need to finish): wait outside, then start again.
        async with lock, self._uow() as uow:
            return await self._locked_work(uow, guild_id, fabrique_id, work)

    @staticmethod
    async def _locked_work(uow: UnitOfWork, guild_id: int, fabrique_id: int, work: Work[T]) -> T | None:
        row = await uow.fabriques.get_for_update(fabrique_id, guild_id)
        if row is None:
            return None
        result = await work(uow, row)
        await uow.commit()
        return result

    async def _react_in(
        self, uow: UnitOfWork, row: FabriqueRow, reactors: Sequence[Reactor], source: Source
    ) -> Answered:
        roles = await self._roles(uow, row.guild_id)
        actors = [roles.actor(reactor) for reactor in reactors]
        results: list[RegistrationOutcome | DomainError]
        try:
            results = await self._register_in(uow, row, actors, source)
        except DomainError as closed:  # the session itself refuses: everyone who reacted hears why
            results = [closed] * len(actors)
        return FabriqueRecord.of(row), list(zip((actor.user_id for actor in actors), results, strict=True))

    async def _roles(self, uow: UnitOfWork, guild_id: int) -> Roles:
        """The guild's roles as GuildConfigService reads them: what /equipe configurer stored, else config.toml."""
        stored = await uow.guilds.get(guild_id)
        defaults = self._guild_defaults
        return Roles(
            configured_id(stored.team_role_id if stored else None, defaults.team_role_id),
            configured_id(stored.member_role_id if stored else None, defaults.member_role_id),
        )

    async def _register_in(
        self, uow: UnitOfWork, row: FabriqueRow, actors: Sequence[Actor], source: Source
    ) -> list[RegistrationOutcome | DomainError]:
        """``row`` (a home) is locked; raises (before writing anything) when the session itself, or the whole
        series, is closed."""
        await require_series_open(uow, row, self._clock())
        record = FabriqueRecord.of(row)
        current = {r.user_id: r for r in await uow.registrations.all(row.id)}  # arrival order
        waiting = [user for user, r in current.items() if r.status == Status.WAITLISTED.value]
        positions = {user: index for index, user in enumerate(waiting, start=1)}
        confirmed = len(current) - len(waiting)
        results: list[RegistrationOutcome | DomainError] = []
        newcomers: list[RegistrationRow] = []
        for actor in actors:
            existing = current.get(actor.user_id)
            if not actor.is_member:
                results.append(Forbidden("error.members_only"))
                continue
            if existing is not None:
                status = Status(existing.status)
                results.append(RegistrationOutcome(record, actor.user_id, status, False, positions.get(actor.user_id)))
                continue
            status = status_for_newcomer(row.capacity, confirmed)
            if status is Status.CONFIRMED:
                confirmed += 1
            else:
                positions[actor.user_id] = len(positions) + 1
            current[actor.user_id] = RegistrationRow(
                fabrique_id=row.id,
                user_id=actor.user_id,
                status=status,
                source=source,
                created_at=self._clock(),
                dm_failed=False,
            )
            newcomers.append(current[actor.user_id])
            results.append(RegistrationOutcome(record, actor.user_id, status, True, positions.get(actor.user_id)))
        await uow.registrations.add_many(newcomers)  # one statement for the batch, in arrival order
        if newcomers:
            row.announcement_drawn = None  # the count changed: until it is drawn, the next start redraws it
        # Registered again, by whatever path: a ✅ of theirs counts again at the next reconciliation.
        await uow.departures.forget(row.id, {actor.user_id for actor in actors if actor.is_member})
        await self._planner(uow, row)  # the newly seated get their reminders in the same transaction
        return results

    async def _reconcile_in(
        self, uow: UnitOfWork, row: FabriqueRow, reacted: dict[int, Actor], source: Source, marked: set[int]
    ) -> Reconciliation:
        """``row`` (a home) is locked. The session's registrations and departures are read once; the newcomers are
        registered together, in the order Discord lists them (the waitlist order), then those whose mark went
        leave, in arrival order, their seats going to the waitlist. Only registrations made that way end when
        the mark is gone.

        A ✅ (or « Intéressé ») whose author left by button or command since putting it there is not new: it is
        skipped; the departure is forgotten once none of their marks (``marked``: ✅ and « Intéressé ») is left. A
        series has one scheduled event per session: « Intéressé » missing from one of them ends nobody's
        registration.
        """
        if not await self._open(uow, row):
            return Reconciliation((), ())
        current = {r.user_id: Source(r.source) for r in await uow.registrations.all(row.id)}
        departed = await uow.departures.user_ids(row.id)
        if source is Source.REACTION:  # once per session: the marks of both kinds are known
            await uow.departures.forget(row.id, departed - marked)  # their marks went meanwhile
        newcomers = [
            actor
            for user_id, actor in reacted.items()
            if user_id not in current and user_id not in departed and actor.is_member
        ]
        ending = source is Source.REACTION or row.series_id is None
        leaving = [user for user, made_by in current.items() if ending and made_by is source and user not in reacted]
        added = await self._register_in(uow, row, newcomers, source) if newcomers else []
        removed = await self._unregister_in(uow, row, leaving, by_reaction=True) if leaving else []
        return Reconciliation(tuple(_outcomes(added)), tuple(removed))

    async def _unregister_in(
        self, uow: UnitOfWork, row: FabriqueRow, user_ids: Sequence[int], *, by_reaction: bool
    ) -> list[RegistrationOutcome]:
        """``row`` is locked. Leaving by reaction: the ✅ is gone, so a later one is a new registration."""
        if by_reaction:
            await uow.departures.forget(row.id, set(user_ids))
        outcomes = []
        for user_id in user_ids:
            existing = await uow.registrations.get(row.id, user_id)
            if existing is None:
                outcomes.append(RegistrationOutcome(FabriqueRecord.of(row), user_id, None, False))
                continue
            if not by_reaction:
                await uow.departures.record(row.id, user_id, self._clock())
            # Nobody is promoted into a session that is cancelled or already running.
            promoted = await self._remove(uow, row, existing, promote=await self._open(uow, row))
            if row.series_id is not None:  # registering again means every date: old absences go with the seat
                await uow.absences.forget([session.id for session in await uow.fabriques.series(row.id)], user_id)
            outcomes.append(RegistrationOutcome(FabriqueRecord.of(row), user_id, None, True, promoted=promoted))
        if any(outcome.changed for outcome in outcomes):
            row.announcement_drawn = None  # the count changed: until it is drawn, the next start redraws it
            await self._planner(uow, row)  # the leavers' reminders go, the promoted get theirs
        # Someone seated by an earlier leaver of the same batch, then leaving too, is told of no seat.
        leaving = set(user_ids)
        return [replace(o, promoted=tuple(p for p in o.promoted if p not in leaving)) for o in outcomes]

    async def _open(self, uow: UnitOfWork, home: FabriqueRow) -> bool:
        """A single session while announced and to come; a series while one of its sessions is."""
        return await series_open(uow, home, self._clock())

    async def _remove(
        self, uow: UnitOfWork, row: FabriqueRow, registration: RegistrationRow, *, promote: bool
    ) -> tuple[int, ...]:
        await uow.registrations.delete(registration)
        await uow.flush()
        if registration.status != Status.CONFIRMED.value or not promote:
            return ()
        return await seat_waitlist(uow, row)

    # --- what people hear ---------------------------------------------------------------------------------

    async def _after_leaving(self, outcome: RegistrationOutcome) -> None:
        """Seats freed: the first people waiting got them and hear it by DM; the announcement count follows."""
        if not outcome.changed:
            return
        await self.notices.promoted(outcome.fabrique, outcome.promoted)
        self._board.refresh(outcome.fabrique.id)


Finder = Callable[[UnitOfWork], Awaitable[FabriqueRow | None]]
Work = Callable[[UnitOfWork, FabriqueRow], Awaitable[T]]
Answered = tuple[FabriqueRecord, list[tuple[int, RegistrationOutcome | DomainError]]]


def _outcomes(results: list[RegistrationOutcome | DomainError]) -> list[RegistrationOutcome]:
    """Newcomers are all members of an open session: nothing in their batch is refused."""
    return [result for result in results if isinstance(result, RegistrationOutcome)]


def _numbered(fabrique_id: int) -> Finder:
    return lambda uow: uow.fabriques.by_id(fabrique_id)


def _announced_by(message_id: int) -> Finder:
    return lambda uow: uow.fabriques.by_announcement(message_id)


def _scheduled_by(event_id: int) -> Finder:
    return lambda uow: uow.fabriques.by_scheduled_event(event_id)

"""Timed work stored as due rows: planned from the sessions, claimed by one dispatcher, never sent twice.

Delivery is at most once, and nothing else is lost. The dispatcher claims a batch (committed as "claimed" with
one batch timestamp), then sends the items one by one in a fixed order (due time, id), committing each outcome
right after its send. If the bot dies mid-batch, the first still-claimed item of that batch is the one whose send
was in flight: nobody can tell whether Discord got it, so it becomes "uncertain" and is not resent (a duplicate
reminder with a Zoom link is worse than a missing one; the window is one HTTP call). Every later item of the batch
was never attempted and goes back to pending. A send that fails with an error (not a crash) is retried later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.db.models import DueWorkRow, FabriqueRow, RegistrationRow
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.lifecycle import Action, Actor, State
from bot.domain.outreach import ZOOM_TARGET, CopyStatus
from bot.domain.proposal import FabriqueKind, Parcours
from bot.domain.timeline import (
    PLANNED_STATES,
    DueStatus,
    Session,
    TimelineSettings,
    Work,
    link_notice_key,
    plan,
    reminder_key_prefix,
    replanned,
    still_meaningful,
)
from bot.services._common import organizers, transition
from bot.services.attendees import registrations_for, seated_for
from bot.services.outreach import CopyState
from bot.services.records import FabriqueRecord

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)
OWED_STATES = (State.HELD, State.DOCUMENTATION_DUE, State.DOCUMENTING)
ATTENDANCE_SHOWN = 5
BOOKED_STATES = frozenset({State.SCHEDULED.value, State.ANNOUNCED.value})  # what the copy dashboard watches
COPIES_SHOWN = 30  # sessions on the dashboard's copy field: more never fit in its 1,024 characters
OWED_SHOWN = 30  # documentations owed listed on the dashboard (its field holds no more)
FAILING_SHOWN = 5  # sessions offered a « Réessayer » button


def timeline_settings(settings: Settings) -> TimelineSettings:
    zoom = settings.zoom
    records_to_cloud = zoom.enabled and zoom.auto_recording == "cloud"
    return TimelineSettings(
        reminders_before_minutes=tuple(settings.sessions.reminders_before_minutes),
        prompt_after_minutes=settings.documentation.prompt_after_minutes,
        chase_after_days=tuple(settings.documentation.chase_after_days),
        deadline_days=settings.documentation.deadline_days,
        recording_wait_hours=zoom.recording_wait_hours if records_to_cloud else 0,
    )


class Planner:
    """Rewrites a session's pending rows inside the caller's transaction, so a change and its timers commit together."""

    def __init__(self, settings: TimelineSettings, clock: Clock, wake: Callable[[datetime], None]) -> None:
        """``wake(earliest_new_due)`` is told of new rows, so that the scheduler wakes up in time."""
        self._settings = settings
        self._clock = clock
        self._wake = wake

    async def __call__(self, uow: UnitOfWork, row: FabriqueRow) -> None:
        """Re-plan ``row``. The home of a series holds the registrations of every session: re-planning it
        re-plans them all (someone registered, left or was promoted: each date's reminders follow)."""
        registrations = await self._plan(uow, row, None)
        if row.series_id is not None and row.series_id == row.id:
            for session in await uow.fabriques.series(row.id):
                if session.id != row.id:
                    registrations = await self._plan(uow, session, registrations)

    async def _plan(
        self, uow: UnitOfWork, row: FabriqueRow, registrations: list[RegistrationRow] | None
    ) -> list[RegistrationRow] | None:
        """Rewrite ``row``'s pending work; returns the series' registrations once read (None when not needed), so
        that a series reads them once for all its sessions."""
        desired = []
        owing = State(row.state) in PLANNED_STATES or row.confirm_by is not None  # a hold owes its release
        if row.starts_at is not None and row.ends_at is not None and owing:
            await uow.flush()
            if registrations is None:
                registrations = await registrations_for(uow, row)
            seated = await seated_for(uow, row, registrations)  # a series: its home's, minus this date's absent
            if row.series_id is not None and row.starts_at <= self._clock():
                seated = []  # a date of a series already begun: those registering for the rest are not reminded of it
            documented = row.kind == FabriqueKind.WELCOME or State(row.state) is State.DOCUMENTED
            zoom_meeting = False
            if self._settings.recording_wait_hours and not documented:  # one more read, only when Zoom records
                copy = await uow.copies.get(row.id, ZOOM_TARGET)  # a meeting id: the bot's meeting (a failed
                zoom_meeting = copy is not None and bool(copy.external_id)  # update of it still leaves the meeting)
            session = Session(
                id=row.id,
                state=State(row.state),
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                parcours=Parcours(row.parcours),
                organizer_ids=tuple(sorted(organizers(row))),
                documented=documented,
                zoom_meeting=zoom_meeting,
                confirm_by=row.confirm_by,
            )
            desired = plan(session, seated, self._settings, now=self._clock())
        existing = await uow.due_work.keys_of(row.id)
        wanted = {item.key for item in desired}
        pending = {key for key, status in existing.items() if status == DueStatus.PENDING and replanned(key)}
        stale = pending - wanted
        await uow.due_work.delete_pending(row.id, stale)
        new = [
            DueWorkRow(
                fabrique_id=row.id,
                key=item.key,
                kind=item.kind,
                user_id=item.user_id,
                amount=item.amount,
                due_at=item.due_at,
                status=DueStatus.PENDING,
                attempts=0,
            )
            for item in desired
            if item.key not in existing
        ]
        await self._add(uow, new)
        return registrations

    async def link_changed(self, uow: UnitOfWork, row: FabriqueRow) -> None:
        """The Zoom link of an announced session was replaced (``row.link_changes`` counts it): every registrant
        still seated who was already reminded, so holds the old link, is sent the new one at once, once."""
        if row.starts_at is None or State(row.state) is not State.ANNOUNCED:
            return
        reminded = await uow.due_work.reminded(row.id, reminder_key_prefix(row.id, row.starts_at))
        seated = set(await seated_for(uow, row))  # a series: its home's registrants, less those absent that day
        now = self._clock()
        notices = [
            DueWorkRow(
                fabrique_id=row.id,
                key=link_notice_key(row.id, row.starts_at, row.link_changes, user_id),
                kind=Work.LINK_CHANGED,
                user_id=user_id,
                amount=row.link_changes,
                due_at=now,
                status=DueStatus.PENDING,
                attempts=0,
            )
            for user_id in sorted(reminded & seated)
        ]
        await self._add(uow, notices)

    async def _add(self, uow: UnitOfWork, rows: list[DueWorkRow]) -> None:
        await uow.due_work.add_many(rows)  # one statement, however many reminders
        if rows:
            earliest = min(row.due_at for row in rows)
            # Told after the commit, so a dispatcher woken at once finds the rows.
            uow.after_commit(lambda: self._wake(earliest))


@dataclass(frozen=True)
class DueItem:
    id: int
    kind: Work
    fabrique_id: int
    user_id: int | None
    amount: int
    due_at: datetime


@dataclass(frozen=True)
class DueContext:
    """What the dispatcher needs to act on an item, decided in one read."""

    fabrique: FabriqueRecord
    meaningful: bool
    zoom_url: str | None = None  # only for a reminder to someone still seated
    offers_absence: bool = False  # the first reminder of a series' date: « Absent·e le JJ/MM » goes with it


@dataclass(frozen=True)
class OwedDocumentation:
    fabrique: FabriqueRecord
    days_since_end: int
    days_late: int


@dataclass(frozen=True)
class FollowUp:
    counts: dict[State, int]
    owed: list[OwedDocumentation]  # the OWED_SHOWN that ended longest ago: the embed's field holds no more
    owed_count: int  # every documentation owed
    attended: tuple[FabriqueRecord, ...] = ()  # the latest sessions whose attendance Zoom gave, newest first
    # The soonest booked sessions to come (at most COPIES_SHOWN: the embed's field holds no more) and their copies.
    booked: tuple[FabriqueRecord, ...] = ()
    copies: dict[int, list[CopyState]] = field(default_factory=dict)
    failing: tuple[int, ...] = ()  # the soonest booked sessions to come with a failed copy, at most FAILING_SHOWN


class TimelineService:
    def __init__(self, uow: UnitOfWorkFactory, settings: TimelineSettings, clock: Clock) -> None:
        self._uow = uow
        self._settings = settings
        self._clock = clock

    async def claim_due(self, limit: int = 200) -> list[DueItem]:
        """Take what is due now, in sending order; the claim is committed before anything is sent."""
        async with self._uow() as uow:
            now = self._clock()
            rows = await uow.due_work.claim_due(now, limit)
            for row in rows:
                row.status = DueStatus.CLAIMED
                row.claimed_at = now
                row.attempts += 1
            items = [DueItem(r.id, Work(r.kind), r.fabrique_id, r.user_id, r.amount, r.due_at) for r in rows]
            await uow.commit()
            return items

    async def finish(self, item_id: int, status: DueStatus) -> None:
        """done / skipped, or failed: a failure goes back to pending a little later, a few times at most.

        One statement, one commit: this runs once per message sent, so it is kept as cheap as it can be.
        """
        status = DueStatus(status)  # the dispatcher may still hand over the plain string
        async with self._uow() as uow:
            now = self._clock()
            if status is DueStatus.FAILED:
                await uow.due_work.retry_or_fail(item_id, now + RETRY_AFTER, MAX_ATTEMPTS, now)
            else:
                await uow.due_work.close(item_id, status, now)
            await uow.commit()

    async def recover(self) -> int:
        """After a crash: per interrupted batch, the item in flight becomes uncertain, the rest pending again.

        Returns how many items were left uncertain.
        """
        async with self._uow() as uow:
            uncertain = 0
            batch_seen: set[datetime | None] = set()
            for row in await uow.due_work.claimed():
                if row.claimed_at not in batch_seen:
                    batch_seen.add(row.claimed_at)
                    row.status = DueStatus.UNCERTAIN
                    row.done_at = self._clock()
                    uncertain += 1
                else:
                    row.status = DueStatus.PENDING
                    row.attempts -= 1
            await uow.commit()
            return uncertain

    async def next_due(self) -> datetime | None:
        async with self._uow() as uow:
            return await uow.due_work.next_due()

    async def contexts(self, items: list[DueItem]) -> dict[int, DueContext]:
        """What each claimed item needs, read in one transaction for the whole batch (item id → context)."""
        now = self._clock()
        first_reminder = max(self._settings.reminders_before_minutes, default=None)
        result: dict[int, DueContext] = {}
        async with self._uow() as uow:
            sessions: dict[int, tuple[FabriqueRow | None, set[int]]] = {}
            for item in items:
                if item.fabrique_id not in sessions:
                    row = await uow.fabriques.by_id(item.fabrique_id)
                    seats = set(await seated_for(uow, row)) if row is not None else set()
                    sessions[item.fabrique_id] = (row, seats)
                row, seats = sessions[item.fabrique_id]
                if row is None or row.starts_at is None or row.ends_at is None:
                    continue  # the session lost its date (released): nothing to do
                meaningful = still_meaningful(item.kind, State(row.state), now, row.starts_at, row.ends_at)
                zoom_url, offers_absence = None, False
                if item.kind in (Work.REMINDER, Work.LINK_CHANGED):  # the link goes to those seated (and coming)
                    seated = (item.user_id or 0) in seats
                    meaningful = meaningful and seated and bool(row.zoom_url)
                    zoom_url = row.zoom_url if meaningful else None
                    first = item.kind is Work.REMINDER and item.amount == first_reminder
                    offers_absence = first and row.series_id is not None
                elif item.kind is Work.HOST_LINKS:  # an organizer: the link, whoever is registered
                    meaningful = meaningful and bool(row.zoom_url)
                    zoom_url = row.zoom_url if meaningful else None
                elif item.kind in (Work.HOLD_REMINDER, Work.HOLD_EXPIRY):  # confirmed meanwhile: nothing to do
                    meaningful = meaningful and row.confirm_by is not None
                result[item.id] = DueContext(FabriqueRecord.of(row), meaningful, zoom_url, offers_absence)
        # After downtime several reminders (or checklists) of one person can be due together: only the latest says
        # something true now, the others are skipped.
        latest: dict[tuple[int, int | None, Work], DueItem] = {}
        for item in items:
            if item.kind in (Work.REMINDER, Work.CHECKLIST):
                key = (item.fabrique_id, item.user_id, item.kind)
                if key not in latest or item.due_at > latest[key].due_at:
                    latest[key] = item
        for item in items:
            key = (item.fabrique_id, item.user_id, item.kind)
            if key in latest and latest[key] is not item and item.id in result:
                result[item.id] = DueContext(result[item.id].fabrique, False)
        return result

    async def advance(self, fabrique_id: int, action: Action, bot_actor: Actor) -> FabriqueRecord:
        """The end of a session (held) and the recap prompt (documentation due) move the state on their own."""
        async with self._uow() as uow:
            row = await uow.fabriques.by_id(fabrique_id, lock=True)
            if row is None:
                raise LookupError(fabrique_id)
            transition(uow, row, action, bot_actor, self._clock())
            await uow.commit()
            return FabriqueRecord.of(row)

    async def follow_up(self, guild_id: int) -> FollowUp:
        """The team's dashboard: how many Fabriques in each state, how many documentations are owed and the ones
        most overdue (the most days since the end first), the attendance Zoom gave for the latest sessions, and where
        the copies of the soonest sessions to come stand.

        One transaction and a fixed number of statements, each reading a bounded number of rows, whatever the number
        of sessions held over the years: what the embed can show, not the whole history."""
        now = self._clock()
        async with self._uow() as uow:
            counts = {State(state): count for state, count in (await uow.fabriques.count_by_state(guild_id)).items()}
            owing = await uow.fabriques.owing(guild_id, {s.value for s in OWED_STATES}, OWED_SHOWN)
            records = [FabriqueRecord.of(row) for row in owing]
            attended = tuple(
                FabriqueRecord.of(row) for row in await uow.fabriques.with_attendance(guild_id, ATTENDANCE_SHOWN)
            )
            booked = tuple(
                FabriqueRecord.of(row)
                for row in await uow.fabriques.first_in_states(guild_id, set(BOOKED_STATES), now, COPIES_SHOWN)
            )
            copies = {
                fabrique_id: [
                    CopyState(r.target, r.status, r.error_key) for r in rows if r.status != CopyStatus.SUPERSEDED
                ]
                for fabrique_id, rows in (await uow.copies.of_many(record.id for record in booked)).items()
            }
            failing = tuple(await uow.copies.failing_sessions(guild_id, set(BOOKED_STATES), now, FAILING_SHOWN))
        owed = []
        for record in records:
            if record.ends_at is None:  # ``owing`` reads dated sessions only; this tells the type checker
                continue
            days = (now - record.ends_at).days
            owed.append(OwedDocumentation(record, days, max(0, days - self._settings.deadline_days)))
        owed.sort(key=lambda entry: entry.days_since_end, reverse=True)
        owed_count = sum(counts.get(state, 0) for state in OWED_STATES)
        return FollowUp(counts, owed, owed_count, attended, booked, copies, failing)

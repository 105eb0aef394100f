"""Corrections of a Fabrique at any stage before its documentation: the organizer's ``/fabrique modifier``, the
team's ``/equipe modifier`` (texts, places, organizer, co-organizers) and the team's undo of an organizer's edit.

Each correction is one transaction that writes the new values, an ``EditRow`` (before → after, who, when) and the
audit row, and re-plans the timed work (a new organizer gets the checklists; raised places seat the waitlist).
Then every copy follows: the team's card, the announcement, the scheduled event, and in the background the Zoom
topic and the website post (``outreach.Event.EDIT``, which mails nobody: a text change is not news for the list).
A series is corrected on its first session (whatever session number was typed) and every session says the same
again (``copy_to_sessions``); its places stay on the first session, with its registrations.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

from bot.clock import Clock
from bot.config import SessionSettings
from bot.db.models import CoorganizerRow, EditRow, FabriqueRow
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.edits import (
    Change,
    Content,
    Field,
    changes_between,
    check_places,
    undoable,
    with_coorganizer,
    with_organizer,
    without_coorganizer,
)
from bot.domain.lifecycle import BOOKED, Action, Actor, State
from bot.domain.proposal import ProposalDraft, ProposalText, validated_text
from bot.domain.registration import Status
from bot.domain.text import shown
from bot.errors import InvalidInput, InvalidState, NotFound
from bot.i18n import I18n
from bot.services._common import record_audit
from bot.services.outreach import Event, OutreachService
from bot.services.ports import Cards, Messenger, Noticeboard
from bot.services.records import EditRecord, FabriqueRecord, content_of, decoded_changes, encoded_changes
from bot.services.registrations import RegistrationService, Spawn, seat_waitlist
from bot.services.series import check_steering, copy_to_sessions, require_home
from bot.services.timeline import Planner

EDITS_SHOWN = 3  # on the card: enough to see what just happened, short enough to stay readable
# What the announcement, the scheduled event, the Zoom meeting and the website post show.
PUBLIC_FIELDS = frozenset({Field.TITLE, Field.DESCRIPTION, Field.SPEAKER, Field.ORGANIZER, Field.COORGANIZERS})


@dataclass(frozen=True)
class People:
    """The team's options of ``/equipe modifier`` besides the form: places, organizer, co-organizers."""

    places: int | None = None
    organizer_id: int | None = None
    add_coorganizer: int | None = None
    remove_coorganizer: int | None = None


@dataclass(frozen=True)
class Corrected:
    """A correction as it was applied: the Fabrique before and after, and what changed (nothing: no new version)."""

    before: FabriqueRecord
    fabrique: FabriqueRecord
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class CorrectionPorts:
    """What a correction tells on Discord, together, so that the composition root injects them in one value."""

    cards: Cards
    board: Noticeboard
    messenger: Messenger


class _Applied(NamedTuple):
    before: FabriqueRecord
    after: FabriqueRecord
    changes: tuple[Change, ...]
    promoted: tuple[int, ...]
    sessions: tuple[FabriqueRecord, ...] = ()  # a series' later sessions, corrected with it


class CorrectionService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        sessions: SessionSettings,
        clock: Clock,
        planner: Planner,
        *,
        outreach: OutreachService,
        registrations: RegistrationService,
        ports: CorrectionPorts,
        i18n: I18n,
        spawn: Spawn,
    ) -> None:
        self._uow = uow
        self._sessions = sessions
        self._clock = clock
        self._planner = planner
        self._outreach = outreach
        self._registrations = registrations
        self._cards, self._board, self._messenger = ports.cards, ports.board, ports.messenger
        self._i18n = i18n
        self._spawn = spawn

    # --- the organizer --------------------------------------------------------------------------------------

    async def get_editable(self, guild_id: int, fabrique_id: int, actor: Actor) -> FabriqueRecord:
        """The Fabrique the organizer is about to edit, refused before the form opens if they may not."""
        async with self._uow() as uow:
            row = await require_home(uow, guild_id, fabrique_id)
            await check_steering(uow, row, Action.EDIT, actor)
            return FabriqueRecord.of(row)

    async def edit(self, guild_id: int, fabrique_id: int, actor: Actor, draft: ProposalDraft) -> FabriqueRecord:
        """The organizer's correction; a proposal sent back for changes goes back to the team. After approval the
        team sees it on the card, before → after, and may undo it."""
        async with self._uow() as uow:
            row = await require_home(uow, guild_id, fabrique_id, lock=True)
            target = await check_steering(uow, row, Action.EDIT, actor)
            clean = draft.validated(organizer_id=row.organizer_id, allowed_durations=self._sessions.durations_minutes)
            if clean.duration_minutes != row.duration_minutes and await _any_booked(uow, row):
                raise InvalidInput("error.correct.duration_booked")  # the slot was booked for this length
            after = replace(
                content_of(row),
                title=clean.title,
                description=clean.description,
                speaker=clean.speaker,
                needs=clean.needs,
                format=clean.format,
                parcours=clean.parcours,
                duration_minutes=clean.duration_minutes,
            )
            if clean.coorganizer_id is not None:
                after = with_coorganizer(after, clean.coorganizer_id)
            # An edit always makes a new version, even unchanged: resubmitting as it is is an answer to the team.
            applied = await self._apply(uow, row, actor, Action.EDIT, after, target=target, always=True)
            await uow.commit()
        await self._follow(applied, actor)
        return applied.after

    # --- the team -------------------------------------------------------------------------------------------

    async def check_correction(self, guild_id: int, fabrique_id: int, actor: Actor, people: People) -> FabriqueRecord:
        """Refuse before the form opens what the submit would refuse anyway (nothing is written)."""
        async with self._uow() as uow:
            row = await require_home(uow, guild_id, fabrique_id)
            await check_steering(uow, row, Action.CORRECT, actor)
            await self._with_people(uow, row, content_of(row), people)
            return FabriqueRecord.of(row)

    async def correct(
        self, guild_id: int, fabrique_id: int, actor: Actor, text: ProposalText, people: People
    ) -> Corrected:
        """The team's ``/equipe modifier``: the form's four texts, and places and people when given."""
        async with self._uow() as uow:
            row = await require_home(uow, guild_id, fabrique_id, lock=True)
            await check_steering(uow, row, Action.CORRECT, actor)
            clean = validated_text(text)
            texts = replace(
                content_of(row),
                title=clean.title,
                description=clean.description,
                speaker=clean.speaker,
                needs=clean.needs,
            )
            after = await self._with_people(uow, row, texts, people)
            applied = await self._apply(uow, row, actor, Action.CORRECT, after)
            await uow.commit()
        await self._follow(applied, actor)
        return Corrected(applied.before, applied.after, applied.changes)

    async def undo(self, guild_id: int, fabrique_id: int, version: int, actor: Actor) -> Corrected:
        """« Annuler la modification »: the values before an organizer's edit come back, unless a newer correction
        happened since (undoing it would silently drop that one too)."""
        async with self._uow() as uow:
            row = await require_home(uow, guild_id, fabrique_id, lock=True)
            await check_steering(uow, row, Action.UNDO_EDIT, actor)
            edit = await uow.edits.get(row.id, version)
            if edit is None or not edit.undoable:
                raise NotFound("error.undo.unknown", number=fabrique_id)
            if edit.undone_by is not None:
                raise InvalidState("error.undo.done", number=fabrique_id)
            if row.revision != version:
                raise InvalidState("error.undo.newer", number=fabrique_id)
            restored = content_of(row).with_values({c.field: c.before for c in decoded_changes(edit.changes)})
            if restored.capacity != row.capacity:
                check_places(restored.capacity, booked=True, confirmed=await _seated(uow, row))
            edit.undone_by, edit.undone_at = actor.user_id, self._clock()
            applied = await self._apply(uow, row, actor, Action.UNDO_EDIT, restored, undo_of=version)
            await uow.commit()
        await self._follow(applied, actor)
        return Corrected(applied.before, applied.after, applied.changes)

    async def recent(self, fabrique_id: int) -> list[EditRecord]:
        """The latest corrections, oldest first: what the card shows, and which one it offers to undo."""
        async with self._uow() as uow:
            return [EditRecord.of(row) for row in await uow.edits.latest(fabrique_id, EDITS_SHOWN)]

    # --- the steps ------------------------------------------------------------------------------------------

    async def _with_people(self, uow: UnitOfWork, row: FabriqueRow, content: Content, people: People) -> Content:
        if people.places is not None and people.places != row.capacity:
            booked = await _any_in(uow, row, BOOKED)
            confirmed = await _seated(uow, row) if booked else 0
            check_places(people.places, booked=booked, confirmed=confirmed)
            content = replace(content, capacity=people.places)
        if people.organizer_id is not None and people.organizer_id != content.organizer_id:
            content = with_organizer(content, people.organizer_id)
        if people.remove_coorganizer is not None:
            content = without_coorganizer(content, people.remove_coorganizer)
        if people.add_coorganizer is not None:
            content = with_coorganizer(content, people.add_coorganizer)
        return content

    async def _apply(
        self,
        uow: UnitOfWork,
        row: FabriqueRow,
        actor: Actor,
        action: Action,
        after: Content,
        *,
        target: State | None = None,
        always: bool = False,
        undo_of: int | None = None,
    ) -> _Applied:
        """Write ``after`` and record the correction; nothing happens when nothing changes (unless ``always``)."""
        before_record, previous = FabriqueRecord.of(row), State(row.state)
        changes = changes_between(content_of(row), after)
        if not changes and not always:
            return _Applied(before_record, before_record, (), ())
        _write(row, after)
        row.state = target or previous
        row.revision += 1
        row.updated_at = self._clock()
        record_audit(uow, row, actor, action, row.updated_at, None, previous)
        if changes:
            uow.edits.add(
                EditRow(
                    fabrique_id=row.id,
                    version=row.revision,
                    actor_id=actor.user_id,
                    by_team=actor.is_team,
                    changes=encoded_changes(changes),
                    undoable=action is Action.EDIT and undoable(previous, by_team=actor.is_team),
                    undo_of=undo_of,
                    at=row.updated_at,
                )
            )
        await uow.flush()
        organizer_ids = FabriqueRecord.of(row).organizer_ids
        if organizer_ids != before_record.organizer_ids:  # an upload link acts for its holder
            await uow.upload_tokens.revoke_unless_held_by(row.id, organizer_ids)
        promoted = await seat_waitlist(uow, row)  # more places (0 is Zoom's limit): those waiting get them
        await self._planner(uow, row)  # a new organizer gets the checklists, the newly seated their reminders
        sessions = await copy_to_sessions(uow, row, row.updated_at)
        for session in sessions:
            await self._planner(uow, session)  # each date's checklists go to whoever runs the series now
        others = tuple(FabriqueRecord.of(session) for session in sessions)
        return _Applied(before_record, FabriqueRecord.of(row), changes, promoted, others)

    async def _follow(self, applied: _Applied, actor: Actor) -> None:
        """Every copy follows; people whose place changed hear it."""
        before, after, changes = applied.before, applied.after, applied.changes
        await self._cards.show(after.guild_id, after.id)
        if not changes:
            return
        fields = {change.field for change in changes}
        if State.ANNOUNCED in {after.state, *(session.state for session in applied.sessions)}:
            await self._board.redraw(after.id)  # a series' one message, while any of its sessions is announced
            if after.state is State.ANNOUNCED and fields & {Field.TITLE, Field.DESCRIPTION}:
                await self._board.update_event(after)
        if after.state in BOOKED and fields & PUBLIC_FIELDS:
            self._spawn(self._outreach.follow(after.id, Event.EDIT))
        for session in applied.sessions:  # each later date has its own event and outside copies
            if session.state is State.ANNOUNCED and fields & {Field.TITLE, Field.DESCRIPTION}:
                await self._board.update_event(session)
            if session.state in BOOKED and fields & PUBLIC_FIELDS:
                self._spawn(self._outreach.follow(session.id, Event.EDIT))
        if applied.promoted:
            await self._registrations.tell_promoted(after, applied.promoted)
        await self._tell_people(before, after, changes, actor)

    async def _tell_people(
        self, before: FabriqueRecord, after: FabriqueRecord, changes: tuple[Change, ...], actor: Actor
    ) -> None:
        i18n, values = self._i18n, {"number": after.id, "title": shown(after.title)}
        told = {actor.user_id}
        if after.organizer_id != before.organizer_id:
            await self._messenger.dm(after.organizer_id, i18n("dm.correct.organizer_new", **values))
            await self._messenger.dm(before.organizer_id, i18n("dm.correct.organizer_old", **values))
            told |= {after.organizer_id, before.organizer_id}
        added = set(after.coorganizer_ids) - set(before.coorganizer_ids) - told
        removed = set(before.coorganizer_ids) - set(after.coorganizer_ids) - told - {after.organizer_id}
        for user_id in sorted(added):
            await self._messenger.dm(user_id, i18n("dm.correct.coorganizer_added", **values))
        for user_id in sorted(removed):
            await self._messenger.dm(user_id, i18n("dm.correct.coorganizer_removed", **values))
        if actor.is_team:
            what = ", ".join(i18n(f"edit.field.{change.field.value}") for change in changes)
            text = i18n("dm.correct.by_team", fields=what, **values)
            for user_id in sorted(after.organizer_ids - told - added):
                await self._messenger.dm(user_id, text)


def _write(row: FabriqueRow, content: Content) -> None:
    row.title, row.description, row.speaker, row.needs = (
        content.title,
        content.description,
        content.speaker,
        content.needs,
    )
    row.format, row.parcours, row.duration_minutes = content.format, content.parcours, content.duration_minutes
    row.capacity, row.organizer_id = content.capacity, content.organizer_id
    kept = {coorganizer.user_id: coorganizer for coorganizer in row.coorganizers}  # no delete + insert of the same
    row.coorganizers = [kept.get(user_id) or CoorganizerRow(user_id=user_id) for user_id in content.coorganizer_ids]


async def _any_booked(uow: UnitOfWork, row: FabriqueRow) -> bool:
    """Whether a date was booked for this length: the Fabrique's own, or any session of its series."""
    if row.starts_at is not None:
        return True
    return row.series_id is not None and any(s.starts_at is not None for s in await uow.fabriques.series(row.id))


async def _any_in(uow: UnitOfWork, row: FabriqueRow, states: frozenset[State]) -> bool:
    """Whether the Fabrique, or for a series any of its sessions, is in ``states`` (a series' places are set on
    its first session while any of its dates is booked)."""
    if State(row.state) in states:
        return True
    return row.series_id is not None and any(State(s.state) in states for s in await uow.fabriques.series(row.id))


async def _seated(uow: UnitOfWork, row: FabriqueRow) -> int:
    return (await uow.registrations.count_by_status(row.id)).get(Status.CONFIRMED, 0)

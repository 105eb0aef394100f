"""Proposals and their moderation: propose, withdraw, approve, request changes, reject (edits: ``corrections``).

Every transition goes through ``domain.lifecycle.next_state`` (who may, from which state) and writes an audit row
in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

from bot.clock import Clock
from bot.config import SessionSettings
from bot.db.models import CoorganizerRow, FabriqueRow
from bot.db.uow import UnitOfWorkFactory
from bot.domain.lifecycle import CORRECTABLE, EDITABLE, Action, Actor, State
from bot.domain.proposal import ProposalDraft, validated_reason
from bot.domain.series import validated_size
from bot.domain.text import shown
from bot.errors import Forbidden, NotConfigured
from bot.i18n import I18n
from bot.services._common import check, record_audit, require_fabrique, transition
from bot.services.guild_config import GuildConfigService
from bot.services.ports import Cards, Messenger, Noticeboard
from bot.services.records import AuditRecord, FabriqueRecord, GuildConfig
from bot.services.registrations import Letter, RegistrationService
from bot.services.series import SeriesProgress, once_per_series, progress_of, require_home, spawn_sessions


class Mine(NamedTuple):
    """A member's Fabrique as « Mes Fabriques » lists it: its first session, and the series when it is one."""

    fabrique: FabriqueRecord
    series: SeriesProgress | None = None


@dataclass(frozen=True)
class Decision:
    """What a moderator decided, with the Fabrique as it is now, and whether every organizer could be told."""

    fabrique: FabriqueRecord
    action: Action
    actor_id: int
    reason: str | None
    organizers_told: bool = True


class ProposalService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        guild_config: GuildConfigService,
        sessions: SessionSettings,
        clock: Clock,
        *,
        cards: Cards,
        messenger: Messenger,
        i18n: I18n,
        board: Noticeboard,
        registrations: RegistrationService,
    ) -> None:
        self._board = board  # a released session's announcement, still waiting for a date
        self._registrations = registrations  # …and the people it kept
        self._uow = uow
        self._guild_config = guild_config
        self._sessions = sessions
        self._clock = clock
        self._cards = cards  # every change shows on the team's card
        self._messenger = messenger
        self._i18n = i18n

    async def ensure_can_propose(self, guild_id: int, actor: Actor, sessions: int = 1) -> GuildConfig:
        """Checked before the modal opens, so a member never types a long text only to have it refused (a series
        longer than the community allows included)."""
        if not actor.is_member:
            raise Forbidden("error.members_only")
        validated_size(sessions, self._sessions.max_series_sessions)
        config = await self._guild_config.get(guild_id)
        if config.team_channel_id is None:
            raise NotConfigured("error.not_configured.team_channel")
        return config

    async def propose(self, guild_id: int, actor: Actor, draft: ProposalDraft) -> FabriqueRecord:
        await self.ensure_can_propose(guild_id, actor, draft.sessions)
        clean = draft.validated(
            organizer_id=actor.user_id,
            allowed_durations=self._sessions.durations_minutes,
            max_sessions=self._sessions.max_series_sessions,
        )
        now = self._clock()
        async with self._uow() as uow:
            row = FabriqueRow(
                guild_id=guild_id,
                organizer_id=actor.user_id,
                coorganizers=[CoorganizerRow(user_id=clean.coorganizer_id)] if clean.coorganizer_id else [],
                format=clean.format,
                parcours=clean.parcours,
                duration_minutes=clean.duration_minutes,
                title=clean.title,
                description=clean.description,
                speaker=clean.speaker,
                needs=clean.needs,
                series_size=clean.sessions,
                series_rhythm=clean.rhythm,
                state=State.PROPOSED,
                revision=1,
                created_at=now,
                updated_at=now,
            )
            uow.fabriques.add(row)
            await uow.flush()
            record_audit(uow, row, actor, Action.PROPOSE, now)
            await uow.commit()
            record = FabriqueRecord.of(row)
        if await self._cards.show(guild_id, record.id):  # the card's place is stored with the Fabrique
            return await self._get(guild_id, record.id)
        return record

    async def withdraw(self, guild_id: int, fabrique_id: int, actor: Actor) -> FabriqueRecord:
        """The organizer gives up. A session released with its registrations kept (still « date à fixer ») is off
        for good: its announcement says so and everyone kept hears it once. A series is withdrawn whole, and only
        while none of its sessions is booked."""
        record = (await self._transition(guild_id, fabrique_id, actor, Action.WITHDRAW, None)).fabrique
        await self._cards.show(guild_id, record.id)
        if record.announcement_message_id is not None:
            title = shown(record.title)
            await self._board.close(record, self._i18n("announcement.banner.withdrawn", title=title), final=True)
            registrant_ids = await self._registrations.registrant_ids(record.id)
            text = self._i18n("dm.withdrawn_session", title=title)
            await self._registrations.notices.tell_all(record, registrant_ids, text, Letter.CANCELLED, reason="")
        return record

    async def check_decision(self, guild_id: int, fabrique_id: int, actor: Actor, action: Action) -> None:
        """Refuse before the motif modal opens when the decision is impossible anyway."""
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id)
            check(row, action, actor)

    async def decide(
        self, guild_id: int, fabrique_id: int, actor: Actor, action: Action, reason: str | None = None
    ) -> Decision:
        """Approve, ask for changes or reject: the card shows it and the organizers hear it by DM (a moderator
        deciding on their own proposal reads the confirmation instead)."""
        if action not in (Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT):
            raise ValueError(f"not a moderation action: {action}")
        decision = await self._transition(guild_id, fabrique_id, actor, action, reason)
        record = decision.fabrique
        await self._cards.show(guild_id, fabrique_id)
        text = self._i18n(
            f"dm.{action.value}", number=record.id, title=shown(record.title), reason=shown(decision.reason or "")
        )
        told = [await self._messenger.dm(user_id, text) for user_id in sorted(record.organizer_ids - {actor.user_id})]
        return replace(decision, organizers_told=all(told))

    async def _get(self, guild_id: int, fabrique_id: int) -> FabriqueRecord:
        async with self._uow() as uow:
            return FabriqueRecord.of(await require_fabrique(uow, guild_id, fabrique_id))

    async def attach_card(self, guild_id: int, fabrique_id: int, channel_id: int, message_id: int) -> None:
        """Remember where the moderation card lives so later changes edit it instead of posting a new one."""
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
            row.card_channel_id = channel_id
            row.card_message_id = message_id
            await uow.commit()

    async def list_for_member(self, guild_id: int, user_id: int) -> list[FabriqueRecord]:
        """The member's Fabriques, a series once (by its first session)."""
        async with self._uow() as uow:
            rows = await uow.fabriques.list_for_member(guild_id, user_id)
            return [FabriqueRecord.of(row) for row in rows if _home(row)]

    async def mine(self, guild_id: int, user_id: int) -> list[Mine]:
        """« Mes Fabriques »: each Fabrique once, a series with how many of its sessions have their date (every
        series' sessions read in one statement, whatever their number)."""
        async with self._uow() as uow:
            rows = [row for row in await uow.fabriques.list_for_member(guild_id, user_id) if _home(row)]
            sessions = await uow.fabriques.series_of(row.id for row in rows if row.series_size > 1)
            return [
                Mine(FabriqueRecord.of(row), progress_of(row, sessions[row.id]) if row.series_size > 1 else None)
                for row in rows
            ]

    async def suggest(
        self, guild_id: int, user_id: int, editable_only: bool, *, booked_too: bool = False
    ) -> list[FabriqueRecord]:
        """The member's own Fabriques for autocomplete: editable ones when withdrawing, and booked ones too when
        editing (``booked_too``: an announced session may still be corrected by its organizer)."""
        wanted = (CORRECTABLE if booked_too else EDITABLE) if editable_only else frozenset(State)
        states = {s.value for s in wanted}
        async with self._uow() as uow:
            rows = await uow.fabriques.search_for_member(guild_id, user_id, states)
            return [FabriqueRecord.of(row) for row in once_per_series(rows)]

    async def with_history(self, guild_id: int, fabrique_id: int) -> tuple[FabriqueRecord, list[AuditRecord]]:
        """The Fabrique and its audit trail, oldest first: what the moderation card shows."""
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id)
            history = [AuditRecord.of(entry) for entry in await uow.audit.for_fabrique(fabrique_id)]
            return FabriqueRecord.of(row), history

    async def _transition(
        self, guild_id: int, fabrique_id: int, actor: Actor, action: Action, reason: str | None
    ) -> Decision:
        async with self._uow() as uow:
            row = await require_home(uow, guild_id, fabrique_id, lock=True)
            check(row, action, actor)
            clean_reason = validated_reason(reason or "") if _needs_reason(action) else None
            now = self._clock()
            transition(uow, row, action, actor, now, clean_reason)
            row.last_reason = clean_reason
            if action is Action.APPROVE:
                await spawn_sessions(uow, row, now)  # a series: its later sessions, waiting for their dates
            elif action is Action.WITHDRAW:
                for session in await uow.fabriques.series(row.id, lock=True):
                    # Withdrawn with it; a booked one refuses (to be cancelled first), a cancelled one is off already.
                    if session.id != row.id and State(session.state) is not State.CANCELLED:
                        transition(uow, session, action, actor, now)
            await uow.commit()
            return Decision(FabriqueRecord.of(row), action, actor.user_id, clean_reason)


def _home(row: FabriqueRow) -> bool:
    """A single Fabrique or the first session of a series: what people name and pick."""
    return row.series_id is None or row.series_id == row.id


def _needs_reason(action: Action) -> bool:
    return action in (Action.REQUEST_CHANGES, Action.REJECT)

"""The team's welcome rule (`/equipe accueil`): set, replaced or stopped by the team, and kept announced by the
due-work dispatcher, forever, until stopped.

The rule lives in the database (``welcome_rule``, one per guild); each session it makes carries the date it was made
for, unique per rule, so a restart or two dispatches at once never make a date twice, and a date skipped (cancelled)
or moved alone is never made again. What the window holds at a moment is decided by ``bot.domain.welcome``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import SessionSettings
from bot.db.models import WelcomeRuleRow
from bot.db.uow import Conflict, UnitOfWorkFactory
from bot.domain.lifecycle import BOOKED, Actor, State
from bot.domain.schedule import parse_time
from bot.domain.welcome import WelcomeRule, Window, month_after, window
from bot.errors import DomainError, Forbidden, InvalidInput, InvalidState
from bot.i18n import I18n
from bot.services.announcements import AnnouncementService
from bot.services.ports import Messenger
from bot.services.records import FabriqueRecord
from bot.services.sessions import SessionService, validated_link

log = logging.getLogger(__name__)

DATE_FIELDS = {"weekday", "ordinal", "at"}  # a change of these gives the rule new dates


@dataclass(frozen=True)
class RuleChanges:
    """What the team typed; None keeps the current rule's value (a first rule needs weekday, ordinal and time)."""

    weekday: int | None = None
    ordinal: int | None = None
    at: str | None = None  # as typed, « 12:30 » or « 12h30 »
    duration_minutes: int | None = None
    capacity: int | None = None
    ahead: int | None = None
    zoom_url: str | None = None


@dataclass(frozen=True)
class RuleSet:
    rule: WelcomeRule
    previous: WelcomeRule | None  # the active rule it replaced
    changed: list[str]  # the fields that differ from the previous rule (all of them for a first rule)
    made: list[FabriqueRecord]  # sessions made now (announced, or waiting for their Zoom link)
    to_come: list[FabriqueRecord]  # every session of the rule still to come, made now or before
    next_date: datetime  # the rule's next date
    announced_from: datetime  # when the window that holds it opens
    announce_days: int  # how long before its date the next session is announced


@dataclass(frozen=True)
class RuleStopped:
    rule: WelcomeRule
    kept: list[FabriqueRecord]  # sessions already made, which stay unless cancelled one by one


class WelcomeService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        sessions_settings: SessionSettings,
        tz: ZoneInfo,
        clock: Clock,
        *,
        sessions: SessionService,
        announcements: AnnouncementService,
        messenger: Messenger,
        i18n: I18n,
        wake: Callable[[datetime], None],
    ) -> None:
        """``wake(at)`` is told when the rule next needs the dispatcher (a window opens or moves on)."""
        self._uow = uow
        self._settings = sessions_settings
        self._tz = tz
        self._clock = clock
        self._sessions = sessions
        self._announcements = announcements
        self._messenger = messenger
        self._i18n = i18n
        self._wake = wake

    # --- the team's commands ------------------------------------------------------------------------------------

    async def set_rule(self, guild_id: int, actor: Actor, changes: RuleChanges) -> RuleSet:
        """Set the guild's rule, or replace it with the values given; the window's sessions are made at once.

        Sessions already made stay as they are; when the dates change, the new dates start with the month after the
        last of them (cancel it first to have the new rule take its month).
        """
        if not actor.is_team:
            raise Forbidden("error.team_only")
        at = parse_time(changes.at) if changes.at is not None else None
        link = validated_link(changes.zoom_url) if changes.zoom_url else None
        now = self._clock()
        async with self._uow() as uow:
            row = await uow.welcome_rules.of_guild(guild_id, lock=True)
            previous = rule_of(row) if row is not None and row.active else None
            rule = _new_rule(previous, changes, at, link).validated()
            changed = rule.changed(previous)
            if row is None:
                row = WelcomeRuleRow(guild_id=guild_id, since=now)
                uow.welcome_rules.add(row)
            elif previous is None or DATE_FIELDS & set(changed):
                to_come = await uow.welcome_rules.sessions_to_come(row.id, {s.value for s in BOOKED}, now)
                kept = [month_after(r.starts_at, self._tz) for r in to_come if r.starts_at is not None]
                row.since = max([now, *kept])
            _store(row, rule, actor, now)
            await uow.flush()
            rule_id, since = row.id, row.since
            await uow.commit()
        made = await self._keep(rule_id)
        current = self._window(rule, since, self._clock())
        self._wake(current.next_change(self._clock()))
        to_come = await self._to_come(rule_id)
        days = self._settings.announce_days
        return RuleSet(rule, previous, changed, made, to_come, current.dates[0], current.opens_at, days)

    async def stop(self, guild_id: int, actor: Actor) -> RuleStopped:
        """No new session after this; those already made stay (the team cancels them one by one if it wants)."""
        if not actor.is_team:
            raise Forbidden("error.team_only")
        async with self._uow() as uow:
            row = await uow.welcome_rules.of_guild(guild_id, lock=True)
            if row is None or not row.active:
                raise InvalidState("error.welcome.no_rule")
            row.active = False
            row.updated_by, row.updated_at = actor.user_id, self._clock()
            rule, rule_id = rule_of(row), row.id
            await uow.commit()
        return RuleStopped(rule, await self._to_come(rule_id))

    # --- due work -----------------------------------------------------------------------------------------------

    async def keep_announced(self) -> int:
        """Make the sessions every active rule owes now (the dispatcher calls it); returns how many were made."""
        async with self._uow() as uow:
            rule_ids = [row.id for row in await uow.welcome_rules.active()]
        made = 0
        for rule_id in rule_ids:
            try:
                made += len(await self._keep(rule_id))
            except Exception:  # one guild's trouble must not stop the others, nor the rest of the dispatch
                log.exception("welcome rule %s could not be kept; the next dispatch tries again", rule_id)
        return made

    async def next_due(self) -> datetime | None:
        """When an active rule next needs the dispatcher: a window opens, or moves on past a session's end."""
        now = self._clock()
        async with self._uow() as uow:
            rows = await uow.welcome_rules.active()
            moments = [self._window(rule_of(row), row.since, now).next_change(now) for row in rows]
        return min(moments, default=None)

    # --- inside -------------------------------------------------------------------------------------------------

    async def _keep(self, rule_id: int) -> list[FabriqueRecord]:
        """Make and announce the window's missing sessions; a date that cannot be made (its time overlaps a slot)
        is told to the team once and tried again at the next dispatch, until its time passes."""
        now = self._clock()
        async with self._uow() as uow:
            row = await uow.welcome_rules.get(rule_id)
            if row is None or not row.active:
                return []
            rule, guild_id, since = rule_of(row), row.guild_id, row.since
            organizer = Actor(user_id=row.updated_by, is_team=True)
            existing = await uow.welcome_rules.occurrences(rule_id)
        made: list[FabriqueRecord] = []
        for date in self._window(rule, since, now).to_make(now, existing):
            try:
                record = await self._sessions.create_welcome(
                    guild_id,
                    organizer,
                    rule,
                    date,
                    title=self._i18n("welcome.title"),
                    description=self._i18n("welcome.description"),
                    rule_id=rule_id,
                )
            except Conflict:
                continue  # another dispatch made this date at the same instant
            except DomainError as refusal:
                await self._alert_once(rule_id, guild_id, date, refusal)
                continue
            announced = await self._announcements.announce_made(record, by=organizer.user_id)
            made.append(announced or record)  # not announced: it waits for its Zoom link (the team was asked)
        await self._announce_stranded(rule_id, organizer, {record.id for record in made})
        return made

    async def _announce_stranded(self, rule_id: int, organizer: Actor, just_made: set[int]) -> None:
        """A session made earlier with its link but never announced (Discord down, or the bot stopped in between):
        its date counts as made, so nothing else would ever announce it."""
        async with self._uow() as uow:
            rows = await uow.welcome_rules.sessions_to_come(rule_id, {State.SCHEDULED.value}, self._clock())
            stranded = [FabriqueRecord.of(row) for row in rows if row.id not in just_made and row.zoom_url]
        for record in stranded:
            await self._announcements.announce_if_ready(record, by=organizer.user_id)

    async def _alert_once(self, rule_id: int, guild_id: int, date: datetime, refusal: DomainError) -> None:
        async with self._uow() as uow:
            row = await uow.welcome_rules.get(rule_id, lock=True)
            if row is None or row.alerted_occurrence == date:
                return
            if date in await uow.welcome_rules.occurrences(rule_id):
                return  # a concurrent call made it: its slot is what was in the way
            row.alerted_occurrence = date
            await uow.commit()
        log.warning("welcome rule %s could not make its session of %s (%s)", rule_id, date, refusal.key)
        reason = self._i18n(refusal.key, **refusal.params)
        await self._messenger.tell_team(guild_id, self._i18n("team.welcome.not_made", date=date, reason=reason))

    async def _to_come(self, rule_id: int) -> list[FabriqueRecord]:
        async with self._uow() as uow:
            rows = await uow.welcome_rules.sessions_to_come(rule_id, {s.value for s in BOOKED}, self._clock())
            return [FabriqueRecord.of(row) for row in rows]

    def _window(self, rule: WelcomeRule, since: datetime, now: datetime) -> Window:
        return window(rule, self._tz, since=since, now=now, announce_days=self._settings.announce_days)


def rule_of(row: WelcomeRuleRow) -> WelcomeRule:
    return WelcomeRule(
        weekday=row.weekday,
        ordinal=row.ordinal,
        at=time(row.at_minutes // 60, row.at_minutes % 60),
        duration_minutes=row.duration_minutes,
        capacity=row.capacity,
        ahead=row.ahead,
        zoom_url=row.zoom_url,
    )


def _new_rule(previous: WelcomeRule | None, changes: RuleChanges, at: time | None, link: str | None) -> WelcomeRule:
    """The previous rule with the values given, or a first rule, which needs its day, rank and time."""
    if previous is None:
        if changes.weekday is None or changes.ordinal is None or at is None:
            raise InvalidInput("error.welcome.incomplete")
        previous = WelcomeRule(weekday=changes.weekday, ordinal=changes.ordinal, at=at)
    return previous.with_changes(
        weekday=changes.weekday,
        ordinal=changes.ordinal,
        at=at,
        duration_minutes=changes.duration_minutes,
        capacity=changes.capacity,
        ahead=changes.ahead,
        zoom_url=link,
    )


def _store(row: WelcomeRuleRow, rule: WelcomeRule, actor: Actor, now: datetime) -> None:
    row.weekday, row.ordinal = rule.weekday, rule.ordinal
    row.at_minutes = rule.at.hour * 60 + rule.at.minute
    row.duration_minutes, row.capacity, row.ahead = rule.duration_minutes, rule.capacity, rule.ahead
    row.zoom_url = rule.zoom_url
    row.active = True
    row.alerted_occurrence = None
    row.updated_by, row.updated_at = actor.user_id, now

"""What each kind of due item does: reminders and checklists by DM (reminders by e-mail for registrants outside
Discord), the start notice in the announcement's thread, the end of a session and the recap prompt (both move its
state), the chasers, the team's alert when documentation is late, the polls of Zoom for a session's cloud
recording, the organizers' links before the start, a changed link to those already reminded, and a held booking's
reminder and release.

Discord is reached only through the ports; texts come from the catalogue, member text escaped with ``shown``.
A closed DM is recorded and the item skipped (it would stay closed); a port that raises fails the item, which the
timeline retries later.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.clock import Clock
from bot.domain.lifecycle import Action, Actor, State
from bot.domain.outside import is_outsider
from bot.domain.text import shown
from bot.domain.timeline import DueStatus, Work
from bot.i18n import I18n
from bot.integrations.mailing import MailingError
from bot.services.announcements import AnnouncementService
from bot.services.links import LinkService
from bot.services.ports import Cards, Messenger
from bot.services.recordings import PollOutcome, RecordingService
from bot.services.registrations import Letter, RegistrationService
from bot.services.timeline import DueContext, DueItem, TimelineService

log = logging.getLogger(__name__)

T = TypeVar("T")

Act = Callable[[DueItem, DueContext], Awaitable[DueStatus]]


class PortFailed(Exception):
    """Discord could not do what a port was asked (unreachable, rate limited…): the item is retried later."""


@dataclass(frozen=True)
class Handler:
    act: Act
    changes_state: bool = False  # then later items of the same session, in the same batch, are read again


class TimedHandlers:
    """The handlers of every due kind, acting as the bot itself (a team actor)."""

    def __init__(
        self,
        *,
        timeline: TimelineService,
        registrations: RegistrationService,
        messenger: Messenger,
        cards: Cards,
        i18n: I18n,
        clock: Clock,
        deadline_days: int,
        bot_user_id: Callable[[], int],
        recordings: RecordingService,
        links: LinkService,
        announcements: AnnouncementService,
    ) -> None:
        """``recordings`` asks Zoom for the cloud recordings of ended sessions; ``links`` writes the organizers'
        links; ``announcements`` releases held bookings left unconfirmed."""
        self._timeline = timeline
        self._registrations = registrations
        self._messenger = messenger
        self._cards = cards
        self._i18n = i18n
        self._clock = clock
        self._deadline_days = deadline_days
        self._bot_user_id = bot_user_id
        self._recordings = recordings
        self._links = links
        self._announcements = announcements

    def by_kind(self) -> dict[Work, Handler]:
        return {
            Work.REMINDER: Handler(self.reminder),
            Work.CHECKLIST: Handler(self.checklist),
            Work.START: Handler(self.start),
            Work.END: Handler(self.end, changes_state=True),  # the session becomes held
            Work.RECAP: Handler(self.recap, changes_state=True),  # its documentation becomes due
            Work.CHASER: Handler(self.chaser),
            Work.DEADLINE: Handler(self.deadline),
            Work.RECORDING: Handler(self.recording),
            Work.HOST_LINKS: Handler(self.host_links),
            Work.LINK_CHANGED: Handler(self.link_changed),
            Work.HOLD_REMINDER: Handler(self.hold_reminder),
            Work.HOLD_EXPIRY: Handler(self.hold_expiry, changes_state=True),  # the Fabrique is approved again
        }

    async def reminder(self, item: DueItem, context: DueContext) -> DueStatus:
        record = context.fabrique
        assert record.starts_at is not None
        if item.user_id is not None and is_outsider(item.user_id):
            return await self._mail_reminder(item, context)
        text = self._i18n(
            "dm.reminder",
            title=shown(record.title),
            ts=int(record.starts_at.timestamp()),
            date=record.starts_at,
            url=context.zoom_url,
        )
        if record.is_series:  # which date of the cycle; its first reminder lets the registrant say they will miss it
            text = self._i18n("dm.series.reminder", rank=record.series_rank, size=record.series_size, reminder=text)
        if context.offers_absence and item.user_id is not None:
            day = record.starts_at.astimezone(self._i18n.tz).strftime("%d/%m")
            if await self._perform(self._messenger.offer_absence(item.user_id, text, record.id, day)):
                return DueStatus.DONE
            await self._registrations.record_dm_failure(item.fabrique_id, item.user_id)
            return DueStatus.SKIPPED
        return await self._dm(item, text)

    async def checklist(self, item: DueItem, context: DueContext) -> DueStatus:
        record = context.fabrique
        assert record.starts_at is not None
        steps = self._i18n(f"checklist.{record.parcours.value}")
        days = max(1, round((record.starts_at - self._clock()).total_seconds() / 86400))  # late or not, say the truth
        text = self._i18n("dm.checklist", title=shown(record.title), date=record.starts_at, days=days, steps=steps)
        return await self._dm(item, text)

    async def start(self, item: DueItem, context: DueContext) -> DueStatus:
        """A short notice in the announcement's thread: the session is starting (the link is in DMs, never here)."""
        record = context.fabrique
        text = self._i18n("thread.start", title=shown(record.title), number=record.shown_number)
        posted = await self._perform(self._messenger.notice_in_thread(record, text))
        return DueStatus.DONE if posted else DueStatus.SKIPPED

    async def end(self, item: DueItem, context: DueContext) -> DueStatus:
        """The session is held: the card says so and the organizers hear it (documentation comes next)."""
        record = await self._timeline.advance(item.fabrique_id, Action.END, self._bot_actor())
        await self._perform(self._cards.show(record.guild_id, record.id))
        if not record.is_welcome:  # the team's welcome sessions are never documented
            text = self._i18n("dm.organizer.ended", number=record.shown_number, title=shown(record.title))
            for user_id in sorted(record.organizer_ids):  # the bot acted, so every organizer is told
                await self._perform(self._messenger.dm(user_id, text))
        return DueStatus.DONE

    async def recap(self, item: DueItem, context: DueContext) -> DueStatus:
        record = context.fabrique
        if record.state is State.HELD:
            await self._timeline.advance(item.fabrique_id, Action.PROMPT, self._bot_actor())
            await self._perform(self._cards.show(record.guild_id, record.id))
        text = self._i18n("dm.recap", title=shown(record.title), number=record.shown_number)
        return await self._dm(item, text, recap_for=record.id)

    async def chaser(self, item: DueItem, context: DueContext) -> DueStatus:
        record = context.fabrique
        text = self._i18n(
            "dm.chaser",
            title=shown(record.title),
            number=record.shown_number,
            days=item.amount,
            left=self._deadline_days - item.amount,
        )
        return await self._dm(item, text, recap_for=record.id)

    async def deadline(self, item: DueItem, context: DueContext) -> DueStatus:
        record = context.fabrique
        organizers = " ".join(f"<@{user_id}>" for user_id in record.organizer_ids)
        text = self._i18n(
            "team.documentation_late",
            number=record.shown_number,
            title=shown(record.title),
            days=item.amount,
            who=organizers,
        )
        told = await self._perform(self._messenger.tell_team(record.guild_id, text))
        return DueStatus.DONE if told else DueStatus.SKIPPED

    async def recording(self, item: DueItem, context: DueContext) -> DueStatus:
        """Ask Zoom for the cloud recording (``item.amount`` minutes after the end); the service offers it once
        usable, or says how to send one when the wait is over. Done when this poll did its part."""
        outcome = await self._recordings.poll(item.fabrique_id, item.amount)
        if outcome in (PollOutcome.NOTHING, PollOutcome.UNDELIVERED):
            return DueStatus.SKIPPED
        return DueStatus.DONE

    async def _mail_reminder(self, item: DueItem, context: DueContext) -> DueStatus:
        """Someone outside Discord gets the reminder and the link by e-mail; a server that may recover is tried
        again later, like a DM Discord could not deliver."""
        letters = self._registrations.notices.letters
        if letters is None or item.user_id is None:  # mailing switched off since they were registered
            return DueStatus.SKIPPED
        try:
            sent = await letters.send(context.fabrique, item.user_id, Letter.REMINDER, url=context.zoom_url)
        except MailingError as error:
            log.warning("reminder %s by e-mail failed (%s)", item.id, error.key)
            return DueStatus.FAILED if error.retryable else DueStatus.SKIPPED
        return DueStatus.DONE if sent else DueStatus.SKIPPED

    async def host_links(self, item: DueItem, context: DueContext) -> DueStatus:
        """An organizer, with the last reminder: the join link and a host link asked of Zoom now (it expires)."""
        assert context.zoom_url is not None
        return await self._dm(item, await self._links.for_organizers(context.fabrique, context.zoom_url))

    async def link_changed(self, item: DueItem, context: DueContext) -> DueStatus:
        """A registrant reminded with the old link gets the new one, once per change (by e-mail, in a reminder,
        for someone outside Discord)."""
        if item.user_id is not None and is_outsider(item.user_id):
            return await self._mail_reminder(item, context)
        record = context.fabrique
        text = self._i18n("dm.link_changed", title=shown(record.title), date=record.starts_at, url=context.zoom_url)
        return await self._dm(item, text)

    async def hold_reminder(self, item: DueItem, context: DueContext) -> DueStatus:
        """A day before an unconfirmed hold is released, its organizers get « Annoncer » once more."""
        record = context.fabrique
        if item.user_id is None:
            return DueStatus.SKIPPED
        text = self._i18n(
            "dm.organizer.hold_reminder", number=record.shown_number, title=shown(record.title), date=record.starts_at,
            release=record.confirm_by,
        )  # fmt: skip
        if await self._perform(self._messenger.offer_announce(item.user_id, text, record.id)):
            return DueStatus.DONE
        return DueStatus.SKIPPED

    async def hold_expiry(self, item: DueItem, context: DueContext) -> DueStatus:
        """Unconfirmed when the hold ends: the slot is released and the organizers told."""
        released = await self._announcements.release_unconfirmed(item.fabrique_id)
        return DueStatus.DONE if released is not None else DueStatus.SKIPPED

    async def _dm(self, item: DueItem, text: str, *, recap_for: int | None = None) -> DueStatus:
        if item.user_id is None:
            return DueStatus.SKIPPED
        if await self._perform(self._messenger.dm(item.user_id, text, recap_for=recap_for)):
            return DueStatus.DONE
        # Closed DMs will stay closed: record it and move on rather than retry.
        await self._registrations.record_dm_failure(item.fabrique_id, item.user_id)
        return DueStatus.SKIPPED

    @staticmethod
    async def _perform(call: Awaitable[T]) -> T:
        """Await a port; its failure is told apart from a bug of ours (a warning, not an error, in the log)."""
        try:
            return await call
        except Exception as error:
            raise PortFailed(type(error).__name__) from error

    def _bot_actor(self) -> Actor:
        return Actor(user_id=self._bot_user_id(), is_team=True)

"""The public life of a booked session, each step one call: book, move (the organizer's or the team's), release,
give the Zoom link, announce, cancel, announce a session the bot made (the welcome rule's), retry the outside copies.

Each step changes the database through the service that owns the rule (slots, sessions, outreach), then does what
it owes people on Discord through the ports: the announcement (Noticeboard), the team's card (Cards), DMs to the
organizers and registrants (Messenger). Website, mailing list and Zoom follow in the background: nobody waits for
them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.clock import Clock
from bot.domain.lifecycle import Actor, State
from bot.domain.text import shown
from bot.i18n import I18n
from bot.services._common import tell_organizers
from bot.services.calendars import session_calendar
from bot.services.guild_config import GuildConfigService
from bot.services.outreach import Event, OutreachService
from bot.services.ports import Attachment, Cards, Messenger, Noticeboard
from bot.services.records import FabriqueRecord
from bot.services.registrations import Letter, RegistrationService, Spawn
from bot.services.sessions import Cancellation, SeriesCancellation, SessionService
from bot.services.slots import Booking, MoveTarget, SlotService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Booked:
    """A booking or a move, and what followed: ``announced`` when the session went public at once."""

    booking: Booking
    moved: bool
    announced: bool
    held: bool = False  # ``[sessions] confirm_before_announce``: nothing published until « Annoncer »


@dataclass(frozen=True)
class Linked:
    fabrique: FabriqueRecord
    announced: bool


@dataclass(frozen=True)
class Confirmed:
    """A held booking confirmed: ``announced`` unless it still waits for its Zoom link (the team was asked)."""

    fabrique: FabriqueRecord
    announced: bool


@dataclass(frozen=True)
class AnnouncementPorts:
    """What announcing needs of Discord, together, so that the composition root injects them in one value."""

    board: Noticeboard
    cards: Cards
    messenger: Messenger


class AnnouncementService:
    def __init__(
        self,
        *,
        guild_config: GuildConfigService,
        slots: SlotService,
        sessions: SessionService,
        registrations: RegistrationService,
        outreach: OutreachService,
        ports: AnnouncementPorts,
        i18n: I18n,
        clock: Clock,
        bot_user_id: Callable[[], int],
        spawn: Spawn,
    ) -> None:
        self._guild_config = guild_config
        self._slots = slots
        self._sessions = sessions
        self._registrations = registrations
        self._outreach = outreach
        self._board, self._cards, self._messenger = ports.board, ports.cards, ports.messenger
        self._i18n = i18n
        self._clock = clock
        self._bot_user_id = bot_user_id
        self._spawn = spawn

    # --- the use cases ------------------------------------------------------------------------------------

    async def book(self, guild_id: int, fabrique_id: int, slot_id: int, actor: Actor, places: int | None) -> Booked:
        """Book (or move to) a slot. Booked: announced at once if the Zoom link is known (or Zoom makes one).
        Moved: announcement, event, calendar and registrants follow the new date."""
        booking = await self._slots.book(guild_id, fabrique_id, slot_id, actor, places)
        return await self._after_booking(booking, actor)

    async def move(self, guild_id: int, fabrique_id: int, actor: Actor, target: MoveTarget) -> Booked:
        """The team moves a session to a slot, or to a date and time (``force`` overrides the lead time): the
        same as an organizer's move — registrations stay, each registrant hears it once with the new ``.ics``,
        the announcement, event, Zoom meeting, website post and list follow."""
        booking = await self._slots.move(guild_id, fabrique_id, actor, target)
        return await self._after_booking(booking, actor)

    async def confirm(self, guild_id: int, fabrique_id: int, actor: Actor) -> Confirmed:
        """« Annoncer » (or ``/fabrique annoncer``): a held booking is published now, as an unheld one is at booking
        — Zoom meeting, announcement, event, website, mailing list."""
        record = await self._sessions.confirm_hold(guild_id, fabrique_id, actor)
        if not record.has_zoom_link:
            record = await self._outreach.ensure_meeting(record.id)
        announced = await self.announce_if_ready(record, by=actor.user_id)
        if announced is None:
            await self._cards.show(record.guild_id, record.id)  # the card loses its « Annoncer »
        return Confirmed(announced or record, announced is not None)

    async def release_unconfirmed(self, fabrique_id: int) -> Booking | None:
        """The hold's deadline passed: the slot is released and the organizers told why (the due work calls it)."""
        booking = await self._slots.release_unconfirmed(fabrique_id, self._bot_actor())
        if booking is None:
            return None
        before = booking.previous
        await self._cards.show(before.guild_id, before.id)
        text = self._i18n(
            "dm.organizer.hold_released", number=before.shown_number, title=shown(before.title), date=before.starts_at
        )
        await self.tell_organizers(before, text, by=None)
        return booking

    async def release(self, guild_id: int, fabrique_id: int, actor: Actor) -> Booking:
        """The slot is given back: the announcement says the date is to be set again, registrants keep their
        place and hear it once, organizers are told; the next booking brings everyone along."""
        booking = await self._slots.release(guild_id, fabrique_id, actor)
        before = booking.previous
        title = shown(before.title)
        await self._take_down(before, self._i18n("announcement.banner.released", title=title), final=False)
        letter = Letter.SESSION_RELEASED if before.is_series else Letter.RELEASED
        if before.is_series:  # which of its dates waits: the series itself goes on
            text = self._i18n("dm.series.released", title=title, rank=before.series_rank, date=before.starts_at)
        else:
            text = self._i18n("dm.released", title=title)
        await self._registrations.notices.tell_all(
            before, booking.registrant_ids, text, letter, rank=before.series_rank
        )
        self._spawn(self._outreach.follow(before.id, Event.RELEASE))
        await self._cards.show(before.guild_id, before.home_id)
        told = self._i18n("dm.organizer.released", number=before.shown_number, title=title, date=before.starts_at)
        await self.tell_organizers(before, told, by=actor.user_id)
        return booking

    async def cancel(self, guild_id: int, fabrique_id: int, actor: Actor, reason: str) -> Cancellation:
        """The team cancels: the announcement says « ANNULÉE » and loses its ✅ and buttons, the event is
        cancelled, registrants and organizers read the motif once, the website and the list say so."""
        cancellation = await self._sessions.cancel(guild_id, fabrique_id, actor, reason)
        before, motif = cancellation.previous, shown(cancellation.reason)
        await self._take_down(before, self._i18n("announcement.banner.cancelled", reason=motif), final=True)
        if before.is_series:
            text = self._i18n(
                "dm.series.session_cancelled",
                title=shown(before.title), rank=before.series_rank, date=before.starts_at, reason=motif,
            )  # fmt: skip
        else:
            text = self._i18n("dm.cancelled", title=shown(before.title), date=before.starts_at, reason=motif)
        letter = Letter.SESSION_CANCELLED if before.is_series else Letter.CANCELLED  # the series goes on
        await self._registrations.notices.tell_all(
            before, cancellation.registrant_ids, text, letter, reason=cancellation.reason, rank=before.series_rank
        )
        self._spawn(self._outreach.follow(before.id, Event.CANCEL))
        await self.tell_organizers(before, text, by=actor.user_id)
        await self._cards.show(before.guild_id, before.home_id)
        return cancellation

    async def cancel_series(self, guild_id: int, home_id: int, actor: Actor, reason: str) -> SeriesCancellation:
        """The team cancels a series whole (``/equipe annuler`` without ``seance``): every session still to come
        is cancelled with its scheduled event and Zoom meeting, the one message says « ANNULÉE » and loses its ✅,
        registrants and organizers read the motif once (not once per date), the website post and the list say it
        once. A single Fabrique is cancelled as by ``cancel``."""
        cancellation = await self._sessions.cancel_series(guild_id, home_id, actor, reason)
        home, motif = cancellation.home, shown(cancellation.reason)
        for session in cancellation.previous:
            # A series' events are each session's (one without a date never had one); a single session's event
            # goes with its announcement.
            if session.is_series and session.scheduled_event_id is not None:
                await self._board.cancel_event(session)
        await self._board.close(home, self._i18n("announcement.banner.series_cancelled", reason=motif), final=True)
        key = "dm.series.cancelled" if home.is_series else "dm.cancelled"
        text = self._i18n(key, title=shown(home.title), date=cancellation.previous[0].starts_at, reason=motif)
        await self._registrations.notices.tell_all(
            home, cancellation.registrant_ids, text, Letter.CANCELLED, reason=cancellation.reason
        )
        self._spawn(self._outreach.follow_cancelled(tuple(session.id for session in cancellation.previous)))
        await self.tell_organizers(home, text, by=actor.user_id)
        await self._cards.show(home.guild_id, home.id)
        return cancellation

    async def set_zoom_link(self, guild_id: int, fabrique_id: int, actor: Actor, url: str) -> Linked:
        """The team gives the link; a session that was only waiting for it is announced now."""
        record = await self._sessions.set_zoom_link(guild_id, fabrique_id, actor, url)
        announced = await self.announce_if_ready(record, by=actor.user_id)
        return Linked(record, announced is not None)

    async def announce_made(self, record: FabriqueRecord, *, by: int) -> FabriqueRecord | None:
        """A session the bot made itself (the team's welcome rule): Zoom makes its meeting when no link was given,
        then it is announced like a booking, or the team is asked for the link. ``by`` is the team member whose rule
        made it, who needs no DM about each session."""
        if not record.has_zoom_link:
            record = await self._outreach.ensure_meeting(record.id)
        return await self.announce_if_ready(record, by=by)

    async def announce_stranded(self) -> int:
        """At start: a session that has its link and is not held, yet is not announced, was cut short by a stop
        (or by Discord) between its booking or « Annoncer » and its announcement; it is announced now. Returns
        how many were."""
        stranded = [
            record
            for record in await self._sessions.scheduled_to_come()
            if record.has_zoom_link and not record.awaiting_confirmation
        ]
        announced = [await self.announce_if_ready(record) for record in stranded]
        return sum(1 for record in announced if record is not None)

    async def retry_copies(self, fabrique_id: int) -> int:
        """The team's « Réessayer » on failed outside copies; a session that got its Zoom link is announced."""
        retried = await self._outreach.retry(fabrique_id)
        for record in retried.linked:
            await self.announce_if_ready(record)
        return retried.count

    async def retry_due_copies(self) -> int:
        """Failed copies whose wait is over (the due-work dispatcher calls it)."""
        retried = await self._outreach.retry_due()
        for record in retried.linked:
            await self.announce_if_ready(record)
        return retried.count

    async def announce_if_ready(self, record: FabriqueRecord, *, by: int | None = None) -> FabriqueRecord | None:
        """Announce a scheduled session that has its Zoom link; otherwise ask the team for the link.

        ``by`` is whoever's action led here (None: the bot itself); the organizers hear of it unless it was them.
        """
        if record.state is not State.SCHEDULED or record.awaiting_confirmation:
            return None  # a held booking is published by « Annoncer », never on its own
        i18n = self._i18n
        if not record.has_zoom_link:
            await self._messenger.tell_team(
                record.guild_id, i18n("team.needs_link", number=record.shown_number, date=record.starts_at)
            )
            return None
        # Released, then booked anew: its people come along. A later date of a series whose message is out is
        # news to the series' registrants too (the message only gains a line).
        home = record if record.home_id == record.id else await self._sessions.get_any(record.home_id)
        again = home.announcement_message_id is not None
        config = await self._guild_config.get(record.guild_id)
        attendance = await self._registrations.attendance(home.id)
        posted = await self._board.post(record, attendance, config.agenda_channel_id or 0)
        if posted is None:
            await self._messenger.tell_team(record.guild_id, i18n("team.no_agenda", number=record.home_id))
            return None
        announced = await self._sessions.mark_announced(
            record.guild_id, record.id, self._bot_actor(), posted.channel_id, posted.message_id, posted.event_id
        )
        # A series' website post and single e-mail are the outreach's to keep: each of its dates is news to add.
        self._spawn(self._outreach.follow(record.id, Event.MOVE if again and not record.is_series else Event.ANNOUNCE))
        if again:
            await self._tell_new_date(announced)
        await self._cards.show(announced.guild_id, announced.home_id)
        text = i18n(
            "dm.organizer.announced", number=announced.home_id, title=shown(announced.title), date=announced.starts_at
        )
        await self.tell_organizers(announced, text, by=by)
        return announced

    async def _tell_new_date(self, announced: FabriqueRecord) -> None:
        """Registrants hear of a date their registration covers: a released session booked anew, or a later
        session of their series; the session's ``.ics`` comes with it."""
        if announced.is_series:
            text = self._i18n(
                "dm.series.dated", title=shown(announced.title), rank=announced.series_rank, date=announced.starts_at
            )
        else:
            text = self._i18n("dm.rebooked", title=shown(announced.title), date=announced.starts_at)
        registrant_ids = await self._registrations.registrant_ids(announced.home_id)
        attachment = Attachment(f"fabrique-{announced.id}.ics", self.calendar([announced]))
        await self._registrations.notices.tell_all(
            announced, registrant_ids, text, Letter.REBOOKED, attachment=attachment
        )

    # --- what people hear ---------------------------------------------------------------------------------

    async def tell_organizers(self, record: FabriqueRecord, text: str, *, by: int | None) -> None:
        await tell_organizers(self._messenger, record, text, by=by)

    async def tell_team(self, guild_id: int, text: str) -> bool:
        """A problem only the team can solve (a Discord permission, say), in its channel."""
        return await self._messenger.tell_team(guild_id, text)

    async def _offer_confirmation(self, record: FabriqueRecord, *, by: int) -> None:
        """The organizers who did not book it themselves get « Annoncer » by DM (the one who did has it in the
        reply); the team has it on the card."""
        text = self._i18n(
            "dm.organizer.held", number=record.shown_number, title=shown(record.title), date=record.starts_at,
            release=record.confirm_by,
        )  # fmt: skip
        for user_id in sorted(record.organizer_ids - {by}):
            await self._messenger.offer_announce(user_id, text, record.id)

    def calendar(self, records: Iterable[FabriqueRecord]) -> bytes:
        return session_calendar(records, self._i18n, self._clock())

    async def _take_down(self, before: FabriqueRecord, banner: str, *, final: bool) -> None:
        """A single session's announcement closes with ``banner``. A session of a series loses its scheduled event
        and its line says so; the series' one message closes only when none of its sessions is left to come."""
        if not before.is_series:
            await self._board.close(before, banner, final=final)
            return
        await self._board.cancel_event(before)
        if await self._sessions.series_pending(before.id):
            await self._board.redraw(before.home_id, with_calendar=True)
        else:
            await self._board.close(await self._sessions.get_any(before.home_id), banner, final=final)

    async def _after_booking(self, booking: Booking, actor: Actor) -> Booked:
        """What a booking or a move owes people: the card, the promoted, and either the moved announcement or a
        first (or renewed) one."""
        record, before = booking.fabrique, booking.previous
        await self._cards.show(record.guild_id, record.home_id)
        await self._registrations.tell_promoted(record, booking.promoted)
        if before.state is State.ANNOUNCED:  # people know its date: they hear of the new one
            await self._moved(before, record, booking.registrant_ids)
            text = self._i18n(
                "dm.organizer.moved",
                number=record.shown_number,
                title=shown(record.title),
                before=before.starts_at,
                date=record.starts_at,
            )
            await self.tell_organizers(record, text, by=actor.user_id)
            return Booked(booking, moved=True, announced=False)
        if record.awaiting_confirmation:  # seed step 4: the partners confirm before anything is published
            await self._offer_confirmation(record, by=actor.user_id)
            return Booked(booking, moved=False, announced=False, held=True)
        if not record.has_zoom_link:
            record = await self._outreach.ensure_meeting(record.id)  # Zoom, when configured
        announced = await self.announce_if_ready(record, by=actor.user_id)
        if announced is None:
            text = self._i18n(
                "dm.organizer.booked", number=record.shown_number, title=shown(record.title), date=record.starts_at
            )
            await self.tell_organizers(record, text, by=actor.user_id)
        return Booked(booking, moved=False, announced=announced is not None)

    async def _moved(self, before: FabriqueRecord, after: FabriqueRecord, registrant_ids: tuple[int, ...]) -> None:
        await self._board.redraw(after.id, with_calendar=True)
        await self._board.move_event(after)
        key = "dm.series.moved" if after.is_series else "dm.moved"  # a series: which of its dates moves
        text = self._i18n(
            key, title=shown(after.title), before=before.starts_at, date=after.starts_at, rank=after.series_rank
        )
        attachment = Attachment(f"fabrique-{after.id}.ics", self.calendar([after]))
        await self._registrations.notices.tell_all(
            after, registrant_ids, text, Letter.MOVED, attachment=attachment, before=before.starts_at
        )
        self._spawn(self._outreach.follow(after.id, Event.MOVE))

    def _bot_actor(self) -> Actor:
        return Actor(user_id=self._bot_user_id(), is_team=True)

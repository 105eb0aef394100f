"""The public face of a session: its announcement in the agenda channel, its scheduled event, its .ics file.

The announcement shows how many seats are taken. Discord rate-limits message edits, so the count is refreshed at
most once every ``EDIT_INTERVAL`` per announcement: a burst of registrations produces one edit, read from the
database when it happens, so the count is always right in the end.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.domain.lifecycle import Actor, State
from bot.integrations.calendar import CalendarEntry, calendar_file
from bot.services.outreach import Event
from bot.services.records import FabriqueRecord
from cogs import _render
from cogs._feedback import NO_PINGS, send_dm, tell_organizers
from cogs.moderation import refresh_card
from cogs.registration import REGISTRATION_EMOJI, registration_view

if TYPE_CHECKING:
    from bot.app import FabriqueBot

log = logging.getLogger(__name__)

EDIT_INTERVAL = timedelta(seconds=5)


class Announcer:
    def __init__(self, bot: FabriqueBot) -> None:
        self.bot = bot
        self._pending: dict[int, asyncio.Task[None]] = {}
        self._last_edit: dict[int, datetime] = {}
        self.edits = 0  # announcement edits made: the burst benchmark reports it

    @property
    def _actor(self) -> Actor:
        return Actor(user_id=self.bot.user.id if self.bot.user else 0, is_team=True)

    async def announce_if_ready(self, record: FabriqueRecord, *, by: int | None = None) -> FabriqueRecord | None:
        """Announce a scheduled session that has its Zoom link; otherwise ask the team for the link.

        ``by`` is whoever's action led here (None: the bot itself); the organizers hear of it unless it was them.
        """
        if record.state is not State.SCHEDULED:
            return None
        i18n = self.bot.i18n
        config = await self.bot.services.guild_config.get(record.guild_id)
        if not record.has_zoom_link:
            await self._tell_team(
                config.team_channel_id, i18n("team.needs_link", number=record.id, date=record.starts_at)
            )
            return None
        channel = self.bot.get_channel(config.agenda_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            await self._tell_team(config.team_channel_id, i18n("team.no_agenda", number=record.id))
            return None
        attendance = await self.bot.services.registrations.attendance(record.id)
        message = await channel.send(
            embed=_render.announcement(record, attendance, i18n),
            view=registration_view(i18n, record.id),
            file=self.ics_file(record),
            allowed_mentions=NO_PINGS,
        )
        self._last_edit[record.id] = self.bot.clock()
        try:
            await message.add_reaction(REGISTRATION_EMOJI)
        except discord.HTTPException:
            log.warning("could not add the registration reaction to fabrique %s", record.id)
        event_id = await self._create_event(channel.guild, record, config.team_channel_id)
        announced = await self.bot.services.sessions.mark_announced(
            record.guild_id, record.id, self._actor, channel.id, message.id, event_id
        )
        self.bot.spawn(self.bot.services.outreach.follow(record.id, Event.ANNOUNCE))
        await refresh_card(self.bot, announced.guild_id, announced.id)
        text = i18n(
            "dm.organizer.announced",
            number=announced.id,
            title=_render.shown(announced.title),
            date=announced.starts_at,
        )
        await tell_organizers(self.bot, announced, text, actor_id=by)
        return announced

    async def announce_when_linked(self, record: FabriqueRecord) -> None:
        """A session that waited for its Zoom link got it (a retried meeting): announce it now."""
        await self.announce_if_ready(record)

    def refresh(self, fabrique_id: int) -> None:
        """Ask for the announcement to show the current count; coalesced with other requests within 5 s."""
        if fabrique_id not in self._pending:
            self._pending[fabrique_id] = asyncio.create_task(self._debounced(fabrique_id))

    async def _debounced(self, fabrique_id: int) -> None:
        try:
            last = self._last_edit.get(fabrique_id)
            if last is not None:
                wait = (last + EDIT_INTERVAL - self.bot.clock()).total_seconds()
                if wait > 0:
                    await asyncio.sleep(wait)
            # From here on, a new change schedules a new edit: this one may already have read the counts.
            self._pending.pop(fabrique_id, None)
            self._last_edit[fabrique_id] = self.bot.clock()
            await self.edit_now(fabrique_id)
        except Exception:
            log.exception("announcement refresh of fabrique %s failed", fabrique_id)
        finally:
            if self._pending.get(fabrique_id) is asyncio.current_task():
                self._pending.pop(fabrique_id, None)

    async def edit_now(self, fabrique_id: int, *, with_calendar: bool = False) -> None:
        record = await self.bot.services.sessions.get_any(fabrique_id)
        message = self._message(record)
        if message is None:
            return
        attendance = await self.bot.services.registrations.attendance(record.id)
        open_ = record.state is State.ANNOUNCED
        kwargs: dict[str, object] = {}
        if with_calendar:
            kwargs["attachments"] = [self.ics_file(record)]
        try:
            await message.edit(
                embed=_render.announcement(record, attendance, self.bot.i18n),
                view=registration_view(self.bot.i18n, record.id) if open_ else None,
                allowed_mentions=NO_PINGS,
                **kwargs,  # type: ignore[arg-type]
            )
            self.edits += 1
        except discord.NotFound:
            log.warning("announcement of fabrique %s was deleted", record.id)
        except discord.HTTPException:
            log.warning("could not edit the announcement of fabrique %s", record.id, exc_info=True)

    async def moved(self, before: FabriqueRecord, after: FabriqueRecord, registrant_ids: tuple[int, ...]) -> None:
        """A new date: announcement, event and calendar file follow, and every registrant is told."""
        await self.edit_now(after.id, with_calendar=True)
        await self._edit_event(after, start_time=after.starts_at, end_time=after.ends_at)
        text = self.bot.i18n(
            "dm.moved", title=_render.shown(after.title), before=before.starts_at, date=after.starts_at
        )
        await self._tell_all(after, registrant_ids, text)
        self.bot.spawn(self.bot.services.outreach.follow(after.id, Event.MOVE))

    async def withdrawn(self, before: FabriqueRecord, registrant_ids: tuple[int, ...], text: str) -> None:
        """Released or cancelled: the announcement says so and closes, the event ends, registrants are told."""
        message = self._message(before)
        if message is not None:
            try:
                await message.edit(
                    content=text,
                    embed=_render.announcement(before, None, self.bot.i18n, closed=True),
                    view=None,
                    allowed_mentions=NO_PINGS,
                )
            except discord.HTTPException:
                log.warning("could not close the announcement of fabrique %s", before.id, exc_info=True)
        await self._edit_event(before, status=discord.EventStatus.cancelled)
        await self._tell_all(before, registrant_ids, text)
        self.bot.spawn(self.bot.services.outreach.follow(before.id, Event.CANCEL))

    def ics_file(self, record: FabriqueRecord) -> discord.File:
        return discord.File(io.BytesIO(self.calendar([record])), filename=f"fabrique-{record.id}.ics")

    def calendar(self, records: list[FabriqueRecord]) -> bytes:
        i18n = self.bot.i18n
        entries = [
            CalendarEntry(
                uid=f"fabrique-{r.id}-{r.guild_id}@fabrique",
                title=r.title,
                description=r.description,
                location=i18n("announcement.location"),
                start=r.starts_at,
                end=r.ends_at,
                stamp=self.bot.clock(),
                cancelled=r.state is State.CANCELLED,
            )
            for r in records
            if r.starts_at is not None and r.ends_at is not None
        ]
        return calendar_file(entries, i18n("calendar.name"))

    async def _tell_all(self, record: FabriqueRecord, user_ids: tuple[int, ...], text: str) -> None:
        for user_id in user_ids:
            if not await send_dm(self.bot, user_id, text):
                await self.bot.services.registrations.record_dm_failure(record.id, user_id)

    async def _tell_team(self, channel_id: int | None, text: str) -> None:
        channel = self.bot.get_channel(channel_id or 0)
        if isinstance(channel, discord.TextChannel | discord.Thread):
            try:
                await channel.send(text, allowed_mentions=NO_PINGS)
            except discord.HTTPException:
                log.warning("could not alert the team channel %s", channel_id)

    def _message(self, record: FabriqueRecord) -> discord.PartialMessage | None:
        channel = self.bot.get_channel(record.announcement_channel_id or 0)
        if record.announcement_message_id is None or not isinstance(channel, discord.TextChannel):
            return None
        return channel.get_partial_message(record.announcement_message_id)

    async def _create_event(
        self, guild: discord.Guild, record: FabriqueRecord, team_channel_id: int | None
    ) -> int | None:
        if record.starts_at is None or record.ends_at is None:
            return None
        try:
            event = await guild.create_scheduled_event(
                name=record.title[:100],
                start_time=record.starts_at,
                end_time=record.ends_at,
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                location=self.bot.i18n("announcement.location"),
                description=_render.shown(record.description)[:1000],
            )
        except discord.Forbidden:
            # Since 23 February 2026 Discord wants « Create Events »; only the team can grant it, so tell them.
            log.warning("not allowed to create the scheduled event of fabrique %s", record.id)
            text = self.bot.i18n("team.event_forbidden", number=record.id, title=_render.shown(record.title))
            await self._tell_team(team_channel_id, text)
            return None
        except discord.HTTPException:
            log.warning("could not create the scheduled event of fabrique %s", record.id, exc_info=True)
            return None
        return event.id

    async def _edit_event(self, record: FabriqueRecord, **changes: object) -> None:
        guild = self.bot.get_guild(record.guild_id)
        if guild is None or record.scheduled_event_id is None:
            return
        try:
            event = guild.get_scheduled_event(record.scheduled_event_id) or await guild.fetch_scheduled_event(
                record.scheduled_event_id
            )
            await event.edit(**changes)  # type: ignore[arg-type]
        except discord.HTTPException:
            log.warning("could not update the scheduled event of fabrique %s", record.id, exc_info=True)

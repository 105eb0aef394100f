"""The public face of a session: its announcement in the agenda channel, its ✅, its scheduled event.

This cog implements the services' ``Noticeboard`` port; the services decide when to announce, move or close. The
announcement shows how many seats are taken. Discord rate-limits message edits, so the count is refreshed at most
once every ``EDIT_INTERVAL`` per announcement: a burst of registrations produces one edit, read from the database
when it happens, so the count is always right in the end.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.domain.lifecycle import State
from bot.services.ports import Posted
from bot.services.records import Attendance, FabriqueRecord
from cogs import _render
from cogs._feedback import NO_PINGS
from cogs._registration_ui import REGISTRATION_EMOJI, registration_view

if TYPE_CHECKING:
    from bot.app import FabriqueBot

log = logging.getLogger(__name__)

EDIT_INTERVAL = timedelta(seconds=5)


class Announcements(commands.Cog):
    def __init__(self, bot: FabriqueBot) -> None:
        self.bot = bot
        self._pending: dict[int, asyncio.Task[None]] = {}
        self._last_edit: dict[int, datetime] = {}
        self.edits = 0  # announcement edits made: the burst benchmark reports it

    async def cog_unload(self) -> None:
        for task in self._pending.values():
            task.cancel()

    async def post(self, record: FabriqueRecord, attendance: Attendance, channel_id: int) -> Posted | None:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return None
        sessions = await self._series(record)
        home = sessions[0] if sessions else record  # a series' message is its first session's
        embed = _render.announcement(home, attendance, self.bot.i18n, sessions=sessions)
        message = await self._reopen(home, embed, sessions) or await channel.send(
            embed=embed,
            view=registration_view(self.bot.i18n, home.id),
            file=self._ics_file(home, sessions),
            allowed_mentions=NO_PINGS,
        )
        self._last_edit[home.id] = self.bot.clock()
        await self.bot.services.registrations.drawn(home.id, _digest(embed, registering=True), attendance)
        try:
            await message.add_reaction(REGISTRATION_EMOJI)
        except discord.HTTPException:
            log.warning("could not add the registration reaction to fabrique %s", home.id)
        guild = self.bot.get_guild(record.guild_id) or channel.guild
        return Posted(message.channel.id, message.id, await self._create_event(guild, record))

    async def _reopen(
        self, record: FabriqueRecord, embed: discord.Embed, sessions: list[FabriqueRecord]
    ) -> discord.Message | None:
        """The announcement of a session booked again after a release, open again at its new date, or the
        message of a series gaining a date (None when it never had one, or it was deleted: a new one is posted)."""
        message = self._message(record)
        if message is None:
            return None
        try:
            return await message.edit(
                content=None,
                embed=embed,
                view=registration_view(self.bot.i18n, record.id),
                attachments=[self._ics_file(record, sessions)],
                allowed_mentions=NO_PINGS,
            )
        except discord.HTTPException:
            log.warning("could not reopen the announcement of fabrique %s", record.id, exc_info=True)
            return None

    async def _series(self, record: FabriqueRecord) -> list[FabriqueRecord]:
        """The sessions of ``record``'s series, first session first (empty for a single session: no read)."""
        return await self.bot.services.sessions.series(record.id) if record.is_series else []

    def refresh(self, fabrique_id: int) -> None:
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
            await self.redraw(fabrique_id)
        except Exception:
            log.exception("announcement refresh of fabrique %s failed", fabrique_id)
        finally:
            if self._pending.get(fabrique_id) is asyncio.current_task():
                self._pending.pop(fabrique_id, None)

    async def redraw(self, fabrique_id: int, *, with_calendar: bool = False) -> None:
        """Edit the announcement to show what is true now; one that already shows it is left alone (a start-up
        after a quiet night edits nothing), unless its calendar file is to be replaced."""
        drawing = await self.bot.services.registrations.drawing(fabrique_id)  # a series: its first session's
        record = drawing.record
        sessions = await self._series(record)
        message = self._message(record)
        if message is None:
            return
        open_ = any(session.state is State.ANNOUNCED for session in sessions or [record])
        embed = _render.announcement(record, drawing.attendance, self.bot.i18n, sessions=sessions)
        digest = _digest(embed, registering=open_)
        if digest == drawing.drawn and not with_calendar:
            return
        kwargs: dict[str, object] = {}
        if with_calendar:
            kwargs["attachments"] = [self._ics_file(record, sessions)]
        try:
            await message.edit(
                embed=embed,
                view=registration_view(self.bot.i18n, record.id) if open_ else None,
                allowed_mentions=NO_PINGS,
                **kwargs,  # type: ignore[arg-type]
            )
            self.edits += 1
        except discord.NotFound:
            log.warning("announcement of fabrique %s was deleted", record.id)
            return
        except discord.HTTPException:
            log.warning("could not edit the announcement of fabrique %s", record.id, exc_info=True)
            # Not known to show the truth: the next start redraws it even if nothing else changed meanwhile.
            await self.bot.services.registrations.drawn(record.id, None)
            return
        await self.bot.services.registrations.drawn(record.id, digest, drawing.attendance)

    async def close(self, record: FabriqueRecord, banner: str, *, final: bool) -> None:
        sessions = await self._series(record)
        message = self._message(record)
        if message is not None:
            try:
                await message.edit(
                    content=banner,
                    embed=_render.announcement(
                        record, None, self.bot.i18n, closed=True, final=final, sessions=sessions
                    ),
                    view=None,
                    allowed_mentions=NO_PINGS,
                )
                await self.bot.services.registrations.drawn(record.home_id, None)  # not what a redraw shows
                if final:  # nobody may register any more: the ✅ go with the buttons
                    await message.clear_reaction(REGISTRATION_EMOJI)
            except discord.HTTPException:
                log.warning("could not close the announcement of fabrique %s", record.id, exc_info=True)
        if not record.is_series:  # a series' events are each session's, cancelled one by one
            await self._edit_event(record, status=discord.EventStatus.cancelled)

    async def move_event(self, record: FabriqueRecord) -> None:
        await self._edit_event(record, start_time=record.starts_at, end_time=record.ends_at)

    async def cancel_event(self, record: FabriqueRecord) -> None:
        await self._edit_event(record, status=discord.EventStatus.cancelled)

    async def update_event(self, record: FabriqueRecord) -> None:
        name = _render.event_name(record, self.bot.i18n)
        await self._edit_event(record, name=name, description=_render.shown(record.description)[:1000])

    def _ics_file(self, record: FabriqueRecord, sessions: list[FabriqueRecord] | None = None) -> discord.File:
        """One VEVENT per dated session: a single session's, or every date of a series (stable UIDs)."""
        data = self.bot.services.announcements.calendar(sessions or [record])
        return discord.File(io.BytesIO(data), filename=f"fabrique-{record.id}.ics")

    def _message(self, record: FabriqueRecord) -> discord.PartialMessage | None:
        channel = self.bot.get_channel(record.announcement_channel_id or 0)
        if record.announcement_message_id is None or not isinstance(channel, discord.TextChannel):
            return None
        return channel.get_partial_message(record.announcement_message_id)

    async def _create_event(self, guild: discord.Guild, record: FabriqueRecord) -> int | None:
        if record.starts_at is None or record.ends_at is None:
            return None
        try:
            event = await guild.create_scheduled_event(
                name=_render.event_name(record, self.bot.i18n),
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
            await self.bot.services.announcements.tell_team(record.guild_id, text)
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


def _digest(embed: discord.Embed, *, registering: bool) -> str:
    """What an announcement shows, summed up: its embed and whether it offers to register."""
    shown = json.dumps([embed.to_dict(), registering], sort_keys=True, default=str)
    return hashlib.sha256(shown.encode()).hexdigest()


async def setup(bot: FabriqueBot) -> None:
    await bot.add_cog(Announcements(bot))

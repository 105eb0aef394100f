"""Registering by ✅ (and by « Intéressé » on the scheduled event): the listeners, the reconciliation at start, and
the buttons' persistence.

Arrival order is the waitlist order, so reactions are queued as they come and drained by one task; consecutive
reactions on one announcement are handed to the service together (one call, one transaction). A reaction has
nowhere to answer but DMs: the service sends them. Nothing here outlives a restart: reconciliation at start
re-reads the reactions themselves.
"""

from __future__ import annotations

import asyncio
import logging
from itertools import groupby
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.domain.lifecycle import State
from bot.services.records import FabriqueRecord
from bot.services.registrations import Marks, Reactor
from cogs._absence_ui import AbsenceButton
from cogs._registration_ui import REGISTRATION_EMOJI, RegistrationButton

if TYPE_CHECKING:
    from bot.app import FabriqueBot

log = logging.getLogger(__name__)

Event = tuple[bool, discord.RawReactionActionEvent]  # (added, payload)


class Registration(commands.Cog):
    def __init__(self, bot: FabriqueBot) -> None:
        self.bot = bot
        self._queue: list[Event] = []
        self._drainer: asyncio.Task[None] | None = None
        self._catch_up: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RegistrationButton, AbsenceButton)
        if self.bot.is_ready():  # reloaded while connected: reactions of the reload's moment are read again
            self._catch_up = asyncio.create_task(self._reconcile_all())

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RegistrationButton, AbsenceButton)
        if self._catch_up is not None:
            self._catch_up.cancel()
        if self._drainer is not None:
            await self._drainer  # reactions already received are not lost on a reload

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self._put(True, payload)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        self._put(False, payload)

    @commands.Cog.listener()
    async def on_scheduled_event_user_add(self, event: discord.ScheduledEvent, user: discord.User) -> None:
        """« Intéressé » on a session's scheduled event registers, like a ✅ (the service answers by DM)."""
        if user.id == self._own_id():
            return
        member = event.guild.get_member(user.id) if event.guild else None
        await self.bot.services.registrations.interested(event.guild_id, event.id, _member_reactor(user.id, member))

    @commands.Cog.listener()
    async def on_scheduled_event_user_remove(self, event: discord.ScheduledEvent, user: discord.User) -> None:
        """« Intéressé » taken off: the person leaves the session (the service tells them by DM)."""
        if user.id != self._own_id():
            await self.bot.services.registrations.uninterested(event.guild_id, event.id, user.id)

    def _put(self, added: bool, payload: discord.RawReactionActionEvent) -> None:
        if str(payload.emoji) != REGISTRATION_EMOJI or payload.guild_id is None or payload.user_id == self._own_id():
            return
        self._queue.append((added, payload))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        registrations = self.bot.services.registrations
        while self._queue:
            batch, self._queue = self._queue, []
            # Consecutive events of the same kind on the same message are handled together, in order.
            for (added, message_id), group in groupby(batch, key=lambda event: (event[0], event[1].message_id)):
                payloads = [payload for _, payload in group]
                guild_id = payloads[0].guild_id or 0
                try:
                    if added:
                        await registrations.react(guild_id, message_id, [_reactor(p) for p in payloads])
                    else:
                        await registrations.unreact(guild_id, message_id, [p.user_id for p in payloads])
                except Exception:
                    log.exception("reactions on message %s could not be handled", message_id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self._catch_up is None:  # once: READY comes again after every reconnection
            self._catch_up = asyncio.create_task(self._reconcile_all())

    async def _reconcile_all(self) -> None:
        """Sessions whose announcement a stop cut short are announced; ✅ added or removed while the bot was away
        become registrations or leave them; idempotent."""
        try:
            announced = await self.bot.services.announcements.announce_stranded()
            if announced:
                log.info("%s session(s) booked but not announced before the stop are announced now", announced)
        except Exception:
            log.exception("sessions left unannounced could not be announced")
        try:
            records = await self.bot.services.sessions.announcements_to_come()
        except Exception:
            log.exception("the sessions to reconcile could not be read")
            return
        found = []
        for record in records:
            try:
                marks = await self._marks(record)
            except Exception:
                log.exception("the ✅ of fabrique %s could not be read", record.id)
                continue
            if marks is not None:
                found.append(marks)
        registrations = self.bot.services.registrations
        try:
            due = await registrations.to_reconcile(found)
        except Exception:
            log.exception("the announcements that changed could not be told apart: every one is reconciled")
            due = found
        for marks in due:
            try:
                await registrations.reconcile_announcement(marks.record, marks.reacted, marks.interested)
            except Exception:
                log.exception("reconciliation of fabrique %s failed", marks.record.id)

    async def _marks(self, record: FabriqueRecord) -> Marks | None:
        """The ✅ on the session's announcement and the « Intéressé » of its events; None without a message."""
        channel = self.bot.get_channel(record.announcement_channel_id or 0)
        if not isinstance(channel, discord.TextChannel) or record.announcement_message_id is None:
            return None
        await _members_known(channel.guild)
        message = await channel.fetch_message(record.announcement_message_id)
        reacted: dict[int, Reactor] = {}
        for reaction in message.reactions:
            if str(reaction.emoji) == REGISTRATION_EMOJI and reaction.count > int(reaction.me):  # anyone but us
                async for user in reaction.users(limit=None):
                    if user.id != self._own_id():
                        reacted[user.id] = _member_reactor(user.id, await _member(channel.guild, user))
        return Marks(record, list(reacted.values()), await self._interested(channel.guild, record))

    async def _interested(self, guild: discord.Guild, record: FabriqueRecord) -> list[Reactor] | None:
        """Who says « Intéressé » on the session's scheduled event now (given or taken back while the bot was
        away counts like a ✅); None without an event to read. A series has one event per session, each of which
        registers for the series: every announced session's event is read (for a series « Intéressé » missing
        ends nobody's registration, so their union is what counts)."""
        sessions = await self.bot.services.sessions.series(record.id) if record.is_series else [record]
        event_ids = [
            session.scheduled_event_id
            for session in sessions
            if session.scheduled_event_id is not None and (not record.is_series or session.state is State.ANNOUNCED)
        ]
        found: dict[int, Reactor] | None = None
        for event_id in event_ids:
            users = await self._event_users(guild, event_id)
            if users is not None:
                found = (found or {}) | {reactor.user_id: reactor for reactor in users}
        return list(found.values()) if found is not None else None

    async def _event_users(self, guild: discord.Guild, event_id: int) -> list[Reactor] | None:
        """Who is interested in the scheduled event ``event_id``; None when it was deleted by hand."""
        event = guild.get_scheduled_event(event_id)
        if event is None:
            try:
                event = await guild.fetch_scheduled_event(event_id)
            except discord.NotFound:
                return None  # deleted by hand: nobody can be interested in it
        return [
            _member_reactor(user.id, await _member(guild, user))
            async for user in event.users(limit=None)
            if user.id != self._own_id()
        ]

    def _own_id(self) -> int:
        return self.bot.user.id if self.bot.user else 0


def _reactor(payload: discord.RawReactionActionEvent) -> Reactor:
    return _member_reactor(payload.user_id, payload.member)


def _member_reactor(user_id: int, member: discord.Member | None) -> Reactor:
    """Who reacted, as the service needs it: their roles, or None if they are no longer a member."""
    return Reactor(user_id=user_id, role_ids=frozenset(r.id for r in member.roles) if member is not None else None)


async def _members_known(guild: discord.Guild) -> None:
    """Fill the guild's member cache in one gateway request (no REST call per person) when startup chunking
    did not, so that reading who reacted costs nothing per ✅."""
    if not guild.chunked:
        try:
            await guild.chunk(cache=True)
        except (discord.ClientException, TimeoutError):  # then each person not in the cache is fetched
            log.warning("the members of guild %s could not be chunked", guild.id, exc_info=True)


async def _member(guild: discord.Guild, user: discord.abc.User) -> discord.Member | None:
    """The member behind a reaction (their roles decide), or None if they left the server. With the member cache
    complete (chunked), a person missing from it has left: no REST call; otherwise they are fetched."""
    if isinstance(user, discord.Member):
        return user
    if (member := guild.get_member(user.id)) is not None or guild.chunked:
        return member
    try:
        return await guild.fetch_member(user.id)
    except discord.NotFound:
        return None


async def setup(bot: FabriqueBot) -> None:
    await bot.add_cog(Registration(bot))

"""How the bot reaches people: DMs, the team channel, the announcement's thread, error replies, and who members
are.

The services decide what to say; this cog implements their ``Messenger`` and ``Directory`` ports
(``bot/services/ports.py``). A closed DM or an unreachable channel is a normal situation: reported as False,
never raised.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.services.ports import Attachment
from bot.services.records import FabriqueRecord
from cogs._absence_ui import absence_view
from cogs._announce_ui import announce_view
from cogs._documentation_form import recap_view
from cogs._feedback import NO_PINGS, report_error
from cogs._recording_ui import recording_view

if TYPE_CHECKING:
    from bot.app import FabriqueBot

log = logging.getLogger(__name__)


class Messaging(commands.Cog):
    def __init__(self, bot: FabriqueBot) -> None:
        self.bot = bot

    async def report_error(self, interaction: discord.Interaction, error: BaseException) -> None:
        """The command tree's one error handler (set by the composition root) words errors here."""
        await report_error(interaction, error)

    async def dm(
        self, user_id: int, text: str, *, recap_for: int | None = None, attachment: Attachment | None = None
    ) -> bool:
        """A DM with buttons is worth retrying when Discord fails (only a refusal is final); a plain one is not."""
        view = recap_view(self.bot.i18n, recap_for) if recap_for is not None else discord.utils.MISSING
        final = discord.Forbidden if recap_for is not None else discord.HTTPException
        file = discord.File(io.BytesIO(attachment.data), attachment.filename) if attachment else discord.utils.MISSING
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(text, view=view, file=file, allowed_mentions=NO_PINGS)
        except final:
            log.info("DM to user %s could not be delivered", user_id)
            return False
        return True

    async def offer_recording(self, user_id: int, text: str, fabrique_id: int) -> bool:
        """A DM with « Utiliser cet enregistrement » / « J'en fournis un autre »: only a refusal is final, so any
        other failure of Discord is raised and the offer made again later."""
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(text, view=recording_view(self.bot.i18n, fabrique_id), allowed_mentions=NO_PINGS)
        except discord.Forbidden:
            log.info("DM to user %s could not be delivered", user_id)
            return False
        return True

    async def offer_announce(self, user_id: int, text: str, fabrique_id: int) -> bool:
        """A DM with « Annoncer »: only a refusal is final, so any other failure of Discord is raised (and the
        due work that sent it retried)."""
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(text, view=announce_view(self.bot.i18n, fabrique_id), allowed_mentions=NO_PINGS)
        except discord.Forbidden:
            log.info("DM to user %s could not be delivered", user_id)
            return False
        return True

    async def offer_absence(self, user_id: int, text: str, fabrique_id: int, day: str) -> bool:
        """A series' reminder with « Absent·e le JJ/MM »: only a refusal is final, so any other failure of Discord
        is raised (and the reminder retried)."""
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(text, view=absence_view(self.bot.i18n, fabrique_id, day), allowed_mentions=NO_PINGS)
        except discord.Forbidden:
            log.info("DM to user %s could not be delivered", user_id)
            return False
        return True

    async def tell_team(self, guild_id: int, text: str, *, attachments: Sequence[Attachment] = ()) -> bool:
        config = await self.bot.services.guild_config.get(guild_id)
        channel = self.bot.get_channel(config.team_channel_id or 0)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return False
        files = [discord.File(io.BytesIO(attachment.data), attachment.filename) for attachment in attachments]
        try:
            await channel.send(text, files=files, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("could not write in the team channel %s", channel.id)
            return False
        return True

    async def notice_in_thread(self, record: FabriqueRecord, text: str, *, mention: int | None = None) -> bool:
        if record.home_id != record.id:  # a later session of a series: the thread is on the series' one message
            record = await self.bot.services.sessions.get_any(record.home_id)
        channel = self.bot.get_channel(record.announcement_channel_id or 0)
        if not isinstance(channel, discord.TextChannel) or record.announcement_message_id is None:
            return False
        thread = channel.get_thread(record.announcement_message_id)
        if thread is None:
            message = channel.get_partial_message(record.announcement_message_id)
            thread = await message.create_thread(name=record.title[:100])
        pings = NO_PINGS  # only the person concerned is notified; never a title's @everyone
        if mention is not None:
            pings = discord.AllowedMentions(
                everyone=False, roles=False, replied_user=False, users=[discord.Object(mention)]
            )
        await thread.send(text, allowed_mentions=pings)
        return True

    def display_names(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, str]:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return {}
        return {user_id: member.display_name for user_id in user_ids if (member := guild.get_member(user_id))}

    def own_id(self) -> int:
        return self.bot.user.id if self.bot.user else 0


async def setup(bot: FabriqueBot) -> None:
    await bot.add_cog(Messaging(bot))

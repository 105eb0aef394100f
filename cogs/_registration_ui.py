"""Registering by button or command: « S'inscrire » / « Se désinscrire » on announcements, and their replies.

Shared by the announcements (which show the buttons), the registration cog (which owns them) and ``/fabrique
inscrire | desinscrire``. Whatever the way in, the same service call decides; the person reads an ephemeral reply.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import ui

from bot.domain.registration import Source, Status
from bot.i18n import I18n
from bot.services.records import FabriqueRecord
from bot.services.registrations import RegistrationOutcome
from cogs._feedback import bot_of, current_actor, guild_id, reply, report_error
from cogs._render import shown

log = logging.getLogger(__name__)

REGISTRATION_EMOJI = "✅"


class RegistrationButton(ui.DynamicItem[ui.Button[Any]], template=r"reg:(?P<action>join|leave):(?P<id>\d+)"):
    """« S'inscrire » / « Se désinscrire » on an announcement; the custom_id carries the session number."""

    def __init__(self, join: bool, fabrique_id: int, label: str | None = None) -> None:
        super().__init__(
            ui.Button(
                label=label or ("join" if join else "leave"),
                style=discord.ButtonStyle.success if join else discord.ButtonStyle.secondary,
                custom_id=f"reg:{'join' if join else 'leave'}:{fabrique_id}",
            )
        )
        self.join = join
        self.fabrique_id = fabrique_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button[Any], match: re.Match[str], /
    ) -> RegistrationButton:
        return cls(match["action"] == "join", int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.defer(ephemeral=True)
            if self.join:
                await join_session(interaction, self.fabrique_id, Source.BUTTON)
            else:
                await leave_session(interaction, self.fabrique_id)
        except Exception as error:  # component callbacks bypass tree.on_error: report the same way
            await report_error(interaction, error)


def registration_view(i18n: I18n, fabrique_id: int) -> ui.View:
    view = ui.View(timeout=None)
    view.add_item(RegistrationButton(True, fabrique_id, i18n("button.join")))
    view.add_item(RegistrationButton(False, fabrique_id, i18n("button.leave")))
    return view


async def join_session(interaction: discord.Interaction, fabrique_id: int, source: Source) -> None:
    bot = bot_of(interaction)
    actor = await current_actor(interaction)
    outcome = await bot.services.registrations.join(guild_id(interaction), fabrique_id, actor, source)
    await reply(interaction, registered_text(bot.i18n, outcome))


async def leave_session(interaction: discord.Interaction, fabrique_id: int) -> None:
    bot = bot_of(interaction)
    outcome = await bot.services.registrations.leave(guild_id(interaction), fabrique_id, interaction.user.id)
    key = "reply.unregistered" if outcome.changed else "reply.not_registered"
    await reply(interaction, bot.i18n(key, title=shown(outcome.fabrique.title)))
    if outcome.changed:
        await _take_reaction_off(interaction.client, outcome.fabrique, interaction.user)


def registered_text(i18n: I18n, outcome: RegistrationOutcome) -> str:
    record = outcome.fabrique
    if outcome.status is Status.WAITLISTED:
        key = "reply.waitlisted" if outcome.changed else "reply.already_waitlisted"
        return i18n(key, title=shown(record.title), position=outcome.waitlist_position or 0, number=record.id)
    key = "reply.registered" if outcome.changed else "reply.already_registered"
    if record.is_series:  # registered for every date of the series, not for its first one only
        key = key.replace("reply.", "reply.series.")
    return i18n(key, title=shown(record.title), date=record.starts_at, number=record.id, size=record.series_size)


async def _take_reaction_off(bot: discord.Client, record: FabriqueRecord, user: discord.abc.Snowflake) -> None:
    """Tidy, when the bot may (Manage Messages): the ✅ of someone who left by button or command goes too.

    Nothing depends on it: the departure is recorded either way, so a ✅ left behind is never counted again.
    """
    channel = bot.get_channel(record.announcement_channel_id or 0)
    if not isinstance(channel, discord.TextChannel) or record.announcement_message_id is None:
        return
    if not channel.permissions_for(channel.guild.me).manage_messages:
        return
    try:
        await channel.get_partial_message(record.announcement_message_id).remove_reaction(REGISTRATION_EMOJI, user)
    except discord.HTTPException:
        log.info("could not remove the ✅ of a departed registrant of fabrique %s", record.id)

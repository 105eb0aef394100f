"""« Annoncer »: the organizer (or the team) publishes a held booking (``[sessions] confirm_before_announce``).

The button sits on the booking's ephemeral reply, on the organizers' DMs and on the team's card; its custom_id
carries the Fabrique's number, so it works after a restart (the moderation cog adds it). Who may press it is
checked by the service, from the roles of the person who pressed.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import ui

from bot.i18n import I18n
from cogs._documentation_form import actor_anywhere
from cogs._feedback import bot_of, reply, report_error


class AnnounceButton(ui.DynamicItem[ui.Button[Any]], template=r"fab:announce:(?P<id>\d+)"):
    def __init__(self, fabrique_id: int, label: str | None = None) -> None:
        super().__init__(
            ui.Button(
                label=label or "Annoncer", style=discord.ButtonStyle.success, custom_id=f"fab:announce:{fabrique_id}"
            )
        )
        self.fabrique_id = fabrique_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button[Any], match: re.Match[str], /
    ) -> AnnounceButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.defer(ephemeral=True)
            await announce(interaction, self.fabrique_id)
        except Exception as error:  # component callbacks bypass tree.on_error: report the same way
            await report_error(interaction, error)


async def announce(interaction: discord.Interaction, fabrique_id: int) -> None:
    """Confirm the held booking and say what followed; from a DM, the session's own guild is the one asked."""
    bot = bot_of(interaction)
    actor = await actor_anywhere(interaction, fabrique_id)
    guild = interaction.guild_id or (await bot.services.sessions.get_any(fabrique_id)).guild_id
    confirmed = await bot.services.announcements.confirm(guild, fabrique_id, actor)
    key = "announce.done" if confirmed.announced else "announce.waiting_link"
    await reply(interaction, bot.i18n(key, number=confirmed.fabrique.shown_number))


def announce_view(i18n: I18n, fabrique_id: int) -> ui.View:
    view = ui.View(timeout=None)
    view.add_item(AnnounceButton(fabrique_id, i18n("button.announce")))
    return view

"""The two buttons of « L'enregistrement Zoom est prêt »: « Utiliser cet enregistrement » opens the usual
documentation form and starts the job with Zoom's files; « J'en fournis un autre » says how to send another.
The custom_id carries the Fabrique's number, so the buttons work after a restart (the documentation cog adds them)."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import ui

from bot.domain.documentation import Path3P
from bot.i18n import I18n
from cogs._documentation_form import actor_anywhere, open_form
from cogs._feedback import bot_of, reply, report_error


class RecordingButton(ui.DynamicItem[ui.Button[Any]], template=r"rec:(?P<action>use|other):(?P<id>\d+)"):
    def __init__(self, action: str, fabrique_id: int, label: str | None = None) -> None:
        style = discord.ButtonStyle.success if action == "use" else discord.ButtonStyle.secondary
        super().__init__(ui.Button(label=label or action, style=style, custom_id=f"rec:{action}:{fabrique_id}"))
        self.action = action
        self.fabrique_id = fabrique_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button[Any], match: re.Match[str], /
    ) -> RecordingButton:
        return cls(match["action"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            bot = bot_of(interaction)
            if self.action == "use":  # a modal must be the first response: no defer here
                actor = await actor_anywhere(interaction, self.fabrique_id)
                offer = await bot.services.recordings.offer(self.fabrique_id, actor)
                await open_form(interaction, self.fabrique_id, Path3P.CLASSIQUE, {}, zoom=offer)
                return
            await interaction.response.defer(ephemeral=True)
            actor = await actor_anywhere(interaction, self.fabrique_id)
            await reply(interaction, await bot.services.recordings.decline(self.fabrique_id, actor))
        except Exception as error:  # component callbacks bypass tree.on_error: report the same way
            await report_error(interaction, error)


def recording_view(i18n: I18n, fabrique_id: int) -> ui.View:
    view = ui.View(timeout=None)
    view.add_item(RecordingButton("use", fabrique_id, i18n("button.recording.use")))
    view.add_item(RecordingButton("other", fabrique_id, i18n("button.recording.other")))
    return view

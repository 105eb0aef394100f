"""« Absent·e le JJ/MM »: a registrant of a series says they will miss one date, by the button under that date's
first reminder (in a DM) or with ``/fabrique absence``. The button's custom_id carries the session's number, so it
works after a restart (the registration cog adds it); the service checks that the person is registered.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import ui

from bot.domain.text import shown
from bot.i18n import I18n
from bot.services.registrations import AbsenceOutcome
from cogs._feedback import bot_of, reply, report_error


class AbsenceButton(ui.DynamicItem[ui.Button[Any]], template=r"reg:absent:(?P<id>\d+)"):
    def __init__(self, fabrique_id: int, label: str | None = None) -> None:
        super().__init__(
            ui.Button(
                label=label or "Absent·e",
                style=discord.ButtonStyle.secondary,
                custom_id=f"reg:absent:{fabrique_id}",
            )
        )
        self.fabrique_id = fabrique_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button[Any], match: re.Match[str], /
    ) -> AbsenceButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.defer(ephemeral=True)
            bot = bot_of(interaction)
            outcome = await bot.services.registrations.absent_by_button(self.fabrique_id, interaction.user.id)
            await reply(interaction, absence_text(bot.i18n, outcome))
        except Exception as error:  # component callbacks bypass tree.on_error: report the same way
            await report_error(interaction, error)


def absence_view(i18n: I18n, fabrique_id: int, day: str) -> ui.View:
    view = ui.View(timeout=None)
    view.add_item(AbsenceButton(fabrique_id, i18n("button.absent", day=day)))
    return view


def absence_text(i18n: I18n, outcome: AbsenceOutcome) -> str:
    """What changed for that date (or that nothing had to)."""
    state = "absent" if outcome.absent else "back"
    key = f"reply.absence.{state}" if outcome.changed else f"reply.absence.already_{state}"
    session = outcome.session
    return i18n(key, title=shown(outcome.home.title), number=outcome.home.id, rank=session.series_rank,
                date=session.starts_at)  # fmt: skip

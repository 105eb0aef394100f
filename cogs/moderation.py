"""The moderation card in the team channel and its three persistent buttons.

The team role is checked by the service on every click and every motif submitted, from the roles Discord sends
with that interaction: seeing the channel is not enough to moderate. This cog implements the services' ``Cards``
port: whatever changes a Fabrique, its card shows it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import discord
from discord import ui
from discord.ext import commands

from bot.domain.lifecycle import Action, State
from bot.i18n import I18n
from bot.services.proposals import Decision
from bot.services.records import AuditRecord, EditRecord, FabriqueRecord
from bot.services.series import SeriesProgress
from cogs import _render
from cogs._announce_ui import AnnounceButton
from cogs._feedback import NO_PINGS, bot_of, current_actor, guild_id, i18n_of, reply, report_error
from cogs._views import reason_modal

if TYPE_CHECKING:
    from bot.app import FabriqueBot

log = logging.getLogger(__name__)

_ACTIONS = {"approve": Action.APPROVE, "changes": Action.REQUEST_CHANGES, "reject": Action.REJECT}
_IDS = {action: key for key, action in _ACTIONS.items()}
_STYLES = {
    Action.APPROVE: discord.ButtonStyle.success,
    Action.REQUEST_CHANGES: discord.ButtonStyle.primary,
    Action.REJECT: discord.ButtonStyle.danger,
}
# Which decisions the card offers in each state; every other state shows no button.
_BUTTONS_BY_STATE = {
    State.PROPOSED: (Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT),
    State.CHANGES_REQUESTED: (Action.REJECT,),
}


class ModerationButton(ui.DynamicItem[ui.Button[Any]], template=r"fab:(?P<action>approve|changes|reject):(?P<id>\d+)"):
    """« Approuver », « Demander des modifications », « Refuser »; the custom_id carries the Fabrique number."""

    def __init__(self, action: Action, fabrique_id: int, label: str | None = None) -> None:
        super().__init__(
            ui.Button(label=label or action.value, style=_STYLES[action], custom_id=f"fab:{_IDS[action]}:{fabrique_id}")
        )
        self.action = action
        self.fabrique_id = fabrique_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button[Any], match: re.Match[str], /
    ) -> ModerationButton:
        return cls(_ACTIONS[match["action"]], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await _on_click(interaction, self.action, self.fabrique_id)
        except Exception as error:  # component callbacks bypass tree.on_error: report the same way
            await report_error(interaction, error)


async def _on_click(interaction: discord.Interaction, action: Action, fabrique_id: int) -> None:
    services = bot_of(interaction).services
    actor = await current_actor(interaction)
    if action is Action.APPROVE:
        await interaction.response.defer(ephemeral=True)
        decision = await services.proposals.decide(guild_id(interaction), fabrique_id, actor, action)
        await _confirm(interaction, decision)
        return
    # Refused now (wrong person, wrong state) rather than after the moderator has written a motif.
    await services.proposals.check_decision(guild_id(interaction), fabrique_id, actor, action)
    handler = partial(_on_reason, action=action, fabrique_id=fabrique_id)
    await interaction.response.send_modal(reason_modal(i18n_of(interaction), action, fabrique_id, handler))


async def _on_reason(
    interaction: discord.Interaction, values: dict[str, str], *, action: Action, fabrique_id: int
) -> None:
    await interaction.response.defer(ephemeral=True)
    actor = await current_actor(interaction)  # roles are read again: they may have changed while typing
    decision = await bot_of(interaction).services.proposals.decide(
        guild_id(interaction), fabrique_id, actor, action, values.get("motif", "")
    )
    await _confirm(interaction, decision)


async def _confirm(interaction: discord.Interaction, decision: Decision) -> None:
    i18n = i18n_of(interaction)
    confirmation = i18n(f"decision.done.{decision.action.value}", number=decision.fabrique.id)
    if not decision.organizers_told:
        confirmation += "\n" + i18n("decision.dm_failed")
    await reply(interaction, confirmation)


class UndoEditButton(ui.DynamicItem[ui.Button[Any]], template=r"fab:undo:(?P<id>\d+):(?P<version>\d+)"):
    """« Annuler la modification » under an organizer's edit after approval; the custom_id names the version, so a
    click on an old card never undoes a newer correction."""

    def __init__(self, fabrique_id: int, version: int, label: str | None = None) -> None:
        super().__init__(
            ui.Button(
                label=label or "undo",
                style=discord.ButtonStyle.secondary,
                custom_id=f"fab:undo:{fabrique_id}:{version}",
            )
        )
        self.fabrique_id = fabrique_id
        self.version = version

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button[Any], match: re.Match[str], /
    ) -> UndoEditButton:
        return cls(int(match["id"]), int(match["version"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.defer(ephemeral=True)
            corrections = bot_of(interaction).services.corrections
            actor = await current_actor(interaction)
            corrected = await corrections.undo(guild_id(interaction), self.fabrique_id, self.version, actor)
            record = corrected.fabrique
            text = i18n_of(interaction)("undo.done", number=record.id, title=_render.shown(record.title))
            await reply(interaction, text)
        except Exception as error:  # component callbacks bypass tree.on_error: report the same way
            await report_error(interaction, error)


class Moderation(commands.Cog):
    """The cards, and the buttons on them."""

    def __init__(self, bot: FabriqueBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ModerationButton, AnnounceButton, UndoEditButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ModerationButton, AnnounceButton, UndoEditButton)

    async def show(self, guild_id: int, fabrique_id: int) -> bool:
        """Show the Fabrique's current state on its card; a missing card (or one deleted by hand) is posted again.
        A later session of a series has no card of its own: the series' card (its first session's) shows it."""
        services = self.bot.services
        record, history = await services.proposals.with_history(guild_id, fabrique_id)
        if record.is_welcome:
            return True  # the team's own welcome sessions were never proposals: no card
        if record.home_id != record.id:
            return await self.show(guild_id, record.home_id)
        series = await services.series.progress(guild_id, fabrique_id)
        card = Card(record, history, await services.corrections.recent(fabrique_id), series)
        if record.card_channel_id is None or record.card_message_id is None:
            config = await services.guild_config.get(guild_id)
            return config.team_channel_id is not None and await self._post(card, config.team_channel_id)
        channel = self.bot.get_channel(record.card_channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            log.warning("card channel %s of fabrique %s is gone", record.card_channel_id, record.id)
            return False
        try:
            await channel.get_partial_message(record.card_message_id).edit(
                embed=_render.moderation_card(card.record, card.history, self.bot.i18n, card.edits, card.series),
                view=_card_view(self.bot.i18n, card),
                allowed_mentions=NO_PINGS,
            )
        except discord.NotFound:
            return await self._post(card, channel.id)
        except discord.HTTPException:
            log.warning("could not update the card of fabrique %s", record.id, exc_info=True)
            return False
        return True

    async def _post(self, card: Card, channel_id: int) -> bool:
        """Post a new card; False if the channel cannot be reached."""
        record = card.record
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            log.warning("team channel %s not reachable for card of fabrique %s", channel_id, record.id)
            return False
        try:
            message = await channel.send(
                embed=_render.moderation_card(record, card.history, self.bot.i18n, card.edits, card.series),
                view=_card_view(self.bot.i18n, card),
                allowed_mentions=NO_PINGS,
            )
        except discord.HTTPException:
            log.warning("could not post the card of fabrique %s", record.id, exc_info=True)
            return False
        await self.bot.services.proposals.attach_card(record.guild_id, record.id, channel.id, message.id)
        return True


@dataclass(frozen=True)
class Card:
    """What a card shows: the Fabrique, its audit trail, its latest corrections, its sessions if a series."""

    record: FabriqueRecord
    history: list[AuditRecord]
    edits: list[EditRecord]
    series: SeriesProgress | None = None


def _card_view(i18n: I18n, card: Card) -> ui.View:
    record = card.record
    view = ui.View(timeout=None)
    for action in _BUTTONS_BY_STATE.get(record.state, ()):
        view.add_item(ModerationButton(action, record.id, i18n(f"button.{action.value}")))
    if record.awaiting_confirmation:  # the team may confirm for the organizer
        view.add_item(AnnounceButton(record.id, i18n("button.announce")))
    latest = card.edits[-1] if card.edits else None
    if latest is not None and latest.version == record.revision and latest.open_to_undo:
        view.add_item(UndoEditButton(record.id, latest.version, i18n("button.undo_edit")))
    return view


async def setup(bot: FabriqueBot) -> None:
    await bot.add_cog(Moderation(bot))

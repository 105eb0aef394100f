"""The moderation card in the team channel and its three persistent buttons.

The team role is checked by the service on every click and every motif submitted, from the roles Discord sends
with that interaction: seeing the channel is not enough to moderate.
"""

from __future__ import annotations

import logging
import re
from functools import partial
from typing import TYPE_CHECKING, Any

import discord
from discord import ui

from bot.domain.lifecycle import Action, State
from bot.i18n import I18n
from bot.services.proposals import Decision
from bot.services.records import FabriqueRecord
from cogs import _render
from cogs._feedback import NO_PINGS, bot_of, current_actor, guild_id, i18n_of, reply, report_error, send_dm
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


DYNAMIC_ITEMS = (ModerationButton,)


async def _on_click(interaction: discord.Interaction, action: Action, fabrique_id: int) -> None:
    services = bot_of(interaction).services
    actor = await current_actor(interaction)
    if action is Action.APPROVE:
        await interaction.response.defer(ephemeral=True)
        decision = await services.proposals.decide(guild_id(interaction), fabrique_id, actor, action)
        await _announce(interaction, decision)
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
    await _announce(interaction, decision)


async def _announce(interaction: discord.Interaction, decision: Decision) -> None:
    """After a decision: the card shows it, the organizers are told, the moderator gets a confirmation."""
    bot = bot_of(interaction)
    i18n = i18n_of(interaction)
    record = decision.fabrique
    await refresh_card(bot, record.guild_id, record.id)
    text = i18n(
        f"dm.{decision.action.value}",
        number=record.id,
        title=_render.shown(record.title),
        reason=_render.shown(decision.reason or ""),
    )
    # A team member deciding on their own proposal already reads the confirmation below.
    delivered = [await send_dm(bot, user_id, text) for user_id in record.organizer_ids - {interaction.user.id}]
    confirmation = i18n(f"decision.done.{decision.action.value}", number=record.id)
    if not all(delivered):
        confirmation += "\n" + i18n("decision.dm_failed")
    await reply(interaction, confirmation)


async def post_card(bot: FabriqueBot, record: FabriqueRecord, channel_id: int) -> bool:
    """Post a new card for ``record`` in the team channel; False if the channel cannot be reached."""
    record, history = await bot.services.proposals.with_history(record.guild_id, record.id)
    channel = bot.get_channel(channel_id)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        log.warning("team channel %s not reachable for card of fabrique %s", channel_id, record.id)
        return False
    try:
        message = await channel.send(
            embed=_render.moderation_card(record, history, bot.i18n),
            view=_card_view(bot.i18n, record),
            allowed_mentions=NO_PINGS,
        )
    except discord.HTTPException:
        log.warning("could not post the card of fabrique %s", record.id, exc_info=True)
        return False
    await bot.services.proposals.attach_card(record.guild_id, record.id, channel.id, message.id)
    return True


async def refresh_card(bot: FabriqueBot, guild: int, fabrique_id: int) -> None:
    """Show the Fabrique's current state on its card; a missing card (or one deleted by hand) is posted again."""
    record, history = await bot.services.proposals.with_history(guild, fabrique_id)
    if record.is_welcome:
        return  # the team's own welcome sessions were never proposals: no card
    if record.card_channel_id is None or record.card_message_id is None:
        config = await bot.services.guild_config.get(guild)
        if config.team_channel_id is not None:
            await post_card(bot, record, config.team_channel_id)
        return
    channel = bot.get_channel(record.card_channel_id)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        log.warning("card channel %s of fabrique %s is gone", record.card_channel_id, record.id)
        return
    try:
        await channel.get_partial_message(record.card_message_id).edit(
            embed=_render.moderation_card(record, history, bot.i18n),
            view=_card_view(bot.i18n, record),
            allowed_mentions=NO_PINGS,
        )
    except discord.NotFound:
        await post_card(bot, record, channel.id)
    except discord.HTTPException:
        log.warning("could not update the card of fabrique %s", record.id, exc_info=True)


def _card_view(i18n: I18n, record: FabriqueRecord) -> ui.View:
    view = ui.View(timeout=None)
    for action in _BUTTONS_BY_STATE.get(record.state, ()):
        view.add_item(ModerationButton(action, record.id, i18n(f"button.{action.value}")))
    return view

"""/fabrique proposer, modifier, retirer, mes-fabriques: a member's side of proposals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str

from bot.domain.lifecycle import State
from bot.domain.proposal import Format, Parcours, ProposalDraft
from bot.errors import InvalidInput
from bot.i18n import I18n, format_duration
from bot.services.records import FabriqueRecord
from cogs import _render
from cogs._feedback import bot_of, current_actor, guild_id, i18n_of, reply
from cogs._groups import Groups, command
from cogs._views import proposal_modal
from cogs.moderation import DYNAMIC_ITEMS, post_card, refresh_card

if TYPE_CHECKING:
    from bot.app import FabriqueBot

__all__ = ["DYNAMIC_ITEMS", "register"]

FORMAT_CHOICES = [
    Choice(name=locale_str(name), value=value.value)
    for value, name in (
        (Format.ATELIER, "Atelier"),
        (Format.ARPENTAGE, "Arpentage"),
        (Format.FOCUS_GROUP, "Focus group"),
        (Format.LIVING_LAB, "Living lab"),
        (Format.GROUPE_DE_TRAVAIL, "Groupe de travail"),
        (Format.AUTRE, "Autre"),
    )
]
PARCOURS_CHOICES = [
    Choice(name=locale_str("Classique (quelques jours de préparation)"), value=Parcours.CLASSIQUE.value),
    Choice(name=locale_str("Express (atelier 3P prêt à produire)"), value=Parcours.EXPRESS.value),
]


def register(bot: FabriqueBot, groups: Groups) -> None:
    """Add the member commands to /fabrique; duration choices come from ``[sessions] durations_minutes``."""
    durations = [Choice(name=format_duration(m), value=m) for m in bot.settings.sessions.durations_minutes]

    @app_commands.rename(
        format=locale_str("format"),
        parcours=locale_str("parcours"),
        duree=locale_str("duree"),
        coorganisateur=locale_str("coorganisateur"),
    )
    @app_commands.describe(
        format=locale_str("La forme de la session"),
        parcours=locale_str("Classique (quelques jours de préparation) ou express (atelier 3P)"),
        duree=locale_str("La durée de la session"),
        coorganisateur=locale_str("Un·e membre qui organise avec vous (facultatif)"),
    )
    @app_commands.choices(format=FORMAT_CHOICES, parcours=PARCOURS_CHOICES, duree=durations)
    async def propose(
        interaction: discord.Interaction,
        format: Choice[str],
        parcours: Choice[str],
        duree: Choice[int],
        coorganisateur: discord.Member | None = None,
    ) -> None:
        actor = await current_actor(interaction)
        config = await bot_of(interaction).services.proposals.ensure_can_propose(guild_id(interaction), actor)
        coorganizer_id = _coorganizer_id(coorganisateur)

        async def submit(modal_interaction: discord.Interaction, values: dict[str, str]) -> None:
            await modal_interaction.response.defer(ephemeral=True)
            bot = bot_of(modal_interaction)
            draft = _draft(values, Format(format.value), Parcours(parcours.value), duree.value, coorganizer_id)
            record = await bot.services.proposals.propose(guild_id(modal_interaction), actor, draft)
            await _remember_coorganizer(bot, record.guild_id, coorganisateur)
            posted = await post_card(bot, record, config.team_channel_id or 0)
            key = "propose.done" if posted else "propose.card_failed"
            await reply(modal_interaction, bot.i18n(key, number=record.id, title=_render.shown(record.title)))

        i18n = i18n_of(interaction)
        await interaction.response.send_modal(proposal_modal(i18n, i18n("modal.propose.title"), submit))

    @app_commands.rename(
        fabrique=locale_str("fabrique"),
        format=locale_str("format"),
        parcours=locale_str("parcours"),
        duree=locale_str("duree"),
        coorganisateur=locale_str("coorganisateur"),
    )
    @app_commands.describe(
        fabrique=locale_str("Le numéro de la Fabrique (n°…)"),
        format=locale_str("Nouveau format (facultatif)"),
        parcours=locale_str("Nouveau parcours (facultatif)"),
        duree=locale_str("Nouvelle durée (facultatif)"),
        coorganisateur=locale_str("Nouveau·elle coorganisateur·ice (facultatif)"),
    )
    @app_commands.choices(format=FORMAT_CHOICES, parcours=PARCOURS_CHOICES, duree=durations)
    async def edit(
        interaction: discord.Interaction,
        fabrique: int,
        format: Choice[str] | None = None,
        parcours: Choice[str] | None = None,
        duree: Choice[int] | None = None,
        coorganisateur: discord.Member | None = None,
    ) -> None:
        actor = await current_actor(interaction)
        current = await bot_of(interaction).services.proposals.get_editable(guild_id(interaction), fabrique, actor)
        coorganizer_id = _coorganizer_id(coorganisateur) if coorganisateur else current.coorganizer_id

        async def submit(modal_interaction: discord.Interaction, values: dict[str, str]) -> None:
            await modal_interaction.response.defer(ephemeral=True)
            bot = bot_of(modal_interaction)
            draft = _draft(
                values,
                Format(format.value) if format else current.format,
                Parcours(parcours.value) if parcours else current.parcours,
                duree.value if duree else current.duration_minutes,
                coorganizer_id,
            )
            record = await bot.services.proposals.edit(guild_id(modal_interaction), fabrique, actor, draft)
            await _remember_coorganizer(bot, record.guild_id, coorganisateur)
            await refresh_card(bot, record.guild_id, record.id)
            await reply(modal_interaction, _edited(bot.i18n, current, record))

        i18n = i18n_of(interaction)
        title = i18n("modal.edit.title", number=current.id)
        await interaction.response.send_modal(proposal_modal(i18n, title, submit, current))

    @app_commands.rename(fabrique=locale_str("fabrique"))
    @app_commands.describe(fabrique=locale_str("Le numéro de la Fabrique (n°…)"))
    async def withdraw(interaction: discord.Interaction, fabrique: int) -> None:
        await interaction.response.defer(ephemeral=True)
        bot = bot_of(interaction)
        actor = await current_actor(interaction)
        record = await bot.services.proposals.withdraw(guild_id(interaction), fabrique, actor)
        await refresh_card(bot, record.guild_id, record.id)
        await reply(interaction, bot.i18n("withdraw.done", number=record.id, title=_render.shown(record.title)))

    async def mine(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        bot = bot_of(interaction)
        records = await bot.services.proposals.list_for_member(guild_id(interaction), interaction.user.id)
        await reply(interaction, embed=_render.my_fabriques(records, bot.i18n))

    command(groups.fabrique, "proposer", "Proposer une Fabrique collective à l'équipe", propose)
    edit_command = command(groups.fabrique, "modifier", "Modifier une de vos propositions", edit)
    withdraw_command = command(groups.fabrique, "retirer", "Retirer une de vos propositions", withdraw)
    command(groups.fabrique, "mes-fabriques", "Vos Fabriques et leur état", mine)
    edit_command.autocomplete("fabrique")(_suggest_editable)
    withdraw_command.autocomplete("fabrique")(_suggest_editable)


async def _suggest_editable(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    """The member's proposals that can still be edited or withdrawn, filtered by what was typed."""
    bot = bot_of(interaction)
    if interaction.guild_id is None:
        return []
    records = await bot.services.proposals.suggest(interaction.guild_id, interaction.user.id, editable_only=True)
    needle = typed.strip().lower().lstrip("n°#")
    return [
        Choice(name=bot.i18n("autocomplete.fabrique", number=r.id, title=r.title, state=r.state)[:100], value=r.id)
        for r in records
        if not needle or needle in str(r.id) or needle in r.title.lower()
    ][:25]


async def _remember_coorganizer(bot: FabriqueBot, guild: int, member: discord.Member | None) -> None:
    """A co-organizer may never act themselves: store their name now, for the texts that will name them."""
    if member is not None:
        await bot.services.member_names.remember(guild, member.id, member.display_name)


def _coorganizer_id(member: discord.Member | None) -> int | None:
    if member is None:
        return None
    if member.bot:
        raise InvalidInput("error.input.coorganizer_bot")
    return member.id


def _draft(
    values: dict[str, str], format: Format, parcours: Parcours, duration: int, coorganizer_id: int | None
) -> ProposalDraft:
    return ProposalDraft(
        format=format,
        parcours=parcours,
        duration_minutes=duration,
        title=values.get("titre", ""),
        description=values.get("description", ""),
        speaker=values.get("intervenant", ""),
        needs=values.get("besoins", ""),
        coorganizer_id=coorganizer_id,
    )


def _edited(i18n: I18n, before: FabriqueRecord, after: FabriqueRecord) -> str:
    text = i18n("edit.done", number=after.id, title=_render.shown(after.title), revision=after.revision)
    if before.state is State.CHANGES_REQUESTED and after.state is State.PROPOSED:
        text += "\n" + i18n("edit.resubmitted")
    return text

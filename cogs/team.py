"""/equipe configurer: an admin tells the bot which roles and channels to use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str

from bot.errors import Forbidden
from bot.services.guild_config import ConfigChanges
from cogs import _render
from cogs._feedback import bot_of, current_actor, guild_id, reply
from cogs._groups import Groups, command

if TYPE_CHECKING:
    from bot.app import FabriqueBot

DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]]], ...] = ()


def register(bot: FabriqueBot, groups: Groups) -> None:
    @app_commands.rename(
        role_equipe=locale_str("role_equipe"),
        role_membre=locale_str("role_membre"),
        salon_equipe=locale_str("salon_equipe"),
        salon_agenda=locale_str("salon_agenda"),
        forum_articles=locale_str("forum_articles"),
    )
    @app_commands.describe(
        role_equipe=locale_str("Le rôle de l'équipe, qui modère les propositions"),
        role_membre=locale_str("Le rôle des membres (sinon tout le serveur)"),
        salon_equipe=locale_str("Le salon privé de l'équipe (cartes de modération, alertes)"),
        salon_agenda=locale_str("Le salon des annonces de sessions"),
        forum_articles=locale_str("Le forum réservé aux membres pour les articles"),
    )
    async def configure(
        interaction: discord.Interaction,
        role_equipe: discord.Role | None = None,
        role_membre: discord.Role | None = None,
        salon_equipe: discord.TextChannel | None = None,
        salon_agenda: discord.TextChannel | None = None,
        forum_articles: discord.ForumChannel | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        bot = bot_of(interaction)
        is_admin = interaction.permissions.manage_guild
        changes = ConfigChanges(
            team_role_id=role_equipe.id if role_equipe else None,
            member_role_id=role_membre.id if role_membre else None,
            team_channel_id=salon_equipe.id if salon_equipe else None,
            agenda_channel_id=salon_agenda.id if salon_agenda else None,
            articles_forum_id=forum_articles.id if forum_articles else None,
        )
        config = await bot.services.guild_config.configure(
            guild_id(interaction), changes, by=await current_actor(interaction), is_admin=is_admin
        )
        key = "configure.current" if changes == ConfigChanges() else "configure.done"
        await reply(interaction, bot.i18n(key), embed=_render.guild_config(config, bot.i18n))

    async def follow_up(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        if not actor.is_team:
            raise Forbidden("error.team_only")
        dashboard = await bot.services.timeline.follow_up(guild_id(interaction))
        await reply(interaction, embed=_render.follow_up(dashboard, bot.i18n))

    command(groups.equipe, "suivi", "Le tableau de bord : états et documentations attendues", follow_up)
    command(
        groups.equipe,
        "configurer",
        "Choisir les rôles et salons du bot (permission Gérer le serveur)",
        configure,
    )

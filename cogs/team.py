"""/equipe configurer: an admin tells the bot which roles and channels to use."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import locale_str

from bot.errors import Forbidden
from bot.services.guild_config import ConfigChanges
from cogs import _render
from cogs._feedback import bot_of, current_actor, guild_id, reply, report_error
from cogs._groups import Groups, command

if TYPE_CHECKING:
    from bot.app import FabriqueBot


class RetryCopiesButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"copy:retry:(?P<id>\d+)"):
    """« Réessayer » for a session whose website post, email or Zoom meeting failed (team only)."""

    def __init__(self, fabrique_id: int, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or "retry", style=discord.ButtonStyle.secondary, custom_id=f"copy:retry:{fabrique_id}"
            )
        )
        self.fabrique_id = fabrique_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> RetryCopiesButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.defer(ephemeral=True)
            bot = bot_of(interaction)
            if not (await current_actor(interaction)).is_team:
                raise Forbidden("error.team_only")
            count = await bot.services.outreach.retry(self.fabrique_id)
            await reply(interaction, bot.i18n("reply.retry_copies", count=count, number=self.fabrique_id))
        except Exception as error:  # component callbacks bypass tree.on_error: report the same way
            await report_error(interaction, error)


DYNAMIC_ITEMS = (RetryCopiesButton,)


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
        sessions = await bot.services.sessions.booked_to_come(guild_id(interaction))
        copies = {record.id: await bot.services.outreach.copies(record.id) for record in sessions}
        embed = _render.follow_up(dashboard, bot.i18n)
        embed.add_field(
            name=bot.i18n("followup.copies"),
            value=_render.copies(sessions, copies, bot.i18n) or bot.i18n("followup.copies_none"),
            inline=False,
        )
        failing = [record.id for record in sessions if any(c.status == "failed" for c in copies[record.id])]
        view = discord.ui.View(timeout=None)
        for number in failing[:5]:
            view.add_item(RetryCopiesButton(number, bot.i18n("button.retry_copies", number=number)))
        await reply(interaction, embed=embed, view=view)

    command(groups.equipe, "suivi", "Le tableau de bord : états et documentations attendues", follow_up)
    command(
        groups.equipe,
        "configurer",
        "Choisir les rôles et salons du bot (permission Gérer le serveur)",
        configure,
    )

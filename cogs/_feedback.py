"""How the bot answers an interaction: the single error reporter, ephemeral replies, and who is acting."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands

from bot.domain.lifecycle import Actor
from bot.errors import DomainError
from bot.i18n import I18n
from bot.services.records import GuildConfig

if TYPE_CHECKING:
    from bot.app import FabriqueBot

log = logging.getLogger(__name__)

# User text (titles, descriptions, motifs) may contain @everyone or role mentions: never let them ping.
NO_PINGS = discord.AllowedMentions.none()


def bot_of(interaction: discord.Interaction) -> FabriqueBot:
    return cast("FabriqueBot", interaction.client)


def i18n_of(interaction: discord.Interaction) -> I18n:
    return bot_of(interaction).i18n


async def reply(interaction: discord.Interaction, content: str | None = None, **kwargs: object) -> None:
    """Answer ephemerally, as a first response or a follow-up depending on what was already sent."""
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, **kwargs)  # type: ignore[arg-type]
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)  # type: ignore[arg-type]


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """The one place where failures become words: a DomainError is read, anything else is logged."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        error = error.__cause__ or error
    i18n = i18n_of(interaction)
    if isinstance(error, DomainError):
        message = i18n(error.key, **error.params)
    elif isinstance(error, app_commands.NoPrivateMessage):
        message = i18n("error.guild_only")
    elif isinstance(error, app_commands.MissingPermissions):
        message = i18n("error.admin_only")
    else:
        log.error("unexpected error in interaction %s", interaction.id, exc_info=error)
        message = i18n("error.generic")
    try:
        await reply(interaction, message)
    except discord.HTTPException:
        log.warning("could not report an error to interaction %s", interaction.id)


def actor_of(interaction: discord.Interaction, config: GuildConfig) -> Actor:
    """Who is acting, read from the member's roles on this very interaction (never from channel visibility)."""
    user = interaction.user
    return member_actor(user if isinstance(user, discord.Member) else None, user.id, config)


def member_actor(member: discord.Member | None, user_id: int, config: GuildConfig) -> Actor:
    """Team if they hold the team role; member if they hold the member role (or there is none); else neither."""
    role_ids = {role.id for role in member.roles} if member is not None else set()
    is_team = config.team_role_id is not None and config.team_role_id in role_ids
    is_member = member is not None and (is_team or config.member_role_id is None or config.member_role_id in role_ids)
    return Actor(user_id=user_id, is_team=is_team, is_member=is_member)


async def current_actor(interaction: discord.Interaction) -> Actor:
    """Who is acting; their display name is stored on the way, so they are never named by an id once gone."""
    bot, guild = bot_of(interaction), guild_id(interaction)
    config = await bot.services.guild_config.get(guild)
    await bot.services.member_names.remember(guild, interaction.user.id, interaction.user.display_name)
    return actor_of(interaction, config)


def guild_id(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id

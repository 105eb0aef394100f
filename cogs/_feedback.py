"""How the bot answers: the single error reporter, ephemeral replies, DMs that may fail, and who is acting."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands

from bot.domain.lifecycle import Actor
from bot.errors import DomainError
from bot.i18n import I18n
from bot.services.records import FabriqueRecord, GuildConfig

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


async def send_dm(bot: discord.Client, user_id: int, content: str) -> bool:
    """DM a person; closed DMs or a departed member are a normal situation, reported as False, never raised."""
    try:
        user = bot.get_user(user_id) or await bot.fetch_user(user_id)
        await user.send(content, allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.info("DM to user %s could not be delivered", user_id)
        return False
    return True


async def organizer_names(bot: FabriqueBot, record: FabriqueRecord) -> str:
    """The organizers' display names, for texts read outside Discord (article, ID3 tags, emails, website).

    Someone who left the server, or is not in the member cache (after a restart), is named by the display name the
    bot stored when they last acted; an id means nothing to a reader, so the last resort is a neutral word.
    """
    guild = bot.get_guild(record.guild_id)
    user_ids = [i for i in (record.organizer_id, record.coorganizer_id) if i is not None]
    live = {i: member.display_name for i in user_ids if guild and (member := guild.get_member(i))}
    stored = await bot.services.member_names.names(record.guild_id, set(user_ids) - live.keys())
    return ", ".join(live.get(i) or stored.get(i) or bot.i18n("member.unknown") for i in user_ids)


async def tell_organizers(bot: discord.Client, record: FabriqueRecord, text: str, *, actor_id: int | None) -> None:
    """DM the organizers of what someone else (or the bot, ``actor_id`` None) did to their Fabrique.

    Whoever acted already read the ephemeral reply: an organizer is never told of their own action twice.
    """
    for user_id in sorted(record.organizer_ids - {actor_id}):
        await send_dm(bot, user_id, text)

"""A simulated Discord (SimCord) with the real bot: a guild, its roles and channels, and the people who act."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import discord
import pytest
import simcord

from bot.app import FabriqueBot, create_bot
from bot.config import Settings
from tests.conftest import GUILD_ID, make_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def simcord_bot(settings: Settings) -> FabriqueBot:
    return create_bot(settings)


@dataclass
class World:
    env: simcord.Env
    guild: simcord.GuildHandle
    team_role: simcord.RoleHandle
    member_role: simcord.RoleHandle
    team_channel: simcord.ChannelHandle
    agenda: simcord.ChannelHandle
    general: simcord.ChannelHandle
    forum: simcord.ChannelHandle
    admin: simcord.MemberActor
    moderator: simcord.MemberActor
    alice: simcord.MemberActor
    bob: simcord.MemberActor
    outsider: simcord.MemberActor

    def dms(self, actor: simcord.MemberActor) -> list[discord.Message]:
        return actor.user.dm_channel.history()


def build_world(env: simcord.Env) -> World:
    """Guild, roles, channels and people — the bot is not configured yet."""
    guild = env.create_guild("TMNlab", id=GUILD_ID)
    admin_role = guild.create_role("Admin", permissions=discord.Permissions(manage_guild=True))
    team_role = guild.create_role("Équipe")
    member_role = guild.create_role("Membre")
    return World(
        env=env,
        guild=guild,
        team_role=team_role,
        member_role=member_role,
        team_channel=guild.create_text_channel("equipe"),
        agenda=guild.create_text_channel("agenda"),
        general=guild.create_text_channel("general"),
        forum=guild.create_forum_channel("articles"),
        admin=guild.add_member(env.create_user("admin"), roles=[admin_role, member_role]),
        moderator=guild.add_member(env.create_user("camille"), roles=[team_role, member_role]),
        alice=guild.add_member(env.create_user("alice"), roles=[member_role]),
        bob=guild.add_member(env.create_user("bob"), roles=[member_role]),
        outsider=guild.add_member(env.create_user("visiteur")),
    )


async def configure(world: World, expected: str = "enregistrée") -> None:
    result = await world.admin.slash(
        world.general,
        "equipe configurer",
        role_equipe=world.team_role,
        role_membre=world.member_role,
        salon_equipe=world.team_channel,
        salon_agenda=world.agenda,
        forum_articles=world.forum,
    )
    assert expected in said(result).content


@pytest.fixture
async def unconfigured(simcord_env: simcord.Env) -> World:
    return build_world(simcord_env)


@pytest.fixture
async def world(unconfigured: World) -> World:
    await configure(unconfigured)
    return unconfigured


def said(result: simcord.InteractionResult) -> simcord.ResponseMessage:
    """What the person finally read: the last follow-up, or the response a deferred reply turned into."""
    if result.followups:
        return result.followups[-1]
    assert result.response is not None, f"the bot did not answer: {result!r}"
    return result.response

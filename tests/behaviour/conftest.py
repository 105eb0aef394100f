"""A simulated Discord (SimCord) with the real bot: a guild, its roles and channels, and the people who act."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from bot.app import FabriqueBot
from bot.config import Settings
from demo.simcord_cdn import bot_on_simcord_cdn
from tests.conftest import GUILD_ID, make_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def simcord_bot(settings: Settings, request: pytest.FixtureRequest) -> AsyncIterator[FabriqueBot]:
    first = bot_on_simcord_cdn(settings)
    yield first
    env = request.node.funcargs.get("simcord_env")  # torn down before this fixture, which it depends on
    await close_generations(first, env if isinstance(env, simcord.Env) else None)


async def close(bot: discord.Client) -> None:
    """Close a bot SimCord has detached, once (a second ``FabriqueBot.close`` would wait for its dispatch lock).

    SimCord never calls ``close()``: an engine left open makes aiosqlite's threads call into the event loop after
    the test closed it.
    """
    if not bot.is_closed():
        await bot.close()


async def close_generations(first: discord.Client, env: simcord.Env | None) -> None:
    """Close the bot a test started with and the one running at its end; ``restart`` closed those in between."""
    for bot in {first, env.bot if env is not None else first}:
        await close(bot)


async def restart(env: simcord.Env, settings: Settings) -> FabriqueBot:
    """The bot stops and a new one starts on the same database, as after a crash or a deployment."""
    old, new = env.bot, bot_on_simcord_cdn(settings)
    await env.restart_bot(new)
    await close(old)
    return new


@asynccontextmanager
async def running(first: FabriqueBot, **options: Any) -> AsyncIterator[simcord.Env]:
    """``simcord.run(first, **options)`` for a test the fixtures do not fit, closing its bots at the end."""
    env: simcord.Env | None = None
    try:
        async with simcord.run(first, **options) as env:
            yield env
    finally:
        await close_generations(first, env)


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Settle within 2 s: the announcement's 5 s edit pause then counts as a parked timer, not pending work.

    Tests that want the edit move SimCord's clock past it (``env.advance_time(5)``).
    """
    for item in items:
        if "behaviour" in item.path.parts and item.get_closest_marker("simcord") is None:
            item.add_marker(pytest.mark.simcord(settle_timeout=2.0))

"""The simulated guild both SimCord benchmarks start from: configured, with an admin who is also the team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import discord
import simcord

from bot.config import Settings
from bot.domain.lifecycle import Actor
from tests.behaviour.builders import series_of

GUILD_ID = 424242424242424242
ZOOM = "https://zoom.us/j/123456789"


@dataclass(frozen=True)
class BenchGuild:
    guild: simcord.GuildHandle
    member_role: simcord.RoleHandle
    team_channel: simcord.ChannelHandle
    agenda: simcord.ChannelHandle
    general: simcord.ChannelHandle
    admin: simcord.MemberActor


def said(result: simcord.InteractionResult) -> str:
    message = result.followups[-1] if result.followups else result.response
    return message.content if message is not None else ""


async def configured_guild(env: simcord.Env) -> BenchGuild:
    guild = env.create_guild("Bench", id=GUILD_ID)
    admin_role = guild.create_role("Admin", permissions=discord.Permissions(manage_guild=True))
    team = guild.create_role("Équipe")
    member = guild.create_role("Membre")
    world = BenchGuild(
        guild=guild,
        member_role=member,
        team_channel=guild.create_text_channel("equipe"),
        agenda=guild.create_text_channel("agenda"),
        general=guild.create_text_channel("general"),
        admin=guild.add_member(env.create_user("admin"), roles=[admin_role, team, member]),
    )
    await world.admin.slash(
        world.general,
        "equipe configurer",
        role_equipe=team,
        role_membre=member,
        salon_equipe=world.team_channel,
        salon_agenda=world.agenda,
    )
    return world


async def announced(world: BenchGuild, env: simcord.Env, number: int, title: str, days: int, places: int) -> None:
    """Propose, approve, open a slot ``days`` ahead, give the link and book: session n°``number`` is announced."""
    admin, general = world.admin, world.general
    shown = await admin.slash(general, "fabrique proposer", format="atelier", parcours="classique", duree=120)
    await admin.submit_modal(shown, {"titre": title, "description": "Une session pour mesurer."})
    await admin.click(world.team_channel.last_message, label="Approuver")
    day = (env.now() + timedelta(days=days)).strftime("%d/%m/%Y")
    await admin.slash(general, "equipe creneau-ajouter", date=day, heure="14:00", duree=150)
    await admin.slash(general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    booked = await admin.slash(general, "fabrique reserver", fabrique=number, creneau=number, places=places)
    assert "annoncée" in said(booked), said(booked)


async def announced_series(
    world: BenchGuild, env: simcord.Env, settings: Settings, dates: int, title: str, places: int
) -> list[int]:
    """A series of ``dates`` sessions, a week apart from 30 days ahead, every one booked and announced on the one
    announcement of its first session (n°1); the numbers of its sessions in rank order.

    The first is announced by the commands, the others booked and announced through the services (until
    ``/fabrique reserver seance`` lands), naming the series' announcement as its later sessions do.
    """
    await announced(world, env, 1, title, 30, places)
    numbers = await series_of(settings, 1, dates)
    bot = env.bot
    team = Actor(world.admin.id, is_team=True)
    announcement = world.agenda.last_message.id
    for rank, number in enumerate(numbers[1:], start=2):
        day = (env.now() + timedelta(days=30 + 7 * (rank - 1))).strftime("%d/%m/%Y")
        added = await world.admin.slash(world.general, "equipe creneau-ajouter", date=day, heure="14:00", duree=150)
        slot = int(said(added).split("n°")[1].split("**")[0])
        await bot.services.slots.book(GUILD_ID, number, slot, team)
        await bot.services.sessions.set_zoom_link(GUILD_ID, number, team, ZOOM)
        own = Actor(bot.user.id, is_team=True)
        await bot.services.sessions.mark_announced(GUILD_ID, number, own, world.agenda.id, announcement, None)
    return numbers

"""The simulated guild both SimCord benchmarks start from: configured, with an admin who is also the team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import discord
import simcord

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

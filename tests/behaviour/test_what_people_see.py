"""What people see follows what happened: the team card, the organizer's DMs, registrations after a restart."""

from __future__ import annotations

from datetime import timedelta

import discord
import simcord

from bot.errors import Forbidden
from tests.behaviour.builders import (
    ZOOM,
    add_slot,
    announced_session,
    approved_fabrique,
    bot_away,
    local_date,
    move_to,
    session_times,
    texts,
)
from tests.behaviour.conftest import World, restart, said


def card_state(world: World, number: int) -> str:
    """The « État » the team reads on the newest card of Fabrique ``number``."""
    cards = [
        m
        for m in world.team_channel.history()
        if m.embeds and (m.embeds[0].title or "").startswith(f"Proposition n°{number} ")
    ]
    return next(field.value for field in cards[-1].embeds[0].fields if field.name == "État")


async def document_and_publish(world: World, actor, number: int) -> None:
    shown = await actor.slash(world.general, "fabrique documenter", fabrique=number)
    await actor.submit_modal(shown, {"notes": "Idées clés : mutualiser les outils.", "ressources": ""})
    await world.env.settle(timeout=30)
    published = await actor.user.click(world.dms(actor)[-1], label="Publier")
    assert "Publié" in said(published).content


async def test_the_team_card_follows_every_state(world: World, settings) -> None:
    number = await announced_session(world)
    assert card_state(world, number) == "**annoncée**"
    _, end = await session_times(world, settings, number)
    await move_to(world, end + timedelta(minutes=1))
    assert card_state(world, number) == "**tenue**"
    await move_to(world, end + timedelta(minutes=16))
    assert card_state(world, number) == "**documentation attendue**"
    shown = await world.alice.slash(world.general, "fabrique documenter", fabrique=number)
    await world.alice.submit_modal(shown, {"notes": "Idées clés.", "ressources": ""})
    await world.env.settle(timeout=30)
    assert card_state(world, number) == "**documentation en cours**"
    await world.alice.user.click(world.dms(world.alice)[-1], label="Publier")
    assert card_state(world, number) == "**documentée**"


async def test_the_organizer_hears_of_what_others_and_the_bot_do(world: World, settings) -> None:
    number = await approved_fabrique(world)
    slot = await add_slot(world, local_date(world, 20))
    await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
    before = len(world.dms(world.alice))

    linked = await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    assert "maintenant annoncée" in said(linked).content
    told = texts(world, world.alice)[before:]
    assert len(told) == 1 and "est annoncée" in told[0] and f"n°{number}" in told[0], told

    later = await add_slot(world, local_date(world, 25))
    await world.moderator.slash(world.general, "fabrique reserver", fabrique=number, creneau=later)
    told = texts(world, world.alice)[before + 1 :]
    assert len(told) == 1 and "déplacée" in told[0] and "lundi 26 janvier 2026" in told[0], told

    own = await add_slot(world, local_date(world, 30))
    moved = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=own)
    assert "déplacée" in said(moved).content
    assert len(world.dms(world.alice)) == before + 2  # her own move: the ephemeral reply only

    _, end = await session_times(world, settings, number)
    await move_to(world, end + timedelta(minutes=1))
    told = texts(world, world.alice)[before + 2 :]
    assert len(told) == 1 and "est terminée" in told[0], told

    await move_to(world, end + timedelta(minutes=16))
    await document_and_publish(world, world.moderator, number)
    assert "est publiée" in texts(world, world.alice)[-1]
    assert world.env.errors == []


async def test_the_organizer_is_not_told_of_her_own_booking(world: World) -> None:
    number = await approved_fabrique(world)
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    before = len(world.dms(world.alice))
    slot = await add_slot(world, local_date(world, 20))
    booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
    assert "annoncée" in said(booked).content
    assert len(world.dms(world.alice)) == before


async def test_leaving_is_not_undone_by_a_restart(world: World, settings) -> None:
    # An agenda where the bot may not remove other people's reactions: the ✅ stays after leaving.
    agenda = world.guild.create_text_channel(
        "agenda-bis", overwrites={world.env.bot.user: discord.PermissionOverwrite(manage_messages=False)}
    )
    await world.admin.slash(world.general, "equipe configurer", salon_agenda=agenda)
    world.agenda = agenda
    number = await announced_session(world)
    announcement = world.agenda.last_message
    carla = world.guild.add_member(world.env.create_user("carla"), roles=[world.member_role])
    await carla.react(announcement, "✅")
    await world.bob.react(announcement, "✅")
    await carla.click(announcement, label="Se désinscrire")
    await world.bob.slash(world.general, "fabrique desinscrire", fabrique=number)
    carla_dms = len(world.dms(carla))

    await restart(world.env, settings)

    listing = said(await world.moderator.slash(world.general, "fabrique inscrits", fabrique=number)).content
    assert f"<@{carla.id}>" not in listing and f"<@{world.bob.id}>" not in listing
    assert len(world.dms(carla)) == carla_dms
    link = await carla.slash(world.general, "fabrique lien", fabrique=number)
    assert ZOOM not in said(link).content
    simcord.assert_error(world.env, Forbidden, contains="error.link.not_registered")

    # Her ✅ taken off and put back is a new registration, even if the bot only sees it at its next start.
    await carla.unreact(announcement, "✅")
    async with bot_away(world.env, settings):
        world.env.backend.set_reaction(announcement.channel.id, announcement.id, "✅", carla.id, True)
    await world.env.settle()
    listing = said(await world.moderator.slash(world.general, "fabrique inscrits", fabrique=number)).content
    assert f"<@{carla.id}>" in listing and f"<@{world.bob.id}>" not in listing
    assert "Vous êtes inscrit·e" in world.dms(carla)[-1].content


async def test_leaving_by_button_takes_the_reaction_off_when_allowed(world: World) -> None:
    await announced_session(world)
    announcement = world.agenda.last_message
    await world.alice.react(announcement, "✅")
    await world.alice.click(announcement, label="Se désinscrire")
    reaction = next(r for r in world.agenda.last_message.reactions if str(r.emoji) == "✅")
    assert world.alice.id not in [user.id async for user in reaction.users()]

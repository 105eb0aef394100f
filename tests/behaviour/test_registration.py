"""Registration by reaction, button and command; capacity, waitlist and promotion; reconciliation at start."""

from __future__ import annotations

import simcord

from tests.behaviour.builders import ZOOM, announced_session, bot_away, places_field
from tests.behaviour.conftest import World, restart, said
from tests.support import assert_refused


async def test_three_ways_in_and_out(world: World) -> None:
    number = await announced_session(world)
    announcement = world.agenda.last_message

    await world.alice.react(announcement, "✅")
    assert "Vous êtes inscrit·e" in world.dms(world.alice)[-1].content
    clicked = await world.bob.click(announcement, label="S'inscrire")
    assert "vous êtes inscrit·e" in said(clicked).content
    typed = await world.moderator.slash(world.general, "fabrique inscrire", fabrique=number)
    assert "vous êtes inscrit·e" in said(typed).content
    again = await world.bob.slash(world.general, "fabrique inscrire", fabrique=number)
    assert "déjà inscrit·e" in said(again).content

    await world.env.advance_time(6)
    assert places_field(world).startswith("3 inscrit·e(s) sur 100 places")

    await world.alice.unreact(announcement, "✅")
    assert "est annulée" in world.dms(world.alice)[-1].content
    left = await world.bob.click(announcement, label="Se désinscrire")
    assert "est annulée" in said(left).content
    out = await world.moderator.slash(world.general, "fabrique desinscrire", fabrique=number)
    assert "est annulée" in said(out).content
    nothing = await world.moderator.slash(world.general, "fabrique desinscrire", fabrique=number)
    assert "rien à annuler" in said(nothing).content
    await world.env.advance_time(6)
    assert places_field(world).startswith("0 inscrit·e(s)")
    assert world.env.errors == []


async def test_non_members_are_refused_every_way(world: World) -> None:
    number = await announced_session(world)
    announcement = world.agenda.last_message
    await world.outsider.react(announcement, "✅")
    assert "réservée aux membres" in world.dms(world.outsider)[-1].content
    clicked = await world.outsider.click(announcement, label="S'inscrire")
    assert "réservée aux membres" in said(clicked).content
    typed = await world.outsider.slash(world.general, "fabrique inscrire", fabrique=number)
    assert "réservée aux membres" in said(typed).content
    await world.env.advance_time(6)
    assert places_field(world).startswith("0 inscrit·e(s)")
    assert_refused(world.env, "error.members_only")


async def test_capacity_waitlist_and_promotion(world: World) -> None:
    number = await announced_session(world, places=2)
    announcement = world.agenda.last_message
    carla, dani = (
        world.guild.add_member(world.env.create_user(n), roles=[world.member_role]) for n in ("carla", "dani")
    )
    for person in (world.alice, world.bob, carla, dani):
        await person.click(announcement, label="S'inscrire")
    await world.env.advance_time(6)
    assert places_field(world) == "2 inscrit·e(s) sur 2 places — 0 place(s) libre(s)\n2 personne(s) en liste d'attente"

    link = await carla.slash(world.general, "fabrique lien", fabrique=number)
    assert "liste d'attente" in said(link).content and ZOOM not in said(link).content

    await world.alice.click(announcement, label="Se désinscrire")
    promoted = world.dms(carla)[-1].content
    assert "Une place s'est libérée" in promoted
    assert world.dms(dani) == []  # still waiting, second in line
    link = await carla.slash(world.general, "fabrique lien", fabrique=number)
    assert ZOOM in said(link).content

    listing = await world.bob.slash(world.general, "fabrique inscrits", fabrique=number)
    assert "Seule l'organisation" in said(listing).content
    listing = await world.alice.slash(world.general, "fabrique inscrits", fabrique=number)
    message = said(listing)
    assert f"<@{carla.id}>" in message.content and f"1. <@{dani.id}>" in message.content
    csv_text = (await message.attachments[0].read()).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("identifiant,nom,statut")
    assert len(csv_text.splitlines()) == 4
    assert_refused(world.env, "error.link.waitlisted", "error.not_organizer_or_team")


async def test_zoom_link_only_for_registrants(world: World) -> None:
    number = await announced_session(world)
    refused = await world.bob.slash(world.general, "fabrique lien", fabrique=number)
    assert "réservé aux inscrit·es" in said(refused).content and ZOOM not in said(refused).content
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    given = await world.bob.slash(world.general, "fabrique lien", fabrique=number)
    assert ZOOM in said(given).content and said(given).ephemeral
    assert_refused(world.env, "error.link.not_registered")


async def test_announcement_edits_are_batched(world: World) -> None:
    await announced_session(world)
    announcement = world.agenda.last_message
    edits_before = world.env.bot.announcer.edits
    for person in (world.alice, world.bob, world.moderator, world.admin):
        await person.click(announcement, label="S'inscrire")
    assert world.env.bot.announcer.edits == edits_before  # within 5 s of the announcement: none yet
    await world.env.advance_time(6)
    assert world.env.bot.announcer.edits == edits_before + 1
    assert places_field(world).startswith("4 inscrit·e(s)")


async def test_reactions_made_while_the_bot_is_away_are_reconciled(world: World, settings) -> None:
    number = await announced_session(world)
    announcement = world.agenda.last_message
    await world.alice.react(announcement, "✅")
    await world.bob.react(announcement, "✅")
    env = world.env
    await env.settle()
    async with bot_away(env, settings):  # the bot is down: reactions change without it seeing them
        env.backend.set_reaction(announcement.channel.id, announcement.id, "✅", world.alice.id, False)
        env.backend.set_reaction(announcement.channel.id, announcement.id, "✅", world.moderator.id, True)
        env.backend.set_reaction(announcement.channel.id, announcement.id, "✅", world.outsider.id, True)
    await env.settle()

    listing = said(await world.moderator.slash(world.general, "fabrique inscrits", fabrique=number)).content
    assert f"<@{world.bob.id}>" in listing and f"<@{world.moderator.id}>" in listing
    assert f"<@{world.alice.id}>" not in listing and f"<@{world.outsider.id}>" not in listing
    assert "Vous êtes inscrit·e" in world.dms(world.moderator)[-1].content

    await restart(env, settings)  # a second start changes nothing
    again = said(await world.moderator.slash(world.general, "fabrique inscrits", fabrique=number)).content
    assert again == listing
    assert places_field(world).startswith("2 inscrit·e(s)")


async def test_cancellation_reaches_everyone(world: World) -> None:
    number = await announced_session(world)
    for person in (world.bob, world.moderator):
        await person.click(world.agenda.last_message, label="S'inscrire")
    refused = await world.alice.slash(world.general, "equipe annuler", fabrique=number, motif="Intervenante malade")
    assert "Seule l'équipe" in said(refused).content
    done = await world.moderator.slash(world.general, "equipe annuler", fabrique=number, motif="Intervenante malade")
    assert "2 inscrit·e(s)" in said(done).content
    for person in (world.bob, world.moderator, world.alice):
        assert "est annulée" in world.dms(person)[-1].content and "Intervenante malade" in world.dms(person)[-1].content
    announcement = world.agenda.last_message
    assert announcement.components == [] and "annulée" in announcement.content
    (event,) = world.env.bot.get_guild(world.guild.id).scheduled_events
    assert event.status.name in {"cancelled", "canceled"}
    closed = await world.admin.slash(world.general, "fabrique inscrire", fabrique=number)
    assert "ne sont pas ouvertes" in said(closed).content
    assert_refused(world.env, "error.team_only", "error.register.closed")


async def test_agenda_lists_upcoming_sessions_with_a_calendar(world: World) -> None:
    empty = await world.alice.slash(world.general, "fabrique agenda")
    assert "Aucune session" in said(empty).embeds[0].description
    number = await announced_session(world)
    result = said(await world.alice.slash(world.general, "fabrique agenda"))
    assert f"**n°{number}**" in result.embeds[0].description
    ics = (await result.attachments[0].read()).decode()
    assert "BEGIN:VCALENDAR" in ics and "zoom.us" not in ics


async def test_welcome_sessions(world: World) -> None:
    refused = await world.alice.slash(
        world.general, "equipe accueil", jour=1, rang=1, heure="12:30", lien=ZOOM, nombre=2
    )
    assert "Seule l'équipe" in said(refused).content
    done = await world.moderator.slash(
        world.general, "equipe accueil", jour=1, rang=1, heure="12:30", lien=ZOOM, nombre=2
    )
    text = said(done).content
    assert "2 session(s) d'accueil" in text and "mardi 3 février 2026 à 12:30" in text
    announcement = world.agenda.last_message
    assert announcement.embeds[0].title.startswith("30 min chrono")
    clicked = await world.bob.click(announcement, label="S'inscrire")
    assert "vous êtes inscrit·e" in said(clicked).content
    assert world.team_channel.last_message is None or "Proposition" not in str(world.team_channel.last_message.embeds)
    assert_refused(world.env, "error.team_only")


__all__ = ["simcord"]

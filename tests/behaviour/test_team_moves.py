"""The team's week with sessions that change: a classic session moved three days ahead (the team may force the
lead time, organizers never), a session moved to a date and time typed by the team, a slot released and booked
again with its registrants kept, and a session cancelled cleanly.

Every registrant hears each change exactly once; a new date comes with its new ``.ics``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import discord
from icalendar import Calendar

from tests.behaviour.builders import (
    add_slot,
    announced_session,
    local_date,
    move_to,
    places_field,
    reminders,
    session_times,
)
from tests.behaviour.conftest import World, said
from tests.support import assert_refused

PARIS = ZoneInfo("Europe/Paris")


async def registered(world: World, number: int, *people) -> None:
    """Each person registers with the announcement's button, as members do."""
    for person in people:
        clicked = await person.click(world.agenda.last_message, label="S'inscrire")
        assert "inscrit" in said(clicked).content, said(clicked).content


def dm_counts(world: World, *people) -> list[int]:
    return [len(world.dms(person)) for person in people]


async def calendar_start(message: discord.Message) -> datetime:
    """The start written in the ``.ics`` file a DM carries (it must carry exactly one)."""
    (attachment,) = message.attachments
    assert attachment.filename.endswith(".ics")
    (event,) = Calendar.from_ical(await attachment.read()).walk("VEVENT")
    return event.decoded("dtstart").astimezone(UTC)


def event_of(world: World, status: discord.EventStatus) -> list[discord.ScheduledEvent]:
    return [e for e in world.env.bot.get_guild(world.guild.id).scheduled_events if e.status is status]


async def test_a_classic_session_is_moved_three_days_ahead_only_by_the_team_with_force(world: World, settings) -> None:
    number = await announced_session(world)  # classique: 7 days of preparation
    await registered(world, number, world.bob, world.admin)
    soon = await add_slot(world, local_date(world, 3), "10:00", 150)
    before = dm_counts(world, world.bob, world.admin)

    by_organizer = await world.alice.slash(world.general, "equipe deplacer", fabrique=number, creneau=soon, force=True)
    assert "Seule l'équipe" in said(by_organizer).content
    by_organizer_herself = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=soon)
    assert "7 jours de préparation" in said(by_organizer_herself).content
    without_force = await world.moderator.slash(world.general, "equipe deplacer", fabrique=number, creneau=soon)
    assert "7 jours de préparation" in said(without_force).content and "force" in said(without_force).content
    assert dm_counts(world, world.bob, world.admin) == before  # refusals change nothing and tell nobody
    assert_refused(world.env, "error.team_only", "error.slot.too_soon", "error.move.too_soon")

    moved = await world.moderator.slash(world.general, "equipe deplacer", fabrique=number, creneau=soon, force=True)
    assert "est déplacée" in said(moved).content and "2 inscrit·e(s)" in said(moved).content
    start, end = await session_times(world, settings, number)
    assert start.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") == f"{local_date(world, 3)} 10:00"
    for person, count in zip((world.bob, world.admin), before, strict=True):
        assert len(world.dms(person)) == count + 1  # one DM each, with the new date and its .ics
        news = world.dms(person)[-1]
        assert "change de date" in news.content
        assert await calendar_start(news) == start
    announcement = world.agenda.last_message
    assert f"<t:{int(start.timestamp())}:F>" in str(announcement.embeds[0].to_dict())
    assert places_field(world).startswith("2 inscrit·e(s)")  # registrations stay
    (event,) = event_of(world, discord.EventStatus.scheduled)
    assert (event.start_time, event.end_time) == (start, end)
    listing = said(await world.moderator.slash(world.general, "fabrique inscrits", fabrique=number)).content
    assert f"<@{world.bob.id}>" in listing and f"<@{world.admin.id}>" in listing

    # Reminders follow the new date.
    await move_to(world, start - timedelta(hours=24))
    assert len(reminders(world, world.bob)) == 1


async def test_the_team_moves_a_session_to_a_date_and_time_it_types(world: World, settings) -> None:
    number = await announced_session(world, days=20)
    await registered(world, number, world.bob)
    other = await add_slot(world, local_date(world, 25), "14:00", 150)  # 14:00–16:30, plus 15 min of buffer
    before = len(world.dms(world.bob))

    refusals = [
        {"creneau": other, "date": local_date(world, 26), "heure": "10:00"},  # both
        {"date": local_date(world, 26)},  # a date without its time
        {},  # nothing at all
    ]
    for options in refusals:
        refused = await world.moderator.slash(world.general, "equipe deplacer", fabrique=number, **options)
        assert "soit un créneau" in said(refused).content
    overlapping = await world.moderator.slash(
        world.general, "equipe deplacer", fabrique=number, date=local_date(world, 25), heure="16:30"
    )
    assert f"chevauche le créneau n°{other}" in said(overlapping).content
    assert len(world.dms(world.bob)) == before
    assert_refused(world.env, *["error.move.target"] * 3, "error.slot.overlap")

    moved = await world.moderator.slash(
        world.general, "equipe deplacer", fabrique=number, date=local_date(world, 25), heure="16:45"
    )
    assert "est déplacée" in said(moved).content
    start, end = await session_times(world, settings, number)
    assert (end - start) == timedelta(hours=2)  # the slot made on the fly has the session's length
    planning = said(await world.moderator.slash(world.general, "equipe creneaux")).embeds[0].description
    assert f"<t:{int(start.timestamp())}:F> · 2h · réservé (Fabrique n°{number})" in planning
    assert len(world.dms(world.bob)) == before + 1
    assert "change de date" in world.dms(world.bob)[-1].content
    assert await calendar_start(world.dms(world.bob)[-1]) == start
    assert places_field(world).startswith("1 inscrit·e(s)")


async def test_a_released_session_keeps_its_registrants_and_brings_them_to_the_new_date(world: World, settings) -> None:
    number = await announced_session(world, places=1)
    await registered(world, number, world.bob)
    waiting = await world.admin.click(world.agenda.last_message, label="S'inscrire")
    assert "liste d'attente" in said(waiting).content
    announcement_id = world.agenda.last_message.id
    before = dm_counts(world, world.bob, world.admin)

    released = await world.alice.slash(world.general, "fabrique liberer", fabrique=number)
    assert "inscriptions sont gardées" in said(released).content
    for person, count in zip((world.bob, world.admin), before, strict=True):
        assert len(world.dms(person)) == count + 1
        assert "la date est à nouveau à fixer, votre inscription est gardée" in world.dms(person)[-1].content
    announcement = world.agenda.last_message
    assert announcement.id == announcement_id
    assert "Date à fixer de nouveau" in announcement.content and announcement.components == []
    assert "inscrivez-vous" not in announcement.embeds[0].footer.text
    assert [str(r.emoji) for r in announcement.reactions] == ["✅"]  # the kept registrations keep their ✅
    assert event_of(world, discord.EventStatus.scheduled) == []
    listing = said(await world.moderator.slash(world.general, "fabrique inscrits", fabrique=number)).content
    assert f"<@{world.bob.id}>" in listing and f"1. <@{world.admin.id}>" in listing  # the waitlist too

    later = await add_slot(world, local_date(world, 30))
    booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=later)
    assert "annoncée" in said(booked).content
    start, _ = await session_times(world, settings, number)
    for person, count in zip((world.bob, world.admin), before, strict=True):
        assert len(world.dms(person)) == count + 2  # the release, then the new date
        news = world.dms(person)[-1]
        assert "nouvelle date" in news.content and "inscription est gardée" in news.content
        assert await calendar_start(news) == start
    announcement = world.agenda.last_message
    assert announcement.id == announcement_id and announcement.content == ""  # the same announcement, open again
    assert [c.label for row in announcement.components for c in row.children] == ["S'inscrire", "Se désinscrire"]
    await world.env.advance_time(6)
    assert places_field(world) == "1 inscrit·e(s) sur 1 places — 0 place(s) libre(s)\n1 personne(s) en liste d'attente"
    (event,) = event_of(world, discord.EventStatus.scheduled)
    assert event.start_time == start

    await move_to(world, start - timedelta(hours=24))
    assert len(reminders(world, world.bob)) == 1 and reminders(world, world.admin) == []  # seated only


async def test_a_cancelled_session_says_so_and_can_no_longer_be_joined(world: World) -> None:
    number = await announced_session(world)
    announcement = world.agenda.last_message
    for person in (world.bob, world.admin):
        await person.react(announcement, "✅")
    before = dm_counts(world, world.bob, world.admin)

    done = await world.moderator.slash(world.general, "equipe annuler", fabrique=number, motif="Intervenante malade")
    assert "2 inscrit·e(s)" in said(done).content

    announcement = world.agenda.last_message
    assert announcement.content.startswith("❌ **ANNULÉE**") and "Intervenante malade" in announcement.content
    assert "inscrivez-vous" not in announcement.embeds[0].footer.text
    assert announcement.reactions == [] and announcement.components == []
    (event,) = world.env.bot.get_guild(world.guild.id).scheduled_events
    assert event.status is discord.EventStatus.cancelled
    for person, count in zip((world.bob, world.admin), before, strict=True):
        assert len(world.dms(person)) == count + 1
        assert "est annulée" in world.dms(person)[-1].content and "Intervenante malade" in world.dms(person)[-1].content
    assert_refused(world.env)

"""A series through Discord: ✅ on its one announcement registers for every date, reminders arrive per date, a
registrant says « Absent·e le JJ/MM » for one date and misses only that date's reminder, the waitlist is the
series', and a restart between two sessions keeps all of it.

The series is made by ``series_of`` (as approval makes one); its later sessions are booked and announced through
the services, naming the series' one announcement message (what the one-announcement work makes of them).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import simcord

from bot.domain.lifecycle import Actor
from tests.behaviour.builders import (
    ZOOM,
    add_slot,
    approved_fabrique,
    local_date,
    move_to,
    series_of,
    session_times,
    texts,
)
from tests.behaviour.conftest import World, restart, said
from tests.conftest import GUILD_ID
from tests.support import assert_refused

PARIS = ZoneInfo("Europe/Paris")


async def announced_series(world: World, settings, *, places: int | None = None) -> list[int]:
    """Alice's series of three sessions, 20 and 27 days ahead (the third without a date yet): the first booked and
    announced by the commands, the second through the services on the same announcement."""
    number = await approved_fabrique(world)
    numbers = await series_of(settings, number, 3)
    slot = await add_slot(world, local_date(world, 20))
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    options = {"places": places} if places is not None else {}
    booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot, **options)
    assert "annoncée" in said(booked).content, said(booked).content
    await announce_later(world, numbers[1], await add_slot(world, local_date(world, 27)))
    return numbers


async def announce_later(world: World, session: int, slot: int) -> None:
    """A later session booked and announced on the series' announcement (no second message)."""
    bot = world.env.bot
    services, home_message = bot.services, world.agenda.last_message
    alice = Actor(world.alice.id)
    await services.slots.book(GUILD_ID, session, slot, alice)
    await services.sessions.set_zoom_link(GUILD_ID, session, Actor(world.moderator.id, is_team=True), ZOOM)
    bot_actor = Actor(bot.user.id, is_team=True)
    await services.sessions.mark_announced(GUILD_ID, session, bot_actor, world.agenda.id, home_message.id, None)


def reminders(world: World, actor: simcord.MemberActor) -> list[str]:
    """The reminders a person received, by their first words (« Séance 2 sur 3 »)."""
    return [text.split(" · ")[0] for text in texts(world, actor) if "⏰ Rappel" in text]


def day(moment: datetime) -> str:
    """JJ/MM in the guild's time zone, as the absence button says it."""
    return moment.astimezone(PARIS).strftime("%d/%m")


async def test_a_check_on_the_series_announcement_registers_for_it_and_each_date_is_reminded_once(
    world: World, settings
) -> None:
    home, second, _ = await announced_series(world, settings)
    announcement = world.agenda.last_message

    await world.bob.react(announcement, "✅")

    assert "inscrit·e à la série" in world.dms(world.bob)[-1].content
    first_start, _ = await session_times(world, settings, home)
    second_start, _ = await session_times(world, settings, second)
    for moment in (first_start - timedelta(hours=24), first_start - timedelta(minutes=60)):
        await move_to(world, moment)
    assert reminders(world, world.bob) == ["Séance 1 sur 3", "Séance 1 sur 3"]
    first_reminder = next(m for m in world.dms(world.bob) if "⏰ Rappel" in m.content)
    assert [c.label for row in first_reminder.components for c in row.children] == [f"Absent·e le {day(first_start)}"]

    for moment in (second_start - timedelta(hours=24), second_start - timedelta(minutes=60)):
        await move_to(world, moment)
        await world.env.bot.run_due_work()  # nothing is sent twice
    assert reminders(world, world.bob) == ["Séance 1 sur 3"] * 2 + ["Séance 2 sur 3"] * 2
    assert all(ZOOM in text for text in texts(world, world.bob) if "⏰ Rappel" in text)
    assert world.env.errors == []


async def test_absent_on_one_date_misses_only_that_dates_reminder(world: World, settings) -> None:
    home, second, _ = await announced_series(world, settings)
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    first_start, _ = await session_times(world, settings, home)
    second_start, _ = await session_times(world, settings, second)
    await move_to(world, first_start - timedelta(hours=24))
    reminder = world.dms(world.bob)[-1]

    pressed = await world.bob.user.click(reminder, label=f"Absent·e le {day(first_start)}")
    again = await world.bob.user.click(reminder, label=f"Absent·e le {day(first_start)}")

    assert "C'est noté : vous manquerez la séance 1" in said(pressed).content
    assert "déjà notée" in said(again).content  # twice changes nothing
    listing = said(await world.alice.slash(world.general, "fabrique inscrits", fabrique=home))
    assert "Séance 1" in listing.content and "0 présent·es, 1 absent·es" in listing.content
    header, row = csv.reader(io.StringIO((await listing.attachments[0].read()).decode("utf-8-sig")))
    assert header[-3:] == [
        f"séance 1 ({first_start.astimezone(PARIS):%d/%m/%Y})",
        f"séance 2 ({second_start.astimezone(PARIS):%d/%m/%Y})",
        "séance 3 (date à fixer)",
    ]
    assert row[0] == str(world.bob.id) and row[-3:] == ["absent·e", "présent·e", "présent·e"]
    absent = await world.bob.slash(world.general, "fabrique absence", fabrique=home, seance=2)
    assert "vous manquerez la séance 2" in said(absent).content
    back = await world.bob.slash(world.general, "fabrique absence", fabrique=home, seance=2, annuler=True)
    assert "vous viendrez finalement à la séance 2" in said(back).content

    await move_to(world, first_start - timedelta(minutes=60))
    await move_to(world, second_start - timedelta(hours=24))
    await move_to(world, second_start - timedelta(minutes=60))

    assert reminders(world, world.bob) == ["Séance 1 sur 3", "Séance 2 sur 3", "Séance 2 sur 3"]
    refused = await world.alice.slash(world.general, "fabrique absence", fabrique=home, seance=3)
    assert "n'êtes pas inscrit·e" in said(refused).content
    assert_refused(world.env, "error.absence.not_registered")


async def test_the_waitlist_of_a_series_and_a_promotion_that_brings_every_dates_reminders(
    world: World, settings
) -> None:
    _, second, _ = await announced_series(world, settings, places=1)
    announcement = world.agenda.last_message
    carla = world.guild.add_member(world.env.create_user("carla"), roles=[world.member_role])
    await world.bob.react(announcement, "✅")
    waiting = await carla.click(announcement, label="S'inscrire")
    assert "liste d'attente" in said(waiting).content

    await world.bob.click(announcement, label="Se désinscrire")

    assert "Une place s'est libérée" in world.dms(carla)[-1].content
    second_start, _ = await session_times(world, settings, second)
    await move_to(world, second_start - timedelta(hours=24))
    assert reminders(world, carla) == ["Séance 2 sur 3"]  # the first date's reminders went with it
    assert reminders(world, world.bob) == []
    assert world.env.errors == []


async def test_a_restart_between_sessions_keeps_registrations_absences_and_the_button(
    world: World, settings, simcord_env: simcord.Env
) -> None:
    home, second, third = await announced_series(world, settings)
    announcement = world.agenda.last_message
    carla = world.guild.add_member(world.env.create_user("carla"), roles=[world.member_role])
    await world.bob.react(announcement, "✅")
    await carla.react(announcement, "✅")
    first_start, first_end = await session_times(world, settings, home)
    second_start, _ = await session_times(world, settings, second)
    await move_to(world, first_start - timedelta(hours=24))
    await move_to(world, first_start - timedelta(minutes=60))
    await move_to(world, first_end + timedelta(hours=1))  # the first session is held
    await world.bob.slash(world.general, "fabrique absence", fabrique=home, seance=2)
    await move_to(world, second_start - timedelta(hours=24))
    carla_reminder = world.dms(carla)[-1]

    await restart(simcord_env, settings)

    # The button of a reminder sent before the restart still works.
    pressed = await carla.user.click(carla_reminder, label=f"Absent·e le {day(second_start)}")
    assert "vous manquerez la séance 2" in said(pressed).content
    late = world.guild.add_member(world.env.create_user("dani"), roles=[world.member_role])
    joined = await late.slash(world.general, "fabrique inscrire", fabrique=home)  # open: the second date is to come
    assert "inscrit·e" in said(joined).content
    await move_to(world, second_start - timedelta(minutes=60))

    assert reminders(world, world.bob) == ["Séance 1 sur 3"] * 2  # absent from the second date
    assert reminders(world, carla) == ["Séance 1 sur 3"] * 2 + ["Séance 2 sur 3"]  # then absent from it too
    assert reminders(world, late) == ["Séance 2 sur 3"] * 2  # the one due at once, then the last one
    listing = await world.alice.slash(world.general, "fabrique inscrits", fabrique=home)
    assert f"<@{late.id}>" in said(listing).content
    assert "Séance 2" in said(listing).content and "1 présent·es, 2 absent·es" in said(listing).content
    assert "Séance 3 (date à fixer)" in said(listing).content and third
    assert world.env.errors == []

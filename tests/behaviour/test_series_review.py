"""Review of issue 15 (a Fabrique can be a series): stories at the seams between its four workstreams, each one a
bug a person could meet, proven here before it was fixed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.app import create_bot
from bot.config import Settings
from bot.db.models import FabriqueRow
from tests.behaviour.builders import (
    ZOOM,
    add_slot,
    approved_fabrique,
    bot_away,
    local_date,
    move_to,
    row,
    series_of,
    session_times,
)
from tests.behaviour.conftest import World, build_world, configure, running, said
from tests.behaviour.test_links_and_holds import holding
from tests.behaviour.test_series_w3 import book, events, series


async def test_interested_in_a_later_sessions_event_while_the_bot_is_away_registers_for_the_series(
    world: World, settings: Settings
) -> None:
    """« Intéressé » on session 2's scheduled event registers for the series when the bot is up: given while the
    bot was down, it must be caught up at start too (nothing lost on restart), not only the first session's."""
    home, second, _ = await series(world, settings)
    await book(world, second, 34)
    event_id = (await row(settings, FabriqueRow, second))["scheduled_event_id"]
    assert event_id
    env = world.env
    async with bot_away(env, settings):
        env.backend.set_scheduled_event_subscription(world.guild.id, event_id, world.bob.id, True)
    await env.settle()
    listing = said(await world.moderator.slash(world.general, "fabrique inscrits", fabrique=home)).content
    assert f"<@{world.bob.id}>" in listing


async def test_a_later_session_starting_is_said_in_the_series_announcement_thread(
    world: World, settings: Settings
) -> None:
    """« commence maintenant » goes in the announcement's thread when a session starts: for session 2 of a series
    too, in the thread of the series' one message (session 2 has no message of its own)."""
    home, second, _ = await series(world, settings)
    await book(world, second, 34)
    for session in (home, second):
        start, _ = await session_times(world, settings, session)
        await move_to(world, start + timedelta(minutes=5))
    (thread,) = world.agenda.threads
    started = [message.content for message in thread.history() if "commence maintenant" in message.content]
    assert len(started) == 2  # session 1's, then session 2's
    assert "séance 2/3" in started[1]


async def test_releasing_a_later_session_says_which_session_waits_for_a_date(world: World, settings: Settings) -> None:
    """Session 2's slot released, sessions 1 and 3 go on: its registrants must read that session 2 waits for a new
    date (not that the whole series is postponed), and the organizer's reply names the session as people know it
    (« n°12 · séance 2/3 »), not session 2's inner number."""
    home, second, _ = await series(world, settings)
    await book(world, second, 34)
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    before = len(world.dms(world.bob))

    released = said(await world.alice.slash(world.general, "fabrique liberer", fabrique=second)).content

    assert f"n°{home} · séance 2/3" in released, released
    (told,) = world.dms(world.bob)[before:]
    assert "séance 2" in told.content and "série" in told.content, told.content


async def test_the_team_asked_for_a_later_sessions_link_reads_which_session(world: World, settings: Settings) -> None:
    """Session 2 booked before its Zoom link is known: the team is asked for the link of « n°12 · séance 2/3 », the
    name every message of a series uses (and that ``/equipe lien-zoom fabrique:12 seance:2`` takes), not session
    2's inner number, which no one has seen."""
    home, _, _ = await series(world, settings)
    slot = await add_slot(world, local_date(world, 34))
    await world.alice.slash(world.general, "fabrique reserver", fabrique=home, seance=2, creneau=slot)
    asked = [m.content for m in world.team_channel.history() if "lien Zoom" in m.content]
    assert asked and f"n°{home} · séance 2/3" in asked[-1], asked


async def test_taking_interested_off_one_sessions_event_keeps_a_button_registration_to_the_series(
    world: World, settings: Settings
) -> None:
    """A series has one scheduled event per date. Bob registered for the cycle with the button, then clicked
    « Intéressé » on session 2's event and took it off again: that says nothing about the other dates, his
    registration to the series stays (as reconciliation at start already holds)."""
    home, second, _ = await series(world, settings)
    await book(world, second, 34)
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    event = next(event for event in events(world) if "séance 2/3" in event.name)
    await world.bob.subscribe_event(event)
    await world.env.settle()
    await world.bob.unsubscribe_event(event)
    await world.env.settle()
    listing = said(await world.moderator.slash(world.general, "fabrique inscrits", fabrique=home)).content
    assert f"<@{world.bob.id}>" in listing, listing


async def test_annoncer_a_held_later_session_names_it_as_people_know_it(tmp_path: Path) -> None:
    """With holds on, session 2 booked waits for « Annoncer »: pressing it confirms « n°12 · séance 2/3 », not
    session 2's inner number (which no one has seen and which names another Fabrique for people)."""
    settings = holding(tmp_path)
    async with running(create_bot(settings)) as env:
        world = build_world(env)
        await configure(world)
        number = await approved_fabrique(world)
        _, second, _ = await series_of(settings, number, 3)
        await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, seance=2, url=ZOOM)
        slot = await add_slot(world, local_date(world, 20))
        booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, seance=2, creneau=slot)
        assert "C'est retenu" in said(booked).content, said(booked).content

        done = said(await world.alice.click(said(booked), label="Annoncer")).content

        assert f"n°{number} · séance 2/3" in done and second != number, done

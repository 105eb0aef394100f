"""A series in the agenda channel (issue 15, W3): a three-session cycle has ONE announcement listing its three
dates; booking session 2 adds its line and its own scheduled event, no second message; moving session 2 redraws
its line and moves its event; cancelling session 2 marks its line « annulée » while the series stays open; the
series cancelled whole closes its message. ``/fabrique agenda`` names each session « n°12 · séance 2/3 ».

Sessions are booked with ``/fabrique reserver`` and the session's own number (the ``seance`` option is W1's).
"""

from __future__ import annotations

import discord
from icalendar import Calendar

from bot.config import Settings
from bot.domain.lifecycle import Actor
from tests.behaviour.builders import (
    ZOOM,
    add_slot,
    approved_fabrique,
    bot_away,
    local_date,
    series_of,
    session_times,
)
from tests.behaviour.conftest import World, said
from tests.support import assert_refused

REASON = "L'intervenante est souffrante ce jour-là."


async def book(world: World, number: int, days: int) -> None:
    """The team gives the session its Zoom link, the organizer books it: it is announced at once."""
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    slot = await add_slot(world, local_date(world, days))
    booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
    assert "annoncée" in said(booked).content, said(booked).content


def dates_field(message: discord.Message) -> str:
    """The « Quand » field of the series' announcement: one line per session."""
    return next(field.value or "" for field in message.embeds[0].fields if (field.name or "").startswith("Quand"))


def events(world: World) -> list[discord.ScheduledEvent]:
    return sorted(world.env.bot.get_guild(world.guild.id).scheduled_events, key=lambda event: event.id)


def announcements(world: World) -> list[discord.Message]:
    return [message for message in world.agenda.history() if message.embeds]


async def series(world: World, settings: Settings) -> list[int]:
    """An approved three-session series, its first session booked 20 days ahead."""
    number = await approved_fabrique(world)
    numbers = await series_of(settings, number, 3)
    await book(world, numbers[0], 20)
    return numbers


async def test_a_series_has_one_announcement_listing_its_three_dates(world: World, settings: Settings) -> None:
    home, second, third = await series(world, settings)
    (message,) = announcements(world)
    lines = dates_field(message).split("\n")
    start, _ = await session_times(world, settings, home)
    assert lines == [f"Séance 1 · <t:{int(start.timestamp())}:F>", "Séance 2 · date à fixer", "Séance 3 · date à fixer"]
    assert "série de 3 séances (un jeudi sur deux)" in message.embeds[0].fields[0].name
    assert [str(reaction.emoji) for reaction in message.reactions] == ["✅"]
    assert [c.label for row in message.components for c in row.children] == ["S'inscrire", "Se désinscrire"]
    assert f"n°{home}" in message.embeds[0].footer.text
    (event,) = events(world)
    assert event.name.endswith("séance 1/3") and event.start_time == start

    await book(world, second, 34)
    assert [m.id for m in announcements(world)] == [message.id]  # no second message
    redrawn = world.agenda.history()[-1]
    second_start, second_end = await session_times(world, settings, second)
    assert dates_field(redrawn).split("\n")[1] == f"Séance 2 · <t:{int(second_start.timestamp())}:F>"
    first_event, second_event = events(world)
    assert first_event.name.endswith("séance 1/3")
    assert second_event.name.endswith("séance 2/3")
    assert (second_event.start_time, second_event.end_time) == (second_start, second_end)
    (ics,) = redrawn.attachments
    calendar = Calendar.from_ical(await ics.read())
    uids = [str(event["uid"]) for event in calendar.walk("VEVENT")]
    assert uids == [f"fabrique-{n}-{world.guild.id}@fabrique" for n in (home, second)]  # one VEVENT per date booked
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert [summary.rsplit(" · ", 1)[1] for summary in summaries] == ["séance 1/3", "séance 2/3"]

    agenda = said(await world.bob.slash(world.general, "fabrique agenda")).embeds[0].description or ""
    assert f"**n°{home}** · séance 1/3" in agenda and f"**n°{home}** · séance 2/3" in agenda
    assert f"n°{second}" not in agenda and f"n°{third}" not in agenda  # people know the series by one number


async def test_registering_on_the_series_message_then_a_later_date_is_told(world: World, settings: Settings) -> None:
    home, second, _ = await series(world, settings)
    clicked = await world.bob.click(world.agenda.last_message, label="S'inscrire")
    assert "inscrit" in said(clicked).content
    before = len(world.dms(world.bob))
    await book(world, second, 34)
    (news,) = world.dms(world.bob)[before:]
    assert "séance 2" in news.content and news.attachments[0].filename.endswith(".ics")
    places = next(f.value for f in world.agenda.last_message.embeds[0].fields if f.name == "Places")
    assert (places or "").startswith("1 inscrit·e(s)")  # the series' count, on the one message
    assert home != second


async def test_moving_session_2_redraws_its_line_and_moves_its_event(world: World, settings: Settings) -> None:
    home, second, _ = await series(world, settings)
    await book(world, second, 34)
    message_id = world.agenda.last_message.id
    later = await add_slot(world, local_date(world, 40), "10:00", 150)
    moved = await world.moderator.slash(world.general, "equipe deplacer", fabrique=second, creneau=later)
    assert "est déplacée" in said(moved).content, said(moved).content
    start, end = await session_times(world, settings, second)
    assert [m.id for m in announcements(world)] == [message_id]
    assert dates_field(world.agenda.last_message).split("\n")[1] == f"Séance 2 · <t:{int(start.timestamp())}:F>"
    _, second_event = events(world)
    assert (second_event.start_time, second_event.end_time) == (start, end)
    first_start, _ = await session_times(world, settings, home)
    assert events(world)[0].start_time == first_start  # session 1 did not move

    dashboard = said(await world.moderator.slash(world.general, "equipe suivi")).embeds[0]
    copies = next(field.value or "" for field in dashboard.fields if field.name == "Copies des sessions à venir")
    line = next(line for line in copies.split("\n") if line.startswith(f"**n°{second}**"))
    assert "annonce Discord ✅" in line and "événement Discord ✅" in line  # its line in the series' message


async def test_cancelling_session_2_marks_its_line_and_the_series_stays_open(world: World, settings: Settings) -> None:
    _, second, _ = await series(world, settings)
    await book(world, second, 34)
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    start, _ = await session_times(world, settings, second)
    by_organizer = await world.alice.slash(world.general, "equipe annuler", fabrique=second, motif=REASON)
    assert "Seule l'équipe" in said(by_organizer).content
    assert_refused(world.env, "error.team_only")
    assert "date à fixer" not in dates_field(world.agenda.last_message).split("\n")[1]

    before = len(world.dms(world.bob))
    cancelled = await world.moderator.slash(world.general, "equipe annuler", fabrique=second, motif=REASON)
    assert "annulée" in said(cancelled).content, said(cancelled).content
    message = world.agenda.last_message
    assert dates_field(message).split("\n")[1] == f"~~Séance 2 · <t:{int(start.timestamp())}:F>~~ · annulée"
    assert message.content == ""  # no « ANNULÉE » banner: the series goes on
    assert [c.label for row in message.components for c in row.children] == ["S'inscrire", "Se désinscrire"]
    assert [str(reaction.emoji) for reaction in message.reactions] == ["✅"]
    first_event, second_event = events(world)
    assert first_event.status is discord.EventStatus.scheduled
    assert second_event.status is discord.EventStatus.cancelled
    (told,) = world.dms(world.bob)[before:]
    assert "séance 2" in told.content and "inscription à la série est gardée" in told.content


async def test_the_series_cancelled_whole_closes_its_message(world: World, settings: Settings) -> None:
    """``/equipe annuler`` without ``seance`` (W1 wires it to this call) cancels every session still to come."""
    home, second, third = await series(world, settings)
    await book(world, second, 34)
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    before = len(world.dms(world.bob))
    team = Actor(world.moderator.id, is_team=True)
    done = await world.env.bot.services.announcements.cancel_series(world.guild.id, home, team, REASON)
    await world.env.settle()
    assert [record.id for record in done.previous] == [home, second, third]
    message = world.agenda.last_message
    assert "ANNULÉE" in message.content and "série est annulée" in message.content
    assert message.components == [] and message.reactions == []
    assert all(line.endswith("annulée") for line in dates_field(message).split("\n"))
    assert {event.status for event in events(world)} == {discord.EventStatus.cancelled}
    (told,) = world.dms(world.bob)[before:]  # once for the series, not once per date
    assert "série" in told.content and "annulée" in told.content
    agenda = said(await world.bob.slash(world.general, "fabrique agenda")).embeds[0].description or ""
    assert f"n°{home}" not in agenda


async def test_reconciliation_at_start_reads_the_series_message(world: World, settings: Settings) -> None:
    """A ✅ put on the series' message while the bot was down registers the person for the series at start."""
    home, second, _ = await series(world, settings)
    await book(world, second, 34)
    message = world.agenda.last_message
    async with bot_away(world.env, settings):  # the bot is down: it does not see the reaction
        world.env.backend.set_reaction(message.channel.id, message.id, "✅", world.bob.id, True)
    await world.env.settle()
    listing = said(await world.moderator.slash(world.general, "fabrique inscrits", fabrique=home)).content
    assert f"<@{world.bob.id}>" in listing
    assert second != home

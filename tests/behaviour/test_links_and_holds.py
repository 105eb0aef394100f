"""Issue 14, « Links that stay right » and « Held booking »: the team's week when a Zoom link changes late, when
the organizer needs to start the meeting, and when a booked slot must first be confirmed with the partners.

The observed defects: a Zoom link changed after the 24 h reminder reached nobody, and the host link stored at the
meeting's creation had expired by the time anyone used it (Zoom's ``start_url`` lives about 2 hours).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import discord
import simcord

from bot.app import create_bot
from bot.config import SessionSettings, Settings
from bot.db.models import FabriqueRow
from tests.behaviour.builders import (
    ZOOM,
    add_slot,
    announced_session,
    approved_fabrique,
    local_date,
    move_to,
    reminders,
    row,
    session_times,
    texts,
)
from tests.behaviour.conftest import World, build_world, configure, restart, running, said
from tests.behaviour.zoom_world import zoom_story
from tests.conftest import make_settings
from tests.support import assert_refused

NEW_ZOOM = "https://us02web.zoom.us/j/89999999999?pwd=nouveau"
NEWER_ZOOM = "https://us02web.zoom.us/j/87777777777?pwd=encore"
LINK_CHANGED = "🔁 Le lien Zoom"
HOST = "Lien hôte"


def link_notices(world: World, actor: simcord.MemberActor) -> list[str]:
    return [text for text in texts(world, actor) if text.startswith(LINK_CHANGED)]


def a_member(world: World, name: str) -> simcord.MemberActor:
    return world.guild.add_member(world.env.create_user(name), roles=[world.member_role])


# --- links that stay right ------------------------------------------------------------------------------------------


async def test_a_link_changed_after_the_24h_reminder_reaches_each_seated_registrant_once(
    world: World, settings: Settings
) -> None:
    number = await announced_session(world, places=1)
    dora = a_member(world, "dora")
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    await dora.click(world.agenda.last_message, label="S'inscrire")  # no place left: waitlisted
    start, _ = await session_times(world, settings, number)
    await move_to(world, start - timedelta(hours=24))
    assert len(reminders(world, world.bob)) == 1 and ZOOM in reminders(world, world.bob)[0]

    changed = await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=NEW_ZOOM)
    assert said(changed).content.startswith("Lien Zoom enregistré pour la Fabrique")
    (notice,) = link_notices(world, world.bob)  # at once, without waiting for the next reminder
    assert NEW_ZOOM in notice and ZOOM not in notice
    assert link_notices(world, dora) == [] and NEW_ZOOM not in " ".join(texts(world, dora))
    assert link_notices(world, world.alice) == []  # the organizer is not registered: no registrant's notice

    await restart(world.env, settings)
    await world.env.bot.run_due_work()
    assert len(link_notices(world, world.bob)) == 1  # a restart sends nothing again

    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=NEW_ZOOM)  # same link
    assert len(link_notices(world, world.bob)) == 1
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=NEWER_ZOOM)
    assert [NEWER_ZOOM in text for text in link_notices(world, world.bob)] == [False, True]  # once per change

    await move_to(world, start - timedelta(hours=1))
    assert NEWER_ZOOM in reminders(world, world.bob)[-1]
    assert link_notices(world, dora) == []
    assert_refused(world.env)


async def test_a_link_changed_before_any_reminder_waits_for_the_reminder(world: World, settings: Settings) -> None:
    number = await announced_session(world)
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=NEW_ZOOM)
    assert link_notices(world, world.bob) == []  # nobody holds the old link yet
    start, _ = await session_times(world, settings, number)
    await move_to(world, start - timedelta(hours=24))
    assert NEW_ZOOM in reminders(world, world.bob)[0]


async def test_without_zoom_the_organizer_reads_why_there_is_no_host_link(world: World) -> None:
    number = await announced_session(world)
    answer = said(await world.alice.slash(world.general, "fabrique lien", fabrique=number)).content
    assert ZOOM in answer and HOST not in answer
    assert "Zoom n'est pas relié au bot" in answer  # Zoom off: the team starts it from its own account


async def test_the_organizer_gets_a_fresh_host_link_and_a_registrant_never_sees_one(tmp_path: Path) -> None:
    async with zoom_story(tmp_path) as (zoom, settings, world, number, meeting_id):
        join_url = zoom.meetings[meeting_id]["join_url"]

        first = said(await world.alice.slash(world.general, "fabrique lien", fabrique=number)).content
        assert join_url in first and zoom.meetings[meeting_id]["start_url"] in first  # as Zoom issued it now
        second = said(await world.alice.slash(world.general, "fabrique lien", fabrique=number)).content
        assert zoom.meetings[meeting_id]["start_url"] in second and second != first  # asked again: a new one
        asked = [r for r in zoom.api_requests if r.method == "GET" and r.path == f"/v2/meetings/{meeting_id}"]
        assert len(asked) == 2

        team = said(await world.moderator.slash(world.general, "fabrique lien", fabrique=number)).content
        assert zoom.meetings[meeting_id]["start_url"] in team

        await world.bob.click(world.agenda.last_message, label="S'inscrire")
        registrant = said(await world.bob.slash(world.general, "fabrique lien", fabrique=number)).content
        assert join_url in registrant and HOST not in registrant and "zak=" not in registrant

        start, _ = await session_times(world, settings, number)
        await move_to(world, start - timedelta(hours=1))
        (links,) = [text for text in texts(world, world.alice) if text.startswith("🎙️")]
        assert join_url in links and zoom.meetings[meeting_id]["start_url"] in links  # fetched at that hour
        assert not any("zak=" in text for text in texts(world, world.bob))
        assert_refused(world.env)


# --- held booking ---------------------------------------------------------------------------------------------------


def holding(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, sessions=SessionSettings(confirm_before_announce=True, hold_days=7))


async def held_booking(world: World) -> tuple[int, simcord.InteractionResult]:
    """Alice books a slot 20 days ahead, the Zoom link already given: held, nothing published."""
    number = await approved_fabrique(world)
    slot = await add_slot(world, local_date(world, 20))
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
    assert "C'est retenu" in said(booked).content, said(booked).content
    return number, booked


def labels(message: discord.Message | simcord.ResponseMessage) -> list[str]:
    """The buttons' labels of a message, or of an (ephemeral) response, which SimCord gives as raw components."""
    if isinstance(message, discord.Message):
        return [child.label for row_ in message.components for child in row_.children]
    return [child["label"] for row_ in message.components for child in row_["components"]]


def nothing_published(world: World) -> bool:
    return world.agenda.last_message is None and not world.env.bot.get_guild(world.guild.id).scheduled_events


async def test_a_held_booking_is_published_by_annoncer_and_by_nobody_else(tmp_path: Path) -> None:
    async with running(create_bot(holding(tmp_path))) as env:
        world = build_world(env)
        await configure(world)
        number, booked = await held_booking(world)
        assert nothing_published(world)
        assert "Annoncer" in labels(said(booked)) and "Annoncer" in labels(world.team_channel.last_message)
        assert (await row(holding(tmp_path), FabriqueRow, number))["state"] == "scheduled"

        # A button's callback words its own refusal (component errors bypass the tree's handler, so SimCord does not
        # capture them): what the stranger reads is asserted, and below that the bot raised nothing else.
        pressed = await world.bob.click(world.team_channel.last_message, label="Annoncer")
        assert said(pressed).content == world.env.bot.i18n("error.not_organizer_or_team")
        assert_refused(env)
        await world.bob.slash(world.general, "fabrique annoncer", fabrique=number)
        assert_refused(env, "error.not_organizer_or_team")
        assert nothing_published(world)

        done = await world.alice.click(said(booked), label="Annoncer")
        assert "est annoncée" in said(done).content
        assert world.agenda.last_message is not None and len(world.env.bot.get_guild(world.guild.id).scheduled_events)
        assert "Annoncer" not in labels(world.team_channel.last_message)
        again = await world.alice.click(said(booked), label="Annoncer")  # pressed twice: nothing announced again
        assert said(again).content.startswith(f"La Fabrique n°{number} n'attend pas de confirmation")
        await world.alice.slash(world.general, "fabrique annoncer", fabrique=number)
        assert_refused(env, "error.hold.nothing_held")
        assert len(world.agenda.history()) == 1


async def test_the_team_may_announce_a_held_booking_from_its_card(tmp_path: Path) -> None:
    async with running(create_bot(holding(tmp_path))) as env:
        world = build_world(env)
        await configure(world)
        number, _ = await held_booking(world)
        done = await world.moderator.click(world.team_channel.last_message, label="Annoncer")
        assert f"n°{number}" in said(done).content and world.agenda.last_message is not None
        assert any("est annoncée" in text for text in texts(world, world.alice))  # someone else acted: she is told
        assert_refused(env)


async def test_an_unconfirmed_hold_is_released_after_hold_days_with_a_reminder_first(tmp_path: Path) -> None:
    settings = holding(tmp_path)
    async with running(create_bot(settings)) as env:
        world = build_world(env)
        await configure(world)
        booked_at = env.now()
        number, _ = await held_booking(world)

        await move_to(world, booked_at + timedelta(days=6) - timedelta(minutes=1))
        assert [t for t in texts(world, world.alice) if t.startswith("⏳")] == []
        await move_to(world, booked_at + timedelta(days=6))
        (reminder,) = [m for m in world.dms(world.alice) if m.content.startswith("⏳")]
        assert "sera libéré" in reminder.content and labels(reminder) == ["Annoncer"]

        await restart(env, settings)
        await move_to(world, booked_at + timedelta(days=7))
        (released,) = [t for t in texts(world, world.alice) if t.startswith("🔓")]
        assert "n'a pas été confirmé à temps" in released
        assert len([t for t in texts(world, world.alice) if t.startswith("⏳")]) == 1
        fabrique = await row(settings, FabriqueRow, number)
        assert (fabrique["state"], fabrique["slot_id"], fabrique["confirm_by"]) == ("approved", None, None)
        assert nothing_published(world)

        late = await world.alice.user.click(reminder, label="Annoncer")  # too late: the slot is gone
        assert said(late).content == f"La Fabrique n°{number} n'attend pas de confirmation : elle est approuvée."
        assert_refused(env)
        assert await env.bot.run_due_work() == 0

"""Organizers who left the server are still named by their display name in every text read outside Discord."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from bot.db.models import DocumentationRow
from bot.services.outreach import Event
from tests.behaviour.builders import PROPOSAL, ZOOM, add_slot, local_date, move_to, recording, row, session_times
from tests.behaviour.conftest import World, said

NEVER_SEEN = 987654321987654321


# The documentation job converts a real recording (ffmpeg) inside the submit: give it time on a loaded machine.
@pytest.mark.simcord(settle_timeout=30.0)
async def test_organizers_who_left_are_named_in_the_article_tags_and_emails(
    world: World, settings, tmp_path: Path
) -> None:
    # Alice proposes with Bob as co-organizer (Bob never acts himself), books, and the session is announced.
    shown = await world.alice.slash(
        world.general, "fabrique proposer", format="atelier", parcours="classique", duree=120, coorganisateur=world.bob
    )
    proposed = await world.alice.submit_modal(shown, PROPOSAL)
    assert "transmise" in said(proposed).content
    number = 1
    await world.moderator.click(world.team_channel.last_message, label="Approuver")
    slot = await add_slot(world, local_date(world, 20))
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
    assert "annoncée" in said(booked).content

    # Both leave the server before the session is held; the team documents it.
    world.guild.remove_member(world.alice)
    world.guild.remove_member(world.bob)
    await world.env.settle()
    bot = world.env.bot
    assert bot.get_guild(world.guild.id).get_member(world.alice.id) is None
    _, end = await session_times(world, settings, number)
    await move_to(world, end + timedelta(minutes=16))
    shown = await world.moderator.slash(
        world.general, "fabrique documenter", fabrique=number, enregistrement=("session.m4a", recording(tmp_path))
    )
    done = await world.moderator.submit_modal(shown, {"notes": "00:00:05 Ouverture", "ressources": ""})
    assert "est lancée" in said(done).content
    await world.env.settle(timeout=50)

    stored = await row(settings, DocumentationRow, number)
    assert stored["status"] == "ready", stored["status"]
    assert "Organisation</strong> : alice, bob" in stored["article_html"]
    assert ID3(bot.services.documentation.audio_dir / stored["audio_name"])["TPE1"].text == ["alice, bob"]

    record = await bot.services.sessions.get_any(number)
    email = await bot.services.outreach.texts(record, Event.ANNOUNCE)  # the e-mail and the website post share it
    assert "alice, bob" in email.text and str(world.alice.id) not in email.text

    # Someone the bot never saw is named by a neutral word, never by an id.
    stranger = dataclasses.replace(record, coorganizer_ids=(NEVER_SEEN,))
    assert await bot.services.member_names.organizer_names(stranger) == "alice, un·e membre"

"""The Zoom recording is offered once to each organizer, whatever Discord does to one of the DMs, and an offer
accepted after someone else documented the session by hand does not throw away what they gave."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import ZoomRecordingRow
from bot.domain.documentation import JobStatus
from bot.domain.recordings import RecordingStatus
from bot.errors import DomainError
from bot.services.documentation import Path3P, Submission
from tests.conftest import GUILD_ID
from tests.unit.builders import ALICE, COORGANIZER
from tests.unit.conftest import FakeClock
from tests.unit.recording_world import END, LAST_POLL, World, meeting, session_on_zoom
from tests.unit.recording_world import zoom_world as zoom_world_of


@pytest.fixture
async def zoom_world(engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock) -> World:
    """Zoom records to the cloud, Discord is faked (tests/unit/recording_world.py)."""
    return await zoom_world_of(engine, database_url, tmp_path, clock)


async def test_a_discord_failure_on_the_co_organizer_s_dm_does_not_offer_the_recording_twice_to_the_organizer(
    zoom_world: World,
) -> None:
    world = zoom_world
    number = await session_on_zoom(world)  # ALICE organizes, with COORGANIZER
    world.cloud.publish(meeting(world))
    world.messenger.broken.add(COORGANIZER.user_id)  # Discord fails on the second DM only
    await world.at(END + timedelta(minutes=15))

    world.messenger.broken.clear()
    await world.at(END + timedelta(minutes=30))  # the retry, or the next poll

    offers = [dm.user_id for dm in world.messenger.dms if dm.recording_for == number]
    # Before the fix: ALICE got « L'enregistrement Zoom est prêt » and its buttons twice.
    assert sorted(offers) == sorted([ALICE.user_id, COORGANIZER.user_id])


async def test_the_zoom_form_opens_on_the_notes_already_given_by_hand(zoom_world: World) -> None:
    world = zoom_world
    number = await session_on_zoom(world)
    await world.at(END + timedelta(minutes=15))
    given = "00:05:00 Tour de table\nIdées clés : la billetterie solidaire"
    await world.services.documentation.submit(
        GUILD_ID, number, ALICE, Submission(Path3P.CLASSIQUE, notes=given, resources="https://tmnlab.com")
    )  # notes only, waiting for the recording
    world.cloud.publish(meeting(world))
    await world.at(END + timedelta(minutes=30))
    assert [dm.user_id for dm in world.messenger.dms if dm.recording_for == number]  # offered: no recording yet

    offer = await world.recordings.offer(number, COORGANIZER)

    # « Utiliser cet enregistrement » opens the notes field on ``offer.draft``; submitting it replaces the notes.
    # Before the fix: the field holds only the transcript's draft, so Alice's notes are lost when it is submitted
    # (the web door's upload keeps them: tests/unit/test_upload_links.py).
    assert offer.draft is not None and "Tour de table" in offer.draft


async def test_an_old_offer_does_not_replace_a_recording_another_organizer_documented_with_since(
    zoom_world: World,
) -> None:
    world = zoom_world
    number = await session_on_zoom(world)
    world.cloud.publish(meeting(world))
    await world.at(END + timedelta(minutes=15))  # both organizers have « Utiliser cet enregistrement »
    assert (await world.row(ZoomRecordingRow, number)).status is RecordingStatus.OFFERED

    their_notes = "00:05:00 Tour de table\nNotes du co-organisateur"
    await world.services.documentation.submit(  # the co-organizer documents with their own recording
        GUILD_ID,
        number,
        COORGANIZER,
        Submission(Path3P.CLASSIQUE, notes=their_notes, source_kind="url", source_url="https://exemple.org/a.m4a"),
    )
    await world.services.documentation.update(number, status=JobStatus.READY, audio_name="converti.mp3")

    # Days later, ALICE clicks the button of the old DM: the poll itself would no longer offer it (see
    # test_a_session_documented_with_another_recording_is_not_offered); the button must not either.
    with pytest.raises(DomainError):
        await world.recordings.offer(number, ALICE)
    with pytest.raises(DomainError):
        await world.recordings.accept(GUILD_ID, number, ALICE, notes="", resources="")
    doc = await world.services.documentation.get(number)
    assert (doc.source_kind, doc.notes, doc.audio_name) == ("url", their_notes, "converti.mp3")


async def test_an_organizer_who_sent_their_own_recording_is_not_asked_for_one_when_zoom_has_none(
    zoom_world: World,
) -> None:
    world = zoom_world
    number = await session_on_zoom(world)  # Zoom records nothing (the host recorded locally)
    await world.at(END + timedelta(minutes=15))
    await world.services.documentation.submit(
        GUILD_ID,
        number,
        ALICE,
        Submission(Path3P.CLASSIQUE, notes="Notes", source_kind="url", source_url="https://exemple.org/a.m4a"),
    )
    await world.services.documentation.update(number, status=JobStatus.READY, audio_name="converti.mp3")
    before = len(world.messenger.dms)

    await world.at(END + timedelta(minutes=LAST_POLL))  # the wait for Zoom ends

    told = [dm.text for dm in world.messenger.dms[before:] if "enregistrement" in dm.text]
    # Before the fix: ALICE and COORGANIZER read « pas d'enregistrement Zoom … envoyez-le avec /fabrique documenter »
    # a day after ALICE sent it.
    assert told == []

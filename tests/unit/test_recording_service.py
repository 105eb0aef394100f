"""Zoom's cloud recording, from the end of a session to its documentation, on a real database: the polls planned
after the end, the offer with attendance, accepting and declining, the wait that ends, the trash after publication.
Discord is the fake ports; Zoom is an in-memory fake (its HTTP side is tested in tests/integration/test_zoom.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.db.engine import create_sessionmaker
from bot.db.models import DocumentationRow, DueWorkRow, FabriqueRow, ZoomRecordingRow
from bot.domain.documentation import JobStatus
from bot.domain.lifecycle import State
from bot.domain.recordings import Participant, RecordingStatus
from bot.domain.timeline import DueStatus, Work
from bot.errors import Forbidden, InvalidState
from bot.integrations.zoom import ZoomError
from bot.services.documentation import Path3P, Submission
from bot.services.recordings import ZOOM_SOURCE, PollOutcome
from tests.conftest import GUILD_ID
from tests.unit.builders import ALICE, BOB, COORGANIZER, TEAM, add_slot, approved_fabrique, configure
from tests.unit.conftest import FakeClock
from tests.unit.fake_cloud import CHAT, VTT
from tests.unit.recording_world import (
    END,
    LAST_POLL,
    Door,
    World,
    meeting,
    session_on_zoom,
    world_on,
    zoom_world,
)


@pytest.fixture
async def world(engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock) -> World:
    return await zoom_world(engine, database_url, tmp_path, clock, delete_cloud_recording=True)


async def recording_polls(world: World, fabrique_id: int) -> list[tuple[int, str]]:
    async with create_sessionmaker(world.engine)() as session:
        rows = await session.execute(
            select(DueWorkRow.amount, DueWorkRow.status)
            .where(DueWorkRow.fabrique_id == fabrique_id, DueWorkRow.kind == Work.RECORDING)
            .order_by(DueWorkRow.due_at)
        )
        return [(amount, status) for amount, status in rows.all()]


# --- the polls ------------------------------------------------------------------------------------------------------


async def test_zoom_is_asked_after_the_end_of_a_session_on_the_bots_meeting(world: World) -> None:
    number = await session_on_zoom(world)

    assert [amount for amount, _ in await recording_polls(world, number)] == [15, 30, 60, 120, 240, 480, 960, 1440]

    await world.at(END + timedelta(minutes=15))  # the end, the recap prompt, the first poll
    assert world.cloud.asked == [f"recordings {meeting(world)}"]  # nothing yet: Zoom answers 404
    assert (await recording_polls(world, number))[0] == (15, DueStatus.DONE)
    stored = await world.row(ZoomRecordingRow, number)
    assert stored.status is RecordingStatus.WAITING and stored.meeting_id == str(meeting(world))
    assert world.offers() == []


async def test_a_session_with_a_pasted_link_is_never_asked(world: World) -> None:
    fabrique = await approved_fabrique(world.services, ALICE)
    slot = await add_slot(world.services, "15/03/2027", "14:00", 180)
    await world.services.sessions.set_zoom_link(GUILD_ID, fabrique.id, TEAM, "https://zoom.us/j/1?pwd=x")
    await world.services.announcements.book(GUILD_ID, fabrique.id, slot.id, ALICE, None)

    assert await recording_polls(world, fabrique.id) == []


async def test_once_completed_the_recording_is_offered_with_the_attendance(world: World) -> None:
    number = await session_on_zoom(world)
    await world.at(END + timedelta(minutes=15))
    world.cloud.publish(meeting(world), status="processing")
    await world.at(END + timedelta(minutes=30))
    assert world.offers() == []  # still processing: asked again later

    recording = world.cloud.publish(meeting(world))
    world.cloud.participants[recording.uuid] = [
        Participant("p1", 110 * 60),
        Participant("p2", 100 * 60),
        Participant("p1", 2 * 60),  # came back after a dropped connection
        Participant("p3", 80 * 60),
    ]
    await world.at(END + timedelta(minutes=60))

    offers = [dm for dm in world.messenger.dms if dm.recording_for == number]
    assert [dm.user_id for dm in offers] == sorted([ALICE.user_id, COORGANIZER.user_id])
    text = offers[0].text
    assert "L'enregistrement Zoom est prêt" in text and f"n°{number}" in text
    assert "audio M4A" in text and "transcription" in text and "chat" in text
    assert "3 participants, 1 h 37 en moyenne" in text
    stored = await world.row(ZoomRecordingRow, number)
    assert stored.status is RecordingStatus.OFFERED and stored.meeting_uuid == recording.uuid
    assert stored.audio_extension == "M4A" and stored.transcript == VTT and stored.chat == CHAT
    fabrique = await world.row(FabriqueRow, number)
    assert (fabrique.zoom_participants, fabrique.zoom_average_seconds) == (3, 97 * 60 + 20)

    await world.at(END + timedelta(hours=25))  # the later polls have nothing left to do
    assert len(world.offers()) == 2
    assert [status for _, status in await recording_polls(world, number)][3:] == [DueStatus.SKIPPED] * 5
    follow_up = await world.services.timeline.follow_up(GUILD_ID)
    assert [(record.id, record.zoom_participants) for record in follow_up.attended] == [(number, 3)]


async def test_still_processing_when_the_wait_ends_tells_how_to_send_it(world: World) -> None:
    number = await session_on_zoom(world)
    world.cloud.publish(meeting(world), status="processing")

    await world.at(END + timedelta(minutes=LAST_POLL))

    texts = [dm.text for dm in world.messenger.to(ALICE.user_id) if "Zoom traite toujours" in dm.text]
    assert len(texts) == 1
    assert "24 h après la fin" in texts[0] and f"/fabrique documenter (fabrique : {number})" in texts[0]
    assert world.offers() == []
    assert (await world.row(ZoomRecordingRow, number)).status is RecordingStatus.EXPIRED


async def test_no_recording_at_all_says_so_and_how_to_send_one(world: World) -> None:
    number = await session_on_zoom(world)

    await world.at(END + timedelta(minutes=LAST_POLL))

    [text] = [dm.text for dm in world.messenger.to(ALICE.user_id) if "pas d'enregistrement" in dm.text]
    assert "/fabrique documenter" in text
    assert (await world.row(ZoomRecordingRow, number)).status is RecordingStatus.EXPIRED


async def test_with_the_web_door_the_organizer_gets_an_upload_page(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    await migrate.upgrade(engine)
    services, recordings, cloud, messenger, _ = world_on(engine, database_url, tmp_path, clock, Door())
    await configure(services)
    fabrique = await approved_fabrique(services, ALICE)
    slot = await add_slot(services, "15/03/2027", "14:00", 180)
    await services.announcements.book(GUILD_ID, fabrique.id, slot.id, ALICE, None)
    cloud.publish(cloud.meetings[-1], status="processing")
    clock.now = END + timedelta(days=1)

    assert await recordings.poll(fabrique.id, LAST_POLL) is PollOutcome.EXPIRED

    [dm] = messenger.to(ALICE.user_id)
    assert f"https://fabrique.example/depot/{fabrique.id}-{ALICE.user_id}" in dm.text


async def test_zoom_down_is_like_processing_and_a_discord_failure_offers_again_later(world: World) -> None:
    number = await session_on_zoom(world)
    world.cloud.publish(meeting(world))
    world.cloud.failing = ZoomError("error.zoom.unavailable", retryable=True)
    await world.at(END + timedelta(minutes=15))
    assert (await world.row(ZoomRecordingRow, number)).status is RecordingStatus.WAITING

    world.cloud.failing = None
    world.messenger.broken.add(ALICE.user_id)
    await world.at(END + timedelta(minutes=30))  # the poll fails: nothing recorded as offered
    assert (await world.row(ZoomRecordingRow, number)).status is RecordingStatus.WAITING

    world.messenger.broken.clear()
    await world.at(END + timedelta(minutes=60))
    assert (await world.row(ZoomRecordingRow, number)).status is RecordingStatus.OFFERED
    assert ALICE.user_id in {dm.user_id for dm in world.messenger.dms if dm.recording_for == number}


async def test_a_session_documented_with_another_recording_is_not_offered(world: World) -> None:
    number = await session_on_zoom(world)
    await world.at(END + timedelta(minutes=15))
    await world.services.documentation.submit(
        GUILD_ID,
        number,
        ALICE,
        Submission(Path3P.CLASSIQUE, notes="Notes", source_kind="url", source_url="https://exemple.org/a.m4a"),
    )
    world.cloud.publish(meeting(world))

    await world.at(END + timedelta(minutes=30))

    assert world.offers() == []
    assert (await world.row(ZoomRecordingRow, number)).status is RecordingStatus.DECLINED
    assert (await world.row(FabriqueRow, number)).zoom_participants is None  # nobody in Zoom's list: unknown


# --- the two buttons ------------------------------------------------------------------------------------------------


async def offered(world: World) -> int:
    number = await session_on_zoom(world)
    world.cloud.publish(meeting(world))
    await world.at(END + timedelta(minutes=15))
    assert world.offers()
    return number


async def test_accepting_starts_the_documentation_with_zooms_files(world: World) -> None:
    number = await offered(world)

    offer = await world.recordings.offer(number, ALICE)
    assert (offer.transcript, offer.chat, offer.meeting) == (VTT, CHAT, f"uuid-{meeting(world)}==")
    doc = await world.recordings.accept(GUILD_ID, number, ALICE, notes="Idées clés", resources="https://a.org")

    assert doc.status is JobStatus.QUEUED and doc.source_kind == ZOOM_SOURCE
    assert (doc.transcript, doc.chat, doc.notes) == (VTT, CHAT, "Idées clés")
    assert doc.source_name == f"zoom-{number}.m4a"
    assert doc.fabrique.state is State.DOCUMENTING
    assert (await world.row(ZoomRecordingRow, number)).status is RecordingStatus.ACCEPTED
    assert (GUILD_ID, number) in world.cards.shown

    target = world.tmp_path / "job.source"
    assert await world.recordings.fetch(number, target) == len(b"m4a-audio" * 100)
    assert target.read_bytes() == b"m4a-audio" * 100


async def test_without_an_m4a_the_video_gives_the_audio(world: World) -> None:
    number = await session_on_zoom(world)
    recording = world.cloud.publish(meeting(world), with_texts=False)
    world.cloud.recordings[str(meeting(world))] = type(recording)(recording.uuid, recording.files[1:])
    await world.at(END + timedelta(minutes=15))

    assert f"(Fabrique n°{number}) : audio MP4 (1 Mo).\n" in world.offers()[0]  # no transcript, no chat
    await world.recordings.accept(GUILD_ID, number, ALICE, notes="", resources="")
    target = world.tmp_path / "job.source"
    await world.recordings.fetch(number, target)
    assert target.read_bytes() == b"mp4" * 1000


async def test_only_the_organizers_and_the_team_may_use_it(world: World) -> None:
    number = await offered(world)

    with pytest.raises(Forbidden) as refused:
        await world.recordings.offer(number, BOB)
    assert refused.value.key == "error.not_organizer_or_team"
    with pytest.raises(Forbidden):
        await world.recordings.accept(GUILD_ID, number, BOB, notes="", resources="")
    assert (await world.recordings.offer(number, TEAM)).fabrique_id == number
    assert (await world.recordings.offer(number, COORGANIZER)).fabrique_id == number
    assert await world.row(DocumentationRow, number) is None


async def test_nothing_can_be_used_before_zoom_offers_it(world: World) -> None:
    number = await session_on_zoom(world)
    await world.at(END + timedelta(minutes=15))

    with pytest.raises(InvalidState) as refused:
        await world.recordings.offer(number, ALICE)
    assert (refused.value.key, refused.value.params) == ("error.recording.none", {"number": number})


async def test_declining_says_how_to_send_another_and_keeps_zooms_at_hand(world: World) -> None:
    number = await offered(world)

    text = await world.recordings.decline(number, ALICE)

    assert f"/fabrique documenter (fabrique : {number})" in text
    assert (await world.row(ZoomRecordingRow, number)).status is RecordingStatus.DECLINED
    doc = await world.recordings.accept(GUILD_ID, number, ALICE, notes="Finalement", resources="")
    assert doc.source_kind == ZOOM_SOURCE


# --- after publication ----------------------------------------------------------------------------------------------


async def test_the_cloud_recording_goes_to_the_trash_once_published_when_configured(world: World) -> None:
    number = await offered(world)
    await world.recordings.accept(GUILD_ID, number, ALICE, notes="Notes", resources="")

    await world.recordings.published(number)
    await world.recordings.published(number)  # once only

    assert world.cloud.trashed == [f"uuid-{meeting(world)}=="]
    assert (await world.row(ZoomRecordingRow, number)).trashed_at == world.clock.now


async def test_the_cloud_recording_stays_by_default(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    await migrate.upgrade(engine)
    services, recordings, cloud, _, _ = world_on(engine, database_url, tmp_path, clock)
    await configure(services)
    fabrique = await approved_fabrique(services, ALICE)
    slot = await add_slot(services, "15/03/2027", "14:00", 180)
    await services.announcements.book(GUILD_ID, fabrique.id, slot.id, ALICE, None)
    cloud.publish(cloud.meetings[-1])
    clock.now = END + timedelta(minutes=15)
    assert await recordings.poll(fabrique.id, 15) is PollOutcome.OFFERED

    await recordings.published(fabrique.id)

    assert cloud.trashed == []

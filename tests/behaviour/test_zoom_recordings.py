"""Issue 12, « From Zoom, with nothing to do »: after a session on the bot's Zoom meeting, the Zoom-shaped server
publishes the cloud recording after a delay; the organizer is offered it by DM, accepts, fills the usual form, and
the article comes out with the MP3, the transcript's landmarks, the chat's links and the attendance. When Zoom is
still processing at the end of the wait, the organizer learns how to send the recording instead."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from mutagen.id3 import ID3

from bot.db.models import DocumentationRow, FabriqueRow, ZoomRecordingRow
from tests.behaviour.builders import move_to, recording, row, session_times
from tests.behaviour.conftest import World, said
from tests.behaviour.zoom_world import zoom_story
from tests.integration.zoom_fake import (
    audio_file,
    chat_file,
    participant,
    transcript_file,
)

READY = "L'enregistrement Zoom est prêt"
VTT = (
    "WEBVTT\n\n"
    "1\n00:00:01.000 --> 00:00:04.000\nAlice Martin: Bonjour à toutes et à tous, bienvenue.\n\n"
    "2\n00:00:09.000 --> 00:00:14.000\nBob: Passons au tour de table des outils.\n"
)
CHAT = "00:12:40 De Bob à Tout le monde : le guide est ici https://exemple.org/guide-billetterie\n"
NOTES = "Idées clés : **mutualiser** les outils de billetterie entre lieux voisins."
PARTICIPANTS = [
    participant("Alice Martin", 110),
    participant("Bob", 100),
    participant("Bob", 2),  # his connection dropped; he came back
    participant("Camille", 80),
    participant("Invité·e", 4, status="in_waiting_room"),  # never let in
]
ATTENDANCE = "3 participants, 1 h 37 en moyenne"  # (110 + 102 + 80) / 3 minutes


def offers(world: World) -> list:
    return [message for message in world.dms(world.alice) if READY in message.content]


def labels(message) -> list[str]:
    return [child.label for row_ in message.components for child in row_.children]


async def test_the_zoom_recording_arrives_by_itself_and_becomes_the_article(tmp_path: Path) -> None:
    audio = recording(tmp_path, seconds=20)
    async with zoom_story(tmp_path) as (zoom, settings, world, number, meeting_id):
        _, end = await session_times(world, settings, number)
        cloud = zoom.add_recording(
            meeting_id,
            [audio_file(audio), transcript_file(VTT), chat_file(CHAT)],
            listed_at=end + timedelta(minutes=20),
            ready_at=end + timedelta(minutes=50),
            participants=PARTICIPANTS,
        )

        await move_to(world, end + timedelta(minutes=16))  # the end, the recap prompt, Zoom: « no recording »
        await move_to(world, end + timedelta(minutes=31))  # listed, still processing
        assert offers(world) == []
        await move_to(world, end + timedelta(minutes=61))  # completed: offered

        (offer,) = offers(world)
        assert f"n°{number}" in offer.content and ATTENDANCE in offer.content
        assert "audio M4A" in offer.content and "transcription" in offer.content
        assert labels(offer) == ["Utiliser cet enregistrement", "J'en fournis un autre"]
        dashboard = said(await world.moderator.slash(world.general, "equipe suivi")).embeds[0]
        attendance = next(field.value for field in dashboard.fields if field.name == "Participation (Zoom)")
        assert f"n°{number}" in attendance and ATTENDANCE in attendance

        shown = await world.alice.user.click(offer, label="Utiliser cet enregistrement")
        assert shown.modal is not None
        assert {c["component"]["custom_id"] for c in shown.modal["components"]} == {"notes", "ressources"}
        # The notes come pre-filled with a draft made from Zoom's transcript, for Alice to review and validate.
        notes = next(c["component"] for c in shown.modal["components"] if c["component"]["custom_id"] == "notes")
        assert notes["value"].startswith("Brouillon") and "00:00:01 Alice Martin" in notes["value"], notes["value"][
            :200
        ]
        done = await world.alice.user.submit_modal(
            shown, {"notes": NOTES, "ressources": "https://tmnlab.com/ressource"}
        )
        assert "est lancée" in said(done).content
        await world.env.settle(timeout=60)

        progress = world.dms(world.alice)[-1]
        assert "est prête" in progress.content, progress.content
        fields = {field.name: field.value for field in progress.embeds[0].fields}
        assert fields["Participation"] == ATTENDANCE
        published = await world.alice.user.click(progress, label="Publier")
        assert "Publié" in said(published).content
        await world.env.settle(timeout=10)

        doc = await row(settings, DocumentationRow, number)
        assert doc["source_kind"] == "zoom" and doc["status"] == "published"
        html = doc["article_html"]
        assert "mutualiser" in html
        assert "Bonjour à toutes et à tous" in html  # the transcript's landmark, from Zoom's VTT
        assert "https://exemple.org/guide-billetterie" in html  # a link of Zoom's chat
        attendance = html.split("<h2>Participation</h2>", 1)[1]
        assert "3 participant" in attendance and "1 h 37" in attendance
        assert not any(name in html for name in ("Camille", "Invité"))  # who came is never published
        mp3 = ID3(Path(settings.general.data_dir) / "audio" / doc["audio_name"])
        assert mp3["TIT2"].text[0] == "Arpenter le MOOC « Numérique responsable »"
        starter = world.forum.threads[-1].history()[-1]
        assert any(a.filename.startswith("extrait-") for a in starter.attachments)
        assert (await row(settings, FabriqueRow, number))["state"] == "documented"
        assert (await row(settings, ZoomRecordingRow, number))["status"] == "accepted"

        assert cloud.trashed  # [zoom] delete_cloud_recording: in Zoom's trash once published
        assert set(zoom.downloaded) == {file.id for file in cloud.files}
        downloads = [r for r in zoom.requests if r.path.startswith("/rec/download/")]
        assert downloads and all(r.headers["authorization"].startswith("Bearer ") for r in downloads)


async def test_still_processing_at_the_end_of_the_wait_says_how_to_send_the_recording(tmp_path: Path) -> None:
    async with zoom_story(tmp_path) as (zoom, settings, world, number, meeting_id):
        _, end = await session_times(world, settings, number)
        zoom.add_recording(
            meeting_id,
            [audio_file(b"\0" * 1000), transcript_file(VTT)],
            ready_at=end + timedelta(hours=30),  # Zoom is slow today
            participants=PARTICIPANTS,
        )

        await move_to(world, end + timedelta(hours=12))
        assert offers(world) == [] and not any("Zoom traite" in m.content for m in world.dms(world.alice))
        await move_to(world, end + timedelta(hours=24, minutes=1))

        assert offers(world) == []
        (told,) = [m for m in world.dms(world.alice) if "Zoom traite toujours" in m.content]
        assert "24 h après la fin" in told.content
        assert f"/fabrique documenter (fabrique : {number})" in told.content and "lien" in told.content
        assert labels(told) == []
        stored = await row(settings, ZoomRecordingRow, number)
        assert stored["status"] == "expired"
        assert (await row(settings, FabriqueRow, number))["zoom_participants"] == 3  # attendance all the same
        assert zoom.downloaded == []


async def test_providing_another_recording_says_how(tmp_path: Path) -> None:
    async with zoom_story(tmp_path) as (zoom, settings, world, number, meeting_id):
        _, end = await session_times(world, settings, number)
        zoom.add_recording(meeting_id, [audio_file(b"\0" * 1000)], participants=PARTICIPANTS)
        await move_to(world, end + timedelta(minutes=16))
        (offer,) = offers(world)

        answer = await world.alice.user.click(offer, label="J'en fournis un autre")

        assert f"/fabrique documenter (fabrique : {number})" in said(answer).content
        assert (await row(settings, ZoomRecordingRow, number))["status"] == "declined"
        assert (await row(settings, DocumentationRow, number)) is None

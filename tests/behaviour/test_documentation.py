"""Documenting a held session through Discord: the recording path and the 3P path, hostile inputs, publication."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.db.engine import create_engine
from bot.db.models import DocumentationRow, DueWorkRow, FabriqueRow
from tests.behaviour.builders import announced_session, held_session, move_to, recording, row, session_times, texts
from tests.behaviour.conftest import World, said
from tests.support import assert_refused

NOTES = "Idées clés : **mutualiser** les outils.\n00:00:05 Ouverture\n00:00:12 Tour de table\n<script>alert(1)</script>"


PLAYLIST = b"#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:10,\nhttp://127.0.0.1:9/segment.ts\n"


def forum_post(world: World):
    """The first message of the newest post in the articles forum."""
    thread = world.forum.threads[-1]
    return thread.history()[-1]


async def test_recording_and_notes_to_a_forum_post(world: World, settings, tmp_path: Path) -> None:
    number = await held_session(world, settings)
    shown = await world.alice.slash(
        world.general, "fabrique documenter", fabrique=number, enregistrement=("session.m4a", recording(tmp_path))
    )
    assert shown.modal is not None
    custom_ids = {c["component"]["custom_id"] for c in shown.modal["components"]}
    assert custom_ids == {"notes", "ressources"}
    done = await world.alice.submit_modal(shown, {"notes": NOTES, "ressources": "https://tmnlab.com/ressource"})
    assert "est lancée" in said(done).content
    await world.env.settle(timeout=50)

    progress = world.dms(world.alice)[-1]
    assert "est prête" in progress.content, progress.content
    stored = await row(settings, DocumentationRow, number)
    assert stored["status"] == "ready" and stored["audio_name"].endswith(".mp3") and len(stored["audio_name"]) > 20
    assert "<script" not in stored["article_html"] and "alert(1)" not in stored["article_html"]
    assert "mutualiser" in stored["article_html"] and "https://tmnlab.com/ressource" in stored["article_html"]

    published = await world.alice.user.click(progress, label="Publier")
    assert "Publié" in said(published).content
    starter = forum_post(world)
    assert "mutualiser" in starter.content
    assert any(a.filename.startswith("extrait-") for a in starter.attachments)
    fabrique = await row(settings, FabriqueRow, number)
    assert fabrique["state"] == "documented"
    engine = create_engine(settings.database.url)
    async with engine.connect() as connection:
        pending = (
            (
                await connection.execute(
                    select(DueWorkRow.kind).where(DueWorkRow.fabrique_id == number, DueWorkRow.status == "pending")
                )
            )
            .scalars()
            .all()
        )
    await engine.dispose()
    assert "chaser" not in pending and "deadline" not in pending
    again = await world.alice.slash(world.general, "fabrique documenter", fabrique=number)
    assert "déjà publiée" in said(again).content
    assert_refused(world.env, "error.documentation.published")


async def test_3p_report_from_the_recap_prompt(world: World, settings) -> None:
    number = await held_session(world, settings)
    prompt = next(m for m in reversed(world.dms(world.alice)) if m.components)
    shown = await world.alice.user.click(prompt, label="Compte-rendu 3P")
    assert {c["component"]["custom_id"] for c in shown.modal["components"]} == {"compte_rendu", "ressources"}
    await world.alice.user.submit_modal(
        shown, {"compte_rendu": "Nous avons produit trois pistes d'action.", "ressources": ""}
    )
    await world.env.settle(timeout=30)
    progress = world.dms(world.alice)[-1]
    assert "est prête" in progress.content
    await world.alice.user.click(progress, label="Publier")
    assert (await row(settings, FabriqueRow, number))["state"] == "documented"
    assert "trois pistes" in forum_post(world).content


async def test_hostile_files_fail_with_a_reason_and_publish_nothing(world: World, settings, tmp_path: Path) -> None:
    number = await held_session(world, settings)
    cases = [
        ("notes.m4a", b"ceci n'est pas un enregistrement\n" * 50, "pas un enregistrement audio ou vidéo"),
        ("bruit.mp3", bytes(range(256)) * 64, "pas un enregistrement audio ou vidéo"),
        ("playlist.m4a", PLAYLIST, "pas un enregistrement audio ou vidéo"),
        ("tronque.m4a", recording(tmp_path, 20)[:3000], "pas un enregistrement audio ou vidéo|tronqué"),
    ]  # fmt: skip
    for filename, data, expected in cases:
        shown = await world.alice.slash(
            world.general, "fabrique documenter", fabrique=number, enregistrement=(filename, data)
        )
        await world.alice.submit_modal(shown, {"notes": "Notes", "ressources": ""})
        await world.env.settle(timeout=30)
        progress = world.dms(world.alice)[-1]
        assert any(part in progress.content for part in expected.split("|")), (filename, progress.content)
        labels = [child.label for row_ in progress.components for child in row_.children]
        assert labels == ["Réessayer"]
    assert world.forum.threads == []
    assert (await row(settings, FabriqueRow, number))["state"] == "documenting"


async def test_links_inside_the_network_are_refused(world: World, settings) -> None:
    number = await held_session(world, settings)
    for link in ("https://127.0.0.1/enregistrement.m4a", "https://10.0.0.1/enregistrement.m4a"):
        shown = await world.alice.slash(world.general, "fabrique documenter", fabrique=number, lien=link)
        await world.alice.submit_modal(shown, {"notes": "Notes", "ressources": ""})
        await world.env.settle(timeout=30)
        assert "adresse interne" in world.dms(world.alice)[-1].content
    assert world.forum.threads == []


async def test_wrong_people_and_wrong_times_are_refused(world: World, settings) -> None:
    number = await announced_session(world)
    early = await world.alice.slash(world.general, "fabrique documenter", fabrique=number)
    assert early.modal is None and "pas encore être documentée" in said(early).content
    _, end = await session_times(world, settings, number)
    await move_to(world, end + timedelta(minutes=16))
    other = await world.bob.slash(world.general, "fabrique documenter", fabrique=number)
    assert other.modal is None and "Seule l'organisation" in said(other).content
    too_big = await world.alice.slash(
        world.general, "fabrique documenter", fabrique=number, transcription=("notes.pdf", b"%PDF")
    )
    assert too_big.modal is None and ".vtt" in said(too_big).content
    assert [t for t in texts(world, world.alice) if "est lancée" in t] == []
    assert_refused(
        world.env,
        "error.documentation.too_early",
        "error.not_organizer_or_team",
        "error.documentation.bad_transcript",
    )

"""A bot killed during a conversion leaves scratch folders, a download and MP3s no documentation points to; the
next start removes them, and keeps every MP3 a documentation still needs."""

from __future__ import annotations

from pathlib import Path

from bot.db.models import DocumentationRow
from bot.services.cover import cover_path
from tests.behaviour.builders import held_session, recording, row
from tests.behaviour.conftest import World, restart, said
from tests.support import assert_refused


def files_under(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


async def test_start_up_removes_what_interrupted_jobs_left(world: World, settings, tmp_path: Path) -> None:
    number = await held_session(world, settings)
    shown = await world.alice.slash(
        world.general, "fabrique documenter", fabrique=number, enregistrement=("session.m4a", recording(tmp_path))
    )
    assert "est lancée" in said(await world.alice.submit_modal(shown, {"notes": "Notes", "ressources": ""})).content
    await world.env.settle(timeout=50)
    ready = await row(settings, DocumentationRow, number)
    assert ready["status"] == "ready"
    data = Path(settings.general.data_dir)
    cover = cover_path(data / "audio", number).name  # the article's card, drawn when it was composed
    needed = {f"audio/{ready['audio_name']}", f"audio/{ready['teaser_name']}", f"audio/{cover}"}
    assert needed <= files_under(data)

    # What a SIGKILL in the middle of other jobs leaves behind (names as the bot makes them).
    scratch = data / "audio" / ".audio-k2j4x9"
    scratch.mkdir()
    (scratch / "excerpts-0.wav").write_bytes(b"\0" * 4096)
    (scratch / "output.mp3").write_bytes(b"\0" * 4096)
    (data / "audio" / "Zm9yZ290dGVuLWJ5LWRi.mp3").write_bytes(b"\0" * 4096)  # converted, never recorded
    (data / "audio" / ".Zm9yZ290dGVuLWJ5LWRi-extrait.mp3.part").write_bytes(b"\0" * 512)
    (data / "work").mkdir(exist_ok=True)
    (data / "work" / "7.source").write_bytes(b"\0" * 4096)

    await restart(world.env, settings)

    assert files_under(data / "audio") == {name.removeprefix("audio/") for name in needed}
    assert files_under(data / "work") == set()
    assert (await row(settings, DocumentationRow, number))["status"] == "ready"
    assert_refused(world.env)

"""The web door seen from Discord: an organizer asks for the upload page, uploads the recording through the bot's
own HTTP server, follows the job in the usual DM, adds the notes, and publishes."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings, WebSettings
from bot.db.models import DocumentationRow
from bot.services import Services
from tests.behaviour.builders import held_session, recording, row, texts
from tests.behaviour.conftest import World, said
from tests.conftest import make_settings

PUBLIC_URL = "https://fabrique.example.org"
pytestmark = pytest.mark.skipif(
    "uploads" not in Services.__dataclass_fields__, reason="the web door is not wired in build_services yet"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    web = WebSettings(enabled=True, listen=f"127.0.0.1:{free_port()}", public_url=PUBLIC_URL)
    return make_settings(tmp_path, web=web)


async def wait_for_dm(world: World, actor, text: str, seconds: float = 60) -> str:
    """The job runs in real time (ffmpeg): wait for it without moving SimCord's clock."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await world.env.settle()
        found = [message for message in texts(world, actor) if text in message]
        if found:
            return found[-1]
        await asyncio.to_thread(time.sleep, 0.2)
    raise AssertionError(f"no DM with {text!r}: {texts(world, actor)[-3:]}")


async def test_a_recording_too_big_for_discord_goes_through_the_upload_page(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    number = await held_session(world, settings)

    asked = await world.alice.slash(world.general, "fabrique documenter", fabrique=number)
    assert asked.modal is None
    assert "lien pour déposer l'enregistrement" in said(asked).content
    link = re.search(re.escape(PUBLIC_URL) + r"/depot/([\w-]+)", texts(world, world.alice)[-1])
    assert link is not None, texts(world, world.alice)[-1]

    door = f"http://127.0.0.1:{settings.web.port}/depot/{link.group(1)}"
    async with aiohttp.ClientSession() as http:
        async with http.get(door) as page:
            assert page.status == 200 and f"Fabrique n°{number}" in await page.text()
        async with http.post(door, data=recording(tmp_path), headers={"X-Nom-Fichier": "zoom_0.m4a"}) as sent:
            assert sent.status == 200, await sent.text()

    ready = await wait_for_dm(world, world.alice, "est prête")  # the job's own DM, opened by its first report
    stored = await row(settings, DocumentationRow, number)
    assert (stored["source_kind"], stored["source_name"], stored["status"]) == ("upload", "zoom_0.m4a", "ready")
    assert stored["audio_name"] and ready

    notes = await world.alice.slash(world.general, "fabrique documenter", fabrique=number)  # now the notes
    assert notes.modal is not None
    done = await world.alice.submit_modal(notes, {"notes": "00:00:05 Ouverture\nIdées clés", "ressources": ""})
    assert "est lancée" in said(done).content
    await wait_for_dm(world, world.alice, "est prête")
    stored = await row(settings, DocumentationRow, number)
    assert "Idées clés" in stored["article_html"] and stored["audio_name"]

    progress = world.dms(world.alice)[-1]
    published = await world.alice.user.click(progress, label="Publier")
    assert "Publié" in said(published).content
    async with aiohttp.ClientSession() as http, http.get(door) as again:
        assert again.status == 410

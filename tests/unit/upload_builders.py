"""Upload links as the web door's unit tests use them: a session held and waiting for its recording, the token of a
link, a received file."""

from __future__ import annotations

from pathlib import Path

from bot.domain.lifecycle import Action
from bot.services import Services
from bot.services.uploads import UploadService
from tests.unit.builders import BOT, announced_session, configure

PUBLIC = "https://fabrique.example.org"


async def held(services: Services) -> int:
    await configure(services)
    session = await announced_session(services)
    return (await services.timeline.advance(session.id, Action.END, BOT)).id


def token_of(url: str) -> str:
    assert url.startswith(f"{PUBLIC}/depot/")
    return url.removeprefix(f"{PUBLIC}/depot/")


def received_file(uploads: UploadService, content: bytes = b"\x00\x00\x00\x18ftypM4A recording") -> Path:
    uploads.work_dir.mkdir(parents=True, exist_ok=True)
    path = uploads.work_dir / ".depot-test.part"
    path.write_bytes(content)
    return path

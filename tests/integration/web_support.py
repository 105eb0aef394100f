"""The web door as its tests and the upload benchmark run it: real services on a real database, the real aiohttp
server on 127.0.0.1, fake Discord ports (the DM with the link, the job runner) recording what they were asked."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import AudioSettings, Settings, WebSettings
from bot.db import migrate
from bot.domain.lifecycle import Action, Actor
from bot.services import Services
from bot.services.records import FabriqueRecord
from bot.services.uploads import UploadService
from bot.web import HealthCheck, WebDoor
from tests.conftest import GUILD_ID, make_settings
from tests.ports import FakeMessenger, FakeRunner, fake_ports, services_on
from tests.unit.builders import ALICE, BOT, announced_session, configure

PUBLIC_URL = "https://fabrique.example.org"
LINK = re.compile(re.escape(PUBLIC_URL) + r"/depot/([A-Za-z0-9_-]+)")


class Clock:
    """A clock the test moves by hand (the services' and the links' "now")."""

    def __init__(self) -> None:
        self.now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Door:
    settings: Settings
    services: Services
    uploads: UploadService
    web: WebDoor
    messenger: FakeMessenger
    runner: FakeRunner
    clock: Clock
    base: str  # where the server really listens: http://127.0.0.1:PORT

    def url(self, token: str) -> str:
        return f"{self.base}/depot/{token}"

    async def issue(self, fabrique_id: int, actor: Actor = ALICE) -> str:
        """A new link for ``fabrique_id``, as the organizer reads it in their DM; its token."""
        link = await self.uploads.issue(GUILD_ID, fabrique_id, actor)
        match = LINK.search(self.messenger.dms[-1].text)
        assert match is not None and link.url == match.group(0)
        return match.group(1)


def door_settings(tmp_path: Path, database_url: str, *, max_input_mb: int = 2048, **web: object) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        web=WebSettings(**{"enabled": True, "public_url": PUBLIC_URL, **web}),  # type: ignore[arg-type]
        audio=AudioSettings(max_input_mb=max_input_mb),
    )


@asynccontextmanager
async def running_door(
    engine: AsyncEngine,
    settings: Settings,
    *,
    checks: Mapping[str, HealthCheck] | None = None,
    runner: FakeRunner | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[Door]:
    """The web door started on a free port of 127.0.0.1, with services on ``engine`` (migrated here)."""
    await migrate.upgrade(engine)
    clock = clock or Clock()
    messenger, runner = FakeMessenger(), runner or FakeRunner()
    services = services_on(engine, settings, clock, ports=fake_ports(messenger=messenger, runner=runner))
    await configure(services)
    uploads = services.uploads
    assert uploads is not None, "running_door needs settings with [web] enabled"
    door = WebDoor(
        settings,
        uploads=uploads,
        sessions=services.sessions,
        checks=checks if checks is not None else {"base": lambda: True},
    )
    await door.start(port=0)
    try:
        yield Door(settings, services, uploads, door, messenger, runner, clock, f"http://127.0.0.1:{door.port}")
    finally:
        await door.stop()
        for task in runner.tasks:
            task.cancel()
        await asyncio.gather(*runner.tasks, return_exceptions=True)
        await services.background.settle()


async def held_session(services: Services) -> FabriqueRecord:
    """ALICE's session, announced then ended: it waits for its documentation."""
    session = await announced_session(services)
    return await services.timeline.advance(session.id, Action.END, BOT)

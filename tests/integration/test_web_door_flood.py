"""The web door under a flood of made-up links from the internet: the attempt limiter keeps its memory bounded
(``max_keys`` links a minute), but made-up links must not use that room up, or nobody's real link opens."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.web import WebDoor
from bot.web.limits import AttemptLimiter
from tests.integration.web_support import Door, door_settings, held_session, running_door

ROOM = 50  # the limiter's max_keys, small so that the flood is short (the default is 10 000 a minute)


@pytest.fixture
async def door(engine: AsyncEngine, database_url: str, tmp_path: Path) -> AsyncIterator[Door]:
    async with running_door(engine, door_settings(tmp_path, database_url, max_input_mb=1)) as door:
        yield door


async def test_made_up_links_do_not_lock_the_organizers_real_link_out(door: Door) -> None:
    session = await held_session(door.services)
    token = await door.issue(session.id)
    flooded = WebDoor(
        door.settings,
        uploads=door.uploads,
        sessions=door.services.sessions,
        checks={"base": lambda: True},
        limiter=AttemptLimiter(max_keys=ROOM),
    )
    await flooded.start(port=0)
    base = f"http://127.0.0.1:{flooded.port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(ROOM):  # an attacker tries random links: each is unknown
                async with http.get(f"{base}/depot/{secrets.token_urlsafe(32)}") as response:
                    assert response.status == 404

            async with http.get(f"{base}/depot/{token}") as response:  # the organizer opens the link from the DM
                status, page = response.status, await response.text()
    finally:
        await flooded.stop()

    # Before the fix: 429 « Trop de tentatives » for a link tried for the first time.
    assert (status, "Trop de tentatives" in page) == (200, False)

"""The draft of Zoom's recording is made when the recording is offered, inside timed work. With ``[resume]`` the
summary endpoint may think for up to ``timeout_seconds`` (120 s by default, 900 at most): timed work of other
sessions (their start notice, their reminders) must not wait behind it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import ResumeSettings, ZoomSettings
from bot.db import migrate
from bot.i18n import I18n
from bot.services.drafts import DraftService
from tests.conftest import GUILD_ID, make_settings
from tests.unit.builders import ALICE, BOB, add_slot, approved_fabrique, configure
from tests.unit.conftest import FakeClock
from tests.unit.recording_world import END, dispatcher_for, world_on

ZOOM = ZoomSettings(enabled=True, account_id="acc", client_id="client", host_user="me")  # as world_on's
SECOND_START = END + timedelta(minutes=90)  # 15/03/2027 17:30 in Paris, another session on Zoom


class ThinkingModel:
    """A summary endpoint that answers when the test says so."""

    model = "lent"

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.answer = asyncio.Event()

    async def complete(self, system: str, user: str) -> str:
        self.asked.set()
        await self.answer.wait()
        return "Idées clés : …"


async def test_a_slow_summary_endpoint_does_not_hold_back_another_session_s_start(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    await migrate.upgrade(engine)
    model = ThinkingModel()
    general = make_settings(tmp_path).general
    drafts = DraftService(
        ResumeSettings(base_url="http://127.0.0.1:9/v1", model=model.model),
        i18n=I18n(general.language, general.tz),
        zoom=None,
        resume=model,
    )
    services, recordings, cloud, messenger, cards = world_on(engine, database_url, tmp_path, clock, drafts=drafts)
    await configure(services)
    dispatcher = dispatcher_for(services, recordings, messenger, cards, clock)
    first = await approved_fabrique(services, ALICE)
    await services.announcements.book(
        GUILD_ID, first.id, (await add_slot(services, "15/03/2027", "14:00", 180)).id, ALICE, None
    )
    cloud.publish(cloud.meetings[0])
    second = await approved_fabrique(services, BOB)
    slot = await add_slot(services, "15/03/2027", "17:30", 180)
    assert (await services.announcements.book(GUILD_ID, second.id, slot.id, BOB, None)).announced

    clock.now = SECOND_START
    running = asyncio.create_task(dispatcher.run_due())  # the first session's polls, then the second's start
    try:
        await asyncio.wait_for(model.asked.wait(), timeout=30)
        started: list[str] = []
        for _ in range(3000):  # the endpoint is still thinking (it answers only below): everything else may run
            started = [text for _, text in messenger.threads if f"n°{second.id}" in text]
            if started:
                break
            await asyncio.sleep(0.01)
        # Before the fix: nothing until the endpoint answers — the start notice waits behind the draft.
        assert started, "the second session's start notice waits for the first session's draft"
    finally:
        model.answer.set()
        await running
    assert [text for _, text in messenger.threads if f"n°{second.id}" in text]  # once the endpoint answered

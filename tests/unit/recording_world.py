"""Zoom's cloud recordings as the recording-service tests see them: services on a real database whose Zoom is an
in-memory fake (tests/unit/fake_cloud.py), fake Discord ports, and the due-work dispatcher that polls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import ZoomSettings
from bot.db import migrate
from bot.db.engine import create_sessionmaker
from bot.db.models import FabriqueRow
from bot.db.uow import unit_of_work_factory
from bot.services import Services
from bot.services.clients import Clients
from bot.services.drafts import DraftService
from bot.services.recordings import RecordingService
from bot.timed import Dispatcher
from tests.conftest import GUILD_ID, make_settings
from tests.ports import FakeCards, FakeMessenger, services_on
from tests.unit.builders import ALICE, BOT, COORGANIZER, add_slot, approved_fabrique, configure
from tests.unit.conftest import FakeClock
from tests.unit.fake_cloud import FakeCloud

# The session booked below: 15/03/2027 14:00 in Paris (13:00 UTC), 120 minutes, by ALICE with COORGANIZER.
END = datetime(2027, 3, 15, 15, 0, tzinfo=UTC)
LAST_POLL = 24 * 60


class Door:
    """The web door, when on: one upload page per person and Fabrique."""

    async def upload_link(self, fabrique_id: int, user_id: int) -> str | None:
        return f"https://fabrique.example/depot/{fabrique_id}-{user_id}"


@dataclass
class World:
    services: Services
    recordings: RecordingService
    cloud: FakeCloud
    messenger: FakeMessenger
    cards: FakeCards
    dispatcher: Dispatcher
    clock: FakeClock
    engine: AsyncEngine
    tmp_path: Path

    async def at(self, moment: datetime) -> int:
        self.clock.now = moment
        return await self.dispatcher.run_due()

    async def row(self, model: type, fabrique_id: int) -> object:
        column = model.id if model is FabriqueRow else model.fabrique_id  # type: ignore[attr-defined]
        async with create_sessionmaker(self.engine)() as session:
            return (await session.execute(select(model).where(column == fabrique_id))).scalar_one_or_none()

    def offers(self) -> list[str]:
        return [dm.text for dm in self.messenger.dms if dm.recording_for is not None]


async def no_copies() -> int:
    return 0


def world_on(
    engine: AsyncEngine,
    database_url: str,
    tmp_path: Path,
    clock: FakeClock,
    door: Door | None = None,
    drafts: DraftService | None = None,
    **zoom: object,
) -> tuple[Services, RecordingService, FakeCloud, FakeMessenger, FakeCards]:
    settings = make_settings(
        tmp_path,
        database_url,
        zoom=ZoomSettings(enabled=True, account_id="acc", client_id="client", host_user="me", **zoom),  # type: ignore[arg-type]
    )
    cloud, messenger, cards = FakeCloud(), FakeMessenger(), FakeCards()
    services = services_on(engine, settings, clock, clients=Clients(zoom=cloud))
    recordings = RecordingService(
        unit_of_work_factory(create_sessionmaker(engine)),
        settings,
        clock,
        zoom=cloud,
        documentation=services.documentation,
        cards=cards,
        messenger=messenger,
        i18n=services.i18n,
        drafts=drafts or services.drafts,
        spawn=services.background.spawn,
        upload_door=door,
    )
    return services, recordings, cloud, messenger, cards


def dispatcher_for(
    services: Services, recordings: RecordingService, messenger: FakeMessenger, cards: FakeCards, clock: FakeClock
) -> Dispatcher:
    """The due-work dispatcher of these services, with ``recordings`` and no copy or welcome rule to keep."""
    return Dispatcher(
        timeline=services.timeline,
        registrations=services.registrations,
        retry_copies=no_copies,
        keep_welcome=no_copies,
        post_monthly=no_copies,
        messenger=messenger,
        cards=cards,
        i18n=services.i18n,
        clock=clock,
        deadline_days=14,
        bot_user_id=lambda: BOT.user_id,
        recordings=recordings,
        links=services.links,
        announcements=services.announcements,
    )


async def zoom_world(engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock, **zoom: object) -> World:
    """Migrated, configured services whose Zoom records to the cloud (``zoom``: more ``[zoom]`` keys)."""
    await migrate.upgrade(engine)
    services, recordings, cloud, messenger, cards = world_on(engine, database_url, tmp_path, clock, **zoom)
    await configure(services)
    dispatcher = dispatcher_for(services, recordings, messenger, cards, clock)
    return World(services, recordings, cloud, messenger, cards, dispatcher, clock, engine, tmp_path)


async def session_on_zoom(world: World) -> int:
    """ALICE's Fabrique (with COORGANIZER), booked: the bot creates its Zoom meeting and announces it."""
    fabrique = await approved_fabrique(world.services, ALICE, coorganizer=COORGANIZER)
    slot = await add_slot(world.services, "15/03/2027", "14:00", 180)
    booked = await world.services.announcements.book(GUILD_ID, fabrique.id, slot.id, ALICE, None)
    assert booked.announced and world.cloud.meetings
    return fabrique.id


def meeting(world: World) -> int:
    return world.cloud.meetings[-1]

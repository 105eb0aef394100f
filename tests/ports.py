"""The Discord ports as service tests see them: fakes that record what the services asked of Discord.

They stand for Discord only (SimCord drives the real cogs in tests/behaviour); every service under test is real.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import create_sessionmaker
from bot.db.uow import unit_of_work_factory
from bot.integrations.mailing import MailMessage
from bot.services import Services, build_services
from bot.services.clients import Clients, clients_from_settings
from bot.services.ports import Attachment, DiscordPorts, Posted
from bot.services.records import Attendance, FabriqueRecord

BOT_USER_ID = 999


@dataclass(frozen=True)
class Dm:
    user_id: int
    text: str
    recap_for: int | None = None
    recording_for: int | None = None  # « Utiliser cet enregistrement » / « J'en fournis un autre » of that Fabrique
    announce_for: int | None = None  # « Annoncer » of that Fabrique's held booking
    absence_for: int | None = None  # « Absent·e le JJ/MM » of that session of a series
    attachment: Attachment | None = None


@dataclass
class FakeMessenger:
    """DMs, the team channel and the announcement's thread. ``closed``: DMs refused; ``broken``: Discord raises."""

    closed: set[int] = field(default_factory=set)
    broken: set[int] = field(default_factory=set)
    dms: list[Dm] = field(default_factory=list)
    team: list[tuple[int, str]] = field(default_factory=list)
    team_files: list[Attachment] = field(default_factory=list)  # what was posted with the team's messages
    threads: list[tuple[int, str]] = field(default_factory=list)
    gate: asyncio.Event | None = None  # when set, each DM waits for it (a send in flight)
    sending: asyncio.Event = field(default_factory=asyncio.Event)

    async def dm(
        self, user_id: int, text: str, *, recap_for: int | None = None, attachment: Attachment | None = None
    ) -> bool:
        return await self._send(Dm(user_id, text, recap_for, attachment=attachment))

    async def offer_recording(self, user_id: int, text: str, fabrique_id: int) -> bool:
        return await self._send(Dm(user_id, text, recording_for=fabrique_id))

    async def offer_announce(self, user_id: int, text: str, fabrique_id: int) -> bool:
        return await self._send(Dm(user_id, text, announce_for=fabrique_id))

    async def offer_absence(self, user_id: int, text: str, fabrique_id: int, day: str) -> bool:
        return await self._send(Dm(user_id, text, absence_for=fabrique_id))

    async def _send(self, dm: Dm) -> bool:
        self.sending.set()
        if self.gate is not None:
            await self.gate.wait()
        if dm.user_id in self.broken:
            raise ConnectionError("Discord is unreachable")
        if dm.user_id in self.closed:
            return False
        self.dms.append(dm)
        return True

    async def tell_team(self, guild_id: int, text: str, *, attachments: Sequence[Attachment] = ()) -> bool:
        self.team.append((guild_id, text))
        self.team_files.extend(attachments)
        return True

    async def notice_in_thread(self, record: FabriqueRecord, text: str, *, mention: int | None = None) -> bool:
        self.threads.append((record.id, text))
        return True

    def to(self, user_id: int) -> list[Dm]:
        return [dm for dm in self.dms if dm.user_id == user_id]


@dataclass
class FakeDirectory:
    names: dict[tuple[int, int], str] = field(default_factory=dict)  # (guild, user) → display name

    def display_names(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, str]:
        return {user_id: name for user_id in user_ids if (name := self.names.get((guild_id, user_id)))}

    def own_id(self) -> int:
        return BOT_USER_ID


@dataclass
class FakeCards:
    shown: list[tuple[int, int]] = field(default_factory=list)  # (guild, fabrique)

    async def show(self, guild_id: int, fabrique_id: int) -> bool:
        self.shown.append((guild_id, fabrique_id))
        return True


@dataclass
class FakeBoard:
    """The announcements: posting one succeeds with made-up ids; every request is recorded."""

    posted: list[int] = field(default_factory=list)
    refreshed: list[int] = field(default_factory=list)
    redrawn: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    events_cancelled: list[int] = field(default_factory=list)

    async def post(self, record: FabriqueRecord, attendance: Attendance, channel_id: int) -> Posted | None:
        self.posted.append(record.id)
        return Posted(channel_id, 10_000 + record.home_id, None)  # a series has one message, on its first session

    def refresh(self, fabrique_id: int) -> None:
        self.refreshed.append(fabrique_id)

    async def redraw(self, fabrique_id: int, *, with_calendar: bool = False) -> None:
        self.redrawn.append(fabrique_id)

    async def close(self, record: FabriqueRecord, banner: str, *, final: bool) -> None:
        self.closed.append(record.id)

    async def move_event(self, record: FabriqueRecord) -> None:
        self.moved.append(record.id)

    async def update_event(self, record: FabriqueRecord) -> None:
        self.updated.append(record.id)

    async def cancel_event(self, record: FabriqueRecord) -> None:
        self.events_cancelled.append(record.id)


@dataclass
class FakeRunner:
    """The documentation cog's job runner: records which jobs it was asked to start; ``job`` runs them."""

    started: list[int] = field(default_factory=list)
    job: Callable[[int], object] | None = None
    tasks: list[asyncio.Task[object]] = field(default_factory=list)

    def start(self, fabrique_id: int) -> None:
        self.started.append(fabrique_id)
        if self.job is not None:
            self.tasks.append(asyncio.ensure_future(self.job(fabrique_id)))  # type: ignore[arg-type]


def fake_ports(*, messenger: FakeMessenger | None = None, runner: FakeRunner | None = None) -> DiscordPorts:
    return DiscordPorts(
        messenger=messenger or FakeMessenger(),
        directory=FakeDirectory(),
        cards=FakeCards(),
        board=FakeBoard(),
        runner=runner or FakeRunner(),
    )


def no_wake(at: datetime) -> None:
    """For services built without a scheduler: new due work needs no wake-up there."""


def services_on(
    engine: AsyncEngine,
    settings: Settings,
    clock: Clock,
    *,
    wake: Callable[[datetime], None] = no_wake,
    clients: Clients | None = None,
    ports: DiscordPorts | None = None,
) -> Services:
    """The services as the composition root builds them, on ``engine``, with fake Discord ports and the clients of
    the integrations ``settings`` enable (real ones, pointed at the test servers)."""
    uow = unit_of_work_factory(create_sessionmaker(engine))
    clients = clients if clients is not None else clients_from_settings(settings, clock)
    return build_services(settings, uow, clock, ports=ports or fake_ports(), clients=clients, wake=wake)


@dataclass
class FakeMailer:
    """The SMTP client as the services see it (the real one is tested against a real server in tests/integration)."""

    sent: list[MailMessage] = field(default_factory=list)

    async def send(self, message: MailMessage) -> str:
        self.sent.append(message)
        return f"<{len(self.sent)}@test>"

    def to(self, address: str) -> list[str]:
        return [message.subject.split(" :")[0] for message in self.sent if message.to == address]

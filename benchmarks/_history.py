"""Years of history for ``benchmarks/scale.py``, made through the services the way the bot makes it, and cached.

Each session goes the bot's way (``tests/ports.py::services_on``, fake Discord ports that forget what they send, a
frozen clock moved day by day): proposal → approval → Zoom link → slot → booking, announced at once → 20
registrations by ✅ (``RegistrationService.react``, one batch per announcement, their DMs sent in the background).
As the days pass the real ``Dispatcher`` runs the due work at the moments it falls due: both reminders, the start
notice, the end (held), the recap prompt (documentation due), the chasers, the team's alert, the monthly bilan.

Nine tenths of the sessions lie in the past, four a day (10,000 sessions are six years); one tenth are announced and
to come, from 8 days after today, with their reminders pending. A seeded size is cached under the cache folder,
named by its size, a hash of this seeding and the day (so "to come" stays true); on PostgreSQL the cache is a
database that each run copies as a template. Seeding 10,000 sessions takes an hour, so a change to the bot does not
reseed: the cached history is brought to the current migration head once, as a bot upgraded over years of history
would be, before any run copies it.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.config import DatabaseSettings, DiscordSettings, GeneralSettings, Settings
from bot.db import migrate
from bot.db.engine import create_engine
from bot.domain.lifecycle import Action, Actor
from bot.domain.proposal import Format, Parcours, ProposalDraft
from bot.services import Services
from bot.services.guild_config import ConfigChanges
from bot.services.ports import DiscordPorts
from bot.services.records import FabriqueRecord
from bot.services.registrations import Reactor
from bot.timed import Dispatcher
from tests.ports import Dm, FakeMessenger, fake_ports, services_on

GUILD_ID = 424242424242424242
TEAM_CHANNEL = 700000000000000001
TEAM_ROLE = 700000000000000002
MEMBER_ROLE = 700000000000000003
AGENDA_CHANNEL = 700000000000000004
TEAM = Actor(800000000000000002, is_team=True)
ZOOM = "https://zoom.us/j/123456789"
PARIS = ZoneInfo("Europe/Paris")

REGISTRANTS = 20  # per session
MEMBERS = 1_000  # who registers: each member comes back to many sessions over the years
ORGANIZERS = 200  # who proposes
UPCOMING_SHARE = 10  # one session in ten is announced and to come
TIMES = ("09:00", "12:00", "15:00", "18:00")  # four sessions a day (Paris), 150 min each, apart by more than the buffer
MINUTES = 150
LEAD = timedelta(days=8)  # a classique parcours books at least 7 days ahead
AFTERMATH = timedelta(days=15)  # past the last session's recap, chasers and the team's alert (14 days)
# When, around each session, the dispatcher runs: the last reminder, the start notice, the end and the recap prompt.
AROUND_SESSION = (timedelta(minutes=-59), timedelta(minutes=1), timedelta(minutes=MINUTES + 16))

DRAFT = ProposalDraft(
    format=Format.ATELIER,
    parcours=Parcours.CLASSIQUE,
    duration_minutes=120,
    title="Fabrique",
    description="Une session de l'histoire, pour mesurer.",
)


def member(n: int) -> int:
    return 810_000_000_000_000_000 + n % MEMBERS


def organizer(n: int) -> Actor:
    return Actor(830_000_000_000_000_000 + n % ORGANIZERS)


def registrants(index: int) -> list[int]:
    """Twenty distinct members for session ``index``, a different mix each time."""
    return [member(index * 7 + k * 53) for k in range(REGISTRANTS)]


def reactor(user_id: int) -> Reactor:
    return Reactor(user_id, frozenset({MEMBER_ROLE}))


class FrozenClock:
    """The bot's clock, moved on by whoever drives it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class SilentMessenger(FakeMessenger):
    """Every DM and team message succeeds and is forgotten: 10,000 sessions send a million of them."""

    async def _send(self, dm: Dm) -> bool:
        return True

    async def tell_team(self, guild_id: int, text: str, *, attachments: Any = ()) -> bool:
        return True


def settings_for(url: str, directory: Path) -> Settings:
    return Settings(
        general=GeneralSettings(data_dir=directory),
        discord=DiscordSettings(guild_id=GUILD_ID),
        database=DatabaseSettings(url=url),
    )


def silent_ports() -> DiscordPorts:
    return fake_ports(messenger=SilentMessenger())


def dispatcher_for(services: Services, ports: DiscordPorts, settings: Settings, clock: FrozenClock) -> Dispatcher:
    """The bot's dispatcher of due work, wired as ``FabriqueBot.setup_hook`` wires it."""
    return Dispatcher(
        timeline=services.timeline,
        registrations=services.registrations,
        retry_copies=services.announcements.retry_due_copies,
        keep_welcome=services.welcome.keep_announced,
        post_monthly=services.bilan.post_monthly,
        messenger=ports.messenger,
        cards=ports.cards,
        i18n=services.i18n,
        clock=clock,
        deadline_days=settings.documentation.deadline_days,
        bot_user_id=ports.directory.own_id,
        recordings=services.recordings,
        links=services.links,
        announcements=services.announcements,
    )


async def configure(services: Services) -> None:
    changes = ConfigChanges(
        team_role_id=TEAM_ROLE,
        member_role_id=MEMBER_ROLE,
        team_channel_id=TEAM_CHANNEL,
        agenda_channel_id=AGENDA_CHANNEL,
    )
    await services.guild_config.configure(GUILD_ID, changes, by=TEAM, is_admin=True)


async def announced_session(services: Services, index: int, at: datetime, people: list[int]) -> FabriqueRecord:
    """Proposed, approved, given its link, booked on its own slot at ``at`` (announced at once), then ✅ by
    ``people`` in one batch, as the ✅ listener hands them over."""
    draft = ProposalDraft(
        format=DRAFT.format,
        parcours=DRAFT.parcours,
        duration_minutes=DRAFT.duration_minutes,
        title=f"Fabrique n°{index} de l'histoire",
        description=DRAFT.description,
    )
    record = await services.proposals.propose(GUILD_ID, organizer(index), draft)
    await services.proposals.decide(GUILD_ID, record.id, TEAM, Action.APPROVE)
    await services.sessions.set_zoom_link(GUILD_ID, record.id, TEAM, ZOOM)
    local = at.astimezone(PARIS)
    slot = await services.slots.add(GUILD_ID, TEAM, f"{local:%d/%m/%Y}", f"{local:%H:%M}", MINUTES)
    booked = await services.announcements.book(GUILD_ID, record.id, slot.id, TEAM, None)
    if not booked.announced:
        raise RuntimeError(f"session {record.id} was booked but not announced")
    announced = await services.sessions.get(GUILD_ID, record.id)
    if people and announced.announcement_message_id is not None:
        await services.registrations.react(GUILD_ID, announced.announcement_message_id, [reactor(p) for p in people])
    return announced


def today() -> datetime:
    """Midnight (UTC) today: the end of the seeded past, the same for every run of the day."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def session_start(day: datetime, time_of_day: str) -> datetime:
    """``time_of_day`` in Paris on the date of ``day``, in UTC."""
    hour, minute = (int(part) for part in time_of_day.split(":"))
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)
    return local.astimezone(UTC)


def history_counts(size: int) -> tuple[int, int]:
    """How many sessions lie in the past and how many are to come."""
    upcoming = max(1, size // UPCOMING_SHARE)
    return size - upcoming, upcoming


async def seed(url: str, size: int, directory: Path) -> None:
    """``size`` sessions through the services: nine tenths held in the past, one tenth announced and to come.

    Day by day: what fell due overnight runs, the sessions eight days ahead are booked, then the dispatcher runs
    around each of the day's sessions (its last reminder, its start, its end and recap prompt)."""
    past, upcoming = history_counts(size)
    now = today()
    session_days = -(-past // len(TIMES))
    first_day = now - AFTERMATH - timedelta(days=session_days)
    clock = FrozenClock(first_day - LEAD)
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        settings = settings_for(url, directory)
        ports = silent_ports()
        services = services_on(engine, settings, clock, ports=ports)
        dispatcher = dispatcher_for(services, ports, settings, clock)
        await configure(services)
        day = first_day - LEAD
        while day < now:
            clock.now = day
            await dispatcher.run_due()
            booked = (day + LEAD - first_day).days * len(TIMES)
            for index in range(booked, min(booked + len(TIMES), past)):
                at = session_start(day + LEAD, TIMES[index % len(TIMES)])
                await announced_session(services, index, at, registrants(index))
            held = (day - first_day).days * len(TIMES)
            for index in range(max(held, 0), min(held + len(TIMES), past)):
                for offset in AROUND_SESSION:
                    clock.now = session_start(day, TIMES[index % len(TIMES)]) + offset
                    await dispatcher.run_due()
            await services.background.settle()
            day += timedelta(days=1)
        clock.now = now
        await dispatcher.run_due()
        for number in range(upcoming):
            index = past + number
            at = session_start(now + LEAD + timedelta(days=number // len(TIMES)), TIMES[number % len(TIMES)])
            await announced_session(services, index, at, registrants(index))
        await services.background.settle()
    finally:
        await engine.dispose()


# --- the cache ------------------------------------------------------------------------------------------------------


def seeding_hash() -> str:
    """What the shape of a seeded history depends on: this seeding. (The bot's schema is brought up to date by its
    migrations, ``History.ensure``.)"""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


class History:
    """One seeded size, made once (``ensure``) and copied fresh for each run (``copy``)."""

    def __init__(self, size: int, cache_dir: Path, postgres: str | None) -> None:
        self.size = size
        self.key = f"{size}-{seeding_hash()}-{today():%Y%m%d}"
        self.cache_dir = cache_dir
        self.postgres = postgres
        self.seeding_seconds: float | None = None  # None: found in the cache

    @property
    def cached_file(self) -> Path:
        return self.cache_dir / f"{self.key}.db"

    @property
    def cached_database(self) -> str:
        return "fabrique_scale_" + self.key.replace("-", "_")

    async def ensure(self, directory: Path) -> None:
        """Seed this size unless the cache holds it (``seeding_seconds`` says how long seeding took), then bring
        the cached history to the current migration head, so no run times a migration."""
        if self.postgres:
            await self._ensure_postgres(self.postgres, directory)
            url = _pg_url(self.postgres, self.cached_database)
        else:
            if not self.cached_file.exists():
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                partial = _fresh_copy(None, self.cached_file.with_suffix(".partial"))
                started = time.perf_counter()
                await seed(f"sqlite+aiosqlite:///{partial}", self.size, directory)
                self.seeding_seconds = time.perf_counter() - started
                partial.rename(self.cached_file)
            url = f"sqlite+aiosqlite:///{self.cached_file}"
        engine = create_engine(url)
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()

    async def _ensure_postgres(self, url: str, directory: Path) -> None:
        existing = await _pg_databases(url)
        if self.cached_database in existing:
            return
        partial = self.cached_database + "_partial"
        await _pg_admin(url, f'DROP DATABASE IF EXISTS "{partial}"')
        await _pg_admin(url, f'CREATE DATABASE "{partial}"')
        started = time.perf_counter()
        await seed(_pg_url(url, partial), self.size, directory)
        self.seeding_seconds = time.perf_counter() - started
        await _pg_admin(url, f'ALTER DATABASE "{partial}" RENAME TO "{self.cached_database}"')

    async def copy(self, directory: Path) -> str:
        """A fresh database holding the seeded history, for one run (a run changes it); its URL."""
        if not self.postgres:
            return f"sqlite+aiosqlite:///{_fresh_copy(self.cached_file, directory / 'work.db')}"
        work_name = self.cached_database + "_work"
        await _pg_admin(self.postgres, f'DROP DATABASE IF EXISTS "{work_name}"')
        await _pg_admin(self.postgres, f'CREATE DATABASE "{work_name}" TEMPLATE "{self.cached_database}"')
        return _pg_url(self.postgres, work_name)


def _fresh_copy(source: Path | None, target: Path) -> Path:
    """``target`` (and its SQLite journals) gone, then ``source`` copied there when given."""
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    if source is not None:
        shutil.copyfile(source, target)
    return target


def _pg_url(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


async def _pg_admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _pg_databases(url: str) -> set[str]:
    engine: AsyncEngine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return set((await connection.execute(text("SELECT datname FROM pg_database"))).scalars())
    finally:
        await engine.dispose()

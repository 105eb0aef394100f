"""Steps the service tests share: the people, a configured guild, an approved Fabrique, a slot, a booked or announced
session, what the audit trail and the tables hold; and the scheduler's stand-ins.

Each step goes through the services the way the bot does, on the test's real database (see ``conftest.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_sessionmaker
from bot.db.uow import unit_of_work_factory
from bot.domain.lifecycle import Action, Actor, State
from bot.domain.proposal import Format, Parcours, ProposalDraft
from bot.services import Services
from bot.services.guild_config import ConfigChanges
from bot.services.records import FabriqueRecord, SlotRecord
from bot.services.series import spawn_sessions
from tests.conftest import GUILD_ID

TEAM_CHANNEL = 700000000000000001
TEAM_ROLE = 700000000000000002
AGENDA_CHANNEL = 700000000000000004
MESSAGE_ID = 900000000000000001

BOT = Actor(user_id=1, is_team=True)
ADMIN = Actor(800000000000000001, is_team=True)
TEAM = Actor(800000000000000002, is_team=True)
ALICE = Actor(800000000000000003)
BOB = Actor(800000000000000004)
CAROL = Actor(800000000000000006)
COORGANIZER = Actor(800000000000000007)
STRANGER = Actor(800000000000000008)

ZOOM_URL = "https://zoom.us/j/1234567890?pwd=secret"

DRAFT = ProposalDraft(
    format=Format.ATELIER,
    parcours=Parcours.CLASSIQUE,
    duration_minutes=120,
    title="Les tiers-lieux culturels",
    description="Partager nos pratiques de médiation.",
)


def member(n: int) -> Actor:
    return Actor(810000000000000000 + n)


# --- a guild, a Fabrique, a slot, a session -------------------------------------------------------------------------


async def configure(services: Services, guild_id: int = GUILD_ID) -> None:
    await services.guild_config.configure(
        guild_id,
        ConfigChanges(team_channel_id=TEAM_CHANNEL, team_role_id=TEAM_ROLE, agenda_channel_id=AGENDA_CHANNEL),
        by=ADMIN,
        is_admin=True,
    )


async def approved_fabrique(
    services: Services,
    organizer: Actor = ALICE,
    *,
    parcours: Parcours = Parcours.CLASSIQUE,
    duration: int = 120,
    coorganizer: Actor | None = None,
    guild_id: int = GUILD_ID,
) -> FabriqueRecord:
    """A proposal by ``organizer``, approved by the team."""
    draft = replace(
        DRAFT,
        parcours=parcours,
        duration_minutes=duration,
        coorganizer_id=coorganizer.user_id if coorganizer else None,
    )
    record = await services.proposals.propose(guild_id, organizer, draft)
    decision = await services.proposals.decide(guild_id, record.id, TEAM, Action.APPROVE)
    assert decision.fabrique.state is State.APPROVED
    return decision.fabrique


async def add_slot(
    services: Services, date: str = "15/03/2027", at: str = "14:00", minutes: int = 180, guild_id: int = GUILD_ID
) -> SlotRecord:
    return await services.slots.add(guild_id, TEAM, date, at, minutes)


async def announce(services: Services, fabrique_id: int, message_id: int = 900000000000000001) -> FabriqueRecord:
    """What the bot does once a booked session has its Zoom link: post the announcement and record it."""
    await services.sessions.set_zoom_link(GUILD_ID, fabrique_id, TEAM, ZOOM_URL)
    return await services.sessions.mark_announced(GUILD_ID, fabrique_id, BOT, AGENDA_CHANNEL, message_id, 42)


async def booked_session(services: Services, capacity: int | None = None) -> FabriqueRecord:
    """An approved Fabrique by ALICE (with COORGANIZER) booked on 15/03/2027 14:00 Paris, not announced yet."""
    fabrique = await approved_fabrique(services, ALICE, coorganizer=COORGANIZER)
    slot = await add_slot(services, "15/03/2027", "14:00", 180)
    return (await services.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE, capacity=capacity)).fabrique


async def announced_session(services: Services, capacity: int | None = None) -> FabriqueRecord:
    booked = await booked_session(services, capacity)
    record = await announce(services, booked.id, MESSAGE_ID)
    assert record.state is State.ANNOUNCED
    return record


# --- what the database holds ----------------------------------------------------------------------------------------


async def count(engine: AsyncEngine, model: type, *where: object) -> int:
    async with engine.connect() as connection:
        statement = select(func.count()).select_from(model)
        if where:
            statement = statement.where(*where)
        return (await connection.execute(statement)).scalar_one()


async def audit_actions(services: Services, number: int) -> list[str]:
    _, history = await services.proposals.with_history(GUILD_ID, number)
    return [entry.action for entry in history]


# --- the scheduler's stand-ins, in real time ------------------------------------------------------------------------

PATIENCE = 5.0  # seconds: how long a test waits for something that should happen well before


def real_now() -> datetime:
    return datetime.now(UTC)


class Recorder:
    """A dispatcher that records its calls; ``failures`` first calls raise."""

    def __init__(self, failures: int = 0) -> None:
        self.calls: list[asyncio.Task[object] | None] = []
        self.failures = failures

    async def run(self) -> int:
        self.calls.append(asyncio.current_task())
        if len(self.calls) <= self.failures:
            raise RuntimeError("dispatch broke")
        return 1


async def eventually(condition: Callable[[], bool], within: float = PATIENCE) -> bool:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def nothing_due() -> datetime | None:
    return None


async def series_of(
    engine: AsyncEngine, fabrique_id: int, sessions: int, rhythm: str = "un jeudi sur deux"
) -> list[int]:
    """An approved single Fabrique turned into a series of ``sessions`` the way approval makes one (its later
    sessions approved, waiting for dates); the numbers of its sessions, in rank order."""
    uow_factory = unit_of_work_factory(create_sessionmaker(engine))
    async with uow_factory() as uow:
        home = await uow.fabriques.by_id(fabrique_id, lock=True)
        assert home is not None
        home.series_size, home.series_rhythm = sessions, rhythm
        await spawn_sessions(uow, home, home.updated_at)
        numbers = [row.id for row in await uow.fabriques.series(fabrique_id)]
        await uow.commit()
    return numbers

"""Issue 14 at the service level, on SQLite and PostgreSQL: a replaced Zoom link becomes due work for exactly those
already reminded with the old one (once per change, kept by every re-plan), and a held booking plans its reminder
and release, is published only once confirmed, and is released unconfirmed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import SessionSettings
from bot.db import migrate
from bot.db.engine import create_sessionmaker
from bot.db.models import DueWorkRow
from bot.domain.lifecycle import State
from bot.domain.registration import Source
from bot.domain.timeline import DueStatus, Work
from bot.errors import Forbidden, InvalidState
from bot.services import Services
from tests.conftest import GUILD_ID, make_settings
from tests.ports import FakeMessenger, fake_ports, services_on
from tests.unit.builders import (
    ALICE,
    BOB,
    CAROL,
    COORGANIZER,
    STRANGER,
    TEAM,
    add_slot,
    announced_session,
    approved_fabrique,
    configure,
    member,
)
from tests.unit.conftest import FakeClock

NEW_URL = "https://zoom.us/j/5550001111?pwd=nouveau"


async def rows_of(engine: AsyncEngine, kind: Work) -> list[DueWorkRow]:
    async with create_sessionmaker(engine)() as session:
        statement = select(DueWorkRow).where(DueWorkRow.kind == kind).order_by(DueWorkRow.id)
        return list((await session.execute(statement)).scalars())


async def test_a_replaced_link_is_owed_to_those_already_reminded_once_per_change(
    services: Services, engine: AsyncEngine, clock: FakeClock, told: list[datetime]
) -> None:
    await configure(services)
    session = await announced_session(services, capacity=2)
    for actor in (BOB, CAROL, member(1)):  # the last one is waitlisted
        await services.registrations.register(GUILD_ID, session.id, actor, Source.BUTTON)
    assert session.starts_at is not None
    clock.now = session.starts_at - timedelta(hours=24)
    claimed = await services.timeline.claim_due()
    for item in claimed:  # BOB's 24 h reminder went out; CAROL's could not be delivered (DMs closed)
        status = DueStatus.DONE if item.user_id == BOB.user_id else DueStatus.SKIPPED
        await services.timeline.finish(item.id, status)

    await services.sessions.set_zoom_link(GUILD_ID, session.id, TEAM, NEW_URL)
    (notice,) = await rows_of(engine, Work.LINK_CHANGED)
    assert (notice.user_id, notice.amount, notice.due_at, notice.status) == (BOB.user_id, 1, clock.now, "pending")
    assert told[-1] == clock.now  # the scheduler is woken at once

    await services.registrations.register(GUILD_ID, session.id, member(2), Source.BUTTON)  # a re-plan
    assert [row.id for row in await rows_of(engine, Work.LINK_CHANGED)] == [notice.id]
    await services.sessions.set_zoom_link(GUILD_ID, session.id, TEAM, NEW_URL)  # the same link: no change
    assert len(await rows_of(engine, Work.LINK_CHANGED)) == 1
    await services.sessions.set_zoom_link(GUILD_ID, session.id, TEAM, NEW_URL + "2")
    assert [(row.user_id, row.amount) for row in await rows_of(engine, Work.LINK_CHANGED)] == [
        (BOB.user_id, 1),
        (BOB.user_id, 2),
    ]


@pytest.fixture
async def holding(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: Callable[[], datetime], told: list[datetime]
) -> tuple[Services, FakeMessenger]:
    await migrate.upgrade(engine)
    settings = make_settings(
        tmp_path, database_url, sessions=SessionSettings(confirm_before_announce=True, hold_days=7)
    )
    messenger = FakeMessenger()
    services = services_on(engine, settings, clock, wake=told.append, ports=fake_ports(messenger=messenger))
    await configure(services)
    return services, messenger


async def test_a_held_booking_waits_for_annoncer_and_only_then_is_published(
    holding: tuple[Services, FakeMessenger], engine: AsyncEngine, clock: FakeClock
) -> None:
    services, messenger = holding
    fabrique = await approved_fabrique(services, ALICE, coorganizer=COORGANIZER)
    slot = await add_slot(services, "15/03/2027", "14:00", 180)
    await services.sessions.set_zoom_link(GUILD_ID, fabrique.id, TEAM, NEW_URL)
    booked = await services.announcements.book(GUILD_ID, fabrique.id, slot.id, ALICE, None)
    record = booked.booking.fabrique
    assert booked.held and not booked.announced and record.state is State.SCHEDULED
    assert record.confirm_by == clock.now + timedelta(days=7)
    assert [dm.user_id for dm in messenger.dms if dm.announce_for == fabrique.id] == [COORGANIZER.user_id]
    expiry = await rows_of(engine, Work.HOLD_EXPIRY)
    assert [row.due_at for row in expiry] == [record.confirm_by]
    assert {row.user_id for row in await rows_of(engine, Work.HOLD_REMINDER)} == {ALICE.user_id, COORGANIZER.user_id}

    with pytest.raises(Forbidden):
        await services.announcements.confirm(GUILD_ID, fabrique.id, STRANGER)
    confirmed = await services.announcements.confirm(GUILD_ID, fabrique.id, ALICE)
    assert confirmed.announced and confirmed.fabrique.state is State.ANNOUNCED
    assert await rows_of(engine, Work.HOLD_EXPIRY) == []  # pending hold work is gone
    with pytest.raises(InvalidState):
        await services.announcements.confirm(GUILD_ID, fabrique.id, ALICE)


async def test_an_unconfirmed_hold_is_released_at_its_deadline(
    holding: tuple[Services, FakeMessenger], clock: FakeClock
) -> None:
    services, messenger = holding
    fabrique = await approved_fabrique(services, ALICE)
    slot = await add_slot(services, "15/03/2027", "14:00", 180)
    booked = await services.announcements.book(GUILD_ID, fabrique.id, slot.id, ALICE, None)
    assert await services.announcements.release_unconfirmed(fabrique.id) is None  # not yet
    clock.now = booked.booking.fabrique.confirm_by or clock.now
    released = await services.announcements.release_unconfirmed(fabrique.id)
    assert released is not None and released.fabrique.state is State.APPROVED
    assert released.fabrique.confirm_by is None and released.fabrique.slot_id is None
    assert any(dm.user_id == ALICE.user_id and dm.text.startswith("🔓") for dm in messenger.dms)
    assert await services.announcements.release_unconfirmed(fabrique.id) is None  # once


async def test_a_confirmation_cut_short_by_a_stop_is_announced_at_the_next_start(
    holding: tuple[Services, FakeMessenger],
) -> None:
    """« Annoncer » commits the confirmation, then the bot stops before the announcement is posted: the session is
    no longer held, nor announced, and « Annoncer » refuses. The start-up catch-up announces it (once); held and
    link-less sessions are left alone."""
    services, _ = holding
    fabrique = await approved_fabrique(services, ALICE)
    slot = await add_slot(services, "15/03/2027", "14:00", 180)
    await services.sessions.set_zoom_link(GUILD_ID, fabrique.id, TEAM, NEW_URL)
    await services.announcements.book(GUILD_ID, fabrique.id, slot.id, ALICE, None)
    still_held = await approved_fabrique(services, ALICE)
    other = await add_slot(services, "16/03/2027", "14:00", 180)
    await services.sessions.set_zoom_link(GUILD_ID, still_held.id, TEAM, NEW_URL)
    await services.announcements.book(GUILD_ID, still_held.id, other.id, ALICE, None)

    stopped = await services.sessions.confirm_hold(GUILD_ID, fabrique.id, ALICE)  # committed; the stop comes here
    assert stopped.state is State.SCHEDULED and not stopped.awaiting_confirmation
    with pytest.raises(InvalidState):
        await services.announcements.confirm(GUILD_ID, fabrique.id, ALICE)

    assert await services.announcements.announce_stranded() == 1
    assert (await services.sessions.get(GUILD_ID, fabrique.id)).state is State.ANNOUNCED
    assert (await services.sessions.get(GUILD_ID, still_held.id)).awaiting_confirmation
    assert await services.announcements.announce_stranded() == 0  # a second start finds nothing to do

"""Regressions for races and ordering bugs in the services, on SQLite and on PostgreSQL.

Concurrent calls go through ``asyncio.gather`` on one service set (as the bot does: one process, many
interactions); the database transactions are what keep them apart.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import FabriqueRow, SlotRow
from bot.domain.lifecycle import State
from bot.domain.registration import Source, Status
from bot.domain.schedule import Interval, monthly_occurrences
from bot.domain.welcome import WelcomeRule
from bot.errors import DomainError, Forbidden, InvalidInput, InvalidState, NotFound
from bot.services import Services
from bot.services.records import FabriqueRecord, SlotRecord
from tests.conftest import GUILD_ID
from tests.unit.builders import (
    ALICE,
    BOB,
    CAROL,
    COORGANIZER,
    STRANGER,
    TEAM,
    ZOOM_URL,
    add_slot,
    announced_session,
    approved_fabrique,
    audit_actions,
    booked_session,
    configure,
    count,
)
from tests.unit.conftest import FakeClock

BUFFER = timedelta(minutes=15)
ROUNDS = 5


@pytest.fixture
async def configured(services: Services) -> Services:
    await configure(services)
    return services


def split(results: list[object]) -> tuple[list[object], list[BaseException]]:
    successes = [r for r in results if not isinstance(r, BaseException)]
    errors = [r for r in results if isinstance(r, BaseException)]
    return successes, errors


async def stored_slots(engine: AsyncEngine) -> list[Interval]:
    async with engine.connect() as connection:
        rows = (await connection.execute(select(SlotRow.starts_at, SlotRow.ends_at).order_by(SlotRow.starts_at))).all()
    return [Interval(start, end) for start, end in rows]


def assert_no_overlap(slots: list[Interval]) -> None:
    for first, second in itertools.pairwise(slots):
        assert first.end + BUFFER <= second.start, (first, second)


async def booked_without_slot(engine: AsyncEngine) -> int:
    """Fabriques that believe they are booked but hold no slot: what a lost race used to leave behind."""
    states = [State.SCHEDULED.value, State.ANNOUNCED.value]
    return await count(engine, FabriqueRow, FabriqueRow.state.in_(states), FabriqueRow.slot_id.is_(None))


# --- (a) slot creation is serialised per guild ---------------------------------------------------------------------


async def test_two_overlapping_slots_created_at_once_exactly_one_is_kept(
    configured: Services, engine: AsyncEngine
) -> None:
    for day in range(ROUNDS):
        date = f"{10 + day:02d}/04/2027"
        results = await asyncio.gather(
            configured.slots.add(GUILD_ID, TEAM, date, "14:00", 120),
            configured.slots.add(GUILD_ID, TEAM, date, "15:00", 120),
            return_exceptions=True,
        )
        successes, errors = split(list(results))
        assert len(successes) == 1, results
        assert len(errors) == 1, results
        assert isinstance(errors[0], InvalidInput), repr(errors[0])
        assert errors[0].key == "error.slot.overlap"
        kept = successes[0]
        assert isinstance(kept, SlotRecord)
        assert errors[0].params["number"] == kept.id
    slots = await stored_slots(engine)
    assert len(slots) == ROUNDS
    assert_no_overlap(slots)


async def test_slots_created_at_once_without_overlap_are_all_kept(configured: Services, engine: AsyncEngine) -> None:
    results = await asyncio.gather(
        *(configured.slots.add(GUILD_ID, TEAM, "12/04/2027", f"{hour:02d}:00", 60) for hour in (9, 11, 13, 15, 17)),
        return_exceptions=True,
    )
    assert [r for r in results if isinstance(r, BaseException)] == []
    slots = await stored_slots(engine)
    assert len(slots) == 5
    assert_no_overlap(slots)


async def test_a_welcome_series_racing_a_slot_on_the_same_time_never_overlaps(
    configured: Services, engine: AsyncEngine
) -> None:
    # The clock is Monday 01/03/2027: the first Tuesday..Friday of March are the 2nd..5th.
    for weekday in range(1, 5):
        date = f"{weekday + 1:02d}/03/2027"
        rule = WelcomeRule(weekday=weekday, ordinal=1, at=time(12, 30), zoom_url=ZOOM_URL)
        start = monthly_occurrences(weekday, 1, rule.at, ZoneInfo("Europe/Paris"), FakeClock().now, 1)[0]
        welcome = configured.sessions.create_welcome(
            GUILD_ID, TEAM, rule, start, title="30 min chrono", description="Découvrir la communauté."
        )
        slot = configured.slots.add(GUILD_ID, TEAM, date, "12:00", 60)
        pair = (welcome, slot) if weekday % 2 else (slot, welcome)
        results = await asyncio.gather(*pair, return_exceptions=True)
        successes, errors = split(list(results))
        assert len(successes) == 1, results
        assert len(errors) == 1, results
        assert isinstance(errors[0], InvalidInput), repr(errors[0])
        assert errors[0].key == "error.slot.overlap"

    slots = await stored_slots(engine)
    assert len(slots) == 4
    assert_no_overlap(slots)
    # A welcome session that lost created nothing: every welcome Fabrique holds its own slot.
    async with engine.connect() as connection:
        welcome_slots = (
            await connection.execute(select(FabriqueRow.slot_id).where(FabriqueRow.kind == "welcome"))
        ).scalars()
        held = list(welcome_slots)
    assert None not in held
    assert len(held) == len(set(held)) == await count(engine, FabriqueRow)


# --- (b) removing a slot while someone books it --------------------------------------------------------------------


async def test_a_slot_removal_racing_a_booking_never_both_succeed(configured: Services, engine: AsyncEngine) -> None:
    outcomes: set[str] = set()
    for day in range(ROUNDS):
        fabrique = await approved_fabrique(configured, ALICE)
        slot = await add_slot(configured, f"{10 + day:02d}/04/2027", "14:00", 180)
        book = configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
        remove = configured.slots.remove(GUILD_ID, TEAM, slot.id)
        results = await asyncio.gather(*((book, remove) if day % 2 else (remove, book)), return_exceptions=True)
        booking, removal = (results[0], results[1]) if day % 2 else (results[1], results[0])

        stored = await configured.sessions.get(GUILD_ID, fabrique.id)
        if isinstance(removal, BaseException):
            # The booking won: the slot is held and stays.
            assert isinstance(removal, InvalidState), repr(removal)
            assert removal.key == "error.slot.booked"
            assert removal.params == {"number": slot.id, "fabrique": fabrique.id}
            assert not isinstance(booking, BaseException), repr(booking)
            assert (stored.state, stored.slot_id) == (State.SCHEDULED, slot.id)
            assert await count(engine, SlotRow, SlotRow.id == slot.id) == 1
            outcomes.add("booking")
        else:
            # The removal won: the booking found no slot and changed nothing.
            assert isinstance(booking, NotFound), repr(booking)
            assert booking.key == "error.unknown_slot"
            assert (stored.state, stored.slot_id, stored.starts_at) == (State.APPROVED, None, None)
            assert await audit_actions(configured, fabrique.id) == ["propose", "approve"]
            assert await count(engine, SlotRow, SlotRow.id == slot.id) == 0
            outcomes.add("removal")
        assert await booked_without_slot(engine) == 0
    assert outcomes  # at least one round ran; which side wins depends on the interleaving


async def test_a_slot_removal_racing_a_move_keeps_the_moved_session_on_a_slot(
    configured: Services, engine: AsyncEngine
) -> None:
    session = await announced_session(configured)
    for day in range(ROUNDS):
        target = await add_slot(configured, f"{10 + day:02d}/04/2027", "14:00", 180)
        results = await asyncio.gather(
            configured.slots.book(GUILD_ID, session.id, target.id, TEAM),
            configured.slots.remove(GUILD_ID, TEAM, target.id),
            return_exceptions=True,
        )
        successes, errors = split(list(results))
        assert len(successes) == 1 and len(errors) == 1, results
        assert isinstance(errors[0], DomainError), repr(errors[0])
        assert errors[0].key in {"error.slot.booked", "error.unknown_slot"}
        stored = await configured.sessions.get(GUILD_ID, session.id)
        assert stored.state is State.ANNOUNCED
        assert stored.slot_id is not None
        assert await count(engine, SlotRow, SlotRow.id == stored.slot_id) == 1
        assert await booked_without_slot(engine) == 0


# --- (c) no promotion into a closed session ------------------------------------------------------------------------


async def waitlisted_pair(services: Services) -> FabriqueRecord:
    """An announced session with capacity 1: BOB seated, CAROL waiting."""
    session = await announced_session(services, capacity=1)
    assert (await services.registrations.register(GUILD_ID, session.id, BOB, Source.BUTTON)).status is Status.CONFIRMED
    waiting = await services.registrations.register(GUILD_ID, session.id, CAROL, Source.BUTTON)
    assert waiting.status is Status.WAITLISTED
    return session


async def statuses(services: Services, fabrique_id: int) -> dict[int, Status]:
    registrants = list((await services.registrations.listing(GUILD_ID, fabrique_id, TEAM)).registrations)
    return {r.user_id: r.status for r in registrants}


async def test_leaving_a_cancelled_session_promotes_nobody(configured: Services) -> None:
    session = await waitlisted_pair(configured)
    await configured.sessions.cancel(GUILD_ID, session.id, TEAM, "Intervenant malade.")

    outcome = await configured.registrations.unregister(GUILD_ID, session.id, BOB.user_id)

    assert outcome.changed
    assert outcome.status is None
    assert outcome.promoted == ()
    assert await statuses(configured, session.id) == {CAROL.user_id: Status.WAITLISTED}
    attendance = await configured.registrations.attendance(session.id)
    assert (attendance.confirmed, attendance.waitlisted) == (0, 1)


async def test_leaving_a_session_that_has_started_promotes_nobody(configured: Services, clock: FakeClock) -> None:
    session = await waitlisted_pair(configured)
    assert session.starts_at is not None
    clock.now = session.starts_at + timedelta(minutes=5)

    outcome = await configured.registrations.unregister(GUILD_ID, session.id, BOB.user_id)

    assert outcome.promoted == ()
    assert await statuses(configured, session.id) == {CAROL.user_id: Status.WAITLISTED}


async def test_leaving_an_open_session_still_promotes(configured: Services, clock: FakeClock) -> None:
    session = await waitlisted_pair(configured)
    assert session.starts_at is not None
    clock.now = session.starts_at - timedelta(minutes=1)
    outcome = await configured.registrations.unregister(GUILD_ID, session.id, BOB.user_id)
    assert outcome.promoted == (CAROL.user_id,)
    assert await statuses(configured, session.id) == {CAROL.user_id: Status.CONFIRMED}


# --- (d) permission before input -----------------------------------------------------------------------------------


async def test_a_non_team_member_cancelling_with_an_empty_reason_is_told_team_only(configured: Services) -> None:
    session = await announced_session(configured)
    for actor in (ALICE, COORGANIZER, STRANGER):
        for reason in ("", "   "):
            with pytest.raises(Forbidden) as refused:
                await configured.sessions.cancel(GUILD_ID, session.id, actor, reason)
            assert refused.value.key == "error.team_only"
    assert (await configured.sessions.get(GUILD_ID, session.id)).state is State.ANNOUNCED


async def test_the_team_with_an_empty_reason_is_asked_for_one(configured: Services) -> None:
    session = await booked_session(configured)
    with pytest.raises(InvalidInput) as refused:
        await configured.sessions.cancel(GUILD_ID, session.id, TEAM, "")
    assert refused.value.key == "error.input.empty"
    assert (await configured.sessions.get(GUILD_ID, session.id)).state is State.SCHEDULED

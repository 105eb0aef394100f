"""The team's slots and the organizers' bookings, through the services, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import SessionSettings
from bot.db.models import AuditRow, FabriqueRow, RegistrationRow, SlotRow
from bot.domain.lifecycle import Action, Actor, State
from bot.domain.proposal import Parcours
from bot.domain.registration import Source, Status
from bot.errors import Forbidden, InvalidInput, InvalidState, NotFound
from bot.services import Services
from bot.services.records import FabriqueRecord
from bot.services.slots import MoveTarget
from tests.conftest import GUILD_ID, make_settings
from tests.ports import services_on
from tests.unit.builders import (
    AGENDA_CHANNEL,
    ALICE,
    BOB,
    CAROL,
    DRAFT,
    TEAM,
    add_slot,
    announce,
    approved_fabrique,
    audit_actions,
    configure,
    count,
)
from tests.unit.conftest import FakeClock

OTHER_GUILD_ID = 515151515151515151


@pytest.fixture
async def configured(services: Services) -> Services:
    await configure(services)
    return services


# --- add ---------------------------------------------------------------------------------------------------------


async def test_add_reads_the_guild_zone_and_stores_utc(configured: Services) -> None:
    winter = await add_slot(configured, "15/03/2027", "14:00", 180)
    summer = await add_slot(configured, "04/05/2027", "14h30", 90)

    assert (winter.starts_at, winter.ends_at) == (
        datetime(2027, 3, 15, 13, 0, tzinfo=UTC),
        datetime(2027, 3, 15, 16, 0, tzinfo=UTC),
    )
    assert (summer.starts_at, summer.ends_at) == (
        datetime(2027, 5, 4, 12, 30, tzinfo=UTC),
        datetime(2027, 5, 4, 14, 0, tzinfo=UTC),
    )
    assert winter.minutes == 180
    assert winter.booked_by is None
    assert summer.id != winter.id
    assert [slot.id for slot in await configured.slots.upcoming(GUILD_ID, free_only=False)] == [winter.id, summer.id]


async def test_add_by_a_non_team_member_is_refused(configured: Services, engine: AsyncEngine) -> None:
    for actor in (ALICE, Actor(ALICE.user_id, is_member=False)):
        with pytest.raises(Forbidden) as refused:
            await configured.slots.add(GUILD_ID, actor, "15/03/2027", "14:00", 120)
        assert refused.value.key == "error.team_only"
    assert await count(engine, SlotRow) == 0


async def test_add_refuses_bad_input_and_creates_nothing(
    configured: Services, engine: AsyncEngine, clock: FakeClock
) -> None:
    cases = [
        (("28/02/2027", "14:00", 120), "error.input.past"),
        (("01/03/2027", "09:00", 120), "error.input.past"),  # 08:00 UTC, one hour ago
        (("15/03/2027", "14:00", 20), "error.input.slot_length"),
        (("15/03/2027", "14:00", 9 * 60), "error.input.slot_length"),
        (("31/02/2027", "14:00", 120), "error.input.date"),
        (("15/03/2027", "25:00", 120), "error.input.time"),
        (("28/03/2027", "02:30", 120), "error.input.nonexistent_time"),
    ]
    for arguments, key in cases:
        with pytest.raises(InvalidInput) as refused:
            await configured.slots.add(GUILD_ID, TEAM, *arguments)
        assert refused.value.key == key
    assert await count(engine, SlotRow) == 0


async def test_an_overlapping_slot_is_refused_naming_the_slot_in_the_way(
    configured: Services, engine: AsyncEngine
) -> None:
    first = await add_slot(configured, "15/03/2027", "14:00", 120)  # 13:00-15:00 UTC

    for at, minutes in [("15:00", 60), ("13:00", 90), ("13:00", 300), ("16:14", 60), ("12:00", 106)]:
        with pytest.raises(InvalidInput) as refused:
            await configured.slots.add(GUILD_ID, TEAM, "15/03/2027", at, minutes)
        assert refused.value.key == "error.slot.overlap"
        assert refused.value.params == {"number": first.id, "start": first.starts_at, "buffer": 15}
    assert await count(engine, SlotRow) == 1

    # Exactly the buffer between two slots is enough, on either side.
    after = await add_slot(configured, "15/03/2027", "16:15", 60)
    before = await add_slot(configured, "15/03/2027", "12:00", 105)
    assert after.starts_at == first.ends_at + timedelta(minutes=15)
    assert before.ends_at == first.starts_at - timedelta(minutes=15)
    assert await count(engine, SlotRow) == 3


async def test_an_overlap_names_the_earliest_slot_in_the_way(configured: Services) -> None:
    morning = await add_slot(configured, "15/03/2027", "09:00", 60)
    await add_slot(configured, "15/03/2027", "11:00", 60)
    with pytest.raises(InvalidInput) as refused:
        await configured.slots.add(GUILD_ID, TEAM, "15/03/2027", "08:00", 240)
    assert refused.value.params["number"] == morning.id


async def test_the_buffer_comes_from_the_settings(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock, services: Services
) -> None:
    settings = make_settings(tmp_path, database_url, sessions=SessionSettings(buffer_minutes=0))
    no_buffer = services_on(engine, settings, clock)
    await add_slot(no_buffer, "15/03/2027", "14:00", 60)
    touching = await add_slot(no_buffer, "15/03/2027", "15:00", 60)
    assert touching.starts_at == datetime(2027, 3, 15, 14, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput) as refused:
        await add_slot(no_buffer, "15/03/2027", "15:59", 60)
    assert refused.value.params["buffer"] == 0


async def test_slots_of_another_guild_never_conflict(configured: Services) -> None:
    await configure(configured, OTHER_GUILD_ID)
    ours = await add_slot(configured, "15/03/2027", "14:00", 120)
    theirs = await add_slot(configured, "15/03/2027", "14:00", 120, guild_id=OTHER_GUILD_ID)
    assert [s.id for s in await configured.slots.upcoming(GUILD_ID, free_only=False)] == [ours.id]
    assert [s.id for s in await configured.slots.upcoming(OTHER_GUILD_ID, free_only=False)] == [theirs.id]


# --- upcoming and remove -----------------------------------------------------------------------------------------


async def test_upcoming_free_only_leaves_out_booked_and_past_slots(configured: Services, clock: FakeClock) -> None:
    fabrique = await approved_fabrique(configured)
    first = await add_slot(configured, "15/03/2027", "14:00")
    second = await add_slot(configured, "16/03/2027", "14:00")
    third = await add_slot(configured, "17/03/2027", "14:00")

    assert [s.id for s in await configured.slots.upcoming(GUILD_ID, free_only=True)] == [first.id, second.id, third.id]

    await configured.slots.book(GUILD_ID, fabrique.id, second.id, ALICE)
    free = await configured.slots.upcoming(GUILD_ID, free_only=True)
    everything = await configured.slots.upcoming(GUILD_ID, free_only=False)
    assert [s.id for s in free] == [first.id, third.id]
    assert [(s.id, s.booked_by) for s in everything] == [
        (first.id, None),
        (second.id, fabrique.id),
        (third.id, None),
    ]

    clock.now = first.starts_at  # a slot that has started is no longer offered
    assert [s.id for s in await configured.slots.upcoming(GUILD_ID, free_only=True)] == [third.id]
    assert [s.id for s in await configured.slots.upcoming(GUILD_ID, free_only=False)] == [second.id, third.id]


async def test_remove_a_free_slot(configured: Services, engine: AsyncEngine) -> None:
    slot = await add_slot(configured)
    removed = await configured.slots.remove(GUILD_ID, TEAM, slot.id)
    assert removed == slot
    assert await configured.slots.upcoming(GUILD_ID, free_only=False) == []
    assert await count(engine, SlotRow) == 0


async def test_remove_refusals(configured: Services, engine: AsyncEngine) -> None:
    slot = await add_slot(configured)
    with pytest.raises(Forbidden) as forbidden:
        await configured.slots.remove(GUILD_ID, ALICE, slot.id)
    assert forbidden.value.key == "error.team_only"
    with pytest.raises(NotFound) as unknown:
        await configured.slots.remove(GUILD_ID, TEAM, slot.id + 1000)
    assert unknown.value.key == "error.unknown_slot"
    assert unknown.value.params == {"number": slot.id + 1000}
    with pytest.raises(NotFound):
        await configured.slots.remove(OTHER_GUILD_ID, TEAM, slot.id)
    assert await count(engine, SlotRow) == 1


async def test_a_booked_slot_cannot_be_removed(configured: Services, engine: AsyncEngine) -> None:
    fabrique = await approved_fabrique(configured)
    slot = await add_slot(configured)
    await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
    with pytest.raises(InvalidState) as refused:
        await configured.slots.remove(GUILD_ID, TEAM, slot.id)
    assert refused.value.key == "error.slot.booked"
    assert refused.value.params == {"number": slot.id, "fabrique": fabrique.id}
    assert await count(engine, SlotRow) == 1
    assert (await configured.sessions.get(GUILD_ID, fabrique.id)).slot_id == slot.id


# --- book --------------------------------------------------------------------------------------------------------


async def test_book_schedules_the_fabrique_on_the_slot(configured: Services, clock: FakeClock) -> None:
    fabrique = await approved_fabrique(configured, duration=120)
    slot = await add_slot(configured, "15/03/2027", "14:00", 180)
    clock.advance(minutes=5)

    booking = await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)

    booked = booking.fabrique
    assert booked.state is State.SCHEDULED
    assert booked.slot_id == slot.id
    assert booked.starts_at == slot.starts_at
    assert booked.ends_at == slot.starts_at + timedelta(minutes=120)  # the Fabrique's length, not the slot's
    assert booked.ends_at < slot.ends_at
    assert booked.capacity == 0  # [sessions] default_capacity
    assert booked.updated_at == clock.now
    assert booking.previous.state is State.APPROVED
    assert booking.previous.slot_id is None
    assert booking.registrant_ids == ()
    assert await configured.sessions.get(GUILD_ID, fabrique.id) == booked

    _, history = await configured.proposals.with_history(GUILD_ID, fabrique.id)
    assert [entry.action for entry in history] == ["propose", "approve", "book"]
    last = history[-1]
    assert (last.actor_id, last.from_state, last.to_state, last.at) == (
        ALICE.user_id,
        State.APPROVED,
        State.SCHEDULED,
        clock.now,
    )
    assert last.reason == f"slot {slot.id}"


async def test_book_with_a_capacity(configured: Services) -> None:
    fabrique = await approved_fabrique(configured)
    slot = await add_slot(configured)
    booking = await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE, capacity=25)
    assert booking.fabrique.capacity == 25
    assert (await configured.sessions.get(GUILD_ID, fabrique.id)).capacity == 25


async def test_the_default_capacity_comes_from_the_settings(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock, services: Services
) -> None:
    settings = make_settings(tmp_path, database_url, sessions=SessionSettings(default_capacity=30))
    with_capacity = services_on(engine, settings, clock)
    await configure(with_capacity)
    fabrique = await approved_fabrique(with_capacity)
    slot = await add_slot(with_capacity)
    booking = await with_capacity.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
    assert booking.fabrique.capacity == 30


async def test_a_negative_capacity_is_refused_and_changes_nothing(configured: Services) -> None:
    fabrique = await approved_fabrique(configured)
    slot = await add_slot(configured)
    with pytest.raises(InvalidInput) as refused:
        await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE, capacity=-1)
    assert refused.value.key == "error.input.capacity"
    assert (await configured.sessions.get(GUILD_ID, fabrique.id)).state is State.APPROVED
    assert await audit_actions(configured, fabrique.id) == ["propose", "approve"]


async def test_the_team_and_the_coorganizer_may_book(configured: Services) -> None:
    by_team = await approved_fabrique(configured)
    by_coorganizer = await approved_fabrique(configured, coorganizer=BOB)
    first = await add_slot(configured, "15/03/2027")
    second = await add_slot(configured, "16/03/2027")
    assert (await configured.slots.book(GUILD_ID, by_team.id, first.id, TEAM)).fabrique.state is State.SCHEDULED
    booking = await configured.slots.book(GUILD_ID, by_coorganizer.id, second.id, BOB)
    assert booking.fabrique.state is State.SCHEDULED
    _, history = await configured.proposals.with_history(GUILD_ID, by_team.id)
    assert history[-1].actor_id == TEAM.user_id


async def assert_unchanged(services: Services, fabrique: FabriqueRecord) -> None:
    stored = await services.sessions.get(GUILD_ID, fabrique.id)
    assert stored.state is State.APPROVED
    assert (stored.slot_id, stored.starts_at, stored.ends_at) == (None, None, None)
    assert await audit_actions(services, fabrique.id) == ["propose", "approve"]


async def test_only_an_approved_fabrique_can_be_booked(configured: Services) -> None:
    slot = await add_slot(configured)
    proposed = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    with pytest.raises(InvalidState) as refused:
        await configured.slots.book(GUILD_ID, proposed.id, slot.id, ALICE)
    assert refused.value.key == "error.state.book"
    assert refused.value.params == {"state": State.PROPOSED}

    rejected = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    await configured.proposals.decide(GUILD_ID, rejected.id, TEAM, Action.REJECT, "Hors sujet.")
    with pytest.raises(InvalidState) as refused:
        await configured.slots.book(GUILD_ID, rejected.id, slot.id, TEAM)
    assert refused.value.key == "error.state.book"
    assert (await configured.sessions.get(GUILD_ID, proposed.id)).state is State.PROPOSED
    assert [s.booked_by for s in await configured.slots.upcoming(GUILD_ID, free_only=False)] == [None]


async def test_someone_who_is_neither_organizer_nor_team_cannot_book(configured: Services) -> None:
    fabrique = await approved_fabrique(configured)
    slot = await add_slot(configured)
    with pytest.raises(Forbidden) as refused:
        await configured.slots.book(GUILD_ID, fabrique.id, slot.id, BOB)
    assert refused.value.key == "error.not_organizer_or_team"
    await assert_unchanged(configured, fabrique)


async def test_a_slot_shorter_than_the_fabrique_is_refused(configured: Services) -> None:
    fabrique = await approved_fabrique(configured, duration=150)
    slot = await add_slot(configured, minutes=120)
    with pytest.raises(InvalidInput) as refused:
        await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
    assert refused.value.key == "error.slot.too_short"
    assert refused.value.params == {"slot_minutes": 120, "needed": 150}
    await assert_unchanged(configured, fabrique)


async def test_a_slot_too_soon_for_the_parcours_is_refused(configured: Services) -> None:
    classique = await approved_fabrique(configured, parcours=Parcours.CLASSIQUE)
    express = await approved_fabrique(configured, BOB, parcours=Parcours.EXPRESS)
    in_three_days = await add_slot(configured, "04/03/2027", "14:00", 180)
    with pytest.raises(InvalidInput) as refused:
        await configured.slots.book(GUILD_ID, classique.id, in_three_days.id, ALICE)
    assert refused.value.key == "error.slot.too_soon"
    assert refused.value.params == {"days": 7, "parcours": Parcours.CLASSIQUE}
    await assert_unchanged(configured, classique)

    booking = await configured.slots.book(GUILD_ID, express.id, in_three_days.id, BOB)
    assert booking.fabrique.state is State.SCHEDULED

    tomorrow = await add_slot(configured, "02/03/2027", "14:00", 180)
    other_express = await approved_fabrique(configured, CAROL, parcours=Parcours.EXPRESS)
    with pytest.raises(InvalidInput) as refused:
        await configured.slots.book(GUILD_ID, other_express.id, tomorrow.id, CAROL)
    assert refused.value.params == {"days": 2, "parcours": Parcours.EXPRESS}


async def test_a_slot_that_has_started_is_refused(configured: Services, clock: FakeClock) -> None:
    fabrique = await approved_fabrique(configured)
    slot = await add_slot(configured)
    clock.now = slot.starts_at + timedelta(minutes=1)
    with pytest.raises(InvalidState) as refused:
        await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
    assert refused.value.key == "error.slot.past"
    await assert_unchanged(configured, fabrique)


async def test_unknown_slot_or_fabrique(configured: Services) -> None:
    fabrique = await approved_fabrique(configured)
    slot = await add_slot(configured)
    with pytest.raises(NotFound) as refused:
        await configured.slots.book(GUILD_ID, fabrique.id, slot.id + 1000, ALICE)
    assert refused.value.key == "error.unknown_slot"
    assert refused.value.params == {"number": slot.id + 1000}
    with pytest.raises(NotFound) as refused:
        await configured.slots.book(GUILD_ID, fabrique.id + 1000, slot.id, ALICE)
    assert refused.value.key == "error.unknown_fabrique"

    await configure(configured, OTHER_GUILD_ID)
    elsewhere = await add_slot(configured, guild_id=OTHER_GUILD_ID)
    with pytest.raises(NotFound) as refused:
        await configured.slots.book(GUILD_ID, fabrique.id, elsewhere.id, ALICE)
    assert refused.value.key == "error.unknown_slot"
    await assert_unchanged(configured, fabrique)


async def test_a_slot_taken_by_another_fabrique_is_refused(configured: Services) -> None:
    first = await approved_fabrique(configured, ALICE)
    second = await approved_fabrique(configured, BOB)
    slot = await add_slot(configured)
    await configured.slots.book(GUILD_ID, first.id, slot.id, ALICE)
    with pytest.raises(InvalidState) as refused:
        await configured.slots.book(GUILD_ID, second.id, slot.id, BOB)
    assert refused.value.key == "error.slot.taken"
    assert refused.value.params == {"number": slot.id}
    await assert_unchanged(configured, second)


async def test_booking_the_slot_one_already_holds_is_refused(configured: Services) -> None:
    fabrique = await approved_fabrique(configured)
    slot = await add_slot(configured)
    await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
    with pytest.raises(InvalidState) as refused:
        await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
    assert refused.value.key == "error.slot.already_yours"
    assert await audit_actions(configured, fabrique.id) == ["propose", "approve", "book"]


# --- move and release --------------------------------------------------------------------------------------------


async def test_move_keeps_registrations_and_frees_the_old_slot(configured: Services, clock: FakeClock) -> None:
    fabrique = await approved_fabrique(configured)
    old = await add_slot(configured, "15/03/2027", "14:00", 180)
    new = await add_slot(configured, "22/03/2027", "10:00", 150)
    await configured.slots.book(GUILD_ID, fabrique.id, old.id, ALICE, capacity=12)
    await announce(configured, fabrique.id)
    for actor in (BOB, CAROL):
        await configured.registrations.register(GUILD_ID, fabrique.id, actor, Source.BUTTON)

    clock.advance(hours=1)
    booking = await configured.slots.book(GUILD_ID, fabrique.id, new.id, TEAM)

    moved = booking.fabrique
    assert moved.state is State.ANNOUNCED  # a move does not change the state
    assert moved.slot_id == new.id
    assert moved.starts_at == new.starts_at == datetime(2027, 3, 22, 9, 0, tzinfo=UTC)
    assert moved.ends_at == new.starts_at + timedelta(minutes=120)
    assert moved.capacity == 12  # kept when no new capacity is given
    assert moved.announcement_message_id == booking.previous.announcement_message_id
    assert booking.previous.slot_id == old.id
    assert booking.previous.starts_at == old.starts_at
    assert set(booking.registrant_ids) == {BOB.user_id, CAROL.user_id}

    registrants = list((await configured.registrations.listing(GUILD_ID, fabrique.id, TEAM)).registrations)
    assert [r.user_id for r in registrants] == [BOB.user_id, CAROL.user_id]
    free = await configured.slots.upcoming(GUILD_ID, free_only=True)
    assert [s.id for s in free] == [old.id]

    _, history = await configured.proposals.with_history(GUILD_ID, fabrique.id)
    assert [e.action for e in history] == ["propose", "approve", "book", "announce", "move"]
    assert (history[-1].from_state, history[-1].to_state, history[-1].actor_id) == (
        State.ANNOUNCED,
        State.ANNOUNCED,
        TEAM.user_id,
    )
    assert history[-1].reason == f"slot {new.id}"


async def test_move_to_a_taken_slot_or_by_a_stranger_is_refused(configured: Services) -> None:
    mine = await approved_fabrique(configured, ALICE)
    theirs = await approved_fabrique(configured, BOB)
    first = await add_slot(configured, "15/03/2027")
    second = await add_slot(configured, "16/03/2027")
    third = await add_slot(configured, "17/03/2027")
    await configured.slots.book(GUILD_ID, mine.id, first.id, ALICE)
    await configured.slots.book(GUILD_ID, theirs.id, second.id, BOB)

    with pytest.raises(InvalidState) as taken:
        await configured.slots.book(GUILD_ID, mine.id, second.id, ALICE)
    assert taken.value.key == "error.slot.taken"
    with pytest.raises(Forbidden) as forbidden:
        await configured.slots.book(GUILD_ID, mine.id, third.id, BOB)
    assert forbidden.value.key == "error.not_organizer_or_team"
    assert (await configured.sessions.get(GUILD_ID, mine.id)).slot_id == first.id


async def test_release_frees_the_slot_and_keeps_the_registrations(
    configured: Services, engine: AsyncEngine, clock: FakeClock
) -> None:
    fabrique = await approved_fabrique(configured)
    slot = await add_slot(configured)
    await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE, capacity=1)
    await announce(configured, fabrique.id)
    for actor in (BOB, CAROL):
        await configured.registrations.register(GUILD_ID, fabrique.id, actor, Source.REACTION)

    clock.advance(minutes=30)
    booking = await configured.slots.release(GUILD_ID, fabrique.id, ALICE)

    released = booking.fabrique
    assert released.state is State.APPROVED
    assert (released.slot_id, released.starts_at, released.ends_at) == (None, None, None)
    # The announcement stays (it says the date is to be set again); Discord's event is cancelled and forgotten.
    assert (released.announcement_channel_id, released.announcement_message_id, released.scheduled_event_id) == (
        AGENDA_CHANNEL,
        900000000000000001,
        None,
    )
    assert booking.previous.state is State.ANNOUNCED
    assert booking.previous.slot_id == slot.id
    assert booking.registrant_ids == (BOB.user_id, CAROL.user_id)  # waitlisted ones hear of it too
    assert await count(engine, RegistrationRow) == 2
    assert [s.id for s in await configured.slots.upcoming(GUILD_ID, free_only=True)] == [slot.id]

    _, history = await configured.proposals.with_history(GUILD_ID, fabrique.id)
    assert [e.action for e in history] == ["propose", "approve", "book", "announce", "release"]
    assert (history[-1].from_state, history[-1].to_state, history[-1].at) == (
        State.ANNOUNCED,
        State.APPROVED,
        clock.now,
    )

    # Approved again: booked anew, it brings its places, its seated registrant and its waitlist along.
    again = await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
    assert again.fabrique.state is State.SCHEDULED
    assert again.fabrique.capacity == 1
    assert again.registrant_ids == (BOB.user_id, CAROL.user_id)
    listed = list((await configured.registrations.listing(GUILD_ID, fabrique.id, TEAM)).registrations)
    assert [(r.user_id, r.status) for r in listed] == [
        (BOB.user_id, Status.CONFIRMED),
        (CAROL.user_id, Status.WAITLISTED),
    ]


async def test_release_refusals(configured: Services) -> None:
    fabrique = await approved_fabrique(configured)
    with pytest.raises(InvalidState) as refused:
        await configured.slots.release(GUILD_ID, fabrique.id, ALICE)
    assert refused.value.key == "error.state.release"

    slot = await add_slot(configured)
    await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
    with pytest.raises(Forbidden) as forbidden:
        await configured.slots.release(GUILD_ID, fabrique.id, BOB)
    assert forbidden.value.key == "error.not_organizer_or_team"
    stored = await configured.sessions.get(GUILD_ID, fabrique.id)
    assert (stored.state, stored.slot_id) == (State.SCHEDULED, slot.id)

    released = await configured.slots.release(GUILD_ID, fabrique.id, TEAM)
    assert released.fabrique.state is State.APPROVED


async def test_suggest_fabriques(configured: Services) -> None:
    approved = await approved_fabrique(configured, ALICE)
    booked = await approved_fabrique(configured, ALICE)
    coorganized = await approved_fabrique(configured, BOB, coorganizer=ALICE)
    others = await approved_fabrique(configured, BOB)
    await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)  # proposed: not bookable yet
    slot = await add_slot(configured)
    await configured.slots.book(GUILD_ID, booked.id, slot.id, ALICE)

    alice = {f.id for f in await configured.slots.suggest_fabriques(GUILD_ID, ALICE)}
    team = {f.id for f in await configured.slots.suggest_fabriques(GUILD_ID, TEAM)}
    assert alice == {approved.id, booked.id, coorganized.id}
    assert team == {approved.id, booked.id, coorganized.id, others.id}


# --- concurrency -------------------------------------------------------------------------------------------------


async def test_two_organizers_booking_one_slot_at_once_exactly_one_wins(
    configured: Services, engine: AsyncEngine
) -> None:
    for round_number in range(5):
        slot = await add_slot(configured, f"{10 + round_number:02d}/04/2027", "14:00", 180)
        first = await approved_fabrique(configured, ALICE)
        second = await approved_fabrique(configured, BOB)

        results = await asyncio.gather(
            configured.slots.book(GUILD_ID, first.id, slot.id, ALICE),
            configured.slots.book(GUILD_ID, second.id, slot.id, BOB),
            return_exceptions=True,
        )

        errors = [r for r in results if isinstance(r, BaseException)]
        successes = [r for r in results if not isinstance(r, BaseException)]
        assert len(successes) == 1, results
        assert len(errors) == 1, results
        assert isinstance(errors[0], InvalidState), repr(errors[0])
        assert errors[0].key == "error.slot.taken"
        assert errors[0].params == {"number": slot.id}

        winner = successes[0].fabrique
        loser = second if winner.id == first.id else first
        assert winner.slot_id == slot.id
        assert await count(engine, FabriqueRow, FabriqueRow.slot_id == slot.id) == 1
        await assert_unchanged(configured, loser)
        assert await count(engine, AuditRow, AuditRow.fabrique_id == loser.id, AuditRow.action == "book") == 0
        assert await count(engine, AuditRow, AuditRow.fabrique_id == winner.id, AuditRow.action == "book") == 1
        holders = {s.id: s.booked_by for s in await configured.slots.upcoming(GUILD_ID, free_only=False)}
        assert holders[slot.id] == winner.id


# --- the team's move -----------------------------------------------------------------------------------------------


async def test_a_team_move_to_a_typed_time_next_to_its_own_slot_replaces_that_slot(
    configured: Services, engine: AsyncEngine
) -> None:
    fabrique = await approved_fabrique(configured)  # 2h
    slot = await add_slot(configured, "15/03/2027", "14:00", 180)
    await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)

    # 15:00 overlaps the session's own 14:00–17:00 slot, which it is leaving: no refusal, and that slot goes.
    target = MoveTarget(date_text="15/03/2027", time_text="15:00")
    booking = await configured.slots.move(GUILD_ID, fabrique.id, TEAM, target)

    moved = booking.fabrique
    assert moved.state is State.SCHEDULED and moved.slot_id != slot.id
    assert moved.starts_at == datetime(2027, 3, 15, 14, 0, tzinfo=UTC)  # 15:00 in Paris
    assert moved.ends_at == moved.starts_at + timedelta(hours=2)
    planning = await configured.slots.team_planning(GUILD_ID, TEAM)
    assert [(s.id, s.minutes, s.booked_by) for s in planning] == [(moved.slot_id, 120, fabrique.id)]
    assert await count(engine, AuditRow, AuditRow.action == Action.MOVE.value) == 1


async def test_a_team_move_needs_exactly_one_target_and_the_team(configured: Services) -> None:
    fabrique = await approved_fabrique(configured)
    slot = await add_slot(configured)
    other = await add_slot(configured, "20/03/2027")
    await configured.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
    targets = [
        MoveTarget(),
        MoveTarget(slot_id=other.id, date_text="21/03/2027", time_text="10:00"),
        MoveTarget(date_text="21/03/2027"),
        MoveTarget(time_text="10:00"),
    ]
    for target in targets:
        with pytest.raises(InvalidInput) as refused:
            await configured.slots.move(GUILD_ID, fabrique.id, TEAM, target)
        assert refused.value.key == "error.move.target"
    with pytest.raises(Forbidden) as forbidden:
        await configured.slots.move(GUILD_ID, fabrique.id, ALICE, MoveTarget(slot_id=other.id, force=True))
    assert forbidden.value.key == "error.team_only"
    assert (await configured.sessions.get(GUILD_ID, fabrique.id)).slot_id == slot.id

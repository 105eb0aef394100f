"""Registrations, the waitlist, the Zoom link, cancellation and welcome sessions, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import AuditRow, FabriqueRow, RegistrationRow, SlotRow
from bot.domain.lifecycle import Actor, State
from bot.domain.proposal import Format, Parcours
from bot.domain.registration import Source, Status
from bot.domain.schedule import monthly_occurrences
from bot.domain.welcome import WelcomeRule
from bot.errors import Forbidden, InvalidInput, InvalidState, NotFound
from bot.services import Services
from bot.services.records import Attendance, FabriqueRecord
from tests.conftest import GUILD_ID, make_settings
from tests.ports import services_on
from tests.unit.builders import (
    AGENDA_CHANNEL,
    ALICE,
    BOB,
    BOT,
    CAROL,
    COORGANIZER,
    MESSAGE_ID,
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
    member,
)
from tests.unit.conftest import FakeClock

OUTSIDER = Actor(800000000000000009, is_member=False)
TUESDAY = 1
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
async def configured(services: Services) -> Services:
    await configure(services)
    return services


async def statuses(services: Services, fabrique_id: int) -> list[tuple[int, Status]]:
    registrants = list((await services.registrations.listing(GUILD_ID, fabrique_id, TEAM)).registrations)
    return [(r.user_id, r.status) for r in registrants]


# --- opening -----------------------------------------------------------------------------------------------------


async def test_announcing_records_the_message_and_the_transition(configured: Services) -> None:
    booked = await booked_session(configured)
    assert not booked.has_zoom_link
    with_link = await configured.sessions.set_zoom_link(GUILD_ID, booked.id, TEAM, f"  {ZOOM_URL} ")
    assert with_link.has_zoom_link
    assert with_link.state is State.SCHEDULED
    record = await configured.sessions.mark_announced(GUILD_ID, booked.id, BOT, AGENDA_CHANNEL, MESSAGE_ID, 42)
    assert record.state is State.ANNOUNCED
    assert (record.announcement_channel_id, record.announcement_message_id, record.scheduled_event_id) == (
        AGENDA_CHANNEL,
        MESSAGE_ID,
        42,
    )
    assert (await configured.registrations.session_for_message(MESSAGE_ID)) == record
    assert await configured.registrations.session_for_message(MESSAGE_ID + 1) is None
    _, history = await configured.proposals.with_history(GUILD_ID, booked.id)
    assert (history[-1].action, history[-1].actor_id) == ("announce", BOT.user_id)
    assert await configured.sessions.agenda(GUILD_ID) == [record]
    assert await configured.sessions.announcements_to_come() == [record]


async def test_set_zoom_link_refusals(configured: Services) -> None:
    booked = await booked_session(configured)
    with pytest.raises(Forbidden) as forbidden:
        await configured.sessions.set_zoom_link(GUILD_ID, booked.id, ALICE, ZOOM_URL)
    assert forbidden.value.key == "error.team_only"
    for bad in ["http://zoom.us/j/1", "javascript:alert(1)", "zoom.us/j/1", "https://", "https://zoom.us/j/1 2"]:
        with pytest.raises(InvalidInput) as refused:
            await configured.sessions.set_zoom_link(GUILD_ID, booked.id, TEAM, bad)
        assert refused.value.key == "error.input.link"
    assert not (await configured.sessions.get(GUILD_ID, booked.id)).has_zoom_link


async def test_registration_is_closed_until_the_session_is_announced(configured: Services) -> None:
    approved = await approved_fabrique(configured, BOB)
    with pytest.raises(InvalidState) as refused:
        await configured.registrations.register(GUILD_ID, approved.id, CAROL, Source.BUTTON)
    assert refused.value.key == "error.register.closed"
    assert refused.value.params == {"number": approved.id, "state": State.APPROVED}

    booked = await booked_session(configured)
    with pytest.raises(InvalidState) as refused:
        await configured.registrations.register(GUILD_ID, booked.id, CAROL, Source.BUTTON)
    assert refused.value.key == "error.register.closed"
    assert refused.value.params == {"number": booked.id, "state": State.SCHEDULED}
    assert await configured.registrations.attendance(booked.id) == Attendance(0, 0, 0)


async def test_only_members_may_register(configured: Services, engine: AsyncEngine) -> None:
    session = await announced_session(configured)
    with pytest.raises(Forbidden) as refused:
        await configured.registrations.register(GUILD_ID, session.id, OUTSIDER, Source.REACTION)
    assert refused.value.key == "error.members_only"
    assert await count(engine, RegistrationRow) == 0


async def test_registration_closes_when_the_session_starts(configured: Services, clock: FakeClock) -> None:
    session = await announced_session(configured)
    assert session.starts_at is not None
    clock.now = session.starts_at - timedelta(seconds=1)
    outcome = await configured.registrations.register(GUILD_ID, session.id, BOB, Source.COMMAND)
    assert outcome.status is Status.CONFIRMED

    clock.now = session.starts_at
    with pytest.raises(InvalidState) as refused:
        await configured.registrations.register(GUILD_ID, session.id, CAROL, Source.COMMAND)
    assert refused.value.key == "error.register.started"
    assert refused.value.params == {"number": session.id}
    clock.advance(hours=1)
    with pytest.raises(InvalidState):
        await configured.registrations.register(GUILD_ID, session.id, CAROL, Source.COMMAND)
    assert await statuses(configured, session.id) == [(BOB.user_id, Status.CONFIRMED)]


async def test_unknown_session(configured: Services) -> None:
    with pytest.raises(NotFound) as refused:
        await configured.registrations.register(GUILD_ID, 9999, BOB, Source.BUTTON)
    assert refused.value.key == "error.unknown_fabrique"


# --- capacity and waitlist ---------------------------------------------------------------------------------------


async def test_beyond_the_capacity_people_are_waitlisted_in_order(configured: Services, clock: FakeClock) -> None:
    session = await announced_session(configured, capacity=3)
    outcomes = []
    for n in range(5):
        clock.advance(seconds=1)
        outcomes.append(await configured.registrations.register(GUILD_ID, session.id, member(n), Source.BUTTON))

    assert [o.status for o in outcomes] == [Status.CONFIRMED] * 3 + [Status.WAITLISTED] * 2
    assert [o.waitlist_position for o in outcomes] == [None, None, None, 1, 2]
    assert all(o.changed for o in outcomes)
    assert [o.user_id for o in outcomes] == [member(n).user_id for n in range(5)]
    assert outcomes[0].fabrique.id == session.id
    assert await configured.registrations.attendance(session.id) == Attendance(3, 2, 3)

    registrants = list((await configured.registrations.listing(GUILD_ID, session.id, ALICE)).registrations)
    assert [r.user_id for r in registrants] == [member(n).user_id for n in range(5)]
    assert all(r.source is Source.BUTTON for r in registrants)
    assert not any(r.dm_failed for r in registrants)
    assert registrants[0].created_at == session.updated_at + timedelta(seconds=1)
    assert registrants[-1].created_at == clock.now


async def test_no_capacity_means_zooms_limit(configured: Services) -> None:
    session = await announced_session(configured)
    assert session.capacity == 0
    outcome = await configured.registrations.register(GUILD_ID, session.id, BOB, Source.BUTTON)
    assert outcome.status is Status.CONFIRMED
    assert await configured.registrations.attendance(session.id) == Attendance(1, 0, 0)


async def test_registering_twice_changes_nothing(configured: Services, engine: AsyncEngine, clock: FakeClock) -> None:
    session = await announced_session(configured, capacity=1)
    first = await configured.registrations.register(GUILD_ID, session.id, BOB, Source.REACTION)
    waiting = await configured.registrations.register(GUILD_ID, session.id, CAROL, Source.BUTTON)
    clock.advance(minutes=5)

    again = await configured.registrations.register(GUILD_ID, session.id, BOB, Source.BUTTON)
    assert (again.status, again.changed, again.waitlist_position) == (Status.CONFIRMED, False, None)
    still_waiting = await configured.registrations.register(GUILD_ID, session.id, CAROL, Source.COMMAND)
    assert (still_waiting.status, still_waiting.changed, still_waiting.waitlist_position) == (
        Status.WAITLISTED,
        False,
        1,
    )
    assert (first.changed, waiting.changed) == (True, True)

    registrants = list((await configured.registrations.listing(GUILD_ID, session.id, TEAM)).registrations)
    assert [(r.user_id, r.source, r.created_at) for r in registrants] == [
        (BOB.user_id, Source.REACTION, clock.now - timedelta(minutes=5)),  # the first registration is kept as is
        (CAROL.user_id, Source.BUTTON, clock.now - timedelta(minutes=5)),
    ]
    assert await count(engine, RegistrationRow) == 2


async def test_a_seat_freed_goes_to_the_first_waitlisted(configured: Services) -> None:
    session = await announced_session(configured, capacity=3)
    for n in range(5):
        await configured.registrations.register(GUILD_ID, session.id, member(n), Source.BUTTON)

    left = await configured.registrations.unregister(GUILD_ID, session.id, member(1).user_id)
    assert (left.status, left.changed, left.promoted) == (None, True, (member(3).user_id,))
    assert await configured.registrations.attendance(session.id) == Attendance(3, 1, 3)
    assert await statuses(configured, session.id) == [
        (member(0).user_id, Status.CONFIRMED),
        (member(2).user_id, Status.CONFIRMED),
        (member(3).user_id, Status.CONFIRMED),
        (member(4).user_id, Status.WAITLISTED),
    ]
    last = await configured.registrations.register(GUILD_ID, session.id, member(4), Source.BUTTON)
    assert (last.changed, last.waitlist_position) == (False, 1)

    # A waitlisted person leaving frees no seat.
    gone = await configured.registrations.unregister(GUILD_ID, session.id, member(4).user_id)
    assert (gone.changed, gone.promoted) == (True, ())
    assert await configured.registrations.attendance(session.id) == Attendance(3, 0, 3)

    # A confirmed person leaving with nobody waiting promotes nobody.
    alone = await configured.registrations.unregister(GUILD_ID, session.id, member(0).user_id)
    assert (alone.changed, alone.promoted) == (True, ())
    assert await configured.registrations.attendance(session.id) == Attendance(2, 0, 3)


async def test_unregistering_someone_not_registered_changes_nothing(configured: Services) -> None:
    session = await announced_session(configured)
    await configured.registrations.register(GUILD_ID, session.id, BOB, Source.BUTTON)
    outcome = await configured.registrations.unregister(GUILD_ID, session.id, CAROL.user_id)
    assert (outcome.status, outcome.changed, outcome.promoted) == (None, False, ())
    assert await configured.registrations.attendance(session.id) == Attendance(1, 0, 0)


async def test_leaving_and_coming_back_puts_one_at_the_end_of_the_queue(configured: Services) -> None:
    session = await announced_session(configured, capacity=1)
    for actor in (BOB, CAROL, STRANGER):
        await configured.registrations.register(GUILD_ID, session.id, actor, Source.BUTTON)
    await configured.registrations.unregister(GUILD_ID, session.id, CAROL.user_id)
    back = await configured.registrations.register(GUILD_ID, session.id, CAROL, Source.BUTTON)
    assert (back.status, back.waitlist_position) == (Status.WAITLISTED, 2)


# --- who sees what -----------------------------------------------------------------------------------------------


async def test_the_registrant_list_is_for_organizers_and_the_team(configured: Services) -> None:
    session = await announced_session(configured)
    await configured.registrations.register(GUILD_ID, session.id, BOB, Source.BUTTON)
    for actor in (ALICE, COORGANIZER, TEAM, BOT):
        listing = await configured.registrations.listing(GUILD_ID, session.id, actor)
        assert listing.fabrique.id == session.id and listing.dates == ()
        assert [r.user_id for r in listing.registrations] == [BOB.user_id]
    for actor in (BOB, STRANGER, OUTSIDER):
        with pytest.raises(Forbidden) as refused:
            await configured.registrations.listing(GUILD_ID, session.id, actor)
        assert refused.value.key == "error.not_organizer_or_team"


async def test_the_zoom_link_goes_only_to_seated_registrants_organizers_and_the_team(configured: Services) -> None:
    session = await announced_session(configured, capacity=1)
    await configured.registrations.register(GUILD_ID, session.id, BOB, Source.BUTTON)
    await configured.registrations.register(GUILD_ID, session.id, CAROL, Source.BUTTON)

    for actor in (BOB, ALICE, COORGANIZER, TEAM):
        record, link = await configured.registrations.zoom_link(GUILD_ID, session.id, actor)
        assert link == ZOOM_URL
        assert record.id == session.id

    with pytest.raises(Forbidden) as waitlisted:
        await configured.registrations.zoom_link(GUILD_ID, session.id, CAROL)
    assert waitlisted.value.key == "error.link.waitlisted"
    assert waitlisted.value.params == {"number": session.id}
    for actor in (STRANGER, OUTSIDER):
        with pytest.raises(Forbidden) as refused:
            await configured.registrations.zoom_link(GUILD_ID, session.id, actor)
        assert refused.value.key == "error.link.not_registered"

    # Promoted: the link is theirs now.
    await configured.registrations.unregister(GUILD_ID, session.id, BOB.user_id)
    assert (await configured.registrations.zoom_link(GUILD_ID, session.id, CAROL))[1] == ZOOM_URL
    with pytest.raises(Forbidden) as refused:
        await configured.registrations.zoom_link(GUILD_ID, session.id, BOB)
    assert refused.value.key == "error.link.not_registered"


async def test_the_zoom_link_missing_is_said_to_those_allowed(configured: Services) -> None:
    booked = await booked_session(configured)
    with pytest.raises(InvalidState) as refused:
        await configured.registrations.zoom_link(GUILD_ID, booked.id, TEAM)
    assert refused.value.key == "error.link.missing"
    with pytest.raises(Forbidden):
        await configured.registrations.zoom_link(GUILD_ID, booked.id, STRANGER)


async def test_the_zoom_link_never_appears_in_records(configured: Services) -> None:
    session = await announced_session(configured)
    assert session.has_zoom_link
    assert ZOOM_URL not in repr(session)
    assert ZOOM_URL not in repr(await configured.sessions.get(GUILD_ID, session.id))


async def test_record_dm_failure(configured: Services) -> None:
    session = await announced_session(configured)
    for actor in (BOB, CAROL):
        await configured.registrations.register(GUILD_ID, session.id, actor, Source.BUTTON)
    await configured.registrations.record_dm_failure(session.id, CAROL.user_id)
    await configured.registrations.record_dm_failure(session.id, STRANGER.user_id)  # not registered: ignored
    registrants = list((await configured.registrations.listing(GUILD_ID, session.id, TEAM)).registrations)
    assert [(r.user_id, r.dm_failed) for r in registrants] == [(BOB.user_id, False), (CAROL.user_id, True)]


# --- reconciliation ----------------------------------------------------------------------------------------------


async def test_reconcile_makes_reaction_registrations_match_the_reactions(configured: Services) -> None:
    session = await announced_session(configured)
    kept_reaction, gone_reaction, by_button, by_command = member(1), member(2), member(3), member(4)
    await configured.registrations.register(GUILD_ID, session.id, kept_reaction, Source.REACTION)
    await configured.registrations.register(GUILD_ID, session.id, gone_reaction, Source.REACTION)
    await configured.registrations.register(GUILD_ID, session.id, by_button, Source.BUTTON)
    await configured.registrations.register(GUILD_ID, session.id, by_command, Source.COMMAND)
    new_reaction = member(5)

    reacted = {actor.user_id: actor for actor in (kept_reaction, by_button, new_reaction, OUTSIDER)}
    result = await configured.registrations.reconcile(GUILD_ID, session.id, reacted)

    assert [(o.user_id, o.status, o.changed) for o in result.added] == [(new_reaction.user_id, Status.CONFIRMED, True)]
    assert [(o.user_id, o.status, o.changed) for o in result.removed] == [(gone_reaction.user_id, None, True)]
    registrants = list((await configured.registrations.listing(GUILD_ID, session.id, TEAM)).registrations)
    assert [(r.user_id, r.source) for r in registrants] == [
        (kept_reaction.user_id, Source.REACTION),
        (by_button.user_id, Source.BUTTON),
        (by_command.user_id, Source.COMMAND),  # not reacting does not undo a command registration
        (new_reaction.user_id, Source.REACTION),
    ]

    again = await configured.registrations.reconcile(GUILD_ID, session.id, reacted)
    assert (again.added, again.removed) == ((), ())
    after = list((await configured.registrations.listing(GUILD_ID, session.id, TEAM)).registrations)
    assert after == registrants


async def test_reconcile_promotes_when_a_reaction_seat_is_freed(configured: Services) -> None:
    session = await announced_session(configured, capacity=1)
    await configured.registrations.register(GUILD_ID, session.id, BOB, Source.REACTION)
    await configured.registrations.register(GUILD_ID, session.id, CAROL, Source.BUTTON)
    result = await configured.registrations.reconcile(GUILD_ID, session.id, {})
    assert [(o.user_id, o.promoted) for o in result.removed] == [(BOB.user_id, (CAROL.user_id,))]
    assert await statuses(configured, session.id) == [(CAROL.user_id, Status.CONFIRMED)]


async def test_reconcile_does_nothing_once_the_session_has_started(configured: Services, clock: FakeClock) -> None:
    session = await announced_session(configured)
    await configured.registrations.register(GUILD_ID, session.id, BOB, Source.REACTION)
    assert session.starts_at is not None
    clock.now = session.starts_at
    result = await configured.registrations.reconcile(GUILD_ID, session.id, {CAROL.user_id: CAROL})
    assert (result.added, result.removed) == ((), ())
    assert await statuses(configured, session.id) == [(BOB.user_id, Status.CONFIRMED)]


async def test_reconcile_does_nothing_on_a_session_not_announced(configured: Services) -> None:
    booked = await booked_session(configured)
    result = await configured.registrations.reconcile(GUILD_ID, booked.id, {CAROL.user_id: CAROL})
    assert (result.added, result.removed) == ((), ())


async def test_reconcile_skips_a_reaction_left_behind_by_a_departure(configured: Services) -> None:
    session = await announced_session(configured)
    by_button, came_back, reaction_gone = member(1), member(2), member(3)
    for actor in (by_button, came_back, reaction_gone):
        await configured.registrations.register(GUILD_ID, session.id, actor, Source.REACTION)
        await configured.registrations.unregister(GUILD_ID, session.id, actor.user_id)  # button or command
    await configured.registrations.register(GUILD_ID, session.id, came_back, Source.BUTTON)
    await configured.registrations.unregister(GUILD_ID, session.id, came_back.user_id, by_reaction=True)

    reacted = {actor.user_id: actor for actor in (by_button, came_back)}  # reaction_gone took hers off meanwhile
    result = await configured.registrations.reconcile(GUILD_ID, session.id, reacted)
    assert [o.user_id for o in result.added] == [came_back.user_id]  # her ✅ went and came back: new

    reacted[reaction_gone.user_id] = reaction_gone  # a new ✅ after hers was seen gone is a registration
    again = await configured.registrations.reconcile(GUILD_ID, session.id, reacted)
    assert [o.user_id for o in again.added] == [reaction_gone.user_id]
    assert [user for user, _ in await statuses(configured, session.id)] == [came_back.user_id, reaction_gone.user_id]


async def test_more_places_seat_the_waitlist_in_arrival_order(configured: Services) -> None:
    session = await announced_session(configured, capacity=1)
    for n in range(1, 5):
        await configured.registrations.register(GUILD_ID, session.id, member(n), Source.BUTTON)
    later = await add_slot(configured, "22/03/2027", "14:00", 180)
    moved = await configured.slots.book(GUILD_ID, session.id, later.id, ALICE, capacity=3)
    assert moved.promoted == (member(2).user_id, member(3).user_id)
    assert [status for _, status in await statuses(configured, session.id)] == [
        Status.CONFIRMED,
        Status.CONFIRMED,
        Status.CONFIRMED,
        Status.WAITLISTED,
    ]


# --- concurrency -------------------------------------------------------------------------------------------------


def assert_burst_settled(outcomes: list, capacity: int, people: int) -> None:
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert errors == []
    assert len({o.user_id for o in outcomes}) == people
    assert all(o.changed for o in outcomes)
    confirmed = [o for o in outcomes if o.status is Status.CONFIRMED]
    waitlisted = [o for o in outcomes if o.status is Status.WAITLISTED]
    assert len(confirmed) == capacity
    assert len(waitlisted) == people - capacity
    assert sorted(o.waitlist_position for o in waitlisted) == list(range(1, people - capacity + 1))
    assert all(o.waitlist_position is None for o in confirmed)


async def assert_stored_burst(services: Services, engine: AsyncEngine, fabrique_id: int, capacity: int, people: int):
    registrants = list((await services.registrations.listing(GUILD_ID, fabrique_id, TEAM)).registrations)
    assert len(registrants) == people
    assert len({r.user_id for r in registrants}) == people
    assert Counter(r.status for r in registrants) == {
        Status.CONFIRMED: capacity,
        Status.WAITLISTED: people - capacity,
    }
    # Seats go to the first arrivals: nobody waits ahead of someone seated after them.
    order = [r.status for r in registrants]
    assert order == [Status.CONFIRMED] * capacity + [Status.WAITLISTED] * (people - capacity)
    assert await count(engine, RegistrationRow) == people
    assert await services.registrations.attendance(fabrique_id) == Attendance(capacity, people - capacity, capacity)


async def test_a_burst_of_registrations_never_exceeds_the_capacity(configured: Services, engine: AsyncEngine) -> None:
    session = await announced_session(configured, capacity=10)
    people = [member(n) for n in range(40)]
    outcomes = await asyncio.gather(
        *(configured.registrations.register(GUILD_ID, session.id, actor, Source.REACTION) for actor in people),
        return_exceptions=True,
    )
    assert_burst_settled(list(outcomes), 10, 40)
    assert {o.user_id for o in outcomes} == {actor.user_id for actor in people}
    await assert_stored_burst(configured, engine, session.id, 10, 40)
    by_user = {o.user_id: o.waitlist_position for o in outcomes}
    registrants = list((await configured.registrations.listing(GUILD_ID, session.id, TEAM)).registrations)
    waiting = [r.user_id for r in registrants if r.status is Status.WAITLISTED]
    assert [by_user[user_id] for user_id in waiting] == list(range(1, 31))


async def test_a_burst_through_two_independent_services_is_settled_by_the_database(
    configured: Services, engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    """Two service instances share no in-process lock: only the database keeps the count right."""
    session = await announced_session(configured, capacity=10)
    settings = make_settings(tmp_path, database_url)
    other = services_on(engine, settings, clock)
    people = [member(n) for n in range(40)]
    outcomes = await asyncio.gather(
        *(
            (configured if n % 2 else other).registrations.register(GUILD_ID, session.id, actor, Source.BUTTON)
            for n, actor in enumerate(people)
        ),
        return_exceptions=True,
    )
    assert_burst_settled(list(outcomes), 10, 40)
    await assert_stored_burst(configured, engine, session.id, 10, 40)


async def test_the_same_person_clicking_five_times_at_once_is_registered_once(
    configured: Services, engine: AsyncEngine
) -> None:
    session = await announced_session(configured, capacity=10)
    outcomes = await asyncio.gather(
        *(configured.registrations.register(GUILD_ID, session.id, BOB, Source.BUTTON) for _ in range(5)),
        return_exceptions=True,
    )
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert sum(o.changed for o in outcomes) == 1
    assert {o.status for o in outcomes} == {Status.CONFIRMED}
    assert await count(engine, RegistrationRow) == 1
    assert await configured.registrations.attendance(session.id) == Attendance(1, 0, 10)


async def test_leaving_at_once_promotes_each_waiting_person_once(configured: Services, engine: AsyncEngine) -> None:
    session = await announced_session(configured, capacity=5)
    for n in range(15):
        await configured.registrations.register(GUILD_ID, session.id, member(n), Source.BUTTON)
    outcomes = await asyncio.gather(
        *(configured.registrations.unregister(GUILD_ID, session.id, member(n).user_id) for n in range(5)),
        return_exceptions=True,
    )
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    promoted = [user_id for o in outcomes for user_id in o.promoted]
    assert sorted(promoted) == [member(n).user_id for n in range(5, 10)]
    assert await configured.registrations.attendance(session.id) == Attendance(5, 5, 5)


# --- cancellation ------------------------------------------------------------------------------------------------


async def test_cancel_frees_the_slot_and_returns_the_registrants(
    configured: Services, engine: AsyncEngine, clock: FakeClock
) -> None:
    session = await announced_session(configured, capacity=1)
    for actor in (BOB, CAROL):
        await configured.registrations.register(GUILD_ID, session.id, actor, Source.BUTTON)
    clock.advance(hours=2)

    cancellation = await configured.sessions.cancel(GUILD_ID, session.id, TEAM, "  Intervenant malade.  ")

    assert cancellation.reason == "Intervenant malade."
    assert cancellation.registrant_ids == (BOB.user_id, CAROL.user_id)
    assert cancellation.previous.state is State.ANNOUNCED
    assert cancellation.previous.slot_id == session.slot_id
    cancelled = cancellation.fabrique
    assert cancelled.state is State.CANCELLED
    assert cancelled.slot_id is None
    assert cancelled.last_reason == "Intervenant malade."
    assert cancelled.starts_at == session.starts_at  # the date it would have had, for the messages
    assert [s.id for s in await configured.slots.upcoming(GUILD_ID, free_only=True)] == [session.slot_id]
    assert await configured.sessions.agenda(GUILD_ID) == []

    _, history = await configured.proposals.with_history(GUILD_ID, session.id)
    last = history[-1]
    assert (last.action, last.actor_id, last.from_state, last.to_state, last.reason, last.at) == (
        "cancel",
        TEAM.user_id,
        State.ANNOUNCED,
        State.CANCELLED,
        "Intervenant malade.",
        clock.now,
    )
    with pytest.raises(InvalidState) as closed:
        await configured.registrations.register(GUILD_ID, session.id, STRANGER, Source.BUTTON)
    assert closed.value.key == "error.register.closed"

    # The freed slot can be booked by another Fabrique.
    other = await approved_fabrique(configured, BOB)
    assert session.slot_id is not None
    booking = await configured.slots.book(GUILD_ID, other.id, session.slot_id, BOB)
    assert booking.fabrique.state is State.SCHEDULED


async def test_cancel_a_scheduled_session(configured: Services) -> None:
    booked = await booked_session(configured)
    cancellation = await configured.sessions.cancel(GUILD_ID, booked.id, TEAM, "Plus de salle.")
    assert cancellation.fabrique.state is State.CANCELLED
    assert cancellation.registrant_ids == ()


async def test_cancel_is_for_the_team_with_a_reason(configured: Services) -> None:
    session = await announced_session(configured)
    for actor in (ALICE, COORGANIZER, BOB):
        with pytest.raises(Forbidden) as forbidden:
            await configured.sessions.cancel(GUILD_ID, session.id, actor, "Je préfère pas.")
        assert forbidden.value.key == "error.team_only"
    for reason in ("", "   \n"):
        with pytest.raises(InvalidInput) as refused:
            await configured.sessions.cancel(GUILD_ID, session.id, TEAM, reason)
        assert refused.value.key == "error.input.empty"
        assert refused.value.params == {"field": "motif"}
    stored = await configured.sessions.get(GUILD_ID, session.id)
    assert (stored.state, stored.slot_id) == (State.ANNOUNCED, session.slot_id)
    assert await audit_actions(configured, session.id) == ["propose", "approve", "book", "announce"]


async def test_cancel_only_a_booked_session(configured: Services) -> None:
    approved = await approved_fabrique(configured, BOB)
    with pytest.raises(InvalidState) as refused:
        await configured.sessions.cancel(GUILD_ID, approved.id, TEAM, "Motif.")
    assert refused.value.key == "error.state.cancel"
    session = await announced_session(configured)
    await configured.sessions.cancel(GUILD_ID, session.id, TEAM, "Motif.")
    with pytest.raises(InvalidState):
        await configured.sessions.cancel(GUILD_ID, session.id, TEAM, "Encore.")


# --- welcome sessions --------------------------------------------------------------------------------------------


async def create_welcome(
    services: Services, actor: Actor = TEAM, count: int = 3, **overrides: object
) -> list[FabriqueRecord]:
    """The next ``count`` first Tuesdays at 12:30, each made as the welcome rule makes its sessions."""
    rule = WelcomeRule(weekday=TUESDAY, ordinal=1, at=time(12, 30), zoom_url=ZOOM_URL).with_changes(**overrides)
    dates = monthly_occurrences(rule.weekday, rule.ordinal, rule.at, PARIS, FakeClock().now, count)
    return [
        await services.sessions.create_welcome(
            GUILD_ID, actor, rule, date, title="30 min chrono", description="Découvrir la communauté en 30 minutes."
        )
        for date in dates
    ]


async def test_welcome_series_creates_sessions_ready_to_announce(
    configured: Services, engine: AsyncEngine, clock: FakeClock
) -> None:
    created = await create_welcome(configured, capacity=20)

    assert [s.starts_at for s in created] == [
        datetime(2027, 3, 2, 11, 30, tzinfo=UTC),
        datetime(2027, 4, 6, 10, 30, tzinfo=UTC),
        datetime(2027, 5, 4, 10, 30, tzinfo=UTC),
    ]
    for session in created:
        assert session.starts_at is not None
        assert session.state is State.SCHEDULED
        assert session.kind == "welcome"
        assert session.is_welcome
        assert session.has_zoom_link
        assert session.ends_at == session.starts_at + timedelta(minutes=30)
        assert session.duration_minutes == 30
        assert session.capacity == 20
        assert session.format is Format.AUTRE
        assert session.parcours is Parcours.EXPRESS
        assert session.title == "30 min chrono"
        assert session.organizer_id == TEAM.user_id
        assert session.created_at == clock.now
        assert session.slot_id is not None
        assert await audit_actions(configured, session.id) == ["book"]

    slots = await configured.slots.upcoming(GUILD_ID, free_only=False)
    assert [(s.starts_at, s.booked_by) for s in slots] == [(s.starts_at, s.id) for s in created]
    assert await count(engine, FabriqueRow) == 3

    # Announced and registrable like a Fabrique; the link goes to those seated.
    first = created[0]
    announced = await configured.sessions.mark_announced(GUILD_ID, first.id, BOT, AGENDA_CHANNEL, MESSAGE_ID, None)
    assert announced.state is State.ANNOUNCED
    outcome = await configured.registrations.register(GUILD_ID, first.id, BOB, Source.BUTTON)
    assert outcome.status is Status.CONFIRMED
    assert (await configured.registrations.zoom_link(GUILD_ID, first.id, BOB))[1] == ZOOM_URL


async def test_welcome_capacity_zero_means_zooms_limit(configured: Services) -> None:
    created = await create_welcome(configured, count=1)
    assert created[0].capacity == 100


async def test_a_welcome_date_that_overlaps_a_slot_is_refused_and_leaves_nothing(
    configured: Services, engine: AsyncEngine
) -> None:
    in_the_way = await add_slot(configured, "06/04/2027", "11:00", 90)  # 09:00-10:30 UTC: touches the 2nd date
    fabriques_before = await count(engine, FabriqueRow)
    audit_before = await count(engine, AuditRow)

    with pytest.raises(InvalidInput) as refused:
        await create_welcome(configured, count=2)
    assert refused.value.key == "error.slot.overlap"
    assert refused.value.params["number"] == in_the_way.id

    # The first date was made on its own; the refused one left neither a session, an audit row nor a slot.
    assert await count(engine, FabriqueRow) == fabriques_before + 1
    assert await count(engine, AuditRow) == audit_before + 1
    assert await count(engine, SlotRow) == 2


async def test_welcome_session_refusals(configured: Services, engine: AsyncEngine) -> None:
    with pytest.raises(Forbidden) as forbidden:
        await create_welcome(configured, ALICE)
    assert forbidden.value.key == "error.team_only"
    with pytest.raises(InvalidInput) as bad_link:
        await create_welcome(configured, zoom_url="http://zoom.us/j/1")
    assert bad_link.value.key == "error.input.link"
    assert await count(engine, FabriqueRow) == 0
    assert await count(engine, SlotRow) == 0


async def test_register_many_answers_each_person_in_order(configured: Services, engine: AsyncEngine) -> None:
    session = await announced_session(configured, capacity=2)
    await configured.registrations.register(GUILD_ID, session.id, BOB, Source.BUTTON)
    batch = [CAROL, OUTSIDER, BOB, member(1), member(2), member(1)]
    results = await configured.registrations.register_many(GUILD_ID, session.id, batch, Source.REACTION)

    assert len(results) == len(batch)
    carol, outsider, bob, first, second, first_again = results
    assert isinstance(outsider, Forbidden)
    assert outsider.key == "error.members_only"
    summary = [
        (o.user_id, o.status, o.changed, o.waitlist_position)  # type: ignore[union-attr]
        for o in (carol, bob, first, second, first_again)
    ]
    assert summary == [
        (CAROL.user_id, Status.CONFIRMED, True, None),
        (BOB.user_id, Status.CONFIRMED, False, None),
        (member(1).user_id, Status.WAITLISTED, True, 1),
        (member(2).user_id, Status.WAITLISTED, True, 2),
        (member(1).user_id, Status.WAITLISTED, False, 1),
    ]
    assert await count(engine, RegistrationRow) == 4
    assert await statuses(configured, session.id) == [
        (BOB.user_id, Status.CONFIRMED),
        (CAROL.user_id, Status.CONFIRMED),
        (member(1).user_id, Status.WAITLISTED),
        (member(2).user_id, Status.WAITLISTED),
    ]


async def test_register_many_on_a_closed_session_refuses_everyone(configured: Services, engine: AsyncEngine) -> None:
    booked = await booked_session(configured)
    with pytest.raises(InvalidState) as refused:
        await configured.registrations.register_many(GUILD_ID, booked.id, [BOB, CAROL], Source.REACTION)
    assert refused.value.key == "error.register.closed"
    assert await count(engine, RegistrationRow) == 0

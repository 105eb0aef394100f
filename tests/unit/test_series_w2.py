"""A series is registered for once, on its home, and reminded per date: registrations by any session's number,
openness while one session is to come, absences for one date, the waitlist, notices about one session, and the
reminder that offers « Absent·e le JJ/MM ».

The series is made by ``series_of`` (as approval makes one) and its later sessions booked and announced through the
services directly, as the organizer's ``/fabrique reserver seance`` and the announcement will.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_sessionmaker
from bot.db.models import DueWorkRow
from bot.domain.registration import Source, Status
from bot.domain.timeline import Work
from bot.errors import Forbidden, InvalidState, NotFound
from bot.services import Services
from bot.services.clients import Clients
from bot.services.records import FabriqueRecord
from bot.services.registrations import Reactor
from tests.conftest import GUILD_ID, make_settings
from tests.ports import FakeMailer, fake_ports, services_on
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
    announce,
    announced_session,
    approved_fabrique,
    configure,
    series_of,
)
from tests.unit.conftest import FakeClock
from tests.unit.test_timed_dispatch import Timed, timed  # noqa: F401  (the dispatcher fixture)

# The sessions' dates: 15/03, 22/03 and 29/03/2027 at 14:00 in Paris (summer time from 28/03).
STARTS = (
    datetime(2027, 3, 15, 13, 0, tzinfo=UTC),
    datetime(2027, 3, 22, 13, 0, tzinfo=UTC),
    datetime(2027, 3, 29, 12, 0, tzinfo=UTC),
)
DATES = ("15/03/2027", "22/03/2027", "29/03/2027")
NEW_URL = "https://zoom.us/j/9876543210?pwd=other"


async def series(services: Services, engine: AsyncEngine, *, announced: int = 2, booked: int | None = None,
                 capacity: int | None = None, sessions: int = 3) -> list[int]:  # fmt: skip
    """A series by ALICE (with COORGANIZER) of ``sessions`` sessions: the first ``booked`` (default: ``announced``)
    booked on DATES, the first ``announced`` of them announced; the numbers of its sessions in rank order."""
    home = await approved_fabrique(services, ALICE, coorganizer=COORGANIZER)
    numbers = await series_of(engine, home.id, sessions)
    for rank, number in enumerate(numbers[: booked or announced], start=1):
        slot = await add_slot(services, DATES[rank - 1], "14:00", 180)
        await services.slots.book(GUILD_ID, number, slot.id, ALICE, capacity=capacity if rank == 1 else None)
        if rank <= announced:
            await services.sessions.set_zoom_link(GUILD_ID, number, TEAM, ZOOM_URL)
            await services.sessions.mark_announced(GUILD_ID, number, BOT, AGENDA_CHANNEL, MESSAGE_ID + rank, 40 + rank)
    return numbers


async def single_session(services: Services) -> FabriqueRecord:
    """A single Fabrique announced on 17/03/2027, beside the series."""
    fabrique = await approved_fabrique(services, ALICE)
    slot = await add_slot(services, "17/03/2027", "14:00", 180)
    await services.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
    return await announce(services, fabrique.id, MESSAGE_ID + 10)


async def reminders_of(engine: AsyncEngine, user_id: int) -> dict[int, list[tuple[int, str]]]:
    """Per session: (minutes before, status) of one person's reminders."""
    async with create_sessionmaker(engine)() as session:
        rows = await session.scalars(
            select(DueWorkRow)
            .where(DueWorkRow.kind == Work.REMINDER, DueWorkRow.user_id == user_id)
            .order_by(DueWorkRow.fabrique_id, DueWorkRow.due_at)
        )
        found: dict[int, list[tuple[int, str]]] = {}
        for row in rows:
            found.setdefault(row.fabrique_id, []).append((row.amount, row.status))
        return found


PENDING = [(1440, "pending"), (60, "pending")]


@pytest.fixture(autouse=True)
async def configured(services: Services) -> None:
    await configure(services)


# --- registering for the series ------------------------------------------------------------------------------------


async def test_registering_by_any_sessions_number_registers_for_the_series_on_its_home(
    services: Services, engine: AsyncEngine
) -> None:
    home, second, _ = await series(services, engine)

    outcome = await services.registrations.join(GUILD_ID, second, BOB, Source.BUTTON)
    again = await services.registrations.join(GUILD_ID, home, BOB, Source.COMMAND)

    assert (outcome.fabrique.id, outcome.status, outcome.changed) == (home, Status.CONFIRMED, True)
    assert (again.fabrique.id, again.changed) == (home, False)  # one registration for the whole series
    rows = list((await services.registrations.listing(GUILD_ID, home, ALICE)).registrations)
    assert [r.user_id for r in rows] == [BOB.user_id]
    assert await services.registrations.registrant_ids(second) == (BOB.user_id,)
    # Reminded for each booked and announced date, once; the third session has no date yet.
    assert await reminders_of(engine, BOB.user_id) == {home: PENDING, second: PENDING}


async def test_the_event_of_a_later_session_registers_for_the_series(services: Services, engine: AsyncEngine) -> None:
    home, second, _ = await series(services, engine)
    await services.registrations.interested(GUILD_ID, 42, Reactor(CAROL.user_id, frozenset()))

    rows = list((await services.registrations.listing(GUILD_ID, second, TEAM)).registrations)
    assert [(r.user_id, r.source) for r in rows] == [(CAROL.user_id, Source.EVENT)]
    assert (await services.registrations.attendance(home)).confirmed == 1

    await services.registrations.uninterested(GUILD_ID, 42, CAROL.user_id)
    assert await services.registrations.registrant_ids(home) == ()


async def test_a_series_stays_open_while_one_of_its_sessions_is_to_come(
    services: Services, engine: AsyncEngine, clock: FakeClock
) -> None:
    home, second, _ = await series(services, engine)
    clock.now = STARTS[0] + timedelta(hours=3)  # the first session is over, the second still to come

    outcome = await services.registrations.join(GUILD_ID, home, CAROL, Source.BUTTON)

    assert outcome.status is Status.CONFIRMED
    reminders = await reminders_of(engine, CAROL.user_id)
    assert reminders == {second: PENDING}  # nothing planned for a date already past


async def test_a_series_with_no_session_announced_and_to_come_refuses_registrations(
    services: Services, engine: AsyncEngine, clock: FakeClock
) -> None:
    home, second, _ = await series(services, engine, announced=1, booked=2)  # the second booked, not announced
    clock.now = STARTS[0] + timedelta(hours=3)

    for number in (home, second):
        with pytest.raises(InvalidState) as refused:
            await services.registrations.join(GUILD_ID, number, CAROL, Source.BUTTON)
        assert refused.value.key == "error.register.series_closed"
    assert await services.registrations.registrant_ids(home) == ()


async def test_a_single_session_keeps_its_own_refusals(services: Services, clock: FakeClock) -> None:
    single = await announced_session(services)
    clock.now = STARTS[0] + timedelta(minutes=1)

    with pytest.raises(InvalidState) as refused:
        await services.registrations.join(GUILD_ID, single.id, CAROL, Source.BUTTON)
    assert refused.value.key == "error.register.started"


async def test_the_waitlist_of_a_series_is_its_homes_and_a_promotion_brings_every_dates_reminders(
    services: Services, engine: AsyncEngine
) -> None:
    home, second, _ = await series(services, engine, capacity=1)
    await services.registrations.join(GUILD_ID, home, BOB, Source.BUTTON)
    waiting = await services.registrations.join(GUILD_ID, second, CAROL, Source.BUTTON)
    assert (waiting.status, waiting.waitlist_position) == (Status.WAITLISTED, 1)
    assert await reminders_of(engine, CAROL.user_id) == {}

    left = await services.registrations.leave(GUILD_ID, second, BOB.user_id)

    assert left.promoted == (CAROL.user_id,)
    assert await reminders_of(engine, CAROL.user_id) == {home: PENDING, second: PENDING}
    assert await reminders_of(engine, BOB.user_id) == {}


# --- absences ------------------------------------------------------------------------------------------------------


async def test_an_absence_drops_that_dates_reminders_only_and_twice_is_harmless(
    services: Services, engine: AsyncEngine
) -> None:
    home, second, _ = await series(services, engine)
    await services.registrations.join(GUILD_ID, home, BOB, Source.BUTTON)

    marked = await services.registrations.absence(GUILD_ID, home, 2, BOB)
    twice = await services.registrations.absence(GUILD_ID, home, 2, BOB)

    assert (marked.session.id, marked.home.id, marked.absent, marked.changed) == (second, home, True, True)
    assert (twice.absent, twice.changed) == (True, False)
    assert await reminders_of(engine, BOB.user_id) == {home: PENDING}
    rows = list((await services.registrations.listing(GUILD_ID, home, ALICE)).registrations)
    assert [(r.user_id, r.status) for r in rows] == [(BOB.user_id, Status.CONFIRMED)]  # the seat stays

    back = await services.registrations.absence(GUILD_ID, home, 2, BOB, back=True)

    assert (back.absent, back.changed) == (False, True)
    assert await reminders_of(engine, BOB.user_id) == {home: PENDING, second: PENDING}


async def test_the_button_marks_the_absence_from_its_session_alone(services: Services, engine: AsyncEngine) -> None:
    home, second, _ = await series(services, engine)
    await services.registrations.join(GUILD_ID, home, BOB, Source.BUTTON)

    outcome = await services.registrations.absent_by_button(second, BOB.user_id)

    assert (outcome.session.series_rank, outcome.changed) == (2, True)
    assert await reminders_of(engine, BOB.user_id) == {home: PENDING}


async def test_absences_are_refused_where_they_mean_nothing(
    services: Services, engine: AsyncEngine, clock: FakeClock
) -> None:
    single = await single_session(services)
    home, _, _ = await series(services, engine)
    await services.registrations.join(GUILD_ID, home, BOB, Source.BUTTON)
    await services.registrations.join(GUILD_ID, single.id, BOB, Source.BUTTON)

    refusals = [
        (InvalidState, "error.absence.single", lambda: services.registrations.absence(GUILD_ID, single.id, 1, BOB)),
        (Forbidden, "error.absence.not_registered", lambda: services.registrations.absence(GUILD_ID, home, 2, CAROL)),
        (InvalidState, "error.absence.no_date", lambda: services.registrations.absence(GUILD_ID, home, 3, BOB)),
        (NotFound, "error.series.no_session", lambda: services.registrations.absence(GUILD_ID, home, 4, BOB)),
        (NotFound, "error.unknown_fabrique", lambda: services.registrations.absent_by_button(single.id, BOB.user_id)),
    ]
    for error, key, call in refusals:
        with pytest.raises(error) as refused:
            await call()
        assert refused.value.key == key

    clock.now = STARTS[0] + timedelta(minutes=5)
    with pytest.raises(InvalidState) as refused:
        await services.registrations.absence(GUILD_ID, home, 1, BOB)
    assert refused.value.key == "error.absence.past"
    assert await reminders_of(engine, BOB.user_id) == {single.id: PENDING, home: PENDING, home + 1: PENDING}


async def test_the_organizers_see_per_date_how_many_come(services: Services, engine: AsyncEngine) -> None:
    home, second, third = await series(services, engine, capacity=2)
    for person in (BOB, CAROL, STRANGER):  # STRANGER waits: not counted on any date
        await services.registrations.join(GUILD_ID, home, person, Source.BUTTON)
    await services.registrations.absence(GUILD_ID, home, 2, CAROL)

    listing = await services.registrations.listing(GUILD_ID, home, COORGANIZER)

    assert [r.user_id for r in listing.registrations] == [BOB.user_id, CAROL.user_id, STRANGER.user_id]
    assert [(d.session.id, d.coming, d.absent_ids) for d in listing.dates] == [
        (home, 2, frozenset()),
        (second, 1, frozenset({CAROL.user_id})),
        (third, 2, frozenset()),
    ]
    with pytest.raises(Forbidden) as refused:
        await services.registrations.listing(GUILD_ID, second, BOB)
    assert refused.value.key == "error.not_organizer_or_team"
    single = await single_session(services)
    assert (await services.registrations.listing(GUILD_ID, single.id, TEAM)).dates == ()


# --- notices about one session -------------------------------------------------------------------------------------


async def test_cancelling_or_releasing_one_session_tells_the_series_registrants(
    services: Services, engine: AsyncEngine
) -> None:
    home, second, _ = await series(services, engine)
    for person in (BOB, CAROL):
        await services.registrations.join(GUILD_ID, home, person, Source.BUTTON)
    await services.registrations.absence(GUILD_ID, home, 2, CAROL)  # absent that day: still told of a change

    released = await services.slots.release(GUILD_ID, second, ALICE)
    assert released.registrant_ids == (BOB.user_id, CAROL.user_id)
    slot = await add_slot(services, "23/03/2027", "14:00", 180)
    await services.slots.book(GUILD_ID, second, slot.id, ALICE)
    cancelled = await services.sessions.cancel(GUILD_ID, second, TEAM, "L'intervenante est malade")

    assert cancelled.registrant_ids == (BOB.user_id, CAROL.user_id)
    assert await reminders_of(engine, BOB.user_id) == {home: PENDING}  # the cancelled date owes nothing
    assert await services.registrations.registrant_ids(home) == (BOB.user_id, CAROL.user_id)


# --- reminders and links per date, through the dispatcher ---------------------------------------------------------


async def test_the_first_reminder_of_a_date_offers_the_absence_and_an_absent_person_gets_nothing(
    timed: Timed,  # noqa: F811
    engine: AsyncEngine,
) -> None:
    services = timed.services
    home, second, _ = await series(services, engine)
    for person in (BOB, CAROL):
        await services.registrations.join(GUILD_ID, home, person, Source.BUTTON)
    await services.registrations.absence(GUILD_ID, home, 2, CAROL)

    timed.clock.now = STARTS[0] - timedelta(hours=24)
    await timed.dispatcher.run_due()
    first = [dm for dm in timed.messenger.to(CAROL.user_id) if ZOOM_URL in dm.text]
    assert [(dm.absence_for, dm.text.startswith("Séance 1 sur 3")) for dm in first] == [(home, True)]

    timed.clock.now = STARTS[1] - timedelta(hours=24)
    await timed.dispatcher.run_due()
    timed.clock.now = STARTS[1] - timedelta(minutes=60)
    await timed.dispatcher.run_due()

    bob = [dm for dm in timed.messenger.to(BOB.user_id) if ZOOM_URL in dm.text]
    assert [(dm.absence_for, dm.text.split(" · ")[0]) for dm in bob] == [
        (home, "Séance 1 sur 3"),
        (second, "Séance 2 sur 3"),  # the first reminder of the second date, with its button
        (None, "Séance 2 sur 3"),  # the last one: the link, no button
    ]
    carol = [dm for dm in timed.messenger.to(CAROL.user_id) if ZOOM_URL in dm.text]
    assert carol == first  # nothing for the date she will miss
    assert await reminders_of(engine, CAROL.user_id) == {home: [(1440, "done"), (60, "skipped")]}  # past its date


async def test_a_new_link_reaches_those_reminded_and_coming_that_date(
    timed: Timed,  # noqa: F811
    engine: AsyncEngine,
) -> None:
    services = timed.services
    home, second, _ = await series(services, engine)
    for person in (BOB, CAROL):
        await services.registrations.join(GUILD_ID, home, person, Source.BUTTON)
    timed.clock.now = STARTS[1] - timedelta(hours=24)
    await timed.dispatcher.run_due()  # both reminded for the second date
    await services.registrations.absence(GUILD_ID, home, 2, CAROL)  # then she will miss it

    await services.sessions.set_zoom_link(GUILD_ID, second, TEAM, NEW_URL)
    await timed.dispatcher.run_due()

    assert [dm.user_id for dm in timed.messenger.dms if NEW_URL in dm.text] == [BOB.user_id]


async def test_a_closed_dm_on_a_later_sessions_reminder_is_recorded_on_the_series(
    timed: Timed,  # noqa: F811
    engine: AsyncEngine,
) -> None:
    services = timed.services
    home, _, _ = await series(services, engine)
    await services.registrations.join(GUILD_ID, home, BOB, Source.BUTTON)
    timed.messenger.closed = {BOB.user_id}
    timed.clock.now = STARTS[1] - timedelta(hours=24)

    await timed.dispatcher.run_due()

    rows = list((await services.registrations.listing(GUILD_ID, home, TEAM)).registrations)
    assert [(r.user_id, r.dm_failed) for r in rows] == [(BOB.user_id, True)]
    assert timed.messenger.to(BOB.user_id) == []


async def test_announcing_a_later_session_reminds_those_already_registered(
    services: Services, engine: AsyncEngine
) -> None:
    home, _, third = await series(services, engine)
    await services.registrations.join(GUILD_ID, home, BOB, Source.BUTTON)
    slot = await add_slot(services, DATES[2], "14:00", 180)
    await services.slots.book(GUILD_ID, third, slot.id, ALICE)

    await announce(services, third, MESSAGE_ID + 3)

    assert (await reminders_of(engine, BOB.user_id))[third] == PENDING


# --- the team's registrations, people outside Discord included -----------------------------------------------------


@pytest.fixture
async def mailed(
    services: Services, engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock
) -> tuple[Services, FakeMailer]:
    """The services with the mailing integration on (``services`` migrated the database)."""
    mailer = FakeMailer()
    settings = make_settings(tmp_path, database_url)
    services = services_on(engine, settings, clock, clients=Clients(mailer=mailer), ports=fake_ports())
    await configure(services)
    return services, mailer


async def test_the_team_registers_someone_outside_discord_for_every_date_of_a_series(
    mailed: tuple[Services, FakeMailer], engine: AsyncEngine
) -> None:
    services, mailer = mailed
    home, second, _ = await series(services, engine)
    teamed = services.team_registrations

    done = await teamed.register(GUILD_ID, second, TEAM, member=None, name="Xavière", email="x@exemple.fr")

    assert (done.outcome.fabrique.id, done.outcome.status, done.told) == (home, Status.CONFIRMED, True)
    (letter,) = mailer.sent
    assert "15 mars 2027" in letter.text and "22 mars 2027" in letter.text  # every date it has so far
    assert letter.ics is not None and letter.ics.count(b"BEGIN:VEVENT") == 2
    assert await reminders_of(engine, done.outcome.user_id) == {home: PENDING, second: PENDING}

    left = await teamed.unregister(GUILD_ID, home, TEAM, member_id=None, email="x@exemple.fr")
    assert left.outcome.changed and await reminders_of(engine, done.outcome.user_id) == {}

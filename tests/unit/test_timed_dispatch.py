"""The dispatcher of due work on a real database: what each due kind asks of Discord, what is recorded, what is
retried. Discord is the fakes below, which record what they were asked (the edge of a system we cannot run here).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_sessionmaker
from bot.db.models import DueWorkRow, FabriqueRow
from bot.domain.lifecycle import Actor, State
from bot.domain.registration import Source
from bot.domain.text import shown
from bot.domain.timeline import Work
from bot.i18n import I18n
from bot.services import Services
from bot.services.records import FabriqueRecord
from bot.timed import Dispatcher
from tests.conftest import GUILD_ID
from tests.ports import Dm, FakeMessenger
from tests.unit.builders import ALICE, BOB, BOT, CAROL, COORGANIZER, TEAM, ZOOM_URL, announced_session, configure
from tests.unit.conftest import FakeClock

# The session of announced_session(): 15/03/2027 14:00 in Paris (13:00 UTC), 120 minutes, by ALICE and COORGANIZER.
START = datetime(2027, 3, 15, 13, 0, tzinfo=UTC)
END = datetime(2027, 3, 15, 15, 0, tzinfo=UTC)
DEADLINE_DAYS = 14
I18N = I18n("fr")


class FakeCards:
    """The moderation cards: records the state each card showed, read from the database when it was shown."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = create_sessionmaker(engine)
        self.shown: list[tuple[int, State]] = []

    async def show(self, guild_id: int, fabrique_id: int) -> bool:
        async with self._sessions() as session:
            row = await session.get(FabriqueRow, fabrique_id)
            assert row is not None and row.guild_id == guild_id
            self.shown.append((fabrique_id, State(row.state)))
        return True


@dataclass
class Copies:
    """The outside copies to retry: how many each round tries."""

    due: int = 0
    rounds: int = 0

    async def retry(self) -> int:
        self.rounds += 1
        return self.due


async def no_welcome() -> int:
    """No welcome rule owes a session (tests/behaviour/test_welcome_rule.py has those)."""
    return 0


@dataclass
class Timed:
    dispatcher: Dispatcher
    messenger: FakeMessenger
    cards: FakeCards
    copies: Copies
    services: Services
    clock: FakeClock


@pytest.fixture
async def timed(services: Services, engine: AsyncEngine, clock: FakeClock) -> Timed:
    await configure(services)
    messenger, cards, copies = FakeMessenger(), FakeCards(engine), Copies()
    dispatcher = Dispatcher(
        timeline=services.timeline,
        registrations=services.registrations,
        retry_copies=copies.retry,
        keep_welcome=no_welcome,
        post_monthly=no_welcome,
        messenger=messenger,
        cards=cards,
        i18n=I18N,
        clock=clock,
        deadline_days=DEADLINE_DAYS,
        bot_user_id=lambda: BOT.user_id,
        recordings=services.recordings,
        links=services.links,
        announcements=services.announcements,
    )
    return Timed(dispatcher, messenger, cards, copies, services, clock)


async def session_with(timed: Timed, registrants: Iterable[Actor] = ()) -> FabriqueRecord:
    """The announced session, with these people registered (and seated) in this order."""
    session = await announced_session(timed.services)
    for actor in registrants:
        await timed.services.registrations.register(GUILD_ID, session.id, actor, Source.BUTTON)
    return session


async def reminder_rows(engine: AsyncEngine, fabrique_id: int, user_id: int) -> list[tuple[int, str, int]]:
    """(minutes before, status, attempts) of one person's reminders."""
    async with create_sessionmaker(engine)() as session:
        rows = await session.execute(
            select(DueWorkRow)
            .where(
                DueWorkRow.fabrique_id == fabrique_id, DueWorkRow.kind == Work.REMINDER, DueWorkRow.user_id == user_id
            )
            .order_by(DueWorkRow.due_at)
        )
        return [(row.amount, row.status, row.attempts) for row in rows.scalars()]


async def state_of(timed: Timed, fabrique_id: int) -> State:
    record, _ = await timed.services.proposals.with_history(GUILD_ID, fabrique_id)
    return record.state


def reminder_text(session: FabriqueRecord) -> str:
    return I18N("dm.reminder", title=shown(session.title), ts=int(START.timestamp()), date=START, url=ZOOM_URL)


# --- reminders and DMs -------------------------------------------------------------------------------------------


async def test_a_reminder_dms_the_registrant_with_the_zoom_link(timed: Timed, engine: AsyncEngine) -> None:
    session = await session_with(timed, [BOB])
    timed.clock.now = START - timedelta(hours=24)

    ran = await timed.dispatcher.run_due()

    assert timed.messenger.to(BOB.user_id) == [Dm(BOB.user_id, reminder_text(session))]
    assert ZOOM_URL in timed.messenger.to(BOB.user_id)[0].text
    assert await reminder_rows(engine, session.id, BOB.user_id) == [(1440, "done", 1), (60, "pending", 0)]
    # The organizers' checklists were due too: only the latest (2 days before) says something true now.
    for organizer in (ALICE.user_id, COORGANIZER.user_id):
        steps = I18N(f"checklist.{session.parcours.value}")
        checklist = I18N("dm.checklist", title=shown(session.title), date=START, days=1, steps=steps)
        assert timed.messenger.to(organizer) == [Dm(organizer, checklist)]
    assert ran == 1 + 4  # BOB's reminder and the four checklists (two of them skipped)
    assert timed.copies.rounds == 1

    assert await timed.dispatcher.run_due() == 0  # nothing is sent twice
    assert len(timed.messenger.to(BOB.user_id)) == 1


async def test_a_closed_dm_is_recorded_and_the_reminder_skipped_not_retried(timed: Timed, engine: AsyncEngine) -> None:
    session = await session_with(timed, [BOB, CAROL])
    timed.messenger.closed = {BOB.user_id}
    timed.clock.now = START - timedelta(hours=24)

    await timed.dispatcher.run_due()

    assert timed.messenger.to(BOB.user_id) == []
    assert timed.messenger.to(CAROL.user_id) == [Dm(CAROL.user_id, reminder_text(session))]
    registrants = list((await timed.services.registrations.listing(GUILD_ID, session.id, TEAM)).registrations)
    assert [(r.user_id, r.dm_failed) for r in registrants] == [(BOB.user_id, True), (CAROL.user_id, False)]
    assert await reminder_rows(engine, session.id, BOB.user_id) == [(1440, "skipped", 1), (60, "pending", 0)]

    timed.clock.advance(minutes=30)  # well past any retry delay
    assert await timed.dispatcher.run_due() == 0
    assert await reminder_rows(engine, session.id, BOB.user_id) == [(1440, "skipped", 1), (60, "pending", 0)]


async def test_a_port_that_raises_fails_the_item_and_the_rest_of_the_batch_still_runs(
    timed: Timed, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    session = await session_with(timed, [BOB, CAROL])  # BOB's reminder is claimed before CAROL's
    timed.messenger.broken = {BOB.user_id}
    timed.clock.now = START - timedelta(hours=24)

    with caplog.at_level(logging.WARNING, logger="bot.timed.dispatcher"):
        await timed.dispatcher.run_due()

    assert timed.messenger.to(CAROL.user_id) == [Dm(CAROL.user_id, reminder_text(session))]
    assert await reminder_rows(engine, session.id, BOB.user_id) == [(1440, "pending", 1), (60, "pending", 0)]
    registrants = list((await timed.services.registrations.listing(GUILD_ID, session.id, TEAM)).registrations)
    assert not any(r.dm_failed for r in registrants)  # Discord failing is not a closed DM
    (failure,) = [r for r in caplog.records if r.name == "bot.timed.dispatcher"]
    assert failure.levelno == logging.WARNING
    assert "will be retried" in failure.getMessage()
    assert ZOOM_URL not in caplog.text  # log ids, never links or message bodies

    timed.messenger.broken.clear()  # Discord is back: the reminder goes out a little later
    timed.clock.advance(minutes=5)
    await timed.dispatcher.run_due()
    assert timed.messenger.to(BOB.user_id) == [Dm(BOB.user_id, reminder_text(session))]
    assert await reminder_rows(engine, session.id, BOB.user_id) == [(1440, "done", 2), (60, "pending", 0)]


# --- state-changing kinds ----------------------------------------------------------------------------------------


async def test_the_end_makes_the_session_held_and_a_recap_later_in_the_batch_sees_it(timed: Timed) -> None:
    session = await session_with(timed)
    timed.clock.now = END + timedelta(minutes=20)  # START, END and both RECAPs are due together, in that order

    await timed.dispatcher.run_due()

    assert timed.messenger.threads == []  # the start notice came too late: the session is over
    # END showed the held session on its card; the first RECAP moved it on, and said so on the card.
    assert timed.cards.shown == [(session.id, State.HELD), (session.id, State.DOCUMENTATION_DUE)]
    assert await state_of(timed, session.id) is State.DOCUMENTATION_DUE
    ended = I18N("dm.organizer.ended", number=session.id, title=shown(session.title))
    recap = I18N("dm.recap", title=shown(session.title), number=session.id)
    for organizer in (ALICE.user_id, COORGANIZER.user_id):
        assert timed.messenger.to(organizer) == [Dm(organizer, ended), Dm(organizer, recap, recap_for=session.id)]


async def test_the_start_notice_and_the_deadline_alert(timed: Timed) -> None:
    session = await session_with(timed)
    timed.clock.now = START

    await timed.dispatcher.run_due()
    assert timed.messenger.threads == [
        (session.id, I18N("thread.start", title=shown(session.title), number=session.id))
    ]

    timed.clock.now = END + timedelta(days=DEADLINE_DAYS)
    await timed.dispatcher.run_due()

    organizers = " ".join(f"<@{user_id}>" for user_id in session.organizer_ids)
    alert = I18N(
        "team.documentation_late", number=session.id, title=shown(session.title), days=DEADLINE_DAYS, who=organizers
    )
    assert timed.messenger.team == [(GUILD_ID, alert)]
    chaser = I18N("dm.chaser", title=shown(session.title), number=session.id, days=7, left=DEADLINE_DAYS - 7)
    assert Dm(ALICE.user_id, chaser, recap_for=session.id) in timed.messenger.to(ALICE.user_id)


# --- the dispatcher itself ---------------------------------------------------------------------------------------


async def test_the_copies_to_retry_count_among_what_ran(timed: Timed) -> None:
    timed.copies.due = 2
    assert await timed.dispatcher.run_due() == 2


async def test_closing_waits_for_the_send_in_flight_then_dispatches_no_more(timed: Timed, engine: AsyncEngine) -> None:
    session = await session_with(timed, [BOB])
    timed.clock.now = START - timedelta(hours=1, seconds=-1)  # only BOB's last reminder is still meaningful
    timed.messenger.gate = asyncio.Event()
    dispatch = asyncio.create_task(timed.dispatcher.run_due())
    await timed.messenger.sending.wait()

    closing = asyncio.create_task(timed.dispatcher.close())
    await asyncio.sleep(0.05)
    assert not closing.done()  # the send in flight is not cut short
    timed.messenger.gate.set()

    await closing
    await dispatch
    assert await reminder_rows(engine, session.id, BOB.user_id) == [(1440, "skipped", 1), (60, "done", 1)]
    timed.clock.advance(days=1)
    assert await timed.dispatcher.run_due() == 0
    assert timed.copies.rounds == 0  # closing: the copies wait for the next start


async def test_closing_can_be_bounded_by_the_caller(timed: Timed) -> None:
    await session_with(timed, [BOB])
    timed.clock.now = START - timedelta(hours=1)
    timed.messenger.gate = asyncio.Event()
    dispatch = asyncio.create_task(timed.dispatcher.run_due())
    await timed.messenger.sending.wait()

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await timed.dispatcher.close()

    timed.messenger.gate.set()
    await dispatch


async def test_a_missing_collaborator_is_a_construction_error(
    services: Services, engine: AsyncEngine, clock: FakeClock
) -> None:
    complete = {
        "timeline": services.timeline,
        "registrations": services.registrations,
        "retry_copies": Copies().retry,
        "keep_welcome": no_welcome,
        "post_monthly": no_welcome,
        "messenger": FakeMessenger(),
        "cards": FakeCards(engine),
        "i18n": I18N,
        "clock": clock,
        "deadline_days": DEADLINE_DAYS,
        "bot_user_id": lambda: BOT.user_id,
        "recordings": services.recordings,
        "links": services.links,
        "announcements": services.announcements,
    }
    Dispatcher(**complete)
    for name in ("messenger", "cards", "retry_copies", "keep_welcome", "post_monthly"):
        with pytest.raises(TypeError):
            Dispatcher(**{**complete, name: None})
        with pytest.raises(TypeError):
            Dispatcher(**{key: value for key, value in complete.items() if key != name})

"""Years of history cost nothing: each interaction reads the database in the same number of SQL statements with 5
and with 50 sessions behind it (issue 17). A query per session (an N+1) makes the second count grow and fails here.

The statements are counted on the engine (``before_cursor_execute``), on SQLite and on PostgreSQL. The history is
made through the services: sessions held (their documentation owed), cancelled, and still to come with a failed
copy; Fabriques turned into series; slots free and booked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_sessionmaker
from bot.db.models import CopyRow
from bot.db.uow import unit_of_work_factory
from bot.domain.lifecycle import Action
from bot.domain.outreach import CopyStatus
from bot.domain.proposal import ProposalText
from bot.services import Services
from bot.services.corrections import People
from tests.conftest import GUILD_ID
from tests.unit.builders import (
    AGENDA_CHANNEL,
    ALICE,
    BOB,
    BOT,
    TEAM,
    ZOOM_URL,
    approved_fabrique,
    configure,
    series_of,
)

FIRST_DAY = datetime(2027, 4, 1, tzinfo=UTC)  # a month after the test clock's « now »: every booking is allowed


@dataclass
class Statements:
    """How many SQL statements the engine ran since the last ``during``."""

    count: int = 0
    ran: list[str] = field(default_factory=list)

    def __call__(self, *args: Any) -> None:
        self.count += 1
        self.ran.append(str(args[2]).split("\n")[0][:80])

    async def during(self, call: Callable[[], Awaitable[object]]) -> int:
        self.count, self.ran = 0, []
        await call()
        return self.count


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[Statements]:
    statements = Statements()
    event.listen(engine.sync_engine, "before_cursor_execute", statements)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", statements)


async def add_history(services: Services, engine: AsyncEngine, start: int, end: int) -> None:
    """Sessions number ``start`` to ``end - 1``, one a day, by ALICE: a third held (documentation owed), a third
    cancelled, a third announced and still to come with a failed website copy; every fifth Fabrique also becomes a
    series of two (its second session waiting for a date), and every session leaves a free slot beside it."""
    uow = unit_of_work_factory(create_sessionmaker(engine))
    for n in range(start, end):
        day = (FIRST_DAY + timedelta(days=n)).strftime("%d/%m/%Y")
        fabrique = await approved_fabrique(services, ALICE)
        if n % 5 == 4:
            await series_of(engine, fabrique.id, 2)
        slot = await services.slots.add(GUILD_ID, TEAM, day, "10:00", 180)
        await services.slots.add(GUILD_ID, TEAM, day, "18:00", 60)  # stays free
        await services.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
        await services.sessions.set_zoom_link(GUILD_ID, fabrique.id, TEAM, ZOOM_URL)
        await services.sessions.mark_announced(GUILD_ID, fabrique.id, BOT, AGENDA_CHANNEL, 900000000000000000 + n, n)
        if n % 3 == 0:
            await services.timeline.advance(fabrique.id, Action.END, BOT)
        elif n % 3 == 1:
            await services.sessions.cancel(GUILD_ID, fabrique.id, TEAM, "Plus de salle ce jour-là.")
        else:
            async with uow() as work:
                work.session.add(
                    CopyRow(
                        fabrique_id=fabrique.id,
                        target="website",
                        status=CopyStatus.FAILED,
                        attempts=1,
                        updated_at=FIRST_DAY,
                    )
                )
                await work.commit()


def interactions(services: Services) -> dict[str, Callable[[], Awaitable[object]]]:
    """What each interaction asks of the services (the cog calls one of these, then draws the answer)."""
    sessions, slots, proposals = services.sessions, services.slots, services.proposals
    return {
        # The agenda is read again after a change, then served from what was read: both costs are fixed.
        "/fabrique agenda (after a change)": lambda: sessions.agenda_file(GUILD_ID),
        "/fabrique agenda": lambda: sessions.agenda_file(GUILD_ID),
        "/agenda.ics": lambda: sessions.agenda_calendar(GUILD_ID, refresh=timedelta(hours=1)),
        "/agenda.ics (every guild)": lambda: sessions.agenda_calendar(None, refresh=timedelta(hours=1)),
        "/equipe suivi": lambda: services.timeline.follow_up(GUILD_ID),
        "/fabrique mes-fabriques": lambda: proposals.mine(GUILD_ID, ALICE.user_id),
        "autocomplete: sessions to come": lambda: sessions.agenda(GUILD_ID),
        "autocomplete: editable": lambda: proposals.suggest(GUILD_ID, ALICE.user_id, editable_only=True),
        "autocomplete: correctable": lambda: proposals.suggest(
            GUILD_ID, ALICE.user_id, editable_only=True, booked_too=True
        ),
        "autocomplete: bookable (organizer)": lambda: slots.suggest_fabriques(GUILD_ID, ALICE),
        "autocomplete: booked (team)": lambda: slots.suggest_fabriques(GUILD_ID, TEAM),
        "autocomplete: free slots": lambda: slots.upcoming(GUILD_ID, free_only=True),
        "autocomplete: team slots": lambda: slots.upcoming(GUILD_ID, free_only=False),
    }


async def statements_per_interaction(services: Services, statements: Statements) -> dict[str, int]:
    return {name: await statements.during(call) for name, call in interactions(services).items()}


@pytest.fixture
async def configured(services: Services) -> Services:
    await configure(services)
    return services


async def test_every_interaction_reads_as_many_statements_with_50_sessions_as_with_5(
    configured: Services, engine: AsyncEngine
) -> None:
    await add_history(configured, engine, 0, 5)
    with counted(engine) as statements:
        few = await statements_per_interaction(configured, statements)
    small = await what_they_show(configured)

    await add_history(configured, engine, 5, 50)
    with counted(engine) as statements:
        many = await statements_per_interaction(configured, statements)
    large = await what_they_show(configured)

    assert many == few
    # The history did reach what the interactions read (else equal counts would prove nothing).
    assert all(large[name] > small[name] for name in small), (small, large)


async def what_they_show(services: Services) -> dict[str, int]:
    dashboard = await services.timeline.follow_up(GUILD_ID)
    return {
        "agenda": len(await services.sessions.agenda(GUILD_ID)),
        "owed": dashboard.owed_count,
        "booked": len(dashboard.booked),
        "mine": len(await services.proposals.mine(GUILD_ID, ALICE.user_id)),
        "series": sum(1 for mine in await services.proposals.mine(GUILD_ID, ALICE.user_id) if mine.series),
        "free slots": len(await services.slots.upcoming(GUILD_ID, free_only=True)),
    }


async def test_the_agenda_is_read_again_once_it_changed_and_only_then(
    configured: Services, engine: AsyncEngine
) -> None:
    await add_history(configured, engine, 0, 5)
    first = await configured.sessions.agenda_file(GUILD_ID)
    with counted(engine) as statements:
        again = await configured.sessions.agenda_file(GUILD_ID)
        unchanged = statements.count
        assert again.ics is first.ics  # the same file, not built again
        fabrique = await approved_fabrique(configured, BOB)
        slot = await configured.slots.add(GUILD_ID, TEAM, "30/06/2027", "10:00", 180)
        await configured.slots.book(GUILD_ID, fabrique.id, slot.id, BOB)
        await configured.sessions.set_zoom_link(GUILD_ID, fabrique.id, TEAM, ZOOM_URL)
        await configured.sessions.mark_announced(GUILD_ID, fabrique.id, BOT, AGENDA_CHANNEL, 900000000000000999, 7)
        changed = await statements.during(lambda: configured.sessions.agenda_file(GUILD_ID))
    after = await configured.sessions.agenda_file(GUILD_ID)
    assert fabrique.id in {record.id for record in after.records}
    assert f"fabrique-{fabrique.id}-{GUILD_ID}@fabrique".encode() in after.ics
    assert changed > unchanged  # read again: the new session is in the file


async def test_a_corrected_title_reaches_the_agenda_file(configured: Services, engine: AsyncEngine) -> None:
    """Corrected at the same instant as its announcement (the test clock stands still): the revision tells."""
    await add_history(configured, engine, 2, 3)  # one announced session to come
    (record,) = (await configured.sessions.agenda_file(GUILD_ID)).records
    text = ProposalText("Un autre titre", record.description, record.speaker, record.needs)
    await configured.corrections.correct(GUILD_ID, record.id, TEAM, text, People())
    agenda = await configured.sessions.agenda_file(GUILD_ID)
    assert [r.title for r in agenda.records] == ["Un autre titre"]
    assert "SUMMARY:Un autre titre" in agenda.ics.decode()

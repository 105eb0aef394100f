"""Registering by ✅, by button and at reconciliation, each one service call, on SQLite and on PostgreSQL.

Discord is replaced by fake ports that record what the service asked of it (the DMs, the announcement edits).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import DiscordSettings
from bot.db import migrate
from bot.db.engine import create_sessionmaker
from bot.db.models import FabriqueRow, GuildConfigRow, MemberNameRow, RegistrationRow
from bot.db.uow import UnitOfWorkFactory, unit_of_work_factory
from bot.domain.lifecycle import Actor, State
from bot.domain.membership import actor_from_roles, configured_id
from bot.domain.proposal import Format, Parcours
from bot.domain.registration import Source, Status
from bot.domain.text import shown
from bot.i18n import I18n
from bot.services.ports import Attachment, Posted
from bot.services.records import Attendance, FabriqueRecord
from bot.services.registrations import Marks, Reactor, RegistrationService
from bot.services.timeline import Planner, timeline_settings
from tests.conftest import GUILD_ID, make_settings
from tests.unit.conftest import FakeClock

MESSAGE_ID = 900000000000000001
MEMBER_ROLE = 700000000000000003
TEAM_ROLE = 700000000000000002
ORGANIZER = 800000000000000003
BOB, CAROL, DAVE, ERIN = 810000000000000001, 810000000000000002, 810000000000000003, 810000000000000004
TITLE = "Les *tiers*-lieux"
I18N = I18n("fr")


def member(user_id: int) -> Reactor:
    return Reactor(user_id, frozenset({MEMBER_ROLE}))


# --- Discord, as the service sees it ---------------------------------------------------------------------------


@dataclass
class FakeBoard:
    refreshed: list[int] = field(default_factory=list)
    redrawn: list[int] = field(default_factory=list)

    async def post(self, record: FabriqueRecord, attendance: Attendance, channel_id: int) -> Posted | None:
        raise AssertionError("registrations never post an announcement")

    def refresh(self, fabrique_id: int) -> None:
        self.refreshed.append(fabrique_id)

    async def redraw(self, fabrique_id: int, *, with_calendar: bool = False) -> None:
        self.redrawn.append(fabrique_id)

    async def close(self, record: FabriqueRecord, banner: str, *, final: bool) -> None:
        raise AssertionError("registrations never close an announcement")

    async def move_event(self, record: FabriqueRecord) -> None:
        raise AssertionError("registrations never move an event")


@dataclass
class FakeMessenger:
    closed: set[int] = field(default_factory=set)  # people whose DMs are closed
    sent: list[tuple[int, str]] = field(default_factory=list)
    threads: list[tuple[int | None, str]] = field(default_factory=list)

    async def dm(
        self, user_id: int, text: str, *, recap_for: int | None = None, attachment: Attachment | None = None
    ) -> bool:
        if user_id in self.closed:
            return False
        self.sent.append((user_id, text))
        return True

    async def offer_recording(self, user_id: int, text: str, fabrique_id: int) -> bool:
        raise AssertionError("registrations never offer a recording")

    async def tell_team(self, guild_id: int, text: str) -> bool:
        raise AssertionError("registrations never alert the team")

    async def notice_in_thread(self, record: FabriqueRecord, text: str, *, mention: int | None = None) -> bool:
        self.threads.append((mention, text))  # closed DMs: the person is told there, once
        return True


@dataclass
class Spawner:
    """Keeps what the service sends to the background, so that a test runs it when it chooses."""

    pending: list[Coroutine[Any, Any, Any]] = field(default_factory=list)

    def __call__(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        self.pending.append(coroutine)

    async def run(self) -> None:
        while self.pending:
            await self.pending.pop(0)

    def discard(self) -> None:
        for coroutine in self.pending:
            coroutine.close()


@dataclass
class World:
    service: RegistrationService
    uow: UnitOfWorkFactory
    engine: AsyncEngine
    clock: FakeClock
    board: FakeBoard
    messenger: FakeMessenger
    background: Spawner

    async def session(self, *, capacity: int = 0, state: State = State.ANNOUNCED, message_id: int = MESSAGE_ID) -> int:
        """A session two weeks after the clock, announced by ``message_id``."""
        starts = self.clock.now + timedelta(days=14)
        row = FabriqueRow(
            guild_id=GUILD_ID,
            organizer_id=ORGANIZER,
            coorganizers=[],
            format=Format.ATELIER,
            parcours=Parcours.CLASSIQUE,
            duration_minutes=120,
            title=TITLE,
            description="Partager nos pratiques.",
            state=state,
            created_at=self.clock.now,
            updated_at=self.clock.now,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
            zoom_url="https://zoom.us/j/1",
            announcement_channel_id=700000000000000004,
            announcement_message_id=message_id,
        )
        async with self.uow() as uow:
            uow.fabriques.add(row)
            await uow.commit()
        return row.id

    async def statuses(self, fabrique_id: int) -> list[tuple[int, Status]]:
        async with self.uow() as uow:
            return [(r.user_id, r.status) for r in await uow.registrations.all(fabrique_id)]

    async def record(self, fabrique_id: int) -> FabriqueRecord:
        async with self.uow() as uow:
            row = await uow.fabriques.by_id(fabrique_id)
            assert row is not None
            return FabriqueRecord.of(row)

    @contextmanager
    def transactions(self) -> Iterator[list[object]]:
        """Every transaction begun on the database inside the block."""
        begun: list[object] = []

        def count(connection: object) -> None:
            begun.append(connection)

        event.listen(self.engine.sync_engine, "begin", count)
        try:
            yield begun
        finally:
            event.remove(self.engine.sync_engine, "begin", count)


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path, clock: FakeClock) -> AsyncIterator[World]:
    await migrate.upgrade(engine)
    uow = unit_of_work_factory(create_sessionmaker(engine))
    async with uow() as unit:
        unit.guilds.add(
            GuildConfigRow(guild_id=GUILD_ID, member_role_id=MEMBER_ROLE, updated_by=ORGANIZER, updated_at=clock.now)
        )
        await unit.commit()
    settings = make_settings(tmp_path)
    board, messenger, background = FakeBoard(), FakeMessenger(), Spawner()
    service = RegistrationService(
        uow,
        clock,
        Planner(timeline_settings(settings), clock, lambda _: None),
        guild_defaults=DiscordSettings(guild_id=GUILD_ID, team_role_id=TEAM_ROLE),
        board=board,
        messenger=messenger,
        i18n=I18N,
        spawn=background,
    )
    yield World(service, uow, engine, clock, board, messenger, background)
    background.discard()  # what a test chose not to run


def registered(user_id: int, record: FabriqueRecord) -> tuple[int, str]:
    return user_id, I18N("dm.registered", title=shown(record.title), date=record.starts_at, number=record.id)


def waitlisted(user_id: int, record: FabriqueRecord, position: int) -> tuple[int, str]:
    return user_id, I18N("dm.waitlisted", title=shown(record.title), position=position, number=record.id)


def refused(user_id: int, record: FabriqueRecord, key: str, **params: object) -> tuple[int, str]:
    return user_id, I18N("dm.refused", title=shown(record.title), reason=I18N(key, **params))


# --- the rule of who is who ------------------------------------------------------------------------------------


def test_roles_decide_who_is_a_member_and_who_is_the_team() -> None:
    roles = {"team_role_id": TEAM_ROLE, "member_role_id": MEMBER_ROLE}
    assert actor_from_roles(1, {MEMBER_ROLE}, **roles) == Actor(1, is_team=False, is_member=True)
    assert actor_from_roles(1, {TEAM_ROLE}, **roles) == Actor(1, is_team=True, is_member=True)
    assert actor_from_roles(1, set(), **roles) == Actor(1, is_team=False, is_member=False)
    assert actor_from_roles(1, None, **roles) == Actor(1, is_team=False, is_member=False)  # left the guild
    # Without a member role, anyone in the guild is a member; without a team role, nobody is the team.
    assert actor_from_roles(1, set(), team_role_id=None, member_role_id=None) == Actor(1, is_member=True)
    assert actor_from_roles(1, None, team_role_id=None, member_role_id=None) == Actor(1, is_member=False)
    assert [configured_id(stored, 5) for stored in (None, 0, 7)] == [5, 5, 7]
    assert configured_id(0, 0) is None


# --- ✅ added --------------------------------------------------------------------------------------------------


async def test_a_reaction_registers_in_one_transaction(world: World) -> None:
    fabrique_id = await world.session()
    with world.transactions() as begun:
        await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB)])
        await world.background.run()  # the DM; a delivered DM writes nothing
    assert len(begun) == 1
    record = await world.record(fabrique_id)
    assert await world.statuses(fabrique_id) == [(BOB, Status.CONFIRMED)]
    assert world.messenger.sent == [registered(BOB, record)]
    assert "\\*tiers\\*" in world.messenger.sent[0][1]  # the member's title cannot format the DM
    assert world.board.refreshed == [fabrique_id]
    async with world.uow() as uow:
        (registration,) = await uow.registrations.all(fabrique_id)
        assert registration.source is Source.REACTION


async def test_the_dm_waits_for_the_background_not_the_reaction(world: World) -> None:
    await world.session()
    await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB)])
    assert world.messenger.sent == []  # the next reactions do not wait behind Discord
    await world.background.run()
    assert [user for user, _ in world.messenger.sent] == [BOB]


async def test_a_reaction_elsewhere_writes_nothing(world: World, engine: AsyncEngine) -> None:
    await world.session()
    with world.transactions() as begun:
        await world.service.react(GUILD_ID, MESSAGE_ID + 1, [member(BOB)])
        await world.service.react(GUILD_ID + 1, MESSAGE_ID, [member(BOB)])  # another guild's message id
    assert len(begun) == 2
    assert (world.background.pending, world.board.refreshed) == ([], [])
    async with engine.connect() as connection:
        assert (await connection.execute(select(RegistrationRow))).all() == []
        assert (await connection.execute(select(MemberNameRow))).all() == []


async def test_a_burst_keeps_the_arrival_order_and_the_capacity(world: World) -> None:
    fabrique_id = await world.session(capacity=2)
    with world.transactions() as begun:
        await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB), member(CAROL), member(DAVE), member(BOB)])
        await world.service.react(GUILD_ID, MESSAGE_ID, [member(ERIN)])
    assert len(begun) == 2  # one per batch, however many people
    assert await world.statuses(fabrique_id) == [
        (BOB, Status.CONFIRMED),
        (CAROL, Status.CONFIRMED),
        (DAVE, Status.WAITLISTED),
        (ERIN, Status.WAITLISTED),
    ]
    await world.background.run()
    record = await world.record(fabrique_id)
    assert world.messenger.sent == [  # BOB's second ✅ changed nothing: no second DM
        registered(BOB, record),
        registered(CAROL, record),
        waitlisted(DAVE, record, 1),
        waitlisted(ERIN, record, 2),
    ]
    assert world.board.refreshed == [fabrique_id, fabrique_id]


async def test_reactions_and_clicks_at_once_never_exceed_the_capacity(world: World) -> None:
    fabrique_id = await world.session(capacity=5)
    people = [810000000000000100 + n for n in range(30)]
    calls = [
        world.service.react(GUILD_ID, MESSAGE_ID, [member(user)])
        if n % 2
        else world.service.join(GUILD_ID, fabrique_id, Actor(user), Source.BUTTON)
        for n, user in enumerate(people)
    ]
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    statuses = await world.statuses(fabrique_id)
    assert sorted(user for user, _ in statuses) == people
    assert [status for _, status in statuses] == [Status.CONFIRMED] * 5 + [Status.WAITLISTED] * 25
    await world.background.run()
    told = [user for user, _ in world.messenger.sent]
    assert sorted(told) == sorted(people[1::2])  # a reaction hears back by DM, a click by its reply


async def test_only_members_may_register_by_reaction(world: World) -> None:
    fabrique_id = await world.session()
    stranger = Reactor(CAROL, frozenset())
    departed = Reactor(DAVE, None)  # reacted, then left the server
    team = Reactor(ERIN, frozenset({TEAM_ROLE}))
    await world.service.react(GUILD_ID, MESSAGE_ID, [stranger, member(BOB), departed, team])
    await world.background.run()
    record = await world.record(fabrique_id)
    assert await world.statuses(fabrique_id) == [(BOB, Status.CONFIRMED), (ERIN, Status.CONFIRMED)]
    assert world.messenger.sent == [
        refused(CAROL, record, "error.members_only"),
        registered(BOB, record),
        refused(DAVE, record, "error.members_only"),
        registered(ERIN, record),
    ]


@pytest.mark.parametrize("closed", ["cancelled", "started"])
async def test_a_closed_session_tells_everyone_why(world: World, closed: str) -> None:
    state = State.CANCELLED if closed == "cancelled" else State.ANNOUNCED
    fabrique_id = await world.session(state=state)
    record = await world.record(fabrique_id)
    if closed == "started":
        assert record.starts_at is not None
        world.clock.now = record.starts_at
    await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB), member(CAROL)])
    await world.background.run()
    assert await world.statuses(fabrique_id) == []
    if closed == "cancelled":
        reason = ("error.register.closed", {"number": fabrique_id, "state": State.CANCELLED})
    else:
        reason = ("error.register.started", {"number": fabrique_id})
    assert world.messenger.sent == [refused(user, record, reason[0], **reason[1]) for user in (BOB, CAROL)]


async def test_a_closed_dm_is_recorded_for_the_team(world: World) -> None:
    fabrique_id = await world.session()
    world.messenger.closed = {BOB}
    await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB), member(CAROL)])
    await world.background.run()
    async with world.uow() as uow:
        failed = {r.user_id: r.dm_failed for r in await uow.registrations.all(fabrique_id)}
    assert failed == {BOB: True, CAROL: False}
    ((mentioned, notice),) = world.messenger.threads  # Bob, once, in the announcement's thread
    assert mentioned == BOB and f"<@{BOB}>" in notice and "/fabrique lien" in notice and "zoom.us" not in notice


# --- ✅ taken off ----------------------------------------------------------------------------------------------


async def test_taking_the_reaction_off_promotes_and_tells(world: World) -> None:
    fabrique_id = await world.session(capacity=1)
    await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB), member(CAROL)])
    await world.background.run()
    world.messenger.sent.clear()
    world.board.refreshed.clear()

    with world.transactions() as begun:
        await world.service.unreact(GUILD_ID, MESSAGE_ID, [BOB, DAVE])  # DAVE was never registered
    assert len(begun) == 1
    record = await world.record(fabrique_id)
    assert await world.statuses(fabrique_id) == [(CAROL, Status.CONFIRMED)]
    assert world.messenger.sent == [
        (BOB, I18N("dm.unregistered", title=shown(TITLE), date=record.starts_at)),
        (CAROL, I18N("dm.promoted", title=shown(TITLE), date=record.starts_at, number=fabrique_id)),
    ]
    assert world.board.refreshed == [fabrique_id]

    # A ✅ put back is a new registration, at the end of the line.
    await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB)])
    assert await world.statuses(fabrique_id) == [(CAROL, Status.CONFIRMED), (BOB, Status.WAITLISTED)]


async def test_a_promoted_person_with_closed_dms_is_recorded(world: World) -> None:
    fabrique_id = await world.session(capacity=1)
    await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB), member(CAROL)])
    world.messenger.closed = {CAROL}
    await world.service.unreact(GUILD_ID, MESSAGE_ID, [BOB])
    async with world.uow() as uow:
        assert [(r.user_id, r.dm_failed) for r in await uow.registrations.all(fabrique_id)] == [(CAROL, True)]


async def test_taking_off_a_reaction_elsewhere_changes_nothing(world: World) -> None:
    fabrique_id = await world.session()
    await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB)])
    await world.service.unreact(GUILD_ID, MESSAGE_ID + 1, [BOB])
    assert await world.statuses(fabrique_id) == [(BOB, Status.CONFIRMED)]


# --- buttons and commands --------------------------------------------------------------------------------------


async def test_join_and_leave(world: World) -> None:
    fabrique_id = await world.session(capacity=1)
    first = await world.service.join(GUILD_ID, fabrique_id, Actor(BOB), Source.BUTTON)
    again = await world.service.join(GUILD_ID, fabrique_id, Actor(BOB), Source.COMMAND)
    waiting = await world.service.join(GUILD_ID, fabrique_id, Actor(CAROL), Source.BUTTON)
    assert [(o.status, o.changed, o.waitlist_position) for o in (first, again, waiting)] == [
        (Status.CONFIRMED, True, None),
        (Status.CONFIRMED, False, None),
        (Status.WAITLISTED, True, 1),
    ]
    assert world.board.refreshed == [fabrique_id, fabrique_id]  # nothing to show for the second click
    assert world.messenger.sent == []  # a click hears back by its reply

    left = await world.service.leave(GUILD_ID, fabrique_id, BOB)
    assert (left.changed, left.promoted) == (True, (CAROL,))
    record = await world.record(fabrique_id)
    assert world.messenger.sent == [
        (CAROL, I18N("dm.promoted", title=shown(TITLE), date=record.starts_at, number=fabrique_id))
    ]
    assert world.board.refreshed == [fabrique_id] * 3
    not_there = await world.service.leave(GUILD_ID, fabrique_id, DAVE)
    assert not not_there.changed
    assert world.board.refreshed == [fabrique_id] * 3


async def test_tell_promoted_records_closed_dms(world: World) -> None:
    fabrique_id = await world.session()
    await world.service.join(GUILD_ID, fabrique_id, Actor(BOB), Source.BUTTON)
    world.messenger.closed = {BOB}
    await world.service.tell_promoted(await world.record(fabrique_id), [BOB])
    async with world.uow() as uow:
        assert [r.dm_failed for r in await uow.registrations.all(fabrique_id)] == [True]


# --- at start --------------------------------------------------------------------------------------------------


async def test_reconcile_announcement_applies_the_reactions_found(world: World) -> None:
    fabrique_id = await world.session(capacity=1)
    await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB)])  # BOB's ✅ went while the bot was away
    await world.service.join(GUILD_ID, fabrique_id, Actor(CAROL), Source.BUTTON)
    await world.background.run()
    world.messenger.sent.clear()

    record = await world.record(fabrique_id)
    found = [member(DAVE), Reactor(ERIN, frozenset())]  # ERIN is no member: ignored, not told
    await world.service.reconcile_announcement(record, found)

    assert await world.statuses(fabrique_id) == [(CAROL, Status.CONFIRMED), (DAVE, Status.WAITLISTED)]
    assert world.messenger.sent == [
        waitlisted(DAVE, record, 2),  # behind CAROL, who then gets BOB's seat
        (CAROL, I18N("dm.promoted", title=shown(TITLE), date=record.starts_at, number=fabrique_id)),
    ]
    assert world.board.redrawn == [fabrique_id]


async def test_reconciliation_at_start_is_one_transaction_whatever_the_newcomers(world: World) -> None:
    fabrique_id = await world.session(capacity=2)
    await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB)])  # BOB's ✅ went while the bot was away
    await world.background.run()
    world.messenger.sent.clear()
    record = await world.record(fabrique_id)
    newcomers = [member(820000000000000000 + n) for n in range(30)]

    with world.transactions() as begun:
        await world.service.reconcile_announcement(record, newcomers)

    assert len(begun) == 1  # read, register the 30, take BOB's seat back, re-plan: one transaction
    ids = [reactor.user_id for reactor in newcomers]
    assert await world.statuses(fabrique_id) == [(ids[0], Status.CONFIRMED), (ids[1], Status.CONFIRMED)] + [
        (user_id, Status.WAITLISTED) for user_id in ids[2:]
    ]
    heard = [user_id for user_id, _ in world.messenger.sent]
    assert heard == [*ids, ids[1]]  # each newcomer once (the 2nd waited behind BOB), then the 2nd's promotion
    assert world.board.redrawn == [fabrique_id]


async def test_a_quiet_start_reconciles_only_the_sessions_whose_marks_changed(world: World) -> None:
    fabrique_id = await world.session(capacity=5)
    await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB), member(CAROL)])
    await world.service.leave(GUILD_ID, fabrique_id, CAROL)  # by command: her ✅ stays on the message
    await world.background.run()
    record = await world.record(fabrique_id)
    await world.service.drawn(fabrique_id, "as last edited")

    def marks(*people: int) -> list[Marks]:
        return [Marks(record, [member(user_id) for user_id in people], None)]

    with world.transactions() as begun:
        assert await world.service.to_reconcile(marks(BOB, CAROL)) == []  # nothing happened while away
    assert len(begun) == 1  # one read for every announcement to come
    changed = [
        marks(CAROL),  # BOB's ✅ went: his registration ends
        marks(BOB),  # CAROL's ✅ went: her departure is forgotten
        marks(BOB, CAROL, DAVE),  # a newcomer
    ]
    for found in changed:
        assert await world.service.to_reconcile(found) == found
    await world.service.drawn(fabrique_id, None)  # its last edit failed
    assert await world.service.to_reconcile(marks(BOB, CAROL)) == marks(BOB, CAROL)


async def test_a_waitlisted_person_whose_mark_went_too_is_not_told_of_a_seat(world: World) -> None:
    fabrique_id = await world.session(capacity=1)
    await world.service.react(GUILD_ID, MESSAGE_ID, [member(BOB), member(CAROL)])  # CAROL waits behind BOB
    await world.background.run()
    world.messenger.sent.clear()
    record = await world.record(fabrique_id)

    await world.service.reconcile_announcement(record, [])  # both ✅ went while the bot was away

    assert await world.statuses(fabrique_id) == []  # nobody is registered any more...
    promoted = I18N("dm.promoted", title=shown(TITLE), date=record.starts_at, number=fabrique_id)
    assert (CAROL, promoted) not in world.messenger.sent  # ...so nobody hears « une place s'est libérée »


async def test_someone_who_left_by_command_is_not_registered_again_by_the_interest_they_left(
    world: World,
) -> None:
    fabrique_id = await world.session(capacity=5)
    record = await world.record(fabrique_id)
    await world.service.reconcile_announcement(record, [], [member(DAVE)])  # « Intéressé »: registered
    assert await world.statuses(fabrique_id) == [(DAVE, Status.CONFIRMED)]
    await world.service.leave(GUILD_ID, fabrique_id, DAVE)  # by command; his « Intéressé » stays on the event
    await world.background.run()

    await world.service.reconcile_announcement(record, [], [member(DAVE)])  # the next start finds it unchanged

    assert await world.statuses(fabrique_id) == []  # as for a ✅ left in place: his departure stands

"""Where the team-steering features meet: held bookings and cancellation, moves and releases, corrections and the
waitlist, welcome sessions and holds, dates still to be set."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import SessionSettings, Settings, WordPressSettings, ZoomSettings
from bot.db import migrate
from bot.db.engine import create_sessionmaker
from bot.db.models import DueWorkRow
from bot.domain.lifecycle import State
from bot.domain.proposal import ProposalText
from bot.domain.registration import Source, Status
from bot.domain.timeline import Work
from bot.integrations.wordpress import WordPressPost
from bot.services import Services
from bot.services.clients import Clients
from bot.services.corrections import People
from bot.services.ports import Posted
from bot.services.records import Attendance, FabriqueRecord
from bot.services.slots import MoveTarget
from bot.services.welcome import RuleChanges
from tests.conftest import GUILD_ID, make_settings
from tests.ports import FakeBoard, FakeMailer, FakeMessenger, fake_ports, services_on
from tests.unit.builders import (
    ALICE,
    BOB,
    CAROL,
    TEAM,
    ZOOM_URL,
    add_slot,
    announced_session,
    approved_fabrique,
    configure,
)
from tests.unit.conftest import FakeClock
from tests.unit.fake_cloud import FakeCloud


@dataclass
class Held:
    services: Services
    messenger: FakeMessenger
    mailer: FakeMailer
    board: FakeBoard


async def _built(engine: AsyncEngine, settings: Settings, clock: Callable[[], datetime], told: list[datetime]) -> Held:
    await migrate.upgrade(engine)
    messenger, mailer = FakeMessenger(), FakeMailer()
    ports = fake_ports(messenger=messenger)
    services = services_on(engine, settings, clock, wake=told.append, ports=ports, clients=Clients(mailer=mailer))
    await configure(services)
    assert isinstance(ports.board, FakeBoard)
    return Held(services, messenger, mailer, ports.board)


@pytest.fixture
async def held(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: Callable[[], datetime], told: list[datetime]
) -> Held:
    """``[sessions] confirm_before_announce = true``, mailing on."""
    hold = SessionSettings(confirm_before_announce=True, hold_days=7)
    return await _built(engine, make_settings(tmp_path, database_url, sessions=hold), clock, told)


@pytest.fixture
async def plain(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: Callable[[], datetime], told: list[datetime]
) -> Held:
    """The default settings (no hold), mailing on."""
    return await _built(engine, make_settings(tmp_path, database_url), clock, told)


def list_mail(mailer: FakeMailer) -> list[str]:
    """Subjects of what went to the mailing list (not to one person outside Discord)."""
    return [message.subject for message in mailer.sent if message.to is None]


async def test_cancelling_a_held_booking_mails_the_list_nothing(held: Held) -> None:
    """A held booking was never published: its cancellation is news for nobody on the mailing list."""
    services = held.services
    fabrique = await approved_fabrique(services, ALICE)
    slot = await add_slot(services, "15/03/2027", "14:00", 180)
    await services.sessions.set_zoom_link(GUILD_ID, fabrique.id, TEAM, ZOOM_URL)
    booked = await services.announcements.book(GUILD_ID, fabrique.id, slot.id, ALICE, None)
    assert booked.held and list_mail(held.mailer) == []
    await services.announcements.cancel(GUILD_ID, fabrique.id, TEAM, "Les partenaires ne peuvent pas.")
    await services.background.settle()
    assert list_mail(held.mailer) == []


async def test_moving_a_held_rebooking_tells_registrants_nothing_yet(held: Held) -> None:
    """Released, booked again (held), then moved by the team: the registrants have not been told the held date,
    so they must not get « moved from <held date> » nor see the old announcement redrawn; « Annoncer » tells them."""
    services = held.services
    fabrique = await approved_fabrique(services, ALICE)
    first = await add_slot(services, "15/03/2027", "14:00", 180)
    await services.sessions.set_zoom_link(GUILD_ID, fabrique.id, TEAM, ZOOM_URL)
    await services.announcements.book(GUILD_ID, fabrique.id, first.id, ALICE, None)
    await services.announcements.confirm(GUILD_ID, fabrique.id, ALICE)
    await services.registrations.join(GUILD_ID, fabrique.id, BOB, Source.BUTTON)
    await services.announcements.release(GUILD_ID, fabrique.id, TEAM)
    second = await add_slot(services, "22/03/2027", "14:00", 180)
    rebooked = await services.announcements.book(GUILD_ID, fabrique.id, second.id, ALICE, None)
    assert rebooked.held
    before = len(held.messenger.to(BOB.user_id))
    third = await add_slot(services, "29/03/2027", "14:00", 180)
    moved = await services.announcements.move(GUILD_ID, fabrique.id, TEAM, MoveTarget(slot_id=third.id))
    assert moved.booking.fabrique.awaiting_confirmation
    assert held.messenger.to(BOB.user_id)[before:] == []  # nothing published yet
    assert not moved.moved


async def test_a_held_booking_moved_earlier_is_not_held_past_its_own_start(held: Held, clock: FakeClock) -> None:
    """The hold ends at the latest when the session starts (``min(now + hold_days, start)`` at booking): moved to
    an earlier date, it must not stay held (and then be « released ») after the session's new start."""
    services = held.services
    fabrique = await approved_fabrique(services, ALICE)
    late = await add_slot(services, "15/04/2027", "14:00", 180)
    booked = await services.announcements.book(GUILD_ID, fabrique.id, late.id, ALICE, None)
    assert booked.booking.fabrique.confirm_by == clock.now + timedelta(days=7)
    early = await add_slot(services, "03/03/2027", "14:00", 180)
    moved = await services.announcements.move(GUILD_ID, fabrique.id, TEAM, MoveTarget(slot_id=early.id, force=True))
    record = moved.booking.fabrique
    assert record.starts_at is not None and record.confirm_by is not None
    assert record.confirm_by <= record.starts_at


async def test_places_raised_to_zoom_s_limit_seat_the_waitlist(plain: Held) -> None:
    """``places: 0`` means Zoom's own limit (far more seats): those waiting must get them, as when places grow."""
    services = plain.services
    session = await announced_session(services, capacity=1)
    await services.registrations.join(GUILD_ID, session.id, BOB, Source.BUTTON)
    waiting = await services.registrations.join(GUILD_ID, session.id, CAROL, Source.BUTTON)
    assert waiting.status is Status.WAITLISTED
    text = ProposalText(session.title, session.description, session.speaker, session.needs)
    await services.corrections.correct(GUILD_ID, session.id, TEAM, text, People(places=0))
    rows = list((await services.registrations.listing(GUILD_ID, session.id, TEAM)).registrations)
    assert {r.user_id: r.status for r in rows}[CAROL.user_id] is Status.CONFIRMED


async def test_withdrawing_a_released_session_tells_its_registrants(plain: Held) -> None:
    """A released session keeps its registrants (« a new booking brings them along »); if its organizer then
    withdraws it, they must hear that it will not happen (the team cannot cancel it: it is no longer booked)."""
    services = plain.services
    session = await announced_session(services)
    await services.registrations.join(GUILD_ID, session.id, BOB, Source.BUTTON)
    await services.announcements.release(GUILD_ID, session.id, ALICE)
    told = len(plain.messenger.to(BOB.user_id))
    await services.proposals.withdraw(GUILD_ID, session.id, ALICE)
    assert len(plain.messenger.to(BOB.user_id)) > told  # BOB learns the session is off
    assert session.id in plain.board.closed[1:]  # and the announcement stops saying « date à fixer »


async def test_a_short_welcome_session_can_be_moved_to_a_typed_date(held: Held) -> None:
    """The welcome rule allows 15 to 120 minutes; the team's move to a typed date must accept the session's own
    length, as the rule made it."""
    services = held.services
    rule = RuleChanges(weekday=1, ordinal=1, at="12:30", zoom_url=ZOOM_URL, duration_minutes=20)
    made = (await services.welcome.set_rule(GUILD_ID, TEAM, rule)).made
    (session,) = made
    target = MoveTarget(date_text="04/03/2027", time_text="12:30", force=True)
    moved = await services.announcements.move(GUILD_ID, session.id, TEAM, target)
    assert moved.moved and moved.booking.fabrique.duration_minutes == 20


async def test_a_released_welcome_session_booked_again_is_not_held(held: Held) -> None:
    """Welcome sessions are the team's own: ``confirm_before_announce`` (the partners' confirmation) is not for
    them, so booking one again after a release announces it as the rule did."""
    services = held.services
    rule = RuleChanges(weekday=1, ordinal=1, at="12:30", zoom_url=ZOOM_URL)
    (session,) = (await services.welcome.set_rule(GUILD_ID, TEAM, rule)).made
    await services.announcements.release(GUILD_ID, session.id, TEAM)
    slot = await add_slot(services, "09/03/2027", "12:30", 30)
    booked = await services.announcements.book(GUILD_ID, session.id, slot.id, TEAM, None)
    assert not booked.held and booked.announced


@dataclass
class FakeSite:
    """The agenda side of WordPress: which posts the bot published."""

    created: list[str] = field(default_factory=list)

    async def find_post(self, slug: str) -> WordPressPost | None:
        return None

    async def category_id(self, name: str) -> int | None:
        return 7

    async def create_post(self, *, title: str, content: str, status: str, slug: str, **fields: object) -> WordPressPost:
        self.created.append(title)
        return WordPressPost(len(self.created), f"https://site.test/{slug}", status)

    async def update_post(self, post_id: int, *, title: str | None = None, **fields: object) -> WordPressPost:
        return WordPressPost(post_id, "https://site.test/post", "publish")

    async def aclose(self) -> None:
        return None


@pytest.mark.parametrize("step", ["release", "cancel"])
async def test_a_held_booking_given_up_publishes_no_website_post(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock, told: list[datetime], step: str
) -> None:
    """Nothing of a held booking is public: releasing or cancelling it must not put it on the website's agenda."""
    await migrate.upgrade(engine)
    site = FakeSite()
    settings = make_settings(
        tmp_path, database_url,
        sessions=SessionSettings(confirm_before_announce=True, hold_days=7),
        wordpress=WordPressSettings(enabled=True, url="https://site.test", username="bot", events_category="Agenda"),
    )  # fmt: skip
    services = services_on(engine, settings, clock, wake=told.append, clients=Clients(wordpress=lambda: site))
    await configure(services)
    fabrique = await approved_fabrique(services, ALICE)
    slot = await add_slot(services, "15/03/2027", "14:00", 180)
    await services.sessions.set_zoom_link(GUILD_ID, fabrique.id, TEAM, ZOOM_URL)
    assert (await services.announcements.book(GUILD_ID, fabrique.id, slot.id, ALICE, None)).held
    if step == "release":
        await services.announcements.release(GUILD_ID, fabrique.id, ALICE)
    else:
        await services.announcements.cancel(GUILD_ID, fabrique.id, TEAM, "Les partenaires ne peuvent pas.")
    await services.background.settle()
    assert site.created == []


@dataclass
class RecordingCloud(FakeCloud):
    """Zoom, remembering each meeting update."""

    updates: list[tuple[int, dict[str, object]]] = field(default_factory=list)

    async def update_meeting(self, meeting_id: int, **changes: object) -> None:
        self.updates.append((meeting_id, changes))


async def test_a_corrected_title_reaches_the_zoom_meeting(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock, told: list[datetime]
) -> None:
    """/equipe modifier: « every copy follows within seconds: … Zoom topic » (issue 14). The merge of the move
    branch into outreach.follow kept Zoom for MOVE and CANCEL only."""
    await migrate.upgrade(engine)
    cloud = RecordingCloud()
    zoom = ZoomSettings(enabled=True, account_id="acc", client_id="client", host_user="me")
    settings = make_settings(tmp_path, database_url, zoom=zoom)
    services = services_on(engine, settings, clock, wake=told.append, clients=Clients(zoom=cloud))
    await configure(services)
    fabrique = await approved_fabrique(services, ALICE)
    slot = await add_slot(services, "15/03/2027", "14:00", 180)
    assert (await services.announcements.book(GUILD_ID, fabrique.id, slot.id, ALICE, None)).announced
    await services.background.settle()
    text = ProposalText("Un titre corrigé", fabrique.description, fabrique.speaker, fabrique.needs)
    await services.corrections.correct(GUILD_ID, fabrique.id, TEAM, text, People())
    await services.background.settle()
    assert [changes.get("topic") for _, changes in cloud.updates] == ["Un titre corrigé"]


async def test_the_host_of_a_welcome_session_gets_the_links_before_it(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock, told: list[datetime]
) -> None:
    """With Zoom on, the welcome rule makes one meeting per session, hosted by the team member who set the rule: like
    any organizer they must get the join and a fresh host link with the last reminder (issue 14, « Links that stay
    right »). Welcome sessions skip the documentation's checklists and chasers, not the links."""
    await migrate.upgrade(engine)
    zoom = ZoomSettings(enabled=True, account_id="acc", client_id="client", host_user="me")
    services = services_on(
        engine, make_settings(tmp_path, database_url, zoom=zoom), clock, wake=told.append,
        clients=Clients(zoom=FakeCloud()),
    )  # fmt: skip
    await configure(services)
    (session,) = (await services.welcome.set_rule(GUILD_ID, TEAM, RuleChanges(weekday=1, ordinal=1, at="12:30"))).made
    assert session.state is State.ANNOUNCED and session.organizer_id == TEAM.user_id
    async with create_sessionmaker(engine)() as db:
        kinds = {(row.kind, row.user_id) for row in (await db.execute(select(DueWorkRow))).scalars()}
    assert (Work.HOST_LINKS, TEAM.user_id) in kinds


async def test_leaving_a_released_session_reads_no_none_date(plain: Held) -> None:
    """A released session keeps its registrants, who may still leave (✅ taken off, /equipe desinscrire): the
    message they get must not print the missing date as « None »."""
    services = plain.services
    session = await announced_session(services)
    await services.registrations.join(GUILD_ID, session.id, BOB, Source.BUTTON)
    await services.team_registrations.register(
        GUILD_ID, session.id, TEAM, member=None, name="Xavière", email="x@exemple.fr"
    )
    await services.announcements.release(GUILD_ID, session.id, ALICE)
    await services.team_registrations.unregister(GUILD_ID, session.id, TEAM, member_id=BOB.user_id, email="")
    await services.team_registrations.unregister(GUILD_ID, session.id, TEAM, member_id=None, email="x@exemple.fr")
    assert "None" not in plain.messenger.to(BOB.user_id)[-1].text
    assert "None" not in [m for m in plain.mailer.sent if m.to == "x@exemple.fr"][-1].text


async def test_a_seat_freed_while_released_goes_to_the_waitlist_at_the_new_date(plain: Held) -> None:
    """While released nobody is promoted (the session is not open); booked again, the seat freed meanwhile must go
    to the first person waiting, not stay empty while they wait."""
    services = plain.services
    session = await announced_session(services, capacity=1)
    await services.registrations.join(GUILD_ID, session.id, BOB, Source.BUTTON)
    await services.registrations.join(GUILD_ID, session.id, CAROL, Source.BUTTON)
    await services.announcements.release(GUILD_ID, session.id, ALICE)
    await services.registrations.leave(GUILD_ID, session.id, BOB.user_id)
    slot = await add_slot(services, "22/03/2027", "14:00", 180)
    rebooked = await services.announcements.book(GUILD_ID, session.id, slot.id, ALICE, None)
    assert rebooked.announced
    rows = list((await services.registrations.listing(GUILD_ID, session.id, TEAM)).registrations)
    assert {r.user_id: r.status for r in rows} == {CAROL.user_id: Status.CONFIRMED}


async def test_the_link_of_a_released_session_reads_no_none_date(plain: Held) -> None:
    """/fabrique lien by a registrant kept through a release (their seat stays): no « (None) » for the date."""
    services = plain.services
    session = await announced_session(services)
    await services.registrations.join(GUILD_ID, session.id, BOB, Source.BUTTON)
    await services.announcements.release(GUILD_ID, session.id, ALICE)
    links = await services.links.for_person(GUILD_ID, session.id, BOB)
    assert "None" not in services.links.described(links)


async def test_a_one_day_hold_does_not_remind_at_the_moment_it_is_booked(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock, told: list[datetime]
) -> None:
    """``hold_days = 1`` is accepted: the « a day before the release » reminder then falls due at booking time, so
    the organizer is offered « Annoncer » a second time at once (the booking's reply already offers it)."""
    settings = make_settings(
        tmp_path, database_url, sessions=SessionSettings(confirm_before_announce=True, hold_days=1)
    )
    world = await _built(engine, settings, clock, told)
    fabrique = await approved_fabrique(world.services, ALICE)
    slot = await add_slot(world.services, "15/03/2027", "14:00", 180)
    assert (await world.services.announcements.book(GUILD_ID, fabrique.id, slot.id, ALICE, None)).held
    async with create_sessionmaker(engine)() as db:
        reminders = [r for r in (await db.execute(select(DueWorkRow))).scalars() if r.kind == Work.HOLD_REMINDER]
    assert all(r.due_at.replace(tzinfo=clock.now.tzinfo) > clock.now for r in reminders)


@dataclass
class FlakyBoard(FakeBoard):
    """Discord unreachable for the first announcement, fine afterwards."""

    failures: int = 1

    async def post(self, record: FabriqueRecord, attendance: Attendance, channel_id: int) -> Posted | None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("Discord is unreachable")
        return await super().post(record, attendance, channel_id)


async def test_a_welcome_session_whose_announcement_failed_is_announced_at_the_next_dispatch(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock, told: list[datetime]
) -> None:
    """keep_announced says « the next dispatch tries again », but the session was stored before its announcement
    failed (Discord down, or the bot stopped in between): its date counts as made and it is never announced."""
    await migrate.upgrade(engine)
    board = FlakyBoard()
    ports = fake_ports()
    ports = replace(ports, board=board)
    services = services_on(engine, make_settings(tmp_path, database_url), clock, wake=told.append, ports=ports)
    await configure(services)
    with pytest.raises(ConnectionError):
        await services.welcome.set_rule(
            GUILD_ID, TEAM, RuleChanges(weekday=1, ordinal=1, at="12:30", zoom_url=ZOOM_URL)
        )
    await services.welcome.keep_announced()  # the due-work dispatcher, a moment later
    assert [record.state for record in (await services.timeline.follow_up(GUILD_ID)).booked] == [State.ANNOUNCED]

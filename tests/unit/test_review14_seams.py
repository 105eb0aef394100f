"""Review of issue 14's seams: held bookings meet cancellation, moves and releases; corrections meet the waitlist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import SessionSettings
from bot.db import migrate
from bot.domain.proposal import ProposalText
from bot.domain.registration import Source, Status
from bot.services import Services
from bot.services.clients import Clients
from bot.services.corrections import People
from bot.services.slots import MoveTarget
from tests.conftest import GUILD_ID, make_settings
from tests.ports import FakeBoard, FakeMessenger, fake_ports, services_on
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
from tests.unit.test_team_registrations import FakeMailer


@dataclass
class Held:
    services: Services
    messenger: FakeMessenger
    mailer: FakeMailer
    board: FakeBoard


@pytest.fixture
async def held(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: Callable[[], datetime], told: list[datetime]
) -> Held:
    await migrate.upgrade(engine)
    settings = make_settings(
        tmp_path, database_url, sessions=SessionSettings(confirm_before_announce=True, hold_days=7)
    )
    messenger, mailer = FakeMessenger(), FakeMailer()
    ports = fake_ports(messenger=messenger)
    services = services_on(engine, settings, clock, wake=told.append, ports=ports, clients=Clients(mailer=mailer))
    await configure(services)
    assert isinstance(ports.board, FakeBoard)
    return Held(services, messenger, mailer, ports.board)


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


async def test_places_raised_to_zoom_s_limit_seat_the_waitlist(held: Held) -> None:
    """``places: 0`` means Zoom's own limit (far more seats): those waiting must get them, as when places grow."""
    services = held.services
    session = await announced_session(services, capacity=1)
    await services.registrations.join(GUILD_ID, session.id, BOB, Source.BUTTON)
    waiting = await services.registrations.join(GUILD_ID, session.id, CAROL, Source.BUTTON)
    assert waiting.status is Status.WAITLISTED
    text = ProposalText(session.title, session.description, session.speaker, session.needs)
    await services.corrections.correct(GUILD_ID, session.id, TEAM, text, People(places=0))
    _, rows = await services.registrations.registrants(GUILD_ID, session.id, TEAM)
    assert {r.user_id: r.status for r in rows}[CAROL.user_id] is Status.CONFIRMED

"""Review of issue 15 (a Fabrique can be a series) through the services: bugs at the seams between its four
workstreams, each proven here before it was fixed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import SessionSettings
from bot.db import migrate
from bot.domain.lifecycle import State
from bot.domain.proposal import ProposalText
from bot.domain.registration import Source
from bot.services import Services
from bot.services.clients import Clients
from bot.services.corrections import People
from bot.services.ports import DiscordPorts
from bot.services.series import Default
from tests.conftest import GUILD_ID, make_settings
from tests.ports import FakeBoard, FakeMailer, FakeMessenger, fake_ports, services_on
from tests.unit.builders import ALICE, BOB, CAROL, DRAFT, TEAM, add_slot, announce, configure
from tests.unit.conftest import FakeClock
from tests.unit.test_series_w1 import approved_series, book_next, numbers
from tests.unit.test_series_w2 import reminders_of
from tests.unit.test_series_w2 import series as w2_series


@pytest.fixture
async def configured(services: Services) -> Services:
    await configure(services)
    return services


async def test_a_series_whose_first_session_was_cancelled_can_still_be_corrected(configured: Services) -> None:
    """Session 1 cancelled alone, sessions 2 and 3 go on: the series lives on, so the team may still correct it
    (places, texts) and the organizer still edit it — the first session's own state is not the series'."""
    home = (await approved_series(configured)).id
    _, second, third = await numbers(configured, home)
    await book_next(configured, home, "15/03/2027")
    await book_next(configured, home, "22/03/2027")
    await configured.sessions.cancel(GUILD_ID, home, TEAM, "Intervenante malade ce jour-là")
    record = await configured.sessions.get(GUILD_ID, home)
    text = ProposalText("Écrire ensemble", record.description, record.speaker, record.needs)

    corrected = await configured.corrections.correct(GUILD_ID, home, TEAM, text, People(places=8))

    assert corrected.fabrique.capacity == 8 and corrected.fabrique.state is State.CANCELLED
    assert (await configured.sessions.get(GUILD_ID, second)).title == "Écrire ensemble"
    edited = await configured.corrections.edit(GUILD_ID, third, ALICE, replace(DRAFT, title="Écrire à plusieurs"))
    assert edited.id == home
    assert (await configured.sessions.get(GUILD_ID, third)).title == "Écrire à plusieurs"


async def test_correcting_a_series_redraws_its_message_while_a_later_session_is_announced(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    """The series' one message shows its title and places: corrected while session 1 is cancelled (or held) and
    session 2 announced, the message must be redrawn, not only when the first session itself is announced."""
    await migrate.upgrade(engine)
    ports: DiscordPorts = fake_ports()
    services = services_on(engine, make_settings(tmp_path, database_url), clock, ports=ports)
    await configure(services)
    home = (await approved_series(services)).id
    _, second, _ = await numbers(services, home)
    await book_next(services, home, "15/03/2027")
    await book_next(services, home, "22/03/2027")
    await announce(services, home)
    await announce(services, second)
    await services.sessions.cancel(GUILD_ID, home, TEAM, "Intervenante malade ce jour-là")
    board = ports.board
    assert isinstance(board, FakeBoard)
    board.redrawn.clear()
    record = await services.sessions.get(GUILD_ID, home)
    text = ProposalText("Écrire ensemble", record.description, record.speaker, record.needs)

    await services.corrections.correct(GUILD_ID, home, TEAM, text, People(places=8))
    await services.background.settle()

    assert board.redrawn == [home]
    assert second in board.updated  # session 2's scheduled event carries the new title


async def test_a_series_booked_from_a_later_session_gets_the_configured_places(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    """``/fabrique reserver seance:2`` before session 1 is the series' first booking: its places are the configured
    default (``[sessions] default_capacity``) as for any first booking, and booking session 1 afterwards, once the
    series' message is out, keeps them."""
    await migrate.upgrade(engine)
    settings = make_settings(tmp_path, database_url, sessions=SessionSettings(default_capacity=30))
    services = services_on(engine, settings, clock)
    await configure(services)
    home = (await approved_series(services)).id
    _, second, _ = await numbers(services, home)
    await book_next(services, home, "22/03/2027", seance=2)
    await announce(services, second)
    assert (await services.sessions.get(GUILD_ID, home)).capacity == 30
    await book_next(services, home, "15/03/2027", seance=1)
    assert (await services.sessions.get(GUILD_ID, home)).capacity == 30


async def test_a_series_with_a_cancelled_session_can_still_be_withdrawn(configured: Services) -> None:
    """Session 2 was booked then cancelled by the team, nothing else is booked: the organizer gives the series up.
    A cancelled session is off already, it must not block the withdrawal (nor change: it stays cancelled)."""
    home = (await approved_series(configured)).id
    _, second, third = await numbers(configured, home)
    await book_next(configured, home, "22/03/2027", seance=2)
    await configured.sessions.cancel(GUILD_ID, second, TEAM, "Intervenante malade ce jour-là")

    withdrawn = await configured.proposals.withdraw(GUILD_ID, home, ALICE)

    assert withdrawn.state is State.WITHDRAWN
    assert (await configured.sessions.get(GUILD_ID, second)).state is State.CANCELLED
    assert (await configured.sessions.get(GUILD_ID, third)).state is State.WITHDRAWN


async def test_the_link_asked_during_a_running_session_is_that_sessions(configured: Services, clock: FakeClock) -> None:
    """Someone late types ``/fabrique lien fabrique:12`` ten minutes into session 1: the session people are about
    to attend is the one running now (its own Zoom meeting), not session 2 next week."""
    home = (await approved_series(configured)).id
    first, _, _ = await numbers(configured, home)
    booked = await book_next(configured, home, "15/03/2027")
    await book_next(configured, home, "22/03/2027")
    assert booked.starts_at is not None
    clock.now = booked.starts_at + timedelta(minutes=10)
    assert await configured.series.resolve(GUILD_ID, home, None, Default.NEXT_TO_COME) == first


async def test_leaving_a_series_forgets_its_absences(configured: Services, engine: AsyncEngine) -> None:
    """Bob said he would miss session 2, then left the series, then registered again: he registered for every
    date, so session 2 reminds him again (his old absence does not silently keep him away), and while he was
    gone the per-date counts did not list a non-registrant as absent."""
    home, second, _ = await w2_series(configured, engine)
    await configured.registrations.join(GUILD_ID, home, BOB, Source.BUTTON)
    await configured.registrations.absence(GUILD_ID, home, 2, BOB)
    await configured.registrations.leave(GUILD_ID, home, BOB.user_id)
    gone = await configured.registrations.listing(GUILD_ID, home, TEAM)
    assert [len(date.absent_ids) for date in gone.dates] == [0, 0, 0]

    await configured.registrations.join(GUILD_ID, home, BOB, Source.BUTTON)

    assert set(await reminders_of(engine, BOB.user_id)) == {home, second}


@pytest.fixture
async def with_mail(
    services: Services, engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock
) -> tuple[Services, FakeMailer]:
    """The services with the mailing integration on (``services`` migrated the database)."""
    mailer = FakeMailer()
    mailing = services_on(engine, make_settings(tmp_path, database_url), clock, clients=Clients(mailer=mailer))
    await configure(mailing)
    return mailing, mailer


async def test_someone_outside_discord_reads_that_only_one_session_is_cancelled_or_postponed(
    with_mail: tuple[Services, FakeMailer], engine: AsyncEngine
) -> None:
    """Members read « La séance 2 … est annulée. Votre inscription à la série est gardée » when session 2 alone is
    cancelled; a person registered by e-mail must read the same, not « « Titre », prévue le 22 mars, est annulée »
    (which tells them the cycle is over). Same for a session postponed (its slot released)."""
    services, mailer = with_mail
    home, second, _ = await w2_series(services, engine)
    await services.team_registrations.register(GUILD_ID, home, TEAM, member=None, name="Xavière", email="x@exemple.fr")
    mailer.sent.clear()

    await services.announcements.cancel(GUILD_ID, second, TEAM, "Intervenante malade ce jour-là")
    await services.announcements.release(GUILD_ID, home, TEAM)

    cancelled, released = (letter.text for letter in mailer.sent if letter.to == "x@exemple.fr")
    assert "séance 2" in cancelled and "série" in cancelled and "22 mars 2027" in cancelled, cancelled
    assert "séance 1" in released and "série" in released, released


async def test_promoted_by_places_given_at_a_later_sessions_booking_reads_the_series_number(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    """Places raised while booking session 3 (``/fabrique reserver seance:3 places:2``) seat the first waiting: the
    DM names the series by the number people know (its first session's), not session 3's inner number."""
    await migrate.upgrade(engine)
    messenger = FakeMessenger()
    services = services_on(engine, make_settings(tmp_path, database_url), clock, ports=fake_ports(messenger=messenger))
    await configure(services)
    home, _, third = await w2_series(services, engine, capacity=1)
    await services.registrations.join(GUILD_ID, home, BOB, Source.BUTTON)
    await services.registrations.join(GUILD_ID, home, CAROL, Source.BUTTON)
    slot = await add_slot(services, "05/04/2027", "14:00", 180)

    await services.announcements.book(GUILD_ID, third, slot.id, ALICE, places=2)

    (told,) = [dm.text for dm in messenger.dms if dm.user_id == CAROL.user_id and "place s'est libérée" in dm.text]
    assert f"(n°{home})" in told, told

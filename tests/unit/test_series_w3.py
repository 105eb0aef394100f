"""A series in public (issue 15, W3): one announcement on its first session listing every date, a scheduled event
and a Zoom meeting per session, cancelling one session or the whole series, one website post and one e-mail for
the series, and an ``.ics`` with every date under stable UIDs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings, WordPressSettings, ZoomSettings
from bot.db import migrate
from bot.domain.lifecycle import State
from bot.domain.registration import Source
from bot.errors import Forbidden, InvalidState
from bot.integrations.wordpress import WordPressPost
from bot.services import Services
from bot.services.clients import Clients
from bot.services.ports import Posted
from bot.services.records import Attendance, FabriqueRecord
from bot.services.slots import MoveTarget
from tests.conftest import GUILD_ID, make_settings
from tests.ports import FakeBoard, FakeMailer, FakeMessenger, fake_ports, services_on
from tests.unit.builders import ALICE, BOB, CAROL, TEAM, ZOOM_URL, add_slot, approved_fabrique, configure, series_of
from tests.unit.conftest import FakeClock
from tests.unit.fake_cloud import FakeCloud

DATES = ("15/03/2027", "29/03/2027", "12/04/2027")
REASON = "L'intervenante est malade."


@dataclass
class EventBoard(FakeBoard):
    """The announcements, each session's scheduled event with an id of its own (Discord makes one per date)."""

    async def post(self, record: FabriqueRecord, attendance: Attendance, channel_id: int) -> Posted | None:
        posted = await super().post(record, attendance, channel_id)
        assert posted is not None
        return Posted(posted.channel_id, posted.message_id, 500 + record.id)


@dataclass
class FakeSite:
    """The website's agenda: the posts the bot created and each update, by post."""

    created: list[tuple[str, str]] = field(default_factory=list)  # (slug, title)
    updates: list[tuple[int, str, str]] = field(default_factory=list)  # (post, title, content)

    async def find_post(self, slug: str) -> WordPressPost | None:
        return None

    async def category_id(self, name: str) -> int | None:
        return 7

    async def create_post(self, *, title: str, content: str, status: str, slug: str, **fields: object) -> WordPressPost:
        self.created.append((slug, title))
        self.updates.append((len(self.created), title, content))
        return WordPressPost(len(self.created), f"https://site.test/{slug}", status)

    async def update_post(self, post_id: int, *, title: str | None = None, **fields: object) -> WordPressPost:
        self.updates.append((post_id, title or "", str(fields.get("content", ""))))
        return WordPressPost(post_id, "https://site.test/post", "publish")

    async def aclose(self) -> None:
        return None


@dataclass
class Public:
    services: Services
    board: EventBoard
    messenger: FakeMessenger
    mailer: FakeMailer
    site: FakeSite
    cloud: FakeCloud
    numbers: list[int]


@pytest.fixture
async def public(engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock) -> Public:
    """A three-session series by ALICE, approved, with Zoom, the website and the mailing list on."""
    await migrate.upgrade(engine)
    settings: Settings = make_settings(
        tmp_path, database_url,
        zoom=ZoomSettings(enabled=True, account_id="acc", client_id="client", host_user="me"),
        wordpress=WordPressSettings(enabled=True, url="https://site.test", username="bot", events_category="Agenda"),
    )  # fmt: skip
    board, messenger, mailer, site, cloud = EventBoard(), FakeMessenger(), FakeMailer(), FakeSite(), FakeCloud()
    ports = fake_ports(messenger=messenger)
    ports = type(ports)(ports.messenger, ports.directory, ports.cards, board, ports.runner)
    clients = Clients(zoom=cloud, wordpress=lambda: site, mailer=mailer)
    services = services_on(engine, settings, clock, ports=ports, clients=clients)
    await configure(services)
    fabrique = await approved_fabrique(services, ALICE)
    numbers = await series_of(engine, fabrique.id, 3)
    return Public(services, board, messenger, mailer, site, cloud, numbers)


async def book(public: Public, rank: int) -> FabriqueRecord:
    """The organizer books session ``rank`` on its date, 14:00 Paris, the way ``/fabrique reserver`` does."""
    slot = await add_slot(public.services, DATES[rank - 1], "14:00", 180)
    booked = await public.services.announcements.book(GUILD_ID, public.numbers[rank - 1], slot.id, ALICE, None)
    await public.services.background.settle()
    return booked.booking.fabrique


async def session(public: Public, rank: int) -> FabriqueRecord:
    return await public.services.sessions.get(GUILD_ID, public.numbers[rank - 1])


def list_mail(mailer: FakeMailer) -> list[str]:
    return [message.subject for message in mailer.sent if message.to is None]


def uids(ics: bytes) -> list[str]:
    return [str(event["uid"]) for event in Calendar.from_ical(ics).walk("VEVENT")]


async def test_a_series_has_one_message_on_its_first_session_and_an_event_per_date(public: Public) -> None:
    """The message is posted once, on the first session's row; each later date adds its own event, no message."""
    home_id, second_id, _ = public.numbers
    await book(public, 1)
    await book(public, 2)
    home, second = await session(public, 1), await session(public, 2)
    assert home.state is State.ANNOUNCED and second.state is State.ANNOUNCED
    assert public.board.posted == [home_id, second_id]
    assert home.announcement_message_id == 10_000 + home_id  # the one message, held by the first session
    assert second.announcement_message_id is None  # a later session has no message of its own
    assert (home.scheduled_event_id, second.scheduled_event_id) == (500 + home_id, 500 + second_id)


async def test_a_later_date_is_news_for_the_series_registrants(public: Public) -> None:
    """Registered for the series, BOB hears of session 2's date once, with its .ics; nobody registers again."""
    await book(public, 1)
    await public.services.registrations.join(GUILD_ID, public.numbers[0], BOB, Source.BUTTON)
    before = len(public.messenger.to(BOB.user_id))
    await book(public, 2)
    (news,) = public.messenger.to(BOB.user_id)[before:]
    assert "séance 2" in news.text and news.attachment is not None
    assert uids(news.attachment.data) == [f"fabrique-{public.numbers[1]}-{GUILD_ID}@fabrique"]


async def test_the_first_date_booked_may_be_a_later_session(public: Public) -> None:
    """Session 2 booked before session 1: the series' message still lives on the first session, which start-up
    reconciliation reads for the ✅."""
    home_id, second_id, _ = public.numbers
    await book(public, 2)
    home = await session(public, 1)
    assert home.state is State.APPROVED and home.announcement_message_id == 10_000 + home_id
    to_reconcile = await public.services.sessions.announcements_to_come()
    assert [record.id for record in to_reconcile] == [home_id]
    assert (await session(public, 2)).scheduled_event_id == 500 + second_id


async def test_each_session_has_its_own_zoom_meeting(public: Public) -> None:
    await book(public, 1)
    await book(public, 2)
    assert len(public.cloud.meetings) == 2
    assert (await session(public, 1)).has_zoom_link and (await session(public, 2)).has_zoom_link


async def test_moving_one_session_moves_its_event_and_redraws_the_series(public: Public) -> None:
    await book(public, 1)
    await book(public, 2)
    slot = await add_slot(public.services, "05/04/2027", "14:00", 180)
    moved = await public.services.announcements.move(GUILD_ID, public.numbers[1], TEAM, MoveTarget(slot_id=slot.id))
    assert moved.moved
    assert public.board.moved == [public.numbers[1]]
    assert public.numbers[1] in public.board.redrawn  # the cog draws the first session's message for it
    assert public.board.posted == public.numbers[:2]  # no second message


async def test_cancelling_one_session_keeps_the_series_open(public: Public) -> None:
    await book(public, 1)
    await book(public, 2)
    await public.services.registrations.join(GUILD_ID, public.numbers[0], BOB, Source.BUTTON)
    before = len(public.messenger.to(BOB.user_id))
    await public.services.announcements.cancel(GUILD_ID, public.numbers[1], TEAM, REASON)
    await public.services.background.settle()
    assert public.board.events_cancelled == [public.numbers[1]]
    assert public.board.closed == []  # the message stays, its line says « annulée »
    assert public.board.redrawn[-1] == public.numbers[0]
    assert await public.services.sessions.series_pending(public.numbers[0])
    (told,) = public.messenger.to(BOB.user_id)[before:]
    assert "séance 2" in told.text and REASON in told.text
    assert (await session(public, 1)).state is State.ANNOUNCED


async def test_cancelling_the_last_session_left_closes_the_message(public: Public) -> None:
    """Sessions 2 and 3 never booked would keep the series alive; once everything left is cancelled, it closes."""
    await book(public, 1)
    await public.services.announcements.cancel_series(GUILD_ID, public.numbers[0], TEAM, REASON)
    assert public.board.closed == [public.numbers[0]]
    states = [(await session(public, rank)).state for rank in (1, 2, 3)]
    assert states == [State.CANCELLED] * 3


async def test_cancel_series_cancels_every_session_to_come_and_tells_each_registrant_once(public: Public) -> None:
    await book(public, 1)
    await book(public, 2)
    for person in (BOB, CAROL):
        await public.services.registrations.join(GUILD_ID, public.numbers[0], person, Source.BUTTON)
    before = len(public.messenger.to(BOB.user_id))
    done = await public.services.announcements.cancel_series(GUILD_ID, public.numbers[1], TEAM, REASON)
    await public.services.background.settle()
    assert [record.id for record in done.previous] == public.numbers  # asked by any session's number: the series
    assert sorted(public.board.events_cancelled) == public.numbers[:2]
    assert public.board.closed == [public.numbers[0]]
    (told,) = public.messenger.to(BOB.user_id)[before:]
    assert "série" in told.text
    assert not await public.services.sessions.series_pending(public.numbers[0])
    assert list_mail(public.mailer)[-1].startswith("Annulée")
    assert len([subject for subject in list_mail(public.mailer) if subject.startswith("Annulée")]) == 1


async def test_cancel_series_is_the_team_s_and_needs_something_left(public: Public) -> None:
    await book(public, 1)
    with pytest.raises(Forbidden) as refused:
        await public.services.announcements.cancel_series(GUILD_ID, public.numbers[0], ALICE, REASON)
    assert refused.value.key == "error.team_only"
    await public.services.announcements.cancel_series(GUILD_ID, public.numbers[0], TEAM, REASON)
    with pytest.raises(InvalidState) as again:
        await public.services.announcements.cancel_series(GUILD_ID, public.numbers[0], TEAM, REASON)
    assert again.value.key == "error.state.cancel"
    assert public.board.closed == [public.numbers[0]]  # the refusals changed nothing


async def test_the_list_gets_one_mail_for_the_series_and_one_correction_per_move(public: Public) -> None:
    await book(public, 1)
    await book(public, 2)
    await book(public, 3)
    (first,) = public.mailer.sent
    assert first.subject.startswith("Fabrique collective en 3 séances")
    assert "Séance 2 : date à fixer" in first.text  # the series as it stood at its first announcement
    slot = await add_slot(public.services, "05/04/2027", "14:00", 180)
    await public.services.announcements.move(GUILD_ID, public.numbers[1], TEAM, MoveTarget(slot_id=slot.id))
    await public.services.background.settle()
    subjects = list_mail(public.mailer)
    assert len(subjects) == 2 and subjects[1].startswith("Nouvelle date")
    correction = public.mailer.sent[-1]
    assert correction.ics is not None
    assert uids(correction.ics) == [f"fabrique-{number}-{GUILD_ID}@fabrique" for number in public.numbers]


async def test_the_website_has_one_post_for_the_series_updated_with_each_date(public: Public) -> None:
    await book(public, 1)
    await book(public, 2)
    assert public.site.created == [
        (f"fabrique-{public.numbers[0]}-agenda", "Les tiers-lieux culturels — série de 3 séances")
    ]
    post, title, content = public.site.updates[-1]
    assert post == 1 and "série de 3 séances" in title
    assert "Séance 1 : lundi 15 mars 2027 à 14:00" in content
    assert "Séance 2 : lundi 29 mars 2027 à 14:00" in content
    assert "Séance 3 : date à fixer" in content


async def test_the_series_calendar_has_every_date_under_stable_uids(public: Public, clock: FakeClock) -> None:
    """A re-import updates the events instead of duplicating them: each session's UID never changes."""
    await book(public, 1)
    await book(public, 3)
    sessions = await public.services.sessions.series(public.numbers[0])
    first = public.services.announcements.calendar(sessions)
    clock.advance(days=1)
    slot = await add_slot(public.services, "19/04/2027", "14:00", 180)
    await public.services.announcements.move(GUILD_ID, public.numbers[2], TEAM, MoveTarget(slot_id=slot.id))
    again = public.services.announcements.calendar(await public.services.sessions.series(public.numbers[0]))
    expected = [f"fabrique-{public.numbers[rank]}-{GUILD_ID}@fabrique" for rank in (0, 2)]
    assert uids(first) == uids(again) == expected  # the undated session 2 has no VEVENT
    starts = [event.decoded("dtstart") for event in Calendar.from_ical(again).walk("VEVENT")]
    assert isinstance(starts[1], datetime) and starts[1].day == 19


async def test_a_single_fabrique_is_announced_as_before(public: Public, engine: AsyncEngine) -> None:
    """No series: the message and the event are the session's own, cancel_series is a plain cancellation."""
    single = await approved_fabrique(public.services, ALICE)
    slot = await add_slot(public.services, "10/05/2027", "14:00", 180)
    await public.services.sessions.set_zoom_link(GUILD_ID, single.id, TEAM, ZOOM_URL)
    await public.services.announcements.book(GUILD_ID, single.id, slot.id, ALICE, None)
    record = await public.services.sessions.get(GUILD_ID, single.id)
    assert record.announcement_message_id == 10_000 + single.id and record.scheduled_event_id == 500 + single.id
    assert await public.services.sessions.series(single.id) == []
    await public.services.announcements.cancel_series(GUILD_ID, single.id, TEAM, REASON)
    assert public.board.closed == [single.id] and public.board.events_cancelled == []


async def test_releasing_one_session_gives_its_line_back_to_date_a_fixer(public: Public) -> None:
    """The slot given back: the session's event goes, the message stays open with « date à fixer » for it."""
    await book(public, 1)
    await book(public, 2)
    await public.services.announcements.release(GUILD_ID, public.numbers[1], ALICE)
    await public.services.background.settle()
    assert public.board.closed == [] and public.board.events_cancelled == [public.numbers[1]]
    assert public.board.redrawn[-1] == public.numbers[0]
    assert (await session(public, 2)).state is State.APPROVED
    assert "Séance 2 : date à fixer" in public.site.updates[-1][2]
    assert len(list_mail(public.mailer)) == 1  # the list heard of the series once; the website says the rest


async def test_cancelling_the_first_session_alone_keeps_the_series_message(public: Public) -> None:
    await book(public, 1)
    await book(public, 2)
    await public.services.announcements.cancel(GUILD_ID, public.numbers[0], TEAM, REASON)
    assert public.board.closed == [] and public.board.events_cancelled == [public.numbers[0]]
    assert (await session(public, 2)).state is State.ANNOUNCED
    assert [record.id for record in await public.services.sessions.announcements_to_come()] == [public.numbers[0]]

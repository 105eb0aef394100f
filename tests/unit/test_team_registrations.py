"""The team's registrations (``TeamRegistrations``) on SQLite and PostgreSQL: people outside Discord take seats,
wait, are promoted and removed like members, and hear it by e-mail; their reminders are planned like anyone's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.db.models import DueWorkRow, OutsideRegistrantRow
from bot.domain.registration import Source, Status
from bot.errors import Forbidden, InvalidState, NotFound
from bot.services import Services
from bot.services.clients import Clients
from tests.conftest import GUILD_ID, make_settings
from tests.ports import FakeMailer, FakeMessenger, fake_ports, services_on
from tests.unit.builders import ALICE, BOB, TEAM, announced_session, configure, count
from tests.unit.conftest import FakeClock


@dataclass
class Team:
    services: Services
    mailer: FakeMailer
    messenger: FakeMessenger


@pytest.fixture
async def team(engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock) -> Team:
    await migrate.upgrade(engine)
    mailer, messenger = FakeMailer(), FakeMessenger()
    services = services_on(
        engine, make_settings(tmp_path, database_url), clock, clients=Clients(mailer=mailer),
        ports=fake_ports(messenger=messenger),
    )  # fmt: skip
    await configure(services)
    return Team(services, mailer, messenger)


async def test_an_outsider_takes_a_seat_waits_and_is_promoted_by_email(team: Team, engine: AsyncEngine) -> None:
    session = await announced_session(team.services, capacity=1)
    teamed = team.services.team_registrations
    alice = await teamed.register(GUILD_ID, session.id, TEAM, member=ALICE, name="", email="")
    assert alice.outcome.status is Status.CONFIRMED and alice.told
    xaviere = await teamed.register(GUILD_ID, session.id, TEAM, member=None, name="Xavière", email="X@Exemple.fr")
    assert xaviere.outcome.status is Status.WAITLISTED and xaviere.outcome.user_id < 0
    assert team.mailer.to("x@exemple.fr") == ["Liste d'attente"]

    again = await teamed.register(GUILD_ID, session.id, TEAM, member=None, name="Xavière D.", email="x@exemple.fr")
    assert not again.outcome.changed and team.mailer.to("x@exemple.fr") == ["Liste d'attente"]
    assert await count(engine, OutsideRegistrantRow) == 1  # one person per guild and address

    await team.services.registrations.leave(GUILD_ID, session.id, ALICE.user_id)
    promoted = [message for message in team.mailer.sent if message.to == "x@exemple.fr"][-1]
    assert promoted.subject.startswith("Une place pour vous") and promoted.ics is not None
    assert "Xavière D." in promoted.text  # the name given last
    reminders = await count(engine, DueWorkRow, DueWorkRow.user_id == xaviere.outcome.user_id)
    assert reminders == 2  # 24 h and 1 h before, planned like anyone's


async def test_removing_by_address_frees_the_seat_for_a_member(team: Team) -> None:
    session = await announced_session(team.services, capacity=1)
    teamed = team.services.team_registrations
    await teamed.register(GUILD_ID, session.id, TEAM, member=None, name="Xavière", email="x@exemple.fr")
    await team.services.registrations.join(GUILD_ID, session.id, BOB, Source.BUTTON)
    left = await teamed.unregister(GUILD_ID, session.id, TEAM, member_id=None, email=" X@EXEMPLE.FR")
    assert left.outcome.changed and left.told and left.name == "Xavière"
    assert team.mailer.to("x@exemple.fr") == ["Inscription confirmée", "Désinscription"]
    assert any("Une place s'est libérée" in dm.text for dm in team.messenger.to(BOB.user_id))
    with pytest.raises(NotFound):
        await teamed.unregister(GUILD_ID, session.id, TEAM, member_id=None, email="x@exemple.fr")


async def test_refusals_write_nothing(team: Team, engine: AsyncEngine) -> None:
    session = await announced_session(team.services)
    teamed = team.services.team_registrations
    with pytest.raises(Forbidden):
        await teamed.register(GUILD_ID, session.id, ALICE, member=None, name="Xavière", email="x@exemple.fr")
    await team.services.announcements.cancel(GUILD_ID, session.id, TEAM, "Annulée.")
    with pytest.raises(InvalidState) as closed:
        await teamed.register(GUILD_ID, session.id, TEAM, member=None, name="Xavière", email="x@exemple.fr")
    assert closed.value.key == "error.register.closed"
    assert await count(engine, OutsideRegistrantRow) == 0
    assert [message for message in team.mailer.sent if message.to is not None] == []  # the list may hear of it

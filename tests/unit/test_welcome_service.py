"""The welcome rule's service on SQLite and PostgreSQL: what setting, keeping and stopping store, and that two
dispatches at once never make a date twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import ZoomSettings
from bot.db import migrate
from bot.db.models import FabriqueRow
from bot.domain.lifecycle import State
from bot.errors import Forbidden, InvalidInput, InvalidState
from bot.services import Services
from bot.services.clients import Clients
from bot.services.welcome import RuleChanges
from tests.conftest import GUILD_ID, make_settings
from tests.ports import services_on
from tests.unit.builders import ALICE, TEAM, ZOOM_URL, configure
from tests.unit.conftest import FakeClock
from tests.unit.fake_cloud import FakeCloud

# The clock is Monday 1 March 2027, 09:00 UTC: the first Tuesdays at 12:30 in Paris are 2 March (11:30 UTC, winter
# time) and 6 April (10:30 UTC, summer time).
MARCH = datetime(2027, 3, 2, 11, 30, tzinfo=UTC)
APRIL = datetime(2027, 4, 6, 10, 30, tzinfo=UTC)
RULE = RuleChanges(weekday=1, ordinal=1, at="12:30", zoom_url=ZOOM_URL)


@pytest.fixture
async def configured(services: Services) -> Services:
    await configure(services)
    return services


async def welcome_starts(engine: AsyncEngine) -> list[datetime]:
    async with engine.connect() as connection:
        query = select(FabriqueRow.starts_at).where(FabriqueRow.kind == "welcome").order_by(FabriqueRow.id)
        return [moment.replace(tzinfo=UTC) for moment in (await connection.execute(query)).scalars()]


async def test_setting_the_rule_makes_and_announces_the_next_session(
    configured: Services, engine: AsyncEngine, told: list[datetime]
) -> None:
    result = await configured.welcome.set_rule(GUILD_ID, TEAM, RULE)
    assert [(r.starts_at, r.state) for r in result.made] == [(MARCH, State.ANNOUNCED)]
    assert result.previous is None and result.next_date == MARCH
    assert await welcome_starts(engine) == [MARCH]
    assert MARCH + timedelta(minutes=30) in told  # the dispatcher looks again when March's session ends
    assert await configured.welcome.next_due() == MARCH + timedelta(minutes=30)


async def test_two_dispatches_at_once_make_each_date_once(
    configured: Services, engine: AsyncEngine, clock: FakeClock
) -> None:
    await configured.welcome.set_rule(GUILD_ID, TEAM, RULE)
    clock.now = MARCH + timedelta(days=6)  # April's window opened on 7 March
    made = await asyncio.gather(*(configured.welcome.keep_announced() for _ in range(3)))
    assert sum(made) == 1
    assert await welcome_starts(engine) == [MARCH, APRIL]
    assert await configured.welcome.keep_announced() == 0


async def test_stopping_keeps_the_sessions_and_ends_the_renewal(
    configured: Services, engine: AsyncEngine, clock: FakeClock
) -> None:
    await configured.welcome.set_rule(GUILD_ID, TEAM, RULE)
    stopped = await configured.welcome.stop(GUILD_ID, TEAM)
    assert [r.starts_at for r in stopped.kept] == [MARCH]
    assert await configured.welcome.next_due() is None
    clock.now = MARCH + timedelta(days=10)
    assert await configured.welcome.keep_announced() == 0
    assert await welcome_starts(engine) == [MARCH]
    with pytest.raises(InvalidState) as again:
        await configured.welcome.stop(GUILD_ID, TEAM)
    assert again.value.key == "error.welcome.no_rule"


async def test_refusals_store_nothing(configured: Services, engine: AsyncEngine) -> None:
    for call in (configured.welcome.set_rule(GUILD_ID, ALICE, RULE), configured.welcome.stop(GUILD_ID, ALICE)):
        with pytest.raises(Forbidden) as forbidden:
            await call
        assert forbidden.value.key == "error.team_only"
    refusals = {
        "error.welcome.rank": RuleChanges(weekday=1, ordinal=5, at="12:30"),
        "error.welcome.incomplete": RuleChanges(weekday=1, at="12:30"),
        "error.input.time": RuleChanges(weekday=1, ordinal=1, at="25:00"),
        "error.input.link": RuleChanges(weekday=1, ordinal=1, at="12:30", zoom_url="http://zoom.us/j/1"),
    }
    for key, changes in refusals.items():
        with pytest.raises(InvalidInput) as refused:
            await configured.welcome.set_rule(GUILD_ID, TEAM, changes)
        assert refused.value.key == key
    assert await welcome_starts(engine) == []
    assert await configured.welcome.next_due() is None


async def test_with_zoom_on_each_session_gets_its_own_meeting(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    await migrate.upgrade(engine)
    zoom = ZoomSettings(enabled=True, account_id="acc", client_id="client", host_user="me")
    cloud = FakeCloud()
    services = services_on(engine, make_settings(tmp_path, database_url, zoom=zoom), clock, clients=Clients(zoom=cloud))
    await configure(services)

    result = await services.welcome.set_rule(GUILD_ID, TEAM, RuleChanges(weekday=1, ordinal=1, at="12:30"))
    assert [r.state for r in result.made] == [State.ANNOUNCED]
    clock.now = MARCH + timedelta(days=6)
    assert await services.welcome.keep_announced() == 1
    assert len(cloud.meetings) == 2  # one Zoom meeting per session, the link never shared between dates

"""What an upload link may still do once time has passed: after the Fabrique changed hands, and after a restart
that follows a failed conversion of the recording it brought."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_sessionmaker
from bot.db.uow import unit_of_work_factory
from bot.domain.proposal import ProposalText
from bot.errors import DomainError, InvalidState
from bot.services import Services
from bot.services.corrections import People
from bot.services.uploads import UploadService, uploaded_path
from tests.conftest import GUILD_ID
from tests.ports import FakeCards, FakeMessenger, FakeRunner
from tests.unit.builders import ALICE, BOB, TEAM
from tests.unit.conftest import FakeClock
from tests.unit.upload_builders import PUBLIC, held, received_file, token_of


@pytest.fixture
def link_door(services: Services, engine: AsyncEngine, clock: FakeClock) -> UploadService:
    """The upload links' service as the web door uses it (fake DMs, cards and job runner)."""
    return UploadService(
        unit_of_work_factory(create_sessionmaker(engine)),
        services.documentation,
        clock,
        cards=FakeCards(),
        public_url=PUBLIC,
        upload_hours=72,
        messenger=FakeMessenger(),
        runner=FakeRunner(),
        i18n=services.i18n,
    )


async def test_a_link_given_to_an_organizer_replaced_since_no_longer_takes_a_recording(
    services: Services, link_door: UploadService
) -> None:
    number = await held(services)
    token = token_of((await link_door.issue(GUILD_ID, number, ALICE)).url)
    record = await services.documentation.check_can_document(GUILD_ID, number, TEAM)
    text = ProposalText(record.title, record.description, record.speaker, record.needs)
    await services.corrections.correct(GUILD_ID, number, TEAM, text, People(organizer_id=BOB.user_id))
    assert ALICE.user_id not in (await services.documentation.check_can_document(GUILD_ID, number, TEAM)).organizer_ids

    # Alice no longer runs this Fabrique: her old link must not act for it (as the team, what's more).
    target = await link_door.open(token)
    assert target.refusal is not None or target.state.value != "valid"
    with pytest.raises(DomainError):
        await link_door.receive(token, received_file(link_door), "ancienne.m4a", 27)


async def test_a_received_recording_whose_conversion_failed_survives_a_restart_for_retry(
    services: Services, link_door: UploadService
) -> None:
    number = await held(services)
    token = token_of((await link_door.issue(GUILD_ID, number, ALICE)).url)
    await link_door.receive(token, received_file(link_door), "séance.m4a", 27)
    await services.documentation.fail(number, InvalidState("error.audio.convert_failed"))

    await link_door.discard_leftovers()  # the bot restarts

    # « Réessayer » converts the received upload again (UNFINISHED keeps FAILED for that): it must still be there.
    assert uploaded_path(link_door.work_dir, number).exists()


class UnreachableCards:
    """The team's card cannot be updated: Discord does not answer."""

    async def show(self, guild_id: int, fabrique_id: int) -> bool:
        raise ConnectionError("Discord is unreachable")


async def test_a_received_recording_is_converted_even_when_the_team_s_card_cannot_be_updated(
    services: Services, engine: AsyncEngine, clock: FakeClock
) -> None:
    runner = FakeRunner()
    door = UploadService(
        unit_of_work_factory(create_sessionmaker(engine)),
        services.documentation,
        clock,
        cards=UnreachableCards(),
        public_url=PUBLIC,
        upload_hours=72,
        messenger=FakeMessenger(),
        runner=runner,
        i18n=services.i18n,
    )
    number = await held(services)
    token = token_of((await door.issue(GUILD_ID, number, ALICE)).url)

    with contextlib.suppress(ConnectionError):  # the page may say what it likes, but the recording is kept ...
        await door.receive(token, received_file(door), "séance.m4a", 27)

    # ... and its job started. Before the fix: the link was used up, the documentation « en cours » (so a new upload
    # was refused as busy), the file waited, and no job ran until the bot restarted.
    assert (await link_state_of(door, token), runner.started) == ("used", [number])


async def link_state_of(door: UploadService, token: str) -> str:
    return (await door.open(token)).state.value

"""Corrections through the services: versions, undo and its refusals, people and places, what follows each change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.domain.edits import Field
from bot.domain.lifecycle import State
from bot.domain.proposal import ProposalText
from bot.errors import Forbidden, InvalidInput, InvalidState
from bot.services import Services
from bot.services.corrections import People
from bot.services.ports import DiscordPorts
from bot.services.records import FabriqueRecord
from tests.conftest import GUILD_ID, make_settings
from tests.ports import FakeBoard, FakeMessenger, fake_ports, services_on
from tests.unit.builders import ALICE, BOB, COORGANIZER, DRAFT, TEAM, announced_session, approved_fabrique, configure


def text_of(record: FabriqueRecord, **changes: str) -> ProposalText:
    return replace(ProposalText(record.title, record.description, record.speaker, record.needs), **changes)


@pytest.fixture
def ports() -> DiscordPorts:
    return fake_ports()


@pytest.fixture
async def configured(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: Callable[[], datetime], ports: DiscordPorts
) -> Services:
    await migrate.upgrade(engine)
    services = services_on(engine, make_settings(tmp_path, database_url), clock, ports=ports)
    await configure(services)
    return services


async def test_a_team_correction_makes_one_version_and_nothing_when_unchanged(
    configured: Services, ports: DiscordPorts
) -> None:
    record = await announced_session(configured)
    same = await configured.corrections.correct(GUILD_ID, record.id, TEAM, text_of(record), People())
    assert same.changes == () and same.fabrique.revision == record.revision
    fixed = await configured.corrections.correct(
        GUILD_ID, record.id, TEAM, text_of(record, title="Tiers-lieux"), People()
    )
    assert [c.field for c in fixed.changes] == [Field.TITLE]
    assert fixed.fabrique.revision == record.revision + 1
    (edit,) = await configured.corrections.recent(record.id)
    assert (edit.changes[0].before, edit.changes[0].after, edit.by_team, edit.undoable) == (
        record.title,
        "Tiers-lieux",
        True,
        False,
    )
    await configured.background.settle()
    board = ports.board
    assert isinstance(board, FakeBoard)
    assert board.redrawn[-1] == record.id and board.updated == [record.id]


async def test_undo_is_refused_after_a_newer_correction_and_twice(configured: Services) -> None:
    record = await announced_session(configured)
    draft = replace(DRAFT, speaker="Camille Dupont")
    edited = await configured.corrections.edit(GUILD_ID, record.id, ALICE, draft)
    (edit,) = await configured.corrections.recent(record.id)
    assert edit.undoable and edit.version == edited.revision
    with pytest.raises(Forbidden):
        await configured.corrections.undo(GUILD_ID, record.id, edit.version, ALICE)
    await configured.corrections.correct(GUILD_ID, record.id, TEAM, text_of(edited, needs="Deux tableaux"), People())
    with pytest.raises(InvalidState) as newer:
        await configured.corrections.undo(GUILD_ID, record.id, edit.version, TEAM)
    assert newer.value.key == "error.undo.newer"

    # The organizer edits again; this one is the latest, so the team may take it back, once.
    await configured.corrections.edit(GUILD_ID, record.id, ALICE, replace(DRAFT, speaker="Autre"))
    last = (await configured.corrections.recent(record.id))[-1]
    undone = await configured.corrections.undo(GUILD_ID, record.id, last.version, TEAM)
    assert undone.fabrique.speaker == "Camille Dupont"
    assert undone.fabrique.needs == "Deux tableaux"
    with pytest.raises(InvalidState) as twice:
        await configured.corrections.undo(GUILD_ID, record.id, last.version, TEAM)
    assert twice.value.key == "error.undo.done"


async def test_the_organizer_may_not_change_a_booked_length(configured: Services) -> None:
    record = await announced_session(configured)
    with pytest.raises(InvalidInput) as refused:
        await configured.corrections.edit(GUILD_ID, record.id, ALICE, replace(DRAFT, duration_minutes=150))
    assert refused.value.key == "error.correct.duration_booked"


async def test_people_and_places(configured: Services, ports: DiscordPorts) -> None:
    record = await approved_fabrique(configured, ALICE, coorganizer=COORGANIZER)
    with pytest.raises(InvalidInput) as unbooked:
        await configured.corrections.check_correction(GUILD_ID, record.id, TEAM, People(places=10))
    assert unbooked.value.key == "error.correct.places_unbooked"
    with pytest.raises(InvalidInput) as stranger:
        await configured.corrections.check_correction(GUILD_ID, record.id, TEAM, People(remove_coorganizer=BOB.user_id))
    assert stranger.value.key == "error.correct.not_coorganizer"

    # The co-organizer becomes the organizer: they leave the co-organizers, Alice is out, both hear it.
    moved = await configured.corrections.correct(
        GUILD_ID,
        record.id,
        TEAM,
        text_of(record),
        People(organizer_id=COORGANIZER.user_id, add_coorganizer=BOB.user_id),
    )
    assert (moved.fabrique.organizer_id, moved.fabrique.coorganizer_ids) == (COORGANIZER.user_id, (BOB.user_id,))
    assert moved.fabrique.state is State.APPROVED
    sent = ports.messenger
    assert isinstance(sent, FakeMessenger)
    assert any("désormais l'organisateur" in dm.text for dm in sent.to(COORGANIZER.user_id))
    assert any("plus l'organisateur" in dm.text for dm in sent.to(ALICE.user_id))
    assert any("coorganisez désormais" in dm.text for dm in sent.to(BOB.user_id))
    with pytest.raises(Forbidden):
        await configured.corrections.get_editable(GUILD_ID, record.id, ALICE)
    assert (await configured.corrections.get_editable(GUILD_ID, record.id, BOB)).id == record.id
    assert [r.id for r in await configured.proposals.list_for_member(GUILD_ID, BOB.user_id)] == [record.id]

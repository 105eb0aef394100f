"""Proposals, moderation and guild configuration through the services, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import DiscordSettings
from bot.db.models import AuditRow, FabriqueRow, GuildConfigRow
from bot.domain.lifecycle import Action, Actor, State
from bot.domain.proposal import Format, Parcours, ProposalDraft
from bot.errors import Forbidden, InvalidInput, InvalidState, NotConfigured, NotFound
from bot.services import Services
from bot.services.guild_config import ConfigChanges
from bot.services.proposals import Decision
from tests.conftest import GUILD_ID, make_settings
from tests.ports import services_on
from tests.unit.conftest import FakeClock

OTHER_GUILD_ID = 515151515151515151
TEAM_CHANNEL = 700000000000000001
TEAM_ROLE = 700000000000000002
MEMBER_ROLE = 700000000000000003
AGENDA_CHANNEL = 700000000000000004

ADMIN = Actor(800000000000000001, is_team=True)
MODERATOR = Actor(800000000000000002, is_team=True)
ALICE = Actor(800000000000000003)
BOB = Actor(800000000000000004)
OUTSIDER = Actor(800000000000000005, is_member=False)

DRAFT = ProposalDraft(
    format=Format.ATELIER,
    parcours=Parcours.CLASSIQUE,
    duration_minutes=120,
    title="  Les   tiers-lieux culturels ",
    description="Partager nos pratiques de médiation.",
    speaker="Alice Martin",
    needs="Un tableau Klaxoon",
)


async def configure(services: Services, guild_id: int = GUILD_ID) -> None:
    await services.guild_config.configure(
        guild_id,
        ConfigChanges(team_channel_id=TEAM_CHANNEL, team_role_id=TEAM_ROLE),
        by=ADMIN,
        is_admin=True,
    )


@pytest.fixture
async def configured(services: Services) -> Services:
    await configure(services)
    return services


async def count(engine: AsyncEngine, model: type) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(model))).scalar_one()


async def audit_actions(services: Services, number: int) -> list[str]:
    _, history = await services.proposals.with_history(GUILD_ID, number)
    return [entry.action for entry in history]


# --- propose -----------------------------------------------------------------------------------------------------


async def test_propose_records_a_numbered_proposal_with_one_audit_row(configured: Services, clock: FakeClock) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)

    assert record.id >= 1
    assert record.state is State.PROPOSED
    assert record.revision == 1
    assert record.guild_id == GUILD_ID
    assert record.organizer_id == ALICE.user_id
    assert record.title == "Les tiers-lieux culturels"
    assert (record.format, record.parcours, record.duration_minutes) == (Format.ATELIER, Parcours.CLASSIQUE, 120)
    assert record.created_at == clock.now

    stored, history = await configured.proposals.with_history(GUILD_ID, record.id)
    assert stored == record
    assert len(history) == 1
    assert history[0].action == "propose"
    assert history[0].actor_id == ALICE.user_id
    assert history[0].from_state is None
    assert history[0].to_state is State.PROPOSED


async def test_proposal_numbers_increase(configured: Services) -> None:
    first = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    second = await configured.proposals.propose(GUILD_ID, BOB, DRAFT)
    assert second.id > first.id


async def test_a_non_member_cannot_propose_and_nothing_is_created(configured: Services, engine: AsyncEngine) -> None:
    with pytest.raises(Forbidden) as refused:
        await configured.proposals.propose(GUILD_ID, OUTSIDER, DRAFT)
    assert refused.value.key == "error.members_only"
    with pytest.raises(Forbidden):
        await configured.proposals.ensure_can_propose(GUILD_ID, OUTSIDER)
    assert await count(engine, FabriqueRow) == 0
    assert await count(engine, AuditRow) == 0


async def test_a_guild_without_team_channel_cannot_receive_proposals(services: Services, engine: AsyncEngine) -> None:
    with pytest.raises(NotConfigured) as refused:
        await services.proposals.propose(GUILD_ID, ALICE, DRAFT)
    assert refused.value.key == "error.not_configured.team_channel"
    assert await count(engine, FabriqueRow) == 0


async def test_an_invalid_draft_creates_nothing(configured: Services, engine: AsyncEngine) -> None:
    with pytest.raises(InvalidInput) as refused:
        await configured.proposals.propose(GUILD_ID, ALICE, replace(DRAFT, duration_minutes=45))
    assert refused.value.key == "error.input.duration"
    assert refused.value.params == {"allowed": [90, 120, 150]}
    assert await count(engine, FabriqueRow) == 0


# --- edit --------------------------------------------------------------------------------------------------------


async def test_edit_by_someone_else_is_refused_and_changes_nothing(configured: Services) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    before = await configured.proposals.with_history(GUILD_ID, record.id)

    for intruder in (BOB, MODERATOR):
        with pytest.raises(Forbidden) as refused:
            await configured.corrections.edit(GUILD_ID, record.id, intruder, replace(DRAFT, title="Piraté"))
        assert refused.value.key == "error.not_organizer"
        with pytest.raises(Forbidden):
            await configured.corrections.get_editable(GUILD_ID, record.id, intruder)

    assert await configured.proposals.with_history(GUILD_ID, record.id) == before


async def test_edit_of_a_proposed_proposal_keeps_it_proposed(configured: Services) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    assert (await configured.corrections.get_editable(GUILD_ID, record.id, ALICE)).id == record.id
    edited = await configured.corrections.edit(
        GUILD_ID, record.id, ALICE, replace(DRAFT, title="Nouveau titre", format=Format.ARPENTAGE)
    )
    assert edited.state is State.PROPOSED
    assert edited.revision == 2
    assert edited.title == "Nouveau titre"
    assert edited.format is Format.ARPENTAGE


async def test_edit_after_changes_requested_goes_back_to_proposed(configured: Services, clock: FakeClock) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    clock.advance(hours=1)
    await configured.proposals.decide(GUILD_ID, record.id, MODERATOR, Action.REQUEST_CHANGES, "Précisez le public.")
    clock.advance(hours=1)
    edited = await configured.corrections.edit(
        GUILD_ID, record.id, ALICE, replace(DRAFT, description="Pour les médiateur·ices.")
    )

    assert edited.state is State.PROPOSED
    assert edited.revision == 2
    assert edited.description == "Pour les médiateur·ices."
    assert edited.updated_at == clock.now
    assert edited.created_at == clock.now - timedelta(hours=2)

    stored, history = await configured.proposals.with_history(GUILD_ID, record.id)
    assert stored == edited
    assert [entry.action for entry in history] == ["propose", "request_changes", "edit"]
    last = history[-1]
    assert (last.actor_id, last.from_state, last.to_state) == (ALICE.user_id, State.CHANGES_REQUESTED, State.PROPOSED)


async def test_the_coorganizer_may_edit_and_withdraw(configured: Services) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, replace(DRAFT, coorganizer_id=BOB.user_id))
    edited = await configured.corrections.edit(
        GUILD_ID, record.id, BOB, replace(DRAFT, title="Par Bob", coorganizer_id=BOB.user_id)
    )
    assert edited.title == "Par Bob"
    assert edited.organizer_id == ALICE.user_id
    withdrawn = await configured.proposals.withdraw(GUILD_ID, record.id, BOB)
    assert withdrawn.state is State.WITHDRAWN


async def test_edit_with_invalid_content_changes_nothing(configured: Services) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    before = await configured.proposals.with_history(GUILD_ID, record.id)
    with pytest.raises(InvalidInput):
        await configured.corrections.edit(GUILD_ID, record.id, ALICE, replace(DRAFT, title="   "))
    assert await configured.proposals.with_history(GUILD_ID, record.id) == before


async def test_edit_of_a_rejected_proposal_is_invalid_state(configured: Services) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    await configured.proposals.decide(GUILD_ID, record.id, MODERATOR, Action.REJECT, "Hors sujet.")
    with pytest.raises(InvalidState) as refused:
        await configured.corrections.edit(GUILD_ID, record.id, ALICE, DRAFT)
    assert refused.value.key == "error.state.edit"
    assert refused.value.params == {"state": State.REJECTED}


# --- decide ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", [Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT])
async def test_decisions_are_refused_to_non_team(configured: Services, action: Action) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    for actor in (ALICE, BOB):
        with pytest.raises(Forbidden) as refused:
            await configured.proposals.decide(GUILD_ID, record.id, actor, action, "Un motif.")
        assert refused.value.key == "error.team_only"
        with pytest.raises(Forbidden):
            await configured.proposals.check_decision(GUILD_ID, record.id, actor, action)
    stored, history = await configured.proposals.with_history(GUILD_ID, record.id)
    assert stored.state is State.PROPOSED
    assert len(history) == 1


async def test_approve(configured: Services) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    await configured.proposals.check_decision(GUILD_ID, record.id, MODERATOR, Action.APPROVE)
    decision = await configured.proposals.decide(GUILD_ID, record.id, MODERATOR, Action.APPROVE)
    assert decision.fabrique.state is State.APPROVED
    assert decision.action is Action.APPROVE
    assert decision.actor_id == MODERATOR.user_id
    assert decision.reason is None


@pytest.mark.parametrize("action", [Action.REQUEST_CHANGES, Action.REJECT])
@pytest.mark.parametrize("reason", [None, "", "   \n "])
async def test_request_changes_and_reject_need_a_reason(
    configured: Services, action: Action, reason: str | None
) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    with pytest.raises(InvalidInput) as refused:
        await configured.proposals.decide(GUILD_ID, record.id, MODERATOR, action, reason)
    assert refused.value.key == "error.input.empty"
    assert refused.value.params == {"field": "motif"}
    stored, history = await configured.proposals.with_history(GUILD_ID, record.id)
    assert stored.state is State.PROPOSED
    assert stored.last_reason is None
    assert [entry.action for entry in history] == ["propose"]


@pytest.mark.parametrize(
    ("action", "state"), [(Action.REQUEST_CHANGES, State.CHANGES_REQUESTED), (Action.REJECT, State.REJECTED)]
)
async def test_the_reason_is_kept_trimmed_on_the_proposal_and_in_the_audit(
    configured: Services, action: Action, state: State
) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    decision = await configured.proposals.decide(GUILD_ID, record.id, MODERATOR, action, "  Trop vague.  ")
    assert decision.reason == "Trop vague."
    assert decision.fabrique.state is state
    stored, history = await configured.proposals.with_history(GUILD_ID, record.id)
    assert stored.last_reason == "Trop vague."
    assert history[-1].reason == "Trop vague."
    assert history[-1].actor_id == MODERATOR.user_id


async def test_approving_twice_is_invalid_state(configured: Services) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    await configured.proposals.decide(GUILD_ID, record.id, MODERATOR, Action.APPROVE)
    with pytest.raises(InvalidState) as refused:
        await configured.proposals.decide(GUILD_ID, record.id, ADMIN, Action.APPROVE)
    assert refused.value.key == "error.state.approve"
    assert refused.value.params == {"state": State.APPROVED}
    assert await audit_actions(configured, record.id) == ["propose", "approve"]


async def test_two_moderators_deciding_at_once_only_one_decision_counts(configured: Services) -> None:
    """The row lock (PostgreSQL) or the write lock taken at BEGIN (SQLite) settles the race, not luck."""
    for _ in range(5):
        record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
        outcomes = await asyncio.gather(
            configured.proposals.decide(GUILD_ID, record.id, MODERATOR, Action.APPROVE),
            configured.proposals.decide(GUILD_ID, record.id, ADMIN, Action.REJECT, "Hors sujet."),
            return_exceptions=True,
        )
        decisions = [outcome for outcome in outcomes if isinstance(outcome, Decision)]
        refusals = [outcome for outcome in outcomes if isinstance(outcome, InvalidState)]
        assert (len(decisions), len(refusals)) == (1, 1), outcomes
        stored, history = await configured.proposals.with_history(GUILD_ID, record.id)
        assert stored.state is decisions[0].fabrique.state
        assert [entry.action for entry in history] == ["propose", decisions[0].action.value]


async def test_decide_refuses_actions_that_are_not_moderation(configured: Services) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    with pytest.raises(ValueError):
        await configured.proposals.decide(GUILD_ID, record.id, MODERATOR, Action.WITHDRAW)


# --- withdraw ----------------------------------------------------------------------------------------------------


async def test_withdraw_by_the_organizer(configured: Services) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    withdrawn = await configured.proposals.withdraw(GUILD_ID, record.id, ALICE)
    assert withdrawn.state is State.WITHDRAWN
    assert await audit_actions(configured, record.id) == ["propose", "withdraw"]


async def test_withdraw_by_someone_else_is_refused(configured: Services) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    for intruder in (BOB, MODERATOR):
        with pytest.raises(Forbidden) as refused:
            await configured.proposals.withdraw(GUILD_ID, record.id, intruder)
        assert refused.value.key == "error.not_organizer"
    stored, history = await configured.proposals.with_history(GUILD_ID, record.id)
    assert stored.state is State.PROPOSED
    assert len(history) == 1


async def test_withdrawing_twice_is_invalid_state(configured: Services) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    await configured.proposals.withdraw(GUILD_ID, record.id, ALICE)
    with pytest.raises(InvalidState) as refused:
        await configured.proposals.withdraw(GUILD_ID, record.id, ALICE)
    assert refused.value.key == "error.state.withdraw"
    assert await audit_actions(configured, record.id) == ["propose", "withdraw"]


# --- unknown numbers ---------------------------------------------------------------------------------------------


async def test_an_unknown_number_is_not_found(configured: Services) -> None:
    calls = [
        configured.proposals.with_history(GUILD_ID, 9999),
        configured.proposals.withdraw(GUILD_ID, 9999, ALICE),
        configured.corrections.edit(GUILD_ID, 9999, ALICE, DRAFT),
        configured.corrections.get_editable(GUILD_ID, 9999, ALICE),
        configured.proposals.decide(GUILD_ID, 9999, MODERATOR, Action.APPROVE),
        configured.proposals.check_decision(GUILD_ID, 9999, MODERATOR, Action.APPROVE),
        configured.proposals.attach_card(GUILD_ID, 9999, TEAM_CHANNEL, 1),
    ]
    for call in calls:
        with pytest.raises(NotFound) as refused:
            await call
        assert refused.value.key == "error.unknown_fabrique"
        assert refused.value.params == {"number": 9999}


async def test_a_number_from_another_guild_is_not_found(configured: Services) -> None:
    await configure(configured, OTHER_GUILD_ID)
    elsewhere = await configured.proposals.propose(OTHER_GUILD_ID, ALICE, DRAFT)

    with pytest.raises(NotFound):
        await configured.proposals.with_history(GUILD_ID, elsewhere.id)
    with pytest.raises(NotFound):
        await configured.proposals.decide(GUILD_ID, elsewhere.id, MODERATOR, Action.APPROVE)
    with pytest.raises(NotFound):
        await configured.proposals.withdraw(GUILD_ID, elsewhere.id, ALICE)
    assert await configured.proposals.list_for_member(GUILD_ID, ALICE.user_id) == []

    stored, _ = await configured.proposals.with_history(OTHER_GUILD_ID, elsewhere.id)
    assert stored.state is State.PROPOSED


# --- listing -----------------------------------------------------------------------------------------------------


async def test_list_for_member_includes_coorganized_proposals_newest_first(configured: Services) -> None:
    own = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    coorganized = await configured.proposals.propose(GUILD_ID, BOB, replace(DRAFT, coorganizer_id=ALICE.user_id))
    unrelated = await configured.proposals.propose(GUILD_ID, BOB, DRAFT)

    alice_sees = [record.id for record in await configured.proposals.list_for_member(GUILD_ID, ALICE.user_id)]
    bob_sees = [record.id for record in await configured.proposals.list_for_member(GUILD_ID, BOB.user_id)]
    assert alice_sees == [coorganized.id, own.id]
    assert bob_sees == [unrelated.id, coorganized.id]
    assert await configured.proposals.list_for_member(GUILD_ID, MODERATOR.user_id) == []


async def test_suggest_editable_only_leaves_out_rejected_and_withdrawn(configured: Services) -> None:
    proposals = configured.proposals
    proposed = await proposals.propose(GUILD_ID, ALICE, DRAFT)
    approved = await proposals.propose(GUILD_ID, ALICE, DRAFT)
    await proposals.decide(GUILD_ID, approved.id, MODERATOR, Action.APPROVE)
    sent_back = await proposals.propose(GUILD_ID, ALICE, DRAFT)
    await proposals.decide(GUILD_ID, sent_back.id, MODERATOR, Action.REQUEST_CHANGES, "Précisez.")
    rejected = await proposals.propose(GUILD_ID, ALICE, DRAFT)
    await proposals.decide(GUILD_ID, rejected.id, MODERATOR, Action.REJECT, "Non.")
    withdrawn = await proposals.propose(GUILD_ID, ALICE, DRAFT)
    await proposals.withdraw(GUILD_ID, withdrawn.id, ALICE)

    editable = [record.id for record in await proposals.suggest(GUILD_ID, ALICE.user_id, editable_only=True)]
    everything = [record.id for record in await proposals.suggest(GUILD_ID, ALICE.user_id, editable_only=False)]
    assert editable == [sent_back.id, approved.id, proposed.id]
    assert everything == [withdrawn.id, rejected.id, sent_back.id, approved.id, proposed.id]
    assert await proposals.suggest(GUILD_ID, BOB.user_id, editable_only=False) == []


# --- audit trail and time ----------------------------------------------------------------------------------------


async def test_audit_trail_is_in_order_with_actors_states_and_times(configured: Services, clock: FakeClock) -> None:
    start = clock.now
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    clock.advance(minutes=10)
    await configured.proposals.decide(GUILD_ID, record.id, MODERATOR, Action.REQUEST_CHANGES, "Ajoutez le public.")
    clock.advance(minutes=10)
    await configured.corrections.edit(GUILD_ID, record.id, ALICE, DRAFT)
    clock.advance(minutes=10)
    await configured.proposals.decide(GUILD_ID, record.id, ADMIN, Action.APPROVE)
    clock.advance(minutes=10)
    await configured.proposals.withdraw(GUILD_ID, record.id, ALICE)

    _, history = await configured.proposals.with_history(GUILD_ID, record.id)
    assert [(entry.action, entry.actor_id, entry.from_state, entry.to_state) for entry in history] == [
        ("propose", ALICE.user_id, None, State.PROPOSED),
        ("request_changes", MODERATOR.user_id, State.PROPOSED, State.CHANGES_REQUESTED),
        ("edit", ALICE.user_id, State.CHANGES_REQUESTED, State.PROPOSED),
        ("approve", ADMIN.user_id, State.PROPOSED, State.APPROVED),
        ("withdraw", ALICE.user_id, State.APPROVED, State.WITHDRAWN),
    ]
    assert [entry.at for entry in history] == [start + timedelta(minutes=10 * i) for i in range(5)]
    assert [entry.reason for entry in history] == [None, "Ajoutez le public.", None, None, None]


async def test_times_are_stored_and_read_back_as_aware_utc(configured: Services, clock: FakeClock) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    stored, history = await configured.proposals.with_history(GUILD_ID, record.id)
    for moment in (stored.created_at, stored.updated_at, history[0].at):
        assert moment.tzinfo is not None
        assert moment.utcoffset() == timedelta(0)
        assert moment == clock.now
    assert stored.created_at.tzinfo == UTC


async def test_attach_card_is_remembered(configured: Services) -> None:
    record = await configured.proposals.propose(GUILD_ID, ALICE, DRAFT)
    await configured.proposals.attach_card(GUILD_ID, record.id, TEAM_CHANNEL, 123456789)
    stored, history = await configured.proposals.with_history(GUILD_ID, record.id)
    assert (stored.card_channel_id, stored.card_message_id) == (TEAM_CHANNEL, 123456789)
    assert len(history) == 1  # where the card lives is not a transition


# --- guild configuration -----------------------------------------------------------------------------------------


async def test_configure_by_a_non_admin_is_refused_and_stores_nothing(services: Services, engine: AsyncEngine) -> None:
    with pytest.raises(Forbidden) as refused:
        await services.guild_config.configure(
            GUILD_ID, ConfigChanges(team_channel_id=TEAM_CHANNEL), by=MODERATOR, is_admin=False
        )
    assert refused.value.key == "error.admin_only"
    assert await count(engine, GuildConfigRow) == 0
    assert (await services.guild_config.get(GUILD_ID)).team_channel_id is None


async def test_configure_stores_the_values(services: Services, engine: AsyncEngine) -> None:
    result = await services.guild_config.configure(
        GUILD_ID,
        ConfigChanges(team_channel_id=TEAM_CHANNEL, team_role_id=TEAM_ROLE, member_role_id=MEMBER_ROLE),
        by=ADMIN,
        is_admin=True,
    )
    assert result == await services.guild_config.get(GUILD_ID)
    assert (result.team_channel_id, result.team_role_id, result.member_role_id) == (
        TEAM_CHANNEL,
        TEAM_ROLE,
        MEMBER_ROLE,
    )
    assert result.agenda_channel_id is None
    assert await count(engine, GuildConfigRow) == 1


async def test_a_partial_configure_keeps_earlier_values(services: Services) -> None:
    await configure(services)
    await services.guild_config.configure(
        GUILD_ID, ConfigChanges(agenda_channel_id=AGENDA_CHANNEL), by=ADMIN, is_admin=True
    )
    config = await services.guild_config.get(GUILD_ID)
    assert (config.team_channel_id, config.team_role_id, config.agenda_channel_id) == (
        TEAM_CHANNEL,
        TEAM_ROLE,
        AGENDA_CHANNEL,
    )


async def test_configure_without_changes_only_shows(services: Services, engine: AsyncEngine) -> None:
    config = await services.guild_config.configure(GUILD_ID, ConfigChanges(), by=ADMIN, is_admin=True)
    assert config.team_channel_id is None
    assert await count(engine, GuildConfigRow) == 0


async def test_guild_configs_are_separate(services: Services) -> None:
    await configure(services)
    other = await services.guild_config.get(OTHER_GUILD_ID)
    assert other.team_channel_id is None
    assert other.guild_id == OTHER_GUILD_ID


async def test_config_toml_values_are_the_fallback(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock, services: Services
) -> None:
    settings = make_settings(tmp_path, database_url, discord=DiscordSettings(guild_id=GUILD_ID, team_channel_id=5))
    from_file = services_on(engine, settings, clock)

    config = await from_file.guild_config.get(GUILD_ID)
    assert config.team_channel_id == 5
    assert config.team_role_id is None
    record = await from_file.proposals.propose(GUILD_ID, ALICE, DRAFT)  # the file's team channel is enough
    assert record.state is State.PROPOSED

    await from_file.guild_config.configure(GUILD_ID, ConfigChanges(team_role_id=TEAM_ROLE), by=ADMIN, is_admin=True)
    config = await from_file.guild_config.get(GUILD_ID)
    assert (config.team_channel_id, config.team_role_id) == (5, TEAM_ROLE)

    await from_file.guild_config.configure(
        GUILD_ID, ConfigChanges(team_channel_id=TEAM_CHANNEL), by=ADMIN, is_admin=True
    )
    assert (await from_file.guild_config.get(GUILD_ID)).team_channel_id == TEAM_CHANNEL  # the command wins

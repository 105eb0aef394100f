"""The team's side: only the team role moderates (checked on each click), motifs are required, DMs may fail."""

from __future__ import annotations

from tests.behaviour.builders import card_state, propose
from tests.behaviour.conftest import World, said
from tests.support import assert_refused


async def test_non_team_member_pressing_card_buttons_changes_nothing(world: World) -> None:
    await propose(world)
    card = world.team_channel.last_message
    for person in (world.alice, world.bob, world.admin):
        approved = await person.click(card, label="Approuver")
        assert "Seule l'équipe" in said(approved).content
        rejected = await person.click(card, label="Refuser")
        assert rejected.modal is None and "Seule l'équipe" in said(rejected).content
    assert card_state(world) == "**proposée**"
    assert [m.content for m in world.dms(world.alice)] == []


async def test_team_role_lost_while_typing_the_motif(world: World) -> None:
    await propose(world)
    shown = await world.moderator.click(world.team_channel.last_message, label="Refuser")
    assert shown.modal is not None
    # Meanwhile the admin hands moderation to another role: the motif is checked again when it arrives.
    await world.admin.slash(world.general, "equipe configurer", role_equipe=world.guild.create_role("Modération"))
    result = await world.moderator.submit_modal(shown, {"motif": "Trop proche d'une autre Fabrique."})
    assert "Seule l'équipe" in said(result).content
    assert card_state(world) == "**proposée**"
    assert world.dms(world.alice) == []
    assert_refused(world.env, "error.team_only")


async def test_blank_motif_is_refused(world: World) -> None:
    await propose(world)
    shown = await world.moderator.click(world.team_channel.last_message, label="Demander des modifications")
    result = await world.moderator.submit_modal(shown, {"motif": "   "})
    assert any("« motif » est obligatoire" in m.content for m in [*result.followups, said(result)])
    assert card_state(world) == "**proposée**"
    assert world.dms(world.alice) == []
    assert_refused(world.env, "error.input.empty")


async def test_decision_taken_meanwhile_by_another_moderator_wins(world: World) -> None:
    await propose(world)
    second = world.guild.add_member(world.env.create_user("dominique"), roles=[world.team_role, world.member_role])
    shown = await world.moderator.click(world.team_channel.last_message, label="Refuser")
    await second.click(world.team_channel.last_message, label="Approuver")
    late = await world.moderator.submit_modal(shown, {"motif": "Pas pour cette saison."})
    assert "Impossible de refuser" in said(late).content and "approuvée" in said(late).content
    assert card_state(world) == "**approuvée**"
    assert len(world.dms(world.alice)) == 1
    assert_refused(world.env, "error.state.reject")


async def test_changes_requested_card_only_offers_reject(world: World) -> None:
    await propose(world)
    shown = await world.moderator.click(world.team_channel.last_message, label="Demander des modifications")
    await world.moderator.submit_modal(shown, {"motif": "Ajoutez un déroulé."})
    labels = [child.label for row in world.team_channel.last_message.components for child in row.children]
    assert labels == ["Refuser"]
    shown = await world.moderator.click(world.team_channel.last_message, label="Refuser")
    await world.moderator.submit_modal(shown, {"motif": "Sans nouvelles, nous clôturons."})
    assert card_state(world) == "**refusée**"
    assert "Sans nouvelles" in world.dms(world.alice)[-1].content


async def test_closed_dms_are_reported_to_the_moderator(world: World) -> None:
    await propose(world)
    world.env.inject_error("POST", "/channels/*/messages", status=403, code=50007, message="Cannot send messages")
    approved = await world.moderator.click(world.team_channel.last_message, label="Approuver")
    assert "n'a pas pu être remis" in said(approved).content
    assert card_state(world) == "**approuvée**"
    assert world.env.errors == []


async def test_history_on_the_card_names_who_did_what(world: World) -> None:
    await propose(world)
    shown = await world.moderator.click(world.team_channel.last_message, label="Demander des modifications")
    await world.moderator.submit_modal(shown, {"motif": "Un mot sur le public ?"})
    shown = await world.alice.slash(world.general, "fabrique modifier", fabrique=1)
    await world.alice.submit_modal(shown, {"titre": "Titre revu", "description": "Pour les médiateur·ices."})
    await world.moderator.click(world.team_channel.last_message, label="Approuver")
    history = next(f.value for f in world.team_channel.last_message.embeds[0].fields if f.name == "Historique")
    lines = history.splitlines()
    assert len(lines) == 4
    assert f"proposée par <@{world.alice.id}>" in lines[0]
    assert f"modifications demandées par <@{world.moderator.id}> : Un mot sur le public ?" in lines[1]
    assert f"modifiée par <@{world.alice.id}>" in lines[2]
    assert f"approuvée par <@{world.moderator.id}>" in lines[3]

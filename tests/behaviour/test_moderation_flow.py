"""The first complete journey: a member proposes, the team asks for changes, the member edits, the team approves."""

from __future__ import annotations

from tests.behaviour.builders import PROPOSAL, propose
from tests.behaviour.conftest import World, restart, said


async def test_propose_changes_edit_approve(world: World, settings) -> None:
    submitted = await propose(world)
    confirmation = said(submitted).content
    assert "n°1" in confirmation and "transmise" in confirmation

    card = world.team_channel.last_message
    assert card.embeds[0].title.startswith("Proposition n°1")
    assert "proposée" in card.embeds[0].fields[-2].value

    asked = await world.moderator.click(card, label="Demander des modifications")
    assert asked.modal is not None
    done = await world.moderator.submit_modal(asked, {"motif": "Précisez le public visé, s'il vous plaît."})
    assert "Demande de modifications envoyée" in said(done).content
    dm = world.dms(world.alice)[-1].content
    assert "modifications" in dm and "Précisez le public visé" in dm

    card = world.team_channel.last_message
    assert "modifications demandées" in str(card.embeds[0].to_dict())

    shown = await world.alice.slash(world.general, "fabrique modifier", fabrique=1)
    assert shown.modal is not None
    edited = await world.alice.submit_modal(
        shown, {**PROPOSAL, "description": "Pour les chargé·es de production : lire les modules 1 à 3."}
    )
    assert "version 2" in said(edited).content
    assert "de nouveau soumise" in said(edited).content

    card = world.team_channel.last_message
    assert "chargé·es de production" in card.embeds[0].description
    assert "proposée" in str(card.embeds[0].to_dict())

    approved = await world.moderator.click(card, label="Approuver")
    assert "approuvée" in said(approved).content
    assert "approuvée" in world.dms(world.alice)[-1].content
    card = world.team_channel.last_message
    assert card.components == [] or all(not row.children for row in card.components)
    assert f"<@{world.moderator.id}>" in str(card.embeds[0].to_dict())

    mine = await world.alice.slash(world.general, "fabrique mes-fabriques")
    listing = said(mine).embeds[0].description
    assert "n°1" in listing and "approuvée" in listing
    assert world.env.errors == []


async def test_buttons_survive_a_restart(world: World, settings) -> None:
    await propose(world)
    card = world.team_channel.last_message
    await restart(world.env, settings)
    approved = await world.moderator.click(card, label="Approuver")
    assert "approuvée" in said(approved).content
    assert "approuvée" in world.dms(world.alice)[-1].content

"""/equipe configurer: Manage Server only; what it stores is what the bot then uses."""

from __future__ import annotations

from tests.behaviour.conftest import World, said
from tests.support import assert_refused


async def test_configuration_needs_manage_server(unconfigured: World) -> None:
    world = unconfigured
    for person in (world.moderator, world.alice):
        result = await person.slash(world.general, "equipe configurer", salon_equipe=world.general)
        assert "Gérer le serveur" in said(result).content
    proposal = await world.alice.slash(
        world.general, "fabrique proposer", format="atelier", parcours="classique", duree=90
    )
    assert proposal.modal is None  # still unconfigured: the refused attempts stored nothing
    assert_refused(world.env, "error.admin_only", "error.admin_only", "error.not_configured.team_channel")


async def test_configuration_without_options_shows_it_unchanged(world: World) -> None:
    result = await world.admin.slash(world.general, "equipe configurer")
    message = said(result)
    assert "inchangée" in message.content
    fields = {field.name: field.value for field in message.embeds[0].fields}
    assert fields["Salon de l'équipe"] == world.team_channel.mention
    assert fields["Rôle équipe"] == world.team_role.mention


async def test_partial_update_moves_the_cards(world: World) -> None:
    other = world.guild.create_text_channel("moderation")
    result = await world.admin.slash(world.general, "equipe configurer", salon_equipe=other)
    fields = {field.name: field.value for field in said(result).embeds[0].fields}
    assert fields["Salon de l'équipe"] == other.mention
    assert fields["Rôle équipe"] == world.team_role.mention
    shown = await world.alice.slash(
        world.general, "fabrique proposer", format="atelier", parcours="classique", duree=90
    )
    await world.alice.submit_modal(shown, {"titre": "Atelier", "description": "Un atelier."})
    assert other.last_message is not None and other.last_message.embeds[0].title.startswith("Proposition n°1")

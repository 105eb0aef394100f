"""Members' side of proposals, including every wrong way in: each refusal is a French sentence and changes nothing."""

from __future__ import annotations

from bot.app import create_bot
from bot.config import GeneralSettings
from tests.behaviour.builders import PROPOSAL, card_state, propose
from tests.behaviour.conftest import World, said
from tests.conftest import make_settings
from tests.support import assert_refused


async def test_modal_fields_carry_the_contract_ids_and_limits(world: World) -> None:
    shown = await world.alice.slash(world.general, "fabrique proposer", format="atelier", parcours="express", duree=90)
    inputs = {row["component"]["custom_id"]: row["component"] for row in shown.modal["components"]}
    assert set(inputs) == {"titre", "description", "intervenant", "besoins"}
    assert inputs["titre"]["max_length"] == 100
    assert inputs["description"]["max_length"] == 2000
    assert inputs["intervenant"]["required"] is False


async def test_non_member_cannot_propose(world: World) -> None:
    result = await world.outsider.slash(
        world.general, "fabrique proposer", format="atelier", parcours="classique", duree=90
    )
    assert result.modal is None
    assert "réservée aux membres" in said(result).content
    assert world.team_channel.last_message is None
    assert_refused(world.env, "error.members_only")


async def test_proposing_before_configuration_says_what_to_do(unconfigured: World) -> None:
    result = await unconfigured.alice.slash(
        unconfigured.general, "fabrique proposer", format="atelier", parcours="classique", duree=90
    )
    assert result.modal is None
    assert "/equipe configurer" in said(result).content
    assert_refused(unconfigured.env, "error.not_configured.team_channel")


async def test_blank_title_is_refused_and_the_text_given_back(world: World) -> None:
    result = await propose(world, titre="   ")
    messages = [m.content for m in result.followups] or [said(result).content]
    assert any("« titre » est obligatoire" in m for m in messages)
    assert any(PROPOSAL["description"] in m for m in messages)
    assert world.team_channel.last_message is None
    mine = await world.alice.slash(world.general, "fabrique mes-fabriques")
    assert "aucune Fabrique" in said(mine).embeds[0].description
    assert_refused(world.env, "error.input.empty")


async def test_mentions_in_a_proposal_ping_nobody(world: World) -> None:
    result = await propose(world, titre=f"@everyone {world.team_role.mention} venez !")
    assert not said(result).message.mention_everyone
    card = world.team_channel.last_message
    assert not card.mention_everyone and card.role_mentions == []
    await world.moderator.click(card, label="Approuver")
    dm = world.dms(world.alice)[-1]
    assert "@everyone" in dm.content and not dm.mention_everyone


async def test_coorganizer_is_told_and_may_edit(world: World) -> None:
    shown = await world.alice.slash(
        world.general,
        "fabrique proposer",
        format="living_lab",
        parcours="classique",
        duree=150,
        coorganisateur=world.bob,
    )
    await world.alice.submit_modal(shown, PROPOSAL)
    assert f"<@{world.bob.id}>" in str(world.team_channel.last_message.embeds[0].to_dict())
    shown = await world.bob.slash(world.general, "fabrique modifier", fabrique=1)
    edited = await world.bob.submit_modal(shown, {**PROPOSAL, "titre": "Living lab des tiers-lieux"})
    assert "version 2" in said(edited).content
    await world.moderator.click(world.team_channel.last_message, label="Approuver")
    assert "approuvée" in world.dms(world.alice)[-1].content
    assert "approuvée" in world.dms(world.bob)[-1].content
    mine = await world.bob.slash(world.general, "fabrique mes-fabriques")
    assert "Living lab des tiers-lieux" in said(mine).embeds[0].description


async def test_self_as_coorganizer_is_refused(world: World) -> None:
    shown = await world.alice.slash(
        world.general,
        "fabrique proposer",
        format="atelier",
        parcours="classique",
        duree=90,
        coorganisateur=world.alice,
    )
    result = await world.alice.submit_modal(shown, PROPOSAL)
    assert any("autre personne" in m.content for m in [*result.followups, said(result)])
    assert world.team_channel.last_message is None
    assert_refused(world.env, "error.input.coorganizer_self")


async def test_edit_refusals(world: World) -> None:
    await propose(world)
    unknown = await world.alice.slash(world.general, "fabrique modifier", fabrique=99)
    assert unknown.modal is None and "Aucune Fabrique n°99" in said(unknown).content
    other = await world.bob.slash(world.general, "fabrique modifier", fabrique=1)
    assert other.modal is None and "Seul·e l'organisateur·ice" in said(other).content
    shown = await world.moderator.click(world.team_channel.last_message, label="Refuser")
    await world.moderator.submit_modal(shown, {"motif": "Hors du périmètre de la communauté."})
    closed = await world.alice.slash(world.general, "fabrique modifier", fabrique=1)
    assert closed.modal is None and "ne peut plus être modifiée" in said(closed).content
    assert card_state(world) == "**refusée**"
    assert_refused(world.env, "error.unknown_fabrique", "error.not_organizer", "error.state.edit")


async def test_edit_keeps_options_unless_given(world: World) -> None:
    await propose(world)
    shown = await world.alice.slash(world.general, "fabrique modifier", fabrique=1, duree=150)
    defaults = {row["component"]["custom_id"]: row["component"].get("value") for row in shown.modal["components"]}
    assert defaults["titre"] == PROPOSAL["titre"]
    await world.alice.submit_modal(shown, PROPOSAL)
    embed = world.team_channel.last_message.embeds[0].to_dict()
    assert "2h30" in str(embed) and "Arpentage" in str(embed)


async def test_withdraw(world: World) -> None:
    await propose(world)
    other = await world.bob.slash(world.general, "fabrique retirer", fabrique=1)
    assert "Seul·e l'organisateur·ice" in said(other).content
    done = await world.alice.slash(world.general, "fabrique retirer", fabrique=1)
    assert "est retirée" in said(done).content
    assert card_state(world) == "**retirée**"
    assert world.team_channel.last_message.components == []
    again = await world.alice.slash(world.general, "fabrique retirer", fabrique=1)
    assert "Impossible de retirer" in said(again).content
    assert_refused(world.env, "error.not_organizer", "error.state.withdraw")


async def test_autocomplete_offers_only_own_editable_proposals(world: World) -> None:
    await propose(world)
    await propose(world, titre="Deuxième idée")
    await propose(world, actor=world.bob, titre="Idée de Bob")
    await world.alice.slash(world.general, "fabrique retirer", fabrique=1)
    choices = await world.alice.autocomplete(world.general, "fabrique modifier", "fabrique", "")
    assert [choice["value"] for choice in choices] == [2]
    assert "Deuxième idée" in choices[0]["name"]


async def test_english_guild_reads_english(tmp_path) -> None:
    from tests.behaviour.conftest import build_world, configure, running

    settings = make_settings(tmp_path).model_copy(update={"general": GeneralSettings(language="en")})
    async with running(create_bot(settings)) as env:
        world = build_world(env)
        await configure(world, expected="saved")
        result = await propose(world)
        assert "sent to the team" in said(result).content
        assert world.team_channel.last_message.components[0].children[0].label == "Approve"

"""The team's week of corrections: a typo in an announced title, a Fabrique whose organizer is away, an organizer's
late edit the team takes back, and what a correction refuses — each as the team and the members live it."""

from __future__ import annotations

import discord
import simcord
from sqlalchemy import select

from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.models import FabriqueRow, RegistrationRow
from tests.behaviour.builders import PROPOSAL, announced_session, approved_fabrique, places_field, texts
from tests.behaviour.conftest import World, restart, said
from tests.support import assert_refused


def card_of(world: World, number: int) -> discord.Message:
    """The moderation card of Fabrique ``number`` in the team channel."""
    return next(
        message
        for message in reversed(world.team_channel.history())
        if message.embeds and (message.embeds[0].title or "").startswith(f"Proposition n°{number} ")
    )


def card_field(world: World, number: int, name: str) -> str:
    embed = card_of(world, number).embeds[0]
    return next(field.value for field in embed.fields if field.name == name)


def form_defaults(shown: simcord.InteractionResult) -> dict[str, str]:
    """What the form shows before anyone types (an empty field has no value)."""
    return {row["component"]["custom_id"]: row["component"].get("value") or "" for row in shown.modal["components"]}


async def correct(world: World, number: int, actor=None, fields: dict[str, str] | None = None, **options: object):
    """``/equipe modifier`` then the form, changing only ``fields``; returns what the person read."""
    actor = actor or world.moderator
    shown = await actor.slash(world.general, "equipe modifier", fabrique=number, **options)
    assert shown.modal is not None, said(shown).content
    submitted = await actor.submit_modal(shown, {**form_defaults(shown), **(fields or {})})
    return said(submitted).content


async def db_rows(world: World, model, number: int) -> list:
    engine = create_engine(world.env.bot.settings.database.url)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(model).where(model.fabrique_id == number))).mappings().all()
    await engine.dispose()
    return list(rows)


async def test_a_typo_in_an_announced_title_is_fixed_everywhere_without_losing_anyone(world: World) -> None:
    number = await announced_session(world)
    announcement = world.agenda.last_message
    await world.bob.click(announcement, label="S'inscrire")
    bob_heard = len(texts(world, world.bob))
    assert "Numérique responsable" in announcement.embeds[0].title

    shown = await world.moderator.slash(world.general, "equipe modifier", fabrique=number)
    assert form_defaults(shown)["titre"] == PROPOSAL["titre"]  # the form opens on the current text
    fixed = "Arpenter le MOOC « Numérique responsable » (modules 1 à 3)"
    done = await world.moderator.submit_modal(shown, {**form_defaults(shown), "titre": fixed})
    assert "est corrigée" in said(done).content and "aucun e-mail" in said(done).content
    await world.env.settle()

    assert world.agenda.last_message.embeds[0].title == fixed
    (event,) = world.env.bot.get_guild(world.guild.id).scheduled_events
    assert event.name == fixed
    assert card_of(world, number).embeds[0].title == f"Proposition n°{number} — {fixed}"
    edits = card_field(world, number, "Modifications")
    assert f"<@{world.moderator.id}>" in edits and "titre :" in edits and "→" in edits
    assert "(modules 1 à 3)" in edits.split("→")[1]
    # Registrations intact and the registrant is not bothered (that no e-mail leaves either is shown against a
    # real SMTP server in tests/integration/test_team_edits_copies.py).
    assert places_field(world).startswith("1 ")
    assert [r["user_id"] for r in await db_rows(world, RegistrationRow, number)] == [world.bob.id]
    assert len(texts(world, world.bob)) == bob_heard
    # The organizer hears what the team changed.
    assert "L'équipe a corrigé votre Fabrique" in texts(world, world.alice)[-1]
    assert_refused(world.env)


async def test_the_team_reassigns_a_fabrique_and_manages_its_coorganizers(world: World) -> None:
    number = await approved_fabrique(world)
    claire = world.guild.add_member(world.env.create_user("claire"), roles=[world.member_role])
    dominique = world.guild.add_member(world.env.create_user("dominique"), roles=[world.member_role])

    # Alice is away for months: Bob takes the Fabrique over.
    reply = await correct(world, number, organisateur=world.bob)
    assert "organisation" in reply
    assert "vous en êtes désormais l'organisateur·ice" in texts(world, world.bob)[-1]
    assert "vous n'en êtes plus l'organisateur·ice" in texts(world, world.alice)[-1]
    assert card_field(world, number, "Organisation") == f"<@{world.bob.id}>"

    await correct(world, number, ajouter_coorganisateur=claire)
    await correct(world, number, ajouter_coorganisateur=dominique)
    assert card_field(world, number, "Organisation") == f"<@{world.bob.id}> · <@{claire.id}> · <@{dominique.id}>"
    assert "Vous coorganisez désormais" in texts(world, claire)[0]
    assert "Vous coorganisez désormais" in texts(world, dominique)[-1]

    await correct(world, number, retirer_coorganisateur=claire)
    assert card_field(world, number, "Organisation") == f"<@{world.bob.id}> · <@{dominique.id}>"
    assert "Vous ne coorganisez plus" in texts(world, claire)[-1]
    assert f"<@{claire.id}>" in card_field(world, number, "Modifications")  # before → after names her

    # Organizer rights follow: Dominique (co-organizer) may edit; Alice no longer may; Claire no longer may.
    shown = await dominique.slash(world.general, "fabrique modifier", fabrique=number)
    await dominique.submit_modal(shown, {**form_defaults(shown), "besoins": "Un tableau blanc partagé"})
    mine = await dominique.slash(world.general, "fabrique mes-fabriques")
    assert f"n°{number}" in said(mine).embeds[0].description
    for former in (world.alice, claire):
        refused = await former.slash(world.general, "fabrique modifier", fabrique=number)
        assert refused.modal is None
    assert_refused(world.env, "error.not_organizer", "error.not_organizer")


async def test_the_team_sees_an_organizers_late_edit_and_undoes_it(world: World) -> None:
    number = await announced_session(world)
    before = PROPOSAL["description"]
    shown = await world.alice.slash(world.general, "fabrique modifier", fabrique=number)
    assert shown.modal is not None  # an announced session can still be edited by its organizer
    rewritten = "Tout autre chose : un atelier sur les tiers-lieux."
    edited = await world.alice.submit_modal(shown, {**form_defaults(shown), "description": rewritten})
    assert "est modifiée" in said(edited).content
    await world.env.settle()
    assert world.agenda.last_message.embeds[0].description == rewritten

    edits = card_field(world, number, "Modifications")
    assert f"<@{world.alice.id}>" in edits and "description :" in edits
    assert before[:40] in edits.split("→")[0] and "tiers-lieux" in edits.split("→")[1]

    # Only the team may take it back (a button's refusal is answered, not raised: the organizer reads it).
    refused = await world.alice.click(card_of(world, number), label="Annuler la modification")
    assert "Seule l'équipe" in said(refused).content
    assert world.agenda.last_message.embeds[0].description == rewritten
    undone = await world.moderator.click(card_of(world, number), label="Annuler la modification")
    assert "retrouvé ses valeurs précédentes" in said(undone).content
    await world.env.settle()
    assert world.agenda.last_message.embeds[0].description == before
    (event,) = world.env.bot.get_guild(world.guild.id).scheduled_events
    assert event.description == before
    assert "annulée par" in card_field(world, number, "Modifications")
    assert not [c for c in card_of(world, number).components for child in c.children if child.label]
    assert_refused(world.env)


async def test_the_undo_button_still_works_after_a_restart(world: World, settings: Settings) -> None:
    number = await announced_session(world)
    shown = await world.alice.slash(world.general, "fabrique modifier", fabrique=number)
    await world.alice.submit_modal(shown, {**form_defaults(shown), "intervenant": "Camille Dupont"})
    await restart(world.env, settings)
    undone = await world.moderator.click(card_of(world, number), label="Annuler la modification")
    assert "retrouvé ses valeurs précédentes" in said(undone).content
    await world.env.settle()
    assert "Camille Dupont" not in str(world.agenda.last_message.embeds[0].to_dict())
    assert_refused(world.env)


async def test_what_a_correction_refuses(world: World) -> None:
    number = await announced_session(world, places=3)
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    claire = world.guild.add_member(world.env.create_user("claire"), roles=[world.member_role])
    await claire.click(world.agenda.last_message, label="S'inscrire")

    by_member = await world.alice.slash(world.general, "equipe modifier", fabrique=number)
    assert by_member.modal is None and "Seule l'équipe" in said(by_member).content
    too_few = await world.moderator.slash(world.general, "equipe modifier", fabrique=number, places=1)
    assert too_few.modal is None and "2 personnes ont déjà une place" in said(too_few).content
    assert_refused(world.env, "error.team_only", "error.correct.places_below_registered")

    # Raising the places is fine, and lowering to exactly the seats taken too: nobody loses a seat.
    await correct(world, number, places=2)
    assert places_field(world).startswith("2 ")

    await world.moderator.slash(world.general, "equipe annuler", fabrique=number, motif="Imprévu")
    cancelled = await world.moderator.slash(world.general, "equipe modifier", fabrique=number)
    assert cancelled.modal is None and "ne peut plus être corrigée" in said(cancelled).content
    assert_refused(world.env, "error.state.correct")


async def test_a_documented_fabrique_is_no_longer_corrected(world: World) -> None:
    number = await approved_fabrique(world)
    engine = create_engine(world.env.bot.settings.database.url)
    async with engine.begin() as connection:  # documented: the article now holds the record of the session
        await connection.execute(
            FabriqueRow.__table__.update().where(FabriqueRow.id == number).values(state="documented")
        )
    await engine.dispose()
    refused = await world.moderator.slash(world.general, "equipe modifier", fabrique=number)
    assert refused.modal is None and "elle est documentée" in said(refused).content
    assert_refused(world.env, "error.state.correct")

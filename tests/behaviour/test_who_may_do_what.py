"""Who may do what: documentation buttons, the team's slot list, places raised with people waiting (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime

import simcord
from sqlalchemy import update

from bot.db.engine import create_engine
from bot.db.models import DocumentationRow, FabriqueRow
from bot.errors import Forbidden
from tests.behaviour.builders import (
    ZOOM,
    add_slot,
    announced_session,
    held_session,
    local_date,
    places_field,
    row,
)
from tests.behaviour.conftest import World, restart, said


async def documented_by_the_team(world: World, settings) -> int:
    """A held session of Alice's that a team member documented: the « Publier » DM is the team member's."""
    number = await held_session(world, settings)
    shown = await world.moderator.slash(world.general, "fabrique documenter", fabrique=number)
    await world.moderator.submit_modal(shown, {"notes": "Idées clés : mutualiser les outils.", "ressources": ""})
    await world.env.settle(timeout=30)
    assert "est prête" in world.dms(world.moderator)[-1].content
    return number


def buttons(message) -> list[str]:
    return [child.label for row_ in message.components for child in row_.children]


def lose_team_role(world: World, actor: simcord.MemberActor) -> None:
    world.env.backend.remove_member_role(world.guild.id, actor.id, world.team_role.id)


async def test_retry_checks_the_right_before_publishing_anything(world: World, settings) -> None:
    number = await documented_by_the_team(world, settings)
    engine = create_engine(settings.database.url)
    async with engine.begin() as connection:  # a publication cut short by a stop: the restart offers « Réessayer »
        await connection.execute(
            update(DocumentationRow)
            .where(DocumentationRow.fabrique_id == number)
            .values(status="publishing", updated_at=datetime(2020, 1, 1, tzinfo=UTC))
        )
    await engine.dispose()
    await restart(world.env, settings)
    progress = world.dms(world.moderator)[-1]
    assert buttons(progress) == ["Réessayer"], progress.content

    lose_team_role(world, world.moderator)
    refused = await world.moderator.user.click(progress, label="Réessayer")

    assert "Seule l'organisation de cette Fabrique ou l'équipe" in said(refused).content
    assert world.forum.threads == []
    stored = await row(settings, DocumentationRow, number)
    assert stored["status"] == "failed" and stored["forum_thread_id"] is None
    assert (await row(settings, FabriqueRow, number))["state"] == "documenting"


async def test_publish_checks_the_right_before_publishing_anything(world: World, settings) -> None:
    number = await documented_by_the_team(world, settings)
    progress = world.dms(world.moderator)[-1]
    lose_team_role(world, world.moderator)
    refused = await world.moderator.user.click(progress, label="Publier")
    assert "Seule l'organisation de cette Fabrique ou l'équipe" in said(refused).content
    assert world.forum.threads == []
    assert (await row(settings, DocumentationRow, number))["status"] == "ready"


async def test_the_slot_list_with_bookings_is_for_the_team(world: World) -> None:
    number = await announced_session(world)
    refused = await world.alice.slash(world.general, "equipe creneaux")
    assert said(refused).content == "Seule l'équipe peut faire cela."
    assert said(refused).embeds == []
    simcord.assert_error(world.env, Forbidden, contains="error.team_only")
    shown = await world.moderator.slash(world.general, "equipe creneaux")
    assert f"n°{number}" in said(shown).embeds[0].description


async def test_more_places_seat_the_waitlist_in_order(world: World) -> None:
    number = await announced_session(world, places=2)
    announcement = world.agenda.last_message
    carla, dani, emma = (
        world.guild.add_member(world.env.create_user(n), roles=[world.member_role]) for n in ("carla", "dani", "emma")
    )
    for person in (world.bob, world.moderator, carla, dani, emma):
        await person.click(announcement, label="S'inscrire")

    later = await add_slot(world, local_date(world, 25))
    moved = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=later, places=4)

    assert "déplacée" in said(moved).content
    for promoted in (carla, dani):
        assert any("Une place s'est libérée" in m.content for m in world.dms(promoted)), promoted.name
        link = await promoted.slash(world.general, "fabrique lien", fabrique=number)
        assert ZOOM in said(link).content
    assert not any("Une place s'est libérée" in m.content for m in world.dms(emma))
    await world.env.advance_time(6)
    assert places_field(world) == "4 inscrit·e(s) sur 4 places — 0 place(s) libre(s)\n1 personne(s) en liste d'attente"

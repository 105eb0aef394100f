"""Steps shared by the session tests: an approved Fabrique, a slot, a booking, an announcement."""

from __future__ import annotations

from datetime import timedelta

from tests.behaviour.conftest import World, said
from tests.behaviour.test_moderation_flow import propose

ZOOM = "https://us02web.zoom.us/j/81234567890?pwd=secret"


async def approved_fabrique(world: World, actor=None, **values: str) -> int:
    result = await propose(world, actor=actor, **values)
    number = int(said(result).content.split("n°")[1].split("**")[0])
    await world.moderator.click(world.team_channel.last_message, label="Approuver")
    return number


def local_date(world: World, days: int) -> str:
    return (world.env.now() + timedelta(days=days)).strftime("%d/%m/%Y")


async def add_slot(world: World, date: str, heure: str = "14:00", duree: int = 150) -> int:
    result = await world.moderator.slash(world.general, "equipe creneau-ajouter", date=date, heure=heure, duree=duree)
    text = said(result).content
    assert "ouvert" in text, text
    return int(text.split("n°")[1].split("**")[0])


async def announced_session(world: World, *, places: int | None = None, days: int = 20) -> int:
    number = await approved_fabrique(world)
    slot = await add_slot(world, local_date(world, days))
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    options = {"places": places} if places is not None else {}
    booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot, **options)
    assert "annoncée" in said(booked).content, said(booked).content
    return number

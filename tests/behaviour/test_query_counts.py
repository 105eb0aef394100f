"""Years of history cost nothing, through Discord: ``/equipe suivi``, ``/fabrique agenda``, ``/fabrique
mes-fabriques`` and every autocomplete run as many SQL statements with 50 sessions behind them as with 5 (issue 17).

The history is written through the bot's own services (what the commands would have stored, without the Discord
round trips that would only slow the test down); the interactions then go through SimCord, and the statements are
counted on the bot's engine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import event

from bot.domain.lifecycle import Action, Actor
from bot.domain.proposal import Format, Parcours, ProposalDraft
from tests.behaviour.builders import ZOOM, local_date
from tests.behaviour.conftest import World, said
from tests.conftest import GUILD_ID

AGENDA_MESSAGE = 900000000000000000


@contextmanager
def counted(world: World) -> Iterator[list[int]]:
    """A one-item list holding how many SQL statements the bot's engine ran since it was reset to 0."""
    engine = world.env.bot.engine
    assert engine is not None
    seen = [0]

    def count(*_args: Any) -> None:
        seen[0] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def add_history(world: World, start: int, end: int) -> None:
    """Alice's Fabriques number ``start`` to ``end - 1``, one a day from 10 days on: a third held, a third cancelled,
    a third announced and to come; every fifth a series of two instead, approved and waiting for its dates; a free
    slot beside each."""
    services = world.env.bot.services
    alice, team, bot = Actor(world.alice.user.id), Actor(world.moderator.user.id, is_team=True), Actor(1, is_team=True)
    draft = ProposalDraft(Format.ATELIER, Parcours.CLASSIQUE, 120, "Atelier d'écriture", "Écrire ensemble.")
    series = replace(draft, sessions=2, rhythm="un jeudi sur deux")
    for n in range(start, end):
        fabrique = await services.proposals.propose(GUILD_ID, alice, series if n % 5 == 4 else draft)
        await services.proposals.decide(GUILD_ID, fabrique.id, team, Action.APPROVE)
        day = local_date(world, 10 + n)
        await services.slots.add(GUILD_ID, team, day, "18:00", 60)  # stays free
        if n % 5 == 4:
            continue
        slot = await services.slots.add(GUILD_ID, team, day, "10:00", 180)
        await services.slots.book(GUILD_ID, fabrique.id, slot.id, alice)
        await services.sessions.set_zoom_link(GUILD_ID, fabrique.id, team, ZOOM)
        await services.sessions.mark_announced(GUILD_ID, fabrique.id, bot, world.agenda.id, AGENDA_MESSAGE + n, None)
        if n % 3 == 0:
            await services.timeline.advance(fabrique.id, Action.END, bot)
        elif n % 3 == 1:
            await services.sessions.cancel(GUILD_ID, fabrique.id, team, "Plus de salle ce jour-là.")


def interactions(world: World) -> dict[str, Callable[[], Awaitable[object]]]:
    alice, camille, general = world.alice, world.moderator, world.general

    async def shown(actor: Any, command: str) -> object:
        return said(await actor.slash(general, command))

    def offered(actor: Any, command: str, option: str) -> Callable[[], Awaitable[object]]:
        return lambda: actor.autocomplete(general, command, option, "")

    return {
        "/equipe suivi": lambda: shown(camille, "equipe suivi"),
        "/fabrique agenda": lambda: shown(alice, "fabrique agenda"),
        "/fabrique mes-fabriques": lambda: shown(alice, "fabrique mes-fabriques"),
        "fabrique inscrire: fabrique": offered(alice, "fabrique inscrire", "fabrique"),
        "fabrique retirer: fabrique": offered(alice, "fabrique retirer", "fabrique"),
        "fabrique modifier: fabrique": offered(alice, "fabrique modifier", "fabrique"),
        "fabrique reserver: fabrique": offered(alice, "fabrique reserver", "fabrique"),
        "fabrique reserver: creneau": offered(alice, "fabrique reserver", "creneau"),
        "equipe annuler: fabrique": offered(camille, "equipe annuler", "fabrique"),
        "equipe creneau-retirer: creneau": offered(camille, "equipe creneau-retirer", "creneau"),
    }


async def statements(world: World) -> dict[str, int]:
    counts = {}
    with counted(world) as seen:
        for name, call in interactions(world).items():
            await call()  # the first time may read what changed (the agenda); the second is what people get
            seen[0] = 0
            await call()
            counts[name] = seen[0]
    return counts


async def test_interactions_run_as_many_statements_with_50_sessions_as_with_5(world: World) -> None:
    await add_history(world, 0, 5)
    few = await statements(world)
    agenda_before = said(await world.alice.slash(world.general, "fabrique agenda")).embeds[0].description

    await add_history(world, 5, 50)
    many = await statements(world)
    agenda_after = said(await world.alice.slash(world.general, "fabrique agenda")).embeds[0].description

    assert many == few
    assert agenda_after.count("\n") > agenda_before.count("\n")  # the history did reach what they read
    assert all(count > 0 for count in few.values())

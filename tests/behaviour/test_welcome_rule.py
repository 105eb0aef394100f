"""The team's months with the welcome rule: `/equipe accueil` sets « the first Tuesday of each month at 12:30 » once,
and the bot keeps the next session announced, one after the other, until the team stops it.

SimCord's clock starts on Thursday 1 January 2026 (UTC); the guild is in Europe/Paris (UTC+1 in winter, +2 from
29 March). ``[sessions] announce_days`` is 30.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from simcord.backend.errors import OptionError
from sqlalchemy import select

from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.models import FabriqueRow
from tests.behaviour.builders import ZOOM, add_slot, move_to
from tests.behaviour.conftest import World, restart, said
from tests.support import assert_refused

TUESDAY, FIRST = 1, 1
RULE = {"jour": TUESDAY, "rang": FIRST, "heure": "12:30", "lien": ZOOM, "places": 20}
JANUARY = datetime(2026, 1, 6, 11, 30, tzinfo=UTC)  # 12:30 in Paris, winter time
FEBRUARY = datetime(2026, 2, 3, 11, 30, tzinfo=UTC)
MARCH = datetime(2026, 3, 3, 11, 30, tzinfo=UTC)
APRIL = datetime(2026, 4, 7, 10, 30, tzinfo=UTC)  # 12:30 in Paris, summer time
HALF_HOUR = timedelta(minutes=30)


async def welcome_sessions(settings: Settings) -> list[tuple[int, datetime, str]]:
    """Every welcome session in the database: number, start (UTC), state — in the order they were made."""
    engine = create_engine(settings.database.url)
    async with engine.connect() as connection:
        query = (
            select(FabriqueRow.id, FabriqueRow.starts_at, FabriqueRow.state)
            .where(FabriqueRow.kind == "welcome")
            .order_by(FabriqueRow.id)
        )
        rows = (await connection.execute(query)).all()
    await engine.dispose()
    return [(number, starts_at.replace(tzinfo=UTC), str(state)) for number, starts_at, state in rows]


def announcements(world: World) -> list[str]:
    """The titles of the welcome announcements posted in the agenda channel."""
    return [m.embeds[0].title for m in world.agenda.history() if m.embeds and m.embeds[0].title.startswith("30 min")]


async def set_rule(world: World, **options: object) -> str:
    """The moderator sets the rule of RULE with these options changed (None: the option is left out)."""
    given = {name: value for name, value in {**RULE, **options}.items() if value is not None}
    return said(await world.moderator.slash(world.general, "equipe accueil", **given)).content


async def test_the_rule_announces_one_session_then_the_next_each_month(world: World, settings: Settings) -> None:
    text = await set_rule(world)
    assert "Règle des sessions d'accueil enregistrée" in text
    assert "le premier mardi de chaque mois à 12:30, 30 min, 20 places" in text
    assert "1 session(s) d'accueil programmée(s) et annoncée(s)" in text and "mardi 6 janvier 2026 à 12:30" in text
    # One session, not twelve.
    assert [(s, state) for _, s, state in await welcome_sessions(settings)] == [(JANUARY, "announced")]
    assert len(announcements(world)) == 1

    # January's session is held: February's (28 days later, within the 30 days) is announced at once.
    await move_to(world, JANUARY + HALF_HOUR + timedelta(minutes=1))
    assert [(s, state) for _, s, state in await welcome_sessions(settings)] == [
        (JANUARY, "held"),
        (FEBRUARY, "announced"),
    ]
    assert len(announcements(world)) == 2

    await move_to(world, FEBRUARY + HALF_HOUR + timedelta(minutes=1))
    await move_to(world, MARCH + HALF_HOUR + timedelta(minutes=1))
    # April's first Tuesday is 35 days after March's: it waits until 30 days before it…
    assert [s for _, s, _ in await welcome_sessions(settings)] == [JANUARY, FEBRUARY, MARCH]
    await move_to(world, APRIL - timedelta(days=30, minutes=1))
    assert len(await welcome_sessions(settings)) == 3
    # …and then comes at 12:30 Paris time, summer time now (10:30 UTC).
    await move_to(world, APRIL - timedelta(days=30))
    assert [(s, state) for _, s, state in await welcome_sessions(settings)][-1] == (APRIL, "announced")
    assert len(announcements(world)) == 4
    assert_refused(world.env)


async def test_a_restart_makes_no_second_session(world: World, settings: Settings) -> None:
    await set_rule(world)
    await move_to(world, JANUARY + HALF_HOUR + timedelta(minutes=1))
    before = await welcome_sessions(settings)
    assert [s for _, s, _ in before] == [JANUARY, FEBRUARY]

    await restart(world.env, settings)
    await world.env.bot.run_due_work()
    await world.env.bot.run_due_work()
    assert await welcome_sessions(settings) == before
    assert len(announcements(world)) == 2
    # The rule survived the restart: March still comes when February is held.
    await move_to(world, FEBRUARY + HALF_HOUR + timedelta(minutes=1))
    assert [s for _, s, _ in await welcome_sessions(settings)] == [JANUARY, FEBRUARY, MARCH]
    assert_refused(world.env)


async def test_skipping_one_date_cancels_only_it_and_the_next_still_comes(world: World, settings: Settings) -> None:
    await set_rule(world)
    [(january, _, _)] = await welcome_sessions(settings)
    cancelled = await world.moderator.slash(world.general, "equipe annuler", fabrique=january, motif="Jour férié")
    assert "est annulée" in said(cancelled).content
    await world.env.bot.run_due_work()
    assert await welcome_sessions(settings) == [(january, JANUARY, "cancelled")]  # not made again

    await move_to(world, JANUARY + HALF_HOUR + timedelta(minutes=1))
    sessions = await welcome_sessions(settings)
    assert [(s, state) for _, s, state in sessions] == [(JANUARY, "cancelled"), (FEBRUARY, "announced")]
    assert_refused(world.env)


async def test_stopping_the_rule_stops_the_renewal_and_keeps_what_is_announced(
    world: World, settings: Settings
) -> None:
    await set_rule(world)
    [(january, _, _)] = await welcome_sessions(settings)
    text = said(await world.moderator.slash(world.general, "equipe accueil", arreter=True)).content
    assert "Règle des sessions d'accueil arrêtée" in text
    assert f"n°{january}" in text and "déjà programmé reste" in text

    await move_to(world, JANUARY + HALF_HOUR + timedelta(minutes=1))
    await move_to(world, FEBRUARY + HALF_HOUR)
    assert [(s, state) for _, s, state in await welcome_sessions(settings)] == [(JANUARY, "held")]

    again = await world.moderator.slash(world.general, "equipe accueil", arreter=True)
    assert "Aucune règle" in said(again).content
    assert_refused(world.env, "error.welcome.no_rule")


async def test_setting_the_rule_again_says_what_changed_and_keeps_the_announced_session(
    world: World, settings: Settings
) -> None:
    await set_rule(world)
    [(january, _, _)] = await welcome_sessions(settings)
    text = said(await world.moderator.slash(world.general, "equipe accueil", heure="13:00")).content
    assert "Règle des sessions d'accueil remplacée" in text
    assert "heure : 12:30 → 13:00" in text and "places" not in text.split("Ce qui change")[1]
    assert f"n°{january}" in text  # kept as it was
    assert [(s, state) for _, s, state in await welcome_sessions(settings)] == [(JANUARY, "announced")]

    await move_to(world, JANUARY + HALF_HOUR + timedelta(minutes=1))
    assert [s for _, s, _ in await welcome_sessions(settings)] == [JANUARY, FEBRUARY + HALF_HOUR]
    assert_refused(world.env)


async def test_nombre_keeps_that_many_sessions_announced(world: World, settings: Settings) -> None:
    text = await set_rule(world, nombre=2)
    assert "2 session(s) d'accueil programmée(s)" in text
    assert [s for _, s, _ in await welcome_sessions(settings)] == [JANUARY, FEBRUARY]
    await move_to(world, JANUARY + HALF_HOUR + timedelta(minutes=1))
    assert [s for _, s, _ in await welcome_sessions(settings)] == [JANUARY, FEBRUARY, MARCH]
    assert_refused(world.env)


async def test_refusals_change_nothing(world: World, settings: Settings) -> None:
    refused = await world.alice.slash(world.general, "equipe accueil", **RULE)
    assert "Seule l'équipe" in said(refused).content
    assert_refused(world.env, "error.team_only")

    bad_hour = await world.moderator.slash(world.general, "equipe accueil", **{**RULE, "heure": "25:00"})
    assert "Heure illisible" in said(bad_hour).content
    assert_refused(world.env, "error.input.time")

    with pytest.raises(OptionError):  # Discord itself offers only the five ranks (the service refuses others too)
        await world.moderator.slash(world.general, "equipe accueil", **{**RULE, "rang": 5})

    incomplete = await world.moderator.slash(world.general, "equipe accueil", heure="12:30")
    assert "première règle" in said(incomplete).content
    assert_refused(world.env, "error.welcome.incomplete")

    assert await welcome_sessions(settings) == []
    assert announcements(world) == []


async def test_one_date_moved_alone_is_not_made_again(world: World, settings: Settings) -> None:
    await set_rule(world)
    [(january, _, _)] = await welcome_sessions(settings)
    slot = await add_slot(world, "08/01/2026", "12:30", 30)  # Thursday instead of Tuesday, this month only
    moved = await world.moderator.slash(world.general, "fabrique reserver", fabrique=january, creneau=slot)
    assert "est déplacée" in said(moved).content
    await world.env.bot.run_due_work()
    thursday = datetime(2026, 1, 8, 11, 30, tzinfo=UTC)
    assert await welcome_sessions(settings) == [(january, thursday, "announced")]

    await move_to(world, JANUARY + HALF_HOUR + timedelta(minutes=1))  # the rule's January date is over
    assert [s for _, s, _ in await welcome_sessions(settings)] == [thursday, FEBRUARY]
    assert_refused(world.env)


async def test_a_date_in_the_way_of_a_slot_is_told_to_the_team_once_and_made_when_freed(
    world: World, settings: Settings
) -> None:
    await set_rule(world)
    in_the_way = await add_slot(world, "03/02/2026", "12:00", 60)
    await move_to(world, JANUARY + HALF_HOUR + timedelta(minutes=1))
    await world.env.bot.run_due_work()
    alerts = [m.content for m in world.team_channel.history() if "n'a pas pu être programmée" in m.content]
    assert len(alerts) == 1 and "mardi 3 février 2026 à 12:30" in alerts[0]
    assert [s for _, s, _ in await welcome_sessions(settings)] == [JANUARY]

    removed = await world.moderator.slash(world.general, "equipe creneau-retirer", creneau=in_the_way)
    assert "retiré" in said(removed).content
    await world.env.bot.run_due_work()
    assert [(s, state) for _, s, state in await welcome_sessions(settings)][-1] == (FEBRUARY, "announced")
    assert_refused(world.env)


async def test_without_a_link_each_session_waits_for_the_teams_link(world: World, settings: Settings) -> None:
    text = await set_rule(world, lien=None)
    assert "Règle des sessions d'accueil enregistrée" in text
    [(january, _, state)] = await welcome_sessions(settings)
    assert state == "scheduled" and announcements(world) == []
    assert "lien Zoom" in world.team_channel.last_message.content  # the team is asked for it

    linked = await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=january, url=ZOOM)
    assert "maintenant annoncée" in said(linked).content
    assert await welcome_sessions(settings) == [(january, JANUARY, "announced")]
    assert_refused(world.env)

"""A writing cycle of three sessions, as Alice and the team live it: proposed once with its rhythm, approved with
one click, booked session after session with ``/fabrique reserver`` (a date out of order refused), followed in
« Mes Fabriques », one session moved and one cancelled by the team with ``seance`` — and a single Fabrique next to
it, exactly as before."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
from sqlalchemy import select

from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.models import FabriqueRow
from bot.domain.lifecycle import State
from tests.behaviour.builders import PROPOSAL, add_slot, approved_fabrique, local_date, session_times
from tests.behaviour.conftest import World, said
from tests.support import assert_refused

RHYTHM = "un jeudi sur deux"


async def propose_series(world: World, sessions: int = 3) -> int:
    """Alice proposes a series: the form asks for its rhythm too; the number people will know."""
    shown = await world.alice.slash(
        world.general, "fabrique proposer", format="atelier", parcours="classique", duree=120, sessions=sessions
    )
    assert shown.modal is not None, shown
    fields = [row["component"]["custom_id"] for row in shown.modal["components"]]
    assert fields == ["titre", "description", "intervenant", "besoins", "rythme"]
    result = await world.alice.submit_modal(shown, {**PROPOSAL, "titre": "Cycle d'écriture", "rythme": RHYTHM})
    return int(said(result).content.split("n°")[1].split("**")[0])


def card_of(world: World, number: int) -> discord.Embed:
    """The moderation card of Fabrique ``number`` (there is one per Fabrique, a series included)."""
    cards = [
        message.embeds[0]
        for message in world.team_channel.history()
        if message.embeds and (message.embeds[0].title or "").startswith(f"Proposition n°{number} ")
    ]
    assert len(cards) == 1, f"{len(cards)} cards for n°{number}"
    return cards[0]


def field_of(embed: discord.Embed, name: str) -> str | None:
    return next((field.value for field in embed.fields if field.name == name), None)


async def sessions_of(settings: Settings, home: int) -> list[tuple[int, str, datetime | None]]:
    """Each session of the series as the database holds it: rank, state, start (UTC)."""
    engine = create_engine(settings.database.url)
    async with engine.connect() as connection:
        query = (
            select(FabriqueRow.series_rank, FabriqueRow.state, FabriqueRow.starts_at)
            .where(FabriqueRow.series_id == home)
            .order_by(FabriqueRow.series_rank)
        )
        rows = (await connection.execute(query)).all()
    await engine.dispose()
    return [(rank, state, start.replace(tzinfo=UTC) if start else None) for rank, state, start in rows]


async def book(world: World, number: int, slot: int, **options: object) -> str:
    result = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot, **options)
    return said(result).content


async def test_a_series_is_proposed_approved_once_and_booked_session_after_session(
    world: World, settings: Settings
) -> None:
    number = await propose_series(world)
    assert field_of(card_of(world, number), "Série") == f"Série de 3 séances ({RHYTHM})"
    await world.moderator.click(world.team_channel.last_message, label="Approuver")
    series = field_of(card_of(world, number), "Série") or ""
    assert "0 sur 3 programmées" in series and "Séance 3 · date à fixer" in series
    assert [(rank, state) for rank, state, _ in await sessions_of(settings, number)] == [
        (1, State.APPROVED),
        (2, State.APPROVED),
        (3, State.APPROVED),
    ]

    slots = [await add_slot(world, local_date(world, days)) for days in (20, 27, 34, 41)]
    first = await book(world, number, slots[1])
    assert f"n°{number} · séance 1/3" in first and "réservé" in first
    too_early = await book(world, number, slots[0])  # session 2 may not come before session 1
    assert "La séance 2 doit avoir lieu après la séance 1" in too_early
    assert_refused(world.env, "error.series.before")
    second = await book(world, number, slots[2])
    assert f"n°{number} · séance 2/3" in second

    mine = await world.alice.slash(world.general, "fabrique mes-fabriques")
    listed = said(mine).embeds[0].description or ""
    assert "2 sur 3 programmées" in listed and listed.count(f"n°{number}") == 1  # the series is listed once

    third = await book(world, number, slots[3])
    assert f"n°{number} · séance 3/3" in third
    sessions = await sessions_of(settings, number)
    starts = [start for _, _, start in sessions]
    assert None not in starts and starts == sorted(starts)  # dates follow ranks
    assert [state for _, state, _ in sessions] == [State.SCHEDULED] * 3
    card = field_of(card_of(world, number), "Série") or ""
    assert "3 sur 3 programmées" in card and f"<t:{int(starts[1].timestamp())}:F>" in card
    full = await book(world, number, await add_slot(world, local_date(world, 48)))
    assert "ont déjà leur date" in full and "seance" in full
    assert_refused(world.env, "error.series.all_booked")


async def test_the_team_moves_and_cancels_one_session_of_a_series_with_seance(world: World, settings: Settings) -> None:
    number = await propose_series(world)
    await world.moderator.click(world.team_channel.last_message, label="Approuver")
    for days in (20, 27, 34):
        await book(world, number, await add_slot(world, local_date(world, days)))
    before = await sessions_of(settings, number)

    moved = await world.moderator.slash(
        world.general, "equipe deplacer", fabrique=number, seance=2, date=local_date(world, 29), heure="10:00"
    )
    assert f"n°{number} · séance 2/3" in said(moved).content and "déplacée" in said(moved).content
    after = await sessions_of(settings, number)
    assert after[0] == before[0] and after[2] == before[2]  # only session 2 moved
    assert after[1][2] is not None and after[1][2] != before[1][2]

    out_of_order = await world.moderator.slash(
        world.general, "equipe deplacer", fabrique=number, seance=2, date=local_date(world, 36), heure="10:00"
    )
    assert "avant la séance 3" in said(out_of_order).content
    wrong = await world.moderator.slash(world.general, "equipe annuler", fabrique=number, seance=5, motif="Erreur")
    assert "n'a pas de séance 5 : elle en compte 3" in said(wrong).content
    assert_refused(world.env, "error.series.after", "error.series.no_session")
    assert await sessions_of(settings, number) == after  # refusals change nothing

    cancelled = await world.moderator.slash(
        world.general, "equipe annuler", fabrique=number, seance=3, motif="Salle indisponible"
    )
    assert f"n°{number} · séance 3/3" in said(cancelled).content and "annulée" in said(cancelled).content
    states = [state for _, state, _ in await sessions_of(settings, number)]
    assert states == [State.SCHEDULED, State.SCHEDULED, State.CANCELLED]
    assert "Séance 3 · annulée" in (field_of(card_of(world, number), "Série") or "")

    whole = await world.moderator.slash(world.general, "equipe annuler", fabrique=number, motif="Cycle reporté")
    assert "2 séance(s) à venir annulée(s)" in said(whole).content
    assert [state for _, state, _ in await sessions_of(settings, number)] == [State.CANCELLED] * 3
    assert_refused(world.env)


async def test_a_single_fabrique_is_proposed_booked_and_steered_as_before(world: World, settings: Settings) -> None:
    shown = await world.alice.slash(
        world.general, "fabrique proposer", format="arpentage", parcours="classique", duree=120
    )
    assert shown.modal is not None
    assert [row["component"]["custom_id"] for row in shown.modal["components"]] == [
        "titre",
        "description",
        "intervenant",
        "besoins",
    ]
    number = await approved_fabrique(world)
    assert field_of(card_of(world, number), "Série") is None
    slot = await add_slot(world, local_date(world, 20))
    booked = await book(world, number, slot)
    assert f"La Fabrique **n°{number}** aura lieu" in booked  # the same words as ever
    wrong = await world.moderator.slash(
        world.general, "equipe deplacer", fabrique=number, seance=2, date=local_date(world, 22), heure="10:00"
    )
    assert "n'a pas de séance 2 : elle en compte 1" in said(wrong).content
    assert_refused(world.env, "error.series.no_session")
    start, _ = await session_times(world, settings, number)
    moved = await world.moderator.slash(
        world.general, "equipe deplacer", fabrique=number, seance=1, date=local_date(world, 22), heure="10:00"
    )
    assert f"La Fabrique **n°{number}** est déplacée" in said(moved).content
    assert (await session_times(world, settings, number))[0] != start
    mine = await world.alice.slash(world.general, "fabrique mes-fabriques")
    assert "programmées" not in (said(mine).embeds[0].description or "")
    assert await sessions_of(settings, number) == []  # a single Fabrique has no series rows


async def test_the_organizer_releases_one_session_of_a_series_with_seance(world: World, settings: Settings) -> None:
    number = await propose_series(world)
    await world.moderator.click(world.team_channel.last_message, label="Approuver")
    for days in (20, 27):
        await book(world, number, await add_slot(world, local_date(world, days)))
    released = await world.alice.slash(world.general, "fabrique liberer", fabrique=number, seance=2)
    assert f"n°{number} · séance 2/3" in said(released).content, said(released).content
    states = [(rank, state, start is not None) for rank, state, start in await sessions_of(settings, number)]
    assert states == [(1, State.SCHEDULED, True), (2, State.APPROVED, False), (3, State.APPROVED, False)]
    await world.alice.slash(world.general, "fabrique liberer", fabrique=number, seance=3)
    assert_refused(world.env, "error.state.release")  # session 3 has no date to give back


async def test_the_team_cancels_a_session_of_a_series_that_never_got_a_date(world: World, settings: Settings) -> None:
    """A cycle cut short: its third date was never booked; the team cancels it alone, the series goes on."""
    number = await propose_series(world)
    await world.moderator.click(world.team_channel.last_message, label="Approuver")
    await book(world, number, await add_slot(world, local_date(world, 20)))
    await world.alice.slash(world.general, "equipe annuler", fabrique=number, seance=3, motif="Cycle raccourci")
    assert_refused(world.env, "error.team_only")
    cancelled = await world.moderator.slash(
        world.general, "equipe annuler", fabrique=number, seance=3, motif="Cycle raccourci"
    )
    assert "annulée" in said(cancelled).content, said(cancelled).content
    states = [(rank, state) for rank, state, _ in await sessions_of(settings, number)]
    assert states == [(1, State.SCHEDULED), (2, State.APPROVED), (3, State.CANCELLED)]
    booked = await world.alice.slash(
        world.general, "fabrique reserver", fabrique=number, creneau=await add_slot(world, local_date(world, 27))
    )
    assert "séance 2/3" in said(booked).content, said(booked).content  # the next date without one is session 2

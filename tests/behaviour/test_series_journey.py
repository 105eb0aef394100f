"""A writing cycle of three sessions lived from start to end through Discord, by commands and buttons only: Alice
proposes it once with its rhythm, the team approves it once, she books its three dates, one announcement lists
them, three members register for two places (one waitlisted), Carol says she will miss the second date, the team
moves the second session, Bob leaves and the waitlisted member takes his seat, the bot restarts between two
sessions, each session is reminded to the right people, documented after it ends, and the three chapters gather
in the series' one forum thread and one article."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import discord
import simcord
from sqlalchemy import select

from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.models import FabriqueRow
from tests.behaviour.builders import PROPOSAL, ZOOM, add_slot, local_date, move_to, row, session_times, texts
from tests.behaviour.conftest import World, restart, said

PARIS = ZoneInfo("Europe/Paris")
REPORTS = {
    1: "Nous avons posé le plan du recueil.",
    2: "Chacun a lu son premier texte.",
    3: "Le recueil est prêt à relire.",
}


def reminded(world: World, actor: simcord.MemberActor) -> list[str]:
    """The reminders a person received, by the session they name (« Séance 2 sur 3 »)."""
    return [text.split(" · ")[0] for text in texts(world, actor) if "⏰ Rappel" in text]


def quand(message: discord.Message) -> list[str]:
    """The lines of the series' announcement that list its dates."""
    field = next(f for f in message.embeds[0].fields if (f.name or "").startswith("Quand"))
    return (field.value or "").split("\n")


async def propose_and_approve(world: World) -> int:
    shown = await world.alice.slash(
        world.general, "fabrique proposer", format="atelier", parcours="classique", duree=120, sessions=3
    )
    assert shown.modal is not None
    proposed = await world.alice.submit_modal(
        shown, {**PROPOSAL, "titre": "Cycle d'écriture", "rythme": "un jeudi sur deux"}
    )
    number = int(said(proposed).content.split("n°")[1].split("**")[0])
    await world.moderator.click(world.team_channel.last_message, label="Approuver")
    return number


async def book_three_dates(world: World, number: int) -> None:
    """The team gives each session its Zoom link; Alice books the next session without a date, three times."""
    for rank, days in ((1, 20), (2, 27), (3, 34)):
        await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM, seance=rank)
        slot = await add_slot(world, local_date(world, days))
        options = {"places": 2} if rank == 1 else {}
        booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot, **options)
        assert "annoncée" in said(booked).content, said(booked).content


async def hold(world: World, settings: Settings, session: int) -> None:
    """The day before, the hour before, then the session's end: what is due at each moment is sent."""
    starts_at, ends_at = await session_times(world, settings, session)
    for moment in (starts_at - timedelta(hours=24), starts_at - timedelta(hours=1), ends_at + timedelta(minutes=16)):
        await move_to(world, moment)


async def document(world: World, rank: int) -> None:
    """After the session: the recap prompt names it; Alice hands in the 3P report and publishes it."""
    prompt = next(message for message in reversed(world.dms(world.alice)) if message.components)
    assert f"séance {rank}/3" in prompt.content, prompt.content
    shown = await world.alice.user.click(prompt, label="Compte-rendu 3P")
    assert shown.modal is not None
    await world.alice.user.submit_modal(shown, {"compte_rendu": REPORTS[rank], "ressources": ""})
    await world.env.settle(timeout=30)
    ready = world.dms(world.alice)[-1]
    assert "est prête" in ready.content, ready.content
    published = await world.alice.user.click(ready, label="Publier")
    assert "Publié" in said(published).content, said(published).content


async def test_a_three_session_series_from_proposal_to_its_three_documented_sessions(
    world: World, settings: Settings
) -> None:
    carol = world.guild.add_member(world.env.create_user("Carol"), roles=[world.member_role])
    dave = world.guild.add_member(world.env.create_user("Dave"), roles=[world.member_role])
    number = await propose_and_approve(world)
    sessions = [number, *(await later_sessions(settings, number))]
    await book_three_dates(world, number)
    announcement = world.agenda.last_message
    assert [m for m in world.agenda.history() if m.embeds] == [announcement]  # one announcement for three dates
    assert [line.split(" · ")[0] for line in quand(announcement)] == ["Séance 1", "Séance 2", "Séance 3"]

    replies = [
        said(await person.click(announcement, label="S'inscrire")).content for person in (world.bob, carol, dave)
    ]
    assert "liste d'attente" in replies[2]  # two places: Dave waits
    absent = await carol.slash(world.general, "fabrique absence", fabrique=number, seance=2)
    assert "vous manquerez la séance 2" in said(absent).content, said(absent).content

    moved_to = (world.env.now() + timedelta(days=29)).astimezone(PARIS).strftime("%d/%m/%Y")
    moved = await world.moderator.slash(
        world.general, "equipe deplacer", fabrique=number, seance=2, date=moved_to, heure="18:30"
    )
    assert "déplacée" in said(moved).content, said(moved).content
    (told,) = world.dms(world.bob)  # one DM for the move, naming the session
    assert "séance 2" in told.content and "18:30" in told.content, told.content
    left = await world.bob.click(announcement, label="Se désinscrire")
    assert "est annulée" in said(left).content, said(left).content
    assert "Une place s'est libérée" in world.dms(dave)[-1].content  # promoted from the waitlist, told by DM

    for rank, session in enumerate(sessions, start=1):
        await hold(world, settings, session)
        await document(world, rank)
        if rank == 1:
            await restart(world.env, settings)  # between two sessions: nothing is lost, nothing sent twice

    assert reminded(world, carol) == ["Séance 1 sur 3", "Séance 1 sur 3", "Séance 3 sur 3", "Séance 3 sur 3"]
    assert reminded(world, dave) == [f"Séance {rank} sur 3" for rank in (1, 1, 2, 2, 3, 3)]
    assert reminded(world, world.bob) == []  # he left before the first reminder
    (thread,) = world.forum.threads  # one thread for the series, one message per documented session
    messages = sorted(thread.history(), key=lambda message: message.id)
    assert [m.content.split(" · ")[0] for m in messages] == ["**Séance 1/3**", "**Séance 2/3**", "**Séance 3/3**"]
    chapters = await world.env.bot.services.documentation.series_chapters(number, publishing=sessions[-1])
    assert [chapter.rank for chapter in chapters] == [1, 2, 3]
    assert all(REPORTS[chapter.rank].split()[-1].rstrip(".") in chapter.html for chapter in chapters)
    for session in sessions:
        assert (await row(settings, FabriqueRow, session))["state"] == "documented"


async def later_sessions(settings: Settings, number: int) -> list[int]:
    engine = create_engine(settings.database.url)
    async with engine.connect() as connection:
        query = select(FabriqueRow.id).where(FabriqueRow.series_id == number, FabriqueRow.id != number)
        numbers = list((await connection.execute(query.order_by(FabriqueRow.series_rank))).scalars())
    await engine.dispose()
    return numbers

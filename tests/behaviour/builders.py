"""Steps the SimCord tests share: a proposal, an approved Fabrique, a slot, an announced or held session, the clock
moved to a moment, and what the database holds. Each step acts the way a person does and checks it worked.

The last section holds the two things SimCord offers no public way to do, each wrapped once with its reason.
"""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import simcord
from simcord import interactions as simcord_interactions
from simcord._runtime import _attach_bot
from simcord.enums import AppCommandType, InteractionType
from sqlalchemy import select

from bot.app import FabriqueBot
from bot.config import Settings
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import DocumentationRow, FabriqueRow
from bot.db.uow import unit_of_work_factory
from bot.services.series import spawn_sessions
from demo.simcord_cdn import bot_on_simcord_cdn
from tests.behaviour.conftest import World, close, said

ZOOM = "https://us02web.zoom.us/j/81234567890?pwd=secret"
PROPOSAL = {
    "titre": "Arpenter le MOOC « Numérique responsable »",
    "description": "Lire ensemble les modules 1 à 3 et en tirer une fiche pratique pour nos lieux.",
    "intervenant": "",
    "besoins": "Un tableau Klaxoon",
}


# --- proposals ------------------------------------------------------------------------------------------------------


async def propose(world: World, actor=None, **values: str):
    actor = actor or world.alice
    shown = await actor.slash(world.general, "fabrique proposer", format="arpentage", parcours="classique", duree=120)
    assert shown.modal is not None, shown
    return await actor.submit_modal(shown, {**PROPOSAL, **values})


async def approved_fabrique(world: World, actor=None, **values: str) -> int:
    result = await propose(world, actor=actor, **values)
    number = int(said(result).content.split("n°")[1].split("**")[0])
    await world.moderator.click(world.team_channel.last_message, label="Approuver")
    return number


def card_state(world: World) -> str:
    """The « État » field of the newest card in the team channel."""
    embed = world.team_channel.last_message.embeds[0]
    return next(field.value for field in embed.fields if field.name == "État")


# --- slots and sessions ---------------------------------------------------------------------------------------------


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


def places_field(world: World) -> str:
    """The « Places » field of the newest announcement in the agenda."""
    embed = world.agenda.last_message.embeds[0]
    return next(field.value for field in embed.fields if field.name == "Places")


# --- time and direct messages ---------------------------------------------------------------------------------------


async def move_to(world: World, moment: datetime) -> int:
    """Advance SimCord's clock to ``moment`` (UTC) and run what is due then."""
    await world.env.advance_time((moment - world.env.now()).total_seconds())
    return await world.env.bot.run_due_work()


async def session_times(world: World, settings, number: int) -> tuple[datetime, datetime]:
    engine = create_engine(settings.database.url)
    async with engine.connect() as connection:
        query = select(FabriqueRow.starts_at, FabriqueRow.ends_at).where(FabriqueRow.id == number)
        starts_at, ends_at = (await connection.execute(query)).one()
    await engine.dispose()
    return starts_at.replace(tzinfo=UTC), ends_at.replace(tzinfo=UTC)


def texts(world: World, actor) -> list[str]:
    return [message.content for message in world.dms(actor)]


def reminders(world: World, actor) -> list[str]:
    return [text for text in texts(world, actor) if text.startswith("⏰ Rappel")]


# --- documentation --------------------------------------------------------------------------------------------------


def recording(tmp_path: Path, seconds: int = 20) -> bytes:
    """A small real M4A (mono AAC) with a speech-like envelope."""
    target = tmp_path / "session.m4a"
    subprocess.run(
        [
            "ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi",
            "-i", f"sine=frequency=220:duration={seconds}", "-af", "volume=0.3,tremolo=f=4:d=0.7",
            "-ac", "1", "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", str(target),
        ],
        check=True,
    )  # fmt: skip
    return target.read_bytes()


async def held_session(world: World, settings) -> int:
    """An announced session whose end has passed: the recap prompt has gone out."""
    number = await announced_session(world)
    _, end = await session_times(world, settings, number)
    await move_to(world, end + timedelta(minutes=16))
    return number


async def row(settings, model, number: int):
    engine = create_engine(settings.database.url)
    async with engine.connect() as connection:
        column = model.fabrique_id if model is not FabriqueRow else model.id
        result = (await connection.execute(select(model).where(column == number))).mappings().first()
    await engine.dispose()
    return result


async def assert_nothing_queued(world: World, settings: Settings, number: int) -> None:
    assert await row(settings, DocumentationRow, number) is None
    assert (await row(settings, FabriqueRow, number))["state"] == "documentation_due"
    assert [t for t in texts(world, world.alice) if "est lancée" in t] == []
    assert world.forum.threads == []


# --- where SimCord has no public way --------------------------------------------------------------------------------


def slash_without_waiting(
    actor: simcord.MemberActor, channel: simcord.ChannelHandle, name: str, **options: object
) -> simcord.InteractionResult:
    """Send a slash command and return at once, so several can be in flight together (then ``env.settle()``).

    SimCord's actor verbs settle before they return and refuse to overlap, and its public API has nothing else that
    sends an interaction. So this does what ``MemberActor.slash`` does, minus the settle: it reads the actor's
    private ``_env`` and builds the payload with ``simcord.interactions`` (importable, outside SimCord's semver
    promise). The command must be one the actor sees in that channel, as ``slash`` checks.
    """
    env = actor._env
    parts = name.split()
    root = env.backend.find_command(parts[0], actor.guild.id)
    if root is None or name not in actor.available_commands(channel):
        raise simcord.SetupError(f"/{name} is not a command {actor.name} can run in channel {channel.id}")
    leaf, nesting = simcord_interactions.walk_to_subcommand(root, parts[1:])
    leaf_options, resolved = simcord_interactions.build_options(actor, name, leaf, options, channel_id=channel.id)
    data: dict[str, object] = {
        "id": root["id"],
        "name": root["name"],
        "type": AppCommandType.CHAT_INPUT,
        "options": simcord_interactions.nest_options(root, nesting, leaf_options),
    }
    if resolved:
        data["resolved"] = resolved
    if root.get("guild_id"):
        data["guild_id"] = root["guild_id"]
    record, payload = simcord_interactions.base_payload(
        env.backend,
        type=InteractionType.APPLICATION_COMMAND,
        channel_id=channel.id,
        guild_id=actor.guild.id,
        user_id=actor.id,
        data=data,
    )
    env.backend.emit("INTERACTION_CREATE", payload)
    return simcord.InteractionResult(env, record)


@asynccontextmanager
async def bot_away(
    env: simcord.Env, settings: Settings, start: Callable[[], FabriqueBot] | None = None
) -> AsyncIterator[None]:
    """The bot is down inside the block, so what happens there reaches no bot; after it a new bot starts on the same
    database (``start()`` makes it, when its clients are not the settings' own), as after an outage, and must catch
    up on its own.

    SimCord's public ``Env.restart_bot`` swaps the bots in one step, leaving no moment without one. Its two halves,
    ``Env._detach_bot`` and ``simcord._runtime._attach_bot``, are private: this is the one place that calls them.
    """
    await env.settle()  # as restart_bot does: the old bot finishes what it started
    stopped = env.bot
    await env._detach_bot()
    await close(stopped)
    yield
    await _attach_bot(env, start() if start is not None else bot_on_simcord_cdn(settings))


async def series_of(settings: Settings, number: int, sessions: int, rhythm: str = "un jeudi sur deux") -> list[int]:
    """An approved single Fabrique turned into a series of ``sessions``, as approval makes one; the numbers of its
    sessions in rank order. (Until a story goes through ``/fabrique proposer sessions:N`` itself.)"""
    engine = create_engine(settings.database.url)
    async with unit_of_work_factory(create_sessionmaker(engine))() as uow:
        home = await uow.fabriques.by_id(number, lock=True)
        assert home is not None
        home.series_size, home.series_rhythm = sessions, rhythm
        await spawn_sessions(uow, home, home.updated_at)
        numbers = [session.id for session in await uow.fabriques.series(number)]
        await uow.commit()
    await engine.dispose()
    return numbers

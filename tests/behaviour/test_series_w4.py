"""A series documented session by session, through Discord (issue 15, W4): after each session its organizer gets
the recap prompt naming that session (« n°12 · séance 2/2 »), documents it from the prompt's buttons and
publishes it; the members-only forum gets ONE thread for the series, each documented session a message in it; the
series' article gathers both sessions; a publication that failed half-way and is retried posts nothing twice.

The series is made as approval makes one (``series_of``) and each session is booked with its own number, until
``/fabrique proposer sessions`` and ``seance`` land (other streams of the issue).
"""

from __future__ import annotations

from datetime import timedelta

import discord
import simcord
from sqlalchemy import update

from bot.db.engine import create_engine
from bot.db.models import DocumentationRow, FabriqueRow
from tests.behaviour.builders import (
    ZOOM,
    add_slot,
    approved_fabrique,
    local_date,
    move_to,
    row,
    series_of,
    session_times,
)
from tests.behaviour.conftest import World, restart, said
from tests.support import assert_refused

REPORTS = {1: "Nous avons posé le problème partagé.", 2: "Nous avons produit trois pistes d'action."}


async def book(world: World, number: int, days: int) -> None:
    """A session of the series, booked with its own number on a slot ``days`` ahead (its Zoom link given first)."""
    slot = await add_slot(world, local_date(world, days))
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
    assert "annoncée" in said(booked).content, said(booked).content


def recap_prompt(world: World) -> discord.Message:
    return next(message for message in reversed(world.dms(world.alice)) if message.components)


async def document_from_the_prompt(world: World, rank: int) -> discord.Message:
    """The organizer presses « Compte-rendu 3P » on the newest recap prompt and hands in the report; the DM that
    follows the job, once it is ready."""
    shown = await world.alice.user.click(recap_prompt(world), label="Compte-rendu 3P")
    assert shown.modal is not None
    await world.alice.user.submit_modal(shown, {"compte_rendu": REPORTS[rank], "ressources": ""})
    await world.env.settle(timeout=30)
    progress = world.dms(world.alice)[-1]
    assert "est prête" in progress.content, progress.content
    return progress


def series_thread(world: World) -> simcord.ChannelHandle:
    (thread,) = world.forum.threads  # ONE thread for the whole series
    return thread


def contents(thread: simcord.ChannelHandle) -> list[str]:
    """The thread's messages, oldest first."""
    return [message.content for message in sorted(thread.history(), key=lambda message: message.id)]


async def test_two_sessions_documented_one_after_the_other_gather_in_one_thread_and_one_article(
    world: World, settings
) -> None:
    number = await approved_fabrique(world)
    home, second = await series_of(settings, number, 2)
    assert home == number
    await book(world, home, 20)
    await book(world, second, 27)

    first_start, first_end = await session_times(world, settings, home)
    await move_to(world, first_end + timedelta(minutes=16))
    assert f"(Fabrique n°{home} · séance 1/2)" in recap_prompt(world).content
    ready = await document_from_the_prompt(world, 1)
    assert f"Fabrique n°{home} · séance 1/2 est prête" in ready.content
    published = await world.alice.user.click(ready, label="Publier")
    assert "Publié" in said(published).content
    thread = series_thread(world)
    assert thread.name.endswith(f"· n°{home}")
    assert [text.split("\n")[0] for text in contents(thread)] == [
        f"**Séance 1/2** · {world.env.bot.i18n.date(first_start)}"
    ]

    _, second_end = await session_times(world, settings, second)
    await move_to(world, second_end + timedelta(minutes=16))
    follow_up = await world.moderator.slash(world.general, "equipe suivi")
    owed = said(follow_up).embeds[0].fields[1].value
    assert f"**n°{home} · séance 2/2**" in owed and f"n°{home} · séance 1/2" not in owed
    assert f"(Fabrique n°{home} · séance 2/2)" in recap_prompt(world).content
    ready = await document_from_the_prompt(world, 2)
    # Discord fails the message in the thread once: the publication stops, and « Publier » again finishes it.
    world.env.inject_error("POST", f"/channels/{thread.id}/messages", status=500)
    failed = await world.alice.user.click(ready, label="Publier")
    assert "Une erreur est survenue" in said(failed).content
    stopped = await row(settings, DocumentationRow, second)
    assert stopped["status"] == "failed" and stopped["failure_key"] == "error.documentation.interrupted"
    assert len(contents(thread)) == 1
    retried = await world.alice.user.click(ready, label="Publier")
    assert "Publié" in said(retried).content

    assert series_thread(world).id == thread.id
    messages = contents(thread)
    assert len(messages) == 2  # one message per documented session, nothing twice
    assert messages[0].startswith("**Séance 1/2**") and "problème partagé" in messages[0]
    assert messages[1].startswith("**Séance 2/2**") and "trois pistes" in messages[1]
    for session in (home, second):
        assert (await row(settings, FabriqueRow, session))["state"] == "documented"
        assert (await row(settings, DocumentationRow, session))["forum_thread_id"] == thread.id
    assert (await row(settings, FabriqueRow, home))["series_thread_id"] == thread.id
    chapters = await world.env.bot.services.documentation.series_chapters(home, publishing=second)
    assert [chapter.rank for chapter in chapters] == [1, 2]  # the series' article: both sessions, in order
    assert "problème partagé" in chapters[0].html and "trois pistes" in chapters[1].html

    again = await world.alice.slash(world.general, "fabrique documenter", fabrique=second)
    assert f"n°{home} · séance 2/2 est déjà publiée" in said(again).content
    assert_refused(world.env, "error.documentation.published")
    assert len(contents(series_thread(world))) == 2


async def test_a_publication_cut_between_its_message_and_its_record_does_not_post_that_session_twice(
    world: World, settings
) -> None:
    """The crash window no id covers: the session's message is in the thread, the bot stops before recording it.
    After the restart « Réessayer » finishes the publication and finds that message by its heading."""
    home, second = await series_of(settings, await approved_fabrique(world), 2)
    await book(world, home, 20)
    await book(world, second, 27)
    for session in (home, second):
        _, end = await session_times(world, settings, session)
        await move_to(world, end + timedelta(minutes=16))
        ready = await document_from_the_prompt(world, 1 if session == home else 2)
        assert "Publié" in said(await world.alice.user.click(ready, label="Publier")).content
    thread = series_thread(world)
    posted = sorted(thread.history(), key=lambda message: message.id)[-1]
    assert posted.content.startswith("**Séance 2/2**")
    await interrupted_after_posting(settings, second)

    await restart(world.env, settings)
    await world.env.settle()
    progress = world.dms(world.alice)[-1]
    assert "Réessayer" in [child.label for row_ in progress.components for child in row_.children], progress.content
    retried = await world.alice.user.click(progress, label="Réessayer")

    assert "Publié" in said(retried).content
    assert len(contents(series_thread(world))) == 2
    stored = await row(settings, DocumentationRow, second)
    assert stored["status"] == "published" and stored["forum_message_id"] == posted.id
    assert (await row(settings, FabriqueRow, second))["state"] == "documented"
    assert_refused(world.env)


async def interrupted_after_posting(settings, number: int) -> None:
    """The database as a stop right after posting in the thread leaves it: still publishing, its message id not
    recorded, the session not yet documented."""
    engine = create_engine(settings.database.url)
    async with engine.begin() as connection:
        await connection.execute(
            update(DocumentationRow)
            .where(DocumentationRow.fabrique_id == number)
            .values(status="publishing", forum_message_id=None)
        )
        await connection.execute(update(FabriqueRow).where(FabriqueRow.id == number).values(state="documenting"))
    await engine.dispose()

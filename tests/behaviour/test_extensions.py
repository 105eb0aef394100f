"""Every extension can be reloaded while the bot runs: afterwards each command, button and listener still works.

After ``bot.reload_extension`` a session goes the whole way once more — proposed (``/fabrique``), approved on its
card (moderation's button), given a slot and a link (``/equipe``), booked and announced (announcements), joined by
✅ and by button (registration, with DMs from messaging), held, and its recap prompt's button opens the
documentation form (documentation) — so a stale command, a lost button or a listener left behind would show.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import EXTENSIONS
from tests.behaviour.builders import announced_session, move_to, session_times
from tests.behaviour.conftest import World, said


@pytest.mark.parametrize("extension", EXTENSIONS)
async def test_everything_works_after_reloading(world: World, settings, extension: str) -> None:
    bot = world.env.bot
    (before,) = [cog for cog in bot.cogs.values() if type(cog).__module__ == extension]
    await bot.reload_extension(extension)
    await world.env.settle()
    (after,) = [cog for cog in bot.cogs.values() if type(cog).__module__ == extension]
    assert after is not before  # a fresh cog answers from now on

    number = await announced_session(world)
    announcement = world.agenda.last_message
    assert announcement is not None and f"n°{number}" in announcement.embeds[0].footer.text

    await world.alice.react(announcement, "✅")
    assert "Vous êtes inscrit·e" in world.dms(world.alice)[-1].content
    clicked = await world.bob.click(announcement, label="S'inscrire")
    assert "vous êtes inscrit·e" in said(clicked).content

    _, end = await session_times(world, settings, number)
    await move_to(world, end + timedelta(minutes=15))
    prompt = world.dms(world.alice)[-1]
    path = await world.alice.user.click(prompt, label="Compte-rendu 3P")
    assert path.modal is not None and "Compte-rendu 3P" in path.modal["title"]
    assert world.env.errors == []


async def test_each_extension_holds_one_cog_and_nothing_else_is_loaded(world: World) -> None:
    bot = world.env.bot
    assert sorted(bot.extensions) == sorted(EXTENSIONS)
    modules = sorted(type(cog).__module__ for cog in bot.cogs.values())
    assert modules == sorted(EXTENSIONS)

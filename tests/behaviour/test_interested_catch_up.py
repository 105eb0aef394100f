"""« Intéressé » given while the bot is away is caught up at its return, like a ✅."""

from __future__ import annotations

from bot.config import Settings
from bot.db.models import FabriqueRow
from tests.behaviour.builders import announced_session, bot_away, row
from tests.behaviour.conftest import World, said


async def test_interested_while_the_bot_is_away_registers_at_its_return(world: World, settings: Settings) -> None:
    """« Intéressé » registers like a ✅, and ✅ made while the bot is away are caught up at start: so must be an
    « Intéressé » (nothing lost on restart)."""
    number = await announced_session(world)
    event_id = (await row(settings, FabriqueRow, number))["scheduled_event_id"]
    assert event_id
    env = world.env
    async with bot_away(env, settings):
        env.backend.set_scheduled_event_subscription(world.guild.id, event_id, world.bob.id, True)
    await env.settle()
    listing = said(await world.moderator.slash(world.general, "fabrique inscrits", fabrique=number)).content
    assert f"<@{world.bob.id}>" in listing

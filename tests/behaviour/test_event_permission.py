"""A guild that has not given the bot « Créer des événements » (required since 23 February 2026)."""

from __future__ import annotations

from bot.domain.lifecycle import State
from tests.behaviour.builders import announced_session
from tests.behaviour.conftest import World

MISSING_PERMISSIONS = 50013  # Discord's JSON error code for a 403 on a missing permission


async def test_a_refused_scheduled_event_reaches_the_team_and_the_session_is_still_announced(world: World) -> None:
    world.env.inject_error(
        "POST", "/guilds/*/scheduled-events", status=403, code=MISSING_PERMISSIONS, message="Missing Permissions"
    )

    number = await announced_session(world)

    alerts = [m.content for m in world.team_channel.history() if "événement" in m.content]
    assert len(alerts) == 1, alerts
    assert f"n°{number}" in alerts[0] and "« Créer des événements »" in alerts[0]
    announcement = world.agenda.last_message
    assert announcement is not None and announcement.embeds[0].footer.text.startswith(f"Session n°{number}")
    record = await world.env.bot.services.sessions.get_any(number)
    assert record.state is State.ANNOUNCED and record.scheduled_event_id is None

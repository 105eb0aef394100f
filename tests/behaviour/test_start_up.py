"""What a start-up costs Discord: REST calls in proportion to what changed while the bot was away, never to the
sessions of the past, and no edit of an announcement that already shows what is true."""

from __future__ import annotations

from datetime import timedelta

import simcord

from tests.behaviour.builders import announced_session, bot_away, move_to, places_field, session_times
from tests.behaviour.conftest import World, restart, said


def calls_during(env: simcord.Env, since: int) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in env.http_requests[since:]]


async def restart_calls(world: World, settings) -> list[tuple[str, str]]:
    """The REST calls of a restart on the same database, once the old bot has drawn its last count (the 5 s edit
    pause) and everything the new one started has settled."""
    await world.env.advance_time(6)
    await world.env.settle()
    since = len(world.env.http_requests)
    await restart(world.env, settings)
    await world.env.settle()
    return calls_during(world.env, since)


def edits_of(calls: list[tuple[str, str]], message_ids: list[int]) -> list[tuple[str, str]]:
    ends = tuple(map(str, message_ids))
    return [(method, path) for method, path in calls if method == "PATCH" and path.endswith(ends)]


async def test_a_restart_after_a_quiet_night_edits_nothing_and_costs_no_more_with_history(
    world: World, settings
) -> None:
    first = await announced_session(world, days=8)
    await world.alice.react(world.agenda.last_message, "✅")
    second = await announced_session(world, days=20)
    await world.bob.react(world.agenda.last_message, "✅")
    announcements = [message.id for message in world.agenda.history()]
    quiet = await restart_calls(world, settings)
    assert edits_of(quiet, announcements) == []
    assert not [path for _, path in quiet if "/members/" in path]  # who reacted comes with their roles

    _, end = await session_times(world, settings, first)
    await move_to(world, end + timedelta(days=1))  # the first session is history now
    await announced_session(world, days=30)  # and one more is to come: two announced, as before
    await world.alice.react(world.agenda.last_message, "✅")
    announcements = [message.id for message in world.agenda.history()]
    later = await restart_calls(world, settings)
    assert edits_of(later, announcements) == []
    assert len(later) == len(quiet)  # the past session costs nothing
    assert second != first


async def test_reactions_added_while_away_cost_calls_in_proportion_to_them(world: World, settings) -> None:
    await announced_session(world)
    announcement = world.agenda.last_message
    env = world.env

    def newcomers(name: str, count: int) -> list[simcord.MemberActor]:
        return [world.guild.add_member(env.create_user(f"{name}{n}"), roles=[world.member_role]) for n in range(count)]

    rest = []
    for people in (newcomers("claude", 3), newcomers("dominique", 6)):
        await env.advance_time(6)
        await env.settle()
        since = len(env.http_requests)
        async with bot_away(env, settings):
            for person in people:
                env.backend.set_reaction(announcement.channel.id, announcement.id, "✅", person.id, True)
        await env.settle()
        calls = calls_during(env, since)
        assert len(edits_of(calls, [announcement.id])) == 1  # the count changed: one edit
        assert not [path for _, path in calls if "/members/" in path]  # their roles came with the member cache
        direct = {f"/channels/{person.user.dm_channel.id}/messages" for person in people}
        dms = [(method, path) for method, path in calls if path in direct or path == "/users/@me/channels"]
        assert len(dms) == 2 * len(people)  # each newcomer: a DM (and its channel), once
        for person in people:
            assert "Vous êtes inscrit·e" in world.dms(person)[-1].content
        rest.append(len(calls) - len(dms) - 1)
    assert rest[0] == rest[1]  # the rest of the start-up does not grow with them


async def test_a_count_not_yet_drawn_when_the_bot_stopped_is_drawn_by_the_next_start(world: World, settings) -> None:
    await announced_session(world)
    announcement = world.agenda.last_message
    clicked = await world.alice.click(announcement, label="S'inscrire")
    assert "vous êtes inscrit·e" in said(clicked).content
    # The bot stops within the 5 s pause between two edits: the new count was committed, not yet drawn.
    await restart(world.env, settings)
    await world.env.settle()
    await world.env.advance_time(6)
    await world.env.settle()
    assert places_field(world).startswith("1 inscrit·e(s)"), places_field(world)

"""A burst of registrations on one announcement, through the simulated Discord (SimCord).

    .venv/bin/python -m benchmarks.registration_burst [--runs 3] [--members 500] [--capacity 100]
                                                       [--database sqlite|postgresql]

500 members react ✅ at the same instant on a session with 100 seats (events pushed straight into SimCord's
backend, then one ``settle``), the same way the gateway would deliver them. The baseline is the same burst of
reactions on an ordinary message of the same channel, which the bot ignores: SimCord's own cost. The table shows
the median of the runs. Each run checks the outcome: exactly ``capacity`` seated, the rest waitlisted in arrival
order, nobody twice, and at most one announcement edit per 5 s.

PostgreSQL: pass ``--database postgresql`` with ``TEST_POSTGRES_URL`` set (``scripts/test`` shows how one is
started); every run starts from an empty schema.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import simcord
from sqlalchemy import select, text

from benchmarks._guild import GUILD_ID, announced, configured_guild
from bot.app import FabriqueBot, create_bot
from bot.config import DatabaseSettings, DiscordSettings, GeneralSettings, Settings
from bot.db.engine import create_engine
from bot.db.models import RegistrationRow


@dataclass(frozen=True)
class RunResult:
    seconds: float
    rest_calls: int
    edits: int
    baseline_seconds: float


async def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def prepare(
    env: simcord.Env, members: int, capacity: int
) -> tuple[simcord.ChannelHandle, int, list[int], simcord.MemberActor]:
    """A configured guild, an announced session with ``capacity`` seats, and ``members`` people ready to react."""
    world = await configured_guild(env)
    await announced(world, env, 1, "Atelier très attendu", 30, capacity)
    await env.advance_time(6)  # past the announcement's first edit window
    people = [
        world.guild.add_member(env.create_user(f"membre{i}"), roles=[world.member_role]).id for i in range(members)
    ]
    return world.agenda, world.agenda.last_message.id, people, world.admin


async def burst(env: simcord.Env, channel_id: int, message_id: int, people: list[int]) -> float:
    started = time.perf_counter()
    for user_id in people:
        env.backend.set_reaction(channel_id, message_id, "✅", user_id, True)
    await env.settle(timeout=50)  # under the scheduler's 60 s sweep, which settle would otherwise wait for
    return time.perf_counter() - started


async def one_run(settings: Settings, members: int, capacity: int) -> RunResult:
    bot: FabriqueBot = create_bot(settings)
    async with simcord.run(bot, settle_timeout=2.0) as env:
        agenda, announcement_id, people, admin = await prepare(env, members, capacity)
        decoy = await admin.send(agenda, "Un message ordinaire")  # the baseline: same burst, ignored by the bot
        baseline = await burst(env, agenda.id, decoy.id, people)

        requests_before = len(env.http_requests)
        edits_before = bot.announcer.edits
        seconds = await burst(env, agenda.id, announcement_id, people)
        rest_calls = len(env.http_requests) - requests_before
        edits_during_burst = bot.announcer.edits - edits_before
        await env.advance_time(6)
        edits = bot.announcer.edits - edits_before
        assert edits_during_burst <= 1 and edits <= 2, (edits_during_burst, edits)
        await check_outcome(settings, people, capacity)
    return RunResult(seconds, rest_calls, edits, baseline)


async def check_outcome(settings: Settings, people: list[int], capacity: int) -> None:
    engine = create_engine(settings.database.url)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(RegistrationRow).order_by(RegistrationRow.id))).all()
    await engine.dispose()
    users = [row.user_id for row in rows]
    assert len(users) == len(set(users)) == len(people), "someone lost or registered twice"
    seated = [row.user_id for row in rows if row.status == "confirmed"]
    waiting = [row.user_id for row in rows if row.status == "waitlisted"]
    assert seated == people[:capacity], "seats not given in arrival order"
    assert waiting == people[capacity:], "waitlist not in arrival order"


def settings_for(database: str, directory: Path) -> Settings:
    if database == "postgresql":
        url = os.environ.get("TEST_POSTGRES_URL")
        if not url:
            sys.exit("TEST_POSTGRES_URL is not set (see scripts/test for starting a PostgreSQL)")
    else:
        url = f"sqlite+aiosqlite:///{directory / 'bench.db'}"
    return Settings(
        general=GeneralSettings(data_dir=directory),
        discord=DiscordSettings(guild_id=GUILD_ID),
        database=DatabaseSettings(url=url),
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()

    results: list[RunResult] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as directory:
            settings = settings_for(args.database, Path(directory))
            if args.database == "postgresql":
                await reset_postgres(settings.database.url)
            results.append(await one_run(settings, args.members, args.capacity))

    seconds = statistics.median(r.seconds for r in results)
    baseline = statistics.median(r.baseline_seconds for r in results)
    rest = statistics.median(r.rest_calls for r in results)
    edits = max(r.edits for r in results)
    print(f"registration burst — {args.members} members, {args.capacity} seats, {args.database}, {args.runs} runs")
    print(f"{'measure':<44}{'median':>14}")
    print(f"{'baseline: same burst on an ignored message (s)':<44}{baseline:>14.3f}")
    print(f"{'burst on the announcement (s)':<44}{seconds:>14.3f}")
    print(f"{'ratio to baseline':<44}{seconds / baseline:>14.1f}")
    print(f"{'registrations per second':<44}{args.members / seconds:>14.0f}")
    print(f"{'REST calls per registration':<44}{rest / args.members:>14.2f}")
    print(f"{'announcement edits (burst + 6 s), worst run':<44}{edits:>14}")
    print(
        f"checked every run: {args.capacity} seated and {args.members - args.capacity} waitlisted in arrival order, "
        "nobody twice, at most one announcement edit per 5 s"
    )


if __name__ == "__main__":
    asyncio.run(main())

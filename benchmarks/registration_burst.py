"""Registrations by ✅ reaction on one announcement, through the simulated Discord (SimCord): speed and cost.

    .venv/bin/python -m benchmarks.registration_burst [--runs 3] [--members 500] [--capacity 100] [--paced 20]
                                                       [--series 4] [--database sqlite|postgresql]

**burst**: 500 members react ✅ at the same instant on a session with 100 seats (events pushed straight into
SimCord's backend, then one ``settle``), the same way the gateway would deliver them. Checked every run: exactly
``capacity`` seated, the rest waitlisted in arrival order, nobody twice, at most one announcement edit per 5 s.

**series**: ``--series N`` (default 4; 0 skips it): the same burst on the one announcement of a series whose N
sessions are all announced: registering means registering for every date, so each registration plans N dates of
reminders in its transaction. Checked besides: each seated member has exactly one reminder per date and reminder
time planned, the waitlisted none. Its row sits next to the single session's: the cost per registration of a series.

**paced**: ``--paced N`` members (default 20; 0 skips it) react one at a time on a fresh bot with the same seats,
each reaction settled and 6 simulated seconds apart (the previous announcement edit done): the cost of one
registration that nothing batches, the meaningful "per registration" figure. Same outcome check.

Each run measures three stretches on the same bot, with the same members and the same waits:

- *idle*: nobody reacts (whatever the bot does on its own meanwhile: scheduler sweeps…);
- *baseline*: the reactions go to an ordinary message of the same channel, which the bot ignores;
- *measured*: the reactions go to the announcement.

Each stretch runs from the first reaction until 6 simulated seconds after the last one settled (the announcement's
deferred edit, one per 5 s, is then done). What is counted in a stretch:

- **transactions**: every transaction *begun* on a connection of the bot's engine (``bot.engine`` after
  ``setup_hook``), i.e. every ``"begin"`` event of its sync engine, whatever its end (commit, rollback of a read).
  The unit of work's rollback after a commit is a no-op that begins nothing, so a committed unit counts once.
  Other engines (this module's outcome check) are not counted.
- **REST calls**: every request the bot made to Discord, as SimCord logs them (``env.http_requests``): opening a
  DM channel, sending the DM, editing the announcement, fetching a member…

Per registration = (measured − idle) / reactions: everything the bot does for a ✅, recognising the announcement
included. The baseline is shown beside it per ignored reaction, (baseline − idle) / reactions, and is not subtracted
from the counts: finding out that a message is (or is not) an announcement is part of registering, and a design that
does it inside the registration's one transaction would otherwise count zero. The baseline is subtracted from time:
SimCord's own cost is its ``seconds`` ("ratio" = measured / baseline). **registrations/s** = reactions / wall-clock
seconds from the first reaction to settled (the 6 s are simulated, not timed); not shown for paced, whose time is
mostly ``settle``'s idle wait. The table shows the median of the runs; below it, the spread of registrations/s over
the runs and the burst's CPU time (``time.process_time``, steadier than the wall clock on a busy machine).

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
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import simcord
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks._guild import GUILD_ID, announced, announced_series, configured_guild
from bot.app import FabriqueBot, create_bot
from bot.config import DatabaseSettings, DiscordSettings, GeneralSettings, Settings
from bot.db.engine import create_engine
from bot.db.models import DueWorkRow, RegistrationRow

EDIT_WINDOW = 6  # simulated seconds after a reaction: the announcement's deferred edit (one per 5 s) is done


@dataclass(frozen=True)
class Counts:
    """One measured stretch: seconds (wall clock, CPU), transactions begun, REST calls made, announcement edits."""

    seconds: float
    cpu_seconds: float  # of this process, every thread (the bot, SimCord and the database driver share it)
    transactions: int
    rest_calls: int
    edits: int  # of the announcement, edit window included
    edits_while_reacting: int  # of the announcement, until settled


@dataclass(frozen=True)
class RunResult:
    reactions: int
    measured: Counts  # ✅ on the announcement
    baseline: Counts  # ✅ on an ordinary message
    idle: Counts  # no reaction, same waits

    @property
    def seconds(self) -> float:
        return self.measured.seconds

    @property
    def edits(self) -> int:
        return self.measured.edits

    @property
    def registrations_per_second(self) -> float:
        return self.reactions / self.measured.seconds

    @property
    def transactions_per_registration(self) -> float:
        return (self.measured.transactions - self.idle.transactions) / self.reactions

    @property
    def rest_calls_per_registration(self) -> float:
        return (self.measured.rest_calls - self.idle.rest_calls) / self.reactions

    @property
    def transactions_per_ignored_reaction(self) -> float:
        return (self.baseline.transactions - self.idle.transactions) / self.reactions

    @property
    def rest_calls_per_ignored_reaction(self) -> float:
        return (self.baseline.rest_calls - self.idle.rest_calls) / self.reactions


class Meter:
    """Counts the transactions begun on the bot's engine and the REST calls SimCord logged."""

    def __init__(self, env: simcord.Env, engine: AsyncEngine | None, announcement: str) -> None:
        if engine is None:
            raise RuntimeError("the bot has no engine: bot.engine is set by setup_hook")
        self._env = env
        self._engine = engine.sync_engine
        self._announcement = announcement
        self.transactions = 0
        event.listen(self._engine, "begin", self._begun)

    def _begun(self, _connection: Any) -> None:
        self.transactions += 1

    def close(self) -> None:
        event.remove(self._engine, "begin", self._begun)

    async def measure(self, reactions: Callable[[], Awaitable[None]]) -> Counts:
        """Time ``reactions`` (returning once settled), then count through the announcement's edit window."""
        transactions, requests = self.transactions, len(self._env.http_requests)
        started, cpu_started = time.perf_counter(), time.process_time()
        await reactions()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        while_reacting = self._edits(requests)
        await self._env.advance_time(EDIT_WINDOW)
        made = len(self._env.http_requests) - requests
        return Counts(
            seconds, cpu_seconds, self.transactions - transactions, made, self._edits(requests), while_reacting
        )

    def _edits(self, since: int) -> int:
        made = self._env.http_requests[since:]
        return sum(1 for r in made if r.method == "PATCH" and r.path.endswith(self._announcement))


async def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def prepare(
    env: simcord.Env, settings: Settings, members: int, capacity: int, dates: int = 1
) -> tuple[simcord.ChannelHandle, int, list[int], simcord.MemberActor]:
    """A configured guild, an announced session (or a series of ``dates`` announced sessions) with ``capacity``
    seats, and ``members`` people ready to react."""
    world = await configured_guild(env)
    if dates > 1:
        await announced_series(world, env, settings, dates, "Cycle très attendu", capacity)
    else:
        await announced(world, env, 1, "Atelier très attendu", 30, capacity)
    await env.advance_time(EDIT_WINDOW)  # past the announcement's first edit window
    people = [
        world.guild.add_member(env.create_user(f"membre{i}"), roles=[world.member_role]).id for i in range(members)
    ]
    return world.agenda, world.agenda.last_message.id, people, world.admin


Reactions = Callable[[simcord.Env, int, int | None, list[int]], Callable[[], Awaitable[None]]]


def burst(
    env: simcord.Env, channel_id: int, message_id: int | None, people: list[int]
) -> Callable[[], Awaitable[None]]:
    """Everyone reacts at the same instant, then one settle (``message_id`` None: nobody reacts, same wait)."""

    async def react() -> None:
        for user_id in people:
            if message_id is not None:
                env.backend.set_reaction(channel_id, message_id, "✅", user_id, True)
        await env.settle(timeout=50)  # under the scheduler's 60 s sweep, which settle would otherwise wait for

    return react


def paced(
    env: simcord.Env, channel_id: int, message_id: int | None, people: list[int]
) -> Callable[[], Awaitable[None]]:
    """One reaction at a time, each settled and past the previous one's edit window."""

    async def react() -> None:
        for i, user_id in enumerate(people):
            if i:
                await env.advance_time(EDIT_WINDOW)
            if message_id is not None:
                env.backend.set_reaction(channel_id, message_id, "✅", user_id, True)
            await env.settle(timeout=50)

    return react


async def one_run(
    settings: Settings, members: int, capacity: int, reactions: Reactions = burst, dates: int = 1
) -> RunResult:
    """Idle, baseline, then the registrations, on one bot; the outcome is checked."""
    bot: FabriqueBot = create_bot(settings)
    async with simcord.run(bot, settle_timeout=2.0) as env:
        agenda, announcement_id, people, admin = await prepare(env, settings, members, capacity, dates)
        decoy = await admin.send(agenda, "Un message ordinaire")  # the baseline: same reactions, ignored by the bot
        meter = Meter(env, bot.engine, f"/messages/{announcement_id}")
        try:
            idle = await meter.measure(reactions(env, agenda.id, None, people))
            baseline = await meter.measure(reactions(env, agenda.id, decoy.id, people))
            measured = await meter.measure(reactions(env, agenda.id, announcement_id, people))
        finally:
            meter.close()
        if reactions is burst:  # at most one announcement edit per 5 s
            assert measured.edits_while_reacting <= 1 and measured.edits <= 2, measured
        await check_outcome(settings, people, capacity)
        if dates > 1:
            await check_reminders_planned(settings, people[:capacity], dates)
    return RunResult(members, measured, baseline, idle)


async def one_paced_run(settings: Settings, members: int, capacity: int) -> RunResult:
    return await one_run(settings, members, capacity, paced)


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


async def check_reminders_planned(settings: Settings, seated: list[int], dates: int) -> None:
    """Each seated member of the series has one reminder per date and reminder time, nobody else any."""
    engine = create_engine(settings.database.url)
    async with engine.connect() as connection:
        statement = select(DueWorkRow.fabrique_id, DueWorkRow.user_id, DueWorkRow.amount).where(
            DueWorkRow.kind == "reminder"
        )
        rows = (await connection.execute(statement)).all()
    await engine.dispose()
    planned = Counter((row.fabrique_id, row.user_id, row.amount) for row in rows)
    per_date = len(settings.sessions.reminders_before_minutes)
    assert set(planned.values()) == {1}, "a reminder planned twice"
    assert {user for _, user, _ in planned} == set(seated), "reminders planned for someone without a seat"
    assert len(planned) == len(seated) * dates * per_date, "a date's reminder missing"


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


async def runs(
    count: int, database: str, run: Callable[[Settings, int, int], Awaitable[RunResult]], members: int, capacity: int
) -> list[RunResult]:
    results: list[RunResult] = []
    for _ in range(count):
        with tempfile.TemporaryDirectory() as directory:
            settings = settings_for(database, Path(directory))
            if database == "postgresql":
                await reset_postgres(settings.database.url)
            results.append(await run(settings, members, capacity))
    return results


COLUMNS = (  # heading, width
    ("mode", 7),
    ("reactions", 10),
    ("seconds", 9),
    ("baseline s", 11),
    ("ratio", 7),
    ("registrations/s", 16),
    ("transactions/registration", 27),
    ("REST calls/registration", 25),
    ("transactions/ignored", 22),
    ("REST calls/ignored", 20),
)


def row(*cells: str) -> str:
    return "".join(
        f"{cell:{'<' if i == 0 else '>'}{width}}"
        for i, (cell, (_, width)) in enumerate(zip(cells, COLUMNS, strict=True))
    )


def table_row(mode: str, results: list[RunResult], timed: bool) -> str:
    def median(measure: Callable[[RunResult], float], form: str) -> str:
        return format(statistics.median(measure(r) for r in results), form)

    untimed = ("—",) * 4
    return row(
        mode,
        str(results[0].reactions),
        *(
            (
                median(lambda r: r.seconds, ".3f"),
                median(lambda r: r.baseline.seconds, ".3f"),
                median(lambda r: r.seconds / r.baseline.seconds, ".1f"),
                median(lambda r: r.registrations_per_second, ".0f"),
            )
            if timed
            else untimed
        ),
        median(lambda r: r.transactions_per_registration, ".3f"),
        median(lambda r: r.rest_calls_per_registration, ".3f"),
        median(lambda r: r.transactions_per_ignored_reaction, ".3f"),
        median(lambda r: r.rest_calls_per_ignored_reaction, ".3f"),
    )


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--paced", type=int, default=20, metavar="N", help="members reacting one at a time (0: skip)")
    parser.add_argument("--series", type=int, default=4, metavar="N", help="dates of the series case (0: skip)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)

    bursts = await runs(args.runs, args.database, one_run, args.members, args.capacity)
    paced_results = await runs(args.runs, args.database, one_paced_run, args.paced, args.capacity) if args.paced else []
    on_series = partial(one_run, dates=args.series)
    series = await runs(args.runs, args.database, on_series, args.members, args.capacity) if args.series > 1 else []

    paced_part = f"; paced: {args.paced} one at a time" if args.paced else ""
    paced_part += f"; series: the burst on a {args.series}-date series" if series else ""
    print(
        f"registrations by ✅ — burst: {args.members} members at once{paced_part}; {args.capacity} seats, "
        f"{args.database}, {args.runs} runs (medians)"
    )
    print(row(*(name for name, _ in COLUMNS)))
    print(table_row("burst", bursts, timed=True))
    if series:
        print(table_row("series", series, timed=True))
    if paced_results:
        print(table_row("paced", paced_results, timed=False))
    idle = statistics.median(r.idle.transactions for r in bursts + paced_results)
    print(
        f"per registration: from the reaction to the announcement's edit, idle subtracted (median idle stretch: "
        f"{idle:g} transactions); ignored: the same per ✅ on an ordinary message"
    )
    speeds = [r.registrations_per_second for r in bursts]
    cpu = statistics.median(r.measured.cpu_seconds for r in bursts)
    print(
        f"burst over the runs: {min(speeds):.0f}–{max(speeds):.0f} registrations/s (wall clock: a loaded machine "
        f"spreads it); CPU of the burst {cpu:.3f} s, {args.members / cpu:.0f} registrations per CPU second (median)"
    )
    print(f"announcement edits (burst + {EDIT_WINDOW} s), worst run: {max(r.edits for r in bursts)}")
    if series:
        ratio = statistics.median(r.seconds for r in series) / statistics.median(r.seconds for r in bursts)
        series_cpu = statistics.median(r.measured.cpu_seconds for r in series)
        print(
            f"series: the same burst registering for {args.series} dates at once costs {ratio:.2f}× the single "
            f"session's time and {series_cpu / cpu:.2f}× its CPU ({args.members / series_cpu:.0f} registrations per "
            "CPU second; medians); each seated member got one reminder per date and reminder time, checked"
        )
    print(
        f"checked every run: {args.capacity} seated and {args.members - args.capacity} waitlisted in arrival order, "
        "nobody twice, at most one announcement edit per 5 s; paced: the same, seat by seat"
    )


if __name__ == "__main__":
    asyncio.run(main())

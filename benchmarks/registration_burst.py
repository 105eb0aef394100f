"""Registrations by ✅ reaction on one announcement, through the simulated Discord (SimCord): speed and cost.

    .venv/bin/python -m benchmarks.registration_burst [--runs 3] [--members 500] [--capacity 100] [--paced 500]
                                                       [--rate 250] [--single 20] [--series 4]
                                                       [--database sqlite|postgresql]

**burst**: 500 members react ✅ at the same instant on a session with 100 seats (events pushed straight into
SimCord's backend), the same way the gateway would deliver them. Checked every run: exactly ``capacity`` seated,
the rest waitlisted in arrival order, nobody twice, at most one announcement edit per 5 s.

**series**: ``--series N`` (default 4; 0 skips it): the same burst on the one announcement of a series whose N
sessions are all announced: registering means registering for every date, so each registration plans N dates of
reminders in its transaction. Checked besides: each seated member has exactly one reminder per date and reminder
time planned, the waitlisted none. Its row sits next to the single session's: the cost per registration of a series.

**paced**: ``--paced N`` members (default 500; 0 skips it) react at a steady ``--rate`` (reactions per second of
the wall clock, default 250) while the bot works: a producer pushes the i-th ✅ at i / rate seconds from the first,
whatever the bot is doing, as people arriving one after the other would — not all before the bot runs. The
registrations, their DMs and the announcement's refreshes interleave with the arrivals. Below the table: the rate
the producer achieved (the bot shares its event loop: a slow bot slows the arrivals too) and how long after the last
✅ the bot was done. Same outcome check as the burst.

**single**: ``--single N`` members (default 20; 0 skips it) react one at a time, each reaction settled and 6
simulated seconds apart (the previous announcement edit done): the cost of one registration that nothing batches,
the meaningful "per registration" count. Same outcome check. Not timed: its time is mostly settling.

Each run measures on one bot, with the same members and the same waits, after a warm-up stretch (the same
reactions on another ordinary message, not measured: the first stretch would otherwise pay for cold caches):

- *idle*: nobody reacts (whatever the bot does on its own meanwhile: scheduler sweeps…);
- *baseline*: the reactions go to an ordinary message of the same channel, which the bot ignores;
- *measured*: the reactions go to the announcement.

A stretch is timed from the first reaction until the bot has nothing left to do but wait for a timer (SimCord's
``advance_time(0)``: it settles with the timers parked, without moving the clock). The announcement's deferred
edit (at most one per 5 s, an ``asyncio.sleep`` that a plain ``settle`` waits in real time) is therefore out of the
measured time: every registration is stored and its DM sent, only that pause is left out. The stretch's counts then
go on for 6 simulated seconds (the deferred edit done). What is counted in a stretch:

- **transactions**: every transaction *begun* on a connection of the bot's engine (``bot.engine`` after
  ``setup_hook``), i.e. every ``"begin"`` event of its sync engine, whatever its end (commit, rollback of a read).
  The unit of work's rollback after a commit is a no-op that begins nothing, so a committed unit counts once.
  Other engines (this module's outcome check) are not counted.
- **REST calls**: every request the bot made to Discord, as SimCord logs them (``env.http_requests``): opening a
  DM channel, sending the DM, editing the announcement, fetching a member…

Per registration = (measured − idle) / reactions: everything the bot does for a ✅, recognising the announcement
included. The baseline is shown beside it per ignored reaction, (baseline − idle) / reactions, and is not subtracted
from the counts: finding out that a message is (or is not) an announcement is part of registering, and a design that
does it inside the registration's one transaction would otherwise count zero. The baseline is the time reference:
SimCord's own cost is its ``seconds`` ("ratio" = measured / baseline, median of the runs' ratios).
**registrations/s** = reactions / measured seconds. The table shows the median of the runs; below it, the spread
of registrations/s over the runs, the burst's CPU time (``time.process_time``, steadier than the wall clock on a
busy machine), and the machine's cores and load average with whether it was busy (``benchmarks._machine``).

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
from benchmarks._machine import Machine
from bot.app import FabriqueBot, create_bot
from bot.config import DatabaseSettings, DiscordSettings, GeneralSettings, Settings
from bot.db.engine import create_engine
from bot.db.models import DueWorkRow, RegistrationRow

EDIT_WINDOW = 6  # simulated seconds after a reaction: the announcement's deferred edit (one per 5 s) is done


SETTLE_SECONDS = 50.0  # SimCord's bound on settling a stretch: a burst of 500 on a busy machine takes seconds


@dataclass(frozen=True)
class Counts:
    """One measured stretch: seconds (wall clock, CPU), transactions begun, REST calls made, announcement edits."""

    seconds: float
    after_last_seconds: float  # from the last reaction until the bot was done (its tail)
    arrival_seconds: float  # from the first reaction to the last (0 for a burst)
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

    async def measure(self, reactions: Callable[[], Awaitable[float]]) -> Counts:
        """Time ``reactions`` (returning the instant of the last one) until the bot has nothing left to do but wait
        for a timer, then count through the announcement's edit window."""
        transactions, requests = self.transactions, len(self._env.http_requests)
        started, cpu_started = time.perf_counter(), time.process_time()
        last = await reactions()
        await done_but_timers(self._env)
        ended = time.perf_counter()
        seconds, cpu_seconds = ended - started, time.process_time() - cpu_started
        while_reacting = self._edits(requests)
        await self._env.advance_time(EDIT_WINDOW)
        made = len(self._env.http_requests) - requests
        return Counts(
            seconds,
            ended - last,
            last - started,
            cpu_seconds,
            self.transactions - transactions,
            made,
            self._edits(requests),
            while_reacting,
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


async def done_but_timers(env: simcord.Env) -> None:
    """Until the bot has nothing left to do but wait for a timer: ``advance_time(0)`` settles with the timers
    parked and the clock unmoved, where ``settle`` would wait for the announcement's deferred edit in real time."""
    await env.advance_time(0)


Reactions = Callable[[simcord.Env, int, int | None, list[int]], Callable[[], Awaitable[float]]]


def burst(
    env: simcord.Env, channel_id: int, message_id: int | None, people: list[int]
) -> Callable[[], Awaitable[float]]:
    """Everyone reacts at the same instant (``message_id`` None: nobody reacts, same wait)."""

    async def react() -> float:
        for user_id in people:
            if message_id is not None:
                env.backend.set_reaction(channel_id, message_id, "✅", user_id, True)
        return time.perf_counter()

    return react


def paced(rate: float) -> Reactions:
    """A producer pushing one reaction every ``1 / rate`` seconds of the wall clock while the bot works: the i-th
    at ``i / rate`` from the first, or as soon as the event loop lets it when the bot held it longer."""

    def reactions(
        env: simcord.Env, channel_id: int, message_id: int | None, people: list[int]
    ) -> Callable[[], Awaitable[float]]:
        async def react() -> float:
            first = time.perf_counter()
            for i, user_id in enumerate(people):
                await asyncio.sleep(max(0.0, first + i / rate - time.perf_counter()))  # the bot runs meanwhile
                if message_id is not None:
                    env.backend.set_reaction(channel_id, message_id, "✅", user_id, True)
            return time.perf_counter()

        return react

    return reactions


def single(
    env: simcord.Env, channel_id: int, message_id: int | None, people: list[int]
) -> Callable[[], Awaitable[float]]:
    """One reaction at a time, each settled and past the previous one's edit window."""

    async def react() -> float:
        for i, user_id in enumerate(people):
            if i:
                await env.advance_time(EDIT_WINDOW)
            if message_id is not None:
                env.backend.set_reaction(channel_id, message_id, "✅", user_id, True)
            await done_but_timers(env)
        return time.perf_counter()

    return react


async def one_run(
    settings: Settings, members: int, capacity: int, reactions: Reactions = burst, dates: int = 1
) -> RunResult:
    """A warm-up, then idle, baseline and the registrations, on one bot; the outcome is checked."""
    bot: FabriqueBot = create_bot(settings)
    async with simcord.run(bot, settle_timeout=SETTLE_SECONDS) as env:
        agenda, announcement_id, people, admin = await prepare(env, settings, members, capacity, dates)
        warm_up = await admin.send(agenda, "Un message pour chauffer")  # the same reactions first, not measured
        decoy = await admin.send(agenda, "Un message ordinaire")  # the baseline: same reactions, ignored by the bot
        meter = Meter(env, bot.engine, f"/messages/{announcement_id}")
        try:
            await meter.measure(reactions(env, agenda.id, warm_up.id, people))
            idle = await meter.measure(reactions(env, agenda.id, None, people))
            baseline = await meter.measure(reactions(env, agenda.id, decoy.id, people))
            measured = await meter.measure(reactions(env, agenda.id, announcement_id, people))
        finally:
            meter.close()
        if reactions is not single:  # at most one announcement edit per 5 s (the clock stands still meanwhile)
            assert measured.edits_while_reacting <= 1 and measured.edits <= 2, measured
        await check_outcome(settings, people, capacity)
        if dates > 1:
            await check_reminders_planned(settings, people[:capacity], dates)
    return RunResult(members, measured, baseline, idle)


async def one_single_run(settings: Settings, members: int, capacity: int) -> RunResult:
    return await one_run(settings, members, capacity, single)


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
                median(lambda r: r.seconds / r.baseline.seconds, ".2f"),
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
    parser.add_argument("--paced", type=int, default=500, metavar="N", help="members arriving at --rate (0: skip)")
    parser.add_argument("--rate", type=float, default=250.0, help="paced arrivals per second of the wall clock")
    parser.add_argument("--single", type=int, default=20, metavar="N", help="members reacting one at a time (0: skip)")
    parser.add_argument("--series", type=int, default=4, metavar="N", help="dates of the series case (0: skip)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)

    with Machine() as machine:
        bursts = await runs(args.runs, args.database, one_run, args.members, args.capacity)
        at_rate = partial(one_run, reactions=paced(args.rate))
        paced_results = await runs(args.runs, args.database, at_rate, args.paced, args.capacity) if args.paced else []
        singles = (
            await runs(args.runs, args.database, one_single_run, args.single, args.capacity) if args.single else []
        )
        on_series = partial(one_run, dates=args.series)
        series = await runs(args.runs, args.database, on_series, args.members, args.capacity) if args.series > 1 else []

    print_header(args, bool(series))
    print(row(*(name for name, _ in COLUMNS)))
    print(table_row("burst", bursts, timed=True))
    if series:
        print(table_row("series", series, timed=True))
    if paced_results:
        print(table_row("paced", paced_results, timed=True))
    if singles:
        print(table_row("single", singles, timed=False))
    print(machine.line())
    idle = statistics.median(r.idle.transactions for r in bursts + paced_results + singles)
    print(
        f"per registration: from the reaction to the announcement's edit, idle subtracted (median idle stretch: "
        f"{idle:g} transactions); ignored: the same per ✅ on an ordinary message; time: until the bot was done but "
        "for the deferred edit's 5 s pause (left out); the baseline warmed up by an unmeasured stretch first"
    )
    speeds = [r.registrations_per_second for r in bursts]
    cpu = statistics.median(r.measured.cpu_seconds for r in bursts)
    print(
        f"burst over the runs: {min(speeds):.0f}–{max(speeds):.0f} registrations/s (wall clock: a loaded machine "
        f"spreads it); CPU of the burst {cpu:.3f} s, {args.members / cpu:.0f} registrations per CPU second (median)"
    )
    print(f"announcement edits (burst + {EDIT_WINDOW} s), worst run: {max(r.edits for r in bursts)}")
    if paced_results:
        print_paced(paced_results, args.rate)
    if series:
        ratio = statistics.median(r.seconds for r in series) / statistics.median(r.seconds for r in bursts)
        series_cpu = statistics.median(r.measured.cpu_seconds for r in series)
        print(
            f"series: the same burst registering for {args.series} dates at once costs {ratio:.2f}× the single "
            f"session's time and {series_cpu / cpu:.2f}× its CPU ({args.members / series_cpu:.0f} registrations per "
            "CPU second; medians); each seated member got one reminder per date and reminder time, checked"
        )
    print(
        f"checked every run: {args.capacity} seated, the others waitlisted in arrival order, nobody twice, at most "
        "one announcement edit per 5 s (burst, series, paced); single: the same, seat by seat"
    )


def print_header(args: argparse.Namespace, series: bool) -> None:
    parts = [f"burst: {args.members} members at once"]
    if args.paced:
        parts.append(f"paced: {args.paced} arriving at {args.rate:g}/s while the bot works")
    if args.single:
        parts.append(f"single: {args.single} one at a time")
    if series:
        parts.append(f"series: the burst on a {args.series}-date series")
    print(
        f"registrations by ✅ — {'; '.join(parts)}; {args.capacity} seats, {args.database}, {args.runs} runs (medians)"
    )


def print_paced(results: list[RunResult], rate: float) -> None:
    """What the paced rows hide: the arrival rate achieved and the bot's tail after the last reaction."""
    achieved = statistics.median((r.reactions - 1) / r.measured.arrival_seconds for r in results if r.reactions > 1)
    tail = statistics.median(r.measured.after_last_seconds for r in results) * 1000
    baseline_tail = statistics.median(r.baseline.after_last_seconds for r in results) * 1000
    print(
        f"paced: reactions arrived at {achieved:.0f}/s (asked {rate:g}/s; the bot shares the event loop); the bot was "
        f"done {tail:.0f} ms after the last ✅ (baseline {baseline_tail:.0f} ms; medians)"
    )


if __name__ == "__main__":
    asyncio.run(main())

"""Reminder fan-out: 20 sessions × 200 registrants, every reminder dispatched from the due-work table; and a series.

    .venv/bin/python -m benchmarks.reminder_fanout [--runs 3] [--sessions 20] [--registrants 200] [--rows 100000]
                                                   [--series 4] [--series-members 500]
                                                   [--database sqlite|postgresql]

Through the simulated Discord (SimCord): sessions are announced, people register with a burst of ✅ (100 seats
each, Zoom's limit: the others are waitlisted and get no reminder), then the
clock is moved to each reminder time and ``bot.run_due_work()`` sends what is due. Measured: the time spent
planning (the registrations write the due rows in the same transactions) and dispatching, REST calls per
reminder, and — baseline in the same run — the same number of DMs sent directly, without the table. Then the
dispatcher's start-up work (recover interrupted rows, find the next due time) with ``--rows`` rows in the table.
Median of the runs.

**series** (``--series N``, default 4; 0 skips it): ``--series-members`` members react ✅ on the one announcement
of a series whose N sessions are announced (100 seats: the rest wait), then every date's reminders are dispatched.
Checked every run: each seated member got exactly one reminder per date and reminder time, nobody else any. Its
figures (per reminder) are printed next to the single sessions'. Its baseline sends the same DMs with the same
buttons: the first reminder of each date carries « Absent·e le JJ/MM », a heavier message for Discord.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import simcord
from sqlalchemy import func, insert, select

from benchmarks._guild import GUILD_ID, announced, announced_series, configured_guild
from benchmarks.registration_burst import reset_postgres, settings_for
from bot.app import FabriqueBot, create_bot
from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.models import DueWorkRow, FabriqueRow, RegistrationRow
from bot.services.ports import Messenger
from tests.ports import services_on


@dataclass(frozen=True)
class FanoutResult:
    planning_seconds: float
    dispatch_seconds: float
    reminders: int
    rest_calls: int
    baseline_seconds: float


async def announce_sessions(env: simcord.Env, count: int) -> simcord.ChannelHandle:
    world = await configured_guild(env)
    for number in range(1, count + 1):
        await announced(world, env, number, f"Session {number}", 10 + number, 0)
    await env.advance_time(6)
    return world.agenda


Announce = Callable[[simcord.Env, Settings], Awaitable[simcord.ChannelHandle]]


def single_sessions(count: int) -> Announce:
    return lambda env, _settings: announce_sessions(env, count)


def one_series(dates: int) -> Announce:
    async def announce(env: simcord.Env, settings: Settings) -> simcord.ChannelHandle:
        world = await configured_guild(env)
        await announced_series(world, env, settings, dates, "Cycle d'écriture", 0)
        await env.advance_time(6)
        return world.agenda

    return announce


async def one_run(
    settings: Settings, sessions: int, registrants: int, announce: Announce | None = None, buttons_every: int = 0
) -> FanoutResult:
    """``sessions`` announcements (a series has one) ✅ by ``registrants`` members, then every reminder sent.
    ``buttons_every``: one DM in so many of the baseline carries the absence button, as a series' reminders do."""
    bot: FabriqueBot = create_bot(settings)
    async with simcord.run(bot, settle_timeout=2.0) as env:
        agenda = await (announce or single_sessions(sessions))(env, settings)
        member_role = next(r for r in env.guild.roles.values() if r.name == "Membre")
        people = [env.guild.add_member(env.create_user(f"m{i}"), roles=[member_role]).id for i in range(registrants)]
        announcements = [m.id for m in agenda.history() if m.embeds][:sessions]

        started = time.perf_counter()
        for message_id in announcements:
            for user_id in people:
                env.backend.set_reaction(agenda.id, message_id, "✅", user_id, True)
        await env.settle(timeout=50)  # under the scheduler's 60 s sweep, which settle would otherwise wait for
        planning = time.perf_counter() - started

        starts = await session_starts(settings)
        reminder_times = sorted(
            {start - timedelta(minutes=m) for start in starts for m in settings.sessions.reminders_before_minutes}
        )
        requests_before = len(env.http_requests)
        dispatch = 0.0
        for moment in reminder_times:
            await env.advance_time(max(0.0, (moment - env.now()).total_seconds()))
            began = time.perf_counter()
            await bot.run_due_work()
            dispatch += time.perf_counter() - began
        rest_calls = len(env.http_requests) - requests_before
        # Seats are capped by Zoom (100): people beyond are waitlisted and get no reminder. Count what was sent.
        reminders = await sent_reminders(settings)

        messaging = bot.get_cog("Messaging")  # the port every DM of the bot goes through
        assert isinstance(messaging, Messenger)
        began = time.perf_counter()
        for index in range(reminders):  # the baseline: as many DMs (and buttons), sent directly
            if buttons_every and index % buttons_every == 0:
                await messaging.offer_absence(people[index % len(people)], "Rappel", 1, "01/01")
            else:
                await messaging.dm(people[index % len(people)], "Rappel")
        baseline = time.perf_counter() - began
    return FanoutResult(planning, dispatch, reminders, rest_calls, baseline)


async def series_run(settings: Settings, dates: int, members: int) -> FanoutResult:
    """The series case: one announcement, ``dates`` dates; each seated member reminded once per date and time."""
    per_date = len(settings.sessions.reminders_before_minutes)
    result = await one_run(settings, 1, members, one_series(dates), buttons_every=per_date)
    engine = create_engine(settings.database.url)
    async with engine.connect() as connection:
        done = select(DueWorkRow.fabrique_id, DueWorkRow.user_id, DueWorkRow.amount).where(
            DueWorkRow.kind == "reminder", DueWorkRow.status == "done"
        )
        sent = (await connection.execute(done)).all()
        confirmed = select(RegistrationRow.user_id).where(RegistrationRow.status == "confirmed")
        seated = set((await connection.execute(confirmed)).scalars())
    await engine.dispose()
    per_person = Counter((row.fabrique_id, row.user_id, row.amount) for row in sent)
    assert set(per_person.values()) == {1}, "a reminder sent twice"
    assert {user for _, user, _ in per_person} == seated, "someone seated not reminded, or someone waiting reminded"
    assert len({fabrique for fabrique, _, _ in per_person}) == dates, "a date not reminded"
    assert len(per_person) == len(seated) * dates * per_date
    return result


async def sent_reminders(settings: Settings) -> int:
    engine = create_engine(settings.database.url)
    async with engine.connect() as connection:
        statement = select(func.count()).where(DueWorkRow.kind == "reminder", DueWorkRow.status == "done")
        count = (await connection.execute(statement)).scalar_one()
    await engine.dispose()
    return int(count)


async def session_starts(settings: Settings) -> list[datetime]:
    engine = create_engine(settings.database.url)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(FabriqueRow.starts_at))).scalars().all()
    await engine.dispose()
    return [row.replace(tzinfo=UTC) if row.tzinfo is None else row for row in rows if row is not None]


async def startup_with_rows(settings: Settings, rows: int) -> tuple[float, float]:
    """The dispatcher's start-up work, on an empty table then with ``rows`` rows (mostly done, some pending)."""
    from bot.db import migrate

    engine = create_engine(settings.database.url)
    await migrate.upgrade(engine)
    services = services_on(engine, settings, lambda: datetime.now(UTC))

    async def start_up() -> float:
        began = time.perf_counter()
        await services.timeline.recover()
        await services.timeline.next_due()
        await services.timeline.claim_due()
        return time.perf_counter() - began

    empty = await start_up()
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        await connection.execute(
            insert(FabriqueRow),
            [
                {
                    "guild_id": GUILD_ID,
                    "organizer_id": 1,
                    "format": "atelier",
                    "parcours": "classique",
                    "duration_minutes": 120,
                    "title": "x",
                    "description": "x",
                    "speaker": "",
                    "needs": "",
                    "state": "announced",
                    "revision": 1,
                    "created_at": now,
                    "updated_at": now,
                    "kind": "fabrique",
                    "capacity": 0,
                }
            ],
        )
        batch = []
        for index in range(rows):
            pending = index % 10 == 0
            batch.append(
                {
                    "fabrique_id": 1,
                    "key": f"bench:{index}",
                    "kind": "reminder",
                    "user_id": index,
                    "amount": 60,
                    "due_at": now + timedelta(days=1 + index % 30) if pending else now - timedelta(days=index % 300),
                    "status": "pending" if pending else "done",
                    "attempts": 0 if pending else 1,
                    "done_at": None if pending else now,
                }
            )
            if len(batch) == 10_000:
                await connection.execute(insert(DueWorkRow), batch)
                batch = []
        if batch:
            await connection.execute(insert(DueWorkRow), batch)
    full = await start_up()
    await engine.dispose()
    return empty, full


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--registrants", type=int, default=200)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--series", type=int, default=4, metavar="N", help="dates of the series case (0: skip)")
    parser.add_argument("--series-members", type=int, default=500)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)

    results: list[FanoutResult] = []
    series: list[FanoutResult] = []
    startups: list[tuple[float, float]] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as directory:
            settings = settings_for(args.database, Path(directory))
            if args.database == "postgresql":
                await reset_postgres(settings.database.url)
            results.append(await one_run(settings, args.sessions, args.registrants))
        if args.series > 1:
            with tempfile.TemporaryDirectory() as directory:
                settings = settings_for(args.database, Path(directory))
                if args.database == "postgresql":
                    await reset_postgres(settings.database.url)
                series.append(await series_run(settings, args.series, args.series_members))
        with tempfile.TemporaryDirectory() as directory:
            settings = settings_for(args.database, Path(directory))
            if args.database == "postgresql":
                await reset_postgres(settings.database.url)
            startups.append(await startup_with_rows(settings, args.rows))

    def median(values: list[float]) -> float:
        return statistics.median(values)

    reminders = results[0].reminders
    dispatch = median([r.dispatch_seconds for r in results])
    baseline = median([r.baseline_seconds for r in results])
    print(
        f"reminder fan-out — {args.sessions} sessions × {args.registrants} registrants, {args.database}, "
        f"{args.runs} runs (median)"
    )
    print(f"{'measure':<58}{'value':>12}")
    planning = median([r.planning_seconds for r in results])
    print(f"{'registrations incl. planning of their due rows (s)':<58}{planning:>12.2f}")
    print(f"{'reminders dispatched':<58}{reminders:>12}")
    print(f"{'dispatch of every due row (s)':<58}{dispatch:>12.2f}")
    print(f"{'baseline: as many DMs sent directly (s)':<58}{baseline:>12.2f}")
    print(f"{'ratio to baseline':<58}{dispatch / baseline:>12.2f}")
    print(f"{'reminders per second':<58}{reminders / dispatch:>12.0f}")
    rest = median([r.rest_calls for r in results]) / reminders
    print(f"{'REST calls per reminder (incl. checklists, notices)':<58}{rest:>12.2f}")
    print(f"{'dispatcher start-up, empty table (ms)':<58}{median([s[0] for s in startups]) * 1000:>12.1f}")
    print(f"{f'dispatcher start-up, {args.rows} rows (ms)':<58}{median([s[1] for s in startups]) * 1000:>12.1f}")
    if series:
        print_series(series, args.series, args.series_members, (dispatch / reminders, rest, dispatch / baseline))


def print_series(results: list[FanoutResult], dates: int, members: int, single: tuple[float, float, float]) -> None:
    """The series' figures per reminder, next to the single sessions' (``single``: seconds and REST calls per
    reminder, ratio to its baseline)."""
    reminders = results[0].reminders
    dispatch = statistics.median(r.dispatch_seconds for r in results)
    baseline = statistics.median(r.baseline_seconds for r in results)
    rest = statistics.median(r.rest_calls for r in results) / reminders
    print(f"series — {members} members on a {dates}-date series (one announcement; checked: each seated member "
          "reminded exactly once per date and reminder time, nobody waiting reminded)")  # fmt: skip
    print(f"{'per reminder':<40}{'single':>14}{'series':>14}")
    print(f"{'reminders dispatched':<40}{'':>14}{reminders:>14}")
    print(f"{'dispatch per reminder (ms)':<40}{single[0] * 1000:>14.2f}{dispatch / reminders * 1000:>14.2f}")
    print(f"{'ratio to baseline':<40}{single[2]:>14.2f}{dispatch / baseline:>14.2f}")
    print(f"{'reminders per second':<40}{1 / single[0]:>14.0f}{reminders / dispatch:>14.0f}")
    print(f"{'REST calls per reminder':<40}{single[1]:>14.2f}{rest:>14.2f}")
    planning = statistics.median(r.planning_seconds for r in results)
    print(f"{'registrations incl. planning (s)':<40}{'':>14}{planning:>14.2f}")


if __name__ == "__main__":
    asyncio.run(main())

"""Reminder fan-out: 20 sessions × 200 registrants, every reminder dispatched from the due-work table; and a series.

    .venv/bin/python -m benchmarks.reminder_fanout [--runs 3] [--sessions 20] [--registrants 200] [--rows 100000]
                                                   [--series 4] [--series-members 500]
                                                   [--database sqlite|postgresql]

Through the simulated Discord (SimCord): sessions are announced, people register with a burst of ✅ (100 seats
each, Zoom's limit: the others are waitlisted and get no reminder), then the clock is moved to each reminder time
and ``bot.run_due_work()`` sends what is due. Measured: the time spent planning (the registrations write the due
rows in the same transactions) and dispatching, REST calls per reminder, and — baseline in the same run — the same
messages sent directly, without the table. Then the dispatcher's start-up work (recover interrupted rows, find the
next due time) with ``--rows`` rows in the table. Median of the runs; under the tables, the machine's cores and
load average with whether it was busy (``benchmarks._machine``).

**The timed window** is each ``bot.run_due_work()`` and whatever it set going (settled with SimCord's timers
parked, the clock unmoved), and nothing dispatches outside it: the scheduler's safety-net sweep — armed in real
time, every 60 s of the wall clock — is stopped for the run, as it would otherwise send whatever is due at any
moment (while the clock is being moved, untimed) and leave the timed call nothing to do. Checked every run: the due
rows finished outside the windows are none.

**The baseline sends what the bot sends**: every call the bot made to its Messenger port (``cogs.messaging``) in
the windows — reminders, series' reminders with « Absent·e le JJ/MM », checklists in the threads, notices — is
recorded and made again, in the same order, with the same arguments, outside the table. Checked every run before
printing: the baseline posted the same number of messages, with the same texts, to the same channels (hence the
same recipients) as the bot.

**series** (``--series N``, default 4; 0 skips it): ``--series-members`` members react ✅ on the one announcement
of a series whose N sessions are announced (100 seats: the rest wait), then every date's reminders are dispatched.
Checked every run: each seated member got exactly one reminder per date and reminder time, nobody else any. Its
figures (per reminder) are printed next to the single sessions'.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import simcord
from sqlalchemy import func, insert, select

from benchmarks._guild import GUILD_ID, announced, announced_series, configured_guild
from benchmarks._machine import Machine
from benchmarks.registration_burst import done_but_timers, reset_postgres, settings_for
from bot.app import FabriqueBot, create_bot
from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.models import DueWorkRow, FabriqueRow, RegistrationRow
from bot.domain.timeline import DueStatus
from bot.services.ports import Messenger
from tests.ports import services_on

MESSENGER_CALLS = ("dm", "offer_absence", "offer_announce", "offer_recording", "tell_team", "notice_in_thread")


@dataclass(frozen=True)
class FanoutResult:
    planning_seconds: float
    dispatch_seconds: float
    reminders: int
    rest_calls: int
    baseline_seconds: float
    messages: int  # posted by the bot in the windows, and (checked) by the baseline
    recipients: int  # distinct channels they went to


@dataclass
class Recorder:
    """Every call the bot makes to its Messenger port while ``on``: what the baseline sends again."""

    on: bool = False
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)

    def wrap(self, messenger: Messenger) -> None:
        for name in MESSENGER_CALLS:
            setattr(messenger, name, self._recording(name, getattr(messenger, name)))

    def _recording(self, name: str, send: Callable[..., Awaitable[bool]]) -> Callable[..., Awaitable[bool]]:
        async def recorded(*args: Any, **kwargs: Any) -> bool:
            if self.on:
                self.calls.append((name, args, kwargs))
            return await send(*args, **kwargs)

        return recorded


def posted(env: simcord.Env, since: int) -> Counter[tuple[str, str]]:
    """The messages posted since a point of SimCord's request log: (channel path, text) → how many."""
    return Counter(
        (request.path, str((request.json or {}).get("content")))
        for request in env.http_requests[since:]
        if request.method == "POST" and request.path.endswith("/messages")
    )


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
    settings: Settings, sessions: int, registrants: int, announce: Announce | None = None
) -> FanoutResult:
    """``sessions`` announcements (a series has one) ✅ by ``registrants`` members, then every reminder sent, then
    the baseline: the same messages sent again directly."""
    bot: FabriqueBot = create_bot(settings)
    async with simcord.run(bot, settle_timeout=50.0) as env:
        bot.scheduler.shutdown()  # its real-time sweep would dispatch outside the timed windows
        messaging = bot.get_cog("Messaging")  # the port every message of the bot goes through
        assert isinstance(messaging, Messenger)
        recorder = Recorder()
        recorder.wrap(messaging)
        agenda = await (announce or single_sessions(sessions))(env, settings)
        member_role = next(r for r in env.guild.roles.values() if r.name == "Membre")
        people = [env.guild.add_member(env.create_user(f"m{i}"), roles=[member_role]).id for i in range(registrants)]
        announcements = [m.id for m in agenda.history() if m.embeds][:sessions]

        started = time.perf_counter()
        for message_id in announcements:
            for user_id in people:
                env.backend.set_reaction(agenda.id, message_id, "✅", user_id, True)
        await done_but_timers(env)  # the announcements' deferred edits (a 5 s pause) left out
        planning = time.perf_counter() - started

        dispatch, by_bot, rest_calls = await dispatch_every_reminder(env, bot, settings, recorder)
        # Seats are capped by Zoom (100): people beyond are waitlisted and get no reminder. Count what was sent.
        reminders = await sent_reminders(settings)

        since = len(env.http_requests)
        began = time.perf_counter()
        for name, args, kwargs in recorder.calls:  # the baseline: the same messages, sent directly
            await getattr(messaging, name)(*args, **kwargs)
        await done_but_timers(env)
        baseline = time.perf_counter() - began
        by_baseline = posted(env, since)
    assert by_baseline == by_bot, f"the baseline sent {by_baseline.total()} messages, the bot {by_bot.total()}"
    return FanoutResult(planning, dispatch, reminders, rest_calls, baseline, by_bot.total(), len(by_bot))


async def dispatch_every_reminder(
    env: simcord.Env, bot: FabriqueBot, settings: Settings, recorder: Recorder
) -> tuple[float, Counter[tuple[str, str]], int]:
    """Move the clock to each reminder time and dispatch, timed; the seconds, the messages posted and the REST calls
    made in the windows. Nothing may finish outside them (checked)."""
    starts = await session_starts(settings)
    reminder_times = sorted(
        {start - timedelta(minutes=m) for start in starts for m in settings.sessions.reminders_before_minutes}
    )
    seconds, messages, rest_calls = 0.0, Counter[tuple[str, str]](), 0
    finished_outside, finished_so_far = 0, await finished_rows(settings)
    for moment in reminder_times:
        await env.advance_time(max(0.0, (moment - env.now()).total_seconds()))
        finished_outside += await finished_rows(settings) - finished_so_far
        since = len(env.http_requests)
        recorder.on = True
        began = time.perf_counter()
        await bot.run_due_work()
        await done_but_timers(env)  # what the dispatch set going (an immediate wake-up, an edit) is its work too
        seconds += time.perf_counter() - began
        recorder.on = False
        messages += posted(env, since)
        rest_calls += len(env.http_requests) - since
        finished_so_far = await finished_rows(settings)
    assert finished_outside == 0, f"{finished_outside} due rows finished outside the timed windows"
    return seconds, messages, rest_calls


async def finished_rows(settings: Settings) -> int:
    """Due rows no longer pending, whatever their outcome."""
    engine = create_engine(settings.database.url)
    async with engine.connect() as connection:
        statement = select(func.count()).where(DueWorkRow.status != DueStatus.PENDING)
        count = (await connection.execute(statement)).scalar_one()
    await engine.dispose()
    return int(count)


async def series_run(settings: Settings, dates: int, members: int) -> FanoutResult:
    """The series case: one announcement, ``dates`` dates; each seated member reminded once per date and time."""
    per_date = len(settings.sessions.reminders_before_minutes)
    result = await one_run(settings, 1, members, one_series(dates))
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
    with Machine() as machine:
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as directory:
                settings = await fresh(args.database, Path(directory))
                results.append(await one_run(settings, args.sessions, args.registrants))
            if args.series > 1:
                with tempfile.TemporaryDirectory() as directory:
                    settings = await fresh(args.database, Path(directory))
                    series.append(await series_run(settings, args.series, args.series_members))
            with tempfile.TemporaryDirectory() as directory:
                settings = await fresh(args.database, Path(directory))
                startups.append(await startup_with_rows(settings, args.rows))

    def median(values: list[float]) -> float:
        return statistics.median(values)

    reminders = results[0].reminders
    dispatch = median([r.dispatch_seconds for r in results])
    ratio = median([r.dispatch_seconds / r.baseline_seconds for r in results])
    print(
        f"reminder fan-out — {args.sessions} sessions × {args.registrants} registrants, {args.database}, "
        f"{args.runs} runs (median)"
    )
    print(f"{'measure':<58}{'value':>12}")
    planning = median([r.planning_seconds for r in results])
    print(f"{'registrations incl. planning of their due rows (s)':<58}{planning:>12.2f}")
    print(f"{'reminders dispatched':<58}{reminders:>12}")
    print(f"{'dispatch of every due row (s)':<58}{dispatch:>12.2f}")
    print(f"{'messages posted by the bot = by the baseline (checked)':<58}{results[0].messages:>12}")
    print(f"{'channels they went to (same for both, checked)':<58}{results[0].recipients:>12}")
    print(
        f"{'baseline: the same messages sent directly (s)':<58}{median([r.baseline_seconds for r in results]):>12.2f}"
    )
    print(f"{'ratio to baseline':<58}{ratio:>12.2f}")
    print(f"{'reminders per second':<58}{reminders / dispatch:>12.0f}")
    rest = median([r.rest_calls for r in results]) / reminders
    print(f"{'REST calls per reminder (incl. checklists, notices)':<58}{rest:>12.2f}")
    print(f"{'dispatcher start-up, empty table (ms)':<58}{median([s[0] for s in startups]) * 1000:>12.1f}")
    print(f"{f'dispatcher start-up, {args.rows} rows (ms)':<58}{median([s[1] for s in startups]) * 1000:>12.1f}")
    if series:
        print_series(series, args.series, args.series_members, (dispatch / reminders, rest, ratio))
    print(machine.line())
    print("timed: each dispatch and what it set going; nothing finished outside (checked), the real-time sweep stopped")


async def fresh(database: str, directory: Path) -> Settings:
    """Settings on an empty database: a new SQLite file, or PostgreSQL's schema dropped."""
    settings = settings_for(database, directory)
    if database == "postgresql":
        await reset_postgres(settings.database.url)
    return settings


def print_series(results: list[FanoutResult], dates: int, members: int, single: tuple[float, float, float]) -> None:
    """The series' figures per reminder, next to the single sessions' (``single``: seconds and REST calls per
    reminder, ratio to its baseline)."""
    reminders = results[0].reminders
    dispatch = statistics.median(r.dispatch_seconds for r in results)
    ratio = statistics.median(r.dispatch_seconds / r.baseline_seconds for r in results)
    rest = statistics.median(r.rest_calls for r in results) / reminders
    print(f"series — {members} members on a {dates}-date series (one announcement; checked: each seated member "
          "reminded exactly once per date and reminder time, nobody waiting reminded)")  # fmt: skip
    print(f"{'per reminder':<40}{'single':>14}{'series':>14}")
    print(f"{'reminders dispatched':<40}{'':>14}{reminders:>14}")
    print(f"{'messages, = the baseline (checked)':<40}{'':>14}{results[0].messages:>14}")
    print(f"{'dispatch per reminder (ms)':<40}{single[0] * 1000:>14.2f}{dispatch / reminders * 1000:>14.2f}")
    print(f"{'ratio to baseline':<40}{single[2]:>14.2f}{ratio:>14.2f}")
    print(f"{'reminders per second':<40}{1 / single[0]:>14.0f}{reminders / dispatch:>14.0f}")
    print(f"{'REST calls per reminder':<40}{single[1]:>14.2f}{rest:>14.2f}")
    planning = statistics.median(r.planning_seconds for r in results)
    print(f"{'registrations incl. planning (s)':<40}{'':>14}{planning:>14.2f}")


if __name__ == "__main__":
    asyncio.run(main())

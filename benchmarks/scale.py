"""Years of history: start-up, interactions and reconciliation at 10 / 1,000 / 10,000 sessions (issue 17).

    .venv/bin/python -m benchmarks.scale [--sizes 10 1000 10000] [--runs 3] [--calls 50] [--postgres URL]
                                         [--cache-dir /tmp/fabrique-scale]

**History** (``benchmarks/_history.py``): each size seeded through the services as the bot makes it, 20
registrations by ✅ per session and the due rows the bot plans and dispatches; nine tenths of the sessions held in
the past, one tenth announced and to come. Seeded once per size and day (``benchmarks._history``), then cached
(``--cache-dir``; on PostgreSQL, ``--postgres URL`` or ``TEST_POSTGRES_URL``, a template database); the seeding time
is printed when a size had to be seeded.

Each run works on a fresh copy of the history and measures, in this order:

- **start-up to ready**, Discord excluded, with the calls ``FabriqueBot.setup_hook`` and the registration cog's
  reconciliation make, split in ``migrations`` (the check of a database at head), ``scheduler`` (leftover
  documentation jobs, timed work recovered, the next due moment) and ``reconciliation`` (stranded announcements,
  then the one read that tells which announcements to come the ✅ they carry would change, and those reconciled:
  nothing changed while the bot was away);
- **interactions**, timed through the calls their cog makes (``cogs/fabrique.py``, ``cogs/equipe.py``,
  ``cogs/_suggest.py``) and their rendering, Discord excluded: p50 / p99 over ``--calls`` calls (and the max for
  ``/equipe suivi``), and the SQL statements one call executes. The autocompletes are called with a stand-in
  interaction where they only read its guild, user and bot; those that read the member's roles (``bookable``, the
  team's slots) are their service calls, for a team member;
- **reconciliation of one session** whose 100 / 300 / 900 ✅ were added while the bot was offline: a new announced
  session, then ``reconcile_announcement`` with those people; its time and the transactions it began;
- **REST calls during start-up**, through SimCord: the guild simulated (its members, the agenda channel, each
  announcement to come posted there with its ✅), the copy pointed at it by the services (``configure``,
  ``mark_announced``), then the real bot started on it and settled; every request it made is counted, and the time
  it took (Discord simulated, so not the start-up target) printed beside.

The verdict lines compare the largest size measured with the issue's targets, and the SQL statements of each
interaction across the sizes (they must not grow with the history). Medians over ``--runs``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import discord
import simcord
from simcord.backend.models.user import User
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks._history import (
    GUILD_ID,
    TEAM,
    FrozenClock,
    History,
    announced_session,
    member,
    reactor,
    session_start,
    settings_for,
    silent_ports,
)
from benchmarks._machine import Machine
from bot.app import create_bot
from bot.db import migrate
from bot.db.engine import create_engine
from bot.db.models import DueWorkRow, FabriqueRow, RegistrationRow
from bot.domain.lifecycle import Actor
from bot.i18n import I18n
from bot.services import Services
from bot.services.guild_config import ConfigChanges
from bot.services.registrations import Marks, Reactor
from cogs import _render, _suggest
from tests.ports import BOT_USER_ID, services_on

SIZES = (10, 1_000, 10_000)
OFFLINE = (100, 300, 900)  # ✅ added on one session while the bot was away
OFFLINE_TIME = "21:00"  # after the day's four sessions of the history, so these sessions find a free slot
NEWCOMERS = 820_000_000_000_000_000  # the ids of the people who reacted while the bot was away
BOT = Actor(BOT_USER_ID, is_team=True)

TARGET_STARTUP_S = 1.0
TARGET_RECONCILE_S = 0.3
TARGET_P99_MS = 30.0


class Meter:
    """Counts the SQL statements executed and the transactions begun on an engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.sync_engine
        self.statements = 0
        self.transactions = 0
        event.listen(self._engine, "before_cursor_execute", self._executed)
        event.listen(self._engine, "begin", self._begun)

    def _executed(self, *_: Any) -> None:
        self.statements += 1

    def _begun(self, *_: Any) -> None:
        self.transactions += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._executed)
        event.remove(self._engine, "begin", self._begun)


# --- what is measured -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartUp:
    migrations: float
    scheduler: float
    reconciliation: float

    @property
    def total(self) -> float:
        return self.migrations + self.scheduler + self.reconciliation


@dataclass(frozen=True)
class Calls:
    """One interaction called again and again: its times (seconds) and the SQL statements of one call."""

    seconds: list[float]
    statements: int

    def quantile(self, share: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Offline:
    seconds: float
    transactions: int


@dataclass
class RunResult:
    counts: tuple[int, int, int]  # sessions, registrations, due rows
    start_up: StartUp
    calls: dict[str, Calls]
    offline: dict[int, Offline]
    rest_calls: int | None  # None: the start did not settle within SimCord's 5 s
    simulated_start_up: float | None


# An interaction, called with the services, the catalogue and the organizer who uses it.
Interaction = Callable[[Services, I18n, int], Awaitable[object]]


def stand_in(services: Services, user_id: int) -> discord.Interaction:
    """What the autocompletes read of an interaction that does not need the member's roles: guild, user, bot."""
    client = SimpleNamespace(services=services, i18n=services.i18n)
    user = SimpleNamespace(id=user_id, display_name="Organisatrice")
    return cast(discord.Interaction, SimpleNamespace(guild_id=GUILD_ID, user=user, client=client))


async def agenda(services: Services, i18n: I18n, who: int) -> None:
    """``/fabrique agenda``: the sessions to come, their embed and their ``.ics``."""
    agenda = await services.sessions.agenda_file(GUILD_ID)
    _render.agenda(agenda.records, i18n)


async def follow_up(services: Services, i18n: I18n, who: int) -> None:
    """``/equipe suivi``: the dashboard with the copies of the sessions booked to come, the embed."""
    await services.guild_config.get(GUILD_ID)  # current_actor: the team role
    await services.member_names.remember(GUILD_ID, TEAM.user_id, "Équipe")
    dashboard = await services.timeline.follow_up(GUILD_ID)
    _render.follow_up(dashboard, i18n)
    _render.copies(dashboard.booked, dashboard.copies, i18n)


async def mine(services: Services, i18n: I18n, who: int) -> None:
    """``/fabrique mes-fabriques`` of an organizer with her share of the history."""
    _render.my_fabriques(await services.proposals.mine(GUILD_ID, who), i18n)


async def suggest_sessions(services: Services, i18n: I18n, who: int) -> None:
    await _suggest.sessions(stand_in(services, member(0)), "")


async def suggest_editable(services: Services, i18n: I18n, who: int) -> None:
    await _suggest.editable(stand_in(services, who), "")


async def suggest_correctable(services: Services, i18n: I18n, who: int) -> None:
    await _suggest.correctable(stand_in(services, who), "")


async def suggest_free_slots(services: Services, i18n: I18n, who: int) -> None:
    await _suggest.free_slots(stand_in(services, who), "")


async def suggest_bookable(services: Services, i18n: I18n, who: int) -> None:
    """``_suggest.bookable`` for the team: who is acting, then the Fabriques they may book, as choices."""
    await services.guild_config.get(GUILD_ID)
    await services.member_names.remember(GUILD_ID, TEAM.user_id, "Équipe")
    records = await services.slots.suggest_fabriques(GUILD_ID, TEAM)
    _suggest._fabrique_choices(stand_in(services, TEAM.user_id), records, "")


async def suggest_team_slots(services: Services, i18n: I18n, who: int) -> None:
    """``_suggest.team_slots`` for the team: who is acting, then every slot to come, as choices."""
    await services.guild_config.get(GUILD_ID)
    await services.member_names.remember(GUILD_ID, TEAM.user_id, "Équipe")
    await _suggest._slots(stand_in(services, TEAM.user_id), "", free_only=False)


INTERACTIONS: dict[str, Interaction] = {
    "/fabrique agenda": agenda,
    "/equipe suivi": follow_up,
    "/fabrique mes-fabriques": mine,
    "autocomplete sessions": suggest_sessions,
    "autocomplete editable": suggest_editable,
    "autocomplete correctable": suggest_correctable,
    "autocomplete free slots": suggest_free_slots,
    "autocomplete bookable (team)": suggest_bookable,
    "autocomplete team slots": suggest_team_slots,
}


async def history_counts(engine: AsyncEngine) -> tuple[int, int, int]:
    """How much history the copy holds (a count for the table's heading, not a shortcut of the seeding)."""
    async with engine.connect() as connection:
        counted = [
            (await connection.execute(select(func.count()).select_from(model))).scalar_one()
            for model in (FabriqueRow, RegistrationRow, DueWorkRow)
        ]
    return counted[0], counted[1], counted[2]


async def reactors_to_come(services: Services) -> dict[int, list[Reactor]]:
    """Who carries a ✅ on each announcement to come: its registrants (nothing changed while the bot was away).
    Each announcement is also marked as showing the truth, as the bot's last edit left it (the history's fake
    noticeboard draws nothing, so it remembers no drawing)."""
    reacted = {}
    for record in await services.sessions.announcements_to_come():
        reacted[record.id] = [reactor(user_id) for user_id in await services.registrations.registrant_ids(record.id)]
        await services.registrations.drawn(record.id, "as last edited")
    return reacted


async def start_up(url: str, directory: Path, clock: FrozenClock, reacted: dict[int, list[Reactor]]) -> StartUp:
    """``setup_hook`` and the reconciliation at start, Discord excluded, on a fresh engine."""
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        await migrate.upgrade(engine)
        migrated = time.perf_counter()
        services = services_on(engine, settings_for(url, directory), clock, ports=silent_ports())
        await services.documentation_jobs.discard_leftovers()
        await services.timeline.recover()
        await services.timeline.next_due()
        await services.welcome.next_due()
        services.bilan.next_due()
        scheduled = time.perf_counter()
        await services.announcements.announce_stranded()
        found = [
            Marks(record, reacted.get(record.id, []), None)
            for record in await services.sessions.announcements_to_come()
        ]
        for marks in await services.registrations.to_reconcile(found):
            await services.registrations.reconcile_announcement(marks.record, marks.reacted, marks.interested)
        reconciled = time.perf_counter()
        await services.background.settle()
    finally:
        await engine.dispose()
    return StartUp(migrated - started, scheduled - migrated, reconciled - scheduled)


async def interactions(services: Services, engine: AsyncEngine, calls: int) -> dict[str, Calls]:
    """Each interaction timed ``calls`` times. The organizer is the one of the first session to come: at every
    size she has a session she may still correct and her share of the past, so each size reads the same kinds
    of rows (an empty answer skips the co-organizers' statement, which is not history costing nothing)."""
    who = (await services.sessions.announcements_to_come())[0].organizer_id
    meter = Meter(engine)
    results = {}
    try:
        for name, interaction in INTERACTIONS.items():
            await interaction(services, services.i18n, who)  # warm: the first call pays for imports and caches
            seconds = []
            for _ in range(calls):
                before = meter.statements
                started = time.perf_counter()
                await interaction(services, services.i18n, who)
                seconds.append(time.perf_counter() - started)
                statements = meter.statements - before
            results[name] = Calls(seconds, statements)
    finally:
        meter.close()
    return results


async def offline_reconciliations(
    services: Services, engine: AsyncEngine, clock: FrozenClock, counts: Sequence[int]
) -> dict[int, Offline]:
    """For each count, a new announced session nobody registered to, then that many ✅ found at start."""
    meter = Meter(engine)
    results = {}
    try:
        for rank, people in enumerate(counts):
            at = session_start(clock.now + timedelta(days=10 + rank), OFFLINE_TIME)
            record = await announced_session(services, 1_000_000 + rank, at, [])
            newcomers = [reactor(NEWCOMERS + people * 10_000 + n) for n in range(people)]
            await services.background.settle()  # the announcement's own background work is not the reconciliation's
            before = meter.transactions
            started = time.perf_counter()
            await services.registrations.reconcile_announcement(record, newcomers, None)
            results[people] = Offline(time.perf_counter() - started, meter.transactions - before)
            await services.background.settle()
    finally:
        meter.close()
    return results


async def simcord_start_up(
    url: str, directory: Path, reacted: dict[int, list[Reactor]]
) -> tuple[int | None, float | None]:
    """The real bot started on the copy in a simulated guild whose announcements carry their ✅: the REST calls it
    made until settled, and how long that took (Discord simulated); None when it did not settle within the 5 s
    SimCord gives a starting bot (no count then)."""
    settings = settings_for(url, directory)
    env = simcord.Env(create_bot(settings), settle_timeout=20.0)
    backend = env.backend
    guild = env.create_guild("Fabrique", id=GUILD_ID)
    team_role, member_role = guild.create_role("Équipe"), guild.create_role("Membre")
    team_channel, agenda_channel = guild.create_text_channel("equipe"), guild.create_text_channel("agenda")
    people = {reactor.user_id for reactors in reacted.values() for reactor in reactors}
    for user_id in sorted(people):
        backend.users[user_id] = User(id=user_id, name=f"membre{user_id % 100_000}")
        backend.add_member(GUILD_ID, user_id, roles=[member_role.id])
    engine = create_engine(url)
    try:
        clock = FrozenClock(datetime.now(UTC))
        services = services_on(engine, settings, clock, ports=silent_ports())
        changes = ConfigChanges(
            team_role_id=team_role.id,
            member_role_id=member_role.id,
            team_channel_id=team_channel.id,
            agenda_channel_id=agenda_channel.id,
        )
        await services.guild_config.configure(GUILD_ID, changes, by=TEAM, is_admin=True)
        own = backend.bot_user.id
        for fabrique_id, reactors in reacted.items():
            message = backend.create_message(agenda_channel.id, own, "Annonce", broadcast=False)
            for user_id in [own, *(r.user_id for r in reactors)]:
                backend.set_reaction(agenda_channel.id, message.id, "✅", user_id, True)
            await services.sessions.mark_announced(GUILD_ID, fabrique_id, BOT, agenda_channel.id, message.id, None)
    finally:
        await engine.dispose()
    with env.time_context():
        started = time.perf_counter()
        try:
            await env.start()
        except TimeoutError:  # SimCord gives a starting bot 5 s to settle: its reconciliation took longer
            return None, None
        try:
            await env.settle()
            seconds = time.perf_counter() - started
            return len(env.http_requests), seconds
        finally:
            await env.shutdown()


async def one_run(history: History, directory: Path, calls: int, offline: Sequence[int]) -> RunResult:
    url = await history.copy(directory)
    clock = FrozenClock(datetime.now(UTC))
    engine = create_engine(url)
    try:
        counts = await history_counts(engine)
        services = services_on(engine, settings_for(url, directory), clock, ports=silent_ports())
        reacted = await reactors_to_come(services)
    finally:
        await engine.dispose()
    started = await start_up(url, directory, clock, reacted)
    engine = create_engine(url)
    try:
        services = services_on(engine, settings_for(url, directory), clock, ports=silent_ports())
        timed = await interactions(services, engine, calls)
        reconciled = await offline_reconciliations(services, engine, clock, offline)
    finally:
        await engine.dispose()
    rest_calls, simulated = await simcord_start_up(url, directory, reacted)
    return RunResult(counts, started, timed, reconciled, rest_calls, simulated)


# --- the table ------------------------------------------------------------------------------------------------------

LABEL = 54
CELL = 24


@dataclass
class SizeResult:
    size: int
    runs: list[RunResult]
    seeding_seconds: float | None

    def median(self, measure: Callable[[RunResult], float]) -> float:
        return statistics.median(measure(run) for run in self.runs)


def thousands(value: float) -> str:
    if value >= 1_000:
        return f"{value / 1_000:.1f}k".replace(".0k", "k")
    return f"{value:g}"


def ms(seconds: float) -> str:
    return f"{seconds * 1_000:.1f}"


def line(label: str, cells: Sequence[str]) -> str:
    return f"{label:<{LABEL}}|" + "|".join(f"{cell:>{CELL}} " for cell in cells)


def rows(results: list[SizeResult]) -> list[tuple[str, list[str]]]:
    def each(measure: Callable[[SizeResult], str]) -> list[str]:
        return [measure(result) for result in results]

    def seconds(measure: Callable[[RunResult], float]) -> list[str]:
        return each(lambda r: f"{r.median(measure):.3f}")

    table = [
        (
            "sessions / registrations / due rows",
            each(lambda r: " / ".join(f"{thousands(n)}" for n in r.runs[0].counts)),
        ),
        ("start-up to ready (s)", seconds(lambda run: run.start_up.total)),
        ("  migrations (s)", seconds(lambda run: run.start_up.migrations)),
        ("  scheduler (s)", seconds(lambda run: run.start_up.scheduler)),
        ("  reconciliation (s)", seconds(lambda run: run.start_up.reconciliation)),
        ("REST calls during start-up (SimCord)", each(lambda r: simulated(r, lambda run: run.rest_calls, ".0f"))),
        (
            "start-up in SimCord, Discord simulated (s)",
            each(lambda r: simulated(r, lambda run: run.simulated_start_up, ".3f")),
        ),
    ]
    for name in INTERACTIONS:
        shown = "p50 / p99 / max (ms)" if name == "/equipe suivi" else "p50 / p99 (ms)"

        def timing(result: SizeResult, name: str = name) -> str:
            figures = [
                result.median(lambda run: run.calls[name].quantile(0.5)),
                result.median(lambda run: run.calls[name].quantile(0.99)),
            ]
            if name == "/equipe suivi":
                figures.append(result.median(lambda run: max(run.calls[name].seconds)))
            return " / ".join(ms(figure) for figure in figures)

        table.append((f"{name} {shown}", each(timing)))
        table.append((f"{name} SQL statements", each(lambda r, name=name: f"{statements(r, name)}")))
    for people in results[0].runs[0].offline:
        table.append(
            (
                f"reconciliation of {people} offline ✅ (s / transactions)",
                each(
                    lambda r, people=people: (
                        f"{r.median(lambda run: run.offline[people].seconds):.3f} / "
                        f"{r.median(lambda run: run.offline[people].transactions):.0f}"
                    )
                ),
            )
        )
    return table


def simulated(result: SizeResult, measure: Callable[[RunResult], float | None], form: str) -> str:
    """The median of the runs that settled in SimCord; « not settled in 5 s » when none did."""
    figures = [figure for figure in map(measure, result.runs) if figure is not None]
    return format(statistics.median(figures), form) if figures else "not settled in 5 s"


def statements(result: SizeResult, name: str) -> int:
    return round(result.median(lambda run: run.calls[name].statements))


def verdicts(results: list[SizeResult]) -> list[str]:
    largest = results[-1]
    most = max(largest.runs[0].offline)
    where = f"at {largest.size:,} sessions"
    startup = largest.median(lambda run: run.start_up.total)
    reconcile = largest.median(lambda run: run.offline[most].seconds)
    transactions = largest.median(lambda run: run.offline[most].transactions)
    worst_name, worst = max(
        ((name, largest.median(lambda run, name=name: run.calls[name].quantile(0.99))) for name in INTERACTIONS),
        key=lambda pair: pair[1],
    )
    growing = [
        f"{name} {' → '.join(str(statements(r, name)) for r in results)}"
        for name in INTERACTIONS
        if len({statements(r, name) for r in results}) > 1
    ]
    rest = [simulated(r, lambda run: run.rest_calls, ".0f") for r in results]

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    return [
        f"verdict: start-up to ready ≤ {TARGET_STARTUP_S:g} s {where}: {startup:.3f} s — "
        f"{verdict(startup <= TARGET_STARTUP_S)}",
        f"verdict: reconciliation of {most} offline ✅ ≤ {TARGET_RECONCILE_S:g} s in one transaction {where}: "
        f"{reconcile:.3f} s, {transactions:.0f} transactions — "
        f"{verdict(reconcile <= TARGET_RECONCILE_S and transactions <= 1)}",
        f"verdict: interactions p99 ≤ {TARGET_P99_MS:g} ms {where}: worst {worst_name} {ms(worst)} ms — "
        f"{verdict(worst * 1_000 <= TARGET_P99_MS)}",
        "verdict: SQL statements constant across sizes: "
        + (
            f"grow: {'; '.join(growing)} — FAIL"
            if growing
            else ("every interaction — PASS" if len(results) > 1 else "one size measured, nothing to compare")
        ),
        f"verdict: REST calls at start-up constant across sizes (nothing changed while away): "
        f"{' → '.join(rest)} — {verdict(len(set(rest)) == 1 and 'not settled in 5 s' not in rest)}",
    ]


def print_table(results: list[SizeResult], database: str, runs: int, calls: int, machine: Machine) -> None:
    print(f"scale — {database}, {runs} run(s) (medians), {calls} calls per interaction")
    print(line("sessions", [f"{r.size:,}" for r in results]))
    for label, cells in rows(results):
        print(line(label, cells))
    for result in results:
        seeded = (
            f"seeded in {result.seeding_seconds:.0f} s"
            if result.seeding_seconds is not None
            else "from the cache (seeding time printed when seeded)"
        )
        print(f"history of {result.size:,} sessions: {seeded}")
    for text in verdicts(results):
        print(text)
    print(machine.line())


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=50, help="calls per interaction and run (p99 over them)")
    parser.add_argument("--offline", type=int, nargs="+", default=list(OFFLINE), help="✅ added while away")
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"), help="a PostgreSQL URL")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "fabrique-scale")
    args = parser.parse_args(argv)

    results = []
    with Machine() as machine, tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        for size in sorted(args.sizes):
            history = History(size, args.cache_dir, args.postgres)
            await history.ensure(directory)
            runs = [await one_run(history, directory, args.calls, args.offline) for _ in range(args.runs)]
            results.append(SizeResult(size, runs, history.seeding_seconds))
    print_table(results, "PostgreSQL" if args.postgres else "SQLite", args.runs, args.calls, machine)


if __name__ == "__main__":
    asyncio.run(main())

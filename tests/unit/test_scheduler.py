"""The APScheduler wiring in real time: it wakes the dispatcher when work is due, survives a failing run, stops.

No simulated Discord here: the clock is the real one and every wait is a short poll (a few seconds in all).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest

from bot.timed import DueWorkScheduler
from tests.unit.builders import Recorder, eventually, nothing_due, real_now


@pytest.fixture
async def schedulers() -> AsyncIterator[list[DueWorkScheduler]]:
    """Every scheduler a test builds is shut down at the end, whatever happened."""
    made: list[DueWorkScheduler] = []
    yield made
    for scheduler in made:
        scheduler.shutdown()


def build(
    schedulers: list[DueWorkScheduler],
    recorder: Recorder,
    next_due: Callable[[], object] = nothing_due,
    sweep_seconds: float = 60,
) -> DueWorkScheduler:
    scheduler = DueWorkScheduler(recorder.run, next_due, real_now, sweep_seconds=sweep_seconds)  # type: ignore[arg-type]
    schedulers.append(scheduler)
    return scheduler


async def test_rearm_wakes_the_dispatcher_when_work_falls_due(schedulers: list[DueWorkScheduler]) -> None:
    recorder = Recorder()
    due = real_now() + timedelta(seconds=1.0)

    async def next_due() -> datetime | None:
        return due if not recorder.calls else None  # once run, the item is no longer pending

    scheduler = build(schedulers, recorder, next_due)
    scheduler.start()
    await scheduler.rearm()
    assert recorder.calls == []  # armed for later, not run now

    assert await eventually(lambda: len(recorder.calls) >= 1), "the dispatcher never woke up"
    await asyncio.sleep(0.3)
    assert len(recorder.calls) == 1


async def test_rearm_with_nothing_pending_arms_nothing(schedulers: list[DueWorkScheduler]) -> None:
    recorder = Recorder()
    scheduler = build(schedulers, recorder)
    scheduler.start()
    await scheduler.rearm()
    await asyncio.sleep(0.3)
    assert recorder.calls == []


async def test_work_already_due_runs_at_once_as_a_task(schedulers: list[DueWorkScheduler]) -> None:
    recorder = Recorder()
    scheduler = build(schedulers, recorder)
    scheduler.start()

    scheduler.wake_at(real_now() - timedelta(minutes=5))
    assert recorder.calls == []  # not awaited by the caller: a task of its own

    assert await eventually(lambda: len(recorder.calls) == 1, within=1.0)
    assert recorder.calls[0] is not None
    assert recorder.calls[0] is not asyncio.current_task()


async def test_an_earlier_wake_up_already_armed_is_kept(schedulers: list[DueWorkScheduler]) -> None:
    recorder = Recorder()
    scheduler = build(schedulers, recorder)
    scheduler.start()
    scheduler.wake_at(real_now() + timedelta(seconds=0.5))
    scheduler.wake_at(real_now() + timedelta(hours=1))  # later: must not push the first one back
    assert await eventually(lambda: len(recorder.calls) == 1, within=3.0)


async def test_a_later_wake_up_is_replaced_by_an_earlier_one(schedulers: list[DueWorkScheduler]) -> None:
    recorder = Recorder()
    scheduler = build(schedulers, recorder)
    scheduler.start()
    scheduler.wake_at(real_now() + timedelta(hours=1))
    scheduler.wake_at(real_now() + timedelta(seconds=0.5))
    assert await eventually(lambda: len(recorder.calls) == 1, within=3.0)


async def test_a_failing_run_does_not_stop_later_wake_ups(
    schedulers: list[DueWorkScheduler], caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder(failures=2)
    scheduler = build(schedulers, recorder)
    scheduler.start()

    with caplog.at_level(logging.ERROR, logger="bot.timed.scheduler"):
        scheduler.wake_at(real_now() - timedelta(seconds=1))  # right away: raises
        assert await eventually(lambda: len(recorder.calls) == 1, within=1.0)
        scheduler.wake_at(real_now() + timedelta(seconds=0.3))  # through APScheduler: raises again
        assert await eventually(lambda: len(recorder.calls) == 2, within=3.0)
        scheduler.wake_at(real_now() + timedelta(seconds=0.3))  # and the next one still comes
        assert await eventually(lambda: len(recorder.calls) == 3, within=3.0)

    failures = [r for r in caplog.records if r.name == "bot.timed.scheduler" and r.levelno == logging.ERROR]
    assert len(failures) == 2
    assert all(r.exc_info is not None and isinstance(r.exc_info[1], RuntimeError) for r in failures)


async def test_the_sweep_runs_the_dispatcher_regularly(schedulers: list[DueWorkScheduler]) -> None:
    recorder = Recorder(failures=1)  # a failure does not stop the sweep either
    scheduler = build(schedulers, recorder, sweep_seconds=0.2)
    scheduler.start()
    assert await eventually(lambda: len(recorder.calls) >= 3, within=3.0)


async def test_shutdown_stops_every_wake_up(schedulers: list[DueWorkScheduler]) -> None:
    recorder = Recorder()
    scheduler = build(schedulers, recorder, sweep_seconds=0.2)
    scheduler.start()
    assert await eventually(lambda: len(recorder.calls) >= 1, within=3.0)
    scheduler.wake_at(real_now() + timedelta(seconds=0.4))

    scheduler.shutdown()
    seen = len(recorder.calls)
    await asyncio.sleep(0.8)  # longer than the sweep interval and the armed wake-up
    assert len(recorder.calls) == seen
    scheduler.shutdown()  # twice is harmless

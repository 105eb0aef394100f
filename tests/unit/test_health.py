"""The heartbeat behind the container's HEALTHCHECK: the scheduler touches it after each dispatch that reached the
database, and ``python -m bot sante`` says healthy only while it is fresh."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.health import STALE_AFTER, heartbeat_path
from bot.timed import DueWorkScheduler
from tests.integration.command_line import one_line, run_bot
from tests.unit.builders import Recorder, eventually, nothing_due, real_now


async def test_a_dispatch_that_reached_the_database_leaves_a_heartbeat(tmp_path: Path) -> None:
    heartbeat = heartbeat_path(tmp_path / "data")
    scheduler = DueWorkScheduler(Recorder().run, nothing_due, real_now, heartbeat=heartbeat)
    scheduler.start()
    try:
        scheduler.wake_at(real_now() - timedelta(seconds=1))
        assert await eventually(heartbeat.exists)
    finally:
        scheduler.shutdown()


async def test_a_failing_dispatch_leaves_no_heartbeat(tmp_path: Path) -> None:
    heartbeat = heartbeat_path(tmp_path)
    recorder = Recorder(failures=1)
    scheduler = DueWorkScheduler(recorder.run, nothing_due, real_now, heartbeat=heartbeat)
    scheduler.start()
    try:
        scheduler.wake_at(real_now() - timedelta(seconds=1))
        assert await eventually(lambda: len(recorder.calls) == 1)
        assert not heartbeat.exists()
    finally:
        scheduler.shutdown()


def test_sante_without_a_heartbeat_is_unhealthy_in_one_line(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "sante")
    assert result.returncode != 0
    assert "heartbeat" in one_line(result.stderr)


def test_sante_with_a_fresh_heartbeat_is_healthy(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    heartbeat_path(tmp_path / "data").touch()
    result = run_bot(tmp_path, "sante")
    assert result.returncode == 0, result.stderr


def test_sante_with_a_stale_heartbeat_is_unhealthy(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    heartbeat = heartbeat_path(tmp_path / "data")
    heartbeat.touch()
    stale = time.time() - (STALE_AFTER + timedelta(minutes=1)).total_seconds()
    os.utime(heartbeat, (stale, stale))
    result = run_bot(tmp_path, "sante")
    assert result.returncode != 0
    assert "min" in one_line(result.stderr)
    assert datetime.fromtimestamp(heartbeat.stat().st_mtime, UTC) < datetime.now(UTC) - STALE_AFTER  # untouched

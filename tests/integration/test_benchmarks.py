"""The benchmarks stay runnable: a small burst through the same code, with the same outcome checks."""

from __future__ import annotations

from pathlib import Path

from benchmarks.registration_burst import one_run, settings_for


async def test_small_registration_burst_keeps_order_and_capacity(tmp_path: Path) -> None:
    result = await one_run(settings_for("sqlite", tmp_path), members=30, capacity=10)
    assert result.edits <= 2
    assert result.rest_calls >= 30  # at least one DM per registration

"""The machine line under every benchmark's table: the verdict on the load average, from given loads."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks._machine import Machine


def loads(*values: float) -> Callable[[], float]:
    """A load average that reads ``values`` one after the other (construction, start, end)."""
    remaining = iter(values)
    return lambda: next(remaining)


def measured(nproc: int, before: float, after: float) -> Machine:
    with Machine(nproc, loads(0.0, before, after)) as machine:
        pass
    return machine


def test_a_load_within_the_cores_is_quiet() -> None:
    machine = measured(2, 0.4, 1.9)
    assert not machine.busy
    assert machine.line() == "machine: nproc 2, load average 0.40 → 1.90 (quiet: figures are usable)"


def test_a_load_above_the_cores_at_the_start_is_busy() -> None:
    machine = measured(2, 2.6, 0.8)
    assert machine.busy
    assert machine.line().startswith("machine: nproc 2, load average 2.60 → 0.80 (BUSY: ")


def test_a_load_above_the_cores_at_the_end_is_busy() -> None:
    assert measured(4, 1.0, 4.2).busy


def test_a_load_equal_to_the_cores_is_not_yet_busy() -> None:
    assert not measured(2, 2.0, 2.0).busy


def test_the_cores_are_this_machines_by_default() -> None:
    with Machine() as machine:
        pass
    assert machine.cores >= 1
    assert machine.line().startswith(f"machine: nproc {machine.cores}, load average ")

"""What the machine was doing while a benchmark ran: its cores and its load average, before and after.

A ratio measured while other work shares the cores says little about the code; every benchmark prints this line
under its table so a reader knows whether to trust the figures, and says plainly when the machine was busy.

    with Machine() as machine:
        ...  # the runs
    print(machine.line())
"""

from __future__ import annotations

import os
from collections.abc import Callable
from types import TracebackType

# A load average above the number of cores means work was waiting for a core: figures measured then are inflated.
BUSY_LOAD_PER_CORE = 1.0


def cores() -> int:
    """The cores this process may run on (``nproc``), which is what the work competes for."""
    return len(os.sched_getaffinity(0))


def load() -> float:
    """The one-minute load average."""
    return os.getloadavg()[0]


class Machine:
    """Records the load average when the runs start and end.

    ``nproc`` and ``read_load`` default to this machine's; a test gives its own to check the verdict.
    """

    def __init__(self, nproc: int | None = None, read_load: Callable[[], float] = load) -> None:
        self.cores = cores() if nproc is None else nproc
        self._read_load = read_load
        self.load_before = read_load()
        self.load_after = self.load_before

    def __enter__(self) -> Machine:
        self.load_before = self._read_load()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.load_after = self._read_load()

    @property
    def busy(self) -> bool:
        """Whether other work competed for the cores at the start or the end of the runs."""
        return max(self.load_before, self.load_after) > self.cores * BUSY_LOAD_PER_CORE

    def line(self) -> str:
        """One line for the table's foot: cores, load average before → after, and the verdict on it."""
        verdict = (
            "BUSY: other work shared the cores, figures are inflated" if self.busy else "quiet: figures are usable"
        )
        return f"machine: nproc {self.cores}, load average {self.load_before:.2f} → {self.load_after:.2f} ({verdict})"

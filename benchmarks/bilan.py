"""The bilan (``/equipe bilan``): reading, drawing and exporting a year of 200 and of 2,000 sessions, and the event
loop's lag while it draws.

    .venv/bin/python -m benchmarks.bilan [--runs 3] [--sessions 200 2000]

For each size, a year of held sessions is written directly to a fresh SQLite database (``tests/bilan_history.py``:
living 2,000 sessions through the bot, as the SimCord stories live their 40, would take most of an hour), then
the service reads it (``read``), the image is drawn (``draw``), the spreadsheets written (``export``), and the
whole ``report`` (read, then lines, figures, image, .xlsx, .csv in a child process) is timed while a ticker on the
event loop wakes every millisecond and records how late it wakes (``lag p99``). Baselines in the same
run: a blank PNG of the same size (matplotlib's fixed cost, ``draw ×``), and the ticker on an idle loop. Median of
the runs; under the table, the machine's cores and load average before → after, and whether it was busy
(``benchmarks._machine``).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from benchmarks._machine import Machine
from bot.db import migrate
from bot.db.engine import create_engine
from bot.domain.bilan import figures, year_of
from bot.domain.bilan import lines as lines_of
from bot.reports import chart, spreadsheets
from tests.bilan_history import PARIS, write_year
from tests.conftest import GUILD_ID, make_settings
from tests.ports import services_on
from tests.unit.builders import TEAM

YEAR = 2026
T = TypeVar("T")
COLUMNS = ("sessions", "read_s", "draw_s", "draw_x", "export_s", "report_s", "lag_p99_ms", "idle_p99_ms")


@dataclass(frozen=True)
class Run:
    read: float
    draw: float
    blank: float
    export: float
    report: float
    lag_p99: float
    idle_p99: float


async def timed(work: Callable[[], Awaitable[T]]) -> tuple[float, T]:
    start = time.perf_counter()
    result = await work()
    return time.perf_counter() - start, result


def blank_png() -> float:
    """The baseline: an empty figure of the bilan's size saved as PNG."""
    start = time.perf_counter()
    figure = Figure(figsize=(chart.WIDTH_INCHES, chart.HEIGHT_INCHES), dpi=chart.DPI)
    FigureCanvasAgg(figure)
    figure.savefig(io.BytesIO(), format="png", dpi=chart.DPI)
    return time.perf_counter() - start


async def lag_while(work: Awaitable[T], period: float = 0.001) -> tuple[float, T]:
    """The event loop's p99 lateness (s) of a 1 ms ticker while ``work`` runs."""
    late: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        while not done.is_set():
            expected = time.perf_counter() + period
            await asyncio.sleep(period)
            late.append(max(time.perf_counter() - expected, 0.0))

    ticker = asyncio.create_task(tick())
    try:
        result = await work
    finally:
        done.set()
        await ticker
    return p99(late), result


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else (values[0] if values else 0.0)


async def one_run(sessions: int) -> Run:
    with tempfile.TemporaryDirectory() as directory:
        settings = make_settings(Path(directory))
        engine = create_engine(settings.database.url)
        try:
            await migrate.upgrade(engine)
            await write_year(engine, GUILD_ID, YEAR, sessions)
            services = services_on(engine, settings, lambda: datetime(YEAR, 12, 31, 12, tzinfo=UTC))
            period = year_of(datetime(YEAR, 6, 1, tzinfo=UTC).date())
            read, found = await timed(lambda: services.bilan.read(GUILD_ID, period))
            lines = lines_of(found)
            summed = figures(lines, period, PARIS, settings.documentation.deadline_days)
            start = time.perf_counter()
            chart.draw(summed, services.i18n)
            draw = time.perf_counter() - start
            start = time.perf_counter()
            header, rows = spreadsheets.table(lines, services.i18n, PARIS)
            spreadsheets.to_xlsx(header, rows, "Bilan")
            spreadsheets.to_csv(header, rows)
            export = time.perf_counter() - start
            idle, _ = await lag_while(asyncio.sleep(1.0))
            report = lambda: services.bilan.report(GUILD_ID, TEAM, export=True)  # noqa: E731
            start = time.perf_counter()
            lag, _ = await lag_while(report())
            total = time.perf_counter() - start
            return Run(read, draw, blank_png(), export, total, lag, idle)
        finally:
            await engine.dispose()


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sessions", type=int, nargs="+", default=[200, 2000])
    args = parser.parse_args(argv)
    print(f"bilan — a year of held sessions, SQLite, {args.runs} run(s) (median)")
    print("".join(f"{name:>13}" for name in COLUMNS))
    with Machine() as machine:
        for sessions in args.sessions:
            runs = [await one_run(sessions) for _ in range(args.runs)]
            print("".join(f"{cell:>13}" for cell in cells(sessions, runs)))
    print(machine.line())


def cells(sessions: int, runs: list[Run]) -> list[str]:
    """One row of the table: the medians of the runs."""

    def median(pick: Callable[[Run], float]) -> float:
        return statistics.median(pick(run) for run in runs)

    return [
        f"{sessions}",
        f"{median(lambda r: r.read):.3f}",
        f"{median(lambda r: r.draw):.3f}",
        f"{median(lambda r: r.draw / r.blank):.2f}",
        f"{median(lambda r: r.export):.3f}",
        f"{median(lambda r: r.report):.3f}",
        f"{median(lambda r: r.lag_p99) * 1000:.1f}",
        f"{median(lambda r: r.idle_p99) * 1000:.1f}",
    ]


if __name__ == "__main__":
    asyncio.run(main())

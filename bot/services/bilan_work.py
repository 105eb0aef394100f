"""The bilan's CPU work — its lines, figures, image and spreadsheets — made in a child process.

Drawing a year with matplotlib and writing its spreadsheets spends most of its time in long C calls (Agg's
rasteriser, PNG and zip compression) that keep the interpreter's lock: run in a worker thread, they still made the
event loop wait 30 to 60 ms at a time (benchmarks/bilan.py), long enough to delay every other interaction. In a
process of its own the work takes no time from the loop. What crosses to the child is plain data (``BilanRead``:
the columns the database gave) and what comes back is the figures and the files' bytes.

Each bilan gets a child of its own, forked from multiprocessing's fork server, which imports this module (and so
matplotlib and openpyxl) once in the life of the bot: a bilan pays a fork, not an interpreter start, and no child
outlives its bilan. The server is started by the first bilan, from a worker thread — starting it means waiting
for its imports, which the event loop must not do.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.domain.bilan import Figures, HeldSession, Period, SessionLine, figures
from bot.domain.registration import Status
from bot.i18n import I18n
from bot.services import bilan_chart, bilan_export

T = TypeVar("T")

_CHILDREN = multiprocessing.get_context("forkserver")
_CHILDREN.set_forkserver_preload([__name__])


@dataclass(frozen=True)
class BilanRead:
    """What the database gives for a period, as plain values: its held sessions (oldest first) and, by session or
    series home, what their lines need."""

    sessions: list[HeldSession]
    coorganizers: dict[int, list[int]]  # session id → co-organizers, in the order they were added
    registrations: dict[int, dict[Status, int]]  # home id → status → count
    absences: dict[int, int]  # session id → registrants who said they would miss it
    documented: dict[int, tuple[datetime, str | None]]  # session id → documented at, article link
    places: dict[int, int]  # series home id → places (a series' places are its first session's)
    names: dict[int, str]  # user id → the display name stored when they last acted
    unknown: str  # the name of someone never seen

    def people(self, session: HeldSession) -> tuple[int, ...]:
        return (session.organizer_id, *self.coorganizers.get(session.id, ()))


@dataclass(frozen=True)
class Made:
    """What the child sends back: the figures, the PNG, and the spreadsheets when asked for."""

    figures: Figures
    image: bytes
    xlsx: bytes | None
    csv: bytes | None


def lines(read: BilanRead) -> list[SessionLine]:
    """One line per held session: a series' places and registrations are its first session's, less this date's
    absences."""
    return [_line(read, session) for session in read.sessions]


def _line(read: BilanRead, session: HeldSession) -> SessionLine:
    home = session.series_id or session.id
    counts = read.registrations.get(home, {})
    documented_at, link = read.documented.get(session.id, (None, None))
    return SessionLine(
        id=session.id,
        series_id=session.series_id,
        series_rank=session.series_rank,
        series_size=session.series_size,
        kind=session.kind,
        title=session.title,
        format=session.format,
        parcours=session.parcours,
        organizers=", ".join(read.names.get(person, read.unknown) for person in read.people(session)),
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
        capacity=read.places.get(home, session.capacity),
        seated=max(counts.get(Status.CONFIRMED, 0) - read.absences.get(session.id, 0), 0),
        waitlisted=counts.get(Status.WAITLISTED, 0),
        attended=session.zoom_participants,
        documented_at=documented_at,
        article_link=link,
    )


def make(read: BilanRead, period: Period, tz: ZoneInfo, deadline_days: int, i18n: I18n, export: bool) -> Made:
    """The CPU part, run in the child: lines, figures, image and (``export``) the spreadsheets."""
    made = lines(read)
    summed = figures(made, period, tz, deadline_days)
    image = bilan_chart.draw(summed, i18n)
    if not export:
        return Made(summed, image, None, None)
    header, rows = bilan_export.table(made, i18n, tz)
    return Made(
        summed,
        image,
        bilan_export.to_xlsx(header, rows, i18n("bilan.sheet")),
        bilan_export.to_csv(header, rows),
    )


async def in_child(work: Callable[..., T], *args: object) -> T:
    """``work(*args)`` in a child process of its own; the event loop only waits for the answer. ``work`` and its
    arguments cross by pickling: a module-level function and plain values."""
    return await asyncio.to_thread(_run_in_child, work, args)


def _run_in_child(work: Callable[..., T], args: tuple[object, ...]) -> T:
    """In a worker thread: fork one child from the fork server, run ``work`` there, wait for it to end."""
    with ProcessPoolExecutor(max_workers=1, mp_context=_CHILDREN) as pool:
        return pool.submit(work, *args).result()

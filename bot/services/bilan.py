"""``/equipe bilan`` and the monthly post: a period's figures as an image, a text and, on request, a spreadsheet.

One read of the database (a fixed number of statements, whatever the number of sessions) gives the lines; the
figures, the image, the text and the files are all made from them, so they agree. Drawing and writing the files
is CPU work: it runs in a worker thread, and the event loop keeps answering meanwhile.

The monthly post is due work that is not tied to a session: on each dispatch, for each guild that held sessions
last month, the month is claimed in ``bilan_post`` (guild, month) before anything is posted. The claim is what
makes the post once per month across restarts and concurrent dispatches; a post interrupted after its claim is
not made again (the team can still ask ``/equipe bilan``), as an interrupted send is never resent elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import cast
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db.models import FabriqueRow
from bot.db.uow import UnitOfWorkFactory
from bot.domain.bilan import Figures, Period, SessionLine, figures, month_before, period_of
from bot.domain.lifecycle import Actor
from bot.domain.proposal import FabriqueKind, Format, Parcours
from bot.domain.registration import Status
from bot.errors import Forbidden, NotConfigured
from bot.i18n import I18n
from bot.services import bilan_chart, bilan_export
from bot.services.ports import Attachment, Messenger

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BilanSettings:
    tz: ZoneInfo
    deadline_days: int  # ``[documentation] deadline_days``: « documented in time »
    monthly: bool  # ``[bilan] monthly``


@dataclass(frozen=True)
class Bilan:
    """What the team gets: the figures, their text, the image, and the spreadsheets when asked for."""

    figures: Figures
    lines: list[SessionLine]
    text: str
    image: Attachment
    files: tuple[Attachment, ...] = ()


class BilanService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        settings: BilanSettings,
        clock: Clock,
        *,
        messenger: Messenger,
        i18n: I18n,
    ) -> None:
        self._uow = uow
        self._settings = settings
        self._clock = clock
        self._messenger = messenger
        self._i18n = i18n

    async def report(
        self,
        guild_id: int,
        actor: Actor,
        debut: str | None = None,
        fin: str | None = None,
        *,
        export: bool = False,
        publish: bool = False,
    ) -> Bilan:
        """The bilan of the period typed (the current year by default), for the team only; ``publish`` posts it
        (files included) in the team channel, otherwise the caller shows it to the one who asked."""
        if not actor.is_team:
            raise Forbidden("error.team_only")
        period = period_of(debut, fin, self._today())
        bilan = await self.of_period(guild_id, period, export=export)
        if publish and not await self._messenger.tell_team(
            guild_id, bilan.text, attachments=(bilan.image, *bilan.files)
        ):
            raise NotConfigured("error.bilan.team_channel")
        return bilan

    async def of_period(self, guild_id: int, period: Period, *, export: bool = False) -> Bilan:
        lines = await self.lines(guild_id, period)
        return await asyncio.to_thread(self._make, lines, period, export)

    async def lines(self, guild_id: int, period: Period) -> list[SessionLine]:
        """The period's held sessions, oldest first."""
        start, end = period.bounds(self._settings.tz)
        async with self._uow() as uow:
            rows = await uow.bilan.held(guild_id, start, end)
            registrations = await uow.bilan.registrations(guild_id, start, end)
            absences = await uow.bilan.absences(guild_id, start, end)
            documented = await uow.bilan.documented(guild_id, start, end)
            people = {user_id for row in rows for user_id in _people(row)}
            # The names stored when each last acted (bot.services.member_names): people who left are named too.
            stored = await uow.member_names.of(guild_id, people)
            unknown = self._i18n("member.unknown")
            return [
                _line(row, registrations, absences, documented, ", ".join(stored.get(i, unknown) for i in _people(row)))
                for row in rows
            ]

    def _make(self, lines: list[SessionLine], period: Period, export: bool) -> Bilan:
        """The CPU part, run in a worker thread: figures, image, text, files."""
        tz = self._settings.tz
        summed = figures(lines, period, tz, self._settings.deadline_days)
        name = f"bilan-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}"
        image = Attachment(f"{name}.png", bilan_chart.draw(summed, self._i18n))
        files: tuple[Attachment, ...] = ()
        if export:
            header, rows = bilan_export.table(lines, self._i18n, tz)
            files = (
                Attachment(f"{name}.xlsx", bilan_export.to_xlsx(header, rows, self._i18n("bilan.sheet"))),
                Attachment(f"{name}.csv", bilan_export.to_csv(header, rows)),
            )
        return Bilan(summed, lines, self.text(summed), image, files)

    def text(self, summed: Figures) -> str:
        """The figures in a few French lines: for screen readers, and to paste into the activity report."""
        i18n, parts = self._i18n, []
        period = summed.period
        parts.append(i18n("bilan.text.title", start=f"{period.start:%d/%m/%Y}", end=f"{period.end:%d/%m/%Y}"))
        formats = {fmt: sum(counts) for fmt, counts in summed.held_by_month.items() if sum(counts)}
        by_format = ", ".join(f"{i18n(f'format.{fmt.value}')} {count}" for fmt, count in formats.items())
        parts.append(i18n("bilan.text.held", count=summed.held, formats=by_format or "—"))
        parts.append(
            i18n(
                "bilan.text.kinds",
                single=summed.single_sessions,
                series_sessions=summed.series_sessions,
                series=summed.series,
                welcome=summed.welcome,
            )
        )
        if summed.fill_rate is not None:
            parts.append(
                i18n(
                    "bilan.text.fill",
                    seated=summed.seated,
                    places=summed.places,
                    rate=_percent(summed.fill_rate),
                    waitlisted=summed.waitlisted,
                )
            )
        else:
            parts.append(i18n("bilan.text.seated", seated=summed.seated, waitlisted=summed.waitlisted))
        if summed.attendance_rate is not None:
            parts.append(
                i18n(
                    "bilan.text.attendance",
                    attended=summed.attended,
                    seated=summed.seated_with_attendance,
                    rate=_percent(summed.attendance_rate),
                )
            )
        else:
            parts.append(i18n("bilan.text.no_zoom"))
        if summed.delay is not None:
            parts.append(
                i18n(
                    "bilan.text.delay",
                    documented=summed.documented,
                    median=_days(summed.delay.median),
                    low=_days(summed.delay.low),
                    high=_days(summed.delay.high),
                )
            )
        else:
            parts.append(i18n("bilan.text.delay_none"))
        if summed.in_time_share is not None:
            parts.append(
                i18n(
                    "bilan.text.in_time",
                    count=summed.documented_in_time,
                    held=summed.held,
                    days=summed.deadline_days,
                    share=_percent(summed.in_time_share),
                )
            )
        return "\n".join(parts)

    # --- the monthly post -------------------------------------------------------------------------------------

    async def post_monthly(self) -> int:
        """On the first day of a month (local), post last month's bilan in the team channel of each guild that held
        sessions then, once; returns how many were posted. A bot away for the whole first day skips that month's
        post (``/equipe bilan`` still gives it). Off with ``[bilan] monthly = false``."""
        today = self._today()
        if not self._settings.monthly or today.day != 1:
            return 0
        period = month_before(today)
        start, end = period.bounds(self._settings.tz)
        month = f"{period.start:%Y-%m}"
        async with self._uow() as uow:
            guilds = await uow.bilan.guilds_with_held(start, end)
        posted = 0
        for guild_id in guilds:
            async with self._uow() as uow:
                claimed = await uow.bilan.claim_post(guild_id, month, self._clock())
                await uow.commit()
            if not claimed:
                continue
            bilan = await self.of_period(guild_id, period)
            text = (
                self._i18n("bilan.monthly", month=self._i18n.month(period.start.year, period.start.month))
                + "\n"
                + bilan.text
            )
            if await self._messenger.tell_team(guild_id, text, attachments=(bilan.image,)):
                posted += 1
            else:
                log.warning("the monthly bilan of %s could not be posted in guild %s", month, guild_id)
        return posted

    def next_due(self) -> datetime | None:
        """The first moment of next month (local): when the next monthly post is owed."""
        if not self._settings.monthly:
            return None
        today = self._today()
        first = date(today.year + 1, 1, 1) if today.month == 12 else date(today.year, today.month + 1, 1)
        return datetime.combine(first, time(), tzinfo=self._settings.tz)

    def _today(self) -> date:
        return self._clock().astimezone(self._settings.tz).date()


def _people(row: FabriqueRow) -> tuple[int, ...]:
    return (row.organizer_id, *row.coorganizer_ids)


def _line(
    row: FabriqueRow,
    registrations: dict[int, dict[Status, int]],
    absences: dict[int, int],
    documented: dict[int, tuple[datetime, str | None]],
    organizers: str,
) -> SessionLine:
    """One row as the bilan reads it: a series' registrations are its first session's, less this date's absences."""
    counts = registrations.get(row.series_id or row.id, {})
    documented_at, link = documented.get(row.id, (None, None))
    return SessionLine(
        id=row.id,
        series_id=row.series_id,
        series_rank=row.series_rank,
        series_size=row.series_size,
        kind=FabriqueKind(row.kind),
        title=row.title,
        format=Format(row.format),
        parcours=Parcours(row.parcours),
        organizers=organizers,
        starts_at=cast(datetime, row.starts_at),  # held sessions have a date: the query compares it
        duration_minutes=row.duration_minutes,
        capacity=row.capacity,
        seated=max(counts.get(Status.CONFIRMED, 0) - absences.get(row.id, 0), 0),
        waitlisted=counts.get(Status.WAITLISTED, 0),
        attended=row.zoom_participants,
        documented_at=documented_at,
        article_link=link,
    )


def _percent(value: float) -> str:
    return f"{round(value * 100)} %"


def _days(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")

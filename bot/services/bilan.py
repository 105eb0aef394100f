"""``/equipe bilan`` and the monthly post: a period's figures as an image, a text and, on request, a spreadsheet.

One read of the database (a fixed number of statements, whatever the number of sessions) gives the lines; the
figures, the image, the text and the files are all made from them, so they agree. Building the lines, drawing
and writing the files is CPU work: it runs in a child process (``bot.reports``), and the event loop
keeps answering meanwhile.

The monthly post is due work that is not tied to a session. Each dispatch notes the current month in
``bilan_owed``, due on the first of the next month (local): only months the bot ran in are owed, so a fresh
database posts nothing, and a bot away for the whole first posts the owed month when it comes back. For each owed
month due, in each guild that held sessions then, the month is claimed in ``bilan_post`` (guild, month) before
anything is posted; the month is no longer owed once every guild was claimed. The claim is what makes the post
once per month across restarts and concurrent dispatches; a post interrupted after its claim is not made again
(the team can still ask ``/equipe bilan``), as an interrupted send is never resent elsewhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db.uow import UnitOfWorkFactory
from bot.domain.bilan import BilanFiles, BilanRead, Figures, Period, month_of, period_of
from bot.domain.lifecycle import Actor
from bot.errors import Forbidden, NotConfigured
from bot.i18n import I18n
from bot.reports import child
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
        self._noted: Period | None = None  # the month this process has noted as owed (``_owe_this_month``)

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
        read = await self.read(guild_id, period)
        tz, days = self._settings.tz, self._settings.deadline_days
        made: BilanFiles = await child.in_child("bot.reports.bilan", "make", read, period, tz, days, self._i18n, export)
        name = f"bilan-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}"
        files: tuple[Attachment, ...] = ()
        if made.xlsx is not None and made.csv is not None:
            files = (Attachment(f"{name}.xlsx", made.xlsx), Attachment(f"{name}.csv", made.csv))
        return Bilan(made.figures, self.text(made.figures), Attachment(f"{name}.png", made.image), files)

    async def read(self, guild_id: int, period: Period) -> BilanRead:
        """The period's held sessions (oldest first) and what their lines need, as plain values, in a fixed
        number of statements; the sessions come a batch at a time, so a long history never holds the loop."""
        start, end = period.bounds(self._settings.tz)
        async with self._uow() as uow:
            sessions = [session async for batch in uow.bilan.held(guild_id, start, end) for session in batch]
            coorganizers = await uow.bilan.coorganizers(guild_id, start, end)
            people = {s.organizer_id for s in sessions} | {p for ids in coorganizers.values() for p in ids}
            return BilanRead(
                sessions=sessions,
                coorganizers=coorganizers,
                registrations=await uow.bilan.registrations(guild_id, start, end),
                absences=await uow.bilan.absences(guild_id, start, end),
                documented=await uow.bilan.documented(guild_id, start, end),
                places=await uow.bilan.series_places(guild_id, start, end),
                # The names stored when each last acted (bot.services.member_names): people who left are named too.
                names=await uow.member_names.of(guild_id, people),
                unknown=self._i18n("member.unknown"),
            )

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
        """Post each owed month's bilan in the team channel of each guild that held sessions then, once; returns
        how many were posted. Called on every dispatch: it also notes that the current month is owed from the
        first of the next (local), so a bot away on that day posts it when it comes back, and a month the bot
        never ran in is never posted. Off with ``[bilan] monthly = false``."""
        if not self._settings.monthly:
            return 0
        now = self._clock()
        await self._owe_this_month(now)
        async with self._uow() as uow:
            months = await uow.bilan.owed(now)
        posted = 0
        for month in months:
            posted += await self._post_month(month)
            async with self._uow() as uow:  # after the claims: a crash before this only finds them taken
                await uow.bilan.paid(month)
                await uow.commit()
        return posted

    async def _owe_this_month(self, now: datetime) -> None:
        """Note the current month as owed, once per month and process (the row outlives a restart)."""
        month = month_of(now.astimezone(self._settings.tz).date())
        if month == self._noted:
            return
        async with self._uow() as uow:
            await uow.bilan.owe(f"{month.start:%Y-%m}", self._day_after(month))
            await uow.commit()
        self._noted = month

    async def _post_month(self, month: str) -> int:
        """``month``'s bilan in each guild that held sessions then, each claimed in ``bilan_post`` first."""
        period = month_of(date.fromisoformat(f"{month}-01"))
        start, end = period.bounds(self._settings.tz)
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
        """The first moment of next month (local): when the current month's post is owed. (A month owed from an
        earlier run is posted by the first dispatch after the start, at the latest the scheduler's sweep.)"""
        if not self._settings.monthly:
            return None
        return self._day_after(month_of(self._today()))

    def _day_after(self, period: Period) -> datetime:
        """Local midnight after the period's last day."""
        return period.bounds(self._settings.tz)[1]

    def _today(self) -> date:
        return self._clock().astimezone(self._settings.tz).date()


def _percent(value: float) -> str:
    return f"{round(value * 100)} %"


def _days(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")

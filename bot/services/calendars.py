"""The .ics files of sessions: attached to announcements, to the agenda and to the mailing-list emails."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.domain.lifecycle import State
from bot.i18n import I18n
from bot.integrations.calendar import CalendarEntry, calendar_file
from bot.services.records import FabriqueRecord


def session_calendar(
    records: Iterable[FabriqueRecord], i18n: I18n, now: datetime, *, refresh: timedelta | None = None
) -> bytes:
    """One calendar holding every dated session of ``records``; a cancelled one is marked so, for calendars that
    imported it before."""
    entries = [
        CalendarEntry(
            uid=f"fabrique-{record.id}-{record.guild_id}@fabrique",
            title=_summary(record, i18n),
            description=record.description,
            location=i18n("announcement.location"),
            start=record.starts_at,
            end=record.ends_at,
            stamp=now,
            cancelled=record.state is State.CANCELLED,
        )
        for record in records
        if record.starts_at is not None and record.ends_at is not None
    ]
    return calendar_file(entries, i18n("calendar.name"), refresh=refresh)


def _summary(record: FabriqueRecord, i18n: I18n) -> str:
    """The event's title; a session of a series says which one it is (« … · séance 2/3 »)."""
    if not record.is_series:
        return record.title
    return record.title + i18n("event.series_suffix", rank=record.series_rank, size=record.series_size)

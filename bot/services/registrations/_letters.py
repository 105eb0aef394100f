"""What registrants outside Discord receive, by e-mail through the mailing integration's SMTP client: the same news
members get by DM (a seat, a place in line, a freed seat, the reminders with the Zoom link, a departure, a move, a
release, a cancellation), written for a mailbox rather than Discord — plain dates, no commands, the ``.ics`` when
the date is news.

Their address lives in ``outside_registrant``; a registration names them by ``user_id = -id``
(``bot.domain.outside``). A failure is the caller's to judge (``MailingError.retryable``): a registration stays made,
a reminder is retried like a DM that Discord could not deliver.
"""

from __future__ import annotations

import html
import logging
from enum import StrEnum
from typing import Any

from bot.clock import Clock
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.lifecycle import State
from bot.domain.outside import person_id
from bot.i18n import I18n
from bot.integrations.mailing import MailMessage
from bot.services.calendars import session_calendar
from bot.services.clients import MailSender
from bot.services.records import FabriqueRecord

log = logging.getLogger(__name__)


class Letter(StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    REMINDER = "reminder"
    UNREGISTERED = "unregistered"
    MOVED = "moved"
    REBOOKED = "rebooked"  # released, then given a new date
    RELEASED = "released"
    CANCELLED = "cancelled"
    SESSION_RELEASED = "session_released"  # one session of a series postponed: the series goes on
    SESSION_CANCELLED = "session_cancelled"  # one session of a series cancelled: the series goes on


WITH_CALENDAR = frozenset(
    {Letter.REGISTERED, Letter.PROMOTED, Letter.MOVED, Letter.REBOOKED}
)  # a date to put in their agenda
SERIES_WIDE = frozenset({Letter.REGISTERED, Letter.PROMOTED, Letter.UNREGISTERED})  # about every date of a series


class OutsideLetters:
    def __init__(self, uow: UnitOfWorkFactory, mailer: MailSender, i18n: I18n, clock: Clock) -> None:
        self._uow = uow
        self._mailer = mailer
        self._i18n = i18n
        self._clock = clock

    async def send(self, record: FabriqueRecord, user_id: int, letter: Letter, **values: Any) -> bool:
        """Mail ``letter`` about ``record`` to the outside registrant ``user_id``; raises MailingError when the
        server refuses or cannot be reached. False when that person is no longer known (nothing to send)."""
        async with self._uow() as uow:
            person = (await uow.outsiders.by_ids({person_id(user_id)})).get(person_id(user_id))
            if person is None:
                log.warning("outside registrant %s of fabrique %s is unknown: no mail", user_id, record.id)
                return False
            name, address = person.name, person.email
            series_wide = record.is_series and letter in SERIES_WIDE  # registered for the cycle: every date so far
            dated = await _series_dates(uow, record) if series_wide else [record]
        when: object = record.starts_at
        if series_wide:
            when = ", ".join(self._i18n.date(r.starts_at) for r in dated if r.starts_at) or self._i18n("date.unset")
        params = {"name": name, "title": record.title, "date": when, "number": record.home_id, **values}
        escaped = {key: html.escape(value) if isinstance(value, str) else value for key, value in params.items()}
        text = self._i18n(f"mail.{letter.value}.body", **params)
        paragraphs = self._i18n(f"mail.{letter.value}.body", **escaped).split("\n")
        calendar = session_calendar(dated, self._i18n, self._clock()) if letter in WITH_CALENDAR else None
        await self._mailer.send(
            MailMessage(
                subject=self._i18n(f"mail.{letter.value}.subject", **params),
                text=text,
                html="".join(f"<p>{line}</p>" for line in paragraphs if line),
                ics=calendar,
                ics_filename=f"fabrique-{record.id}.ics",
                to=address,
            )
        )
        return True


async def _series_dates(uow: UnitOfWork, record: FabriqueRecord) -> list[FabriqueRecord]:
    """The sessions of ``record``'s series that have a date and are not cancelled, in rank order."""
    return [
        FabriqueRecord.of(row)
        for row in await uow.fabriques.series(record.home_id)
        if row.starts_at is not None and State(row.state) is not State.CANCELLED
    ]

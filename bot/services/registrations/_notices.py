"""What registrants hear, wherever they are: members by DM, people outside Discord by e-mail (``_letters``).

A closed DM is a normal situation: it is recorded for the team's list and, the first time, the person is told in
the announcement's thread (a mention, never the link) to ask for the link with ``/fabrique lien``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from bot.clock import Clock
from bot.db.uow import UnitOfWorkFactory
from bot.domain.outside import is_outsider
from bot.domain.registration import Status
from bot.domain.text import shown
from bot.errors import DomainError
from bot.i18n import I18n
from bot.integrations.mailing import MailingError
from bot.services.attendees import series_open
from bot.services.ports import Attachment, Messenger
from bot.services.records import FabriqueRecord
from bot.services.registrations._letters import Letter, OutsideLetters
from bot.services.registrations._values import RegistrationOutcome
from bot.services.series import home_row

log = logging.getLogger(__name__)


class Notices:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        messenger: Messenger,
        i18n: I18n,
        letters: OutsideLetters | None,
    ) -> None:
        """``letters`` is None when the mailing integration is off (then nobody outside Discord is registered)."""
        self._uow = uow
        self._clock = clock
        self._messenger = messenger
        self._i18n = i18n
        self.letters = letters

    async def answer_reactors(
        self, record: FabriqueRecord, results: list[tuple[int, RegistrationOutcome | DomainError]]
    ) -> None:
        """A ✅ or an « Intéressé » has nowhere else to answer: each person hears by DM, refusals with the reason."""
        for user_id, result in results:
            if isinstance(result, DomainError):
                reason = self._i18n(result.key, **result.params)
                await self._messenger.dm(user_id, self._i18n("dm.refused", title=shown(record.title), reason=reason))
            elif result.changed:
                await self.confirm(result)

    async def confirm(self, outcome: RegistrationOutcome) -> bool:
        """The seat (or the place in line) is confirmed: by DM, or by e-mail with the ``.ics`` for someone outside
        Discord. False when it could not be delivered."""
        record = outcome.fabrique
        waiting = outcome.status is Status.WAITLISTED
        if is_outsider(outcome.user_id):
            letter = Letter.WAITLISTED if waiting else Letter.REGISTERED
            return await self.mail(record, outcome.user_id, letter, position=outcome.waitlist_position or 0)
        if waiting:
            position = outcome.waitlist_position or 0
            text = self._i18n("dm.waitlisted", title=shown(record.title), position=position, number=record.id)
        elif record.is_series:
            text = self._i18n("dm.series.registered", title=shown(record.title), size=record.series_size,
                              number=record.id)  # fmt: skip
        else:
            text = self._i18n("dm.registered", title=shown(record.title), date=record.starts_at, number=record.id)
        return await self.dm(record, outcome.user_id, text)

    async def unregistered(self, outcome: RegistrationOutcome) -> bool:
        record = outcome.fabrique
        if is_outsider(outcome.user_id):
            return await self.mail(record, outcome.user_id, Letter.UNREGISTERED)
        key = "dm.series.unregistered" if record.is_series else "dm.unregistered"  # a series: every date at once
        text = self._i18n(key, title=shown(record.title), date=record.starts_at, number=record.id)
        return await self._messenger.dm(outcome.user_id, text)

    async def promoted(self, record: FabriqueRecord, user_ids: Iterable[int]) -> None:
        """Each person who just got a seat from the waitlist hears it."""
        key = "dm.series.promoted" if record.is_series else "dm.promoted"  # a series: a seat for every date
        text = self._i18n(key, title=shown(record.title), date=record.starts_at, number=record.home_id)
        for user_id in user_ids:
            if is_outsider(user_id):
                await self.mail(record, user_id, Letter.PROMOTED)
            else:
                await self.dm(record, user_id, text)

    async def tell_all(
        self,
        record: FabriqueRecord,
        user_ids: Iterable[int],
        text: str,
        letter: Letter,
        *,
        attachment: Attachment | None = None,
        **values: Any,
    ) -> None:
        """A change every registrant must know (a move, a release, a cancellation): ``text`` by DM to members
        (with ``attachment``, e.g. the new ``.ics``), ``letter`` by e-mail to the others."""
        for user_id in user_ids:
            if is_outsider(user_id):
                await self.mail(record, user_id, letter, **values)
            else:
                await self.dm(record, user_id, text, attachment=attachment)

    async def dm(
        self, record: FabriqueRecord, user_id: int, text: str, *, attachment: Attachment | None = None
    ) -> bool:
        delivered = await self._messenger.dm(user_id, text, attachment=attachment)
        if not delivered:
            await self.dm_failed(record.id, user_id)
        return delivered

    async def mail(self, record: FabriqueRecord, user_id: int, letter: Letter, **values: Any) -> bool:
        """An e-mail whose failure is logged, not raised: the registration (or the change) stands either way."""
        if self.letters is None:
            log.warning("mailing is off: outside registrant %s of fabrique %s gets no %s", user_id, record.id, letter)
            return False
        try:
            return await self.letters.send(record, user_id, letter, **values)
        except MailingError as error:
            log.warning("mail %s to outside registrant %s of fabrique %s failed (%s)", letter, user_id, record.id,
                        error.key)  # fmt: skip
            return False

    async def dm_failed(self, fabrique_id: int, user_id: int) -> None:
        """Closed DMs: the team sees it in the registrant list, and the person is told once, in the announcement's
        thread while the session is to come, to ask for the link with ``/fabrique lien``."""
        async with self._uow() as uow:
            session = await uow.fabriques.by_id(fabrique_id)
            if session is None:
                return
            row = await home_row(uow, session)  # a reminder of a later session: the registration is its home's
            registration = await uow.registrations.get(row.id, user_id)
            if registration is None or registration.dm_failed:
                return
            registration.dm_failed = True
            still_open = await series_open(uow, row, self._clock())
            record = FabriqueRecord.of(row)
            await uow.commit()
        if not still_open:
            return
        text = self._i18n("thread.dm_closed", user=f"<@{user_id}>", title=shown(record.title), number=record.id)
        try:
            posted = await self._messenger.notice_in_thread(record, text, mention=user_id)
        except Exception:  # a courtesy: Discord refusing it must not undo the registration being answered
            log.warning("closed DMs of user %s: the thread notice failed (fabrique %s)", user_id, fabrique_id,
                        exc_info=True)  # fmt: skip
            return
        if not posted:
            log.info("closed DMs of user %s: no thread to tell them in (fabrique %s)", user_id, fabrique_id)

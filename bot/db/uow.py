"""The unit of work: one transaction, the repositories that share it, and a rollback unless committed."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.repositories import (
    AbsenceRepository,
    AuditRepository,
    BilanRepository,
    CopyRepository,
    DepartureRepository,
    DocumentationRepository,
    DueWorkRepository,
    EditRepository,
    FabriqueRepository,
    GuildConfigRepository,
    MemberNameRepository,
    OutsideRegistrantRepository,
    RegistrationRepository,
    SlotRepository,
    UploadTokenRepository,
    WelcomeRuleRepository,
    ZoomRecordingRepository,
)


class Conflict(Exception):
    """The database refused a change that contradicts one of its constraints: most often someone else did the same
    thing at the same instant (two organizers booking one slot). Raised in place of SQLAlchemy's IntegrityError, which
    stays attached as the cause, so that services never need to know the database library."""


class UnitOfWork:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._after_commit: list[Callable[[], None]] = []

    async def __aenter__(self) -> Self:
        self.session = self._sessionmaker()
        self._after_commit = []
        self.fabriques = FabriqueRepository(self.session)
        self.audit = AuditRepository(self.session)
        self.edits = EditRepository(self.session)
        self.guilds = GuildConfigRepository(self.session)
        self.slots = SlotRepository(self.session)
        self.registrations = RegistrationRepository(self.session)
        self.departures = DepartureRepository(self.session)
        self.absences = AbsenceRepository(self.session)
        self.outsiders = OutsideRegistrantRepository(self.session)
        self.due_work = DueWorkRepository(self.session)
        self.documentation = DocumentationRepository(self.session)
        self.copies = CopyRepository(self.session)
        self.member_names = MemberNameRepository(self.session)
        self.upload_tokens = UploadTokenRepository(self.session)
        self.recordings = ZoomRecordingRepository(self.session)
        self.welcome_rules = WelcomeRuleRepository(self.session)
        self.bilan = BilanRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await self.session.rollback()  # a no-op after commit; undoes everything otherwise
        finally:
            await self.session.close()
        if isinstance(exc, IntegrityError):  # an autoflush inside a repository query met a constraint
            raise Conflict("a database constraint refused the change") from exc

    async def commit(self) -> None:
        try:
            await self.session.commit()
        except IntegrityError as error:
            raise Conflict("a database constraint refused the change") from error
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    async def flush(self) -> None:
        try:
            await self.session.flush()
        except IntegrityError as error:
            raise Conflict("a database constraint refused the change") from error

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once this transaction is committed (never if it is rolled back), e.g. to wake a
        dispatcher that must find the new rows."""
        self._after_commit.append(callback)


UnitOfWorkFactory = Callable[[], UnitOfWork]


def unit_of_work_factory(sessionmaker: async_sessionmaker[Any]) -> UnitOfWorkFactory:
    return lambda: UnitOfWork(sessionmaker)

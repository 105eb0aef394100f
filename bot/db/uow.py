"""The unit of work: one transaction, the repositories that share it, and a rollback unless committed."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.repositories import (
    AuditRepository,
    CopyRepository,
    DepartureRepository,
    DocumentationRepository,
    DueWorkRepository,
    FabriqueRepository,
    GuildConfigRepository,
    MemberNameRepository,
    RegistrationRepository,
    SlotRepository,
)


class UnitOfWork:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def __aenter__(self) -> Self:
        self.session = self._sessionmaker()
        self.fabriques = FabriqueRepository(self.session)
        self.audit = AuditRepository(self.session)
        self.guilds = GuildConfigRepository(self.session)
        self.slots = SlotRepository(self.session)
        self.registrations = RegistrationRepository(self.session)
        self.departures = DepartureRepository(self.session)
        self.due_work = DueWorkRepository(self.session)
        self.documentation = DocumentationRepository(self.session)
        self.copies = CopyRepository(self.session)
        self.member_names = MemberNameRepository(self.session)
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

    async def commit(self) -> None:
        await self.session.commit()

    async def flush(self) -> None:
        await self.session.flush()


UnitOfWorkFactory = Callable[[], UnitOfWork]


def unit_of_work_factory(sessionmaker: async_sessionmaker[Any]) -> UnitOfWorkFactory:
    return lambda: UnitOfWork(sessionmaker)

"""Queries. Repositories never commit: the unit of work decides when a change is complete."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditRow, FabriqueRow, GuildConfigRow


class FabriqueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: FabriqueRow) -> None:
        self._session.add(row)

    async def get(self, fabrique_id: int, guild_id: int) -> FabriqueRow | None:
        """The Fabrique if it belongs to this guild; a number from another guild is treated as unknown."""
        row = await self._session.get(FabriqueRow, fabrique_id)
        return row if row is not None and row.guild_id == guild_id else None

    async def get_for_update(self, fabrique_id: int, guild_id: int) -> FabriqueRow | None:
        """Like ``get`` but locks the row (PostgreSQL) so two moderators cannot decide at the same time."""
        statement = (
            select(FabriqueRow)
            .where(FabriqueRow.id == fabrique_id, FabriqueRow.guild_id == guild_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self._session.execute(statement)).scalar_one_or_none()

    async def list_for_member(self, guild_id: int, user_id: int) -> list[FabriqueRow]:
        statement = (
            select(FabriqueRow)
            .where(
                FabriqueRow.guild_id == guild_id,
                or_(FabriqueRow.organizer_id == user_id, FabriqueRow.coorganizer_id == user_id),
            )
            .order_by(FabriqueRow.id.desc())
        )
        return list((await self._session.execute(statement)).scalars())

    async def search_for_member(self, guild_id: int, user_id: int, states: set[str]) -> list[FabriqueRow]:
        """The member's Fabriques in ``states``, newest first: what autocomplete offers."""
        statement = (
            select(FabriqueRow)
            .where(
                FabriqueRow.guild_id == guild_id,
                or_(FabriqueRow.organizer_id == user_id, FabriqueRow.coorganizer_id == user_id),
                FabriqueRow.state.in_(states),
            )
            .order_by(FabriqueRow.id.desc())
            .limit(25)
        )
        return list((await self._session.execute(statement)).scalars())


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: AuditRow) -> None:
        self._session.add(row)

    async def for_fabrique(self, fabrique_id: int) -> list[AuditRow]:
        statement = select(AuditRow).where(AuditRow.fabrique_id == fabrique_id).order_by(AuditRow.id)
        return list((await self._session.execute(statement)).scalars())


class GuildConfigRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, guild_id: int) -> GuildConfigRow | None:
        return await self._session.get(GuildConfigRow, guild_id)

    def add(self, row: GuildConfigRow) -> None:
        self._session.add(row)

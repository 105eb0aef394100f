"""Which roles and channels the bot uses in a guild."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import DiscordSettings
from bot.db.models import GuildConfigRow
from bot.db.uow import UnitOfWorkFactory
from bot.domain.lifecycle import Actor
from bot.errors import Forbidden
from bot.services.records import GuildConfig

FIELDS = ("team_role_id", "member_role_id", "team_channel_id", "agenda_channel_id", "articles_forum_id")


@dataclass(frozen=True)
class ConfigChanges:
    """Only the values the admin gave; None means "leave as it is"."""

    team_role_id: int | None = None
    member_role_id: int | None = None
    team_channel_id: int | None = None
    agenda_channel_id: int | None = None
    articles_forum_id: int | None = None


class GuildConfigService:
    def __init__(self, uow: UnitOfWorkFactory, defaults: DiscordSettings, clock: Clock) -> None:
        self._uow = uow
        self._defaults = defaults
        self._clock = clock

    async def get(self, guild_id: int) -> GuildConfig:
        async with self._uow() as uow:
            return self._merge(guild_id, await uow.guilds.get(guild_id))

    async def configure(self, guild_id: int, changes: ConfigChanges, *, by: Actor, is_admin: bool) -> GuildConfig:
        """Store what the admin chose (no change: just show). Only Manage Server may: this decides who moderates."""
        if not is_admin:
            raise Forbidden("error.admin_only")
        if changes == ConfigChanges():
            return await self.get(guild_id)
        async with self._uow() as uow:
            row = await uow.guilds.get(guild_id)
            if row is None:
                row = GuildConfigRow(guild_id=guild_id)
                uow.guilds.add(row)
            for field in FIELDS:
                value = getattr(changes, field)
                if value is not None:
                    setattr(row, field, value)
            row.updated_by = by.user_id
            row.updated_at = self._clock()
            await uow.commit()
            return self._merge(guild_id, row)

    def _merge(self, guild_id: int, row: GuildConfigRow | None) -> GuildConfig:
        values = {}
        for field in FIELDS:
            stored = getattr(row, field) if row is not None else None
            values[field] = stored or getattr(self._defaults, field) or None
        return GuildConfig(guild_id=guild_id, **values)

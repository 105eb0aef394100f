"""The display name the bot last saw for each member.

Texts read outside Discord (article, ID3 tags, e-mails, website) name the organizers. Discord only tells the bot
the name of someone still in its member cache: a person who left the server, or who is not cached after a restart,
would otherwise be named by an id. The name is stored whenever the person acts.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.clock import Clock
from bot.db.uow import UnitOfWorkFactory
from bot.i18n import I18n
from bot.services.ports import Directory
from bot.services.records import FabriqueRecord

NAME_LENGTH = 100  # the column's size; Discord display names are at most 32 characters anyway


class MemberNameService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, directory: Directory, i18n: I18n) -> None:
        self._uow = uow
        self._clock = clock
        self._directory = directory
        self._i18n = i18n
        # What is already stored: a member acts many times with the same name, and each action must not cost a write.
        self._stored: dict[tuple[int, int], str] = {}

    async def remember(self, guild_id: int, user_id: int, display_name: str) -> None:
        name = display_name[:NAME_LENGTH]
        if not name or self._stored.get((guild_id, user_id)) == name:
            return
        async with self._uow() as uow:
            await uow.member_names.upsert(guild_id, user_id, name, self._clock())
            await uow.commit()
        self._stored[(guild_id, user_id)] = name

    async def names(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, str]:
        """user id → the last display name stored; people the bot never saw are absent."""
        async with self._uow() as uow:
            return await uow.member_names.of(guild_id, set(user_ids))

    async def organizer_names(self, record: FabriqueRecord) -> str:
        """The organizers' display names, for texts read outside Discord (article, ID3 tags, emails, website).

        Someone who left the server, or is not in the member cache (after a restart), is named by the display name
        stored when they last acted; an id means nothing to a reader, so the last resort is a neutral word.
        """
        user_ids = [record.organizer_id, *record.coorganizer_ids]
        live = self._directory.display_names(record.guild_id, user_ids)
        missing = set(user_ids) - live.keys()
        stored = await self.names(record.guild_id, missing) if missing else {}
        return ", ".join(live.get(i) or stored.get(i) or self._i18n("member.unknown") for i in user_ids)

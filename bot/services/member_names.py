"""The display name the bot last saw for each member.

Texts read outside Discord (article, ID3 tags, e-mails, website) name the organizers. Discord only tells the bot
the name of someone still in its member cache: a person who left the server, or who is not cached after a restart,
would otherwise be named by an id. The name is stored whenever the person acts.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.clock import Clock
from bot.db.uow import UnitOfWorkFactory

NAME_LENGTH = 100  # the column's size; Discord display names are at most 32 characters anyway


class MemberNameService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock
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

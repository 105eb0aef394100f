"""The display names the bot stores, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio

from bot.services import Services
from tests.conftest import GUILD_ID
from tests.unit.conftest import FakeClock

ALICE, BOB, NEVER_SEEN = 101, 102, 103
OTHER_GUILD = GUILD_ID + 1


async def test_the_last_name_seen_is_kept_per_guild(services: Services, clock: FakeClock) -> None:
    names = services.member_names
    await names.remember(GUILD_ID, ALICE, "Alice")
    await names.remember(OTHER_GUILD, ALICE, "Alice (autre serveur)")
    clock.advance(days=1)
    await names.remember(GUILD_ID, ALICE, "Alice M.")  # she renamed herself
    await names.remember(GUILD_ID, BOB, "Bob")

    assert await names.names(GUILD_ID, [ALICE, BOB, NEVER_SEEN]) == {ALICE: "Alice M.", BOB: "Bob"}
    assert await names.names(OTHER_GUILD, [ALICE]) == {ALICE: "Alice (autre serveur)"}
    assert await names.names(GUILD_ID, []) == {}


async def test_two_first_actions_at_once_store_one_row(services: Services) -> None:
    names = services.member_names
    await asyncio.gather(*(names.remember(GUILD_ID, ALICE, f"Alice {n}") for n in range(5)))
    stored = await names.names(GUILD_ID, [ALICE])
    assert stored[ALICE].startswith("Alice ")

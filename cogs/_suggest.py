"""Autocomplete for the integer options ``fabrique`` and ``creneau``: what the person typing may mean, as « n°12 ».

Shared by ``/fabrique`` and ``/equipe``; each suggestion list only holds what that person may act on.
"""

from __future__ import annotations

from collections.abc import Iterable

import discord
from discord.app_commands import Choice

from bot.i18n import format_duration
from bot.services.records import FabriqueRecord
from cogs._feedback import bot_of, current_actor

LIMIT = 25  # Discord shows at most 25 choices


def _needle(typed: str) -> str:
    return typed.strip().lower().lstrip("n°#")


def _fabrique_choices(
    interaction: discord.Interaction, records: Iterable[FabriqueRecord], typed: str
) -> list[Choice[int]]:
    i18n, needle = bot_of(interaction).i18n, _needle(typed)
    return [
        Choice(name=i18n("autocomplete.fabrique", number=r.id, title=r.title, state=r.state)[:100], value=r.id)
        for r in records
        if not needle or needle in str(r.id) or needle in r.title.lower()
    ][:LIMIT]


async def editable(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    """The member's proposals that can still be edited or withdrawn."""
    if interaction.guild_id is None:
        return []
    proposals = bot_of(interaction).services.proposals
    records = await proposals.suggest(interaction.guild_id, interaction.user.id, editable_only=True)
    return _fabrique_choices(interaction, records, typed)


async def correctable(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    """The member's Fabriques they may still edit, booked and announced ones included."""
    if interaction.guild_id is None:
        return []
    proposals = bot_of(interaction).services.proposals
    records = await proposals.suggest(interaction.guild_id, interaction.user.id, editable_only=True, booked_too=True)
    return _fabrique_choices(interaction, records, typed)


async def bookable(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    if interaction.guild_id is None:
        return []
    actor = await current_actor(interaction)
    records = await bot_of(interaction).services.slots.suggest_fabriques(interaction.guild_id, actor)
    return _fabrique_choices(interaction, records, typed)


async def sessions(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    """Announced sessions still to come, filtered by number or title; a series once, by the number people know
    and its next date (``seance`` reaches the others)."""
    bot = bot_of(interaction)
    if interaction.guild_id is None:
        return []
    needle = _needle(typed)
    choices: dict[int, Choice[int]] = {}
    for r in await bot.services.sessions.agenda(interaction.guild_id):
        number = r.home_id
        if number in choices or (needle and needle not in str(number) and needle not in r.title.lower()):
            continue
        name = bot.i18n("autocomplete.session", number=number, title=r.title, date=r.starts_at)[:100]
        choices[number] = Choice(name=name, value=number)
    return list(choices.values())[:LIMIT]


async def booked(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    """For the team: every Fabrique that is approved or booked (the ones a link or a cancellation applies to)."""
    if interaction.guild_id is None:
        return []
    actor = await current_actor(interaction)
    if not actor.is_team:
        return await sessions(interaction, typed)
    records = await bot_of(interaction).services.slots.suggest_fabriques(interaction.guild_id, actor)
    return _fabrique_choices(interaction, records, typed)


async def free_slots(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    return await _slots(interaction, typed, free_only=True)


async def team_slots(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    if interaction.guild_id is None or not (await current_actor(interaction)).is_team:
        return []  # booked slots are the team's business
    return await _slots(interaction, typed, free_only=False)


async def _slots(interaction: discord.Interaction, typed: str, *, free_only: bool) -> list[Choice[int]]:
    bot = bot_of(interaction)
    if interaction.guild_id is None:
        return []
    needle = _needle(typed)
    choices: list[Choice[int]] = []
    # Nothing typed: the soonest 25 are read, not every slot planned; typed: read until 25 match.
    slots = await bot.services.slots.upcoming(
        interaction.guild_id, free_only=free_only, limit=None if needle else LIMIT
    )
    for slot in slots:
        name = bot.i18n("autocomplete.slot", number=slot.id, date=slot.starts_at, length=format_duration(slot.minutes))
        if not needle or needle in str(slot.id) or needle in name.lower():
            choices.append(Choice(name=name[:100], value=slot.id))
            if len(choices) == LIMIT:
                break
    return choices

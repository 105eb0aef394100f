"""Slots and bookings: /equipe creneau-ajouter | creneau-retirer | creneaux, /fabrique creneaux | reserver | liberer."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str

from bot.i18n import format_duration
from bot.services.slots import Booking
from cogs import _render
from cogs._feedback import bot_of, current_actor, guild_id, reply, tell_organizers
from cogs._groups import Groups, command
from cogs.moderation import refresh_card
from cogs.registration import tell_promoted

if TYPE_CHECKING:
    from bot.app import FabriqueBot

DYNAMIC_ITEMS: tuple[type, ...] = ()


def register(bot: FabriqueBot, groups: Groups) -> None:
    @app_commands.describe(
        date=locale_str("Le jour, JJ/MM/AAAA (heure de Paris)"),
        heure=locale_str("L'heure de début, HH:MM"),
        duree=locale_str("La durée du créneau en minutes (ex. 150)"),
    )
    @app_commands.rename(date=locale_str("date"), heure=locale_str("heure"), duree=locale_str("duree"))
    async def add_slot(interaction: discord.Interaction, date: str, heure: str, duree: int) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        slot = await bot.services.slots.add(guild_id(interaction), actor, date, heure, duree)
        text = bot.i18n("slot.added", number=slot.id, date=slot.starts_at, length=format_duration(slot.minutes))
        await reply(interaction, text)

    @app_commands.rename(creneau=locale_str("creneau"))
    @app_commands.describe(creneau=locale_str("Le numéro du créneau (n°…)"))
    async def remove_slot(interaction: discord.Interaction, creneau: int) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        slot = await bot.services.slots.remove(guild_id(interaction), actor, creneau)
        await reply(interaction, bot.i18n("slot.removed", number=slot.id, date=slot.starts_at))

    async def team_slots(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        slots = await bot.services.slots.team_planning(guild_id(interaction), actor)
        await reply(interaction, embed=_render.slot_list(slots, bot.i18n, "slot.list.team", "slot.list.empty"))

    async def free_slots(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        slots = await bot.services.slots.upcoming(guild_id(interaction), free_only=True)
        await reply(interaction, embed=_render.slot_list(slots, bot.i18n, "slot.list.free", "slot.list.none_free"))

    @app_commands.rename(fabrique=locale_str("fabrique"), creneau=locale_str("creneau"), places=locale_str("places"))
    @app_commands.describe(
        fabrique=locale_str("Le numéro de votre Fabrique (n°…)"),
        creneau=locale_str("Le numéro du créneau (n°…)"),
        places=locale_str("Nombre de places (facultatif ; 0 = limite de Zoom)"),
    )
    async def book(
        interaction: discord.Interaction,
        fabrique: int,
        creneau: int,
        places: app_commands.Range[int, 0, 100] | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        booking = await bot.services.slots.book(guild_id(interaction), fabrique, creneau, actor, places)
        await reply(interaction, await _after_booking(bot, booking, by=actor.user_id))

    @app_commands.rename(fabrique=locale_str("fabrique"))
    @app_commands.describe(fabrique=locale_str("Le numéro de votre Fabrique (n°…)"))
    async def release(interaction: discord.Interaction, fabrique: int) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        booking = await bot.services.slots.release(guild_id(interaction), fabrique, actor)
        before = booking.previous
        text = bot.i18n("dm.released", title=_render.shown(before.title), date=before.starts_at)
        await bot.announcer.withdrawn(before, booking.registrant_ids, text)
        await refresh_card(bot, before.guild_id, before.id)
        told = bot.i18n(
            "dm.organizer.released", number=before.id, title=_render.shown(before.title), date=before.starts_at
        )
        await tell_organizers(bot, before, told, actor_id=actor.user_id)
        await reply(interaction, bot.i18n("slot.released", number=before.id, title=_render.shown(before.title)))

    command(groups.equipe, "creneau-ajouter", "Ouvrir un créneau sur le Zoom de la communauté", add_slot)
    command(groups.equipe, "creneau-retirer", "Retirer un créneau libre", remove_slot).autocomplete("creneau")(
        _suggest_team_slots
    )
    command(groups.equipe, "creneaux", "Tous les créneaux à venir, libres ou réservés", team_slots)
    command(groups.fabrique, "creneaux", "Les créneaux libres pour votre Fabrique", free_slots)
    booking_command = command(groups.fabrique, "reserver", "Réserver un créneau pour votre Fabrique", book)
    booking_command.autocomplete("fabrique")(_suggest_bookable)
    booking_command.autocomplete("creneau")(_suggest_free_slots)
    command(groups.fabrique, "liberer", "Libérer le créneau de votre Fabrique", release).autocomplete("fabrique")(
        _suggest_bookable
    )


async def _after_booking(bot: FabriqueBot, booking: Booking, *, by: int) -> str:
    """Booked: announce now if the Zoom link is known. Moved: everything public follows the new date.

    The organizers hear of a booking or a move made by someone else (``by``); people seated from the waitlist
    because the places were raised hear it too.
    """
    record = booking.fabrique
    await refresh_card(bot, record.guild_id, record.id)
    await tell_promoted(bot, record, booking.promoted)
    if booking.previous.starts_at is not None and booking.previous.announcement_message_id is not None:
        await bot.announcer.moved(booking.previous, record, booking.registrant_ids)
        text = bot.i18n(
            "dm.organizer.moved",
            number=record.id,
            title=_render.shown(record.title),
            before=booking.previous.starts_at,
            date=record.starts_at,
        )
        await tell_organizers(bot, record, text, actor_id=by)
        return bot.i18n("slot.moved", number=record.id, date=record.starts_at)
    if not record.has_zoom_link:
        record = await bot.services.outreach.ensure_meeting(record.id)  # Zoom, when configured
    announced = await bot.announcer.announce_if_ready(record, by=by)
    if announced is None:
        text = bot.i18n(
            "dm.organizer.booked", number=record.id, title=_render.shown(record.title), date=record.starts_at
        )
        await tell_organizers(bot, record, text, actor_id=by)
    key = "slot.booked.announced" if announced else "slot.booked.waiting_link"
    return bot.i18n(key, number=record.id, date=record.starts_at)


async def _suggest_free_slots(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    return await _slot_choices(interaction, typed, free_only=True)


async def _suggest_team_slots(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    if interaction.guild_id is None or not (await current_actor(interaction)).is_team:
        return []  # booked slots are the team's business
    return await _slot_choices(interaction, typed, free_only=False)


async def _slot_choices(interaction: discord.Interaction, typed: str, *, free_only: bool) -> list[Choice[int]]:
    bot = bot_of(interaction)
    if interaction.guild_id is None:
        return []
    needle = typed.strip().lower().lstrip("n°#")
    slots = await bot.services.slots.upcoming(interaction.guild_id, free_only=free_only)
    choices = []
    for slot in slots:
        name = bot.i18n("autocomplete.slot", number=slot.id, date=slot.starts_at, length=format_duration(slot.minutes))
        if not needle or needle in str(slot.id) or needle in name.lower():
            choices.append(Choice(name=name[:100], value=slot.id))
    return choices[:25]


async def _suggest_bookable(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    bot = bot_of(interaction)
    if interaction.guild_id is None:
        return []
    actor = await current_actor(interaction)
    needle = typed.strip().lower().lstrip("n°#")
    return [
        Choice(name=bot.i18n("autocomplete.fabrique", number=r.id, title=r.title, state=r.state)[:100], value=r.id)
        for r in await bot.services.slots.suggest_fabriques(interaction.guild_id, actor)
        if not needle or needle in str(r.id) or needle in r.title.lower()
    ][:25]

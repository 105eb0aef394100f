"""Booked sessions: /equipe lien-zoom | annuler | accueil and /fabrique agenda."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str

from bot.domain.schedule import parse_time
from cogs import _render
from cogs._feedback import bot_of, current_actor, guild_id, reply, tell_organizers
from cogs._groups import Groups, command
from cogs.moderation import refresh_card
from cogs.registration import suggest_sessions

if TYPE_CHECKING:
    from bot.app import FabriqueBot

DYNAMIC_ITEMS: tuple[type, ...] = ()

WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
ORDINALS = [("premier", 1), ("deuxième", 2), ("troisième", 3), ("quatrième", 4), ("dernier", -1)]


def register(bot: FabriqueBot, groups: Groups) -> None:
    @app_commands.rename(fabrique=locale_str("fabrique"), url=locale_str("url"))
    @app_commands.describe(
        fabrique=locale_str("Le numéro de la Fabrique (n°…)"),
        url=locale_str("Le lien Zoom (https://…), envoyé seulement aux inscrit·es"),
    )
    async def zoom_link(interaction: discord.Interaction, fabrique: int, url: str) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        record = await bot.services.sessions.set_zoom_link(guild_id(interaction), fabrique, actor, url)
        announced = await bot.announcer.announce_if_ready(record, by=actor.user_id)
        key = "link.saved.announced" if announced else "link.saved"
        await reply(interaction, bot.i18n(key, number=record.id, title=_render.shown(record.title)))

    @app_commands.rename(fabrique=locale_str("fabrique"), motif=locale_str("motif"))
    @app_commands.describe(
        fabrique=locale_str("Le numéro de la Fabrique (n°…)"),
        motif=locale_str("Pourquoi la session est annulée (envoyé aux inscrit·es)"),
    )
    async def cancel(interaction: discord.Interaction, fabrique: int, motif: str) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        cancellation = await bot.services.sessions.cancel(guild_id(interaction), fabrique, actor, motif)
        before = cancellation.previous
        text = bot.i18n(
            "dm.cancelled",
            title=_render.shown(before.title),
            date=before.starts_at,
            reason=_render.shown(cancellation.reason),
        )
        await bot.announcer.withdrawn(before, cancellation.registrant_ids, text)
        await tell_organizers(bot, before, text, actor_id=actor.user_id)
        await refresh_card(bot, before.guild_id, before.id)
        count = len(cancellation.registrant_ids)
        await reply(
            interaction, bot.i18n("cancel.done", number=before.id, title=_render.shown(before.title), count=count)
        )

    @app_commands.rename(
        jour=locale_str("jour"),
        rang=locale_str("rang"),
        heure=locale_str("heure"),
        nombre=locale_str("nombre"),
        lien=locale_str("lien"),
        places=locale_str("places"),
    )
    @app_commands.describe(
        jour=locale_str("Le jour de la semaine"),
        rang=locale_str("Lequel dans le mois (ex. le premier mardi)"),
        heure=locale_str("L'heure de début, HH:MM"),
        nombre=locale_str("Combien de sessions programmer (1 à 12)"),
        lien=locale_str("Le lien Zoom (https://…), envoyé seulement aux inscrit·es"),
        places=locale_str("Nombre de places (facultatif ; 0 = limite de Zoom)"),
    )
    @app_commands.choices(
        jour=[Choice(name=locale_str(day.capitalize()), value=index) for index, day in enumerate(WEEKDAYS)],
        rang=[Choice(name=locale_str(name.capitalize()), value=value) for name, value in ORDINALS],
    )
    async def welcome(
        interaction: discord.Interaction,
        jour: Choice[int],
        rang: Choice[int],
        heure: str,
        lien: str,
        nombre: app_commands.Range[int, 1, 12] = 3,
        places: app_commands.Range[int, 0, 100] = 0,
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        created = await bot.services.sessions.create_welcome_series(
            guild_id(interaction),
            actor,
            weekday=jour.value,
            ordinal=rang.value,
            at=parse_time(heure),
            count=nombre,
            zoom_url=lien,
            capacity=places,
            title=bot.i18n("welcome.title"),
            description=bot.i18n("welcome.description"),
        )
        for record in created:
            await bot.announcer.announce_if_ready(record, by=actor.user_id)
        dates = "\n".join(bot.i18n("welcome.line", number=r.id, date=r.starts_at) for r in created)
        await reply(interaction, bot.i18n("welcome.done", count=len(created)) + "\n" + dates)

    async def agenda(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        records = await bot.services.sessions.agenda(guild_id(interaction))
        embed = _render.agenda(records, bot.i18n)
        if not records:
            await reply(interaction, embed=embed)
            return
        file = discord.File(io.BytesIO(bot.announcer.calendar(records)), filename="agenda-fabriques.ics")
        await reply(interaction, embed=embed, file=file)

    command(groups.equipe, "lien-zoom", "Donner ou remplacer le lien Zoom d'une Fabrique", zoom_link).autocomplete(
        "fabrique"
    )(_suggest_booked)
    command(groups.equipe, "annuler", "Annuler une session programmée ou annoncée", cancel).autocomplete("fabrique")(
        _suggest_booked
    )
    command(groups.equipe, "accueil", "Programmer les sessions d'accueil « 30 min chrono »", welcome)
    command(groups.fabrique, "agenda", "Les prochaines sessions, avec leur fichier agenda (.ics)", agenda)


async def _suggest_booked(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    """For the team: every Fabrique that is approved or booked (the ones a link or a cancellation applies to)."""
    bot = bot_of(interaction)
    if interaction.guild_id is None:
        return []
    actor = await current_actor(interaction)
    if not actor.is_team:
        return await suggest_sessions(interaction, typed)
    needle = typed.strip().lower().lstrip("n°#")
    return [
        Choice(name=bot.i18n("autocomplete.fabrique", number=r.id, title=r.title, state=r.state)[:100], value=r.id)
        for r in await bot.services.slots.suggest_fabriques(interaction.guild_id, actor)
        if not needle or needle in str(r.id) or needle in r.title.lower()
    ][:25]

"""``/equipe``: the team's tools — configuration, slots, Zoom links, moves, cancellations, welcome sessions, follow-up.

The team role is checked by the services on every call, from the roles Discord sends with that interaction. The
group has no default permission: hiding it behind one would hide it from the team too (``configurer`` checks
Manage Server itself).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands, ui
from discord.app_commands import Choice, locale_str
from discord.ext import commands

from bot.domain.lifecycle import Actor
from bot.domain.series import SERIES_MAX
from bot.errors import Forbidden
from bot.i18n import I18n, format_duration
from bot.services.corrections import People
from bot.services.guild_config import ConfigChanges
from bot.services.series import Default
from bot.services.slots import MoveTarget
from bot.services.welcome import RuleChanges
from cogs import _render, _suggest, _welcome
from cogs._feedback import bot_of, current_actor, guild_id, member_actor, reply, report_error
from cogs._views import checked_person, corrected_text, form_text, proposal_modal

if TYPE_CHECKING:
    from bot.app import FabriqueBot

WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
ORDINALS = [("premier", 1), ("deuxième", 2), ("troisième", 3), ("quatrième", 4), ("dernier", -1)]
FABRIQUE = locale_str("Le numéro de la Fabrique (n°…)")
ZOOM_URL = locale_str("Le lien Zoom (https://…), envoyé seulement aux inscrit·es")
SEANCE = locale_str("Pour une série : le rang de la séance (1 = la première)")
Seance = app_commands.Range[int, 1, SERIES_MAX]


class RetryCopiesButton(ui.DynamicItem[ui.Button[Any]], template=r"copy:retry:(?P<id>\d+)"):
    """« Réessayer » for a session whose website post, email or Zoom meeting failed (team only)."""

    def __init__(self, fabrique_id: int, label: str | None = None) -> None:
        super().__init__(
            ui.Button(
                label=label or "retry", style=discord.ButtonStyle.secondary, custom_id=f"copy:retry:{fabrique_id}"
            )
        )
        self.fabrique_id = fabrique_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button[Any], match: re.Match[str], /
    ) -> RetryCopiesButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.defer(ephemeral=True)
            bot = bot_of(interaction)
            if not (await current_actor(interaction)).is_team:
                raise Forbidden("error.team_only")
            count = await bot.services.announcements.retry_copies(self.fabrique_id)
            await reply(interaction, bot.i18n("reply.retry_copies", count=count, number=self.fabrique_id))
        except Exception as error:  # component callbacks bypass tree.on_error: report the same way
            await report_error(interaction, error)


@app_commands.guild_only()
class TeamCommands(
    commands.GroupCog,
    group_name=locale_str("equipe"),
    group_description=locale_str("Outils de l'équipe : configuration, créneaux, suivi"),
):
    def __init__(self, bot: FabriqueBot) -> None:
        self.bot = bot
        self.i18n: I18n = bot.i18n
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RetryCopiesButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RetryCopiesButton)

    @app_commands.command(
        name=locale_str("configurer"),
        description=locale_str("Choisir les rôles et salons du bot (permission Gérer le serveur)"),
    )
    @app_commands.rename(
        role_equipe=locale_str("role_equipe"),
        role_membre=locale_str("role_membre"),
        salon_equipe=locale_str("salon_equipe"),
        salon_agenda=locale_str("salon_agenda"),
        forum_articles=locale_str("forum_articles"),
    )
    @app_commands.describe(
        role_equipe=locale_str("Le rôle de l'équipe, qui modère les propositions"),
        role_membre=locale_str("Le rôle des membres (sinon tout le serveur)"),
        salon_equipe=locale_str("Le salon privé de l'équipe (cartes de modération, alertes)"),
        salon_agenda=locale_str("Le salon des annonces de sessions"),
        forum_articles=locale_str("Le forum réservé aux membres pour les articles"),
    )
    async def configure(
        self,
        interaction: discord.Interaction,
        role_equipe: discord.Role | None = None,
        role_membre: discord.Role | None = None,
        salon_equipe: discord.TextChannel | None = None,
        salon_agenda: discord.TextChannel | None = None,
        forum_articles: discord.ForumChannel | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        changes = ConfigChanges(
            team_role_id=role_equipe.id if role_equipe else None,
            member_role_id=role_membre.id if role_membre else None,
            team_channel_id=salon_equipe.id if salon_equipe else None,
            agenda_channel_id=salon_agenda.id if salon_agenda else None,
            articles_forum_id=forum_articles.id if forum_articles else None,
        )
        actor = await current_actor(interaction)
        is_admin = interaction.permissions.manage_guild
        config = await self.bot.services.guild_config.configure(
            guild_id(interaction), changes, by=actor, is_admin=is_admin
        )
        key = "configure.current" if changes == ConfigChanges() else "configure.done"
        await reply(interaction, self.i18n(key), embed=_render.guild_config(config, self.i18n))

    # --- slots ------------------------------------------------------------------------------------------------

    @app_commands.command(
        name=locale_str("creneau-ajouter"), description=locale_str("Ouvrir un créneau sur le Zoom de la communauté")
    )
    @app_commands.describe(
        date=locale_str("Le jour, JJ/MM/AAAA (heure de Paris)"),
        heure=locale_str("L'heure de début, HH:MM"),
        duree=locale_str("La durée du créneau en minutes (ex. 150)"),
    )
    @app_commands.rename(date=locale_str("date"), heure=locale_str("heure"), duree=locale_str("duree"))
    async def add_slot(self, interaction: discord.Interaction, date: str, heure: str, duree: int) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        slot = await self.bot.services.slots.add(guild_id(interaction), actor, date, heure, duree)
        text = self.i18n("slot.added", number=slot.id, date=slot.starts_at, length=format_duration(slot.minutes))
        await reply(interaction, text)

    @app_commands.command(name=locale_str("creneau-retirer"), description=locale_str("Retirer un créneau libre"))
    @app_commands.rename(creneau=locale_str("creneau"))
    @app_commands.describe(creneau=locale_str("Le numéro du créneau (n°…)"))
    @app_commands.autocomplete(creneau=_suggest.team_slots)
    async def remove_slot(self, interaction: discord.Interaction, creneau: int) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        slot = await self.bot.services.slots.remove(guild_id(interaction), actor, creneau)
        await reply(interaction, self.i18n("slot.removed", number=slot.id, date=slot.starts_at))

    @app_commands.command(
        name=locale_str("creneaux"), description=locale_str("Tous les créneaux à venir, libres ou réservés")
    )
    async def team_slots(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        slots = await self.bot.services.slots.team_planning(guild_id(interaction), actor)
        await reply(interaction, embed=_render.slot_list(slots, self.i18n, "slot.list.team", "slot.list.empty"))

    # --- sessions ---------------------------------------------------------------------------------------------

    @app_commands.command(
        name=locale_str("lien-zoom"), description=locale_str("Donner ou remplacer le lien Zoom d'une Fabrique")
    )
    @app_commands.rename(fabrique=locale_str("fabrique"), url=locale_str("url"), seance=locale_str("seance"))
    @app_commands.describe(
        fabrique=FABRIQUE,
        url=ZOOM_URL,
        seance=locale_str("Pour une série : le rang de la séance (par défaut : la prochaine à venir)"),
    )
    @app_commands.autocomplete(fabrique=_suggest.booked)
    async def zoom_link(
        self, interaction: discord.Interaction, fabrique: int, url: str, seance: Seance | None = None
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        actor, guild = await current_actor(interaction), guild_id(interaction)
        session = await self.bot.services.series.resolve(guild, fabrique, seance, Default.NEXT_TO_COME)
        linked = await self.bot.services.announcements.set_zoom_link(guild, session, actor, url)
        key = "link.saved.announced" if linked.announced else "link.saved"
        record = linked.fabrique
        number = _render.number(record, self.i18n)
        await reply(interaction, self.i18n(key, number=number, title=_render.shown(record.title)))

    @app_commands.command(
        name=locale_str("deplacer"),
        description=locale_str("Déplacer une session vers un créneau, ou une date et une heure (inscriptions gardées)"),
    )
    @app_commands.rename(
        fabrique=locale_str("fabrique"),
        creneau=locale_str("creneau"),
        date=locale_str("date"),
        heure=locale_str("heure"),
        force=locale_str("force"),
        seance=locale_str("seance"),
    )
    @app_commands.describe(
        fabrique=FABRIQUE,
        creneau=locale_str("Le créneau d'arrivée (n°…), ou bien date et heure"),
        date=locale_str("Ou la nouvelle date, JJ/MM/AAAA (heure de Paris), avec l'heure"),
        heure=locale_str("Et la nouvelle heure de début, HH:MM"),
        force=locale_str("Passer outre le délai de préparation du parcours (équipe seulement)"),
        seance=locale_str("Pour une série : le rang de la séance à déplacer (par défaut : la première)"),
    )
    @app_commands.autocomplete(fabrique=_suggest.booked, creneau=_suggest.free_slots)
    async def move(
        self,
        interaction: discord.Interaction,
        fabrique: int,
        creneau: int | None = None,
        date: str | None = None,
        heure: str | None = None,
        force: bool = False,
        seance: Seance | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        actor, guild = await current_actor(interaction), guild_id(interaction)
        session = await self.bot.services.series.resolve(guild, fabrique, seance, Default.HOME)
        target = MoveTarget(slot_id=creneau, date_text=date, time_text=heure, force=force)
        booked = await self.bot.services.announcements.move(guild, session, actor, target)
        booking = booked.booking
        record = booking.fabrique
        text = self.i18n(
            "move.done" if booked.moved else "move.done_unannounced",
            number=_render.number(record, self.i18n),
            date=record.starts_at,
            slot=record.slot_id or 0,
            count=len(booking.registrant_ids),
        )
        await reply(interaction, text)

    @app_commands.command(
        name=locale_str("modifier"), description=locale_str("Corriger une Fabrique : textes, places, organisation")
    )
    @app_commands.rename(
        fabrique=locale_str("fabrique"),
        organisateur=locale_str("organisateur"),
        ajouter_coorganisateur=locale_str("ajouter_coorganisateur"),
        retirer_coorganisateur=locale_str("retirer_coorganisateur"),
        places=locale_str("places"),
    )
    @app_commands.describe(
        fabrique=FABRIQUE,
        organisateur=locale_str("La personne qui organise désormais (prévenue par message privé)"),
        ajouter_coorganisateur=locale_str("Un·e coorganisateur·ice à ajouter"),
        retirer_coorganisateur=locale_str("Un·e coorganisateur·ice à retirer"),
        places=locale_str("Le nombre de places (0 = limite de Zoom ; jamais moins que les inscrit·es)"),
    )
    @app_commands.autocomplete(fabrique=_suggest.booked)
    async def correct(
        self,
        interaction: discord.Interaction,
        fabrique: int,
        organisateur: discord.Member | None = None,
        ajouter_coorganisateur: discord.Member | None = None,
        retirer_coorganisateur: discord.User | None = None,
        places: app_commands.Range[int, 0, 100] | None = None,
    ) -> None:
        """Checked before the form opens (team, state, people, places), then the form pre-filled with the texts."""
        actor = await current_actor(interaction)
        people = People(
            places=places,
            organizer_id=checked_person(organisateur),
            add_coorganizer=checked_person(ajouter_coorganisateur),
            remove_coorganizer=retirer_coorganisateur.id if retirer_coorganisateur else None,
        )
        services = self.bot.services
        current = await services.corrections.check_correction(guild_id(interaction), fabrique, actor, people)

        async def submit(modal_interaction: discord.Interaction, values: dict[str, str]) -> None:
            await modal_interaction.response.defer(ephemeral=True)
            for member in (organisateur, ajouter_coorganisateur):
                if member is not None:  # named later in texts read outside Discord, even if they never act
                    await services.member_names.remember(member.guild.id, member.id, member.display_name)
            corrected = await services.corrections.correct(
                guild_id(modal_interaction), fabrique, await current_actor(modal_interaction), form_text(values), people
            )
            await reply(modal_interaction, corrected_text(self.i18n, corrected))

        title = self.i18n("modal.correct.title", number=current.id)
        await interaction.response.send_modal(proposal_modal(self.i18n, title, submit, current))

    @app_commands.command(
        name=locale_str("annuler"), description=locale_str("Annuler une session programmée ou annoncée")
    )
    @app_commands.rename(fabrique=locale_str("fabrique"), motif=locale_str("motif"), seance=locale_str("seance"))
    @app_commands.describe(
        fabrique=FABRIQUE,
        motif=locale_str("Pourquoi la session est annulée (envoyé aux inscrit·es)"),
        seance=locale_str("Pour une série : la séance à annuler seule (sans elle : toutes celles à venir)"),
    )
    @app_commands.autocomplete(fabrique=_suggest.booked)
    async def cancel(
        self, interaction: discord.Interaction, fabrique: int, motif: str, seance: Seance | None = None
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        actor, guild = await current_actor(interaction), guild_id(interaction)
        plan = await self.bot.services.series.to_cancel(guild, fabrique, seance)
        if plan.whole:
            whole = await self.bot.services.announcements.cancel_series(guild, plan.number, actor, motif)
            title = _render.shown(whole.home.title)
            text = self.i18n("cancel.series_done", number=plan.number, title=title, sessions=len(whole.previous))
            await reply(interaction, text)
            return
        cancellation = await self.bot.services.announcements.cancel(guild, plan.number, actor, motif)
        before, count = cancellation.previous, len(cancellation.registrant_ids)
        number = _render.number(before, self.i18n)
        text = self.i18n("cancel.done", number=number, title=_render.shown(before.title), count=count)
        await reply(interaction, text)

    @app_commands.command(
        name=locale_str("accueil"),
        description=locale_str("Régler ou arrêter la règle des sessions d'accueil « 30 min chrono »"),
    )
    @app_commands.rename(
        jour=locale_str("jour"),
        rang=locale_str("rang"),
        heure=locale_str("heure"),
        nombre=locale_str("nombre"),
        lien=locale_str("lien"),
        places=locale_str("places"),
        duree=locale_str("duree"),
        arreter=locale_str("arreter"),
    )
    @app_commands.describe(
        jour=locale_str("Le jour de la semaine"),
        rang=locale_str("Lequel dans le mois (ex. le premier mardi)"),
        heure=locale_str("L'heure de début, HH:MM"),
        nombre=locale_str("Combien de sessions garder annoncées d'avance (1 par défaut)"),
        lien=locale_str("Le lien Zoom (https://…) des sessions, envoyé seulement aux inscrit·es (facultatif)"),
        places=locale_str("Nombre de places (facultatif ; 0 = limite de Zoom)"),
        duree=locale_str("Durée d'une session en minutes (30 par défaut)"),
        arreter=locale_str("Oui : arrêter la règle (les sessions déjà annoncées restent)"),
    )
    @app_commands.choices(
        jour=[Choice(name=locale_str(day.capitalize()), value=index) for index, day in enumerate(WEEKDAYS)],
        rang=[Choice(name=locale_str(name.capitalize()), value=value) for name, value in ORDINALS],
    )
    async def welcome(
        self,
        interaction: discord.Interaction,
        jour: Choice[int] | None = None,
        rang: Choice[int] | None = None,
        heure: str | None = None,
        lien: str | None = None,
        nombre: app_commands.Range[int, 1, 12] | None = None,
        places: app_commands.Range[int, 0, 100] | None = None,
        duree: app_commands.Range[int, 15, 120] | None = None,
        arreter: bool = False,
    ) -> None:
        """Set the rule (or change the values given), or stop it; the options left out keep their value."""
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        welcome = self.bot.services.welcome
        if arreter:
            await reply(interaction, _welcome.stopped(await welcome.stop(guild_id(interaction), actor), self.i18n))
            return
        changes = RuleChanges(
            weekday=jour.value if jour is not None else None,
            ordinal=rang.value if rang is not None else None,
            at=heure,
            duration_minutes=duree,
            capacity=places,
            ahead=nombre,
            zoom_url=lien,
        )
        result = await welcome.set_rule(guild_id(interaction), actor, changes)
        await reply(interaction, _welcome.rule_set(result, self.i18n))

    # --- registrations by the team -----------------------------------------------------------------------------

    @app_commands.command(
        name=locale_str("inscrire"),
        description=locale_str("Inscrire un·e membre, ou une personne hors Discord par nom et e-mail"),
    )
    @app_commands.rename(
        fabrique=locale_str("fabrique"), membre=locale_str("membre"), nom=locale_str("nom"), email=locale_str("email")
    )
    @app_commands.describe(
        fabrique=FABRIQUE,
        membre=locale_str("Le ou la membre Discord à inscrire"),
        nom=locale_str("Nom de la personne hors Discord (avec email)"),
        email=locale_str("Son adresse e-mail : confirmation, rappels et lien lui arrivent par là"),
    )
    @app_commands.autocomplete(fabrique=_suggest.booked)
    async def register_someone(
        self,
        interaction: discord.Interaction,
        fabrique: int,
        membre: discord.Member | None = None,
        nom: str = "",
        email: str = "",
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        actor, member = await current_actor(interaction), await _standing(interaction, membre)
        done = await self.bot.services.team_registrations.register(
            guild_id(interaction), fabrique, actor, member=member, name=nom, email=email
        )
        await reply(interaction, _render.team_registration(done, self.i18n))

    @app_commands.command(
        name=locale_str("desinscrire"),
        description=locale_str("Désinscrire un·e membre, ou une personne hors Discord par son e-mail"),
    )
    @app_commands.rename(fabrique=locale_str("fabrique"), membre=locale_str("membre"), email=locale_str("email"))
    @app_commands.describe(
        fabrique=FABRIQUE,
        membre=locale_str("Le ou la membre Discord à désinscrire"),
        email=locale_str("L'adresse e-mail de la personne hors Discord"),
    )
    @app_commands.autocomplete(fabrique=_suggest.booked)
    async def unregister_someone(
        self, interaction: discord.Interaction, fabrique: int, membre: discord.Member | None = None, email: str = ""
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        done = await self.bot.services.team_registrations.unregister(
            guild_id(interaction), fabrique, actor, member_id=membre.id if membre else None, email=email
        )
        await reply(interaction, _render.team_registration(done, self.i18n))

    # --- follow-up --------------------------------------------------------------------------------------------

    @app_commands.command(
        name=locale_str("suivi"), description=locale_str("Le tableau de bord : états et documentations attendues")
    )
    async def follow_up(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        if not actor.is_team:
            raise Forbidden("error.team_only")
        dashboard = await self.bot.services.timeline.follow_up(guild_id(interaction))
        embed = _render.follow_up(dashboard, self.i18n)
        embed.add_field(
            name=self.i18n("followup.copies"),
            value=_render.copies(dashboard.booked, dashboard.copies, self.i18n) or self.i18n("followup.copies_none"),
            inline=False,
        )
        view = ui.View(timeout=None)
        for number in dashboard.failing:
            view.add_item(RetryCopiesButton(number, self.i18n("button.retry_copies", number=number)))
        await reply(interaction, embed=embed, view=view)

    # --- bilan ------------------------------------------------------------------------------------------------

    @app_commands.command(
        name=locale_str("bilan"),
        description=locale_str("Le bilan d'une période en graphiques (l'année en cours par défaut)"),
    )
    @app_commands.rename(
        debut=locale_str("debut"), fin=locale_str("fin"), publier=locale_str("publier"), exporter=locale_str("exporter")
    )
    @app_commands.describe(
        debut=locale_str("Le premier jour, JJ/MM/AAAA (avec fin)"),
        fin=locale_str("Le dernier jour, JJ/MM/AAAA (avec debut)"),
        publier=locale_str("Publier le bilan dans le salon de l'équipe"),
        exporter=locale_str("Joindre le tableau des séances (.xlsx et .csv)"),
    )
    async def bilan(
        self,
        interaction: discord.Interaction,
        debut: str | None = None,
        fin: str | None = None,
        publier: bool = False,
        exporter: bool = False,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)  # drawing takes longer than Discord's 3 s
        actor = await current_actor(interaction)
        done = await self.bot.services.bilan.report(
            guild_id(interaction), actor, debut, fin, export=exporter, publish=publier
        )
        if publier:
            await reply(interaction, self.i18n("bilan.published"))
            return
        files = [discord.File(io.BytesIO(item.data), item.filename) for item in (done.image, *done.files)]
        await reply(interaction, done.text, files=files)


async def _standing(interaction: discord.Interaction, member: discord.Member | None) -> Actor | None:
    """The member the team registers, as they would stand registering themselves (their roles decide)."""
    if member is None:
        return None
    config = await bot_of(interaction).services.guild_config.get(guild_id(interaction))
    return member_actor(member, member.id, config)


async def setup(bot: FabriqueBot) -> None:
    await bot.add_cog(TeamCommands(bot))

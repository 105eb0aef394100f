"""``/fabrique``: everything a member does — propose, follow, book, register, document.

One cog per audience (``/fabrique`` here, ``/equipe`` in cogs/equipe.py), because discord.py advises against
splitting one command group across cogs, and SPEC §5 fixes the names (no subgroups). Each command parses, defers,
makes one service call and renders; buttons, listeners and runners live in the feature cogs.
"""

from __future__ import annotations

import io
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str
from discord.ext import commands

from bot.domain.proposal import RHYTHM_MAX, Format, Parcours
from bot.domain.registration import Source
from bot.domain.series import SERIES_MAX
from bot.errors import InvalidInput
from bot.i18n import I18n, format_duration
from bot.services.documentation import TEXT_FILE_MAX, Path3P, check_recording_link
from bot.services.series import Default
from cogs import _render, _suggest
from cogs._absence_ui import absence_text
from cogs._announce_ui import announce as announce_held
from cogs._announce_ui import announce_view
from cogs._documentation_form import draft_view, open_form
from cogs._feedback import current_actor, guild_id, reply
from cogs._registration_ui import join_session, leave_session
from cogs._views import (
    FORMAT_CHOICES,
    PARCOURS_CHOICES,
    checked_coorganizer,
    edited_text,
    proposal_draft,
    proposal_modal,
)

if TYPE_CHECKING:
    from bot.app import FabriqueBot

FABRIQUE = locale_str("Le numéro de la Fabrique (n°…)")
SESSION = locale_str("Le numéro de la session (n°…)")
YOURS = locale_str("Le numéro de votre Fabrique (n°…)")
SEANCE = locale_str("Pour une série : le rang de la séance (1 = la première)")
Seance = app_commands.Range[int, 1, SERIES_MAX]


@app_commands.guild_only()
class FabriqueCommands(
    commands.GroupCog,
    group_name=locale_str("fabrique"),
    group_description=locale_str("Proposer, suivre et documenter vos Fabriques collectives"),
):
    def __init__(self, bot: FabriqueBot) -> None:
        self.bot = bot
        self.i18n: I18n = bot.i18n
        super().__init__()
        for command in _proposal_commands(self, bot.settings.sessions.durations_minutes):
            self.app_command.add_command(command)

    # --- proposals (``proposer`` and ``modifier`` are built in _proposal_commands: their durations are settings)

    @app_commands.command(name=locale_str("retirer"), description=locale_str("Retirer une de vos propositions"))
    @app_commands.rename(fabrique=locale_str("fabrique"))
    @app_commands.describe(fabrique=FABRIQUE)
    @app_commands.autocomplete(fabrique=_suggest.editable)
    async def withdraw(self, interaction: discord.Interaction, fabrique: int) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        record = await self.bot.services.proposals.withdraw(guild_id(interaction), fabrique, actor)
        await reply(interaction, self.i18n("withdraw.done", number=record.id, title=_render.shown(record.title)))

    @app_commands.command(name=locale_str("mes-fabriques"), description=locale_str("Vos Fabriques et leur état"))
    async def mine(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        mine = await self.bot.services.proposals.mine(guild_id(interaction), interaction.user.id)
        await reply(interaction, embed=_render.my_fabriques(mine, self.i18n))

    async def propose(
        self,
        interaction: discord.Interaction,
        format: Choice[str],
        parcours: Choice[str],
        duree: Choice[int],
        coorganisateur: discord.Member | None,
        sessions: int,
    ) -> None:
        actor = await current_actor(interaction)
        await self.bot.services.proposals.ensure_can_propose(guild_id(interaction), actor, sessions)
        coorganizer_id = checked_coorganizer(coorganisateur)

        async def submit(modal_interaction: discord.Interaction, values: dict[str, str]) -> None:
            await modal_interaction.response.defer(ephemeral=True)
            draft = proposal_draft(values, Format(format.value), Parcours(parcours.value), duree.value, coorganizer_id)
            draft = replace(draft, sessions=sessions, rhythm=values.get("rythme", ""))
            await self._remember(coorganisateur)
            record = await self.bot.services.proposals.propose(guild_id(modal_interaction), actor, draft)
            key = "propose.done" if record.card_message_id is not None else "propose.card_failed"
            await reply(modal_interaction, self.i18n(key, number=record.id, title=_render.shown(record.title)))

        modal = proposal_modal(self.i18n, self.i18n("modal.propose.title"), submit)
        if sessions > 1:  # a series: its rhythm, as the organizer sees it (the fifth and last field a form may hold)
            modal.add_text(
                "rythme", self.i18n("label.rythme"), self.i18n("hint.rythme"), max_length=RHYTHM_MAX, required=False
            )
        await interaction.response.send_modal(modal)

    async def edit(
        self,
        interaction: discord.Interaction,
        fabrique: int,
        format: Choice[str] | None,
        parcours: Choice[str] | None,
        duree: Choice[int] | None,
        coorganisateur: discord.Member | None,
    ) -> None:
        actor = await current_actor(interaction)
        current = await self.bot.services.corrections.get_editable(guild_id(interaction), fabrique, actor)
        coorganizer_id = checked_coorganizer(coorganisateur)  # added to the co-organizers; None keeps them

        async def submit(modal_interaction: discord.Interaction, values: dict[str, str]) -> None:
            await modal_interaction.response.defer(ephemeral=True)
            draft = proposal_draft(
                values,
                Format(format.value) if format else current.format,
                Parcours(parcours.value) if parcours else current.parcours,
                duree.value if duree else current.duration_minutes,
                coorganizer_id,
            )
            await self._remember(coorganisateur)
            record = await self.bot.services.corrections.edit(guild_id(modal_interaction), fabrique, actor, draft)
            await reply(modal_interaction, edited_text(self.i18n, current, record))

        title = self.i18n("modal.edit.title", number=current.id)
        await interaction.response.send_modal(proposal_modal(self.i18n, title, submit, current))

    async def _remember(self, member: discord.Member | None) -> None:
        """A co-organizer may never act themselves: store their name now, for the texts that will name them."""
        if member is not None:
            await self.bot.services.member_names.remember(member.guild.id, member.id, member.display_name)

    # --- slots ------------------------------------------------------------------------------------------------

    @app_commands.command(
        name=locale_str("creneaux"), description=locale_str("Les créneaux libres pour votre Fabrique")
    )
    async def free_slots(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        slots = await self.bot.services.slots.upcoming(guild_id(interaction), free_only=True)
        await reply(interaction, embed=_render.slot_list(slots, self.i18n, "slot.list.free", "slot.list.none_free"))

    @app_commands.command(
        name=locale_str("reserver"), description=locale_str("Réserver un créneau pour votre Fabrique")
    )
    @app_commands.rename(
        fabrique=locale_str("fabrique"),
        creneau=locale_str("creneau"),
        places=locale_str("places"),
        seance=locale_str("seance"),
    )
    @app_commands.describe(
        fabrique=YOURS,
        creneau=locale_str("Le numéro du créneau (n°…)"),
        places=locale_str("Nombre de places (facultatif ; 0 = limite de Zoom)"),
        seance=locale_str("Pour une série : le rang de la séance (par défaut : la prochaine sans date)"),
    )
    @app_commands.autocomplete(fabrique=_suggest.bookable, creneau=_suggest.free_slots)
    async def book(
        self,
        interaction: discord.Interaction,
        fabrique: int,
        creneau: int,
        places: app_commands.Range[int, 0, 100] | None = None,
        seance: Seance | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        actor, guild = await current_actor(interaction), guild_id(interaction)
        session = await self.bot.services.series.resolve(guild, fabrique, seance, Default.NEXT_UNBOOKED)
        booked = await self.bot.services.announcements.book(guild, session, creneau, actor, places)
        record = booked.booking.fabrique
        number = _render.number(record, self.i18n)
        if booked.held:
            text = self.i18n("slot.booked.held", number=number, date=record.starts_at, release=record.confirm_by)
            await reply(interaction, text, view=announce_view(self.i18n, record.id))
            return
        key = (
            "slot.moved"
            if booked.moved
            else ("slot.booked.announced" if booked.announced else "slot.booked.waiting_link")
        )
        await reply(interaction, self.i18n(key, number=number, date=record.starts_at))

    @app_commands.command(
        name=locale_str("annoncer"), description=locale_str("Annoncer votre Fabrique au créneau retenu")
    )
    @app_commands.rename(fabrique=locale_str("fabrique"), seance=locale_str("seance"))
    @app_commands.describe(fabrique=YOURS, seance=SEANCE)
    @app_commands.autocomplete(fabrique=_suggest.bookable)
    async def announce(self, interaction: discord.Interaction, fabrique: int, seance: Seance | None = None) -> None:
        await interaction.response.defer(ephemeral=True)
        session = await self.bot.services.series.resolve(guild_id(interaction), fabrique, seance, Default.NEXT_TO_COME)
        await announce_held(interaction, session)

    @app_commands.command(name=locale_str("liberer"), description=locale_str("Libérer le créneau de votre Fabrique"))
    @app_commands.rename(fabrique=locale_str("fabrique"), seance=locale_str("seance"))
    @app_commands.describe(
        fabrique=YOURS, seance=locale_str("Pour une série : le rang de la séance (par défaut : la prochaine à venir)")
    )
    @app_commands.autocomplete(fabrique=_suggest.bookable)
    async def release(self, interaction: discord.Interaction, fabrique: int, seance: Seance | None = None) -> None:
        await interaction.response.defer(ephemeral=True)
        actor, guild = await current_actor(interaction), guild_id(interaction)
        session = await self.bot.services.series.resolve(guild, fabrique, seance, Default.NEXT_TO_COME)
        before = (await self.bot.services.announcements.release(guild, session, actor)).previous
        text = self.i18n("slot.released", number=before.shown_number, title=_render.shown(before.title))
        await reply(interaction, text)

    # --- sessions and registration ----------------------------------------------------------------------------

    @app_commands.command(
        name=locale_str("agenda"), description=locale_str("Les prochaines sessions, avec leur fichier agenda (.ics)")
    )
    async def agenda(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        agenda = await self.bot.services.sessions.agenda_file(guild_id(interaction))
        embed = _render.agenda(agenda.records, self.i18n)
        if not agenda.records:
            await reply(interaction, embed=embed)
            return
        data = discord.File(io.BytesIO(agenda.ics), filename="agenda-fabriques.ics")
        await reply(interaction, embed=embed, file=data)

    @app_commands.command(name=locale_str("inscrire"), description=locale_str("Vous inscrire à une session annoncée"))
    @app_commands.rename(fabrique=locale_str("fabrique"))
    @app_commands.describe(fabrique=SESSION)
    @app_commands.autocomplete(fabrique=_suggest.sessions)
    async def join(self, interaction: discord.Interaction, fabrique: int) -> None:
        await interaction.response.defer(ephemeral=True)
        await join_session(interaction, fabrique, Source.COMMAND)

    @app_commands.command(name=locale_str("desinscrire"), description=locale_str("Vous désinscrire d'une session"))
    @app_commands.rename(fabrique=locale_str("fabrique"))
    @app_commands.describe(fabrique=SESSION)
    @app_commands.autocomplete(fabrique=_suggest.sessions)
    async def leave(self, interaction: discord.Interaction, fabrique: int) -> None:
        await interaction.response.defer(ephemeral=True)
        await leave_session(interaction, fabrique)

    @app_commands.command(
        name=locale_str("absence"), description=locale_str("Dire que vous manquerez une séance d'une série")
    )
    @app_commands.rename(fabrique=locale_str("fabrique"), seance=locale_str("seance"), annuler=locale_str("annuler"))
    @app_commands.describe(
        fabrique=FABRIQUE,
        seance=locale_str("Le rang de la séance que vous manquerez (1 pour la première)"),
        annuler=locale_str("Oui : vous viendrez finalement à cette séance"),
    )
    @app_commands.autocomplete(fabrique=_suggest.sessions)
    async def absence(
        self,
        interaction: discord.Interaction,
        fabrique: int,
        seance: app_commands.Range[int, 1, 12],
        annuler: bool = False,
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        outcome = await self.bot.services.registrations.absence(
            guild_id(interaction), fabrique, seance, actor, back=annuler
        )
        await reply(interaction, absence_text(self.i18n, outcome))

    @app_commands.command(
        name=locale_str("lien"), description=locale_str("Recevoir le lien Zoom d'une session où vous êtes inscrit·e")
    )
    @app_commands.rename(fabrique=locale_str("fabrique"), seance=locale_str("seance"))
    @app_commands.describe(fabrique=SESSION, seance=SEANCE)
    @app_commands.autocomplete(fabrique=_suggest.sessions)
    async def link(self, interaction: discord.Interaction, fabrique: int, seance: Seance | None = None) -> None:
        await interaction.response.defer(ephemeral=True)
        actor, guild = await current_actor(interaction), guild_id(interaction)
        session = await self.bot.services.series.resolve(guild, fabrique, seance, Default.NEXT_TO_COME)
        links = await self.bot.services.links.for_person(guild, session, actor)
        await reply(interaction, self.bot.services.links.described(links))

    @app_commands.command(
        name=locale_str("inscrits"), description=locale_str("La liste des inscrit·es (organisation et équipe)")
    )
    @app_commands.rename(fabrique=locale_str("fabrique"))
    @app_commands.describe(fabrique=SESSION)
    @app_commands.autocomplete(fabrique=_suggest.sessions)
    async def registrants(self, interaction: discord.Interaction, fabrique: int) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        listing = await self.bot.services.registrations.listing(guild_id(interaction), fabrique, actor)
        csv_file = _render.registrants_csv(listing, interaction.guild, self.i18n)
        await reply(interaction, _render.registrant_list(listing, self.i18n), file=csv_file)

    # --- documentation ----------------------------------------------------------------------------------------

    @app_commands.command(
        name=locale_str("documenter"),
        description=locale_str("Documenter votre Fabrique : enregistrement, notes ou compte-rendu"),
    )
    @app_commands.rename(
        fabrique=locale_str("fabrique"),
        enregistrement=locale_str("enregistrement"),
        lien=locale_str("lien"),
        transcription=locale_str("transcription"),
        chat=locale_str("chat"),
        chemin=locale_str("chemin"),
        seance=locale_str("seance"),
    )
    @app_commands.describe(
        fabrique=FABRIQUE,
        seance=locale_str("Pour une série : le rang de la séance (par défaut : la première à documenter)"),
        enregistrement=locale_str("L'enregistrement (audio ou vidéo), s'il tient dans Discord"),
        lien=locale_str("Ou le lien https de l'enregistrement, s'il est trop gros pour Discord"),
        transcription=locale_str("La transcription Zoom (.vtt), facultative"),
        chat=locale_str("Le fichier du chat Zoom (.txt), facultatif"),
        chemin=locale_str("Enregistrement + notes, ou compte-rendu 3P (par défaut : selon le parcours)"),
    )
    @app_commands.choices(
        chemin=[
            Choice(name=locale_str("Enregistrement + notes"), value=Path3P.CLASSIQUE.value),
            Choice(name=locale_str("Compte-rendu 3P"), value=Path3P.EXPRESS.value),
        ]
    )
    async def document(
        self,
        interaction: discord.Interaction,
        fabrique: int,
        enregistrement: discord.Attachment | None = None,
        lien: str | None = None,
        transcription: discord.Attachment | None = None,
        chat: discord.Attachment | None = None,
        chemin: Choice[str] | None = None,
        seance: Seance | None = None,
    ) -> None:
        fabrique = await self.bot.services.series.resolve(guild_id(interaction), fabrique, seance, Default.OWING)
        record = await self.bot.services.sessions.get(guild_id(interaction), fabrique)
        # Who may document, first: nothing given here is read, drafted or sent anywhere for anyone else.
        await self.bot.services.documentation.check_can_document(
            guild_id(interaction), fabrique, await current_actor(interaction)
        )
        path = Path3P(chemin.value) if chemin else Path3P(record.parcours.value)
        uploads = self.bot.services.uploads  # None unless the web door is on ([web] enabled)
        nothing_given = not any((enregistrement, lien, transcription, chat))
        if (
            uploads is not None
            and path is Path3P.CLASSIQUE
            and nothing_given
            and await uploads.awaits_recording(fabrique)
        ):  # a real recording is too big for Discord: the one-time upload page comes first, the notes after
            await interaction.response.defer(ephemeral=True)
            link = await uploads.issue(guild_id(interaction), fabrique, await current_actor(interaction))
            key = "upload.sent" if link.sent else "upload.not_sent"
            await reply(interaction, self.i18n(key, number=fabrique, until=link.expires_at, url=link.url))
            return
        attachments: dict[str, Any] = {}
        if enregistrement is not None:
            attachments["recording"] = self._checked_recording(enregistrement)
        if lien:
            attachments["link"] = check_recording_link(lien.strip())
        for key, attachment, suffixes in (("transcript", transcription, (".vtt",)), ("chat", chat, (".txt", ".vtt"))):
            if attachment is None:
                continue
            if not attachment.filename.lower().endswith(suffixes) or attachment.size > TEXT_FILE_MAX:
                raise InvalidInput(f"error.documentation.bad_{key}")
            attachments[key] = (await attachment.read()).decode("utf-8", errors="replace")
        transcript = attachments.get("transcript")
        if not transcript or path is not Path3P.CLASSIQUE:
            await open_form(interaction, fabrique, path, attachments)
            return
        # A transcript given by hand: the notes open on a draft the organizer reviews and validates (seed, step 5).
        drafts = self.bot.services.drafts
        if not drafts.takes_time:
            draft = await drafts.draft(record, transcript, zoom_meeting_id=None)
            await open_form(interaction, fabrique, path, attachments, draft=draft.text if draft else None)
            return
        await interaction.response.defer(ephemeral=True)
        draft = await drafts.draft(record, transcript, zoom_meeting_id=None)
        key = "documentation.draft_ready" if draft else "documentation.no_draft"
        view = draft_view(self.i18n, fabrique, path, attachments, draft.text if draft else "")
        await interaction.followup.send(self.i18n(key, number=fabrique), view=view, ephemeral=True)

    def _checked_recording(self, attachment: discord.Attachment) -> discord.Attachment:
        maximum = self.bot.settings.audio.max_input_mb
        if attachment.size == 0:
            raise InvalidInput("error.audio.empty")
        if attachment.size > maximum * 1024 * 1024:
            raise InvalidInput("error.download.too_large", maximum=maximum)
        return attachment


def _proposal_commands(
    cog: FabriqueCommands, durations_minutes: list[int]
) -> list[app_commands.Command[Any, ..., None]]:
    """``proposer`` and ``modifier``: their ``duree`` choices come from ``[sessions] durations_minutes``, so they
    are built with the cog, as thin shells around its methods."""
    durations = [Choice(name=format_duration(m), value=m) for m in durations_minutes]

    @app_commands.rename(
        format=locale_str("format"),
        parcours=locale_str("parcours"),
        duree=locale_str("duree"),
        coorganisateur=locale_str("coorganisateur"),
        sessions=locale_str("sessions"),
    )
    @app_commands.describe(
        format=locale_str("La forme de la session"),
        parcours=locale_str("Classique (quelques jours de préparation) ou express (atelier 3P)"),
        duree=locale_str("La durée de la session"),
        coorganisateur=locale_str("Un·e membre qui organise avec vous (facultatif)"),
        sessions=locale_str("1 pour une séance unique, ou le nombre de séances d'une série (2 à 12)"),
    )
    @app_commands.choices(format=FORMAT_CHOICES, parcours=PARCOURS_CHOICES, duree=durations)
    async def propose(
        interaction: discord.Interaction,
        format: Choice[str],
        parcours: Choice[str],
        duree: Choice[int],
        coorganisateur: discord.Member | None = None,
        sessions: app_commands.Range[int, 1, SERIES_MAX] = 1,
    ) -> None:
        await cog.propose(interaction, format, parcours, duree, coorganisateur, sessions)

    @app_commands.rename(
        fabrique=locale_str("fabrique"),
        format=locale_str("format"),
        parcours=locale_str("parcours"),
        duree=locale_str("duree"),
        coorganisateur=locale_str("coorganisateur"),
    )
    @app_commands.describe(
        fabrique=FABRIQUE,
        format=locale_str("Nouveau format (facultatif)"),
        parcours=locale_str("Nouveau parcours (facultatif)"),
        duree=locale_str("Nouvelle durée (facultatif)"),
        coorganisateur=locale_str("Un·e coorganisateur·ice de plus (facultatif)"),
    )
    @app_commands.choices(format=FORMAT_CHOICES, parcours=PARCOURS_CHOICES, duree=durations)
    @app_commands.autocomplete(fabrique=_suggest.correctable)
    async def edit(
        interaction: discord.Interaction,
        fabrique: int,
        format: Choice[str] | None = None,
        parcours: Choice[str] | None = None,
        duree: Choice[int] | None = None,
        coorganisateur: discord.Member | None = None,
    ) -> None:
        await cog.edit(interaction, fabrique, format, parcours, duree, coorganisateur)

    return [
        app_commands.Command(
            name=locale_str("proposer"),
            description=locale_str("Proposer une Fabrique collective à l'équipe"),
            callback=propose,
        ),
        app_commands.Command(
            name=locale_str("modifier"),
            description=locale_str("Modifier une de vos Fabriques, même annoncée"),
            callback=edit,
        ),
    ]


async def setup(bot: FabriqueBot) -> None:
    await bot.add_cog(FabriqueCommands(bot))

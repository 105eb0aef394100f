"""/fabrique documenter, the recap prompt's path buttons, the background job's progress message, « Publier ».

The slash command only gathers what the organizer gives and queues the job; the download and the conversion run
in the background (never inside an interaction) and report by editing one DM, at most every 5 s.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands, ui
from discord.app_commands import Choice, locale_str

from bot.domain.proposal import REASON_MAX
from bot.errors import InvalidInput
from bot.services.documentation import TEXT_FILE_MAX, JobStatus, Path3P, Submission, check_recording_link
from cogs._documentation_runner import DocumentationButton, actor_anywhere
from cogs._feedback import bot_of, guild_id, reply, report_error
from cogs._groups import Groups, command
from cogs._views import FormModal
from cogs.moderation import refresh_card

if TYPE_CHECKING:
    from bot.app import FabriqueBot

log = logging.getLogger(__name__)

NOTES_MAX = 4000
LINK_MAX = 500


def documentation_modal(bot: FabriqueBot, path: Path3P, number: int, handler: Any, *, with_link: bool) -> FormModal:
    """Notes + resources (recording path) or the 3P report + resources; custom_ids as SPEC §5."""
    i18n = bot.i18n
    modal = FormModal(i18n(f"modal.documentation.{path.value}", number=number), handler)
    if path is Path3P.EXPRESS:
        modal.add_text(
            "compte_rendu", i18n("label.compte_rendu"), i18n("hint.compte_rendu"), max_length=NOTES_MAX, paragraph=True
        )
    else:
        modal.add_text(
            "notes", i18n("label.notes"), i18n("hint.notes"), max_length=NOTES_MAX, paragraph=True, required=False
        )
    modal.add_text(
        "ressources",
        i18n("label.ressources"),
        i18n("hint.ressources"),
        max_length=REASON_MAX * 2,
        paragraph=True,
        required=False,
    )
    if with_link and path is Path3P.CLASSIQUE:
        modal.add_text("lien", i18n("label.lien"), i18n("hint.lien"), max_length=LINK_MAX, required=False)
    return modal


async def open_form(
    interaction: discord.Interaction, fabrique_id: int, path: Path3P, attachments: dict[str, Any]
) -> None:
    """Show the path's modal; on submit, record everything and start the job."""
    bot = bot_of(interaction)
    actor = await actor_anywhere(bot, interaction, fabrique_id)
    guild = (await bot.services.sessions.get_any(fabrique_id)).guild_id
    await bot.services.documentation.check_can_document(guild, fabrique_id, actor)

    async def submit(modal_interaction: discord.Interaction, values: dict[str, str]) -> None:
        await modal_interaction.response.defer(ephemeral=True)
        recording: discord.Attachment | None = attachments.get("recording")
        link = (values.get("lien") or attachments.get("link") or "").strip() or None
        submission = Submission(
            path=path,
            notes=values.get("notes", ""),
            resources=values.get("ressources", ""),
            report=values.get("compte_rendu", ""),
            source_kind="attachment" if recording else ("url" if link else None),
            source_url=recording.url if recording else link,
            source_name=recording.filename if recording else None,
            source_size=recording.size if recording else None,
            transcript=attachments.get("transcript"),
            chat=attachments.get("chat"),
        )
        doc = await bot.services.documentation.submit(guild, fabrique_id, actor, submission)
        await refresh_card(bot, guild, fabrique_id)  # documentation in progress
        message = await modal_interaction.user.send(
            bot.i18n("documentation.progress.queued", number=fabrique_id, percent=0)
        )
        doc = await bot.services.documentation.update(
            fabrique_id, progress_channel_id=message.channel.id, progress_message_id=message.id
        )
        if doc.status is JobStatus.QUEUED:
            bot.documentation.start(fabrique_id, recording)
        else:
            bot.documentation.start(fabrique_id)
        await reply(modal_interaction, bot.i18n("documentation.submitted", number=fabrique_id))

    modal = documentation_modal(
        bot, path, fabrique_id, submit, with_link=not attachments.get("recording") and not attachments.get("link")
    )
    await interaction.response.send_modal(modal)


def register(bot: FabriqueBot, groups: Groups) -> None:
    """/fabrique documenter; the runner and the jobs are wired by the composition root."""

    @app_commands.rename(
        fabrique=locale_str("fabrique"),
        enregistrement=locale_str("enregistrement"),
        lien=locale_str("lien"),
        transcription=locale_str("transcription"),
        chat=locale_str("chat"),
        chemin=locale_str("chemin"),
    )
    @app_commands.describe(
        fabrique=locale_str("Le numéro de la Fabrique (n°…)"),
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
        interaction: discord.Interaction,
        fabrique: int,
        enregistrement: discord.Attachment | None = None,
        lien: str | None = None,
        transcription: discord.Attachment | None = None,
        chat: discord.Attachment | None = None,
        chemin: Choice[str] | None = None,
    ) -> None:
        record = await bot.services.sessions.get(guild_id(interaction), fabrique)
        path = Path3P(chemin.value) if chemin else Path3P(record.parcours.value)
        attachments: dict[str, Any] = {}
        max_bytes = bot.settings.audio.max_input_mb * 1024 * 1024
        if enregistrement is not None:
            if enregistrement.size == 0:
                raise InvalidInput("error.audio.empty")
            if enregistrement.size > max_bytes:
                raise InvalidInput("error.download.too_large", maximum=bot.settings.audio.max_input_mb)
            attachments["recording"] = enregistrement
        if lien:
            attachments["link"] = check_recording_link(lien.strip())
        for key, attachment, suffixes in (("transcript", transcription, (".vtt",)), ("chat", chat, (".txt", ".vtt"))):
            if attachment is None:
                continue
            if not attachment.filename.lower().endswith(suffixes) or attachment.size > TEXT_FILE_MAX:
                raise InvalidInput(f"error.documentation.bad_{key}")
            attachments[key] = (await attachment.read()).decode("utf-8", errors="replace")
        await open_form(interaction, fabrique, path, attachments)

    command(
        groups.fabrique, "documenter", "Documenter votre Fabrique : enregistrement, notes ou compte-rendu", document
    )


class DocumentationPathButton(
    ui.DynamicItem[ui.Button[Any]], template=r"doc:path:(?P<path>classique|express):(?P<id>\d+)"
):
    """The two documentation paths of the recap prompt; the custom_id carries the path and the session number."""

    def __init__(self, path: Path3P, fabrique_id: int, label: str | None = None) -> None:
        super().__init__(
            ui.Button(
                label=label or path.value,
                style=discord.ButtonStyle.primary if path is Path3P.CLASSIQUE else discord.ButtonStyle.secondary,
                custom_id=f"doc:path:{path.value}:{fabrique_id}",
            )
        )
        self.path = path
        self.fabrique_id = fabrique_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button[Any], match: re.Match[str], /
    ) -> DocumentationPathButton:
        return cls(Path3P(match["path"]), int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await open_form(interaction, self.fabrique_id, Path3P(self.path.value), {})
        except Exception as error:  # component callbacks bypass tree.on_error: report the same way
            await report_error(interaction, error)


def recap_view(bot: FabriqueBot, fabrique_id: int) -> ui.View:
    view = ui.View(timeout=None)
    for path in (Path3P.CLASSIQUE, Path3P.EXPRESS):
        view.add_item(DocumentationPathButton(path, fabrique_id, bot.i18n(f"button.documentation.{path.value}")))
    return view


DYNAMIC_ITEMS = (DocumentationButton, DocumentationPathButton)

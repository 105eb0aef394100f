"""The documentation form: the recap prompt's two path buttons and the modal behind them and ``/fabrique
documenter``. Submitting records everything, opens the organizer's progress DM and queues the background job
(the documentation cog runs it, told by the ``documentation_queued`` event)."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import ui

from bot.domain.lifecycle import Actor
from bot.domain.proposal import REASON_MAX
from bot.domain.series import SessionNumber
from bot.i18n import I18n
from bot.services.documentation import JobStatus, Path3P, Submission
from bot.services.recordings import Offer
from cogs._feedback import bot_of, current_actor, member_actor, reply, report_error
from cogs._views import FormModal, ModalHandler

NOTES_MAX = 4000
LINK_MAX = 500
DRAFT_VIEW_SECONDS = 15 * 60
QUEUED_EVENT = "documentation_queued"  # dispatched as on_documentation_queued(fabrique_id, attachment or None)


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


def recap_view(i18n: I18n, fabrique_id: int) -> ui.View:
    view = ui.View(timeout=None)
    for path in (Path3P.CLASSIQUE, Path3P.EXPRESS):
        view.add_item(DocumentationPathButton(path, fabrique_id, i18n(f"button.documentation.{path.value}")))
    return view


def documentation_modal(
    i18n: I18n,
    path: Path3P,
    number: int | SessionNumber,
    handler: ModalHandler,
    *,
    with_link: bool,
    draft: str | None = None,
    resources: str | None = None,
) -> FormModal:
    """Notes + resources (recording path) or the 3P report + resources; custom_ids as SPEC §5. A ``draft`` (made
    from the transcript) fills the notes: the organizer reviews, corrects and validates it by submitting."""
    modal = FormModal(i18n(f"modal.documentation.{path.value}", number=number), handler)
    if path is Path3P.EXPRESS:
        modal.add_text(
            "compte_rendu", i18n("label.compte_rendu"), i18n("hint.compte_rendu"), max_length=NOTES_MAX, paragraph=True
        )
    else:
        modal.add_text(
            "notes",
            i18n("label.notes"),
            i18n("hint.notes"),
            max_length=NOTES_MAX,
            paragraph=True,
            required=False,
            default=draft,
        )
    modal.add_text(
        "ressources",
        i18n("label.ressources"),
        i18n("hint.ressources"),
        max_length=REASON_MAX * 2,
        paragraph=True,
        required=False,
        default=resources[: REASON_MAX * 2] if resources else None,
    )
    if with_link and path is Path3P.CLASSIQUE:
        modal.add_text("lien", i18n("label.lien"), i18n("hint.lien"), max_length=LINK_MAX, required=False)
    return modal


async def open_form(
    interaction: discord.Interaction,
    fabrique_id: int,
    path: Path3P,
    attachments: dict[str, Any],
    *,
    zoom: Offer | None = None,
    draft: str | None = None,
) -> None:
    """Show the path's modal; on submit, record everything and start the job. With ``zoom`` (« Utiliser cet
    enregistrement »), the recording, transcript and chat are Zoom's: the form asks only for notes and resources.
    A ``draft`` (of a transcript given by hand) fills the notes for the organizer to review."""
    bot = bot_of(interaction)
    actor = await actor_anywhere(interaction, fabrique_id)
    guild = (await bot.services.sessions.get_any(fabrique_id)).guild_id
    record = await bot.services.documentation.check_can_document(guild, fabrique_id, actor)

    async def submit(modal_interaction: discord.Interaction, values: dict[str, str]) -> None:
        await modal_interaction.response.defer(ephemeral=True)
        recording: discord.Attachment | None = attachments.get("recording")
        if zoom is not None:
            await bot.services.recordings.accept(
                guild, fabrique_id, actor, notes=values.get("notes", ""), resources=values.get("ressources", "")
            )
            await _follow_in_dm(modal_interaction, fabrique_id, None)
            return
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
        await bot.services.documenting.submit(guild, fabrique_id, actor, submission)
        await _follow_in_dm(modal_interaction, fabrique_id, recording)

    with_link = zoom is None and not attachments.get("recording") and not attachments.get("link")
    draft = zoom.draft if zoom is not None else draft
    resources = zoom.resources if zoom is not None else None
    modal = documentation_modal(
        bot.i18n, path, record.shown_number, submit, with_link=with_link, draft=draft, resources=resources
    )
    await interaction.response.send_modal(modal)


async def _follow_in_dm(
    modal_interaction: discord.Interaction, fabrique_id: int, recording: discord.Attachment | None
) -> None:
    """The submission is recorded: open the progress DM and hand the job to the documentation cog."""
    bot = bot_of(modal_interaction)
    number = (await bot.services.documentation.get(fabrique_id)).fabrique.shown_number
    message = await modal_interaction.user.send(bot.i18n("documentation.progress.queued", number=number, percent=0))
    doc = await bot.services.documentation.update(
        fabrique_id, progress_channel_id=message.channel.id, progress_message_id=message.id
    )
    bot.dispatch(QUEUED_EVENT, fabrique_id, recording if doc.status is JobStatus.QUEUED else None)
    await reply(modal_interaction, bot.i18n("documentation.submitted", number=number))


async def actor_anywhere(interaction: discord.Interaction, fabrique_id: int) -> Actor:
    """Buttons in DMs carry no roles: read them from the session's guild."""
    if interaction.guild_id is not None:
        return await current_actor(interaction)
    bot = bot_of(interaction)
    record = await bot.services.sessions.get_any(fabrique_id)
    guild = bot.get_guild(record.guild_id)
    member = guild.get_member(interaction.user.id) if guild else None
    if guild is not None and member is None:
        try:
            member = await guild.fetch_member(interaction.user.id)
        except discord.NotFound:
            member = None
    return member_actor(member, interaction.user.id, await bot.services.guild_config.get(record.guild_id))


def draft_view(i18n: I18n, fabrique_id: int, path: Path3P, attachments: dict[str, Any], draft: str) -> ui.View:
    """One button that opens the form filled with a draft that took longer than Discord's 3 s to make (a summary
    endpoint's): a modal can only answer a fresh interaction. Lives 15 minutes; ``/fabrique documenter`` again
    makes a new one."""
    view = ui.View(timeout=DRAFT_VIEW_SECONDS)
    button: ui.Button[ui.View] = ui.Button(label=i18n("button.review_draft"), style=discord.ButtonStyle.primary)

    async def review(interaction: discord.Interaction) -> None:
        try:
            await open_form(interaction, fabrique_id, path, attachments, draft=draft)
        except Exception as error:
            await report_error(interaction, error)

    button.callback = review  # type: ignore[method-assign]
    view.add_item(button)
    return view

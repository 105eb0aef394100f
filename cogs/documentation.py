"""Documentation jobs seen from Discord: they run in the background (started by the form, resumed at start),
report in one DM (edited at most every 5 s), and end with a preview and « Publier » (or a reason and
« Réessayer »). Long work never runs inside an interaction.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord import ui
from discord.ext import commands

from bot.errors import DomainError
from bot.i18n import I18n
from bot.integrations import audio
from bot.services import articles, cover
from bot.services.documentation import Documentation as Job
from bot.services.documentation import JobStatus
from bot.services.recordings import ZOOM_SOURCE, presence_text
from cogs._documentation_form import DocumentationPathButton, actor_anywhere
from cogs._feedback import NO_PINGS, bot_of, reply, report_error
from cogs._recording_ui import RecordingButton
from cogs._render import shown

if TYPE_CHECKING:
    from bot.app import FabriqueBot

log = logging.getLogger(__name__)

PROGRESS_EVERY = timedelta(seconds=5)
DISCORD_UPLOAD_LIMIT = 10 * 1024 * 1024  # an unboosted guild accepts 10 MiB per file from a bot
SERIES_HISTORY = 50  # a series thread holds at most 12 sessions' messages, and members' replies between them


class Documentation(commands.Cog):
    """Runs documentation jobs in the background, one task per job, and keeps the organizer's DM up to date."""

    def __init__(self, bot: FabriqueBot) -> None:
        self.bot = bot
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._attachments: dict[int, discord.Attachment] = {}
        self._last_progress: dict[int, datetime] = {}
        self._resuming: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DocumentationButton, DocumentationPathButton, RecordingButton)
        if self.bot.is_ready():  # reloaded while connected: the jobs this cog's unloading stopped go on
            self._resuming = asyncio.create_task(self._resume(after_restart=False))

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self._resuming is None:  # once: READY comes again after every reconnection
            self._resuming = asyncio.create_task(self._resume(after_restart=True))

    async def cog_unload(self) -> None:
        """Jobs stop with the cog; each resumes from its recorded step when the cog is loaded again."""
        self.bot.remove_dynamic_items(DocumentationButton, DocumentationPathButton, RecordingButton)
        running = [task for task in (self._resuming, *self._tasks.values()) if task is not None and not task.done()]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    @commands.Cog.listener()
    async def on_documentation_queued(self, fabrique_id: int, attachment: discord.Attachment | None) -> None:
        self.start(fabrique_id, attachment)

    def start(self, fabrique_id: int, attachment: discord.Attachment | None = None) -> None:
        if attachment is not None:
            self._attachments[fabrique_id] = attachment
        running = self._tasks.get(fabrique_id)
        if running is None or running.done():
            self._tasks[fabrique_id] = asyncio.create_task(self._prepare(fabrique_id))

    async def _resume(self, *, after_restart: bool) -> None:
        """Jobs interrupted by a restart (or by reloading this cog) pick up where they were."""
        try:
            await self._resume_jobs(after_restart=after_restart)
        except Exception:
            log.exception("interrupted documentation jobs could not be resumed")

    async def _resume_jobs(self, *, after_restart: bool) -> None:
        for doc in await self.bot.services.documentation.unfinished():
            if doc.status is JobStatus.PUBLISHING:
                if not after_restart:
                    continue  # a publication runs in its button's interaction, which a reload does not stop
                # Cut short by the stop: « Réessayer » finishes it, without a duplicate.
                failed = await self.bot.services.documentation.fail(
                    doc.fabrique.id, DomainError("error.documentation.interrupted")
                )
                await self.show(failed)
                continue
            self.start(doc.fabrique.id)

    async def _prepare(self, fabrique_id: int) -> None:
        try:
            doc = await self.bot.services.documentation_jobs.prepare(
                fabrique_id, self._fetch, partial(self._progress, fabrique_id)
            )
            await self.show(doc)
        except Exception:
            log.exception("documentation job of fabrique %s failed unexpectedly", fabrique_id)
            doc = await self.bot.services.documentation.fail(fabrique_id, DomainError("error.audio.failed"))
            await self.show(doc)

    async def _fetch(self, doc: Job, target: Path) -> int:
        """A Discord attachment, streamed from Discord's CDN to ``target`` (never whole in memory); or Zoom's
        cloud recording, which the recordings service streams from Zoom (a restart does not lose it)."""
        if doc.source_kind == ZOOM_SOURCE:
            return await self.bot.services.recordings.fetch(doc.fabrique.id, target)
        attachment = self._attachments.pop(doc.fabrique.id, None)
        if attachment is None:
            raise audio.AudioError("error.documentation.attachment_gone")
        return await self.bot.services.documentation_jobs.fetch_attachment(attachment.url, target)

    async def _progress(self, fabrique_id: int, status: JobStatus, fraction: float) -> None:
        now = self.bot.clock()
        last = self._last_progress.get(fabrique_id)
        if fraction > 0 and last is not None and now - last < PROGRESS_EVERY:
            return
        self._last_progress[fabrique_id] = now
        doc = await self.bot.services.documentation.get(fabrique_id)
        text = self.bot.i18n(
            f"documentation.progress.{status.value}", number=doc.fabrique.shown_number, percent=round(fraction * 100)
        )
        await self._edit(doc, content=text, embed=None, view=None)

    async def show(self, doc: Job) -> None:
        """The DM shows where the job is: ready (preview + « Publier »), failed (reason + « Réessayer »), published."""
        i18n = self.bot.i18n
        number, shown_number = doc.fabrique.id, doc.fabrique.shown_number
        if doc.status is JobStatus.READY:
            await self._edit(
                doc,
                content=i18n("documentation.ready", number=shown_number),
                embed=preview(doc, i18n),
                view=_one_button("publish", number, self.bot.i18n),
            )
        elif doc.status is JobStatus.FAILED:
            reason = i18n(doc.failure_key or "error.generic", **doc.failure_params)
            await self._edit(
                doc,
                content=i18n("documentation.failed", number=shown_number, reason=reason),
                embed=None,
                view=_one_button("retry", number, self.bot.i18n),
            )
        elif doc.status is JobStatus.PUBLISHED:
            link = doc.wp_post_link or (f"<#{doc.forum_thread_id}>" if doc.forum_thread_id else "")
            await self._edit(
                doc, content=i18n("documentation.published", number=shown_number, link=link), embed=None, view=None
            )

    async def _edit(self, doc: Job, **changes: Any) -> None:
        channel_id, message_id = doc.progress_channel_id, doc.progress_message_id
        if channel_id is None or message_id is None:
            await self._open_progress(doc, **changes)
            return
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        try:
            await channel.get_partial_message(message_id).edit(allowed_mentions=NO_PINGS, **changes)  # type: ignore[union-attr]
        except discord.HTTPException:
            log.warning("could not update the documentation message of fabrique %s", doc.fabrique.id)

    async def _open_progress(self, doc: Job, **changes: Any) -> None:
        """A job queued without an interaction (a recording received by the web door) has no progress message
        yet: its first report opens one in the DM of the person who asked, and the next ones edit it."""
        try:
            user = self.bot.get_user(doc.requested_by) or await self.bot.fetch_user(doc.requested_by)
            message = await user.send(allowed_mentions=NO_PINGS, **changes)
        except discord.HTTPException:
            log.info("the documentation DM of fabrique %s could not be opened", doc.fabrique.id)
            return
        await self.bot.services.documentation.update(
            doc.fabrique.id, progress_channel_id=message.channel.id, progress_message_id=message.id
        )

    async def post_to_forum(self, doc: Job) -> int:
        """The members-only forum post: summary, link, a 60 s extract, the MP3 itself only if it fits Discord. For
        a series it is the series' one thread (named after its first session's number), opened by this session."""
        config = await self.bot.services.guild_config.get(doc.fabrique.guild_id)
        forum = self.bot.get_channel(config.articles_forum_id or 0)
        if not isinstance(forum, discord.ForumChannel):
            raise audio.AudioError("error.documentation.no_forum")
        name = f"{doc.fabrique.title[:88]} · n°{doc.fabrique.home_id}"  # the number makes it findable again
        for thread in forum.threads:  # a crash after creating the post but before storing its id: reuse it
            if thread.name == name and thread.owner_id == (self.bot.user.id if self.bot.user else 0):
                return thread.id
        created = await forum.create_thread(
            name=name, content=self._forum_text(doc), files=self._forum_files(doc), allowed_mentions=NO_PINGS
        )
        return created.thread.id

    async def post_in_thread(self, thread_id: int, doc: Job) -> int:
        """A session of a series in the series' thread: one message, its heading first (« Séance 2/3 · date »),
        which is how a retry after a crash finds it instead of posting it again."""
        thread = self.bot.get_channel(thread_id) or await self.bot.fetch_channel(thread_id)
        if not isinstance(thread, discord.Thread):
            raise audio.AudioError("error.documentation.no_forum")
        text = self._forum_text(doc)
        heading = text.split("\n", 1)[0]
        own_id = self.bot.user.id if self.bot.user else 0
        async for message in thread.history(limit=SERIES_HISTORY):
            if message.author.id == own_id and message.content.split("\n", 1)[0] == heading:
                return message.id
        sent = await thread.send(text, files=self._forum_files(doc), allowed_mentions=NO_PINGS)
        return sent.id

    def _forum_text(self, doc: Job) -> str:
        """Summary and link; a session of a series starts with its heading, as its chapter in the article does."""
        i18n = self.bot.i18n
        record = doc.fabrique
        text = articles.summary(doc.report or doc.notes) or record.description[:600]
        body = i18n("forum.post", summary=shown(text), link=doc.wp_post_link or i18n("forum.no_website"))
        if record.is_series:
            heading = i18n("forum.session", rank=record.series_rank, size=record.series_size, date=record.starts_at)
            body = f"{heading}\n{body}"
        return body[:2000]

    def _forum_files(self, doc: Job) -> list[discord.File]:
        """The cover card (a series': its one cover), the extract, and the MP3 when it fits Discord's limit."""
        number = doc.fabrique.id
        files = []
        audio_dir = self.bot.services.documentation.audio_dir
        card = cover.cover_path(audio_dir, doc.fabrique.home_id)
        if card.exists():
            files.append(discord.File(card, filename=f"fabrique-{doc.fabrique.home_id}.png"))
        if doc.teaser_name:
            files.append(discord.File(audio_dir / doc.teaser_name, filename=f"extrait-fabrique-{number}.mp3"))
        if doc.audio_name and (doc.audio_bytes or 0) <= DISCORD_UPLOAD_LIMIT:
            files.append(discord.File(audio_dir / doc.audio_name, filename=f"fabrique-{number}.mp3"))
        return files


def preview(doc: Job, i18n: Any) -> discord.Embed:
    embed = discord.Embed(
        title=shown(doc.fabrique.title)[:256],
        description=shown(articles.summary(doc.report or doc.notes, 1500)) or None,
    )
    if doc.audio_seconds:
        embed.add_field(
            name=i18n("documentation.audio"),
            value=i18n(
                "documentation.audio_value",
                minutes=doc.audio_seconds // 60,
                megabytes=round((doc.audio_bytes or 0) / 1048576, 1),
            ),
        )
    if doc.fabrique.presence is not None:
        embed.add_field(name=i18n("documentation.attendance"), value=presence_text(i18n, doc.fabrique.presence))
    resources = articles.links(doc.resources, doc.chat or "")
    if resources:
        embed.add_field(name=i18n("article.resources"), value="\n".join(resources[:8])[:1024], inline=False)
    return embed


class DocumentationButton(ui.DynamicItem[ui.Button[Any]], template=r"doc:(?P<action>publish|retry):(?P<id>\d+)"):
    """« Publier » and « Réessayer » on the organizer's documentation DM."""

    def __init__(self, action: str, fabrique_id: int, label: str | None = None) -> None:
        style = discord.ButtonStyle.success if action == "publish" else discord.ButtonStyle.secondary
        super().__init__(ui.Button(label=label or action, style=style, custom_id=f"doc:{action}:{fabrique_id}"))
        self.action = action
        self.fabrique_id = fabrique_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button[Any], match: re.Match[str], /
    ) -> DocumentationButton:
        return cls(match["action"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.defer(ephemeral=True)
            bot = bot_of(interaction)
            actor = await actor_anywhere(interaction, self.fabrique_id)
            runner = bot.get_cog(Documentation.__cog_name__)
            assert isinstance(runner, Documentation)  # this button is only registered while its cog is loaded
            doc = (
                await bot.services.documentation.check_can_publish(self.fabrique_id, actor)
                if self.action == "publish"
                else await bot.services.documentation.check_can_retry(self.fabrique_id, actor)
            )
            if self.action == "retry" and doc.article_html is None:
                await bot.services.documentation.update(self.fabrique_id, status=JobStatus.QUEUED)
                runner.start(self.fabrique_id)
                await reply(interaction, bot.i18n("documentation.retrying", number=doc.fabrique.shown_number))
                return
            outcome = await bot.services.documenting.publish(
                self.fabrique_id, actor, runner.post_to_forum, runner.post_in_thread
            )
            await runner.show(outcome.documentation)
            key = (
                "documentation.publish_done"
                if outcome.documentation.status is JobStatus.PUBLISHED
                else "documentation.publish_failed"
            )
            await reply(interaction, bot.i18n(key, number=outcome.documentation.fabrique.shown_number))
        except Exception as error:  # component callbacks bypass tree.on_error: report the same way
            await report_error(interaction, error)


def _one_button(action: str, number: int, i18n: I18n) -> ui.View:
    view = ui.View(timeout=None)
    view.add_item(DocumentationButton(action, number, i18n(f"button.{action}")))
    return view


async def setup(bot: FabriqueBot) -> None:
    await bot.add_cog(Documentation(bot))

"""The background steps of a documentation: fetch the recording, convert it, compose the article, publish it.

Discord-specific steps (reading an attachment, posting in the forum, showing progress) are passed in, per call, as
plain callables, so this module never imports discord. Each step records its outcome before the next one starts.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bot.config import Settings
from bot.domain.chapters import Chapter, landmarks
from bot.domain.lifecycle import Actor
from bot.errors import DomainError
from bot.i18n import I18n
from bot.integrations import audio
from bot.integrations.download import DiscordCdn, DownloadError, download
from bot.integrations.wordpress import WordPressError, WordPressMedia, WordPressPost
from bot.services import articles, cover
from bot.services.clients import AttachmentSource, Website, WebsiteFactory
from bot.services.documentation import Documentation, DocumentationService, JobStatus
from bot.services.member_names import MemberNameService
from bot.services.uploads import UPLOAD, uploaded_recording

log = logging.getLogger(__name__)

Progress = Callable[[JobStatus, float], Awaitable[None]]
FetchAttachment = Callable[[Documentation, Path], Awaitable[int]]
# Opens the forum thread of a documentation (a series': its thread, starting with this session); the thread's id.
ForumPoster = Callable[[Documentation], Awaitable[int]]
# Posts a series session's message in the series' thread (given); the message's id.
ThreadPoster = Callable[[int, Documentation], Awaitable[int]]
ArticleTexts = Callable[[Documentation], Awaitable[tuple[articles.ArticleContext, articles.ArticleLabels, audio.Tags]]]


class GuildArticleTexts:
    """Labels in the guild's language and the organizers' display names: what the article and the ID3 tags say."""

    def __init__(self, names: MemberNameService, i18n: I18n) -> None:
        self._names = names
        self._i18n = i18n

    async def __call__(self, doc: Documentation) -> tuple[articles.ArticleContext, articles.ArticleLabels, audio.Tags]:
        i18n = self._i18n
        record = doc.fabrique
        organizers = await self._names.organizer_names(record)
        date = i18n.date(record.starts_at) if record.starts_at else ""
        method = i18n(f"article.method.{doc.path.value}")
        context = articles.ArticleContext(
            title=record.title,
            date=date,
            format_label=i18n.label(record.format),
            parcours_label=i18n.label(record.parcours),
            method=method,
            organizers=organizers,
            speaker=record.speaker,
            description=record.description,
        )
        fields = articles.ArticleLabels.__dataclass_fields__
        labels = articles.ArticleLabels(*(i18n(f"article.{name}") for name in fields))
        tags = audio.Tags(
            title=record.title,
            artist=organizers,
            album=i18n("calendar.name"),
            date=articles.stamp(record.starts_at) if record.starts_at else "",
            comment=f"{date} · {i18n.label(record.format)} · {method}",
        )
        return context, labels, tags


@dataclass(frozen=True)
class PublishOutcome:
    documentation: Documentation
    wordpress_link: str | None
    forum_thread_id: int | None


class DocumentationJobs:
    def __init__(
        self,
        service: DocumentationService,
        settings: Settings,
        texts: ArticleTexts,
        wordpress: WebsiteFactory | None,
        attachments: AttachmentSource | None = None,
    ) -> None:
        """``wordpress`` (None: no website) opens a client for one publication; ``attachments`` streams a
        recording given as a Discord attachment (Discord's CDN unless given)."""
        self._service = service
        self._attachments = attachments or DiscordCdn()
        self._settings = settings
        self._texts = texts  # labels and people's names come from the guild's language and its members
        self._wordpress = wordpress
        self._cover_style = cover.CoverStyle.from_settings(settings.article)
        # At most N conversions at once: ffmpeg takes a core; the bot must stay responsive on a 2-core host.
        self._conversions = asyncio.Semaphore(settings.audio.max_parallel_conversions)
        self._series_locks: dict[int, asyncio.Lock] = {}

    async def discard_leftovers(self) -> None:
        """At start, before any job runs: what interrupted jobs left goes (scratch folders, downloaded sources,
        MP3s no documentation points to). A resumed job starts its step again, so none of it would be reused."""
        keep = await self._service.audio_in_use()
        removed = await asyncio.to_thread(_discard_leftovers, self._service.audio_dir, self._service.work_dir, keep)
        if removed:
            log.info("removed %s file(s) or folder(s) left by interrupted documentation jobs", removed)

    async def fetch_attachment(self, url: str, target: Path) -> int:
        """A recording given as an attachment, streamed to ``target`` under the same cap as a link (the size
        Discord declared was checked when it was given; what the CDN sends is counted again here)."""
        return await self._attachments.fetch(url, target, max_bytes=self._max_input_bytes())

    def _max_input_bytes(self) -> int:
        return self._settings.audio.max_input_mb * 1024 * 1024

    async def prepare(self, fabrique_id: int, fetch_attachment: FetchAttachment, progress: Progress) -> Documentation:
        """From the queued submission to an article ready to publish; a failure is recorded with its reason."""
        doc = await self._service.get(fabrique_id)
        try:
            if doc.source_kind is not None and doc.audio_name is None:
                doc = await self._convert(doc, fetch_attachment, progress)
            html, card = await self._compose(doc)
            await cover.write_cover(self._cover_path(doc), card, self._cover_style)
            return await self._service.update(fabrique_id, status=JobStatus.READY, article_html=html)
        except (audio.AudioError, DownloadError) as error:
            return await self._service.fail(fabrique_id, DomainError(error.key, **error.params))

    async def _compose(self, doc: Documentation) -> tuple[str, cover.CoverText]:
        """The article's HTML and what its cover card says, in the guild's language. A session of a series gets
        its chapter of the series' article, and the series' cover."""
        context, labels, _ = await self._texts(doc)
        record = doc.fabrique
        produced = {
            "notes": doc.notes,
            "report": doc.report,
            "resources": doc.resources,
            "chat": doc.chat,
            "transcript": doc.transcript,
            "audio_url": doc.wp_media_url,
            "audio_seconds": doc.audio_seconds,
        }
        # A long transcript's landmarks are found while composing: off the event loop.
        if record.is_series:
            chapter = await asyncio.to_thread(
                partial(articles.compose_chapter, context, labels, rank=record.series_rank, size=record.series_size),
                **produced,
            )
            return chapter, articles.series_cover_text(context, labels, record.series_size)
        html = await asyncio.to_thread(articles.compose, context, labels, **produced)
        return html, articles.cover_text(context, labels)

    def _cover_path(self, doc: Documentation) -> Path:
        """One cover per article: a series' sessions share their first session's."""
        return cover.cover_path(self._service.audio_dir, doc.fabrique.home_id)

    async def _convert(self, doc: Documentation, fetch: FetchAttachment, progress: Progress) -> Documentation:
        work = self._service.work_dir
        await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(self._service.audio_dir.mkdir, parents=True, exist_ok=True)
        uploaded = doc.source_kind == UPLOAD  # already on disk: converted in place, kept until it succeeds
        source = await uploaded_recording(work, doc.fabrique.id) if uploaded else work / f"{doc.fabrique.id}.source"
        max_bytes = self._max_input_bytes()
        converted = False
        try:
            await self._service.update(doc.fabrique.id, status=JobStatus.DOWNLOADING)
            await progress(JobStatus.DOWNLOADING, 0.0)
            if doc.source_kind == "url" and doc.source_url:
                await download(doc.source_url, source, max_bytes=max_bytes)
            elif not uploaded:
                await fetch(doc, source)
            async with self._conversions:
                await self._service.update(doc.fabrique.id, status=JobStatus.CONVERTING)
                await progress(JobStatus.CONVERTING, 0.0)
                name = self._service.new_audio_name()
                target = self._service.audio_dir / name
                conversion = await audio.convert_to_mp3(
                    source,
                    target,
                    bitrate_kbps=self._settings.audio.bitrate_kbps,
                    loudness_lufs=self._settings.audio.loudness_lufs,
                    max_duration_seconds=self._settings.audio.max_duration_minutes * 60,
                    on_progress=lambda fraction: progress(JobStatus.CONVERTING, fraction),
                )
                _, _, tags = await self._texts(doc)
                marks = await asyncio.to_thread(
                    landmarks, doc.notes, doc.report, doc.transcript, duration_seconds=conversion.duration_seconds
                )
                await asyncio.to_thread(audio.write_tags, target, tags, marks)
                teaser = name.replace(".mp3", "-extrait.mp3")
                start = _teaser_start(marks, conversion.duration_seconds)
                await audio.make_teaser(target, self._service.audio_dir / teaser, start_seconds=start)
            done = await self._service.update(
                doc.fabrique.id,
                audio_name=name,
                teaser_name=teaser,
                audio_seconds=round(conversion.duration_seconds),
                audio_bytes=conversion.size_bytes,
            )
            converted = True
            return done
        finally:
            if converted or not uploaded:  # « Réessayer » converts a received upload again; nobody resends it
                await asyncio.to_thread(source.unlink, missing_ok=True)

    async def publish(
        self,
        fabrique_id: int,
        actor: Actor,
        post_to_forum: ForumPoster,
        post_in_thread: ThreadPoster | None = None,
    ) -> PublishOutcome:
        """WordPress (if configured), then the forum post; each created id is stored before going on.

        Only an organizer or the team, checked before anything is claimed or sent. One publication at a time per
        Fabrique (claimed in the database): a second « Publier » meanwhile is told the publication is under way.
        A session of a series goes into the series' article and thread (``post_in_thread`` posts in it), one
        session of a series at a time.
        """
        doc = await self._service.claim_publication(fabrique_id, actor)
        try:
            if doc.fabrique.is_series:
                async with self._series_lock(doc.fabrique.home_id):
                    doc = await self._publish_session(doc, post_to_forum, post_in_thread)
                    # Marked before the next session of the series goes: its article must count this chapter.
                    doc = await self._service.mark_published(fabrique_id, actor)
                return PublishOutcome(doc, doc.wp_post_link, doc.forum_thread_id)
            if self._wordpress is not None:
                doc = await self._publish_wordpress(doc, self._wordpress())
            if doc.forum_thread_id is None:
                thread_id = await post_to_forum(doc)
                doc = await self._service.update(fabrique_id, forum_thread_id=thread_id)
        except WordPressError as error:
            failed = await self._service.fail(fabrique_id, DomainError(error.key))
            return PublishOutcome(failed, None, None)
        except BaseException:
            # Anything else (a bug, the forum gone): free the claim so « Réessayer » works at once.
            await self._service.fail(fabrique_id, DomainError("error.documentation.interrupted"))
            raise
        doc = await self._service.mark_published(fabrique_id, actor)
        return PublishOutcome(doc, doc.wp_post_link, doc.forum_thread_id)

    def _series_lock(self, home_id: int) -> asyncio.Lock:
        """Two sessions of one series published together would both find no article (or no thread) yet and make
        two: the bot is one process, so one lock per series keeps them in turn."""
        return self._series_locks.setdefault(home_id, asyncio.Lock())

    async def _publish_session(
        self, doc: Documentation, post_to_forum: ForumPoster, post_in_thread: ThreadPoster | None
    ) -> Documentation:
        """A session of a series: its chapter into the series' article, its message into the series' thread —
        opening both if it is the first session published. Each id is stored the moment it exists."""
        fabrique_id = doc.fabrique.id
        if self._wordpress is not None:
            doc = await self._publish_series_wordpress(doc, self._wordpress())
        if doc.forum_message_id is not None:
            return doc
        thread_id = await self._service.series_thread(doc.fabrique.home_id)
        if thread_id is None:
            return await self._service.opened_series_thread(fabrique_id, await post_to_forum(doc))
        if post_in_thread is None:
            raise TypeError("publishing a session of a series needs post_in_thread")
        message_id = await post_in_thread(thread_id, doc)
        return await self._service.update(fabrique_id, forum_thread_id=thread_id, forum_message_id=message_id)

    async def _publish_wordpress(self, doc: Documentation, client: Website) -> Documentation:
        """Media (found by slug or uploaded), the article recomposed with the media's URL, the post created or
        brought up to date, the media attached to the post (so it is as private as the post)."""
        fabrique_id = doc.fabrique.id
        try:
            doc = await self._upload_recording(doc, client)
            html, card = await self._compose(doc)
            media = await self._upload_cover(doc, card, client)
            if html != doc.article_html:
                doc = await self._service.update(fabrique_id, article_html=html)
            post = await self._put_post(client, doc.wp_post_id, fabrique_id, doc.fabrique.title, html, media.id)
            doc = await self._service.update(fabrique_id, wp_post_id=post.id, wp_post_link=post.link)
            await client.attach_media(media.id, post.id)  # as private as the post
            if doc.wp_media_id is not None:
                await client.attach_media(doc.wp_media_id, post.id)
            return doc
        finally:
            await client.aclose()

    async def _publish_series_wordpress(self, doc: Documentation, client: Website) -> Documentation:
        """The series' one article, brought up to date with this session: its recording uploaded, its chapter
        composed with the recording's URL, then the whole article recomposed from the chapters published so far
        and this one (the same post, found by the series' slug the first time)."""
        record = doc.fabrique
        home_id = record.home_id
        try:
            doc = await self._upload_recording(doc, client)
            chapter, card = await self._compose(doc)
            media = await self._upload_cover(doc, card, client)
            if chapter != doc.article_html:
                doc = await self._service.update(record.id, article_html=chapter)
            chapters = await self._service.series_chapters(home_id, publishing=record.id)
            context, labels, _ = await self._texts(doc)
            html = articles.compose_series(
                context,
                labels,
                rhythm=record.series_rhythm,
                size=record.series_size,
                chapters=[c.html for c in chapters],
            )
            known = doc.wp_post_id or next((c.wp_post_id for c in chapters if c.wp_post_id is not None), None)
            post = await self._put_post(client, known, home_id, record.title, html, media.id)
            doc = await self._service.update(record.id, wp_post_id=post.id, wp_post_link=post.link)
            await client.attach_media(media.id, post.id)
            if doc.wp_media_id is not None:
                await client.attach_media(doc.wp_media_id, post.id)
            return doc
        finally:
            await client.aclose()

    async def _upload_recording(self, doc: Documentation, client: Website) -> Documentation:
        """The session's MP3 on WordPress, found by its slug if an earlier try uploaded it; its id and URL kept."""
        fabrique_id = doc.fabrique.id
        if not doc.audio_name or doc.wp_media_id is not None:
            return doc
        slug = f"fabrique-{fabrique_id}-{doc.audio_name.removesuffix('.mp3').lower()}"
        media = await client.find_media(slug) or await client.upload_media(
            self._service.audio_dir / doc.audio_name, doc.audio_name, "audio/mpeg", title=doc.fabrique.title, slug=slug
        )
        return await self._service.update(fabrique_id, wp_media_id=media.id, wp_media_url=media.url)

    async def _upload_cover(self, doc: Documentation, card: cover.CoverText, client: Website) -> WordPressMedia:
        card_path = self._cover_path(doc)
        if not card_path.exists():  # drawn when the article was prepared; a cleanup may have taken it
            await cover.write_cover(card_path, card, self._cover_style)
        return await cover.upload_cover(client, card_path, fabrique_id=doc.fabrique.home_id, title=doc.fabrique.title)

    async def _put_post(
        self, client: Website, post_id: int | None, number: int, title: str, html: str, featured: int
    ) -> WordPressPost:
        """The article of Fabrique ``number`` (a series: its first session's) created, or brought up to date; a post
        created before a crash, its id never stored, is found by its slug."""
        if post_id is not None:
            return await client.update_post(post_id, content=html, title=title, featured_media=featured)
        slug = f"fabrique-{number}-documentation"
        found = await client.find_post(slug)
        if found is not None:
            return await client.update_post(found.id, content=html, title=title, featured_media=featured)
        wordpress = self._settings.wordpress
        categories = None
        if wordpress.articles_category:
            category = await client.category_id(wordpress.articles_category)
            categories = [category] if category is not None else None
        return await client.create_post(
            title=title,
            content=html,
            status=wordpress.article_status,
            slug=slug,
            categories=categories,
            featured_media=featured,
        )


def _discard_leftovers(audio_dir: Path, work_dir: Path, keep: set[str]) -> int:
    """Scratch folders and unfinished files of the bot's own making; how many went."""
    leftovers = [*work_dir.glob("*.source"), *audio_dir.glob(f"{audio.SCRATCH_PREFIX}*"), *audio_dir.glob(".*.part")]
    leftovers += [mp3 for mp3 in audio_dir.glob("*.mp3") if mp3.name not in keep]
    for path in leftovers:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return len(leftovers)


def _teaser_start(marks: list[Chapter], duration: float) -> float:
    """The extract starts at the first landmark after the opening, if there is one; else after 2 minutes, never
    so late that it would be shorter than a minute."""
    chapters = [c for c in marks if c.start_seconds >= 60]
    start = float(chapters[0].start_seconds) if chapters else 120.0
    return max(0.0, min(start, duration - 60.0))

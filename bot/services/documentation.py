"""Documenting a session: what the organizer submits, the durable job that turns it into an article, publication.

The job lives in the ``documentation`` table (queued → downloading → converting → ready → publishing →
published, or failed with a reason). A restart resumes it from its last step; publication stores every id it
creates (WordPress media, post, Discord forum post) the moment it exists and looks for it before creating again,
so a retry never makes a second article.

A session of a series is documented on its own (its own job, chasers and follow-up line); its article is a chapter
of the series' one article and its forum post a message in the series' one thread, which its first session holds
(``series_thread``, ``series_chapters``: see documentation_jobs).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.db.models import DocumentationRow, FabriqueRow
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.documentation import JobStatus, Path3P
from bot.domain.lifecycle import Action, Actor, State
from bot.domain.proposal import FabriqueKind
from bot.domain.series import SessionNumber
from bot.errors import DomainError, Forbidden, InvalidInput, InvalidState
from bot.integrations.download import parse_link
from bot.services._common import organizers, require_fabrique, transition
from bot.services.records import FabriqueRecord
from bot.services.timeline import Planner

TEXT_FILE_MAX = 2 * 1024 * 1024  # a .vtt or chat .txt of a 2 h 30 session is far below this
DOCUMENTABLE = frozenset({State.HELD, State.DOCUMENTATION_DUE, State.DOCUMENTING})
PUBLICATION_LEASE = timedelta(minutes=10)  # a publication silent for this long was interrupted by a crash


@dataclass(frozen=True)
class Submission:
    path: Path3P
    notes: str = ""
    resources: str = ""
    report: str = ""
    source_kind: str | None = None  # "attachment", "url" or "zoom" (the cloud recording, bot/services/recordings.py)
    source_url: str | None = None
    source_name: str | None = None
    source_size: int | None = None
    transcript: str | None = None
    chat: str | None = None


@dataclass(frozen=True)
class Documentation:
    fabrique: FabriqueRecord
    path: Path3P
    status: JobStatus
    failure_key: str | None
    failure_params: dict[str, Any]
    requested_by: int
    source_kind: str | None
    source_url: str | None
    source_name: str | None
    source_size: int | None
    transcript: str | None
    chat: str | None
    notes: str
    resources: str
    report: str
    audio_name: str | None
    audio_seconds: int | None
    audio_bytes: int | None
    teaser_name: str | None
    article_html: str | None
    wp_media_id: int | None
    wp_media_url: str | None
    wp_post_id: int | None
    wp_post_link: str | None
    forum_thread_id: int | None
    forum_message_id: int | None  # a session of a series: its message in the series' thread
    progress_channel_id: int | None
    progress_message_id: int | None

    @classmethod
    def of(cls, row: DocumentationRow, fabrique: FabriqueRow) -> Documentation:
        return cls(
            fabrique=FabriqueRecord.of(fabrique),
            path=Path3P(row.path),
            status=JobStatus(row.status),
            failure_key=row.failure_key,
            failure_params=json.loads(row.failure_params or "{}"),
            requested_by=row.requested_by,
            source_kind=row.source_kind,
            source_url=row.source_url,
            source_name=row.source_name,
            source_size=row.source_size,
            transcript=row.transcript,
            chat=row.chat,
            notes=row.notes,
            resources=row.resources,
            report=row.report,
            audio_name=row.audio_name,
            audio_seconds=row.audio_seconds,
            audio_bytes=row.audio_bytes,
            teaser_name=row.teaser_name,
            article_html=row.article_html,
            wp_media_id=row.wp_media_id,
            wp_media_url=row.wp_media_url,
            wp_post_id=row.wp_post_id,
            wp_post_link=row.wp_post_link,
            forum_thread_id=row.forum_thread_id,
            forum_message_id=row.forum_message_id,
            progress_channel_id=row.progress_channel_id,
            progress_message_id=row.progress_message_id,
        )


@dataclass(frozen=True)
class SeriesChapter:
    """A documented session of a series, as the series' article gathers it: its rank, its chapter's HTML, and the
    article it went into (the same post for every session of the series)."""

    fabrique_id: int
    rank: int
    html: str
    wp_post_id: int | None
    wp_post_link: str | None


Updater = Callable[[DocumentationRow], None]


class DocumentationService:
    def __init__(self, uow: UnitOfWorkFactory, settings: Settings, clock: Clock, planner: Planner) -> None:
        self._uow = uow
        self._settings = settings
        self._clock = clock
        self._planner = planner
        self.audio_dir = Path(settings.general.data_dir) / "audio"
        self.work_dir = Path(settings.general.data_dir) / "work"

    async def check_can_document(self, guild_id: int, fabrique_id: int, actor: Actor) -> FabriqueRecord:
        """Refused before the form opens: not theirs, not a Fabrique, not held yet, or already published."""
        async with self._uow() as uow:
            row = await require_fabrique(uow, guild_id, fabrique_id)
            self._check(row, actor)
            existing = await uow.documentation.get(fabrique_id)
            if existing is not None and existing.status not in (JobStatus.FAILED, JobStatus.READY):
                raise InvalidState("error.documentation.busy", number=_shown(row))
            return FabriqueRecord.of(row)

    async def submit(self, guild_id: int, fabrique_id: int, actor: Actor, submission: Submission) -> Documentation:
        """Record what the organizer gave and queue the job; the Fabrique's documentation is now in progress."""
        _validate(submission)
        now = self._clock()
        async with self._uow() as uow:
            fabrique = await require_fabrique(uow, guild_id, fabrique_id, lock=True)
            self._check(fabrique, actor)
            if State(fabrique.state) is not State.DOCUMENTING:
                if State(fabrique.state) is State.HELD:
                    transition(uow, fabrique, Action.PROMPT, actor, now)
                transition(uow, fabrique, Action.DOCUMENT, actor, now)
            row = await uow.documentation.get(fabrique_id)
            if row is None:
                row = DocumentationRow(fabrique_id=fabrique_id, created_at=now, attempts=0)
                uow.documentation.add(row)
            elif row.status not in (JobStatus.FAILED, JobStatus.READY):
                raise InvalidState("error.documentation.busy", number=_shown(fabrique))
            has_audio = submission.source_kind is not None
            row.path = submission.path
            row.status = JobStatus.QUEUED if has_audio else JobStatus.READY
            row.failure_key = None
            row.failure_params = None
            row.requested_by = actor.user_id
            for field in ("source_kind", "source_url", "source_name", "source_size", "transcript", "chat"):
                setattr(row, field, getattr(submission, field))
            row.notes = submission.notes.strip()
            row.resources = submission.resources.strip()
            row.report = submission.report.strip()
            if has_audio:  # a new recording: the old MP3 and its uploaded copy no longer apply
                row.audio_name = row.teaser_name = None
                row.wp_media_id = None
                row.wp_media_url = None
            row.updated_at = now
            await self._planner(uow, fabrique)
            await uow.commit()
            return Documentation.of(row, fabrique)

    async def get(self, fabrique_id: int) -> Documentation:
        async with self._uow() as uow:
            row = await uow.documentation.get(fabrique_id)
            fabrique = await uow.fabriques.by_id(fabrique_id)
            if row is None or fabrique is None:
                raise InvalidState("error.documentation.none", number=fabrique_id)
            return Documentation.of(row, fabrique)

    async def update(self, fabrique_id: int, **fields: Any) -> Documentation:
        """Record a step of the job (status, produced files, created ids) in its own commit."""
        async with self._uow() as uow:
            row = await uow.documentation.get(fabrique_id)
            fabrique = await uow.fabriques.by_id(fabrique_id)
            if row is None or fabrique is None:
                raise InvalidState("error.documentation.none", number=fabrique_id)
            for name, value in fields.items():
                setattr(row, name, value)
            row.updated_at = self._clock()
            await uow.commit()
            return Documentation.of(row, fabrique)

    async def fail(self, fabrique_id: int, error: DomainError) -> Documentation:
        return await self.update(
            fabrique_id,
            status=JobStatus.FAILED,
            failure_key=error.key,
            failure_params=json.dumps(error.params, default=str),
        )

    async def check_can_retry(self, fabrique_id: int, actor: Actor) -> Documentation:
        """« Réessayer » is for the same people as « Publier », read from their roles now: someone who lost the
        team role since the DM was sent is refused before anything is redone."""
        async with self._uow() as uow:
            row, fabrique = await _job_for(uow, fabrique_id, actor)
            if row.status == JobStatus.PUBLISHED:
                raise InvalidState("error.documentation.published", number=_shown(fabrique))
            if row.status not in (JobStatus.FAILED, JobStatus.READY):
                raise InvalidState("error.documentation.busy", number=_shown(fabrique))
            return Documentation.of(row, fabrique)

    async def check_can_publish(self, fabrique_id: int, actor: Actor) -> Documentation:
        async with self._uow() as uow:
            row, fabrique = await _job_for(uow, fabrique_id, actor)
            if row.status == JobStatus.PUBLISHED:
                raise InvalidState("error.documentation.published", number=_shown(fabrique))
            if row.status not in (JobStatus.READY, JobStatus.PUBLISHING, JobStatus.FAILED):
                raise InvalidState("error.documentation.not_ready", number=_shown(fabrique))
            if row.article_html is None:
                raise InvalidState("error.documentation.not_ready", number=_shown(fabrique))
            return Documentation.of(row, fabrique)

    async def claim_publication(self, fabrique_id: int, actor: Actor) -> Documentation:
        """One publication at a time: a double click, or the organizer and the team together, get « busy ».

        Who may publish is checked first: a refusal leaves the job as it was, nothing claimed, nothing sent.
        """
        await self.check_can_publish(fabrique_id, actor)
        now = self._clock()
        async with self._uow() as uow:
            claimed = await uow.documentation.claim(
                fabrique_id, {JobStatus.READY, JobStatus.FAILED}, now - PUBLICATION_LEASE, now
            )
            await uow.commit()
        if not claimed:
            current = await self.get(fabrique_id)
            if current.status is JobStatus.PUBLISHED:
                raise InvalidState("error.documentation.published", number=current.fabrique.shown_number)
            raise InvalidState("error.documentation.busy", number=current.fabrique.shown_number)
        return await self.get(fabrique_id)

    async def mark_published(self, fabrique_id: int, actor: Actor) -> Documentation:
        """The article exists everywhere it should: the Fabrique is documented and its chasers stop."""
        async with self._uow() as uow:
            row = await uow.documentation.get(fabrique_id)
            fabrique = await uow.fabriques.by_id(fabrique_id, lock=True)
            if row is None or fabrique is None:
                raise InvalidState("error.documentation.none", number=fabrique_id)
            row.status = JobStatus.PUBLISHED
            row.failure_key = row.failure_params = None
            row.updated_at = self._clock()
            if State(fabrique.state) is State.DOCUMENTING:
                transition(uow, fabrique, Action.PUBLISH, actor, self._clock())
            await self._planner(uow, fabrique)
            await uow.commit()
            return Documentation.of(row, fabrique)

    async def series_thread(self, home_id: int) -> int | None:
        """The members-only forum thread of the series whose first session is ``home_id``, once opened."""
        async with self._uow() as uow:
            home = await uow.fabriques.by_id(home_id)
            return home.series_thread_id if home is not None else None

    async def opened_series_thread(self, fabrique_id: int, thread_id: int) -> Documentation:
        """The session ``fabrique_id`` opened its series' thread, its own message being the thread's first: both
        facts in one commit, so a retry neither opens a second thread nor posts that session again inside it."""
        async with self._uow() as uow:
            row = await uow.documentation.get(fabrique_id)
            fabrique = await uow.fabriques.by_id(fabrique_id)
            if row is None or fabrique is None or fabrique.series_id is None:
                raise InvalidState("error.documentation.none", number=fabrique_id)
            home = await uow.fabriques.by_id(fabrique.series_id, lock=True)
            assert home is not None  # the foreign key keeps the first session while the series exists
            home.series_thread_id = thread_id
            row.forum_thread_id = row.forum_message_id = thread_id
            row.updated_at = self._clock()
            await uow.commit()
            return Documentation.of(row, fabrique)

    async def series_chapters(self, home_id: int, publishing: int) -> list[SeriesChapter]:
        """The chapters of the series' article, in rank order: every session already published, and the session
        ``publishing`` now (its chapter composed, not yet marked published)."""
        async with self._uow() as uow:
            chapters = []
            for session in await uow.fabriques.series(home_id):
                row = await uow.documentation.get(session.id)
                if row is None or row.article_html is None:
                    continue
                if row.status == JobStatus.PUBLISHED or session.id == publishing:
                    chapters.append(
                        SeriesChapter(
                            session.id, session.series_rank, row.article_html, row.wp_post_id, row.wp_post_link
                        )
                    )
            return chapters

    async def unfinished(self) -> list[Documentation]:
        """Jobs a restart must resume: queued or interrupted while downloading, converting or publishing."""
        return await self.in_statuses(
            {JobStatus.QUEUED, JobStatus.DOWNLOADING, JobStatus.CONVERTING, JobStatus.PUBLISHING}
        )

    async def in_statuses(self, statuses: set[JobStatus]) -> list[Documentation]:
        async with self._uow() as uow:
            result = []
            for row in await uow.documentation.in_statuses(statuses):
                fabrique = await uow.fabriques.by_id(row.fabrique_id)
                if fabrique is not None:
                    result.append(Documentation.of(row, fabrique))
            return result

    async def audio_in_use(self) -> set[str]:
        """The MP3s under ``audio_dir`` that some documentation still points to (recordings and teasers)."""
        async with self._uow() as uow:
            return await uow.documentation.audio_names()

    def new_audio_name(self) -> str:
        """Unguessable: media of a private WordPress post can be downloaded by anyone who knows its URL."""
        return f"{secrets.token_urlsafe(18)}.mp3"

    def _check(self, row: FabriqueRow, actor: Actor) -> None:
        if not (actor.is_team or actor.user_id in organizers(row)):
            raise Forbidden("error.not_organizer_or_team")
        if row.kind == FabriqueKind.WELCOME:
            raise InvalidState("error.documentation.welcome")
        state = State(row.state)
        if state is State.DOCUMENTED:
            raise InvalidState("error.documentation.published", number=_shown(row))
        if state not in DOCUMENTABLE:
            raise InvalidState("error.documentation.too_early", number=_shown(row), state=state)


async def _job_for(uow: UnitOfWork, fabrique_id: int, actor: Actor) -> tuple[DocumentationRow, FabriqueRow]:
    """The job and its Fabrique, if this actor may act on them (an organizer, or the team)."""
    row = await uow.documentation.get(fabrique_id)
    fabrique = await uow.fabriques.by_id(fabrique_id)
    if row is None or fabrique is None:
        raise InvalidState("error.documentation.none", number=fabrique_id)
    if not (actor.is_team or actor.user_id in organizers(fabrique)):
        raise Forbidden("error.not_organizer_or_team")
    return row, fabrique


def _shown(row: FabriqueRow) -> int | SessionNumber:
    """The number a refusal names: « n°12 · séance 2/3 » for a session of a series."""
    return SessionNumber.of(row.id, row.series_id, row.series_rank, row.series_size)


def check_recording_link(link: str) -> str:
    """The link, once it is an https URL the bot can request: refused now with a sentence rather than by the
    background job later. (Whether its host is public is checked when it is fetched, on every redirect.)"""
    parse_link(link)
    return link


def _validate(submission: Submission) -> None:
    if submission.source_kind == "url":
        check_recording_link(submission.source_url or "")
    if submission.path is Path3P.EXPRESS:
        if not submission.report.strip():
            raise InvalidInput("error.input.empty", field="compte_rendu")
    elif not submission.notes.strip() and submission.source_kind is None:
        raise InvalidInput("error.documentation.nothing")
    for text in (submission.transcript, submission.chat):
        if text is not None and len(text.encode()) > TEXT_FILE_MAX:
            raise InvalidInput("error.documentation.text_file", maximum=TEXT_FILE_MAX // (1024 * 1024))

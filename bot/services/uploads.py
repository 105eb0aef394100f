"""Recordings too big for Discord, received by the web door (``[web]``): one-time links, and what an upload starts.

An organizer (or the team) asks for a link; it reaches them by DM, stays valid ``[web] upload_hours``, is bound to
one Fabrique and serves one successful upload. The web door (``bot/web``) streams the file to disk, checks it, and
hands it to ``receive``: the link is used up, the documentation is queued with the file as its source (kind
``upload``), and the job runner starts it — the organizer follows it in the usual progress DM.

Only the SHA-256 of a token is stored (``bot.domain.uploads``). The link is the permission: it was given to someone
allowed to document that Fabrique, so the upload acts in their name without asking Discord again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import Clock
from bot.db.models import UploadTokenRow
from bot.db.uow import UnitOfWorkFactory
from bot.domain.documentation import JobStatus, Path3P
from bot.domain.lifecycle import Actor
from bot.domain.text import shown
from bot.domain.uploads import TOKEN_BYTES, LinkState, link_state, token_hash
from bot.errors import DomainError, InvalidState
from bot.i18n import I18n
from bot.integrations.audio import AudioError
from bot.services.documentation import DocumentationService, Submission
from bot.services.ports import Cards, JobRunner, Messenger
from bot.services.records import FabriqueRecord

log = logging.getLogger(__name__)

UPLOAD = "upload"  # DocumentationRow.source_kind of a recording received by the web door
UPLOADED_SUFFIX = ".upload"
PARTIAL_PREFIX = ".depot-"  # an upload being received: never a finished recording
FORGET_AFTER = timedelta(days=30)  # links expired this long ago are deleted (they then read as unknown)
# A received recording is kept while its job may still (re)convert it: « Réessayer » after a failure too.
UNFINISHED = frozenset({JobStatus.QUEUED, JobStatus.DOWNLOADING, JobStatus.CONVERTING, JobStatus.FAILED})


def uploaded_path(work_dir: Path, fabrique_id: int) -> Path:
    """Where a received recording waits for its job (not ``*.source``: it survives a restart until converted)."""
    return work_dir / f"{fabrique_id}{UPLOADED_SUFFIX}"


async def uploaded_recording(work_dir: Path, fabrique_id: int) -> Path:
    """The recording the web door received for that Fabrique, for the documentation job to convert in place."""
    path = uploaded_path(work_dir, fabrique_id)
    if not await asyncio.to_thread(path.is_file):
        raise AudioError("error.upload.gone")
    return path


def partial_path(work_dir: Path) -> Path:
    """A fresh name for an upload being received (unrelated to its token, which never touches the disk)."""
    return work_dir / f"{PARTIAL_PREFIX}{secrets.token_hex(8)}.part"


@dataclass(frozen=True)
class UploadLink:
    url: str
    fabrique: FabriqueRecord
    expires_at: datetime
    sent: bool  # the DM was delivered; otherwise the caller shows the link to the person who asked


@dataclass(frozen=True)
class UploadTarget:
    """What a link opens, as the upload page shows it."""

    state: LinkState
    fabrique: FabriqueRecord | None = None  # only for a valid link
    expires_at: datetime | None = None
    refusal: DomainError | None = None  # a valid link whose Fabrique cannot take a recording now (busy, published)


class LinkRefused(DomainError):
    """The link is unknown, used or expired: ``state`` says which."""

    def __init__(self, state: LinkState) -> None:
        super().__init__(f"web.link.{state.value}")
        self.state = state


class UploadService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        documentation: DocumentationService,
        clock: Clock,
        *,
        public_url: str,
        upload_hours: int,
        cards: Cards,
        messenger: Messenger,
        runner: JobRunner,
        i18n: I18n,
    ) -> None:
        self._uow = uow
        self._documentation = documentation
        self._cards = cards
        self._clock = clock
        self._public_url = public_url.rstrip("/")
        self._valid_for = timedelta(hours=upload_hours)
        self._messenger = messenger
        self._runner = runner
        self._i18n = i18n
        self.work_dir = documentation.work_dir

    @property
    def agenda_url(self) -> str:
        return f"{self._public_url}/agenda.ics"

    async def issue(self, guild_id: int, fabrique_id: int, actor: Actor) -> UploadLink:
        """A new link for whoever may document that Fabrique now, sent to them by DM."""
        record = await self._documentation.check_can_document(guild_id, fabrique_id, actor)
        url, expires_at = await self._new_link(fabrique_id, actor.user_id)
        text = self._i18n(
            "upload.dm", number=record.id, title=shown(record.title), until=self._i18n.date(expires_at), url=url
        )
        sent = await self._messenger.dm(actor.user_id, text)
        log.info("upload link issued for fabrique %s to user %s (DM delivered: %s)", fabrique_id, actor.user_id, sent)
        return UploadLink(url, record, expires_at, sent)

    async def upload_link(self, fabrique_id: int, user_id: int) -> str | None:
        """A link for ``user_id``, chosen by a service that writes its own message (the Zoom recording's « J'en
        fournis un autre », the end of the wait for Zoom); None when the Fabrique cannot take a recording now."""
        async with self._uow() as uow:
            row = await uow.fabriques.by_id(fabrique_id)
            guild_id = row.guild_id if row is not None else None
        if guild_id is None:
            return None
        try:
            await self._documentation.check_can_document(guild_id, fabrique_id, Actor(user_id, is_team=True))
        except DomainError:
            return None
        url, _ = await self._new_link(fabrique_id, user_id)
        log.info("upload link issued for fabrique %s to user %s", fabrique_id, user_id)
        return url

    async def awaits_recording(self, fabrique_id: int) -> bool:
        """No recording converted for that documentation yet, nor one on its way (a failed one is not): the upload
        page is what the organizer needs first."""
        try:
            doc = await self._documentation.get(fabrique_id)
        except InvalidState:  # no documentation yet
            return True
        return doc.audio_name is None and (doc.source_kind is None or doc.status is JobStatus.FAILED)

    async def _new_link(self, fabrique_id: int, user_id: int) -> tuple[str, datetime]:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self._clock()
        expires_at = now + self._valid_for
        async with self._uow() as uow:
            await uow.upload_tokens.purge(now - FORGET_AFTER)
            uow.upload_tokens.add(
                UploadTokenRow(
                    fabrique_id=fabrique_id,
                    token_hash=token_hash(token),
                    issued_by=user_id,
                    expires_at=expires_at,
                    created_at=now,
                )
            )
            await uow.commit()
        return f"{self._public_url}/depot/{token}", expires_at

    async def open(self, token: str) -> UploadTarget:
        """What the link opens. Unknown, used and expired links cost one query each, the same one."""
        async with self._uow() as uow:
            row = await uow.upload_tokens.by_hash(token_hash(token))
            state = link_state(row.expires_at if row else None, row.used_at if row else None, self._clock())
            if row is None or state is not LinkState.VALID:
                return UploadTarget(state)
            fabrique_id, actor, expires_at = row.fabrique_id, _holder(row), row.expires_at
            row_fabrique = await uow.fabriques.by_id(fabrique_id)
            fabrique = FabriqueRecord.of(row_fabrique) if row_fabrique is not None else None
        if fabrique is None:  # deleted with its links (cascade) between the two reads
            return UploadTarget(LinkState.UNKNOWN)
        try:
            record = await self._documentation.check_can_document(fabrique.guild_id, fabrique_id, actor)
        except DomainError as refusal:
            return UploadTarget(state, fabrique, expires_at, refusal)
        return UploadTarget(state, record, expires_at)

    async def receive(self, token: str, received: Path, name: str, size: int) -> FabriqueRecord:
        """A complete, checked recording at ``received``: use the link up, queue the documentation with it, start
        the job. A refusal (``LinkRefused``, or the Fabrique's own) leaves the link as it was and the file where it
        is, for the caller to delete."""
        now = self._clock()
        async with self._uow() as uow:
            row = await uow.upload_tokens.by_hash(token_hash(token))
            state = link_state(row.expires_at if row else None, row.used_at if row else None, now)
            if row is None or state is not LinkState.VALID or not await uow.upload_tokens.consume(row.id, now):
                raise LinkRefused(state if state is not LinkState.VALID else LinkState.USED)
            row_id, fabrique_id, actor = row.id, row.fabrique_id, _holder(row)
            row_fabrique = await uow.fabriques.by_id(fabrique_id)
            fabrique = FabriqueRecord.of(row_fabrique) if row_fabrique is not None else None
            await uow.commit()
        try:
            if fabrique is None:
                raise LinkRefused(LinkState.UNKNOWN)
            submission = await self._submission(fabrique_id, name, size)
            await self._documentation.submit(fabrique.guild_id, fabrique_id, actor, submission)
        except BaseException:
            async with self._uow() as uow:  # not used after all: the organizer may try again with the same link
                await uow.upload_tokens.release(row_id)
                await uow.commit()
            raise
        await asyncio.to_thread(os.replace, received, uploaded_path(self.work_dir, fabrique_id))
        # A new recording gets a new progress message, at the bottom of the DM, rather than an edit of an old one.
        doc = await self._documentation.update(fabrique_id, progress_channel_id=None, progress_message_id=None)
        self._runner.start(fabrique_id)
        try:  # the team's card shows the documentation in progress; Discord failing here stops nothing
            await self._cards.show(fabrique.guild_id, fabrique_id)
        except Exception:
            log.exception("the card of fabrique %s could not show the received recording", fabrique_id)
        log.info("recording of %s bytes received for fabrique %s; documentation job started", size, fabrique_id)
        return doc.fabrique

    async def _submission(self, fabrique_id: int, name: str, size: int) -> Submission:
        """The recording, with what the organizer already gave (notes, report, transcript, chat) kept."""
        try:
            current = await self._documentation.get(fabrique_id)
        except InvalidState:  # no documentation yet
            return Submission(path=Path3P.CLASSIQUE, source_kind=UPLOAD, source_name=name, source_size=size)
        return Submission(
            path=current.path,
            notes=current.notes,
            resources=current.resources,
            report=current.report,
            source_kind=UPLOAD,
            source_name=name,
            source_size=size,
            transcript=current.transcript,
            chat=current.chat,
        )

    async def discard_leftovers(self) -> int:
        """At start: uploads cut short by a stop, and received recordings no job will convert any more."""
        keep = {
            uploaded_path(self.work_dir, doc.fabrique.id).name
            for doc in await self._documentation.in_statuses(set(UNFINISHED))
            if doc.source_kind == UPLOAD
        }
        return await asyncio.to_thread(_discard, self.work_dir, keep)


def _holder(row: UploadTokenRow) -> Actor:
    """Who acts when the link is used: the person it was issued to, with the right the link itself carries."""
    return Actor(user_id=row.issued_by, is_team=True)


def _discard(work_dir: Path, keep: set[str]) -> int:
    leftovers = [*work_dir.glob(f"{PARTIAL_PREFIX}*.part"), *work_dir.glob(f"*{UPLOADED_SUFFIX}")]
    removed = 0
    for path in leftovers:
        if path.name not in keep:
            path.unlink(missing_ok=True)
            removed += 1
    return removed

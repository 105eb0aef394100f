"""Zoom's cloud recording of a session, from the end of the session to its documentation.

When the bot created a session's Zoom meeting and Zoom records to the cloud, timed work asks Zoom for the recording
with growing intervals after the end (``Work.RECORDING``, see ``bot/domain/recordings.py``). Once its files are
completed, the organizers get « L'enregistrement Zoom est prêt » with the attendance and two buttons; accepting
starts the documentation job with Zoom's audio, transcript and chat after the usual form, and « J'en fournis un
autre » tells how to send another recording. If Zoom still has nothing usable when the wait ends, the organizers
are told how to send the recording themselves. With ``[zoom] delete_cloud_recording``, the recording goes to
Zoom's trash once the article is published.

The transcript and the chat are read when the recording is offered (two small files), so the form opens at once;
the audio is fetched by the documentation job, streamed to disk with the size cap, from Zoom's hosts only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from bot.clock import Clock
from bot.config import Settings
from bot.db.models import ZoomRecordingRow
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.documentation import JobStatus, Path3P
from bot.domain.lifecycle import Actor
from bot.domain.outreach import ZOOM_TARGET
from bot.domain.recordings import (
    CloudRecording,
    Participant,
    Presence,
    RecordingFile,
    RecordingStatus,
    choose,
    presence,
    ready,
)
from bot.domain.text import shown
from bot.errors import Forbidden, InvalidState
from bot.i18n import I18n
from bot.integrations import audio
from bot.integrations.download import DownloadError
from bot.integrations.zoom import ZoomError
from bot.services import articles
from bot.services._common import organizers
from bot.services.documentation import TEXT_FILE_MAX, Documentation, DocumentationService, Submission
from bot.services.documentation_jobs import ArticleTexts
from bot.services.drafts import DraftService
from bot.services.ports import Cards, Messenger
from bot.services.records import FabriqueRecord

log = logging.getLogger(__name__)

ZOOM_SOURCE = "zoom"  # ``Submission.source_kind`` of a documentation made from Zoom's recording
USABLE = frozenset({RecordingStatus.OFFERED, RecordingStatus.ACCEPTED, RecordingStatus.DECLINED})
MEBIBYTE = 1024 * 1024


class CloudRecordings(Protocol):
    """Zoom, for the cloud recording of a past meeting and its participants (``ZoomClient``)."""

    async def meeting_recordings(self, meeting: int | str) -> CloudRecording | None: ...

    async def past_participants(self, meeting: int | str) -> list[Participant]: ...

    async def download_recording(self, download_url: str, target: Path, *, max_bytes: int) -> int: ...

    async def trash_recordings(self, meeting: int | str) -> None: ...


class UploadDoor(Protocol):
    """The web door (``[web]``), when it is on: a one-time page where a person uploads a Fabrique's recording."""

    async def upload_link(self, fabrique_id: int, user_id: int) -> str | None: ...


class PollOutcome(StrEnum):
    NOTHING = "nothing"  # not the bot's meeting, already offered or decided, Zoom off: nothing to do
    WAITING = "waiting"  # nothing usable yet: a later poll asks again
    OFFERED = "offered"  # the organizers have the two buttons
    UNDELIVERED = "undelivered"  # offered, but no organizer could receive the DM
    EXPIRED = "expired"  # the wait is over: the organizers were told how to send the recording themselves


@dataclass(frozen=True)
class Offer:
    """What « Utiliser cet enregistrement » opens the documentation form with."""

    fabrique_id: int
    transcript: str | None  # the VTT, for the draft of the notes
    chat: str | None
    meeting: str  # the recorded instance (UUID), or the meeting id: what Zoom's own summary is asked with
    draft: str | None = None  # the notes' draft, for the organizer to review and validate in the form
    resources: str = ""  # what was already given by hand, kept in the form


def presence_text(i18n: I18n, found: Presence) -> str:
    """« 23 participants, 1 h 52 en moyenne »."""
    minutes = round(found.average_seconds / 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        duration = i18n("attendance.minutes", minutes=rest)
    elif rest:
        duration = i18n("attendance.hours", hours=hours, minutes=f"{rest:02d}")
    else:
        duration = i18n("attendance.hours_only", hours=hours)
    if found.participants == 1:
        return i18n("attendance.summary_one", duration=duration)
    return i18n("attendance.summary", count=found.participants, duration=duration)


class WithAttendance:
    """The article's texts (``ArticleTexts`` of the documentation jobs) with the attendance Zoom gave, if any."""

    def __init__(self, texts: ArticleTexts) -> None:
        self._texts = texts

    async def __call__(self, doc: Documentation) -> tuple[articles.ArticleContext, articles.ArticleLabels, audio.Tags]:
        context, labels, tags = await self._texts(doc)
        found = doc.fabrique.presence
        if found is not None and context.attendance is None:
            attendance = articles.Attendance(found.participants, average_minutes=found.average_seconds / 60)
            context = replace(context, attendance=attendance)
        return context, labels, tags


class RecordingService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        settings: Settings,
        clock: Clock,
        *,
        zoom: CloudRecordings | None,
        documentation: DocumentationService,
        cards: Cards,
        messenger: Messenger,
        i18n: I18n,
        drafts: DraftService,
        spawn: Callable[[Coroutine[Any, Any, Any]], None],
        upload_door: UploadDoor | None = None,
    ) -> None:
        """``zoom`` is None when Zoom is off; ``upload_door`` when the web door is off (people are then told to use
        ``/fabrique documenter``)."""
        self._uow = uow
        self._settings = settings
        self._clock = clock
        self._zoom = zoom
        self._documentation = documentation
        self._cards = cards
        self._messenger = messenger
        self._i18n = i18n
        self._upload_door = upload_door
        self._drafts = drafts
        self._spawn = spawn  # the draft is made beside the timed work: a summary endpoint may take minutes
        self._work_dir = Path(settings.general.data_dir) / "work"

    # --- timed work: asking Zoom ---------------------------------------------------------------------------------

    async def poll(self, fabrique_id: int, minutes_after_end: int) -> PollOutcome:
        """Ask Zoom for the session's recording; offer it once usable; at the end of the wait, say how to send one.

        The offer is recorded only once a DM went out (or none could): a Discord failure leaves the recording
        waiting, so the retry of this poll, or the next one, offers it again.
        """
        last_chance = minutes_after_end >= self._settings.zoom.recording_wait_hours * 60
        async with self._uow() as uow:
            fabrique = await uow.fabriques.by_id(fabrique_id)
            copy = await uow.copies.get(fabrique_id, ZOOM_TARGET)
            if fabrique is None or copy is None or not copy.external_id or self._zoom is None:
                return PollOutcome.NOTHING
            row = await uow.recordings.get(fabrique_id)
            now = self._clock()
            if row is None:
                row = ZoomRecordingRow(
                    fabrique_id=fabrique_id,
                    meeting_id=copy.external_id,
                    status=RecordingStatus.WAITING,
                    created_at=now,
                )
                uow.recordings.add(row)
            elif row.status != RecordingStatus.WAITING:
                return PollOutcome.NOTHING
            row.checked_at = row.updated_at = now
            meeting = row.meeting_id
            record = FabriqueRecord.of(fabrique)
            await uow.commit()
        try:
            found = await self._zoom.meeting_recordings(meeting)
        except ZoomError as error:  # as if still processing: the next poll asks again
            log.warning("Zoom recording of fabrique %s: Zoom could not answer (%s)", fabrique_id, error.key)
            found, processing = None, True
        else:
            processing = found is not None and any(not file.completed for file in found.files)
        if found is not None and ready(found, last_chance=last_chance):
            return await self._offer(record, found)
        if not last_chance:
            return PollOutcome.WAITING
        await self._expire(record, meeting, processing=processing)
        return PollOutcome.EXPIRED

    async def _offer(self, record: FabriqueRecord, found: CloudRecording) -> PollOutcome:
        chosen = choose(found)
        assert chosen.audio is not None  # ready() says so
        attendance = await self._attendance(record.id, found.uuid)
        transcript = await self._text(record.id, chosen.transcript, "transcript")
        chat = await self._text(record.id, chosen.chat, "chat")
        async with self._uow() as uow:
            row = await uow.recordings.get(record.id)
            fabrique = await uow.fabriques.by_id(record.id, lock=True)
            doc = await uow.documentation.get(record.id)
            assert row is not None and fabrique is not None
            row.meeting_uuid = found.uuid
            row.audio_file_id = chosen.audio.id
            row.audio_url = chosen.audio.download_url
            row.audio_extension = chosen.audio.extension or chosen.audio.file_type
            row.audio_bytes = chosen.audio.size
            row.transcript, row.chat = transcript, chat
            row.draft = None  # made in the background (``_draft_later``)
            row.updated_at = self._clock()
            if attendance is not None:
                fabrique.zoom_participants = attendance.participants
                fabrique.zoom_average_seconds = attendance.average_seconds
            # Already documented with another recording: keep Zoom's for the record, ask nobody.
            other = doc is not None and doc.source_kind not in (None, ZOOM_SOURCE) and doc.status != JobStatus.FAILED
            if other:
                row.status = RecordingStatus.DECLINED
            record = FabriqueRecord.of(fabrique)
            await uow.commit()
        if other:
            log.info("Zoom recording of fabrique %s kept aside: documented with another recording", record.id)
            return PollOutcome.NOTHING
        self._spawn(self._draft_later(record, transcript, found.uuid))
        text = self._offer_text(record, chosen.audio, transcript is not None, chat is not None)
        delivered = await self._offer_each(record, text)
        await self._set_status(record.id, RecordingStatus.OFFERED, offered=True)
        log.info("Zoom recording of fabrique %s offered (delivered: %s)", record.id, delivered)
        return PollOutcome.OFFERED if delivered else PollOutcome.UNDELIVERED

    async def _draft_later(self, record: FabriqueRecord, transcript: str | None, meeting: str) -> None:
        """The notes' draft (Zoom's summary, the endpoint's, or the offline one), stored for the form; until it is,
        « Utiliser cet enregistrement » opens on the offline draft, made on the spot."""
        draft = await self._drafts.draft(record, transcript, zoom_meeting_id=meeting)
        if draft is None:
            return
        async with self._uow() as uow:
            row = await uow.recordings.get(record.id)
            if row is not None:
                row.draft = draft.text
                await uow.commit()

    async def _offer_each(self, record: FabriqueRecord, text: str) -> bool:
        """Each organizer once: who has it is stored DM by DM, so when Discord fails on one the poll is retried
        (the error goes up) and offers it to the others only. True when at least one DM was delivered."""
        async with self._uow() as uow:
            row = await uow.recordings.get(record.id)
            done = set(map(int, (row.offered_to or "").split())) if row is not None else set()
        delivered = bool(done)
        for user_id in sorted(record.organizer_ids - done):
            delivered = await self._messenger.offer_recording(user_id, text, record.id) or delivered
            async with self._uow() as uow:
                row = await uow.recordings.get(record.id)
                if row is not None:
                    offered = {*map(int, (row.offered_to or "").split()), user_id}
                    row.offered_to = " ".join(map(str, sorted(offered)))
                    await uow.commit()
        return delivered

    def _offer_text(self, record: FabriqueRecord, audio_file: RecordingFile, transcript: bool, chat: bool) -> str:
        i18n = self._i18n
        files = [
            i18n(
                "recording.files.audio",
                kind=(audio_file.extension or audio_file.file_type).upper(),
                megabytes=max(1, round(audio_file.size / MEBIBYTE)),
            )
        ]
        if transcript:
            files.append(i18n("recording.files.transcript"))
        if chat:
            files.append(i18n("recording.files.chat"))
        text = i18n("dm.recording.ready", title=shown(record.title), number=record.shown_number, files=", ".join(files))
        if record.presence is not None:
            text += "\n" + i18n("dm.recording.attendance", attendance=presence_text(i18n, record.presence))
        return text

    async def _expire(self, record: FabriqueRecord, meeting: str, *, processing: bool) -> None:
        """The wait is over without a usable recording: the organizers learn how to send theirs (attendance is
        still read: Zoom keeps the participants of a meeting without recording too)."""
        attendance = await self._attendance(record.id, meeting)
        async with self._uow() as uow:
            row = await uow.recordings.get(record.id)
            fabrique = await uow.fabriques.by_id(record.id, lock=True)
            doc = await uow.documentation.get(record.id)
            assert row is not None and fabrique is not None
            row.status = RecordingStatus.EXPIRED
            row.decided_at = row.updated_at = self._clock()
            if attendance is not None:
                fabrique.zoom_participants = attendance.participants
                fabrique.zoom_average_seconds = attendance.average_seconds
            await uow.commit()
        if doc is not None and doc.source_kind is not None and doc.status != JobStatus.FAILED:
            return  # they already sent a recording of their own: nobody is asked for one
        key = "dm.recording.too_long" if processing else "dm.recording.none"
        for user_id in sorted(record.organizer_ids):
            how = await self._how_to(record.id, user_id)
            text = self._i18n(
                key,
                title=shown(record.title),
                number=record.shown_number,  # a series' session: « n°12 · séance 2/3 »
                hours=self._settings.zoom.recording_wait_hours,
                how=how,
            )
            await self._messenger.dm(user_id, text)
        log.info("Zoom recording of fabrique %s: no longer waited for (%s)", record.id, key)

    async def _attendance(self, fabrique_id: int, meeting: str) -> Presence | None:
        assert self._zoom is not None
        try:
            return presence(await self._zoom.past_participants(meeting))
        except ZoomError as error:  # missing scope, Zoom down: the recording matters more than the count
            log.warning("attendance of fabrique %s: Zoom could not answer (%s)", fabrique_id, error.key)
            return None

    async def _text(self, fabrique_id: int, file: RecordingFile | None, kind: str) -> str | None:
        """A small text file of the recording (transcript, chat), read now; None if absent or unreadable."""
        if file is None or not file.completed or self._zoom is None:
            return None
        await asyncio.to_thread(self._work_dir.mkdir, parents=True, exist_ok=True)
        target = self._work_dir / f"{fabrique_id}.{kind}.source"  # removed at start if a crash leaves it
        try:
            await self._zoom.download_recording(file.download_url, target, max_bytes=TEXT_FILE_MAX)
            data = await asyncio.to_thread(target.read_bytes)
        except (DownloadError, ZoomError, OSError) as error:
            log.warning("Zoom %s of fabrique %s left out (%s)", kind, fabrique_id, getattr(error, "key", error))
            return None
        finally:
            await asyncio.to_thread(target.unlink, missing_ok=True)
        return data.decode("utf-8", errors="replace").lstrip("\ufeff")

    # --- the organizer's two buttons -------------------------------------------------------------------------------

    async def offer(self, fabrique_id: int, actor: Actor) -> Offer:
        """What « Utiliser cet enregistrement » opens the form with; refused to others than organizers and team."""
        async with self._uow() as uow:
            row = await self._usable(uow, fabrique_id, actor)
            doc = await uow.documentation.get(fabrique_id)
            given_notes = doc.notes.strip() if doc is not None and doc.notes else ""
            resources = doc.resources if doc is not None and doc.resources else ""
            offer = Offer(
                fabrique_id, row.transcript, row.chat, row.meeting_uuid or row.meeting_id, row.draft, resources
            )
        # Notes already given by hand are the organizer's own work: the form opens on them, not on a draft.
        if given_notes:
            return replace(offer, draft=given_notes)
        if offer.draft is None and offer.transcript:  # the background draft is not there yet
            made = await self._drafts.offline(offer.transcript)
            return replace(offer, draft=made.text if made is not None else None)
        return offer

    async def accept(
        self, guild_id: int, fabrique_id: int, actor: Actor, *, notes: str, resources: str
    ) -> Documentation:
        """The form is filled: the documentation job starts from Zoom's audio, transcript and chat."""
        async with self._uow() as uow:
            row = await self._usable(uow, fabrique_id, actor)
            extension = (row.audio_extension or "m4a").lower()
            submission = Submission(
                path=Path3P.CLASSIQUE,
                notes=notes,
                resources=resources,
                source_kind=ZOOM_SOURCE,
                source_name=f"zoom-{fabrique_id}.{extension}",
                source_size=row.audio_bytes,
                transcript=row.transcript,
                chat=row.chat,
            )
        doc = await self._documentation.submit(guild_id, fabrique_id, actor, submission)
        await self._set_status(fabrique_id, RecordingStatus.ACCEPTED)
        await self._cards.show(guild_id, fabrique_id)
        return doc

    async def decline(self, fabrique_id: int, actor: Actor) -> str:
        """« J'en fournis un autre »: how to send another recording (the Zoom one stays usable meanwhile)."""
        async with self._uow() as uow:
            row = await self._usable(uow, fabrique_id, actor)
            if row.status is RecordingStatus.OFFERED:
                row.status = RecordingStatus.DECLINED
                row.decided_at = row.updated_at = self._clock()
                await uow.commit()
        return self._i18n("recording.other", how=await self._how_to(fabrique_id, actor.user_id))

    async def _usable(self, uow: UnitOfWork, fabrique_id: int, actor: Actor) -> ZoomRecordingRow:
        row = await uow.recordings.get(fabrique_id)
        fabrique = await uow.fabriques.by_id(fabrique_id)
        if fabrique is None or row is None or row.status not in USABLE or not row.audio_url:
            raise InvalidState("error.recording.none", number=fabrique_id)
        if not (actor.is_team or actor.user_id in organizers(fabrique)):
            raise Forbidden("error.not_organizer_or_team")
        doc = await uow.documentation.get(fabrique_id)
        if doc is not None and doc.source_kind not in (None, ZOOM_SOURCE) and doc.status != JobStatus.FAILED:
            raise InvalidState("error.recording.other_source", number=fabrique_id)  # an old offer's button
        return row

    async def _how_to(self, fabrique_id: int, user_id: int) -> str:
        link = await self._upload_door.upload_link(fabrique_id, user_id) if self._upload_door else None
        if link:
            return self._i18n("recording.how_to_upload", number=fabrique_id, link=link)
        return self._i18n("recording.how_to", number=fabrique_id)

    # --- the documentation job and the publication ---------------------------------------------------------------

    async def fetch(self, fabrique_id: int, target: Path) -> int:
        """The documentation job's download of Zoom's audio: streamed, capped at ``[audio] max_input_mb``."""
        async with self._uow() as uow:
            row = await uow.recordings.get(fabrique_id)
            url = row.audio_url if row is not None else None
        if url is None:
            raise DownloadError("error.recording.none", number=fabrique_id)
        if self._zoom is None:
            raise DownloadError("error.zoom.download_failed")
        max_bytes = self._settings.audio.max_input_mb * MEBIBYTE
        return await self._zoom.download_recording(url, target, max_bytes=max_bytes)

    async def published(self, fabrique_id: int) -> None:
        """The article is out: with ``[zoom] delete_cloud_recording``, the cloud recording goes to Zoom's trash
        (recoverable there for 30 days). A failure is logged; the publication stands."""
        if not self._settings.zoom.delete_cloud_recording or self._zoom is None:
            return
        async with self._uow() as uow:
            row = await uow.recordings.get(fabrique_id)
            if row is None or row.status not in USABLE or row.trashed_at is not None:
                return
            meeting = row.meeting_uuid or row.meeting_id
        try:
            await self._zoom.trash_recordings(meeting)
        except ZoomError as error:
            log.warning("Zoom recording of fabrique %s not moved to the trash (%s)", fabrique_id, error.key)
            return
        async with self._uow() as uow:
            row = await uow.recordings.get(fabrique_id)
            if row is not None:
                row.trashed_at = row.updated_at = self._clock()
                await uow.commit()

    async def _set_status(self, fabrique_id: int, status: RecordingStatus, *, offered: bool = False) -> None:
        async with self._uow() as uow:
            row = await uow.recordings.get(fabrique_id)
            if row is None:
                return
            now = self._clock()
            row.status, row.updated_at = status, now
            if offered:
                row.offered_at = now
            else:
                row.decided_at = now
            await uow.commit()

"""One announcement everywhere: the Zoom meeting, the website agenda post, the mailing-list emails.

The session in the database is the single source of truth; each outside copy is a ``session_copy`` row that says
whether it is in sync. A copy that fails is retried later with a growing wait (and the team is told once); the
Discord announcement never waits for any of them. Emails are at most once: a row is written ("sending") before the
message leaves, with a Message-ID derived from it, so a restart never sends the same email twice.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field, replace
from datetime import timedelta
from email.utils import parseaddr
from enum import StrEnum

from bot.clock import Clock
from bot.config import Settings
from bot.db.models import CopyRow
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.lifecycle import State
from bot.domain.outreach import CopyStatus
from bot.domain.text import shown
from bot.i18n import I18n
from bot.integrations.mailing import MailingError, MailMessage
from bot.integrations.wordpress import WordPressError
from bot.integrations.zoom import ZoomError
from bot.services.calendars import session_calendar
from bot.services.clients import Clients
from bot.services.member_names import MemberNameService
from bot.services.ports import Messenger
from bot.services.records import FabriqueRecord
from bot.services.series import PENDING

log = logging.getLogger(__name__)

RETRY_WAITS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
ZOOM, WEBSITE = "zoom", "website"


class Event(StrEnum):
    ANNOUNCE = "announce"
    MOVE = "move"
    CANCEL = "cancel"
    RELEASE = "release"  # the slot given back: no date for now, registrations kept; the website says so, no email
    EDIT = "edit"  # the title, text or people changed: Zoom's topic and the website post follow, nobody is mailed


@dataclass(frozen=True)
class OutreachText:
    """What the website and the mailing list say about one event of a session, in the guild's language."""

    subject: str
    text: str
    html: str
    website_title: str
    website_html: str


@dataclass
class Retried:
    """What a round of retries did: how many copies it tried, and the sessions a new Zoom meeting gave a link to
    (they were waiting for it to be announced: the caller announces them)."""

    count: int = 0
    linked: list[FabriqueRecord] = field(default_factory=list)


@dataclass(frozen=True)
class CopyState:
    target: str
    status: CopyStatus
    error_key: str | None


@dataclass(frozen=True)
class CopySnapshot:
    status: CopyStatus
    external_id: str | None


@dataclass(frozen=True)
class HostLink:
    """A fresh Zoom host link, or (``url`` None) the catalogue key of the sentence saying why there is none."""

    url: str | None
    missing_key: str | None


@dataclass(frozen=True)
class SessionCopies:
    fabrique: FabriqueRecord
    copies: tuple[CopyState, ...]


class OutreachService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        settings: Settings,
        clock: Clock,
        *,
        i18n: I18n,
        names: MemberNameService,
        messenger: Messenger,
        clients: Clients,
    ) -> None:
        self._uow = uow
        self._settings = settings
        self._clock = clock
        self._i18n = i18n
        self._names = names
        self._messenger = messenger  # the team hears of a failing copy in its channel
        self._zoom = clients.zoom  # one client for the bot's life, so its OAuth token is reused until it expires
        self._wordpress = clients.wordpress
        self._mailer = clients.mailer

    @property
    def zoom_enabled(self) -> bool:
        return self._zoom is not None

    # --- Zoom -----------------------------------------------------------------------------------------------

    async def ensure_meeting(self, fabrique_id: int) -> FabriqueRecord:
        """Create the Zoom meeting of a booked session once; its join link becomes the session's link."""
        record = await self._record(fabrique_id)
        if self._zoom is None or record.starts_at is None:
            return record
        existing = await self._copy(fabrique_id, ZOOM)
        if existing is not None and existing.status == CopyStatus.SYNCED:
            return record
        try:
            meeting = await self._zoom.create_meeting(
                topic=record.title,
                start=record.starts_at,
                duration_minutes=record.duration_minutes,
                timezone=self._settings.general.timezone,
                agenda=record.description[:1900],
            )
        except ZoomError as error:
            await self._failed(record, ZOOM, error.key, error.retryable)
            return record
        async with self._uow() as uow:
            row = await uow.fabriques.by_id(fabrique_id, lock=True)
            assert row is not None
            row.zoom_url = meeting.join_url
            copy = await self._upsert(uow, fabrique_id, ZOOM)
            copy.status, copy.external_id, copy.error_key = CopyStatus.SYNCED, str(meeting.id), None
            await uow.commit()
            return FabriqueRecord.of(row)

    async def host_link(self, fabrique_id: int) -> HostLink:
        """Zoom's start link, asked for now (it lives about 2 hours): the caller shows it to the organizers and the
        team only. Without one, the catalogue key of the sentence that says why."""
        if self._zoom is None:
            return HostLink(None, "links.host.no_zoom")
        copy = await self._copy(fabrique_id, ZOOM)
        if copy is None or not copy.external_id:
            return HostLink(None, "links.host.pasted")  # the team's own link: its host link is the team's
        try:
            return HostLink(await self._zoom.host_link(int(copy.external_id)), None)
        except ZoomError as error:
            log.warning("no host link for fabrique %s from Zoom (%s)", fabrique_id, error.key)
            return HostLink(None, "links.host.unavailable")

    async def _zoom_follow(self, record: FabriqueRecord, event: Event) -> None:
        copy = await self._copy(record.id, ZOOM)
        client = self._zoom
        if client is None or copy is None or not copy.external_id:
            return  # no meeting of ours (none yet, or the team's pasted link)
        try:
            if event is Event.CANCEL:
                await client.delete_meeting(int(copy.external_id))
            elif record.starts_at is not None:
                await client.update_meeting(
                    int(copy.external_id),
                    topic=record.title,
                    start=record.starts_at,
                    duration_minutes=record.duration_minutes,
                    timezone=self._settings.general.timezone,
                )
            await self._synced(record.id, ZOOM, copy.external_id)
        except ZoomError as error:
            await self._failed(record, ZOOM, error.key, error.retryable)

    # --- website and mailing list ---------------------------------------------------------------------------

    async def follow(self, fabrique_id: int, event: Event) -> None:
        """Bring every outside copy in line with the session after ``event``; failures are recorded, not raised."""
        record = await self._record(fabrique_id)
        if event in (Event.MOVE, Event.CANCEL, Event.EDIT):  # a released session keeps its meeting until its new date
            await self._zoom_follow(record, event)
        if record.is_series:
            await self._series_follow(record, event)
            return
        if event in (Event.CANCEL, Event.RELEASE) and not await self._was_public(record.id):
            return  # held, or waiting for its link: the website and the list never heard of it
        if event is Event.EDIT:
            if record.state is State.ANNOUNCED:  # before that, the website has no post to correct
                await self._website(record, Event.ANNOUNCE)  # the post reads as announced, with the new text
            return
        await self._website(record, event)
        await self._mail(record, event)

    async def follow_cancelled(self, session_ids: tuple[int, ...]) -> None:
        """A series cancelled whole: each session's Zoom meeting goes, the website post and the list hear it once
        (not once per date). A single session is followed as any cancellation."""
        records = [await self._record(fabrique_id) for fabrique_id in session_ids]
        if not records:
            return
        if not records[0].is_series:
            await self.follow(records[0].id, Event.CANCEL)
            return
        for record in records:
            await self._zoom_follow(record, Event.CANCEL)
        dated = [record for record in records if record.starts_at is not None]
        await self._series_follow(dated[0] if dated else records[0], Event.CANCEL)

    async def _series_follow(self, record: FabriqueRecord, event: Event) -> None:
        """A series has one website post, updated with every date, and one e-mail, at its first announcement;
        a date that moves or is cancelled is one correction. Zoom stays per session (``follow``)."""
        sessions = await self._series(record.home_id)
        if event is not Event.ANNOUNCE and not await self._was_public(*(session.id for session in sessions)):
            return  # nothing of the series went out yet: nothing to correct
        await self._website(record, event)
        if event in (Event.ANNOUNCE, Event.MOVE, Event.CANCEL):
            await self._mail(record, event)

    async def _was_public(self, *fabrique_ids: int) -> bool:
        """The website or the list was told of the sessions (a post, or an e-mail, even a failed one)."""
        async with self._uow() as uow:
            targets = [row.target for fabrique_id in fabrique_ids for row in await uow.copies.of(fabrique_id)]
        return any(target == WEBSITE or target.startswith("mail:") for target in targets)

    async def _website(self, record: FabriqueRecord, event: Event) -> None:
        """The session's post on the website's agenda; a series has one, on its first session, with every date."""
        wordpress = self._settings.wordpress
        if self._wordpress is None or not wordpress.events_category:
            return
        if record.is_series:
            sessions = await self._series(record.home_id)
            record, text = sessions[0], await self._series_texts(sessions[0], sessions, event)
        else:
            text = await self.texts(record, event)
        client = self._wordpress()
        slug = f"fabrique-{record.id}-agenda"
        try:
            copy = await self._copy(record.id, WEBSITE)
            post_id = int(copy.external_id) if copy is not None and copy.external_id else None
            if post_id is None:
                found = await client.find_post(slug)
                post_id = found.id if found is not None else None
            if post_id is None:
                category = await client.category_id(wordpress.events_category)
                post = await client.create_post(
                    title=text.website_title,
                    content=text.website_html,
                    status="publish",
                    slug=slug,
                    categories=[category] if category is not None else None,
                )
            else:
                post = await client.update_post(post_id, title=text.website_title, content=text.website_html)
            await self._synced(record.id, WEBSITE, str(post.id))
        except WordPressError as error:
            await self._failed(record, WEBSITE, error.key, error.retryable)
        finally:
            await client.aclose()

    async def _mail(self, record: FabriqueRecord, event: Event) -> None:
        mailer = self._mailer
        if mailer is None or record.starts_at is None:
            return
        target = f"mail:{event.value}:{int(record.starts_at.timestamp())}"
        sessions = await self._series(record.home_id) if record.is_series else [record]
        async with self._uow() as uow:
            copy = await uow.copies.get(record.id, target)
            if copy is not None and copy.status in (CopyStatus.SENDING, CopyStatus.SYNCED):
                return  # already sent, or possibly sent before a crash: never twice
            if event is Event.ANNOUNCE and await _series_mailed(uow, record, sessions):
                return  # one e-mail per series: its later dates reach the list through the website post
            copy = await self._upsert(uow, record.id, target)
            copy.status = CopyStatus.SENDING
            await uow.commit()
        texts = (
            await self._series_texts(record, sessions, event) if record.is_series else await self.texts(record, event)
        )
        text = self._with_outside_registration(texts, event)
        calendar = session_calendar(sessions, self._i18n, self._clock())  # a series: every date, one VEVENT each
        message_id = f"<fabrique-{record.id}-{event.value}-{int(record.starts_at.timestamp())}@fabrique>"
        message = MailMessage(
            subject=text.subject,
            text=text.text,
            html=text.html,
            ics=calendar,
            ics_filename=f"fabrique-{record.id}.ics",
            message_id=message_id,
        )
        try:
            await mailer.send(message)
            await self._synced(record.id, target, message_id)
        except MailingError as error:
            await self._failed(record, target, error.key, error.retryable)

    # --- retries and the team's view ------------------------------------------------------------------------

    async def retry_due(self) -> Retried:
        """Failed copies whose wait is over are tried again (called by the due-work dispatcher)."""
        async with self._uow() as uow:
            due = [(row.fabrique_id, row.target) for row in await uow.copies.due_for_retry(self._clock())]
        return await self._retry_all(due)

    async def retry(self, fabrique_id: int) -> Retried:
        """The team's « Réessayer »: every failed copy of the session, now."""
        async with self._uow() as uow:
            failed = [
                (fabrique_id, row.target) for row in await uow.copies.of(fabrique_id) if row.status == CopyStatus.FAILED
            ]
        return await self._retry_all(failed)

    async def _retry_all(self, copies: list[tuple[int, str]]) -> Retried:
        retried = Retried(count=len(copies))
        for fabrique_id, target in copies:
            if (linked := await self._retry(fabrique_id, target)) is not None:
                retried.linked.append(linked)
        return retried

    async def _retry(self, fabrique_id: int, target: str) -> FabriqueRecord | None:
        record = await self._record(fabrique_id)
        event = {State.CANCELLED: Event.CANCEL, State.APPROVED: Event.RELEASE}.get(record.state, Event.ANNOUNCE)
        if target == ZOOM:
            return await self._retry_zoom(record, event)
        elif target == WEBSITE:
            await self._website(record, event)
        elif target.startswith("mail:"):
            _, kind, stamp = target.split(":")
            current = record.starts_at is not None and stamp == str(int(record.starts_at.timestamp()))
            async with self._uow() as uow:
                copy = await uow.copies.get(fabrique_id, target)
                if copy is not None and copy.status == CopyStatus.FAILED:
                    # An email about a date that changed since is replaced by the email about the move.
                    copy.status = CopyStatus.RETRYING if current else CopyStatus.SUPERSEDED
                    copy.retry_at = None
                    await uow.commit()
            if current:
                await self._mail(record, Event(kind))
        return None

    async def _retry_zoom(self, record: FabriqueRecord, event: Event) -> FabriqueRecord | None:
        """The session, when the retried meeting gave it the link it was waiting for."""
        if event is Event.CANCEL:
            await self._zoom_follow(record, event)
            return None
        copy = await self._copy(record.id, ZOOM)
        if copy is not None and copy.external_id:
            await self._zoom_follow(record, Event.EDIT)  # our meeting exists: a failed update is retried as one
            return None
        if record.has_zoom_link:
            # The team pasted a link meanwhile: registrants already have it, a new meeting would contradict it.
            await self._synced(record.id, ZOOM, "")
            return None
        updated = await self.ensure_meeting(record.id)
        return updated if updated.has_zoom_link else None

    async def copies(self, fabrique_id: int) -> list[CopyState]:
        async with self._uow() as uow:
            rows = await uow.copies.of(fabrique_id)
            return [CopyState(r.target, r.status, r.error_key) for r in rows if r.status != CopyStatus.SUPERSEDED]

    # --- helpers --------------------------------------------------------------------------------------------

    async def _series(self, home_id: int) -> list[FabriqueRecord]:
        async with self._uow() as uow:
            return [FabriqueRecord.of(row) for row in await uow.fabriques.series(home_id)]

    async def _record(self, fabrique_id: int) -> FabriqueRecord:
        async with self._uow() as uow:
            row = await uow.fabriques.by_id(fabrique_id)
            if row is None:
                raise LookupError(fabrique_id)
            return FabriqueRecord.of(row)

    async def _copy(self, fabrique_id: int, target: str) -> CopySnapshot | None:
        async with self._uow() as uow:
            row = await uow.copies.get(fabrique_id, target)
            return CopySnapshot(row.status, row.external_id) if row is not None else None

    async def _upsert(self, uow: UnitOfWork, fabrique_id: int, target: str) -> CopyRow:
        copy = await uow.copies.get(fabrique_id, target)
        if copy is None:
            copy = CopyRow(
                fabrique_id=fabrique_id, target=target, status=CopyStatus.SENDING, attempts=0, updated_at=self._clock()
            )
            uow.copies.add(copy)
        copy.updated_at = self._clock()
        return copy

    async def _synced(self, fabrique_id: int, target: str, external_id: str) -> None:
        async with self._uow() as uow:
            copy = await self._upsert(uow, fabrique_id, target)
            copy.status, copy.external_id, copy.error_key, copy.retry_at = CopyStatus.SYNCED, external_id, None, None
            await uow.commit()

    async def _failed(self, record: FabriqueRecord, target: str, key: str, retryable: bool) -> None:
        async with self._uow() as uow:
            copy = await self._upsert(uow, record.id, target)
            copy.attempts += 1
            first = copy.attempts == 1  # the team hears of a copy once, not at every retry
            wait = RETRY_WAITS[min(copy.attempts - 1, len(RETRY_WAITS) - 1)]
            copy.status, copy.error_key = CopyStatus.FAILED, key
            copy.retry_at = self._clock() + wait if retryable else None
            await uow.commit()
        if first:
            await self._alert_team(record, target, key, retryable)

    async def _alert_team(self, record: FabriqueRecord, target: str, key: str, retryable: bool) -> None:
        """First failure of a copy: the team hears it once, in its channel, with what to do."""
        i18n = self._i18n
        copy = i18n(f"copy.{target.split(':')[0]}")
        template = "team.copy_failed" if retryable else "team.copy_failed_final"
        text = i18n(template, number=record.id, title=shown(record.title), copy=copy, reason=i18n(key))
        if not await self._messenger.tell_team(record.guild_id, text):
            log.warning("could not alert the team about fabrique %s", record.id)

    async def texts(self, record: FabriqueRecord, event: Event) -> OutreachText:
        """What the website and the mailing list say, in the guild's language, naming the organizers."""
        i18n = self._i18n
        values = {
            "title": record.title,
            "date": record.starts_at,
            "organizers": await self._names.organizer_names(record),
            "description": record.description,
            "speaker": record.speaker or i18n("card.none"),
            "reason": record.last_reason or "",
            "number": record.id,
        }
        escaped = {key: html.escape(value) if isinstance(value, str) else value for key, value in values.items()}
        lines = i18n(f"outreach.body.{event.value}", **escaped).split("\n")
        body_html = "".join(f"<p>{line}</p>" for line in lines if line)
        return OutreachText(
            subject=i18n(f"outreach.subject.{event.value}", **values),
            text=i18n(f"outreach.body.{event.value}", **values),
            html=body_html,
            website_title=i18n(f"outreach.website_title.{event.value}", **values),
            website_html=body_html + self._agenda_link(),
        )

    async def _series_texts(self, record: FabriqueRecord, sessions: list[FabriqueRecord], event: Event) -> OutreachText:
        """What the website and the list say of a series after ``event`` on its session ``record``: every date,
        as it stands. Once no session is left to come, the series is cancelled as a whole."""
        i18n = self._i18n
        home = sessions[0]
        over = not any(session.state in PENDING for session in sessions)
        kind = "cancel_all" if over else event.value if event in (Event.MOVE, Event.CANCEL) else "announce"
        rhythm = f" ({home.series_rhythm})" if home.series_rhythm else ""
        values = {
            "title": home.title,
            "date": record.starts_at,
            "rank": record.series_rank,
            "size": home.series_size,
            "rhythm": rhythm,
            "dates": "\n".join(self._date_line(session) for session in sessions),
            "organizers": await self._names.organizer_names(home),
            "description": home.description,
            "speaker": home.speaker or i18n("card.none"),
            "reason": record.last_reason or "",
            "number": home.id,
        }
        escaped = {key: html.escape(value) if isinstance(value, str) else value for key, value in values.items()}
        body_html = _paragraphs(i18n(f"outreach.body.series.{kind}", **escaped))
        page = "cancel_all" if over else "announce"  # the website shows the series as it stands
        page_html = _paragraphs(i18n(f"outreach.body.series.{page}", **escaped))
        return OutreachText(
            subject=i18n(f"outreach.subject.series.{kind}", **values),
            text=i18n(f"outreach.body.series.{kind}", **values),
            html=body_html,
            website_title=i18n(
                "outreach.website_title.series_cancelled" if over else "outreach.website_title.series", **values
            ),
            website_html=page_html + ("" if over else self._agenda_link()),
        )

    def _date_line(self, session: FabriqueRecord) -> str:
        key = "outreach.series.cancelled" if session.state is State.CANCELLED else "outreach.series.date"
        return self._i18n(key, rank=session.series_rank, date=session.starts_at)

    def _with_outside_registration(self, text: OutreachText, event: Event) -> OutreachText:
        """The list's readers are not all on Discord: the announcement tells them the team registers them by
        e-mail too (writing to the address the list mail comes from)."""
        if event is not Event.ANNOUNCE:
            return text
        contact = parseaddr(self._settings.mailing.sender)[1]
        line = self._i18n("outreach.register_by_mail", contact=contact)
        escaped = self._i18n("outreach.register_by_mail", contact=html.escape(contact))
        return replace(text, text=f"{text.text}\n\n{line}", html=f"{text.html}<p>{escaped}</p>")

    def _agenda_link(self) -> str:
        """The website post invites readers to subscribe to every session (the web door's ``/agenda.ics``)."""
        web = self._settings.web
        if not (web.enabled and web.public_url):
            return ""
        url = html.escape(web.public_url.rstrip("/") + "/agenda.ics", quote=True)
        return f"<p>{self._i18n('outreach.agenda_link', url=url)}</p>"


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{line}</p>" for line in text.split("\n") if line)


async def _series_mailed(uow: UnitOfWork, record: FabriqueRecord, sessions: list[FabriqueRecord]) -> bool:
    """Whether another session of ``record``'s series already had (or is having) the series' announcement mail."""
    for session in sessions:
        if session.id == record.id:
            continue
        for copy in await uow.copies.of(session.id):
            if copy.target.startswith(f"mail:{Event.ANNOUNCE.value}:") and copy.status != CopyStatus.SUPERSEDED:
                return True
    return False

"""The outside systems as the services see them: small Protocols, and the one place that builds the real clients.

The composition root calls ``clients_from_settings`` once; the services receive the clients (None when the
integration is off), so a test gives them a fake Zoom or a local WordPress the same way, and nothing is built
behind anyone's back. WordPress is handed over as a factory: a publication opens one connection pool and closes
it, whichever step a crash interrupts.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.clock import Clock
from bot.config import Settings
from bot.integrations.download import DiscordCdn
from bot.integrations.mailing import Mailer, MailMessage
from bot.integrations.resume import ResumeClient
from bot.integrations.wordpress import WordPressClient, WordPressMedia, WordPressPost
from bot.integrations.zoom import ZoomClient, ZoomMeeting

if TYPE_CHECKING:  # the recordings service needs the clients too: its Protocol is named, not imported
    from bot.services.drafts import MeetingSummaries
    from bot.services.recordings import CloudRecordings


class MeetingHost(Protocol):
    """Zoom, for the meetings of booked sessions."""

    async def create_meeting(
        self, *, topic: str, start: datetime, duration_minutes: int, timezone: str, agenda: str = ""
    ) -> ZoomMeeting: ...

    async def update_meeting(
        self,
        meeting_id: int,
        *,
        topic: str | None = None,
        start: datetime | None = None,
        duration_minutes: int | None = None,
        timezone: str | None = None,
    ) -> None: ...

    async def delete_meeting(self, meeting_id: int) -> None: ...

    async def host_link(self, meeting_id: int) -> str: ...

    async def aclose(self) -> None: ...


class Website(Protocol):
    """WordPress, for the agenda posts and the members-only articles."""

    async def find_media(self, slug: str) -> WordPressMedia | None: ...

    async def upload_media(
        self, path: Path, filename: str, mime_type: str, *, title: str, slug: str
    ) -> WordPressMedia: ...

    async def find_post(self, slug: str) -> WordPressPost | None: ...

    async def create_post(
        self,
        *,
        title: str,
        content: str,
        status: str,
        slug: str,
        categories: list[int] | None = None,
        featured_media: int | None = None,
    ) -> WordPressPost: ...

    async def update_post(self, post_id: int, *, title: str | None = None, **fields: object) -> WordPressPost: ...

    async def attach_media(self, media_id: int, post_id: int) -> None: ...

    async def category_id(self, name: str) -> int | None: ...

    async def aclose(self) -> None: ...


class ResumeEndpoint(Protocol):
    """The [resume] OpenAI-compatible chat endpoint, for the notes' draft."""

    @property
    def model(self) -> str: ...

    async def complete(self, system: str, user: str) -> str: ...

    async def aclose(self) -> None: ...


class MailSender(Protocol):
    """The mailing list."""

    async def send(self, message: MailMessage) -> str: ...


class AttachmentSource(Protocol):
    """Discord's CDN, for a recording given as a command's attachment: streamed to disk, capped."""

    async def fetch(self, url: str, target: Path, *, max_bytes: int) -> int: ...


WebsiteFactory = Callable[[], Website]


@dataclass(frozen=True)
class Clients:
    """The enabled integrations' clients; None where the integration is off."""

    zoom: MeetingHost | None = None
    recordings: CloudRecordings | None = None  # the same Zoom client, seen by the recordings service
    summaries: MeetingSummaries | None = None  # the same Zoom client again, for the notes' draft
    resume: ResumeEndpoint | None = None  # the [resume] chat endpoint, only when configured
    wordpress: WebsiteFactory | None = None
    mailer: MailSender | None = None
    attachments: AttachmentSource = field(default_factory=DiscordCdn)  # always there: Discord is not optional

    async def aclose(self) -> None:
        if self.zoom is not None:
            await self.zoom.aclose()
        if self.resume is not None:
            await self.resume.aclose()


def clients_from_settings(settings: Settings, clock: Clock) -> Clients:
    """The real clients of every enabled integration, with their secrets; built once, when the bot starts."""
    zoom = _zoom(settings, clock) if settings.zoom.enabled else None
    return Clients(
        zoom=zoom,
        recordings=zoom,
        summaries=zoom,
        resume=_resume(settings) if settings.resume.enabled else None,
        wordpress=_wordpress(settings) if settings.wordpress.enabled else None,
        mailer=_mailer(settings) if settings.mailing.enabled else None,
    )


def _zoom(settings: Settings, clock: Clock) -> ZoomClient:
    zoom, secret = settings.zoom, settings.secrets.zoom_client_secret
    return ZoomClient(
        account_id=zoom.account_id,
        client_id=zoom.client_id,
        client_secret=secret.get_secret_value() if secret else "",
        host_user=zoom.host_user,
        api_base=zoom.api_base,
        oauth_url=zoom.oauth_url,
        clock=clock,
        auto_recording=zoom.auto_recording,
    )


def _wordpress(settings: Settings) -> WebsiteFactory:
    wordpress, password = settings.wordpress, settings.secrets.wordpress_app_password
    secret = password.get_secret_value() if password else ""
    return lambda: WordPressClient(wordpress.url, wordpress.username, secret)


def _mailer(settings: Settings) -> Mailer:
    mailing, password = settings.mailing, settings.secrets.smtp_password
    tls = ssl.create_default_context(cafile=mailing.ca_file) if mailing.ca_file else None
    return Mailer(
        host=mailing.host,
        port=mailing.port,
        starttls=mailing.starttls,
        username=mailing.username,
        password=password.get_secret_value() if password else None,
        sender=mailing.sender,
        list_address=mailing.list_address,
        tls_context=tls,
    )


def _resume(settings: Settings) -> ResumeClient:
    resume, key = settings.resume, settings.secrets.resume_api_key
    return ResumeClient(
        base_url=resume.base_url,
        api_key=key.get_secret_value() if key else "",
        model=resume.model,
        timeout_seconds=resume.timeout_seconds,
    )

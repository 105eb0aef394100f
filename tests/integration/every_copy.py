"""The bot's outside copies all on, for the stories that follow a session beyond Discord: the Zoom-shaped server, a
real SMTP server (STARTTLS with a private CA) and the real WordPress, with the secrets each needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import trustme
from pydantic import SecretStr

from bot.config import Secrets, Settings, WordPressSettings
from tests.conftest import make_settings
from tests.integration.smtp_server import PASSWORD, Inbox, mailing_settings, start_smtp
from tests.integration.wordpress_server import WordPressSite
from tests.integration.zoom_fake import ZOOM_IDS, FakeZoom


@dataclass(frozen=True)
class Copies:
    settings: Settings
    inbox: Inbox  # what the mailing list received
    zoom: FakeZoom


@asynccontextmanager
async def every_copy(tmp_path: Path, wordpress: WordPressSite) -> AsyncIterator[Copies]:
    """Settings with Zoom, the website's agenda and the mailing list on, and the servers behind them, stopped after."""
    ca = trustme.CA()
    inbox = Inbox()
    smtp = await start_smtp(inbox, ca)
    ca_file = tmp_path / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    try:
        async with FakeZoom(**ZOOM_IDS) as zoom:
            settings = make_settings(
                tmp_path,
                zoom=zoom.settings(),
                wordpress=WordPressSettings(
                    enabled=True, url=wordpress.url, username=wordpress.admin_username, events_category="Agenda"
                ),
                mailing=mailing_settings(smtp, ca_file),
                secrets=Secrets(
                    zoom_client_secret=SecretStr(ZOOM_IDS["client_secret"]),
                    wordpress_app_password=SecretStr(wordpress.admin_app_password),
                    smtp_password=SecretStr(PASSWORD),
                ),
            )
            yield Copies(settings, inbox, zoom)
    finally:
        smtp.stop()

"""A title corrected by the team reaches the real copies (SimCord + the Zoom-shaped server + a real WordPress + a real
SMTP server): Zoom's topic and the website agenda post follow, and the mailing list gets no second e-mail."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import trustme
from pydantic import SecretStr

from bot.app import create_bot
from bot.config import Secrets, WordPressSettings
from tests.behaviour.builders import add_slot, approved_fabrique, local_date
from tests.behaviour.conftest import build_world, configure, running, said
from tests.conftest import make_settings
from tests.integration.publishing_bench import rest
from tests.integration.smtp_server import PASSWORD, Inbox, mailing_settings, start_smtp
from tests.integration.wordpress_server import WordPressSite
from tests.integration.zoom_fake import ZOOM_IDS, FakeZoom


def form_values(shown) -> dict[str, str]:
    return {row["component"]["custom_id"]: row["component"].get("value") or "" for row in shown.modal["components"]}


async def test_a_corrected_title_reaches_zoom_and_the_website_and_mails_nobody(
    tmp_path: Path, wordpress: WordPressSite
) -> None:
    ca = trustme.CA()
    inbox = Inbox()
    smtp = await start_smtp(inbox, ca)
    ca_file = tmp_path / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    token = secrets.token_hex(4)
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
            async with running(create_bot(settings), settle_timeout=10.0) as env:
                world = build_world(env)
                await configure(world)
                number = await approved_fabrique(world, titre=f"Atelier tiers-lieux {token} (typo)")
                slot = await add_slot(world, local_date(world, 20))
                booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
                assert "annoncée" in said(booked).content
                await env.settle(timeout=30)
                assert len(inbox.received) == 1  # the announcement, once

                fixed = f"Atelier tiers-lieux {token}"
                shown = await world.moderator.slash(world.general, "equipe modifier", fabrique=number)
                values = {
                    row["component"]["custom_id"]: row["component"].get("value") or ""
                    for row in shown.modal["components"]
                }
                done = await world.moderator.submit_modal(shown, {**values, "titre": fixed})
                assert "est corrigée" in said(done).content
                await env.settle(timeout=30)

                (meeting,) = zoom.meetings.values()
                assert meeting["topic"] == fixed
                assert [r.method for r in zoom.api_requests][-1] == "PATCH"
                async with httpx.AsyncClient(timeout=30) as http:
                    found = await rest(http, wordpress, "posts", slug=f"fabrique-{number}-agenda", context="edit")
                (post,) = found.json()
                assert post["title"]["raw"] == fixed and post["status"] == "publish"
                assert fixed in post["content"]["raw"]
                assert len(inbox.received) == 1  # a text change is not news for the mailing list

                # Zoom is down during the next correction: the retry updates the same meeting, never makes another.
                zoom.fail_api(503, times=4)
                shown = await world.moderator.slash(world.general, "equipe modifier", fabrique=number)
                retitled = f"Atelier des tiers-lieux {token}"
                await world.moderator.submit_modal(shown, {**form_values(shown), "titre": retitled})
                await env.settle(timeout=30)
                assert meeting["topic"] == fixed
                assert await env.bot.services.announcements.retry_copies(number) >= 1
                await env.settle(timeout=30)
                (same,) = zoom.meetings.values()
                assert same["id"] == meeting["id"] and same["topic"] == retitled
                assert len(inbox.received) == 1
                assert env.errors == []
    finally:
        smtp.stop()

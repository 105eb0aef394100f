"""A series reaches the outside copies once (SimCord + the Zoom-shaped server + a real SMTP server + a real
WordPress): one Zoom meeting per session, ONE e-mail to the list at the series' first announcement (every date in
it and in its .ics), one website post updated as later sessions are booked, one correction e-mail when a date
moves, and one when a session is cancelled."""

from __future__ import annotations

import email
import secrets
from email import policy
from pathlib import Path

import httpx
import trustme
from icalendar import Calendar
from pydantic import SecretStr

from bot.app import create_bot
from bot.config import Secrets, WordPressSettings
from tests.behaviour.builders import add_slot, approved_fabrique, local_date, series_of
from tests.behaviour.conftest import build_world, configure, running, said
from tests.conftest import make_settings
from tests.integration.publishing_bench import rest
from tests.integration.smtp_server import PASSWORD, Inbox, mailing_settings, start_smtp
from tests.integration.wordpress_server import WordPressSite
from tests.integration.zoom_fake import ZOOM_IDS, FakeZoom


def parsed(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[return-value]


def calendar_uids(message: email.message.EmailMessage) -> list[str]:
    (ics,) = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    return [str(event["uid"]) for event in Calendar.from_ical(ics.get_content()).walk("VEVENT")]


async def website_post(wordpress: WordPressSite, number: int) -> dict:
    async with httpx.AsyncClient(timeout=30) as http:
        found = await rest(http, wordpress, "posts", slug=f"fabrique-{number}-agenda", context="edit")
    (post,) = found.json()
    return post


async def test_a_series_is_mailed_once_and_its_website_post_follows_every_date(
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
                number = await approved_fabrique(world, titre=f"Cycle d'écriture {token}")
                home, second, third = await series_of(settings, number, 3)

                async def book(session: int, days: int) -> None:
                    slot = await add_slot(world, local_date(world, days))
                    booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=session, creneau=slot)
                    assert "annoncée" in said(booked).content, said(booked).content
                    await env.settle(timeout=30)

                await book(home, 20)
                await book(second, 34)
                assert len(zoom.meetings) == 2  # one meeting per session
                (announcement,) = inbox.received  # the series' one e-mail, at its first announcement
                message = parsed(announcement)
                assert "en 3 séances" in message["subject"] and token in message["subject"]
                body = message.get_body(("plain",)).get_content()
                assert "Séance 1 : " in body and "Séance 2 : date à fixer" in body
                assert calendar_uids(message) == [f"fabrique-{home}-{world.guild.id}@fabrique"]
                post = await website_post(wordpress, home)
                assert post["status"] == "publish" and "série de 3 séances" in post["title"]["raw"]
                assert "Séance 2 : date à fixer" not in post["content"]["raw"]  # updated by the second booking
                assert "Séance 3 : date à fixer" in post["content"]["raw"]

                later = await add_slot(world, local_date(world, 41))
                moved = await world.moderator.slash(world.general, "equipe deplacer", fabrique=second, creneau=later)
                assert "est déplacée" in said(moved).content
                await env.settle(timeout=30)
                assert len(inbox.received) == 2
                correction = parsed(inbox.received[-1])
                assert correction["subject"].startswith("Nouvelle date") and "séance 2" in correction["subject"]
                assert calendar_uids(correction) == [f"fabrique-{n}-{world.guild.id}@fabrique" for n in (home, second)]

                await world.moderator.slash(world.general, "equipe annuler", fabrique=second, motif="Imprévu")
                await env.settle(timeout=30)
                assert len(inbox.received) == 3 and parsed(inbox.received[-1])["subject"].startswith("Séance annulée")
                assert "annulée" in (await website_post(wordpress, home))["content"]["raw"]
                assert len(zoom.meetings) == 1  # session 2's meeting is gone, session 1's stays
                assert third not in (home, second)
                assert env.errors == []
    finally:
        smtp.stop()

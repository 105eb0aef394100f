"""One announcement everywhere (SimCord + a local Zoom-shaped server + a real SMTP server + a real WordPress):
booking produces the Discord announcement, the scheduled event, the Zoom meeting, the website post and the email;
a move and a cancellation update all of them."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import trustme
from icalendar import Calendar
from pydantic import SecretStr

from bot.app import create_bot
from bot.config import WordPressSettings
from bot.integrations.wordpress import WordPressClient
from tests.behaviour.builders import add_slot, approved_fabrique, local_date
from tests.behaviour.conftest import build_world, configure, running, said
from tests.conftest import make_settings
from tests.integration.smtp_server import PASSWORD, Inbox, mailing_settings, start_smtp
from tests.integration.zoom_fake import ZOOM_IDS, FakeZoom


async def test_booking_moving_and_cancelling_reach_every_copy(tmp_path: Path, wordpress) -> None:
    ca = trustme.CA()
    inbox = Inbox()
    smtp = await start_smtp(inbox, ca)
    ca_file = tmp_path / "smtp-ca.pem"  # the test SMTP server's certificate comes from a private CA
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
            ).model_copy(
                update={
                    "secrets": make_settings(tmp_path).secrets.model_copy(
                        update={
                            "zoom_client_secret": _secret(ZOOM_IDS["client_secret"]),
                            "wordpress_app_password": _secret(wordpress.admin_app_password),
                            "smtp_password": _secret(PASSWORD),
                        }
                    )
                }
            )
            bot = create_bot(settings)
            async with running(bot, settle_timeout=10.0) as env:
                world = build_world(env)
                await configure(world)
                number = await approved_fabrique(world)
                slot = await add_slot(world, local_date(world, 20))
                booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
                assert "annoncée" in said(booked).content
                await env.settle(timeout=30)

                (meeting,) = zoom.meetings.values()
                assert meeting["type"] == 2 and meeting["duration"] == 120
                announcement = world.agenda.last_message
                public = str(announcement.embeds[0].to_dict()) + announcement.content
                assert meeting["join_url"] not in public and "zoom.us" not in public
                (event,) = bot.get_guild(world.guild.id).scheduled_events
                assert event.location == "Zoom — lien envoyé aux inscrits"
                (received,) = inbox.received
                message = email.message_from_bytes(received.content, policy=policy.default)
                assert "Arpenter le MOOC" in message["subject"]
                body = message.get_body(("plain",)).get_content()
                assert "à 14:00" in body and "/fabrique inscrire" in body and meeting["join_url"] not in body
                (ics,) = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
                vevent = next(c for c in Calendar.from_ical(ics.get_content()).walk("VEVENT"))
                assert vevent.decoded("dtstart") == (await _start(bot, number))
                site = WordPressClient(wordpress.url, wordpress.admin_username, wordpress.admin_app_password)
                post = await site.find_post(f"fabrique-{number}-agenda")
                assert post is not None and post.status == "publish"

                await world.bob.click(announcement, label="S'inscrire")
                link = await world.bob.slash(world.general, "fabrique lien", fabrique=number)
                assert meeting["join_url"] in said(link).content and meeting["start_url"] not in said(link).content
                host = await world.alice.slash(world.general, "fabrique lien", fabrique=number)
                assert meeting["start_url"] in said(host).content

                later = await add_slot(world, local_date(world, 27))
                await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=later)
                await env.settle(timeout=30)
                assert [r.method for r in zoom.api_requests][-1] == "PATCH"
                assert len(inbox.received) == 2 and "Nouvelle date" in _subject(inbox.received[-1])
                assert len([p for p in await _posts(site, number)]) == 1

                await world.moderator.slash(world.general, "equipe annuler", fabrique=number, motif="Imprévu")
                await env.settle(timeout=30)
                assert [r.method for r in zoom.api_requests][-1] == "DELETE"
                assert "Annulée" in _subject(inbox.received[-1])
                cancelled = await site.find_post(f"fabrique-{number}-agenda")
                assert cancelled is not None
                await site.aclose()
                assert env.errors == []
    finally:
        smtp.stop()


def _secret(value: str) -> SecretStr:
    return SecretStr(value)


def _subject(envelope) -> str:
    return email.message_from_bytes(envelope.content, policy=policy.default)["subject"]


async def _start(bot, number: int):
    record = await bot.services.sessions.get_any(number)
    return record.starts_at


async def _posts(site: WordPressClient, number: int) -> list[object]:
    post = await site.find_post(f"fabrique-{number}-agenda")
    return [post] if post else []

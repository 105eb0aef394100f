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
from icalendar import Calendar

from bot.app import create_bot
from tests.behaviour.builders import add_slot, approved_fabrique, local_date, series_of
from tests.behaviour.conftest import build_world, configure, running, said
from tests.integration.every_copy import every_copy
from tests.integration.publishing_bench import rest
from tests.integration.wordpress_server import WordPressSite


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
    token = secrets.token_hex(4)
    async with every_copy(tmp_path, wordpress) as copies:
        settings, inbox, zoom = copies.settings, copies.inbox, copies.zoom
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

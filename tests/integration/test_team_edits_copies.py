"""A title corrected by the team reaches the real copies (SimCord + the Zoom-shaped server + a real WordPress + a real
SMTP server): Zoom's topic and the website agenda post follow, and the mailing list gets no second e-mail."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx

from bot.app import create_bot
from tests.behaviour.builders import add_slot, approved_fabrique, local_date
from tests.behaviour.conftest import build_world, configure, running, said
from tests.integration.every_copy import every_copy
from tests.integration.publishing_bench import rest
from tests.integration.wordpress_server import WordPressSite


def form_values(shown) -> dict[str, str]:
    return {row["component"]["custom_id"]: row["component"].get("value") or "" for row in shown.modal["components"]}


async def test_a_corrected_title_reaches_zoom_and_the_website_and_mails_nobody(
    tmp_path: Path, wordpress: WordPressSite
) -> None:
    token = secrets.token_hex(4)
    async with every_copy(tmp_path, wordpress) as copies:
        settings, inbox, zoom = copies.settings, copies.inbox, copies.zoom
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
                row["component"]["custom_id"]: row["component"].get("value") or "" for row in shown.modal["components"]
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

"""When an outside copy of a session fails (SimCord + a local Zoom-shaped server + a real SMTP server + a real
WordPress): the Discord announcement never waits, the team hears it once, ``/equipe suivi`` shows it with a
« Réessayer » button, the copy is retried later, and nothing is sent or created twice, even across a restart.

Zoom's client backs off between attempts with ``asyncio.sleep``; SimCord lets those short timers run within the
settle timeout, so an outage of four attempts costs a few seconds here, never a failed settle."""

from __future__ import annotations

import email
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from email import policy
from pathlib import Path
from typing import Any

import discord
import httpx
import pytest
import simcord
import trustme
from aiohttp import web
from pydantic import SecretStr

from bot.app import FabriqueBot, create_bot
from bot.config import MailingSettings, Settings, WordPressSettings
from bot.integrations.wordpress import WordPressClient
from bot.services.outreach import RETRY_WAITS
from tests.behaviour.builders import ZOOM, add_slot, approved_fabrique, local_date
from tests.behaviour.conftest import World, build_world, configure, said
from tests.conftest import make_settings
from tests.integration.smtp_server import HOST, PASSWORD, USERNAME, Inbox, start_smtp
from tests.integration.wordpress_server import WordPressSite
from tests.integration.zoom_fake import ZOOM_IDS, FakeZoom

TRY_AGAIN = "451 4.3.0 Try again later"
POST_STATUSES = "publish,private,draft,pending,future"


class OutageZoom(FakeZoom):
    """FakeZoom that comes back after an open-ended ``fail_api``, and can issue a token that is already dead."""

    kill_next_token = False

    def recover(self) -> None:
        self._failures.clear()

    async def _token(self, request: web.Request) -> web.Response:
        response = await super()._token(request)
        if self.kill_next_token:  # Zoom ends the token early, between issuing it and the bot using it
            self.kill_next_token = False
            self.expire_tokens()
        return response

    @property
    def creations(self) -> list[Any]:
        return [request for request in self.api_requests if request.method == "POST"]


class LostAnswerProxy:
    """A reverse proxy in front of WordPress that lets the first post creation through, then loses its answer:
    the post exists on the site while the bot sees a 502, as with a gateway timing out."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.lose_next_creation = True
        self.creations = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> LostAnswerProxy:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        async with httpx.AsyncClient(timeout=60) as http:
            answer = await http.request(
                request.method,
                f"{self.upstream}{request.path}",
                params=list(request.query.items()),
                headers=headers,
                content=await request.read(),
            )
        if request.method == "POST" and request.query.get("rest_route") == "/wp/v2/posts":
            self.creations += 1
            if self.lose_next_creation:
                self.lose_next_creation = False
                return web.Response(status=502, text="Bad Gateway")
        kept = {k: v for k, v in answer.headers.items() if k.lower() in ("content-type", "x-wp-total")}
        return web.Response(status=answer.status_code, body=answer.content, headers=kept)


def outreach_settings(
    tmp_path: Path,
    *,
    zoom: FakeZoom | None = None,
    wordpress: WordPressSite | None = None,
    wordpress_url: str | None = None,
    wordpress_password: str | None = None,
    smtp_port: int | None = None,
) -> Settings:
    """Settings with the integrations given enabled, each with its secret; the others stay off."""
    sections: dict[str, object] = {}
    secrets: dict[str, SecretStr] = {}
    if zoom is not None:
        sections["zoom"] = zoom.settings()
        secrets["zoom_client_secret"] = SecretStr(ZOOM_IDS["client_secret"])
    if wordpress is not None:
        sections["wordpress"] = WordPressSettings(
            enabled=True,
            url=wordpress_url or wordpress.url,
            username=wordpress.admin_username,
            events_category="Agenda",
        )
        secrets["wordpress_app_password"] = SecretStr(wordpress_password or wordpress.admin_app_password)
    if smtp_port is not None:
        sections["mailing"] = MailingSettings(
            enabled=True,
            host=HOST,
            port=smtp_port,
            starttls=True,
            username=USERNAME,
            sender="fabrique@tmnlab.test",
            list_address="membres@tmnlab.test",
        )
        secrets["smtp_password"] = SecretStr(PASSWORD)
    settings = make_settings(tmp_path, **sections)
    return settings.model_copy(update={"secrets": settings.secrets.model_copy(update=secrets)})


@asynccontextmanager
async def smtp_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inbox: Inbox) -> AsyncIterator[int]:
    """A real SMTP server (STARTTLS + AUTH) whose private CA every bot generation trusts, restarted ones too."""
    ca = trustme.CA()
    bundle = tmp_path / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))  # the default TLS context (outreach.mail_tls left unset)
    controller = await start_smtp(inbox, ca)
    try:
        yield controller.port
    finally:
        controller.stop()


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[simcord.Env]:
    """SimCord with the real bot. SimCord detaches a bot without calling its ``close()``, so each generation's
    scheduler and database pool are closed here, not left to be collected after the event loop is gone."""
    env: simcord.Env | None = None
    try:
        async with simcord.run(create_bot(settings), settle_timeout=10.0) as env:
            yield env
    finally:
        if env is not None:
            await shut(env.bot)


async def restart(env: simcord.Env, settings: Settings) -> None:
    """The bot stops and a new one starts on the same database, as after a crash or a deployment."""
    old = env.bot
    await env.restart_bot(create_bot(settings))
    await shut(old)


async def shut(bot: FabriqueBot) -> None:
    if bot.scheduler is not None:
        bot.scheduler.shutdown()
    if bot.engine is not None:
        await bot.engine.dispose()
        bot.engine = None


async def booked(world: World, *, days: int = 20, link: str | None = None) -> tuple[int, str]:
    """An approved Fabrique booked by alice (after the team pasted ``link``, if given): its number and the reply."""
    number = await approved_fabrique(world)
    slot = await add_slot(world, local_date(world, days))
    if link is not None:
        await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=link)
    result = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
    return number, said(result).content


async def follow_up(world: World) -> simcord.ResponseMessage:
    return said(await world.moderator.slash(world.general, "equipe suivi"))


def copies_field(suivi: simcord.ResponseMessage) -> str:
    (embed,) = suivi.embeds
    return next(field.value for field in embed.fields if field.name == "Copies des sessions à venir")


def buttons(message: simcord.ResponseMessage) -> list[str]:
    return [child["label"] for row in message.components for child in row["components"]]


def alerts(world: World, number: int) -> list[str]:
    """The team's copy-failure alerts about one session."""
    return [m.content for m in world.team_channel.history() if m.content.startswith(f"⚠️ Fabrique n°{number} ")]


def public_text(message: discord.Message) -> str:
    return message.content + "".join(str(embed.to_dict()) for embed in message.embeds)


def subjects(inbox: Inbox) -> list[str]:
    return [email.message_from_bytes(e.content, policy=policy.default)["subject"] for e in inbox.received]


async def later(world: World, wait: timedelta) -> int:
    """SimCord's clock moves on by ``wait`` and a second, then the bot runs what is due (retries included)."""
    await world.env.advance_time(wait.total_seconds() + 1)
    return await world.env.bot.run_due_work()


async def registrant_link(world: World, number: int) -> str:
    return said(await world.bob.slash(world.general, "fabrique lien", fabrique=number)).content


# --- Zoom ----------------------------------------------------------------------------------------------------------


async def test_zoom_outage_falls_back_to_a_pasted_link_which_the_retry_keeps(tmp_path: Path) -> None:
    async with OutageZoom(**ZOOM_IDS) as zoom:
        zoom.fail_api(503)
        async with running(outreach_settings(tmp_path, zoom=zoom)) as env:
            world = build_world(env)
            await configure(world)
            number, reply = await booked(world)
            await env.settle()

            assert "Elle sera annoncée dès que l'équipe aura donné le lien Zoom" in reply
            assert zoom.meetings == {} and len(zoom.creations) == 4  # the client tried, backing off in between
            assert world.agenda.history() == []
            team = [m.content for m in world.team_channel.history()]
            assert any(f"La Fabrique n°{number} est programmée" in t and "/equipe lien-zoom" in t for t in team)
            (alert,) = alerts(world, number)
            assert "réunion Zoom non à jour" in alert and "Zoom ne répond pas" in alert

            pasted = await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
            assert "maintenant annoncée" in said(pasted).content, said(pasted).content
            announcement = world.agenda.last_message
            assert "Arpenter le MOOC" in public_text(announcement)
            assert ZOOM not in public_text(announcement) and "zoom.us" not in public_text(announcement)

            suivi = await follow_up(world)
            assert f"**n°{number}**" in copies_field(suivi) and "réunion Zoom ⚠️" in copies_field(suivi)
            assert buttons(suivi) == [f"Réessayer n°{number}"]

            zoom.recover()
            retried = await world.moderator.click(suivi, label=f"Réessayer n°{number}")
            assert "1 copie(s) relancée(s)" in said(retried).content
            # The team's pasted link stands: registrants have it, so no second meeting is created behind it.
            assert zoom.meetings == {}
            suivi = said(await world.moderator.slash(world.general, "equipe suivi"))
            assert "réunion Zoom ✅" in copies_field(suivi) and buttons(suivi) == []
            assert len(alerts(world, number)) == 1  # the retries were silent
            assert env.errors == []


async def test_a_session_waiting_for_zoom_shows_its_failed_meeting_in_the_follow_up(tmp_path: Path) -> None:
    async with OutageZoom(**ZOOM_IDS) as zoom:
        zoom.fail_api(503)
        async with running(outreach_settings(tmp_path, zoom=zoom)) as env:
            world = build_world(env)
            await configure(world)
            number, _ = await booked(world)
            await env.settle()
            assert len(alerts(world, number)) == 1 and "« Réessayer » dans /equipe suivi" in alerts(world, number)[0]

            suivi = await follow_up(world)
            assert env.errors == []
    # Judged once the bot has stopped cleanly.
    assert f"**n°{number}**" in copies_field(suivi) and "réunion Zoom ⚠️" in copies_field(suivi)
    assert buttons(suivi) == [f"Réessayer n°{number}"]


async def test_when_zoom_comes_back_the_retry_creates_the_meeting_and_announces_the_session(tmp_path: Path) -> None:
    async with OutageZoom(**ZOOM_IDS) as zoom:
        zoom.fail_api(503)
        async with running(outreach_settings(tmp_path, zoom=zoom)) as env:
            world = build_world(env)
            await configure(world)
            await booked(world)
            await env.settle()
            assert world.agenda.history() == []

            zoom.recover()
            await later(world, RETRY_WAITS[0])
            (meeting,) = zoom.meetings.values()
            announcements = [public_text(message) for message in world.agenda.history()]
            assert env.errors == []
    assert len(announcements) == 1, "the session was not announced once it had its meeting"
    assert "Arpenter le MOOC" in announcements[0] and meeting["join_url"] not in announcements[0]


async def test_the_automatic_zoom_retry_keeps_the_link_the_team_pasted(tmp_path: Path) -> None:
    async with OutageZoom(**ZOOM_IDS) as zoom:
        zoom.fail_api(503)
        async with running(outreach_settings(tmp_path, zoom=zoom)) as env:
            world = build_world(env)
            await configure(world)
            number, _ = await booked(world)
            await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
            await world.bob.click(world.agenda.last_message, label="S'inscrire")
            assert ZOOM in await registrant_link(world, number)

            zoom.recover()
            await later(world, RETRY_WAITS[0])
            link = await registrant_link(world, number)
            assert env.errors == []
    assert ZOOM in link


async def test_a_token_that_dies_early_is_refreshed_once_and_the_meeting_created(tmp_path: Path) -> None:
    async with OutageZoom(**ZOOM_IDS) as zoom:
        zoom.kill_next_token = True
        async with running(outreach_settings(tmp_path, zoom=zoom)) as env:
            world = build_world(env)
            await configure(world)
            number, reply = await booked(world)
            await env.settle()

            assert "elle est annoncée dans le salon agenda" in reply, reply
            (meeting,) = zoom.meetings.values()
            first, second = zoom.creations  # refused with the dead token, then accepted with a fresh one
            assert len(zoom.oauth_requests) == 2 and len(zoom.issued_tokens) == 2
            assert first.headers["authorization"] == f"Bearer {zoom.issued_tokens[0]}"
            assert second.headers["authorization"] == f"Bearer {zoom.issued_tokens[1]}"
            assert alerts(world, number) == []
            assert "réunion Zoom ✅" in copies_field(await follow_up(world))
            await world.bob.click(world.agenda.last_message, label="S'inscrire")
            assert meeting["join_url"] in await registrant_link(world, number)
            assert meeting["join_url"] not in public_text(world.agenda.last_message)
            assert env.errors == []


# --- mailing list --------------------------------------------------------------------------------------------------


async def test_a_refused_email_is_sent_once_when_the_server_accepts_again_even_across_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = Inbox(data_reply=TRY_AGAIN)
    async with smtp_server(tmp_path, monkeypatch, inbox) as port:
        settings = outreach_settings(tmp_path, smtp_port=port)
        async with running(settings) as env:
            world = build_world(env)
            await configure(world)
            number, reply = await booked(world, link=ZOOM)
            await env.settle()

            assert "elle est annoncée dans le salon agenda" in reply  # Discord never waits for the mailing list
            assert inbox.received == []
            (alert,) = alerts(world, number)
            assert "liste de diffusion non à jour" in alert and "Le serveur de courriel ne répond pas" in alert
            suivi = await follow_up(world)
            assert "liste de diffusion ⚠️" in copies_field(suivi)
            assert buttons(suivi) == [f"Réessayer n°{number}"]

            inbox.data_reply = None
            await later(world, max(RETRY_WAITS[:2]))  # past the wait of the first retry, whichever it is
            assert len(inbox.received) == 1
            assert subjects(inbox)[0].startswith("Fabrique collective : Arpenter le MOOC")
            assert await env.bot.run_due_work() == 0
            await restart(env, settings)
            await env.bot.run_due_work()
            await later(world, RETRY_WAITS[-1])
            assert len(inbox.received) == 1
            suivi = await follow_up(world)
            assert "liste de diffusion ✅" in copies_field(suivi) and buttons(suivi) == []
            assert len(alerts(world, number)) == 1
            assert env.errors == []


async def test_a_refused_email_is_retried_after_the_first_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = Inbox(data_reply=TRY_AGAIN)
    async with smtp_server(tmp_path, monkeypatch, inbox) as port:
        settings = outreach_settings(tmp_path, smtp_port=port)
        async with running(settings) as env:
            world = build_world(env)
            await configure(world)
            await booked(world, link=ZOOM)
            await env.settle()
            inbox.data_reply = None
            await later(world, RETRY_WAITS[0])
            assert env.errors == []
    assert len(inbox.received) == 1


async def test_an_email_retry_that_fails_again_does_not_alert_the_team_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = Inbox(data_reply=TRY_AGAIN)
    async with smtp_server(tmp_path, monkeypatch, inbox) as port:
        settings = outreach_settings(tmp_path, smtp_port=port)
        async with running(settings) as env:
            world = build_world(env)
            await configure(world)
            number, _ = await booked(world, link=ZOOM)
            await env.settle()
            assert len(alerts(world, number)) == 1
            assert await later(world, max(RETRY_WAITS[:2])) == 1  # the retry ran, and failed again
            assert inbox.received == []
            team_alerts = alerts(world, number)
            assert env.errors == []
    assert len(team_alerts) == 1


async def test_a_move_while_the_announcement_email_fails_leaves_no_copy_pending_for_ever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = Inbox(data_reply=TRY_AGAIN)
    async with smtp_server(tmp_path, monkeypatch, inbox) as port:
        settings = outreach_settings(tmp_path, smtp_port=port)
        async with running(settings) as env:
            world = build_world(env)
            await configure(world)
            number, _ = await booked(world, link=ZOOM)
            slot = await add_slot(world, local_date(world, 27))
            await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
            await env.settle()
            inbox.data_reply = None
            await later(world, RETRY_WAITS[-1])
            await later(world, RETRY_WAITS[-1])
            copies = copies_field(await follow_up(world))
            assert any(subject.startswith("Nouvelle date : ") for subject in subjects(inbox))
            assert env.errors == []
    assert "liste de diffusion ✅" in copies
    assert "⏳" not in copies and "⚠️" not in copies


async def test_nothing_is_emailed_twice_after_a_restart_and_a_move_sends_one_new_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = Inbox()
    async with smtp_server(tmp_path, monkeypatch, inbox) as port:
        settings = outreach_settings(tmp_path, smtp_port=port)
        async with running(settings) as env:
            world = build_world(env)
            await configure(world)
            number, reply = await booked(world, link=ZOOM)
            await env.settle()
            assert "elle est annoncée dans le salon agenda" in reply
            assert len(inbox.received) == 1

            await restart(env, settings)
            await env.bot.run_due_work()
            await later(world, RETRY_WAITS[-1])
            assert len(inbox.received) == 1

            slot = await add_slot(world, local_date(world, 27))
            moved = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
            assert "est déplacée" in said(moved).content
            await env.settle()
            assert len(inbox.received) == 2 and subjects(inbox)[1].startswith("Nouvelle date : Arpenter le MOOC")
            await restart(env, settings)
            await later(world, RETRY_WAITS[-1])
            assert len(inbox.received) == 2
            assert alerts(world, number) == []
            assert env.errors == []


# --- website -------------------------------------------------------------------------------------------------------


async def agenda_posts(wordpress: WordPressSite, number: int) -> list[dict[str, Any]]:
    """Every post (any status) whose slug is the session's, or WordPress's de-duplicated ``…-agenda-2`` of it."""
    slug = f"fabrique-{number}-agenda"
    found: list[dict[str, Any]] = []
    auth = httpx.BasicAuth(wordpress.admin_username, wordpress.admin_app_password)
    async with httpx.AsyncClient(timeout=30, auth=auth) as http:
        page, pages = 1, 1
        while page <= pages:
            listed = await http.get(
                f"{wordpress.url}/",
                params={
                    "rest_route": "/wp/v2/posts",
                    "status": POST_STATUSES,
                    "context": "edit",
                    "per_page": 100,
                    "page": page,
                    "_fields": "id,slug,status,title,categories",
                },
            )
            listed.raise_for_status()
            found += listed.json()
            pages = int(listed.headers.get("X-WP-TotalPages", "1"))
            page += 1
        exact = await http.get(
            f"{wordpress.url}/", params={"rest_route": "/wp/v2/posts", "slug": slug, "status": POST_STATUSES}
        )
        exact.raise_for_status()
    posts = [post for post in found if post["slug"] == slug or post["slug"].startswith(f"{slug}-")]
    assert {post["id"] for post in exact.json()} <= {post["id"] for post in posts}
    return posts


async def delete_posts(wordpress: WordPressSite, posts: list[dict[str, Any]]) -> None:
    """The WordPress is shared by the test session and numbers restart at 1 with each database: start clean."""
    auth = httpx.BasicAuth(wordpress.admin_username, wordpress.admin_app_password)
    async with httpx.AsyncClient(timeout=30, auth=auth) as http:
        for post in posts:
            deleted = await http.delete(
                f"{wordpress.url}/", params={"rest_route": f"/wp/v2/posts/{post['id']}", "force": "true"}
            )
            deleted.raise_for_status()


async def the_one_post(wordpress: WordPressSite, number: int) -> dict[str, Any]:
    (post,) = await agenda_posts(wordpress, number)
    site = WordPressClient(wordpress.url, wordpress.admin_username, wordpress.admin_app_password)
    try:
        found = await site.find_post(f"fabrique-{number}-agenda")
    finally:
        await site.aclose()
    assert found is not None and found.id == post["id"] and found.status == "publish"
    assert post["slug"] == f"fabrique-{number}-agenda" and wordpress.categories["Agenda"] in post["categories"]
    return post


async def test_a_website_post_refused_for_its_password_is_posted_once_by_the_button_after_a_fix(
    tmp_path: Path, wordpress: WordPressSite
) -> None:
    wrong = outreach_settings(tmp_path, wordpress=wordpress, wordpress_password="abcd efgh ijkl mnop qrst uvwx")
    fixed = outreach_settings(tmp_path, wordpress=wordpress)
    async with running(wrong) as env:
        world = build_world(env)
        await configure(world)
        number = await approved_fabrique(world)
        await delete_posts(wordpress, await agenda_posts(wordpress, number))
        slot = await add_slot(world, local_date(world, 20))
        await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
        booked_reply = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
        assert "elle est annoncée dans le salon agenda" in said(booked_reply).content
        await env.settle()

        assert await agenda_posts(wordpress, number) == []
        (alert,) = alerts(world, number)
        assert "agenda du site non à jour" in alert and "WORDPRESS_APP_PASSWORD" in alert
        suivi = await follow_up(world)
        assert "agenda du site ⚠️" in copies_field(suivi)
        assert buttons(suivi) == [f"Réessayer n°{number}"]
        await later(world, RETRY_WAITS[-1])  # a refused password is not retried by itself
        assert await agenda_posts(wordpress, number) == []

        await restart(env, fixed)  # the operator fixes WORDPRESS_APP_PASSWORD and restarts
        retried = await world.moderator.click(suivi, label=f"Réessayer n°{number}")  # the message from before
        assert "1 copie(s) relancée(s)" in said(retried).content
        post = await the_one_post(wordpress, number)
        assert "Arpenter le MOOC" in post["title"]["raw"]

        again = await world.moderator.click(suivi, label=f"Réessayer n°{number}")
        assert "0 copie(s) relancée(s)" in said(again).content
        await later(world, RETRY_WAITS[-1])
        await restart(env, fixed)
        await env.bot.run_due_work()
        assert (await the_one_post(wordpress, number))["id"] == post["id"]
        suivi = await follow_up(world)
        assert "agenda du site ✅" in copies_field(suivi) and buttons(suivi) == []
        assert len(alerts(world, number)) == 1
        assert env.errors == []


async def test_a_website_post_whose_answer_was_lost_is_found_again_not_duplicated(
    tmp_path: Path, wordpress: WordPressSite
) -> None:
    async with LostAnswerProxy(wordpress.url) as proxy:
        settings = outreach_settings(tmp_path, wordpress=wordpress, wordpress_url=proxy.url)
        async with running(settings) as env:
            world = build_world(env)
            await configure(world)
            number = await approved_fabrique(world)
            await delete_posts(wordpress, await agenda_posts(wordpress, number))
            slot = await add_slot(world, local_date(world, 20))
            await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
            await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
            await env.settle()

            assert proxy.creations == 1
            first = await the_one_post(wordpress, number)  # created, though the bot heard a 502
            (alert,) = alerts(world, number)
            assert "agenda du site non à jour" in alert and "Le site ne répond pas" in alert
            assert "agenda du site ⚠️" in copies_field(await follow_up(world))

            await later(world, max(RETRY_WAITS[:2]))
            assert proxy.creations == 1  # found by its slug and updated, not posted again
            assert (await the_one_post(wordpress, number))["id"] == first["id"]
            assert "agenda du site ✅" in copies_field(await follow_up(world))
            assert len(alerts(world, number)) == 1
            assert env.errors == []

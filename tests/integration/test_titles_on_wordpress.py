"""A member's title carrying HTML reaches the REAL WordPress as text, through the bot's own paths: the public agenda
post (SimCord: proposed, approved, booked, announced), then the members-only article and its recording
(DocumentationJobs). The bot publishes with an administrator's Application Password, the worst case: WordPress
keeps every tag such an account sends (``unfiltered_html``), so only the bot stands in the way."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
import simcord
from pydantic import SecretStr

from bot.app import create_bot
from bot.config import Secrets, WordPressSettings
from bot.db import migrate
from bot.db.engine import create_engine
from tests.behaviour.builders import ZOOM, add_slot, approved_fabrique, local_date
from tests.behaviour.conftest import build_world, configure, said
from tests.conftest import make_settings
from tests.integration.publishing_bench import (
    FIRST_NUMBERS,
    Bench,
    Forum,
    documentation_due,
    make_recording,
    media_about,
    posts_about,
    rest,
    site_settings,
    start_numbering_at,
)
from tests.integration.wordpress_server import WordPressSite
from tests.ports import services_on
from tests.unit.builders import ALICE
from tests.unit.builders import configure as configure_services
from tests.unit.conftest import FakeClock

SCRIPT = "<img src=x onerror=alert(1)><script>alert(1)</script>"


def hostile_title(token: str) -> str:
    return f"Atelier {SCRIPT} {token}"


class Elements(HTMLParser):
    """The elements a browser would build from a fragment."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.names: list[str] = []
        self.feed(fragment)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.append(tag)


def assert_shown_as_text(title: dict[str, str], token: str) -> None:
    """The title WordPress renders holds no element, only the escaped tags, read as the member typed them."""
    rendered = title["rendered"]
    assert Elements(rendered).names == [], rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered and "&lt;img src=x onerror=alert(1)&gt;" in rendered
    assert token in rendered


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


async def test_the_agenda_post_of_a_session_shows_its_title_as_text(
    tmp_path: Path, wordpress: WordPressSite, http: httpx.AsyncClient
) -> None:
    token = f"agenda{secrets.token_hex(5)}"
    settings = make_settings(
        tmp_path,
        wordpress=WordPressSettings(
            enabled=True, url=wordpress.url, username=wordpress.admin_username, events_category="Agenda"
        ),
        secrets=Secrets(wordpress_app_password=SecretStr(wordpress.admin_app_password)),
    )
    async with simcord.run(create_bot(settings), settle_timeout=10.0) as env:
        world = build_world(env)
        await configure(world)
        number = await approved_fabrique(world, titre=hostile_title(token))
        slot = await add_slot(world, local_date(world, 20))
        await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
        booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
        assert "annoncée" in said(booked).content
        await env.settle(timeout=30)
        assert env.errors == []

    [post] = await posts_about(http, wordpress, token)
    assert post["slug"] == f"fabrique-{number}-agenda" and post["status"] == "publish"
    public = await rest(http, wordpress, f"posts/{post['id']}", as_admin=False)
    assert public.status_code == 200
    assert_shown_as_text(public.json()["title"], token)
    assert_shown_as_text({"rendered": post["title"]["raw"]}, token)
    # The body repeats the title: escaped there too, so the page holds no element the member wrote.
    body = public.json()["content"]["rendered"]
    assert set(Elements(body).names) <= {"p", "br"}, body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


async def test_the_article_and_its_recording_show_the_title_as_text(
    tmp_path: Path, wordpress: WordPressSite, http: httpx.AsyncClient, recording: bytes
) -> None:
    settings = site_settings(tmp_path, wordpress, wordpress.admin_app_password)
    engine = create_engine(settings.database.url)
    await migrate.upgrade(engine)
    clock = FakeClock()
    services = services_on(engine, settings, clock)
    await configure_services(services)
    first = next(FIRST_NUMBERS)
    await start_numbering_at(services, settings, first)
    token = f"article{secrets.token_hex(5)}"
    bench = Bench(wordpress, tmp_path, clock, services, settings, first, token)
    try:
        assert await documentation_due(services, clock, hostile_title(token)) == first
        await bench.submit(recording)
        await bench.prepare(recording)

        await bench.jobs().publish(first, ALICE, Forum())
    finally:
        await engine.dispose()

    [media] = await media_about(http, wordpress, token)
    [post] = await posts_about(http, wordpress, token)
    for item in (media, post):
        assert_shown_as_text(item["title"], token)
        assert_shown_as_text({"rendered": item["title"]["raw"]}, token)
    assert SCRIPT not in post["content"]["raw"] and SCRIPT not in post["content"]["rendered"]
    # (WordPress's audio shortcode brings its own IE shim, a <script> inside a conditional comment: no element.)
    assert "script" not in Elements(post["content"]["rendered"]).names
    # WordPress's own texts about the recording (caption, description) bring no element of the title back either.
    for text in (media["caption"], media["description"]):
        assert not {"img", "script"} & set(Elements(text["rendered"]).names), text


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_recording(tmp_path_factory.mktemp("recording"))

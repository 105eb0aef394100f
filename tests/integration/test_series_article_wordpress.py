"""A series' article on a REAL WordPress (Debian's package, served on 127.0.0.1), through the service layer: two
sessions of a series documented one after the other make ONE members-only post, each session a chapter in rank
order (the first with its recording's player), with ONE cover; a publication whose answer WordPress lost is
retried without a second post or a second upload. Nothing of WordPress is mocked: the lost answer is injected in
the bot's own client (a WordPressClient subclass).

Numbering and tokens as in tests/integration/publishing_bench.py: the WordPress is shared by the whole session.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from bot.config import Settings
from bot.db import migrate
from bot.db.engine import create_engine
from bot.domain.lifecycle import Action, State
from bot.integrations.wordpress import UNAVAILABLE, WordPressClient, WordPressError, WordPressPost
from bot.services import Services
from bot.services.documentation import Documentation, JobStatus, Path3P, Submission
from bot.services.documentation_jobs import DocumentationJobs
from tests.conftest import GUILD_ID
from tests.integration.publishing_bench import (
    FIRST_NUMBERS,
    covers_about,
    make_recording,
    media_about,
    posts_about,
    rest,
    site_settings,
    start_numbering_at,
    texts,
)
from tests.integration.wordpress_server import WordPressSite
from tests.ports import services_on
from tests.unit.builders import ALICE, BOT, DRAFT, TEAM, add_slot, announce, configure, series_of
from tests.unit.conftest import FakeClock

DATES = ("15/03/2027", "22/03/2027")
NOTES = "Idées clés : **écrire** à plusieurs mains.\n00:00:05 Ouverture\n00:00:12 Premier jet\n"
REPORT = "Nous avons relu les premiers jets et choisi trois pistes."


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_recording(tmp_path_factory.mktemp("series-recording"))


@dataclass
class Thread:
    """The series' forum thread: which sessions opened it or were posted in it."""

    messages: list[int] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(990000000000000500))

    async def open(self, doc: Documentation) -> int:
        assert doc.wp_post_link, "the forum post links to the article: WordPress comes first"
        self.messages.append(doc.fabrique.id)
        return next(self.ids)

    async def post(self, thread_id: int, doc: Documentation) -> int:
        self.messages.append(doc.fabrique.id)
        return next(self.ids)


@dataclass
class SeriesBench:
    wordpress: WordPressSite
    settings: Settings
    clock: FakeClock
    services: Services
    sessions: list[int]
    token: str
    thread: Thread = field(default_factory=Thread)

    def jobs(self, client: type[WordPressClient] = WordPressClient) -> DocumentationJobs:
        site = self.wordpress

        def website() -> WordPressClient:
            return client(site.url, site.admin_username, site.admin_app_password, timeout=60)

        return DocumentationJobs(self.services.documentation, self.settings, texts, wordpress=website)

    async def document(self, rank: int, recording: bytes | None) -> None:
        """Session ``rank`` documented: notes and its recording (converted by ffmpeg), or a 3P report."""
        number = self.sessions[rank - 1]
        if recording is None:
            submission = Submission(path=Path3P.EXPRESS, report=REPORT)
        else:
            submission = Submission(
                path=Path3P.CLASSIQUE,
                notes=NOTES,
                source_kind="attachment",
                source_url="https://cdn.discordapp.com/attachments/1/2/seance.m4a",
                source_name="seance.m4a",
                source_size=len(recording),
            )
        await self.services.documentation.submit(GUILD_ID, number, ALICE, submission)

        async def fetch(doc: Documentation, target: Path) -> int:
            await asyncio.to_thread(target.write_bytes, recording or b"")
            return len(recording or b"")

        async def progress(status: JobStatus, fraction: float) -> None:
            """Nobody watches the progress here."""

        prepared = await self.jobs().prepare(number, fetch, progress)
        assert prepared.status is JobStatus.READY, (prepared.failure_key, prepared.failure_params)

    async def publish(self, rank: int, client: type[WordPressClient] = WordPressClient) -> Documentation:
        number = self.sessions[rank - 1]
        outcome = await self.jobs(client).publish(number, ALICE, self.thread.open, self.thread.post)
        return outcome.documentation


@pytest.fixture
async def bench(wordpress: WordPressSite, tmp_path: Path) -> AsyncIterator[SeriesBench]:
    settings = site_settings(tmp_path, wordpress, wordpress.admin_app_password)
    engine = create_engine(settings.database.url)
    await migrate.upgrade(engine)
    clock = FakeClock()
    services = services_on(engine, settings, clock)
    await configure(services)
    first = next(FIRST_NUMBERS)
    next(FIRST_NUMBERS)  # the second session's number: no other test of the session may take it
    await start_numbering_at(services, settings, first)
    token = f"serie{secrets.token_hex(5)}"
    record = await services.proposals.propose(GUILD_ID, ALICE, replace(DRAFT, title=f"Écrire en cycle {token}"))
    await services.proposals.decide(GUILD_ID, record.id, TEAM, Action.APPROVE)
    sessions = await series_of(engine, record.id, 2, "un lundi sur deux")
    assert sessions == [first, first + 1]
    ends = []
    for number, date in zip(sessions, DATES, strict=True):
        slot = await add_slot(services, date, "14:00", 180)
        booking = await services.slots.book(GUILD_ID, number, slot.id, ALICE)
        await announce(services, number, 900000000000000200 + number)
        assert booking.fabrique.ends_at is not None
        ends.append(booking.fabrique.ends_at)
    for number, end in zip(sessions, ends, strict=True):
        clock.now = end + timedelta(minutes=16)
        await services.timeline.advance(number, Action.END, BOT)
        await services.timeline.advance(number, Action.PROMPT, BOT)
    yield SeriesBench(wordpress, settings, clock, services, sessions, token)
    await engine.dispose()


class UpdateAnswerLost(WordPressClient):
    """WordPress updates the post, then the answer never arrives (the first time only)."""

    lost: ClassVar[list[int]] = []

    async def update_post(self, post_id: int, *, title: str | None = None, **fields: object) -> WordPressPost:
        post = await super().update_post(post_id, title=title, **fields)
        if not UpdateAnswerLost.lost:
            UpdateAnswerLost.lost.append(post_id)
            raise WordPressError(UNAVAILABLE, "POST posts: ReadTimeout", retryable=True)
        return post


async def test_two_sessions_make_one_members_only_post_with_a_chapter_each(
    bench: SeriesBench, http: httpx.AsyncClient, recording: bytes
) -> None:
    home = bench.sessions[0]
    await bench.document(1, recording)
    first = await bench.publish(1)
    assert first.status is JobStatus.PUBLISHED
    await bench.document(2, None)
    UpdateAnswerLost.lost = []

    failed = await bench.publish(2, UpdateAnswerLost)
    assert failed.status is JobStatus.FAILED and failed.failure_key == UNAVAILABLE
    second = await bench.publish(2)

    assert second.status is JobStatus.PUBLISHED and UpdateAnswerLost.lost == [first.wp_post_id]
    posts = await posts_about(http, bench.wordpress, bench.token)
    assert [post["id"] for post in posts] == [first.wp_post_id] == [second.wp_post_id]
    post = posts[0]
    assert post["slug"] == f"fabrique-{home}-documentation" and post["status"] == "private"

    covers = await covers_about(http, bench.wordpress, bench.token)
    assert [cover["slug"] for cover in covers] == [f"fabrique-{home}-couverture"]
    assert post["featured_media"] == covers[0]["id"] and covers[0]["post"] == post["id"]
    recordings = await media_about(http, bench.wordpress, bench.token)
    assert [media["id"] for media in recordings] == [first.wp_media_id]  # session 1's recording, uploaded once
    assert recordings[0]["post"] == post["id"] and second.wp_media_id is None

    rendered = await rest(http, bench.wordpress, f"posts/{post['id']}")
    html = rendered.json()["content"]["rendered"]
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings[0] == "Présentation" and headings.count("Présentation") == 1
    assert [h.split(" · ")[0] for h in headings[1:]] == ["Séance 1/2", "Séance 2/2"]
    chapter_one, chapter_two = html.split("<h2>Séance 2/2")
    assert "un lundi sur deux" in html.split("<h2>Séance 1/2")[0]
    assert '<audio class="wp-audio-shortcode"' in chapter_one and "<strong>écrire</strong>" in chapter_one
    # The session's sections sit one level under its chapter (WordPress curls the apostrophe).
    assert re.findall(r"<h3>(.*?)</h3>", chapter_one) == ["Écouter", "Repères dans l&#8217;enregistrement", "Notes"]
    assert "trois pistes" in chapter_two and "<audio" not in chapter_two

    anonymous = await rest(http, bench.wordpress, f"posts/{post['id']}", as_admin=False)
    assert anonymous.status_code in (401, 403, 404) and "trois pistes" not in anonymous.text
    assert bench.thread.messages == bench.sessions  # the series' thread: one message per session, none twice
    for number in bench.sessions:
        assert (await bench.services.sessions.get(GUILD_ID, number)).state is State.DOCUMENTED

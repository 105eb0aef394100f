"""A series documented session by session (issue 15, W4): each session owes its own documentation, named
« n°12 · séance 2/3 » in the recap prompt, the chasers and the team's follow-up; published, the sessions gather in
ONE WordPress post (each session a chapter, in rank order) and ONE forum thread (each session a message), and no
retry or overlap ever makes a second post, thread or message.

Sessions are booked with their own numbers and held through the services (``hold``); WordPress and the forum are
in-memory stand-ins recording what they were asked (``Site``, ``Forum``); the real WordPress is in
tests/integration/test_series_article_wordpress.py.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings, WordPressSettings
from bot.domain.documentation import JobStatus, Path3P
from bot.domain.lifecycle import Action, State
from bot.domain.series import SessionNumber
from bot.errors import InvalidState
from bot.i18n import I18n
from bot.integrations.wordpress import UNAVAILABLE, WordPressError, WordPressMedia, WordPressPost
from bot.services import Services, articles
from bot.services.documentation import Documentation, Submission
from bot.services.documentation_jobs import DocumentationJobs
from bot.timed import Dispatcher
from tests.conftest import GUILD_ID, make_settings
from tests.integration.publishing_bench import texts
from tests.ports import FakeCards, FakeMessenger
from tests.unit.builders import ALICE, BOT, COORGANIZER, add_slot, announce, approved_fabrique, configure, series_of
from tests.unit.conftest import FakeClock
from tests.unit.recording_world import dispatcher_for

FR = I18n("fr")
DATES = ("15/03/2027", "22/03/2027", "29/03/2027")
REPORTS = ("Première séance : le problème partagé.", "Deuxième séance : trois pistes d'action.", "Troisième.")


# --- stand-ins for WordPress and the members-only forum -------------------------------------------------------------


@dataclass
class Site:
    """WordPress as the publication sees it: posts and media by slug. ``lose_answers``: the next post creations are
    stored but their answer is lost (a timeout), as a real site may do."""

    posts: dict[int, dict[str, object]] = field(default_factory=dict)
    media: dict[int, dict[str, object]] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)  # slugs of the posts created, in order
    lose_answers: int = 0
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(500))

    async def find_media(self, slug: str) -> WordPressMedia | None:
        await asyncio.sleep(0)  # a request: another publication may run meanwhile
        found = [(i, m) for i, m in self.media.items() if m["slug"] == slug]
        return WordPressMedia(found[0][0], str(found[0][1]["url"])) if found else None

    async def upload_media(self, path: Path, filename: str, mime_type: str, *, title: str, slug: str) -> WordPressMedia:
        media_id = next(self.ids)
        self.media[media_id] = {"slug": slug, "url": f"https://site.test/{slug}", "post": None}
        return WordPressMedia(media_id, f"https://site.test/{slug}")

    async def find_post(self, slug: str) -> WordPressPost | None:
        await asyncio.sleep(0)
        found = [post_id for post_id, post in self.posts.items() if post["slug"] == slug]
        return self._post(found[0]) if found else None

    async def category_id(self, name: str) -> int | None:
        return None

    async def create_post(self, *, title: str, content: str, status: str, slug: str, **fields: object) -> WordPressPost:
        await asyncio.sleep(0)
        post_id = next(self.ids)
        self.posts[post_id] = {"slug": slug, "title": title, "content": content, "status": status, **fields}
        self.created.append(slug)
        if self.lose_answers:
            self.lose_answers -= 1
            raise WordPressError(UNAVAILABLE, "POST posts: ReadTimeout", retryable=True)
        return self._post(post_id)

    async def update_post(self, post_id: int, *, title: str | None = None, **fields: object) -> WordPressPost:
        self.posts[post_id].update(fields, **({"title": title} if title is not None else {}))
        return self._post(post_id)

    async def attach_media(self, media_id: int, post_id: int) -> None:
        self.media[media_id]["post"] = post_id

    async def aclose(self) -> None:
        pass

    def _post(self, post_id: int) -> WordPressPost:
        return WordPressPost(post_id, f"https://site.test/?p={post_id}", str(self.posts[post_id]["status"]))

    def content(self) -> str:
        (post,) = self.posts.values()
        return str(post["content"])


@dataclass
class Forum:
    """The members-only forum: threads and their messages (the session each message is about). ``fail_messages``:
    the next posts in a thread fail (Discord down), before anything is posted."""

    threads: dict[int, list[int]] = field(default_factory=dict)
    fail_messages: int = 0
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(7000))

    async def open(self, doc: Documentation) -> int:
        await asyncio.sleep(0)
        thread_id = next(self.ids)
        self.threads[thread_id] = [doc.fabrique.id]
        return thread_id

    async def post(self, thread_id: int, doc: Documentation) -> int:
        await asyncio.sleep(0)
        if self.fail_messages:
            self.fail_messages -= 1
            raise ConnectionError("Discord is unreachable")
        self.threads[thread_id].append(doc.fabrique.id)
        return next(self.ids)


# --- a series of three, sessions held one by one --------------------------------------------------------------------


@dataclass
class Series:
    services: Services
    clock: FakeClock
    sessions: list[int]
    site: Site
    forum: Forum
    jobs: DocumentationJobs

    @property
    def home(self) -> int:
        return self.sessions[0]

    async def hold(self, *ranks: int) -> None:
        """Sessions ``ranks`` booked on their dates (each with its own number) and announced, then each ended in
        turn, its recap prompt due (booked first: a later session needs its lead time too)."""
        ends = []
        for rank in ranks:
            number = self.sessions[rank - 1]
            slot = await add_slot(self.services, DATES[rank - 1], "14:00", 180)
            booking = await self.services.slots.book(GUILD_ID, number, slot.id, ALICE)
            await announce(self.services, number, 900000000000000100 + rank)
            assert booking.fabrique.ends_at is not None
            ends.append((booking.fabrique.ends_at, number))
        for ends_at, number in sorted(ends):
            self.clock.now = ends_at + timedelta(minutes=16)
            await self.services.timeline.advance(number, Action.END, BOT)
            await self.services.timeline.advance(number, Action.PROMPT, BOT)

    async def document(self, rank: int) -> int:
        """The 3P report of session ``rank`` handed in and its article prepared."""
        number = self.sessions[rank - 1]
        submission = Submission(path=Path3P.EXPRESS, report=REPORTS[rank - 1], resources="https://tmnlab.com/outil")
        await self.services.documentation.submit(GUILD_ID, number, ALICE, submission)
        prepared = await self.jobs.prepare(number, _no_attachment, _no_progress)
        assert prepared.status is JobStatus.READY
        return number

    async def publish(self, rank: int) -> Documentation:
        outcome = await self.jobs.publish(self.sessions[rank - 1], ALICE, self.forum.open, self.forum.post)
        return outcome.documentation


async def _no_attachment(doc: Documentation, target: Path) -> int:
    raise AssertionError("a 3P report has no recording to fetch")


async def _no_progress(status: JobStatus, fraction: float) -> None:
    """A 3P report is prepared without a recording: nothing to report."""


def website_settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        wordpress=WordPressSettings(enabled=True, url="https://site.test", username="bot", article_status="private"),
    )


@pytest.fixture
async def series(
    services: Services, engine: AsyncEngine, clock: FakeClock, tmp_path: Path, database_url: str
) -> Series:
    await configure(services)
    fabrique = await approved_fabrique(services, ALICE, coorganizer=COORGANIZER)
    sessions = await series_of(engine, fabrique.id, 3)
    site, forum = Site(), Forum()
    jobs = DocumentationJobs(services.documentation, website_settings(tmp_path, database_url), texts, lambda: site)
    return Series(services, clock, sessions, site, forum, jobs)


def chapter_ranks(html: str) -> list[int]:
    """The ranks of the chapters in the series' article, in the order they read."""
    return [int(rank) for rank in re.findall(r"<h2>Séance (\d+)/3", html)]


# --- each session owes its own documentation --------------------------------------------------------------------------


async def test_the_team_s_follow_up_lists_each_owed_session_by_its_rank(series: Series) -> None:
    await series.hold(1, 2)
    second = series.sessions[1]

    follow_up = await series.services.timeline.follow_up(GUILD_ID)

    owed = {entry.fabrique.id: entry.fabrique.shown_number for entry in follow_up.owed}
    assert owed == {series.home: SessionNumber(series.home, 1, 3), second: SessionNumber(series.home, 2, 3)}
    line = FR("followup.owed", number=owed[second], title="t", who="w", days=0, state=State.DOCUMENTATION_DUE)
    assert line.startswith(f"**n°{series.home} · séance 2/3** · t")


async def test_the_recap_prompt_and_the_chaser_name_the_session_and_carry_its_own_buttons(
    series: Series, engine: AsyncEngine
) -> None:
    messenger = FakeMessenger()
    dispatcher: Dispatcher = dispatcher_for(
        series.services, series.services.recordings, messenger, FakeCards(), series.clock
    )
    number = series.sessions[1]
    slot = await add_slot(series.services, DATES[1], "14:00", 180)
    booking = await series.services.slots.book(GUILD_ID, number, slot.id, ALICE)
    await announce(series.services, number, 900000000000000102)
    assert booking.fabrique.ends_at is not None

    series.clock.now = booking.fabrique.ends_at + timedelta(minutes=16)
    await dispatcher.run_due()
    series.clock.now = booking.fabrique.ends_at + timedelta(days=3, minutes=1)
    await dispatcher.run_due()

    recap, chaser = [dm for dm in messenger.to(ALICE.user_id) if dm.recap_for is not None]
    assert f"(Fabrique n°{series.home} · séance 2/3)" in recap.text
    assert f"(n°{series.home} · séance 2/3) attend toujours sa documentation" in chaser.text
    assert recap.recap_for == chaser.recap_for == number  # the buttons document this session, not the first
    assert [dm.recap_for for dm in messenger.to(COORGANIZER.user_id) if dm.recap_for] == [number, number]


async def test_a_session_already_published_is_refused_by_its_rank(series: Series) -> None:
    await series.hold(2)
    await series.document(2)
    await series.publish(2)

    with pytest.raises(InvalidState) as refused:
        await series.services.documentation.check_can_document(GUILD_ID, series.sessions[1], ALICE)

    assert refused.value.key == "error.documentation.published"
    text = FR(refused.value.key, **refused.value.params)
    assert f"Fabrique n°{series.home} · séance 2/3 est déjà publiée" in text


# --- one article, one thread ------------------------------------------------------------------------------------------


async def test_two_sessions_published_one_after_the_other_make_one_post_and_one_thread(series: Series) -> None:
    await series.hold(1, 2)
    for rank in (1, 2):
        await series.document(rank)
    first = await series.publish(1)
    assert series.site.created == [f"fabrique-{series.home}-documentation"]
    assert chapter_ranks(series.site.content()) == [1]

    second = await series.publish(2)

    assert series.site.created == [f"fabrique-{series.home}-documentation"]  # updated, never created again
    html = series.site.content()
    assert chapter_ranks(html) == [1, 2]
    assert html.count("<h2>Présentation</h2>") == 1 and "un jeudi sur deux" in html
    assert "trois pistes" in html and "le problème partagé" in html
    assert first.wp_post_id == second.wp_post_id and second.wp_post_link == first.wp_post_link
    assert series.forum.threads == {first.forum_thread_id: [series.sessions[0], series.sessions[1]]}
    assert first.forum_message_id == first.forum_thread_id  # the first documented session opened the thread
    assert second.forum_thread_id == first.forum_thread_id
    assert second.forum_message_id not in (None, first.forum_thread_id)
    assert await series.services.documentation.series_thread(series.home) == first.forum_thread_id
    for number in series.sessions[:2]:
        assert (await series.services.sessions.get(GUILD_ID, number)).state is State.DOCUMENTED
    assert (await series.services.sessions.get(GUILD_ID, series.sessions[2])).state is State.APPROVED


async def test_a_later_session_documented_first_opens_the_thread_and_the_chapters_keep_their_order(
    series: Series,
) -> None:
    await series.hold(1, 2)
    await series.document(2)
    second = await series.publish(2)
    await series.document(1)

    first = await series.publish(1)

    assert chapter_ranks(series.site.content()) == [1, 2]
    assert series.forum.threads == {second.forum_thread_id: [series.sessions[1], series.sessions[0]]}
    assert first.forum_thread_id == second.forum_thread_id and len(series.site.posts) == 1


async def test_a_message_that_failed_is_posted_once_on_retry_and_nothing_else_is_made_again(series: Series) -> None:
    await series.hold(1, 2)
    for rank in (1, 2):
        await series.document(rank)
    first = await series.publish(1)
    series.forum.fail_messages = 1

    with pytest.raises(ConnectionError):
        await series.publish(2)
    failed = await series.services.documentation.get(series.sessions[1])
    assert failed.status is JobStatus.FAILED and failed.failure_key == "error.documentation.interrupted"
    retried = await series.publish(2)

    assert retried.status is JobStatus.PUBLISHED
    assert series.forum.threads == {first.forum_thread_id: [series.sessions[0], series.sessions[1]]}
    assert series.site.created == [f"fabrique-{series.home}-documentation"]
    assert chapter_ranks(series.site.content()) == [1, 2]
    assert len(series.site.media) == 1  # the series' one cover, found by its slug on the retry


async def test_a_post_created_whose_answer_was_lost_is_found_by_the_series_slug(series: Series) -> None:
    await series.hold(1)
    await series.document(1)
    series.site.lose_answers = 1

    failed = await series.publish(1)
    assert failed.status is JobStatus.FAILED and failed.failure_key == UNAVAILABLE
    assert series.forum.threads == {}  # WordPress first: no thread without its article
    published = await series.publish(1)

    assert published.status is JobStatus.PUBLISHED
    assert series.site.created == [f"fabrique-{series.home}-documentation"]
    assert published.wp_post_id == next(iter(series.site.posts))


async def test_two_sessions_published_at_the_same_moment_make_one_post_and_one_thread(series: Series) -> None:
    await series.hold(1, 2)
    for rank in (1, 2):
        await series.document(rank)

    first, second = await asyncio.gather(series.publish(1), series.publish(2))

    assert series.site.created == [f"fabrique-{series.home}-documentation"]
    assert chapter_ranks(series.site.content()) == [1, 2]
    assert len(series.forum.threads) == 1
    (messages,) = series.forum.threads.values()
    assert sorted(messages) == series.sessions[:2]
    assert first.wp_post_id == second.wp_post_id and first.forum_thread_id == second.forum_thread_id


async def test_a_single_fabrique_keeps_its_own_article_and_thread(
    services: Services, tmp_path: Path, database_url: str, clock: FakeClock
) -> None:
    await configure(services)
    fabrique = await approved_fabrique(services, ALICE)
    site, forum = Site(), Forum()
    jobs = DocumentationJobs(services.documentation, website_settings(tmp_path, database_url), texts, lambda: site)
    single = Series(services, clock, [fabrique.id], site, forum, jobs)
    await single.hold(1)
    await single.document(1)

    outcome = await jobs.publish(fabrique.id, ALICE, forum.open)

    doc = outcome.documentation
    assert doc.status is JobStatus.PUBLISHED and doc.forum_message_id is None
    assert site.created == [f"fabrique-{fabrique.id}-documentation"]
    assert "Séance" not in site.content() and "<h2>Compte-rendu</h2>" in site.content()
    assert forum.threads == {doc.forum_thread_id: [fabrique.id]}
    assert doc.fabrique.shown_number == fabrique.id


# --- the article's shape ----------------------------------------------------------------------------------------------


def test_a_chapter_is_the_session_s_article_one_level_down_under_its_heading() -> None:
    context = articles.ArticleContext(
        title="Écrire ensemble",
        date="mardi 15 mars 2027 à 14:00",
        format_label="Atelier",
        parcours_label="Express",
        method="3P",
        organizers="Alice",
        speaker="",
        description="Un cycle d'écriture.",
    )
    labels = articles.ArticleLabels(*(FR(f"article.{name}") for name in articles.ArticleLabels.__dataclass_fields__))
    report = "Problème partagé :\nComment écrire à plusieurs ?\n<h2>pas un titre</h2>"

    chapter = articles.compose_chapter(
        context, labels, rank=2, size=3, notes="", report=report, resources="", chat=None, transcript=None,
        audio_url=None,
    )  # fmt: skip
    whole = articles.compose_series(context, labels, rhythm="un mardi sur deux", size=3, chapters=[chapter])

    assert re.findall(r"<(h\d)>(.*?)</h\d>", chapter) == [
        ("h2", "Séance 2/3 · mardi 15 mars 2027 à 14:00"),
        ("h3", "Compte-rendu"),
        ("h4", "Problème partagé"),
    ]
    assert "<h2>pas un titre" not in chapter and "Un cycle d'écriture" not in chapter
    assert whole.startswith("<h2>Présentation</h2>\n<p>Un cycle d'écriture.</p>")
    assert "<li><strong>Rythme</strong> : un mardi sur deux</li>" in whole
    assert "<li><strong>Séances</strong> : 3</li>" in whole and "Date" not in whole.split("<h2>Séance")[0]
    assert articles.series_cover_text(context, labels, 3).date == "3 séances"

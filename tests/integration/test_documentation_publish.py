"""Publishing a prepared documentation on a REAL WordPress (Debian's package, served on 127.0.0.1), through the
service layer: a session driven to « documentation due » with a fake clock, a small real recording converted by
ffmpeg, then DocumentationJobs.publish — crashes and retries included. Nothing of WordPress is mocked: crashes are
injected in the bot's own client (a WordPressClient subclass) or in the forum poster.

Every test gets its own SQLite database, hence Fabrique numbers that would start at 1 each time while the
WordPress is shared by the session; each test therefore starts its numbering at its own 6-digit number, and gives
its Fabrique a title with a unique token, so searching WordPress for that token finds everything the test made —
including a duplicate WordPress would have renamed « …-2 ».

The last section holds regressions for bugs found while writing these tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from bot.db import migrate
from bot.db.engine import create_engine
from bot.domain.lifecycle import State
from bot.errors import InvalidState
from bot.i18n.fr import MESSAGES as FRENCH
from bot.integrations.wordpress import UNAVAILABLE, WordPressClient, WordPressError, WordPressPost
from bot.services import articles
from bot.services.clients import clients_from_settings
from bot.services.documentation import Documentation, JobStatus
from bot.services.documentation_jobs import DocumentationJobs
from tests.integration.publishing_bench import (
    CATEGORY,
    FIRST_NUMBERS,
    FORUM_THREAD,
    I18N,
    RESOURCES,
    Bench,
    Forum,
    covers_about,
    documentation_due,
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
from tests.unit.builders import ALICE, TEAM, configure
from tests.unit.conftest import FakeClock

# --- the WordPress, seen from outside the bot ---------------------------------------------------------------------


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


# --- the bot's side: settings, services, a session owed its documentation -------------------------------------------


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_recording(tmp_path_factory.mktemp("recording"))


@pytest.fixture
async def bench(wordpress: WordPressSite, tmp_path: Path) -> AsyncIterator[Bench]:
    settings = site_settings(tmp_path, wordpress, wordpress.admin_app_password)
    engine = create_engine(settings.database.url)
    await migrate.upgrade(engine)
    clock = FakeClock()
    services = services_on(engine, settings, clock)
    await configure(services)
    first = next(FIRST_NUMBERS)
    await start_numbering_at(services, settings, first)
    token = f"essai{secrets.token_hex(5)}"
    fabrique_id = await documentation_due(services, clock, f"Tiers-lieux culturels {token}")
    assert fabrique_id == first
    yield Bench(wordpress, tmp_path, clock, services, settings, fabrique_id, token)
    await engine.dispose()


def documentation_slug(fabrique_id: int) -> str:
    return f"fabrique-{fabrique_id}-documentation"


async def assert_published_once(
    bench: Bench, http: httpx.AsyncClient, *, with_audio: bool = True
) -> tuple[Documentation, dict[str, Any]]:
    """The stored ids point at the one media and the one post WordPress has for this Fabrique; it is documented."""
    doc = await bench.services.documentation.get(bench.fabrique_id)
    assert doc.status is JobStatus.PUBLISHED
    assert doc.failure_key is None
    assert doc.forum_thread_id == FORUM_THREAD
    assert await bench.state() is State.DOCUMENTED

    covers = await covers_about(http, bench.wordpress, bench.token)  # the cover card, once, whatever the retries
    assert len(covers) == 1 and covers[0]["slug"] == f"fabrique-{bench.fabrique_id}-couverture"
    media = await media_about(http, bench.wordpress, bench.token)
    if with_audio:
        assert [m["id"] for m in media] == [doc.wp_media_id]
        assert media[0]["source_url"] == doc.wp_media_url
        assert media[0]["slug"].startswith(f"fabrique-{bench.fabrique_id}-")
        assert media[0]["mime_type"] == "audio/mpeg"
    else:
        assert media == [] and doc.wp_media_id is None

    posts = await posts_about(http, bench.wordpress, bench.token)
    assert [p["id"] for p in posts] == [doc.wp_post_id]
    post = posts[0]
    assert post["slug"] == documentation_slug(bench.fabrique_id)
    assert post["status"] == "private"
    assert post["link"] == doc.wp_post_link
    assert post["categories"] == [bench.wordpress.categories[CATEGORY]]
    assert post["featured_media"] == covers[0]["id"]
    return doc, post


# --- 1. publication ---------------------------------------------------------------------------------------------


async def test_a_prepared_documentation_is_published_members_only(
    bench: Bench, http: httpx.AsyncClient, recording: bytes
) -> None:
    await bench.submit(recording)
    prepared = await bench.prepare(recording)
    assert "mutualiser" in (prepared.article_html or "")
    forum = Forum()

    outcome = await bench.jobs().publish(bench.fabrique_id, ALICE, post_to_forum=forum)

    assert outcome.documentation.status is JobStatus.PUBLISHED
    assert outcome.forum_thread_id == FORUM_THREAD
    assert forum.calls == [bench.fabrique_id]
    doc, post = await assert_published_once(bench, http)
    assert outcome.wordpress_link == doc.wp_post_link
    assert doc.wp_media_id and doc.wp_media_url and doc.wp_post_id and doc.wp_post_link

    # The article as WordPress stores it: the audio player on the uploaded MP3, the notes, the resources.
    raw = post["content"]["raw"]
    assert f'src="{doc.wp_media_url}"' in raw
    assert "<strong>mutualiser</strong>" in raw
    assert RESOURCES in raw
    assert raw == doc.article_html

    # The media is the converted recording, served whole.
    served = await http.get(doc.wp_media_url)
    assert served.status_code == 200
    assert served.content == await asyncio.to_thread(
        (bench.services.documentation.audio_dir / doc.audio_name).read_bytes
    )

    # Members only: a visitor reads neither the post through the API nor its page.
    anonymous = await rest(http, bench.wordpress, f"posts/{doc.wp_post_id}", as_admin=False)
    assert anonymous.status_code in (401, 403, 404), anonymous.text
    assert "mutualiser" not in anonymous.text
    listed = await rest(http, bench.wordpress, "posts", as_admin=False, search=bench.token)
    assert listed.status_code == 200 and listed.json() == []
    page = await http.get(doc.wp_post_link)
    assert "mutualiser" not in page.text

    # Publishing again is refused before anything is sent.
    with pytest.raises(InvalidState) as refused:
        await bench.services.documentation.check_can_publish(bench.fabrique_id, ALICE)
    assert refused.value.key == "error.documentation.published"


# --- 2. crashes and retries ---------------------------------------------------------------------------------------


class PostCreationCrashes(WordPressClient):
    """The bot dies right after the media upload was recorded, before the post is created (the first time only)."""

    crashes: ClassVar[list[str]] = []

    async def create_post(self, **fields: Any) -> WordPressPost:
        if not PostCreationCrashes.crashes:
            PostCreationCrashes.crashes.append(fields["slug"])
            raise RuntimeError("simulated crash before the post")
        return await super().create_post(**fields)


async def test_a_crash_between_the_media_and_the_post_makes_no_duplicate_on_retry(
    bench: Bench, http: httpx.AsyncClient, recording: bytes
) -> None:
    await bench.submit(recording)
    await bench.prepare(recording)
    PostCreationCrashes.crashes = []
    forum = Forum()

    with pytest.raises(RuntimeError, match="before the post"):
        await bench.jobs(client=bench.client(PostCreationCrashes)).publish(bench.fabrique_id, ALICE, forum)

    assert PostCreationCrashes.crashes == [documentation_slug(bench.fabrique_id)]
    interrupted = await bench.services.documentation.get(bench.fabrique_id)
    assert interrupted.status is JobStatus.FAILED and interrupted.failure_key == "error.documentation.interrupted"
    assert interrupted.wp_media_id is not None and interrupted.wp_post_id is None
    assert interrupted.wp_media_url and f'src="{interrupted.wp_media_url}"' in (interrupted.article_html or "")
    assert await bench.state() is State.DOCUMENTING
    assert forum.calls == []
    assert [m["id"] for m in await media_about(http, bench.wordpress, bench.token)] == [interrupted.wp_media_id]
    assert await posts_about(http, bench.wordpress, bench.token) == []
    # Nothing is left half-done: the job is failed, waiting for « Réessayer ».
    assert await bench.services.documentation.unfinished() == []

    outcome = await bench.jobs().publish(bench.fabrique_id, ALICE, forum)

    assert outcome.documentation.status is JobStatus.PUBLISHED
    doc, post = await assert_published_once(bench, http)
    assert doc.wp_media_id == interrupted.wp_media_id
    assert f'src="{doc.wp_media_url}"' in post["content"]["raw"]
    assert forum.calls == [bench.fabrique_id]


class UploadAnswerLost(WordPressClient):
    """WordPress stores the upload but the bot never records it (timeout on the answer, or a crash right after)."""

    uploads: ClassVar[list[int]] = []

    async def upload_media(self, *args: Any, **kwargs: Any) -> Any:
        media = await super().upload_media(*args, **kwargs)
        UploadAnswerLost.uploads.append(media.id)
        raise RuntimeError("simulated crash before the media id was recorded")


@pytest.mark.parametrize("audio_name", [None, "Ab--cd_Ef-.mp3"], ids=["random-name", "name-wordpress-rewrites"])
async def test_an_upload_whose_answer_was_lost_is_found_again_by_its_slug(
    bench: Bench, http: httpx.AsyncClient, recording: bytes, monkeypatch: pytest.MonkeyPatch, audio_name: str | None
) -> None:
    if audio_name is not None:
        # WordPress stores « fabrique-N-ab-cd_ef » for this one (dashes collapsed and trimmed); the lookup by slug
        # is sanitised the same way, so the retry still finds it.
        monkeypatch.setattr(bench.services.documentation, "new_audio_name", lambda: audio_name)
    await bench.submit(recording)
    await bench.prepare(recording)
    UploadAnswerLost.uploads = []
    forum = Forum()

    with pytest.raises(RuntimeError, match="media id"):
        await bench.jobs(client=bench.client(UploadAnswerLost)).publish(bench.fabrique_id, ALICE, forum)
    interrupted = await bench.services.documentation.get(bench.fabrique_id)
    assert (
        interrupted.wp_media_id is None
        and interrupted.status is JobStatus.FAILED
        and interrupted.failure_key == "error.documentation.interrupted"
    )
    assert len(UploadAnswerLost.uploads) == 1

    await bench.jobs().publish(bench.fabrique_id, ALICE, forum)

    doc, post = await assert_published_once(bench, http)
    assert doc.wp_media_id == UploadAnswerLost.uploads[0]
    assert f'src="{doc.wp_media_url}"' in post["content"]["raw"]
    if audio_name is not None:
        [media] = await media_about(http, bench.wordpress, bench.token)
        assert media["slug"] == f"fabrique-{bench.fabrique_id}-ab-cd_ef"


async def test_a_crash_before_the_forum_post_makes_no_second_article(
    bench: Bench, http: httpx.AsyncClient, recording: bytes
) -> None:
    await bench.submit(recording)
    await bench.prepare(recording)
    forum = Forum(failures=1)

    with pytest.raises(RuntimeError, match="forum"):
        await bench.jobs().publish(bench.fabrique_id, ALICE, forum)

    interrupted = await bench.services.documentation.get(bench.fabrique_id)
    assert interrupted.status is JobStatus.FAILED and interrupted.failure_key == "error.documentation.interrupted"
    assert interrupted.wp_post_id is not None and interrupted.forum_thread_id is None
    assert await bench.state() is State.DOCUMENTING
    assert [p["id"] for p in await posts_about(http, bench.wordpress, bench.token)] == [interrupted.wp_post_id]
    assert forum.calls == [bench.fabrique_id]

    outcome = await bench.jobs().publish(bench.fabrique_id, ALICE, forum)

    assert outcome.documentation.status is JobStatus.PUBLISHED
    assert outcome.forum_thread_id == FORUM_THREAD
    assert forum.calls == [bench.fabrique_id, bench.fabrique_id]  # the forum once more, WordPress not again
    doc, _ = await assert_published_once(bench, http)
    assert (doc.wp_post_id, doc.wp_media_id) == (interrupted.wp_post_id, interrupted.wp_media_id)


# --- 3. a wrong application password ------------------------------------------------------------------------------


async def test_a_wrong_application_password_fails_clearly_and_a_retry_publishes_once(
    bench: Bench, http: httpx.AsyncClient, recording: bytes
) -> None:
    await bench.submit(recording)
    await bench.prepare(recording)
    forum = Forum()
    wrong = "abcd EFGH ijkl MNOP qrst UVWX"  # the shape of an application password, not the site's

    outcome = await bench.jobs(app_password=wrong).publish(bench.fabrique_id, ALICE, forum)

    failed = outcome.documentation
    assert failed.status is JobStatus.FAILED
    assert failed.failure_key == "error.wordpress.auth"
    assert failed.failure_params == {}
    assert (outcome.wordpress_link, outcome.forum_thread_id) == (None, None)
    assert "mot de passe d'application" in FRENCH["error.wordpress.auth"]
    assert I18N(failed.failure_key, **failed.failure_params) == FRENCH["error.wordpress.auth"]
    assert await bench.services.documentation.get(bench.fabrique_id) == failed
    assert failed.wp_media_id is None and failed.wp_post_id is None
    assert await bench.state() is State.DOCUMENTING
    assert forum.calls == []
    assert await media_about(http, bench.wordpress, bench.token) == []
    assert await posts_about(http, bench.wordpress, bench.token) == []
    # « Réessayer » / « Publier » is offered again: the failed job may be published.
    await bench.services.documentation.check_can_publish(bench.fabrique_id, ALICE)

    retried = await bench.jobs().publish(bench.fabrique_id, ALICE, forum)

    assert retried.documentation.status is JobStatus.PUBLISHED
    await assert_published_once(bench, http)
    assert forum.calls == [bench.fabrique_id]


class Tags(HTMLParser):
    """The tags and attributes of an HTML fragment, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attributes += attrs


# --- 4. hostile notes -----------------------------------------------------------------------------------------------


async def test_scripts_and_event_handlers_in_the_notes_never_reach_wordpress(
    bench: Bench, http: httpx.AsyncClient
) -> None:
    hostile = (
        "Idées clés : **mutualiser** les outils.\n\n"
        "<script>alert('notes')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "<p onclick=alert(2) onerror=alert(3)>paragraphe</p>\n\n"
        "[un lien piégé](javascript:alert(4))\n\n"
        '<a href="javascript:alert(5)">autre lien</a>\n\n'
        "<svg/onload=alert(6)>\n"
    )
    await bench.submit(None, notes=hostile, resources=f"{RESOURCES}\n<img src=x onerror=alert(7)>")
    await bench.prepare(None)

    outcome = await bench.jobs().publish(bench.fabrique_id, ALICE, Forum())

    assert outcome.documentation.status is JobStatus.PUBLISHED
    _, post = await assert_published_once(bench, http, with_audio=False)
    edit = await rest(http, bench.wordpress, f"posts/{post['id']}", context="edit")
    assert edit.status_code == 200
    raw = edit.json()["content"]["raw"]
    assert raw  # the administrator's account may post any HTML: only the bot's sanitiser stands in the way
    notes_part, resources_part = raw.split(f"<h2>{I18N('article.resources')}</h2>")
    assert f"<h2>{I18N('article.notes')}</h2>" in notes_part
    for forbidden in ("<script", "onerror=", "onclick=", "onload=", "<img", "<svg", "alert('notes')"):
        assert forbidden not in notes_part.lower(), (forbidden, raw)
    # What is left is only harmless markup: allowed tags, no event handler, no javascript: link. (The refused
    # Markdown link stays as its inert text « [un lien piégé](javascript:…) ».)
    tags = Tags()
    tags.feed(raw)
    assert tags.names <= articles.ALLOWED_TAGS, tags.names
    assert not [a for a in tags.attributes if a[0].startswith("on")], tags.attributes
    assert not [a for a in tags.attributes if "javascript" in (a[1] or "").lower()], tags.attributes
    # A resource line that is not a link is shown as text: the tag typed there is escaped, inert.
    assert "<img" not in resources_part and "&lt;img src=x onerror=alert(7)&gt;" in resources_part
    assert "<strong>mutualiser</strong>" in raw
    assert "paragraphe" in raw and "un lien piégé" in raw
    assert f'href="{RESOURCES}"' in raw
    # Nor does WordPress's own rendering (the page members read) bring a tag or handler back.
    rendered = Tags()
    rendered.feed(edit.json()["content"]["rendered"])
    assert rendered.names <= articles.ALLOWED_TAGS, rendered.names
    assert not [a for a in rendered.attributes if a[0].startswith("on") or "javascript" in (a[1] or "").lower()]


# --- known bugs: each test states what should hold; strict, so a fix turns it into a failure to un-mark --------------


async def test_the_recording_of_a_members_only_article_is_not_listed_to_visitors(
    bench: Bench, http: httpx.AsyncClient, recording: bytes
) -> None:
    await bench.submit(recording)
    await bench.prepare(recording)
    await bench.jobs().publish(bench.fabrique_id, ALICE, Forum())
    doc = await bench.services.documentation.get(bench.fabrique_id)
    assert doc.status is JobStatus.PUBLISHED and doc.wp_media_url

    listed = await rest(http, bench.wordpress, "media", as_admin=False, media_type="audio", per_page=100)
    assert listed.status_code in (200, 401, 403)
    visible = [m.get("source_url") for m in listed.json()] if listed.status_code == 200 else []
    assert doc.wp_media_url not in visible
    one = await rest(http, bench.wordpress, f"media/{doc.wp_media_id}", as_admin=False)
    assert one.status_code in (401, 403, 404), one.text


async def test_a_crash_right_after_the_media_id_was_stored_still_publishes_the_audio(
    bench: Bench, http: httpx.AsyncClient, recording: bytes
) -> None:
    await bench.submit(recording)
    await bench.prepare(recording)
    calls: list[int] = []

    async def texts_then_crash(doc: Documentation) -> Any:
        calls.append(doc.fabrique.id)
        if len(calls) == 1:  # the first call of this publication: right after the media id was stored
            raise RuntimeError("simulated crash after the media id was stored")
        return await texts(doc)

    settings = site_settings(bench.tmp_path, bench.wordpress, bench.wordpress.admin_app_password)
    website = clients_from_settings(settings, bench.clock).wordpress
    crashing = DocumentationJobs(bench.services.documentation, settings, texts_then_crash, wordpress=website)
    with pytest.raises(RuntimeError, match="media id was stored"):
        await crashing.publish(bench.fabrique_id, ALICE, Forum())
    assert (await bench.services.documentation.get(bench.fabrique_id)).wp_media_id is not None

    await bench.jobs().publish(bench.fabrique_id, ALICE, Forum())

    doc, post = await assert_published_once(bench, http)
    assert f'src="{doc.wp_media_url}"' in post["content"]["raw"]


class SlowFindPost(WordPressClient):
    """Both publications look for the post before either creates it, as two clicks a moment apart do."""

    looked: ClassVar[list[str]] = []
    both_looked: ClassVar[asyncio.Event]

    async def find_post(self, slug: str) -> WordPressPost | None:
        found = await super().find_post(slug)
        SlowFindPost.looked.append(slug)
        if len(SlowFindPost.looked) >= 2:
            SlowFindPost.both_looked.set()
        # A fixed publication serialises the two: the first one then waits here in vain, and goes on.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(SlowFindPost.both_looked.wait(), timeout=10)
        return found


async def test_two_publications_at_once_make_one_article(bench: Bench, http: httpx.AsyncClient) -> None:
    await bench.submit(None)
    await bench.prepare(None)
    SlowFindPost.looked = []
    SlowFindPost.both_looked = asyncio.Event()
    forum = Forum()

    await asyncio.gather(
        bench.jobs(client=bench.client(SlowFindPost)).publish(bench.fabrique_id, ALICE, forum),
        bench.jobs(client=bench.client(SlowFindPost)).publish(bench.fabrique_id, TEAM, forum),
        return_exceptions=True,
    )

    await assert_published_once(bench, http, with_audio=False)
    assert forum.calls == [bench.fabrique_id]


class SiteDownForPosts(WordPressClient):
    async def create_post(self, **fields: Any) -> WordPressPost:
        raise WordPressError(UNAVAILABLE, "simulated 503", retryable=True, status=503)


async def test_a_new_recording_after_a_failed_publication_is_the_one_published(
    bench: Bench, http: httpx.AsyncClient, recording: bytes
) -> None:
    await bench.submit(recording)
    first = await bench.prepare(recording)
    failed = await bench.jobs(client=bench.client(SiteDownForPosts)).publish(bench.fabrique_id, ALICE, Forum())
    assert failed.documentation.status is JobStatus.FAILED
    assert failed.documentation.failure_key == "error.wordpress.unavailable"

    other = make_recording(bench.tmp_path, seconds=25, frequency=330)
    await bench.submit(other, notes="Notes corrigées")

    async def fetch(doc: Documentation, target: Path) -> int:
        await asyncio.to_thread(target.write_bytes, other)
        return len(other)

    async def progress(status: JobStatus, fraction: float) -> None:
        return None

    second = await bench.jobs().prepare(bench.fabrique_id, fetch, progress)
    assert second.audio_name != first.audio_name and second.audio_seconds == 25

    await bench.jobs().publish(bench.fabrique_id, ALICE, Forum())

    doc = await bench.services.documentation.get(bench.fabrique_id)
    served = await http.get(doc.wp_media_url or "")
    assert served.content == await asyncio.to_thread(
        (bench.services.documentation.audio_dir / doc.audio_name).read_bytes
    )

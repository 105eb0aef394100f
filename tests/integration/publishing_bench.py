"""Publishing a documentation on a REAL WordPress, through the service layer: the site seen from outside the bot
(its REST API, read as the administrator or as a visitor) and one test's bot side (``Bench``): its database, its
services and a Fabrique driven to « documentation due » with a fake clock.

Every test gets its own SQLite database, hence Fabrique numbers that would start at 1 each time while the WordPress
is shared by the session; each test therefore starts its numbering at its own 6-digit number (``FIRST_NUMBERS``,
``start_numbering_at``) and gives its Fabrique a title with a unique token, so searching WordPress for that token
finds everything the test made — including a duplicate WordPress would have renamed « …-2 ».
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import insert

from bot.config import Secrets, Settings, WordPressSettings
from bot.db.engine import create_engine
from bot.db.models import FabriqueRow
from bot.domain.lifecycle import Action, State
from bot.i18n import I18n
from bot.integrations import audio
from bot.integrations.wordpress import ARTICLE_STATUSES, WordPressClient
from bot.services import Services, articles
from bot.services.clients import clients_from_settings
from bot.services.documentation import Documentation, JobStatus, Path3P, Submission
from bot.services.documentation_jobs import DocumentationJobs
from tests.conftest import GUILD_ID, make_settings
from tests.integration.wordpress_server import WordPressSite
from tests.unit.builders import ALICE, BOT, DRAFT, TEAM, add_slot, announce
from tests.unit.conftest import FakeClock

CATEGORY = "Fabriques collectives"
NOTES = "Idées clés : **mutualiser** les outils de médiation.\n00:00:05 Ouverture\n00:00:12 Tour de table\n"
RESOURCES = "https://tmnlab.com/ressource-partagee"
FORUM_THREAD = 990000000000000123
I18N = I18n("fr")
# One run of numbers per session, away from the small numbers other tests' databases give on the same WordPress;
# six digits, so « fabrique-N- » is never the beginning of another test's « fabrique-M- ».
FIRST_NUMBERS = itertools.count(100000 + 1000 * secrets.randbelow(800))


# --- the WordPress, seen from outside the bot ---------------------------------------------------------------------


async def rest(
    http: httpx.AsyncClient, wordpress: WordPressSite, route: str, *, as_admin: bool = True, **params: Any
) -> httpx.Response:
    """A REST read through ``?rest_route=``, as the administrator or as an anonymous visitor."""
    auth = httpx.BasicAuth(wordpress.admin_username, wordpress.admin_app_password) if as_admin else None
    return await http.get(f"{wordpress.url}/", params={"rest_route": f"/wp/v2/{route}", **params}, auth=auth)


COVER_TYPE = "image/png"


async def media_about(http: httpx.AsyncClient, wordpress: WordPressSite, token: str) -> list[dict[str, Any]]:
    """Every recording whose title carries the test's token (the bot titles a recording after its Fabrique)."""
    return [m for m in await _uploads_about(http, wordpress, token) if m["mime_type"] != COVER_TYPE]


async def covers_about(http: httpx.AsyncClient, wordpress: WordPressSite, token: str) -> list[dict[str, Any]]:
    """Every cover card whose title carries the test's token."""
    return [m for m in await _uploads_about(http, wordpress, token) if m["mime_type"] == COVER_TYPE]


async def _uploads_about(http: httpx.AsyncClient, wordpress: WordPressSite, token: str) -> list[dict[str, Any]]:
    response = await rest(http, wordpress, "media", search=token, per_page=100, context="edit")
    assert response.status_code == 200, response.text
    return response.json()


async def posts_about(http: httpx.AsyncClient, wordpress: WordPressSite, token: str) -> list[dict[str, Any]]:
    """Every post, whatever its status, whose title carries the test's token."""
    response = await rest(http, wordpress, "posts", search=token, status=ARTICLE_STATUSES, per_page=100, context="edit")
    assert response.status_code == 200, response.text
    return response.json()


# --- the bot's side: settings, services, a session owed its documentation -------------------------------------------


def site_settings(tmp_path: Path, wordpress: WordPressSite, app_password: str) -> Settings:
    return make_settings(
        tmp_path,
        wordpress=WordPressSettings(
            enabled=True,
            url=wordpress.url,
            username=wordpress.admin_username,
            article_status="private",
            articles_category=CATEGORY,
        ),
        secrets=Secrets(wordpress_app_password=SecretStr(app_password)),
    )


async def texts(doc: Documentation) -> tuple[articles.ArticleContext, articles.ArticleLabels, audio.Tags]:
    """What cogs.documentation.article_texts gives, without Discord: French labels, the organizer as a number."""
    record = doc.fabrique
    organizers = ", ".join(f"membre {user_id}" for user_id in sorted(record.organizer_ids))
    date = I18N.date(record.starts_at) if record.starts_at else ""
    method = I18N(f"article.method.{doc.path.value}")
    context = articles.ArticleContext(
        title=record.title,
        date=date,
        format_label=I18N.label(record.format),
        parcours_label=I18N.label(record.parcours),
        method=method,
        organizers=organizers,
        speaker=record.speaker,
    )
    labels = articles.ArticleLabels(*(I18N(f"article.{name}") for name in articles.ArticleLabels.__dataclass_fields__))
    tags = audio.Tags(
        title=record.title,
        artist=organizers,
        album=I18N("calendar.name"),
        date=articles.stamp(record.starts_at) if record.starts_at else "",
        comment=f"{date} · {method}",
    )
    return context, labels, tags


def make_recording(directory: Path, *, seconds: int = 20, frequency: int = 220) -> bytes:
    """A small real M4A (mono AAC) with a speech-like envelope, as a member would attach it."""
    target = directory / f"session-{seconds}-{frequency}.m4a"
    subprocess.run(
        [
            "ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi",
            "-i", f"sine=frequency={frequency}:duration={seconds}", "-af", "volume=0.3,tremolo=f=4:d=0.7",
            "-ac", "1", "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", str(target),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return target.read_bytes()


@dataclass
class Forum:
    """The members-only forum: gives a thread id, and can be told to fail (the bot crashing) the next times."""

    failures: int = 0
    calls: list[int] = field(default_factory=list)

    async def __call__(self, doc: Documentation) -> int:
        self.calls.append(doc.fabrique.id)
        if self.failures:
            self.failures -= 1
            raise RuntimeError("simulated crash before the forum post")
        assert doc.wp_post_link, "the forum post links to the article: WordPress comes first"
        return FORUM_THREAD


@dataclass
class Bench:
    """One test's bot side: its database, its services, and a Fabrique owed its documentation."""

    wordpress: WordPressSite
    tmp_path: Path
    clock: FakeClock
    services: Services
    settings: Settings
    fabrique_id: int
    token: str

    def jobs(
        self, *, app_password: str | None = None, client: Callable[[], WordPressClient] | None = None
    ) -> DocumentationJobs:
        """DocumentationJobs as the bot builds them; a password other than the site's, or a client of our own."""
        settings = site_settings(self.tmp_path, self.wordpress, app_password or self.wordpress.admin_app_password)
        website = client or clients_from_settings(settings, self.clock).wordpress
        return DocumentationJobs(self.services.documentation, settings, texts, wordpress=website)

    def client(self, cls: type[WordPressClient] = WordPressClient, **kwargs: Any) -> Callable[[], WordPressClient]:
        site = self.wordpress
        return lambda: cls(site.url, site.admin_username, site.admin_app_password, timeout=60, **kwargs)

    async def submit(self, recording: bytes | None, notes: str = NOTES, resources: str = RESOURCES) -> Documentation:
        submission = Submission(
            path=Path3P.CLASSIQUE,
            notes=notes,
            resources=resources,
            source_kind="attachment" if recording is not None else None,
            source_url="https://cdn.discordapp.com/attachments/1/2/session.m4a" if recording is not None else None,
            source_name="session.m4a" if recording is not None else None,
            source_size=len(recording) if recording is not None else None,
        )
        doc = await self.services.documentation.submit(GUILD_ID, self.fabrique_id, ALICE, submission)
        assert doc.fabrique.state is State.DOCUMENTING
        return doc

    async def prepare(self, recording: bytes | None) -> Documentation:
        """The background job, with the attachment « read from Discord » being the real M4A."""
        seen: list[JobStatus] = []

        async def fetch(doc: Documentation, target: Path) -> int:
            await asyncio.to_thread(target.write_bytes, recording or b"")
            return len(recording or b"")

        async def progress(status: JobStatus, fraction: float) -> None:
            seen.append(status)

        doc = await self.jobs().prepare(self.fabrique_id, fetch, progress)
        assert doc.status is JobStatus.READY, (doc.failure_key, doc.failure_params)
        assert doc.article_html and doc.wp_media_id is None and doc.wp_post_id is None
        if recording is not None:
            assert doc.audio_name and doc.audio_name.endswith(".mp3") and doc.audio_seconds == 20
            assert JobStatus.CONVERTING in seen
        return doc

    async def state(self) -> State:
        return (await self.services.sessions.get(GUILD_ID, self.fabrique_id)).state


async def start_numbering_at(services: Services, settings: Settings, first: int) -> None:
    """The next Fabrique of this database gets number ``first`` (SQLite numbers after the highest row id)."""
    engine = create_engine(settings.database.url)
    now = datetime(2027, 1, 1, tzinfo=UTC)
    async with engine.begin() as connection:
        await connection.execute(
            insert(FabriqueRow).values(
                id=first - 1,
                guild_id=GUILD_ID + 1,
                organizer_id=TEAM.user_id,
                format=DRAFT.format.value,
                parcours=DRAFT.parcours.value,
                duration_minutes=DRAFT.duration_minutes,
                title="placeholder",
                description="placeholder",
                state=State.WITHDRAWN.value,
                created_at=now,
                updated_at=now,
            )
        )
    await engine.dispose()


async def documentation_due(services: Services, clock: FakeClock, title: str) -> int:
    """Proposed by ALICE, approved, booked on 15/03/2027 14:00 Paris, announced, ended, recap prompt sent."""
    record = await services.proposals.propose(GUILD_ID, ALICE, replace(DRAFT, title=title))
    await services.proposals.decide(GUILD_ID, record.id, TEAM, Action.APPROVE)
    slot = await add_slot(services, "15/03/2027", "14:00", 180)
    booking = await services.slots.book(GUILD_ID, record.id, slot.id, ALICE)
    await announce(services, record.id)
    assert booking.fabrique.ends_at is not None
    clock.now = booking.fabrique.ends_at + timedelta(minutes=16)
    await services.timeline.advance(record.id, Action.END, BOT)
    due = await services.timeline.advance(record.id, Action.PROMPT, BOT)
    assert due.state is State.DOCUMENTATION_DUE
    return record.id

"""The web door over real HTTP on 127.0.0.1: the upload page and its refusals, the agenda, the health check, and
nothing else. Real services on SQLite and PostgreSQL, real ffprobe; only Discord is faked (the DM with the link,
the documentation cog's job runner)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import icalendar
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import AudioSettings
from bot.db.models import UploadTokenRow
from bot.domain.documentation import JobStatus
from bot.domain.lifecycle import Action
from bot.domain.uploads import token_hash
from bot.errors import Forbidden
from bot.services.outreach import Event
from bot.services.uploads import UPLOAD, uploaded_path
from tests.conftest import GUILD_ID
from tests.integration.audio_samples import speech_like
from tests.integration.command_line import one_line, run_bot
from tests.integration.web_support import PUBLIC_URL, Door, door_settings, held_session, running_door
from tests.unit.builders import BOT, STRANGER, announced_session, count

MB = 1024 * 1024


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real 6 s speech-like M4A (about 50 kB)."""
    return speech_like(tmp_path_factory.mktemp("audio") / "session.m4a", seconds=6).read_bytes()


@pytest.fixture
async def door(engine: AsyncEngine, database_url: str, tmp_path: Path) -> AsyncIterator[Door]:
    async with running_door(engine, door_settings(tmp_path, database_url, max_input_mb=1)) as door:
        yield door


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def leftovers(door: Door) -> list[str]:
    work = door.uploads.work_dir
    return sorted(path.name for path in work.glob("*")) if work.exists() else []


async def post(
    http: aiohttp.ClientSession, url: str, body: object, name: str = "séance.m4a", **headers: str
) -> tuple[int, str]:
    async with http.post(url, data=body, headers={"X-Nom-Fichier": name, **headers}) as response:
        return response.status, await response.text()


# --- the page and a good upload ----------------------------------------------------------------------------------


async def test_the_page_shows_the_fabrique_a_file_picker_and_a_progress_bar(
    door: Door, http: aiohttp.ClientSession
) -> None:
    session = await held_session(door.services)
    token = await door.issue(session.id)
    async with http.get(door.url(token)) as response:
        assert response.status == 200
        page = await response.text()
        headers = response.headers
    assert response.content_type == "text/html"
    assert f"Fabrique n°{session.id}" in page and "« Les tiers-lieux culturels »" in page
    assert 'type="file"' in page and "<progress" in page and "XMLHttpRequest" in page
    assert 'name="viewport"' in page and 'lang="fr"' in page
    assert "http://" not in page and "https://" not in page  # nothing fetched from elsewhere
    assert "1 Mo au plus" in page
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'nonce-" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in page


async def test_an_upload_starts_the_job_once_and_uses_the_link_up(
    door: Door, http: aiohttp.ClientSession, recording: bytes, engine: AsyncEngine
) -> None:
    session = await held_session(door.services)
    token = await door.issue(session.id)

    status, page = await post(http, door.url(token), recording, "Séance du 15 mars.m4a")
    assert status == 200, page
    assert "Enregistrement reçu" in page and "messages privés" in page
    assert door.runner.started == [session.id]
    doc = await door.services.documentation.get(session.id)
    assert (doc.status, doc.source_kind, doc.source_name, doc.source_size) == (
        JobStatus.QUEUED,
        UPLOAD,
        "Séance du 15 mars.m4a",
        len(recording),
    )
    assert doc.requested_by == door.messenger.dms[-1].user_id  # the job's DMs go to whoever asked for the link
    assert uploaded_path(door.uploads.work_dir, session.id).read_bytes() == recording
    assert leftovers(door) == [f"{session.id}.upload"]  # no partial file left beside it
    assert await count(engine, UploadTokenRow, UploadTokenRow.used_at.is_not(None)) == 1

    async with http.get(door.url(token)) as response:  # the same link again: refused, clearly
        assert response.status == 410
        assert "déjà servi" in await response.text()
    status, page = await post(http, door.url(token), recording)
    assert status == 410 and "déjà servi" in page
    assert door.runner.started == [session.id]


async def test_the_form_without_javascript_uploads_too(
    door: Door, http: aiohttp.ClientSession, recording: bytes
) -> None:
    session = await held_session(door.services)
    token = await door.issue(session.id)
    form = aiohttp.FormData()
    form.add_field("enregistrement", recording, filename="zoom_0.m4a", content_type="audio/mp4")
    async with http.post(door.url(token), data=form) as response:
        assert response.status == 200, await response.text()
    doc = await door.services.documentation.get(session.id)
    assert (doc.source_name, doc.source_size) == ("zoom_0.m4a", len(recording))


# --- refusals: the link ------------------------------------------------------------------------------------------


async def test_a_wrong_link_is_not_found(door: Door, http: aiohttp.ClientSession, recording: bytes) -> None:
    for token in ("x" * 43, "nope", "%00%2F..%2Fetc"):
        async with http.get(door.url(token)) as response:
            assert response.status == 404
            assert "n'existe pas" in await response.text()
    status, page = await post(http, door.url("y" * 43), recording)
    assert status == 404 and "n'existe pas" in page
    assert door.runner.started == [] and leftovers(door) == []


async def test_an_expired_link_is_refused_and_changes_nothing(
    door: Door, http: aiohttp.ClientSession, recording: bytes
) -> None:
    session = await held_session(door.services)
    token = await door.issue(session.id)
    door.clock.advance(hours=door.settings.web.upload_hours, seconds=1)
    async with http.get(door.url(token)) as response:
        assert response.status == 410
        assert "a expiré" in await response.text()
    status, page = await post(http, door.url(token), recording)
    assert status == 410 and "a expiré" in page
    assert door.runner.started == [] and leftovers(door) == []
    assert (await door.services.sessions.get(GUILD_ID, session.id)).state.value == "held"


async def test_a_link_is_tried_at_most_five_times_a_minute(door: Door, http: aiohttp.ClientSession) -> None:
    session = await held_session(door.services)
    token = await door.issue(session.id)
    for _ in range(5):
        async with http.get(door.url(token)) as response:
            assert response.status == 200
    async with http.get(door.url(token)) as response:
        assert response.status == 429
        assert int(response.headers["Retry-After"]) >= 1
        assert "Trop de tentatives" in await response.text()
    for _ in range(6):  # an unknown link is not counted (see test_web_door_flood): it stays « not found »
        async with http.get(door.url("z" * 43)) as response:
            assert response.status == 404


async def test_a_session_already_being_documented_refuses_a_second_upload(
    door: Door, http: aiohttp.ClientSession, recording: bytes
) -> None:
    session = await held_session(door.services)
    first, second = await door.issue(session.id), await door.issue(session.id)
    assert (await post(http, door.url(first), recording))[0] == 200
    async with http.get(door.url(second)) as response:
        assert response.status == 409
        assert "déjà en cours" in await response.text()
    status, _ = await post(http, door.url(second), recording)
    assert status == 409
    assert door.runner.started == [session.id]
    target = await door.uploads.open(second)
    assert target.state.value == "valid"  # refused, so not used up


async def test_one_upload_at_a_time_per_link(door: Door, http: aiohttp.ClientSession, recording: bytes) -> None:
    session = await held_session(door.services)
    token = await door.issue(session.id)
    release = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield recording[:1000]
        await release.wait()
        yield recording[1000:]

    first = asyncio.create_task(post(http, door.url(token), slow_body()))
    await asyncio.sleep(0.3)
    status, page = await post(http, door.url(token), recording)
    assert status == 409 and "déjà en cours" in page
    release.set()
    assert (await first)[0] == 200
    assert door.runner.started == [session.id]


# --- refusals: the file ------------------------------------------------------------------------------------------


async def test_a_file_announced_too_big_is_refused_at_once(door: Door, http: aiohttp.ClientSession) -> None:
    session = await held_session(door.services)
    token = await door.issue(session.id)
    body = b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(2 * MB)
    status, page = await post(http, door.url(token), body)
    assert status == 413 and "(1 Mo)" in page and "Choisir un autre fichier" in page
    assert leftovers(door) == [] and door.runner.started == []
    assert (await door.uploads.open(token)).state.value == "valid"


async def test_a_streamed_file_is_cut_as_soon_as_it_passes_the_cap(door: Door, http: aiohttp.ClientSession) -> None:
    session = await held_session(door.services)
    token = await door.issue(session.id)
    sent = 0

    async def endless() -> AsyncIterator[bytes]:  # chunked: no length announced, so the cap is met while reading
        nonlocal sent
        yield b"RIFF\x00\x00\x00\x00WAVEfmt "
        for _ in range(16 * 8):  # up to 8 MB
            sent += 64 * 1024
            yield bytes(64 * 1024)

    status, page = await post(http, door.url(token), endless())
    assert status == 413 and "(1 Mo)" in page
    assert leftovers(door) == []  # the partial file is gone
    assert (await door.uploads.open(token)).state.value == "valid"


async def test_a_file_that_is_not_a_recording_is_refused(
    door: Door, http: aiohttp.ClientSession, recording: bytes
) -> None:
    session = await held_session(door.services)
    token = await door.issue(session.id)
    playlist = b"#EXTM3U\n#EXT-X-TARGETDURATION:10\nhttp://169.254.169.254/latest/meta-data\n"
    lying = b"RIFF\x00\x10\x00\x00WAVE" + bytes(range(256)) * 64  # a WAV signature, then nothing an ffprobe reads
    for body in (playlist, b"%PDF-1.7\n" + bytes(5000), lying):
        status, page = await post(http, door.url(token), body, "enregistrement.m4a")
        assert status == 415, page
        assert "n'est pas un enregistrement audio ou vidéo" in page and "Choisir un autre fichier" in page
        assert leftovers(door) == []
    status, page = await post(http, door.url(token), b"")
    assert status == 400 and "vide" in page
    assert door.runner.started == []
    assert (await post(http, door.url(token), recording))[0] == 200  # still usable for the real recording


async def test_big_files_are_looked_at_while_they_come_and_checked_whole_when_that_is_not_enough(
    engine: AsyncEngine, database_url: str, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    """Past 2 MB, ffprobe reads the file's headers during the upload; a file that only starts like a recording, or
    an MP4 indexed at its end, is probed again once whole."""
    forged = b"RIFF\x00\x10\x00\x00WAVEjunk" + bytes(range(256)) * (12 * 1024)
    indexed_at_end = speech_like(tmp_path / "local.m4a", seconds=520, faststart=False).read_bytes()
    assert min(len(forged), len(indexed_at_end)) > 2 * MB
    async with running_door(engine, door_settings(tmp_path, database_url, max_input_mb=20)) as door:
        session = await held_session(door.services)
        token = await door.issue(session.id)
        status, page = await post(http, door.url(token), forged)
        assert status == 415 and "n'est pas un enregistrement" in page
        assert leftovers(door) == []
        status, page = await post(http, door.url(token), indexed_at_end, "zoom_local.m4a")
        assert status == 200, page
        assert door.runner.started == [session.id]


async def test_a_recording_longer_than_allowed_is_refused(
    engine: AsyncEngine, database_url: str, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    settings = door_settings(tmp_path, database_url).model_copy(update={"audio": AudioSettings(max_duration_minutes=1)})
    long_one = speech_like(tmp_path / "long.m4a", seconds=75).read_bytes()
    async with running_door(engine, settings) as door:
        session = await held_session(door.services)
        token = await door.issue(session.id)
        status, page = await post(http, door.url(token), long_one)
    assert status == 413 and "au-delà des 1 min" in page
    assert door.runner.started == []


async def test_a_sender_that_goes_away_leaves_nothing_behind(door: Door, recording: bytes) -> None:
    session = await held_session(door.services)
    token = await door.issue(session.id)
    port = int(door.base.rsplit(":", 1)[1])
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST /depot/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: audio/mp4\r\n"
        f"Content-Length: {len(recording) + 500_000}\r\n\r\n"
    )
    writer.write(head.encode() + recording)
    await writer.drain()
    await asyncio.sleep(0.3)
    writer.close()
    for _ in range(100):
        if not leftovers(door):
            break
        await asyncio.sleep(0.05)
    assert leftovers(door) == []
    assert door.runner.started == []
    assert (await door.uploads.open(token)).state.value == "valid"


# --- /agenda.ics, /sante, and nothing else -------------------------------------------------------------------------


async def test_the_agenda_lists_upcoming_announced_sessions_without_their_zoom_link(
    door: Door, http: aiohttp.ClientSession
) -> None:
    upcoming = await announced_session(door.services)
    async with http.get(f"{door.base}/agenda.ics") as response:
        assert response.status == 200
        assert response.content_type == "text/calendar"
        body = await response.read()
    assert b"zoom.us" not in body and b"pwd=" not in body
    calendar = icalendar.Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert [str(event["UID"]) for event in events] == [f"fabrique-{upcoming.id}-{GUILD_ID}@fabrique"]
    assert str(events[0]["SUMMARY"]) == upcoming.title
    assert events[0].decoded("DTSTART") == upcoming.starts_at
    assert "REFRESH-INTERVAL" in calendar
    async with http.get(f"{door.base}/agenda.ics") as response:  # the same UID every time: calendars update
        again = icalendar.Calendar.from_ical(await response.read())
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in events]

    await door.services.timeline.advance(upcoming.id, Action.END, BOT)  # held: no longer upcoming
    async with http.get(f"{door.base}/agenda.ics") as response:
        assert icalendar.Calendar.from_ical(await response.read()).walk("VEVENT") == []


async def test_the_website_post_invites_readers_to_subscribe_to_the_agenda(door: Door) -> None:
    upcoming = await announced_session(door.services)
    text = await door.services.outreach.texts(upcoming, Event.ANNOUNCE)
    assert f'<a href="{PUBLIC_URL}/agenda.ics">abonnez-vous au calendrier</a>' in text.website_html
    assert "agenda.ics" not in text.text and "agenda.ics" not in text.html  # the e-mails carry their own .ics


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        ({"base": True, "discord": True, "planificateur": True}, 200),
        ({"base": True, "discord": False, "planificateur": True}, 503),
        ({"base": "raises", "discord": True, "planificateur": True}, 503),
        ({"base": True, "discord": True, "planificateur": "hangs"}, 503),
    ],
)
async def test_the_health_check_answers_200_only_when_everything_does(
    engine: AsyncEngine,
    database_url: str,
    tmp_path: Path,
    http: aiohttp.ClientSession,
    answers: dict[str, object],
    status: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.web.health.CHECK_SECONDS", 0.2)

    def check(answer: object):  # synchronous and asynchronous checks are both accepted
        async def hangs() -> bool:
            await asyncio.sleep(10)
            return True

        def raises() -> bool:
            raise ConnectionError("database gone")

        return {"raises": raises, "hangs": hangs}.get(answer, lambda: answer)  # type: ignore[arg-type]

    checks = {name: check(answer) for name, answer in answers.items()}
    settings = door_settings(tmp_path, database_url)
    async with running_door(engine, settings, checks=checks) as door, http.get(f"{door.base}/sante") as response:
        assert response.status == status
        report = await response.json()
    assert report["etat"] == ("ok" if status == 200 else "indisponible")
    assert report["verifications"] == {name: answer is True for name, answer in answers.items()}


async def test_nothing_else_is_served(door: Door, http: aiohttp.ClientSession) -> None:
    for path in ("/", "/depot", "/depot/", "/depot/a/b", "/admin", "/agenda.ics/x", "/../etc/passwd", "/.env"):
        async with http.get(door.base + path) as response:
            assert response.status == 404, path
            assert "Cette page n'existe pas" in await response.text()
    async with http.post(f"{door.base}/agenda.ics", data=b"x") as response:
        assert response.status == 405
    async with http.delete(f"{door.base}/sante") as response:
        assert response.status == 405


async def test_no_token_is_ever_logged(
    door: Door, http: aiohttp.ClientSession, recording: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    session = await held_session(door.services)
    token = await door.issue(session.id)
    async with http.get(door.url(token)) as response:
        assert response.status == 200
    await post(http, door.url(token), b"not a recording at all, sorry")
    assert (await post(http, door.url(token), recording))[0] == 200
    async with http.get(door.url(token)) as response:
        assert response.status == 410
    lines = [(record.name, record.getMessage()) for record in caplog.records]
    assert any(f"fabrique {session.id}" in line for _, line in lines)  # the fabrique is named instead
    assert any("/depot/…" in line for _, line in lines)  # the access log names the route
    assert [line for _, line in lines if token in line] == []
    hashed = token_hash(token)  # (the database driver's DEBUG lines show the hash it looks up, which opens nothing)
    assert [line for name, line in lines if name.startswith(("bot", "aiohttp")) and hashed in line] == []


async def test_a_stranger_gets_no_link(door: Door) -> None:
    session = await held_session(door.services)
    before = len(door.messenger.dms)
    with pytest.raises(Forbidden) as refused:
        await door.uploads.issue(GUILD_ID, session.id, STRANGER)
    assert refused.value.key == "error.not_organizer_or_team"
    assert door.messenger.dms[before:] == []


@pytest.mark.parametrize("healthy", [True, False])
async def test_the_container_health_check_asks_the_door(
    engine: AsyncEngine, database_url: str, tmp_path: Path, healthy: bool
) -> None:
    """``python -m bot sante`` (the image's HEALTHCHECK) asks ``/sante`` when the door is on."""
    checks = {"base": lambda: True, "discord": lambda: healthy, "planificateur": lambda: True}
    async with running_door(engine, door_settings(tmp_path, database_url), checks=checks) as door:
        port = door.web.port
        (tmp_path / "config.toml").write_text(
            f'[web]\nenabled = true\nlisten = "0.0.0.0:{port}"\npublic_url = "{PUBLIC_URL}"\n', encoding="utf-8"
        )
        result = await asyncio.to_thread(run_bot, tmp_path, "sante")
    if healthy:
        assert result.returncode == 0, result.stderr
        assert "En bonne santé" in result.stdout
    else:
        assert result.returncode == 1
        assert "discord" in one_line(result.stderr)

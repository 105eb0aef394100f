"""The Zoom client against a local server that answers as Zoom documents: OAuth, meetings, and Zoom's bad days.

Time never passes for real: the token's expiry follows an injected clock and every wait goes to a recording sleep.
"""

from __future__ import annotations

import base64
import logging
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from bot.config import Secrets, ZoomSettings
from bot.domain.recordings import Presence, presence
from bot.integrations.download import DownloadError
from bot.integrations.zoom import ZoomClient, ZoomError, ZoomMeeting
from bot.services.clients import clients_from_settings
from tests.conftest import make_settings
from tests.integration.zoom_fake import (
    FakeZoom,
    audio_file,
    chat_file,
    participant,
    resolve_public,
    transcript_file,
    video_file,
)

ACCOUNT_ID = "fabrique-account-42"
CLIENT_ID = "fabriqueClientId"
CLIENT_SECRET = "s3cret-never-logged"
HOST_USER = "animation@tmnlab.example"
PARIS = ZoneInfo("Europe/Paris")
START = datetime(2025, 3, 12, 18, 30, tzinfo=PARIS)  # 17:30 UTC: Paris is UTC+1 in March before the DST switch
START_UTC = "2025-03-12T17:30:00Z"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class RecordingSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
async def zoom() -> AsyncIterator[FakeZoom]:
    async with FakeZoom(
        account_id=ACCOUNT_ID, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, host_user=HOST_USER
    ) as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def client(zoom: FakeZoom, clock: FakeClock, sleep: RecordingSleep) -> AsyncIterator[ZoomClient]:
    zoom_client = make_client(zoom, clock, sleep)
    yield zoom_client
    await zoom_client.aclose()


def make_client(zoom: FakeZoom, clock: FakeClock, sleep: RecordingSleep, **overrides: object) -> ZoomClient:
    options: dict[str, object] = {
        "account_id": ACCOUNT_ID,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "host_user": HOST_USER,
        "api_base": zoom.api_base,
        "oauth_url": zoom.oauth_url,
        "clock": clock,
        "sleep": sleep,
        "timeout": 5.0,
    }
    return ZoomClient(**{**options, **overrides})  # type: ignore[arg-type]


async def create(client: ZoomClient, topic: str = "Cartographier les communs") -> ZoomMeeting:
    return await client.create_meeting(
        topic=topic, start=START, duration_minutes=120, timezone="Europe/Paris", agenda="Atelier — classique"
    )


def bearer(request_headers: dict[str, str]) -> str:
    scheme, _, token = request_headers["authorization"].partition(" ")
    assert scheme == "Bearer"
    return token


def closed_port() -> int:
    """A port nothing listens on: connections to it are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- creating a meeting ----------------------------------------------------------------------------------------------


async def test_create_meeting_sends_what_zoom_documents(client: ZoomClient, zoom: FakeZoom) -> None:
    meeting = await create(client)

    [oauth] = zoom.oauth_requests
    assert oauth.method == "POST"
    assert oauth.query == {"grant_type": "account_credentials", "account_id": ACCOUNT_ID}
    expected_basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert oauth.headers["authorization"] == f"Basic {expected_basic}"

    [api] = zoom.api_requests
    assert (api.method, api.path) == ("POST", f"/v2/users/{HOST_USER}/meetings")
    assert bearer(api.headers) == zoom.issued_tokens[0]
    assert api.headers["content-type"] == "application/json"
    assert api.json == {
        "topic": "Cartographier les communs",
        "type": 2,
        "start_time": START_UTC,
        "duration": 120,
        "timezone": "Europe/Paris",
        "agenda": "Atelier — classique",
        "settings": {
            "waiting_room": True,
            "join_before_host": False,
            "host_video": True,
            "participant_video": False,
            "mute_upon_entry": True,
            "auto_recording": "cloud",  # [zoom] auto_recording's default: the bot fetches it after the session
        },
    }

    stored = zoom.meetings[meeting.id]
    assert meeting == ZoomMeeting(id=stored["id"], join_url=stored["join_url"], start_url=stored["start_url"])
    assert meeting.join_url.startswith("https://") and "/j/" in meeting.join_url
    assert "/s/" in meeting.start_url
    assert meeting.join_url not in repr(meeting) and meeting.start_url not in repr(meeting)


async def test_a_naive_start_time_is_refused_before_calling_zoom(client: ZoomClient, zoom: FakeZoom) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        naive = datetime(2025, 3, 12, 18, 30)  # noqa: DTZ001 - the mistake under test
        await client.create_meeting(topic="Sans fuseau", start=naive, duration_minutes=90, timezone="Europe/Paris")
    assert zoom.requests == []


# --- the access token ------------------------------------------------------------------------------------------------


async def test_the_token_is_reused_until_a_minute_before_it_expires(
    client: ZoomClient, zoom: FakeZoom, clock: FakeClock
) -> None:
    await create(client, "Première")
    await create(client, "Deuxième")
    assert len(zoom.oauth_requests) == 1

    clock.advance(3600 - 61)
    await create(client, "Troisième")
    assert len(zoom.oauth_requests) == 1

    clock.advance(2)  # now inside the last minute of the hour
    await create(client, "Quatrième")
    assert len(zoom.oauth_requests) == 2
    assert [bearer(request.headers) for request in zoom.api_requests] == [
        zoom.issued_tokens[0],
        zoom.issued_tokens[0],
        zoom.issued_tokens[0],
        zoom.issued_tokens[1],
    ]


async def test_a_token_zoom_ended_early_is_replaced_once(client: ZoomClient, zoom: FakeZoom) -> None:
    await create(client, "Avant")
    zoom.expire_tokens()

    meeting = await create(client, "Après")

    assert meeting.id in zoom.meetings
    assert len(zoom.oauth_requests) == 2
    assert [bearer(request.headers) for request in zoom.api_requests] == [
        zoom.issued_tokens[0],
        zoom.issued_tokens[0],  # answered 401 {"code": 124}
        zoom.issued_tokens[1],
    ]


async def test_a_fresh_token_refused_again_is_an_auth_error_without_a_loop(client: ZoomClient, zoom: FakeZoom) -> None:
    zoom.fail_api(401)  # e.g. the app lost its meeting scopes

    with pytest.raises(ZoomError) as caught:
        await create(client)

    assert caught.value.key == "error.zoom.auth"
    assert caught.value.retryable is False
    assert len(zoom.oauth_requests) == 2
    assert len(zoom.api_requests) == 2


async def test_a_wrong_client_secret_is_an_auth_error_not_worth_retrying(
    zoom: FakeZoom, clock: FakeClock, sleep: RecordingSleep
) -> None:
    client = make_client(zoom, clock, sleep, client_secret="not-the-secret")
    try:
        with pytest.raises(ZoomError) as caught:
            await create(client)
    finally:
        await client.aclose()

    assert caught.value.key == "error.zoom.auth"
    assert caught.value.retryable is False
    assert caught.value.status == 401
    assert len(zoom.oauth_requests) == 1
    assert zoom.api_requests == []
    assert sleep.calls == []


async def test_a_wrong_account_id_is_an_auth_error(zoom: FakeZoom, clock: FakeClock, sleep: RecordingSleep) -> None:
    client = make_client(zoom, clock, sleep, account_id="someone-else")
    try:
        with pytest.raises(ZoomError) as caught:
            await create(client)
    finally:
        await client.aclose()

    assert (caught.value.key, caught.value.retryable) == ("error.zoom.auth", False)
    assert zoom.api_requests == []


# --- Zoom's bad days -------------------------------------------------------------------------------------------------


async def test_429_waits_as_long_as_retry_after_says(client: ZoomClient, zoom: FakeZoom, sleep: RecordingSleep) -> None:
    zoom.rate_limit_once(retry_after_seconds=2)

    meeting = await create(client)

    assert meeting.id in zoom.meetings
    assert sleep.calls == [2]
    assert len(zoom.api_requests) == 2


async def test_a_retry_after_longer_than_a_minute_is_left_to_a_later_attempt(
    client: ZoomClient, zoom: FakeZoom, sleep: RecordingSleep
) -> None:
    zoom.rate_limit_once(retry_after_seconds=3600)  # a daily quota: do not hold the request for an hour

    with pytest.raises(ZoomError) as caught:
        await create(client)

    assert (caught.value.key, caught.value.retryable) == ("error.zoom.unavailable", True)
    assert sleep.calls == []
    assert zoom.meetings == {}


async def test_two_server_errors_then_success_back_off(
    client: ZoomClient, zoom: FakeZoom, sleep: RecordingSleep
) -> None:
    zoom.fail_api(503, times=2)

    meeting = await create(client)

    assert meeting.id in zoom.meetings
    assert sleep.calls == [1, 2]
    assert len(zoom.api_requests) == 3


async def test_server_errors_that_do_not_stop_give_up_after_max_attempts(
    client: ZoomClient, zoom: FakeZoom, sleep: RecordingSleep
) -> None:
    zoom.fail_api(500)

    with pytest.raises(ZoomError) as caught:
        await create(client)

    assert caught.value.key == "error.zoom.unavailable"
    assert caught.value.retryable is True
    assert len(zoom.api_requests) == 4
    assert sleep.calls == [1, 2, 4]


async def test_an_unreachable_zoom_is_unavailable_after_max_attempts(
    zoom: FakeZoom, clock: FakeClock, sleep: RecordingSleep
) -> None:
    client = make_client(zoom, clock, sleep, api_base=f"http://127.0.0.1:{closed_port()}/v2", max_attempts=3)
    try:
        with pytest.raises(ZoomError) as caught:
            await create(client)
    finally:
        await client.aclose()

    assert (caught.value.key, caught.value.retryable) == ("error.zoom.unavailable", True)
    assert sleep.calls == [1, 2]


async def test_a_meeting_zoom_refuses_is_rejected(client: ZoomClient, zoom: FakeZoom) -> None:
    with pytest.raises(ZoomError) as caught:
        await client.create_meeting(
            topic="x" * 201, start=START, duration_minutes=90, timezone="Europe/Paris"
        )  # Zoom limits topics to 200 characters

    assert (caught.value.key, caught.value.retryable) == ("error.zoom.rejected", False)
    assert (caught.value.status, caught.value.code) == (400, 300)


# --- moving and deleting ---------------------------------------------------------------------------------------------


async def test_update_patches_only_the_given_fields(client: ZoomClient, zoom: FakeZoom) -> None:
    meeting = await create(client)
    later = datetime(2025, 4, 2, 18, 0, tzinfo=PARIS)  # 16:00 UTC: Paris is UTC+2 after the DST switch

    await client.update_meeting(
        meeting.id, topic="Cartographier les communs (nouvelle date)", start=later, duration_minutes=150
    )

    patch = zoom.api_requests[-1]
    assert (patch.method, patch.path) == ("PATCH", f"/v2/meetings/{meeting.id}")
    assert bearer(patch.headers) == zoom.issued_tokens[0]
    assert patch.json == {
        "topic": "Cartographier les communs (nouvelle date)",
        "start_time": "2025-04-02T16:00:00Z",
        "duration": 150,
    }
    stored = zoom.meetings[meeting.id]
    assert (stored["start_time"], stored["duration"], stored["join_url"]) == (
        "2025-04-02T16:00:00Z",
        150,
        meeting.join_url,
    )

    await client.update_meeting(meeting.id, timezone="Europe/Brussels")
    assert zoom.api_requests[-1].json == {"timezone": "Europe/Brussels"}


async def test_an_update_with_nothing_to_change_calls_nobody(client: ZoomClient, zoom: FakeZoom) -> None:
    await client.update_meeting(123)
    assert zoom.requests == []


async def test_updating_a_meeting_zoom_does_not_know_is_rejected(client: ZoomClient, zoom: FakeZoom) -> None:
    with pytest.raises(ZoomError) as caught:
        await client.update_meeting(99999999999, duration_minutes=90)

    assert (caught.value.key, caught.value.retryable) == ("error.zoom.rejected", False)
    assert (caught.value.status, caught.value.code) == (404, 3001)


async def test_delete_removes_the_meeting_and_a_second_delete_is_fine(client: ZoomClient, zoom: FakeZoom) -> None:
    meeting = await create(client)

    await client.delete_meeting(meeting.id)
    assert meeting.id not in zoom.meetings
    delete = zoom.api_requests[-1]
    assert (delete.method, delete.path) == ("DELETE", f"/v2/meetings/{meeting.id}")
    assert bearer(delete.headers) == zoom.issued_tokens[0]

    await client.delete_meeting(meeting.id)  # Zoom answers 404 {"code": 3001}: already gone is what we wanted
    await client.delete_meeting(424242)
    assert [request.method for request in zoom.api_requests] == ["POST", "DELETE", "DELETE", "DELETE"]


async def test_a_host_link_is_asked_of_zoom_each_time_and_is_new_each_time(client: ZoomClient, zoom: FakeZoom) -> None:
    meeting = await create(client)

    first = await client.host_link(meeting.id)
    second = await client.host_link(meeting.id)
    assert first != second and first != meeting.start_url  # Zoom issues a new one: the old expires within hours
    assert second == zoom.meetings[meeting.id]["start_url"]
    assert [(r.method, r.path) for r in zoom.api_requests[1:]] == [("GET", f"/v2/meetings/{meeting.id}")] * 2
    with pytest.raises(ZoomError) as caught:
        await client.host_link(99999999999)
    assert (caught.value.key, caught.value.status, caught.value.code) == ("error.zoom.rejected", 404, 3001)


# --- secrets stay out of the logs ------------------------------------------------------------------------------------


async def test_logs_never_show_the_secret_the_tokens_or_the_links(
    client: ZoomClient, zoom: FakeZoom, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    zoom.rate_limit_once()
    meeting = await create(client)
    zoom.expire_tokens()
    zoom.fail_api(502, times=1)
    await client.update_meeting(meeting.id, duration_minutes=90)
    await client.delete_meeting(meeting.id)

    assert "Zoom meeting" in caplog.text, "the client should log what it did, by meeting id"
    assert str(meeting.id) in caplog.text
    for secret in [CLIENT_SECRET, *zoom.issued_tokens, meeting.join_url, meeting.start_url]:
        assert secret not in caplog.text
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert basic not in caplog.text


# --- cloud recordings, attendance, trash ------------------------------------------------------------------------------


@pytest.fixture
async def cloud(zoom: FakeZoom, clock: FakeClock, sleep: RecordingSleep) -> AsyncIterator[ZoomClient]:
    """A client whose downloads reach the fake server for Zoom's hosts, as DNS would send them to Zoom."""
    zoom.clock = clock
    zoom_client = make_client(zoom, clock, sleep, transport=zoom.transport(), resolve=resolve_public)
    yield zoom_client
    await zoom_client.aclose()


def paths(zoom: FakeZoom) -> list[tuple[str, str]]:
    return [(request.method, request.path) for request in zoom.requests if request.path != "/oauth/token"]


async def test_meetings_record_as_configured(zoom: FakeZoom, clock: FakeClock, tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        zoom=ZoomSettings(
            enabled=True,
            account_id=ACCOUNT_ID,
            client_id=CLIENT_ID,
            host_user=HOST_USER,
            api_base=zoom.api_base,
            oauth_url=zoom.oauth_url,
            auto_recording="local",
        ),
        secrets=Secrets(zoom_client_secret=SecretStr(CLIENT_SECRET)),
    )
    clients = clients_from_settings(settings, clock)
    try:
        assert clients.zoom is not None
        meeting = await create(clients.zoom)  # type: ignore[arg-type]
    finally:
        await clients.aclose()
    assert zoom.meetings[meeting.id]["settings"]["auto_recording"] == "local"


async def test_a_meeting_without_recording_is_none(cloud: ZoomClient, zoom: FakeZoom) -> None:
    meeting = await create(cloud)

    assert await cloud.meeting_recordings(meeting.id) is None  # Zoom: 404 {"code": 3301}

    listing = zoom.api_requests[-1]
    assert (listing.method, listing.path) == ("GET", f"/v2/meetings/{meeting.id}/recordings")
    assert bearer(listing.headers) == zoom.issued_tokens[0]


async def test_a_recording_is_listed_then_processed(cloud: ZoomClient, zoom: FakeZoom, clock: FakeClock) -> None:
    meeting = await create(cloud)
    zoom.add_recording(
        meeting.id,
        [audio_file(b"m4a" * 100), video_file(b"mp4" * 1000), transcript_file("WEBVTT\n"), chat_file("chat\n")],
        listed_at=clock.now + timedelta(minutes=20),
        ready_at=clock.now + timedelta(hours=1),
    )

    assert await cloud.meeting_recordings(meeting.id) is None  # not listed yet: still 404

    clock.advance(30 * 60)
    processing = await cloud.meeting_recordings(meeting.id)
    assert processing is not None and processing.uuid == zoom.meetings[meeting.id]["uuid"]
    assert {(f.file_type, f.status) for f in processing.files} == {
        ("M4A", "processing"),
        ("MP4", "processing"),
        ("TRANSCRIPT", "processing"),
        ("CHAT", "processing"),
    }

    clock.advance(31 * 60)
    done = await cloud.meeting_recordings(meeting.id)
    assert done is not None
    by_type = {f.file_type: f for f in done.files}
    assert all(f.completed for f in done.files)
    assert (by_type["M4A"].recording_type, by_type["M4A"].extension, by_type["M4A"].size) == ("audio_only", "M4A", 300)
    assert by_type["TRANSCRIPT"].extension == "VTT" and by_type["CHAT"].extension == "TXT"
    assert by_type["MP4"].download_url.startswith("https://us06web.zoom.us/rec/download/")
    assert by_type["MP4"].download_url not in repr(done)


async def test_a_download_takes_the_token_to_zoom_only_then_follows_the_signed_redirect(
    cloud: ZoomClient, zoom: FakeZoom, tmp_path: Path
) -> None:
    content = bytes(range(256)) * 400
    meeting = await create(cloud)
    zoom.add_recording(meeting.id, [audio_file(content)])
    recording = await cloud.meeting_recordings(meeting.id)
    assert recording is not None

    target = tmp_path / "audio.source"
    written = await cloud.download_recording(recording.files[0].download_url, target, max_bytes=1 << 20)

    assert written == len(content) and target.read_bytes() == content
    download, storage = [r for r in zoom.requests if r.path.startswith("/rec/")]
    assert download.path == f"/rec/download/{recording.files[0].id}"
    assert bearer(download.headers) == zoom.issued_tokens[0]
    assert storage.path.startswith("/rec/storage/") and "authorization" not in storage.headers


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/rec/download/abc",
        "https://zoom.us.evil.example/rec/download/abc",
        "https://evilzoom.us/rec/download/abc",
        "http://us06web.zoom.us/rec/download/abc",  # not https
        "https://us06web.zoom.us\\@127.0.0.1/rec/download/abc",
    ],
)
async def test_a_download_outside_zoom_is_refused_before_any_request(
    cloud: ZoomClient, zoom: FakeZoom, tmp_path: Path, url: str
) -> None:
    target = tmp_path / "audio.source"
    with pytest.raises(DownloadError) as refused:
        await cloud.download_recording(url, target, max_bytes=1 << 20)
    assert refused.value.key in {"error.zoom.download_host", "error.download.scheme"}
    assert not target.exists()
    assert [r for r in zoom.requests if r.path.startswith("/rec/")] == []


async def test_a_redirect_away_from_zoom_is_refused_and_leaves_no_file(
    cloud: ZoomClient, zoom: FakeZoom, tmp_path: Path
) -> None:
    meeting = await create(cloud)
    zoom.add_recording(meeting.id, [audio_file(b"x" * 1000, redirect_to="https://storage.evil.example/a.m4a")])
    recording = await cloud.meeting_recordings(meeting.id)
    assert recording is not None
    target = tmp_path / "audio.source"

    with pytest.raises(DownloadError) as refused:
        await cloud.download_recording(recording.files[0].download_url, target, max_bytes=1 << 20)

    assert refused.value.key == "error.zoom.download_host"
    assert not target.exists()


async def test_a_zoom_name_resolving_inside_the_network_is_refused(
    zoom: FakeZoom, clock: FakeClock, sleep: RecordingSleep, tmp_path: Path
) -> None:
    async def inside(host: str, port: int) -> list[str]:
        return ["10.0.0.7"]

    client = make_client(zoom, clock, sleep, transport=zoom.transport(), resolve=inside)
    try:
        with pytest.raises(DownloadError) as refused:
            await client.download_recording("https://us06web.zoom.us/rec/download/abc", tmp_path / "x", max_bytes=10)
    finally:
        await client.aclose()
    assert refused.value.key == "error.download.private"
    assert [r for r in zoom.requests if r.path.startswith("/rec/")] == []


async def test_a_file_that_lies_about_its_size_is_cut_at_the_cap_and_refused(
    cloud: ZoomClient, zoom: FakeZoom, tmp_path: Path
) -> None:
    meeting = await create(cloud)
    zoom.add_recording(meeting.id, [audio_file(b"\0" * (3 << 20), declared_size=1000)])
    recording = await cloud.meeting_recordings(meeting.id)
    assert recording is not None and recording.files[0].size == 1000  # what the listing claims
    target = tmp_path / "audio.source"

    with pytest.raises(DownloadError) as refused:
        await cloud.download_recording(recording.files[0].download_url, target, max_bytes=1 << 20)

    assert (refused.value.key, refused.value.params) == ("error.download.too_large", {"maximum": 1})
    assert not target.exists()
    assert zoom.downloaded == [recording.files[0].id]


async def test_a_file_still_processing_cannot_be_downloaded(
    cloud: ZoomClient, zoom: FakeZoom, clock: FakeClock, tmp_path: Path
) -> None:
    meeting = await create(cloud)
    zoom.add_recording(meeting.id, [audio_file(b"m4a")], ready_at=clock.now + timedelta(hours=3))
    recording = await cloud.meeting_recordings(meeting.id)
    assert recording is not None and not recording.files[0].completed
    target = tmp_path / "audio.source"

    with pytest.raises(DownloadError) as refused:
        await cloud.download_recording(recording.files[0].download_url, target, max_bytes=1 << 20)

    assert refused.value.key == "error.zoom.download_failed"
    assert not target.exists()


async def test_participants_walk_every_page_and_people_count_once(cloud: ZoomClient, zoom: FakeZoom) -> None:
    meeting = await create(cloud)
    rows = [
        participant("Alice", 110),
        participant("Bob", 50),
        participant("Alice", 5),  # Alice's connection dropped; she came back
        participant("Camille", 120),
        participant("Invité·e", 3, status="in_waiting_room"),  # never let in
    ]
    recording = zoom.add_recording(meeting.id, [audio_file(b"m4a")], participants=rows)
    zoom.participants_page_size = 2

    found = await cloud.past_participants(recording.uuid)

    assert len(found) == 5
    pages = [r for r in zoom.api_requests if r.path.endswith("/participants")]
    assert [r.query.get("next_page_token") for r in pages] == [None, "2", "4"]
    assert all(r.query["page_size"] == "300" for r in pages)
    assert presence(found) == Presence(participants=3, average_seconds=round((115 + 50 + 120) * 60 / 3))


@pytest.mark.parametrize(
    ("uuid", "encoded"),
    [
        ("/ajXp112QmuoKj4854875==", "%252FajXp112QmuoKj4854875%253D%253D"),  # starts with "/": encoded twice
        ("aDYlo//hsHRtCd4ii1uC2+hA==", "aDYlo%252F%252FhsHRtCd4ii1uC2%252BhA%253D%253D"),  # holds "//": twice
        ("4444AAAiAAAAAiAiAiiAii==", "4444AAAiAAAAAiAiAiiAii%3D%3D"),  # otherwise once
    ],
)
async def test_instance_uuids_are_encoded_as_zoom_asks(
    cloud: ZoomClient, zoom: FakeZoom, uuid: str, encoded: str
) -> None:
    meeting = await create(cloud)
    zoom.add_recording(meeting.id, [audio_file(b"m4a")], participants=[participant("Alice", 90)], uuid=uuid)

    found = await cloud.past_participants(uuid)
    by_uuid = await cloud.meeting_recordings(uuid)

    assert len(found) == 1 and by_uuid is not None and by_uuid.uuid == uuid
    sent = [request.raw_path for request in zoom.api_requests][-2:]  # as sent, before the server decoded them
    assert sent == [f"/v2/past_meetings/{encoded}/participants", f"/v2/meetings/{encoded}/recordings"]


async def test_trash_moves_the_recording_and_a_second_trash_is_fine(cloud: ZoomClient, zoom: FakeZoom) -> None:
    meeting = await create(cloud)
    recording = zoom.add_recording(meeting.id, [audio_file(b"m4a")])

    await cloud.trash_recordings(meeting.id)
    assert recording.trashed
    trash = zoom.api_requests[-1]
    assert (trash.method, trash.path, trash.query) == (
        "DELETE",
        f"/v2/meetings/{meeting.id}/recordings",
        {"action": "trash"},
    )
    assert await cloud.meeting_recordings(meeting.id) is None

    await cloud.trash_recordings(meeting.id)  # already in the trash: 404 {"code": 3301}, which is what we wanted


async def test_recording_logs_show_neither_tokens_nor_download_links(
    cloud: ZoomClient, zoom: FakeZoom, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    meeting = await create(cloud)
    zoom.add_recording(meeting.id, [audio_file(b"m4a" * 10)], participants=[participant("Alice Martin", 90)])
    recording = await cloud.meeting_recordings(meeting.id)
    assert recording is not None
    await cloud.download_recording(recording.files[0].download_url, tmp_path / "a", max_bytes=1 << 20)
    await cloud.past_participants(recording.uuid)
    await cloud.trash_recordings(meeting.id)

    # httpx's own request lines are silenced by bot.logs (they name every URL): what the client itself says
    ours = "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("bot."))
    assert "cloud recording" in ours
    for secret in [*zoom.issued_tokens, recording.files[0].download_url, recording.files[0].id, "Alice Martin"]:
        assert secret not in ours

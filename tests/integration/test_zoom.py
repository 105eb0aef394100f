"""The Zoom client against a local server that answers as Zoom documents: OAuth, meetings, and Zoom's bad days.

Time never passes for real: the token's expiry follows an injected clock and every wait goes to a recording sleep.
"""

from __future__ import annotations

import base64
import logging
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.integrations.zoom import ZoomClient, ZoomError, ZoomMeeting
from tests.integration.zoom_fake import FakeZoom

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

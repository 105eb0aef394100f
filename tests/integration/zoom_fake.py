"""A local stand-in for Zoom's OAuth server and Meetings API, answering the way Zoom documents it.

Zoom cannot be reached from the test machines, so this server on 127.0.0.1 checks what a real Zoom would check
(method, ``grant_type=account_credentials``, account id, HTTP Basic credentials, bearer tokens, a JSON body) and
answers with Zoom's status codes and JSON shapes. It records every request so tests can assert on the wire format,
and it can be told to misbehave the ways Zoom does: a token that dies before its hour, 429 with Retry-After, 5xx.

Cloud recordings follow the same rule (see « cloud recordings » below): a meeting's recording is listed only from
``listed_at`` (before: 404, code 3301, « no recording »), its files are ``processing`` until ``ready_at`` (by the
server's ``clock``, which a test may point at simulated time), downloads need the bearer token and redirect to a
signed storage URL, and a file can lie about its size or redirect somewhere that is not Zoom. Download URLs name
Zoom's hosts (``https://us06web.zoom.us/rec/download/…``): ``transport()`` routes those hosts to this server, and
``resolve_public`` answers the client's public-address check for them, as DNS would for the real Zoom.

    async with FakeZoom(account_id=..., client_id=..., client_secret=...) as zoom:
        client = ZoomClient(..., api_base=zoom.api_base, oauth_url=zoom.oauth_url)
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, unquote

import httpx
from aiohttp import web

from bot.config import ZoomSettings

HOST = "127.0.0.1"
# The account the outreach tests give both a FakeZoom and the bot's settings.
ZOOM_IDS = {"account_id": "acc-1", "client_id": "client-1", "client_secret": "s3cret"}
TOKEN_LIFETIME_SECONDS = 3600
SCOPE = "meeting:write:meeting:admin meeting:update:meeting:admin meeting:delete:meeting:admin"
INVALID_TOKEN = {"code": 124, "message": "Invalid access token."}
NOT_JSON = {"code": 300, "message": "Request Body should be a valid JSON object."}
INVALID_CLIENT = {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
DEFAULT_MEETING_SETTINGS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "join_before_host": False,
    "mute_upon_entry": False,
    "waiting_room": False,
    "approval_type": 2,
    "audio": "voip",
    "auto_recording": "none",
}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: bytes = field(repr=False)
    raw_path: str = ""  # the path as sent, still percent-encoded (``path`` is decoded once, as Zoom decodes it)

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode())) if self.body else {}


@dataclass
class _Failure:
    status: int
    remaining: int | None  # None: every request until cleared
    retry_after: str | None = None


class FakeZoom:
    """Zoom's OAuth endpoint and the create / update / delete meeting endpoints, on a free local port."""

    def __init__(self, *, account_id: str, client_id: str, client_secret: str, host_user: str = "me") -> None:
        self.account_id = account_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.host_user = host_user
        self.requests: list[RecordedRequest] = []
        self.meetings: dict[int, dict[str, Any]] = {}
        self.issued_tokens: list[str] = []
        self._valid_tokens: set[str] = set()
        self._failures: list[_Failure] = []
        self._next_meeting_id = 81234567890
        self.recordings: dict[int, FakeRecording] = {}  # cloud recordings by meeting id (latest instance)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # when files stop « processing »
        self.participants_page_size = MAX_PAGE_SIZE  # lower it to make a test walk through several pages
        self.downloaded: list[str] = []  # ids of the files served in full or in part
        self.summaries: dict[str, dict[str, Any]] = {}  # AI Companion summaries by meeting id or UUID
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- life cycle ------------------------------------------------------------------------------------------------

    def settings(self, **overrides: Any) -> ZoomSettings:
        """``[zoom]`` pointed at this server, with its account and client; ``overrides`` change any key."""
        values: dict[str, Any] = {
            "enabled": True,
            "account_id": self.account_id,
            "client_id": self.client_id,
            "host_user": self.host_user,
            "api_base": self.api_base,
            "oauth_url": self.oauth_url,
        }
        return ZoomSettings(**{**values, **overrides})

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/oauth/token", self._token)
        app.router.add_post("/v2/users/{user_id}/meetings", self._create_meeting)
        app.router.add_get("/v2/meetings/{meeting_id}", self._get_meeting)
        app.router.add_patch("/v2/meetings/{meeting_id}", self._update_meeting)
        app.router.add_delete("/v2/meetings/{meeting_id}", self._delete_meeting)
        # A UUID may hold "/", encoded: the routes take everything up to the last segment, as Zoom decodes it.
        app.router.add_get("/v2/meetings/{meeting:.+}/recordings", self._list_recordings)
        app.router.add_delete("/v2/meetings/{meeting:.+}/recordings", self._trash_recordings)
        app.router.add_get("/v2/past_meetings/{meeting:.+}/participants", self._participants)
        app.router.add_get("/rec/download/{file_id}", self._download)
        app.router.add_get("/rec/storage/{file_id}", self._storage)
        app.router.add_get("/v2/meetings/{meeting_id}/meeting_summary", self._meeting_summary)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def oauth_url(self) -> str:
        return f"http://{HOST}:{self.port}/oauth/token"

    @property
    def api_base(self) -> str:
        return f"http://{HOST}:{self.port}/v2"

    # --- what the tests look at and control -------------------------------------------------------------------------

    @property
    def oauth_requests(self) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == "/oauth/token"]

    @property
    def api_requests(self) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path.startswith("/v2/")]

    def expire_tokens(self) -> None:
        """Every token issued so far stops working, as when Zoom ends one early; new tokens work."""
        self._valid_tokens.clear()

    def rate_limit_once(self, retry_after_seconds: int = 2) -> None:
        """The next API request gets 429 with ``Retry-After``, as when the per-second quota is exceeded."""
        self._failures.append(_Failure(429, 1, str(retry_after_seconds)))

    def fail_api(self, status: int = 503, *, times: int | None = None) -> None:
        """The next ``times`` API requests (every one when ``None``) answer ``status`` instead of working."""
        self._failures.append(_Failure(status, times))

    # --- handlers ----------------------------------------------------------------------------------------------------

    async def _record(self, request: web.Request) -> RecordedRequest:
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers={name.lower(): value for name, value in request.headers.items()},
            body=await request.read(),
            raw_path=request.raw_path.split("?", 1)[0],
        )
        self.requests.append(recorded)
        return recorded

    async def _token(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        # Zoom takes the parameters from the query string (as documented) or from a form body.
        parameters = {**recorded.form, **recorded.query}
        if parameters.get("grant_type") != "account_credentials":
            return web.json_response(
                {"reason": "unsupported grant type", "error": "unsupported_grant_type"}, status=400
            )
        if not _basic_auth_matches(recorded.headers.get("authorization", ""), self.client_id, self.client_secret):
            return web.json_response(INVALID_CLIENT, status=401)
        if parameters.get("account_id") != self.account_id:
            return web.json_response({"reason": "Invalid account_id", "error": "invalid_request"}, status=400)
        token = f"fake-zoom-token-{secrets.token_urlsafe(24)}"
        self.issued_tokens.append(token)
        self._valid_tokens.add(token)
        return web.json_response(
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": TOKEN_LIFETIME_SECONDS,
                "scope": SCOPE,
                "api_url": f"http://{HOST}:{self.port}",
            }
        )

    def _injected_failure(self) -> web.Response | None:
        for failure in self._failures:
            if failure.remaining is not None and failure.remaining <= 0:
                continue
            if failure.remaining is not None:
                failure.remaining -= 1
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else None
            body = (
                INVALID_TOKEN
                if failure.status == 401
                else {"code": failure.status, "message": "You have reached the maximum per-second rate limit."}
                if failure.status == 429
                else {"code": failure.status, "message": "Internal Server Error."}
            )
            return web.json_response(body, status=failure.status, headers=headers)
        return None

    def _unauthorised(self, recorded: RecordedRequest) -> web.Response | None:
        scheme, _, token = recorded.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token not in self._valid_tokens:
            return web.json_response(INVALID_TOKEN, status=401)
        return None

    async def _api_guard(self, request: web.Request) -> tuple[RecordedRequest, web.Response | None]:
        recorded = await self._record(request)
        return recorded, self._injected_failure() or self._unauthorised(recorded)

    async def _create_meeting(self, request: web.Request) -> web.Response:
        recorded, refusal = await self._api_guard(request)
        if refusal is not None:
            return refusal
        user_id = request.match_info["user_id"]
        if user_id != self.host_user:
            return web.json_response({"code": 1001, "message": f"User does not exist: {user_id}."}, status=404)
        body = _json_object(recorded)
        if body is None:
            return web.json_response(
                {"code": 300, "message": "Request Body should be a valid JSON object."}, status=400
            )
        invalid = _invalid_fields(body, creating=True)
        if invalid:
            return _validation_failed(invalid)
        meeting_id = self._next_meeting_id
        self._next_meeting_id += 1
        password = secrets.token_hex(3)
        meeting = {
            "uuid": base64.b64encode(secrets.token_bytes(16)).decode(),
            "id": meeting_id,
            "host_id": "KdYKjnimT4KPd8FFgQt9FQ",
            "host_email": user_id if "@" in user_id else "host@example.org",
            "topic": body["topic"],
            "type": body["type"],
            "status": "waiting",
            "start_time": body["start_time"],
            "duration": body.get("duration", 60),
            "timezone": body.get("timezone", "UTC"),
            "agenda": body.get("agenda", ""),
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "start_url": f"https://us06web.zoom.us/s/{meeting_id}?zak={secrets.token_urlsafe(32)}",
            "join_url": f"https://us06web.zoom.us/j/{meeting_id}?pwd={secrets.token_urlsafe(16)}",
            "password": password,
            "h323_password": password,
            "pstn_password": password,
            "encrypted_password": secrets.token_urlsafe(16),
            "settings": {**DEFAULT_MEETING_SETTINGS, **body.get("settings", {})},
            "pre_schedule": False,
        }
        self.meetings[meeting_id] = meeting
        return web.json_response(meeting, status=201)

    async def _get_meeting(self, request: web.Request) -> web.Response:
        """Zoom issues a new ``start_url`` (a new ZAK) each time the meeting is read: a host link lives ~2 hours."""
        _, refusal = await self._api_guard(request)
        if refusal is not None:
            return refusal
        meeting = self._meeting(request)
        if meeting is None:
            return _meeting_not_found(request)
        meeting["start_url"] = f"https://us06web.zoom.us/s/{meeting['id']}?zak={secrets.token_urlsafe(32)}"
        return web.json_response(meeting)

    async def _update_meeting(self, request: web.Request) -> web.Response:
        recorded, refusal = await self._api_guard(request)
        if refusal is not None:
            return refusal
        meeting = self._meeting(request)
        if meeting is None:
            return _meeting_not_found(request)
        body = _json_object(recorded)
        if body is None:
            return web.json_response(
                {"code": 300, "message": "Request Body should be a valid JSON object."}, status=400
            )
        invalid = _invalid_fields(body, creating=False)
        if invalid:
            return _validation_failed(invalid)
        settings = {**meeting["settings"], **body.pop("settings", {})}
        meeting.update(body, settings=settings)
        return web.Response(status=204)

    async def _delete_meeting(self, request: web.Request) -> web.Response:
        _, refusal = await self._api_guard(request)
        if refusal is not None:
            return refusal
        meeting = self._meeting(request)
        if meeting is None:
            return _meeting_not_found(request)
        del self.meetings[meeting["id"]]
        return web.Response(status=204)

    def _meeting(self, request: web.Request) -> dict[str, Any] | None:
        try:
            return self.meetings.get(int(request.match_info["meeting_id"]))
        except ValueError:
            return None

    # --- cloud recordings ------------------------------------------------------------------------------------------

    def add_recording(
        self,
        meeting_id: int,
        files: list[FakeFile],
        *,
        listed_at: datetime | None = None,
        ready_at: datetime | None = None,
        participants: list[dict[str, Any]] | None = None,
        uuid: str | None = None,
    ) -> FakeRecording:
        """The meeting's cloud recording: listed from ``listed_at`` (at once when None), its files processing until
        ``ready_at`` (ready at once when None), with the past meeting's participant rows."""
        meeting = self.meetings.get(meeting_id, {})
        recording = FakeRecording(
            meeting_id=meeting_id,
            uuid=uuid or meeting.get("uuid") or base64.b64encode(secrets.token_bytes(16)).decode(),
            topic=meeting.get("topic", "Fabrique"),
            files=files,
            listed_at=listed_at,
            ready_at=ready_at,
            participants=participants or [],
        )
        self.recordings[meeting_id] = recording
        return recording

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport that sends requests for Zoom's hosts here (the rest goes where it says)."""
        return ZoomHostsHere(self.port)

    def _recording_of(self, request: web.Request) -> FakeRecording | web.Response:
        """The recording the path names (a meeting id or an instance UUID), or Zoom's 404 answer."""
        named = request.match_info["meeting"]
        if "%" in named:  # aiohttp decoded the path once; a double-encoded UUID is decoded once more
            named = unquote(named)
        elif named.startswith("/") or "//" in named:  # sent encoded once: Zoom cannot read it
            return _meeting_not_found_named(named)
        for recording in self.recordings.values():
            listed = recording.listed_at is None or self.clock() >= recording.listed_at
            if named in (str(recording.meeting_id), recording.uuid) and not recording.trashed and listed:
                return recording
        if named.isdigit() and int(named) not in self.meetings and int(named) not in self.recordings:
            return _meeting_not_found_named(named)
        return web.json_response(NO_RECORDING, status=404)

    async def _list_recordings(self, request: web.Request) -> web.Response:
        _, refusal = await self._api_guard(request)
        if refusal is not None:
            return refusal
        recording = self._recording_of(request)
        if isinstance(recording, web.Response):
            return recording
        return web.json_response(recording.listing(self.clock()))

    async def _trash_recordings(self, request: web.Request) -> web.Response:
        recorded, refusal = await self._api_guard(request)
        if refusal is not None:
            return refusal
        if recorded.query.get("action", "trash") not in ("trash", "delete"):
            return _validation_failed(["action"])
        recording = self._recording_of(request)
        if isinstance(recording, web.Response):
            return recording
        recording.trashed = True
        return web.Response(status=204)

    async def _participants(self, request: web.Request) -> web.Response:
        recorded, refusal = await self._api_guard(request)
        if refusal is not None:
            return refusal
        recording = self._recording_of(request)
        if isinstance(recording, web.Response):
            return recording
        try:
            size = min(int(recorded.query.get("page_size", "30")), MAX_PAGE_SIZE, self.participants_page_size)
            start = int(recorded.query.get("next_page_token") or "0")
        except ValueError:
            return _validation_failed(["page_size"])
        rows = recording.participants
        page = rows[start : start + size]
        following = start + size if start + size < len(rows) else None
        return web.json_response(
            {
                "page_count": max(1, -(-len(rows) // size)),
                "page_size": size,
                "total_records": len(rows),
                "next_page_token": str(following) if following is not None else "",
                "participants": page,
            }
        )

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """Zoom's download URL: the account's bearer token, then a redirect to signed storage."""
        recorded = await self._record(request)
        refusal = self._unauthorised(recorded)
        if refusal is not None:
            return refusal
        found = self._file(request.match_info["file_id"])
        if found is None or not found[0].ready(self.clock()) or found[0].trashed:
            return web.json_response(NO_RECORDING, status=404)
        file = found[1]
        location = file.redirect_to or f"https://ssrweb.zoom.us/rec/storage/{file.id}?signature={file.signature}"
        return web.Response(status=302, headers={"Location": location})

    async def _storage(self, request: web.Request) -> web.StreamResponse:
        """The signed storage URL: no token needed (nor accepted: it would have leaked here), the bytes follow."""
        recorded = await self._record(request)
        found = self._file(request.match_info["file_id"])
        if found is None or recorded.query.get("signature") != found[1].signature:
            return web.Response(status=403, text="<Error><Code>AccessDenied</Code></Error>")
        if "authorization" in recorded.headers:
            return web.Response(status=400, text="<Error><Code>InvalidArgument</Code></Error>")
        file = found[1]
        self.downloaded.append(file.id)
        if not file.lies:
            return web.Response(body=file.content, content_type="application/octet-stream")
        response = web.StreamResponse()  # no Content-Length: chunked, as much as it likes
        response.content_type = "application/octet-stream"
        await response.prepare(request)
        try:
            for start in range(0, len(file.content), 1 << 16):
                await response.write(file.content[start : start + (1 << 16)])
        except ConnectionError:  # the client stopped reading at its cap
            return response
        await response.write_eof()
        return response

    def _file(self, file_id: str) -> tuple[FakeRecording, FakeFile] | None:
        for recording in self.recordings.values():
            for file in recording.files:
                if file.id == file_id:
                    return recording, file
        return None

    # --- AI Companion meeting summaries ----------------------------------------------------------------------------

    def add_summary(self, meeting_id: int | str, **fields: Any) -> dict[str, Any]:
        """Give a meeting the summary AI Companion would write; ``fields`` replace parts of the documented shape."""
        summary = summary_response(int(meeting_id) if str(meeting_id).isdigit() else 0, **fields)
        self.summaries[str(meeting_id)] = summary
        return summary

    async def _meeting_summary(self, request: web.Request) -> web.Response:
        _, refusal = await self._api_guard(request)
        if refusal is not None:
            return refusal
        # aiohttp decodes the path once; Zoom decodes a double-encoded UUID once more.
        meeting_id = request.match_info["meeting_id"]
        summary = self.summaries.get(meeting_id) or self.summaries.get(unquote(meeting_id))
        if summary is None:
            # No summary (AI Companion off, not ready, unknown meeting): Zoom answers 404 with code 3001.
            return _meeting_not_found(request)
        return web.json_response(summary)


def summary_response(meeting_id: int, **fields: Any) -> dict[str, Any]:
    """The body of ``GET /meetings/{meetingId}/meeting_summary`` as Zoom documents it (AI Companion, 2023-11 on)."""
    body: dict[str, Any] = {
        "meeting_host_id": "KdYKjnimT4KPd8FFgQt9FQ",
        "meeting_host_email": "host@example.org",
        "meeting_uuid": "aDYlohsHRtCd4ii1uC2+hA==",
        "meeting_id": meeting_id,
        "meeting_topic": "Fabrique",
        "meeting_start_time": "2025-03-12T17:30:00Z",
        "meeting_end_time": "2025-03-12T19:30:00Z",
        "summary_start_time": "2025-03-12T17:31:02Z",
        "summary_end_time": "2025-03-12T19:29:40Z",
        "summary_created_time": "2025-03-12T19:31:10Z",
        "summary_last_modified_time": "2025-03-12T19:31:10Z",
        "summary_title": "Résumé de la réunion : Fabrique",
        "summary_overview": "",
        "summary_details": [],
        "next_steps": [],
    }
    body.update(fields)
    return body


def _basic_auth_matches(header: str, client_id: str, client_secret: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    return decoded == f"{client_id}:{client_secret}"


def _json_object(recorded: RecordedRequest) -> dict[str, Any] | None:
    if not recorded.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        body = recorded.json
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _invalid_fields(body: dict[str, Any], *, creating: bool) -> list[str]:
    """The checks Zoom makes that a client could get wrong: types, lengths, and the GMT start time format."""
    invalid = []
    if creating and not isinstance(body.get("topic"), str):
        invalid.append("topic")
    if "topic" in body and (not isinstance(body["topic"], str) or len(body["topic"]) > 200):
        invalid.append("topic")
    if creating and body.get("type") not in (1, 2, 3, 8):
        invalid.append("type")
    if creating and body.get("type") == 2 and "start_time" not in body:
        invalid.append("start_time")
    if "start_time" in body:
        try:
            datetime.strptime(body["start_time"], "%Y-%m-%dT%H:%M:%SZ")  # noqa: DTZ007 - Zoom's format is UTC
        except (TypeError, ValueError):
            invalid.append("start_time")
    if "duration" in body and (not isinstance(body["duration"], int) or body["duration"] <= 0):
        invalid.append("duration")
    if "agenda" in body and (not isinstance(body["agenda"], str) or len(body["agenda"]) > 2000):
        invalid.append("agenda")
    if "settings" in body and not isinstance(body["settings"], dict):
        invalid.append("settings")
    return sorted(set(invalid))


def _validation_failed(fields: list[str]) -> web.Response:
    errors = [{"field": name, "message": "Invalid field."} for name in fields]
    return web.json_response({"code": 300, "message": "Validation Failed.", "errors": errors}, status=400)


def _meeting_not_found(request: web.Request) -> web.Response:
    meeting_id = request.match_info["meeting_id"]
    return web.json_response({"code": 3001, "message": f"Meeting does not exist: {meeting_id}."}, status=404)


# --- cloud recordings: shapes as Zoom documents them ------------------------------------------------------------------

MAX_PAGE_SIZE = 300
NO_RECORDING = {"code": 3301, "message": "This recording does not exist."}
PUBLIC_ADDRESS = "170.114.52.2"  # an address in Zoom's public range: what DNS would answer for its hosts


async def resolve_public(host: str, port: int) -> list[str]:
    """The client's public-address check, answered as DNS would for Zoom's hosts (the test machine has no DNS)."""
    return [PUBLIC_ADDRESS]


class ZoomHostsHere(httpx.AsyncBaseTransport):
    """Requests for zoom.us and its subdomains reach the fake server (over plain http); others go where they say."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host == "zoom.us" or host.endswith(".zoom.us"):
            request.url = request.url.copy_with(scheme="http", host=HOST, port=self._port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class FakeFile:
    """One file of a cloud recording. ``declared_size`` is what the listing says (default: the truth); a file
    that declares less than it holds is sent without Content-Length, as much as it likes."""

    file_type: str  # MP4, M4A, TRANSCRIPT, CHAT, TIMELINE…
    recording_type: str  # audio_only, shared_screen_with_speaker_view, audio_transcript, chat_file…
    content: bytes = field(repr=False)
    extension: str = ""
    declared_size: int | None = None
    redirect_to: str | None = None  # the download redirects here instead of Zoom's storage
    id: str = field(default_factory=lambda: secrets.token_hex(12))
    signature: str = field(default_factory=lambda: secrets.token_urlsafe(16), repr=False)

    @property
    def lies(self) -> bool:
        return self.declared_size is not None and self.declared_size != len(self.content)

    @property
    def download_url(self) -> str:
        return f"https://us06web.zoom.us/rec/download/{self.id}"


def audio_file(content: bytes, **overrides: Any) -> FakeFile:
    return FakeFile("M4A", "audio_only", content, "M4A", **overrides)


def video_file(content: bytes, **overrides: Any) -> FakeFile:
    return FakeFile("MP4", "shared_screen_with_speaker_view", content, "MP4", **overrides)


def transcript_file(text: str) -> FakeFile:
    return FakeFile("TRANSCRIPT", "audio_transcript", text.encode(), "VTT")


def chat_file(text: str) -> FakeFile:
    return FakeFile("CHAT", "chat_file", text.encode(), "TXT")


@dataclass
class FakeRecording:
    meeting_id: int
    uuid: str
    topic: str
    files: list[FakeFile]
    listed_at: datetime | None
    ready_at: datetime | None
    participants: list[dict[str, Any]]
    trashed: bool = False

    def ready(self, now: datetime) -> bool:
        return self.ready_at is None or now >= self.ready_at

    def listing(self, now: datetime) -> dict[str, Any]:
        """``GET /meetings/{meetingId}/recordings``: the instance and its files, processing or completed."""
        ready = self.ready(now)
        start = (self.listed_at or now) - timedelta(hours=2)
        files = [
            {
                "id": file.id,
                "meeting_id": self.uuid,
                "recording_start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "recording_end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "file_type": file.file_type,
                "file_extension": file.extension or file.file_type,
                "file_size": (file.declared_size if file.declared_size is not None else len(file.content))
                if ready
                else 0,
                "play_url": f"https://us06web.zoom.us/rec/play/{file.id}",
                "download_url": file.download_url,
                "status": "completed" if ready else "processing",
                "recording_type": file.recording_type,
            }
            for file in self.files
        ]
        return {
            "uuid": self.uuid,
            "id": self.meeting_id,
            "account_id": "Cx3wERazSgup7ZWRHQM8-w",
            "host_id": "KdYKjnimT4KPd8FFgQt9FQ",
            "topic": self.topic,
            "type": 2,
            "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timezone": "Europe/Paris",
            "duration": 120,
            "total_size": sum(f["file_size"] for f in files),
            "recording_count": len(files),
            "share_url": f"https://us06web.zoom.us/rec/share/{secrets.token_urlsafe(12)}",
            "recording_files": files,
            "password": "",
            "recording_play_passcode": secrets.token_urlsafe(24),
        }


def participant(name: str, minutes: float, *, user_id: str = "", status: str = "in_meeting") -> dict[str, Any]:
    """One row of ``GET /past_meetings/{meetingUUID}/participants``: one stay of one person."""
    joined = datetime(2027, 3, 15, 13, 0, tzinfo=UTC)
    return {
        "id": user_id,
        "name": name,
        "user_id": user_id or str(abs(hash(name)) % 10**8),
        "registrant_id": "",
        "user_email": "",
        "join_time": joined.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "leave_time": (joined + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": round(minutes * 60),
        "failover": False,
        "status": status,
    }


def _meeting_not_found_named(meeting: str) -> web.Response:
    return web.json_response({"code": 3001, "message": f"Meeting does not exist: {meeting}."}, status=404)

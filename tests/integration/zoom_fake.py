"""A local stand-in for Zoom's OAuth server and Meetings API, answering the way Zoom documents it.

Zoom cannot be reached from the test machines, so this server on 127.0.0.1 checks what a real Zoom would check
(method, ``grant_type=account_credentials``, account id, HTTP Basic credentials, bearer tokens, a JSON body) and
answers with Zoom's status codes and JSON shapes. It records every request so tests can assert on the wire format,
and it can be told to misbehave the ways Zoom does: a token that dies before its hour, 429 with Retry-After, 5xx.

    async with FakeZoom(account_id=..., client_id=..., client_secret=...) as zoom:
        client = ZoomClient(..., api_base=zoom.api_base, oauth_url=zoom.oauth_url)
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl

from aiohttp import web

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
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- life cycle ------------------------------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/oauth/token", self._token)
        app.router.add_post("/v2/users/{user_id}/meetings", self._create_meeting)
        app.router.add_patch("/v2/meetings/{meeting_id}", self._update_meeting)
        app.router.add_delete("/v2/meetings/{meeting_id}", self._delete_meeting)
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

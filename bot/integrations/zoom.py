"""Zoom meetings for the community's single Zoom account, through a Server-to-Server OAuth app.

Zoom gives an account-level token for one hour and no refresh token, so the client asks for a new one shortly
before the old one expires, and once more if Zoom says a token it thought valid is not (the app was reactivated,
the secret rotated). Transient failures (connection errors, 429, 5xx) are retried here with waits that go through
the injected ``sleep``, so tests never wait for real; everything else becomes a ZoomError whose ``key`` names a
catalogue sentence and whose ``retryable`` tells the caller whether trying again later can help.

The links are the secret of a Fabrique: the join URL lets anyone in, the start URL makes its holder the host.
They are returned to the caller and never logged, nor are tokens and the client secret.

After a session, the same client lists its cloud recording, reads its participants (only counted, by the caller)
and moves the recording to the trash; recording files are downloaded with ``bot.integrations.download`` from
Zoom's hosts only, every hop checked, the token sent to the first one alone. Download URLs are not logged either.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import httpx

from bot.clock import system_clock
from bot.domain.recordings import CloudRecording, Participant, RecordingFile
from bot.integrations.download import DownloadError, Resolver, download, system_resolve

log = logging.getLogger(__name__)

ZoomErrorKey = Literal["error.zoom.auth", "error.zoom.unavailable", "error.zoom.rejected"]
AutoRecording = Literal["cloud", "local", "none"]

SCHEDULED_MEETING = 2  # Zoom's meeting type for a one-off meeting at a fixed time
TOKEN_MARGIN = timedelta(seconds=60)  # a token this close to expiry could die in flight: get a new one first
FIRST_BACKOFF_SECONDS = 1.0
MAX_RETRY_AFTER_SECONDS = 60.0  # a longer wait (a daily quota) is the scheduler's job, not a held-up request
ZOOM_DOWNLOAD_HOSTS = ("zoom.us",)  # recordings come from zoom.us and its subdomains (us06web, ssrweb…), nowhere else
PARTICIPANTS_PAGE_SIZE = 300  # Zoom's largest page
DOWNLOAD_LIMIT_SECONDS = 3600.0  # a 2 GB MP4 at ~5 MB/s still fits
MEETING_SETTINGS: dict[str, Any] = {
    # Only registrants get the link, but links leak: the host lets people in, nobody starts without the host.
    "waiting_room": True,
    "join_before_host": False,
    "host_video": True,
    "participant_video": False,
    "mute_upon_entry": True,
}


class ZoomError(Exception):
    """Zoom could not do what was asked; ``key`` is the catalogue sentence, ``retryable`` says if later may work."""

    def __init__(
        self, key: ZoomErrorKey, *, retryable: bool, status: int | None = None, code: int | None = None
    ) -> None:
        super().__init__(key)
        self.key: ZoomErrorKey = key
        self.retryable = retryable
        self.status = status  # HTTP status, for the logs
        self.code = code  # Zoom's own error code from the JSON body (e.g. 3001 "Meeting does not exist")


@dataclass(frozen=True)
class ZoomMeeting:
    id: int
    # Kept out of repr so that logging a meeting, or an assertion message showing it, never leaks the links.
    join_url: str = field(repr=False)
    start_url: str = field(repr=False)


class ZoomClient:
    """Create, move and delete the meetings of the configured host user; one instance for the bot's lifetime."""

    def __init__(
        self,
        *,
        account_id: str,
        client_id: str,
        client_secret: str,
        host_user: str,
        api_base: str,
        oauth_url: str,
        clock: Callable[[], datetime] = system_clock,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_attempts: int = 4,
        timeout: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
        auto_recording: AutoRecording = "cloud",
        download_hosts: tuple[str, ...] = ZOOM_DOWNLOAD_HOSTS,
        resolve: Resolver = system_resolve,
    ) -> None:
        """``download_hosts``: where recordings may be fetched from (those domains and their subdomains);
        ``resolve`` answers the public-address check of every download hop (tests point it at their server)."""
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._account_id = account_id
        self._credentials = httpx.BasicAuth(client_id, client_secret)
        self._host_user = host_user
        self._api_base = api_base.rstrip("/")
        self._oauth_url = oauth_url
        self._clock = clock
        self._sleep = sleep
        self._max_attempts = max_attempts
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport, follow_redirects=False)
        self._transport = transport  # downloads borrow it (tests route Zoom's hosts to their server)
        self._auto_recording = auto_recording
        self._download_hosts = tuple(host.lower().strip(".") for host in download_hosts)
        self._resolve = resolve
        self._token: str | None = None
        self._token_valid_until: datetime | None = None
        self._token_lock = asyncio.Lock()  # concurrent calls share one token request instead of racing

    async def create_meeting(
        self, *, topic: str, start: datetime, duration_minutes: int, timezone: str, agenda: str = ""
    ) -> ZoomMeeting:
        """Schedule a meeting hosted by the configured user.

        A 5xx is retried like any transient failure, so in the rare case Zoom created the meeting before failing
        to answer, an unused meeting is left on the account; it is harmless (nobody has its link).
        """
        body = {
            "topic": topic,
            "type": SCHEDULED_MEETING,
            "start_time": _zoom_utc(start),
            "duration": duration_minutes,
            "timezone": timezone,  # Zoom shows the time in this zone in its own e-mails and web pages
            "agenda": agenda,
            "settings": {**MEETING_SETTINGS, "auto_recording": self._auto_recording},
        }
        response = await self._call("POST", f"/users/{self._host_user}/meetings", json=body)
        if response.status_code != 201:
            raise self._refusal(response, "create meeting")
        try:
            data = response.json()
            meeting = ZoomMeeting(id=int(data["id"]), join_url=str(data["join_url"]), start_url=str(data["start_url"]))
        except (ValueError, KeyError, TypeError) as exc:
            # Zoom said 201 but the answer is unusable: trying again would only add a second meeting.
            log.error("Zoom create meeting: 201 without a usable meeting (%s)", type(exc).__name__)
            raise ZoomError("error.zoom.unavailable", retryable=False, status=response.status_code) from None
        log.info("Zoom meeting %s created", meeting.id)
        return meeting

    async def update_meeting(
        self,
        meeting_id: int,
        *,
        topic: str | None = None,
        start: datetime | None = None,
        duration_minutes: int | None = None,
        timezone: str | None = None,
    ) -> None:
        """Change only the given fields (PATCH); the join link stays the same, so registrants keep theirs."""
        body: dict[str, Any] = {}
        if topic is not None:
            body["topic"] = topic
        if start is not None:
            body["start_time"] = _zoom_utc(start)
        if duration_minutes is not None:
            body["duration"] = duration_minutes
        if timezone is not None:
            body["timezone"] = timezone
        if not body:
            return
        response = await self._call("PATCH", f"/meetings/{meeting_id}", json=body)
        if response.status_code != 204:
            raise self._refusal(response, f"update meeting {meeting_id}")
        log.info("Zoom meeting %s updated (%s)", meeting_id, ", ".join(sorted(body)))

    async def delete_meeting(self, meeting_id: int) -> None:
        """Delete a meeting; one that is already gone counts as deleted, so a retried cancellation succeeds."""
        response = await self._call("DELETE", f"/meetings/{meeting_id}")
        if response.status_code == 404:
            log.info("Zoom meeting %s was already deleted", meeting_id)
            return
        if response.status_code != 204:
            raise self._refusal(response, f"delete meeting {meeting_id}")
        log.info("Zoom meeting %s deleted", meeting_id)

    async def host_link(self, meeting_id: int) -> str:
        """A fresh host link (``start_url``) of a meeting: Zoom's link stops working about 2 hours after it was
        issued, so it is asked for at the moment a host needs it, never stored. ``GET /meetings/{meetingId}``."""
        response = await self._call("GET", f"/meetings/{meeting_id}")
        if response.status_code != 200:
            raise self._refusal(response, f"get meeting {meeting_id}")
        try:
            start_url = response.json()["start_url"]
        except (ValueError, KeyError, TypeError):
            start_url = None
        if not isinstance(start_url, str) or not start_url.startswith("https://"):
            log.error("Zoom get meeting %s: HTTP 200 without a usable start_url", meeting_id)
            raise ZoomError("error.zoom.unavailable", retryable=True, status=200)
        return start_url

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- requests ------------------------------------------------------------------------------------------------

    async def _call(self, method: str, path: str, *, json: dict[str, Any] | None = None) -> httpx.Response:
        """One API call with a bearer token; a 401 means the token died early: get a new one and try once more."""
        label = f"{method} {path}"
        for first_try in (True, False):
            token = await self._access_token()
            response = await self._send(
                method, f"{self._api_base}{path}", label, json=json, headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code != 401:
                return response
            if first_try:
                log.info("Zoom refused the access token (%s); getting a new one", label)
                self._forget(token)
        log.error("Zoom refused a fresh access token (%s): check the app's scopes and activation", label)
        raise ZoomError("error.zoom.auth", retryable=False, status=401, code=_zoom_code(response))

    async def _access_token(self) -> str:
        async with self._token_lock:
            now = self._clock()
            if self._token is not None and self._token_valid_until is not None and now < self._token_valid_until:
                return self._token
            response = await self._send(
                "POST",
                self._oauth_url,
                "access token",
                params={"grant_type": "account_credentials", "account_id": self._account_id},
                auth=self._credentials,
            )
            if response.status_code != 200:
                # Wrong account id, client id or secret (401, or 400 for the account): only the operator can fix it.
                log.error("Zoom OAuth refused the app credentials (HTTP %s)", response.status_code)
                raise ZoomError("error.zoom.auth", retryable=False, status=response.status_code)
            try:
                data = response.json()
                token = str(data["access_token"])
                lifetime = timedelta(seconds=int(data["expires_in"]))
            except (ValueError, KeyError, TypeError):
                log.error("Zoom OAuth answered 200 without a usable token")
                raise ZoomError("error.zoom.unavailable", retryable=True, status=200) from None
            self._token = token
            self._token_valid_until = now + lifetime - TOKEN_MARGIN
            log.debug("Zoom access token obtained, valid for %s", lifetime)
            return token

    def _forget(self, token: str) -> None:
        # Another call may already have replaced it; only drop the token that actually failed.
        if self._token == token:
            self._token = None
            self._token_valid_until = None

    async def _send(self, method: str, url: str, label: str, **kwargs: Any) -> httpx.Response:
        """Send, retrying connection errors, 429 and 5xx; return any other answer for the caller to judge."""
        for attempt in range(1, self._max_attempts + 1):
            backoff = FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1)
            try:
                response = await self._http.request(method, url, **kwargs)
            except httpx.TransportError as exc:  # refused, reset, DNS, timeouts
                reason, delay = type(exc).__name__, backoff
            else:
                if response.status_code == 429:
                    reason, delay = "HTTP 429", self._retry_after(response, backoff)
                elif response.status_code >= 500:
                    reason, delay = f"HTTP {response.status_code}", backoff
                else:
                    return response
                if delay > MAX_RETRY_AFTER_SECONDS:
                    log.warning("Zoom %s: rate limited for %.0f s, giving up for now", label, delay)
                    raise ZoomError("error.zoom.unavailable", retryable=True, status=response.status_code)
            if attempt == self._max_attempts:
                log.warning("Zoom %s: %s, giving up after %d attempts", label, reason, attempt)
                break
            log.warning(
                "Zoom %s: %s, retrying in %.0f s (attempt %d/%d)", label, reason, delay, attempt, self._max_attempts
            )
            await self._sleep(delay)
        raise ZoomError("error.zoom.unavailable", retryable=True)

    def _retry_after(self, response: httpx.Response, default: float) -> float:
        """Zoom's Retry-After, in seconds or as an HTTP date; the exponential backoff when it is absent."""
        value = response.headers.get("Retry-After", "").strip()
        if not value:
            return default
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return default
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - self._clock()).total_seconds())

    def _refusal(self, response: httpx.Response, label: str) -> ZoomError:
        code = _zoom_code(response)
        log.error("Zoom %s refused: HTTP %s, Zoom code %s", label, response.status_code, code)
        return ZoomError("error.zoom.rejected", retryable=False, status=response.status_code, code=code)

    # --- meeting summaries (AI Companion), for the documentation draft ---------------------------------------------

    async def meeting_summary(self, meeting_id: int | str) -> str | None:
        """The AI Companion summary of a meeting as plain text (its latest instance for a meeting id, one instance
        for a UUID), or None when Zoom has none: summaries off for the account, not ready yet, an end-to-end
        encrypted meeting, a meeting that is gone. ``GET /meetings/{meetingId}/meeting_summary``, scope
        ``meeting:read:summary:admin``."""
        response = await self._call("GET", f"/meetings/{_instance_path(meeting_id)}/meeting_summary")
        if response.status_code == 404:
            log.info("Zoom has no summary for meeting %s (Zoom code %s)", meeting_id, _zoom_code(response))
            return None
        if response.status_code != 200:
            raise self._refusal(response, "meeting summary")
        try:
            data = response.json()
        except ValueError:
            log.error("Zoom meeting summary: HTTP 200 without JSON")
            raise ZoomError("error.zoom.unavailable", retryable=True, status=200) from None
        text = self._summary_text(data) if isinstance(data, dict) else ""
        return text or None

    @staticmethod
    def _summary_text(data: dict[str, Any]) -> str:
        """The host's edited summary if any, else Zoom's Markdown (``summary_content``), else its overview and
        labelled details; then the next steps as a list (already inside ``summary_content`` when Zoom gives it)."""

        def text(value: object) -> str:
            return value.strip() if isinstance(value, str) else ""

        edited = data.get("edited_summary") if isinstance(data.get("edited_summary"), dict) else {}
        steps: object = edited.get("next_steps") or data.get("next_steps")
        body = text(edited.get("summary_details"))
        if not body and (body := text(data.get("summary_content"))):
            steps = edited.get("next_steps")  # Zoom's Markdown already lists its own next steps
        if not body:
            parts = [text(data.get("summary_overview"))]
            for detail in data.get("summary_details") or []:
                if isinstance(detail, dict):
                    label, summary = text(detail.get("label")), text(detail.get("summary"))
                    parts.append(f"{label}\n{summary}" if label and summary else label or summary)
            body = "\n\n".join(part for part in parts if part)
        step_lines = [f"- {text(step)}" for step in steps or [] if text(step)] if isinstance(steps, list) else []
        return "\n\n".join(part for part in (body, "\n".join(step_lines)) if part)

    # --- cloud recordings and attendance ---------------------------------------------------------------------------

    async def meeting_recordings(self, meeting: int | str) -> CloudRecording | None:
        """The cloud recording of a meeting's latest instance (or of one instance, by UUID), its files still
        ``processing`` or ``completed``; None when Zoom has none (404: nothing recorded, or not listed yet).
        ``GET /meetings/{meetingId}/recordings``."""
        response = await self._call("GET", f"/meetings/{_instance_path(meeting)}/recordings")
        if response.status_code == 404:
            log.info("Zoom has no cloud recording for meeting %s (Zoom code %s)", meeting, _zoom_code(response))
            return None
        if response.status_code != 200:
            raise self._refusal(response, f"recordings of meeting {meeting}")
        try:
            data = response.json()
            files = tuple(
                RecordingFile(
                    id=str(item.get("id") or ""),
                    file_type=str(item.get("file_type") or "").upper(),
                    recording_type=str(item.get("recording_type") or ""),
                    extension=str(item.get("file_extension") or item.get("file_type") or "").upper(),
                    size=int(item.get("file_size") or 0),
                    status=str(item.get("status") or "processing"),
                    download_url=str(item.get("download_url") or ""),
                )
                for item in data.get("recording_files") or []
                if isinstance(item, dict)
            )
            recording = CloudRecording(uuid=str(data["uuid"]), files=files)
        except (ValueError, KeyError, TypeError, AttributeError):
            log.error("Zoom recordings of meeting %s: HTTP 200 without a usable list", meeting)
            raise ZoomError("error.zoom.unavailable", retryable=True, status=200) from None
        log.info(
            "Zoom recording of meeting %s: %s",
            meeting,
            ", ".join(f"{f.file_type} {f.status}" for f in files) or "no file",
        )
        return recording

    async def past_participants(self, meeting: int | str) -> list[Participant]:
        """Every stay of every participant of a past meeting (its instance UUID, or its id for the latest
        instance), all pages. ``GET /past_meetings/{meetingUUID}/participants``. Names serve only to tell people
        apart when Zoom gives no participant id; they never leave this function."""
        rows: list[Participant] = []
        token = ""
        for _ in range(1000):  # 300 000 rows: far beyond Zoom's 1 000 participants per meeting
            query = f"page_size={PARTICIPANTS_PAGE_SIZE}"
            if token:
                query += f"&next_page_token={quote(token, safe='')}"
            response = await self._call("GET", f"/past_meetings/{_instance_path(meeting)}/participants?{query}")
            if response.status_code != 200:
                raise self._refusal(response, f"participants of meeting {meeting}")
            try:
                data = response.json()
                for item in data.get("participants") or []:
                    key = str(item.get("id") or item.get("user_id") or item.get("name") or len(rows))
                    waiting = item.get("status") == "in_waiting_room"
                    rows.append(Participant(key=key, seconds=int(item.get("duration") or 0), in_waiting_room=waiting))
                token = str(data.get("next_page_token") or "")
            except (ValueError, TypeError, AttributeError):
                log.error("Zoom participants of meeting %s: HTTP 200 without a usable list", meeting)
                raise ZoomError("error.zoom.unavailable", retryable=True, status=200) from None
            if not token:
                break
        log.info("Zoom meeting %s: %s participant row(s)", meeting, len(rows))
        return rows

    async def download_recording(self, download_url: str, target: Path, *, max_bytes: int) -> int:
        """Stream one recording file to ``target`` with the account's token, from Zoom's hosts only (every hop:
        https, a Zoom host, public addresses); cut at ``max_bytes`` whatever Zoom said of its size. Returns the
        bytes written; on any failure nothing is left at ``target`` and a DownloadError names the reason."""
        try:
            token = await self._access_token()
        except ZoomError as error:
            raise DownloadError("error.zoom.download_failed") from error
        try:
            written = await download(
                download_url,
                target,
                max_bytes=max_bytes,
                limit_seconds=DOWNLOAD_LIMIT_SECONDS,
                transport=self._transport,
                first_headers={"Authorization": f"Bearer {token}"},  # the signed redirect needs none
                host_policy=self._zoom_host,
                resolve=self._resolve,
            )
        except DownloadError as error:
            log.warning("Zoom recording download refused or failed (%s)", error.key)
            if error.key in ("error.download.status", "error.download.unreachable", "error.download.timeout"):
                raise DownloadError("error.zoom.download_failed") from error
            raise
        log.info("Zoom recording file downloaded (%s bytes)", written)
        return written

    async def trash_recordings(self, meeting: int | str) -> None:
        """Move a meeting's cloud recording to Zoom's trash (Zoom empties it after 30 days); one already gone is
        fine. ``DELETE /meetings/{meetingId}/recordings?action=trash``."""
        response = await self._call("DELETE", f"/meetings/{_instance_path(meeting)}/recordings?action=trash")
        if response.status_code == 404:
            log.info("Zoom had no cloud recording left to trash for meeting %s", meeting)
            return
        if response.status_code not in (200, 204):
            raise self._refusal(response, f"trash recordings of meeting {meeting}")
        log.info("Zoom cloud recording of meeting %s moved to the trash", meeting)

    def _zoom_host(self, url: httpx.URL) -> None:
        host = url.host.lower().rstrip(".")
        if not any(host == allowed or host.endswith(f".{allowed}") for allowed in self._download_hosts):
            raise DownloadError("error.zoom.download_host")


def _instance_path(meeting: int | str) -> str:
    """A meeting id, or an instance UUID as Zoom wants it in a path: encoded, twice when it starts with "/" or
    holds "//" (Zoom's rule)."""
    text = str(meeting)
    encoded = quote(text, safe="")
    return quote(encoded, safe="") if text.startswith("/") or "//" in text else encoded


def _zoom_utc(moment: datetime) -> str:
    """Zoom reads ``yyyy-MM-ddTHH:mm:ssZ`` as UTC whatever the ``timezone`` field says; a naive time is a bug."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Zoom start times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _zoom_code(response: httpx.Response) -> int | None:
    """Zoom's error code from ``{"code": …, "message": …}``; the message is not logged (it may echo input)."""
    try:
        code = response.json().get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, int) else None

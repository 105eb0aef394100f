"""The web door: an aiohttp server inside the bot, behind a reverse proxy, serving three things and nothing else.

- ``/depot/{token}``: the one-time upload page of a recording (GET the form, POST the file);
- ``/agenda.ics``: every upcoming announced session, for calendar applications to subscribe to;
- ``/sante``: 200 when the database answers, the gateway is connected and the scheduler is alive, else 503.

Every other path is a French 404 page. A link is tried at most ``ATTEMPTS`` times a minute, and one upload at a
time; no token is ever logged (the access log names the route, ``/depot/…``, never the path).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.config import Settings
from bot.domain.uploads import LinkState, token_hash
from bot.errors import DomainError
from bot.i18n import I18n
from bot.integrations import audio
from bot.services.records import FabriqueRecord
from bot.services.uploads import LinkRefused, UploadService, UploadTarget, partial_path
from bot.web import pages
from bot.web.health import HealthCheck, run_checks
from bot.web.limits import AttemptLimiter
from bot.web.receiving import Refused, receive

log = logging.getLogger(__name__)

AGENDA_REFRESH = timedelta(hours=1)  # what subscribed calendars are told; they usually poll less often anyway
LINK_STATUS = {LinkState.UNKNOWN: 404, LinkState.USED: 410, LinkState.EXPIRED: 410}
MULTIPART_SLACK = 64 * 1024  # a form's boundaries and headers around the file
HTML = "text/html"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the upload page's address is its secret
    "X-Frame-Options": "DENY",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class UpcomingSessions(Protocol):
    async def agenda_calendar(self, guild_id: int | None, *, refresh: timedelta | None = None) -> bytes: ...


class WebDoor:
    def __init__(
        self,
        settings: Settings,
        *,
        uploads: UploadService,
        sessions: UpcomingSessions,
        checks: Mapping[str, HealthCheck],
        limiter: AttemptLimiter | None = None,
    ) -> None:
        self._settings = settings
        self._uploads = uploads
        self._sessions = sessions
        self._checks = dict(checks)
        self._limiter = limiter or AttemptLimiter()
        self._i18n = I18n(settings.general.language, settings.general.tz)
        self._receiving: set[str] = set()  # token hashes of uploads under way
        self._runner: web.AppRunner | None = None
        self.app = web.Application(middlewares=[self._frame])
        self.app.router.add_get("/depot/{token}", self._upload_page)
        self.app.router.add_post("/depot/{token}", self._upload)
        self.app.router.add_get("/agenda.ics", self._agenda)
        self.app.router.add_get("/sante", self._health)

    @property
    def port(self) -> int:
        """The port listened on (the configured one, or the one the system chose for port 0)."""
        if self._runner is None or not self._runner.addresses:
            raise RuntimeError("the web door is not started")
        return int(self._runner.addresses[0][1])

    async def start(self, *, port: int | None = None) -> None:
        """Remove what interrupted uploads left, then listen on ``[web] listen`` (``port``: another port, 0 for any
        free one — tests and benchmarks)."""
        removed = await self._uploads.discard_leftovers()
        if removed:
            log.info("removed %s file(s) left by interrupted uploads", removed)
        runner = web.AppRunner(self.app, access_log_class=AccessLog, access_log=log, shutdown_timeout=5.0)
        await runner.setup()
        web_settings = self._settings.web
        chosen = web_settings.port if port is None else port
        site = web.TCPSite(runner, web_settings.host, chosen)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("web door listening on %s:%s", web_settings.host, self.port)

    async def stop(self) -> None:
        """Stop listening; uploads under way are cut (their partial files removed)."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    # --- /depot/{token} ----------------------------------------------------------------------------------------

    async def _upload_page(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        target = await self._uploads.open(token)
        # Only links that exist are counted: made-up ones (32 random bytes, never guessed) cost one indexed read
        # each, and counting them would fill the limiter until the organizer's real link is refused too.
        if target.state is not LinkState.UNKNOWN and not self._limiter.allow(token_hash(token)):
            return self._too_many(token)
        if target.state is not LinkState.VALID:
            return self._link_refused(target.state)
        assert target.fabrique is not None and target.expires_at is not None
        if target.refusal is not None:
            return self._refused(409, target.refusal, target.fabrique)
        nonce = secrets.token_urlsafe(16)
        body = pages.upload_page(
            self._i18n, target.fabrique, target.expires_at, self._settings.audio.max_input_mb, nonce, request.path
        )
        return _html(body, 200, nonce=nonce)

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        key = token_hash(token)
        target = await self._uploads.open(token)
        if target.state is LinkState.UNKNOWN:
            return self._link_refused(LinkState.UNKNOWN)  # nothing read of the body, nothing counted
        if not self._limiter.allow(key):
            return self._too_many(token)
        if key in self._receiving:
            return self._page(409, "web.refused.title", self._i18n("web.link.busy"))
        self._receiving.add(key)
        try:
            return await self._receive(request, token, target)
        finally:
            self._receiving.discard(key)

    async def _receive(self, request: web.Request, token: str, target: UploadTarget) -> web.StreamResponse:
        """``target`` as the link was found on arrival; the service checks it again, atomically, when the file is
        complete."""
        if target.state is not LinkState.VALID:
            return self._link_refused(target.state)
        fabrique = target.fabrique
        assert fabrique is not None
        if target.refusal is not None:
            return self._refused(409, target.refusal, fabrique)
        maximum = self._settings.audio.max_input_mb * 1024 * 1024
        slack = MULTIPART_SLACK if request.content_type == "multipart/form-data" else 0
        if request.content_length is not None and request.content_length > maximum + slack:
            return self._refused(
                413, DomainError("error.download.too_large", maximum=maximum // 2**20), fabrique, request
            )
        self._uploads.work_dir.mkdir(parents=True, exist_ok=True)
        partial = partial_path(self._uploads.work_dir)
        started = time.monotonic()
        early: asyncio.Task[audio.Probe] | None = None

        def look_early() -> None:  # ffprobe reads the headers while the rest of the file comes
            nonlocal early
            early = asyncio.ensure_future(audio.probe(partial))

        try:
            received = await receive(request, partial, maximum, on_early=look_early)
            await self._check_recording(received.size, partial, early)
            fabrique = await self._uploads.receive(token, partial, received.name, received.size)
        except Refused as refusal:
            log.info("upload for fabrique %s refused (%s, %s)", fabrique.id, refusal.status, refusal.key)
            return self._refused(refusal.status, DomainError(refusal.key, **refusal.params), fabrique, request)
        except LinkRefused as refusal:  # used or expired while the file was coming
            return self._link_refused(refusal.state)
        except DomainError as refusal:  # the Fabrique's own state: documentation busy or published meanwhile
            log.info("upload for fabrique %s refused by the documentation (%s)", fabrique.id, refusal.key)
            return self._refused(409, refusal, fabrique)
        finally:
            if early is not None:
                early.cancel()  # done by now, unless the upload was refused first
                await asyncio.gather(early, return_exceptions=True)
            partial.unlink(missing_ok=True)  # gone already when the upload was kept
        log.info(
            "upload for fabrique %s: %.1f MB in %.1f s", fabrique.id, received.size / 2**20, time.monotonic() - started
        )
        return _html(pages.done_page(self._i18n, fabrique, received.size), 200)

    async def _check_recording(self, size: int, path: Path, early: asyncio.Task[audio.Probe] | None) -> None:
        """What ffprobe reads in it (under the converter's guards): an audio stream, a length within the limit.

        The look taken while the file was coming (``early``, on its first megabytes) settles it when it found an
        audio stream; otherwise (a container indexed at its end, a small file) the whole file is probed now."""
        found = None
        if early is not None:
            try:
                found = await early
            except (audio.AudioError, FileNotFoundError):
                found = None
        if found is None or not found.has_audio:
            try:
                found = await audio.probe(path)
            except audio.AudioError as error:
                raise Refused(415, error.key, **error.params) from error
            except FileNotFoundError:  # no ffprobe here: the job will say it; its first bytes were already checked
                log.warning("ffprobe is missing: an upload of %s bytes is kept unchecked", size)
                return
        if not found.has_audio:
            raise Refused(415, "error.audio.not_media")
        limit = self._settings.audio.max_duration_minutes
        if found.duration_seconds > limit * 60:
            raise Refused(413, "error.audio.too_long", minutes=round(found.duration_seconds / 60), maximum=limit)

    # --- /agenda.ics and /sante ---------------------------------------------------------------------------------

    async def _agenda(self, request: web.Request) -> web.StreamResponse:
        # Built once per change of the agenda, off the event loop (see SessionService.agenda_calendar).
        body = await self._sessions.agenda_calendar(self._settings.discord.guild_id or None, refresh=AGENDA_REFRESH)
        return web.Response(
            body=body,
            content_type="text/calendar",
            charset="utf-8",
            headers={"Content-Disposition": 'inline; filename="agenda-fabriques.ics"', "Cache-Control": "max-age=300"},
        )

    async def _health(self, request: web.Request) -> web.StreamResponse:
        answers = await run_checks(self._checks)
        healthy = all(answers.values())
        return web.json_response(
            {"etat": "ok" if healthy else "indisponible", "verifications": answers},
            status=200 if healthy else 503,
            headers={"Cache-Control": "no-store"},
        )

    # --- pages ------------------------------------------------------------------------------------------------

    def _page(
        self,
        status: int,
        title_key: str,
        text: str,
        *,
        fabrique: FabriqueRecord | None = None,
        again: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> web.Response:
        body = pages.message_page(self._i18n, self._i18n(title_key), text, fabrique=fabrique, again=again)
        return _html(body, status, headers=headers)

    def _refused(
        self, status: int, error: DomainError, fabrique: FabriqueRecord, request: web.Request | None = None
    ) -> web.Response:
        """The link still serves: the page says why this file was refused and links back to the form."""
        text = self._i18n(error.key, **error.params)
        again = request.path if request is not None else None
        return self._page(status, "web.refused.title", text, fabrique=fabrique, again=again)

    def _link_refused(self, state: LinkState) -> web.Response:
        return self._page(LINK_STATUS[state], "web.refused.title", self._i18n(f"web.link.{state.value}"))

    def _too_many(self, token: str) -> web.Response:
        wait = self._limiter.retry_after(token_hash(token))
        return self._page(429, "web.refused.title", self._i18n("web.too_many"), headers={"Retry-After": str(wait)})

    @web.middleware
    async def _frame(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """French pages for unknown paths and methods; the same protective headers on every answer."""
        try:
            response = await handler(request)
        except web.HTTPNotFound:
            response = self._page(404, "web.not_found.title", self._i18n("web.not_found"))
        except web.HTTPMethodNotAllowed as refused:
            allowed = ", ".join(sorted(refused.allowed_methods))
            response = self._page(405, "web.not_found.title", self._i18n("web.not_found"), headers={"Allow": allowed})
        except web.HTTPException:
            raise
        except Exception:
            log.exception("the web door failed on %s", route_of(request.path))
            response = self._page(500, "web.refused.title", self._i18n("web.error"))
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def _html(
    body: str, status: int, *, nonce: str | None = None, headers: Mapping[str, str] | None = None
) -> web.Response:
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    policy = (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src {script}; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    all_headers = {"Content-Security-Policy": policy, "Cache-Control": "no-store", **(headers or {})}
    return web.Response(text=body, status=status, content_type=HTML, charset="utf-8", headers=all_headers)


def route_of(path: str) -> str:
    """A request's path as it may be logged: an upload link's token never is."""
    if path.startswith("/depot/"):
        return "/depot/…"
    return path if path in ("/agenda.ics", "/sante") else "(autre chemin)"


class AccessLog(AbstractAccessLogger):
    """One line per request: method, route (never an upload token), status, duration. ``/sante`` only in DEBUG:
    the container polls it every minute."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        route = route_of(request.path)
        level = logging.DEBUG if route == "/sante" else logging.INFO
        self.logger.log(level, "%s %s → %s (%.0f ms)", request.method, route, response.status, time * 1000)

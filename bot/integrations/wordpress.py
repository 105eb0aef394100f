"""The community's WordPress site, through its REST API with an Application Password.

Routes are addressed as ``?rest_route=/wp/v2/...`` on the site root: unlike ``/wp-json/``, it works whatever the
site's permalink settings (plain permalinks answer ``/wp-json/`` with a redirect) and behind any web server.

Idempotency is the caller's: it gives every media and post a deterministic slug, stores the ids it gets back and
calls ``find_media``/``find_post`` before creating anything again. The slug is therefore sent with the creating
request itself (never set afterwards), so a request that timed out after WordPress stored the object is still
found by its slug on the retry. ``find_post`` looks at every status a published article can be in, private
included.

Titles are plain text: WordPress reads a title as HTML, and keeps every tag for an account with the
``unfiltered_html`` capability (administrators, editors), so the client escapes each title it sends and a
member's ``<script>`` arrives as « &lt;script&gt; », shown as typed. Contents are HTML, made safe by the caller.

Every failure is a ``WordPressError`` carrying a message key and whether trying again later can help.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

log = logging.getLogger(__name__)

AUTH = "error.wordpress.auth"
UNAVAILABLE = "error.wordpress.unavailable"
REJECTED = "error.wordpress.rejected"

ARTICLE_STATUSES = "publish,private,draft,pending,future"
UPLOAD_CHUNK_BYTES = 1024 * 1024
CATEGORY_PAGE_SIZE = 100
# 500s that trying again will not fix: WordPress refusing the file type of an upload, among others.
PERMANENT_SERVER_ERRORS = frozenset({"rest_upload_sideload_error"})


class WordPressError(Exception):
    """``key`` names the sentence shown to users; ``detail`` (the message) is for the logs and holds no secret."""

    def __init__(self, key: str, detail: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(detail)
        self.key = key
        self.retryable = retryable
        self.status = status  # the HTTP status, when WordPress answered


@dataclass(frozen=True)
class WordPressMedia:
    id: int
    url: str


@dataclass(frozen=True)
class WordPressPost:
    id: int
    link: str
    status: str


class WordPressClient:
    def __init__(
        self,
        base_url: str,
        username: str,
        app_password: str,
        *,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            auth=httpx.BasicAuth(username, app_password),
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "Fabrique (Discord bot)"},
            follow_redirects=False,  # a redirect would turn a POST into a GET; it means the URL is misconfigured
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- media ---------------------------------------------------------------------------------------------------
    async def find_media(self, slug: str) -> WordPressMedia | None:
        found = await self._request("GET", "media", params={"slug": slug, "context": "edit", "per_page": 1})
        return _media(found[0]) if _non_empty_list(found, "media") else None

    async def upload_media(self, path: Path, filename: str, mime_type: str, *, title: str, slug: str) -> WordPressMedia:
        """Stream the file from disk: a 2 h 30 recording never sits in memory."""
        size = (await asyncio.to_thread(path.stat)).st_size
        headers = {
            "Content-Type": mime_type,
            "Content-Disposition": f'attachment; filename="{_safe_filename(filename)}"',
            # An explicit length keeps httpx from sending the body chunked, which PHP's servers may not accept.
            "Content-Length": str(size),
        }
        file = await asyncio.to_thread(path.open, "rb")
        try:
            created = await self._request(
                "POST",
                "media",
                params={"title": as_text(title), "slug": slug},  # read from the query of a raw upload
                content=_chunks(file),
                headers=headers,
            )
        finally:
            await asyncio.to_thread(file.close)
        media = _media(created)
        if created.get("slug") != slug:
            log.warning("WordPress media %s got slug %r instead of %r", media.id, created.get("slug"), slug)
        log.info("WordPress media %s uploaded (%d bytes)", media.id, size)
        return media

    # -- posts ---------------------------------------------------------------------------------------------------
    async def find_post(self, slug: str) -> WordPressPost | None:
        found = await self._request(
            "GET", "posts", params={"slug": slug, "status": ARTICLE_STATUSES, "context": "edit", "per_page": 1}
        )
        return _post(found[0]) if _non_empty_list(found, "posts") else None

    async def create_post(
        self,
        *,
        title: str,
        content: str,
        status: str,
        slug: str,
        categories: list[int] | None = None,
        featured_media: int | None = None,
    ) -> WordPressPost:
        fields: dict[str, object] = {"title": as_text(title), "content": content, "status": status, "slug": slug}
        if categories is not None:
            fields["categories"] = categories
        if featured_media is not None:
            fields["featured_media"] = featured_media
        post = _post(await self._request("POST", "posts", json=fields))
        log.info("WordPress post %s created (%s)", post.id, post.status)
        return post

    async def update_post(self, post_id: int, *, title: str | None = None, **fields: object) -> WordPressPost:
        if title is not None:
            fields["title"] = as_text(title)
        post = _post(await self._request("POST", f"posts/{int(post_id)}", json=fields))
        log.info("WordPress post %s updated (%s)", post.id, ", ".join(sorted(fields)))
        return post

    async def attach_media(self, media_id: int, post_id: int) -> None:
        """Make the media belong to the post: WordPress then shows it only to those who may read the post."""
        await self._request("POST", f"media/{int(media_id)}", json={"post": int(post_id)})
        log.info("WordPress media %s attached to post %s", media_id, post_id)

    # -- categories ----------------------------------------------------------------------------------------------
    async def category_id(self, name: str) -> int | None:
        """The id of the category with this name or slug (case-insensitive); None if there is none."""
        wanted = name.strip()
        if not wanted:
            return None
        # WordPress's search matches names and slugs alike.
        found = await self._request(
            "GET",
            "categories",
            params={"search": wanted, "per_page": CATEGORY_PAGE_SIZE, "_fields": "id,name,slug"},
        )
        if not isinstance(found, list):
            raise _unexpected("categories")
        for term in found:
            try:
                if (
                    html.unescape(str(term["name"])).casefold() == wanted.casefold()
                    or str(term["slug"]) == wanted.casefold()
                ):
                    return int(term["id"])
            except (KeyError, TypeError, ValueError) as exc:
                raise _unexpected("categories") from exc
        return None

    # -- transport -----------------------------------------------------------------------------------------------
    async def _request(
        self,
        method: str,
        route: str,
        *,
        params: dict[str, object] | None = None,
        json: object = None,
        content: AsyncIterator[bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        what = f"{method} {route}"
        query = {"rest_route": f"/wp/v2/{route}", **(params or {})}
        try:
            response = await self._http.request(method, "", params=query, json=json, content=content, headers=headers)
        except httpx.TransportError as exc:  # connection refused, DNS, TLS, timeouts, a dropped connection
            raise WordPressError(UNAVAILABLE, f"{what}: {type(exc).__name__}: {exc}", retryable=True) from exc
        status = response.status_code
        if status >= httpx.codes.MULTIPLE_CHOICES:
            raise _http_error(what, response)
        try:
            return response.json()
        except ValueError as exc:  # an HTML page: a maintenance page, a proxy, or not a WordPress at this URL
            raise WordPressError(
                UNAVAILABLE, f"{what}: HTTP {status} is not JSON", retryable=True, status=status
            ) from exc


def as_text(title: str) -> str:
    """A title WordPress will show as the very characters given: every ``<``, ``>``, ``&`` and quote escaped."""
    return html.escape(title)


def _http_error(what: str, response: httpx.Response) -> WordPressError:
    status = response.status_code
    code, inner_statuses = _error_body(response)
    detail = f"{what}: HTTP {status} {code}".rstrip()
    if status in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN) or inner_statuses & {401, 403}:
        # A wrong user or application password makes the request anonymous: a 401 without a stable code, or a 400
        # whose parameter check failed for want of rights (``status=private`` when looking for an article).
        # A user without the needed role gets a 403.
        return WordPressError(AUTH, detail, retryable=False, status=status)
    if code in PERMANENT_SERVER_ERRORS:
        return WordPressError(REJECTED, detail, retryable=False, status=status)
    if status == httpx.codes.TOO_MANY_REQUESTS or status >= httpx.codes.INTERNAL_SERVER_ERROR:
        return WordPressError(UNAVAILABLE, detail, retryable=True, status=status)
    if status < httpx.codes.BAD_REQUEST:
        detail += f" redirected to {response.headers.get('Location', '?')}: check wordpress.url"
    # Other 4xx: an invalid field, an empty upload, a body too large for the web server (413), a missing post.
    return WordPressError(REJECTED, detail, retryable=False, status=status)


def _error_body(response: httpx.Response) -> tuple[str, set[int]]:
    """WordPress's error ``code`` and the statuses of the errors nested in ``data.details`` (WordPress ≥ 5.6)."""
    try:
        body = response.json()
    except ValueError:
        return "", set()
    if not isinstance(body, dict):
        return "", set()
    code = str(body.get("code", ""))[:100]
    statuses: set[int] = set()
    data = body.get("data")
    details = data.get("details") if isinstance(data, dict) else None
    if isinstance(details, dict):
        for inner in details.values():
            inner_data = inner.get("data") if isinstance(inner, dict) else None
            if isinstance(inner_data, dict) and isinstance(inner_data.get("status"), int):
                statuses.add(inner_data["status"])
    return code, statuses


async def _chunks(file: IO[bytes]) -> AsyncIterator[bytes]:
    while chunk := await asyncio.to_thread(file.read, UPLOAD_CHUNK_BYTES):
        yield chunk


def _safe_filename(filename: str) -> str:
    """ASCII only: HTTP headers are not the place for « é » or quotes; WordPress sanitises names again anyway."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.") or "upload"


def _non_empty_list(found: Any, what: str) -> bool:
    if not isinstance(found, list):
        raise _unexpected(what)
    return bool(found)


def _media(data: Any) -> WordPressMedia:
    try:
        return WordPressMedia(id=int(data["id"]), url=str(data["source_url"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise _unexpected("media") from exc


def _post(data: Any) -> WordPressPost:
    try:
        return WordPressPost(id=int(data["id"]), link=str(data["link"]), status=str(data["status"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise _unexpected("posts") from exc


def _unexpected(what: str) -> WordPressError:
    return WordPressError(UNAVAILABLE, f"{what}: unexpected answer shape", retryable=True)

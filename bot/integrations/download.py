"""Fetching a recording from a link a member pasted: https only, public hosts only, streamed to disk, capped.

A link is attacker-controlled input. It is parsed once, by httpx itself, and that parsed URL is both what is
checked and what is requested: a link httpx would refuse (a tab, a control character, a port out of range, a
broken internationalised name) is refused up front with a sentence, and no other parser can see another host.
Before each request (the first and every redirect) the host name is resolved and every address it resolves to
must be public: loopback, private, link-local, multicast and reserved ranges are refused, so a link cannot make
the bot reach a service inside its own network. The body is streamed to disk and cut off at the size cap; the
whole download has a time limit. (A DNS answer that changes between our check and the connection is the residual
risk; it needs an attacker-controlled DNS server and a short TTL.)

A caller fetching from one known service (Zoom's recordings) adds a host policy checked on every hop, and
credentials sent on the first request only: a redirect to the service's storage carries its own signature, and a
token must never follow a redirect anywhere else. A Discord attachment is fetched the same way (``DiscordCdn``):
discord.py's ``Attachment.read`` would hold the whole recording (≈ 70 MB for 2 h 30) in the bot's memory.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from bot.errors import InvalidInput

MAX_REDIRECTS = 5
CHUNK = 1 << 16

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port)`` → the addresses a connection to it would use (tests answer for hosts they cannot resolve)."""
HostPolicy = Callable[[httpx.URL], None]
"""Raises a DownloadError to refuse a hop whose host the caller does not trust (checked before resolving it)."""


class DownloadError(InvalidInput):
    """A link or a download refused; ``key`` names the catalogue sentence, ``params`` fill it."""


def parse_link(url: str) -> httpx.URL:
    """The link as httpx will request it, or the refusal the member reads: no network is touched."""
    try:
        parsed = httpx.URL(url)
        host, port = parsed.host, parsed.port  # the host is decoded (and may fail) only when read
    except (httpx.InvalidURL, ValueError):  # ValueError: idna's errors for a broken internationalised name
        raise DownloadError("error.download.invalid") from None
    if parsed.scheme != "https" or not host:
        raise DownloadError("error.download.scheme")
    if port is not None and not 0 < port < 65536:  # httpx accepts it here, the socket would not
        raise DownloadError("error.download.invalid")
    return parsed


async def system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def check_public_https(
    url: str, *, resolve: Resolver = system_resolve, host_policy: HostPolicy | None = None
) -> httpx.URL:
    """Refuse anything but https to a host whose every address is public (and that ``host_policy`` accepts);
    the URL to request."""
    parsed = parse_link(url)
    if host_policy is not None:
        host_policy(parsed)
    host = parsed.raw_host.decode("ascii", "replace")  # what the connection will resolve (IDNA-encoded)
    try:
        found = await resolve(host, parsed.port or 443)
        addresses = {ipaddress.ip_address(address.split("%", 1)[0]) for address in found}  # "fe80::1%eth0"
    except (OSError, UnicodeError, ValueError):
        raise DownloadError("error.download.unreachable") from None
    if not addresses or any(not address.is_global for address in addresses):
        raise DownloadError("error.download.private")
    return parsed


async def download(
    url: str,
    target: Path,
    *,
    max_bytes: int,
    limit_seconds: float = 600.0,
    transport: httpx.AsyncBaseTransport | None = None,
    first_headers: Mapping[str, str] | None = None,
    host_policy: HostPolicy | None = None,
    resolve: Resolver = system_resolve,
) -> int:
    """Stream ``url`` into ``target``; returns the number of bytes written. Nothing is kept on failure.

    ``first_headers`` (credentials) go with the first request only; ``host_policy`` judges every hop.
    """
    hops = _Hops(first_headers or {}, host_policy, resolve)
    try:
        async with asyncio.timeout(limit_seconds):
            return await _download(url, target, max_bytes, transport, hops)
    except TimeoutError:
        _discard(target)
        raise DownloadError("error.download.timeout") from None
    except DownloadError:
        _discard(target)
        raise
    except httpx.HTTPError:
        _discard(target)
        raise DownloadError("error.download.unreachable") from None


def _discard(path: Path) -> None:
    path.unlink(missing_ok=True)


@dataclass(frozen=True)
class _Hops:
    first_headers: Mapping[str, str]
    host_policy: HostPolicy | None
    resolve: Resolver


class _Borrowed(httpx.AsyncBaseTransport):
    """The caller's transport, used for one download and left open for the caller (closing is theirs)."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._transport.handle_async_request(request)


async def _download(
    url: str, target: Path, max_bytes: int, transport: httpx.AsyncBaseTransport | None, hops: _Hops
) -> int:
    borrowed = _Borrowed(transport) if transport is not None else None
    async with httpx.AsyncClient(follow_redirects=False, transport=borrowed, timeout=30.0) as client:
        for hop in range(MAX_REDIRECTS + 1):
            checked = await check_public_https(url, resolve=hops.resolve, host_policy=hops.host_policy)
            headers = hops.first_headers if hop == 0 else None
            async with client.stream("GET", checked, headers=headers) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(str(checked), response.headers["location"])
                    continue
                if response.status_code != 200:
                    raise DownloadError("error.download.status", status=response.status_code)
                declared = int(response.headers.get("content-length") or 0)
                if declared > max_bytes:
                    raise DownloadError("error.download.too_large", maximum=max_bytes // (1024 * 1024))
                written = 0
                with target.open("wb") as sink:
                    async for chunk in response.aiter_bytes(CHUNK):
                        written += len(chunk)
                        if written > max_bytes:
                            raise DownloadError("error.download.too_large", maximum=max_bytes // (1024 * 1024))
                        sink.write(chunk)
                return written
        raise DownloadError("error.download.redirects")


@dataclass(frozen=True)
class DiscordCdn:
    """Where a Discord attachment's bytes are: its URL is fetched like a link (https, public addresses only,
    streamed to disk in chunks, cut at ``max_bytes`` whatever the attachment declared), never read whole."""

    transport: httpx.AsyncBaseTransport | None = None  # tests: SimCord's CDN; the benchmark: a file on disk
    resolve: Resolver = system_resolve

    async def fetch(self, url: str, target: Path, *, max_bytes: int) -> int:
        """Stream the attachment at ``url`` into ``target``; the bytes written (nothing is kept on failure)."""
        return await download(url, target, max_bytes=max_bytes, transport=self.transport, resolve=self.resolve)

"""SimCord's CDN over httpx: the bot streams an attachment from it the way it streams one from Discord's CDN.

discord.py's ``Attachment.read`` works offline in SimCord, but the bot no longer uses it (it would hold a whole
recording in memory): it requests the attachment's URL. SimCord keeps attachments in memory under
``https://cdn.simcord.invalid/…``, which no network reaches, so the bots of the demo and of the SimCord stories
(tests/behaviour) get this transport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import discord
import httpx

from bot.app import FabriqueBot, create_bot
from bot.config import Settings
from bot.integrations.download import DiscordCdn
from bot.services.clients import Clients, clients_from_settings

CHUNK = 64 * 1024
PUBLIC_ADDRESS = "162.159.128.233"  # what DNS answers for cdn.discordapp.com: the public-address check passes


class Chunks(httpx.AsyncByteStream):
    """A body sent in pieces, each recorded when the bot asks for it."""

    def __init__(self, data: bytes, sent: list[int]) -> None:
        self._data = data
        self._sent = sent

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self._data), CHUNK):
            piece = self._data[start : start + CHUNK]
            self._sent.append(len(piece))
            yield piece


class SimcordCdn(httpx.AsyncBaseTransport):
    """Answers a request for an attachment with its bytes from SimCord's store, in 64 KiB chunks and without a
    ``Content-Length`` (as a chunked response would). ``extra`` bytes are appended: a CDN sending more than the
    attachment declared. ``requests`` and ``chunks`` record what was served."""

    def __init__(self) -> None:
        self.bot: discord.Client | None = None
        self.extra = b""
        self.requests: list[str] = []
        self.chunks: list[int] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self.bot is not None, "the transport serves the bot it was given to"
        blob = self.bot.http.backend.cdn.get(str(request.url))  # type: ignore[attr-defined]  # SimCord's HTTP client
        self.requests.append(str(request.url))
        if blob is None:
            return httpx.Response(404)
        return httpx.Response(200, stream=Chunks(blob + self.extra, self.chunks))


def bot_on_simcord_cdn(settings: Settings, clients: Clients | None = None) -> FabriqueBot:
    """A bot (with the outside clients ``settings`` enables, unless given) that fetches attachments from SimCord."""
    return bot_and_cdn(settings, clients)[0]


def bot_and_cdn(settings: Settings, clients: Clients | None = None) -> tuple[FabriqueBot, SimcordCdn]:
    """``bot_on_simcord_cdn``, and its CDN for a story that looks at what was served."""
    cdn = SimcordCdn()
    given = clients or clients_from_settings(settings, discord.utils.utcnow)

    async def resolve(host: str, port: int) -> list[str]:
        return [PUBLIC_ADDRESS]

    bot = create_bot(settings, clients=replace(given, attachments=DiscordCdn(transport=cdn, resolve=resolve)))
    cdn.bot = bot
    return bot, cdn

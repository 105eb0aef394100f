"""A local stand-in for the few Discord endpoints a bot touches while it starts, so that ``python -m bot run`` can be
tested as an operator meets it: a refused token, a missing intent, an unreachable Discord, a clean stop.

It answers login (``GET /users/@me``), the application (``GET /oauth2/applications/@me``) and the command sync
(any ``PUT``) as Discord does, and runs a gateway that says HELLO, waits for IDENTIFY, then either stays silent (a
bot connected but never ready, which is enough to stop it) or closes with a given code (4014: intents refused).

A real ``python -m bot`` process reaches it through ``LAUNCHER``, which points discord.py's base URL and gateway at
it before calling the same ``main()``.
"""

from __future__ import annotations

import asyncio
import json
from types import TracebackType
from typing import Any, Self

from aiohttp import WSMsgType, web

HOST = "127.0.0.1"
APPLICATION_ID = "1400000000000000001"
BOT_USER: dict[str, Any] = {
    "id": APPLICATION_ID,
    "username": "Fabrique",
    "discriminator": "0",
    "avatar": None,
    "bot": True,
}
LAUNCHER = """
import sys
import discord.gateway, discord.http, yarl
discord.http.Route.BASE = sys.argv[1] + "/api/v10"
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sys.argv[1].replace("http", "ws", 1) + "/gateway")
from bot.__main__ import main
sys.exit(main(sys.argv[2:]))
"""
IDENTIFY = 2
HELLO = 10


class FakeDiscord:
    def __init__(self, *, token: str, gateway_close_code: int | None = None) -> None:
        self.token = token
        self.gateway_close_code = gateway_close_code
        self.identified = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/api/v10/users/@me", self._me)
        app.router.add_get("/api/v10/oauth2/applications/@me", self._application)
        app.router.add_put("/api/v10/{tail:.*}", self._sync)
        app.router.add_get("/gateway", self._gateway)
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

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    async def _me(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        return _json(BOT_USER)

    async def _application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": APPLICATION_ID,
                "name": "Fabrique",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": {**BOT_USER, "id": "1400000000000000002", "bot": False},
                "verify_key": "0" * 64,
                "flags": 1 << 15,  # GATEWAY_GUILD_MEMBERS_LIMITED: the portal's toggle, not what the gateway enforces
            }
        )

    async def _sync(self, request: web.Request) -> web.Response:
        return _json([])  # no command registered back: enough for the bot to go on

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"op": HELLO, "d": {"heartbeat_interval": 45_000}, "s": None, "t": None})
        async for message in socket:
            if message.type is not WSMsgType.TEXT or message.json().get("op") != IDENTIFY:
                continue
            self.identified.set()
            if self.gateway_close_code is not None:
                await socket.close(code=self.gateway_close_code, message=b"Disallowed intent(s).")
        return socket


def _json(data: object, status: int = 200) -> web.Response:
    # discord.py decodes a body only when Content-Type is exactly application/json (no charset)
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})

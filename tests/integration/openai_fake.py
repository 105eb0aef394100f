"""A local OpenAI-compatible chat server on 127.0.0.1, answering ``POST /v1/chat/completions`` and ``GET /v1/models``
the way hosted providers and Ollama or vLLM do, and misbehaving on demand: too slow, 500, a body that is not JSON.

    async with FakeChatServer(api_key="k") as server:
        client = ResumeClient(base_url=server.base_url, api_key="k", model=server.model, timeout_seconds=5)

Every request is recorded so tests can read exactly what left the bot.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import web

HOST = "127.0.0.1"
Behaviour = Literal["answer", "slow", "error", "not_json", "no_choices"]


@dataclass(frozen=True)
class ChatRequest:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes = field(repr=False)

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def messages(self) -> list[dict[str, str]]:
        return self.json["messages"]


class FakeChatServer:
    def __init__(self, *, api_key: str = "", model: str = "mistral-small-latest", answer: str = "") -> None:
        self.api_key = api_key  # "": no key checked, as a local Ollama
        self.model = model
        self.answer = answer
        self.behaviour: Behaviour = "answer"
        self.slow_seconds = 30.0
        self.requests: list[ChatRequest] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def __aenter__(self) -> Self:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
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
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    @property
    def chat_requests(self) -> list[ChatRequest]:
        return [request for request in self.requests if request.path.endswith("/chat/completions")]

    async def _record(self, request: web.Request) -> ChatRequest | web.Response:
        recorded = ChatRequest(
            path=request.path,
            headers={name.lower(): value for name, value in request.headers.items()},
            body=await request.read(),
        )
        self.requests.append(recorded)
        if self.api_key and recorded.headers.get("authorization") != f"Bearer {self.api_key}":
            error = {
                "message": "Incorrect API key provided.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
            return web.json_response({"error": error}, status=401)
        return recorded

    async def _models(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        if isinstance(recorded, web.Response):
            return recorded
        models = [{"id": name, "object": "model", "owned_by": "fabrique"} for name in (self.model, "other-model")]
        return web.json_response({"object": "list", "data": models})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request)
        if isinstance(recorded, web.Response):
            return recorded
        body = recorded.json
        if body.get("model") != self.model:
            error = {"message": f"model '{body.get('model')}' not found", "type": "invalid_request_error"}
            return web.json_response({"error": error}, status=404)
        if self.behaviour == "slow":
            await asyncio.sleep(self.slow_seconds)
        if self.behaviour == "error":
            return web.json_response(
                {"error": {"message": "Internal server error", "type": "server_error"}}, status=500
            )
        if self.behaviour == "not_json":
            return web.Response(text="<html><body>502 Bad Gateway</body></html>", content_type="text/html")
        if self.behaviour == "no_choices":
            return web.json_response({"id": "chatcmpl-1", "object": "chat.completion", "choices": []})
        return web.json_response(
            {
                "id": "chatcmpl-fabrique",
                "object": "chat.completion",
                "created": 1741800000,
                "model": self.model,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": self.answer}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": len(recorded.body) // 4, "completion_tokens": len(self.answer) // 4},
            }
        )

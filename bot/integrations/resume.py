"""A chat model behind an OpenAI-compatible endpoint (``POST {base_url}/chat/completions``), for the draft summary.

Hosted providers (Mistral, OVHcloud AI Endpoints, Scaleway, OpenAI…) and local servers (Ollama, vLLM, llama.cpp)
all speak this dialect. What is sent is the transcript itself, so this client exists only when ``[resume]
base_url`` is set, and it logs neither the prompt nor the answer — only statuses, sizes and durations.

There is no retry: an organizer is waiting for the form, and the draft falls back to the offline one at once.
Every failure becomes a ResumeError whose ``key`` names a catalogue sentence and whose ``retryable`` says whether
trying again later can help, as the other integrations do.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any, Literal

import httpx

log = logging.getLogger(__name__)

ResumeErrorKey = Literal["error.resume.auth", "error.resume.unavailable", "error.resume.rejected"]

CONNECT_TIMEOUT_SECONDS = 10.0
MAX_ANSWER_TOKENS = 2000  # ≈ 8 000 characters of French, twice what the form holds: room without rambling
TEMPERATURE = 0.2  # a summary, not a story
# Reasoning models served by Ollama or vLLM (DeepSeek-R1, Qwen3…) put their thinking in the answer itself.
_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^```[\w-]*\n(.*)\n```$", re.DOTALL)


class ResumeError(Exception):
    """The endpoint gave no usable summary; ``key`` is the catalogue sentence, ``retryable`` says if later may work."""

    def __init__(self, key: ResumeErrorKey, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(key)
        self.key: ResumeErrorKey = key
        self.retryable = retryable
        self.status = status  # HTTP status, for the logs


class ResumeClient:
    """One model at one OpenAI-compatible endpoint; one instance for the bot's lifetime."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        timeout_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/chat/completions"
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}  # local servers need none
        self.model = model
        self._timeout = timeout_seconds
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_seconds, connect=min(CONNECT_TIMEOUT_SECONDS, timeout_seconds)),
            transport=transport,
            follow_redirects=False,  # a redirect would carry the transcript (and the key) somewhere unplanned
        )

    async def complete(self, system: str, user: str) -> str:
        """The model's answer to one system + user exchange, as plain text."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "temperature": TEMPERATURE,
            "max_tokens": MAX_ANSWER_TOKENS,
            "stream": False,
        }
        started = time.monotonic()
        try:
            # httpx's timeout bounds each read; this bounds the whole exchange, even a server trickling bytes.
            async with asyncio.timeout(self._timeout):
                response = await self._http.post(self._url, json=body, headers=self._headers)
        except (TimeoutError, httpx.TimeoutException):
            log.warning("Summary endpoint: no answer within %.0f s", self._timeout)
            raise ResumeError("error.resume.unavailable", retryable=True) from None
        except httpx.HTTPError as exc:  # refused, reset, DNS, bad URL
            log.warning("Summary endpoint unreachable (%s)", type(exc).__name__)
            raise ResumeError("error.resume.unavailable", retryable=True) from None
        elapsed = time.monotonic() - started
        if response.status_code != 200:
            raise _refusal(response.status_code)
        answer = _answer(response)
        log.info(
            "Summary endpoint answered in %.1f s (%d characters sent, %d received)",
            elapsed,
            len(system) + len(user),
            len(answer),
        )
        return answer

    async def aclose(self) -> None:
        await self._http.aclose()


def _refusal(status: int) -> ResumeError:
    if status in (401, 403):
        log.error("Summary endpoint refused the key (HTTP %s): check RESUME_API_KEY", status)
        return ResumeError("error.resume.auth", retryable=False, status=status)
    if status == 429 or status >= 500:
        log.warning("Summary endpoint unavailable (HTTP %s)", status)
        return ResumeError("error.resume.unavailable", retryable=True, status=status)
    # 400 (context too long, bad parameter), 404 (wrong base_url or model), 422…: only the operator can fix it.
    log.error("Summary endpoint refused the request (HTTP %s): check [resume] base_url and model", status)
    return ResumeError("error.resume.rejected", retryable=False, status=status)


def _answer(response: httpx.Response) -> str:
    """``choices[0].message.content``, without a reasoning model's thinking nor a code fence around everything."""
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        log.error("Summary endpoint: HTTP 200 without a chat completion in it")
        raise ResumeError("error.resume.unavailable", retryable=True, status=200) from None
    if not isinstance(content, str):
        log.error("Summary endpoint: the completion holds no text")
        raise ResumeError("error.resume.unavailable", retryable=True, status=200)
    text = _THINKING.sub("", content).strip()
    fenced = _FENCE.match(text)
    text = fenced.group(1).strip() if fenced else text
    if not text:
        log.warning("Summary endpoint: empty answer")
        raise ResumeError("error.resume.unavailable", retryable=True, status=200)
    return text

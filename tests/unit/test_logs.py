"""What the bot writes to its log never holds a recording link's password or token, a Zoom link or a webhook token:
httpx's request lines are silenced, and every line that leaves the handler is masked."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.logs import redact

REPO_ROOT = Path(__file__).resolve().parents[2]
RECORDING = "https://zoom.us/rec/download/AbC123?pwd=PASSCODE42&access_token=TOKEN42"
STORAGE = "https://cdn.example.org/recording.m4a?X-Amz-Signature=SIGNATURE42"
SECRETS = ("PASSCODE42", "TOKEN42", "SIGNATURE42")


def run_logging(script: str) -> str:
    """Run ``script`` after the entry point's own logging set-up, in a fresh interpreter; return its stderr."""
    prelude = "from bot.logs import configure_logging\nconfigure_logging()\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stderr


def test_httpx_requests_to_secret_urls_leave_no_trace_in_the_log() -> None:
    stderr = run_logging(
        f"""
        import asyncio, httpx
        async def fetch():
            transport = httpx.MockTransport(lambda request: httpx.Response(200))
            async with httpx.AsyncClient(transport=transport) as client:
                await client.get({RECORDING!r})
                await client.get({STORAGE!r})
        asyncio.run(fetch())
        """
    )
    assert not any(secret in stderr for secret in SECRETS), stderr


def test_a_url_in_any_log_line_or_traceback_is_masked() -> None:
    stderr = run_logging(
        f"""
        import logging
        log = logging.getLogger("bot.anything")
        log.warning("download of %s failed", {RECORDING!r})
        try:
            raise ValueError({STORAGE!r})
        except ValueError:
            log.exception("conversion failed")
        """
    )
    assert "download of https://zoom.us/… failed" in stderr
    assert "https://cdn.example.org/recording.m4a?…" in stderr  # the host stays, to know what failed
    assert not any(secret in stderr for secret in SECRETS), stderr


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("joined https://us02web.zoom.us/j/81234567890?pwd=abcDEF", "81234567890"),
        ("POST https://discord.com/api/v10/webhooks/123456/aWebhookToken-xyz", "aWebhookToken"),
        ("POST https://discord.com/api/v10/interactions/123456/anInteractionToken/callback", "anInteractionToken"),
        ("postgresql+asyncpg://fabrique:s3cret@db:5432/fabrique", "s3cret"),
        ("https://site.example/?rest_route=/wp/v2/media&token=abc", "token=abc"),
    ],
)
def test_redact_masks_each_kind_of_secret(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "fabrique 42: announcement posted in channel 1234 (https://discord.com/channels/1/2/3)"
    assert redact(text) == text

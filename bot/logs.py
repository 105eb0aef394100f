"""Logging for the bot and the command line: one format on standard error, and nothing secret in it.

httpx and httpcore log every request URL at INFO, and those URLs are secrets: a recording link carries ``pwd=`` or
``access_token=``, a Zoom join link lets anyone in. They speak only from WARNING. As a second line of defence, every
line the handler writes (tracebacks included) has URL query strings, Zoom paths, Discord webhook and interaction
tokens, the web door's upload links and URL passwords masked, so a library or an exception message that prints a URL
cannot leak it.
"""

from __future__ import annotations

import logging
import re

from bot.config import hide_password

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries whose INFO lines are request URLs.
URL_LOGGERS = ("httpx", "httpcore")

_MASKS = (
    # Discord webhook and interaction tokens sit in the path: .../webhooks/<id>/<token>
    (re.compile(r"(discord(?:app)?\.com/api/(?:v\d+/)?(?:webhooks|interactions)/\d+/)[^\s/?#\"'<>]+"), r"\1…"),
    # Any Zoom URL: meeting ids, passcodes, recording paths.
    (re.compile(r"(https?://(?:[\w-]+\.)*zoom\.us)/[^\s\"'<>]*"), r"\1/…"),
    # The web door's one-time upload links: /depot/<token>.
    (re.compile(r"(/depot/)[^\s/?#\"'<>]+"), r"\1…"),
    # Query strings: pwd=, access_token=, signatures of pre-signed storage links.
    (re.compile(r"(https?://[^\s?#\"'<>]+)\?[^\s\"'<>]*"), r"\1?…"),
)


def redact(text: str) -> str:
    """``text`` with every secret part of the URLs in it replaced by an ellipsis."""
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return hide_password(text)  # scheme://user:password@host, a database URL in an error


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(level: int = logging.INFO) -> None:
    """Send every log line, masked, to standard error; silence the loggers that print request URLs."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])  # a no-op where handlers exist (under pytest)
    for name in URL_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)

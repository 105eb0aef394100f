"""Upload links of the web door: what a link is worth at a given moment. Pure rules, no I/O.

A link carries a random token (``secrets.token_urlsafe(32)``: 256 bits, never guessed). Only its SHA-256 is stored,
so a copy of the database (a backup, a dump in a bug report) opens nothing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

TOKEN_BYTES = 32


class LinkState(StrEnum):
    VALID = "valid"
    USED = "used"  # a successful upload used it up
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # never issued (or purged long after it expired)


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256, in hex. Any text hashes, so a malformed token costs the same as a
    real one on its way to the database (an unknown link is not answered faster than a used one)."""
    return hashlib.sha256(token.encode("utf-8", errors="replace")).hexdigest()


def link_state(expires_at: datetime | None, used_at: datetime | None, now: datetime) -> LinkState:
    """``expires_at`` is None when no link has this token. A used link says so even once it has expired too."""
    if expires_at is None:
        return LinkState.UNKNOWN
    if used_at is not None:
        return LinkState.USED
    if now >= expires_at:
        return LinkState.EXPIRED
    return LinkState.VALID

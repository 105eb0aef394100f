"""Where each outside copy of a session (Zoom meeting, website post, one email) stands."""

from __future__ import annotations

from enum import StrEnum

ZOOM_TARGET = "zoom"  # the ``session_copy`` target of a session's Zoom meeting, when the bot created it


class CopyStatus(StrEnum):
    SENDING = "sending"  # written before an email leaves: after a crash it may have been sent, so never resent
    SYNCED = "synced"
    FAILED = "failed"  # retried at ``retry_at`` when the failure can pass
    RETRYING = "retrying"  # a failed email about the current date, being sent again
    SUPERSEDED = "superseded"  # a failed email about a date that changed since: the email about the move replaces it

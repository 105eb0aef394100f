"""The two ways of documenting a session, and the steps of the job that turns them into an article."""

from __future__ import annotations

from enum import StrEnum


class Path3P(StrEnum):
    """The seed's two ways of documenting: recording + notes (classique), or the 3P collective report (express)."""

    CLASSIQUE = "classique"
    EXPRESS = "express"


class JobStatus(StrEnum):
    """queued → downloading → converting → ready → publishing → published, or failed (with a reason to show)."""

    QUEUED = "queued"
    DOWNLOADING = "downloading"
    CONVERTING = "converting"
    READY = "ready"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"

"""Chapters typed by the organizer in the session notes, e.g. « 00:12:30 Tour de table ».

Organizers write notes by hand, in Markdown or not, so the reader is forgiving about decoration (a list bullet,
brackets around the time, a dash or a colon before the title) and strict about the time itself: only
``H:MM:SS`` / ``HH:MM:SS`` counts, because a bare ``12:30`` in notes is far more often a time of day than a
position in the recording. Anything else is simply not a chapter line and is ignored.

``landmarks`` is the one list a session's recording is read by: the MP3's ID3 chapters and the article's
« Repères » both come from it, so they cannot differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.transcripts import parse_vtt

MAX_TITLE_LENGTH = 100

_CHAPTER_LINE = re.compile(
    r"""^\s*
    (?:[-*+•]\s+)?                          # a Markdown or typographic list bullet
    [\[(]?(?P<hours>\d{1,2}):(?P<minutes>[0-5]\d):(?P<seconds>[0-5]\d)[\])]?
    \s*(?:[-—–:]\s*)?                       # an optional separator before the title
    (?P<title>[^\s\-—–:].*?)\s*$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Chapter:
    start_seconds: int
    title: str


def parse_chapters(notes: str) -> list[Chapter]:
    """The chapters found in ``notes``, in time order, one per start time (the first one written wins)."""
    by_start: dict[int, Chapter] = {}
    for line in notes.splitlines():
        match = _CHAPTER_LINE.match(line)
        if match is None:
            continue
        title = match["title"][:MAX_TITLE_LENGTH].rstrip()
        start = int(match["hours"]) * 3600 + int(match["minutes"]) * 60 + int(match["seconds"])
        by_start.setdefault(start, Chapter(start, title))
    return [by_start[start] for start in sorted(by_start)]


# --- the one list of landmarks -----------------------------------------------------------------------------------

TRANSCRIPT_LANDMARK_SECONDS = 600
TRANSCRIPT_TITLE_LENGTH = 60


def landmarks(
    notes: str,
    report: str = "",
    transcript: str | None = None,
    *,
    duration_seconds: float | None = None,
    every_seconds: int = TRANSCRIPT_LANDMARK_SECONDS,
) -> list[Chapter]:
    """The landmarks of a session: the MP3's chapters and the article's « Repères » are this one list.

    The organizer's ``HH:MM:SS titre`` lines (from the notes, else from the 3P report) when there are any; else,
    from the transcript, the first words said in every ``every_seconds`` that hold speech. With the recording's
    duration, landmarks starting at or after its end are dropped (they would point at nothing).
    """
    found = parse_chapters(notes) or parse_chapters(report)
    if not found and transcript:
        found = transcript_chapters(transcript, every_seconds)
    if duration_seconds is not None:
        found = [chapter for chapter in found if chapter.start_seconds < duration_seconds]
    return found


def transcript_chapters(transcript: str, every_seconds: int = TRANSCRIPT_LANDMARK_SECONDS) -> list[Chapter]:
    """One landmark per ``every_seconds`` of a WebVTT transcript that holds speech: the time of its first cue,
    titled with that cue's first words."""
    by_window: dict[int, Chapter] = {}
    for cue in parse_vtt(transcript):
        title = _first_words(cue.text)
        if title:
            by_window.setdefault(int(cue.start // every_seconds), Chapter(int(cue.start), title))
    return [by_window[window] for window in sorted(by_window)]


def _first_words(text: str, limit: int = TRANSCRIPT_TITLE_LENGTH) -> str:
    words = " ".join(text.split()).strip(" -–—:")
    return words if len(words) <= limit else words[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"

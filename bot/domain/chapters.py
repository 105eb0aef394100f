"""Chapters typed by the organizer in the session notes, e.g. « 00:12:30 Tour de table ».

Organizers write notes by hand, in Markdown or not, so the reader is forgiving about decoration (a list bullet,
brackets around the time, a dash or a colon before the title) and strict about the time itself: only
``H:MM:SS`` / ``HH:MM:SS`` counts, because a bare ``12:30`` in notes is far more often a time of day than a
position in the recording. Anything else is simply not a chapter line and is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

"""WebVTT transcripts as Zoom writes them (or as an organizer exports them elsewhere), read forgivingly.

A transcript is the raw material of the documentation draft: its cue times become landmarks, its words keywords or
the text a summary model reads. Files come from Zoom, from other tools and from hand edits, so the reader accepts
what real files hold — a byte-order mark, CRLF, cue numbers, ``NOTE``/``STYLE`` blocks, ``MM:SS.mmm`` times and
commas instead of dots, ``<v Name>`` voice tags and inline tags, Zoom's « Name: words » prefix, HTML entities —
and skips what it cannot read instead of failing: a draft from most of a file beats no draft.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

# ``HH:MM:SS.mmm`` or ``MM:SS.mmm`` (hours optional in WebVTT), with a dot or the SRT comma before the fraction.
_TIME = r"(?:(\d{1,3}):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
# Bounded, and never across another « < »: a cue of « <a<a<a… » (no closing « > ») is read in linear time, where
# « [^>]* » made every « < » scan to the end of the line (quadratic: minutes for a crafted 2 MB file).
_VOICE = re.compile(r"<v(?:\.[^\s<>]{0,60})?\s+([^<>]{1,200})>", re.IGNORECASE)
# <c.x>, <i>, </v>, and <00:00:01.000> karaoke stamps
_TAG = re.compile(r"</?[a-z][^<>]{0,200}>|<\d[\d:.]{0,20}>", re.IGNORECASE)
# Zoom writes « Prénom Nom: paroles ». A prefix is taken for a name only when it recurs (see ``parse_vtt``).
_SPEAKER_PREFIX = re.compile(r"^([^:.?!<>\d]{1,60}?)\s*:\s+(\S.*)$")
_MAX_SPEAKER_WORDS = 6
GAP = "[…]"


@dataclass(frozen=True)
class Cue:
    start: float  # seconds from the start of the recording
    end: float
    text: str  # the words only: tags, entities and the speaker's name removed
    speaker: str | None = None


def clock_time(seconds: float) -> str:
    """``HH:MM:SS``, the form chapters and landmarks are written in (bot/domain/chapters.py reads it back)."""
    whole = max(0, int(seconds))
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def parse_vtt(text: str) -> list[Cue]:
    """The cues of a WebVTT file in time order; blocks without a readable timing line are skipped."""
    raw: list[tuple[float, float, str, str | None]] = []
    normalised = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    for block in re.split(r"\n[ \t]*\n", normalised):
        lines = block.split("\n")
        timing_at = next((index for index, line in enumerate(lines) if "-->" in line), None)
        if timing_at is None:
            continue  # the WEBVTT header, NOTE, STYLE and REGION blocks, stray text
        match = _TIMING.match(lines[timing_at])
        if match is None:
            continue
        start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        words = " ".join(line.strip() for line in lines[timing_at + 1 :] if line.strip())
        voice = _VOICE.search(words)
        words = re.sub(r"\s+", " ", html.unescape(_TAG.sub("", words))).strip()
        if words:
            raw.append((start, max(start, end), words, voice.group(1).strip() if voice else None))
    return _with_speakers(sorted(raw, key=lambda cue: cue[0]))


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str | None) -> float:
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return value + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0)


def _with_speakers(raw: list[tuple[float, float, str, str | None]]) -> list[Cue]:
    """Split Zoom's « Name: words » off the words when the prefix is a speaker's name.

    One cue reading « Attention: … » is a sentence; a prefix that recurs is a speaker, and so is a capitalised one
    (« Julien Petit ») in a transcript where most cues name their speaker. The names must leave the words, or they
    would top every keyword list.
    """
    prefixes = [_speaker_prefix(words) for _, _, words, _ in raw]
    recurring = {name for name, count in Counter(p[0] for p in prefixes if p).items() if count >= 2}
    named = sum(1 for prefix in prefixes if prefix and prefix[0] in recurring)
    prefixed_file = named * 2 >= len(raw) > 0
    cues = []
    for (start, end, words, voice), prefix in zip(raw, prefixes, strict=True):
        if prefix is not None and (
            prefix[0] in recurring or (prefixed_file and all(word[:1].isupper() for word in prefix[0].split()))
        ):
            cues.append(Cue(start, end, prefix[1], voice or prefix[0]))
        else:
            cues.append(Cue(start, end, words, voice))
    return cues


def _speaker_prefix(words: str) -> tuple[str, str] | None:
    match = _SPEAKER_PREFIX.match(words)
    if match is None or len(match.group(1).split()) > _MAX_SPEAKER_WORDS:
        return None
    return match.group(1).strip(), match.group(2)


def speaking_turns(cues: list[Cue], *, within_seconds: float = 60.0) -> list[str]:
    """One line per speaking turn, « [HH:MM:SS] Name: words »: a speaker's consecutive cues are joined while the
    turn is younger than ``within_seconds``, so a reader of the lines still knows when each thing was said."""
    lines: list[str] = []
    turn_start, turn_speaker, words = 0.0, None, []
    for cue in cues:
        if words and (cue.speaker != turn_speaker or cue.start - turn_start > within_seconds):
            lines.append(_turn_line(turn_start, turn_speaker, words))
            words = []
        if not words:
            turn_start, turn_speaker = cue.start, cue.speaker
        words.append(cue.text)
    if words:
        lines.append(_turn_line(turn_start, turn_speaker, words))
    return lines


def _turn_line(start: float, speaker: str | None, words: list[str]) -> str:
    return f"[{clock_time(start)}] {f'{speaker}: ' if speaker else ''}{' '.join(words)}"


@dataclass(frozen=True)
class Excerpt:
    text: str
    cut: bool  # False: ``text`` is every line
    kept_chars: int  # characters of the original lines kept (gaps and newlines not counted)
    total_chars: int


def excerpt(lines: list[str], budget: int, *, part_chars: int = 3000) -> Excerpt:
    """The lines joined, or, when they exceed ``budget`` characters, the beginning, the end and parts evenly spaced
    in between, each gap marked by a ``[…]`` line. Whole lines are kept (only a line longer than a part is
    shortened), and the result never exceeds ``budget``."""
    total = sum(len(line) for line in lines)
    joined = "\n".join(lines)
    if len(joined) <= budget:
        return Excerpt(joined, False, total, total)
    parts = max(2, min(len(lines), budget // part_chars))
    room = max(1, (budget - (parts - 1) * (len(GAP) + 2)) // parts)  # a gap line costs its two newlines too
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    chosen: list[tuple[int, list[str]]] = []  # (index of the part's first line, its lines)
    next_free = 0  # parts never overlap
    for part in range(parts - 1):
        # Part 0 starts at the first line; the others are centred on evenly spaced points of the text.
        first = 0 if part == 0 else max(next_free, _line_at(offsets, total * part // (parts - 1) - room // 2))
        taken = _forwards(lines, first, room)
        chosen.append((first, taken))
        next_free = first + len(taken)
    last = _backwards(lines, room, stop=next_free)  # the last part ends with the last line
    chosen.append((len(lines) - len(last), last))
    pieces: list[str] = []
    for index, (first, taken) in enumerate(chosen):
        if not taken:
            continue
        previous_end = chosen[index - 1][0] + len(chosen[index - 1][1]) if index else 0
        if pieces and first > previous_end:
            pieces.append(GAP)
        pieces.extend(taken)
    kept = sum(len(line) for _, taken in chosen for line in taken)
    return Excerpt("\n".join(pieces)[:budget], True, kept, total)


def _line_at(offsets: list[int], position: int) -> int:
    """Index of the line holding character ``position`` of the concatenated lines."""
    low, high = 0, len(offsets) - 2
    position = max(0, position)
    while low < high:
        middle = (low + high + 1) // 2
        if offsets[middle] <= position:
            low = middle
        else:
            high = middle - 1
    return low


def _forwards(lines: list[str], first: int, room: int) -> list[str]:
    taken: list[str] = []
    size = 0
    for line in lines[first:]:
        cost = len(line) + (1 if taken else 0)
        if size + cost > room:
            if not taken:
                taken.append(line[: room - 1] + "…")
            break
        taken.append(line)
        size += cost
    return taken


def _backwards(lines: list[str], room: int, *, stop: int) -> list[str]:
    taken: list[str] = []
    size = 0
    for line in reversed(lines[stop:]):
        cost = len(line) + (1 if taken else 0)
        if size + cost > room:
            if not taken:
                taken.append("…" + line[len(line) - room + 1 :])
            break
        taken.append(line)
        size += cost
    return taken[::-1]

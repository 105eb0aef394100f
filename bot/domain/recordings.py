"""The cloud recording Zoom makes of a session: when to ask for it, which of its files to use, who came and for how
long.

Zoom needs from minutes to hours to process a recording, so the bot asks again and again with growing intervals
(15 min after the end, 30, 1 h, 2 h…) up to ``[zoom] recording_wait_hours``. The audio the documentation needs is
the ``audio_only`` M4A, else the audio of an MP4 (the smallest: the sound is the same); the transcript (VTT) and the
chat (TXT) come along when Zoom made them. Attendance is counted per person — Zoom lists one row per join, so
someone who dropped and came back counts once, with the time of every stay — and only the count and the average
time present are kept: no name is stored or published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

FIRST_POLL_MINUTES = 15
COMPLETED = "completed"
AUDIO_TYPES = ("M4A", "MP4")


class RecordingStatus(StrEnum):
    """waiting → offered → accepted | declined, or expired when the wait ended without a usable recording."""

    WAITING = "waiting"  # asked Zoom at least once; nothing usable yet
    OFFERED = "offered"  # the organizer got « L'enregistrement Zoom est prêt » and its two buttons
    ACCEPTED = "accepted"  # « Utiliser cet enregistrement »: the documentation job uses it
    DECLINED = "declined"  # « J'en fournis un autre » (the recording can still be used later)
    EXPIRED = "expired"  # still processing, or absent, at the end of the wait: the organizer was told how to upload


@dataclass(frozen=True)
class RecordingFile:
    """One file of a cloud recording, as Zoom lists it (``recording_files[]``)."""

    id: str
    file_type: str  # MP4, M4A, TRANSCRIPT (VTT), CHAT (TXT), TIMELINE, CC, CSV, SUMMARY…
    recording_type: str  # audio_only, shared_screen_with_speaker_view, audio_transcript, chat_file…
    extension: str  # MP4, M4A, VTT, TXT, JSON…
    size: int  # what Zoom says; the download is capped whatever it says
    status: str  # processing → completed (or failed)
    # Not secret without the token, but long and noisy: kept out of logs and assertion messages.
    download_url: str = field(repr=False)

    @property
    def completed(self) -> bool:
        return self.status == COMPLETED


@dataclass(frozen=True)
class CloudRecording:
    """The latest instance of a meeting that has a cloud recording: its UUID and its files."""

    uuid: str
    files: tuple[RecordingFile, ...]


@dataclass(frozen=True)
class Participant:
    """One row of a past meeting's participants: one stay of one person."""

    key: str  # who (Zoom's participant id, else the name), only to count each person once; never stored
    seconds: int
    in_waiting_room: bool = False


@dataclass(frozen=True)
class Presence:
    """How many people came, and how long they stayed on average (seconds)."""

    participants: int
    average_seconds: int


@dataclass(frozen=True)
class Chosen:
    audio: RecordingFile | None
    transcript: RecordingFile | None
    chat: RecordingFile | None


def poll_minutes(wait_hours: int) -> tuple[int, ...]:
    """Minutes after the end when Zoom is asked: 15, 30, 60, 120… doubling, and a last time when the wait ends."""
    if wait_hours <= 0:
        return ()
    last = wait_hours * 60
    minutes, current = [], FIRST_POLL_MINUTES
    while current < last:
        minutes.append(current)
        current *= 2
    return (*minutes, last)


def choose(recording: CloudRecording) -> Chosen:
    """The files the documentation uses: the audio-only M4A, else the smallest MP4; the transcript; the chat."""
    m4a = [f for f in recording.files if f.file_type == "M4A"]
    mp4 = sorted((f for f in recording.files if f.file_type == "MP4"), key=lambda f: f.size)
    audio_only = [f for f in m4a if f.recording_type == "audio_only"]
    audio = next(iter(audio_only or m4a or mp4), None)
    transcript = next((f for f in recording.files if f.file_type == "TRANSCRIPT"), None)
    chat = next((f for f in recording.files if f.file_type == "CHAT"), None)
    return Chosen(audio, transcript, chat)


def ready(recording: CloudRecording, *, last_chance: bool) -> bool:
    """The audio is completed, and so is everything the documentation would take with it — unless this is the last
    time the bot asks: then a completed audio is enough (a transcript still processing is left out)."""
    chosen = choose(recording)
    if chosen.audio is None or not chosen.audio.completed:
        return False
    if last_chance:
        return True
    return all(f is None or f.status != "processing" for f in (chosen.transcript, chosen.chat))


def presence(participants: Iterable[Participant]) -> Presence | None:
    """People counted once each (every stay added up), waiting-room rows left out; None when nobody came in."""
    stays: dict[str, int] = {}
    for row in participants:
        if row.in_waiting_room:
            continue
        stays[row.key] = stays.get(row.key, 0) + max(0, row.seconds)
    if not stays:
        return None
    return Presence(participants=len(stays), average_seconds=round(sum(stays.values()) / len(stays)))

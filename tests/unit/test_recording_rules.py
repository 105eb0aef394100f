"""Zoom's cloud recording as pure rules: when to ask, which files to use, how attendance is counted and shown."""

from __future__ import annotations

import pytest

from bot.domain.recordings import (
    CloudRecording,
    Participant,
    Presence,
    RecordingFile,
    choose,
    poll_minutes,
    presence,
    ready,
)
from bot.i18n import I18n
from bot.services.recordings import presence_text


def file(file_type: str, recording_type: str = "", *, size: int = 100, status: str = "completed") -> RecordingFile:
    return RecordingFile(f"id-{file_type}-{size}", file_type, recording_type, file_type, size, status, "https://x")


def recording(*files: RecordingFile) -> CloudRecording:
    return CloudRecording("uuid==", files)


def test_polls_double_from_fifteen_minutes_and_end_with_the_wait() -> None:
    assert poll_minutes(24) == (15, 30, 60, 120, 240, 480, 960, 1440)
    assert poll_minutes(1) == (15, 30, 60)
    assert poll_minutes(0) == ()


def test_the_audio_only_m4a_is_preferred_then_the_smallest_mp4() -> None:
    m4a = file("M4A", "audio_only")
    big, small = file("MP4", "shared_screen_with_speaker_view", size=900), file("MP4", "active_speaker", size=300)
    transcript, chat = file("TRANSCRIPT", "audio_transcript"), file("CHAT", "chat_file")
    assert choose(recording(big, m4a, transcript, chat, small)).audio == m4a
    assert choose(recording(big, small, file("TIMELINE"))).audio == small
    chosen = choose(recording(big, transcript, chat))
    assert (chosen.transcript, chosen.chat) == (transcript, chat)
    assert choose(recording(chat)).audio is None


def test_ready_waits_for_the_transcript_unless_it_is_the_last_chance() -> None:
    audio = file("M4A", "audio_only")
    pending = file("TRANSCRIPT", status="processing")
    assert ready(recording(audio, file("TRANSCRIPT")), last_chance=False)
    assert not ready(recording(audio, pending), last_chance=False)
    assert ready(recording(audio, pending), last_chance=True)
    assert not ready(recording(file("M4A", "audio_only", status="processing")), last_chance=True)
    assert not ready(recording(file("CHAT")), last_chance=True)


def test_each_person_counts_once_with_every_stay_and_the_waiting_room_does_not_count() -> None:
    rows = [
        Participant("alice", 100 * 60),
        Participant("alice", 10 * 60),  # dropped and came back
        Participant("bob", 50 * 60),
        Participant("guest", 5 * 60, in_waiting_room=True),
    ]
    assert presence(rows) == Presence(participants=2, average_seconds=80 * 60)
    assert presence([Participant("guest", 60, in_waiting_room=True)]) is None
    assert presence([]) is None


@pytest.mark.parametrize(
    ("language", "found", "text"),
    [
        ("fr", Presence(23, 112 * 60), "23 participants, 1 h 52 en moyenne"),
        ("fr", Presence(8, 45 * 60 + 20), "8 participants, 45 min en moyenne"),
        ("fr", Presence(5, 2 * 3600), "5 participants, 2 h en moyenne"),
        ("fr", Presence(12, 65 * 60), "12 participants, 1 h 05 en moyenne"),
        ("fr", Presence(1, 90 * 60), "1 participant, 1 h 30"),
        ("en", Presence(23, 112 * 60), "23 participants, 1 h 52 on average"),
    ],
)
def test_attendance_reads_as_people_say_it(language: str, found: Presence, text: str) -> None:
    assert presence_text(I18n(language), found) == text

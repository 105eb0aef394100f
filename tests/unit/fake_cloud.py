"""Zoom as the recordings service sees it, in memory: meetings, a cloud recording per meeting, its participants,
its files' bytes, the trash. The HTTP side (shapes, tokens, hosts, hostile files) is tested against the Zoom-shaped
server in tests/integration/test_zoom.py; here the services are under test."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.domain.recordings import CloudRecording, Participant, RecordingFile
from bot.integrations.download import DownloadError
from bot.integrations.zoom import ZoomError, ZoomMeeting

VTT = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nAlice: Bonjour à toutes et à tous.\n"
CHAT = "00:10:02 De Bob à Tout le monde : le guide https://exemple.org/guide\n"


def cloud_file(file_type: str, recording_type: str, content: bytes, *, status: str = "completed") -> RecordingFile:
    file_id = secrets.token_hex(6)
    return RecordingFile(
        file_id, file_type, recording_type, file_type, len(content), status, f"https://zoom.us/rec/{file_id}"
    )


@dataclass
class FakeCloud:
    meetings: list[int] = field(default_factory=list)
    recordings: dict[str, CloudRecording] = field(default_factory=dict)  # by meeting id
    participants: dict[str, list[Participant]] = field(default_factory=dict)  # by meeting id or UUID
    contents: dict[str, bytes] = field(default_factory=dict)  # by download URL
    trashed: list[str] = field(default_factory=list)
    failing: ZoomError | None = None  # every recording call raises it
    asked: list[str] = field(default_factory=list)

    # --- meetings (what the announcement creates) -------------------------------------------------------------------

    async def create_meeting(
        self, *, topic: str, start: datetime, duration_minutes: int, timezone: str, agenda: str = ""
    ) -> ZoomMeeting:
        meeting_id = 81234567890 + len(self.meetings)
        self.meetings.append(meeting_id)
        return ZoomMeeting(meeting_id, f"https://zoom.us/j/{meeting_id}?pwd=x", f"https://zoom.us/s/{meeting_id}")

    async def update_meeting(self, meeting_id: int, **changes: object) -> None:
        pass

    async def delete_meeting(self, meeting_id: int) -> None:
        pass

    async def host_link(self, meeting_id: int) -> str:
        return f"https://zoom.us/s/{meeting_id}?zak={secrets.token_urlsafe(8)}"

    async def aclose(self) -> None:
        pass

    # --- what the tests set up --------------------------------------------------------------------------------------

    def publish(self, meeting_id: int, *, status: str = "completed", with_texts: bool = True) -> CloudRecording:
        """The meeting's recording: an audio-only M4A, a video, and (``with_texts``) the transcript and the chat."""
        files = [
            cloud_file("M4A", "audio_only", b"m4a-audio" * 100, status=status),
            cloud_file("MP4", "shared_screen_with_speaker_view", b"mp4" * 1000, status=status),
        ]
        if with_texts:
            files += [
                cloud_file("TRANSCRIPT", "audio_transcript", VTT.encode(), status=status),
                cloud_file("CHAT", "chat_file", CHAT.encode(), status=status),
            ]
        contents = [b"m4a-audio" * 100, b"mp4" * 1000, VTT.encode(), CHAT.encode()]
        for recorded, content in zip(files, contents, strict=False):
            self.contents[recorded.download_url] = content
        recording = CloudRecording(f"uuid-{meeting_id}==", tuple(files))
        self.recordings[str(meeting_id)] = recording
        return recording

    # --- the recordings service's side ------------------------------------------------------------------------------

    async def meeting_recordings(self, meeting: int | str) -> CloudRecording | None:
        self.asked.append(f"recordings {meeting}")
        if self.failing is not None:
            raise self.failing
        return self.recordings.get(str(meeting))

    async def past_participants(self, meeting: int | str) -> list[Participant]:
        self.asked.append(f"participants {meeting}")
        if self.failing is not None:
            raise self.failing
        return self.participants.get(str(meeting), [])

    async def download_recording(self, download_url: str, target: Path, *, max_bytes: int) -> int:
        self.asked.append(f"download {download_url}")
        content = self.contents.get(download_url)
        if content is None:
            raise DownloadError("error.zoom.download_failed")
        if len(content) > max_bytes:
            raise DownloadError("error.download.too_large", maximum=max_bytes // (1024 * 1024))
        await asyncio.to_thread(target.write_bytes, content)
        return len(content)

    async def trash_recordings(self, meeting: int | str) -> None:
        if self.failing is not None:
            raise self.failing
        self.trashed.append(str(meeting))

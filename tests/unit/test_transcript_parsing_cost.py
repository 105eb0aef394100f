"""A transcript is member input (``/fabrique documenter transcription:``, up to 2 MB, read before anyone's right to
document is checked): reading it must cost time in proportion to its size, and never on the event loop, or one
crafted file freezes the whole bot (every command, every reminder) for minutes."""

from __future__ import annotations

import subprocess
import sys
import threading

from bot.config import ResumeSettings
from bot.domain import transcripts
from bot.i18n import I18n
from bot.services import drafts
from bot.services.drafts import DraftService

CRAFTED_BYTES = 512 * 1024  # a quarter of TEXT_FILE_MAX
# Linear reading of a megabyte takes a fraction of a second; the crafted cue below takes minutes (quadratic).
PATIENCE_SECONDS = 20

READ = f"""
from bot.domain.transcripts import parse_vtt
cue = "<a" * ({CRAFTED_BYTES} // 2)
parse_vtt("WEBVTT\\n\\n00:00:01.000 --> 00:00:05.000\\n" + cue + "\\n")
"""


def test_a_crafted_cue_is_read_in_time_proportional_to_its_size() -> None:
    try:
        subprocess.run([sys.executable, "-c", READ], check=True, timeout=PATIENCE_SECONDS)
        finished = True
    except subprocess.TimeoutExpired:  # the child is killed: nothing keeps burning the CPU
        finished = False
    # Before the fix: « <a » repeated makes the tag pattern </?[a-z][^>]*> rescan the rest of the line from every « < »:
    # 160 kB take 10 s, 2 MB about 25 minutes.
    assert finished


async def test_the_draft_reads_the_transcript_off_the_event_loop(monkeypatch) -> None:
    readers: list[str] = []

    def spying(text: str) -> list[transcripts.Cue]:
        readers.append(threading.current_thread().name)
        return transcripts.parse_vtt(text)

    monkeypatch.setattr(drafts, "parse_vtt", spying)
    service = DraftService(ResumeSettings(), i18n=I18n("fr"), zoom=None, resume=None)

    await service.draft(
        _Subject(), "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nBonjour à toutes et à tous.\n", zoom_meeting_id=None
    )

    assert readers and threading.main_thread().name not in readers


class _Subject:
    id = 1
    title = "Les tiers-lieux culturels"
    description = "Une session."
    speaker = ""

"""What a recording says it is, read by ffprobe under the same guards as the conversion (it may lie)."""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass
from pathlib import Path

from bot.integrations.audio._process import AudioError, file_url, find_ffmpeg, input_guards, run


@dataclass(frozen=True)
class Probe:
    duration_seconds: float
    format_name: str
    has_audio: bool
    sample_rate: int  # of the first audio stream, the one converted


async def probe(path: Path) -> Probe:
    """What the file says it is, read by ffprobe under the same guards as the conversion."""
    if (await asyncio.to_thread(path.stat)).st_size == 0:
        raise AudioError("error.audio.empty")
    _, ffprobe = find_ffmpeg()
    finished = await run(
        [ffprobe, "-hide_banner", "-v", "error", *input_guards(),
         "-show_entries", "format=duration,format_name:stream=codec_type,sample_rate,duration",
         "-of", "json", file_url(path)],
        seconds_allowed=60,
        keep_stdout=True,
    )  # fmt: skip
    if finished.returncode != 0:
        raise AudioError("error.audio.not_media")
    try:
        data = json.loads(finished.stdout)
    except ValueError:
        raise AudioError("error.audio.not_media") from None
    audio = [stream for stream in data.get("streams", []) if stream.get("codec_type") == "audio"]
    rate = int(_positive(audio[0].get("sample_rate"))) if audio else 0  # random bytes: rate 0
    container = data.get("format", {})
    duration = _positive(container.get("duration")) or max((_positive(s.get("duration")) for s in audio), default=0)
    return Probe(duration, str(container.get("format_name", "")), rate > 0, rate)


def _positive(value: object) -> float:
    try:
        number = float(str(value))
    except ValueError:
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0

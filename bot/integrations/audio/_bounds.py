"""How much of a recording is decoded and kept: the limits every pass obeys, and the scratch space they bound."""

from __future__ import annotations

import math
import os

SCRATCH_PREFIX = ".audio-"  # a conversion's scratch folder, next to its target; gone when the conversion ends
MAX_SAMPLE_RATE = 48000  # the highest an MP3 holds: a higher rate is brought down before anything is kept
LIMIT_SLACK_SECONDS = 1.0  # decoding goes this far past the limit, to tell "exactly the limit" from "longer"
MEASURE_SLICES = max(1, min(2, os.cpu_count() or 1))
CALIBRATION_WINDOW_SECONDS = 2.0  # excerpts kept while measuring, for the calibration: this long…
CALIBRATION_WINDOWS = 15  # …at least this many of them, spread over the recording…
CALIBRATION_MAX_PERIOD_SECONDS = 200.0  # …one every 200 s at most (1 % of a long recording)
EXCERPT_BYTES_PER_SAMPLE = 4  # mono 32-bit float WAV
FILE_OVERHEAD_BYTES = 8192  # headers, and the one packet ffmpeg writes past -fs
# The bitrates an MP3 frame can declare (MPEG-1 from 32 kHz, MPEG-2 and 2.5 below): LAME takes the nearest one.
MP3_BITRATES_KBPS = (
    (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
)


def scratch_bound_bytes(max_duration_seconds: int, bitrate_kbps: int) -> int:
    """The most disk one conversion can use for its scratch files, whatever its input: the excerpts kept for the
    calibration and the MP3 being written. The README states it for the default settings."""
    seconds = max_duration_seconds + LIMIT_SLACK_SECONDS
    excerpts = excerpt_seconds(seconds) * MAX_SAMPLE_RATE * EXCERPT_BYTES_PER_SAMPLE
    return math.ceil(excerpts) + MEASURE_SLICES * FILE_OVERHEAD_BYTES + mp3_cap_bytes(seconds, bitrate_kbps)


def excerpt_seconds(duration: float) -> float:
    """Excerpts kept for a recording of ``duration``, in all: the windows, plus one per slice for where frames and
    slices fall. It only grows with the duration, so the limit's figure bounds every shorter recording."""
    windows = max(CALIBRATION_WINDOWS, math.ceil(duration / CALIBRATION_MAX_PERIOD_SECONDS)) + MEASURE_SLICES
    return windows * CALIBRATION_WINDOW_SECONDS


def mp3_cap_bytes(seconds: float, bitrate_kbps: int) -> int:
    """The size of ``seconds`` of MP3 at the bitrate LAME will really use (the frames allow only some)."""
    kbps = max(min(table, key=lambda rate: (abs(rate - bitrate_kbps), -rate)) for table in MP3_BITRATES_KBPS)
    return math.ceil(seconds * kbps * 125) + FILE_OVERHEAD_BYTES

"""Loudness as EBU R128 defines it: ffmpeg's meters read, blocks gated here."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

from bot.integrations.audio._process import failure, file_url, find_ffmpeg, input_guards, run

ABSOLUTE_GATE_LUFS = -70.0  # EBU R128: blocks below this are silence
RELATIVE_GATE_LU = 10.0

# Anchored on ffmpeg's own "[Parsed_<filter>_<n> @ 0x…]" prefix: text from the file's tags, which ffmpeg prints
# too, is always indented and can never pass for a measurement.
MOMENTARY = re.compile(r"^\[Parsed_ametadata_\d+ @ 0x[0-9a-f]+\] lavfi\.r128\.M=(-?inf|-?\d+(?:\.\d+)?)$")
# volumedetect (a 16-bit histogram: ≈ 1/7 of astats' cost, which computes every statistic whatever it prints)
SAMPLE_PEAK = re.compile(r"^\[Parsed_volumedetect_\d+ @ 0x[0-9a-f]+\] max_volume: (-?inf|nan|-?\d+(?:\.\d+)?) dB$")
SAMPLE_COUNT = re.compile(r"^\[Parsed_volumedetect_\d+ @ 0x[0-9a-f]+\] n_samples: (\d+)$")
FULL_SCALE_DBFS = -0.05  # volumedetect's 16-bit meter stops at 0 dBFS: a peak there may hide a higher one
INTEGRATED = re.compile(r"^\s*I:\s+(-?inf|-?\d+(?:\.\d+)?) LUFS$", re.MULTILINE)  # the summary comes last
TRUE_PEAK = re.compile(r"^\s*Peak:\s+(-?inf|-?\d+(?:\.\d+)?) dBFS$", re.MULTILINE)


def number(text: str) -> float:
    """A level printed by ffmpeg; "nan" (nothing decoded) counts as silence."""
    value = float(text.replace("inf", "infinity"))
    return -math.inf if math.isnan(value) else value


def integrated_loudness(momentary: Sequence[float]) -> float:
    """EBU R128 integrated loudness from the loudness of 400 ms blocks (ffmpeg's momentary values, every 100 ms)."""
    blocks = [(value, 10 ** ((value + 0.691) / 10)) for value in momentary if value > ABSOLUTE_GATE_LUFS]
    if not blocks:
        return ABSOLUTE_GATE_LUFS
    threshold = -0.691 + 10 * math.log10(sum(power for _, power in blocks) / len(blocks)) - RELATIVE_GATE_LU
    kept = [power for value, power in blocks if value > threshold]
    return -0.691 + 10 * math.log10(sum(kept) / len(kept))


async def measure_loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a whole file, as EBU R128 defines them (mono mix)."""
    ffmpeg, _ = find_ffmpeg()
    finished = await run(
        [ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-v", "info", *input_guards(), "-i", file_url(path),
         "-vn", "-sn", "-dn", "-map", "0:a:0",
         "-af", "aformat=channel_layouts=mono,ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
        seconds_allowed=600,
    )  # fmt: skip
    loudness, peak = INTEGRATED.findall(finished.stderr), TRUE_PEAK.findall(finished.stderr)
    if finished.returncode != 0 or not loudness or not peak:
        raise failure("measuring loudness", finished)
    return number(loudness[-1]), number(peak[-1])

"""A recording to a speech-normalised mono MP3, bounded by what is really decoded, not by what the file says.

- A file's header may lie about its length (a 10 h Matroska file declaring 60 s) or carry a needless sample rate
  (384 kHz). Every read of the recording therefore starts by forcing mono at most 48 kHz (what an MP3 holds) and by
  cutting it after a number of *samples* (timestamps are the file's word, samples are what gets decoded), with
  ``-reinit_filter 0`` so that a stream changing format mid-way fails instead of resetting that count. The
  measuring pass decodes up to the limit (``max_duration_minutes``) and refuses the file if there is more; the
  later passes are cut at what it found.
- Scratch space is bounded from the limit alone (``scratch_bound_bytes``): the measuring pass keeps excerpts
  whose number of samples is capped, the MP3 being written is capped in bytes (``-fs``), and nothing else is
  written: the other stages talk through pipes.
- Exit code 0 proves nothing (a truncated file gives a partial MP3), so the decoded duration is compared with the
  declared one, the MP3's with the decoded one, and ``target`` only appears once the MP3 is complete.
- Loudness normalisation must cost little more than the plain transcode, in CPU as well as in wall time (figures
  in FACTS.md and ``benchmarks/audio_conversion.py``). Where a plain transcode's CPU goes: LAME ≈ 90 %, decoding
  the AAC ≈ 10 %. ffmpeg's ``ebur128`` is slow (≈ 0.2× a transcode when it reads every sample), so it only reads
  400 ms windows (one EBU R128 block) spread over the recording (3 min of them, at least 5 %), while
  ``volumedetect`` sees every sample for the peak and the count (``astats`` cost 0.14× a transcode for the same two
  figures: it computes every statistic whatever it prints); the recording is measured in slices on all cores (≤ 2)
  and the blocks are gated together. The same pass keeps 2 s excerpts, on which a calibration runs the whole chain
  and measures the MP3 itself: it accounts for what the encoder (≈ 0.2–0.5 LU at 64 kb/s) and the limiter (several
  LU on peaky audio) take away. The limiter (with its low-pass) costs ≈ 15 % of a transcode, so it only runs when
  some peak would pass its ceiling, and then in a second ffmpeg on the other core. LAME runs at quality 7
  (``LAME_QUALITY``): ≈ 2/3 of its default's CPU, which pays for the measuring pass and the limiter.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mutagen.mp3 import MP3

from bot.integrations.audio._bounds import (
    CALIBRATION_MAX_PERIOD_SECONDS,
    CALIBRATION_WINDOW_SECONDS,
    CALIBRATION_WINDOWS,
    LIMIT_SLACK_SECONDS,
    MAX_SAMPLE_RATE,
    MEASURE_SLICES,
    SCRATCH_PREFIX,
    excerpt_seconds,
    mp3_cap_bytes,
)
from bot.integrations.audio._loudness import (
    ABSOLUTE_GATE_LUFS,
    FULL_SCALE_DBFS,
    INTEGRATED,
    MOMENTARY,
    SAMPLE_COUNT,
    SAMPLE_PEAK,
    integrated_loudness,
    number,
)
from bot.integrations.audio._probe import probe
from bot.integrations.audio._process import (
    AudioError,
    Finished,
    failure,
    file_url,
    find_ffmpeg,
    input_guards,
    lame,
    piped,
    run,
    together,
)

log = logging.getLogger(__name__)

Progress = Callable[[float], Awaitable[None]]

# Players must get true peaks ≤ -1.5 dBTP. The limiter's ceiling, in sample peak, leaves room for inter-sample
# peaks and for the MP3 encoder's overshoot, which grows as the bitrate drops. A low-pass before the limiter, near
# where LAME cuts anyway, matters most: without it LAME's own filter made limited clicks ring ≈ 2 dB past the
# ceiling (-1.1 dBTP at worst over 2 h 30 at 64 kb/s; -1.3 with a one-pole low-pass); with it, -3.0 dBTP.
LIMITER_CEILING_DBFS, LOWPASS_HZ = -3.5, 12000
LOW_BITRATE_KBPS, LOW_BITRATE_CEILING_DBFS, LOW_BITRATE_LOWPASS_HZ = 48, -4.5, 8000
GAIN_RANGE_DB = (-30.0, 30.0)  # beyond this the input is silence or noise, not speech to rescue
TRUNCATED_BELOW = 0.9  # decoding less than 90 % of the probed duration means a damaged input
BLOCK_SECONDS = 0.4  # one EBU R128 gating block
MEASURE_EVERYTHING_UP_TO_SECONDS = 180.0
MEASURE_MIN_SHARE = 0.05  # 2 h 30: 1 125 blocks, far more than the estimate needs
CALIBRATION_ROUNDS_ABOVE_LU = 2.0  # another round when a correction is this large (heavy limiting)
STAGE_WEIGHTS = (0.08, 0.04, 0.88)  # measure, calibrate, convert: their share of the wall time, for progress


@dataclass(frozen=True)
class Conversion:
    duration_seconds: float
    size_bytes: int
    input_loudness_lufs: float
    gain_db: float


@dataclass(frozen=True)
class _Levels:
    """The gain to apply, and the sample-peak ceiling the limiter holds when the input's peak would pass it."""

    gain_db: float
    ceiling_dbfs: float
    lowpass_hz: int
    input_peak_dbfs: float

    @property
    def limited(self) -> bool:
        return self.input_peak_dbfs + self.gain_db > self.ceiling_dbfs


@dataclass(frozen=True)
class _Plan:
    """One input on its way to an MP3: what every ffmpeg run of the conversion shares.

    ``duration`` is what the file declares until the measuring pass has decoded it, then what it decoded.
    """

    ffmpeg: str
    source: Path
    demuxer: str
    duration: float
    rate: int
    limit_seconds: int
    bitrate_kbps: int

    @property
    def seconds_allowed(self) -> float:
        return max(120.0, self.duration)  # slower than real time means something is wrong

    def command(self, level: str = "error") -> list[str]:
        return [self.ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-y", "-v", level]  # -y: our scratch files

    def source_input(self, *seek: str) -> list[str]:
        return [*input_guards(self.demuxer), "-reinit_filter", "0", *seek, "-i", file_url(self.source)]

    def admit(self, seconds: float) -> str:
        """The first filters on the recording: mono, at most 48 kHz, and no more than ``seconds`` of samples."""
        return f"aformat=channel_layouts=mono:sample_rates={self.rate},atrim=end_sample={self.samples(seconds)}"

    def samples(self, seconds: float) -> int:
        return math.ceil(seconds * self.rate)

    def chain(self, levels: _Levels) -> str:
        """The gain, then (only when some peak would pass the ceiling) a low-pass and the limiter."""
        chain = f"volume={levels.gain_db:.2f}dB"
        if levels.limited:
            ceiling = 10 ** (levels.ceiling_dbfs / 20)
            chain += f",lowpass=f={levels.lowpass_hz}:p=2"
            chain += f",alimiter=limit={ceiling:.4f}:attack=5:release=50:level=0:latency=1"
        return chain

    def mp3(self) -> list[str]:
        """Encoder options; no tag or chapter of the input is copied (they may carry a location or a name)."""
        return ["-map_metadata", "-1", "-map_chapters", "-1", "-ac", "1", *lame(self.bitrate_kbps), "-f", "mp3"]


async def convert_to_mp3(
    source: Path,
    target: Path,
    *,
    bitrate_kbps: int,
    loudness_lufs: float,
    max_duration_seconds: int,
    on_progress: Progress | None = None,
) -> Conversion:
    """Turn a recording into a mono MP3 at ``loudness_lufs`` (±1 LU on speech) with true peaks ≤ -1.5 dBTP.

    ``on_progress`` receives increasing fractions up to 1 as often as ffmpeg reports (about twice a second); the
    caller decides how often to show them. Raises AudioError (``error.audio.too_long`` when the file declares more
    than ``max_duration_seconds``, ``error.audio.too_long_decoded`` when it holds more than it declares and more
    than allowed); on failure nothing is left at ``target``.
    """
    found = await probe(source)
    if not found.has_audio or found.duration_seconds <= 0:
        raise AudioError("error.audio.not_media")
    if found.duration_seconds > max_duration_seconds:
        minutes = math.ceil(found.duration_seconds / 60)
        raise AudioError("error.audio.too_long", minutes=minutes, maximum=max_duration_seconds // 60)
    rate = min(found.sample_rate, MAX_SAMPLE_RATE)
    ffmpeg, demuxer = find_ffmpeg()[0], found.format_name.split(",")[0]
    plan = _Plan(ffmpeg, source, demuxer, found.duration_seconds, rate, max_duration_seconds, bitrate_kbps)
    reported = 0.0

    def stage(index: int) -> Callable[[float], Awaitable[None]]:
        async def report(fraction: float) -> None:
            nonlocal reported
            value = sum(STAGE_WEIGHTS[:index]) + STAGE_WEIGHTS[index] * min(max(fraction, 0.0), 1.0)
            if on_progress is not None and value > reported:
                reported = value
                await on_progress(value)

        return report

    workdir = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=target.parent))
    try:
        plan, loudness, peak, excerpts = await _measure(plan, workdir, stage(0))
        gain = _clamp(loudness_lufs - loudness) if loudness > ABSOLUTE_GATE_LUFS else 0.0
        low = bitrate_kbps < LOW_BITRATE_KBPS
        ceiling, lowpass = (
            (LOW_BITRATE_CEILING_DBFS, LOW_BITRATE_LOWPASS_HZ) if low else (LIMITER_CEILING_DBFS, LOWPASS_HZ)
        )
        levels = await _calibrate(plan, excerpts, _Levels(gain, ceiling, lowpass, peak), stage(1))
        partial = workdir / "output.mp3"
        await _encode(plan, levels, partial, stage(2))
        duration, size = await asyncio.to_thread(_publish, partial, target, TRUNCATED_BELOW * plan.duration)
    finally:
        await asyncio.to_thread(shutil.rmtree, workdir, ignore_errors=True)
    if on_progress is not None and reported < 1.0:
        await on_progress(1.0)
    log.info("converted %.0f s at %.1f LUFS: %s", duration, loudness, levels)
    return Conversion(duration, size, loudness, levels.gain_db)


def _clamp(gain: float) -> float:
    return min(max(gain, GAIN_RANGE_DB[0]), GAIN_RANGE_DB[1])


def _publish(partial: Path, target: Path, minimum_seconds: float) -> tuple[float, int]:
    """Move the finished MP3 to ``target`` if it is as long as the input; its duration and size."""
    try:
        duration = float(MP3(partial).info.length)
    except Exception:  # an empty or unreadable output is a damaged input, whatever mutagen calls it
        duration = 0.0
    if duration < minimum_seconds:
        raise AudioError("error.audio.truncated")
    size = partial.stat().st_size
    os.replace(partial, target)
    return duration, size


async def _measure(
    plan: _Plan, workdir: Path, report: Callable[[float], Awaitable[None]]
) -> tuple[_Plan, float, float, list[Path]]:
    """The recording's real duration, its integrated loudness from sampled blocks and the peak of every sample,
    decoding the whole file once; returns the plan with the decoded duration.

    The file is cut into slices measured side by side; their blocks are gated together here. The last slice reads
    on to wherever the data really ends, up to the limit: more than the limit is refused here, before the long
    pass. Each slice also keeps 2 s excerpts spread over it (mono WAV in ``workdir``, returned): the calibration
    reads them instead of seeking in the recording again, which would hold the index of a long M4A in memory once
    per excerpt.
    """
    count = MEASURE_SLICES if plan.duration >= 60 * MEASURE_SLICES else 1
    length = plan.duration / count
    parts = [workdir / f"excerpts-{index}.wav" for index in range(count)]
    momentary: list[float] = []
    peaks = [-math.inf] * count
    counts: list[int | None] = [None] * count
    decoded = [0.0] * count

    def reader(index: int) -> Callable[[str], None]:
        """ffmpeg may configure its filters twice (from the stream's header, then with the first frame): the
        graph it drops prints an empty count first, the one that decoded prints last."""

        def read(line: str) -> None:
            if found := MOMENTARY.match(line):
                momentary.append(number(found[1]))
            elif found := SAMPLE_PEAK.match(line):
                peaks[index] = max(peaks[index], number(found[1]))
            elif found := SAMPLE_COUNT.match(line):
                counts[index] = int(found[1])

        return read

    def slice_run(index: int) -> Coroutine[Any, Any, Finished]:
        async def position(seconds: float) -> None:
            decoded[index] = seconds
            await report(sum(decoded) / plan.duration)

        start, last = index * length, index == count - 1
        seek = ["-ss", f"{start:.3f}"] if count > 1 else []
        if not last:
            seek += ["-t", f"{length:.3f}"]
        allowed = (plan.limit_seconds - start if last else length) + LIMIT_SLACK_SECONDS
        graph = _measuring_graph(plan, allowed, count)
        return run(
            [*plan.command("info"), *plan.source_input(*seek), "-filter_complex", graph, "-progress", "pipe:1",
             "-map", "[measured]", "-f", "null", "-",
             "-map", "[excerpts]", "-c:a", "pcm_f32le", "-f", "wav", file_url(parts[index])],
            seconds_allowed=max(120.0, plan.limit_seconds + LIMIT_SLACK_SECONDS),
            on_position=position,
            on_line=reader(index),
        )  # fmt: skip

    slices = await together(*(slice_run(index) for index in range(count)))
    seconds = _checked_length(plan, sum(counted or 0 for counted in counts) / plan.rate)
    for finished, counted in zip(slices, counts, strict=True):  # a slice prints its count when it ends normally
        if finished.returncode != 0 or counted is None:
            raise failure("measuring", finished)
    return replace(plan, duration=seconds), integrated_loudness(momentary), _peak(max(peaks)), parts


def _peak(peak: float) -> float:
    """The sample peak, except at full scale: the 16-bit meter stops there and may hide a higher one (a float
    decoder goes past 1.0), so it counts as unbounded and the limiter runs whatever the gain."""
    return math.inf if peak >= FULL_SCALE_DBFS else peak


def _measuring_graph(plan: _Plan, seconds: float, count: int) -> str:
    """One slice's filters: at most ``seconds`` of it; the peak and number of every sample (volumedetect, on its
    own branch so that only it sees 16-bit audio); the loudness of sampled blocks; and excerpts for the
    calibration, capped at their share of what the duration calls for."""
    share = min(1.0, max(MEASURE_MIN_SHARE, MEASURE_EVERYTHING_UP_TO_SECONDS / plan.duration))
    period = BLOCK_SECONDS / share
    sampling = f"aselect='lt(mod(t,{period:.3f}),{BLOCK_SECONDS})'," if share < 1.0 else ""
    spacing = min(CALIBRATION_MAX_PERIOD_SECONDS, plan.duration / CALIBRATION_WINDOWS)
    window = CALIBRATION_WINDOW_SECONDS
    keeping = f"aselect='lt(mod(t,{spacing:.3f}),{window})'" if spacing > window else "anull"
    kept = plan.samples(excerpt_seconds(plan.duration) / count)
    return (
        f"[0:a:0]{plan.admit(seconds)},asplit=3[peak][loudness][kept];[peak]volumedetect,anullsink;"
        f"[loudness]{sampling}ebur128=metadata=1:framelog=verbose,"
        f"ametadata=mode=print:key=lavfi.r128.M[measured];[kept]{keeping},atrim=end_sample={kept}[excerpts]"
    )


def _checked_length(plan: _Plan, seconds: float) -> float:
    """The decoded length, once it is neither short of the declared one nor past the limit."""
    if seconds < TRUNCATED_BELOW * plan.duration:  # the decoder stops where the data stops: a file cut short
        raise AudioError("error.audio.truncated")
    if seconds > plan.limit_seconds + LIMIT_SLACK_SECONDS / 2:
        log.warning("a recording declaring %.0f s holds more than %s s", plan.duration, plan.limit_seconds)
        raise AudioError("error.audio.too_long_decoded", maximum=plan.limit_seconds // 60)
    return seconds


async def _calibrate(
    plan: _Plan, excerpts: list[Path], first: _Levels, report: Callable[[float], Awaitable[None]]
) -> _Levels:
    """The gain corrected for what the encoder (and the limiter, if needed) takes away, measured on excerpts.

    The loss is a property of the chain and the voice rather than of where the excerpts lie, so it carries over to
    the whole file. Another round only happens when the correction was large (heavy limiting, where more gain makes
    the limiter bite more).
    """
    levels = first
    for _ in range(3):
        excerpt_lufs, output_lufs = await _round_trip(plan, excerpts, levels)
        if excerpt_lufs <= ABSOLUTE_GATE_LUFS or output_lufs <= ABSOLUTE_GATE_LUFS:
            break  # the excerpts are silence: nothing to learn from them
        gain = _clamp(first.gain_db + excerpt_lufs + levels.gain_db - output_lufs)
        settled = abs(gain - levels.gain_db) < CALIBRATION_ROUNDS_ABOVE_LU
        levels = _Levels(gain, levels.ceiling_dbfs, levels.lowpass_hz, levels.input_peak_dbfs)
        if settled:
            break
    await report(1.0)
    return levels


async def _round_trip(plan: _Plan, excerpts: list[Path], levels: _Levels) -> tuple[float, float]:
    """Loudness of the excerpts before, and after the whole chain (gain, limiter, MP3 encoder and decoder)."""
    inputs = [argument for part in excerpts for argument in (*input_guards("wav"), "-i", file_url(part))]
    joined = "".join(f"[{index}:a:0]" for index in range(len(excerpts)))
    graph = (
        f"{joined}concat=n={len(excerpts)}:v=0:a=1,asplit[raw][gained];"
        f"[raw]ebur128=framelog=verbose,anullsink;[gained]{plan.chain(levels)}[out]"
    )
    encoded, measured = await piped(  # the meter reads the MP3 while it is being encoded
        [*plan.command("info"), *inputs, "-filter_complex", graph, "-map", "[out]", *plan.mp3(), "pipe:1"],
        [*plan.command("info"), "-protocol_whitelist", "pipe", "-f", "mp3", "-i", "pipe:0",
         "-af", "ebur128=framelog=verbose", "-f", "null", "-"],
        seconds_allowed=plan.seconds_allowed,
    )  # fmt: skip
    before, after = INTEGRATED.findall(encoded.stderr), INTEGRATED.findall(measured.stderr)
    if encoded.returncode != 0 or not before:
        raise failure("calibrating", encoded)
    if measured.returncode != 0 or not after:
        raise failure("calibrating", measured)
    return number(before[-1]), number(after[-1])


async def _encode(plan: _Plan, levels: _Levels, partial: Path, report: Callable[[float], Awaitable[None]]) -> None:
    """The long pass, cut where the measuring pass found the end, into an MP3 capped in bytes. ffmpeg 5 runs
    filters and encoder on one core, and the low-pass and limiter cost ≈ 1/4 of the encoder at quality 7: when
    they are needed, a second ffmpeg runs them on the other core and hands 16-bit audio over (ample before a
    64 kb/s encoder, and cheaper to pipe than floats)."""

    async def position(seconds: float) -> None:
        await report(seconds / plan.duration)

    seconds = plan.duration + LIMIT_SLACK_SECONDS
    source = [*plan.source_input(), "-vn", "-sn", "-dn", "-map", "0:a:0"]
    filters = f"{plan.admit(seconds)},{plan.chain(levels)}"
    cap = ["-fs", str(mp3_cap_bytes(seconds, plan.bitrate_kbps))]
    output = [*plan.mp3(), *cap, "-progress", "pipe:1", file_url(partial)]
    if not levels.limited:
        finished = await run(
            [*plan.command(), *source, "-af", filters, *output],
            seconds_allowed=plan.seconds_allowed,
            on_position=position,
        )
    else:
        filtered, finished = await piped(
            [*plan.command(), *source, "-af", f"{filters},asetnsamples=n=16384", "-map_metadata", "-1",
             "-c:a", "pcm_s16le", "-f", "nut", "pipe:1"],
            [*plan.command(), "-protocol_whitelist", "pipe", "-f", "nut", "-i", "pipe:0", *output],
            seconds_allowed=plan.seconds_allowed,
            on_position=position,
        )  # fmt: skip
        if filtered.returncode != 0:
            raise failure("filtering", filtered)
    if finished.returncode != 0:
        raise failure("converting", finished)

"""ffmpeg behind a small interface: probe a recording, convert it to a speech-normalised MP3, tag it, cut a teaser.

Why it looks the way it does (figures from FACTS.md and ``benchmarks/audio_conversion.py``):

- Every recording is hostile until proven otherwise. An HLS playlist renamed ``.m4a`` makes ffmpeg fetch the URLs
  it lists, so ffmpeg and ffprobe only ever get an absolute ``file:`` path, a closed stdin, ``-protocol_whitelist``
  and a whitelist of plain audio containers (never hls, concat or any playlist); later passes force the demuxer the
  probe found. Exit code 0 proves nothing (a truncated file gives a partial MP3), so the decoded duration is
  compared with the probed one, and ``target`` only appears once the MP3 is complete.
- Nothing blocks the event loop: ffmpeg runs as asyncio subprocesses (niced, so that the bot wins when they compete
  for a core), mutagen and pydub in threads.
- Loudness normalisation must cost little more than the plain transcode. ffmpeg's ``ebur128`` is slow (≈ 0.7× the
  whole transcode when it reads every sample), so it only reads 400 ms windows (one EBU R128 block) spread over
  the recording (3 min of them, at least 5 %), while ``astats`` sees every sample for the peak; the recording is
  measured in slices on all cores (≤ 2) and the blocks are gated here, exactly as EBU R128 does. The same pass keeps 2 s
  excerpts, on which a calibration runs the whole chain and measures the MP3 itself: it accounts for what the
  encoder (≈ 0.2–0.5 LU at 64 kb/s) and the limiter (several LU on peaky audio) take away. The limiter (with its
  low-pass) costs ≈ 25 % of a transcode, so it only runs when some peak would pass its ceiling, and then in a
  second ffmpeg on the other core.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import re
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutagen.id3 import CHAP, COMM, CTOC, ID3, TALB, TDRC, TIT2, TPE1, CTOCFlags
from mutagen.mp3 import MP3
from pydub.utils import which

from bot.domain.chapters import Chapter
from bot.errors import DomainError

log = logging.getLogger(__name__)

Progress = Callable[[float], Awaitable[None]]

# Demuxers of plain audio/video files: none of them opens another URL or file by itself.
SAFE_DEMUXERS = ("mov", "mp4", "m4a", "3gp", "3g2", "mj2", "wav", "mp3", "ogg", "matroska", "webm", "flac", "aac")
# Players must get true peaks ≤ -1.5 dBTP. The limiter's ceiling, in sample peak, leaves room for inter-sample
# peaks and for the MP3 encoder's overshoot, which grows as the bitrate drops. A low-pass before the limiter, near
# where LAME cuts anyway, matters most: without it LAME's own filter made limited clicks ring ≈ 2 dB past the
# ceiling (-1.1 dBTP at worst over 2 h 30 at 64 kb/s; -1.3 with a one-pole low-pass); with it, -3.0 dBTP.
LIMITER_CEILING_DBFS, LOWPASS_HZ = -3.5, 12000
LOW_BITRATE_KBPS, LOW_BITRATE_CEILING_DBFS, LOW_BITRATE_LOWPASS_HZ = 48, -4.5, 8000
GAIN_RANGE_DB = (-30.0, 30.0)  # beyond this the input is silence or noise, not speech to rescue
ABSOLUTE_GATE_LUFS = -70.0  # EBU R128: blocks below this are silence
RELATIVE_GATE_LU = 10.0
TRUNCATED_BELOW = 0.9  # decoding less than 90 % of the probed duration means a damaged input
BLOCK_SECONDS = 0.4  # one EBU R128 gating block
MEASURE_EVERYTHING_UP_TO_SECONDS = 180.0
MEASURE_MIN_SHARE = 0.05  # 2 h 30: 1 125 blocks, far more than the estimate needs
MEASURE_SLICES = max(1, min(2, os.cpu_count() or 1))
CALIBRATION_WINDOW_SECONDS = 2.0  # excerpts kept while measuring, for the calibration: this long…
CALIBRATION_WINDOWS = 15  # …at least this many of them, spread over the recording…
CALIBRATION_MAX_PERIOD_SECONDS = 200.0  # …one every 200 s at most (1 % of a long recording)
CALIBRATION_ROUNDS_ABOVE_LU = 2.0  # another round when a correction is this large (heavy limiting)
STAGE_WEIGHTS = (0.08, 0.04, 0.88)  # measure, calibrate, convert: their share of the wall time, for progress
STDERR_TAIL_BYTES = 64 * 1024
NICENESS = 10  # ffmpeg yields the CPU to the bot's event loop (and anything interactive) when they compete
TEASER_FADE_IN_MS = 2000
TEASER_FADE_OUT_MS = 3000

# Anchored on ffmpeg's own "[Parsed_<filter>_<n> @ 0x…]" prefix: text from the file's tags, which ffmpeg prints
# too, is always indented and can never pass for a measurement.
_MOMENTARY = re.compile(r"^\[Parsed_ametadata_\d+ @ 0x[0-9a-f]+\] lavfi\.r128\.M=(-?inf|-?\d+(?:\.\d+)?)$")
_SAMPLE_PEAK = re.compile(r"^\[Parsed_astats_\d+ @ 0x[0-9a-f]+\] Peak level dB: (-?inf|nan|-?\d+(?:\.\d+)?)$")
_INTEGRATED = re.compile(r"^\s*I:\s+(-?inf|-?\d+(?:\.\d+)?) LUFS$", re.MULTILINE)  # the summary comes last
_TRUE_PEAK = re.compile(r"^\s*Peak:\s+(-?inf|-?\d+(?:\.\d+)?) dBFS$", re.MULTILINE)


class AudioError(DomainError):
    """A recording the bot cannot turn into an MP3, worded for the organizer through the catalogue ``key``."""


@dataclass(frozen=True)
class Probe:
    duration_seconds: float
    format_name: str
    has_audio: bool


@dataclass(frozen=True)
class Tags:
    title: str
    artist: str
    album: str
    date: str
    comment: str


@dataclass(frozen=True)
class Conversion:
    duration_seconds: float
    size_bytes: int
    input_loudness_lufs: float
    gain_db: float


@dataclass(frozen=True)
class _Finished:
    returncode: int
    stdout: str
    stderr: str  # the tail only


def find_ffmpeg() -> tuple[str, str]:
    """The ``ffmpeg`` and ``ffprobe`` executables, found on PATH the way pydub finds them."""
    ffmpeg, ffprobe = which("ffmpeg"), which("ffprobe")
    if not ffmpeg or not ffprobe:
        raise FileNotFoundError("ffmpeg and ffprobe must be installed and on PATH (Debian package « ffmpeg »)")
    return ffmpeg, ffprobe


def _file_url(path: Path) -> str:
    """An explicit ``file:`` URL, so that no name (``http:…``, ``concat:…``, ``-i``) is read as anything else."""
    return f"file:{path.resolve()}"


def _input_guards(demuxer: str | None = None) -> list[str]:
    forced = ["-f", demuxer] if demuxer else []
    return ["-protocol_whitelist", "file", "-format_whitelist", ",".join(SAFE_DEMUXERS), *forced]


def _number(text: str) -> float:
    """A level printed by ffmpeg; "nan" (nothing decoded) counts as silence."""
    value = float(text.replace("inf", "infinity"))
    return -math.inf if math.isnan(value) else value


async def _start(
    arguments: Sequence[str], *, stdin: int = asyncio.subprocess.DEVNULL, stdout: int = asyncio.subprocess.PIPE
) -> asyncio.subprocess.Process:
    """Start one ffmpeg/ffprobe. A pipe end given as ``stdin``/``stdout`` is closed here once the child holds it,
    so the process at the other end sees end-of-file when this one exits."""
    try:
        process = await asyncio.create_subprocess_exec(
            *arguments, stdin=stdin, stdout=stdout, stderr=asyncio.subprocess.PIPE
        )
        with contextlib.suppress(OSError):  # it may already be gone; and a nicer child is only a preference
            os.setpriority(os.PRIO_PROCESS, process.pid, NICENESS)
        return process
    finally:
        for end in (stdin, stdout):
            if end >= 0:
                os.close(end)


async def _watch(
    process: asyncio.subprocess.Process,
    *,
    seconds_allowed: float,
    on_position: Callable[[float], Awaitable[None]] | None = None,
    on_line: Callable[[str], None] | None = None,
    keep_stdout: bool = False,
) -> _Finished:
    """Follow a started process: its ``-progress`` as it comes, stderr lines to ``on_line``, a bounded tail kept.

    The process is killed when the caller is cancelled or the time allowed passes: an abandoned conversion never
    keeps a core busy behind the bot's back.
    """
    collected: list[str] = []
    tail = bytearray()

    async def read_stdout() -> None:
        if process.stdout is None:  # it writes into a pipe to another ffmpeg
            return
        size = 0
        async for raw in process.stdout:
            line = raw.decode("utf-8", "replace")
            if keep_stdout:
                size += len(line)
                if size <= 4 * 1024 * 1024:
                    collected.append(line)
                continue
            key, _, value = line.strip().partition("=")
            if on_position is not None and key in ("out_time_us", "out_time_ms") and value.isdigit():
                await on_position(int(value) / 1_000_000)  # both keys are in µs in ffmpeg 5.x

    async def read_stderr() -> None:
        assert process.stderr is not None
        pending, overlong = b"", False
        while chunk := await process.stderr.read(65536):
            tail.extend(chunk)
            del tail[:-STDERR_TAIL_BYTES]
            if on_line is None:
                continue
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                if not overlong:
                    on_line(line.decode("utf-8", "replace").rstrip("\r"))
                overlong = False
            if len(pending) > 4096:  # no measurement is that long: drop the line rather than hold it
                pending, overlong = b"", True

    try:
        async with asyncio.timeout(seconds_allowed):
            await asyncio.gather(read_stdout(), read_stderr())
            returncode = await process.wait()
    except TimeoutError:
        log.warning("ffmpeg gave up after %.0f s", seconds_allowed)
        raise AudioError("error.audio.failed") from None
    finally:
        await _stop(process)
    return _Finished(returncode, "".join(collected), tail.decode("utf-8", "replace"))


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.kill()
        await asyncio.shield(process.wait())


async def _run(arguments: Sequence[str], **options: Any) -> _Finished:
    return await _watch(await _start(arguments), **options)


async def _piped(
    first: Sequence[str], second: Sequence[str], *, seconds_allowed: float, **second_options: Any
) -> tuple[_Finished, _Finished]:
    """``first`` writes into ``second`` through an OS pipe (never through Python): two cores, no copy here."""
    read_end, write_end = os.pipe()
    started: list[asyncio.subprocess.Process] = []
    try:
        try:
            started.append(await _start(first, stdout=write_end))
        except BaseException:
            os.close(read_end)
            raise
        started.append(await _start(second, stdin=read_end))
        done = await _together(
            _watch(started[0], seconds_allowed=seconds_allowed),
            _watch(started[1], seconds_allowed=seconds_allowed, **second_options),
        )
    finally:
        for process in started:  # also when a watcher was cancelled before it began
            await _stop(process)
    return done[0], done[1]


async def _together(*runs: Coroutine[Any, Any, _Finished]) -> list[_Finished]:
    """Run ffmpeg processes side by side; the first failure stops (kills) the others and is raised as is."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(run) for run in runs]
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]


def _fail(stage: str, finished: _Finished) -> AudioError:
    log.warning("ffmpeg failed while %s (exit %s): %s", stage, finished.returncode, finished.stderr[-2000:])
    return AudioError("error.audio.failed")


async def probe(path: Path) -> Probe:
    """What the file really is, read by ffprobe under the same guards as the conversion."""
    if (await asyncio.to_thread(path.stat)).st_size == 0:
        raise AudioError("error.audio.empty")
    _, ffprobe = find_ffmpeg()
    finished = await _run(
        [ffprobe, "-hide_banner", "-v", "error", *_input_guards(),
         "-show_entries", "format=duration,format_name:stream=codec_type,sample_rate,duration",
         "-of", "json", _file_url(path)],
        seconds_allowed=60,
        keep_stdout=True,
    )  # fmt: skip
    if finished.returncode != 0:
        raise AudioError("error.audio.not_media")
    try:
        data = json.loads(finished.stdout)
    except ValueError:
        raise AudioError("error.audio.not_media") from None
    audio = [
        stream
        for stream in data.get("streams", [])
        if stream.get("codec_type") == "audio" and _positive(stream.get("sample_rate"))  # random bytes: rate 0
    ]
    container = data.get("format", {})
    duration = _positive(container.get("duration")) or max((_positive(s.get("duration")) for s in audio), default=0)
    return Probe(duration, str(container.get("format_name", "")), bool(audio))


def _positive(value: object) -> float:
    try:
        number = float(str(value))
    except ValueError:
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0


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
    """One input on its way to an MP3: what every ffmpeg run of the conversion shares."""

    ffmpeg: str
    source: Path
    demuxer: str
    duration: float
    bitrate_kbps: int

    @property
    def seconds_allowed(self) -> float:
        return max(120.0, self.duration)  # slower than real time means something is wrong

    def command(self, level: str = "error") -> list[str]:
        return [self.ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-y", "-v", level]  # -y: our scratch files

    def source_input(self, *seek: str) -> list[str]:
        return [*_input_guards(self.demuxer), *seek, "-i", _file_url(self.source)]

    def chain(self, levels: _Levels) -> str:
        """Mono, the gain, then (only when some peak would pass the ceiling) a low-pass and the limiter."""
        chain = f"aformat=channel_layouts=mono,volume={levels.gain_db:.2f}dB"
        if levels.limited:
            ceiling = 10 ** (levels.ceiling_dbfs / 20)
            chain += f",lowpass=f={levels.lowpass_hz}:p=2"
            chain += f",alimiter=limit={ceiling:.4f}:attack=5:release=50:level=0:latency=1"
        return chain

    def mp3(self) -> list[str]:
        """Encoder options; no tag or chapter of the input is copied (they may carry a location or a name)."""
        return ["-map_metadata", "-1", "-map_chapters", "-1", "-ac", "1", "-c:a", "libmp3lame",
                "-b:a", f"{self.bitrate_kbps}k", "-f", "mp3"]  # fmt: skip


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
    caller decides how often to show them. Raises AudioError; on failure nothing is left at ``target``.
    """
    found = await probe(source)
    if not found.has_audio or found.duration_seconds <= 0:
        raise AudioError("error.audio.not_media")
    if found.duration_seconds > max_duration_seconds:
        minutes = math.ceil(found.duration_seconds / 60)
        raise AudioError("error.audio.too_long", minutes=minutes, maximum=max_duration_seconds // 60)
    plan = _Plan(find_ffmpeg()[0], source, found.format_name.split(",")[0], found.duration_seconds, bitrate_kbps)
    reported = 0.0

    def stage(index: int) -> Callable[[float], Awaitable[None]]:
        async def report(fraction: float) -> None:
            nonlocal reported
            value = sum(STAGE_WEIGHTS[:index]) + STAGE_WEIGHTS[index] * min(max(fraction, 0.0), 1.0)
            if on_progress is not None and value > reported:
                reported = value
                await on_progress(value)

        return report

    workdir = Path(tempfile.mkdtemp(prefix=".audio-", dir=target.parent))
    try:
        loudness, peak, excerpts = await _measure(plan, workdir, stage(0))
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
        shutil.rmtree(workdir, ignore_errors=True)
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


def integrated_loudness(momentary: Sequence[float]) -> float:
    """EBU R128 integrated loudness from the loudness of 400 ms blocks (ffmpeg's momentary values, every 100 ms)."""
    blocks = [(value, 10 ** ((value + 0.691) / 10)) for value in momentary if value > ABSOLUTE_GATE_LUFS]
    if not blocks:
        return ABSOLUTE_GATE_LUFS
    threshold = -0.691 + 10 * math.log10(sum(power for _, power in blocks) / len(blocks)) - RELATIVE_GATE_LU
    kept = [power for value, power in blocks if value > threshold]
    return -0.691 + 10 * math.log10(sum(kept) / len(kept))


async def _measure(
    plan: _Plan, workdir: Path, report: Callable[[float], Awaitable[None]]
) -> tuple[float, float, list[Path]]:
    """Integrated loudness from sampled blocks and the peak of every sample, decoding the whole file once.

    The file is cut into slices measured side by side; their blocks are gated together here. Each slice also keeps
    2 s excerpts spread over it (mono WAV in ``workdir``, returned): the calibration reads them instead of seeking
    in the recording again, which would hold the index of a long M4A in memory once per excerpt.
    """
    share = min(1.0, max(MEASURE_MIN_SHARE, MEASURE_EVERYTHING_UP_TO_SECONDS / plan.duration))
    period = BLOCK_SECONDS / share
    sampling = f"aselect='lt(mod(t,{period:.3f}),{BLOCK_SECONDS})'," if share < 1.0 else ""
    count = MEASURE_SLICES if plan.duration >= 60 * MEASURE_SLICES else 1
    length = plan.duration / count
    spacing = min(CALIBRATION_MAX_PERIOD_SECONDS, plan.duration / CALIBRATION_WINDOWS)
    window = CALIBRATION_WINDOW_SECONDS
    keeping = f"aselect='lt(mod(t,{spacing:.3f}),{window})'" if spacing > window else "anull"
    parts = [workdir / f"excerpts-{index}.wav" for index in range(count)]
    momentary: list[float] = []
    peaks: list[float] = []
    decoded = [0.0] * count

    def read(line: str) -> None:
        if found := _MOMENTARY.match(line):
            momentary.append(_number(found[1]))
        elif found := _SAMPLE_PEAK.match(line):
            peaks.append(_number(found[1]))

    def slice_run(index: int) -> Coroutine[Any, Any, _Finished]:
        async def position(seconds: float) -> None:
            decoded[index] = seconds
            await report(sum(decoded) / plan.duration)

        seek = ["-ss", f"{index * length:.3f}", "-t", f"{length:.3f}"] if count > 1 else []
        graph = (
            "[0:a:0]aformat=channel_layouts=mono,astats=measure_perchannel=none:measure_overall=Peak_level,"
            f"asplit[loudness][kept];[loudness]{sampling}ebur128=metadata=1:framelog=verbose,"
            f"ametadata=mode=print:key=lavfi.r128.M[measured];[kept]{keeping}[excerpts]"
        )
        return _run(
            [*plan.command("info"), *plan.source_input(*seek), "-filter_complex", graph, "-progress", "pipe:1",
             "-map", "[measured]", "-f", "null", "-",
             "-map", "[excerpts]", "-c:a", "pcm_f32le", "-f", "wav", _file_url(parts[index])],
            seconds_allowed=plan.seconds_allowed,
            on_position=position,
            on_line=read,
        )  # fmt: skip

    slices = await _together(*(slice_run(index) for index in range(count)))
    # The decoder stops where the data stops: a file cut short is caught here, before the long pass.
    if sum(decoded) + count * (period if share < 1.0 else 0.0) < TRUNCATED_BELOW * plan.duration:
        raise AudioError("error.audio.truncated")
    for finished in slices:
        if finished.returncode != 0 or len(peaks) != count:  # each slice prints its peak when it ends normally
            raise _fail("measuring", finished)
    return integrated_loudness(momentary), max(peaks), parts


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
    inputs = [argument for part in excerpts for argument in (*_input_guards("wav"), "-i", _file_url(part))]
    joined = "".join(f"[{index}:a:0]" for index in range(len(excerpts)))
    graph = (
        f"{joined}concat=n={len(excerpts)}:v=0:a=1,asplit[raw][gained];"
        f"[raw]ebur128=framelog=verbose,anullsink;[gained]{plan.chain(levels)}[out]"
    )
    encoded, measured = await _piped(  # the meter reads the MP3 while it is being encoded
        [*plan.command("info"), *inputs, "-filter_complex", graph, "-map", "[out]", *plan.mp3(), "pipe:1"],
        [*plan.command("info"), "-protocol_whitelist", "pipe", "-f", "mp3", "-i", "pipe:0",
         "-af", "ebur128=framelog=verbose", "-f", "null", "-"],
        seconds_allowed=plan.seconds_allowed,
    )  # fmt: skip
    before, after = _INTEGRATED.findall(encoded.stderr), _INTEGRATED.findall(measured.stderr)
    if encoded.returncode != 0 or not before:
        raise _fail("calibrating", encoded)
    if measured.returncode != 0 or not after:
        raise _fail("calibrating", measured)
    return _number(before[-1]), _number(after[-1])


async def _encode(plan: _Plan, levels: _Levels, partial: Path, report: Callable[[float], Awaitable[None]]) -> None:
    """The long pass. ffmpeg 5 runs filters and encoder on one core, and the low-pass and limiter cost ≈ 25 % of
    the encoder: when they are needed, a second ffmpeg runs them on the other core and hands 16-bit audio over
    (ample before a 64 kb/s encoder, and cheaper to pipe than floats)."""

    async def position(seconds: float) -> None:
        await report(seconds / plan.duration)

    source = [*plan.source_input(), "-vn", "-sn", "-dn", "-map", "0:a:0"]
    output = [*plan.mp3(), "-progress", "pipe:1", _file_url(partial)]
    if not levels.limited:
        finished = await _run(
            [*plan.command(), *source, "-af", plan.chain(levels), *output],
            seconds_allowed=plan.seconds_allowed,
            on_position=position,
        )
    else:
        filtered, finished = await _piped(
            [*plan.command(), *source, "-af", f"{plan.chain(levels)},asetnsamples=n=16384", "-map_metadata", "-1",
             "-c:a", "pcm_s16le", "-f", "nut", "pipe:1"],
            [*plan.command(), "-protocol_whitelist", "pipe", "-f", "nut", "-i", "pipe:0", *output],
            seconds_allowed=plan.seconds_allowed,
            on_position=position,
        )  # fmt: skip
        if filtered.returncode != 0:
            raise _fail("filtering", filtered)
    if finished.returncode != 0:
        raise _fail("converting", finished)


async def measure_loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a whole file, as EBU R128 defines them (mono mix)."""
    ffmpeg, _ = find_ffmpeg()
    finished = await _run(
        [ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-v", "info", *_input_guards(), "-i", _file_url(path),
         "-vn", "-sn", "-dn", "-map", "0:a:0",
         "-af", "aformat=channel_layouts=mono,ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
        seconds_allowed=600,
    )  # fmt: skip
    loudness, peak = _INTEGRATED.findall(finished.stderr), _TRUE_PEAK.findall(finished.stderr)
    if finished.returncode != 0 or not loudness or not peak:
        raise _fail("measuring loudness", finished)
    return _number(loudness[-1]), _number(peak[-1])


def write_tags(mp3: Path, tags: Tags, chapters: list[Chapter]) -> None:
    """ID3v2.3 (what most players and podcast apps read) with the texts and ID3 chapters (CTOC + CHAP).

    Fast enough to call directly (≈ 12 ms for 40 chapters on a 69 MB file): it rewrites the tag, not the audio.
    Chapters starting after the end of the audio are dropped; each one ends where the next begins.
    """
    duration_ms = int(MP3(mp3).info.length * 1000)
    tag = ID3()
    for frame, text in ((TIT2, tags.title), (TPE1, tags.artist), (TALB, tags.album), (TDRC, tags.date)):
        if text:
            tag.add(frame(encoding=3, text=[text]))
    if tags.comment:
        tag.add(COMM(encoding=3, lang="und", desc="", text=[tags.comment]))
    kept = sorted((c for c in chapters if c.start_seconds * 1000 < duration_ms), key=lambda c: c.start_seconds)
    starts = [chapter.start_seconds * 1000 for chapter in kept]
    ids = [f"chp{index}" for index in range(len(kept))]
    if kept:
        tag.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=3, text=["Chapitres"])],
            )
        )
    for index, chapter in enumerate(kept):
        end = starts[index + 1] if index + 1 < len(kept) else duration_ms
        tag.add(
            CHAP(
                element_id=ids[index],
                start_time=starts[index],
                end_time=end,
                start_offset=0xFFFFFFFF,  # "unknown": players seek by time, as the spec allows
                end_offset=0xFFFFFFFF,
                sub_frames=[TIT2(encoding=3, text=[chapter.title])],
            )
        )
    tag.update_to_v23()  # the date becomes TYER + TDAT, as ID3v2.3 readers expect
    tag.save(mp3, v2_version=3)


async def make_teaser(
    mp3: Path, target: Path, *, start_seconds: float = 0, duration_seconds: float = 60, bitrate_kbps: int = 64
) -> Path:
    """A short mono MP3 with fades, for the forum post. Only the excerpt is decoded (pydub, in a thread).

    The whole recording when it is shorter than ``duration_seconds``; a start too close to the end slides back.
    """
    return await asyncio.to_thread(_cut_teaser, mp3, target, start_seconds, duration_seconds, bitrate_kbps)


def _cut_teaser(mp3: Path, target: Path, start_seconds: float, duration_seconds: float, bitrate_kbps: int) -> Path:
    from pydub import AudioSegment  # imported late: pydub looks for ffmpeg when imported
    from pydub.exceptions import CouldntDecodeError

    partial = target.with_name(f".{target.name}.part")
    length = float(MP3(mp3).info.length)
    duration_seconds = min(duration_seconds, length)  # a short recording is its own teaser
    start_seconds = max(0.0, min(start_seconds, length - duration_seconds))  # a start too late slides back
    try:
        segment = AudioSegment.from_file(  # codec given: pydub then skips its ffprobe run
            str(mp3.resolve()), format="mp3", codec="mp3", start_second=start_seconds, duration=duration_seconds
        )
        if len(segment) == 0:
            raise AudioError("error.audio.failed")
        fade_in, fade_out = min(TEASER_FADE_IN_MS, len(segment) // 4), min(TEASER_FADE_OUT_MS, len(segment) // 4)
        segment = segment.set_channels(1).fade_in(fade_in).fade_out(fade_out)
        segment.export(str(partial), format="mp3", bitrate=f"{bitrate_kbps}k").close()
        os.replace(partial, target)
    except CouldntDecodeError as exc:
        log.warning("teaser failed: %s", str(exc)[-2000:])
        raise AudioError("error.audio.failed") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return target

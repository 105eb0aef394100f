"""ffmpeg and ffprobe as child processes: started hardened, followed as they run, and never outliving the bot.

- Every child is killed with the bot, however the bot dies: it asks the kernel for SIGKILL when its parent goes
  (``PR_SET_PDEATHSIG``, Linux), between fork and exec, so even a SIGKILL of the bot (which runs no Python code)
  takes its conversions with it. A conversion nobody follows would keep a core busy and its scratch files growing.
- Children are niced, so that the bot wins when they compete for a core.
- Output is read as it comes and only a bounded tail is kept: a chatty or hostile file cannot fill memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from pydub.utils import which

from bot.errors import DomainError

log = logging.getLogger(__name__)

# Demuxers of plain audio/video files: none of them opens another URL or file by itself.
SAFE_DEMUXERS = ("mov", "mp4", "m4a", "3gp", "3g2", "mj2", "wav", "mp3", "ogg", "matroska", "webm", "flac", "aac")
STDERR_TAIL_BYTES = 64 * 1024
STDOUT_KEPT_BYTES = 4 * 1024 * 1024
NICENESS = 10  # ffmpeg yields the CPU to the bot's event loop (and anything interactive) when they compete
# LAME's speed/quality trade (ffmpeg's -compression_level, LAME's -q; 3 by default): 7 keeps the psychoacoustic
# model but not the noise-shaping loop, and encodes in ≈ 2/3 of the time, which the measuring pass and the
# limiter need; at 64 kb/s on mono speech the loop has little to shape.
LAME_QUALITY = 7
_PR_SET_PDEATHSIG = 1
# Looked up once here: the child, between fork and exec, must not import or load anything.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
_SIGKILL = ctypes.c_ulong(signal.SIGKILL)  # prctl reads an unsigned long


class AudioError(DomainError):
    """A recording the bot cannot turn into an MP3, worded for the organizer through the catalogue ``key``."""


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str  # the tail only


def find_ffmpeg() -> tuple[str, str]:
    """The ``ffmpeg`` and ``ffprobe`` executables, found on PATH the way pydub finds them."""
    ffmpeg, ffprobe = which("ffmpeg"), which("ffprobe")
    if not ffmpeg or not ffprobe:
        raise FileNotFoundError("ffmpeg and ffprobe must be installed and on PATH (Debian package « ffmpeg »)")
    return ffmpeg, ffprobe


def lame(bitrate_kbps: int) -> list[str]:
    """The MP3 encoder's options, the same for the conversion, its calibration and the teaser."""
    return ["-c:a", "libmp3lame", "-compression_level", str(LAME_QUALITY), "-b:a", f"{bitrate_kbps}k"]


def file_url(path: Path) -> str:
    """An explicit ``file:`` URL, so that no name (``http:…``, ``concat:…``, ``-i``) is read as anything else."""
    return f"file:{path.resolve()}"


def input_guards(demuxer: str | None = None) -> list[str]:
    forced = ["-f", demuxer] if demuxer else []
    return ["-protocol_whitelist", "file", "-format_whitelist", ",".join(SAFE_DEMUXERS), *forced]


def _in_child(parent: int) -> None:
    """Runs in the child between fork and exec: dies with ``parent``, and yields the CPU to it."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, _SIGKILL)
    if os.getppid() != parent:  # the bot died before the request took effect: nobody would ever stop us
        os._exit(1)
    with contextlib.suppress(OSError):  # a nicer child is only a preference
        os.nice(NICENESS)


async def start(
    arguments: Sequence[str], *, stdin: int = asyncio.subprocess.DEVNULL, stdout: int = asyncio.subprocess.PIPE
) -> asyncio.subprocess.Process:
    """Start one ffmpeg/ffprobe. A pipe end given as ``stdin``/``stdout`` is closed here once the child holds it,
    so the process at the other end sees end-of-file when this one exits."""
    try:
        return await asyncio.create_subprocess_exec(
            *arguments,
            stdin=stdin,
            stdout=stdout,
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=partial(_in_child, os.getpid()),
        )
    finally:
        for end in (stdin, stdout):
            if end >= 0:
                os.close(end)


async def watch(
    process: asyncio.subprocess.Process,
    *,
    seconds_allowed: float,
    on_position: Callable[[float], Awaitable[None]] | None = None,
    on_line: Callable[[str], None] | None = None,
    keep_stdout: bool = False,
) -> Finished:
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
                if size <= STDOUT_KEPT_BYTES:
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
        await stop(process)
    return Finished(returncode, "".join(collected), tail.decode("utf-8", "replace"))


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.kill()
        await asyncio.shield(process.wait())


async def run(arguments: Sequence[str], **options: Any) -> Finished:
    return await watch(await start(arguments), **options)


async def piped(
    first: Sequence[str], second: Sequence[str], *, seconds_allowed: float, **second_options: Any
) -> tuple[Finished, Finished]:
    """``first`` writes into ``second`` through an OS pipe (never through Python): two cores, no copy here."""
    read_end, write_end = os.pipe()
    started: list[asyncio.subprocess.Process] = []
    try:
        try:
            started.append(await start(first, stdout=write_end))
        except BaseException:
            os.close(read_end)
            raise
        started.append(await start(second, stdin=read_end))
        done = await together(
            watch(started[0], seconds_allowed=seconds_allowed),
            watch(started[1], seconds_allowed=seconds_allowed, **second_options),
        )
    finally:
        for process in started:  # also when a watcher was cancelled before it began
            await stop(process)
    return done[0], done[1]


async def together(*runs: Coroutine[Any, Any, Finished]) -> list[Finished]:
    """Run ffmpeg processes side by side; the first failure stops (kills) the others and is raised as is."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(run) for run in runs]
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]


def failure(stage: str, finished: Finished) -> AudioError:
    log.warning("ffmpeg failed while %s (exit %s): %s", stage, finished.returncode, finished.stderr[-2000:])
    return AudioError("error.audio.failed")

"""Recordings that lie, on real ffmpeg: the duration limit holds on what is decoded, scratch space stays under a
figure derived from the limit, and no ffmpeg outlives the process that started it.

The limit is set to one minute here, so that a hostile file only needs a few minutes of real audio. Scratch
space is measured as the conversion runs, by a thread that adds up every file under the output's folder (where
the conversion keeps its scratch folder) every few milliseconds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from bot.integrations.audio import AudioError, Conversion, convert_to_mp3, probe, scratch_bound_bytes
from tests.integration import audio_samples

REPO_ROOT = Path(__file__).resolve().parents[2]
LIMIT_SECONDS = 60
BITRATE_KBPS = 64
# Worked out by hand from the design, not from the code under test: excerpts of at most 34 s of mono float at
# 48 kHz (6.5 MB) and at most 61 s of MP3 at 64 kb/s (0.5 MB), plus headers.
SCRATCH_BOUND_FOR_ONE_MINUTE = 7_100_000


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-audio")


@pytest.fixture(scope="module")
def three_minutes(samples: Path) -> Path:
    return audio_samples.speech_like(samples / "three-minutes.m4a", seconds=180, lufs=-23)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    directory = tmp_path / "out"
    directory.mkdir()
    return directory


class PeakSize:
    """The largest total size of the files under a folder, sampled every 2 ms while in use."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.peak = folder, 0

    def total(self) -> int:
        size = 0
        for root, _, files in os.walk(self.folder):
            for name in files:
                with contextlib.suppress(FileNotFoundError):  # removed between the listing and the stat
                    size += os.stat(os.path.join(root, name)).st_size
        return size

    @contextmanager
    def watching(self) -> Iterator[PeakSize]:
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                self.peak = max(self.peak, self.total())
                time.sleep(0.002)

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            done.set()
            thread.join()


def left_in(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


async def convert(source: Path, target: Path) -> Conversion:
    return await convert_to_mp3(
        source, target, bitrate_kbps=BITRATE_KBPS, loudness_lufs=-19.0, max_duration_seconds=LIMIT_SECONDS
    )


def test_the_figure_of_this_file_is_the_code_s_bound() -> None:
    assert scratch_bound_bytes(LIMIT_SECONDS, BITRATE_KBPS) <= SCRATCH_BOUND_FOR_ONE_MINUTE


def test_the_readme_states_the_bound_for_the_default_settings() -> None:
    readme = " ".join((REPO_ROOT / "README.md").read_text(encoding="utf-8").split())  # however lines wrap
    megabytes = round(scratch_bound_bytes(240 * 60, 64) / 1_000_000)
    assert f"scratch ≤ {megabytes} MB for `max_duration_minutes = 240` and `bitrate_kbps = 64`" in readme


async def test_a_file_declaring_ten_seconds_but_holding_three_minutes_is_refused(
    samples: Path, three_minutes: Path, out: Path
) -> None:
    lying = audio_samples.declaring(three_minutes, samples / "lying.mkv", seconds=10)
    assert (await probe(lying)).duration_seconds == pytest.approx(10)  # the lie is what the header says

    with PeakSize(out).watching() as scratch, pytest.raises(AudioError) as refused:
        await convert(lying, out / "session.mp3")

    assert refused.value.key == "error.audio.too_long_decoded"
    assert refused.value.params == {"maximum": 1}
    assert 0 < scratch.peak <= SCRATCH_BOUND_FOR_ONE_MINUTE
    assert left_in(out) == []


async def test_a_lie_within_the_limit_converts_what_is_really_there(samples: Path, out: Path) -> None:
    """Declared 10 s, really 40 s, limit 60 s: the MP3 holds the 40 s, not the 10 s of the header."""
    forty = audio_samples.speech_like(samples / "forty.m4a", seconds=40, lufs=-23)
    lying = audio_samples.declaring(forty, samples / "forty-declaring-ten.mkv", seconds=10)

    conversion = await convert(lying, out / "session.mp3")

    assert conversion.duration_seconds == pytest.approx(40, abs=0.5)
    assert MP3(out / "session.mp3").info.length == pytest.approx(40, abs=0.5)


async def test_a_384_khz_file_converts_within_the_bound(samples: Path, three_minutes: Path, out: Path) -> None:
    half_minute = audio_samples.speech_like(samples / "half-minute.wav", seconds=30, lufs=-23)
    high = audio_samples.resampled(half_minute, samples / "384k.flac", 384_000)
    assert (await probe(high)).sample_rate == 384_000

    with PeakSize(out).watching() as scratch:
        conversion = await convert(high, out / "session.mp3")

    assert conversion.duration_seconds == pytest.approx(30, abs=0.5)
    assert MP3(out / "session.mp3").info.sample_rate <= 48_000
    assert scratch.peak <= SCRATCH_BOUND_FOR_ONE_MINUTE


async def test_a_stream_that_changes_format_midway_is_refused(samples: Path, out: Path) -> None:
    """A format change would rebuild ffmpeg's filters, and with them the count of decoded samples the limit
    relies on (a file changing format every few seconds would never reach it). Decoding stops at the first change
    instead, and the file reads as damaged; were the filters rebuilt, the measuring pass would fail otherwise."""
    changing = audio_samples.format_changing(samples / "changing.mp3")

    with pytest.raises(AudioError) as refused:
        await convert(changing, out / "session.mp3")

    assert refused.value.key == "error.audio.truncated"
    assert left_in(out) == []


CONVERTING_CHILD = """
import asyncio
import sys
from pathlib import Path

from bot.integrations.audio import convert_to_mp3


async def main() -> None:
    told = False

    async def on_progress(fraction: float) -> None:
        nonlocal told
        if not told:
            told = True
            print("converting", flush=True)

    await convert_to_mp3(
        Path(sys.argv[1]), Path(sys.argv[2]), bitrate_kbps=64, loudness_lufs=-19, max_duration_seconds=3600,
        on_progress=on_progress,
    )


asyncio.run(main())
"""


def _state(pid: int) -> str | None:
    """A process's state letter (``Z`` for a zombie), None once it is gone; and its parent's pid."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent and fields[0] != "Z":
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(sys.platform != "linux", reason="the guarantee rests on Linux's PR_SET_PDEATHSIG")
def test_ffmpeg_dies_when_the_bot_is_killed(three_minutes: Path, out: Path) -> None:
    """SIGKILL runs no Python code in the dying process: only the kernel can take its ffmpeg with it. The ffmpeg
    processes are frozen (SIGSTOP) first, so that finishing their work cannot pass for dying with the bot."""
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    bot = subprocess.Popen(
        [sys.executable, "-c", CONVERTING_CHILD, str(three_minutes), str(out / "session.mp3")],
        stdout=subprocess.PIPE,
        env=environment,
        cwd=REPO_ROOT,
    )
    ffmpegs: list[int] = []
    try:
        assert bot.stdout is not None and bot.stdout.readline() == b"converting\n"
        bot.send_signal(signal.SIGSTOP)  # it can start no other ffmpeg, nor reap these
        ffmpegs = _children(bot.pid)
        assert ffmpegs, "no ffmpeg running at the first progress report"
        for pid in ffmpegs:
            os.kill(pid, signal.SIGSTOP)
        bot.kill()
        bot.wait(timeout=10)

        deadline = time.monotonic() + 10
        while any(_state(pid) not in (None, "Z") for pid in ffmpegs) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert {pid: _state(pid) for pid in ffmpegs if _state(pid) not in (None, "Z")} == {}
    finally:
        for pid in ffmpegs:  # only what this test froze, if it survived
            if _state(pid) not in (None, "Z"):
                os.kill(pid, signal.SIGKILL)
        if bot.poll() is None:
            bot.kill()
            bot.wait()

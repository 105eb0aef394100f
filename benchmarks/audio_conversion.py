"""Converting a recording: the bot's pipeline against the plain ffmpeg command, and against pydub.

    .venv/bin/python -m benchmarks.audio_conversion [--runs 3] [--minutes 150] [--peaky 1] [--pydub-long]
                                                    [--cache-dir DIR] [--no-check]

Two speech-like mono AAC 64 kb/s M4A at 32 kHz (what Zoom records) are generated once and cached: ``--minutes``
long (2 h 30 by default) and 30 minutes. On each, in the same run and alternating, median of ``--runs``:

(a) plain      ``ffmpeg -i in.m4a -vn -ac 1 -c:a libmp3lame -b:a 64k out.mp3`` — the reference (SPEC §6);
(b) pipeline   what the bot does until the MP3 is ready: ``convert_to_mp3`` (probe, loudness measure, calibration,
               conversion), ``write_tags`` (with chapters) and ``make_teaser``, inside an event loop whose worst lag
               is measured by a ticker (``asyncio.sleep(0.01)`` in a loop, recording the overshoot);
(c) pydub      ``AudioSegment.from_file(...).export(...)``, the obvious alternative, only on the 30 min file unless
               ``--pydub-long``: it decodes the whole recording into Python memory (FACTS.md: 2.5 GB peak on 2 h 30).

Every ffmpeg runs at the niceness the bot gives its own (plain included, for a fair comparison; pydub starts its
own at normal priority). Memory is sampled from /proc over this process and all its descendants (psutil is not
installed): the sum of RSS every 20 ms (what SPEC §6 names, though it counts each ffmpeg's shared libraries again),
the sum of PSS every 100 ms (shared pages split between their users: what the tree really holds) and the largest
single child. CPU is user + system time of the whole tree.
``--peaky`` sets the synthetic voice's bursts: 1 (default, crest ≈ 22 dB, clicks included) makes the limiter work
hard; 0 (crest ≈ 16 dB, like Zoom audio after its gain control) only grazes its ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain.chapters import parse_chapters
from bot.integrations.audio import (
    NICENESS,
    Tags,
    convert_to_mp3,
    find_ffmpeg,
    make_teaser,
    measure_loudness,
    write_tags,
)
from tests.integration.audio_samples import speech_like

TARGET_LUFS = -19.0
BITRATE_KBPS = 64
GENERATOR_VERSION = 1  # bump when audio_samples changes what it generates
NOTES = "\n".join(f"{minute // 60:02d}:{minute % 60:02d}:00 Partie {index + 1}" for index, minute in
                  enumerate(range(0, 150, 10)))  # fmt: skip
PYDUB_WHY = (
    "pydub decodes the whole recording into Python memory (2 h 30 ≈ 2.5 GB peak, plus a temporary WAV on disk), "
    "so by default it only runs on the 30 min file; --pydub-long runs it on the long one too."
)


@dataclass
class Measure:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    tree_rss: float = 0.0
    tree_pss: float = 0.0
    child_rss: float = 0.0
    lag: float = 0.0
    detail: list[str] = field(default_factory=list)


class TreeSampler:
    """Peak memory of this process plus all its descendants, from /proc: RSS summed (what SPEC §6 names; it counts
    the shared libraries of each ffmpeg again), PSS summed (shared pages split between the processes using them:
    the memory the tree really holds), and the RSS of the largest single child."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.tree = self.pss = self.child = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._page = os.sysconf("SC_PAGE_SIZE")

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                return int(statm.read().split()[1]) * self._page
        except (OSError, IndexError, ValueError):
            return 0

    def _pss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError):
            pass
        return 0

    def _children(self, pid: int) -> list[int]:
        found: list[int] = []
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    found += [int(child) for child in children.read().split()]
        except OSError:
            pass
        return found

    def _loop(self) -> None:
        tick = 0
        while not self._stop.is_set():
            me, with_pss = os.getpid(), tick % 5 == 0  # PSS makes the kernel walk page tables: less often
            pending, total, largest = self._children(me), self._rss(me), 0
            proportional = self._pss(me) if with_pss else 0
            while pending:
                pid = pending.pop()
                rss = self._rss(pid)
                total, largest = total + rss, max(largest, rss)
                proportional += self._pss(pid) if with_pss else 0
                pending += self._children(pid)
            self.tree, self.child = max(self.tree, total), max(self.child, largest)
            self.pss = max(self.pss, proportional)
            tick += 1
            self._stop.wait(self.interval)


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


async def timed(measure: Measure, work: Callable[[], Awaitable[None]], *, ticker: bool = False) -> None:
    """Run ``work``, adding its wall time, CPU time, peak RSS and (with ``ticker``) worst event-loop lag."""
    worst = 0.0
    stop = asyncio.Event()

    async def tick() -> None:
        nonlocal worst
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            before = loop.time()
            await asyncio.sleep(0.01)
            worst = max(worst, loop.time() - before - 0.01)

    ticking = asyncio.create_task(tick()) if ticker else None
    cpu, started = cpu_seconds(), time.perf_counter()
    with TreeSampler() as sampler:
        await work()
    measure.wall.append(time.perf_counter() - started)
    measure.cpu.append(cpu_seconds() - cpu)
    stop.set()
    if ticking is not None:
        await ticking
    measure.tree_rss = max(measure.tree_rss, sampler.tree / 2**20)
    measure.child_rss = max(measure.child_rss, sampler.child / 2**20)
    measure.tree_pss = max(measure.tree_pss, sampler.pss / 2**20)
    measure.lag = max(measure.lag, worst * 1000)


async def plain(source: Path, target: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        find_ffmpeg()[0], "-nostdin", "-y", "-v", "error", "-i", str(source), "-vn", "-ac", "1",
        "-c:a", "libmp3lame", "-b:a", f"{BITRATE_KBPS}k", str(target),
    )  # fmt: skip
    os.setpriority(os.PRIO_PROCESS, process.pid, NICENESS)  # the same priority as the bot gives its ffmpeg
    assert await process.wait() == 0


async def pipeline(source: Path, workdir: Path, measure: Measure) -> Path:
    """What the bot does with a recording until the MP3 (tagged, with chapters) and its teaser are ready."""
    target, teaser = workdir / "pipeline.mp3", workdir / "teaser.mp3"
    steps = time.perf_counter()
    conversion = await convert_to_mp3(
        source, target, bitrate_kbps=BITRATE_KBPS, loudness_lufs=TARGET_LUFS, max_duration_seconds=4 * 3600
    )
    converted = time.perf_counter()
    tags = Tags("Fabrique de test", "Camille Martin", "Fabriques TMNlab", "2027-05-04", "Benchmark")
    await asyncio.to_thread(write_tags, target, tags, parse_chapters(NOTES))
    tagged = time.perf_counter()
    await make_teaser(target, teaser, start_seconds=60)
    measure.detail.append(
        f"convert {converted - steps:.2f} s (input {conversion.input_loudness_lufs:.1f} LUFS, gain "
        f"{conversion.gain_db:+.1f} dB) · tags {1000 * (tagged - converted):.0f} ms · "
        f"teaser {time.perf_counter() - tagged:.2f} s"
    )
    return target


async def with_pydub(source: Path, target: Path) -> None:
    def run() -> None:
        from pydub import AudioSegment

        AudioSegment.from_file(str(source)).export(
            str(target), format="mp3", bitrate=f"{BITRATE_KBPS}k", parameters=["-ac", "1"]
        ).close()

    await asyncio.to_thread(run)


def recording(cache: Path, minutes: int, peaky: float) -> Path:
    path = cache / f"speech-{minutes}min-peaky{peaky:g}-v{GENERATOR_VERSION}.m4a"
    if not path.exists():
        print(f"generating {path} (once; cached)…", flush=True)
        started = time.perf_counter()
        partial = path.with_suffix(".part.m4a")
        speech_like(partial, seconds=minutes * 60, lufs=-26, peaky=peaky, level_swing_db=3, pattern_seconds=315)
        partial.rename(path)
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    return path


async def bench_file(source: Path, runs: int, with_pydub_too: bool, check: bool) -> dict[str, Measure]:
    results = {"(a) plain ffmpeg": Measure(), "(b) bot pipeline": Measure()}
    if with_pydub_too:
        results["(c) pydub"] = Measure()
    last_output: Path | None = None
    with tempfile.TemporaryDirectory(prefix="fabrique-bench-") as directory:
        workdir = Path(directory)
        for _ in range(runs):  # alternating, so that a change in the machine's load hits both alike
            await timed(results["(a) plain ffmpeg"], lambda: plain(source, workdir / "plain.mp3"))

            async def run_pipeline() -> None:
                nonlocal last_output
                last_output = await pipeline(source, workdir, results["(b) bot pipeline"])

            await timed(results["(b) bot pipeline"], run_pipeline, ticker=True)
        for _ in range(runs if with_pydub_too else 0):  # last: Python keeps the memory pydub took from the system
            await timed(results["(c) pydub"], lambda: with_pydub(source, workdir / "pydub.mp3"))
        if check and last_output is not None:
            loudness, peak = await measure_loudness(last_output)
            results["(b) bot pipeline"].detail.append(f"output {loudness:.1f} LUFS, true peak {peak:.1f} dBTP")
    return results


def table(title: str, results: dict[str, Measure]) -> None:
    plain_wall = statistics.median(results["(a) plain ffmpeg"].wall)
    print(f"\n{title}")
    header = f"{'case':<20}{'wall (median)':>15}{'× plain':>9}{'CPU':>9}{'RSS tree':>11}{'PSS tree':>11}"
    print(header + f"{'largest child':>15}{'worst loop lag':>16}")
    for name, measure in results.items():
        wall = statistics.median(measure.wall)
        lag = f"{measure.lag:.1f} ms" if name.startswith("(b)") else "—"
        print(
            f"{name:<20}{wall:>13.2f} s{wall / plain_wall:>9.2f}{statistics.median(measure.cpu):>7.1f} s"
            f"{measure.tree_rss:>8.0f} MB{measure.tree_pss:>8.0f} MB{measure.child_rss:>12.0f} MB{lag:>16}"
        )
        for line in dict.fromkeys(measure.detail):
            print(f"{'':<20}{line}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--minutes", type=int, default=150, help="length of the long recording")
    parser.add_argument("--peaky", type=float, default=1.0, help="bursts in the synthetic voice (0: none)")
    parser.add_argument("--pydub-long", action="store_true", help="also run pydub on the long recording")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "fabrique-audio-bench")
    parser.add_argument("--no-check", action="store_true", help="skip measuring the pipeline's output loudness")
    args = parser.parse_args()
    args.cache_dir.mkdir(parents=True, exist_ok=True)

    lengths = sorted({args.minutes, 30}, reverse=True)
    files = {minutes: recording(args.cache_dir, minutes, args.peaky) for minutes in lengths}
    print(f"\naudio conversion — {args.runs} run(s), {os.cpu_count()} cores, target {TARGET_LUFS} LUFS, "
          f"{BITRATE_KBPS} kb/s, peaky={args.peaky:g}")  # fmt: skip
    for minutes, source in files.items():
        pydub_here = minutes == 30 or args.pydub_long
        results = await bench_file(source, args.runs, pydub_here, not args.no_check)
        size = source.stat().st_size / 2**20
        table(f"{minutes} min recording ({size:.0f} MB M4A)", results)
    print(f"\n{PYDUB_WHY}")
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"largest child ever, getrusage(RUSAGE_CHILDREN): {largest:.0f} MB (a child forked by a big Python counts it)"
    )
    print("targets: (b) ≤ 1.3× (a) (SPEC §6 asks 1.15×), peak RSS of the tree ≤ 150 MB, worst loop lag ≤ 100 ms")


if __name__ == "__main__":
    asyncio.run(main())

"""A recording uploaded through the web door, against the same upload to a static aiohttp handler.

    .venv/bin/python -m benchmarks.upload [--runs 5] [--megabytes 200] [--cache-dir DIR]

A speech-like WAV of ``--megabytes`` (200 MB: about 55 minutes, mono 32 kHz) is generated once and cached. The
server runs in a process of its own, as the bot does: the real services on a SQLite file, the web door on
127.0.0.1, and beside it, on another port, a static aiohttp handler that writes the body to a new file and
nothing more. ``curl`` (streaming the file, ``-T``) uploads it, alternating, median of ``--runs``:

(a) static     ``POST /statique`` to the static handler — the baseline (SPEC §6);
(b) web door   ``POST /depot/{token}``: the link checked and rate-limited, the body streamed to ``data/work`` with
               its size cap and first-bytes check, ffprobe on the file, the link used up, the documentation queued
               (the job runner is a stand-in that does nothing: conversion is ``benchmarks.audio_conversion``'s).

Each upload of either kind is kept as a file; they are deleted between runs, so that every run meets the same
page cache (200 MB files piling up slow the disk for both). One upload of each kind warms up first, unmeasured.
Memory is the server process's own: its peak RSS (the kernel's VmHWM, reset through ``/proc/PID/clear_refs``
before each upload) above the RSS it was reset to, so never below zero. ffprobe is a child of its own, not
counted. Under the table, the machine's cores and load average before → after, and whether it was busy
(``benchmarks._machine``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks._machine import Machine

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.5
TARGET_MEMORY_MB = 50
SAMPLE_RATE = 32000  # tests.integration.audio_samples' rate: 2 bytes a sample, mono
GENERATOR_VERSION = 1


@dataclass
class Case:
    walls: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # the server process's own CPU seconds (threads included)
    peaks_above_idle: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


# --- the server process -------------------------------------------------------------------------------------------


async def serve(directory: Path, sessions: int) -> None:
    """The bot's side: print where to upload (one link per run), then serve until stdin closes."""
    from aiohttp import web

    from bot.db.engine import create_engine
    from bot.domain.lifecycle import Action
    from tests.conftest import GUILD_ID, sqlite_url
    from tests.integration.web_support import door_settings, running_door
    from tests.unit.builders import ALICE, BOT, add_slot, announce, approved_fabrique

    settings = door_settings(directory, sqlite_url(directory))
    engine = create_engine(sqlite_url(directory))
    async with running_door(engine, settings) as door:
        tokens = []
        for day in range(sessions):
            fabrique = await approved_fabrique(door.services, ALICE)
            slot = await add_slot(door.services, f"{10 + day:02d}/03/2027", "14:00", 180)
            await door.services.slots.book(GUILD_ID, fabrique.id, slot.id, ALICE)
            await announce(door.services, fabrique.id, 900_000_000_000_000_000 + day)
            await door.services.timeline.advance(fabrique.id, Action.END, BOT)
            tokens.append(await door.issue(fabrique.id))

        received = iter(range(1_000_000))

        async def static(request: web.Request) -> web.Response:
            # A new file per upload, kept, as the door keeps each recording: the same work for the disk (writing
            # over one file again would spare the kernel allocating new pages, and flatter the baseline).
            with (directory / f"static-{next(received)}.bin").open("wb") as sink:
                async for chunk in request.content.iter_chunked(1024 * 1024):
                    sink.write(chunk)
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/statique", static)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        static_port = runner.addresses[0][1]
        print(json.dumps({"door": door.base, "static": f"http://127.0.0.1:{static_port}/statique", "tokens": tokens}))
        sys.stdout.flush()
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes it
        await runner.cleanup()
    await engine.dispose()


# --- the measuring side -------------------------------------------------------------------------------------------


def recording(cache: Path, megabytes: int) -> Path:
    from tests.integration.audio_samples import speech_like

    path = cache / f"upload-{megabytes}mb-v{GENERATOR_VERSION}.wav"
    if not path.exists():
        print(f"generating {path} (once; cached)…", flush=True)
        partial = path.with_suffix(".part.wav")
        speech_like(partial, seconds=megabytes * 1024 * 1024 / (2 * SAMPLE_RATE))
        partial.rename(path)
    return path


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1]) / 1024
    raise LookupError(field_name)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (all its threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_peak(pid: int) -> None:
    """The kernel's peak RSS (VmHWM) of ``pid`` starts again from its current RSS."""
    with open(f"/proc/{pid}/clear_refs", "w") as clear:
        clear.write("5")


def upload(url: str, source: Path) -> tuple[int, float]:
    """curl streams the file (``-T``) as a POST; no ``Expect: 100-continue`` pause. HTTP status, wall seconds."""
    started = time.perf_counter()
    finished = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-T", str(source),
         "-H", "Expect:", "-H", "Content-Type: audio/wav", "-H", "X-Nom-Fichier: seance.wav", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(finished.stdout), time.perf_counter() - started


def measure(case: Case, pid: int, url: str, source: Path, directory: Path) -> None:
    for kept in (*directory.glob("static-*.bin"), *directory.glob("work/*.upload")):
        kept.unlink()  # every run starts from the same page cache: 200 MB files piling up slow the disk for both
    time.sleep(0.3)  # let the previous upload's work (the job's first query, a thread) settle
    reset_peak(pid)
    idle = rss_mb(pid, "VmHWM")  # the peak just reset: what follows can only rise above it
    cpu = cpu_seconds(pid)
    status, wall = upload(url, source)
    case.cpu.append(cpu_seconds(pid) - cpu)
    case.statuses.append(status)
    case.walls.append(wall)
    case.peaks_above_idle.append(rss_mb(pid, "VmHWM") - idle)


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "fabrique-upload-bench")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the server process itself
    parser.add_argument("--sessions", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        await serve(args.serve, args.sessions)
        return
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed (Debian package curl)")
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    source = await asyncio.to_thread(recording, args.cache_dir, args.megabytes)
    await asyncio.to_thread(bench, source, args.runs)


def bench(source: Path, runs: int) -> None:
    """Start the server process, upload ``runs`` times to each side (alternating), print the table."""
    size_mb = source.stat().st_size / 2**20
    with Machine() as machine, tempfile.TemporaryDirectory(prefix="fabrique-upload-bench-") as directory:
        server = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.upload", "--serve", directory, "--sessions", str(runs + 1)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            assert server.stdout is not None and server.stdin is not None
            where = json.loads(server.stdout.readline())
            idle = rss_mb(server.pid)
            cases = {"(a) static handler": Case(), "(b) web door": Case()}
            warm_up = Case()
            measure(warm_up, server.pid, where["static"], source, Path(directory))
            measure(warm_up, server.pid, f"{where['door']}/depot/{where['tokens'][runs]}", source, Path(directory))
            for run in range(runs):  # alternating, so that a change in the machine's load hits both alike
                measure(cases["(a) static handler"], server.pid, where["static"], source, Path(directory))
                door = f"{where['door']}/depot/{where['tokens'][run]}"
                measure(cases["(b) web door"], server.pid, door, source, Path(directory))
            server.stdin.close()
            server.wait(30)
        finally:
            if server.poll() is None:
                server.kill()
    print_table(cases, size_mb, runs, idle)
    print(machine.line())


def print_table(cases: dict[str, Case], size_mb: float, runs: int, idle: float) -> None:
    static_wall = statistics.median(cases["(a) static handler"].walls)
    static_cpu = statistics.median(cases["(a) static handler"].cpu) or 0.01
    print(f"\nupload — {size_mb:.0f} MB WAV with curl over 127.0.0.1, {runs} run(s) alternating (medians)")
    print(
        f"{'case':<20}{'wall':>10}{'MB/s':>9}{'× static':>10}{'server CPU':>12}{'× static':>10}"
        f"{'peak RSS above idle':>21}{'HTTP':>7}"
    )
    for name, case in cases.items():
        wall, cpu = statistics.median(case.walls), statistics.median(case.cpu)
        statuses = ",".join(str(status) for status in sorted(set(case.statuses)))
        print(
            f"{name:<20}{wall:>8.2f} s{size_mb / wall:>9.0f}{wall / static_wall:>10.2f}{cpu:>10.2f} s"
            f"{cpu / static_cpu:>10.2f}{max(case.peaks_above_idle):>18.1f} MB{statuses:>7}"
        )
    walls = [f"{w:.2f}" for w in cases["(b) web door"].walls]
    print(f"web door wall per run: {', '.join(walls)} s (wall clock: a loaded machine spreads it; CPU less so)")
    print(f"server process at rest: {idle:.0f} MB RSS; peak: the largest of the runs (kernel VmHWM)")
    print(f"targets: (b) ≤ {TARGET_RATIO}× (a); peak RSS of the server ≤ {TARGET_MEMORY_MB} MB above idle")


if __name__ == "__main__":
    asyncio.run(main())

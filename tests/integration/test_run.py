"""``python -m bot run`` as an operator meets it: what Discord refuses is one line saying what to do, and a stop
signal (``docker stop``) closes the bot cleanly and promptly. A real bot process talks to a local fake Discord."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.integration.command_line import clean_environment
from tests.integration.discord_fake import LAUNCHER, FakeDiscord

TOKEN = "MTQwMDAwMDAwMDAwMDAwMDAwMQ.fake.token"
START_TIMEOUT_SECONDS = 60
STOP_DEADLINE_SECONDS = 8  # docker stop kills after 10 s by default


@dataclass
class Finished:
    returncode: int
    stderr: str

    def last_line(self) -> str:
        return self.stderr.strip().splitlines()[-1]


async def start_bot(cwd: Path, discord_url: str, **environ: str) -> asyncio.subprocess.Process:
    """``python -m bot run`` in ``cwd`` (SQLite under data/), talking to ``discord_url``; stderr into a file."""
    stderr = (cwd / "stderr.txt").open("wb")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            LAUNCHER,
            discord_url,
            "run",
            cwd=cwd,
            env=clean_environment(**environ),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
    finally:
        stderr.close()


async def finished(process: asyncio.subprocess.Process, cwd: Path) -> Finished:
    returncode = await asyncio.wait_for(process.wait(), START_TIMEOUT_SECONDS)
    return Finished(returncode, (cwd / "stderr.txt").read_text(encoding="utf-8"))


async def run_bot(cwd: Path, discord_url: str, **environ: str) -> Finished:
    return await finished(await start_bot(cwd, discord_url, **environ), cwd)


async def test_a_refused_token_is_one_line_saying_where_to_get_a_new_one(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as discord:
        result = await run_bot(tmp_path, discord.url, DISCORD_TOKEN="not-the-token")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "Reset Token" in result.last_line() and "DISCORD_TOKEN" in result.last_line()
    assert "not-the-token" not in result.stderr


async def test_a_missing_server_members_intent_is_one_line_saying_where_to_enable_it(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN, gateway_close_code=4014) as discord:
        result = await run_bot(tmp_path, discord.url, DISCORD_TOKEN=TOKEN)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "Server Members Intent" in result.last_line() and "Developer Portal" in result.last_line()


async def test_an_unreachable_discord_is_not_called_a_database_problem(tmp_path: Path) -> None:
    result = await run_bot(tmp_path, "http://127.0.0.1:1", DISCORD_TOKEN=TOKEN)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "Discord injoignable" in result.last_line()
    assert "Base de données" not in result.stderr


async def test_an_unreachable_database_is_said_before_discord_is_tried(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[database]\nurl = "postgresql+asyncpg://fabrique:s3cret@127.0.0.1:1/fabrique"\n', encoding="utf-8"
    )
    async with FakeDiscord(token=TOKEN) as discord:
        result = await run_bot(tmp_path, discord.url, DISCORD_TOKEN=TOKEN)
    assert result.returncode != 0
    assert "Base de données inaccessible" in result.last_line() and "s3cret" not in result.stderr
    assert not discord.identified.is_set()


async def test_without_ffmpeg_the_bot_warns_at_start_how_to_install_it_and_goes_on(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    async with FakeDiscord(token=TOKEN) as discord:
        result = await run_bot(tmp_path, discord.url, DISCORD_TOKEN="not-the-token", PATH=str(empty))
    warning = [line for line in result.stderr.splitlines() if "ffmpeg" in line]
    assert len(warning) == 1 and "apt-get install ffmpeg" in warning[0]
    assert "Reset Token" in result.last_line()  # it went on to log in: ffmpeg is not needed to run


async def test_sigterm_closes_the_bot_cleanly_and_promptly(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as discord:
        process = await start_bot(tmp_path, discord.url, DISCORD_TOKEN=TOKEN)
        await asyncio.wait_for(discord.identified.wait(), START_TIMEOUT_SECONDS)  # set up, connected, not ready
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        result = await finished(process, tmp_path)
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < STOP_DEADLINE_SECONDS
    assert "Traceback" not in result.stderr
    assert "SIGTERM received" in result.stderr and "stopped cleanly" in result.stderr


async def test_sigint_closes_the_bot_cleanly_too(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as discord:
        process = await start_bot(tmp_path, discord.url, DISCORD_TOKEN=TOKEN)
        await asyncio.wait_for(discord.identified.wait(), START_TIMEOUT_SECONDS)
        process.send_signal(signal.SIGINT)
        result = await finished(process, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "KeyboardInterrupt" not in result.stderr

"""``python -m bot`` run in a child process the way an operator runs it, with none of the runner's bot settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 60
BOT_VARIABLES = {"DISCORD_TOKEN", "FABRIQUE_CONFIG", "ZOOM_CLIENT_SECRET", "WORDPRESS_APP_PASSWORD", "SMTP_PASSWORD"}


def clean_environment(**extra: str) -> dict[str, str]:
    """The test runner's environment without anything that would configure the bot behind the test's back."""
    environ = {name: value for name, value in os.environ.items() if name not in BOT_VARIABLES}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), environ.get("PYTHONPATH")]))
    environ.update(extra)
    return environ


def run_bot(cwd: Path, *arguments: str, **environ: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=cwd,
        env=clean_environment(**environ),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, f"expected exactly one line, got {lines!r}"
    assert lines[0].strip()
    return lines[0]

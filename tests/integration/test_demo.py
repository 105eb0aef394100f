"""``python -m bot demo`` as a newcomer runs it: as many times as they like, into the same folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mutagen.id3 import ID3

from tests.integration.command_line import clean_environment

DEMO_TIMEOUT_SECONDS = 240  # one run converts a 40 s recording; the whole journey takes ~10 s on 2 cores


def run_demo(cwd: Path, folder: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", folder],
        cwd=cwd,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT_SECONDS,
        check=False,
    )


def test_the_demo_runs_again_into_the_same_folder_and_names_the_organizer(tmp_path: Path) -> None:
    for run in ("first", "second"):
        result = run_demo(tmp_path, "sortie")
        assert result.returncode == 0, f"{run} run failed:\n{result.stderr[-3000:]}"
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
        assert "Fichiers produits" in result.stdout

    out = tmp_path / "sortie"
    # Alice's member is not in the restarted bot's cache: the name it stored when she acted is used, never an id.
    assert ID3(out / "fabrique-1.mp3")["TPE1"].text == ["Alice"]
    article = (out / "article-fabrique-1.html").read_text()
    assert "Organisation</strong> : Alice" in article
    assert "membre 1" not in article

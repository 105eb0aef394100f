"""One list of landmarks: the MP3's ID3 chapters (written by mutagen, read back) and the article's « Repères » are
the same lines, from the notes or, without timestamps in the notes, from the transcript."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from bot.domain.chapters import landmarks
from bot.domain.transcripts import clock_time
from bot.integrations.audio import Tags, find_ffmpeg, write_tags
from bot.services import articles
from tests.integration.article_example import example_context, labels

NOTES = (
    "Idées clés : mutualiser\n\n"
    "Repères :\n"
    "- 00:00:02 Ouverture et tour de table\n"
    "[00:00:15] Atelier en sous-groupes : « billetterie » & outils\n"
    "00:21:40 — Restitution\n"
    "00:30:00 Après la fin de l'enregistrement\n"
)
TRANSCRIPT = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:04.000\nAlice Martin: Bonjour à toutes et tous, on commence par un tour de table\n\n"
    "00:00:07.000 --> 00:00:09.000\nAlice Martin: Qui veut commencer ?\n\n"
    "00:10:21.500 --> 00:10:24.000\nBob: Deuxième partie, les outils de billetterie partagés\n\n"
    "00:19:36.000 --> 00:19:38.000\nBob: Pour conclure\n\n"
    "00:26:00.000 --> 00:26:02.000\nBob: Après la fin de l'enregistrement\n"
)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """25 minutes of silence, small and quick to make: long enough for landmarks ten minutes apart."""
    target = tmp_path_factory.mktemp("landmarks") / "source.mp3"
    subprocess.run(
        [find_ffmpeg()[0], "-nostdin", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "1500",
         "-b:a", "8k", str(target)],
        check=True,
        timeout=120,
    )  # fmt: skip
    return target


@pytest.mark.parametrize(
    ("notes", "transcript"), [(NOTES, TRANSCRIPT), ("Idées clés, sans horodatage", TRANSCRIPT)], ids=["notes", "vtt"]
)
def test_the_mp3_chapters_and_the_article_s_landmarks_are_one_list(
    recording: Path, tmp_path: Path, notes: str, transcript: str
) -> None:
    mp3 = tmp_path / "fabrique.mp3"
    mp3.write_bytes(recording.read_bytes())
    duration = MP3(mp3).info.length
    # What the documentation job does: one call, the same arguments for the tags and the article.
    marks = landmarks(notes, "", transcript, duration_seconds=duration)
    write_tags(mp3, Tags("Titre", "Alice", "Fabriques collectives", "2027-05-04", ""), marks)
    html = articles.compose(
        example_context(),
        labels(),
        notes=notes,
        report="",
        resources="",
        chat=None,
        transcript=transcript,
        audio_url="https://site.example/a.mp3",
        audio_seconds=duration,
    )

    chapters = sorted(ID3(mp3).getall("CHAP"), key=lambda frame: frame.start_time)
    in_the_mp3 = [f"{clock_time(frame.start_time / 1000)} {frame.sub_frames['TIT2'].text[0]}" for frame in chapters]
    in_the_article = [
        f"{stamp} {text}".replace("&amp;", "&")
        for stamp, text in re.findall(r"<li><strong>(\d\d:\d\d:\d\d)</strong> (.*?)</li>", html)
    ]
    assert in_the_mp3 == in_the_article
    assert len(in_the_mp3) in (2, 3) and all("\n" not in line for line in in_the_mp3)  # one line each
    if notes is NOTES:
        assert in_the_mp3 == [
            "00:00:02 Ouverture et tour de table",
            "00:00:15 Atelier en sous-groupes : « billetterie » & outils",
            "00:21:40 Restitution",
        ]
    else:
        assert in_the_mp3 == [
            "00:00:01 Bonjour à toutes et tous, on commence par un tour de table",
            "00:10:21 Deuxième partie, les outils de billetterie partagés",
        ]

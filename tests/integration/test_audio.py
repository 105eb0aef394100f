"""The ffmpeg integration on real ffmpeg: what an organizer's recording becomes, and what a hostile file cannot do.

Recordings are generated (``audio_samples``) once per module and kept short, so the whole file runs in seconds.
Loudness is checked the way a listener's player would see it: EBU R128 measured on the MP3 that comes out.
"""

from __future__ import annotations

import asyncio
import http.server
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3
from pydub import AudioSegment

from benchmarks.audio_conversion import bench_file
from bot.domain.chapters import Chapter
from bot.integrations.audio import (
    AudioError,
    Conversion,
    Tags,
    convert_to_mp3,
    find_ffmpeg,
    integrated_loudness,
    make_teaser,
    measure_loudness,
    probe,
    write_tags,
)
from tests.integration import audio_samples

TARGET_LUFS = -19.0
CEILING_DBTP = -1.5
SOURCE_TAGS = {"title": "Réunion privée", "comment": "enregistré chez Camille", "location": "+48.8566+002.3522/"}


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audio-samples")


@pytest.fixture(scope="module")
def recordings(samples: Path) -> dict[str, Path]:
    """Speech-like recordings, as members would send them."""
    make = audio_samples.speech_like
    return {
        "quiet.m4a": make(samples / "quiet.m4a", seconds=30, lufs=-30, metadata=SOURCE_TAGS),
        "loud.m4a": make(samples / "loud.m4a", seconds=30, lufs=-12),
        "quiet.wav": make(samples / "quiet.wav", seconds=30, lufs=-30),
        "loud.wav": make(samples / "loud.wav", seconds=30, lufs=-12),
        "peaky.m4a": make(samples / "peaky.m4a", seconds=30, lufs=-28, peaky=4),
        "moov-at-end.m4a": make(samples / "moov-at-end.m4a", seconds=30, lufs=-23, faststart=False),
        "five-minutes.m4a": make(samples / "five-minutes.m4a", seconds=300, lufs=-23, level_swing_db=4),
        "five-minutes.mp3": make(samples / "five-minutes.mp3", seconds=300, lufs=-19),
        "half-minute.mp3": make(samples / "half-minute.mp3", seconds=30, lufs=-19),
    }


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty directory for the output, so a test can check that nothing at all was left behind."""
    directory = tmp_path / "out"
    directory.mkdir()
    return directory


def left_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def source_tags(path: Path) -> str:
    command = [find_ffmpeg()[1], "-v", "error", "-show_entries", "format_tags", "-of", "json", str(path)]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


async def convert(source: Path, target: Path, **options: object) -> Conversion:
    settings: dict[str, object] = {"bitrate_kbps": 64, "loudness_lufs": TARGET_LUFS, "max_duration_seconds": 3600}
    return await convert_to_mp3(source, target, **{**settings, **options})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "level", "bitrate"),
    [
        ("quiet.m4a", -30, 64),
        ("loud.m4a", -12, 64),
        ("quiet.wav", -30, 32),  # a low bitrate: the encoder overshoots more, the limiter holds a lower ceiling
        ("loud.wav", -12, 96),
        ("peaky.m4a", -28, 64),  # crest ≈ 27 dB: the limiter has to work, and the calibration to make up for it
    ],
)
async def test_converts_speech_to_a_normalised_mono_mp3(
    recordings: dict[str, Path], out: Path, name: str, level: float, bitrate: int
) -> None:
    source, target = recordings[name], out / "session.mp3"
    conversion = await convert_to_mp3(
        source, target, bitrate_kbps=bitrate, loudness_lufs=TARGET_LUFS, max_duration_seconds=3600
    )

    info = MP3(target).info
    assert info.channels == 1
    assert info.bitrate == bitrate * 1000
    assert abs(info.length - 30) < 0.5
    assert conversion.duration_seconds == pytest.approx(info.length, abs=0.05)
    assert conversion.size_bytes == target.stat().st_size
    assert conversion.input_loudness_lufs == pytest.approx(level, abs=1)
    loudness, true_peak = await measure_loudness(target)
    assert loudness == pytest.approx(TARGET_LUFS, abs=1), (name, conversion)
    assert true_peak <= CEILING_DBTP, (name, conversion)
    assert left_in(out) == ["session.mp3"]  # no scratch file left


async def test_a_peak_past_full_scale_still_gets_the_limiter(samples: Path, out: Path) -> None:
    """A float recording may go past 0 dBFS, where the 16-bit peak meter stops: a click at +10 dBFS reads as 0
    dBFS, which a -10 dB gain would bring under the limiter's ceiling. The limiter runs anyway."""
    source = audio_samples.past_full_scale(samples / "past-full-scale.wav")

    conversion = await convert(source, out / "session.mp3")

    assert conversion.gain_db < -4  # loud: 0 dBFS plus this gain is under the limiter's ceiling (-3.5 dBFS)
    loudness, true_peak = await measure_loudness(out / "session.mp3")
    assert loudness == pytest.approx(TARGET_LUFS, abs=1) and true_peak <= CEILING_DBTP, (loudness, true_peak)


async def test_long_recording_reports_progress_in_increasing_fractions_up_to_one(
    recordings: dict[str, Path], out: Path
) -> None:
    seen: list[float] = []

    async def on_progress(fraction: float) -> None:
        seen.append(fraction)

    await convert(recordings["five-minutes.m4a"], out / "session.mp3", on_progress=on_progress)

    loudness, true_peak = await measure_loudness(out / "session.mp3")  # measured in two slices, sampled blocks
    assert loudness == pytest.approx(TARGET_LUFS, abs=1) and true_peak <= CEILING_DBTP
    assert len(seen) >= 2
    assert all(0 <= fraction <= 1 for fraction in seen)
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    assert seen[-1] >= 0.99


async def test_input_tags_are_not_copied(recordings: dict[str, Path], out: Path) -> None:
    """A phone recording carries where it was made; the published MP3 must not."""
    source, target = recordings["quiet.m4a"], out / "session.mp3"
    printed = source_tags(source)
    assert "48.8566" in printed and "Camille" in printed  # the source really carries them

    await convert(source, target)

    data = target.read_bytes()
    for secret in ("48.8566", "Camille", "Réunion privée"):
        assert secret.encode() not in data and secret.encode("utf-16-le") not in data
    assert not ID3(target).getall("COMM") and not ID3(target).getall("TIT2")


async def test_moov_at_the_end_converts_whole(recordings: dict[str, Path], out: Path) -> None:
    source = recordings["moov-at-end.m4a"]
    assert audio_samples.atom_order(source)[-1] == "moov"

    conversion = await convert(source, out / "session.mp3")

    assert abs(conversion.duration_seconds - 30) < 0.5


async def test_probe_reads_what_the_file_really_is(recordings: dict[str, Path]) -> None:
    found = await probe(recordings["quiet.m4a"])
    assert found.has_audio and found.format_name.startswith("mov")
    assert found.duration_seconds == pytest.approx(30, abs=0.1)
    assert (await probe(recordings["loud.wav"])).format_name == "wav"


async def test_refuses_a_recording_longer_than_allowed(recordings: dict[str, Path], out: Path) -> None:
    with pytest.raises(AudioError) as refused:
        await convert(recordings["five-minutes.m4a"], out / "session.mp3", max_duration_seconds=240)
    assert refused.value.key == "error.audio.too_long"
    assert refused.value.params == {"minutes": 5, "maximum": 4}
    assert left_in(out) == []


@pytest.fixture(scope="module")
def hostile(samples: Path, recordings: dict[str, Path]) -> dict[str, Path]:
    video_only = samples / "video-only.mp4"
    subprocess.run(
        [find_ffmpeg()[0], "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=5:duration=2",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", str(video_only)],
        check=True,
    )  # fmt: skip
    return {
        "empty.m4a": audio_samples.empty(samples / "empty.m4a"),
        "notes.m4a": audio_samples.text_file(samples / "notes.m4a"),
        "noise.mp3": audio_samples.random_bytes(samples / "noise.mp3"),
        "video-only.mp4": video_only,
        "truncated.m4a": audio_samples.truncated(recordings["five-minutes.m4a"], samples / "truncated.m4a"),
    }


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("empty.m4a", "error.audio.empty"),
        ("notes.m4a", "error.audio.not_media"),
        ("noise.mp3", "error.audio.not_media"),
        ("video-only.mp4", "error.audio.not_media"),
        ("truncated.m4a", "error.audio.truncated"),
    ],
)
async def test_bad_inputs_get_a_clear_error_and_leave_nothing(
    hostile: dict[str, Path], out: Path, name: str, key: str
) -> None:
    with pytest.raises(AudioError) as refused:
        await convert(hostile[name], out / "session.mp3")
    assert refused.value.key == key
    assert left_in(out) == []


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def inner_server() -> Iterator[tuple[int, list[str]]]:
    """A web server "inside the network" that records every request it receives."""
    requests: list[str] = []
    handler = type("Recorder", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], requests
    server.shutdown()
    server.server_close()
    thread.join()


async def test_an_hls_playlist_named_m4a_never_reaches_the_network(
    inner_server: tuple[int, list[str]], tmp_path: Path, out: Path
) -> None:
    port, requests = inner_server
    playlist = audio_samples.hls_playlist(tmp_path / "enregistrement.m4a", port)

    with pytest.raises(AudioError) as refused:
        await probe(playlist)
    assert refused.value.key == "error.audio.not_media"
    with pytest.raises(AudioError) as refused:
        await convert(playlist, out / "session.mp3")
    assert refused.value.key == "error.audio.not_media"
    with pytest.raises(AudioError):
        await measure_loudness(playlist)
    assert requests == []
    assert left_in(out) == []

    # The bait is real: fed the way pydub feeds a file object, an unguarded ffprobe does call the server.
    with playlist.open("rb") as stdin:
        await asyncio.to_thread(
            subprocess.run, [find_ffmpeg()[1], "-v", "quiet", "-i", "cache:pipe:0"], stdin=stdin, timeout=30
        )
    assert requests


def _children() -> list[int]:
    """Processes whose parent is this test process (ffmpeg left running would show up here)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                found.append(int(entry.name))
    return found


async def test_a_cancelled_conversion_stops_ffmpeg_and_leaves_nothing(recordings: dict[str, Path], out: Path) -> None:
    started = asyncio.Event()
    before = set(_children())  # servers other tests started (WordPress, MariaDB) are not ours to judge

    async def on_progress(fraction: float) -> None:
        started.set()

    task = asyncio.create_task(convert(recordings["five-minutes.m4a"], out / "session.mp3", on_progress=on_progress))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert set(_children()) - before == set()
    assert left_in(out) == []


async def test_tags_and_chapters_read_back(recordings: dict[str, Path], tmp_path: Path) -> None:
    mp3 = tmp_path / "session.mp3"
    mp3.write_bytes(recordings["five-minutes.mp3"].read_bytes())
    tags = Tags(
        title="Les « tiers-lieux » culturels",
        artist="Camille Martin",
        album="Fabriques TMNlab",
        date="2027-05-04",
        comment="Fabrique n°12 — atelier, parcours classique.",
    )
    chapters = [
        Chapter(0, "Accueil"),
        Chapter(60, "Tour de table"),
        Chapter(150, "Synthèse"),
        Chapter(400, "Trop tard"),
    ]

    write_tags(mp3, tags, chapters)
    write_tags(mp3, tags, chapters)  # publishing again must not pile up frames

    tag = ID3(mp3)
    assert tag.version == (2, 3, 0)
    assert "TYER" in ID3(mp3, translate=False)  # the date as ID3v2.3 readers expect it
    assert str(tag["TIT2"]) == tags.title
    assert str(tag["TPE1"]) == tags.artist
    assert str(tag["TALB"]) == tags.album
    assert str(tag["TDRC"]) == tags.date
    (comment,) = tag.getall("COMM")
    assert comment.text == [tags.comment]
    (toc,) = tag.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    duration_ms = int(MP3(mp3).info.length * 1000)
    read = {chap.element_id: chap for chap in tag.getall("CHAP")}
    assert [(read[i].start_time, read[i].end_time) for i in toc.child_element_ids] == [
        (0, 60_000),
        (60_000, 150_000),
        (150_000, duration_ms),
    ]
    assert [str(read[i].sub_frames["TIT2"]) for i in toc.child_element_ids] == ["Accueil", "Tour de table", "Synthèse"]
    assert abs(MP3(mp3).info.length - 300) < 0.5  # the audio is untouched


def test_tags_without_chapters_or_empty_fields(recordings: dict[str, Path], tmp_path: Path) -> None:
    mp3 = tmp_path / "session.mp3"
    mp3.write_bytes(recordings["half-minute.mp3"].read_bytes())

    write_tags(mp3, Tags(title="Titre", artist="", album="", date="", comment=""), [])

    tag = ID3(mp3)
    assert str(tag["TIT2"]) == "Titre"
    assert not tag.getall("TPE1") and not tag.getall("COMM") and not tag.getall("CTOC") and not tag.getall("CHAP")


def _loud_edges(source: AudioSegment, teaser_ms: int) -> int:
    """A start (ms) where the source is speaking both at the teaser's first and last 100 ms, so fades show."""
    middle = source[30_000:40_000].dBFS
    for start in range(5_000, len(source) - teaser_ms, 50):
        first, last = source[start : start + 100], source[start + teaser_ms - 100 : start + teaser_ms]
        if first.dBFS > middle - 3 and last.dBFS > middle - 3:
            return start
    raise AssertionError("no loud edges in the sample")


async def test_teaser_is_a_minute_of_mono_audio_with_fades(recordings: dict[str, Path], tmp_path: Path) -> None:
    source_path = recordings["five-minutes.mp3"]
    source = AudioSegment.from_file(source_path, format="mp3")
    start_ms = _loud_edges(source, 60_000)

    teaser = await make_teaser(source_path, tmp_path / "teaser.mp3", start_seconds=start_ms / 1000)

    cut = AudioSegment.from_file(teaser, format="mp3")
    assert cut.channels == 1
    assert abs(len(cut) - 60_000) < 300
    middle = cut[25_000:35_000].dBFS
    assert cut[:100].dBFS < middle - 20
    assert cut[-100:].dBFS < middle - 20
    assert source[start_ms : start_ms + 100].dBFS > middle - 6  # quiet because of the fade, not the source


async def test_teaser_of_a_short_recording_is_the_whole_recording(recordings: dict[str, Path], tmp_path: Path) -> None:
    teaser = await make_teaser(recordings["half-minute.mp3"], tmp_path / "teaser.mp3", bitrate_kbps=48)

    assert abs(MP3(teaser).info.length - 30) < 0.5
    assert MP3(teaser).info.channels == 1
    assert MP3(teaser).info.bitrate == 48_000


def test_find_ffmpeg_gives_executables() -> None:
    ffmpeg, ffprobe = find_ffmpeg()
    assert Path(ffmpeg).name == "ffmpeg" and os.access(ffmpeg, os.X_OK)
    assert Path(ffprobe).name == "ffprobe" and os.access(ffprobe, os.X_OK)


def test_integrated_loudness_gates_like_ebu_r128() -> None:
    assert integrated_loudness([-20.0] * 10) == pytest.approx(-20.0)
    assert integrated_loudness([-20.0] * 10 + [-80.0] * 50) == pytest.approx(-20.0)  # silence: absolute gate
    assert integrated_loudness([-20.0] * 10 + [-35.0] * 10) == pytest.approx(-20.0)  # 15 LU below: relative gate
    assert integrated_loudness([-20.0] * 10 + [-23.0] * 10) == pytest.approx(-21.25, abs=0.05)  # both count
    assert integrated_loudness([]) == -70.0


async def test_the_benchmark_stays_runnable(recordings: dict[str, Path]) -> None:
    """The same code as ``python -m benchmarks.audio_conversion``, once, on a short recording."""
    results = await bench_file(recordings["quiet.wav"], runs=1, with_pydub=True, check=True)

    assert list(results) == ["plain", "pipeline", "pydub"]
    assert all(len(measure.wall) == len(measure.cpu) == 1 for measure in results.values())
    assert all(measure.bot_mb > 0 and measure.ffmpeg_mb > 0 for measure in results.values())
    assert len(results["pipeline"].lag_p99_ms) == 1  # one p99 per run
    assert any(line.startswith("output -19") or line.startswith("output -18") for line in results["pipeline"].detail)

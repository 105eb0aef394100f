"""Test recordings made with ffmpeg's lavfi: speech-like audio at a chosen level, and hostile files.

The speech stand-in is a voiced source (a 135 Hz harmonic series with vibrato and random-looking phases) shaped
into syllables at ≈ 4 Hz, phrases of 4.9 s and 1.4 s pauses: EBU R128 gating, the limiter and the MP3 encoder
see roughly what a voice gives them. Its crest (true peak above integrated loudness) is ≈ 16 dB, like a voice
after Zoom's automatic gain control; ``peaky`` adds rare plosive-like bursts (≈ 23 dB at 2, ≈ 27 dB at 4, the
case FACTS.md warns about). Only ``pattern_seconds`` are computed (aevalsrc evaluates an expression per sample,
≈ 27× real time), then looped; a pattern ends inside a pause, so the loop is seamless.
"""

from __future__ import annotations

import random
import re
import struct
import subprocess
from pathlib import Path

from bot.integrations.audio import find_ffmpeg

SAMPLE_RATE = 32000  # what Zoom records
MATROSKA_DURATION = b"\x44\x89\x88"  # EBML id of the segment's Duration, then "8 bytes follow" (a double, in ms)
PHRASE_SECONDS = 6.3
REFERENCE_LUFS = -10.9  # loudness of the expression below at amplitude 1 (measured with ebur128)

_PHASE = "(2*PI*135*t+9*sin(2*PI*0.5*t)+4*sin(2*PI*2.3*t))"
_VOICE = (
    "(0.6+0.4*sin(2*PI*0.23*t))"  # slow changes of vocal effort
    "*pow(max(0,sin(2*PI*3.9*t+0.8*sin(2*PI*0.37*t))),1.5)"  # syllables
    f"*lt(mod(t,{PHRASE_SECONDS}),4.9)"  # phrases and pauses
    "*(sin(φ)+0.7*sin(2*φ+1.3)+0.5*sin(3*φ+2.1)+0.45*sin(4*φ+0.4)+0.3*sin(5*φ+2.9)+0.2*sin(7*φ+1.1)"
    "+0.12*sin(9*φ+0.3))"
).replace("φ", _PHASE)

_ENCODERS = {
    ".m4a": ["-c:a", "aac", "-b:a", "64k"],
    ".wav": ["-c:a", "pcm_s16le"],
    ".mp3": ["-c:a", "libmp3lame", "-b:a", "64k"],
}


def _ffmpeg(*arguments: str) -> None:
    subprocess.run([find_ffmpeg()[0], "-nostdin", "-hide_banner", "-v", "error", "-y", *arguments], check=True)


def speech_like(
    target: Path,
    *,
    seconds: float,
    lufs: float = -23.0,
    peaky: float = 0.0,
    level_swing_db: float = 0.0,
    pattern_seconds: float = 2 * PHRASE_SECONDS,
    faststart: bool = True,
    metadata: dict[str, str] | None = None,
) -> Path:
    """Mono speech-like audio, container from ``target``'s suffix (.m4a AAC 64k, .wav, .mp3 64k).

    ``lufs`` is reached within about half a LU; loud levels go through a limiter at -1 dBFS, as a loud real
    recording would have. ``level_swing_db`` moves the level slowly (±, period 97 s), like speakers taking
    turns. ``faststart=False`` leaves the M4A index (moov) after the audio, as some recorders do.
    """
    voice = _VOICE
    if peaky:
        # short bursts at the top of one syllable in four or so: plosives, laughs, a hand on the microphone
        voice += f"*(1+{peaky}*gt(sin(2*PI*3.9*t+0.8*sin(2*PI*0.37*t)),0.995)*lt(mod(t,3.15),0.3))"
    if level_swing_db:
        voice += f"*pow(10,{level_swing_db / 20}*sin(2*PI*t/97))"
    pattern = round(pattern_seconds / PHRASE_SECONDS) * PHRASE_SECONDS

    def graph(gain: float, duration: float) -> str:
        return (
            f"aevalsrc=exprs='{10 ** (gain / 20):.6f}*{voice}':s={SAMPLE_RATE}:d={pattern},"
            f"aloop=loop=-1:size={round(pattern * SAMPLE_RATE)},atrim=duration={duration},"
            "alimiter=limit=0.891:level=0:latency=1"
        )

    gain = lufs - REFERENCE_LUFS
    if peaky or lufs > -17:  # bursts and the limiter move the level: aim on a short stretch first (secant)
        slope, previous = (0.5 if lufs > -17 else 1.0), None
        for _ in range(4):
            measured = loudness(graph(gain, min(seconds, 4 * pattern)), lavfi=True)
            if abs(lufs - measured) <= 0.3:
                break
            if previous is not None and gain != previous[0]:
                slope = min(max((measured - previous[1]) / (gain - previous[0]), 0.2), 1.0)
            previous = (gain, measured)
            gain += (lufs - measured) / slope
    tags = [argument for key, value in (metadata or {}).items() for argument in ("-metadata", f"{key}={value}")]
    layout = ["-movflags", "+faststart"] if faststart and target.suffix == ".m4a" else []
    encoder = _ENCODERS[target.suffix]
    _ffmpeg("-f", "lavfi", "-i", graph(gain, seconds), "-ac", "1", *encoder, *tags, *layout, str(target))
    return target


def loudness(source: Path | str, *, lavfi: bool = False) -> float:
    """Integrated loudness of a file (mono mix), or of a lavfi graph, for the generator's own aim."""
    ffmpeg = find_ffmpeg()[0]
    kind = ["-f", "lavfi"] if lavfi else []
    command = [ffmpeg, "-nostdin", "-hide_banner", "-nostats", *kind, "-i", str(source),
               "-af", "aformat=channel_layouts=mono,ebur128=framelog=verbose", "-f", "null", "-"]  # fmt: skip
    printed = subprocess.run(command, capture_output=True, text=True, check=True).stderr
    return float(re.findall(r"^\s*I:\s+(-?[\d.]+) LUFS$", printed, re.MULTILINE)[-1])


def past_full_scale(target: Path) -> Path:
    """A loud float WAV (≈ -13 LUFS) with a 2 ms click at +10 dBFS every second: past what 16 bits can hold."""
    clicks = "3.16*lt(mod(t,1),0.002)*sin(2*PI*1000*t)"
    voice = "0.5*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*3*t))"
    _ffmpeg("-f", "lavfi", "-i", f"aevalsrc='{voice}+{clicks}':s={SAMPLE_RATE}:d=20", "-c:a", "pcm_f32le", str(target))
    return target


def empty(target: Path) -> Path:
    target.write_bytes(b"")
    return target


def text_file(target: Path) -> Path:
    """Plain text under an audio name, as when someone uploads their notes in the wrong field."""
    target.write_text("Compte rendu de la Fabrique : tour de table, puis atelier en sous-groupes.\n" * 40)
    return target


def random_bytes(target: Path, size: int = 200_000, seed: int = 7) -> Path:
    target.write_bytes(random.Random(seed).randbytes(size))
    return target


def truncated(source: Path, target: Path) -> Path:
    """The first half of ``source``: an interrupted download or upload."""
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def hls_playlist(target: Path, port: int) -> Path:
    """An HLS playlist under an audio name whose segment sits on a server inside the network (SSRF bait)."""
    target.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:10.0,\nhttp://127.0.0.1:{port}/segment0.ts\n"
        f"#EXTINF:10.0,\nhttp://127.0.0.1:{port}/segment1.aac\n#EXT-X-ENDLIST\n"
    )
    return target


def atom_order(m4a: Path) -> list[str]:
    """The top-level MP4 boxes in file order, e.g. ``['ftyp', 'moov', 'mdat']``."""
    data, offset, names = m4a.read_bytes(), 0, []
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        names.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        if size < 8:
            break
        offset += size
    return names


def declaring(source: Path, target: Path, seconds: float) -> Path:
    """``source``'s audio in a Matroska file whose header declares ``seconds``: a recording that lies about its
    length, as a crafted upload would (the audio itself is untouched)."""
    _ffmpeg("-i", str(source), "-map", "0:a:0", "-c", "copy", "-f", "matroska", str(target))
    data = target.read_bytes()
    at = data.index(MATROSKA_DURATION) + len(MATROSKA_DURATION)
    target.write_bytes(data[:at] + struct.pack(">d", seconds * 1000) + data[at + 8 :])
    return target


def resampled(source: Path, target: Path, rate: int) -> Path:
    """``source`` at another sample rate, in lossless FLAC (small on disk however high the rate)."""
    _ffmpeg("-i", str(source), "-ar", str(rate), "-c:a", "flac", str(target))
    return target


def format_changing(target: Path, seconds: float = 5) -> Path:
    """MP3 segments at 44.1 and 22.05 kHz back to back: the stream changes format every ``seconds``."""
    parts = []
    for index, rate in enumerate((44100, 22050, 44100)):
        part = target.with_name(f"{target.stem}-{index}.mp3")
        _ffmpeg("-f", "lavfi", "-i", f"sine=f=220:r={rate}:d={seconds}", "-c:a", "libmp3lame", "-b:a", "64k", str(part))
        parts.append(part.read_bytes())
    target.write_bytes(b"".join(parts))
    return target

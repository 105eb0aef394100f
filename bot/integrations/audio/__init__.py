"""ffmpeg behind a small interface: probe a recording, convert it to a speech-normalised MP3, tag it, cut a teaser.

Every recording is hostile until proven otherwise. An HLS playlist renamed ``.m4a`` makes ffmpeg fetch the URLs
it lists, so ffmpeg and ffprobe only ever get an absolute ``file:`` path, a closed stdin, ``-protocol_whitelist``
and a whitelist of plain audio containers (never hls, concat or any playlist); later passes force the demuxer the
probe found. A header may lie about the length or carry a needless sample rate: the limit holds on what is
decoded, and scratch space is bounded from the limit (``scratch_bound_bytes``). Nothing blocks the event loop:
ffmpeg runs as asyncio subprocesses that die with the bot (``_process``), mutagen in threads.
"""

from bot.integrations.audio._bounds import SCRATCH_PREFIX, scratch_bound_bytes
from bot.integrations.audio._conversion import Conversion, Progress, convert_to_mp3
from bot.integrations.audio._loudness import integrated_loudness, measure_loudness
from bot.integrations.audio._probe import Probe, probe
from bot.integrations.audio._process import NICENESS, SAFE_DEMUXERS, AudioError, find_ffmpeg
from bot.integrations.audio._published import Tags, make_teaser, write_tags

__all__ = [
    "NICENESS",
    "SAFE_DEMUXERS",
    "SCRATCH_PREFIX",
    "AudioError",
    "Conversion",
    "Probe",
    "Progress",
    "Tags",
    "convert_to_mp3",
    "find_ffmpeg",
    "integrated_loudness",
    "make_teaser",
    "measure_loudness",
    "probe",
    "scratch_bound_bytes",
    "write_tags",
]

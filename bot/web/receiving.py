"""An upload's body, streamed to disk as it comes: refused as soon as it is too big or does not start like an audio
or video file, cut off when the sender goes quiet, and never more than a couple of megabytes in memory.

Two shapes are accepted: the raw file as the body (what the page's script sends, with its name in
``X-Nom-Fichier``), and a ``multipart/form-data`` form (the same page without JavaScript).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

from aiohttp import BodyPartReader, ClientPayloadError, web

READ_SIZE = 256 * 1024
WRITE_SIZE = 1024 * 1024  # once writes go through a thread: bytes gathered before one write
SLOW_WRITE_SECONDS = 0.02  # a write to the page cache takes microseconds; this long, the kernel is holding it back
IDLE_SECONDS = 120.0  # a sender silent this long has gone (or is holding the link on purpose)
EARLY_BYTES = 2 * 1024 * 1024  # on disk: enough for ffprobe to read most containers' headers
HEAD_SIZE = 16  # enough bytes to recognise a container
NAME_HEADER = "X-Nom-Fichier"
FILE_FIELD = "enregistrement"
NAME_MAX = 200
# MP4/M4A/MOV/3GP start with a box: its type sits at bytes 4-8.
_MP4_BOXES = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_SIGNATURES = (b"ID3", b"OggS", b"fLaC", b"\x1aE\xdf\xa3")  # tagged MP3, Ogg (Opus, Vorbis), FLAC, Matroska/WebM
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class Refused(Exception):
    """The upload cannot be kept: ``status`` and a catalogue ``key`` (with ``params``) for the page."""

    def __init__(self, status: int, key: str, **params: Any) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.params = params


@dataclass
class Received:
    name: str
    size: int = 0
    head: bytes = field(default=b"", repr=False)


def looks_like_media(head: bytes) -> bool:
    """The first bytes of a file any of the converter's demuxers reads (``audio.SAFE_DEMUXERS``), and nothing else:
    a playlist, a web page or a document is refused before the rest of it is even received."""
    if len(head) >= 8 and head[4:8] in _MP4_BOXES:
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return True
    if head.startswith(_SIGNATURES):
        return True
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0  # an MPEG audio or ADTS AAC frame


def clean_name(raw: str) -> str:
    """The file's own name as the organizer's computer gave it, made harmless (it is stored, never a path)."""
    name = unquote(raw).replace("\\", "/").rsplit("/", 1)[-1]  # some browsers send a path: its last part
    name = _CONTROL.sub(" ", name).strip()
    return name[:NAME_MAX] or "enregistrement"


async def receive(
    request: web.Request, target: Path, maximum: int, *, on_early: Callable[[], None] | None = None
) -> Received:
    """Write the uploaded file to ``target``; ``Refused`` (413 too big, 415 not media, 400 empty or cut short)
    otherwise. ``on_early`` is called once the first ``EARLY_BYTES`` are on disk (the caller may start looking at
    the file meanwhile). The caller deletes ``target`` whatever happens."""
    if request.content_type == "multipart/form-data":
        part = await _file_part(request)
        received = Received(clean_name(part.filename or ""))

        async def read() -> bytes:
            return await part.read_chunk(READ_SIZE)
    else:
        received = Received(clean_name(request.headers.get(NAME_HEADER, "")))
        read = request.content.readany
    handle = await asyncio.to_thread(target.open, "wb", buffering=0)
    try:
        await _copy(read, handle, received, maximum, on_early)
    finally:
        await asyncio.to_thread(handle.close)
    if received.size == 0:
        raise Refused(400, "error.audio.empty")
    expected = request.content_length
    if request.content_type != "multipart/form-data" and expected is not None and received.size != expected:
        raise Refused(400, "web.upload.interrupted")
    return received


async def _copy(
    read: Callable[[], Awaitable[bytes]],
    handle: BinaryIO,
    received: Received,
    maximum: int,
    on_early: Callable[[], None] | None,
) -> None:
    loop = asyncio.get_running_loop()
    writer = _Writer(handle)
    try:
        async with asyncio.timeout(IDLE_SECONDS) as idle:
            armed = loop.time()
            while chunk := await read():
                if (now := loop.time()) - armed > 1.0:  # moved on at most once a second: cheap for 256 kB chunks
                    idle.reschedule(now + IDLE_SECONDS)
                    armed = now
                received.size += len(chunk)
                if received.size > maximum:
                    raise Refused(413, "error.download.too_large", maximum=maximum // (1024 * 1024))
                if len(received.head) < HEAD_SIZE:
                    received.head += chunk[: HEAD_SIZE - len(received.head)]
                    if len(received.head) >= HEAD_SIZE and not looks_like_media(received.head):
                        raise Refused(415, "error.audio.not_media")
                await writer.add(chunk)
                if on_early is not None and writer.written >= EARLY_BYTES:
                    on_early()
                    on_early = None
        if received.size and len(received.head) < HEAD_SIZE and not looks_like_media(received.head):
            raise Refused(415, "error.audio.not_media")
        await writer.flush()
    except (ClientPayloadError, ConnectionError, TimeoutError) as cut:
        raise Refused(400, "web.upload.interrupted") from cut
    finally:
        await writer.settle()


class _Writer:
    """To the file as the chunks come. The event loop writes them itself while the disk keeps up (a write into the
    page cache takes microseconds, less than handing it to a thread); after one slow write (the kernel holding a
    busy disk back) a thread takes over, a megabyte at a time with one write in flight, so the loop never waits on
    the disk again. At most two megabytes are held."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._threaded = False
        self._parts: list[bytes] = []
        self._size = 0
        self._writing: asyncio.Future[int] | None = None
        self.written = 0  # bytes the system has: another process reading the file sees them

    async def add(self, chunk: bytes) -> None:
        if not self._threaded:
            started = time.perf_counter()
            self.written += _write_all(self._handle, [chunk])
            self._threaded = time.perf_counter() - started > SLOW_WRITE_SECONDS
            return
        self._parts.append(chunk)
        self._size += len(chunk)
        if self._size >= WRITE_SIZE:
            await self._start()

    async def flush(self) -> None:
        if self._parts:
            await self._start()
        await self._wait()

    async def settle(self) -> None:
        """After a refusal too: the thread is done with the file before the caller closes and deletes it."""
        if self._writing is not None:
            await asyncio.gather(self._writing, return_exceptions=True)
            self._writing = None

    async def _start(self) -> None:
        await self._wait()
        parts, self._parts, self._size = self._parts, [], 0
        self._writing = asyncio.ensure_future(asyncio.to_thread(_write_all, self._handle, parts))

    async def _wait(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            self.written += await writing


def _write_all(handle: BinaryIO, parts: Sequence[bytes]) -> int:
    """Every byte of ``parts`` to an unbuffered file (a write may take only part of what it is given)."""
    total = 0
    for part in parts:
        view = memoryview(part)
        while view:
            done = handle.write(view)
            if not done:
                raise OSError("the disk took nothing")
            view = view[done:]
            total += done
    return total


async def _file_part(request: web.Request) -> BodyPartReader:
    """The form's one field, the file; anything else is refused rather than read."""
    try:
        reader = await request.multipart()
        async with asyncio.timeout(IDLE_SECONDS):
            part = await reader.next()
    except ValueError:  # no boundary, or a body that is not multipart after all
        raise Refused(400, "web.upload.no_file") from None
    if not isinstance(part, BodyPartReader) or part.name != FILE_FIELD or not part.filename:
        raise Refused(400, "web.upload.no_file")
    return part

"""The cover card of an article: a 1200×630 PNG with the title, the date and the format, in the community's colours.

It is the WordPress post's featured image and the picture of the forum post. Drawn with Pillow, in a thread (about
50 ms): the title is wrapped on word boundaries and shrunk until it fits (a word wider than the card is cut), and a
title still too long at the smallest size ends with « … » — never outside the card.

Colours come from ``[article] colours``: the first is the background, the second the text, the third (optional)
the accent (band and format); a text colour too close to the background is replaced by black or white, whichever
reads better. ``[article] logo`` is an optional image drawn in the bottom-right corner; a logo that cannot be read
is left out (and logged), never a reason not to publish.

Fonts: DejaVu Sans from Debian's ``fonts-dejavu-core`` (in the Docker image and scripts/test), else Liberation or
Noto if present, else Pillow's own built-in font.
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

if TYPE_CHECKING:
    from bot.config import ArticleSettings
    from bot.integrations.wordpress import WordPressMedia
    from bot.services.clients import Website

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
BAND = 24  # the accent band along the left edge
TITLE_TOP, TITLE_BOTTOM = 150, 470
TITLE_SIZES = range(84, 39, -4)  # largest first; 40 px is the smallest title
LINE_SPACING = 1.18
KICKER_SIZE, FOOTER_SIZE, BRAND_SIZE = 30, 34, 26
LOGO_BOX = (220, 110)
DEFAULT_COLOURS = ("#1d3557", "#f1faee")
MIN_TEXT_CONTRAST = 4.5
MIN_ACCENT_CONTRAST = 2.0
PNG = "image/png"

FONT_DIRS = ("/usr/share/fonts/truetype", "/usr/share/fonts/opentype", "/usr/local/share/fonts")
FONT_FILES = {
    "bold": ("dejavu/DejaVuSans-Bold.ttf", "liberation/LiberationSans-Bold.ttf", "noto/NotoSans-Bold.ttf"),
    "regular": ("dejavu/DejaVuSans.ttf", "liberation/LiberationSans-Regular.ttf", "noto/NotoSans-Regular.ttf"),
}

# Emoji and joiners: no text font here draws them (they would come out as boxes).
_UNDRAWABLE = re.compile("[\U0001f000-\U0001faff\U0001fc00-\U0010ffff\ufe0e\ufe0f\u200d\u20e3]")
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")

Colour = tuple[int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class CoverText:
    title: str
    date: str  # already formatted in the guild's language and time zone
    format_label: str
    brand: str = ""  # e.g. « Fabriques collectives », above the date


@dataclass(frozen=True)
class CoverStyle:
    colours: tuple[str, ...] = DEFAULT_COLOURS
    logo: Path | None = None

    @classmethod
    def from_settings(cls, article: ArticleSettings) -> CoverStyle:
        return cls(tuple(article.colours), Path(article.logo) if article.logo.strip() else None)


def draw_cover(text: CoverText, style: CoverStyle) -> bytes:
    """The card as PNG bytes. CPU-bound: call it through ``asyncio.to_thread`` (``write_cover`` does)."""
    background, ink, accent = palette(style.colours)
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, BAND - 1, HEIGHT), fill=accent)
    right = WIDTH - MARGIN

    kicker = drawable(text.format_label).upper()
    if kicker:
        font = _font("bold", KICKER_SIZE)
        draw.text((MARGIN, 70), _ellipsised(draw, kicker, font, right - MARGIN), font=font, fill=accent)
        draw.rectangle((MARGIN, 118, MARGIN + 96, 123), fill=accent)

    lines, font, line_height = fit_title(draw, drawable(text.title), right - MARGIN, TITLE_BOTTOM - TITLE_TOP)
    top = TITLE_TOP + (TITLE_BOTTOM - TITLE_TOP - line_height * len(lines)) // 2
    for index, line in enumerate(lines):
        draw.text((MARGIN, top + index * line_height), line, font=font, fill=ink)

    footer_right = right
    logo = _logo(style.logo)
    if logo is not None:
        x, y = right - logo.width, HEIGHT - 60 - logo.height
        image.paste(logo, (x, y), logo)
        footer_right = x - 40
    brand = drawable(text.brand)
    if brand:
        font = _font("bold", BRAND_SIZE)
        draw.text((MARGIN, 500), _ellipsised(draw, brand, font, footer_right - MARGIN), font=font, fill=accent)
    date = drawable(text.date)
    if date:
        font = _font("regular", FOOTER_SIZE)
        draw.text((MARGIN, 540), _ellipsised(draw, date, font, footer_right - MARGIN), font=font, fill=ink)

    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


async def write_cover(path: Path, text: CoverText, style: CoverStyle) -> Path:
    """Draw the card into ``path`` (written whole or not at all), off the event loop."""
    data = await asyncio.to_thread(draw_cover, text, style)
    await asyncio.to_thread(_write_atomically, path, data)
    return path


def cover_slug(fabrique_id: int) -> str:
    """The card's WordPress slug, sent with its upload: ``upload_cover`` finds it again by it."""
    return f"fabrique-{int(fabrique_id)}-couverture"


def cover_path(directory: Path, fabrique_id: int) -> Path:
    """Where a session's card is kept (beside its MP3): the WordPress upload and the forum post read it there."""
    return directory / f"{cover_slug(fabrique_id)}.png"


async def upload_cover(client: Website, path: Path, *, fabrique_id: int, title: str) -> WordPressMedia:
    """The card in the media library, found by its slug before uploading: a retry never makes a second one."""
    slug = cover_slug(fabrique_id)
    found = await client.find_media(slug)
    if found is not None:
        return found
    return await client.upload_media(path, f"{slug}.png", PNG, title=title, slug=slug)


# --- layout -------------------------------------------------------------------------------------------------------


def fit_title(draw: ImageDraw.ImageDraw, title: str, width: int, height: int) -> tuple[list[str], Font, int]:
    """The largest size at which the wrapped title fits the box; at the smallest, the lines that fit, the last one
    ending with « … » if some text was left out."""
    for size in TITLE_SIZES:
        font = _font("bold", size)
        line_height = round(size * LINE_SPACING)
        lines = wrap(draw, title, font, width)
        if len(lines) * line_height <= height:
            return lines, font, line_height
    room = max(1, height // line_height)
    if len(lines) > room:
        lines = [*lines[: room - 1], _ellipsised(draw, lines[room - 1] + " …", font, width, force=True)]
    return lines, font, line_height


def wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> list[str]:
    """Greedy word wrap; a word wider than ``width`` is cut where it must be."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if draw.textlength(candidate, font=font) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while draw.textlength(word, font=font) > width:
            cut = _longest_prefix(draw, word, font, width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def drawable(text: str) -> str:
    """The text with what a text font cannot draw removed: control characters, emoji; spaces collapsed."""
    text = unicodedata.normalize("NFC", text or "")
    text = _UNDRAWABLE.sub("", text)
    text = "".join(char if unicodedata.category(char)[0] != "C" else " " for char in text)
    return " ".join(text.split())


def palette(colours: tuple[str, ...] | list[str]) -> tuple[Colour, Colour, Colour]:
    """Background, text and accent colours, the text always legible on the background."""
    parsed = [rgb(colour) for colour in colours if _HEX.fullmatch(colour.strip())] or [rgb(c) for c in DEFAULT_COLOURS]
    background = parsed[0]
    ink = parsed[1] if len(parsed) > 1 else background
    if contrast(ink, background) < MIN_TEXT_CONTRAST:
        ink = max(((0x11, 0x11, 0x11), (0xFF, 0xFF, 0xFF)), key=lambda candidate: contrast(candidate, background))
    accent = parsed[2] if len(parsed) > 2 else ink
    if contrast(accent, background) < MIN_ACCENT_CONTRAST:
        accent = ink
    return background, ink, accent


def rgb(colour: str) -> Colour:
    digits = colour.strip().lstrip("#")
    if len(digits) == 3:
        digits = "".join(char * 2 for char in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def contrast(first: Colour, second: Colour) -> float:
    """WCAG contrast ratio, 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: Colour) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _ellipsised(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int, *, force: bool = False) -> str:
    if not force and draw.textlength(text, font=font) <= width:
        return text
    text = text.removesuffix(" …").rstrip()
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1].rstrip()
    return text.rstrip(" ,;:–—-") + "…"


def _longest_prefix(draw: ImageDraw.ImageDraw, word: str, font: Font, width: int) -> int:
    cut = len(word)
    while cut > 1 and draw.textlength(word[:cut], font=font) > width:
        cut -= 1
    return cut


@functools.cache
def font_path(weight: str) -> Path | None:
    """The first font of the weight found on this machine, None if there is none (Pillow's font is used)."""
    for name in FONT_FILES[weight]:
        for directory in FONT_DIRS:
            path = Path(directory) / name
            if path.is_file():
                return path
    log.warning("no %s font found in %s: the cover uses Pillow's built-in font", weight, ", ".join(FONT_DIRS))
    return None


@functools.lru_cache(maxsize=64)
def _font(weight: str, size: int) -> Font:
    path = font_path(weight)
    if path is not None:
        try:
            return ImageFont.truetype(str(path), size)
        except OSError:
            log.warning("font %s unreadable: the cover uses Pillow's built-in font", path)
    return ImageFont.load_default(size)


def _logo(path: Path | None) -> Image.Image | None:
    if path is None:
        return None
    try:
        with Image.open(path) as source:
            logo = source.convert("RGBA")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as error:
        log.warning("[article] logo %s left out of the cover: %s", path, type(error).__name__)
        return None
    logo.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    return logo


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    partial.write_bytes(data)
    os.replace(partial, path)

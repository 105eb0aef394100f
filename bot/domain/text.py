"""Member text that leaves the bot: what a one-line title may hold, and how a value becomes an inert export cell.

A title travels far: into e-mail headers, the website, Discord messages, calendar files. Characters a reader cannot
see are how it would lie there, so a title holds none of them:

- control characters (what is left once blanks are collapsed: NUL, ESC, DEL, C1 controls…), which no one types;
- RFC 2047 encoded words (``=?utf-8?b?…?=``): mail software decodes them, a CR LF hidden inside one becomes a new
  header on Pythons without the fix for CVE-2024-6923;
- bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), which reorder what is displayed,
  so that « exe.txt » reads « txt.exe »;
- nothing visible at all: blanks, zero-width characters, Hangul fillers, the Braille blank… look like an empty title.
"""

from __future__ import annotations

import re
import unicodedata

ENCODED_WORD = re.compile(r"=\?.*\?=", re.DOTALL)  # as lenient as mail parsers are: any =?…?= may be decoded
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and symbols that render as nothing, though Unicode does not class them as blanks or format characters.
BLANK_LOOKING = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})  # alone, marks show no glyph either
# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets (OWASP, « CSV Injection »).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def line_problem(text: str) -> str | None:
    """Why ``text`` (blanks already collapsed) cannot be a one-line title, as a catalogue key; None if it can."""
    if any(unicodedata.category(char) == "Cc" for char in text):
        return "error.input.control_characters"
    if any(char in BIDI_CONTROLS for char in text):
        return "error.input.bidi"
    if ENCODED_WORD.search(text):
        return "error.input.encoded_word"
    if text and not any(_visible(char) for char in text):
        return "error.input.invisible"
    return None


def spreadsheet_cell(value: str) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text: a leading ``'`` keeps a would-be formula inert."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _visible(char: str) -> bool:
    return char not in BLANK_LOOKING and unicodedata.category(char) not in INVISIBLE_CATEGORIES


# discord.py's escape_markdown (2.x), restated here so that texts can be written outside the Discord layer: links
# are left whole, every other Markdown sign gets a backslash.
_URL = r"(?P<url><[^: >]+:\/[^ >]+>|(?:https?|steam):\/\/[^\s<]+[^<.,:;\"\'\]\s])"
_MARKDOWN = r"(?P<markdown>[_\\~|\*`]|^>(?:>>)?\s|\[.+\]\(.+\)|^#{1,3}|^\s*-)"
_ESCAPABLE = re.compile(f"(?:{_URL}|{_MARKDOWN})", re.MULTILINE)


def shown(text: str) -> str:
    """Member text as Discord must show it: literally. Escaped, its Markdown cannot make a masked link (a fake Zoom
    link beside the real one), a heading, a spoiler or a quote; mentions are kept silent when the message is sent."""
    return _ESCAPABLE.sub(lambda match: match["url"] or "\\" + match["markdown"], text)

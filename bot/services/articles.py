"""The members-only article of a session, as HTML for WordPress.

In this order: the Fabrique's own presentation (its description, then date, format, parcours, how it was run,
organizers, speaker), the audio, the landmarks, the notes or the 3P report, the resources, and how many took part.

Member text keeps its paragraphs and line breaks, its sections (a « Titre : » line alone, or a line in capitals,
becomes a heading) and gets its bare URLs turned into links by linkify-it (through markdown-it), never by a home
regex. Tags typed by the member are dropped before rendering; the rendered HTML is then sanitised with nh3 (an
allow-list sanitiser): no script, no event handler attribute, no javascript: link survives, whatever WordPress
would do with it.

The audio is WordPress's own ``[audio]`` shortcode, not an ``<audio>`` tag: a shortcode is plain text, which
WordPress's kses filter never touches whatever the publishing account's role, and WordPress renders it as its
player (measured on WordPress 6.1: an author's post loses ``<source>`` and unknown attributes; see
tests/integration/test_article_wordpress.py). A plain link beside it lets members download the MP3.

A series has one article: its presentation once (``compose_series``), then one chapter per documented session
(``compose_chapter``: what a single session's article holds after its presentation, one heading level down).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.domain.chapters import Chapter, landmarks, parse_chapters
from bot.domain.transcripts import clock_time
from bot.services.cover import CoverText

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code", "pre", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"https", "http", "mailto"}
# Bare domains (« tmnlab.com ») become links only with these endings: every two-letter country code would make
# « README.md » or « script.py » a link.
FUZZY_LINK_TLDS = [
    "com", "org", "net", "info", "eu", "io", "fr", "be", "ch", "ca", "lu", "mc", "re", "gp", "mq", "nc", "pf",
]  # fmt: skip
# Member headings sit under the article's own <h2> sections.
HEADING_LEVELS = {"h1": "h3", "h2": "h3", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
SECTION_TITLE_MAX = 80

_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": True}).enable("linkify")
_markdown.linkify.tlds(FUZZY_LINK_TLDS, False)
_BULLET = re.compile(r"^(\s*)[•◦▪‣–](\s+)")
_LIST_OR_BLOCK = re.compile(r"^\s*(?:[-*+>#|]|\d+[.)]\s|```|~~~)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Attendance:
    """What Zoom said about who took part: distinct participants, and their average time in the meeting."""

    participants: int
    average_minutes: float | None = None


@dataclass(frozen=True)
class ArticleContext:
    title: str
    date: str  # already formatted in the guild's language and time zone
    format_label: str
    parcours_label: str
    method: str
    organizers: str  # display names, not ids
    speaker: str
    description: str = ""  # the proposal's description (member text: subject, goals, audience)
    attendance: Attendance | None = None  # when Zoom reported it


@dataclass(frozen=True)
class ArticleLabels:
    """Filled from the catalogue's ``article.<field>`` keys (bot/i18n), in the guild's language."""

    context: str
    date: str
    format: str
    parcours: str
    method: str
    organizers: str
    speaker: str
    notes: str
    report: str
    resources: str
    timestamps: str
    listen: str
    download: str = "Télécharger l'enregistrement (MP3)"
    attendance: str = "Participation"
    participants: str = "participant·es"
    average: str = "de présence en moyenne"
    separator: str = " : "
    cover_brand: str = "Fabrique collective"
    session: str = "Séance"  # a series' chapter: « Séance 2/3 · mardi 4 mai 2027 »
    sessions: str = "Séances"
    rhythm: str = "Rythme"


def sanitise(fragment: str) -> str:
    """Allowed tags only, and no square bracket left as such: WordPress runs any ``[shortcode]`` it finds in a
    post's content (``[audio]`` playing another site's file, ``[embed]``, plugins' own), so every bracket a member
    could have typed is an entity. The bot's own ``[audio]`` (``audio_player``) is the only shortcode left."""
    clean = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return clean.replace("[", "&#91;").replace("]", "&#93;")


def member_html(text: str) -> str:
    """Member text → safe HTML with its paragraphs, line breaks, lists, sections and live links.

    Tags typed by the member are dropped first (with a script's content), so not even their inert text reaches
    the article; the rendered Markdown is then sanitised again.
    """
    stripped = html.unescape(nh3.clean(text or "", tags=set()))
    tokens = _markdown.parse(_with_sections(stripped))
    _adjust(tokens)
    return sanitise(_markdown.renderer.render(tokens, _markdown.options, {}))


def links(*texts: str) -> list[str]:
    """Every web link in the texts (as linkify-it finds them), in order of appearance, once each."""
    found: dict[str, None] = {}
    for text in texts:
        for url in _web_links(text or ""):
            found.setdefault(url, None)
    return list(found)


def compose(
    context: ArticleContext,
    labels: ArticleLabels,
    *,
    notes: str,
    report: str,
    resources: str,
    chat: str | None,
    transcript: str | None,
    audio_url: str | None,
    audio_seconds: float | None = None,
) -> str:
    """The article body (HTML), ready for WordPress; the title is published separately.

    The « Repères » are ``bot.domain.chapters.landmarks(notes, report, transcript, duration_seconds=…)``, the very
    list the MP3's chapters are written from; the chapter lines they came from leave the notes (no list twice).
    """
    facts = [
        (labels.date, context.date),
        (labels.format, context.format_label),
        (labels.parcours, context.parcours_label),
        (labels.method, context.method),
        (labels.organizers, context.organizers),
        (labels.speaker, context.speaker),
    ]
    parts = _presentation(context, labels, facts)
    parts += _session_parts(
        context, labels, notes, report, resources, chat, transcript, audio_url=audio_url, audio_seconds=audio_seconds
    )
    return "\n".join(part for part in parts if part)


def compose_chapter(
    context: ArticleContext,
    labels: ArticleLabels,
    *,
    rank: int,
    size: int,
    notes: str,
    report: str,
    resources: str,
    chat: str | None,
    transcript: str | None,
    audio_url: str | None,
    audio_seconds: float | None = None,
) -> str:
    """One session of a series as a chapter of the series' article: a heading naming it (« Séance 2/3 · date »),
    how it was run, then what ``compose`` gives a single session after its presentation — audio, landmarks, notes
    or report, resources, attendance — one heading level down. The presentation is the series' (``compose_series``),
    said once."""
    e = html.escape
    heading = f"{labels.session} {rank}/{size}" + (f" · {context.date}" if context.date.strip() else "")
    parts = [sanitise(f"<h2>{e(heading)}</h2>")]
    if context.method.strip():
        parts.append(sanitise(f"<p><strong>{e(labels.method)}</strong>{e(labels.separator)}{e(context.method)}</p>"))
    body = _session_parts(
        context, labels, notes, report, resources, chat, transcript, audio_url=audio_url, audio_seconds=audio_seconds
    )
    parts += [one_level_down(part) for part in body]
    return "\n".join(part for part in parts if part)


def compose_series(
    context: ArticleContext, labels: ArticleLabels, *, rhythm: str, size: int, chapters: list[str]
) -> str:
    """The series' one article: its presentation once (what every session shares, its rhythm and how many
    sessions), then the chapters of the sessions documented so far, in the order given (their ranks)."""
    facts = [
        (labels.format, context.format_label),
        (labels.parcours, context.parcours_label),
        (labels.organizers, context.organizers),
        (labels.speaker, context.speaker),
        (labels.rhythm, rhythm),
        (labels.sessions, str(size)),
    ]
    parts = _presentation(context, labels, facts) + list(chapters)
    return "\n".join(part for part in parts if part)


def one_level_down(fragment: str) -> str:
    """The article's own sections become subsections (h2 → h3, h3 → h4) so a chapter sits under its session's
    heading. Only for the bot's sanitised output, where a heading tag is always the bot's (member text has its
    tags dropped before rendering)."""
    for level in ("3", "2"):
        below = str(int(level) + 1)
        fragment = fragment.replace(f"<h{level}>", f"<h{below}>").replace(f"</h{level}>", f"</h{below}>")
    return fragment


def _presentation(context: ArticleContext, labels: ArticleLabels, facts: list[tuple[str, str]]) -> list[str]:
    """« Présentation »: the Fabrique's own description, then the facts that have a value."""
    e = html.escape
    parts = [sanitise(f"<h2>{e(labels.context)}</h2>")]
    if context.description.strip():
        parts.append(member_html(context.description))
    items = [
        f"<li><strong>{e(label)}</strong>{e(labels.separator)}{e(value)}</li>"
        for label, value in facts
        if value and value.strip()
    ]
    if items:
        parts.append(sanitise(f"<ul>{''.join(items)}</ul>"))
    return parts


def _session_parts(
    context: ArticleContext,
    labels: ArticleLabels,
    notes: str,
    report: str,
    resources: str,
    chat: str | None,
    transcript: str | None,
    *,
    audio_url: str | None,
    audio_seconds: float | None,
) -> list[str]:
    """What one session produced: the audio, the landmarks, the report or notes, the resources, the attendance."""
    e = html.escape
    parts = []
    player = audio_player(audio_url, labels) if audio_url else ""
    if player:
        parts.append(player)
    marks = landmarks(notes, report, transcript, duration_seconds=audio_seconds)
    if marks:
        parts.append(landmarks_html(marks, labels))
    if parse_chapters(notes):
        notes = without_landmark_lines(notes)
    elif parse_chapters(report):
        report = without_landmark_lines(report)
    if report.strip():
        parts += [sanitise(f"<h2>{e(labels.report)}</h2>"), member_html(report)]
    if notes.strip():
        parts += [sanitise(f"<h2>{e(labels.notes)}</h2>"), member_html(notes)]
    items = resource_items(resources, chat)
    if items:
        parts.append(sanitise(f"<h2>{e(labels.resources)}</h2><ul>{''.join(items)}</ul>"))
    attendance = attendance_text(context.attendance, labels)
    if attendance:
        parts.append(sanitise(f"<h2>{e(labels.attendance)}</h2><p>{e(attendance)}</p>"))
    return parts


def cover_text(context: ArticleContext, labels: ArticleLabels) -> CoverText:
    """What the cover card says (bot/services/cover.py draws it)."""
    return CoverText(
        title=context.title, date=context.date, format_label=context.format_label, brand=labels.cover_brand
    )


def series_cover_text(context: ArticleContext, labels: ArticleLabels, size: int) -> CoverText:
    """The series' one cover card: its title and how many sessions (« 3 séances ») where a session shows its date."""
    return CoverText(
        title=context.title,
        date=f"{size} {labels.sessions.lower()}",
        format_label=context.format_label,
        brand=labels.cover_brand,
    )


def audio_player(url: str, labels: ArticleLabels) -> str:
    """WordPress's audio shortcode (its player, for any role) and a download link; empty for a URL that is not
    http(s). The URL is WordPress's own media URL; it is still quoted so it cannot close the shortcode or the
    attribute."""
    parsed = urlsplit(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return ""
    safe = quote(url.strip(), safe=":/?#@!$&()*+,;=%~-._")
    return (
        f"<h2>{html.escape(labels.listen, quote=False)}</h2>\n"
        f'[audio src="{safe}" preload="metadata"][/audio]\n'
        f'<p><a href="{html.escape(safe)}" download>{html.escape(labels.download, quote=False)}</a></p>'
    )


def landmarks_html(marks: list[Chapter], labels: ArticleLabels) -> str:
    """One line per landmark, « HH:MM:SS titre », as in the MP3's chapters."""
    items = "".join(
        f"<li><strong>{clock_time(mark.start_seconds)}</strong> {html.escape(mark.title)}</li>" for mark in marks
    )
    return sanitise(f"<h2>{html.escape(labels.timestamps)}</h2><ul>{items}</ul>")


def resource_items(resources: str, chat: str | None) -> list[str]:
    """Each resource line as written (a tag shown as inert text, its URLs live), then the chat's links not
    already there."""
    items: list[str] = []
    seen: set[str] = set()
    for line in (resources or "").splitlines():
        text = re.sub(r"^\s*(?:[-*+•–]\s+)", "", line).strip()
        if not text:
            continue
        tokens = _markdown.parseInline(text)
        _adjust(tokens)
        items.append(f"<li>{_markdown.renderer.render(tokens, _markdown.options, {})}</li>")
        seen.update(_web_links(text))
    for url in links(chat or ""):
        if url not in seen:
            seen.add(url)
            items.append(f'<li><a href="{html.escape(url)}">{html.escape(url)}</a></li>')
    return items


def attendance_text(attendance: Attendance | None, labels: ArticleLabels) -> str:
    if attendance is None or attendance.participants <= 0:
        return ""
    text = f"{attendance.participants} {labels.participants}"
    if attendance.average_minutes:
        hours, minutes = divmod(round(attendance.average_minutes), 60)
        duration = f"{hours} h {minutes:02d}" if hours else f"{minutes} min"
        text += f", {duration} {labels.average}"
    return text


def summary(text: str, limit: int = 600) -> str:
    """Plain-text beginning of the notes or report, for the preview and the forum post."""
    plain = _SPACES.sub(" ", nh3.clean(_markdown.render(text or ""), tags=set())).strip()
    plain = html.unescape(plain)
    return plain if len(plain) <= limit else plain[: limit - 1].rsplit(" ", 1)[0] + "…"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def without_landmark_lines(text: str) -> str:
    """The member text less its chapter lines (shown once, as the landmarks list) and less a section title that
    only introduced them (« Repères : »)."""
    lines = text.splitlines()
    kept = []
    for index, line in enumerate(lines):
        if parse_chapters(line):
            continue
        following = next((rest for rest in lines[index + 1 :] if rest.strip()), "")
        if _section_title(line) and parse_chapters(following):
            continue
        kept.append(line)
    return "\n".join(kept)


# --- member text --------------------------------------------------------------------------------------------------


def _with_sections(text: str) -> str:
    """Typographic bullets become Markdown ones, and a report's section titles become headings: a short line
    ending with a colon alone on its line (« Idées clés : »), or a line in capitals (« PROPOSITIONS »), when
    something follows it. Fenced code is left alone."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    in_fence = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            out.append(line)
            continue
        line = _BULLET.sub(r"\1-\2", line)
        title = _section_title(line)
        if title and any(rest.strip() for rest in lines[index + 1 :]):
            out += ["", f"### {title}", ""]
        else:
            out.append(line)
    return "\n".join(out)


def _section_title(line: str) -> str | None:
    text = line.strip()
    if not text or len(text) > SECTION_TITLE_MAX or _LIST_OR_BLOCK.match(line) or "://" in text:
        return None
    if text.endswith(":") and text.count(":") == 1:
        return text.rstrip(": \u00a0\u202f") or None
    letters = [char for char in text if char.isalpha()]
    if len(letters) >= 4 and all(char.isupper() for char in letters):
        return text
    return None


def _adjust(tokens: list[Token]) -> None:
    """Member headings go under the article's sections; a bare domain linkify found (« www.x.org ») links to
    https, while a URL written with its scheme keeps it."""
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            token.tag = HEADING_LEVELS.get(token.tag, "h4")
        elif token.type == "link_open" and token.markup == "linkify":
            href = str(token.attrGet("href") or "")
            shown = tokens[index + 1].content if index + 1 < len(tokens) else ""
            if href.startswith("http://") and not shown.lower().startswith("http"):
                token.attrSet("href", "https://" + href.removeprefix("http://"))
        if token.children:
            _adjust(token.children)


def _web_links(text: str) -> list[str]:
    found = []
    for match in _markdown.linkify.match(text) or []:
        url = match.url
        if not match.schema and url.startswith("http://"):  # a bare domain: the web is https now
            url = "https://" + url.removeprefix("http://")
        if urlsplit(url).scheme in ("http", "https"):
            found.append(url)
    return found

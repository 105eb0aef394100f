"""The members-only article of a session: context, notes or 3P report, resources, timestamps, the audio.

Everything a member typed is Markdown rendered to HTML and then sanitised with nh3 (an allow-list sanitiser):
no script, no event handler attribute, no javascript: link survives, whatever WordPress would do with it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

import nh3
from markdown_it import MarkdownIt

URL_PATTERN = re.compile(r"https?://[^\s<>\"')\]]+")
VTT_CUE = re.compile(r"^(\d{1,2}:)?(\d{2}):(\d{2})\.\d{3}\s+-->")
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code", "pre", "hr",
    "audio", "source", "figure", "figcaption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "audio": {"controls", "src", "preload"}, "source": {"src", "type"}}
TIMESTAMP_EVERY_SECONDS = 600
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


@dataclass(frozen=True)
class ArticleContext:
    title: str
    date: str  # already formatted in the guild's language and time zone
    format_label: str
    parcours_label: str
    method: str
    organizers: str
    speaker: str


@dataclass(frozen=True)
class ArticleLabels:
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


def sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "http", "mailto"},
        link_rel="noopener noreferrer",
    )


def markdown(text: str) -> str:
    """Member text → safe HTML. Tags typed by the member are dropped first (with a script's content), so not even
    their inert text reaches the article; the rendered Markdown is then sanitised again."""
    stripped = html.unescape(nh3.clean(text, tags=set()))
    return sanitise(_markdown.render(stripped))


def links(*texts: str) -> list[str]:
    """Every http(s) link in the texts, in order of appearance, once each."""
    found: dict[str, None] = {}
    for text in texts:
        for match in URL_PATTERN.findall(text or ""):
            found.setdefault(match.rstrip(".,;:!?"), None)
    return list(found)


def transcript_marks(vtt: str, every_seconds: int = TIMESTAMP_EVERY_SECONDS) -> list[tuple[str, str]]:
    """From a WebVTT transcription, the first words said after every ``every_seconds``: landmarks in the audio."""
    marks: list[tuple[str, str]] = []
    next_mark = 0
    lines = vtt.splitlines()
    for index, line in enumerate(lines):
        match = VTT_CUE.match(line.strip())
        if not match:
            continue
        hours = int((match.group(1) or "0:").rstrip(":"))
        seconds = hours * 3600 + int(match.group(2)) * 60 + int(match.group(3))
        if seconds < next_mark:
            continue
        text = " ".join(candidate.strip() for candidate in lines[index + 1 : index + 3] if candidate.strip())
        if text:
            marks.append((f"{hours:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}", text[:140]))
            next_mark = seconds - seconds % every_seconds + every_seconds
    return marks


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
) -> str:
    """The article body (HTML), ready for WordPress; the title is published separately."""
    e = html.escape
    parts = [f"<h2>{e(labels.context)}</h2>", "<ul>"]
    for label, value in (
        (labels.date, context.date),
        (labels.format, context.format_label),
        (labels.parcours, context.parcours_label),
        (labels.method, context.method),
        (labels.organizers, context.organizers),
        (labels.speaker, context.speaker),
    ):
        if value:
            parts.append(f"<li><strong>{e(label)}</strong> : {e(value)}</li>")
    parts.append("</ul>")
    if audio_url:
        parts.append(f'<h2>{e(labels.listen)}</h2><audio controls preload="none" src="{e(audio_url)}"></audio>')
    if report.strip():
        parts += [f"<h2>{e(labels.report)}</h2>", markdown(report)]
    if notes.strip():
        parts += [f"<h2>{e(labels.notes)}</h2>", markdown(notes)]
    marks = transcript_marks(transcript) if transcript else []
    if marks:
        items = "".join(f"<li><strong>{e(stamp)}</strong> {e(text)}</li>" for stamp, text in marks)
        parts.append(f"<h2>{e(labels.timestamps)}</h2><ul>{items}</ul>")
    resource_links = links(resources, chat or "")
    extra = [line for line in resources.splitlines() if line.strip() and not URL_PATTERN.search(line)]
    if resource_links or extra:
        items = "".join(f'<li><a href="{e(url)}">{e(url)}</a></li>' for url in resource_links)
        items += "".join(f"<li>{e(line.strip())}</li>" for line in extra)
        parts.append(f"<h2>{e(labels.resources)}</h2><ul>{items}</ul>")
    return sanitise("\n".join(parts))


def summary(text: str, limit: int = 600) -> str:
    """Plain-text beginning of the notes or report, for the preview and the forum post."""
    plain = re.sub(r"\s+", " ", nh3.clean(_markdown.render(text or ""), tags=set())).strip()
    plain = html.unescape(plain)
    return plain if len(plain) <= limit else plain[: limit - 1].rsplit(" ", 1)[0] + "…"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")

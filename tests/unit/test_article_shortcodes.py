"""Member text in the article must stay text for WordPress too: WordPress expands every ``[shortcode]`` of a post's
content (its own ``[audio]``, ``[video]``, ``[embed]``, ``[playlist]``, and any plugin's), whatever kses kept. The
article's only shortcode is the bot's own player."""

from __future__ import annotations

import re

from bot.services import articles
from tests.unit.article_builders import compose

HOSTILE = '[audio src="https://intrus.example/faux.mp3"][/audio] [embed]https://intrus.example/page[/embed]'
OURS = "https://site.example/wp-content/uploads/2027/05/Zm9yZ290dGVu.mp3"


def shortcodes(html: str) -> list[str]:
    """The shortcode openings WordPress would expand (``[[x]]`` is its escape: shown as ``[x]``, not run)."""
    return re.findall(r"(?<!\[)\[(audio|embed|video|playlist|gallery)\b", html)


def test_a_shortcode_typed_in_the_notes_is_not_run_by_wordpress() -> None:
    html = compose(notes=f"Idées clés\n{HOSTILE}", audio_url=OURS)
    assert shortcodes(html) == ["audio"]  # the bot's player, and nothing a member typed


def test_a_shortcode_in_the_description_resources_or_transcript_landmarks_is_not_run() -> None:
    context = articles.ArticleContext(
        title="Titre",
        date="mardi 4 mai 2027 à 14:00",
        format_label="Atelier",
        parcours_label="Classique",
        method="Fabrique collective",
        organizers="Alice",
        speaker="",
        description=HOSTILE,
    )
    transcript = f"WEBVTT\n\n1\n00:00:05.000 --> 00:00:09.000\nAlice: {HOSTILE}\n"
    html = compose(context=context, resources=HOSTILE, transcript=transcript)
    assert shortcodes(html) == []

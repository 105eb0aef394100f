"""On a real WordPress: a shortcode a member typed in the notes must reach readers as the text they typed, not as
a player (or an embed, or a plugin's output) WordPress builds from it."""

from __future__ import annotations

import re
import uuid

import httpx

from bot.integrations.wordpress import WordPressClient
from bot.services import articles
from tests.integration.wordpress_server import WordPressSite
from tests.unit.article_builders import CONTEXT, LABELS

INTRUDER = "//intrus.example/faux.mp3"  # no scheme: the linkifier leaves it as text


async def test_a_member_s_audio_shortcode_is_not_rendered_as_a_player(wordpress: WordPressSite) -> None:
    notes = f"Idées clés\n[audio mp3={INTRUDER}][/audio]"
    html = articles.compose(
        CONTEXT, LABELS, notes=notes, report="", resources="", chat=None, transcript=None, audio_url=None
    )
    client = WordPressClient(wordpress.url, wordpress.author_username, wordpress.author_app_password, timeout=30)
    try:
        post = await client.create_post(
            title="Shortcode", content=html, status="private", slug=f"shortcode-{uuid.uuid4().hex[:8]}"
        )
    finally:
        await client.aclose()
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(
            f"{wordpress.url}/",
            params={"rest_route": f"/wp/v2/posts/{post.id}", "context": "edit"},
            auth=(wordpress.admin_username, wordpress.admin_app_password),
        )
    rendered = response.json()["content"]["rendered"]

    # Before the fix: WordPress renders <audio class="wp-audio-shortcode"> playing the intruder's file in the article.
    assert not re.search(r"<audio[^>]*wp-audio-shortcode", rendered), rendered

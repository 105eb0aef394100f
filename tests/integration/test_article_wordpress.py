"""The article on a real WordPress (Debian's 6.1): the audio plays whatever the publishing account's role, the cover
is the featured image, and WordPress's rendering keeps the article's structure."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.integrations.wordpress import WordPressClient
from bot.services import cover
from tests.integration.article_example import publish_article, unique
from tests.integration.audio_samples import speech_like
from tests.integration.wordpress_server import WordPressSite


@pytest.fixture(scope="module")
def mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech_like(tmp_path_factory.mktemp("article") / "fabrique.mp3", seconds=90, lufs=-19)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


def account(wordpress: WordPressSite, who: str) -> WordPressClient:
    if who == "admin":
        return WordPressClient(wordpress.url, wordpress.admin_username, wordpress.admin_app_password, timeout=30)
    return WordPressClient(wordpress.url, wordpress.author_username, wordpress.author_app_password, timeout=30)


async def as_admin(http: httpx.AsyncClient, wordpress: WordPressSite, route: str, **params: str) -> dict:
    response = await http.get(
        f"{wordpress.url}/",
        params={"rest_route": f"/wp/v2/{route}", **params},
        auth=(wordpress.admin_username, wordpress.admin_app_password),
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("who", ["author", "admin"])
async def test_the_audio_plays_whatever_the_publishing_account_s_role(
    wordpress: WordPressSite, http: httpx.AsyncClient, mp3: Path, tmp_path: Path, who: str
) -> None:
    client = account(wordpress, who)
    try:
        article = await publish_article(client, wordpress.url, mp3, tmp_path)
    finally:
        await client.aclose()

    post = await as_admin(http, wordpress, f"posts/{article.post.id}", context="edit")
    raw, rendered = post["content"]["raw"], post["content"]["rendered"]
    # Stored as sent, for an author too: the shortcode is text, which kses never touches.
    assert raw == article.html
    url = article.audio.url
    assert f'[audio src="{url}" preload="metadata"][/audio]' in raw
    # Rendered by WordPress as its own player on the MP3...
    player = re.search(r"<audio class=\"wp-audio-shortcode\"[^>]*>(.*?)</audio>", rendered, re.DOTALL)
    assert player is not None, rendered
    assert 'preload="metadata"' in player.group(0) and 'controls="controls"' in player.group(0)
    assert f'<source type="audio/mpeg" src="{url}?_=1" />' in player.group(1)
    # ... and members can download it.
    assert f'<a href="{url}" download>' in rendered
    served = await http.get(url)
    assert served.status_code == 200 and served.headers["content-type"].startswith("audio/mpeg")
    assert served.content == await asyncio.to_thread(mp3.read_bytes)


async def test_an_author_s_audio_tag_loses_its_source_which_is_why_the_article_uses_the_shortcode(
    wordpress: WordPressSite, http: httpx.AsyncClient
) -> None:
    """Measured on Debian's WordPress 6.1: kses keeps <audio src> for an author but drops <source> and every
    attribute it does not list; another site's kses (or a plugin) may drop more. A shortcode is text."""
    tag = '<audio controls preload="metadata"><source src="https://example.org/a.mp3" type="audio/mpeg"></audio>'
    author = account(wordpress, "author")
    admin = account(wordpress, "admin")
    try:
        by_author = await author.create_post(title="Audio", content=tag, status="private", slug=unique("audio"))
        by_admin = await admin.create_post(title="Audio", content=tag, status="private", slug=unique("audio"))
    finally:
        await author.aclose()
        await admin.aclose()

    assert (await as_admin(http, wordpress, f"posts/{by_admin.id}", context="edit"))["content"]["raw"] == tag
    kept_for_author = (await as_admin(http, wordpress, f"posts/{by_author.id}", context="edit"))["content"]["raw"]
    assert "<source" not in kept_for_author and "a.mp3" not in kept_for_author


async def test_the_cover_is_the_featured_image_attached_to_the_post_and_uploaded_once(
    wordpress: WordPressSite, http: httpx.AsyncClient, mp3: Path, tmp_path: Path
) -> None:
    client = account(wordpress, "author")
    try:
        article = await publish_article(client, wordpress.url, mp3, tmp_path)
        again = await cover.upload_cover(client, tmp_path / "absent.png", fabrique_id=article.fabrique_id, title="x")
    finally:
        await client.aclose()

    post = await as_admin(http, wordpress, f"posts/{article.post.id}", context="edit")
    assert post["featured_media"] == article.cover.id
    media = await as_admin(http, wordpress, f"media/{article.cover.id}", context="edit")
    assert media["mime_type"] == "image/png" and media["post"] == article.post.id
    assert (media["media_details"]["width"], media["media_details"]["height"]) == (1200, 630)
    assert media["slug"] == cover.cover_slug(article.fabrique_id)
    assert again == article.cover  # found by its slug: a retry uploads nothing
    audio = await as_admin(http, wordpress, f"media/{article.audio.id}", context="edit")
    assert audio["post"] == article.post.id


async def test_wordpress_s_rendering_keeps_the_article_s_paragraphs_line_breaks_and_links(
    wordpress: WordPressSite, http: httpx.AsyncClient, mp3: Path, tmp_path: Path
) -> None:
    client = account(wordpress, "author")
    try:
        article = await publish_article(client, wordpress.url, mp3, tmp_path)
    finally:
        await client.aclose()

    rendered = (await as_admin(http, wordpress, f"posts/{article.post.id}"))["content"]["rendered"]
    assert "<p>Les lieux de spectacle vivant partagent-ils leurs outils de billetterie ?<br />" in rendered
    assert "<br />\n<br />" not in rendered and "<p></p>" not in rendered  # no doubled breaks from wpautop
    hrefs = re.findall(r'<a href="([^"]+)"', rendered)
    assert f"{wordpress.url}/?p=1" in hrefs  # a bare URL in the notes
    assert "https://www.tmnlab.com/tableau-billetteries" in hrefs  # from the chat
    assert article.audio.url in hrefs
    items = re.findall(r"<li><strong>(\d\d:\d\d:\d\d)</strong> (.*?)</li>", rendered)
    assert items == [(f"00:{c.start_seconds // 60:02d}:{c.start_seconds % 60:02d}", c.title) for c in article.landmarks]


async def test_the_3p_path_reads_as_a_report_with_the_same_presentation_and_cover(
    wordpress: WordPressSite, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    client = account(wordpress, "author")
    try:
        article = await publish_article(client, wordpress.url, None, tmp_path, express=True)
    finally:
        await client.aclose()

    post = await as_admin(http, wordpress, f"posts/{article.post.id}")
    rendered = post["content"]["rendered"]
    assert re.findall(r"<h2>(.*?)</h2>", rendered) == ["Présentation", "Compte-rendu", "Ressources", "Participation"]
    assert "<p>Les lieux de spectacle vivant partagent-ils leurs outils de billetterie ?<br />" in rendered
    assert "Express (atelier 3P prêt à produire)" in rendered
    report = rendered.split("<h2>Compte-rendu</h2>")[1].split("<h2>")[0]
    assert re.findall(r"<h3>(.*?)</h3>", report) == ["Problème partagé", "PROPOSITIONS", "Prochaines étapes"]
    assert "<ol>" in report and "<li>réunir les lieux volontaires en juin</li>" in report
    assert f'<a href="{wordpress.url}/?page_id=2"' in report
    assert "[audio" not in rendered and "<audio" not in rendered  # no recording on this path
    assert post["featured_media"] == article.cover.id

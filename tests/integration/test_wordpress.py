"""The WordPress client against a real WordPress (Debian's package on MariaDB, served by php -S on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import uuid
from base64 import b64encode
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from bot.integrations.wordpress import (
    AUTH,
    REJECTED,
    UNAVAILABLE,
    WordPressClient,
    WordPressError,
    WordPressMedia,
)
from tests.integration.wordpress_server import WordPressSite, free_port

MP3 = "audio/mpeg"


def unique(prefix: str) -> str:
    """Slugs of their own, so tests sharing the session's WordPress never see each other's articles."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def mp3_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audio") / "sine.mp3"
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=3",
            "-ac",
            "1",
            "-b:a",
            "64k",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path


@pytest.fixture
async def admin(wordpress: WordPressSite) -> AsyncIterator[WordPressClient]:
    client = WordPressClient(wordpress.url, wordpress.admin_username, wordpress.admin_app_password, timeout=30)
    yield client
    await client.aclose()


@pytest.fixture
async def author(wordpress: WordPressSite) -> AsyncIterator[WordPressClient]:
    client = WordPressClient(wordpress.url, wordpress.author_username, wordpress.author_app_password, timeout=30)
    yield client
    await client.aclose()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """Plain HTTP, to look at the site the way a visitor (or an admin's raw request) does."""
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


async def rest_get(
    http: httpx.AsyncClient, wordpress: WordPressSite, route: str, *, as_admin: bool = True, **params: str
) -> httpx.Response:
    """A REST read, as the administrator or as an anonymous visitor."""
    auth = httpx.BasicAuth(wordpress.admin_username, wordpress.admin_app_password) if as_admin else None
    return await http.get(f"{wordpress.url}/", params={"rest_route": f"/wp/v2/{route}", **params}, auth=auth)


async def raw_content(http: httpx.AsyncClient, wordpress: WordPressSite, post_id: int) -> str:
    """The content as stored, before any rendering filter."""
    response = await rest_get(http, wordpress, f"posts/{post_id}", context="edit")
    assert response.status_code == 200
    return response.json()["content"]["raw"]


async def upload(client: WordPressClient, path: Path, slug: str) -> WordPressMedia:
    return await client.upload_media(path, "Fabrique n°12 — enregistrement.mp3", MP3, title="Enregistrement", slug=slug)


# -- media -------------------------------------------------------------------------------------------------------


async def test_an_uploaded_recording_is_found_by_its_slug_and_served_whole(
    admin: WordPressClient, http: httpx.AsyncClient, mp3_file: Path
) -> None:
    slug = unique("enregistrement")
    assert await admin.find_media(slug) is None

    media = await upload(admin, mp3_file, slug)

    assert await admin.find_media(slug) == media
    assert media.url.endswith(".mp3")
    served = await http.get(media.url)
    assert served.status_code == 200
    assert served.content == await asyncio.to_thread(mp3_file.read_bytes)


class RecordingTransport(httpx.AsyncHTTPTransport):
    """The real transport, remembering the requests it sent."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await super().handle_async_request(request)


async def test_the_upload_is_streamed_from_disk_with_its_length(wordpress: WordPressSite, mp3_file: Path) -> None:
    transport = RecordingTransport()
    client = WordPressClient(wordpress.url, wordpress.admin_username, wordpress.admin_app_password, transport=transport)
    try:
        media = await upload(client, mp3_file, unique("flux"))
    finally:
        await client.aclose()

    sent = transport.requests[0]
    assert sent.method == "POST"
    assert sent.headers["Content-Length"] == str((await asyncio.to_thread(mp3_file.stat)).st_size)
    assert "Transfer-Encoding" not in sent.headers
    # An async iterator over the file, not bytes read up front.
    assert isinstance(sent.stream, httpx.AsyncByteStream)
    assert not isinstance(sent.stream, httpx.ByteStream)
    assert media.id > 0


async def test_the_media_title_and_slug_are_set_by_the_upload_itself(
    wordpress: WordPressSite, admin: WordPressClient, http: httpx.AsyncClient, mp3_file: Path
) -> None:
    slug = unique("enregistrement")
    media = await upload(admin, mp3_file, slug)

    response = await rest_get(http, wordpress, f"media/{media.id}", context="edit")
    assert response.status_code == 200
    stored = response.json()
    assert stored["slug"] == slug
    assert stored["title"]["raw"] == "Enregistrement"
    assert stored["mime_type"] == MP3


@pytest.mark.parametrize(
    ("filename", "mime_type", "data"),
    [
        pytest.param("programme.exe", "application/x-msdownload", b"MZ" + bytes(1000), id="refused-file-type"),
        pytest.param("vide.mp3", MP3, b"", id="empty-file"),
    ],
)
async def test_an_upload_wordpress_refuses_is_rejected_not_retried_and_creates_nothing(
    admin: WordPressClient, tmp_path: Path, filename: str, mime_type: str, data: bytes
) -> None:
    path = tmp_path / filename
    path.write_bytes(data)
    slug = unique("refuse")

    with pytest.raises(WordPressError) as caught:
        await admin.upload_media(path, filename, mime_type, title="Refusé", slug=slug)

    assert caught.value.key == REJECTED
    assert caught.value.retryable is False
    assert await admin.find_media(slug) is None


# -- posts -------------------------------------------------------------------------------------------------------


async def test_a_private_article_is_hidden_from_visitors_and_found_again_instead_of_duplicated(
    wordpress: WordPressSite, admin: WordPressClient, http: httpx.AsyncClient, mp3_file: Path
) -> None:
    media = await upload(admin, mp3_file, unique("enregistrement"))
    slug = unique("fabrique-12-article")
    content = f'<h2>Notes</h2><p>Idées clés</p><audio controls src="{media.url}"></audio>'
    category = wordpress.categories["Fabriques collectives"]

    async def publish_once() -> int:
        # What the publishing service does on every attempt.
        existing = await admin.find_post(slug)
        if existing is not None:
            return existing.id
        created = await admin.create_post(
            title="Fabrique n°12", content=content, status="private", slug=slug, categories=[category]
        )
        assert created.status == "private"
        return created.id

    first = await publish_once()
    second = await publish_once()

    assert second == first
    found = await admin.find_post(slug)
    assert found is not None
    assert (found.id, found.status) == (first, "private")
    assert found.link.startswith(wordpress.url)

    anonymous = await rest_get(http, wordpress, f"posts/{first}", as_admin=False)
    assert anonymous.status_code in (401, 403, 404)
    assert "Idées clés" not in anonymous.text

    listed = await rest_get(
        http, wordpress, "posts", slug=slug, status="publish,private,draft,pending,future", context="edit"
    )
    assert listed.status_code == 200
    assert [post["id"] for post in listed.json()] == [first]
    assert listed.json()[0]["categories"] == [category]
    assert media.url in listed.json()[0]["content"]["raw"]


async def test_find_post_sees_drafts_and_pending_articles_too(admin: WordPressClient) -> None:
    for status in ("draft", "pending"):
        slug = unique(f"article-{status}")
        created = await admin.create_post(title="Brouillon", content="<p>…</p>", status=status, slug=slug)
        assert await admin.find_post(slug) == created
    assert await admin.find_post(unique("absent")) is None


async def test_update_post_changes_the_content(
    wordpress: WordPressSite, admin: WordPressClient, http: httpx.AsyncClient
) -> None:
    post = await admin.create_post(
        title="Avant", content="<p>Première version</p>", status="private", slug=unique("maj")
    )

    updated = await admin.update_post(post.id, content="<p>Version corrigée</p>", title="Après")

    assert updated.id == post.id
    assert updated.status == "private"
    assert await raw_content(http, wordpress, post.id) == "<p>Version corrigée</p>"


async def test_an_invalid_request_is_rejected_not_retried(admin: WordPressClient) -> None:
    with pytest.raises(WordPressError) as invalid_status:
        await admin.create_post(title="x", content="x", status="n-importe-quoi", slug=unique("invalide"))
    with pytest.raises(WordPressError) as missing_post:
        await admin.update_post(999_999, content="x")

    for caught in (invalid_status, missing_post):
        assert caught.value.key == REJECTED
        assert caught.value.retryable is False
    assert missing_post.value.status == 404


# -- categories --------------------------------------------------------------------------------------------------


async def test_category_id_finds_an_existing_category_by_name_or_slug_and_never_creates_one(
    wordpress: WordPressSite, admin: WordPressClient
) -> None:
    expected = wordpress.categories["Fabriques collectives"]

    assert await admin.category_id("Fabriques collectives") == expected
    assert await admin.category_id("fabriques collectives") == expected
    assert await admin.category_id("fabriques-collectives") == expected
    assert await admin.category_id("Fabriques") is None  # a partial match is not the category
    assert await admin.category_id("Catégorie inconnue") is None


# -- failures ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["wrong-password", "unknown-user"])
async def test_wrong_credentials_are_an_auth_error_and_are_never_logged(
    wordpress: WordPressSite, mp3_file: Path, caplog: pytest.LogCaptureFixture, who: str
) -> None:
    caplog.set_level(logging.DEBUG)
    if who == "wrong-password":
        username, password = wordpress.admin_username, "abcd efgh ijkl mnop qrst uvwx"
    else:
        username, password = "personne", wordpress.admin_app_password
    client = WordPressClient(wordpress.url, username, password, timeout=30)
    # WordPress treats such a request as anonymous: some routes answer 401, looking for a private article a 400.
    attempts: dict[str, Callable[[], Awaitable[object]]] = {
        "find_post": lambda: client.find_post("peu-importe"),
        "find_media": lambda: client.find_media("peu-importe"),
        "create_post": lambda: client.create_post(title="x", content="x", status="private", slug=unique("x")),
        "upload_media": lambda: upload(client, mp3_file, unique("refuse")),
    }
    try:
        for name, attempt in attempts.items():
            with pytest.raises(WordPressError) as caught:
                await attempt()
            assert (name, caught.value.key, caught.value.retryable) == (name, AUTH, False)
            assert password not in str(caught.value)
    finally:
        await client.aclose()

    assert password not in caplog.text
    assert b64encode(f"{username}:{password}".encode()).decode() not in caplog.text


async def test_an_author_cannot_do_what_needs_an_editor(author: WordPressClient) -> None:
    with pytest.raises(WordPressError) as caught:
        await author.update_post(1, content="<p>Le billet d'exemple d'un autre</p>")  # created by wp_install
    assert caught.value.key == AUTH
    assert caught.value.status == 403


async def test_an_unreachable_site_is_unavailable_and_retryable() -> None:
    client = WordPressClient(f"http://127.0.0.1:{free_port()}", "fabrique", "abcd efgh ijkl mnop", timeout=5)
    try:
        with pytest.raises(WordPressError) as caught:
            await client.find_post("peu-importe")
    finally:
        await client.aclose()
    assert caught.value.key == UNAVAILABLE
    assert caught.value.retryable is True
    assert caught.value.status is None


# -- what WordPress itself does to the HTML (the bot sanitises first; this is the second line) ---------------------


async def test_wordpress_strips_script_from_an_authors_post_but_not_from_an_admins(
    wordpress: WordPressSite, admin: WordPressClient, author: WordPressClient, http: httpx.AsyncClient
) -> None:
    content = '<p>Bonjour</p><script>alert("x")</script><p>Fin</p>'

    by_author = await author.create_post(title="Notes", content=content, status="private", slug=unique("auteur"))
    by_admin = await admin.create_post(title="Notes", content=content, status="private", slug=unique("admin"))

    stored = await raw_content(http, wordpress, by_author.id)
    assert "<script" not in stored
    assert "<p>Bonjour</p>" in stored
    assert "<p>Fin</p>" in stored
    # An administrator has unfiltered_html: whatever the bot sends as admin is stored as is.
    assert "<script>" in await raw_content(http, wordpress, by_admin.id)


# -- titles are text: whatever the account may post, a title never becomes HTML ------------------------------------

HOSTILE_TITLE = "Atelier <img src=x onerror=alert(1)><script>alert(1)</script> & « co »"


def assert_title_is_text(title: dict[str, str]) -> None:
    """No tag in what WordPress shows (``rendered``) nor in what it stores (``raw``): only escaped entities."""
    for version in ("rendered", "raw"):
        assert "<" not in title[version] and ">" not in title[version], (version, title)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in title["rendered"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in title["rendered"]


async def test_a_post_title_is_stored_as_text_even_by_an_administrator(
    wordpress: WordPressSite, admin: WordPressClient, http: httpx.AsyncClient
) -> None:
    created = await admin.create_post(title=HOSTILE_TITLE, content="<p>…</p>", status="publish", slug=unique("titre"))
    stored = (await rest_get(http, wordpress, f"posts/{created.id}", context="edit")).json()
    assert_title_is_text(stored["title"])
    public = (await rest_get(http, wordpress, f"posts/{created.id}", as_admin=False)).json()
    assert_title_is_text({"rendered": public["title"]["rendered"], "raw": public["title"]["rendered"]})

    await admin.update_post(created.id, title=f"Annulée — {HOSTILE_TITLE}", content="<p>…</p>")
    updated = (await rest_get(http, wordpress, f"posts/{created.id}", context="edit")).json()
    assert_title_is_text(updated["title"])
    assert updated["title"]["raw"].startswith("Annulée — Atelier &lt;img")


async def test_a_media_title_is_stored_as_text_even_by_an_administrator(
    wordpress: WordPressSite, admin: WordPressClient, http: httpx.AsyncClient, mp3_file: Path
) -> None:
    media = await admin.upload_media(mp3_file, "enregistrement.mp3", MP3, title=HOSTILE_TITLE, slug=unique("titre"))

    stored = (await rest_get(http, wordpress, f"media/{media.id}", context="edit")).json()
    assert_title_is_text(stored["title"])

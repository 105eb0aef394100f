"""Done when a member reads and listens to the article in a real browser.

The article is published on the test WordPress as an *author* (the role whose HTML WordPress filters) with the
default status, ``private``; a *member* — the test site's role « membre », which may read private posts and
nothing else — logs in through wp-login.php with a password, and headless Chromium opens the post as WordPress's
default theme (Twenty Twenty-Three) serves it. It checks the presentation, the player loading the MP3, the
landmarks, the links, the cover as featured image, and saves a screenshot.

``FABRIQUE_UPDATE_SCREENSHOTS=1`` also copies the screenshot to docs/article-example.png (shown in the README).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from bot.domain.transcripts import clock_time
from bot.integrations.wordpress import WordPressClient
from tests.integration.article_example import CHAT, DESCRIPTION, SECONDS, TITLE, PublishedArticle, publish_article
from tests.integration.audio_samples import speech_like
from tests.integration.browser import chromium, wait_for
from tests.integration.wordpress_server import WORDPRESS_DIR, WordPressSite

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "article-example.png"
THEME = WORDPRESS_DIR / "wp-content" / "themes" / "twentytwentythree"
CONTENT = ".wp-block-post-content"


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    return speech_like(tmp_path / "fabrique.mp3", seconds=SECONDS, lufs=-19)


async def test_a_member_reads_and_listens_to_the_article_in_a_browser(
    wordpress: WordPressSite, mp3: Path, tmp_path: Path
) -> None:
    assert THEME.is_dir(), "apt-get install wordpress-theme-twentytwentythree (scripts/test does it)"
    author = WordPressClient(wordpress.url, wordpress.author_username, wordpress.author_app_password, timeout=30)
    try:
        article = await publish_article(author, wordpress.url, mp3, tmp_path)
    finally:
        await author.aclose()
    assert article.post.status == "private"

    screenshot = tmp_path / "article.png"
    await asyncio.to_thread(read_as_a_member, wordpress, article, screenshot)

    with Image.open(screenshot) as image:
        assert image.format == "PNG" and image.width == 1280 and image.height > 1200
    if os.environ.get("FABRIQUE_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(screenshot, SCREENSHOT)
    assert SCREENSHOT.is_file(), "docs/article-example.png is shown in the README: commit it"


def read_as_a_member(wordpress: WordPressSite, article: PublishedArticle, screenshot: Path) -> None:
    with chromium() as browser:
        # Nobody logged in: the private article is not there.
        browser.get(article.post.link)
        assert DESCRIPTION.splitlines()[0] not in browser.find_element(By.TAG_NAME, "body").text

        log_in(browser, wordpress)
        browser.get(article.post.link)
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, CONTENT), what="the article's content")

        check_presentation(browser)
        check_player(browser, article)
        check_landmarks(browser, article)
        check_links(browser, wordpress, article)
        check_cover(browser, article)

        # From the top of the page to the end of the article (the theme's comment form left out).
        height = browser.execute_script(
            "const box = document.querySelector('.wp-block-post-content').getBoundingClientRect();"
            "return Math.ceil(box.bottom + window.scrollY + 48 + window.outerHeight - window.innerHeight);"
        )
        browser.set_window_size(1280, min(int(height), 6000))
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(screenshot))


def log_in(browser: WebDriver, wordpress: WordPressSite) -> None:
    browser.get(f"{wordpress.url}/wp-login.php")
    browser.find_element(By.ID, "user_login").send_keys(wordpress.member_username)
    browser.find_element(By.ID, "user_pass").send_keys(wordpress.member_password)
    browser.find_element(By.ID, "wp-submit").click()
    wait_for(
        lambda: any(cookie["name"].startswith("wordpress_logged_in_") for cookie in browser.get_cookies()),
        what="the login cookie",
    )


def check_presentation(browser: WebDriver) -> None:
    title = browser.find_element(By.CSS_SELECTOR, "h1.wp-block-post-title").text
    assert TITLE in title, title
    text = browser.find_element(By.CSS_SELECTOR, CONTENT).text
    assert text.startswith("Présentation\nLes lieux de spectacle vivant partagent-ils leurs outils de billetterie ?\n")
    for shown in (
        "Public : équipes d’administration, de billetterie et de médiation.",  # WordPress curls the apostrophe
        "Date : mardi 4 mai 2027 à 14:00",
        "Format : Atelier",
        "Parcours : Classique (quelques jours de préparation)",
        "Organisation : Alice Martin, Bob Durand",
        "Intervenant·e : Camille Dupont (La Coopérative de billetterie)",
        "23 participant·es, 52 min de présence en moyenne",
    ):
        assert shown in text, shown
    # The article's own order: presentation, audio, landmarks, notes, resources, attendance.
    sections = [h2.text for h2 in browser.find_elements(By.CSS_SELECTOR, f"{CONTENT} h2")]
    assert sections == [
        "Présentation",
        "Écouter",
        "Repères dans l’enregistrement",
        "Notes",
        "Ressources",
        "Participation",
    ]


def check_player(browser: WebDriver, article: PublishedArticle) -> None:
    """WordPress's player (MediaElement.js around the <audio> element) loads the MP3: metadata, then duration."""
    assert browser.find_elements(By.CSS_SELECTOR, f"{CONTENT} .mejs-container, {CONTENT} audio.wp-audio-shortcode")
    state = wait_for(
        lambda: browser.execute_script(
            """
            const audio = document.querySelector('.wp-block-post-content audio');
            if (!audio) return null;
            if (audio.readyState === 0 && audio.networkState !== 2) audio.load();
            if (audio.error) return {error: audio.error.code};
            return audio.readyState >= 1 && audio.duration > 0
                ? {readyState: audio.readyState, duration: audio.duration, src: audio.currentSrc}
                : null;
            """
        ),
        timeout=30,
        what="the audio element's metadata",
    )
    assert "error" not in state, state
    assert state["readyState"] >= 1
    assert abs(state["duration"] - SECONDS) < 1.5, state
    assert state["src"].split("?")[0] == article.audio.url


def check_landmarks(browser: WebDriver, article: PublishedArticle) -> None:
    lines = browser.execute_script(
        """
        const heading = [...document.querySelectorAll('.wp-block-post-content h2')]
            .find(h => h.textContent.startsWith('Repères'));
        const list = heading && heading.nextElementSibling;
        return list && list.tagName === 'UL' ? [...list.querySelectorAll('li')].map(li => li.innerText) : null;
        """
    )
    assert lines == [f"{clock_time(mark.start_seconds)} {mark.title}" for mark in article.landmarks]
    assert len(lines) == 3
    notes = browser.execute_script(
        """
        const heading = [...document.querySelectorAll('.wp-block-post-content h2')]
            .find(h => h.textContent === 'Notes');
        let text = '', node = heading.nextElementSibling;
        while (node && node.tagName !== 'H2') { text += node.innerText + '\\n'; node = node.nextElementSibling; }
        return text;
        """
    )
    assert "mutualiser les outils entre lieux voisins" in notes
    assert "00:00:05" not in notes  # the landmarks are one list, shown once


def check_links(browser: WebDriver, wordpress: WordPressSite, article: PublishedArticle) -> None:
    # The article's own links: the player's controls (MediaElement.js's javascript:void(0) buttons) aside.
    hrefs = browser.execute_script(
        """
        return [...document.querySelectorAll('.wp-block-post-content a[href]')]
            .filter(a => !a.closest('.mejs-container')).map(a => a.href);
        """
    )
    expected = {
        f"{wordpress.url}/?p=1",  # a bare URL typed in the notes
        "https://www.tmnlab.com/charte-billetterie",
        f"{wordpress.url}/?page_id=2",  # in the resources
        CHAT.rsplit(" ", 1)[-1],  # found in the Zoom chat
        article.audio.url,  # the download link
    }
    assert expected <= set(hrefs), hrefs
    assert all(urlsplit(href).scheme in ("http", "https") for href in hrefs), hrefs
    download = browser.find_element(By.CSS_SELECTOR, f"{CONTENT} a[download]")
    assert download.get_attribute("href") == article.audio.url
    # The links to this site answer, in the member's session.
    for href in sorted(h for h in expected if h.startswith(wordpress.url)):
        status = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'include'}).then(r => done(r.status), e => done(String(e)));",
            href,
        )
        assert status == 200, (href, status)


def check_cover(browser: WebDriver, article: PublishedArticle) -> None:
    image = wait_for(
        lambda: browser.execute_script(
            """
            const img = document.querySelector('.wp-block-post-featured-image img');
            return img && img.complete && img.naturalWidth > 0
                ? {src: img.currentSrc, width: img.naturalWidth, height: img.naturalHeight} : null;
            """
        ),
        what="the featured image",
    )
    assert "couverture" in image["src"], image
    assert image["width"] * 630 == image["height"] * 1200  # the card, whichever size WordPress picked
    assert article.cover.url.rsplit(".", 1)[0].split("/")[-1] in image["src"]

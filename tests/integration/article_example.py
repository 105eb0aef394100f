"""One documented Fabrique published on the test WordPress, the way the documentation job publishes it.

``publish_article`` does what ``DocumentationJobs._publish_wordpress`` does with the pieces of bot/services
(articles.compose, cover.write_cover + cover.upload_cover): the MP3 and the cover card uploaded (found again by
their slugs), the article composed with the MP3's URL and duration, the post created with the card as its
featured image, both media attached to the post.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.chapters import Chapter, landmarks
from bot.i18n import I18n
from bot.integrations.wordpress import WordPressClient, WordPressMedia, WordPressPost
from bot.services import articles, cover

I18N = I18n("fr")
STARTS_AT = datetime(2027, 5, 4, 12, 0, tzinfo=UTC)
TITLE = "Billetterie : comment les lieux culturels mutualisent leurs outils numériques"
DESCRIPTION = (
    "Les lieux de spectacle vivant partagent-ils leurs outils de billetterie ?\n"
    "Objectif : comparer nos pratiques et repartir avec une liste d'outils libres.\n\n"
    "Public : équipes d'administration, de billetterie et de médiation."
)
NOTES = (
    "Idées clés :\n"
    "- **mutualiser** les outils entre lieux voisins\n"
    "- négocier ensemble avec les éditeurs\n\n"
    "Repères :\n"
    "00:00:05 Ouverture et tour de table\n"
    "00:00:30 Atelier en sous-groupes\n"
    "00:01:10 Restitution et suites\n\n"
    "Références : {site}/?p=1 et la charte https://www.tmnlab.com/charte-billetterie"
)
RESOURCES = "Le guide du TMNlab {site}/?page_id=2\nLe livre de Jean-Michel Cornu"
CHAT = "12:14:03 De Camille à Tout le monde : le tableau comparatif https://www.tmnlab.com/tableau-billetteries"
SECONDS = 90
# A 3P report as a collective pad gives it: its sections must stay sections.
REPORT = (
    "Problème partagé :\n"
    "Comment mutualiser nos billetteries sans perdre la relation avec nos publics ?\n\n"
    "PROPOSITIONS\n"
    "1. Un groupement d'achat entre lieux voisins\n"
    "2. Une charte commune des données\n\n"
    "Prochaines étapes :\n"
    "• réunir les lieux volontaires en juin\n"
    "• écrire la charte : {site}/?page_id=2"
)


@dataclass(frozen=True)
class PublishedArticle:
    fabrique_id: int
    post: WordPressPost
    audio: WordPressMedia | None
    cover: WordPressMedia
    html: str
    landmarks: list[Chapter]
    notes: str
    resources: str


ATTENDANCE = articles.Attendance(23, 52.0)


def example_context(
    attendance: articles.Attendance | None = ATTENDANCE, *, express: bool = False
) -> articles.ArticleContext:
    path = "express" if express else "classique"
    return articles.ArticleContext(
        title=TITLE,
        date=I18N.date(STARTS_AT),
        format_label=I18N("format.atelier"),
        parcours_label=I18N(f"parcours.{path}"),
        method=I18N(f"article.method.{path}"),
        organizers="Alice Martin, Bob Durand",
        speaker="Camille Dupont (La Coopérative de billetterie)",
        description=DESCRIPTION,
        attendance=attendance,
    )


def labels(i18n: I18n = I18N) -> articles.ArticleLabels:
    """What GuildArticleTexts gives: every label from the catalogue of the guild's language."""
    return articles.ArticleLabels(*(i18n(f"article.{field.name}") for field in fields(articles.ArticleLabels)))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def publish_article(
    client: WordPressClient, site_url: str, mp3: Path | None, work: Path, *, express: bool = False
) -> PublishedArticle:
    """The classique path (recording + notes) or, with ``express``, the 3P path (the report, no recording)."""
    fabrique_id = int(uuid.uuid4().int % 1_000_000) + 1000  # slugs of its own on the shared WordPress
    context, texts = example_context(express=express), labels()
    notes = "" if express else NOTES.format(site=site_url)
    report = REPORT.format(site=site_url) if express else ""
    resources = RESOURCES.format(site=site_url)
    audio = None
    if mp3 is not None:
        audio_slug = unique(f"fabrique-{fabrique_id}")
        audio = await client.find_media(audio_slug) or await client.upload_media(
            mp3, f"{audio_slug}.mp3", "audio/mpeg", title=TITLE, slug=audio_slug
        )
    card = await cover.write_cover(
        cover.cover_path(work, fabrique_id),
        articles.cover_text(context, texts),
        cover.CoverStyle(("#1d3557", "#f1faee", "#e63946")),
    )
    card_media = await cover.upload_cover(client, card, fabrique_id=fabrique_id, title=TITLE)
    html = articles.compose(
        context,
        texts,
        notes=notes,
        report=report,
        resources=resources,
        chat=CHAT,
        transcript=None,
        audio_url=audio.url if audio else None,
        audio_seconds=SECONDS if audio else None,
    )
    post = await client.create_post(
        title=TITLE,
        content=html,
        status="private",  # the default [wordpress] article_status
        slug=f"fabrique-{fabrique_id}-documentation",
        featured_media=card_media.id,
    )
    if audio is not None:
        await client.attach_media(audio.id, post.id)
    await client.attach_media(card_media.id, post.id)
    return PublishedArticle(
        fabrique_id=fabrique_id,
        post=post,
        audio=audio,
        cover=card_media,
        html=html,
        landmarks=landmarks(notes, report, None, duration_seconds=SECONDS if audio else None),
        notes=notes,
        resources=resources,
    )

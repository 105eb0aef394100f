"""The article: member text rendered and sanitised, resources gathered, transcript landmarks."""

from __future__ import annotations

from bot.services import articles

CONTEXT = articles.ArticleContext(
    title="Titre",
    date="mardi 4 mai 2027 à 14:00",
    format_label="Atelier",
    parcours_label="Classique",
    method="Fabrique collective",
    organizers="Alice, Bob",
    speaker="",
)
LABELS = articles.ArticleLabels(
    "Contexte", "Date", "Format", "Parcours", "Animation", "Organisation", "Intervenant·e", "Notes",
    "Compte-rendu", "Ressources", "Repères", "Écouter",
)  # fmt: skip


def test_script_and_event_handlers_never_survive() -> None:
    notes = 'Intro <script>alert(1)</script> <img src=x onerror="alert(2)"> [lien](javascript:alert(3)) **gras**'
    html = articles.compose(
        CONTEXT, LABELS, notes=notes, report="", resources="", chat=None, transcript=None, audio_url=None
    )
    assert "<script" not in html and "alert(1)" not in html and "onerror" not in html
    assert 'href="javascript' not in html
    assert "<strong>gras</strong>" in html


def test_resources_merge_given_links_and_chat_links_once() -> None:
    chat = "10:02:11 De Alice : voir https://exemple.org/guide, et https://tmnlab.com/a.\n"
    html = articles.compose(
        CONTEXT,
        LABELS,
        notes="",
        report="Synthèse",
        resources="https://tmnlab.com/a\nLe livre de Cornu",
        chat=chat,
        transcript=None,
        audio_url="https://site/audio.mp3",
    )
    assert html.count('href="https://tmnlab.com/a"') == 1
    assert 'href="https://exemple.org/guide"' in html
    assert "Le livre de Cornu" in html
    assert '<audio controls="" preload="none" src="https://site/audio.mp3"></audio>' in html or "<audio" in html


def test_transcript_landmarks_every_ten_minutes() -> None:
    vtt = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nBonjour à toutes et tous\n\n2\n00:05:00.000 --> 00:05:03.000\nmilieu\n\n3\n00:10:02.500 --> 00:10:05.000\nDeuxième partie\n\n4\n01:20:00.000 --> 01:20:03.000\nConclusion\n"  # noqa: E501
    assert articles.transcript_marks(vtt) == [
        ("00:00:01", "Bonjour à toutes et tous"),
        ("00:10:02", "Deuxième partie"),
        ("01:20:00", "Conclusion"),
    ]


def test_summary_is_plain_text_and_short() -> None:
    text = "# Titre\n\n" + "mot " * 400
    result = articles.summary(text, limit=100)
    assert len(result) <= 100 and "#" not in result and result.endswith("…")

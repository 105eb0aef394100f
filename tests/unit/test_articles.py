"""The article: its order, member text kept as written (paragraphs, line breaks, sections, live links) and
sanitised, the audio as WordPress's shortcode, the one list of landmarks, the resources, the attendance, the labels."""

from __future__ import annotations

import re
from dataclasses import fields
from html.parser import HTMLParser

import pytest

from bot.domain.chapters import Chapter, landmarks
from bot.i18n import I18n, en, fr
from bot.services import articles
from tests.unit.article_builders import CONTEXT, compose

FRENCH = articles.ArticleLabels(*(I18n("fr")(f"article.{field.name}") for field in fields(articles.ArticleLabels)))
ENGLISH = articles.ArticleLabels(*(I18n("en")(f"article.{field.name}") for field in fields(articles.ArticleLabels)))
MP3 = "https://site.example/wp-content/uploads/2027/05/Zm9yZ290dGVu.mp3"


def headings(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html)


# --- sanitising (unchanged) ----------------------------------------------------------------------------------------


def test_script_and_event_handlers_never_survive() -> None:
    notes = 'Intro <script>alert(1)</script> <img src=x onerror="alert(2)"> [lien](javascript:alert(3)) **gras**'
    html = compose(notes=notes)
    assert "<script" not in html and "alert(1)" not in html and "onerror" not in html
    assert 'href="javascript' not in html
    assert "<strong>gras</strong>" in html


def test_every_tag_of_the_article_is_one_the_sanitiser_allows() -> None:
    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.names: set[str] = set()

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.names.add(tag)

    html = compose(
        context=CONTEXT,
        notes="# Grand titre\n\n> citation\n\n```\ncode\n```\n\n---\n\n1. un\n2. deux",
        resources="https://tmnlab.com",
        audio_url=MP3,
    )
    parser = Tags()
    parser.feed(html)
    assert parser.names <= articles.ALLOWED_TAGS


# --- order and presentation -----------------------------------------------------------------------------------------


def test_the_article_opens_with_the_presentation_then_audio_landmarks_notes_resources_attendance() -> None:
    context = articles.ArticleContext(
        title="Billetterie : mutualiser nos outils",
        date="mardi 4 mai 2027 à 14:00",
        format_label="Atelier",
        parcours_label="Classique",
        method="Fabrique collective préparée en quelques jours",
        organizers="alice, bob",
        speaker="Camille Dupont",
        description="Les lieux partagent-ils leurs outils ?\n\nPublic : administrateurs, billetterie.",
        attendance=articles.Attendance(23, average_minutes=52.4),
    )
    html = compose(
        context=context,
        labels=FRENCH,
        notes="00:00:05 Ouverture\n\nIdées clés : **mutualiser**",
        resources="https://tmnlab.com",
        audio_url=MP3,
    )

    assert headings(html) == [
        "Présentation",
        "Écouter",
        "Repères dans l'enregistrement",
        "Notes",
        "Ressources",
        "Participation",
    ]
    presentation = html.split("<h2>Écouter</h2>")[0]
    assert "<p>Les lieux partagent-ils leurs outils ?</p>" in presentation
    for shown in (
        "<strong>Date</strong> : mardi 4 mai 2027 à 14:00",
        "<strong>Format</strong> : Atelier",
        "<strong>Parcours</strong> : Classique",
        "<strong>Animation</strong> : Fabrique collective préparée en quelques jours",
        "<strong>Organisation</strong> : alice, bob",
        "<strong>Intervenant·e</strong> : Camille Dupont",
    ):
        assert shown in presentation
    assert html.endswith("<h2>Participation</h2><p>23 participant·es, 52 min de présence en moyenne</p>")


def test_attendance_is_shown_only_when_zoom_gave_it_and_in_hours_past_an_hour() -> None:
    assert "Participation" not in compose(labels=FRENCH)
    zero = articles.ArticleContext(**{**CONTEXT.__dict__, "attendance": articles.Attendance(0)})
    assert "Participation" not in compose(context=zero, labels=FRENCH)
    long = articles.ArticleContext(**{**CONTEXT.__dict__, "attendance": articles.Attendance(8, 112.0)})
    assert "<p>8 participants, 1 h 52 on average in the meeting</p>" in compose(context=long, labels=ENGLISH)
    unknown = articles.ArticleContext(**{**CONTEXT.__dict__, "attendance": articles.Attendance(8)})
    assert "<p>8 participant·es</p>" in compose(context=unknown, labels=FRENCH)


def test_a_hostile_description_is_inert() -> None:
    context = articles.ArticleContext(
        **{**CONTEXT.__dict__, "description": "<script>alert(1)</script>Sujet <b onclick=x()>gras</b>"}
    )
    html = compose(context=context)
    assert "<script" not in html and "alert(1)" not in html and "onclick" not in html
    assert "<p>Sujet gras</p>" in html


def test_labels_follow_the_language_and_every_label_has_its_catalogue_entry() -> None:
    for field in fields(articles.ArticleLabels):
        assert f"article.{field.name}" in fr.MESSAGES and f"article.{field.name}" in en.MESSAGES, field.name
    context = articles.ArticleContext(**{**CONTEXT.__dict__, "attendance": articles.Attendance(12, 40)})
    english = compose(context=context, labels=ENGLISH, notes="00:00:05 Opening", audio_url=MP3)
    assert headings(english) == ["About this session", "Listen", "Landmarks in the recording", "Attendance"]
    assert "<strong>Organizers</strong>: Alice, Bob" in english
    assert ">Download the recording (MP3)</a>" in english
    french = compose(context=context, labels=FRENCH, notes="00:00:05 Ouverture", audio_url=MP3)
    assert "<strong>Organisation</strong> : Alice, Bob" in french
    assert ">Télécharger l'enregistrement (MP3)</a>" in french


# --- the audio --------------------------------------------------------------------------------------------------------


def test_the_audio_is_wordpress_s_own_shortcode_with_a_download_link() -> None:
    html = compose(audio_url=MP3, labels=FRENCH)
    assert f'[audio src="{MP3}" preload="metadata"][/audio]' in html
    assert f'<a href="{MP3}" download>' in html
    assert "<audio" not in html  # an author's account would lose the tag's <source> to WordPress's kses


@pytest.mark.parametrize(
    "url",
    [
        'https://site.example/a.mp3"][/audio]<script>alert(1)</script>[audio src="x',
        "https://site.example/a b'c<d>[e].mp3",
    ],
)
def test_an_audio_url_can_neither_close_the_shortcode_nor_the_link(url: str) -> None:
    html = compose(audio_url=url)
    shortcode = re.search(r'\[audio src="([^"]*)" preload="metadata"\]\[/audio\]', html)
    assert shortcode is not None
    assert not set(shortcode.group(1)) & set("\"'<>[] ")
    assert "<script" not in html
    assert html.count("[audio") == 1 and html.count("[/audio]") == 1


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://site.example/a.mp3", "/wp-content/a.mp3", ""])
def test_no_player_for_a_url_that_is_not_web(url: str) -> None:
    html = compose(audio_url=url, labels=FRENCH)
    assert "[audio" not in html and "Écouter" not in html


# --- member text ------------------------------------------------------------------------------------------------------


def test_member_text_keeps_its_paragraphs_and_line_breaks() -> None:
    html = articles.member_html("Première ligne\ndeuxième ligne\n\nNouveau paragraphe\r\nfin")
    assert html.strip() == "<p>Première ligne<br>\ndeuxième ligne</p>\n<p>Nouveau paragraphe<br>\nfin</p>"


def test_bare_urls_become_links_and_file_names_do_not() -> None:
    html = articles.member_html(
        "Voir https://fr.wikipedia.org/wiki/Tiers-lieu_(France), www.tmnlab.com et tmnlab.com/agenda. "
        "Le fichier README.md et script.py ; http://ancien.example.org reste en http."
    )
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs == [
        "https://fr.wikipedia.org/wiki/Tiers-lieu_(France)",
        "https://www.tmnlab.com",
        "https://tmnlab.com/agenda",
        "http://ancien.example.org",
    ]
    assert 'rel="noopener noreferrer"' in html
    assert "README.md et script.py" in html


def test_a_report_keeps_its_sections() -> None:
    report = (
        "Problème partagé :\n"
        "Comment mutualiser nos billetteries ?\n\n"
        "PROPOSITIONS\n"
        "1. Un groupement d'achat\n"
        "2. Une charte commune\n\n"
        "Prochaines étapes :\n"
        "• réunir les lieux volontaires\n"
        "• écrire la charte\n\n"
        "Références : https://tmnlab.com/charte\n"
        "## Annexe\n"
        "texte"
    )
    html = compose(report=report, labels=FRENCH)
    report_html = html.split("<h2>Compte-rendu</h2>")[1]
    assert re.findall(r"<h[34]>(.*?)</h[34]>", report_html) == [
        "Problème partagé",
        "PROPOSITIONS",
        "Prochaines étapes",
        "Annexe",
    ]
    assert "<ol>\n<li>Un groupement d'achat</li>\n<li>Une charte commune</li>\n</ol>" in report_html
    assert "<ul>\n<li>réunir les lieux volontaires</li>\n<li>écrire la charte</li>\n</ul>" in report_html
    assert '<p>Références : <a href="https://tmnlab.com/charte"' in report_html  # content after the colon: no title


def test_a_colon_at_the_end_of_the_text_or_in_code_makes_no_heading() -> None:
    assert "<h3>" not in articles.member_html("Merci à toutes et tous :")
    assert "<h3>" not in articles.member_html("```\nconfig :\nvaleur\n```")


# --- landmarks --------------------------------------------------------------------------------------------------------

NOTES = (
    "Idées clés : **mutualiser** les outils\n\n"
    "Repères :\n"
    "00:00:05 Ouverture et tour de table\n"
    "00:00:20 Atelier en sous-groupes\n"
    "01:30:00 Au-delà de l'enregistrement\n\n"
    "Références : https://tmnlab.com/a"
)


def test_the_landmarks_are_the_chapter_list_and_leave_the_notes() -> None:
    html = compose(notes=NOTES, audio_url=MP3, audio_seconds=40.2, labels=FRENCH)

    expected = landmarks(NOTES, "", None, duration_seconds=40.2)
    assert expected == [Chapter(5, "Ouverture et tour de table"), Chapter(20, "Atelier en sous-groupes")]
    marks = html.split("enregistrement</h2>")[1].split("</ul>")[0]
    assert re.findall(r"<li><strong>(\d\d:\d\d:\d\d)</strong> (.*?)</li>", marks) == [
        ("00:00:05", "Ouverture et tour de table"),
        ("00:00:20", "Atelier en sous-groupes"),
    ]
    notes = html.split("<h2>Notes</h2>")[1]
    assert "00:00:05" not in notes and "Ouverture" not in notes  # one list, shown once
    assert "Repères" not in notes  # the title that only introduced them goes too
    assert "<strong>mutualiser</strong>" in notes and 'href="https://tmnlab.com/a"' in notes


def test_without_timestamps_in_the_notes_landmarks_come_from_the_transcript() -> None:
    vtt = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nAlice Martin: Bonjour à toutes et tous, bienvenue\n\n"
        "2\n00:05:00.000 --> 00:05:03.000\nAlice Martin: milieu\n\n"
        "3\n00:10:02.500 --> 00:10:05.000\n<v Bob>Deuxième partie : les outils de billetterie partagés entre "
        "plusieurs lieux de la région</v>\n\n"
        "4\n01:20:00.000 --> 01:20:03.000\nConclusion\n"
    )
    html = compose(notes="Idées clés sans horodatage", transcript=vtt)
    assert re.findall(r"<li><strong>(\d\d:\d\d:\d\d)</strong> (.*?)</li>", html) == [
        ("00:00:01", "Bonjour à toutes et tous, bienvenue"),
        ("00:10:02", "Deuxième partie : les outils de billetterie partagés entre…"),
        ("01:20:00", "Conclusion"),
    ]
    assert all(len(chapter.title) <= 60 for chapter in landmarks("", "", vtt))
    # Timestamps in the notes win over the transcript.
    assert [c.title for c in landmarks("00:01:00 Début", "", vtt)] == ["Début"]


def test_a_3p_report_s_timestamps_are_landmarks_when_there_are_no_notes() -> None:
    assert landmarks("", "00:02:00 Synthèse\nTexte") == [Chapter(120, "Synthèse")]
    html = compose(report="00:02:00 Synthèse\nTexte du compte-rendu", labels=FRENCH)
    assert "<li><strong>00:02:00</strong> Synthèse</li>" in html
    assert "00:02:00" not in html.split("<h2>Compte-rendu</h2>")[1]


# --- resources --------------------------------------------------------------------------------------------------------


def test_resources_merge_given_links_and_chat_links_once() -> None:
    chat = "10:02:11 De Alice : voir https://exemple.org/guide, et https://tmnlab.com/a.\n"
    html = compose(
        report="Synthèse",
        resources="https://tmnlab.com/a\n- Le livre de Cornu https://www.cornu.eu/livre\n<img src=x onerror=alert(7)>",
        chat=chat,
    )
    resources = html.split("<h2>Ressources</h2>")[1]
    assert resources.count('href="https://tmnlab.com/a"') == 1
    assert 'href="https://exemple.org/guide"' in resources
    assert '<li>Le livre de Cornu <a href="https://www.cornu.eu/livre"' in resources
    assert "&lt;img src=x onerror=alert(7)&gt;" in resources and "<img" not in resources
    assert articles.links("voir tmnlab.com/agenda et https://x.org/a.", "mailto:a@b.fr") == [
        "https://tmnlab.com/agenda",
        "https://x.org/a",
    ]


def test_summary_is_plain_text_and_short() -> None:
    text = "# Titre\n\n" + "mot " * 400
    result = articles.summary(text, limit=100)
    assert len(result) <= 100 and "#" not in result and result.endswith("…")

"""Chapters read from the organizer's notes: what becomes an ID3 chapter, and what is left alone."""

from __future__ import annotations

import pytest

from bot.domain.chapters import MAX_TITLE_LENGTH, Chapter, parse_chapters


def test_reads_the_usual_forms_in_time_order() -> None:
    notes = (
        "Notes de la session\n"
        "1:02:03 - Synthèse\n"
        "00:00:00 Accueil\n"
        "00:12:30 Tour de table\n"
        "00:45:10 — Atelier en sous-groupes\n"
        "01:30:00: Questions\n"
    )
    assert parse_chapters(notes) == [
        Chapter(0, "Accueil"),
        Chapter(750, "Tour de table"),
        Chapter(2710, "Atelier en sous-groupes"),
        Chapter(3723, "Synthèse"),
        Chapter(5400, "Questions"),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- 00:05:00 Présentations", Chapter(300, "Présentations")),
        ("* 0:05:00 Présentations", Chapter(300, "Présentations")),
        ("• 00:05:00 – Présentations", Chapter(300, "Présentations")),
        ("[00:05:00] Présentations", Chapter(300, "Présentations")),
        ("(0:05:00) : Présentations  ", Chapter(300, "Présentations")),
        ("  00:05:00\tPrésentations", Chapter(300, "Présentations")),
    ],
)
def test_forgives_decoration_around_the_time(line: str, expected: Chapter) -> None:
    assert parse_chapters(line) == [expected]


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Rendez-vous à 12:30 pour la suite",  # a time of day, not a position in the recording
        "12:30 Déjeuner",  # MM:SS is ambiguous, so it is not read
        "00:61:00 Minutes impossibles",
        "00:10:75 Secondes impossibles",
        "123:00:00 Trop d'heures",
        "00:10:00",  # a time without a title
        "00:10:00 -",
        "Voir https://example.org/00:10:00 pour la vidéo",
        "Pause 00:10:00 café",  # the time must open the line
    ],
)
def test_ignores_lines_that_are_not_chapters(line: str) -> None:
    assert parse_chapters(line) == []


def test_keeps_the_first_title_written_for_a_start_time() -> None:
    notes = "00:10:00 Première idée\n00:20:00 Suite\n00:10:00 Doublon\n00:20:00 Suite\n"
    assert parse_chapters(notes) == [Chapter(600, "Première idée"), Chapter(1200, "Suite")]


def test_trims_long_titles() -> None:
    title = "Un très long titre " * 20
    (chapter,) = parse_chapters(f"00:01:00 {title}")
    assert len(chapter.title) <= MAX_TITLE_LENGTH
    assert title.startswith(chapter.title)
    assert chapter.title == chapter.title.strip()


def test_keeps_markdown_and_punctuation_inside_titles() -> None:
    assert parse_chapters("00:02:03 Les « tiers-lieux » : bilan — 2027 *(suite)*") == [
        Chapter(123, "Les « tiers-lieux » : bilan — 2027 *(suite)*")
    ]


def test_windows_line_endings_and_empty_notes() -> None:
    assert parse_chapters("00:00:10 Début\r\n00:00:20 Fin\r\n") == [Chapter(10, "Début"), Chapter(20, "Fin")]
    assert parse_chapters("") == []

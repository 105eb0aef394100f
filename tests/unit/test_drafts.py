"""The documentation draft: which source is asked, in which order, and the offline draft made here without a model.

The Zoom and OpenAI-compatible clients are replaced here by small fakes recording their calls; the real clients
against local servers are in tests/integration/test_draft_sources.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from bot.config import ResumeSettings
from bot.domain.chapters import parse_chapters
from bot.domain.transcripts import parse_vtt
from bot.i18n import I18n
from bot.integrations.resume import ResumeError
from bot.integrations.zoom import ZoomError
from bot.services.drafts import (
    DRAFT_MAX,
    SPOKEN_FILLERS,
    Draft,
    DraftService,
    DraftSource,
    fit,
    keywords,
    landmark_lines,
)
from tests.french_transcript import SPEAKERS, TOPICS, french_transcript

RESUME = ResumeSettings(base_url="https://llm.example.org/v1", model="mistral-small-latest")
SOURCE_LINE = re.compile(r"^Brouillon proposé par .+ — relisez, corrigez et validez avant de publier\.$")


@dataclass(frozen=True)
class Session:
    id: int = 7
    title: str = "Le numérique au service des publics"
    description: str = "Partager nos expériences de médiation."
    speaker: str = "Camille Martin"


class FakeZoom:
    def __init__(self, summary: str | None = None, error: ZoomError | None = None) -> None:
        self.summary, self.error, self.asked = summary, error, []

    async def meeting_summary(self, meeting_id: int | str) -> str | None:
        self.asked.append(meeting_id)
        if self.error is not None:
            raise self.error
        return self.summary


class FakeModel:
    model = "mistral-small-latest"

    def __init__(self, answer: str = "Idées clés :\n- une idée\nRepères :\n00:05:00 Ouverture", fail: bool = False):
        self.answer, self.fail, self.calls = answer, fail, []

    async def complete(self, system: str, user: str) -> str:
        self.calls.append((system, user))
        if self.fail:
            raise ResumeError("error.resume.unavailable", retryable=True)
        return self.answer


def service(
    *, zoom: FakeZoom | None = None, model: FakeModel | None = None, settings: ResumeSettings = RESUME, lang: str = "fr"
) -> DraftService:
    return DraftService(settings, i18n=I18n(lang), zoom=zoom, resume=model)


@pytest.fixture(scope="module")
def two_hours() -> str:
    return french_transcript()


async def test_the_offline_draft_gives_a_landmark_every_ten_minutes_with_the_words_of_that_part(two_hours: str) -> None:
    draft = await service(settings=ResumeSettings()).draft(Session(), two_hours, zoom_meeting_id=None)
    assert draft is not None and draft.source is DraftSource.OFFLINE
    assert len(draft.text) <= DRAFT_MAX
    first, *_ = draft.text.split("\n")
    assert SOURCE_LINE.match(first) and "sans IA" in first
    chapters = parse_chapters(draft.text)
    assert len(chapters) == 12
    assert [chapter.start_seconds // 600 for chapter in chapters] == list(range(12))
    cue_starts = {int(cue.start) for cue in parse_vtt(two_hours)}
    assert all(chapter.start_seconds in cue_starts for chapter in chapters)  # landmarks land where speech starts
    for chapter, terms in zip(chapters, TOPICS, strict=True):
        found = [term for term in terms if term.lower() in chapter.title.lower()]
        assert len(found) >= 2, f"{chapter.title!r} should name its ten minutes ({terms})"
        words = {word for keyword in chapter.title.split(", ") for word in keyword.lower().split()}
        assert not words & SPOKEN_FILLERS, chapter.title
        assert not any(name.split()[0].lower() in words for name in SPEAKERS), chapter.title


async def test_the_offline_draft_keeps_french_phrases_whole() -> None:
    text = (
        "On parle des droits d'auteur, euh, du coup. La billetterie en ligne a changé nos habitudes. "
        "Alors les droits d'auteur, ben, c'est compliqué. Et la billetterie en ligne, voilà, ça coûte. "
        "Les contrats et les droits d'auteur vont ensemble. La billetterie en ligne, oui."
    )
    assert set(keywords(text, 3)) >= {"droits d'auteur", "billetterie en ligne"}


@pytest.mark.parametrize("hours", [4, 8, 30])
async def test_every_draft_fits_the_form(hours: int) -> None:
    transcript = french_transcript(hours * 3600, every=(20, 40))
    draft = await service(settings=ResumeSettings()).draft(Session(), transcript, zoom_meeting_id=None)
    assert draft is not None and len(draft.text) <= DRAFT_MAX
    assert len(parse_chapters(draft.text)) >= min(hours * 6, 25)


async def test_a_model_that_writes_too_much_is_cut_to_fit(two_hours: str) -> None:
    model = FakeModel(
        answer="\n".join(f"00:{minute:02d}:00 Repère numéro {minute} " + "x" * 80 for minute in range(60))
    )
    draft = await service(model=model).draft(Session(), two_hours, zoom_meeting_id=None)
    assert draft is not None and draft.source is DraftSource.RESUME
    assert len(draft.text) <= DRAFT_MAX and draft.text.endswith("…")


async def test_zoom_comes_first_and_then_nothing_is_sent_to_the_model(two_hours: str) -> None:
    zoom, model = FakeZoom("Vue d'ensemble\nLes participants ont parlé de médiation."), FakeModel()
    draft = await service(zoom=zoom, model=model).draft(Session(), two_hours, zoom_meeting_id=81234567890)
    assert draft is not None and draft.source is DraftSource.ZOOM
    assert zoom.asked == [81234567890] and model.calls == []
    assert SOURCE_LINE.match(draft.text.split("\n")[0]) and "Zoom" in draft.text.split("\n")[0]
    assert "Les participants ont parlé de médiation." in draft.text
    assert len(parse_chapters(draft.text)) == 12  # the transcript's landmarks, under Zoom's summary
    assert len(draft.text) <= DRAFT_MAX


async def test_a_long_zoom_summary_leaves_room_for_the_landmarks(two_hours: str) -> None:
    draft = await service(zoom=FakeZoom("Résumé. " * 2000)).draft(Session(), two_hours, zoom_meeting_id=1)
    assert draft is not None and len(draft.text) <= DRAFT_MAX
    assert len(parse_chapters(draft.text)) == 12


async def test_zoom_without_transcript_still_gives_its_summary() -> None:
    draft = await service(zoom=FakeZoom("Synthèse de Zoom.")).draft(Session(), None, zoom_meeting_id="abc==")
    assert draft == Draft(f"{I18n('fr')('draft.source.zoom')}\n\nSynthèse de Zoom.", DraftSource.ZOOM)


@pytest.mark.parametrize(
    "zoom",
    [FakeZoom(None), FakeZoom(error=ZoomError("error.zoom.rejected", retryable=False, status=403, code=4711))],
    ids=["no summary", "zoom refuses"],
)
async def test_without_a_zoom_summary_the_model_drafts(two_hours: str, zoom: FakeZoom) -> None:
    model = FakeModel()
    draft = await service(zoom=zoom, model=model).draft(Session(), two_hours, zoom_meeting_id=5)
    assert draft is not None and draft.source is DraftSource.RESUME and len(model.calls) == 1
    assert draft.text.split("\n")[0] == (
        "Brouillon proposé par le modèle mistral-small-latest à partir de la transcription — "
        "relisez, corrigez et validez avant de publier."
    )
    assert draft.text.endswith("Repères :\n00:05:00 Ouverture")


async def test_a_meeting_zoom_does_not_know_is_not_asked_about(two_hours: str) -> None:
    zoom = FakeZoom("jamais demandé")
    draft = await service(zoom=zoom, settings=ResumeSettings()).draft(Session(), two_hours, zoom_meeting_id=None)
    assert draft is not None and draft.source is DraftSource.OFFLINE and zoom.asked == []


async def test_a_failing_model_gives_the_offline_draft_and_says_so(two_hours: str) -> None:
    draft = await service(model=FakeModel(fail=True)).draft(Session(), two_hours, zoom_meeting_id=None)
    assert draft is not None and draft.source is DraftSource.OFFLINE
    lines = draft.text.split("\n")
    assert SOURCE_LINE.match(lines[0])
    assert lines[2] == (
        "⚠️ Le service de résumé n'a pas répondu à temps, ou a renvoyé une erreur. "
        "Voici à la place le brouillon fait sans IA."
    )
    assert len(parse_chapters(draft.text)) == 12 and len(draft.text) <= DRAFT_MAX


async def test_a_model_handed_over_while_resume_is_off_is_never_used(two_hours: str) -> None:
    model = FakeModel()
    draft = await service(model=model, settings=ResumeSettings()).draft(Session(), two_hours, zoom_meeting_id=None)
    assert draft is not None and draft.source is DraftSource.OFFLINE and model.calls == []


async def test_the_prompt_is_french_and_holds_the_presentation_and_the_transcript(two_hours: str) -> None:
    model = FakeModel()
    settings = ResumeSettings(base_url=RESUME.base_url, model=RESUME.model, max_input_chars=12000)
    draft = await service(model=model, settings=settings).draft(Session(), two_hours, zoom_meeting_id=None)
    system, user = model.calls[0]
    assert "Idées clés" in system and "Décisions" in system and "Ressources" in system
    assert "HH:MM:SS titre" in system and "en français" in system
    assert len(system) + len(user) <= 12000
    assert user.startswith("Fabrique : Le numérique au service des publics\nIntervenant·e : Camille Martin\n")
    assert "[00:00:01] " in user and "[…]" in user and "le début, la fin et des extraits" in user
    assert draft is not None and "La transcription (2h) dépassait ce que le modèle peut lire" in draft.text


async def test_english_guilds_get_english_lines(two_hours: str) -> None:
    model = FakeModel()
    draft = await service(model=model, lang="en").draft(Session(), two_hours, zoom_meeting_id=None)
    assert draft is not None and draft.text.startswith("Draft by the model mistral-small-latest")
    assert "en anglais" in model.calls[0][0]


@pytest.mark.parametrize("transcript", [None, "", "WEBVTT\n\n", "pas une transcription"])
async def test_nothing_to_draft_from_gives_no_draft(transcript: str | None) -> None:
    assert await service(model=FakeModel()).draft(Session(), transcript, zoom_meeting_id=None) is None


def test_landmarks_without_keywords_take_the_first_words() -> None:
    cues = parse_vtt("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nOui.\n\n00:10:01.000 --> 00:10:02.000\nEuh, voilà.\n")
    assert landmark_lines(cues) == ["00:00:01 Oui.", "00:10:01 Euh, voilà."]


def test_fit_cuts_at_a_line() -> None:
    assert fit("abc\ndef", 10) == "abc\ndef"
    assert fit("abc\ndefghij", 9) == "abc…"
    assert fit("abcdefghij", 5) == "abcd…"
    assert len(fit("x\n" * 5000, DRAFT_MAX)) <= DRAFT_MAX

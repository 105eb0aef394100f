"""What a proposal is made of, and the limits on what a member may type into it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.series import SERIES_MAX, validated_size
from bot.domain.text import line_problem
from bot.errors import InvalidInput

TITLE_MAX = 100
DESCRIPTION_MAX = 2000
SPEAKER_MAX = 200
NEEDS_MAX = 1000
REASON_MAX = 1000
RHYTHM_MAX = 200  # « un jeudi sur deux »: the organizer's words, shown as they are


class Format(StrEnum):
    ATELIER = "atelier"
    ARPENTAGE = "arpentage"
    FOCUS_GROUP = "focus_group"
    LIVING_LAB = "living_lab"
    GROUPE_DE_TRAVAIL = "groupe_de_travail"
    AUTRE = "autre"


class Parcours(StrEnum):
    """Classique: a few days of preparation. Express: a 3P « atelier participatif prêt à produire »."""

    CLASSIQUE = "classique"
    EXPRESS = "express"


class FabriqueKind(StrEnum):
    """A member's proposal, or the team's monthly « 30 min chrono » welcome session (no proposal, no documentation)."""

    FABRIQUE = "fabrique"
    WELCOME = "welcome"


@dataclass(frozen=True)
class ProposalDraft:
    """Everything a member submits; validated as a whole so one message can name the first problem."""

    format: Format
    parcours: Parcours
    duration_minutes: int
    title: str
    description: str
    speaker: str = ""
    needs: str = ""
    coorganizer_id: int | None = None
    sessions: int = 1  # 2 or more: a series (bot.domain.series), moderated once
    rhythm: str = ""  # a series' rhythm as the organizer sees it; nothing for a single session

    def validated(
        self, *, organizer_id: int, allowed_durations: list[int], max_sessions: int = SERIES_MAX
    ) -> ProposalDraft:
        """A copy with surrounding blanks removed, or InvalidInput naming the first field that is wrong."""
        sessions = validated_size(self.sessions, max_sessions)
        rhythm = " ".join(self.rhythm.split()) if sessions > 1 else ""
        _limit("rythme", rhythm, RHYTHM_MAX)
        if rhythm:
            _require_plain_line("rythme", rhythm)
        text = validated_text(ProposalText(self.title, self.description, self.speaker, self.needs))
        if self.duration_minutes not in allowed_durations:
            raise InvalidInput(
                "error.input.duration",
                allowed=allowed_durations,
            )
        if self.coorganizer_id == organizer_id:
            raise InvalidInput("error.input.coorganizer_self")
        return ProposalDraft(
            format=self.format,
            parcours=self.parcours,
            duration_minutes=self.duration_minutes,
            title=text.title,
            description=text.description,
            speaker=text.speaker,
            needs=text.needs,
            coorganizer_id=self.coorganizer_id,
            sessions=sessions,
            rhythm=rhythm,
        )


@dataclass(frozen=True)
class ProposalText:
    """The four fields of the proposal form (SPEC §5: ``titre``, ``description``, ``intervenant``, ``besoins``)."""

    title: str
    description: str
    speaker: str = ""
    needs: str = ""


def validated_text(text: ProposalText) -> ProposalText:
    """The same limits for a proposal and for any later correction, by the organizer or the team."""
    title = " ".join(text.title.split())
    description = text.description.strip()
    speaker = text.speaker.strip()
    needs = text.needs.strip()
    _require_text("titre", title, TITLE_MAX)
    _require_plain_line("titre", title)
    _require_text("description", description, DESCRIPTION_MAX)
    _limit("intervenant", speaker, SPEAKER_MAX)
    _limit("besoins", needs, NEEDS_MAX)
    return ProposalText(title, description, speaker, needs)


def validated_reason(reason: str) -> str:
    """A moderation motif: required, because the member needs to know what to change or why."""
    cleaned = reason.strip()
    _require_text("motif", cleaned, REASON_MAX)
    return cleaned


def _require_text(field: str, value: str, maximum: int) -> None:
    if not value:
        raise InvalidInput("error.input.empty", field=field)
    _limit(field, value, maximum)


def _require_plain_line(field: str, value: str) -> None:
    """A title is shown, mailed and published as one line of text: nothing hidden may ride along."""
    problem = line_problem(value)
    if problem is not None:
        raise InvalidInput(problem, field=field)


def _limit(field: str, value: str, maximum: int) -> None:
    if len(value) > maximum:
        raise InvalidInput("error.input.too_long", field=field, maximum=maximum, length=len(value))

"""What a member may type into a proposal: ``ProposalDraft.validated`` and ``validated_reason``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.proposal import (
    DESCRIPTION_MAX,
    NEEDS_MAX,
    REASON_MAX,
    SPEAKER_MAX,
    TITLE_MAX,
    Format,
    Parcours,
    ProposalDraft,
    validated_reason,
)
from bot.errors import InvalidInput

ORGANIZER = 2001
DURATIONS = [90, 120, 150]

DRAFT = ProposalDraft(
    format=Format.ATELIER,
    parcours=Parcours.CLASSIQUE,
    duration_minutes=120,
    title="Les tiers-lieux culturels",
    description="Partager nos pratiques.",
)


def validate(draft: ProposalDraft) -> ProposalDraft:
    return draft.validated(organizer_id=ORGANIZER, allowed_durations=DURATIONS)


def refusal(draft: ProposalDraft) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        validate(draft)
    return refused.value


def test_a_valid_draft_is_kept_as_typed() -> None:
    assert validate(DRAFT) == DRAFT


def test_title_whitespace_is_trimmed_and_collapsed() -> None:
    clean = validate(replace(DRAFT, title="  Les   tiers-lieux\n\tculturels  "))
    assert clean.title == "Les tiers-lieux culturels"


def test_other_fields_are_trimmed_but_keep_their_inner_lines() -> None:
    clean = validate(
        replace(DRAFT, description="\n  Sujet\n\nObjectifs  \n", speaker="  Alice Martin ", needs=" Klaxoon\n")
    )
    assert clean.description == "Sujet\n\nObjectifs"
    assert clean.speaker == "Alice Martin"
    assert clean.needs == "Klaxoon"


def test_everything_else_is_carried_over() -> None:
    draft = replace(
        DRAFT, format=Format.LIVING_LAB, parcours=Parcours.EXPRESS, duration_minutes=90, coorganizer_id=2002
    )
    clean = validate(draft)
    assert (clean.format, clean.parcours, clean.duration_minutes, clean.coorganizer_id) == (
        Format.LIVING_LAB,
        Parcours.EXPRESS,
        90,
        2002,
    )


@pytest.mark.parametrize("blank", ["", "   ", "\n\t  \n"])
@pytest.mark.parametrize(("attribute", "field"), [("title", "titre"), ("description", "description")])
def test_empty_title_or_description_is_refused(attribute: str, field: str, blank: str) -> None:
    error = refusal(replace(DRAFT, **{attribute: blank}))
    assert error.key == "error.input.empty"
    assert error.params == {"field": field}


def test_optional_fields_may_be_empty() -> None:
    clean = validate(replace(DRAFT, speaker="   ", needs=""))
    assert (clean.speaker, clean.needs) == ("", "")


@pytest.mark.parametrize(
    ("attribute", "field", "maximum"),
    [
        ("title", "titre", TITLE_MAX),
        ("description", "description", DESCRIPTION_MAX),
        ("speaker", "intervenant", SPEAKER_MAX),
        ("needs", "besoins", NEEDS_MAX),
    ],
)
def test_too_long_text_is_refused_with_field_maximum_and_length(attribute: str, field: str, maximum: int) -> None:
    assert validate(replace(DRAFT, **{attribute: "x" * maximum}))  # exactly the maximum is fine
    error = refusal(replace(DRAFT, **{attribute: "x" * (maximum + 1)}))
    assert error.key == "error.input.too_long"
    assert error.params == {"field": field, "maximum": maximum, "length": maximum + 1}


def test_the_spec_limits() -> None:
    assert (TITLE_MAX, DESCRIPTION_MAX) == (100, 2000)
    assert refusal(replace(DRAFT, title="t" * 101)).params["length"] == 101
    assert refusal(replace(DRAFT, description="d" * 2001)).params["length"] == 2001


def test_length_is_measured_after_trimming() -> None:
    assert validate(replace(DRAFT, title="  " + "x" * TITLE_MAX + "  ")).title == "x" * TITLE_MAX


@pytest.mark.parametrize("minutes", [0, 60, 91, 180])
def test_duration_outside_the_allowed_list_is_refused(minutes: int) -> None:
    error = refusal(replace(DRAFT, duration_minutes=minutes))
    assert error.key == "error.input.duration"
    assert error.params == {"allowed": DURATIONS}


def test_allowed_durations_come_from_the_caller() -> None:
    draft = replace(DRAFT, duration_minutes=45)
    assert draft.validated(organizer_id=ORGANIZER, allowed_durations=[45]).duration_minutes == 45


def test_the_organizer_cannot_be_their_own_coorganizer() -> None:
    error = refusal(replace(DRAFT, coorganizer_id=ORGANIZER))
    assert error.key == "error.input.coorganizer_self"


def test_the_first_wrong_field_is_named() -> None:
    error = refusal(replace(DRAFT, title="", description="", duration_minutes=1))
    assert error.params == {"field": "titre"}


def test_reason_is_trimmed() -> None:
    assert validated_reason("  Précisez le public visé.\n") == "Précisez le public visé."


@pytest.mark.parametrize("blank", ["", "  ", "\n"])
def test_empty_reason_is_refused(blank: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        validated_reason(blank)
    assert refused.value.key == "error.input.empty"
    assert refused.value.params == {"field": "motif"}


def test_too_long_reason_is_refused() -> None:
    assert validated_reason("m" * REASON_MAX) == "m" * REASON_MAX
    with pytest.raises(InvalidInput) as refused:
        validated_reason("m" * (REASON_MAX + 1))
    assert refused.value.key == "error.input.too_long"
    assert refused.value.params == {"field": "motif", "maximum": REASON_MAX, "length": REASON_MAX + 1}

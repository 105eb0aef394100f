"""Corrections of a Fabrique: what it says and who runs it, before and after, so the team can read and undo them.

Pure rules: a ``Content`` is everything a correction may change; ``changes_between`` says which fields moved (what
the card shows, what an undo restores); the team's own operations on people and places are checked here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from bot.domain.lifecycle import State
from bot.domain.proposal import Format, Parcours
from bot.domain.registration import effective_capacity
from bot.errors import InvalidInput

MAX_COORGANIZERS = 5  # enough for a collective; keeps the card and the announcement readable
# Until the team has approved it, a proposal is the organizer's draft: their edits are not for the team to undo.
APPROVED_ONWARDS = frozenset({State.APPROVED, State.SCHEDULED, State.ANNOUNCED})


class Field(StrEnum):
    """The fields a correction may change, in the order the card lists them."""

    TITLE = "title"
    DESCRIPTION = "description"
    SPEAKER = "speaker"
    NEEDS = "needs"
    FORMAT = "format"
    PARCOURS = "parcours"
    DURATION = "duration_minutes"
    CAPACITY = "capacity"
    ORGANIZER = "organizer_id"
    COORGANIZERS = "coorganizer_ids"


Value = str | int | tuple[int, ...]


@dataclass(frozen=True)
class Content:
    title: str
    description: str
    speaker: str
    needs: str
    format: Format
    parcours: Parcours
    duration_minutes: int
    capacity: int
    organizer_id: int
    coorganizer_ids: tuple[int, ...]

    def value(self, field: Field) -> Value:
        value: Value = getattr(self, field.value)
        return value

    def with_values(self, values: dict[Field, Value]) -> Content:
        """A copy where each given field holds the given value (an undo restores the « before » values)."""
        coerced: dict[str, object] = {}
        for field, value in values.items():
            if field is Field.FORMAT:
                coerced[field.value] = Format(str(value))
            elif field is Field.PARCOURS:
                coerced[field.value] = Parcours(str(value))
            elif field is Field.COORGANIZERS:
                coerced[field.value] = tuple(value) if isinstance(value, tuple | list) else ()
            else:
                coerced[field.value] = value
        return replace(self, **coerced)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Change:
    field: Field
    before: Value
    after: Value


def changes_between(before: Content, after: Content) -> tuple[Change, ...]:
    return tuple(
        Change(field, before.value(field), after.value(field))
        for field in Field
        if before.value(field) != after.value(field)
    )


def undoable(state_before: State, *, by_team: bool) -> bool:
    """An organizer's edit after approval is shown to the team, which may undo it; the team's own are final."""
    return not by_team and state_before in APPROVED_ONWARDS


def check_places(places: int, *, booked: bool, confirmed: int) -> None:
    """Places belong to a booked session and never drop below the seats already given (nobody is unseated)."""
    if places < 0:
        raise InvalidInput("error.input.capacity")
    if not booked:
        raise InvalidInput("error.correct.places_unbooked")
    if effective_capacity(places) < confirmed:
        raise InvalidInput("error.correct.places_below_registered", places=places, confirmed=confirmed)


def with_organizer(content: Content, organizer_id: int) -> Content:
    """Hand the Fabrique to someone else; a co-organizer who becomes the organizer leaves the co-organizers."""
    coorganizers = tuple(i for i in content.coorganizer_ids if i != organizer_id)
    return replace(content, organizer_id=organizer_id, coorganizer_ids=coorganizers)


def with_coorganizer(content: Content, user_id: int) -> Content:
    if user_id == content.organizer_id:
        raise InvalidInput("error.correct.coorganizer_is_organizer")
    if user_id in content.coorganizer_ids:
        return content
    if len(content.coorganizer_ids) >= MAX_COORGANIZERS:
        raise InvalidInput("error.correct.too_many_coorganizers", maximum=MAX_COORGANIZERS)
    return replace(content, coorganizer_ids=(*content.coorganizer_ids, user_id))


def without_coorganizer(content: Content, user_id: int) -> Content:
    if user_id not in content.coorganizer_ids:
        raise InvalidInput("error.correct.not_coorganizer")
    return replace(content, coorganizer_ids=tuple(i for i in content.coorganizer_ids if i != user_id))

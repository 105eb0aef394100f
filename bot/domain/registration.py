"""Capacity and waitlist: who gets a seat, who waits, who is promoted when a seat frees up."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

ZOOM_MAX_PARTICIPANTS = 100  # the community's Zoom licence: a hard ceiling whatever the configured capacity


class Status(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"


class Source(StrEnum):
    """How the person registered; reactions are reconciled at start, so they must be told apart."""

    REACTION = "reaction"
    BUTTON = "button"
    COMMAND = "command"
    TEAM = "team"  # the team registered them (a member, or someone outside Discord)
    EVENT = "event"  # « Intéressé » on the session's Discord scheduled event


def effective_capacity(capacity: int) -> int:
    """0 means "no limit of our own", which is still Zoom's limit."""
    return min(capacity, ZOOM_MAX_PARTICIPANTS) if capacity > 0 else ZOOM_MAX_PARTICIPANTS


def status_for_newcomer(capacity: int, confirmed: int) -> Status:
    return Status.CONFIRMED if confirmed < effective_capacity(capacity) else Status.WAITLISTED


def promotions(capacity: int, confirmed: int, waitlist_in_order: Sequence[int]) -> list[int]:
    """Registration ids to move from the waitlist to a seat, first come first served."""
    free = max(0, effective_capacity(capacity) - confirmed)
    return list(waitlist_in_order[:free])

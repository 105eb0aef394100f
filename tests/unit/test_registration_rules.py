"""Capacity, waitlist and promotions, as plain rules."""

from __future__ import annotations

import pytest

from bot.domain.registration import (
    ZOOM_MAX_PARTICIPANTS,
    Status,
    effective_capacity,
    promotions,
    status_for_newcomer,
)


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [(0, 100), (-5, 100), (1, 1), (25, 25), (99, 99), (100, 100), (101, 100), (150, 100)],
)
def test_effective_capacity(capacity: int, expected: int) -> None:
    assert effective_capacity(capacity) == expected


def test_zoom_limit_is_one_hundred() -> None:
    assert ZOOM_MAX_PARTICIPANTS == 100


@pytest.mark.parametrize(
    ("capacity", "confirmed", "expected"),
    [
        (3, 0, Status.CONFIRMED),
        (3, 2, Status.CONFIRMED),
        (3, 3, Status.WAITLISTED),
        (3, 7, Status.WAITLISTED),
        (0, 0, Status.CONFIRMED),
        (0, 99, Status.CONFIRMED),
        (0, 100, Status.WAITLISTED),
        (150, 99, Status.CONFIRMED),
        (150, 100, Status.WAITLISTED),
        (1, 0, Status.CONFIRMED),
        (1, 1, Status.WAITLISTED),
    ],
)
def test_status_for_newcomer(capacity: int, confirmed: int, expected: Status) -> None:
    assert status_for_newcomer(capacity, confirmed) is expected


def test_promotions_keep_the_waitlist_order() -> None:
    assert promotions(3, 2, [41, 17, 99]) == [41]
    assert promotions(5, 2, [41, 17, 99, 3]) == [41, 17, 99]


def test_promotions_only_fill_free_seats() -> None:
    waiting = [10, 11, 12]
    assert promotions(3, 3, waiting) == []
    assert promotions(3, 4, waiting) == []  # more seated than seats (capacity lowered): nobody moves up
    assert promotions(3, 0, waiting) == [10, 11, 12]
    assert promotions(10, 0, waiting) == [10, 11, 12]


def test_promotions_with_an_empty_waitlist() -> None:
    assert promotions(3, 1, []) == []


def test_promotions_with_no_limit_use_zooms() -> None:
    waiting = list(range(1, 11))
    assert promotions(0, 95, waiting) == [1, 2, 3, 4, 5]
    assert promotions(150, 98, waiting) == [1, 2]
    assert promotions(0, 100, waiting) == []


def test_promotions_accept_any_sequence_and_return_a_list() -> None:
    result = promotions(2, 0, (7, 8, 9))
    assert result == [7, 8]
    assert isinstance(result, list)

"""Time rules: reading what people type in the guild's zone, overlaps, booking rules and monthly recurrences."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.proposal import Parcours
from bot.domain.schedule import (
    MAX_SLOT_MINUTES,
    MIN_SLOT_MINUTES,
    Interval,
    check_bookable,
    first_conflict,
    monthly_occurrences,
    new_slot,
    parse_local,
    parse_time,
)
from bot.errors import InvalidInput, InvalidState

PARIS = ZoneInfo("Europe/Paris")
BUFFER = timedelta(minutes=15)
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
LEAD_DAYS = {Parcours.CLASSIQUE: 7, Parcours.EXPRESS: 2}

TUESDAY = 1
FRIDAY = 4


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def interval(start: datetime, minutes: int) -> Interval:
    return Interval(start, start + timedelta(minutes=minutes))


# --- parse_local -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_text", "time_text", "expected"),
    [
        ("04/05/2027", "14:00", utc(2027, 5, 4, 12, 0)),  # summer time: UTC+2
        ("14/01/2027", "14:00", utc(2027, 1, 14, 13, 0)),  # winter time: UTC+1
        ("28/03/2027", "14:00", utc(2027, 3, 28, 12, 0)),  # the day clocks go forward, after the change
        ("31/10/2027", "14:00", utc(2027, 10, 31, 13, 0)),  # the day clocks go back, after the change
        ("28/03/2027", "01:30", utc(2027, 3, 28, 0, 30)),  # the day clocks go forward, before the change
    ],
)
def test_parse_local_reads_the_guild_zone_into_utc(date_text: str, time_text: str, expected: datetime) -> None:
    result = parse_local(date_text, time_text, PARIS)
    assert result == expected
    assert result.tzinfo is UTC


def test_parse_local_strips_blanks() -> None:
    assert parse_local("  04/05/2027 ", " 14:00  ", PARIS) == utc(2027, 5, 4, 12, 0)


def test_a_time_in_the_spring_forward_gap_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_local("28/03/2027", "02:30", PARIS)
    assert refused.value.key == "error.input.nonexistent_time"
    assert refused.value.params == {"date": "28/03/2027", "time": "02:30"}


def test_an_ambiguous_autumn_time_is_the_first_occurrence() -> None:
    assert parse_local("31/10/2027", "02:30", PARIS) == utc(2027, 10, 31, 0, 30)


@pytest.mark.parametrize("text", ["31/02/2027", "demain", "", "   ", "04/05", "04/13/2027", "1/2/3/4"])
def test_a_bad_date_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_local(text, "14:00", PARIS)
    assert refused.value.key == "error.input.date"
    assert refused.value.params == {"value": text.strip()}


def test_a_long_bad_date_is_shown_back_truncated() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_local("x" * 50, "14:00", PARIS)
    assert refused.value.params == {"value": "x" * 20}


@pytest.mark.parametrize("text", ["25:00", "abc", "", "14:60", "14:00:00", "h"])
def test_a_bad_time_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_local("04/05/2027", text, PARIS)
    assert refused.value.key == "error.input.time"
    assert refused.value.params == {"value": text.strip()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:00", time(14, 0)),
        ("14h", time(14, 0)),
        ("14h30", time(14, 30)),
        ("14H30", time(14, 30)),
        ("9:05", time(9, 5)),
        (" 9h05 ", time(9, 5)),
        ("00:00", time(0, 0)),
    ],
)
def test_accepted_time_spellings(text: str, expected: time) -> None:
    assert parse_time(text) == expected


def test_accepted_spellings_through_parse_local() -> None:
    assert parse_local("04/05/2027", "14h", PARIS) == utc(2027, 5, 4, 12, 0)
    assert parse_local("04/05/2027", "14h30", PARIS) == utc(2027, 5, 4, 12, 30)
    assert parse_local("04/05/2027", "9:05", PARIS) == utc(2027, 5, 4, 7, 5)


def test_other_date_separators_are_accepted() -> None:
    assert parse_local("04-05-2027", "14:00", PARIS) == utc(2027, 5, 4, 12, 0)
    assert parse_local("4.5.2027", "14:00", PARIS) == utc(2027, 5, 4, 12, 0)


# --- Interval ----------------------------------------------------------------------------------------------------


def test_interval_minutes() -> None:
    assert interval(utc(2027, 5, 4, 12, 0), 90).minutes == 90


def test_overlapping_intervals_overlap() -> None:
    first = interval(utc(2027, 5, 4, 12, 0), 120)
    second = interval(utc(2027, 5, 4, 13, 0), 120)
    assert first.overlaps(second, timedelta(0))
    assert second.overlaps(first, timedelta(0))
    inner = interval(utc(2027, 5, 4, 12, 30), 30)
    assert first.overlaps(inner, BUFFER)
    assert inner.overlaps(first, BUFFER)


def test_touching_edges_overlap_within_the_buffer_either_way() -> None:
    first = interval(utc(2027, 5, 4, 12, 0), 60)  # ends 13:00
    after = interval(utc(2027, 5, 4, 13, 0), 60)  # starts exactly at the end
    assert first.overlaps(after, BUFFER)
    assert after.overlaps(first, BUFFER)
    within = interval(utc(2027, 5, 4, 13, 14), 60)
    assert first.overlaps(within, BUFFER)
    assert within.overlaps(first, BUFFER)


def test_intervals_at_or_beyond_the_buffer_do_not_overlap() -> None:
    first = interval(utc(2027, 5, 4, 12, 0), 60)
    exactly = interval(utc(2027, 5, 4, 13, 15), 60)  # the full changeover time is left
    beyond = interval(utc(2027, 5, 4, 13, 16), 60)
    before = interval(utc(2027, 5, 4, 10, 45), 60)  # ends 11:45, 15 min before
    for other in (exactly, beyond, before):
        assert not first.overlaps(other, BUFFER)
        assert not other.overlaps(first, BUFFER)


def test_touching_edges_without_buffer_do_not_overlap() -> None:
    first = interval(utc(2027, 5, 4, 12, 0), 60)
    after = interval(utc(2027, 5, 4, 13, 0), 60)
    assert not first.overlaps(after, timedelta(0))
    assert not after.overlaps(first, timedelta(0))


# --- new_slot ----------------------------------------------------------------------------------------------------


def test_new_slot() -> None:
    start = NOW + timedelta(days=10)
    assert new_slot(start, 120, NOW) == Interval(start, start + timedelta(minutes=120))
    assert new_slot(start, MIN_SLOT_MINUTES, NOW).minutes == MIN_SLOT_MINUTES
    assert new_slot(start, MAX_SLOT_MINUTES, NOW).minutes == MAX_SLOT_MINUTES


@pytest.mark.parametrize("start", [NOW, NOW - timedelta(minutes=1), NOW - timedelta(days=30)])
def test_a_slot_in_the_past_is_refused(start: datetime) -> None:
    with pytest.raises(InvalidInput) as refused:
        new_slot(start, 120, NOW)
    assert refused.value.key == "error.input.past"


@pytest.mark.parametrize("minutes", [0, -30, MIN_SLOT_MINUTES - 1, MAX_SLOT_MINUTES + 1, 24 * 60])
def test_a_slot_of_the_wrong_length_is_refused(minutes: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        new_slot(NOW + timedelta(days=10), minutes, NOW)
    assert refused.value.key == "error.input.slot_length"
    assert refused.value.params == {"minimum": MIN_SLOT_MINUTES, "maximum": MAX_SLOT_MINUTES}


# --- first_conflict ----------------------------------------------------------------------------------------------


def test_first_conflict_none_when_free() -> None:
    candidate = interval(utc(2027, 5, 4, 12, 0), 60)
    existing = [(1, interval(utc(2027, 5, 4, 9, 0), 60)), (2, interval(utc(2027, 5, 4, 15, 0), 60))]
    assert first_conflict(candidate, existing, BUFFER) is None
    assert first_conflict(candidate, [], BUFFER) is None


def test_first_conflict_returns_the_earliest_conflicting_number() -> None:
    candidate = interval(utc(2027, 5, 4, 12, 0), 240)  # 12:00 - 16:00
    existing = [
        (7, interval(utc(2027, 5, 4, 15, 0), 60)),
        (3, interval(utc(2027, 5, 4, 16, 10), 60)),  # within the buffer after the candidate
        (9, interval(utc(2027, 5, 4, 11, 0), 50)),  # ends 11:50: within the buffer before
        (1, interval(utc(2027, 5, 4, 8, 0), 60)),  # far before: no conflict
    ]
    assert first_conflict(candidate, existing, BUFFER) == 9
    assert first_conflict(candidate, existing, timedelta(0)) == 7


# --- check_bookable ----------------------------------------------------------------------------------------------


def test_a_slot_far_enough_and_long_enough_is_bookable() -> None:
    slot = interval(NOW + timedelta(days=7), 120)
    check_bookable(slot, 120, Parcours.CLASSIQUE, NOW, LEAD_DAYS)
    check_bookable(slot, 90, Parcours.EXPRESS, NOW, LEAD_DAYS)


@pytest.mark.parametrize("start", [NOW, NOW - timedelta(hours=1)])
def test_a_past_slot_is_not_bookable(start: datetime) -> None:
    with pytest.raises(InvalidState) as refused:
        check_bookable(interval(start, 120), 90, Parcours.EXPRESS, NOW, LEAD_DAYS)
    assert refused.value.key == "error.slot.past"


def test_a_short_slot_is_not_bookable() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_bookable(interval(NOW + timedelta(days=30), 90), 120, Parcours.CLASSIQUE, NOW, LEAD_DAYS)
    assert refused.value.key == "error.slot.too_short"
    assert refused.value.params == {"slot_minutes": 90, "needed": 120}


@pytest.mark.parametrize(("parcours", "days"), [(Parcours.CLASSIQUE, 7), (Parcours.EXPRESS, 2)])
def test_lead_days_depend_on_the_parcours(parcours: Parcours, days: int) -> None:
    just_too_soon = interval(NOW + timedelta(days=days) - timedelta(minutes=1), 120)
    with pytest.raises(InvalidInput) as refused:
        check_bookable(just_too_soon, 120, parcours, NOW, LEAD_DAYS)
    assert refused.value.key == "error.slot.too_soon"
    assert refused.value.params == {"days": days, "parcours": parcours}
    check_bookable(interval(NOW + timedelta(days=days), 120), 120, parcours, NOW, LEAD_DAYS)


def test_a_slot_three_days_ahead_suits_express_but_not_classique() -> None:
    slot = interval(NOW + timedelta(days=3), 120)
    check_bookable(slot, 120, Parcours.EXPRESS, NOW, LEAD_DAYS)
    with pytest.raises(InvalidInput) as refused:
        check_bookable(slot, 120, Parcours.CLASSIQUE, NOW, LEAD_DAYS)
    assert refused.value.key == "error.slot.too_soon"


def test_configured_lead_days_are_used() -> None:
    slot = interval(NOW + timedelta(days=3), 120)
    with pytest.raises(InvalidInput):
        check_bookable(slot, 120, Parcours.EXPRESS, NOW, {Parcours.CLASSIQUE: 7, Parcours.EXPRESS: 5})
    check_bookable(slot, 120, Parcours.CLASSIQUE, NOW, {Parcours.CLASSIQUE: 0, Parcours.EXPRESS: 0})


# --- monthly_occurrences -----------------------------------------------------------------------------------------


def test_first_tuesday_at_half_past_twelve_follows_daylight_saving() -> None:
    result = monthly_occurrences(TUESDAY, 1, time(12, 30), PARIS, utc(2027, 3, 1, 0, 0), 3)
    assert result == [
        utc(2027, 3, 2, 11, 30),  # winter time
        utc(2027, 4, 6, 10, 30),  # summer time
        utc(2027, 5, 4, 10, 30),
    ]
    assert all(moment.tzinfo is UTC for moment in result)


def test_last_friday_of_the_month() -> None:
    result = monthly_occurrences(FRIDAY, -1, time(18, 0), PARIS, utc(2027, 1, 1, 0, 0), 4)
    assert result == [
        utc(2027, 1, 29, 17, 0),
        utc(2027, 2, 26, 17, 0),
        utc(2027, 3, 26, 17, 0),  # the Sunday after is the switch to summer time
        utc(2027, 4, 30, 16, 0),
    ]


def test_second_and_fourth_ordinals() -> None:
    assert monthly_occurrences(TUESDAY, 2, time(12, 30), PARIS, utc(2027, 3, 1, 0, 0), 1) == [utc(2027, 3, 9, 11, 30)]
    assert monthly_occurrences(TUESDAY, 4, time(12, 30), PARIS, utc(2027, 3, 1, 0, 0), 1) == [utc(2027, 3, 23, 11, 30)]


def test_an_occurrence_already_past_this_month_is_skipped() -> None:
    result = monthly_occurrences(TUESDAY, 1, time(12, 30), PARIS, utc(2027, 3, 3, 9, 0), 2)
    assert result == [utc(2027, 4, 6, 10, 30), utc(2027, 5, 4, 10, 30)]


def test_an_occurrence_at_the_very_moment_is_skipped_but_one_a_minute_later_is_not() -> None:
    at_the_moment = utc(2027, 3, 2, 11, 30)
    assert monthly_occurrences(TUESDAY, 1, time(12, 30), PARIS, at_the_moment, 1) == [utc(2027, 4, 6, 10, 30)]
    just_before = at_the_moment - timedelta(minutes=1)
    assert monthly_occurrences(TUESDAY, 1, time(12, 30), PARIS, just_before, 1) == [at_the_moment]


def test_occurrences_cross_the_year_boundary() -> None:
    result = monthly_occurrences(TUESDAY, 1, time(12, 30), PARIS, utc(2027, 11, 15, 0, 0), 3)
    assert result == [utc(2027, 12, 7, 11, 30), utc(2028, 1, 4, 11, 30), utc(2028, 2, 1, 11, 30)]


def test_the_month_is_read_in_the_guild_zone() -> None:
    # 1 May 02:00 UTC is still 30 April in New York: April's last Friday at 23:00 there is still to come.
    new_york = ZoneInfo("America/New_York")
    result = monthly_occurrences(FRIDAY, -1, time(23, 0), new_york, utc(2027, 5, 1, 2, 0), 2)
    assert result == [utc(2027, 5, 1, 3, 0), utc(2027, 5, 29, 3, 0)]


def test_count_gives_that_many_distinct_increasing_dates() -> None:
    result = monthly_occurrences(TUESDAY, 1, time(12, 30), PARIS, NOW, 12)
    assert len(result) == 12
    assert result == sorted(set(result))
    assert all(moment > NOW for moment in result)
    assert all(moment.astimezone(PARIS).weekday() == TUESDAY for moment in result)
    assert all(moment.astimezone(PARIS).day <= 7 for moment in result)
    assert all(moment.astimezone(PARIS).time() == time(12, 30) for moment in result)

"""The welcome rule's dates and window (bot.domain.welcome): local time kept across DST changes, the window that
opens announce_days before its first date and moves on when that session ends, and the values refused."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.welcome import ORDINALS, WelcomeRule, month_after, window
from bot.errors import InvalidInput
from bot.i18n import fr

PARIS = ZoneInfo("Europe/Paris")
TUESDAY, SUNDAY = 1, 6
FIRST_TUESDAY = WelcomeRule(weekday=TUESDAY, ordinal=1, at=time(12, 30))
SINCE = datetime(2026, 1, 1, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def dates(rule: WelcomeRule, now: datetime, *, since: datetime = SINCE, days: int = 30) -> tuple[datetime, ...]:
    return window(rule, PARIS, since=since, now=now, announce_days=days).dates


def test_the_local_hour_stays_across_the_spring_change() -> None:
    """12:30 in Paris is 11:30 UTC on 3 March (winter) and 10:30 UTC on 7 April (summer, from 29 March)."""
    rule = FIRST_TUESDAY.with_changes(ahead=3)
    assert dates(rule, utc(2026, 2, 20)) == (utc(2026, 3, 3, 11, 30), utc(2026, 4, 7, 10, 30), utc(2026, 5, 5, 10, 30))


def test_the_local_hour_stays_across_the_autumn_change() -> None:
    """The last Sunday of October 2026 (the 25th) is the day clocks go back: 12:30 is 11:30 UTC again."""
    rule = WelcomeRule(weekday=SUNDAY, ordinal=-1, at=time(12, 30), ahead=2)
    assert dates(rule, utc(2026, 9, 1)) == (utc(2026, 9, 27, 10, 30), utc(2026, 10, 25, 11, 30))


def test_a_time_in_the_spring_gap_lands_after_it_and_an_ambiguous_one_takes_the_first() -> None:
    night = WelcomeRule(weekday=SUNDAY, ordinal=-1, at=time(2, 30))
    assert dates(night, utc(2026, 3, 1)) == (utc(2026, 3, 29, 1, 30),)  # 03:30 summer time: 02:30 does not exist
    assert dates(night, utc(2026, 10, 1)) == (utc(2026, 10, 25, 0, 30),)  # the first 02:30 (summer time)


def test_the_window_opens_announce_days_before_its_first_date() -> None:
    before = window(FIRST_TUESDAY, PARIS, since=SINCE, now=utc(2026, 2, 1), announce_days=30)
    assert before.dates == (utc(2026, 2, 3, 11, 30),)
    assert before.opens_at == utc(2026, 1, 4, 11, 30)
    assert before.is_open(utc(2026, 2, 1))
    assert before.to_make(utc(2026, 2, 1), existing=set()) == [utc(2026, 2, 3, 11, 30)]
    assert before.to_make(utc(2026, 2, 1), existing={utc(2026, 2, 3, 11, 30)}) == []  # never made twice

    april = window(FIRST_TUESDAY, PARIS, since=SINCE, now=utc(2026, 3, 4), announce_days=30)
    assert april.dates == (utc(2026, 4, 7, 10, 30),)
    assert not april.is_open(utc(2026, 3, 4))
    assert april.to_make(utc(2026, 3, 4), existing=set()) == []
    assert april.next_change(utc(2026, 3, 4)) == utc(2026, 3, 8, 10, 30)


def test_the_window_moves_on_when_its_first_session_ends() -> None:
    during = utc(2026, 2, 3, 11, 45)  # February's session is on: it is still the window's first date…
    current = window(FIRST_TUESDAY, PARIS, since=SINCE, now=during, announce_days=30)
    assert current.dates == (utc(2026, 2, 3, 11, 30),)
    assert current.to_make(during, existing=set()) == []  # …but one that has started is never made
    assert current.next_change(during) == utc(2026, 2, 3, 12, 0)
    after = window(FIRST_TUESDAY, PARIS, since=SINCE, now=utc(2026, 2, 3, 12, 0), announce_days=30)
    assert after.dates == (utc(2026, 3, 3, 11, 30),)


def test_dates_start_after_since() -> None:
    since = month_after(utc(2026, 1, 6, 11, 30), PARIS)
    assert since == utc(2026, 1, 31, 23, 0)  # 1 February, midnight in Paris
    assert dates(FIRST_TUESDAY, utc(2026, 1, 2), since=since) == (utc(2026, 2, 3, 11, 30),)
    assert month_after(utc(2026, 12, 15), PARIS) == utc(2026, 12, 31, 23, 0)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"weekday": 7}, "error.welcome.weekday"),
        ({"ordinal": 5}, "error.welcome.rank"),
        ({"ordinal": 0}, "error.welcome.rank"),
        ({"duration_minutes": 10}, "error.welcome.duration"),
        ({"duration_minutes": 121}, "error.welcome.duration"),
        ({"capacity": 101}, "error.welcome.capacity"),
        ({"ahead": 0}, "error.input.count"),
        ({"ahead": 13}, "error.input.count"),
    ],
)
def test_values_out_of_range_are_refused(changes: dict[str, int], key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        FIRST_TUESDAY.with_changes(**changes).validated()
    assert refused.value.key == key


def test_changes_name_only_what_differs() -> None:
    later = FIRST_TUESDAY.with_changes(at=time(13, 0), capacity=None)
    assert later.changed(FIRST_TUESDAY) == ["at"]
    assert FIRST_TUESDAY.changed(FIRST_TUESDAY) == []
    assert FIRST_TUESDAY.changed(None) == [f.name for f in fields(WelcomeRule)]


def test_keys_built_at_run_time_exist() -> None:
    keys = [f"welcome.rank.{ordinal}" for ordinal in ORDINALS] + [
        f"welcome.field.{f.name}" for f in fields(WelcomeRule)
    ]
    assert [key for key in keys if key not in fr.MESSAGES] == []

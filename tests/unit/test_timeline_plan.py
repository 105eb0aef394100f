"""The timeline as a pure function: what a session owes to whom and when, and whether a late item still matters."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from bot.domain.lifecycle import State
from bot.domain.proposal import Parcours
from bot.domain.timeline import (
    PLANNED_STATES,
    Planned,
    Session,
    TimelineSettings,
    Work,
    link_notice_key,
    plan,
    reminder_key_prefix,
    replanned,
    still_meaningful,
)

START = datetime(2027, 3, 15, 13, 0, tzinfo=UTC)
END = START + timedelta(minutes=120)
STAMP = int(START.timestamp())
ALICE = 800000000000000003
COORGANIZER = 800000000000000007
BOB = 810000000000000001
CAROL = 810000000000000002

SETTINGS = TimelineSettings(
    reminders_before_minutes=(1440, 60),
    prompt_after_minutes=15,
    chase_after_days=(3, 7),
    deadline_days=14,
)

SESSION = Session(
    id=12,
    state=State.ANNOUNCED,
    starts_at=START,
    ends_at=END,
    parcours=Parcours.CLASSIQUE,
    organizer_ids=(ALICE, COORGANIZER),
    documented=False,
)


def by_kind(items: list[Planned], kind: Work) -> set[tuple[datetime, int | None, int]]:
    return {(item.due_at, item.user_id, item.amount) for item in items if item.kind is kind}


def test_a_classique_session_owes_everything_at_the_right_times() -> None:
    items = plan(SESSION, [BOB, CAROL], SETTINGS)

    assert by_kind(items, Work.REMINDER) == {
        (START - timedelta(hours=24), BOB, 1440),
        (START - timedelta(hours=1), BOB, 60),
        (START - timedelta(hours=24), CAROL, 1440),
        (START - timedelta(hours=1), CAROL, 60),
    }
    assert by_kind(items, Work.CHECKLIST) == {
        (START - timedelta(days=7), ALICE, 7),
        (START - timedelta(days=2), ALICE, 2),
        (START - timedelta(days=7), COORGANIZER, 7),
        (START - timedelta(days=2), COORGANIZER, 2),
    }
    assert by_kind(items, Work.START) == {(START, None, 0)}
    assert by_kind(items, Work.END) == {(END, None, 0)}
    assert by_kind(items, Work.RECAP) == {
        (END + timedelta(minutes=15), ALICE, 0),
        (END + timedelta(minutes=15), COORGANIZER, 0),
    }
    assert by_kind(items, Work.CHASER) == {
        (END + timedelta(days=3), ALICE, 3),
        (END + timedelta(days=7), ALICE, 7),
        (END + timedelta(days=3), COORGANIZER, 3),
        (END + timedelta(days=7), COORGANIZER, 7),
    }
    assert by_kind(items, Work.DEADLINE) == {(END + timedelta(days=14), None, 14)}
    assert by_kind(items, Work.HOST_LINKS) == {  # the organizers' links come with the last reminder
        (START - timedelta(hours=1), ALICE, 60),
        (START - timedelta(hours=1), COORGANIZER, 60),
    }
    assert Counter(item.kind for item in items) == {
        Work.REMINDER: 4,
        Work.CHECKLIST: 4,
        Work.START: 1,
        Work.END: 1,
        Work.RECAP: 2,
        Work.CHASER: 4,
        Work.DEADLINE: 1,
        Work.HOST_LINKS: 2,
    }
    for item in items:
        assert item.due_at.tzinfo is not None


def test_keys_are_unique_and_name_the_date() -> None:
    items = plan(SESSION, [BOB, CAROL], SETTINGS)
    keys = [item.key for item in items]
    assert len(keys) == len(set(keys))
    for item in items:
        assert item.key.startswith(f"{SESSION.id}:{STAMP}:"), item.key
        assert item.kind.value in item.key

    # The same session on the same date plans the same keys: a re-plan is idempotent.
    assert [item.key for item in plan(SESSION, [BOB, CAROL], SETTINGS)] == keys

    # Moved a week later: every key is new, so what was sent for the old date does not hide the new reminders.
    moved = replace(SESSION, starts_at=START + timedelta(days=7), ends_at=END + timedelta(days=7))
    moved_keys = {item.key for item in plan(moved, [BOB, CAROL], SETTINGS)}
    assert len(moved_keys) == len(keys)
    assert moved_keys.isdisjoint(keys)
    assert all(f":{int(moved.starts_at.timestamp())}:" in key for key in moved_keys)

    # Another session on the same date does not collide either.
    other = {item.key for item in plan(replace(SESSION, id=13), [BOB, CAROL], SETTINGS)}
    assert other.isdisjoint(keys)


def test_reminder_keys_name_the_person_and_the_delay() -> None:
    items = plan(SESSION, [BOB], SETTINGS)
    reminders = {item.key for item in items if item.kind is Work.REMINDER}
    assert reminders == {f"12:{STAMP}:reminder:1440:{BOB}", f"12:{STAMP}:reminder:60:{BOB}"}


def test_an_express_session_gets_one_checklist_two_days_before() -> None:
    express = replace(SESSION, parcours=Parcours.EXPRESS, organizer_ids=(ALICE,))
    items = plan(express, [BOB], SETTINGS)
    assert by_kind(items, Work.CHECKLIST) == {(START - timedelta(days=2), ALICE, 2)}
    assert by_kind(items, Work.RECAP) == {(END + timedelta(minutes=15), ALICE, 0)}


def test_nobody_seated_still_plans_the_session_itself() -> None:
    items = plan(SESSION, [], SETTINGS)
    assert by_kind(items, Work.REMINDER) == set()
    # No Zoom meeting of ours; no link change (written by the change itself, not planned); nothing held.
    unplanned = {Work.REMINDER, Work.RECORDING, Work.LINK_CHANGED, Work.HOLD_REMINDER, Work.HOLD_EXPIRY}
    assert {item.kind for item in items} == set(Work) - unplanned


def test_a_held_booking_owes_a_reminder_the_day_before_its_release_and_the_release() -> None:
    confirm_by = START - timedelta(days=10)
    held = replace(SESSION, state=State.SCHEDULED, confirm_by=confirm_by)
    items = plan(held, [], SETTINGS)
    assert by_kind(items, Work.HOLD_REMINDER) == {
        (confirm_by - timedelta(days=1), ALICE, 0),
        (confirm_by - timedelta(days=1), COORGANIZER, 0),
    }
    assert by_kind(items, Work.HOLD_EXPIRY) == {(confirm_by, None, 0)}
    assert len(items) == 3  # nothing else: the session is not announced
    moved = replace(held, starts_at=START + timedelta(days=7), ends_at=END + timedelta(days=7))
    assert {i.key for i in plan(moved, [], SETTINGS)} == {i.key for i in items}  # a move reminds nobody twice
    assert plan(replace(held, confirm_by=None), [], SETTINGS) == []  # confirmed: nothing left to do while scheduled


def test_link_notices_are_not_the_plans_to_remove() -> None:
    key = link_notice_key(SESSION.id, START, 2, BOB)
    assert key == f"12:{STAMP}:link_changed:2:{BOB}" and not replanned(key)
    assert all(replanned(item.key) for item in plan(SESSION, [BOB, CAROL], SETTINGS))
    reminder = next(item for item in plan(SESSION, [BOB], SETTINGS) if item.kind is Work.REMINDER)
    assert reminder.key.startswith(reminder_key_prefix(SESSION.id, START))


def test_the_settings_drive_the_delays() -> None:
    settings = TimelineSettings(
        reminders_before_minutes=(30,), prompt_after_minutes=0, chase_after_days=(1,), deadline_days=5
    )
    items = plan(replace(SESSION, organizer_ids=(ALICE,)), [BOB], settings)
    assert by_kind(items, Work.REMINDER) == {(START - timedelta(minutes=30), BOB, 30)}
    assert by_kind(items, Work.RECAP) == {(END, ALICE, 0)}
    assert by_kind(items, Work.CHASER) == {(END + timedelta(days=1), ALICE, 1)}
    assert by_kind(items, Work.DEADLINE) == {(END + timedelta(days=5), None, 5)}


def test_a_documented_session_owes_no_documentation_work() -> None:
    """Welcome sessions are planned with documented=True: reminders, start, end, and the host's links."""
    items = plan(replace(SESSION, documented=True), [BOB], SETTINGS)
    assert {item.kind for item in items} == {Work.REMINDER, Work.START, Work.END, Work.HOST_LINKS}
    assert len(by_kind(items, Work.REMINDER)) == 2


@pytest.mark.parametrize("state", [State.HELD, State.DOCUMENTATION_DUE, State.DOCUMENTING])
def test_sessions_past_the_announcement_are_still_planned(state: State) -> None:
    assert state in PLANNED_STATES
    assert {item.key for item in plan(replace(SESSION, state=state), [BOB], SETTINGS)} == {
        item.key for item in plan(SESSION, [BOB], SETTINGS)
    }


@pytest.mark.parametrize("state", sorted(set(State) - PLANNED_STATES))
def test_states_outside_the_planned_ones_owe_nothing(state: State) -> None:
    assert plan(replace(SESSION, state=state), [BOB, CAROL], SETTINGS) == []


# --- Zoom's cloud recording ----------------------------------------------------------------------------------------

WITH_CLOUD = replace(SETTINGS, recording_wait_hours=24)


def test_zoom_is_asked_with_growing_intervals_up_to_the_wait() -> None:
    items = plan(replace(SESSION, zoom_meeting=True), [BOB], WITH_CLOUD)

    minutes = [15, 30, 60, 120, 240, 480, 960, 1440]
    assert by_kind(items, Work.RECORDING) == {(END + timedelta(minutes=m), None, m) for m in minutes}
    assert {item.key for item in items if item.kind is Work.RECORDING} == {f"12:{STAMP}:recording:{m}" for m in minutes}


@pytest.mark.parametrize(("hours", "minutes"), [(1, [15, 30, 60]), (3, [15, 30, 60, 120, 180]), (720, None)])
def test_the_last_poll_is_at_the_end_of_the_wait(hours: int, minutes: list[int] | None) -> None:
    items = plan(replace(SESSION, zoom_meeting=True), [], replace(SETTINGS, recording_wait_hours=hours))
    found = sorted(item.amount for item in items if item.kind is Work.RECORDING)
    assert found[-1] == hours * 60
    assert found == minutes or minutes is None
    assert all(later >= 2 * earlier or later == hours * 60 for earlier, later in pairwise(found))


def test_zoom_is_not_asked_without_a_meeting_of_ours_or_without_cloud_recording() -> None:
    assert by_kind(plan(SESSION, [BOB], WITH_CLOUD), Work.RECORDING) == set()  # a link the team pasted
    assert by_kind(plan(replace(SESSION, zoom_meeting=True), [BOB], SETTINGS), Work.RECORDING) == set()
    welcome = replace(SESSION, zoom_meeting=True, documented=True)
    assert by_kind(plan(welcome, [BOB], WITH_CLOUD), Work.RECORDING) == set()


def test_a_moved_session_asks_for_the_recording_of_its_new_date() -> None:
    session = replace(SESSION, zoom_meeting=True)
    later = replace(session, starts_at=START + timedelta(days=7), ends_at=END + timedelta(days=7))
    before = {item.key for item in plan(session, [], WITH_CLOUD) if item.kind is Work.RECORDING}
    after = {item.key for item in plan(later, [], WITH_CLOUD) if item.kind is Work.RECORDING}
    assert before.isdisjoint(after) and len(after) == len(before)


def test_the_planned_states() -> None:
    assert {State.SCHEDULED, State.CANCELLED, State.APPROVED, State.DOCUMENTED}.isdisjoint(PLANNED_STATES)
    assert State.ANNOUNCED in PLANNED_STATES


# --- still_meaningful --------------------------------------------------------------------------------------------

BEFORE = START - timedelta(minutes=1)
DURING = START + timedelta(minutes=30)
AFTER = END + timedelta(days=1)
OWED = (State.HELD, State.DOCUMENTATION_DUE, State.DOCUMENTING)
NOT_OWED = (State.ANNOUNCED, State.DOCUMENTED, State.CANCELLED, State.SCHEDULED, State.APPROVED)


def meaningful(kind: Work, state: State, now: datetime) -> bool:
    return still_meaningful(kind, state, now, START, END)


@pytest.mark.parametrize("kind", [Work.REMINDER, Work.CHECKLIST])
def test_a_reminder_or_checklist_is_only_worth_it_before_the_start(kind: Work) -> None:
    assert meaningful(kind, State.ANNOUNCED, BEFORE)
    assert not meaningful(kind, State.ANNOUNCED, START)
    assert not meaningful(kind, State.ANNOUNCED, DURING)
    assert not meaningful(kind, State.ANNOUNCED, AFTER)
    for state in (State.CANCELLED, State.SCHEDULED, State.HELD, State.APPROVED):
        assert not meaningful(kind, state, BEFORE), state


def test_the_start_notice_is_worth_it_until_the_end() -> None:
    assert meaningful(Work.START, State.ANNOUNCED, START)
    assert meaningful(Work.START, State.ANNOUNCED, DURING)
    assert not meaningful(Work.START, State.ANNOUNCED, END)
    assert not meaningful(Work.START, State.ANNOUNCED, AFTER)
    assert not meaningful(Work.START, State.CANCELLED, START)
    assert not meaningful(Work.START, State.HELD, DURING)


def test_the_end_only_moves_an_announced_session_even_late() -> None:
    assert meaningful(Work.END, State.ANNOUNCED, END)
    assert meaningful(Work.END, State.ANNOUNCED, AFTER + timedelta(days=30))
    for state in (State.HELD, State.DOCUMENTATION_DUE, State.DOCUMENTING, State.DOCUMENTED, State.CANCELLED):
        assert not meaningful(Work.END, state, END), state


@pytest.mark.parametrize("kind", [Work.RECAP, Work.CHASER, Work.DEADLINE, Work.RECORDING])
def test_documentation_work_matters_until_something_is_published(kind: Work) -> None:
    for state in OWED:
        assert meaningful(kind, state, END + timedelta(minutes=15)), state
        assert meaningful(kind, state, AFTER + timedelta(days=60)), state  # still useful late
    for state in NOT_OWED:
        assert not meaningful(kind, state, AFTER), state

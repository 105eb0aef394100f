"""What a session owes to whom, and when: reminders, the organizers' links, preparation checklists, the start
notice, the end, the recap prompt, the chasers and the deadline alert — and, when the bot created the session's Zoom
meeting and Zoom records to the cloud, the times it asks Zoom for the recording. A held booking owes its organizers
a reminder and, unconfirmed, its release.

The plan is a pure function of the session and its seated registrants, so it can be recomputed from scratch
after any change (a move, a cancellation, someone leaving) and stored as due rows that survive restarts.
Each planned item has a key that names it *for this date*: if a session moves, its reminders get new keys and
are sent again for the new date; a reminder already sent for the same date is never planned twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.lifecycle import State
from bot.domain.proposal import Parcours
from bot.domain.recordings import poll_minutes


class Work(StrEnum):
    REMINDER = "reminder"  # a seated registrant, before the start, with the Zoom link
    CHECKLIST = "checklist"  # an organizer, days before, the preparation steps of their parcours
    START = "start"  # the announcement's thread, at the start
    END = "end"  # the session is over: it becomes "held"
    RECAP = "recap"  # the organizer is asked to document, shortly after the end
    CHASER = "chaser"  # the organizer is reminded, days after, while nothing is published
    DEADLINE = "deadline"  # the team is alerted when documentation is late
    RECORDING = "recording"  # Zoom is asked for the cloud recording, with growing intervals after the end
    HOST_LINKS = "host_links"  # an organizer, with the last reminder: the join link and a fresh host link
    LINK_CHANGED = "link_changed"  # a registrant already reminded, when the team changes the Zoom link
    HOLD_REMINDER = "hold_reminder"  # an organizer, a day before an unconfirmed held booking is released
    HOLD_EXPIRY = "hold_expiry"  # a held booking still unconfirmed: its slot is released


class DueStatus(StrEnum):
    """pending → claimed → done | skipped | failed; uncertain marks a send interrupted by a crash (never resent)."""

    PENDING = "pending"
    CLAIMED = "claimed"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNCERTAIN = "uncertain"


CHECKLIST_DAYS = {Parcours.CLASSIQUE: (7, 2), Parcours.EXPRESS: (2,)}
PLANNED_STATES = frozenset({State.ANNOUNCED, State.HELD, State.DOCUMENTATION_DUE, State.DOCUMENTING})
HOLD_REMINDER_BEFORE = timedelta(days=1)
BEFORE_START = frozenset({Work.REMINDER, Work.CHECKLIST, Work.HOST_LINKS, Work.LINK_CHANGED})


@dataclass(frozen=True)
class Session:
    id: int
    state: State
    starts_at: datetime
    ends_at: datetime
    parcours: Parcours
    organizer_ids: tuple[int, ...]
    documented: bool  # welcome sessions, and sessions already documented, owe no documentation
    zoom_meeting: bool = False  # its Zoom meeting is the bot's (created through the API), so Zoom can be asked
    confirm_by: datetime | None = None  # a held booking, released at this moment unless the organizer confirms


@dataclass(frozen=True)
class TimelineSettings:
    reminders_before_minutes: tuple[int, ...]
    prompt_after_minutes: int
    chase_after_days: tuple[int, ...]
    deadline_days: int
    recording_wait_hours: int = 0  # 0: Zoom is never asked for a cloud recording (Zoom off, or not recording there)


@dataclass(frozen=True)
class Planned:
    key: str
    kind: Work
    due_at: datetime
    user_id: int | None = None
    amount: int = 0  # minutes before, or days after, depending on the kind


def plan(
    session: Session, seated: Iterable[int], settings: TimelineSettings, *, now: datetime | None = None
) -> list[Planned]:
    """Everything this session still owes, for its current date; nothing for a cancelled or unbooked one.

    Planned ``now`` (late: a registration an hour before, an announcement the day before), a person gets only the
    latest reminder or checklist already due, not one per delay that has passed; and a hold's « a day before »
    reminder already due (a hold of one day) is not sent on top of the « Annoncer » offered at booking.
    """
    items = _plan(session, seated, settings)
    if now is None:
        return items
    return [i for i in _latest_overdue_only(items, now) if not (i.kind is Work.HOLD_REMINDER and i.due_at <= now)]


def _latest_overdue_only(items: list[Planned], now: datetime) -> list[Planned]:
    latest: dict[tuple[Work, int | None], Planned] = {}
    for item in items:
        if item.kind in (Work.REMINDER, Work.CHECKLIST) and item.due_at <= now:
            key = (item.kind, item.user_id)
            if key not in latest or item.due_at > latest[key].due_at:
                latest[key] = item
    kept = set(map(id, latest.values()))
    return [
        item
        for item in items
        if item.kind not in (Work.REMINDER, Work.CHECKLIST) or item.due_at > now or id(item) in kept
    ]


def _plan(session: Session, seated: Iterable[int], settings: TimelineSettings) -> list[Planned]:
    if session.state is State.SCHEDULED and session.confirm_by is not None:
        return _hold(session.id, session.confirm_by, session.organizer_ids)
    if session.state not in PLANNED_STATES:
        return []
    stamp = int(session.starts_at.timestamp())
    prefix = f"{session.id}:{stamp}"
    items: list[Planned] = []
    for user_id in seated:
        for minutes in settings.reminders_before_minutes:
            due = session.starts_at - timedelta(minutes=minutes)
            items.append(Planned(f"{prefix}:reminder:{minutes}:{user_id}", Work.REMINDER, due, user_id, minutes))
    items.append(Planned(f"{prefix}:start", Work.START, session.starts_at))
    items.append(Planned(f"{prefix}:end", Work.END, session.ends_at))
    last_reminder = min(settings.reminders_before_minutes, default=None)
    if last_reminder is not None:  # organizers (a welcome session's host too) get the links, the host one fresh
        due = session.starts_at - timedelta(minutes=last_reminder)
        for organizer in session.organizer_ids:
            key = f"{prefix}:host_links:{last_reminder}:{organizer}"
            items.append(Planned(key, Work.HOST_LINKS, due, organizer, last_reminder))
    if session.documented:
        return items
    for organizer in session.organizer_ids:
        for days in CHECKLIST_DAYS[session.parcours]:
            due = session.starts_at - timedelta(days=days)
            items.append(Planned(f"{prefix}:checklist:{days}:{organizer}", Work.CHECKLIST, due, organizer, days))
        recap = session.ends_at + timedelta(minutes=settings.prompt_after_minutes)
        items.append(Planned(f"{prefix}:recap:{organizer}", Work.RECAP, recap, organizer))
        for days in settings.chase_after_days:
            due = session.ends_at + timedelta(days=days)
            items.append(Planned(f"{prefix}:chaser:{days}:{organizer}", Work.CHASER, due, organizer, days))
    deadline = session.ends_at + timedelta(days=settings.deadline_days)
    items.append(Planned(f"{prefix}:deadline", Work.DEADLINE, deadline, None, settings.deadline_days))
    if session.zoom_meeting:
        for minutes in poll_minutes(settings.recording_wait_hours):
            due = session.ends_at + timedelta(minutes=minutes)
            items.append(Planned(f"{prefix}:recording:{minutes}", Work.RECORDING, due, None, minutes))
    return items


def _hold(session_id: int, confirm_by: datetime, organizer_ids: tuple[int, ...]) -> list[Planned]:
    """A held booking owes its organizers a reminder the day before its release, then the release itself. The keys
    name the hold's deadline, not the session's date: moving a held session does not remind anyone twice."""
    prefix = f"{session_id}:hold:{int(confirm_by.timestamp())}"
    items = [
        Planned(f"{prefix}:reminder:{organizer}", Work.HOLD_REMINDER, confirm_by - HOLD_REMINDER_BEFORE, organizer)
        for organizer in organizer_ids
    ]
    items.append(Planned(f"{prefix}:expiry", Work.HOLD_EXPIRY, confirm_by))
    return items


def reminder_key_prefix(session_id: int, starts_at: datetime) -> str:
    """What the keys of a session's reminders for this date start with."""
    return f"{session_id}:{int(starts_at.timestamp())}:{Work.REMINDER.value}:"


def link_notice_key(session_id: int, starts_at: datetime, change: int, user_id: int) -> str:
    """The notice of the ``change``-th new link to one registrant: one per change and person, never sent twice."""
    return f"{session_id}:{int(starts_at.timestamp())}:{Work.LINK_CHANGED.value}:{change}:{user_id}"


def replanned(key: str) -> bool:
    """Whether recomputing the plan owns this key. A link notice is written once, by the change itself (who had
    the old link then is not a function of the session now), so no recomputation may remove it."""
    return f":{Work.LINK_CHANGED.value}:" not in key


def still_meaningful(kind: Work, state: State, now: datetime, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether a due item, possibly late (the bot was down), is still worth doing now.

    A reminder, a checklist or a link after the start is noise; the start notice after the end too. A hold's
    reminder and release only matter while the session is still booked and unannounced. The end, the recap
    prompt, the chasers and the alert are still useful late, as long as nothing was published.
    """
    if kind in BEFORE_START:
        return state is State.ANNOUNCED and now < starts_at
    if kind in (Work.HOLD_REMINDER, Work.HOLD_EXPIRY):
        return state is State.SCHEDULED
    if kind is Work.START:
        return state is State.ANNOUNCED and now < ends_at
    if kind is Work.END:
        return state is State.ANNOUNCED
    return state in (State.HELD, State.DOCUMENTATION_DUE, State.DOCUMENTING)

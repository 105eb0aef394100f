"""Plain, immutable snapshots that services hand to cogs, so nothing outside a transaction touches ORM rows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from bot.db.models import AuditRow, EditRow, FabriqueRow, OutsideRegistrantRow, RegistrationRow, SlotRow
from bot.domain.edits import Change, Content, Field, Value
from bot.domain.lifecycle import Action, State
from bot.domain.proposal import FabriqueKind, Format, Parcours
from bot.domain.recordings import Presence
from bot.domain.registration import Source, Status
from bot.domain.series import SessionNumber


@dataclass(frozen=True)
class FabriqueRecord:
    id: int
    guild_id: int
    organizer_id: int
    coorganizer_ids: tuple[int, ...]
    format: Format
    parcours: Parcours
    duration_minutes: int
    title: str
    description: str
    speaker: str
    needs: str
    state: State
    revision: int
    last_reason: str | None
    card_channel_id: int | None
    card_message_id: int | None
    created_at: datetime
    updated_at: datetime
    kind: FabriqueKind = FabriqueKind.FABRIQUE
    slot_id: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int = 0
    has_zoom_link: bool = False  # the link itself never leaves the services except to those allowed to see it
    announcement_channel_id: int | None = None
    announcement_message_id: int | None = None
    scheduled_event_id: int | None = None
    zoom_participants: int | None = None  # who came, from Zoom: a count and an average, never names
    zoom_average_seconds: int | None = None
    confirm_by: datetime | None = None  # a held booking: nothing published until confirmed, released at this moment
    series_id: int | None = None  # a session of a series: the first session's number (see bot.domain.series)
    series_rank: int = 1
    series_size: int = 1
    series_rhythm: str = ""

    @property
    def is_series(self) -> bool:
        return self.series_id is not None

    @property
    def home_id(self) -> int:
        """Where the Fabrique's proposal, card, announcement and registrations live: the first session of a series,
        the session itself otherwise."""
        return self.series_id or self.id

    @property
    def shown_number(self) -> int | SessionNumber:
        """The number messages give this session: its own for a single one, « n°12 · séance 2/3 » in a series."""
        return SessionNumber.of(self.id, self.series_id, self.series_rank, self.series_size)

    @property
    def awaiting_confirmation(self) -> bool:
        """Booked and held (``[sessions] confirm_before_announce``): the organizer has not pressed « Annoncer »."""
        return self.state is State.SCHEDULED and self.confirm_by is not None

    @property
    def presence(self) -> Presence | None:
        """How many came and how long they stayed, when Zoom told the bot."""
        if self.zoom_participants is None:
            return None
        return Presence(self.zoom_participants, self.zoom_average_seconds or 0)

    @property
    def is_welcome(self) -> bool:
        return self.kind == FabriqueKind.WELCOME

    @property
    def organizer_ids(self) -> frozenset[int]:
        return frozenset((self.organizer_id, *self.coorganizer_ids))

    @classmethod
    def of(cls, row: FabriqueRow) -> FabriqueRecord:
        return cls(
            id=row.id,
            guild_id=row.guild_id,
            organizer_id=row.organizer_id,
            coorganizer_ids=row.coorganizer_ids,
            format=Format(row.format),
            parcours=Parcours(row.parcours),
            duration_minutes=row.duration_minutes,
            title=row.title,
            description=row.description,
            speaker=row.speaker,
            needs=row.needs,
            state=State(row.state),
            revision=row.revision,
            last_reason=row.last_reason,
            card_channel_id=row.card_channel_id,
            card_message_id=row.card_message_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
            kind=FabriqueKind(row.kind),
            slot_id=row.slot_id,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            capacity=row.capacity,
            has_zoom_link=bool(row.zoom_url),
            announcement_channel_id=row.announcement_channel_id,
            announcement_message_id=row.announcement_message_id,
            scheduled_event_id=row.scheduled_event_id,
            zoom_participants=row.zoom_participants,
            zoom_average_seconds=row.zoom_average_seconds,
            confirm_by=row.confirm_by,
            series_id=row.series_id,
            series_rank=row.series_rank,
            series_size=row.series_size,
            series_rhythm=row.series_rhythm,
        )


@dataclass(frozen=True)
class SlotRecord:
    id: int
    starts_at: datetime
    ends_at: datetime
    booked_by: int | None  # the Fabrique number holding it, if any

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @classmethod
    def of(cls, row: SlotRow, booked_by: int | None) -> SlotRecord:
        return cls(id=row.id, starts_at=row.starts_at, ends_at=row.ends_at, booked_by=booked_by)


@dataclass(frozen=True)
class RegistrationRecord:
    user_id: int
    status: Status
    source: Source
    created_at: datetime
    dm_failed: bool
    name: str | None = None  # someone outside Discord (``bot.domain.outside``): their name…
    email: str | None = field(default=None, repr=False)  # …and their address, for the team's eyes only

    @property
    def outside(self) -> bool:
        return self.name is not None

    @classmethod
    def of(
        cls, row: RegistrationRow, person: OutsideRegistrantRow | None = None, *, with_email: bool = False
    ) -> RegistrationRecord:
        return cls(
            user_id=row.user_id,
            status=Status(row.status),
            source=Source(row.source),
            created_at=row.created_at,
            dm_failed=row.dm_failed,
            name=person.name if person is not None else None,
            email=person.email if person is not None and with_email else None,
        )


@dataclass(frozen=True)
class Attendance:
    """Seats taken and people waiting on a session: what the announcement shows."""

    confirmed: int
    waitlisted: int
    capacity: int


@dataclass(frozen=True)
class Drawing:
    """What a session's announcement is to show now (its home's, for a series), and the digest of what it showed
    when last drawn (None: unknown), so that an unchanged announcement is not edited."""

    record: FabriqueRecord
    attendance: Attendance
    drawn: str | None


@dataclass(frozen=True)
class AuditRecord:
    actor_id: int
    action: Action
    from_state: State | None
    to_state: State
    reason: str | None
    at: datetime

    @classmethod
    def of(cls, row: AuditRow) -> AuditRecord:
        return cls(
            actor_id=row.actor_id,
            action=Action(row.action),
            from_state=State(row.from_state) if row.from_state else None,
            to_state=State(row.to_state),
            reason=row.reason,
            at=row.at,
        )


@dataclass(frozen=True)
class EditRecord:
    """One correction as the card shows it: before → after, who, when, and whether the team may still undo it."""

    version: int
    actor_id: int
    by_team: bool
    changes: tuple[Change, ...]
    undoable: bool
    undo_of: int | None
    undone_by: int | None
    at: datetime

    @property
    def open_to_undo(self) -> bool:
        return self.undoable and self.undone_by is None

    @classmethod
    def of(cls, row: EditRow) -> EditRecord:
        return cls(
            version=row.version,
            actor_id=row.actor_id,
            by_team=row.by_team,
            changes=decoded_changes(row.changes),
            undoable=row.undoable,
            undo_of=row.undo_of,
            undone_by=row.undone_by,
            at=row.at,
        )


def encoded_changes(changes: tuple[Change, ...]) -> str:
    return json.dumps({c.field.value: [_plain(c.before), _plain(c.after)] for c in changes}, ensure_ascii=False)


def decoded_changes(text: str) -> tuple[Change, ...]:
    stored = json.loads(text)
    return tuple(
        Change(field, _value(stored[field.value][0]), _value(stored[field.value][1]))
        for field in Field
        if field.value in stored
    )


def _plain(value: Value) -> str | int | list[int]:
    return list(value) if isinstance(value, tuple) else value


def _value(stored: str | int | list[int]) -> Value:
    return tuple(stored) if isinstance(stored, list) else stored


def content_of(row: FabriqueRow) -> Content:
    """What a correction may change, as the Fabrique holds it now."""
    return Content(
        title=row.title,
        description=row.description,
        speaker=row.speaker,
        needs=row.needs,
        format=Format(row.format),
        parcours=Parcours(row.parcours),
        duration_minutes=row.duration_minutes,
        capacity=row.capacity,
        organizer_id=row.organizer_id,
        coorganizer_ids=row.coorganizer_ids,
    )


@dataclass(frozen=True)
class GuildConfig:
    """Roles and channels in effect for a guild: `/equipe configurer` first, then config.toml."""

    guild_id: int
    team_role_id: int | None
    member_role_id: int | None
    team_channel_id: int | None
    agenda_channel_id: int | None
    articles_forum_id: int | None

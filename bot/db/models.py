"""SQLAlchemy 2 models. Times are stored as aware UTC on every backend (see UTCDateTime)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bot.domain.documentation import JobStatus, Path3P
from bot.domain.lifecycle import Action, State
from bot.domain.outreach import CopyStatus
from bot.domain.proposal import FabriqueKind, Format, Parcours
from bot.domain.recordings import RecordingStatus
from bot.domain.registration import Source, Status
from bot.domain.timeline import DueStatus, Work

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """SQLite forgets time zones; this type refuses naive values on the way in and restores UTC on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def stored_as_text(enum: type[StrEnum], length: int) -> Enum:
    """A closed set of values, read back as the domain's enum, stored as the plain VARCHAR(length) the migrations
    created: the values (not the member names), no native ENUM type and no CHECK constraint, so no migration.
    A value outside the enum is refused on the way in."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class GuildConfigRow(Base):
    """What `/equipe configurer` stored; a zero or NULL falls back to config.toml's [discord] section."""

    __tablename__ = "guild_config"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    team_role_id: Mapped[int | None] = mapped_column(BigInteger)
    member_role_id: Mapped[int | None] = mapped_column(BigInteger)
    team_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    agenda_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    articles_forum_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FabriqueRow(Base):
    __tablename__ = "fabrique"
    # One session per date of a welcome rule: what keeps a restart or two dispatches from making it twice.
    __table_args__ = (
        UniqueConstraint("welcome_rule_id", "welcome_occurrence"),
        UniqueConstraint("series_id", "series_rank"),  # approving twice cannot make a session twice
        # The state queries (agenda, suivi, autocomplete, start-up): one guild's sessions in a few states, by date,
        # read in index order; ``kind`` rides along so that the counts per state never touch the table.
        Index("ix_fabrique_guild_state_start", "guild_id", "state", "starts_at", "kind"),
        # ``/equipe suivi``: the documentations owed the longest, read per state from the oldest end on.
        Index("ix_fabrique_guild_state_kind_end", "guild_id", "state", "kind", "ends_at"),
        # ``/equipe suivi``: the latest sessions Zoom counted, from the few that it did (not every session held).
        Index(
            "ix_fabrique_guild_attended_start",
            "guild_id",
            "starts_at",
            sqlite_where=text("zoom_participants IS NOT NULL"),
            postgresql_where=text("zoom_participants IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    organizer_id: Mapped[int] = mapped_column(BigInteger, index=True)
    format: Mapped[Format] = mapped_column(stored_as_text(Format, 32))
    parcours: Mapped[Parcours] = mapped_column(stored_as_text(Parcours, 16))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str] = mapped_column(String(200), default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[State] = mapped_column(stored_as_text(State, 32), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    last_reason: Mapped[str | None] = mapped_column(Text)
    card_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[FabriqueKind] = mapped_column(
        stored_as_text(FabriqueKind, 16), default=FabriqueKind.FABRIQUE, server_default=FabriqueKind.FABRIQUE.value
    )
    # The unique constraint is what settles two organizers booking one slot at the same instant.
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id", ondelete="SET NULL"), unique=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    zoom_url: Mapped[str | None] = mapped_column(Text)  # never shown publicly: registrants only
    # How many times the link was replaced: each change names its own notices to those already reminded.
    link_changes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A held booking (``[sessions] confirm_before_announce``): nothing is published before the organizer confirms;
    # unconfirmed at this moment, the slot is released. None once confirmed, or when nothing is held.
    confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    announcement_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    announcement_message_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    scheduled_event_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # « Intéressé » finds it
    # A digest of what the announcement showed when the bot last drew it: an unchanged one is not edited again.
    announcement_drawn: Mapped[str | None] = mapped_column(String(64))
    # Who came, read from Zoom's list of the past meeting's participants: a count and an average, never names.
    zoom_participants: Mapped[int | None] = mapped_column(Integer)
    zoom_average_seconds: Mapped[int | None] = mapped_column(Integer)
    # A welcome session made by the team's rule: the rule and the date it was made for (kept if it is moved).
    welcome_rule_id: Mapped[int | None] = mapped_column(ForeignKey("welcome_rule.id", ondelete="SET NULL"))
    welcome_occurrence: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A series (bot.domain.series): every session is a row of its own (its date, Zoom, event, reminders,
    # documentation); all carry the first session's id, which holds the proposal, the card, the announcement and the
    # registrations. NULL for a single session.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("fabrique.id"), index=True)
    series_rank: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    series_size: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    series_rhythm: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"))
    # On the first session of a series: the members-only forum thread gathering every documented session.
    series_thread_id: Mapped[int | None] = mapped_column(BigInteger)
    # Loaded with every Fabrique (one more SELECT per query, whatever the number of rows): who may act as organizer.
    coorganizers: Mapped[list[CoorganizerRow]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="CoorganizerRow.id"
    )

    @property
    def coorganizer_ids(self) -> tuple[int, ...]:
        return tuple(c.user_id for c in self.coorganizers)


class WelcomeRuleRow(Base):
    """The team's welcome rule, one per guild (see bot.domain.welcome); stopping it keeps the row, inactive."""

    __tablename__ = "welcome_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    weekday: Mapped[int] = mapped_column(Integer)
    ordinal: Mapped[int] = mapped_column(Integer)
    at_minutes: Mapped[int] = mapped_column(Integer)  # minutes after local midnight, in the guild's time zone
    duration_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    ahead: Mapped[int] = mapped_column(Integer)
    zoom_url: Mapped[str | None] = mapped_column(Text)  # never shown publicly: registrants only
    active: Mapped[bool] = mapped_column(Boolean)
    since: Mapped[datetime] = mapped_column(UTCDateTime())  # the rule's dates come after this moment
    alerted_occurrence: Mapped[datetime | None] = mapped_column(UTCDateTime())  # told the team it could not be made
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoorganizerRow(Base):
    """A member who organizes a Fabrique with its organizer, with the same rights; a Fabrique may have several."""

    __tablename__ = "coorganizer"
    __table_args__ = (UniqueConstraint("fabrique_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fabrique_id: Mapped[int] = mapped_column(ForeignKey("fabrique.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)


class EditRow(Base):
    """One correction of a Fabrique: the fields it changed (JSON ``{field: [before, after]}``), who, when.

    ``version`` is the Fabrique's revision the correction produced: an undo names it, and is refused once a newer
    correction exists. ``undoable`` marks an organizer's edit after approval, which the team may take back.
    """

    __tablename__ = "fabrique_edit"
    __table_args__ = (UniqueConstraint("fabrique_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fabrique_id: Mapped[int] = mapped_column(ForeignKey("fabrique.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int] = mapped_column(BigInteger)
    by_team: Mapped[bool] = mapped_column(Boolean)
    changes: Mapped[str] = mapped_column(Text)
    undoable: Mapped[bool] = mapped_column(Boolean)
    undo_of: Mapped[int | None] = mapped_column(Integer)  # the version this correction took back
    undone_by: Mapped[int | None] = mapped_column(BigInteger)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class SlotRow(Base):
    """A time the team can host on its single Zoom account; slots never overlap (buffer included)."""

    __tablename__ = "slot"
    __table_args__ = (Index("ix_slot_guild_start", "guild_id", "starts_at"),)  # the slots to come, in date order

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RegistrationRow(Base):
    """One person on one session. The id gives the arrival order, which is the waitlist order."""

    __tablename__ = "registration"
    __table_args__ = (UniqueConstraint("fabrique_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fabrique_id: Mapped[int] = mapped_column(ForeignKey("fabrique.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[Status] = mapped_column(stored_as_text(Status, 16))
    source: Mapped[Source] = mapped_column(stored_as_text(Source, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    dm_failed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class OutsideRegistrantRow(Base):
    """Someone the team registers by name and e-mail because they are not on Discord (``bot.domain.outside``).

    One row per guild and address; their registrations carry ``user_id = -id``. The address is shown to the team
    only and is used for nothing but the mails about the sessions they are registered to.
    """

    __tablename__ = "outside_registrant"
    __table_args__ = (UniqueConstraint("guild_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditRow(Base):
    """One row per transition: who did what, from which state to which, when, and why."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fabrique_id: Mapped[int] = mapped_column(ForeignKey("fabrique.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[Action] = mapped_column(stored_as_text(Action, 32))
    from_state: Mapped[State | None] = mapped_column(stored_as_text(State, 32))
    to_state: Mapped[State] = mapped_column(stored_as_text(State, 32))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class DueWorkRow(Base):
    """One thing the bot owes someone at a given time. The database is the truth: timers are rebuilt from it."""

    __tablename__ = "due_work"
    __table_args__ = (Index("ix_due_work_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fabrique_id: Mapped[int] = mapped_column(ForeignKey("fabrique.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[Work] = mapped_column(stored_as_text(Work, 16))
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(Integer, default=0)  # minutes before, or days after, by kind
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[DueStatus] = mapped_column(stored_as_text(DueStatus, 12), default=DueStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # same value for one dispatcher batch
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DocumentationRow(Base):
    """The documentation of one session: what the organizer gave, the background job's progress, what was published.

    Every id of something created outside (WordPress media and post, Discord forum post) is stored as soon as it
    exists, so a retry after a crash finds it instead of creating a second one.
    """

    __tablename__ = "documentation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fabrique_id: Mapped[int] = mapped_column(ForeignKey("fabrique.id", ondelete="CASCADE"), unique=True)
    path: Mapped[Path3P] = mapped_column(stored_as_text(Path3P, 16))
    status: Mapped[JobStatus] = mapped_column(stored_as_text(JobStatus, 16), index=True)
    failure_key: Mapped[str | None] = mapped_column(String(64))
    failure_params: Mapped[str | None] = mapped_column(Text)  # JSON
    requested_by: Mapped[int] = mapped_column(BigInteger)
    source_kind: Mapped[str | None] = mapped_column(String(16))  # "attachment", "url" or "zoom"
    source_url: Mapped[str | None] = mapped_column(Text)
    source_name: Mapped[str | None] = mapped_column(String(255))
    source_size: Mapped[int | None] = mapped_column(BigInteger)
    transcript: Mapped[str | None] = mapped_column(Text)
    chat: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    report: Mapped[str] = mapped_column(Text, default="")
    audio_name: Mapped[str | None] = mapped_column(String(64))  # unguessable file name under data_dir/audio
    audio_seconds: Mapped[int | None] = mapped_column(Integer)
    audio_bytes: Mapped[int | None] = mapped_column(BigInteger)
    teaser_name: Mapped[str | None] = mapped_column(String(64))
    article_html: Mapped[str | None] = mapped_column(Text)
    wp_media_id: Mapped[int | None] = mapped_column(Integer)
    wp_media_url: Mapped[str | None] = mapped_column(Text)
    wp_post_id: Mapped[int | None] = mapped_column(Integer)
    wp_post_link: Mapped[str | None] = mapped_column(Text)
    forum_thread_id: Mapped[int | None] = mapped_column(BigInteger)
    # A session of a series: its message in the series' thread (the thread's first message when it opened it).
    forum_message_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CopyRow(Base):
    """One copy of a session outside the agenda channel: its Zoom meeting, its website post, each email sent.

    ``target`` is "zoom", "website", or "mail:<event>:<start timestamp>" (one row per message, so a restart never
    sends the same email twice). A failed copy keeps its reason and when to try again.
    """

    __tablename__ = "session_copy"
    __table_args__ = (UniqueConstraint("fabrique_id", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fabrique_id: Mapped[int] = mapped_column(ForeignKey("fabrique.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(64))
    status: Mapped[CopyStatus] = mapped_column(stored_as_text(CopyStatus, 12), index=True)  # the failed ones
    external_id: Mapped[str | None] = mapped_column(String(255))
    error_key: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DepartureRow(Base):
    """Someone who left a session by button or command: their ✅ may still be on the announcement.

    Start-up reconciliation applies only what changed while the bot was away; a reaction whose author has a
    departure row was already there when they left, so it is not a new registration (SPEC §2, « Decisions »).
    Registering again by any path removes the row.
    """

    __tablename__ = "departure"
    __table_args__ = (UniqueConstraint("fabrique_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fabrique_id: Mapped[int] = mapped_column(ForeignKey("fabrique.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class AbsenceRow(Base):
    """A registrant of a series who will miss one of its dates: no reminder nor link for that date, and the
    organizers see how many will come. The registration to the series stays."""

    __tablename__ = "absence"
    __table_args__ = (UniqueConstraint("fabrique_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fabrique_id: Mapped[int] = mapped_column(ForeignKey("fabrique.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class MemberNameRow(Base):
    """The last display name the bot saw for a member, so a person who left the server is never named by an id."""

    __tablename__ = "member_name"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    display_name: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ZoomRecordingRow(Base):
    """The cloud recording Zoom made of a session whose meeting the bot created: where the bot stands with it
    (waiting → offered → accepted | declined, or expired), the files it offers, and whether it went to the trash.

    The transcript and the chat are small text files, read when the recording is offered, so that the form the
    organizer opens needs no network; the audio is fetched by the documentation job, from ``audio_url``.
    """

    __tablename__ = "zoom_recording"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fabrique_id: Mapped[int] = mapped_column(ForeignKey("fabrique.id", ondelete="CASCADE"), unique=True)
    meeting_id: Mapped[str] = mapped_column(String(32))
    meeting_uuid: Mapped[str | None] = mapped_column(String(64))  # the instance that was recorded
    status: Mapped[RecordingStatus] = mapped_column(stored_as_text(RecordingStatus, 12))
    audio_file_id: Mapped[str | None] = mapped_column(String(64))
    audio_url: Mapped[str | None] = mapped_column(Text)  # Zoom's download URL (useless without the account token)
    audio_extension: Mapped[str | None] = mapped_column(String(8))  # M4A, or MP4 when there is no audio-only file
    audio_bytes: Mapped[int | None] = mapped_column(BigInteger)  # as Zoom lists it; the download is capped anyway
    transcript: Mapped[str | None] = mapped_column(Text)  # the VTT
    chat: Mapped[str | None] = mapped_column(Text)  # the chat TXT
    draft: Mapped[str | None] = mapped_column(Text)  # the notes' draft, made when the recording was offered
    # The organizers who have the offer, space-separated ids: a poll retried after a Discord failure offers it
    # to the others only.
    offered_to: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last time Zoom was asked
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    trashed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UploadTokenRow(Base):
    """A one-time link to upload a session's recording through the web door (``[web]``), bound to one Fabrique.

    Only the SHA-256 of the token is kept: the link itself exists in the organizer's DM alone. ``used_at`` is set by
    the upload that succeeded; a link is refused once used or past ``expires_at``.
    """

    __tablename__ = "upload_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fabrique_id: Mapped[int] = mapped_column(ForeignKey("fabrique.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by: Mapped[int] = mapped_column(BigInteger)  # who asked for it: the job's DMs go to them
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BilanPostRow(Base):
    """A monthly bilan the bot posted (or began to post) in a guild's team channel: the primary key is what makes
    it once per month, across restarts and concurrent dispatches."""

    __tablename__ = "bilan_post"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "AAAA-MM", the month shown
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BilanOwedRow(Base):
    """A month the bot ran in, whose bilan is owed to the team channels from ``due_at`` (the first of the next
    month, local) until it has been posted: the monthly post is due work, so a bot away on the first still makes
    it when it comes back, and a month the bot never saw (a fresh database) owes nothing."""

    __tablename__ = "bilan_owed"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "AAAA-MM", the month to show
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())

"""What a use case may ask of Discord, as small Protocols: the services decide, the Discord side performs.

The cogs implement them (``cogs/messaging.py``, ``cogs/moderation.py``, ``cogs/announcements.py``); the composition
root injects them into the services it builds, so the core never imports discord and a missing implementation
stops the bot at start instead of failing silently later. Texts arrive already written (from the catalogue,
member text escaped with ``bot.domain.text.shown``); the Discord side only chooses embeds, buttons and channels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.services.records import Attendance, FabriqueRecord


@dataclass(frozen=True)
class Posted:
    """Where an announcement went: its channel and message, and the scheduled event if Discord made one."""

    channel_id: int
    message_id: int
    event_id: int | None


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a DM (a session's new ``.ics``), already made: the Discord side only sends it."""

    filename: str
    data: bytes


@runtime_checkable
class Messenger(Protocol):
    """Direct messages and the team channel. A closed DM is a normal situation: ``False``, never an exception."""

    async def dm(
        self, user_id: int, text: str, *, recap_for: int | None = None, attachment: Attachment | None = None
    ) -> bool:
        """DM ``text``; ``recap_for`` adds the two documentation buttons of that Fabrique, ``attachment`` a file."""
        ...

    async def offer_recording(self, user_id: int, text: str, fabrique_id: int) -> bool:
        """DM ``text`` with « Utiliser cet enregistrement » and « J'en fournis un autre » for that Fabrique's Zoom
        recording; False when the DM is refused."""
        ...

    async def offer_announce(self, user_id: int, text: str, fabrique_id: int) -> bool:
        """DM ``text`` with « Annoncer » for that Fabrique's held booking; False when the DM is refused."""
        ...

    async def offer_absence(self, user_id: int, text: str, fabrique_id: int, day: str) -> bool:
        """DM ``text`` (a reminder of a series' session) with « Absent·e le ``day`` » for that session; False when
        the DM is refused."""
        ...

    async def tell_team(self, guild_id: int, text: str, *, attachments: Sequence[Attachment] = ()) -> bool:
        """Post ``text`` (with ``attachments``, files already made) in the guild's team channel; False when there is
        none or it cannot be reached."""
        ...

    async def notice_in_thread(self, record: FabriqueRecord, text: str, *, mention: int | None = None) -> bool:
        """Post ``text`` in the announcement's thread (created on first use); False without an announcement.
        ``mention``: the one user whose mention in ``text`` notifies them (no other mention ever does)."""
        ...


@runtime_checkable
class Directory(Protocol):
    """Who people are on Discord right now."""

    def display_names(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, str]:
        """The display names of those still in the guild's member cache (others are simply absent)."""
        ...

    def own_id(self) -> int:
        """The bot's own user id: what it does by itself is recorded as its action (0 before it is connected)."""
        ...


@runtime_checkable
class Cards(Protocol):
    """The team's moderation card of each Fabrique."""

    async def show(self, guild_id: int, fabrique_id: int) -> bool:
        """Show the Fabrique's current state on its card, posting it if it has none; False if it cannot."""
        ...


@runtime_checkable
class Noticeboard(Protocol):
    """The public face of a session: its announcement, its ✅, its scheduled event."""

    async def post(self, record: FabriqueRecord, attendance: Attendance, channel_id: int) -> Posted | None:
        """Post the announcement in ``channel_id`` (None when the channel cannot be reached). A session that was
        announced before (its slot released, then booked again) gets its old announcement back, open again: the
        ✅ of those who kept their registration stay on it. A session of a series gets its own scheduled event
        and a line in the series' one message (posted with the first session announced, on the first session's
        row); ``attendance`` is then the series'."""
        ...

    def refresh(self, fabrique_id: int) -> None:
        """Show the current count soon; bursts of changes are coalesced into one edit."""
        ...

    async def redraw(self, fabrique_id: int, *, with_calendar: bool = False) -> None:
        """Show the current state and count now (and a new .ics when the date changed); an announcement already
        showing them is not edited, so a start-up after a quiet night costs Discord nothing."""
        ...

    async def close(self, record: FabriqueRecord, banner: str, *, final: bool) -> None:
        """Released or cancelled: the announcement says ``banner`` at its top and loses its buttons, the scheduled
        event is cancelled. ``final`` (cancelled): the ✅ reactions go too; otherwise they stay with the kept
        registrations until the new date."""
        ...

    async def move_event(self, record: FabriqueRecord) -> None:
        """The scheduled event follows the session's new date."""
        ...

    async def cancel_event(self, record: FabriqueRecord) -> None:
        """The session's scheduled event is cancelled (a session of a series, whose message stays)."""
        ...

    async def update_event(self, record: FabriqueRecord) -> None:
        """The scheduled event follows the session's corrected title and description."""
        ...


@runtime_checkable
class JobRunner(Protocol):
    """Runs documentation jobs in the background; each reports in the DM of the person who asked for it (opened
    by its first progress report when it has none yet)."""

    def start(self, fabrique_id: int) -> None:
        """Run the queued documentation job of that Fabrique, unless it already runs."""
        ...


@dataclass(frozen=True)
class DiscordPorts:
    """Every port, as the composition root hands them to ``build_services``."""

    messenger: Messenger
    directory: Directory
    cards: Cards
    board: Noticeboard
    runner: JobRunner

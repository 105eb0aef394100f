"""The one dispatcher of due work: it claims what is due, runs each item's handler in claim order and records each
outcome before the next send, then makes the sessions the team's welcome rule owes and retries the outside copies
whose wait is over.

One dispatch at a time (the scheduler's wake-ups, its sweep and tests may all ask at once). Closing waits for a
dispatch in flight to record what it sent, so nothing is left claimed that was actually sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.clock import Clock
from bot.domain.timeline import DueStatus, Work
from bot.i18n import I18n
from bot.services.announcements import AnnouncementService
from bot.services.links import LinkService
from bot.services.ports import Cards, Messenger
from bot.services.recordings import RecordingService
from bot.services.registrations import RegistrationService
from bot.services.timeline import DueContext, DueItem, TimelineService
from bot.timed.handlers import Handler, PortFailed, TimedHandlers

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(
        self,
        *,
        timeline: TimelineService,
        registrations: RegistrationService,
        retry_copies: Callable[[], Awaitable[int]],
        keep_welcome: Callable[[], Awaitable[int]],
        post_monthly: Callable[[], Awaitable[int]],
        messenger: Messenger,
        cards: Cards,
        i18n: I18n,
        clock: Clock,
        deadline_days: int,
        bot_user_id: Callable[[], int],
        recordings: RecordingService,
        links: LinkService,
        announcements: AnnouncementService,
    ) -> None:
        """``retry_copies`` retries the failed outside copies whose wait is over and says how many it tried;
        ``keep_welcome`` makes (and announces) the sessions the welcome rules owe now and says how many;
        ``post_monthly`` posts last month's bilan in the team channels that have not had it yet;
        ``recordings`` asks Zoom for the cloud recordings of ended sessions; ``links`` writes the organizers' links
        (the host one fresh from Zoom); ``announcements`` releases held bookings left unconfirmed."""
        _require(messenger, "messenger", "dm", "tell_team", "notice_in_thread", "offer_announce")
        _require(cards, "cards", "show")
        if not all(map(callable, (retry_copies, keep_welcome, post_monthly, clock, bot_user_id))):
            raise TypeError("retry_copies, keep_welcome, post_monthly, clock and bot_user_id must be callables")
        self._timeline = timeline
        self._retry_copies = retry_copies
        self._keep_welcome = keep_welcome
        self._post_monthly = post_monthly
        self._handlers = TimedHandlers(
            timeline=timeline,
            registrations=registrations,
            messenger=messenger,
            cards=cards,
            i18n=i18n,
            clock=clock,
            deadline_days=deadline_days,
            bot_user_id=bot_user_id,
            recordings=recordings,
            links=links,
            announcements=announcements,
        ).by_kind()
        if missing := set(Work) - self._handlers.keys():
            raise TypeError(f"no handler for due kind(s) {sorted(missing)}")
        self._lock = asyncio.Lock()
        self._closed = False

    async def run_due(self) -> int:
        """Run every item due now (SPEC §5) and the copies to retry; returns how many ran. The scheduler calls it."""
        ran = 0
        async with self._lock:
            # Checked between batches only: a batch left half-sent would make its next item « uncertain » on restart.
            while not self._closed and (items := await self._timeline.claim_due()):
                contexts = await self._timeline.contexts(items)
                for index, item in enumerate(items):  # in claim order, each outcome committed before the next send
                    handler = self._handlers[item.kind]
                    status = await self._run(item, handler, contexts.get(item.id))
                    await self._timeline.finish(item.id, status)
                    if handler.changes_state:  # later items of that session must see its new state
                        rest = [i for i in items[index + 1 :] if i.fabrique_id == item.fabrique_id]
                        contexts.update(await self._timeline.contexts(rest))
                ran += len(items)
            if not self._closed:  # after the items, so a session that just ended has made room for the next
                ran += await self._keep_welcome()
                ran += await self._retry_copies()
                ran += await self._post_monthly()
        return ran

    async def close(self) -> None:
        """Start no new dispatch, and wait for the one in flight to record what it sent.

        The caller bounds the wait (``async with asyncio.timeout(10)``): past it, the send is cut short by the
        shutdown and its item is left « uncertain », never sent twice.
        """
        self._closed = True
        async with self._lock:
            pass

    @staticmethod
    async def _run(item: DueItem, handler: Handler, context: DueContext | None) -> DueStatus:
        if context is None or not context.meaningful:
            return DueStatus.SKIPPED
        try:
            return await handler.act(item, context)
        except PortFailed:
            log.warning("due item %s (%s) failed; it will be retried", item.id, item.kind.value, exc_info=True)
            return DueStatus.FAILED
        except Exception:  # one broken item must not leave the rest of its batch claimed
            log.exception("due item %s (%s) failed unexpectedly; it will be retried", item.id, item.kind.value)
            return DueStatus.FAILED


def _require(port: object, name: str, *methods: str) -> None:
    """Checked by name rather than ``isinstance(port, Protocol)``: a port may be a proxy forwarding to whichever cog
    is loaded, which Python 3.12's runtime protocol check (``getattr_static``) would not see through."""
    if missing := [method for method in methods if not callable(getattr(port, method, None))]:
        raise TypeError(f"{name} lacks {', '.join(missing)}")

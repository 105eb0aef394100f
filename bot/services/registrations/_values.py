"""What registration calls return and take, the lock that serialises one session's registrations, and the rule
that gives freed seats to the waitlist."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

from bot.db.models import FabriqueRow
from bot.db.uow import UnitOfWork
from bot.domain.lifecycle import Actor
from bot.domain.membership import actor_from_roles
from bot.domain.registration import Status, promotions
from bot.services.records import FabriqueRecord

Spawn = Callable[[Coroutine[Any, Any, Any]], None]
T = TypeVar("T")


@dataclass(frozen=True)
class RegistrationOutcome:
    fabrique: FabriqueRecord
    user_id: int
    status: Status | None  # the person's status now; None once unregistered
    changed: bool  # False: they were already in that situation, nothing was written
    waitlist_position: int | None = None
    promoted: tuple[int, ...] = ()  # people who just got a seat because this one left


@dataclass(frozen=True)
class Reconciliation:
    added: tuple[RegistrationOutcome, ...]
    removed: tuple[RegistrationOutcome, ...]


@dataclass(frozen=True)
class Reactor:
    """Someone behind a ✅, as Discord showed them when they reacted."""

    user_id: int
    role_ids: frozenset[int] | None  # None: no longer in the guild


@dataclass(frozen=True)
class Roles:
    team_role_id: int | None
    member_role_id: int | None

    def actor(self, reactor: Reactor) -> Actor:
        return actor_from_roles(
            reactor.user_id, reactor.role_ids, team_role_id=self.team_role_id, member_role_id=self.member_role_id
        )


class SessionLock:
    """An asyncio lock that also knows whether anyone holds or awaits it, so that a caller already inside a
    transaction takes it only when that costs no wait (see ``_on_announcement``)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._wanted = 0

    @property
    def free(self) -> bool:
        return self._wanted == 0

    async def __aenter__(self) -> None:
        self._wanted += 1
        try:
            await self._lock.acquire()
        except BaseException:
            self._wanted -= 1
            raise

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._lock.release()
        self._wanted -= 1


async def seat_waitlist(uow: UnitOfWork, row: FabriqueRow) -> tuple[int, ...]:
    """Give the session's free seats to the waitlist, in arrival order; returns who got one.

    Called whenever seats may have freed up: someone left, or the team or the organizer raised the places.
    """
    counts = await uow.registrations.count_by_status(row.id)
    waiting = await uow.registrations.waitlist(row.id)
    chosen = set(promotions(row.capacity, counts.get(Status.CONFIRMED, 0), [w.id for w in waiting]))
    promoted = [w for w in waiting if w.id in chosen]
    for waiting_row in promoted:
        waiting_row.status = Status.CONFIRMED
    return tuple(w.user_id for w in promoted)

"""Steps every workflow repeats inside its transaction: find the Fabrique, move it, write the audit row."""

from __future__ import annotations

from datetime import datetime

from bot.db.models import AuditRow, FabriqueRow
from bot.db.uow import UnitOfWork
from bot.domain.lifecycle import Action, Actor, State, next_state
from bot.errors import NotFound


async def require_fabrique(uow: UnitOfWork, guild_id: int, fabrique_id: int, *, lock: bool = False) -> FabriqueRow:
    getter = uow.fabriques.get_for_update if lock else uow.fabriques.get
    row = await getter(fabrique_id, guild_id)
    if row is None:
        raise NotFound("error.unknown_fabrique", number=fabrique_id)
    return row


def organizers(row: FabriqueRow) -> frozenset[int]:
    return frozenset(i for i in (row.organizer_id, row.coorganizer_id) if i is not None)


def check(row: FabriqueRow, action: Action, actor: Actor) -> State:
    """The state ``action`` leads to, or the DomainError that explains why it cannot be done now."""
    return next_state(State(row.state), action, actor, organizers(row))


def transition(
    uow: UnitOfWork, row: FabriqueRow, action: Action, actor: Actor, now: datetime, reason: str | None = None
) -> State:
    """Apply ``action`` to ``row`` and record it; returns the previous state."""
    previous = State(row.state)
    row.state = check(row, action, actor).value
    row.updated_at = now
    record_audit(uow, row, actor, action, now, reason, previous)
    return previous


def record_audit(
    uow: UnitOfWork,
    row: FabriqueRow,
    actor: Actor,
    action: Action,
    now: datetime,
    reason: str | None = None,
    previous: State | None = None,
) -> None:
    uow.audit.add(
        AuditRow(
            fabrique_id=row.id,
            actor_id=actor.user_id,
            action=action.value,
            from_state=previous.value if previous else None,
            to_state=row.state,
            reason=reason,
            at=now,
        )
    )

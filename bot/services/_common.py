"""Steps every workflow repeats inside its transaction: find the Fabrique, move it, write the audit row."""

from __future__ import annotations

from datetime import datetime

from bot.db.models import AuditRow, FabriqueRow
from bot.db.uow import UnitOfWork
from bot.domain.lifecycle import Action, Actor, State, next_state
from bot.errors import NotFound
from bot.services.ports import Messenger
from bot.services.records import FabriqueRecord


async def require_fabrique(uow: UnitOfWork, guild_id: int, fabrique_id: int, *, lock: bool = False) -> FabriqueRow:
    getter = uow.fabriques.get_for_update if lock else uow.fabriques.get
    row = await getter(fabrique_id, guild_id)
    if row is None:
        raise NotFound("error.unknown_fabrique", number=fabrique_id)
    return row


def organizers(row: FabriqueRow) -> frozenset[int]:
    return frozenset((row.organizer_id, *row.coorganizer_ids))


def check(row: FabriqueRow, action: Action, actor: Actor) -> State:
    """The state ``action`` leads to, or the DomainError that explains why it cannot be done now."""
    return next_state(State(row.state), action, actor, organizers(row))


def transition(
    uow: UnitOfWork, row: FabriqueRow, action: Action, actor: Actor, now: datetime, reason: str | None = None
) -> State:
    """Apply ``action`` to ``row`` and record it; returns the previous state."""
    previous = State(row.state)
    row.state = check(row, action, actor)
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
            action=action,
            from_state=previous,
            to_state=State(row.state),
            reason=reason,
            at=now,
        )
    )


async def tell_organizers(messenger: Messenger, record: FabriqueRecord, text: str, *, by: int | None) -> None:
    """DM the organizers of what someone else (or the bot, ``by`` None) did to their Fabrique.

    Whoever acted already read the ephemeral reply: an organizer is never told of their own action twice.
    """
    for user_id in sorted(record.organizer_ids - {by}):
        await messenger.dm(user_id, text)

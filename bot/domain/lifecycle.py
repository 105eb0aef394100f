"""The states of a Fabrique and which actions move it from one to another, and who may take them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.errors import Forbidden, InvalidState


class State(StrEnum):
    PROPOSED = "proposed"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    SCHEDULED = "scheduled"
    ANNOUNCED = "announced"
    HELD = "held"
    DOCUMENTATION_DUE = "documentation_due"
    DOCUMENTING = "documenting"
    DOCUMENTED = "documented"
    CANCELLED = "cancelled"


class Action(StrEnum):
    PROPOSE = "propose"
    EDIT = "edit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    BOOK = "book"
    MOVE = "move"
    RELEASE = "release"
    ANNOUNCE = "announce"
    CANCEL = "cancel"
    END = "end"
    PROMPT = "prompt"
    DOCUMENT = "document"
    PUBLISH = "publish"
    CORRECT = "correct"  # the team changes what a Fabrique says or who runs it, whatever its stage
    UNDO_EDIT = "undo_edit"  # the team restores what a Fabrique said before an organizer's edit


class Role(StrEnum):
    """Who is allowed to take an action: the team, or the organizer(s) of that Fabrique."""

    TEAM = "team"
    ORGANIZER = "organizer"
    ORGANIZER_OR_TEAM = "organizer_or_team"
    SYSTEM = "system"  # done by the bot itself once its conditions hold (e.g. announce once a Zoom link exists)


@dataclass(frozen=True)
class Actor:
    """The person acting, as the server sees them (roles are read from Discord on every interaction)."""

    user_id: int
    is_team: bool = False
    is_member: bool = True


@dataclass(frozen=True)
class Rule:
    sources: frozenset[State]
    role: Role
    target: State | None  # None: the state does not change (an edit of an approved proposal)
    needs_reason: bool = False


EDITABLE = frozenset({State.PROPOSED, State.CHANGES_REQUESTED, State.APPROVED})
BOOKED = frozenset({State.SCHEDULED, State.ANNOUNCED})
# The organizer may still correct a booked or announced session: every copy of it follows.
CORRECTABLE = EDITABLE | BOOKED
# The team may correct anything until the documentation is published (the article then holds the record).
TEAM_CORRECTABLE = CORRECTABLE | {State.HELD, State.DOCUMENTATION_DUE, State.DOCUMENTING}

RULES: dict[Action, Rule] = {
    Action.APPROVE: Rule(frozenset({State.PROPOSED}), Role.TEAM, State.APPROVED),
    Action.REQUEST_CHANGES: Rule(frozenset({State.PROPOSED}), Role.TEAM, State.CHANGES_REQUESTED, True),
    Action.REJECT: Rule(frozenset({State.PROPOSED, State.CHANGES_REQUESTED}), Role.TEAM, State.REJECTED, True),
    Action.WITHDRAW: Rule(EDITABLE, Role.ORGANIZER, State.WITHDRAWN),
    Action.EDIT: Rule(CORRECTABLE, Role.ORGANIZER, None),
    Action.CORRECT: Rule(TEAM_CORRECTABLE, Role.TEAM, None),
    Action.UNDO_EDIT: Rule(TEAM_CORRECTABLE, Role.TEAM, None),
    Action.BOOK: Rule(frozenset({State.APPROVED}), Role.ORGANIZER_OR_TEAM, State.SCHEDULED),
    Action.MOVE: Rule(BOOKED, Role.ORGANIZER_OR_TEAM, None),
    Action.RELEASE: Rule(BOOKED, Role.ORGANIZER_OR_TEAM, State.APPROVED),
    Action.ANNOUNCE: Rule(frozenset({State.SCHEDULED}), Role.SYSTEM, State.ANNOUNCED),
    Action.CANCEL: Rule(BOOKED, Role.TEAM, State.CANCELLED, True),
    Action.END: Rule(frozenset({State.ANNOUNCED}), Role.SYSTEM, State.HELD),
    Action.PROMPT: Rule(frozenset({State.HELD}), Role.SYSTEM, State.DOCUMENTATION_DUE),
    Action.DOCUMENT: Rule(frozenset({State.DOCUMENTATION_DUE}), Role.ORGANIZER_OR_TEAM, State.DOCUMENTING),
    Action.PUBLISH: Rule(frozenset({State.DOCUMENTING}), Role.ORGANIZER_OR_TEAM, State.DOCUMENTED),
}


def next_state(current: State, action: Action, actor: Actor, organizer_ids: frozenset[int]) -> State:
    """The state after ``action``, or a DomainError saying why this actor cannot do it now.

    Permission is checked before state so that someone who may not act never learns more than that.
    """
    rule = RULES[action]
    if rule.role is Role.TEAM and not actor.is_team:
        raise Forbidden("error.team_only")
    if rule.role is Role.ORGANIZER and actor.user_id not in organizer_ids:
        raise Forbidden("error.not_organizer")
    if rule.role is Role.ORGANIZER_OR_TEAM and not (actor.is_team or actor.user_id in organizer_ids):
        raise Forbidden("error.not_organizer_or_team")
    if current not in rule.sources:
        raise InvalidState(f"error.state.{action.value}", state=current)
    if action is Action.EDIT and current is State.CHANGES_REQUESTED:
        return State.PROPOSED
    return rule.target or current

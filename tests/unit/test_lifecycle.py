"""Who may move a Fabrique from which state to which: ``bot.domain.lifecycle.next_state``."""

from __future__ import annotations

import pytest

from bot.domain.lifecycle import EDITABLE, RULES, Action, Actor, Role, State, next_state
from bot.errors import Forbidden, InvalidState

ORGANIZER = 1001
COORGANIZER = 1002
STRANGER = 1003
TEAM_MEMBER = 1004
ORGANIZERS = frozenset({ORGANIZER, COORGANIZER})

TEAM = Actor(TEAM_MEMBER, is_team=True)
ORGANIZER_ACTOR = Actor(ORGANIZER)
COORGANIZER_ACTOR = Actor(COORGANIZER)
STRANGER_ACTOR = Actor(STRANGER)

# Every transition the product allows (SPEC §2), written out by hand so a change to RULES shows up here.
ALLOWED: list[tuple[State, Action, State]] = [
    (State.PROPOSED, Action.APPROVE, State.APPROVED),
    (State.PROPOSED, Action.REQUEST_CHANGES, State.CHANGES_REQUESTED),
    (State.PROPOSED, Action.REJECT, State.REJECTED),
    (State.CHANGES_REQUESTED, Action.REJECT, State.REJECTED),
    (State.PROPOSED, Action.WITHDRAW, State.WITHDRAWN),
    (State.CHANGES_REQUESTED, Action.WITHDRAW, State.WITHDRAWN),
    (State.APPROVED, Action.WITHDRAW, State.WITHDRAWN),
    (State.PROPOSED, Action.EDIT, State.PROPOSED),
    (State.CHANGES_REQUESTED, Action.EDIT, State.PROPOSED),
    (State.APPROVED, Action.EDIT, State.APPROVED),
    (State.SCHEDULED, Action.EDIT, State.SCHEDULED),
    (State.ANNOUNCED, Action.EDIT, State.ANNOUNCED),
    (State.APPROVED, Action.BOOK, State.SCHEDULED),
    (State.SCHEDULED, Action.MOVE, State.SCHEDULED),
    (State.ANNOUNCED, Action.MOVE, State.ANNOUNCED),
    (State.SCHEDULED, Action.RELEASE, State.APPROVED),
    (State.ANNOUNCED, Action.RELEASE, State.APPROVED),
    (State.SCHEDULED, Action.ANNOUNCE, State.ANNOUNCED),
    (State.SCHEDULED, Action.CANCEL, State.CANCELLED),
    (State.ANNOUNCED, Action.CANCEL, State.CANCELLED),
    (State.ANNOUNCED, Action.END, State.HELD),
    (State.HELD, Action.PROMPT, State.DOCUMENTATION_DUE),
    (State.DOCUMENTATION_DUE, Action.DOCUMENT, State.DOCUMENTING),
    (State.DOCUMENTING, Action.PUBLISH, State.DOCUMENTED),
]
# The team corrects (and undoes an organizer's edit) at any stage until the documentation is published.
ALLOWED += [
    (state, action, state)
    for action in (Action.CORRECT, Action.UNDO_EDIT)
    for state in (
        State.PROPOSED,
        State.CHANGES_REQUESTED,
        State.APPROVED,
        State.SCHEDULED,
        State.ANNOUNCED,
        State.HELD,
        State.DOCUMENTATION_DUE,
        State.DOCUMENTING,
    )
]
ALLOWED_PAIRS = {(source, action) for source, action, _ in ALLOWED}
REFUSED_PAIRS = [(state, action) for action in RULES for state in State if (state, action) not in ALLOWED_PAIRS]

# Who may act, per kind of rule, and who must be turned away with which message.
MAY_ACT: dict[Role, list[Actor]] = {
    Role.TEAM: [TEAM],
    Role.ORGANIZER: [ORGANIZER_ACTOR, COORGANIZER_ACTOR],
    Role.ORGANIZER_OR_TEAM: [ORGANIZER_ACTOR, COORGANIZER_ACTOR, TEAM],
    Role.SYSTEM: [STRANGER_ACTOR],
}
TURNED_AWAY: dict[Role, tuple[str, list[Actor]]] = {
    Role.TEAM: ("error.team_only", [ORGANIZER_ACTOR, COORGANIZER_ACTOR, STRANGER_ACTOR]),
    Role.ORGANIZER: ("error.not_organizer", [STRANGER_ACTOR, TEAM]),
    Role.ORGANIZER_OR_TEAM: ("error.not_organizer_or_team", [STRANGER_ACTOR, Actor(STRANGER, is_member=False)]),
}
REFUSED_ACTORS = [
    (action, actor, key)
    for action, rule in RULES.items()
    if rule.role in TURNED_AWAY
    for key, actors in [TURNED_AWAY[rule.role]]
    for actor in actors
]


def source_of(action: Action) -> State:
    return next(source for source, allowed, _ in ALLOWED if allowed is action)


def test_the_table_of_allowed_transitions_is_the_whole_rulebook() -> None:
    from_rules = {(source, action) for action, rule in RULES.items() for source in rule.sources}
    assert from_rules == ALLOWED_PAIRS


@pytest.mark.parametrize(("source", "action", "target"), ALLOWED, ids=str)
def test_every_allowed_transition(source: State, action: Action, target: State) -> None:
    for actor in MAY_ACT[RULES[action].role]:
        assert next_state(source, action, actor, ORGANIZERS) is target, actor


@pytest.mark.parametrize(("action", "actor", "key"), REFUSED_ACTORS, ids=str)
def test_actions_are_refused_to_whoever_may_not_take_them(action: Action, actor: Actor, key: str) -> None:
    with pytest.raises(Forbidden) as refused:
        next_state(source_of(action), action, actor, ORGANIZERS)
    assert refused.value.key == key


@pytest.mark.parametrize("action", [Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT])
def test_moderation_is_team_only_even_for_the_organizer(action: Action) -> None:
    with pytest.raises(Forbidden) as refused:
        next_state(State.PROPOSED, action, ORGANIZER_ACTOR, ORGANIZERS)
    assert refused.value.key == "error.team_only"


@pytest.mark.parametrize("action", [Action.EDIT, Action.WITHDRAW])
def test_a_team_member_who_is_not_organizer_may_not_edit_or_withdraw(action: Action) -> None:
    with pytest.raises(Forbidden) as refused:
        next_state(State.PROPOSED, action, TEAM, ORGANIZERS)
    assert refused.value.key == "error.not_organizer"


def test_a_team_member_who_organizes_may_act_as_organizer() -> None:
    organizer_in_team = Actor(ORGANIZER, is_team=True)
    assert next_state(State.PROPOSED, Action.WITHDRAW, organizer_in_team, ORGANIZERS) is State.WITHDRAWN


@pytest.mark.parametrize(("action", "target"), [(Action.EDIT, State.PROPOSED), (Action.WITHDRAW, State.WITHDRAWN)])
def test_the_coorganizer_counts_as_organizer(action: Action, target: State) -> None:
    assert next_state(State.CHANGES_REQUESTED, action, COORGANIZER_ACTOR, ORGANIZERS) is target


def test_without_coorganizer_only_the_organizer_may_act() -> None:
    alone = frozenset({ORGANIZER})
    assert next_state(State.PROPOSED, Action.EDIT, ORGANIZER_ACTOR, alone) is State.PROPOSED
    with pytest.raises(Forbidden):
        next_state(State.PROPOSED, Action.EDIT, COORGANIZER_ACTOR, alone)


@pytest.mark.parametrize(("source", "action"), REFUSED_PAIRS, ids=str)
def test_a_wrong_source_state_is_invalid_state(source: State, action: Action) -> None:
    for actor in MAY_ACT[RULES[action].role]:
        with pytest.raises(InvalidState) as refused:
            next_state(source, action, actor, ORGANIZERS)
        assert refused.value.key == f"error.state.{action.value}"
        assert refused.value.params == {"state": source}


def test_permission_is_checked_before_state() -> None:
    """Someone who may not act learns only that, not what state the Fabrique is in."""
    with pytest.raises(Forbidden):
        next_state(State.REJECTED, Action.APPROVE, STRANGER_ACTOR, ORGANIZERS)
    with pytest.raises(Forbidden):
        next_state(State.WITHDRAWN, Action.EDIT, STRANGER_ACTOR, ORGANIZERS)


def test_edit_from_changes_requested_goes_back_to_proposed() -> None:
    assert next_state(State.CHANGES_REQUESTED, Action.EDIT, ORGANIZER_ACTOR, ORGANIZERS) is State.PROPOSED


def test_edit_of_an_approved_proposal_keeps_it_approved() -> None:
    assert next_state(State.APPROVED, Action.EDIT, ORGANIZER_ACTOR, ORGANIZERS) is State.APPROVED


def test_editable_states() -> None:
    assert frozenset({State.PROPOSED, State.CHANGES_REQUESTED, State.APPROVED}) == EDITABLE


def test_only_moderation_refusals_and_cancellation_need_a_reason() -> None:
    needing = {action for action, rule in RULES.items() if rule.needs_reason}
    assert needing == {Action.REQUEST_CHANGES, Action.REJECT, Action.CANCEL}

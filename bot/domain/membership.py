"""Who a person is to the community (team, member, or neither), read from the roles the guild configured.

Every way in (a command, a button, a ✅ reaction, the reconciliation at start) applies this one rule.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.domain.lifecycle import Actor


def configured_id(stored: int | None, default: int | None) -> int | None:
    """The role or channel chosen with /equipe configurer; zero or nothing falls back to config.toml's."""
    return stored or default or None


def actor_from_roles(
    user_id: int, role_ids: Collection[int] | None, *, team_role_id: int | None, member_role_id: int | None
) -> Actor:
    """Team if they hold the team role; member if they hold the member role (or there is none); else neither.

    ``role_ids`` is None for someone who is not (or no longer) in the guild: neither team nor member.
    """
    held = role_ids if role_ids is not None else ()
    is_team = team_role_id is not None and team_role_id in held
    is_member = role_ids is not None and (is_team or member_role_id is None or member_role_id in held)
    return Actor(user_id=user_id, is_team=is_team, is_member=is_member)

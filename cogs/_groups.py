"""The two command groups, built fresh for each bot so several bots (a restart in tests) never share objects."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any

from discord import app_commands
from discord.app_commands import locale_str

Callback = Callable[..., Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Groups:
    fabrique: app_commands.Group
    equipe: app_commands.Group

    def __iter__(self) -> Iterator[app_commands.Group]:
        return iter((self.fabrique, self.equipe))


def build_groups() -> Groups:
    return Groups(
        fabrique=app_commands.Group(
            name=locale_str("fabrique"),
            description=locale_str("Proposer, suivre et documenter vos Fabriques collectives"),
            guild_only=True,
        ),
        # No default permissions: team commands check the team role on the server side, and configurer checks
        # Manage Server; hiding the group behind a permission would hide it from the team too.
        equipe=app_commands.Group(
            name=locale_str("equipe"),
            description=locale_str("Outils de l'équipe : configuration, créneaux, suivi"),
            guild_only=True,
        ),
    )


def command(
    group: app_commands.Group, name: str, description: str, callback: Callback
) -> app_commands.Command[Any, ..., None]:
    """Attach a module-level coroutine to ``group`` as a subcommand with a French name and description."""
    cmd: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=locale_str(name), description=locale_str(description), callback=callback
    )
    group.add_command(cmd)
    return cmd

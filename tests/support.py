"""Assertions shared by the SimCord tests: which refusals the bot raised, named one by one.

SimCord captures every exception the bot raises (handled refusals included) and fails the test at teardown if
one was never inspected. Reading ``env.errors`` counts as inspecting *all* of them, so a test that only reads it
accepts any crash. ``assert_refused`` reads it on the test's behalf and checks each error against what the test
names, so an unexpected error (a bug, or a different refusal) still fails the test.
"""

from __future__ import annotations

from typing import Protocol
from weakref import WeakKeyDictionary

from discord import app_commands

from bot.errors import DomainError

Expected = str | type[BaseException]
"""A catalogue key (``"error.team_only"``) for a DomainError, or an exception type for any other refusal."""


class CapturesErrors(Protocol):
    """What the helper needs of a ``simcord.Env``: the errors captured so far, oldest first."""

    @property
    def errors(self) -> list[BaseException]: ...


# How many of each env's errors an earlier call already checked, so a test may assert refusals step by step.
_checked: WeakKeyDictionary[CapturesErrors, int] = WeakKeyDictionary()


def unwrapped(error: BaseException) -> BaseException:
    """The exception the bot's code raised: discord.py wraps a failing callback or transformer, as report_error sees."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        return error.__cause__ or error
    return error


def describe(error: BaseException) -> str:
    """A DomainError by its type and key (what the user was told); anything else by its type and message."""
    inner = unwrapped(error)
    if isinstance(inner, DomainError):
        return f"{type(inner).__name__}({inner.key!r})"
    return f"{type(inner).__name__}: {inner}"


def _matches(error: BaseException, expected: Expected) -> bool:
    inner = unwrapped(error)
    if isinstance(expected, str):
        return isinstance(inner, DomainError) and inner.key == expected
    return isinstance(inner, expected) or isinstance(error, expected)


def assert_refused(env: CapturesErrors, *expected: Expected) -> None:
    """Assert that, since the previous call for this env, the bot raised exactly ``expected``, in this order.

    With nothing expected, asserts that the bot raised nothing. Each item is a catalogue key or an exception type.
    """
    captured = env.errors
    start = _checked.get(env, 0)
    _checked[env] = len(captured)
    raised = captured[start:]
    if len(raised) == len(expected) and all(map(_matches, raised, expected)):
        return
    wanted = [item if isinstance(item, str) else item.__name__ for item in expected]
    got = "\n".join(f"  - {describe(error)}" for error in raised) or "  (none)"
    raise AssertionError(f"expected the bot to raise {wanted or 'nothing'}; it raised:\n{got}")

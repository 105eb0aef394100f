"""The behaviour tests' refusal assertion: it must fail on any error the test did not name, or in another order."""

from __future__ import annotations

import pytest
from discord import app_commands

from bot.errors import Forbidden, InvalidInput
from tests.support import assert_refused


class FakeEnv:
    """Holds captured errors as ``simcord.Env.errors`` does: the whole list, oldest first."""

    def __init__(self, *errors: BaseException) -> None:
        self.captured = list(errors)

    @property
    def errors(self) -> list[BaseException]:
        return list(self.captured)


async def _noop(interaction: object) -> None:
    """A command callback, needed only to build a CommandInvokeError."""


COMMAND = app_commands.Command(name="x", description="x", callback=_noop)


def invoke_error(cause: BaseException) -> app_commands.CommandInvokeError:
    """What discord.py hands the tree's error handler when a command's callback raised ``cause``."""
    wrapped = app_commands.CommandInvokeError(COMMAND, cause)
    wrapped.__cause__ = cause  # as ``raise ... from`` in discord.py sets it
    return wrapped


def test_the_named_refusals_in_order_pass() -> None:
    env = FakeEnv(invoke_error(Forbidden("error.team_only")), InvalidInput("error.input.empty"))
    assert_refused(env, "error.team_only", "error.input.empty")


def test_a_wrong_key_fails() -> None:
    env = FakeEnv(invoke_error(Forbidden("error.team_only")))
    with pytest.raises(AssertionError, match=r"Forbidden\('error.team_only'\)"):
        assert_refused(env, "error.members_only")


def test_an_unexpected_crash_fails() -> None:
    env = FakeEnv(invoke_error(Forbidden("error.team_only")), invoke_error(KeyError("boom")))
    with pytest.raises(AssertionError, match="KeyError"):
        assert_refused(env, "error.team_only")


def test_the_order_matters() -> None:
    env = FakeEnv(InvalidInput("error.input.empty"), Forbidden("error.team_only"))
    with pytest.raises(AssertionError):
        assert_refused(env, "error.team_only", "error.input.empty")


def test_nothing_expected_means_nothing_raised() -> None:
    assert_refused(FakeEnv())
    with pytest.raises(AssertionError, match="nothing"):
        assert_refused(FakeEnv(RuntimeError("bug")))


def test_a_type_names_a_refusal_that_is_not_a_domain_error() -> None:
    env = FakeEnv(app_commands.NoPrivateMessage())
    assert_refused(env, app_commands.NoPrivateMessage)


def test_each_call_checks_only_what_was_raised_since_the_previous_one() -> None:
    env = FakeEnv(Forbidden("error.team_only"))
    assert_refused(env, "error.team_only")
    env.captured.append(InvalidInput("error.input.empty"))
    assert_refused(env, "error.input.empty")
    assert_refused(env)

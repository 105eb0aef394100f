"""Errors the user is meant to read.

Services raise a DomainError carrying a catalogue key and named parameters; the single error handler of the
command tree translates it into the guild's language. Anything that is not a DomainError is a bug: it is logged
with its traceback and the user only reads « Une erreur est survenue ».
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal worded for the user: ``key`` names a catalogue entry, ``params`` fill it."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NotFound(DomainError):
    """The number given matches nothing the user may see."""


class Forbidden(DomainError):
    """The user exists and the thing exists, but this user may not do this."""


class InvalidState(DomainError):
    """The action is not possible from the current state of the Fabrique."""


class InvalidInput(DomainError):
    """A value typed by the user is empty, too long or outside what is allowed."""


class NotConfigured(DomainError):
    """The guild has not told the bot which role or channel to use yet."""

"""User-facing text: French first, English on request (``[general] language``).

Translate first, then ``.format(**params)``. Parameters are localised on the way in: a state, format or parcours
becomes its label, a ``field`` name becomes the field's label, and a list of minutes becomes « 1h30, 2h, 2h30 ».
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from bot.domain.lifecycle import State
from bot.domain.proposal import Format, Parcours
from bot.i18n import en, fr

CATALOGUES: dict[str, dict[str, str]] = {"fr": fr.MESSAGES, "en": en.MESSAGES}
_ENUM_PREFIXES: dict[type[StrEnum], str] = {State: "state", Format: "format", Parcours: "parcours"}


def format_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"


class I18n:
    """The catalogue of one language, falling back to French for a key not yet translated."""

    def __init__(self, language: str = "fr") -> None:
        self.language = language if language in CATALOGUES else "fr"
        self._messages = CATALOGUES[self.language]

    def __call__(self, key: str, **params: Any) -> str:
        template = self._messages.get(key) or fr.MESSAGES.get(key)
        if template is None:
            raise KeyError(f"missing catalogue entry: {key}")
        return template.format(**{name: self._localise(name, value) for name, value in params.items()})

    def label(self, value: StrEnum) -> str:
        return self(f"{_ENUM_PREFIXES[type(value)]}.{value.value}")

    def _localise(self, name: str, value: Any) -> Any:
        if isinstance(value, StrEnum) and type(value) in _ENUM_PREFIXES:
            return self.label(value)
        if name == "field":
            return self(f"field.{value}")
        if isinstance(value, list | tuple) and all(isinstance(v, int) for v in value):
            return ", ".join(format_duration(v) for v in value)
        return value

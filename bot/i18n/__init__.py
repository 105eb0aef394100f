"""User-facing text: French first, English on request (``[general] language``).

Translate first, then ``.format(**params)``. Parameters are localised on the way in: a state, format or parcours
becomes its label, a ``field`` name becomes the field's label, a list of minutes becomes « 1h30, 2h, 2h30 »,
and a datetime becomes a date in the guild's time zone.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.lifecycle import State
from bot.domain.proposal import Format, Parcours
from bot.domain.series import SessionNumber
from bot.i18n import en, fr

CATALOGUES: dict[str, dict[str, str]] = {"fr": fr.MESSAGES, "en": en.MESSAGES}
_ENUM_PREFIXES: dict[type[StrEnum], str] = {State: "state", Format: "format", Parcours: "parcours"}


_DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def format_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"


DATE_PARAMETERS = frozenset({"date", "before", "until"})  # a session's date: None reads « date à fixer »


class I18n:
    """The catalogue of one language, falling back to French for a key not yet translated."""

    def __init__(self, language: str = "fr", tz: ZoneInfo | None = None) -> None:
        self.language = language if language in CATALOGUES else "fr"
        self.tz = tz or ZoneInfo("Europe/Paris")
        self._messages = CATALOGUES[self.language]

    def __call__(self, key: str, **params: Any) -> str:
        template = self._messages.get(key) or fr.MESSAGES.get(key)
        if template is None:
            raise KeyError(f"missing catalogue entry: {key}")
        return template.format(**{name: self._localise(name, value) for name, value in params.items()})

    def date(self, moment: datetime) -> str:
        """« mardi 4 mai 2027 à 14:00 » in the guild's time zone (DST included), for text outside Discord."""
        local = moment.astimezone(self.tz)
        day = _DAYS[self.language][local.weekday()]
        month = _MONTHS[self.language][local.month - 1]
        if self.language == "en":
            return f"{day} {month} {local.day}, {local.year} at {local:%H:%M}"
        return f"{day} {local.day} {month} {local.year} à {local:%H:%M}"

    def month(self, year: int, month: int) -> str:
        """« novembre 2026 »: a month as a report names it."""
        return f"{_MONTHS[self.language][month - 1]} {year}"

    def weekday(self, index: int) -> str:
        """The name of a day of the week (0 is Monday): « mardi »."""
        return _DAYS[self.language][index]

    def label(self, value: StrEnum) -> str:
        return self(f"{_ENUM_PREFIXES[type(value)]}.{value.value}")

    def _localise(self, name: str, value: Any) -> Any:
        if isinstance(value, StrEnum) and type(value) in _ENUM_PREFIXES:
            return self.label(value)
        if isinstance(value, datetime):
            return self.date(value)
        if isinstance(value, SessionNumber):  # « 12 · séance 2/3 »: the series' number, then which session
            return self("series.session_number", number=value.home_id, rank=value.rank, size=value.size)
        if value is None and name in DATE_PARAMETERS:  # a released session waits for its new date
            return self("date.unset")
        if name == "field":
            return self(f"field.{value}")
        if isinstance(value, list | tuple) and all(isinstance(v, int) for v in value):
            return ", ".join(format_duration(v) for v in value)
        return value

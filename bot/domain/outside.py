"""People the team registers without a Discord account: how their address and name are checked, and how they sit
among Discord members.

An outside registrant is a row of ``outside_registrant`` (one per guild and address). On a session they hold an
ordinary registration whose ``user_id`` is the negative of that row's id: Discord ids are positive, so the two can
never meet, and seats, the waitlist, promotions and reminders apply to them unchanged. What differs is only how
they hear from the bot: by e-mail, never by DM.
"""

from __future__ import annotations

import re

from bot.domain.text import line_problem
from bot.errors import InvalidInput

NAME_MAX = 100
EMAIL_MAX = 254  # RFC 5321: the longest path a server must accept
# A plain ASCII address, as people type it in a form: local part of the usual characters, a domain of labels with
# a dot in it. Quoted local parts, IP literals and comments (valid, never typed by hand) are refused.
ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def is_outsider(user_id: int) -> bool:
    return user_id < 0


def outsider_user_id(person_id: int) -> int:
    """The registration id of the outside registrant whose row id is ``person_id``."""
    return -person_id


def person_id(user_id: int) -> int:
    return -user_id


def validated_person(name: str, email: str) -> tuple[str, str]:
    """The name (blanks collapsed) and the address (trimmed, lower case) as stored, or InvalidInput naming the
    first problem: the name is member text like a title (one visible line), the address must be usable."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("error.input.empty", field="nom")
    if len(cleaned) > NAME_MAX:
        raise InvalidInput("error.input.too_long", field="nom", maximum=NAME_MAX, length=len(cleaned))
    if (problem := line_problem(cleaned)) is not None:
        raise InvalidInput(problem, field="nom")
    return cleaned, validated_email(email)


def validated_email(raw: str) -> str:
    """The address as stored and compared (trimmed, lower case), or one clear refusal."""
    address = raw.strip().lower()
    if len(address) > EMAIL_MAX or ADDRESS.fullmatch(address) is None:
        raise InvalidInput("error.outside.email")
    return address

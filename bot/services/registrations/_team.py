"""The team registers or removes someone (``/equipe inscrire``, ``/equipe desinscrire``): a Discord member, as if
they had done it themselves (seated or waitlisted, told by DM), or a person outside Discord by name and e-mail, who
counts against the capacity like anyone and hears everything by e-mail (``_letters``) — so only while the mailing
integration is on.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.db.models import OutsideRegistrantRow
from bot.db.uow import UnitOfWorkFactory
from bot.domain.lifecycle import Actor
from bot.domain.outside import outsider_user_id, validated_email, validated_person
from bot.domain.registration import Source
from bot.errors import Forbidden, InvalidInput, InvalidState, NotFound
from bot.services.attendees import require_series_open
from bot.services.registrations._service import RegistrationService
from bot.services.registrations._values import RegistrationOutcome
from bot.services.series import require_home


@dataclass(frozen=True)
class TeamRegistration:
    """What the team's command did, for its reply: the outcome, who (a name and address for someone outside
    Discord), and whether they were told (False: closed DMs, or the e-mail could not leave)."""

    outcome: RegistrationOutcome
    told: bool
    name: str | None = None
    email: str | None = None


class TeamRegistrations:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, registrations: RegistrationService) -> None:
        self._uow = uow
        self._clock = clock
        self._registrations = registrations
        self._notices = registrations.notices

    async def register(
        self, guild_id: int, fabrique_id: int, by: Actor, *, member: Actor | None, name: str, email: str
    ) -> TeamRegistration:
        """``member`` (their standing read from their roles), or ``name`` and ``email`` for someone outside
        Discord. Refusals come before anything is written."""
        _require_team(by)
        if (member is not None) == bool(name.strip() or email.strip()):
            raise InvalidInput("error.outside.who")
        if member is not None:
            outcome = await self._registrations.join(guild_id, fabrique_id, member, Source.TEAM)
            return TeamRegistration(outcome, outcome.changed and await self._notices.confirm(outcome))
        if self._notices.letters is None:
            raise InvalidState("error.outside.mailing_off")
        if not (name.strip() and email.strip()):
            raise InvalidInput("error.outside.who")
        name, address = validated_person(name, email)
        user_id = await self._person(guild_id, fabrique_id, name, address, by)
        person = Actor(user_id=user_id, is_member=True)  # the team vouches for them
        outcome = await self._registrations.join(guild_id, fabrique_id, person, Source.TEAM)
        told = outcome.changed and await self._notices.confirm(outcome)
        return TeamRegistration(outcome, told, name, address)

    async def unregister(
        self, guild_id: int, fabrique_id: int, by: Actor, *, member_id: int | None, email: str
    ) -> TeamRegistration:
        """A member by their account, someone outside Discord by their address; the seat freed goes to the
        waitlist as when anyone leaves."""
        _require_team(by)
        if (member_id is not None) == bool(email.strip()):
            raise InvalidInput("error.outside.who_leaving")
        name = address = None
        if member_id is None:
            address = validated_email(email)
            member_id, name = await self._registered_person(guild_id, fabrique_id, address)
        outcome = await self._registrations.leave(guild_id, fabrique_id, member_id)
        told = outcome.changed and await self._notices.unregistered(outcome)
        return TeamRegistration(outcome, told, name, address)

    async def _person(self, guild_id: int, fabrique_id: int, name: str, address: str, by: Actor) -> int:
        """Their registration id, once the session is known to be open: one person per guild and address (the
        name given last is kept)."""
        async with self._uow() as uow:
            home = await require_home(uow, guild_id, fabrique_id)
            await require_series_open(uow, home, self._clock())
            person = await uow.outsiders.by_email(guild_id, address)
            now = self._clock()
            if person is None:
                person = OutsideRegistrantRow(
                    guild_id=guild_id, email=address, name=name, created_by=by.user_id, created_at=now, updated_at=now
                )
                uow.outsiders.add(person)
            elif person.name != name:
                person.name, person.updated_at = name, now
            await uow.flush()
            user_id = outsider_user_id(person.id)
            await uow.commit()
            return user_id

    async def _registered_person(self, guild_id: int, fabrique_id: int, address: str) -> tuple[int, str]:
        async with self._uow() as uow:
            home = await require_home(uow, guild_id, fabrique_id)
            person = await uow.outsiders.by_email(guild_id, address)
            if person is None or await uow.registrations.get(home.id, outsider_user_id(person.id)) is None:
                raise NotFound("error.outside.not_registered", number=fabrique_id)
            return outsider_user_id(person.id), person.name


def _require_team(actor: Actor) -> None:
    if not actor.is_team:
        raise Forbidden("error.team_only")

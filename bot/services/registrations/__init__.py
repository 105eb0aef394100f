"""Registrations: seats, the waitlist, promotions, and the Zoom link for those who hold a seat (``_service``); what
registrants hear, by DM or by e-mail (``_notices``, ``_letters``); the team's registrations, people outside
Discord included (``_team``)."""

from bot.services.registrations._absences import AbsenceOutcome, DateAttendance, Listing
from bot.services.registrations._catch_up import Marks
from bot.services.registrations._letters import Letter, OutsideLetters
from bot.services.registrations._service import RegistrationService
from bot.services.registrations._team import TeamRegistration, TeamRegistrations
from bot.services.registrations._values import Reactor, Reconciliation, RegistrationOutcome, Spawn, seat_waitlist

__all__ = [
    "AbsenceOutcome",
    "DateAttendance",
    "Letter",
    "Listing",
    "Marks",
    "OutsideLetters",
    "Reactor",
    "Reconciliation",
    "RegistrationOutcome",
    "RegistrationService",
    "Spawn",
    "TeamRegistration",
    "TeamRegistrations",
    "seat_waitlist",
]

"""Registrations: seats, the waitlist, promotions, and the Zoom link for those who hold a seat (``_service``)."""

from bot.services.registrations._service import RegistrationService
from bot.services.registrations._values import Reactor, Reconciliation, RegistrationOutcome, Spawn, seat_waitlist

__all__ = ["Reactor", "Reconciliation", "RegistrationOutcome", "RegistrationService", "Spawn", "seat_waitlist"]

"""Timed work in one place: the scheduler decides when to look, the dispatcher runs what is due, the handlers say
what each due kind does. The database holds every timer, so they survive restarts. Never imports discord: Discord is
reached through the ports of ``bot.services.ports``.
"""

from bot.timed.dispatcher import Dispatcher
from bot.timed.scheduler import DueWorkScheduler

__all__ = ["Dispatcher", "DueWorkScheduler"]

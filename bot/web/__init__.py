"""The optional web door (``[web] enabled``): an aiohttp server inside the bot, behind a reverse proxy, serving the
one-time upload page of recordings too big for Discord, the subscribable ``/agenda.ics`` and the ``/sante`` health
check. It never imports discord nor cogs: the composition root gives it the services and the health checks.
"""

from bot.web.health import HealthCheck, database_answers, scheduler_alive
from bot.web.server import WebDoor

__all__ = ["HealthCheck", "WebDoor", "database_answers", "scheduler_alive"]

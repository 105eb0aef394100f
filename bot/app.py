"""The composition root: builds the bot, its database, its services, its timers, and lists its extensions.

``create_bot(settings)`` returns a fresh, unstarted bot (SPEC §5). Everything that needs I/O happens in
``setup_hook``: open the database, apply migrations, load the extensions (``cogs/``, by name: nothing under
``bot/`` imports them), build the services with the Discord ports those cogs implement, sync, start the scheduler.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, cast

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import MISSING
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.db import migrate
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.uow import unit_of_work_factory
from bot.health import heartbeat_path
from bot.i18n import I18n
from bot.i18n.commands import CommandTranslator
from bot.services import Services, build_services
from bot.services.clients import Clients, clients_from_settings
from bot.services.ports import Cards, Directory, DiscordPorts, JobRunner, Messenger, Noticeboard
from bot.timed import Dispatcher, DueWorkScheduler
from bot.web import WebDoor, database_answers, scheduler_alive

log = logging.getLogger(__name__)

# Loaded in this order by setup_hook. Each is a discord.py extension holding one Cog (docs/architecture.md).
EXTENSIONS = (
    "cogs.messaging",  # DMs, the team channel, member names: the Messenger and Directory ports
    "cogs.moderation",  # the team's cards and their buttons: the Cards port
    "cogs.announcements",  # announcements, ✅, scheduled events: the Noticeboard port
    "cogs.registration",  # ✅ reactions, registration buttons, reconciliation at start
    "cogs.documentation",  # documentation jobs, their DM and buttons
    "cogs.fabrique",  # /fabrique
    "cogs.equipe",  # /equipe
)
CLOSE_WAIT_SECONDS = 10  # a dispatch in flight may take this long to record what it sent


class FabriqueTree(app_commands.CommandTree):
    """Sets the single error handler in the constructor: SimCord (and we) rely on it being there from the start."""

    def __init__(self, client: discord.Client) -> None:
        super().__init__(client)
        self.on_error = _report_error  # type: ignore[method-assign]


async def _report_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    """Hands the error to the extension that words it; until one is loaded, it is only logged."""
    client = cast(FabriqueBot, interaction.client)
    messaging = client.get_cog("Messaging")
    if messaging is None:
        log.error("error in interaction %s before the extensions were loaded", interaction.id, exc_info=error)
        return
    await messaging.report_error(interaction, error)  # type: ignore[attr-defined]


class _CogPort:
    """A port served by whichever instance of its cog is loaded now, so ``reload_extension`` replaces the cog and
    never the services' collaborator. Checked when the services are built: a missing cog stops the start."""

    def __init__(self, bot: commands.Bot, cog_name: str, *protocols: type) -> None:
        cog = bot.get_cog(cog_name)
        missing = [p.__name__ for p in protocols if not isinstance(cog, p)]
        if missing:
            raise RuntimeError(f"the extension providing {', '.join(missing)} (cog {cog_name}) is not loaded")
        self._bot = bot
        self._cog_name = cog_name

    def __getattr__(self, name: str) -> Any:
        cog = self._bot.get_cog(self._cog_name)
        if cog is None:
            raise RuntimeError(f"cog {self._cog_name} is not loaded")
        return getattr(cog, name)


class FabriqueBot(commands.Bot):
    def __init__(self, settings: Settings, clock: Clock | None = None, clients: Clients | None = None) -> None:
        intents = discord.Intents.default()
        intents.members = True  # member roles and registrations by reaction need member data
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=FabriqueTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.settings = settings
        self.clock: Clock = clock or discord.utils.utcnow
        self.i18n = I18n(settings.general.language, settings.general.tz)
        self.engine: AsyncEngine | None = None
        self._services: Services | None = None
        self._dispatcher: Dispatcher | None = None
        self._given_clients = clients
        self._web: WebDoor | None = None
        self._clients = Clients()
        self.scheduler = DueWorkScheduler(
            self.run_due_work, self._next_due, self.clock, heartbeat=heartbeat_path(settings.general.data_dir)
        )

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are available once setup_hook has run")
        return self._services

    @property
    def announcer(self) -> commands.Cog | None:
        """The announcements cog (its ``edits`` count is what the burst benchmark reports)."""
        return self.get_cog("Announcements")

    @property
    def command_guild(self) -> discord.abc.Snowflake | None:
        """Where the commands live: the configured guild (instant updates), or everywhere when none is set."""
        guild_id = self.settings.discord.guild_id
        return discord.Object(guild_id) if guild_id else None

    async def add_cog(
        self, cog: commands.Cog, /, *, override: bool = False, guild: Any = MISSING, guilds: Any = MISSING
    ) -> None:
        """A cog's commands go to the configured guild unless told otherwise (and ``remove_cog`` takes them back
        from there), so reloading an extension replaces its commands where Discord looks for them."""
        if guild is MISSING and guilds is MISSING:
            guild = self.command_guild
        await super().add_cog(cog, override=override, guild=guild, guilds=guilds)

    async def remove_cog(self, name: str, /, *, guild: Any = MISSING, guilds: Any = MISSING) -> commands.Cog | None:
        if guild is MISSING and guilds is MISSING:
            guild = self.command_guild
        return await super().remove_cog(name, guild=guild, guilds=guilds)

    async def setup_hook(self) -> None:
        self.engine = create_engine(self.settings.database.url)
        await migrate.upgrade(self.engine)
        await self.tree.set_translator(CommandTranslator())
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        uow = unit_of_work_factory(create_sessionmaker(self.engine))
        ports = self._ports()
        self._clients = self._given_clients or clients_from_settings(self.settings, self.clock)
        self._services = build_services(
            self.settings, uow, self.clock, ports=ports, clients=self._clients, wake=self.scheduler.wake_at
        )
        self._dispatcher = Dispatcher(
            timeline=self.services.timeline,
            registrations=self.services.registrations,
            retry_copies=self.services.announcements.retry_due_copies,
            keep_welcome=self.services.welcome.keep_announced,
            post_monthly=self.services.bilan.post_monthly,
            messenger=ports.messenger,
            cards=ports.cards,
            i18n=self.services.i18n,
            clock=self.clock,
            deadline_days=self.settings.documentation.deadline_days,
            bot_user_id=ports.directory.own_id,
            recordings=self.services.recordings,
            links=self.services.links,
            announcements=self.services.announcements,
        )
        await self.services.documentation_jobs.discard_leftovers()  # before any job can start or resume
        await self._start_web_door()
        await self._sync_commands()
        await self._start_scheduler()
        log.info("setup done (guild %s)", self.settings.discord.guild_id or "global")

    def _ports(self) -> DiscordPorts:
        messaging = _CogPort(self, "Messaging", Messenger, Directory)
        return DiscordPorts(
            messenger=cast(Messenger, messaging),
            directory=cast(Directory, messaging),
            cards=cast(Cards, _CogPort(self, "Moderation", Cards)),
            board=cast(Noticeboard, _CogPort(self, "Announcements", Noticeboard)),
            runner=cast(JobRunner, _CogPort(self, "Documentation", JobRunner)),
        )

    async def _start_web_door(self) -> None:
        """Listen on ``[web] listen`` when the web door is on: upload links, ``/agenda.ics``, ``/sante``."""
        uploads = self.services.uploads
        if uploads is None or self.engine is None:
            return
        checks = {
            "base": database_answers(self.engine),
            "discord": lambda: self.is_ready() and not self.is_closed(),
            "planificateur": scheduler_alive(heartbeat_path(self.settings.general.data_dir), started_at=system_clock()),
        }
        self._web = WebDoor(self.settings, uploads=uploads, sessions=self.services.sessions, checks=checks)
        await self._web.start()

    async def _start_scheduler(self) -> None:
        interrupted = await self.services.timeline.recover()
        if interrupted:
            log.warning("%s due item(s) were being sent when the bot stopped; not resent", interrupted)
        self.scheduler.start()
        await self.scheduler.rearm()

    async def _next_due(self) -> datetime | None:
        """The earliest of the next due item, the next moment a welcome rule owes a session and the next monthly
        bilan."""
        moments = [
            await self.services.timeline.next_due(),
            await self.services.welcome.next_due(),
            self.services.bilan.next_due(),
        ]
        return min((moment for moment in moments if moment is not None), default=None)

    async def run_due_work(self) -> int:
        """Run every timed item due now (SPEC §5); returns how many ran. The scheduler calls it; tests too."""
        if self._dispatcher is None:
            raise RuntimeError("timed work runs once setup_hook has run")
        return await self._dispatcher.run_due()

    async def _sync_commands(self) -> None:
        guild = self.command_guild
        await self.tree.sync(guild=guild)

    async def close(self) -> None:
        """Timers stop, a dispatch in flight and background work may finish what they were sending, then the
        extensions unload (documentation jobs stop at a recorded step) and the connection closes."""
        if self._web is not None:
            await self._web.stop()  # no new upload may start a job while the rest closes
            self._web = None
        self.scheduler.shutdown()
        try:
            async with asyncio.timeout(CLOSE_WAIT_SECONDS):
                if self._dispatcher is not None:
                    await self._dispatcher.close()
                if self._services is not None:
                    await self._services.background.settle()
        except TimeoutError:
            log.warning("closing while timed or background work is still being sent")
        await super().close()
        await self._clients.aclose()
        if self.engine is not None:
            await self.engine.dispose()
            self.engine = None


def create_bot(settings: Settings, clock: Clock | None = None, clients: Clients | None = None) -> FabriqueBot:
    """A fresh, unstarted bot; the clock defaults to ``discord.utils.utcnow`` so simulated time drives it, and the
    outside systems' clients are built from ``settings`` unless given (tests point them at local servers)."""
    return FabriqueBot(settings, clock, clients)

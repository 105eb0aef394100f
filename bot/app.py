"""The composition root: builds the bot, its database, its services and its commands, and nothing else.

``create_bot(settings)`` returns a fresh, unstarted bot (SPEC §5). Everything that needs I/O happens in
``setup_hook``: open the database, apply migrations, register commands and persistent buttons, sync.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from functools import partial

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock
from bot.config import Settings
from bot.db import migrate
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.uow import unit_of_work_factory
from bot.health import heartbeat_path
from bot.i18n import I18n
from bot.i18n.commands import CommandTranslator
from bot.scheduling import DueWorkScheduler
from bot.services import Services, build_services
from bot.services.documentation_jobs import DocumentationJobs
from cogs import _documentation_runner, _outreach, _timed, documentation, proposals, registration, sessions, slots, team
from cogs._announcements import Announcer
from cogs._feedback import report_error
from cogs._groups import build_groups

log = logging.getLogger(__name__)

# Each module contributes subcommands to the shared /fabrique and /equipe groups and its persistent buttons.
COMMAND_MODULES = (proposals, slots, registration, sessions, documentation, team)


class FabriqueTree(app_commands.CommandTree):
    """Sets the single error handler in the constructor: SimCord (and we) rely on it being there from the start."""

    def __init__(self, client: discord.Client) -> None:
        super().__init__(client)
        self.on_error = report_error  # type: ignore[method-assign]


class FabriqueBot(commands.Bot):
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
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
        self.announcer = Announcer(self)
        self.scheduler: DueWorkScheduler | None = None
        self.documentation = _documentation_runner.DocumentationRunner(self)
        self._documentation_jobs: DocumentationJobs | None = None
        self._dispatch_lock = asyncio.Lock()
        self._catch_up_task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[object]] = set()

    @property
    def documentation_jobs(self) -> DocumentationJobs:
        if self._documentation_jobs is None:
            raise RuntimeError("documentation jobs are available once setup_hook has run")
        return self._documentation_jobs

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are available once setup_hook has run")
        return self._services

    async def setup_hook(self) -> None:
        self.engine = create_engine(self.settings.database.url)
        await migrate.upgrade(self.engine)
        self._services = build_services(
            self.settings, unit_of_work_factory(create_sessionmaker(self.engine)), self.clock
        )
        outreach = self.services.outreach
        outreach.texts = partial(_outreach.outreach_text, self)
        outreach.calendar = lambda record: self.announcer.calendar([record])
        outreach.on_failure = partial(_outreach.alert_team, self)
        outreach.on_link = self.announcer.announce_when_linked
        self._documentation_jobs = DocumentationJobs(
            self.services.documentation, self.settings, partial(_documentation_runner.article_texts, self)
        )
        await self._documentation_jobs.discard_leftovers()  # before any job can start or resume
        await self.tree.set_translator(CommandTranslator())
        groups = build_groups()
        for module in COMMAND_MODULES:
            module.register(self, groups)
            self.add_dynamic_items(*module.DYNAMIC_ITEMS)
        for group in groups:
            self.tree.add_command(group)
        await self._sync_commands()
        await self._start_scheduler()
        self._catch_up_task = asyncio.create_task(self._catch_up())
        log.info("setup done (guild %s)", self.settings.discord.guild_id or "global")

    async def _start_scheduler(self) -> None:
        interrupted = await self.services.timeline.recover()
        if interrupted:
            log.warning("%s due item(s) were being sent when the bot stopped; not resent", interrupted)
        self.scheduler = DueWorkScheduler(
            self.run_due_work,
            self.services.timeline.next_due,
            self.clock,
            heartbeat=heartbeat_path(self.settings.general.data_dir),
        )
        self.services.planner.on_planned(self.scheduler.wake_at)
        self.scheduler.start()
        await self.scheduler.rearm()

    def spawn(self, work: Coroutine[object, object, object]) -> None:
        """Work the person who triggered it need not wait for (website, mailing list); kept until done."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def run_due_work(self) -> int:
        """Run every timed item due now (SPEC §5); returns how many ran. The scheduler calls it; tests too."""
        ran = 0
        async with self._dispatch_lock:
            while items := await self.services.timeline.claim_due():
                contexts = await self.services.timeline.contexts(items)
                for index, item in enumerate(items):  # in claim order, each outcome committed before the next send
                    status = await _timed.dispatch(self, item, contexts.get(item.id))
                    await self.services.timeline.finish(item.id, status)
                    if item.kind in _timed.STATE_CHANGING:  # later items of that session must see its new state
                        rest = [i for i in items[index + 1 :] if i.fabrique_id == item.fabrique_id]
                        contexts.update(await self.services.timeline.contexts(rest))
                ran += len(items)
            ran += await self.services.outreach.retry_due()
        return ran

    async def _catch_up(self) -> None:
        """Once connected: reactions made while the bot was away are reconciled, interrupted jobs resume."""
        await self.wait_until_ready()
        await registration.reconcile_reactions(self)
        await self.documentation.resume()

    async def _sync_commands(self) -> None:
        guild_id = self.settings.discord.guild_id
        if guild_id:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            self.tree.clear_commands(guild=None)
            await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    async def close(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown()
        try:  # let a dispatch in flight record what it sent, so nothing is left half-done
            await asyncio.wait_for(self._dispatch_lock.acquire(), timeout=10)
        except TimeoutError:
            log.warning("closing while timed work is still being sent")
        await super().close()
        if self._services is not None:
            await self._services.outreach.aclose()
        if self.engine is not None:
            await self.engine.dispose()
            self.engine = None


def create_bot(settings: Settings, clock: Clock | None = None) -> FabriqueBot:
    """A fresh, unstarted bot; the clock defaults to ``discord.utils.utcnow`` so simulated time drives it."""
    return FabriqueBot(settings, clock)

"""Workflows, one module each. Plain values in, records out; they never import discord."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.db.uow import UnitOfWorkFactory
from bot.services.documentation import DocumentationService
from bot.services.guild_config import GuildConfigService
from bot.services.member_names import MemberNameService
from bot.services.outreach import OutreachService
from bot.services.proposals import ProposalService
from bot.services.registrations import RegistrationService
from bot.services.sessions import SessionService
from bot.services.slots import SlotService
from bot.services.timeline import Planner, TimelineService, timeline_settings


@dataclass(frozen=True)
class Services:
    guild_config: GuildConfigService
    proposals: ProposalService
    slots: SlotService
    sessions: SessionService
    registrations: RegistrationService
    timeline: TimelineService
    documentation: DocumentationService
    outreach: OutreachService
    planner: Planner
    member_names: MemberNameService


def build_services(settings: Settings, uow: UnitOfWorkFactory, clock: Clock) -> Services:
    """Wire every service once; the bot holds the result and cogs reach it through ``bot.services``."""
    guild_config = GuildConfigService(uow, settings.discord, clock)
    timing = timeline_settings(settings)
    planner = Planner(timing, clock)
    return Services(
        guild_config=guild_config,
        proposals=ProposalService(uow, guild_config, settings.sessions, clock),
        slots=SlotService(uow, settings.sessions, settings.general.tz, clock, planner),
        sessions=SessionService(uow, settings.sessions, settings.general.tz, clock, planner),
        registrations=RegistrationService(uow, clock, planner),
        timeline=TimelineService(uow, timing, clock),
        documentation=DocumentationService(uow, settings, clock, planner),
        outreach=OutreachService(uow, settings, clock),
        planner=planner,
        member_names=MemberNameService(uow, clock),
    )

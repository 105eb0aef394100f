"""Workflows, one module each. Plain values in, records out; they never import discord.

``build_services`` is the one place where they are wired together with the ports the Discord side implements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.config import Settings
from bot.db.uow import UnitOfWorkFactory
from bot.i18n import I18n
from bot.services._background import Background
from bot.services.announcements import AnnouncementPorts, AnnouncementService
from bot.services.bilan import BilanService, BilanSettings
from bot.services.clients import Clients
from bot.services.corrections import CorrectionPorts, CorrectionService
from bot.services.documentation import DocumentationService
from bot.services.documentation_jobs import DocumentationJobs, GuildArticleTexts
from bot.services.documenting import DocumentingService
from bot.services.drafts import DraftService
from bot.services.guild_config import GuildConfigService
from bot.services.links import LinkService
from bot.services.member_names import MemberNameService
from bot.services.outreach import OutreachService
from bot.services.ports import DiscordPorts
from bot.services.proposals import ProposalService
from bot.services.recordings import RecordingService, WithAttendance
from bot.services.registrations import OutsideLetters, RegistrationService, TeamRegistrations
from bot.services.series import SeriesService
from bot.services.sessions import SessionService
from bot.services.slots import SlotService
from bot.services.timeline import Planner, TimelineService, timeline_settings
from bot.services.uploads import UploadService
from bot.services.welcome import WelcomeService


@dataclass(frozen=True)
class Services:
    guild_config: GuildConfigService
    proposals: ProposalService
    corrections: CorrectionService
    slots: SlotService
    sessions: SessionService
    series: SeriesService  # which session of a series a command means (``seance``, or the command's default)
    registrations: RegistrationService
    team_registrations: TeamRegistrations  # /equipe inscrire | desinscrire, people outside Discord included
    announcements: AnnouncementService
    links: LinkService
    welcome: WelcomeService
    timeline: TimelineService
    documentation: DocumentationService
    documentation_jobs: DocumentationJobs
    documenting: DocumentingService
    drafts: DraftService
    outreach: OutreachService
    planner: Planner
    member_names: MemberNameService
    recordings: RecordingService
    uploads: UploadService | None  # the web door's links; None when ``[web]`` is off
    background: Background
    i18n: I18n  # the texts services write, in the bot's language
    bilan: BilanService  # /equipe bilan and the monthly post


def build_services(
    settings: Settings,
    uow: UnitOfWorkFactory,
    clock: Clock,
    *,
    ports: DiscordPorts,
    clients: Clients,
    wake: Callable[[datetime], None],
) -> Services:
    """Wire every service once; the bot holds the result and cogs reach it through ``bot.services``.

    ``ports`` are the Discord side's implementations, ``clients`` the outside systems' (None where off);
    ``wake(at)`` is told when new timed work is due at ``at``.
    """
    i18n = I18n(settings.general.language, settings.general.tz)
    background = Background()
    guild_config = GuildConfigService(uow, settings.discord, clock)
    timing = timeline_settings(settings)
    planner = Planner(timing, clock, wake)
    names = MemberNameService(uow, clock, directory=ports.directory, i18n=i18n)
    slots = SlotService(uow, settings.sessions, settings.general.tz, clock, planner)
    sessions = SessionService(uow, settings.sessions, settings.general.tz, clock, planner, i18n=i18n)
    letters = OutsideLetters(uow, clients.mailer, i18n, clock) if clients.mailer is not None else None
    registrations = RegistrationService(
        uow, clock, planner, guild_defaults=settings.discord, board=ports.board, messenger=ports.messenger,
        i18n=i18n, spawn=background.spawn, letters=letters,
    )  # fmt: skip
    outreach = OutreachService(uow, settings, clock, i18n=i18n, names=names, messenger=ports.messenger, clients=clients)
    documentation = DocumentationService(uow, settings, clock, planner)
    drafts = DraftService(settings.resume, i18n=i18n, zoom=clients.summaries, resume=clients.resume)
    uploads = (
        UploadService(
            uow, documentation, clock, public_url=settings.web.public_url, upload_hours=settings.web.upload_hours,
            cards=ports.cards, messenger=ports.messenger, runner=ports.runner, i18n=i18n,
        )
        if settings.web.enabled
        else None
    )  # fmt: skip
    recordings = RecordingService(
        uow, settings, clock, zoom=clients.recordings, documentation=documentation, cards=ports.cards,
        messenger=ports.messenger, i18n=i18n, drafts=drafts, spawn=background.spawn, upload_door=uploads,
    )  # fmt: skip
    texts = WithAttendance(GuildArticleTexts(names, i18n))
    jobs = DocumentationJobs(
        documentation, settings, texts, wordpress=clients.wordpress, attachments=clients.attachments
    )
    announcements = AnnouncementService(
        guild_config=guild_config,
        slots=slots,
        sessions=sessions,
        registrations=registrations,
        outreach=outreach,
        ports=AnnouncementPorts(board=ports.board, cards=ports.cards, messenger=ports.messenger),
        i18n=i18n,
        clock=clock,
        bot_user_id=ports.directory.own_id,
        spawn=background.spawn,
    )
    welcome = WelcomeService(
        uow, settings.sessions, settings.general.tz, clock, sessions=sessions, announcements=announcements,
        messenger=ports.messenger, i18n=i18n, wake=wake,
    )  # fmt: skip
    speaking = {"cards": ports.cards, "messenger": ports.messenger, "i18n": i18n}  # what tells people of a change
    return Services(
        guild_config=guild_config,
        proposals=ProposalService(
            uow, guild_config, settings.sessions, clock, board=ports.board, registrations=registrations, **speaking
        ),
        corrections=CorrectionService(
            uow,
            settings.sessions,
            clock,
            planner,
            outreach=outreach,
            registrations=registrations,
            ports=CorrectionPorts(cards=ports.cards, board=ports.board, messenger=ports.messenger),
            i18n=i18n,
            spawn=background.spawn,
        ),
        slots=slots,
        sessions=sessions,
        series=SeriesService(uow, clock),
        registrations=registrations,
        team_registrations=TeamRegistrations(uow, clock, registrations),
        announcements=announcements,
        links=LinkService(registrations=registrations, outreach=outreach, i18n=i18n),
        welcome=welcome,
        timeline=TimelineService(uow, timing, clock),
        documentation=documentation,
        documentation_jobs=jobs,
        documenting=DocumentingService(documentation, jobs, recordings=recordings, **speaking),
        outreach=outreach,
        planner=planner,
        member_names=names,
        recordings=recordings,
        uploads=uploads,
        drafts=drafts,
        background=background,
        i18n=i18n,
        bilan=BilanService(
            uow,
            BilanSettings(settings.general.tz, settings.documentation.deadline_days, settings.bilan.monthly),
            clock,
            messenger=ports.messenger,
            i18n=i18n,
        ),
    )

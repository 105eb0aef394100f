"""Registering to a session: the ✅ reaction, the « S'inscrire » / « Se désinscrire » buttons, or the commands.

Whatever the way in, the same service decides (members only, capacity, waitlist) and the person hears back once:
an ephemeral reply for a button or a command, a DM for a reaction (a reaction has nowhere else to answer).
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import re
from itertools import groupby
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands, ui
from discord.app_commands import Choice, locale_str

from bot.domain.lifecycle import Actor
from bot.domain.registration import Source, Status
from bot.domain.text import spreadsheet_cell
from bot.errors import DomainError
from bot.i18n import I18n
from bot.services.records import FabriqueRecord, RegistrationRecord
from bot.services.registrations import RegistrationOutcome
from cogs._feedback import bot_of, current_actor, guild_id, member_actor, reply, report_error, send_dm
from cogs._groups import Groups, command
from cogs._render import shown

if TYPE_CHECKING:
    from bot.app import FabriqueBot

log = logging.getLogger(__name__)

REGISTRATION_EMOJI = "✅"


class RegistrationButton(ui.DynamicItem[ui.Button[Any]], template=r"reg:(?P<action>join|leave):(?P<id>\d+)"):
    """« S'inscrire » / « Se désinscrire » on an announcement; the custom_id carries the session number."""

    def __init__(self, join: bool, fabrique_id: int, label: str | None = None) -> None:
        super().__init__(
            ui.Button(
                label=label or ("join" if join else "leave"),
                style=discord.ButtonStyle.success if join else discord.ButtonStyle.secondary,
                custom_id=f"reg:{'join' if join else 'leave'}:{fabrique_id}",
            )
        )
        self.join = join
        self.fabrique_id = fabrique_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button[Any], match: re.Match[str], /
    ) -> RegistrationButton:
        return cls(match["action"] == "join", int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.defer(ephemeral=True)
            if self.join:
                await join_session(interaction, self.fabrique_id, Source.BUTTON)
            else:
                await leave_session(interaction, self.fabrique_id)
        except Exception as error:  # component callbacks bypass tree.on_error: report the same way
            await report_error(interaction, error)


DYNAMIC_ITEMS = (RegistrationButton,)


def registration_view(i18n: I18n, fabrique_id: int) -> ui.View:
    view = ui.View(timeout=None)
    view.add_item(RegistrationButton(True, fabrique_id, i18n("button.join")))
    view.add_item(RegistrationButton(False, fabrique_id, i18n("button.leave")))
    return view


async def join_session(interaction: discord.Interaction, fabrique_id: int, source: Source) -> None:
    bot = bot_of(interaction)
    actor = await current_actor(interaction)
    outcome = await bot.services.registrations.register(guild_id(interaction), fabrique_id, actor, source)
    await reply(interaction, _registered_text(bot.i18n, outcome))
    if outcome.changed:
        bot.announcer.refresh(fabrique_id)


async def leave_session(interaction: discord.Interaction, fabrique_id: int) -> None:
    bot = bot_of(interaction)
    outcome = await bot.services.registrations.unregister(guild_id(interaction), fabrique_id, interaction.user.id)
    key = "reply.unregistered" if outcome.changed else "reply.not_registered"
    await reply(interaction, bot.i18n(key, title=shown(outcome.fabrique.title)))
    await _after_leaving(bot, outcome)
    if outcome.changed:
        await _take_reaction_off(bot, outcome.fabrique, interaction.user)


def _registered_text(i18n: I18n, outcome: RegistrationOutcome, *, dm: bool = False) -> str:
    record = outcome.fabrique
    prefix = "dm" if dm else "reply"
    if outcome.status is Status.WAITLISTED:
        key = f"{prefix}.waitlisted" if outcome.changed else "reply.already_waitlisted"
        return i18n(key, title=shown(record.title), position=outcome.waitlist_position or 0, number=record.id)
    key = f"{prefix}.registered" if outcome.changed else "reply.already_registered"
    return i18n(key, title=shown(record.title), date=record.starts_at, number=record.id)


async def _after_leaving(bot: FabriqueBot, outcome: RegistrationOutcome) -> None:
    """Seats freed: the first people waiting get them and hear it by DM; the announcement count follows."""
    if not outcome.changed:
        return
    await tell_promoted(bot, outcome.fabrique, outcome.promoted)
    bot.announcer.refresh(outcome.fabrique.id)


async def tell_promoted(bot: FabriqueBot, record: FabriqueRecord, user_ids: tuple[int, ...]) -> None:
    """Each person who just got a seat from the waitlist hears it by DM."""
    for user_id in user_ids:
        text = bot.i18n("dm.promoted", title=shown(record.title), date=record.starts_at, number=record.id)
        if not await send_dm(bot, user_id, text):
            await bot.services.registrations.record_dm_failure(record.id, user_id)


async def _take_reaction_off(bot: FabriqueBot, record: FabriqueRecord, user: discord.abc.Snowflake) -> None:
    """Tidy, when the bot may (Manage Messages): the ✅ of someone who left by button or command goes too.

    Nothing depends on it: the departure is recorded either way, so a ✅ left behind is never counted again.
    """
    channel = bot.get_channel(record.announcement_channel_id or 0)
    if not isinstance(channel, discord.TextChannel) or record.announcement_message_id is None:
        return
    if not channel.permissions_for(channel.guild.me).manage_messages:
        return
    try:
        await channel.get_partial_message(record.announcement_message_id).remove_reaction(REGISTRATION_EMOJI, user)
    except discord.HTTPException:
        log.info("could not remove the ✅ of a departed registrant of fabrique %s", record.id)


class ReactionInbox:
    """✅ reactions, handled strictly in the order Discord delivers them.

    Arrival order is the waitlist order, so reactions are queued as they come and drained by one task; a burst
    on one announcement becomes one transaction. Nothing here outlives a restart: reconciliation at start
    re-reads the reactions themselves.
    """

    def __init__(self, bot: FabriqueBot) -> None:
        self.bot = bot
        self._queue: list[tuple[bool, discord.RawReactionActionEvent]] = []
        self._drainer: asyncio.Task[None] | None = None
        self._notifications: set[asyncio.Task[None]] = set()

    def put(self, added: bool, payload: discord.RawReactionActionEvent) -> None:
        if str(payload.emoji) != REGISTRATION_EMOJI or payload.guild_id is None or payload.user_id == _bot_id(self.bot):
            return
        self._queue.append((added, payload))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            # Consecutive events of the same kind on the same message are handled together, in order.
            for (added, message_id), group in groupby(batch, key=lambda item: (item[0], item[1].message_id)):
                payloads = [payload for _, payload in group]
                try:
                    await (self._add if added else self._remove)(message_id, payloads)
                except Exception:
                    log.exception("reactions on message %s could not be handled", message_id)

    async def _add(self, message_id: int, payloads: list[discord.RawReactionActionEvent]) -> None:
        services = self.bot.services
        record = await services.registrations.session_for_message(message_id)
        if record is None:
            return
        config = await services.guild_config.get(record.guild_id)
        actors = [member_actor(p.member, p.user_id, config) for p in payloads]
        try:
            outcomes = await services.registrations.register_many(record.guild_id, record.id, actors, Source.REACTION)
        except DomainError as closed:  # the session itself refuses: everyone who reacted hears why
            outcomes = [closed] * len(actors)
        self._notify(record, list(zip((a.user_id for a in actors), outcomes, strict=True)))
        self.bot.announcer.refresh(record.id)

    async def _remove(self, message_id: int, payloads: list[discord.RawReactionActionEvent]) -> None:
        record = await self.bot.services.registrations.session_for_message(message_id)
        if record is None:
            return
        for payload in payloads:
            outcome = await self.bot.services.registrations.unregister(
                record.guild_id, record.id, payload.user_id, by_reaction=True
            )
            if outcome.changed:
                text = self.bot.i18n("dm.unregistered", title=shown(record.title), date=record.starts_at)
                await send_dm(self.bot, payload.user_id, text)
            await _after_leaving(self.bot, outcome)

    def _notify(self, record: FabriqueRecord, results: list[tuple[int, RegistrationOutcome | DomainError]]) -> None:
        """DMs go out in the background, so the next reactions are not kept waiting behind them."""
        task = asyncio.create_task(self._send_notifications(record, results))
        self._notifications.add(task)
        task.add_done_callback(self._notifications.discard)

    async def _send_notifications(
        self, record: FabriqueRecord, results: list[tuple[int, RegistrationOutcome | DomainError]]
    ) -> None:
        i18n = self.bot.i18n
        for user_id, result in results:
            if isinstance(result, DomainError):
                reason = i18n(result.key, **result.params)
                await send_dm(self.bot, user_id, i18n("dm.refused", title=shown(record.title), reason=reason))
            elif result.changed:
                await _confirm_by_dm(self.bot, user_id, result)


async def reconcile_reactions(bot: FabriqueBot) -> None:
    """At start: ✅ added or removed while the bot was away become registrations or leave them; idempotent."""
    for record in await bot.services.sessions.announced_to_come():
        try:
            await _reconcile_one(bot, record)
        except Exception:
            log.exception("reconciliation of fabrique %s failed", record.id)


async def _reconcile_one(bot: FabriqueBot, record: FabriqueRecord) -> None:
    channel = bot.get_channel(record.announcement_channel_id or 0)
    if not isinstance(channel, discord.TextChannel) or record.announcement_message_id is None:
        return
    message = await channel.fetch_message(record.announcement_message_id)
    config = await bot.services.guild_config.get(record.guild_id)
    reacted: dict[int, Actor] = {}
    for reaction in message.reactions:
        if str(reaction.emoji) == REGISTRATION_EMOJI:
            async for user in reaction.users(limit=None):
                if user.id != _bot_id(bot):
                    member = await _member(channel.guild, user)
                    reacted[user.id] = member_actor(member, user.id, config)
    result = await bot.services.registrations.reconcile(record.guild_id, record.id, reacted)
    for outcome in result.added:
        await _confirm_by_dm(bot, outcome.user_id, outcome)
    for outcome in result.removed:
        await _after_leaving(bot, outcome)
    await bot.announcer.edit_now(record.id)


async def _confirm_by_dm(bot: FabriqueBot, user_id: int, outcome: RegistrationOutcome) -> None:
    if not await send_dm(bot, user_id, _registered_text(bot.i18n, outcome, dm=True)):
        await bot.services.registrations.record_dm_failure(outcome.fabrique.id, user_id)


async def _member(guild: discord.Guild, user: discord.abc.User) -> discord.Member | None:
    """The member behind a reaction (their roles decide), or None if they left the server."""
    if isinstance(user, discord.Member):
        return user
    try:
        return guild.get_member(user.id) or await guild.fetch_member(user.id)
    except discord.NotFound:
        return None


def _bot_id(bot: discord.Client) -> int:
    return bot.user.id if bot.user else 0


def registrants_csv(records: list[RegistrationRecord], guild: discord.Guild | None, i18n: I18n) -> discord.File:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(i18n("csv.header").split(","))
    for record in records:
        member = guild.get_member(record.user_id) if guild else None
        writer.writerow(
            [
                record.user_id,
                spreadsheet_cell(member.display_name if member else ""),  # a nickname may read as a formula
                i18n(f"status.{record.status.value}"),
                i18n(f"source.{record.source.value}"),
                record.created_at.astimezone(i18n.tz).strftime("%d/%m/%Y %H:%M"),
                i18n("csv.yes") if record.dm_failed else "",
            ]
        )
    return discord.File(io.BytesIO(buffer.getvalue().encode("utf-8-sig")), filename="inscrits.csv")


def register(bot: FabriqueBot, groups: Groups) -> None:
    """/fabrique inscrire, desinscrire, lien, inscrits, and the reaction listeners."""

    @app_commands.rename(fabrique=locale_str("fabrique"))
    @app_commands.describe(fabrique=locale_str("Le numéro de la session (n°…)"))
    async def join(interaction: discord.Interaction, fabrique: int) -> None:
        await interaction.response.defer(ephemeral=True)
        await join_session(interaction, fabrique, Source.COMMAND)

    @app_commands.rename(fabrique=locale_str("fabrique"))
    @app_commands.describe(fabrique=locale_str("Le numéro de la session (n°…)"))
    async def leave(interaction: discord.Interaction, fabrique: int) -> None:
        await interaction.response.defer(ephemeral=True)
        await leave_session(interaction, fabrique)

    @app_commands.rename(fabrique=locale_str("fabrique"))
    @app_commands.describe(fabrique=locale_str("Le numéro de la session (n°…)"))
    async def link(interaction: discord.Interaction, fabrique: int) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        record, url = await bot.services.registrations.zoom_link(guild_id(interaction), fabrique, actor)
        text = bot.i18n("reply.link", title=shown(record.title), date=record.starts_at, url=url)
        host = await bot.services.outreach.host_link(record.id)
        if host and (actor.is_team or actor.user_id in record.organizer_ids):
            text += "\n" + bot.i18n("reply.host_link", url=host)
        await reply(interaction, text)

    @app_commands.rename(fabrique=locale_str("fabrique"))
    @app_commands.describe(fabrique=locale_str("Le numéro de la session (n°…)"))
    async def registrants(interaction: discord.Interaction, fabrique: int) -> None:
        await interaction.response.defer(ephemeral=True)
        actor = await current_actor(interaction)
        record, rows = await bot.services.registrations.registrants(guild_id(interaction), fabrique, actor)
        text = _registrant_list(record, rows, bot.i18n)
        await reply(interaction, text, file=registrants_csv(rows, interaction.guild, bot.i18n))

    for name, description, callback in (
        ("inscrire", "Vous inscrire à une session annoncée", join),
        ("desinscrire", "Vous désinscrire d'une session", leave),
        ("lien", "Recevoir le lien Zoom d'une session où vous êtes inscrit·e", link),
        ("inscrits", "La liste des inscrit·es (organisation et équipe)", registrants),
    ):
        command(groups.fabrique, name, description, callback).autocomplete("fabrique")(suggest_sessions)

    inbox = ReactionInbox(bot)

    async def added(payload: discord.RawReactionActionEvent) -> None:
        inbox.put(True, payload)

    async def removed(payload: discord.RawReactionActionEvent) -> None:
        inbox.put(False, payload)

    bot.add_listener(added, "on_raw_reaction_add")
    bot.add_listener(removed, "on_raw_reaction_remove")


def _registrant_list(record: FabriqueRecord, rows: list[RegistrationRecord], i18n: I18n) -> str:
    seated = [r for r in rows if r.status is Status.CONFIRMED]
    waiting = [r for r in rows if r.status is Status.WAITLISTED]
    lines = [i18n("registrants.title", number=record.id, title=shown(record.title), count=len(seated))]
    lines += [f"- <@{r.user_id}>" + (" " + i18n("registrants.dm_failed") if r.dm_failed else "") for r in seated]
    if waiting:
        lines.append(i18n("registrants.waiting", count=len(waiting)))
        lines += [f"{i}. <@{r.user_id}>" for i, r in enumerate(waiting, start=1)]
    text = "\n".join(lines)
    return text if len(text) <= 1900 else text[:1900] + "\n" + i18n("registrants.more")


async def suggest_sessions(interaction: discord.Interaction, typed: str) -> list[Choice[int]]:
    """Announced sessions still to come, filtered by number or title."""
    bot = bot_of(interaction)
    if interaction.guild_id is None:
        return []
    needle = typed.strip().lower().lstrip("n°#")
    return [
        Choice(name=bot.i18n("autocomplete.session", number=r.id, title=r.title, date=r.starts_at)[:100], value=r.id)
        for r in await bot.services.sessions.agenda(interaction.guild_id)
        if not needle or needle in str(r.id) or needle in r.title.lower()
    ][:25]

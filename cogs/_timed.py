"""What each kind of due item does on Discord: reminders, checklists, the start notice, the recap prompt, chasers,
the team alert. The dispatcher (``FabriqueBot.run_due_work``) calls ``dispatch`` once per claimed item.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import ui

from bot.domain.lifecycle import Action, Actor, State
from bot.domain.timeline import Work
from bot.services.timeline import DueContext, DueItem
from cogs._feedback import NO_PINGS, send_dm, tell_organizers
from cogs._render import shown
from cogs.documentation import recap_view
from cogs.moderation import refresh_card

if TYPE_CHECKING:
    from bot.app import FabriqueBot

log = logging.getLogger(__name__)

DONE, SKIPPED, FAILED = "done", "skipped", "failed"
STATE_CHANGING = frozenset({Work.END, Work.RECAP})  # they move the session to held / documentation due


async def dispatch(bot: FabriqueBot, item: DueItem, context: DueContext | None) -> str:
    if context is None or not context.meaningful:
        return SKIPPED
    handler = _HANDLERS[item.kind]
    try:
        return await handler(bot, item, context)
    except discord.HTTPException:
        log.warning("due item %s (%s) failed; it will be retried", item.id, item.kind.value, exc_info=True)
        return FAILED
    except Exception:  # one broken item must not leave the rest of its batch claimed
        log.exception("due item %s (%s) failed unexpectedly; it will be retried", item.id, item.kind.value)
        return FAILED


async def _reminder(bot: FabriqueBot, item: DueItem, context: DueContext) -> str:
    record = context.fabrique
    assert record.starts_at is not None and item.user_id is not None
    text = bot.i18n(
        "dm.reminder",
        title=shown(record.title),
        ts=int(record.starts_at.timestamp()),
        date=record.starts_at,
        url=context.zoom_url,
    )
    return await _dm(bot, item, text)


async def _checklist(bot: FabriqueBot, item: DueItem, context: DueContext) -> str:
    record = context.fabrique
    steps = bot.i18n(f"checklist.{record.parcours.value}")
    assert record.starts_at is not None
    days = max(1, round((record.starts_at - bot.clock()).total_seconds() / 86400))  # late or not, say the truth
    text = bot.i18n("dm.checklist", title=shown(record.title), date=record.starts_at, days=days, steps=steps)
    return await _dm(bot, item, text)


async def _start(bot: FabriqueBot, item: DueItem, context: DueContext) -> str:
    """A short notice in the announcement's thread: the session is starting (the link is in DMs, never here)."""
    record = context.fabrique
    channel = bot.get_channel(record.announcement_channel_id or 0)
    if not isinstance(channel, discord.TextChannel) or record.announcement_message_id is None:
        return SKIPPED
    thread = channel.get_thread(record.announcement_message_id)
    if thread is None:
        message = channel.get_partial_message(record.announcement_message_id)
        thread = await message.create_thread(name=record.title[:100])
    await thread.send(bot.i18n("thread.start", title=shown(record.title), number=record.id), allowed_mentions=NO_PINGS)
    return DONE


async def _end(bot: FabriqueBot, item: DueItem, context: DueContext) -> str:
    """The session is held: the card says so and the organizers hear it (documentation comes next)."""
    record = await bot.services.timeline.advance(item.fabrique_id, Action.END, _bot_actor(bot))
    await refresh_card(bot, record.guild_id, record.id)
    if not record.is_welcome:  # the team's welcome sessions are never documented
        text = bot.i18n("dm.organizer.ended", number=record.id, title=shown(record.title))
        await tell_organizers(bot, record, text, actor_id=None)
    return DONE


async def _recap(bot: FabriqueBot, item: DueItem, context: DueContext) -> str:
    record = context.fabrique
    if record.state is State.HELD:
        await bot.services.timeline.advance(item.fabrique_id, Action.PROMPT, _bot_actor(bot))
        await refresh_card(bot, record.guild_id, record.id)
    text = bot.i18n("dm.recap", title=shown(record.title), number=record.id)
    return await _dm(bot, item, text, view=recap_view(bot, record.id))


async def _chaser(bot: FabriqueBot, item: DueItem, context: DueContext) -> str:
    record = context.fabrique
    deadline = bot.settings.documentation.deadline_days
    text = bot.i18n(
        "dm.chaser", title=shown(record.title), number=record.id, days=item.amount, left=deadline - item.amount
    )
    return await _dm(bot, item, text, view=recap_view(bot, record.id))


async def _deadline(bot: FabriqueBot, item: DueItem, context: DueContext) -> str:
    record = context.fabrique
    config = await bot.services.guild_config.get(record.guild_id)
    channel = bot.get_channel(config.team_channel_id or 0)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        return SKIPPED
    organizers = " ".join(f"<@{user_id}>" for user_id in record.organizer_ids)
    text = bot.i18n(
        "team.documentation_late", number=record.id, title=shown(record.title), days=item.amount, who=organizers
    )
    await channel.send(text, allowed_mentions=NO_PINGS)
    return DONE


async def _dm(bot: FabriqueBot, item: DueItem, text: str, view: ui.View | None = None) -> str:
    if item.user_id is None:
        return SKIPPED
    if view is None:
        delivered = await send_dm(bot, item.user_id, text)
    else:
        try:
            user = bot.get_user(item.user_id) or await bot.fetch_user(item.user_id)
            await user.send(text, view=view, allowed_mentions=NO_PINGS)
            delivered = True
        except discord.Forbidden:
            delivered = False
    if not delivered:
        # Closed DMs will stay closed: record it and move on rather than retry.
        await bot.services.registrations.record_dm_failure(item.fabrique_id, item.user_id)
    return DONE if delivered else SKIPPED


def _bot_actor(bot: FabriqueBot) -> Actor:
    return Actor(user_id=bot.user.id if bot.user else 0, is_team=True)


_HANDLERS = {
    Work.REMINDER: _reminder,
    Work.CHECKLIST: _checklist,
    Work.START: _start,
    Work.END: _end,
    Work.RECAP: _recap,
    Work.CHASER: _chaser,
    Work.DEADLINE: _deadline,
}

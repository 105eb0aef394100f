"""What the website and the mailing list say about a session, in the guild's language; and the team's alert
when one of those copies fails."""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING

import discord

from bot.services.outreach import Event, OutreachText
from bot.services.records import FabriqueRecord
from cogs._feedback import NO_PINGS, organizer_names
from cogs._render import shown

if TYPE_CHECKING:
    from bot.app import FabriqueBot

log = logging.getLogger(__name__)


async def outreach_text(bot: FabriqueBot, record: FabriqueRecord, event: Event) -> OutreachText:
    i18n = bot.i18n
    values = {
        "title": record.title,
        "date": record.starts_at,
        "organizers": await organizer_names(bot, record),
        "description": record.description,
        "speaker": record.speaker or i18n("card.none"),
        "reason": record.last_reason or "",
        "number": record.id,
    }
    subject = i18n(f"outreach.subject.{event.value}", **values)
    text = i18n(f"outreach.body.{event.value}", **values)
    escaped = {key: html.escape(str(value)) if isinstance(value, str) else value for key, value in values.items()}
    body_html = "".join(
        f"<p>{line}</p>" for line in i18n(f"outreach.body.{event.value}", **escaped).split("\n") if line
    )
    return OutreachText(
        subject=subject,
        text=text,
        html=body_html,
        website_title=i18n(f"outreach.website_title.{event.value}", **values),
        website_html=body_html,
    )


async def alert_team(bot: FabriqueBot, record: FabriqueRecord, target: str, key: str, retryable: bool) -> None:
    """First failure of a copy: the team hears it once, in its channel, with what to do."""
    config = await bot.services.guild_config.get(record.guild_id)
    channel = bot.get_channel(config.team_channel_id or 0)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        return
    copy = bot.i18n(f"copy.{target.split(':')[0]}")
    template = "team.copy_failed" if retryable else "team.copy_failed_final"
    text = bot.i18n(template, number=record.id, title=shown(record.title), copy=copy, reason=bot.i18n(key))
    try:
        await channel.send(text, allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.warning("could not alert the team about fabrique %s", record.id)

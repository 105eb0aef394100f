"""Embeds and files built from records. Pure functions of (record, i18n): easy to read, easy to test.

``shown`` (member text escaped for Discord) is re-exported for the cogs."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

import discord

from bot.domain.edits import Field, Value
from bot.domain.lifecycle import State
from bot.domain.registration import Status, effective_capacity
from bot.domain.text import shown, spreadsheet_cell
from bot.i18n import I18n, format_duration
from bot.services.outreach import CopyState
from bot.services.proposals import Mine
from bot.services.recordings import presence_text
from bot.services.records import (
    Attendance,
    AuditRecord,
    EditRecord,
    FabriqueRecord,
    GuildConfig,
    RegistrationRecord,
    SlotRecord,
)
from bot.services.registrations import DateAttendance, Listing, TeamRegistration
from bot.services.series import SeriesProgress
from bot.services.timeline import FollowUp

CARD_COLOURS = {
    "proposed": discord.Colour.blurple(),
    "changes_requested": discord.Colour.orange(),
    "approved": discord.Colour.green(),
    "rejected": discord.Colour.red(),
    "withdrawn": discord.Colour.light_grey(),
}
FIELD_LIMIT = 1024


def registrant_list(listing: Listing, i18n: I18n) -> str:
    """Who registered; for a series, first how many come on each date (absences told apart)."""
    record, rows, dates = listing.fabrique, listing.registrations, listing.dates
    seated = [r for r in rows if r.status is Status.CONFIRMED]
    waiting = [r for r in rows if r.status is Status.WAITLISTED]
    lines = [i18n("registrants.title", number=record.id, title=shown(record.title), count=len(seated))]
    lines += [
        i18n(
            "registrants.series_date",
            rank=d.session.series_rank,
            date=d.session.starts_at,
            coming=d.coming,
            absent=len(d.absent_ids),
        )
        for d in dates
    ]
    lines += [f"- {_registrant(r, i18n)}" for r in seated]
    if waiting:
        lines.append(i18n("registrants.waiting", count=len(waiting)))
        lines += [f"{i}. {_registrant(r, i18n)}" for i, r in enumerate(waiting, start=1)]
    text = "\n".join(lines)
    return text if len(text) <= 1900 else text[:1900] + "\n" + i18n("registrants.more")


def _registrant(record: RegistrationRecord, i18n: I18n) -> str:
    """A member by their mention; someone outside Discord by name (and address, for the team); closed DMs marked."""
    if record.name is None:
        who = f"<@{record.user_id}>"
    elif record.email is None:  # the organizer's view: addresses are the team's only
        who = i18n("registrants.outside_name", name=shown(record.name))
    else:
        who = i18n("registrants.outside", name=shown(record.name), email=shown(record.email))
    return who + (" " + i18n("registrants.dm_failed") if record.dm_failed else "")


def team_registration(done: TeamRegistration, i18n: I18n) -> str:
    """The team's reply to /equipe inscrire or desinscrire: what changed for whom, and whether they were told."""
    outcome, record = done.outcome, done.outcome.fabrique
    if done.name is not None:
        who = i18n("team.outside_who", name=shown(done.name), email=shown(done.email or ""))
    else:
        who = f"<@{outcome.user_id}>"
    values = {"who": who, "title": shown(record.title), "number": record.id, "date": record.starts_at}
    if outcome.status is None:
        key = "team.unregistered" if outcome.changed else "team.not_registered"
    elif outcome.status is Status.WAITLISTED:
        key = "team.waitlisted" if outcome.changed else "team.already_waitlisted"
        values["position"] = outcome.waitlist_position or 0
    else:
        key = "team.registered" if outcome.changed else "team.already_registered"
    text = i18n(key, **values)
    if not outcome.changed:
        return text
    way = "mail" if done.name is not None else "dm"
    return f"{text} {i18n(f'team.told.{way}' if done.told else f'team.untold.{way}')}"


def registrants_csv(listing: Listing, guild: discord.Guild | None, i18n: I18n) -> discord.File:
    """One line per registrant; a series adds one column per date (« absent·e » or « présent·e »)."""
    records, dates = listing.registrations, listing.dates
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(i18n("csv.header").split(",") + [_date_heading(d, i18n) for d in dates])
    for record in records:
        member = guild.get_member(record.user_id) if guild else None
        name = record.name if record.outside else (member.display_name if member else "")
        writer.writerow(
            [
                "" if record.outside else record.user_id,
                spreadsheet_cell(name),  # a nickname (or a name the team typed) may read as a formula
                i18n(f"status.{record.status.value}"),
                i18n(f"source.{record.source.value}"),
                record.created_at.astimezone(i18n.tz).strftime("%d/%m/%Y %H:%M"),
                i18n("csv.yes") if record.dm_failed else "",
                spreadsheet_cell(record.email or ""),
                *(_date_cell(d, record, i18n) for d in dates),
            ]
        )
    return discord.File(io.BytesIO(buffer.getvalue().encode("utf-8-sig")), filename="inscrits.csv")


def _date_heading(date: DateAttendance, i18n: I18n) -> str:
    when = date.session.starts_at
    day = when.astimezone(i18n.tz).strftime("%d/%m/%Y") if when is not None else i18n("csv.no_date")
    return i18n("csv.series_date", rank=date.session.series_rank, day=day)


def _date_cell(date: DateAttendance, record: RegistrationRecord, i18n: I18n) -> str:
    if record.status is not Status.CONFIRMED:
        return ""
    return i18n("csv.absent") if record.user_id in date.absent_ids else i18n("csv.present")


def _clip(text: str, limit: int = FIELD_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


def organizers(record: FabriqueRecord) -> str:
    return " · ".join(f"<@{user_id}>" for user_id in (record.organizer_id, *record.coorganizer_ids))


def number(record: FabriqueRecord, i18n: I18n) -> str:
    """The number people know: « 12 » for a single Fabrique, « 12 · séance 2/3 » for a session of a series."""
    if not record.is_series:
        return str(record.id)
    return i18n("series.number", number=record.home_id, rank=record.series_rank, size=record.series_size)


def series_summary(series: SeriesProgress, i18n: I18n) -> str:
    """« Série de 4 séances (un jeudi sur deux) », then once approved « 2 sur 4 programmées » and each date."""
    size = series.size
    if series.rhythm:
        lines = [i18n("series.size_rhythm", size=size, rhythm=shown(series.rhythm))]
    else:
        lines = [i18n("series.size", size=size)]
    if series.sessions:
        lines.append(i18n("series.programmed", count=series.programmed, size=size))
    for session in series.sessions:
        if session.state is State.CANCELLED:
            lines.append(i18n("series.session_cancelled", rank=session.rank))
        elif session.starts_at is None:
            lines.append(i18n("series.session_undated", rank=session.rank))
        else:
            ts = _timestamp(session.starts_at)
            lines.append(i18n("series.session_dated", rank=session.rank, ts=ts, state=session.state))
    return _clip("\n".join(lines))


def moderation_card(
    record: FabriqueRecord,
    history: Sequence[AuditRecord],
    i18n: I18n,
    edits: Sequence[EditRecord] = (),
    series: SeriesProgress | None = None,
) -> discord.Embed:
    """The card the team reads: the proposal as it is now, its state (each date of a series), and who did what."""
    embed = discord.Embed(
        title=_clip(i18n("card.title", number=record.id, title=shown(record.title)), 256),
        description=shown(record.description),
        colour=CARD_COLOURS.get(record.state.value, discord.Colour.default()),
    )
    embed.add_field(name=i18n("card.format"), value=i18n.label(record.format))
    embed.add_field(name=i18n("card.parcours"), value=i18n.label(record.parcours))
    embed.add_field(name=i18n("card.duration"), value=format_duration(record.duration_minutes))
    embed.add_field(name=i18n("card.organizers"), value=organizers(record))
    embed.add_field(name=i18n("card.speaker"), value=_clip(shown(record.speaker) or i18n("card.none")))
    embed.add_field(name=i18n("card.needs"), value=_clip(shown(record.needs) or i18n("card.none")))
    state = f"**{i18n.label(record.state)}**"
    if record.awaiting_confirmation:
        state += "\n" + i18n("card.held", release=_timestamp(record.confirm_by))
    embed.add_field(name=i18n("card.state"), value=state, inline=False)
    if series is not None:
        embed.add_field(name=i18n("card.series"), value=series_summary(series, i18n), inline=False)
    lines = [
        i18n(
            f"card.audit.{entry.action}",
            ts=_timestamp(entry.at),
            actor=entry.actor_id,
            reason=shown(entry.reason or ""),
        )
        for entry in history
    ]
    if lines:
        embed.add_field(name=i18n("card.history"), value=_clip("\n".join(lines[-8:])), inline=False)
    if edits:
        shown_edits = "\n".join(edit_lines(edit, i18n) for edit in edits)
        embed.add_field(name=i18n("card.edits"), value=_clip(shown_edits), inline=False)
    embed.set_footer(text=i18n("card.footer", revision=record.revision, date=record.created_at.strftime("%d/%m/%Y")))
    return embed


VALUE_SHOWN = 80  # a long description is shown by its beginning: the card says what changed, not all of it


def edit_lines(edit: EditRecord, i18n: I18n) -> str:
    """One correction: who and when, then each field as before → after; an undone one says so."""
    key = "card.edit.undo" if edit.undo_of is not None else "card.edit"
    lines = [i18n(key, ts=_timestamp(edit.at), actor=edit.actor_id, version=edit.version)]
    for change in edit.changes:
        before, after = _edit_value(change.field, change.before, i18n), _edit_value(change.field, change.after, i18n)
        what = i18n(f"edit.field.{change.field.value}")
        lines.append(i18n("card.edit.change", what=what, before=before, after=after))
    if edit.undone_by is not None:
        lines.append(i18n("card.edit.undone", actor=edit.undone_by))
    return "\n".join(lines)


def _edit_value(field: Field, value: Value, i18n: I18n) -> str:
    if isinstance(value, tuple):
        return " ".join(f"<@{user_id}>" for user_id in value) or i18n("card.none")
    if field is Field.ORGANIZER:
        return f"<@{value}>"
    if field is Field.DURATION and isinstance(value, int):
        return format_duration(value)
    if field is Field.CAPACITY:
        return str(value) if value else i18n("edit.zoom_limit")
    if field in (Field.FORMAT, Field.PARCOURS):
        return i18n(f"{field.value}.{value}")
    text = str(value)
    return f"« {shown(_clip(text, VALUE_SHOWN))} »" if text else i18n("card.none")


def my_fabriques(mine: Sequence[Mine], i18n: I18n) -> discord.Embed:
    if not mine:
        return discord.Embed(title=i18n("mine.title"), description=i18n("mine.empty"))
    lines: list[str] = []
    for record, series in mine:
        lines.append(i18n("mine.line", number=record.id, title=shown(record.title), state=record.state))
        if series is not None:
            lines.append(i18n("mine.series", size=series.size, count=series.programmed))
        if record.last_reason and record.state.value in ("changes_requested", "rejected"):
            lines.append(i18n("mine.reason", reason=_clip(shown(record.last_reason), 300)))
    return discord.Embed(title=i18n("mine.title"), description=_clip("\n".join(lines), 4096))


def guild_config(config: GuildConfig, i18n: I18n) -> discord.Embed:
    def role(role_id: int | None, unset: str = "configure.unset") -> str:
        return f"<@&{role_id}>" if role_id else i18n(unset)

    def channel(channel_id: int | None) -> str:
        return f"<#{channel_id}>" if channel_id else i18n("configure.unset")

    embed = discord.Embed(title=i18n("configure.summary"), colour=discord.Colour.blurple())
    embed.add_field(name=i18n("configure.team_role"), value=role(config.team_role_id))
    embed.add_field(name=i18n("configure.member_role"), value=role(config.member_role_id, "configure.everyone"))
    embed.add_field(name=i18n("configure.team_channel"), value=channel(config.team_channel_id))
    embed.add_field(name=i18n("configure.agenda_channel"), value=channel(config.agenda_channel_id))
    embed.add_field(name=i18n("configure.articles_forum"), value=channel(config.articles_forum_id))
    return embed


def announcement(
    record: FabriqueRecord,
    attendance: Attendance | None,
    i18n: I18n,
    *,
    closed: bool = False,
    final: bool = False,
    sessions: Sequence[FabriqueRecord] = (),
) -> discord.Embed:
    """The public announcement: never the Zoom link, only how to get it. ``closed``: released (waiting for a new
    date) or, with ``final``, cancelled — the footer no longer invites anyone to register. ``sessions``: every
    session of a series (``record`` is its first), one line per date."""
    embed = discord.Embed(
        title=_clip(shown(record.title), 256),
        description=_clip(shown(record.description), 2000),
        colour=discord.Colour.light_grey() if closed else discord.Colour.green(),
    )
    released = closed and not final  # the old date is no longer the session's: the banner says it is to be set
    if sessions:
        name = i18n("announcement.series.when", size=len(sessions))
        name += f" ({shown(record.series_rhythm)})" if record.series_rhythm else ""
        embed.add_field(name=_clip(name, 256), value=_clip(series_dates(sessions, i18n)), inline=False)
        embed.add_field(name=i18n("card.duration"), value=format_duration(record.duration_minutes))
    elif record.starts_at is not None and record.ends_at is not None and not released:
        start = _timestamp(record.starts_at)
        embed.add_field(name=i18n("announcement.when"), value=f"<t:{start}:F> (<t:{start}:R>)", inline=False)
        embed.add_field(name=i18n("card.duration"), value=format_duration(record.duration_minutes))
    if not record.is_welcome:
        embed.add_field(name=i18n("card.format"), value=i18n.label(record.format))
        embed.add_field(name=i18n("card.parcours"), value=i18n.label(record.parcours))
    embed.add_field(name=i18n("card.organizers"), value=organizers(record))
    if record.speaker:
        embed.add_field(name=i18n("card.speaker"), value=_clip(shown(record.speaker)))
    if attendance is not None and not closed:
        embed.add_field(name=i18n("announcement.places"), value=places(attendance, i18n), inline=False)
    footer = (
        "announcement.footer"
        if not closed
        else ("announcement.footer.cancelled" if final else "announcement.footer.released")
    )
    embed.set_footer(text=i18n(footer, number=record.id))
    return embed


def series_dates(sessions: Sequence[FabriqueRecord], i18n: I18n) -> str:
    """One line per session of a series, in rank order: its date (a Discord timestamp each reader sees in their own
    time zone), « date à fixer » before it is booked, « annulée » once cancelled."""
    lines = []
    for session in sessions:
        values = {"rank": session.series_rank, "size": session.series_size}
        if session.starts_at is None:
            key = (
                "announcement.series.cancelled_undated"
                if session.state is State.CANCELLED
                else "announcement.series.unset"
            )
            lines.append(i18n(key, **values))
            continue
        key = "announcement.series.cancelled" if session.state is State.CANCELLED else "announcement.series.line"
        lines.append(i18n(key, ts=_timestamp(session.starts_at), **values))
    return "\n".join(lines)


def event_name(record: FabriqueRecord, i18n: I18n) -> str:
    """A scheduled event's name: the title, and for a series which session it is (Discord allows 100 characters)."""
    if not record.is_series:
        return record.title[:100]
    suffix = i18n("event.series_suffix", rank=record.series_rank, size=record.series_size)
    return record.title[: 100 - len(suffix)] + suffix


def places(attendance: Attendance, i18n: I18n) -> str:
    capacity = effective_capacity(attendance.capacity)
    text = i18n(
        "announcement.seats", taken=attendance.confirmed, capacity=capacity, left=capacity - attendance.confirmed
    )
    if attendance.waitlisted:
        text += "\n" + i18n("announcement.waitlist", count=attendance.waitlisted)
    return text


def slot_line(slot: SlotRecord, i18n: I18n) -> str:
    start = _timestamp(slot.starts_at)
    key = "slot.line.booked" if slot.booked_by else "slot.line.free"
    return i18n(key, number=slot.id, ts=start, length=format_duration(slot.minutes), fabrique=slot.booked_by or 0)


def slot_list(slots: Sequence[SlotRecord], i18n: I18n, title_key: str, empty_key: str) -> discord.Embed:
    lines = [slot_line(slot, i18n) for slot in slots]
    return discord.Embed(title=i18n(title_key), description=_clip("\n".join(lines) or i18n(empty_key), 4096))


def agenda(records: Sequence[FabriqueRecord], i18n: I18n) -> discord.Embed:
    """Each announced session on its own line; a series' sessions by the number people know and their rank."""
    lines = [
        i18n(
            "agenda.line.series" if r.is_series else "agenda.line",
            number=r.home_id,
            title=shown(r.title),
            ts=_timestamp(r.starts_at),
            rank=r.series_rank,
            size=r.series_size,
        )
        for r in records
        if r.starts_at is not None
    ]
    return discord.Embed(title=i18n("agenda.title"), description=_clip("\n".join(lines) or i18n("agenda.empty"), 4096))


def follow_up(dashboard: FollowUp, i18n: I18n) -> discord.Embed:
    """The team's pipeline: counts per state, then how many documentations are owed and the most overdue ones."""
    embed = discord.Embed(title=i18n("followup.title"), colour=discord.Colour.blurple())
    counts = [f"{i18n.label(state)} : **{dashboard.counts[state]}**" for state in State if dashboard.counts.get(state)]
    embed.add_field(name=i18n("followup.states"), value="\n".join(counts) or i18n("followup.none"), inline=False)
    lines = []
    for entry in dashboard.owed:
        record = entry.fabrique
        key = "followup.late" if entry.days_late else "followup.owed"
        lines.append(
            i18n(
                key,
                number=record.shown_number,  # « n°12 · séance 2/3 »: a series owes each session's documentation
                title=shown(record.title),
                who=organizers(record),
                days=entry.days_since_end,
                late=entry.days_late,
                state=record.state,
            )
        )
    embed.add_field(
        name=i18n("followup.documentation", count=dashboard.owed_count),
        value=_clip("\n".join(lines) or i18n("followup.all_documented")),
        inline=False,
    )
    attended = [
        i18n("followup.attendance_line", number=r.id, title=shown(r.title), attendance=presence_text(i18n, r.presence))
        for r in dashboard.attended
        if r.presence is not None
    ]
    if attended:
        embed.add_field(name=i18n("followup.attendance"), value=_clip("\n".join(attended)), inline=False)
    return embed


def copies(sessions: Sequence[FabriqueRecord], states: dict[int, list[CopyState]], i18n: I18n) -> str:
    """Per upcoming session: is each copy (Discord, event, Zoom, website, emails) in sync? ✅ yes, ⚠️ failed."""
    icons = {"synced": "✅", "failed": "⚠️", "sending": "⏳", "retrying": "⏳"}
    lines = []
    for record in sessions:
        parts = [
            f"{i18n('copy.discord')} {'✅' if _on_agenda(record) else '⚠️'}",
            f"{i18n('copy.event')} {'✅' if record.scheduled_event_id else '⚠️'}",
        ]
        for copy in states.get(record.id, []):
            parts.append(f"{i18n('copy.' + copy.target.split(':')[0])} {icons.get(copy.status, '·')}")
        lines.append(i18n("followup.copy_line", number=record.id, title=shown(record.title), states=" · ".join(parts)))
    return _clip("\n".join(lines))


def _on_agenda(record: FabriqueRecord) -> bool:
    """Whether the session is on the agenda channel: its own message, or its line in its series' message (the
    message is the first session's, and a later session is announced only once it is posted)."""
    later_session = record.home_id != record.id
    return record.announcement_message_id is not None or (later_session and record.state is State.ANNOUNCED)

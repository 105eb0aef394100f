"""English catalogue, selected per guild with ``[general] language = "en"``."""

MESSAGES: dict[str, str] = {
    # States, as users read them (SPEC §5).
    "state.proposed": "proposed",
    "state.changes_requested": "changes requested",
    "state.approved": "approved",
    "state.rejected": "rejected",
    "state.withdrawn": "withdrawn",
    "state.scheduled": "scheduled",
    "state.announced": "announced",
    "state.held": "held",
    "state.documentation_due": "documentation due",
    "state.documenting": "documentation in progress",
    "state.documented": "documented",
    "state.cancelled": "cancelled",
    "format.atelier": "Workshop",
    "format.arpentage": "Arpentage (collective reading)",
    "format.focus_group": "Focus group",
    "format.living_lab": "Living lab",
    "format.groupe_de_travail": "Working group",
    "format.autre": "Other",
    "parcours.classique": "Classic (a few days of preparation)",
    "parcours.express": "Express (ready-to-produce 3P workshop)",
    "field.titre": "title",
    "field.description": "description",
    "field.intervenant": "speaker",
    "field.besoins": "needs",
    "field.motif": "reason",
    # Errors.
    "error.generic": "Something went wrong. Please try again in a moment; if it keeps happening, let the team know.",
    "error.guild_only": "This command works on the community server, not in direct messages.",
    "error.team_only": "Only the team can do that.",
    "error.not_organizer": "Only the organizer of this Fabrique can do that.",
    "error.members_only": "This action is reserved for community members.",
    "error.admin_only": "You need the “Manage Server” permission to configure the bot.",
    "error.unknown_fabrique": (
        "There is no Fabrique #{number} on this server. Find your numbers with /fabrique mes-fabriques."
    ),
    "error.state.approve": "This Fabrique can't be approved: it is {state}.",
    "error.state.request_changes": "Changes can't be requested: this Fabrique is {state}.",
    "error.state.reject": "This Fabrique can't be rejected: it is {state}.",
    "error.state.withdraw": "This Fabrique can't be withdrawn: it is {state}.",
    "error.state.edit": "This Fabrique can no longer be edited: it is {state}.",
    "error.input.empty": "The “{field}” field is required.",
    "error.input.too_long": "The “{field}” field is too long: {length} characters, {maximum} at most.",
    "error.input.duration": "That duration isn't available. Choose from: {allowed}.",
    "error.input.coorganizer_self": "You're already the organizer: pick someone else as co-organizer.",
    "error.input.coorganizer_bot": "A bot can't co-organize a Fabrique: pick a member.",
    "error.not_configured.team_channel": (
        "The bot isn't configured yet: an administrator needs to choose the team channel with "
        "/equipe configurer. Nothing has been saved."
    ),
    # Proposal form.
    "modal.propose.title": "Propose a Fabrique",
    "modal.give_back": "Nothing was saved. Here is your text, so you can reuse it without retyping:",
    "modal.edit.title": "Edit Fabrique #{number}",
    "label.titre": "Title",
    "hint.titre": "A short, telling title (100 characters at most).",
    "label.description": "Description",
    "hint.description": "Topic, goals, intended audience, planned flow.",
    "label.intervenant": "Speaker (optional)",
    "hint.intervenant": "Name and role, if someone is speaking.",
    "label.besoins": "Needs (optional)",
    "hint.besoins": "For example: a Klaxoon board, time for a technical test.",
    "label.motif": "Reason",
    "hint.motif.request_changes": "What the organizer needs to change: this text is sent to them.",
    "hint.motif.reject": "Why the proposal isn't accepted: this text is sent to them.",
    "modal.request_changes.title": "Request changes — #{number}",
    "modal.reject.title": "Reject Fabrique #{number}",
    # Member-facing confirmations.
    "propose.done": (
        "Thank you! Your proposal **#{number}** “{title}” has been sent to the team. You'll get their answer "
        "by direct message; follow it with /fabrique mes-fabriques."
    ),
    "propose.card_failed": (
        "Your proposal **#{number}** is saved, but the bot can't reach the team channel: "
        "let the team know so they can check /equipe configurer."
    ),
    "edit.done": "Fabrique **#{number}** “{title}” has been updated (version {revision}).",
    "edit.resubmitted": "It has been submitted to the team again, who will answer you by direct message.",
    "withdraw.done": "Fabrique **#{number}** “{title}” has been withdrawn. You can propose another one at any time.",
    "mine.title": "Your Fabriques",
    "mine.empty": "You haven't proposed any Fabrique yet. Get started with /fabrique proposer!",
    "mine.line": "**#{number}** · {title} — *{state}*",
    "mine.reason": "  ↳ Team's reason: {reason}",
    "autocomplete.fabrique": "#{number} · {title} ({state})",
    # Moderation card.
    "card.title": "Proposal #{number} — {title}",
    "card.format": "Format",
    "card.parcours": "Track",
    "card.duration": "Duration",
    "card.organizers": "Organizers",
    "card.speaker": "Speaker",
    "card.needs": "Needs",
    "card.state": "Status",
    "card.none": "—",
    "card.footer": "Version {revision} · proposed on {date}",
    "card.history": "History",
    "card.audit.propose": "<t:{ts}:f> · proposed by <@{actor}>",
    "card.audit.edit": "<t:{ts}:f> · edited by <@{actor}>",
    "card.audit.approve": "<t:{ts}:f> · ✅ approved by <@{actor}>",
    "card.audit.request_changes": "<t:{ts}:f> · ✏️ changes requested by <@{actor}>: {reason}",
    "card.audit.reject": "<t:{ts}:f> · ❌ rejected by <@{actor}>: {reason}",
    "card.audit.withdraw": "<t:{ts}:f> · ↩️ withdrawn by <@{actor}>",
    "button.approve": "Approve",
    "button.request_changes": "Request changes",
    "button.reject": "Reject",
    "decision.done.approve": "Fabrique #{number} approved. The organizers have been notified.",
    "decision.done.request_changes": "Change request sent for Fabrique #{number}.",
    "decision.done.reject": "Fabrique #{number} rejected. The organizers have been notified with your reason.",
    "decision.dm_failed": (
        "⚠️ The direct message couldn't be delivered (DMs are closed): let the person know directly."
    ),
    # DMs to organizers.
    "dm.approve": (
        "Good news! Your Fabrique **#{number}** “{title}” has been approved by the team. "
        "Next step: choose a slot with /fabrique creneaux, then book it with /fabrique reserver."
    ),
    "dm.request_changes": (
        "The team is asking for a few changes to your Fabrique **#{number}** “{title}”:\n> {reason}\n"
        "Edit it with /fabrique modifier (fabrique: {number}); it will then be submitted to the team again."
    ),
    "dm.reject": (
        "Your Fabrique **#{number}** “{title}” wasn't accepted by the team.\n> {reason}\n"
        "Feel free to talk it over with the team or to propose another Fabrique."
    ),
    # Team configuration.
    "configure.done": "Configuration saved.",
    "configure.current": "No option given: here is the current configuration, unchanged.",
    "configure.summary": "Current configuration",
    "configure.team_role": "Team role",
    "configure.member_role": "Member role",
    "configure.team_channel": "Team channel",
    "configure.agenda_channel": "Agenda channel",
    "configure.articles_forum": "Articles forum",
    "configure.unset": "not set",
    "configure.everyone": "not set: everyone on the server is a member",
    # Slots and booking.
    "error.not_organizer_or_team": "Only this Fabrique's organizers or the team can do that.",
    "error.input.date": "Unreadable date “{value}”: write it as DD/MM/YYYY, for example 04/05/2027.",
    "error.input.time": "Unreadable time “{value}”: write it as HH:MM, for example 14:30.",
    "error.input.nonexistent_time": "{date} at {time} doesn't exist: that's when the clocks go forward for summer time. Choose another time.",
    "error.input.slot_length": "A slot lasts between {minimum} and {maximum} minutes.",
    "error.input.past": "That date has already passed: choose a date in the future.",
    "error.input.link": "This link isn't valid: give the full address, starting with https://.",
    "error.input.count": "Choose between 1 and {maximum} sessions.",
    "error.input.capacity": "The number of seats can't be negative.",
    "error.unknown_slot": "There is no slot #{number}. See the slots with /fabrique creneaux.",
    "error.slot.overlap": "This slot overlaps slot #{number} on {start} ({buffer} min are needed between two sessions: there's only one Zoom account).",
    "error.slot.past": "This slot has already passed.",
    "error.slot.too_short": "This slot lasts {slot_minutes} min and your Fabrique {needed} min: choose a longer slot.",
    "error.slot.too_soon": "The {parcours} track needs at least {days} days of preparation: choose a later slot.",
    "error.slot.booked": "Slot #{number} is booked by Fabrique #{fabrique}: it must release it first (or be cancelled).",
    "error.slot.taken": "Slot #{number} has just been booked by another Fabrique. Choose another one with /fabrique creneaux.",
    "error.slot.already_yours": "Your Fabrique already holds slot #{number}.",
    "error.state.book": "This Fabrique can't book a slot: it is {state} (it must be approved).",
    "error.state.move": "This Fabrique can't be moved: it is {state}.",
    "error.state.release": "Nothing to release: this Fabrique is {state}.",
    "error.state.announce": "This Fabrique can't be announced: it is {state}.",
    "error.state.cancel": "This Fabrique can't be cancelled: it is {state}.",
    "error.register.closed": "Registration for session #{number} isn't open: it is {state}.",
    "error.register.started": "Session #{number} has already started: registration is closed.",
    "error.link.not_registered": "The Zoom link is for registrants only: register first with /fabrique inscrire (#{number}).",
    "error.link.waitlisted": "You're on the waitlist for session #{number}: the link will be sent to you as soon as a seat opens up.",
    "error.link.missing": "The team hasn't given the Zoom link for session #{number} yet.",
    "error.link.state": "No link can be given for Fabrique #{number}: it is {state}.",
    "slot.added": "Slot **#{number}** opened: {date} ({length}).",
    "slot.removed": "Slot #{number} on {date} removed.",
    "slot.list.team": "Upcoming slots",
    "slot.list.free": "Free slots",
    "slot.list.empty": "No upcoming slots. Open some with /equipe creneau-ajouter.",
    "slot.list.none_free": "No free slots at the moment: the team opens new ones regularly, check back soon.",
    "slot.line.free": "**#{number}** · <t:{ts}:F> · {length} · free",
    "slot.line.booked": "**#{number}** · <t:{ts}:F> · {length} · booked (Fabrique #{fabrique})",
    "slot.booked.announced": "Booked! Fabrique **#{number}** will take place on {date}; it is announced in the agenda channel.",
    "slot.booked.waiting_link": "Booked! Fabrique **#{number}** will take place on {date}. It will be announced as soon as the team has given the Zoom link.",
    "slot.moved": "Fabrique **#{number}** has been moved to {date}. The announcement, the event and the registrants follow.",
    "slot.released": "The slot of Fabrique **#{number}** “{title}” has been released; it is approved again, ready to book.",
    "autocomplete.slot": "#{number} · {date} · {length}",
    "autocomplete.session": "#{number} · {title} · {date}",
    # Announcement.
    "team.needs_link": "📌 Fabrique #{number} is scheduled for {date}: give its Zoom link with /equipe lien-zoom to announce it.",
    "team.no_agenda": "⚠️ Fabrique #{number} can't be announced: the agenda channel isn't configured (/equipe configurer).",
    "announcement.location": "Zoom — link sent to registrants",
    "announcement.when": "When",
    "announcement.places": "Seats",
    "announcement.seats": "{taken} registered out of {capacity} seats — {left} seat(s) left",
    "announcement.waitlist": "{count} person(s) on the waitlist",
    "announcement.footer": "Session #{number} · register with ✅ or the button · the Zoom link is sent to registrants",
    "calendar.name": "Fabriques collectives",
    "button.join": "Register",
    "button.leave": "Unregister",
    # Registration.
    "reply.registered": "Done: you're registered for “{title}” on {date}. The Zoom link will be sent to you before the session (or right away with /fabrique lien).",
    "reply.waitlisted": "“{title}” is full: you're #{position} on the waitlist. You'll be notified by direct message if a seat opens up.",
    "reply.already_registered": "You're already registered for “{title}” on {date}.",
    "reply.already_waitlisted": "You're already on the waitlist for “{title}” (#{position}).",
    "reply.unregistered": "Your registration for “{title}” has been cancelled.",
    "reply.not_registered": "You weren't registered for “{title}”: nothing to cancel.",
    "reply.link": "Zoom link for “{title}” ({date}): {url}\nPlease don't share it publicly.",
    "dm.registered": "✅ You're registered for “{title}” on {date}. The Zoom link will be sent to you before the session; you can also ask for it with /fabrique lien (#{number}).",
    "dm.waitlisted": "“{title}” is full: you're #{position} on the waitlist. You'll be notified here if a seat opens up.",
    "dm.promoted": "🎉 A seat has opened up: you're registered for “{title}” on {date}. The Zoom link: /fabrique lien (#{number}).",
    "dm.unregistered": "Your registration for “{title}” ({date}) has been cancelled.",
    "dm.refused": "Your registration for “{title}” couldn't be taken into account: {reason}",
    "dm.moved": "📅 “{title}” has a new date: it moves from {before} to {date}. Your registration is kept.",
    "dm.released": "“{title}”, planned for {date}, has been postponed: a new date will be announced. Your registration is cancelled; please register again when the new date is announced.",
    "dm.cancelled": "❌ “{title}”, planned for {date}, has been cancelled.\n> {reason}",
    "registrants.title": "**Registrants for session #{number} “{title}”**: {count}",
    "registrants.dm_failed": "(DMs closed)",
    "registrants.waiting": "**Waitlist**: {count}",
    "registrants.more": "… full list in the attached file.",
    "status.confirmed": "registered",
    "status.waitlisted": "waitlist",
    "source.reaction": "reaction",
    "source.button": "button",
    "source.command": "command",
    "csv.header": "id,name,status,via,registered at,DMs closed",
    "csv.yes": "yes",
    # Team: link, cancellation, welcome sessions, agenda.
    "link.saved": "Zoom link saved for Fabrique #{number} “{title}”. It will only be sent to registrants.",
    "link.saved.announced": "Zoom link saved: Fabrique #{number} “{title}” is now announced in the agenda channel.",
    "cancel.done": "Session #{number} “{title}” has been cancelled; {count} registrant(s) and the organizers have been notified.",
    "welcome.title": "30 minutes flat: welcome and catch-up session",
    "welcome.description": "Half an hour with the team to discover the community and the Fabriques collectives, and to ask all your questions.",
    "welcome.line": "• #{number}: {date}",
    "welcome.done": "{count} welcome session(s) scheduled and announced:",
    "agenda.title": "Upcoming sessions",
    "agenda.empty": "No sessions announced at the moment.",
    "agenda.line": "**#{number}** · <t:{ts}:F> · {title}",
    "card.audit.book": "<t:{ts}:f> · 📅 slot booked by <@{actor}>",
    "card.audit.move": "<t:{ts}:f> · 📅 moved by <@{actor}>",
    "card.audit.release": "<t:{ts}:f> · slot released by <@{actor}>",
    "card.audit.announce": "<t:{ts}:f> · 📣 announced",
    "card.audit.cancel": "<t:{ts}:f> · ❌ cancelled by <@{actor}>: {reason}",
    # Timed work.
    "dm.reminder": "⏰ Reminder: “{title}” starts <t:{ts}:R> ({date}).\nZoom link: {url}\nPlease don't share it publicly.",
    "dm.checklist": "📝 Your Fabrique “{title}” takes place in {days} days ({date}). How are things going?\n{steps}",
    "checklist.classique": (
        "☐ the topic and goals are clear and shared with the co-organizers\n"
        "☐ the facilitation format is chosen, and the speaker (if any) has confirmed\n"
        "☐ the facilitation materials are ready (a Klaxoon board? ask the team)\n"
        "☐ partners and guests have confirmed the slot\n"
        "☐ the Zoom recording and note-taking are planned for the documentation"
    ),
    "checklist.express": (
        "☐ the shared problem is stated in one sentence\n"
        "☐ you've reread Jean-Michel Cornu's method for ready-to-produce participatory workshops (3P)\n"
        "☐ the collective report document is ready to be filled in during the session\n"
        "☐ partners and guests have confirmed the slot"
    ),
    "thread.start": "🎬 “{title}” starts now! Registrants have received the Zoom link by direct message (otherwise: /fabrique lien, #{number}).",
    "dm.recap": (
        "Thank you for hosting “{title}”! 🙌 Document your Fabrique: it's the commitment you made by organizing it, "
        "and what makes it useful to the whole community. Two possible paths:\n"
        "• **Recording + notes**: the Zoom recording (converted to MP3), your notes (key ideas, timestamps, "
        "references) — a few hours of work;\n"
        "• **3P report**: the report produced collectively during the session — an hour at most.\n"
        "Choose below (Fabrique #{number})."
    ),
    "dm.chaser": "📚 “{title}” (#{number}) is still waiting for its documentation, {days} days after the session: {left} days left before the deadline. Choose your path below.",
    "team.documentation_late": "⚠️ The documentation of Fabrique #{number} “{title}” hasn't been published, {days} days after the session. Organizers: {who}",
    "button.documentation.classique": "Recording + notes",
    "button.documentation.express": "3P report",
    "documentation.path.classique": (
        "**Recording + notes** (Fabrique #{number}):\n"
        "1. get the Zoom recording of the session (audio or video file, or its link);\n"
        "2. gather your notes: key ideas, timestamps in HH:MM:SS title format, chat exchanges, references;\n"
        "3. add some context and useful resources (presentation, links, publications).\n"
        "The team publishes the members-only article; the audio is converted to MP3."
    ),
    "documentation.path.express": (
        "**3P report** (Fabrique #{number}):\n"
        "1. start from the report produced collectively during the session;\n"
        "2. recall the context and the facilitation method (3P workshops);\n"
        "3. attach useful resources (the speaker's presentation, links, publications).\n"
        "The text is published as a members-only article."
    ),
    "followup.title": "Fabriques dashboard",
    "followup.states": "By status",
    "followup.none": "No Fabriques yet.",
    "followup.documentation": "Documentation expected: {count}",
    "followup.owed": "**#{number}** · {title} · {who} · session {days} d ago · {state}",
    "followup.late": "**#{number}** · {title} · {who} · ⚠️ **{late} d late** (session {days} d ago)",
    "followup.all_documented": "Everything is documented. Well done!",
    "card.audit.end": "<t:{ts}:f> · session held",
    "card.audit.prompt": "<t:{ts}:f> · documentation requested",
    "error.state.end": "This session cannot end: it is {state}.",
    "error.state.prompt": "Documentation cannot be requested: this session is {state}.",
    # Outside systems.
    "error.zoom.auth": "Zoom refuses the bot's credentials (account, client or secret): check the [zoom] section and ZOOM_CLIENT_SECRET.",
    "error.zoom.unavailable": "Zoom is not answering right now: the bot will try again; the team can also paste a link with /equipe lien-zoom.",
    "error.zoom.rejected": "Zoom refused the meeting request: check the host user ([zoom] host_user).",
    "error.wordpress.auth": "The website refuses the bot's username or application password: check [wordpress] username and WORDPRESS_APP_PASSWORD.",
    "error.wordpress.unavailable": "The website is not answering right now: publication will be retried.",
    "error.wordpress.rejected": "The website refused the publication (file too large or content refused).",
    "error.mailing.auth": "The mail server refuses the bot's username or password: check [mailing] and SMTP_PASSWORD.",
    "error.mailing.unavailable": "The mail server is not answering right now: sending will be retried.",
    "error.mailing.rejected": "The mail server refused the message (the list address?).",
    "error.audio.empty": "The file is empty: send the complete recording.",
    "error.audio.not_media": "This file is not a readable audio or video recording: send the session's M4A, MP4, MP3 or WAV file.",
    "error.audio.too_long": "The recording lasts {minutes} min, beyond the {maximum} min accepted.",
    "error.audio.truncated": "The recording looks truncated or damaged: conversion stopped before the end. Send the original file again.",
    "error.audio.failed": "Converting the recording failed: try again, or send the file in another format.",
}

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
        "Next step: pick one of the time slots the team offers."
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
}

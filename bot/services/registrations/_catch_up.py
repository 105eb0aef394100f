"""Which announcements to come changed while the bot was away: the start-up's one read for all of them.

Reconciling a session locks it, reads its registrations and departures and redraws its announcement: a few
milliseconds, which a thousand announcements to come turn into seconds at every start although nothing happened
to most of them. One read of every such session's registrations, departures and last drawing tells which ones the
marks found on Discord would change; only those are reconciled. The rule mirrors ``_reconcile_in``, erring towards
reconciling: anyone marked who is neither registered nor a remembered departure (even someone who may turn out not
to be a member), a departure whose mark went, a registration made by a mark that went, or an announcement whose
last edit did not go through (nothing drawn is remembered) — each makes the session reconciled as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.registration import Source
from bot.services.records import FabriqueRecord
from bot.services.registrations._values import Reactor


@dataclass(frozen=True)
class Marks:
    """What Discord shows on one announcement to come: its ✅ and, when it has an event to read, « Intéressé »."""

    record: FabriqueRecord
    reacted: Sequence[Reactor]
    interested: Sequence[Reactor] | None


@dataclass(frozen=True)
class Stored:
    """What the database holds for the same session (its series' home): registrations by source, departures, and
    the digest of the announcement as last drawn (None: not known to show the truth)."""

    registered: dict[int, Source]
    departed: set[int]
    drawn: str | None


def changed(marks: Marks, stored: Stored) -> bool:
    """Whether reconciling ``marks`` could register, end, forget or redraw anything."""
    if stored.drawn is None:
        return True
    reacted = {reactor.user_id for reactor in marks.reacted}
    interested = {reactor.user_id for reactor in marks.interested or ()}
    if stored.departed - reacted - interested:
        return True  # departures whose marks went are forgotten
    sources = [(Source.REACTION, reacted)]
    if marks.interested is not None:
        sources.append((Source.EVENT, {reactor.user_id for reactor in marks.interested}))
    for source, people in sources:
        if people - stored.registered.keys() - stored.departed:
            return True  # newcomers
        ending = source is Source.REACTION or not marks.record.is_series
        if ending and any(made_by is source and user not in people for user, made_by in stored.registered.items()):
            return True  # a registration whose mark went
    return False

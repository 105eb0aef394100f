"""A session's Zoom links as each person may have them: the join link for whoever is seated, and for the
organizers and the team also the host link, asked of Zoom at that moment (Zoom's ``start_url`` stops working about
2 hours after it was issued, so a stored one would be a dead link). A registrant is never given the host link.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.lifecycle import Actor
from bot.domain.text import shown
from bot.i18n import I18n
from bot.services.outreach import HostLink, OutreachService
from bot.services.records import FabriqueRecord
from bot.services.registrations import RegistrationService


@dataclass(frozen=True)
class SessionLinks:
    fabrique: FabriqueRecord
    join_url: str
    host: HostLink | None  # None: a registrant, who is not told of any host link


class LinkService:
    def __init__(self, *, registrations: RegistrationService, outreach: OutreachService, i18n: I18n) -> None:
        self._registrations = registrations
        self._outreach = outreach
        self._i18n = i18n

    async def for_person(self, guild_id: int, fabrique_id: int, actor: Actor) -> SessionLinks:
        """``/fabrique lien``: the join link for a seated registrant, both links for an organizer or the team."""
        record, join_url = await self._registrations.zoom_link(guild_id, fabrique_id, actor)
        if not (actor.is_team or actor.user_id in record.organizer_ids):
            return SessionLinks(record, join_url, None)
        return SessionLinks(record, join_url, await self._outreach.host_link(record.id))

    async def for_organizers(self, record: FabriqueRecord, join_url: str) -> str:
        """The organizers' DM with the last reminder: the join link and a host link fresh from Zoom."""
        links = SessionLinks(record, join_url, await self._outreach.host_link(record.id))
        assert record.starts_at is not None
        heading = self._i18n(
            "dm.organizer.links", title=shown(record.title), ts=int(record.starts_at.timestamp()), date=record.starts_at
        )
        return heading + "\n" + self.described(links)

    def described(self, links: SessionLinks) -> str:
        """The links in words: the join link, then the host link or the sentence saying why there is none."""
        record = links.fabrique
        text = self._i18n("reply.link", title=shown(record.title), date=record.starts_at, url=links.join_url)
        if links.host is None:
            return text
        if links.host.url is not None:
            host = self._i18n("reply.host_link", url=links.host.url)
            return "\n".join((text, host, self._i18n("links.host.fresh")))
        return text + "\n" + self._i18n(links.host.missing_key or "links.host.unavailable")
